/**
 * Klaviyo's JSON:API error bodies, read into core's error family:
 * `{ errors: [{ id, status, code, title, detail, source: { pointer | parameter } }] }`.
 * The message names the field at fault (`source.pointer`, e.g.
 * `/data/attributes/email`, or `source.parameter`, e.g. `filter`), so a user
 * sees which value to fix.
 */
import { isPatchbayError, type ProviderErrorInfo, type ProviderErrorParser } from "@patchbay/core";

/**
 * One entry of a JSON:API `errors` array, as Klaviyo sends it.
 *
 * @example
 * ```ts
 * const e: KlaviyoApiError = { id: "…", status: 400, code: "invalid", title: "Invalid input.", detail: "…", source: { pointer: "/data/attributes/email" } };
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export interface KlaviyoApiError {
  id: string;
  status?: number | string;
  code: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
  links?: Record<string, string>;
  meta?: Record<string, unknown>;
}

/**
 * Error codes the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === KLAVIYO_ERROR.DUPLICATE_PROFILE) useExisting();
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export const KLAVIYO_ERROR = {
  THROTTLED: "throttled",
  INVALID: "invalid",
  NOT_AUTHENTICATED: "not_authenticated",
  AUTHENTICATION_FAILED: "authentication_failed",
  PERMISSION_DENIED: "permission_denied",
  NOT_FOUND: "not_found",
  DUPLICATE_PROFILE: "duplicate_profile",
} as const;

/**
 * The first error of a Klaviyo error body, or `undefined` when the body is not one.
 *
 * @example
 * ```ts
 * klaviyoFirstError({ errors: [{ id: "1", code: "invalid", title: "Invalid input.", detail: "…" }] })?.code; // "invalid"
 * ```
 * @see https://jsonapi.org/format/#error-objects
 */
export function klaviyoFirstError(body: unknown): KlaviyoApiError | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const first = errors[0] as Partial<KlaviyoApiError> | null;
  if (first === null || typeof first !== "object" || typeof first.code !== "string")
    return undefined;
  return first as KlaviyoApiError;
}

/**
 * Where a Klaviyo error points: `source.pointer` (a JSON pointer into the
 * request body) or `source.parameter` (a query parameter), read from a
 * Patchbay error's `cause` or from a raw body.
 *
 * @example
 * ```ts
 * try { await patchbay.write(...) } catch (e) { klaviyoErrorSource(e); // { pointer: "/data/attributes/phone_number" } }
 * ```
 * @see https://jsonapi.org/format/#error-objects
 */
export function klaviyoErrorSource(
  errorOrBody: unknown,
): { pointer?: string; parameter?: string } | undefined {
  const body = isPatchbayError(errorOrBody) ? errorOrBody.cause : errorOrBody;
  return klaviyoFirstError(body)?.source;
}

const EXPECTED_IN = /Expected available in (\d+(?:\.\d+)?) seconds?/i;

/**
 * The connector's `http.parseError`: Klaviyo's code becomes `providerCode`;
 * the message is `title detail (at <pointer>)`; 429 `throttled` is a
 * rate-limit error (waiting `Retry-After`, or the "Expected available in N
 * seconds" of the detail when the header is missing).
 *
 * @example
 * ```ts
 * http: { baseUrl: KLAVIYO_API_ORIGIN, parseError: parseKlaviyoError }
 * ```
 * @see https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
 */
export const parseKlaviyoError: ProviderErrorParser = (response, body) => {
  const first = klaviyoFirstError(body);
  if (first === undefined) return undefined;
  const where =
    first.source?.pointer !== undefined
      ? ` (at ${first.source.pointer})`
      : first.source?.parameter !== undefined
        ? ` (parameter ${first.source.parameter})`
        : "";
  const text =
    first.detail && first.detail !== first.title
      ? `${first.title} ${first.detail}`.trim()
      : first.title;
  const info: ProviderErrorInfo = { code: first.code, message: `${text}${where}` };
  if (response.status === 429 || first.code === KLAVIYO_ERROR.THROTTLED) {
    const seconds = EXPECTED_IN.exec(first.detail ?? "")?.[1];
    return {
      ...info,
      kind: "rate_limit",
      retryable: true,
      ...(seconds !== undefined && { retryAfterMs: Math.max(1, Number(seconds)) * 1000 }),
    };
  }
  return info;
};
