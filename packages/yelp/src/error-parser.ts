/**
 * Yelp's error bodies (`{ error: { code, description } }`) read into core's
 * error family.
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { YELP_QUOTA_HEADERS } from "./endpoints.js";
import { nextUtcMidnight } from "./quota.js";
import { YelpErrorBodySchema } from "./schemas.js";

/**
 * Yelp error codes the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === YELP_ERROR.ACCESS_LIMIT_REACHED) showQuotaBanner();
 * ```
 * @see https://docs.developer.yelp.com/docs/api-errors
 */
export const YELP_ERROR = {
  /** 429: too many queries per second; retried with backoff. */
  TOO_MANY_REQUESTS_PER_SECOND: "TOO_MANY_REQUESTS_PER_SECOND",
  /** 429: the daily quota is used up; nothing works until midnight UTC. */
  ACCESS_LIMIT_REACHED: "ACCESS_LIMIT_REACHED",
  TOKEN_INVALID: "TOKEN_INVALID",
  TOKEN_MISSING: "TOKEN_MISSING",
  UNAUTHORIZED_ACCESS_TOKEN: "UNAUTHORIZED_ACCESS_TOKEN",
  BUSINESS_NOT_FOUND: "BUSINESS_NOT_FOUND",
  VALIDATION_ERROR: "VALIDATION_ERROR",
} as const;

const AUTH_CODES = new Set<string>([
  YELP_ERROR.TOKEN_INVALID,
  YELP_ERROR.TOKEN_MISSING,
  YELP_ERROR.UNAUTHORIZED_ACCESS_TOKEN,
]);

/**
 * Build Yelp's error parser. `ACCESS_LIMIT_REACHED` becomes a
 * `RateLimitError` whose `retryAfterMs` runs to `RateLimit-ResetTime` (or
 * the next midnight UTC), so core does not retry it inside the call and a
 * scheduler knows when to come back; `TOO_MANY_REQUESTS_PER_SECOND` is
 * retried with backoff; token errors are auth errors; `BUSINESS_NOT_FOUND`
 * is a `NotFoundError`.
 *
 * @param now The clock, epoch ms (injectable for tests).
 * @example
 * ```ts
 * http: { baseUrl: YELP_API_BASE, parseError: yelpErrorParser(Date.now) }
 * ```
 * @see https://docs.developer.yelp.com/docs/api-errors
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function yelpErrorParser(now: () => number = Date.now): ProviderErrorParser {
  return (response, body) => {
    const parsed = YelpErrorBodySchema.safeParse(body);
    if (!parsed.success) {
      return response.status === 429 ? { kind: "rate_limit", retryable: true } : undefined;
    }
    const { code, description, field } = parsed.data.error;
    const info: ProviderErrorInfo = {
      code,
      message: `${code}${description ? `: ${description}` : ""}${field ? ` (field: ${field})` : ""}`,
    };
    if (code === YELP_ERROR.ACCESS_LIMIT_REACHED) {
      const at = now();
      const header = Date.parse(response.headers.get(YELP_QUOTA_HEADERS.resetTime) ?? "");
      const resetAt = Number.isNaN(header) || header <= at ? nextUtcMidnight(at) : header;
      return { ...info, kind: "rate_limit", retryable: true, retryAfterMs: resetAt - at };
    }
    if (code === YELP_ERROR.TOO_MANY_REQUESTS_PER_SECOND || response.status === 429) {
      return { ...info, kind: "rate_limit", retryable: true };
    }
    if (AUTH_CODES.has(code)) return { ...info, kind: "auth" };
    if (code === YELP_ERROR.BUSINESS_NOT_FOUND) return { ...info, kind: "not_found" };
    return info;
  };
}
