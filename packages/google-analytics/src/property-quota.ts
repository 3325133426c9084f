/**
 * The Data API's per-property token quota, as `runReport` reports it with
 * `returnPropertyQuota: true`. The `report` model reads it after every page
 * and stops before the property runs out, instead of burning the rest of
 * the hour (or day) on 429s; a stop is a `RateLimitError` whose
 * `retryAfterMs` says when the quota refills.
 *
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas
 */
import { RateLimitError } from "@patchbay/core";
import type { PropertyQuota } from "./schemas.js";

/**
 * The start of the next hour (UTC), epoch ms: when hourly tokens refill.
 *
 * @example
 * ```ts
 * nextHour(Date.parse("2026-03-27T15:20:00Z")); // Date.parse("2026-03-27T16:00:00Z")
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas
 */
export function nextHour(now: number): number {
  return Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
}

/**
 * The next midnight in Pacific time, epoch ms: when daily tokens refill
 * (Google resets daily quotas at midnight Pacific).
 *
 * @example
 * ```ts
 * nextPacificMidnight(Date.parse("2026-03-27T15:00:00Z")); // Date.parse("2026-03-28T07:00:00Z") (PDT)
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas
 */
export function nextPacificMidnight(now: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/Los_Angeles",
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const sinceMidnight =
    ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 + (now % 1000);
  return now - sinceMidnight + 86_400_000;
}

/**
 * A per-process record of each property's last-seen quota, shared by every
 * connection to that property (the quota is the property's, not the connection's).
 *
 * @example
 * ```ts
 * const book = new PropertyQuotaBook(100, Date.now);
 * book.note("345678901", response.propertyQuota);
 * book.check("345678901"); // throws RateLimitError when the property is nearly out
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/PropertyQuota
 */
export class PropertyQuotaBook {
  readonly #seen = new Map<string, { quota: PropertyQuota; at: number }>();
  readonly #blocked = new Map<string, number>();

  constructor(
    /** Stop when fewer tokens than this remain in the hour or the day. */
    readonly minRemainingTokens: number,
    readonly now: () => number,
  ) {}

  /** Remember the quota a response reported. */
  note(propertyId: string, quota: PropertyQuota | undefined): void {
    if (quota !== undefined) this.#seen.set(propertyId, { quota, at: this.now() });
  }

  /** The last quota seen for the property, if any. */
  last(propertyId: string): PropertyQuota | undefined {
    return this.#seen.get(propertyId)?.quota;
  }

  /** Block the property until `until` (after Google answered "tokens exhausted"). */
  block(propertyId: string, until: number): void {
    this.#blocked.set(propertyId, Math.max(until, this.#blocked.get(propertyId) ?? 0));
  }

  /**
   * Throw a `RateLimitError` (with `retryAfterMs` until the refill) when
   * the property is blocked or the last-seen quota, still current, has
   * fewer than `minRemainingTokens` left for the hour or the day.
   */
  check(propertyId: string): void {
    const now = this.now();
    const seen = this.#seen.get(propertyId);
    if (seen !== undefined) {
      const hour = seen.quota.tokensPerHour?.remaining;
      const day = seen.quota.tokensPerDay?.remaining;
      if (day !== undefined && day < this.minRemainingTokens && now < nextPacificMidnight(seen.at))
        this.block(propertyId, nextPacificMidnight(seen.at));
      else if (hour !== undefined && hour < this.minRemainingTokens && now < nextHour(seen.at))
        this.block(propertyId, nextHour(seen.at));
    }
    const until = this.#blocked.get(propertyId);
    if (until === undefined) return;
    if (until <= now) {
      this.#blocked.delete(propertyId);
      return;
    }
    const quota = seen?.quota;
    throw new RateLimitError(
      `Google Analytics property ${propertyId} is nearly out of Data API tokens (${quota?.tokensPerHour?.remaining ?? "?"} left this hour, ${quota?.tokensPerDay?.remaining ?? "?"} today); stopped until ${new Date(until).toISOString()} so the property's other reports keep working`,
      { retryAfterMs: until - now, providerCode: "PROPERTY_TOKENS_LOW", status: 429 },
    );
  }
}
