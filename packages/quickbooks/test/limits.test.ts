import { createRateLimiter, type RateLimiter, type RateLimitSpec } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { quickbooks } from "../src/index.js";
import { QUICKBOOKS_SANDBOX_APP } from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

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

describe("Intuit's limits, enforced client-side", () => {
  it("never has more than 10 requests in flight per company", async () => {
    const w = await world(server, { fake: { latencyMs: 15 } });
    const [id] = w.fake.seedCustomers(1);
    const http = await w.http();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => http.get(`customer/${id}`, { query: { minorversion: 75 } })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(w.fake.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(w.fake.maxInFlight).toBe(10);
  });

  it("the fake throttles an eleventh concurrent request, so the cap is what keeps it away", async () => {
    const w = await world(server, { fake: { latencyMs: 15 } });
    const [id] = w.fake.seedCustomers(1);
    const token = await w.patchbay.tokens.getAccessToken({
      tenantId: "tenant-1",
      id: w.connection.id,
    });
    const url = `https://sandbox-quickbooks.api.intuit.com/v3/company/${w.fake.realmId}/customer/${id}`;
    const statuses = await Promise.all(
      Array.from({ length: 11 }, () =>
        fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it("counts every call against 500 requests per minute per connection", async () => {
    const limiter = recordingLimiter();
    const w = await world(server, { patchbay: { rateLimiter: limiter } });
    w.fake.seedCustomers(2);
    await w.sync("customers");
    expect(limiter.acquired.length).toBeGreaterThan(0);
    expect(
      limiter.acquired.every(
        (a) =>
          a.key === `quickbooks:${w.connection.id}:0` &&
          a.spec.requests === 500 &&
          a.spec.intervalMs === 60_000,
      ),
    ).toBe(true);
    expect(quickbooks({ ...QUICKBOOKS_SANDBOX_APP }).http?.maxConcurrent).toEqual({
      limit: 10,
      scope: "connection",
    });
  });
});
