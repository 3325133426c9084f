/**
 * Klaviyo's error responses, as the fake sends them: JSON:API error objects
 * with `id`, `status`, `code`, `title`, `detail` and `source`.
 */
import { randomUUID } from "node:crypto";
import { HttpResponse } from "msw";
import { KLAVIYO_MEDIA_TYPE } from "../endpoints.js";
import type { KlaviyoApiError } from "../errors.js";

/**
 * One Klaviyo error response.
 *
 * @example
 * ```ts
 * return klaviyoError(400, "invalid", "Invalid input.", "'email' is not a valid email address.", { pointer: "/data/attributes/email" });
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoError(
  status: number,
  code: string,
  title: string,
  detail: string,
  source?: KlaviyoApiError["source"],
  headers: Record<string, string> = {},
): Response {
  const error: KlaviyoApiError = {
    id: randomUUID(),
    status,
    code,
    title,
    detail,
    ...(source !== undefined && { source }),
    links: {},
    meta: {},
  };
  return HttpResponse.json(
    { errors: [error] },
    { status, headers: { "content-type": KLAVIYO_MEDIA_TYPE, ...headers } },
  );
}

/**
 * A 400 `invalid` error pointing at a body member or naming a query parameter.
 *
 * @example
 * ```ts
 * klaviyoInvalid("page_size must be less than or equal to 100", { parameter: "page[size]" });
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoInvalid(detail: string, source: KlaviyoApiError["source"]): Response {
  return klaviyoError(400, "invalid", "Invalid input.", detail, source);
}

/**
 * Klaviyo's 429: `throttled`, with `Retry-After` in seconds (no `RateLimit-*` headers).
 *
 * @example
 * ```ts
 * return klaviyoThrottled(1);
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export function klaviyoThrottled(retryAfterSeconds: number): Response {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return klaviyoError(
    429,
    "throttled",
    "Request was throttled.",
    `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? "" : "s"}.`,
    { pointer: "/data/" },
    { "retry-after": String(seconds) },
  );
}
