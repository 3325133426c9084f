/**
 * SerpApi's error bodies (`{ "error": "..." }`) read into core's error family.
 */
import type { ProviderErrorParser } from "@patchbay/core";
import { SerpApiErrorBodySchema } from "./schemas.js";

/**
 * Codes the connector gives SerpApi's errors (SerpApi sends only a message).
 *
 * @example
 * ```ts
 * if (error.providerCode === SERPAPI_ERROR.INSUFFICIENT_SEARCHES) showUpgradeBanner();
 * ```
 * @see https://serpapi.com/api-status-and-error-codes
 */
export const SERPAPI_ERROR = {
  /** 429: the hourly throughput limit; retried with backoff. */
  THROUGHPUT_EXCEEDED: "THROUGHPUT_EXCEEDED",
  /** 429: the account has no searches left this month; not retried. */
  OUT_OF_SEARCHES: "OUT_OF_SEARCHES",
  /** Raised before a run: fewer searches left than the run needs; no search was made. */
  INSUFFICIENT_SEARCHES: "INSUFFICIENT_SEARCHES",
  INVALID_API_KEY: "INVALID_API_KEY",
} as const;

/** SerpApi's 429 means either limit; only the message tells them apart. */
const OUT_OF_SEARCHES =
  /run out of searches|searches? (are|is) (used up|exhausted)|no searches left/i;

/**
 * Read SerpApi's error body. A 429 whose message says the account ran out
 * of searches is a `RateLimitError` that is not retried (code
 * `OUT_OF_SEARCHES`); any other 429 is the hourly throughput limit,
 * retried with backoff. 401 is an invalid key.
 *
 * @example
 * ```ts
 * http: { baseUrl: SERPAPI_ORIGIN, parseError: parseSerpApiError }
 * ```
 * @see https://serpapi.com/api-status-and-error-codes
 */
export const parseSerpApiError: ProviderErrorParser = (response, body) => {
  const parsed = SerpApiErrorBodySchema.safeParse(body);
  const message = parsed.success ? parsed.data.error : undefined;
  if (response.status === 429) {
    if (message !== undefined && OUT_OF_SEARCHES.test(message)) {
      return { message, code: SERPAPI_ERROR.OUT_OF_SEARCHES, kind: "rate_limit", retryable: false };
    }
    return {
      ...(message !== undefined && { message }),
      code: SERPAPI_ERROR.THROUGHPUT_EXCEEDED,
      kind: "rate_limit",
      retryable: true,
    };
  }
  if (message === undefined) return undefined;
  if (response.status === 401)
    return { message, code: SERPAPI_ERROR.INVALID_API_KEY, kind: "auth" };
  return { message };
};
