import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRateLimiter } from "../src/http/index.js";
import type { RateLimitSpec } from "../src/http/types.js";

const T0 = new Date("2025-01-01T00:00:00Z").getTime();
// Exact windows (no safety margin), so grant times are round numbers.
const FIVE_PER_SECOND: RateLimitSpec = { requests: 5, intervalMs: 1000, safetyMargin: 0 };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

/** Acquire `count` times on `key`, recording when (fake ms since T0) and in which order each was granted. */
function acquireMany(
  limiter: ReturnType<typeof createRateLimiter>,
  key: string,
  spec: RateLimitSpec,
  count: number,
) {
  const grants: { index: number; at: number }[] = [];
  const all = Promise.all(
    Array.from({ length: count }, (_, index) =>
      limiter.acquire(key, spec).then(() => {
        grants.push({ index, at: Date.now() - T0 });
      }),
    ),
  );
  return { grants, all };
}

describe("createRateLimiter", () => {
  it("grants `requests` at once, then one more each time a token comes back", async () => {
    const limiter = createRateLimiter();
    const { grants, all } = acquireMany(limiter, "conn:0", FIVE_PER_SECOND, 12);
    await vi.runAllTimersAsync();
    await all;
    expect(grants.map((g) => g.at)).toEqual([
      0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000,
    ]);
  });

  it("keeps 5% under the declared limit by default, and takes another margin", async () => {
    const limiter = createRateLimiter();
    const { grants, all } = acquireMany(limiter, "d", { requests: 5, intervalMs: 1000 }, 12);
    await vi.runAllTimersAsync();
    await all;
    expect(grants.map((g) => g.at)).toEqual([
      0, 0, 0, 0, 0, 1050, 1050, 1050, 1050, 1050, 2100, 2100,
    ]);
    const wide = acquireMany(limiter, "w", { requests: 1, intervalMs: 1000, safetyMargin: 0.2 }, 3);
    await vi.runAllTimersAsync();
    await wide.all;
    expect(wide.grants.map((g) => g.at - 2100)).toEqual([0, 1200, 2400]);
    await expect(
      limiter.acquire("x", { requests: 1, intervalMs: 1000, safetyMargin: -0.1 }),
    ).rejects.toThrow('"safetyMargin" must be a share of the interval between 0 and 1, e.g. 0.05');
  });

  it("never lets more than `requests` through in any window of `intervalMs`", async () => {
    const limiter = createRateLimiter();
    const spec = { requests: 3, intervalMs: 1000, safetyMargin: 0 };
    const times: number[] = [];
    // Arrivals spread unevenly over 5 s.
    const arrivals = [0, 10, 20, 30, 400, 401, 950, 1500, 1600, 2100, 2101, 2102, 4000];
    const done = arrivals.map(async (arrival) => {
      await new Promise((resolve) => setTimeout(resolve, arrival));
      await limiter.acquire("k", spec);
      times.push(Date.now() - T0);
    });
    await vi.runAllTimersAsync();
    await Promise.all(done);
    expect(times).toHaveLength(arrivals.length);
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(3);
    }
  });

  it("serves waiters on one key first come, first served", async () => {
    const limiter = createRateLimiter();
    const spec = { requests: 1, intervalMs: 1000, safetyMargin: 0 };
    const { grants, all } = acquireMany(limiter, "k", spec, 4);
    await vi.runAllTimersAsync();
    await all;
    expect(grants).toEqual([
      { index: 0, at: 0 },
      { index: 1, at: 1000 },
      { index: 2, at: 2000 },
      { index: 3, at: 3000 },
    ]);
  });

  it("keeps keys independent", async () => {
    const limiter = createRateLimiter();
    const spec = { requests: 1, intervalMs: 1000, safetyMargin: 0 };
    const a = acquireMany(limiter, "base:app1:0", spec, 2);
    const b = acquireMany(limiter, "base:app2:0", spec, 1);
    await vi.runAllTimersAsync();
    await Promise.all([a.all, b.all]);
    expect(a.grants.map((g) => g.at)).toEqual([0, 1000]);
    expect(b.grants.map((g) => g.at)).toEqual([0]);
  });

  it("pause blocks a key for everyone until it ends, and only that key", async () => {
    const limiter = createRateLimiter();
    await limiter.acquire("conn:0", FIVE_PER_SECOND);
    limiter.pause("conn:0", 2500);
    const paused = acquireMany(limiter, "conn:0", FIVE_PER_SECOND, 3);
    const other = acquireMany(limiter, "other:0", FIVE_PER_SECOND, 1);
    await vi.runAllTimersAsync();
    await Promise.all([paused.all, other.all]);
    expect(paused.grants.map((g) => g.at)).toEqual([2500, 2500, 2500]);
    expect(other.grants.map((g) => g.at)).toEqual([0]);
  });

  it("a longer pause extends a shorter one, never the reverse", async () => {
    const limiter = createRateLimiter();
    limiter.pause("k", 3000);
    limiter.pause("k", 1000);
    const { grants, all } = acquireMany(limiter, "k", FIVE_PER_SECOND, 1);
    await vi.runAllTimersAsync();
    await all;
    expect(grants.map((g) => g.at)).toEqual([3000]);
  });

  it("rejects with the signal's reason when aborted, before or while waiting", async () => {
    const limiter = createRateLimiter();
    const spec = { requests: 1, intervalMs: 1000, safetyMargin: 0 };
    const early = new AbortController();
    const reason = new Error("cancelled");
    early.abort(reason);
    await expect(limiter.acquire("k", spec, early.signal)).rejects.toBe(reason);

    await limiter.acquire("k", spec);
    const controller = new AbortController();
    const waiting = limiter.acquire("k", spec, controller.signal);
    const behind = limiter.acquire("k", spec).then(() => Date.now() - T0);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await vi.runAllTimersAsync();
    // The aborted waiter gave its turn to the one behind it.
    await expect(behind).resolves.toBe(1000);
  });

  it("leaves no timer running once nobody waits (so processes exit)", async () => {
    const limiter = createRateLimiter();
    const spec = { requests: 1, intervalMs: 60_000, safetyMargin: 0 };
    await limiter.acquire("k", spec);
    const controller = new AbortController();
    const waiting = limiter.acquire("k", spec, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);

    const { all } = acquireMany(
      limiter,
      "j",
      { requests: 2, intervalMs: 1000, safetyMargin: 0 },
      5,
    );
    await vi.runAllTimersAsync();
    await all;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("drops idle, full buckets so memory follows the busy keys", async () => {
    let now = T0;
    const limiter = createRateLimiter({ now: () => now });
    const spec = { requests: 10, intervalMs: 1000, safetyMargin: 0 };
    let largest = 0;
    // 20 000 distinct keys over 200 s of clock: about 100 are busy at any moment.
    for (let i = 0; i < 20_000; i++) {
      now += 10;
      await limiter.acquire(`tenant-${i}:0`, spec);
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBeLessThanOrEqual(512);
    now += 120_000;
    await limiter.acquire("late:0", spec);
    expect(limiter.size).toBe(1);
  });

  it("honours injected now and sleep", async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = createRateLimiter({
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    const spec = { requests: 2, intervalMs: 500, safetyMargin: 0 };
    for (let i = 0; i < 5; i++) await limiter.acquire("k", spec);
    expect(now).toBe(1000);
    expect(slept).toEqual([500, 500]);
  });

  it("rejects bad arguments with a TypeError naming them", async () => {
    const limiter = createRateLimiter();
    await expect(limiter.acquire("k", { requests: 0, intervalMs: 1000 })).rejects.toThrow(
      new TypeError('"requests" must be a positive integer'),
    );
    await expect(limiter.acquire("k", { requests: 1.5, intervalMs: 1000 })).rejects.toThrow(
      new TypeError('"requests" must be a positive integer'),
    );
    await expect(limiter.acquire("k", { requests: 5, intervalMs: 0 })).rejects.toThrow(
      new TypeError('"intervalMs" must be a positive number'),
    );
    await expect(limiter.acquire("", FIVE_PER_SECOND)).rejects.toThrow(
      new TypeError('"key" must be a non-empty string'),
    );
    expect(() => limiter.pause("k", -1)).toThrow(
      new TypeError('"ms" must be a non-negative finite number'),
    );
    expect(() => createRateLimiter({ now: 5 as unknown as () => number })).toThrow(
      new TypeError('"now" must be a function'),
    );
  });
});
