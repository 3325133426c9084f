/**
 * Airtable's error bodies, read into core's error family. Airtable answers
 * errors in three shapes:
 * - `{"error": {"type": "INVALID_REQUEST_UNKNOWN", "message": "..."}}` (most);
 * - `{"error": "NOT_FOUND"}` (some 404s);
 * - `{"errors": [{"error": "RATE_LIMIT_REACHED", "message": "..."}]}` (429s seen in the wild).
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";

/**
 * How long Airtable asks clients to wait after a 429: "you will receive a 429
 * status code and will need to wait 30 seconds before subsequent requests
 * will succeed".
 *
 * @example
 * ```ts
 * (error as RateLimitError).retryAfterMs === AIRTABLE_RATE_LIMIT_WAIT_MS; // 30_000
 * ```
 * @see https://airtable.com/developers/web/api/rate-limits
 */
export const AIRTABLE_RATE_LIMIT_WAIT_MS = 30_000;

/**
 * Error types the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === AIRTABLE_ERROR.ITERATOR_NOT_AVAILABLE) restartListing();
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export const AIRTABLE_ERROR = {
  RATE_LIMIT_REACHED: "RATE_LIMIT_REACHED",
  /** A list-records offset expired (client inactivity or a server restart): restart the listing. */
  ITERATOR_NOT_AVAILABLE: "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
  INVALID_OFFSET_VALUE: "INVALID_OFFSET_VALUE",
  NOT_FOUND: "NOT_FOUND",
  ROW_DOES_NOT_EXIST: "ROW_DOES_NOT_EXIST",
  AUTHENTICATION_REQUIRED: "AUTHENTICATION_REQUIRED",
  INVALID_PERMISSIONS: "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
} as const;

/**
 * The error type and message of an Airtable error body, whatever its shape;
 * `{}` when the body is not one.
 *
 * @example
 * ```ts
 * airtableErrorParts({ error: "NOT_FOUND" }); // { type: "NOT_FOUND" }
 * airtableErrorParts({ errors: [{ error: "RATE_LIMIT_REACHED", message: "slow down" }] });
 * // { type: "RATE_LIMIT_REACHED", message: "slow down" }
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export function airtableErrorParts(body: unknown): { type?: string; message?: string } {
  if (body === null || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "string" && error !== "") return { type: error };
  if (error !== null && typeof error === "object") {
    const { type, message } = error as Record<string, unknown>;
    return {
      ...(typeof type === "string" && type !== "" && { type }),
      ...(typeof message === "string" && message !== "" && { message }),
    };
  }
  const errors = record.errors;
  if (Array.isArray(errors) && errors[0] !== null && typeof errors[0] === "object") {
    const { error: type, message } = errors[0] as Record<string, unknown>;
    return {
      ...(typeof type === "string" && type !== "" && { type }),
      ...(typeof message === "string" && message !== "" && { message }),
    };
  }
  return {};
}

/**
 * Builds the connector's `http.parseError`: Airtable's error type becomes
 * the error's `providerCode`, its message the message, and a 429 (or a
 * `RATE_LIMIT_REACHED` body) a rate-limit error that waits `waitMs`
 * (Airtable's 30 seconds unless told otherwise) when no `Retry-After` says more.
 *
 * @example
 * ```ts
 * http: { baseUrl: AIRTABLE_API_BASE_URL, parseError: airtableErrorParser() }
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export function airtableErrorParser(waitMs = AIRTABLE_RATE_LIMIT_WAIT_MS): ProviderErrorParser {
  return (response, body) => {
    const { type, message } = airtableErrorParts(body);
    const info: ProviderErrorInfo = {
      ...(type !== undefined && { code: type }),
      ...(message !== undefined ? { message } : type !== undefined ? { message: type } : {}),
    };
    if (response.status === 429 || type === AIRTABLE_ERROR.RATE_LIMIT_REACHED) {
      return { ...info, kind: "rate_limit", retryable: true, retryAfterMs: waitMs };
    }
    return info;
  };
}
