/**
 * Graph API errors: `{ error: { message, type, code, error_subcode,
 * fbtrace_id, is_transient, error_user_title, error_user_msg } }`. Meta
 * signals throttling with error codes, usually on HTTP 400, not with 429.
 *
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
import type { ProviderErrorParser } from "@patchbay/core";
import { GraphErrorSchema } from "./schemas.js";
import { readMetaUsage } from "./usage.js";

/**
 * Whether a Graph error code is a rate limit: 4 (app), 17 (user), 32
 * (pages), 613 (calls within one hour / ad account) and 80000–80014 (the
 * business use case limits: ads insights, ads management, custom audiences...).
 *
 * @example
 * ```ts
 * isMetaRateLimitCode(80004); // true
 * isMetaRateLimitCode(100); // false
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 */
export function isMetaRateLimitCode(code: number | undefined): boolean {
  return (
    code === 4 ||
    code === 17 ||
    code === 32 ||
    code === 613 ||
    (code !== undefined && code >= 80000 && code <= 80014)
  );
}

/** Token problems: 190 (invalid or expired OAuth token), 102 (session). */
const AUTH_CODES = new Set([102, 190]);
/** Unknown and temporary errors Meta asks to retry. */
const TRANSIENT_CODES = new Set([1, 2]);

/**
 * Parse a Graph error body: throttling codes become rate limits (waiting
 * `estimated_time_to_regain_access` from the usage headers when Meta gives
 * one), 190 becomes an auth error, `is_transient` and codes 1 and 2 are
 * retried; the provider code is `code` or `code/subcode`.
 *
 * @example
 * ```ts
 * http: { parseError: parseMetaError }
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling#errorcodes
 */
export const parseMetaError: ProviderErrorParser = (response, body) => {
  const parsed = GraphErrorSchema.safeParse((body as { error?: unknown } | undefined)?.error);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const code =
    e.code === undefined
      ? undefined
      : e.error_subcode === undefined
        ? String(e.code)
        : `${e.code}/${e.error_subcode}`;
  const message = [e.message, e.error_user_msg].filter(Boolean).join(" — ") || undefined;
  const base = { ...(message !== undefined && { message }), ...(code !== undefined && { code }) };
  if (isMetaRateLimitCode(e.code) || response.status === 429) {
    const { regainAccessMs } = readMetaUsage(response.headers);
    return {
      ...base,
      kind: "rate_limit",
      retryable: true,
      ...(regainAccessMs > 0 && { retryAfterMs: regainAccessMs }),
    };
  }
  if (e.code !== undefined && AUTH_CODES.has(e.code))
    return { ...base, kind: "auth", retryable: false };
  if (e.is_transient === true || (e.code !== undefined && TRANSIENT_CODES.has(e.code)))
    return { ...base, kind: "provider", retryable: true };
  return {
    ...base,
    kind: response.status === 404 ? "not_found" : "provider",
    retryable: response.status >= 500,
  };
};
