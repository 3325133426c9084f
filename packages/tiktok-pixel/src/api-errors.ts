/**
 * TikTok's error envelope `{ code, message, request_id, data }`: `code` 0 is
 * success, anything else an error, usually on an HTTP 200. Core's HTTP
 * pipeline only classifies error statuses, so a 2xx body is checked here
 * (`throwForEnvelope`) and an error status with the envelope goes through
 * `tiktokErrorParser`.
 */
import {
  AuthError,
  ErrorCode,
  type PatchbayError,
  ProviderError,
  type ProviderErrorInfo,
  type ProviderErrorParser,
  RateLimitError,
} from "@patchbay/core";
import { TiktokEnvelopeSchema } from "./schemas.js";

/**
 * TikTok API codes the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === String(TIKTOK_CODE.RATE_LIMIT)) slowDown();
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const TIKTOK_CODE = Object.freeze({
  OK: 0,
  /** No permission for this pixel or advertiser. */
  NO_PERMISSION: 40001,
  /** A parameter is missing or invalid. */
  INVALID_PARAMETER: 40002,
  /** Too many requests: the app or token reached its QPS limit. */
  RATE_LIMIT: 40100,
  /** The Access-Token header is missing. */
  TOKEN_MISSING: 40104,
  /** The access token is invalid or expired. */
  TOKEN_INVALID: 40105,
});

/**
 * How long to wait after a 40100 when TikTok says nothing more: its limits are per second.
 *
 * @example
 * ```ts
 * (error as RateLimitError).retryAfterMs === TIKTOK_RATE_LIMIT_WAIT_MS; // after a 40100
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const TIKTOK_RATE_LIMIT_WAIT_MS = 1000;

function classify(code: number): Pick<ProviderErrorInfo, "kind" | "retryable"> {
  if (code === TIKTOK_CODE.RATE_LIMIT) return { kind: "rate_limit", retryable: true };
  if (code === TIKTOK_CODE.TOKEN_MISSING || code === TIKTOK_CODE.TOKEN_INVALID)
    return { kind: "auth" };
  // 5xxxx: TikTok's internal errors, worth another try.
  if (code >= 50000 && code < 60000) return { kind: "provider", retryable: true };
  return { kind: "provider", retryable: false };
}

/**
 * `http.parseError` for TikTok bodies on an error status.
 *
 * @example
 * ```ts
 * http: { baseUrl: TIKTOK_BUSINESS_API_BASE, parseError: tiktokErrorParser }
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const tiktokErrorParser: ProviderErrorParser = (_response, body) => {
  const parsed = TiktokEnvelopeSchema.safeParse(body);
  if (!parsed.success || parsed.data.code === 0) return undefined;
  const { code, message } = parsed.data;
  const kind = classify(code);
  return {
    code: String(code),
    ...(message !== "" && { message }),
    ...kind,
    ...(kind.kind === "rate_limit" && { retryAfterMs: TIKTOK_RATE_LIMIT_WAIT_MS }),
  };
};

/**
 * The typed error for a TikTok envelope with `code` ≠ 0, or `undefined`
 * for success: 40100 → `RateLimitError` (retryable, `retryAfterMs` 1 s),
 * 40104/40105 → `AuthError`, others → `ProviderError` (5xxxx retryable).
 * The message names the call, TikTok's code, message and request id.
 *
 * @example
 * ```ts
 * const error = envelopeError("POST event/track/", { code: 40100, message: "Too many requests", request_id: "r1" });
 * error instanceof RateLimitError; // true
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export function envelopeError(call: string, body: unknown): PatchbayError | undefined {
  const parsed = TiktokEnvelopeSchema.safeParse(body);
  if (!parsed.success)
    return new ProviderError(`${call}: TikTok answered with an unexpected body`, { cause: body });
  const { code, message, request_id } = parsed.data;
  if (code === TIKTOK_CODE.OK) return undefined;
  const text = `${call} → TikTok code ${code}: ${message || "error"}${request_id ? ` (request_id ${request_id})` : ""}`;
  const shared = { status: 200, providerCode: String(code), cause: body };
  const kind = classify(code);
  if (kind.kind === "rate_limit")
    return new RateLimitError(text, { ...shared, retryAfterMs: TIKTOK_RATE_LIMIT_WAIT_MS });
  if (kind.kind === "auth") return new AuthError(ErrorCode.AUTH_UNAUTHORIZED, text, shared);
  return new ProviderError(text, { ...shared, retryable: kind.retryable ?? false });
}
