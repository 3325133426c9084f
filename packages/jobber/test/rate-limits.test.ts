import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refillWaitMs, throttledWaitMs } from "../src/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const outcomes = (fake: { requests: readonly { outcome: unknown }[] }) =>
  fake.requests.map((r) => r.outcome);

describe("jobber query cost and rate limits", () => {
  it("computes the refill wait as (cost - available) / restoreRate seconds", () => {
    const status = { maximumAvailable: 10_000, currentlyAvailable: 500, restoreRate: 500 };
    expect(refillWaitMs(1500, status)).toBe(2000);
    expect(refillWaitMs(400, status)).toBe(0);
    expect(
      throttledWaitMs({
        requestedQueryCost: 10_001,
        actualQueryCost: 0,
        throttleStatus: { ...status, currentlyAvailable: 10_000 },
      }),
    ).toBe(2);
  });

  it("waits for the bucket to refill before a page that would be throttled, instead of being refused", async () => {
    // A small bucket: each page of 50 clients costs 1,304 points.
    const w = await world(server, { fake: { maximumAvailable: 2000, restoreRate: 500 } });
    w.fake.seed("clients", 120);
    const run = await w.sync("clients");
    expect(run).toMatchObject({ status: "succeeded", inserted: 120 });
    expect(outcomes(w.fake)).not.toContain("throttled");
    // Connecting spent 6 points (two account queries): page 1 leaves 2000 - 6 - 1304 = 690,
    // so page 2 waits (1304 - 690) / 500 s; page 3 finds the bucket empty and waits 1304 / 500 s.
    expect(w.waits).toEqual([1228, 2608]);
  });

  it("a THROTTLED answer waits (requested - available) / restoreRate and retries", async () => {
    const w = await world(server);
    w.fake.seed("clients", 3);
    w.fake.throttleNext(1);
    const run = await w.sync("clients");
    expect(run).toMatchObject({ status: "succeeded", inserted: 3 });
    expect(outcomes(w.fake).slice(-2)).toEqual(["throttled", "data"]);
    expect(w.waits).toEqual([1000]);
  });

  it("gives up with a rate-limit error after maxThrottleRetries THROTTLED answers", async () => {
    const w = await world(server, { connector: { maxThrottleRetries: 2 } });
    w.fake.seed("clients", 3);
    w.fake.throttleNext(10);
    const run = await w.sync("clients");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/still throttled after 3 attempts/);
    expect(outcomes(w.fake).filter((o) => o === "throttled")).toHaveLength(3);
  });

  it("a page that costs more than the whole bucket fails with advice instead of waiting forever", async () => {
    const w = await world(server, { fake: { maximumAvailable: 500 } });
    w.fake.seed("clients", 3);
    const run = await w.sync("clients");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(
      /costs 1304 points, more than the 500 .* ask for fewer records per page/,
    );
    expect(w.waits).toEqual([]);
  });

  it("an HTTP 429 honours Retry-After, and without it waits rateLimitWaitMs", async () => {
    // A 10-minute default wait is longer than core waits inside one call: only Retry-After: 0 can succeed.
    const w = await world(server, { connector: { rateLimitWaitMs: 600_000 } });
    w.fake.seed("clients", 2);
    w.fake.rateLimitNext(1, { retryAfterSeconds: 0 });
    expect(await w.sync("clients")).toMatchObject({ status: "succeeded", inserted: 2 });

    w.fake.rateLimitNext(1);
    const run = await w.sync("clients");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/429/);
  });
});
