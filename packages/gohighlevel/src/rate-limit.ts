/**
 * HighLevel's rate limits: a burst of 100 requests per 10 seconds and 200,000
 * requests per day, per Marketplace app per resource (location or company),
 * reported on every response in `X-RateLimit-*` headers.
 */
import type { RateLimitSpec } from "@patchbay/core";

/**
 * The declared limits, one bucket per connection (a connection is one
 * location): the 10-second burst and the daily quota.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId, clientSecret }).http?.rateLimits === GHL_RATE_LIMITS; // true
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export const GHL_RATE_LIMITS: readonly RateLimitSpec[] = Object.freeze([
  { requests: 100, intervalMs: 10_000, scope: "connection" },
  { requests: 200_000, intervalMs: 24 * 60 * 60_000, scope: "connection" },
]);

/**
 * The response headers that report the limits.
 *
 * @example
 * ```ts
 * response.headers.get(GHL_RATE_LIMIT_HEADERS.remaining); // "97"
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export const GHL_RATE_LIMIT_HEADERS = {
  /** The daily limit. */
  dailyLimit: "X-RateLimit-Limit-Daily",
  /** Requests left today. */
  dailyRemaining: "X-RateLimit-Daily-Remaining",
  /** The burst window, in milliseconds. */
  intervalMs: "X-RateLimit-Interval-Milliseconds",
  /** Requests allowed per burst window. */
  max: "X-RateLimit-Max",
  /** Requests left in the current burst window. */
  remaining: "X-RateLimit-Remaining",
} as const;

/**
 * The limits as one response reports them; `undefined` for a missing or
 * malformed header.
 *
 * @example
 * ```ts
 * const state: GhlRateLimitState = { remaining: 0, intervalMs: 10_000, dailyRemaining: 199_000 };
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export interface GhlRateLimitState {
  remaining?: number;
  max?: number;
  intervalMs?: number;
  dailyRemaining?: number;
  dailyLimit?: number;
}

function count(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/**
 * Read the `X-RateLimit-*` headers of a response.
 *
 * @example
 * ```ts
 * readRateLimitHeaders(new Headers({ "X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Milliseconds": "10000" }));
 * // { remaining: 0, intervalMs: 10000 }
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export function readRateLimitHeaders(headers: Headers): GhlRateLimitState {
  const state: GhlRateLimitState = {};
  const set = (key: keyof GhlRateLimitState, name: string) => {
    const value = count(headers, name);
    if (value !== undefined) state[key] = value;
  };
  set("remaining", GHL_RATE_LIMIT_HEADERS.remaining);
  set("max", GHL_RATE_LIMIT_HEADERS.max);
  set("intervalMs", GHL_RATE_LIMIT_HEADERS.intervalMs);
  set("dailyRemaining", GHL_RATE_LIMIT_HEADERS.dailyRemaining);
  set("dailyLimit", GHL_RATE_LIMIT_HEADERS.dailyLimit);
  return state;
}

/** The burst window when a response does not say: 10 seconds. */
const DEFAULT_INTERVAL_MS = 10_000;

/**
 * How long to wait after a 429: until the next UTC midnight when the daily
 * quota is spent (HighLevel does not document when the day resets; UTC is
 * assumed), else one burst window.
 *
 * @example
 * ```ts
 * rateLimitWaitMs(new Headers({ "X-RateLimit-Interval-Milliseconds": "10000", "X-RateLimit-Daily-Remaining": "5" }), Date.now()); // 10000
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export function rateLimitWaitMs(headers: Headers, now: number): number {
  const state = readRateLimitHeaders(headers);
  if (state.dailyRemaining === 0) {
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    return Math.max(1000, midnight.getTime() - now);
  }
  return state.intervalMs ?? DEFAULT_INTERVAL_MS;
}
