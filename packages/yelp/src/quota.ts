/**
 * Yelp's daily quota: read from the `RateLimit-*` headers of every response,
 * remembered per connection, and surfaced on the connection's metadata.
 */
import type { Json } from "@patchbay/core";
import { YELP_QUOTA_HEADERS } from "./endpoints.js";
import { type YelpQuota, YelpQuotaSchema } from "./schemas.js";

/**
 * The metadata key the quota is stored under.
 *
 * @example
 * ```ts
 * const quota = connection.metadata[YELP_QUOTA_METADATA_KEY];
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export const YELP_QUOTA_METADATA_KEY = "yelpQuota";

function intHeader(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/**
 * The next midnight UTC after `now`: when Yelp's daily count resets.
 *
 * @example
 * ```ts
 * new Date(nextUtcMidnight(Date.parse("2026-03-27T15:00:00Z"))).toISOString(); // "2026-03-28T00:00:00.000Z"
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/**
 * Read the daily quota from a Yelp response's headers, or `undefined` when
 * the response carries none (e.g. a response from a proxy).
 *
 * @example
 * ```ts
 * readYelpQuota(new Headers({ "RateLimit-DailyLimit": "500", "RateLimit-Remaining": "100", "RateLimit-ResetTime": "2026-03-28T00:00:00+00:00" }), Date.now());
 * // { dailyLimit: 500, remaining: 100, usedPercent: 80, exhausted: false, ... }
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function readYelpQuota(headers: Headers, now: number): YelpQuota | undefined {
  const dailyLimit = intHeader(headers, YELP_QUOTA_HEADERS.dailyLimit);
  const remaining = intHeader(headers, YELP_QUOTA_HEADERS.remaining);
  const resetRaw = headers.get(YELP_QUOTA_HEADERS.resetTime);
  const resetAt = resetRaw === null ? Number.NaN : Date.parse(resetRaw);
  if (dailyLimit === null && remaining === null && Number.isNaN(resetAt)) return undefined;
  return quotaOf(
    dailyLimit,
    remaining,
    Number.isNaN(resetAt) ? null : new Date(resetAt).toISOString(),
    remaining === 0,
    now,
  );
}

function quotaOf(
  dailyLimit: number | null,
  remaining: number | null,
  resetTime: string | null,
  exhausted: boolean,
  now: number,
): YelpQuota {
  const usedPercent =
    dailyLimit !== null && remaining !== null && dailyLimit > 0
      ? Math.round(((dailyLimit - Math.min(remaining, dailyLimit)) / dailyLimit) * 1000) / 10
      : null;
  return {
    dailyLimit,
    remaining,
    resetTime,
    usedPercent,
    exhausted,
    observedAt: new Date(now).toISOString(),
  };
}

/**
 * The quota last seen for each connection in this process. The connector
 * writes it on every response and copies it to the connection's metadata
 * from its lifecycle hooks (core offers connectors no other way to update
 * metadata), and consults it before each call so that an exhausted day makes
 * no further calls until the reset.
 *
 * @example
 * ```ts
 * const book = createYelpQuotaBook();
 * book.record("conn_1", readYelpQuota(response.headers, Date.now())!);
 * book.get("conn_1")?.usedPercent; // 80
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export interface YelpQuotaBook {
  /** Remember what a response said. */
  record(connectionId: string, quota: YelpQuota): void;
  /** Yelp answered `ACCESS_LIMIT_REACHED`: no calls until `resetAt` (epoch ms). */
  markExhausted(connectionId: string, resetAt: number, now: number): YelpQuota;
  /** The last quota seen, if any. */
  get(connectionId: string): YelpQuota | undefined;
  /** Milliseconds until the reset when the day's quota is used up, else `undefined`. */
  blockedFor(connectionId: string, now: number): number | undefined;
}

/**
 * Create a {@link YelpQuotaBook}.
 *
 * @example
 * ```ts
 * const book = createYelpQuotaBook();
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function createYelpQuotaBook(): YelpQuotaBook {
  const quotas = new Map<string, YelpQuota>();
  return {
    record(connectionId, quota) {
      quotas.set(connectionId, quota);
    },
    markExhausted(connectionId, resetAt, now) {
      const last = quotas.get(connectionId);
      const quota = quotaOf(
        last?.dailyLimit ?? null,
        0,
        new Date(resetAt).toISOString(),
        true,
        now,
      );
      quotas.set(connectionId, quota);
      return quota;
    },
    get(connectionId) {
      return quotas.get(connectionId);
    },
    blockedFor(connectionId, now) {
      const quota = quotas.get(connectionId);
      if (quota === undefined || !quota.exhausted) return undefined;
      const resetAt = quota.resetTime === null ? nextUtcMidnight(now) : Date.parse(quota.resetTime);
      return resetAt > now ? resetAt - now : undefined;
    },
  };
}

/**
 * The quota stored on a connection's metadata, or `null` before the first
 * call was seen. For a host's integrations card ("Yelp quota 80% used").
 *
 * @example
 * ```ts
 * const quota = yelpQuotaOf(await patchbay.connections.get(tenantId, id));
 * if (quota?.exhausted) show(`Yelp's daily limit is reached until ${quota.resetTime}`);
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function yelpQuotaOf(connection: { metadata: Record<string, Json> }): YelpQuota | null {
  const parsed = YelpQuotaSchema.safeParse(connection.metadata?.[YELP_QUOTA_METADATA_KEY]);
  return parsed.success ? parsed.data : null;
}
