import { sleep as defaultSleep } from "./retry.js";
import type { RateLimiter, RateLimitSpec } from "./types.js";

/**
 * Options of {@link createRateLimiter}. Inject both together: `sleep` must
 * advance the clock `now` reads.
 *
 * @example A virtual clock for tests
 * ```ts
 * let now = 0
 * createRateLimiter({ now: () => now, sleep: async (ms) => { now += ms } })
 * ```
 */
export interface RateLimiterOptions {
  /** The clock, in epoch milliseconds. Defaults to `Date.now`. */
  now?: () => number;
  /** An abortable wait. Defaults to a `setTimeout`-based one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The in-memory {@link RateLimiter} returned by {@link createRateLimiter}.
 *
 * @example
 * ```ts
 * const limiter: InMemoryRateLimiter = createRateLimiter()
 * metrics.gauge("patchbay.rate_limit.buckets", limiter.size)
 * ```
 */
export interface InMemoryRateLimiter extends RateLimiter {
  /** How many buckets are held right now (idle, full buckets are dropped). */
  readonly size: number;
}

interface Waiter {
  spec: RateLimitSpec;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Bucket {
  /** Times of the grants still inside their interval, oldest first, from index `head`. */
  grants: number[];
  head: number;
  /** The interval of the last spec seen, used to expire grants when idle. */
  intervalMs: number;
  pausedUntil: number;
  waiters: Waiter[];
  /** Set while a loop is serving `waiters`. */
  serving: boolean;
  /** Aborts the serving loop's current sleep (when every waiter left). */
  wake: AbortController | undefined;
}

/** Headroom under a declared limit when the spec does not say: 5% of the interval. */
export const DEFAULT_RATE_LIMIT_SAFETY_MARGIN = 0.05;

/** How long a grant of `spec` counts against its bucket: the interval plus the safety margin. */
function spanOf(spec: RateLimitSpec): number {
  return spec.intervalMs * (1 + (spec.safetyMargin ?? DEFAULT_RATE_LIMIT_SAFETY_MARGIN));
}

/** Sweep idle buckets at least this often (ms of the limiter's clock)... */
const SWEEP_INTERVAL_MS = 60_000;
/** ...and whenever the number of buckets doubles past this. */
const SWEEP_MIN_SIZE = 256;

/**
 * Check a {@link RateLimitSpec}.
 *
 * @throws TypeError naming the offending field.
 * @example
 * ```ts
 * assertRateLimitSpec({ requests: 5, intervalMs: 1000 })
 * ```
 */
export function assertRateLimitSpec(spec: RateLimitSpec): void {
  if (spec === null || typeof spec !== "object") {
    throw new TypeError('"spec" must be a RateLimitSpec object');
  }
  if (!Number.isSafeInteger(spec.requests) || spec.requests < 1) {
    throw new TypeError('"requests" must be a positive integer');
  }
  if (
    typeof spec.intervalMs !== "number" ||
    !Number.isFinite(spec.intervalMs) ||
    spec.intervalMs <= 0
  ) {
    throw new TypeError('"intervalMs" must be a positive number');
  }
  if (
    spec.safetyMargin !== undefined &&
    (typeof spec.safetyMargin !== "number" ||
      !Number.isFinite(spec.safetyMargin) ||
      spec.safetyMargin < 0 ||
      spec.safetyMargin > 1)
  ) {
    throw new TypeError(
      '"safetyMargin" must be a share of the interval between 0 and 1, e.g. 0.05',
    );
  }
  if (spec.appliesTo !== undefined && typeof spec.appliesTo !== "function") {
    throw new TypeError('"appliesTo" must be a function of the request');
  }
  const { scope } = spec;
  if (
    scope !== undefined &&
    scope !== "connection" &&
    scope !== "provider" &&
    typeof scope !== "function"
  ) {
    throw new TypeError('"scope" must be "connection", "provider" or a function');
  }
}

/**
 * An in-memory, per-process {@link RateLimiter}: one token bucket per key
 * holding `spec.requests` tokens, where each spent token comes back
 * `spec.intervalMs` (plus the spec's `safetyMargin`, 5% by default) after it
 * was spent. That is a sliding window: no span of `intervalMs` ever sees more
 * than `requests` grants, which is how providers count ("5 requests per
 * second"), and the margin absorbs the jitter between grant and arrival.
 * (A bucket refilled continuously would let nearly twice that through right
 * after a burst.)
 *
 * - Waiters on one key are served first come, first served.
 * - `pause(key, ms)` holds the key for everyone, e.g. after a 429 with `Retry-After`.
 * - `acquire` rejects with the signal's reason when its `signal` aborts.
 * - No timer runs while nobody waits, and buckets that are idle and full are
 *   dropped, so memory follows the number of busy keys.
 *
 * Share one limiter between clients (pass it as `rateLimiter`) so buckets
 * outlive a single client. A key is meant to have one spec; when specs differ,
 * each waiter is measured against its own.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter()
 * const airtable = { requests: 5, intervalMs: 1000 }
 * await limiter.acquire("base:appXYZ:0", airtable, signal) // resolves when a token is free
 * limiter.pause("base:appXYZ:0", 30_000) // after a 429 with Retry-After: 30
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions = {}): InMemoryRateLimiter {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object');
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new TypeError('"now" must be a function');
  }
  if (options.sleep !== undefined && typeof options.sleep !== "function") {
    throw new TypeError('"sleep" must be a function');
  }
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? defaultSleep;
  const buckets = new Map<string, Bucket>();
  let lastSweepAt = now();
  let sweepAtSize = SWEEP_MIN_SIZE;

  const bucketFor = (key: string, intervalMs: number): Bucket => {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = {
        grants: [],
        head: 0,
        intervalMs,
        pausedUntil: 0,
        waiters: [],
        serving: false,
        wake: undefined,
      };
      buckets.set(key, bucket);
    }
    return bucket;
  };

  const expire = (bucket: Bucket, at: number, intervalMs: number): void => {
    const { grants } = bucket;
    while (bucket.head < grants.length && (grants[bucket.head] as number) + intervalMs <= at) {
      bucket.head++;
    }
    if (bucket.head === grants.length) {
      grants.length = 0;
      bucket.head = 0;
    } else if (bucket.head > 1024 && bucket.head * 2 > grants.length) {
      grants.splice(0, bucket.head);
      bucket.head = 0;
    }
  };

  /** Milliseconds until `spec` may be granted in `bucket` (0: now). */
  const delayFor = (bucket: Bucket, spec: RateLimitSpec, at: number): number => {
    const span = spanOf(spec);
    expire(bucket, at, span);
    const pause = Math.max(0, bucket.pausedUntil - at);
    const used = bucket.grants.length - bucket.head;
    if (used < spec.requests) return pause;
    // The token that comes back first is the one spent `requests` grants ago.
    const freedAt = (bucket.grants[bucket.grants.length - spec.requests] as number) + span;
    return Math.max(pause, freedAt - at);
  };

  const grant = (bucket: Bucket, spec: RateLimitSpec, at: number): void => {
    bucket.grants.push(at);
    bucket.intervalMs = spanOf(spec);
  };

  const isIdleAndFull = (bucket: Bucket, at: number): boolean => {
    if (bucket.serving || bucket.waiters.length > 0 || bucket.pausedUntil > at) return false;
    expire(bucket, at, bucket.intervalMs);
    return bucket.grants.length === 0;
  };

  const sweep = (at: number): void => {
    for (const [key, bucket] of buckets) {
      if (isIdleAndFull(bucket, at)) buckets.delete(key);
    }
    lastSweepAt = at;
    sweepAtSize = Math.max(SWEEP_MIN_SIZE, buckets.size * 2);
  };

  const maybeSweep = (at: number): void => {
    if (buckets.size >= sweepAtSize || at - lastSweepAt >= SWEEP_INTERVAL_MS) sweep(at);
  };

  const detach = (waiter: Waiter): void => {
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
  };

  /** Serve `bucket.waiters` in order until none is left; the only place that sleeps. */
  const serve = async (key: string, bucket: Bucket): Promise<void> => {
    bucket.serving = true;
    try {
      while (bucket.waiters.length > 0) {
        const head = bucket.waiters[0] as Waiter;
        const at = now();
        const delay = delayFor(bucket, head.spec, at);
        if (delay <= 0) {
          bucket.waiters.shift();
          detach(head);
          grant(bucket, head.spec, at);
          head.resolve();
          continue;
        }
        const wake = new AbortController();
        bucket.wake = wake;
        try {
          await wait(delay, wake.signal);
        } catch (error) {
          if (!wake.signal.aborted) {
            // The injected sleep failed on its own: fail the waiters rather than spin.
            for (const waiter of bucket.waiters.splice(0)) {
              detach(waiter);
              waiter.reject(error);
            }
          }
        } finally {
          bucket.wake = undefined;
        }
      }
    } finally {
      bucket.serving = false;
      if (buckets.get(key) === bucket && isIdleAndFull(bucket, now())) buckets.delete(key);
    }
  };

  return {
    get size() {
      return buckets.size;
    },

    acquire(key: string, spec: RateLimitSpec, signal?: AbortSignal): Promise<void> {
      if (typeof key !== "string" || key === "") {
        return Promise.reject(new TypeError('"key" must be a non-empty string'));
      }
      try {
        assertRateLimitSpec(spec);
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      const at = now();
      maybeSweep(at);
      const bucket = bucketFor(key, spanOf(spec));
      if (bucket.waiters.length === 0 && !bucket.serving && delayFor(bucket, spec, at) <= 0) {
        grant(bucket, spec, at);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { spec, resolve, reject, signal, onAbort: undefined };
        if (signal !== undefined) {
          waiter.onAbort = () => {
            const index = bucket.waiters.indexOf(waiter);
            if (index === -1) return;
            bucket.waiters.splice(index, 1);
            reject(signal.reason);
            // Nobody left: stop the serving loop's timer so nothing keeps running.
            if (bucket.waiters.length === 0) bucket.wake?.abort();
          };
          signal.addEventListener("abort", waiter.onAbort, { once: true });
        }
        bucket.waiters.push(waiter);
        if (!bucket.serving) void serve(key, bucket);
      });
    },

    pause(key: string, ms: number): void {
      if (typeof key !== "string" || key === "") {
        throw new TypeError('"key" must be a non-empty string');
      }
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
        throw new TypeError('"ms" must be a non-negative finite number');
      }
      const at = now();
      maybeSweep(at);
      const bucket = bucketFor(key, 1);
      bucket.pausedUntil = Math.max(bucket.pausedUntil, at + ms);
    },
  };
}
