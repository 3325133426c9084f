/**
 * Jobber's query-cost limiter, tracked on our side: a leaky bucket per app
 * and account (10,000 points, refilled at 500 points a second). Every
 * response reports the bucket (`extensions.cost.throttleStatus`); from it and
 * the cost Jobber last reported for the same operation, the connector waits
 * for the bucket to refill *before* sending a query that would be throttled,
 * instead of sending it to be refused.
 */
import type { QueryCost, ThrottleStatus } from "./schemas.js";

/**
 * Jobber's documented bucket, used until a response reports the real one.
 *
 * @example
 * ```ts
 * JOBBER_QUERY_COST_LIMITS.restoreRate; // 500 points per second
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const JOBBER_QUERY_COST_LIMITS: Readonly<ThrottleStatus> = Object.freeze({
  maximumAvailable: 10_000,
  currentlyAvailable: 10_000,
  restoreRate: 500,
});

/**
 * How long to wait, in ms, before a query of `cost` points can run against
 * a bucket in `status`: `(cost - available) / restoreRate` seconds, rounded
 * up; `0` when enough points are available.
 *
 * @example
 * ```ts
 * refillWaitMs(1500, { maximumAvailable: 10000, currentlyAvailable: 500, restoreRate: 500 }); // 2000
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export function refillWaitMs(cost: number, status: ThrottleStatus): number {
  const missing = cost - status.currentlyAvailable;
  if (!(missing > 0)) return 0;
  const rate = status.restoreRate > 0 ? status.restoreRate : JOBBER_QUERY_COST_LIMITS.restoreRate;
  return Math.ceil((missing / rate) * 1000);
}

/**
 * How long a `THROTTLED` answer asks us to wait, from its `extensions.cost`.
 *
 * @example
 * ```ts
 * throttledWaitMs({ requestedQueryCost: 1200, actualQueryCost: 0, throttleStatus: { maximumAvailable: 10000, currentlyAvailable: 200, restoreRate: 500 } }); // 2000
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export function throttledWaitMs(cost: QueryCost): number {
  return refillWaitMs(cost.requestedQueryCost, cost.throttleStatus);
}

interface Bucket {
  status: ThrottleStatus;
  /** When `status` was observed (the clock's epoch ms). */
  at: number;
}

/**
 * The connector's view of each account's cost bucket. One instance per
 * connector; buckets are keyed by connection (Jobber's bucket is per app and
 * account, and a connection is one account for this app).
 *
 * @example
 * ```ts
 * const budget = new QueryCostBudget(Date.now);
 * const wait = budget.waitBefore(connection.id, "ClientsPage"); // 0 until a response says otherwise
 * budget.record(connection.id, "ClientsPage", body.extensions.cost);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export class QueryCostBudget {
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #costs = new Map<string, number>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The bucket now, restored for the time since it was observed; `undefined` before any response. */
  status(key: string): ThrottleStatus | undefined {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return undefined;
    const elapsedSeconds = Math.max(0, this.#now() - bucket.at) / 1000;
    const { maximumAvailable, currentlyAvailable, restoreRate } = bucket.status;
    return {
      maximumAvailable,
      restoreRate,
      currentlyAvailable: Math.min(
        maximumAvailable,
        currentlyAvailable + elapsedSeconds * restoreRate,
      ),
    };
  }

  /** What Jobber last said `operation` would cost (its `requestedQueryCost`), if known. */
  expectedCost(operation: string): number | undefined {
    return this.#costs.get(operation);
  }

  /** Milliseconds to wait before sending `operation` on `key`, so it is not throttled. */
  waitBefore(key: string, operation: string): number {
    const cost = this.#costs.get(operation);
    const status = this.status(key);
    if (cost === undefined || status === undefined) return 0;
    return refillWaitMs(Math.min(cost, status.maximumAvailable), status);
  }

  /** Take the expected cost out of the local bucket as the query goes out, so concurrent callers wait their turn. */
  reserve(key: string, operation: string): void {
    const cost = this.#costs.get(operation);
    const status = this.status(key);
    if (cost === undefined || status === undefined) return;
    this.#buckets.set(key, {
      status: { ...status, currentlyAvailable: status.currentlyAvailable - cost },
      at: this.#now(),
    });
  }

  /** Learn from a response's `extensions.cost`. */
  record(key: string, operation: string, cost: QueryCost): void {
    this.#costs.set(operation, cost.requestedQueryCost);
    this.#buckets.set(key, { status: { ...cost.throttleStatus }, at: this.#now() });
  }

  /** Forget a connection's bucket (after a disconnect). */
  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
