/**
 * Meta's rate-limit usage headers, and a throttle that slows a connection
 * down before it reaches 100% (when Meta starts refusing calls):
 *
 * - `X-App-Usage: {"call_count":28,"total_cputime":25,"total_time":25}`
 * - `X-Ad-Account-Usage: {"acc_id_util_pct":9.67,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}`
 * - `X-Business-Use-Case-Usage: {"<business id>":[{"type":"ads_insights","call_count":98,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":2}]}`
 *
 * Percentages are of the current window's allowance;
 * `estimated_time_to_regain_access` is in minutes.
 *
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 */
import { RateLimitError } from "@patchbay/core";

/**
 * The highest usage percentage and the longest wait any usage header reports.
 *
 * @example
 * ```ts
 * const usage: MetaUsage = readMetaUsage(response.headers); // { maxPercent: 12, regainAccessMs: 0 }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface MetaUsage {
  /** 0–100 (may exceed 100 while throttled). */
  maxPercent: number;
  /** Milliseconds Meta says it takes to regain access (0 when not throttled). */
  regainAccessMs: number;
}

function parseJson(value: string | null): unknown {
  if (value === null || value.trim() === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function numbers(record: unknown, keys: readonly string[]): number[] {
  if (record === null || typeof record !== "object") return [];
  return keys
    .map((k) => Number((record as Record<string, unknown>)[k]))
    .filter((n) => Number.isFinite(n));
}

const PERCENT_KEYS = [
  "call_count",
  "total_cputime",
  "total_time",
  "acc_id_util_pct",
  "app_id_util_pct",
];

/**
 * Read every usage header of a Graph response.
 *
 * @example
 * ```ts
 * readMetaUsage(new Headers({ "x-app-usage": '{"call_count":80,"total_cputime":10,"total_time":12}' })); // { maxPercent: 80, regainAccessMs: 0 }
 * ```
 * @see https://developers.facebook.com/docs/graph-api/overview/rate-limiting
 */
export function readMetaUsage(headers: Headers): MetaUsage {
  const percents: number[] = [];
  let regainMinutes = 0;
  const app = parseJson(headers.get("x-app-usage"));
  percents.push(...numbers(app, PERCENT_KEYS));
  const account = parseJson(headers.get("x-ad-account-usage"));
  percents.push(...numbers(account, PERCENT_KEYS));
  const insights = parseJson(headers.get("x-fb-ads-insights-throttle"));
  percents.push(...numbers(insights, PERCENT_KEYS));
  const buc = parseJson(headers.get("x-business-use-case-usage"));
  if (buc !== null && typeof buc === "object") {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        percents.push(...numbers(entry, PERCENT_KEYS));
        const [regain] = numbers(entry, ["estimated_time_to_regain_access"]);
        if (regain !== undefined) regainMinutes = Math.max(regainMinutes, regain);
      }
    }
  }
  return { maxPercent: Math.max(0, ...percents), regainAccessMs: regainMinutes * 60_000 };
}

/**
 * Options of {@link createUsageThrottle}.
 *
 * @example
 * ```ts
 * createUsageThrottle({ slowDownAt: 75, maxPauseMs: 60_000 });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting#best-practices
 */
export interface UsageThrottleOptions {
  /** Usage percentage from which calls are spaced out. Default 75. */
  slowDownAt?: number;
  /** The pause at 100% usage, and the longest pause taken inside a sync. Default 60 s. */
  maxPauseMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Spaces calls out per connection as Meta's usage climbs: no pause below
 * `slowDownAt`, then a pause growing linearly to `maxPauseMs` at 100%. When
 * Meta reports a time to regain access longer than `maxPauseMs`, the next
 * call throws a `RateLimitError` with `retryAfterMs` instead of waiting, so
 * the scheduler comes back later.
 *
 * @example
 * ```ts
 * const throttle = createUsageThrottle();
 * await throttle.beforeCall(connectionId);
 * const response = await http.get(path);
 * throttle.afterCall(connectionId, response.headers);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 */
export function createUsageThrottle(options: UsageThrottleOptions = {}) {
  const slowDownAt = options.slowDownAt ?? 75;
  const maxPauseMs = options.maxPauseMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pending = new Map<string, number>();
  return {
    /** The pause a usage reading asks for, in ms. */
    pauseFor(usage: MetaUsage): number {
      if (usage.regainAccessMs > 0) return usage.regainAccessMs;
      if (usage.maxPercent < slowDownAt) return 0;
      const share = Math.min(1, (usage.maxPercent - slowDownAt) / Math.max(1, 100 - slowDownAt));
      return Math.round(share * maxPauseMs);
    },
    /** Record a response's usage headers for the connection. */
    afterCall(key: string, headers: Headers): void {
      const pause = this.pauseFor(readMetaUsage(headers));
      if (pause > 0) pending.set(key, pause);
      else pending.delete(key);
    },
    /** Wait as the last usage reading asked, or throw when the wait is too long for one sync. */
    async beforeCall(key: string): Promise<void> {
      const pause = pending.get(key);
      if (pause === undefined) return;
      pending.delete(key);
      if (pause > maxPauseMs) {
        throw new RateLimitError(
          `meta-ads: Meta reports this connection's rate limit reached; access returns in about ${Math.ceil(pause / 60_000)} min`,
          { retryAfterMs: pause, providerCode: "usage_headers" },
        );
      }
      await sleep(pause);
    },
  };
}

/**
 * The throttle {@link createUsageThrottle} returns.
 *
 * @example
 * ```ts
 * const throttle: UsageThrottle = createUsageThrottle({ slowDownAt: 75 });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type UsageThrottle = ReturnType<typeof createUsageThrottle>;
