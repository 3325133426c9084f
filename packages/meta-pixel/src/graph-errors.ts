/**
 * Graph API error bodies (`{ error: { message, type, code, error_subcode,
 * fbtrace_id, ... } }`) read into core's error family. Meta signals
 * throttling with error codes, usually on an HTTP 400, not with a 429.
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { GraphErrorBodySchema } from "./schemas.js";

/**
 * Graph API error codes the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === String(META_GRAPH_ERROR.INVALID_TOKEN)) askToReconnect();
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export const META_GRAPH_ERROR = Object.freeze({
  /** Application request limit reached. */
  APP_RATE_LIMIT: 4,
  /** User request limit reached. */
  USER_RATE_LIMIT: 17,
  /** Page request limit reached. */
  PAGE_RATE_LIMIT: 32,
  /** Calls within one hour exceeded / too many calls from the ad account. */
  CUSTOM_RATE_LIMIT: 613,
  /** Invalid parameter (with `error_subcode` 33: the object does not exist or is not visible). */
  INVALID_PARAMETER: 100,
  /** An access token is required. */
  TOKEN_MISSING: 104,
  /** The session has expired or the token is invalid. */
  INVALID_TOKEN: 190,
  /** Permission error. */
  PERMISSION: 200,
});

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);

/**
 * `http.parseError` for the Graph API: codes 4, 17, 32, 613 and the
 * business-use-case range 80000–80014 become rate limits (retried with
 * backoff); 190 and 104 become auth errors; 100 with subcode 33 (the pixel
 * does not exist or the token cannot see it) becomes not-found. The
 * provider code is `code` or `code/subcode`; the message prefers Meta's
 * user-facing `error_user_msg`.
 *
 * @example
 * ```ts
 * http: { baseUrl, parseError: metaGraphErrorParser }
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export const metaGraphErrorParser: ProviderErrorParser = (_response, body) => {
  const parsed = GraphErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const e = parsed.data.error;
  const message =
    [e.error_user_title, e.error_user_msg ?? e.message].filter(Boolean).join(": ") || undefined;
  const info: ProviderErrorInfo = {
    ...(message !== undefined && { message }),
    ...(e.code !== undefined && {
      code: e.error_subcode === undefined ? String(e.code) : `${e.code}/${e.error_subcode}`,
    }),
  };
  const code = e.code ?? -1;
  if (RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014))
    return { ...info, kind: "rate_limit", retryable: true };
  if (code === META_GRAPH_ERROR.INVALID_TOKEN || code === META_GRAPH_ERROR.TOKEN_MISSING)
    return { ...info, kind: "auth" };
  if (code === META_GRAPH_ERROR.INVALID_PARAMETER && e.error_subcode === 33)
    return { ...info, kind: "not_found" };
  if (e.is_transient === true) return { ...info, retryable: true };
  return info;
};
