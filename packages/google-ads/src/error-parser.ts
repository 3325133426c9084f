/**
 * Google Ads errors: Google's One Platform envelope with a `GoogleAdsFailure`
 * in `error.details[]`. The failure names the real cause (`quotaError`,
 * `authorizationError`, `queryError`, ...) and, for quota errors, how long to
 * wait (`quotaErrorDetails.retryDelay`, a protobuf Duration such as `"30s"`).
 *
 * @see https://developers.google.com/google-ads/api/docs/best-practices/error-types
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { parseGoogleError } from "@patchbay/google-common";
import { type GoogleAdsError, type GoogleAdsFailure, GoogleAdsFailureSchema } from "./schemas.js";

/** Authorization errors that mean "this project, token or user may not do that" — never fixed by retrying. */
const ACCESS_HINTS: Record<string, string> = {
  USER_PERMISSION_DENIED:
    "the user cannot reach this customer; for a client of a manager account, set loginCustomerId",
  CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION:
    "the Google Cloud project has the Test level only; apply for the Explorer level (or higher) on the Google Ads API Overview page",
  DEVELOPER_TOKEN_NOT_APPROVED:
    "the access level covers test accounts only; apply for the Explorer level (or higher)",
  CUSTOMER_NOT_ENABLED: "the Google Ads account is not enabled (cancelled or not yet set up)",
};

/**
 * The `GoogleAdsFailure` inside an error or partial-failure `details[]`, if any.
 *
 * @example
 * ```ts
 * findGoogleAdsFailure(body.error.details)?.errors[0]?.errorCode; // { quotaError: "RESOURCE_EXHAUSTED" }
 * ```
 * @see https://developers.google.com/google-ads/api/reference/rpc/v26/GoogleAdsFailure
 */
export function findGoogleAdsFailure(details: unknown): GoogleAdsFailure | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const type = (detail as { "@type"?: unknown } | null)?.["@type"];
    if (typeof type === "string" && type.endsWith(".errors.GoogleAdsFailure")) {
      const parsed = GoogleAdsFailureSchema.safeParse(detail);
      if (parsed.success) return parsed.data;
    }
  }
  return undefined;
}

/**
 * `"quotaError.RESOURCE_EXHAUSTED"` from `{ errorCode: { quotaError: "RESOURCE_EXHAUSTED" } }`.
 *
 * @example
 * ```ts
 * googleAdsErrorCode({ errorCode: { queryError: "UNRECOGNIZED_FIELD" } }); // "queryError.UNRECOGNIZED_FIELD"
 * ```
 * @see https://developers.google.com/google-ads/api/reference/rpc/v26/ErrorCode
 */
export function googleAdsErrorCode(error: Pick<GoogleAdsError, "errorCode">): string {
  const [entry] = Object.entries(error.errorCode);
  return entry === undefined ? "unknown" : `${entry[0]}.${entry[1]}`;
}

/**
 * A protobuf Duration in its JSON form (`"30s"`, `"1.5s"`) as milliseconds.
 *
 * @example
 * ```ts
 * durationMs("30s"); // 30000
 * durationMs("0.250s"); // 250
 * ```
 * @see https://protobuf.dev/reference/protobuf/google.protobuf/#duration
 */
export function durationMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match === null ? undefined : Math.round(Number(match[1]) * 1000);
}

/**
 * Parse a Google Ads error body into Patchbay's classification:
 * - `quotaError.*` → rate limit, waiting `retryDelay` (429 `RESOURCE_EXHAUSTED`);
 * - `authenticationError.*` → auth;
 * - `authorizationError.*` → a non-retryable provider error with a hint;
 * - `internalError.*` → retryable;
 * - everything else keeps Google's message, with the failure's first message.
 *
 * @example
 * ```ts
 * http: { parseError: parseGoogleAdsError }
 * ```
 * @see https://developers.google.com/google-ads/api/docs/best-practices/quotas
 */
export const parseGoogleAdsError: ProviderErrorParser = (response, body) => {
  const base = parseGoogleError(response, body);
  const error = (body as { error?: { details?: unknown; message?: string } } | undefined)?.error;
  const failure = findGoogleAdsFailure(error?.details);
  const first = failure?.errors[0];
  if (first === undefined) return base;
  const category = Object.keys(first.errorCode)[0] ?? "";
  const value = first.errorCode[category] ?? "";
  const code = googleAdsErrorCode(first);
  const message = [
    first.message ?? error?.message,
    failure?.requestId && `request ${failure.requestId}`,
  ]
    .filter(Boolean)
    .join(" — ");
  const info: ProviderErrorInfo = { ...base, code, message };
  if (category === "quotaError") {
    const delay = failure?.errors
      .map((e) => durationMs(e.details?.quotaErrorDetails?.retryDelay))
      .find((ms) => ms !== undefined);
    return {
      ...info,
      kind: "rate_limit",
      retryable: value !== "ACCESS_PROHIBITED",
      ...(delay !== undefined && { retryAfterMs: delay }),
    };
  }
  if (category === "authenticationError") return { ...info, kind: "auth", retryable: false };
  if (category === "authorizationError") {
    const hint = ACCESS_HINTS[value];
    return {
      ...info,
      kind: "provider",
      retryable: false,
      message: hint === undefined ? message : `${message} (${hint})`,
    };
  }
  if (category === "internalError") return { ...info, kind: "provider", retryable: true };
  return { ...info, kind: response.status === 404 ? "not_found" : "provider" };
};
