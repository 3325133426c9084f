import {
  createRateLimiter,
  ErrorCode,
  RateLimitError,
  type RateLimiter,
  type RateLimitSpec,
} from "@patchbay/core";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  appKeyLabel,
  SERVICETITAN_HOSTS,
  SERVICETITAN_PATHS,
  serviceTitanRateLimit,
} from "../src/index.js";
import {
  SERVICETITAN_SANDBOX_APP,
  SERVICETITAN_SANDBOX_TENANT,
  serviceTitanTooManyRequests,
} from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T = SERVICETITAN_SANDBOX_TENANT.tenantId;
const CUSTOMERS = SERVICETITAN_PATHS.customers(T);

function recordingLimiter(): RateLimiter & {
  acquired: Array<{ key: string; spec: RateLimitSpec }>;
  paused: Array<{ key: string; ms: number }>;
} {
  const inner = createRateLimiter();
  const acquired: Array<{ key: string; spec: RateLimitSpec }> = [];
  const paused: Array<{ key: string; ms: number }> = [];
  return {
    acquired,
    paused,
    acquire(key, spec, signal) {
      acquired.push({ key, spec });
      return inner.acquire(key, spec, signal);
    },
    pause(key, ms) {
      paused.push({ key, ms });
      inner.pause(key, ms);
    },
  };
}

describe("60 requests per second per app key and tenant", () => {
  it("keys one bucket per app key and tenant, never naming the key itself", () => {
    const spec = serviceTitanRateLimit("ak1.secret-app-key");
    expect(spec).toMatchObject({ requests: 60, intervalMs: 1000 });
    const scope = spec.scope as (r: { path: string }) => string;
    const a = scope({ path: SERVICETITAN_PATHS.customersExport("111") });
    expect(a).toBe(`servicetitan:app:${appKeyLabel("ak1.secret-app-key")}:tenant:111`);
    expect(a).not.toContain("secret-app-key");
    expect(scope({ path: `https://api.servicetitan.io${SERVICETITAN_PATHS.jobs("111")}` })).toBe(a);
    expect(scope({ path: SERVICETITAN_PATHS.jobs("222") })).not.toBe(a);
    const other = serviceTitanRateLimit("ak1.another-app").scope as (r: { path: string }) => string;
    expect(other({ path: SERVICETITAN_PATHS.jobs("111") })).not.toBe(a);
  });

  it("holds a burst of 62 calls to the allowance, so ServiceTitan never answers 429", async () => {
    const limiter = recordingLimiter();
    const w = await world(server, { patchbay: { rateLimiter: limiter } });
    const client = await w.http();
    await Promise.all(
      Array.from({ length: 62 }, () => client.get(CUSTOMERS, { query: { pageSize: 1 } })),
    );
    const statuses = w.fake.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(63); // + the connect test
    const key = `servicetitan:app:${appKeyLabel(SERVICETITAN_SANDBOX_APP.appKey)}:tenant:${T}:0`;
    expect(new Set(limiter.acquired.map((a) => a.key))).toEqual(new Set([key]));
  });

  it("the fake answers 429 past 60 calls in a burst", async () => {
    // A stopped clock: the fake's bucket does not refill while the burst is in flight.
    const stopped = Date.now();
    const w = await world(server, { fake: { now: () => stopped } });
    const { accessToken } = w.fake.oauthServers.integration.issueTokens({
      clientId: SERVICETITAN_SANDBOX_TENANT.clientId,
    });
    const url = `${SERVICETITAN_HOSTS.integration.api}${CUSTOMERS}?pageSize=1`;
    const headers = {
      authorization: `Bearer ${accessToken}`,
      "ST-App-Key": SERVICETITAN_SANDBOX_APP.appKey,
    };
    const responses = await Promise.all(Array.from({ length: 61 }, () => fetch(url, { headers })));
    // The connect test already used one call of the allowance: 59 pass, 2 are refused.
    const limited = responses.filter((r) => r.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0]!.headers.get("retry-after")).toBe("0");
    expect(await limited[0]!.json()).toMatchObject({ status: 429, title: "Too Many Requests" });
  });
});

describe("429 handling", () => {
  it("waits the Retry-After ServiceTitan sends, pausing the tenant's bucket, then succeeds", async () => {
    const limiter = recordingLimiter();
    const w = await world(server, {
      patchbay: { rateLimiter: limiter },
      fake: { rateLimit: { retryAfterSeconds: 1 } },
    });
    w.fake.seedCustomers(3);
    w.fake.rateLimitNext(1);
    const run = await w.sync("customers");
    expect(run).toMatchObject({ status: "succeeded", inserted: 3 });
    expect(w.fake.requests.slice(-2).map((r) => r.status)).toEqual([429, 200]);
    expect(limiter.paused).toEqual([
      {
        key: `servicetitan:app:${appKeyLabel(SERVICETITAN_SANDBOX_APP.appKey)}:tenant:${T}:0`,
        ms: 1000,
      },
    ]);
  });

  it("gives up at once with the wait when Retry-After is longer than a call may wait", async () => {
    const w = await world(server);
    server.use(
      http.get(`${SERVICETITAN_HOSTS.integration.api}${CUSTOMERS}`, () =>
        serviceTitanTooManyRequests(120),
      ),
    );
    const error = await (await w.http()).get(CUSTOMERS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      retryAfterMs: 120_000,
      providerCode: "Too Many Requests",
    });
    expect((error as Error).message).toMatch(
      /429 Too Many Requests: Too Many Requests \(Rate limit exceeded/,
    );
  });
});
