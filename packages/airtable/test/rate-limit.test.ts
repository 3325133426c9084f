import {
  createHttpClient,
  createRateLimiter,
  ErrorCode,
  RateLimitError,
  type RateLimiter,
  type RateLimitSpec,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AIRTABLE_API_BASE_URL,
  AIRTABLE_RATE_LIMIT_WAIT_MS,
  airtable,
  airtableRateLimitKey,
  recordsPath,
} from "../src/index.js";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_PAT,
  createAirtableFake,
} from "../src/testing/index.js";
import { SANDBOX_CONFIG, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const SANDBOX_RECORDS = recordsPath(AIRTABLE_SANDBOX.baseId, AIRTABLE_SANDBOX.tableId);

/** A limiter that remembers which bucket each request waited in. */
function recordingLimiter(): RateLimiter & {
  acquired: Array<{ key: string; spec: RateLimitSpec }>;
} {
  const inner = createRateLimiter();
  const acquired: Array<{ key: string; spec: RateLimitSpec }> = [];
  return {
    acquired,
    acquire(key, spec, signal) {
      acquired.push({ key, spec });
      return inner.acquire(key, spec, signal);
    },
    pause: (key, ms) => inner.pause(key, ms),
  };
}

describe("5 requests per second per base", () => {
  it("puts each base's requests in its own bucket of 5 per second, and account calls in the connection's", async () => {
    const limiter = recordingLimiter();
    const w = await world(server, { patchbay: { rateLimiter: limiter } });
    const { baseId: otherBase } = w.fake.addBase({ name: "Festival outreach" });
    const { tableId: otherTable } = w.fake.addTable(otherBase, { name: "Contacts" });
    w.fake.seedTable(3);
    w.fake.seedTable(3, { baseId: otherBase });
    await w.sync();
    const http = await w.http();
    await http.get(recordsPath(otherBase, otherTable));
    await w.patchbay.connections.test("tenant-1", w.connection.id);

    const keys = new Set(limiter.acquired.map((a) => a.key));
    expect(keys).toContain(`airtable:base:${AIRTABLE_SANDBOX.baseId}:0`);
    expect(keys).toContain(`airtable:base:${otherBase}:0`);
    expect(keys).toContain(`airtable:connection:${w.connection.id}:0`); // meta/whoami
    expect(limiter.acquired.every((a) => a.spec.requests === 5 && a.spec.intervalMs === 1000)).toBe(
      true,
    );
  });

  it("keys buckets from every path under a base", () => {
    const base = "appA1b2C3d4E5f6G7";
    for (const path of [
      `${base}/tblA1b2C3d4E5f6G7`,
      `bases/${base}/webhooks/achA1b2C3d4E5f6G7/payloads`,
      `meta/bases/${base}/tables`,
      `${AIRTABLE_API_BASE_URL}/${base}/tblX`,
    ]) {
      expect(airtableRateLimitKey({ path })).toBe(`airtable:base:${base}`);
    }
    expect(airtableRateLimitKey({ path: "meta/whoami" })).toBe("airtable:account");
  });

  it("grants at most 5 requests per second to each base, and one base's queue never delays another's", async () => {
    // Core's limiter with the connector's declared limit, on a virtual clock: no wall time involved.
    let clock = 0;
    // The clock moves only after everything granted so far has run (a macrotask later).
    const limiter = createRateLimiter({
      now: () => clock,
      sleep: (ms) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            clock += ms;
            resolve();
          }),
        ),
    });
    const [spec] = airtable({ auth: "pat" }).http!.rateLimits!;
    const scope = spec!.scope as (request: { path: string }) => string;
    const grants: Record<string, number[]> = {};
    const request = async (base: string) => {
      const key = scope({ path: recordsPath(base, "tblA1b2C3d4E5f6G7") });
      await limiter.acquire(key, spec!);
      grants[base] = [...(grants[base] ?? []), clock];
    };
    const [a, b] = ["appAAAAAAAAAAAAAA", "appBBBBBBBBBBBBBB"];
    await Promise.all([
      ...Array.from({ length: 12 }, () => request(a!)),
      ...Array.from({ length: 12 }, () => request(b!)),
    ]);
    for (const base of [a!, b!]) {
      const times = grants[base]!;
      expect(times).toHaveLength(12);
      // Both bases start at once: they do not share a bucket.
      expect(times.filter((t) => t === 0)).toHaveLength(5);
      // No second ever sees a sixth request to the same base.
      for (const t of times)
        expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it("the fake answers a sixth request within a second with Airtable's 429, only for that base, for 30 seconds", async () => {
    let clock = Date.parse("2025-03-01T12:00:00.000Z");
    const fake = createAirtableFake({ oauth: false, now: () => clock });
    const { baseId: otherBase } = fake.addBase({ name: "Other" });
    const { tableId: otherTable } = fake.addTable(otherBase, { name: "Contacts" });
    server.use(...fake.handlers);
    const get = (path: string) =>
      fetch(`${AIRTABLE_API_BASE_URL}/${path}`, {
        headers: { authorization: `Bearer ${AIRTABLE_SANDBOX_PAT}` },
      });
    for (let i = 0; i < 5; i++) expect((await get(SANDBOX_RECORDS)).status).toBe(200);
    const sixth = await get(SANDBOX_RECORDS);
    expect(sixth.status).toBe(429);
    expect(await sixth.json()).toEqual({
      errors: [
        { error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded. Please try again later" },
      ],
    });
    expect((await get(recordsPath(otherBase, otherTable))).status).toBe(200);
    clock += 29_000;
    expect((await get(SANDBOX_RECORDS)).status).toBe(429);
    clock += 1_000;
    expect((await get(SANDBOX_RECORDS)).status).toBe(200);
  });
});

describe("429 → wait 30 seconds", () => {
  it("reports Airtable's 30 s wait on the RateLimitError when retries are off", async () => {
    const w = await world(server, { connector: { rateLimitWaitMs: undefined } });
    const http = await w.http();
    w.fake.rateLimitNext(1);
    const error = await http.get(SANDBOX_RECORDS, { retry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      providerCode: "RATE_LIMIT_REACHED",
      retryAfterMs: 30_000,
    });
    expect(AIRTABLE_RATE_LIMIT_WAIT_MS).toBe(30_000);
  });

  it("sleeps 30 s, then retries and succeeds (core's client with the connector's HTTP declaration)", async () => {
    const fake = createAirtableFake({ oauth: false });
    server.use(...fake.handlers);
    fake.seedTable(2);
    const spec = airtable({ auth: "pat" }).http!;
    const slept: number[] = [];
    // A virtual clock: the 429 also pauses the base's bucket for 30 s, for every caller.
    let clock = 0;
    const http = createHttpClient({
      baseUrl: spec.baseUrl as string,
      rateLimits: spec.rateLimits,
      rateLimiter: createRateLimiter({
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      }),
      parseError: spec.parseError,
      auth: {
        canRefresh: false,
        authenticate: async ({ headers }) =>
          void headers.set("authorization", `Bearer ${AIRTABLE_SANDBOX_PAT}`),
      },
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    fake.rateLimitNext(1);
    const { data } = await http.get<{ records: unknown[] }>(SANDBOX_RECORDS);
    expect(data.records).toHaveLength(2);
    expect(slept).toEqual([30_000]);
  });

  it("a sync retries through a 429 and completes", async () => {
    const w = await world(server, { config: SANDBOX_CONFIG });
    w.fake.seedTable(4);
    w.fake.rateLimitNext(2);
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", inserted: 4 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it('"rateLimitWaitMs" must be a non-negative number', () => {
    expect(() => airtable({ auth: "pat", rateLimitWaitMs: -1 })).toThrow(
      new TypeError('"rateLimitWaitMs" must be a non-negative number of milliseconds'),
    );
  });
});
