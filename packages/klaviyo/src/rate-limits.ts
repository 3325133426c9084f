/**
 * Klaviyo limits each account per endpoint in two fixed windows at once: a
 * burst window of one second and a steady window of one minute. Each
 * endpoint belongs to a tier (XS to XL); the per-operation numbers come from
 * the spec's `x-klaviyo-ratelimit` (see `generated/rate-limits.ts`). OAuth
 * apps get their own allowance per installed account; private keys share
 * the account's.
 */
import {
  createRateLimiter,
  type FetchLike,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitSpec,
} from "@patchbay/core";
import { OPERATION_RATE_LIMITS } from "./generated/rate-limits.js";

/**
 * Klaviyo's rate-limit tiers.
 *
 * @example
 * ```ts
 * const tier: KlaviyoRateTier = "XS"; // GET /api/accounts
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export type KlaviyoRateTier = "XS" | "S" | "M" | "L" | "XL";

/**
 * A burst (per second) and steady (per minute) allowance.
 *
 * @example
 * ```ts
 * const l: KlaviyoRateLimit = { burstPerSecond: 75, steadyPerMinute: 750 };
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export interface KlaviyoRateLimit {
  burstPerSecond: number;
  steadyPerMinute: number;
}

/**
 * The tiers as the rate-limit guide lists them. The guide says L is
 * 700/m steady; the OpenAPI document gives 750/m for the L endpoints, and
 * the connector follows each operation's own figure.
 *
 * @example
 * ```ts
 * KLAVIYO_RATE_TIERS.XS; // { burstPerSecond: 1, steadyPerMinute: 15 }
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export const KLAVIYO_RATE_TIERS: Readonly<Record<KlaviyoRateTier, KlaviyoRateLimit>> =
  Object.freeze({
    XS: { burstPerSecond: 1, steadyPerMinute: 15 },
    S: { burstPerSecond: 3, steadyPerMinute: 60 },
    M: { burstPerSecond: 10, steadyPerMinute: 150 },
    L: { burstPerSecond: 75, steadyPerMinute: 700 },
    XL: { burstPerSecond: 350, steadyPerMinute: 3500 },
  });

/** Operations by `METHOD /path` template, each with its limit. */
const OPERATIONS = Object.entries(OPERATION_RATE_LIMITS).map(([key, limit]) => {
  const [method, template] = key.split(" ") as [string, string];
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}/?$`);
  return { key, method, pattern, limit };
});

/**
 * The limit of one request: its operation (`METHOD /path template`) and the
 * spec's burst and steady figures; `undefined` for a path the connector
 * does not call.
 *
 * @example
 * ```ts
 * klaviyoOperationLimit("DELETE", "/api/webhooks/01HX"); // { operation: "DELETE /api/webhooks/{id}", burstPerSecond: 1, steadyPerMinute: 15 }
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoOperationLimit(
  method: string,
  pathname: string,
): (KlaviyoRateLimit & { operation: string }) | undefined {
  const upper = method.toUpperCase();
  const found = OPERATIONS.find((op) => op.method === upper && op.pattern.test(pathname));
  return found === undefined
    ? undefined
    : {
        operation: found.key,
        burstPerSecond: found.limit.burstPerSecond,
        steadyPerMinute: found.limit.steadyPerMinute,
      };
}

/**
 * The tier a limit belongs to (by its burst figure), for messages and docs.
 *
 * @example
 * ```ts
 * klaviyoRateTier({ burstPerSecond: 350, steadyPerMinute: 3500 }); // "XL"
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoRateTier(limit: KlaviyoRateLimit): KlaviyoRateTier | undefined {
  return (Object.keys(KLAVIYO_RATE_TIERS) as KlaviyoRateTier[]).find(
    (tier) => KLAVIYO_RATE_TIERS[tier].burstPerSecond === limit.burstPerSecond,
  );
}

/**
 * A limit as core's rate-limiter specs: a 1-second and a 1-minute bucket.
 *
 * @example
 * ```ts
 * klaviyoRateLimitSpecs(KLAVIYO_RATE_TIERS.XS); // [{ requests: 1, intervalMs: 1000 }, { requests: 15, intervalMs: 60000 }]
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoRateLimitSpecs(limit: KlaviyoRateLimit): [RateLimitSpec, RateLimitSpec] {
  return [
    { requests: limit.burstPerSecond, intervalMs: 1000 },
    { requests: limit.steadyPerMinute, intervalMs: 60_000 },
  ];
}

/**
 * Per-endpoint throttling in front of a connection's `fetch`: each request
 * waits for its operation's burst and steady buckets, keyed by `scopeKey`
 * (the connection), in core's rate limiter. Core's `http.rateLimits` apply
 * every declared spec to every request, so per-endpoint tiers are held here.
 *
 * @example
 * ```ts
 * const fetch = throttledFetch(ctx.http.fetch, limiter, `klaviyo:${ctx.connection.id}`);
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function throttledFetch(
  fetch: FetchLike,
  limiter: RateLimiter,
  scopeKey: string,
  signal?: AbortSignal,
): FetchLike {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const limit = klaviyoOperationLimit(method, url.pathname);
    if (limit !== undefined) {
      const [burst, steady] = klaviyoRateLimitSpecs(limit);
      await limiter.acquire(`${scopeKey}:${limit.operation}:steady`, steady, signal);
      await limiter.acquire(`${scopeKey}:${limit.operation}:burst`, burst, signal);
    }
    return fetch(input, init);
  };
}

/**
 * A rate limiter for one connector instance (shared by all its connections
 * in this process). `options` inject a clock, as core's limiter allows.
 *
 * @example
 * ```ts
 * const limiter = klaviyoRateLimiter();
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoRateLimiter(options?: RateLimiterOptions): RateLimiter {
  return createRateLimiter(options);
}
