/**
 * Calls to the TikTok API for Business. TikTok answers most errors with
 * HTTP 200 and a non-zero `code` in the body, which core's HTTP pipeline
 * sees as success; this module reads the envelope, maps the codes to
 * Patchbay's typed errors, and retries TikTok's rate limit (40100) itself.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
import {
  AuthError,
  ErrorCode,
  type HttpClient,
  type PatchbayError,
  ProviderError,
  type ProviderErrorParser,
  type QueryValue,
  RateLimitError,
} from "@patchbay/core";
import { TikTokEnvelopeSchema } from "./schemas.js";

/**
 * TikTok's body codes the connector treats specially. 40100 is the QPS
 * rate limit; 40102, 40104 and 40105 are expired, missing and invalid or
 * revoked access tokens; 40001 is a missing permission, 40002 a bad
 * parameter; 5xxxx are TikTok-side errors.
 *
 * @example
 * ```ts
 * if (envelope.code === TIKTOK_CODES.RATE_LIMITED) await sleep(1000);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const TIKTOK_CODES = {
  OK: 0,
  NO_PERMISSION: 40001,
  INVALID_PARAMETER: 40002,
  RATE_LIMITED: 40100,
  TOKEN_EXPIRED: 40102,
  TOKEN_MISSING: 40104,
  TOKEN_INVALID: 40105,
} as const;

const AUTH_CODES = new Set<number>([
  TIKTOK_CODES.TOKEN_EXPIRED,
  TIKTOK_CODES.TOKEN_MISSING,
  TIKTOK_CODES.TOKEN_INVALID,
]);

/**
 * The Patchbay error for a TikTok envelope with `code ≠ 0`.
 *
 * @example
 * ```ts
 * throw tiktokError({ code: 40105, message: "Access token is incorrect or has been revoked." }, "GET report/integrated/get/");
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export function tiktokError(
  envelope: { code: number; message: string; request_id?: string | undefined },
  what: string,
): PatchbayError {
  const message = `${what} → TikTok code ${envelope.code}: ${envelope.message}${envelope.request_id ? ` (request ${envelope.request_id})` : ""}`;
  const options = { providerCode: String(envelope.code), cause: envelope };
  if (envelope.code === TIKTOK_CODES.RATE_LIMITED) return new RateLimitError(message, options);
  // Advertiser tokens have no refresh token: a rejected one means the
  // advertiser must authorize the app again.
  if (AUTH_CODES.has(envelope.code))
    return new AuthError(ErrorCode.AUTH_NEEDS_REAUTH, message, options);
  return new ProviderError(message, { ...options, retryable: envelope.code >= 50000 });
}

/**
 * Errors at the HTTP level (429, 5xx, an HTML error page): TikTok's envelope
 * when there is one.
 *
 * @example
 * ```ts
 * http: { parseError: parseTikTokHttpError }
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const parseTikTokHttpError: ProviderErrorParser = (response, body) => {
  const parsed = TikTokEnvelopeSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data;
  if (code === TIKTOK_CODES.RATE_LIMITED || response.status === 429)
    return { message, code: String(code), kind: "rate_limit", retryable: true };
  if (AUTH_CODES.has(code)) return { message, code: String(code), kind: "auth", retryable: false };
  return { message, code: String(code) };
};

/**
 * How 40100 answers are retried.
 *
 * @example
 * ```ts
 * const retry: TikTokRetry = { retries: 4, waitMs: 1000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export interface TikTokRetry {
  /** Retries after the first attempt. Default 4. */
  retries: number;
  /** The first wait; doubles each retry. Default 1 000 ms (TikTok's QPS windows are one second). */
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Call TikTok and return `data`: HTTP errors come from core's pipeline, body
 * errors from {@link tiktokError}; 40100 is retried with doubling waits.
 *
 * @example
 * ```ts
 * const data = await callTikTok(ctx.http, retry, { path: ADVERTISER_GET_PATH, query: { app_id, secret } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740029171730433
 */
export async function callTikTok(
  http: HttpClient,
  retry: TikTokRetry,
  request: {
    method?: "GET" | "POST";
    path: string;
    query?: Record<string, QueryValue>;
    json?: unknown;
    signal?: AbortSignal;
  },
): Promise<unknown> {
  const what = `${request.method ?? "GET"} ${request.path}`;
  for (let attempt = 0; ; attempt++) {
    const { data } = await http.request({
      method: request.method ?? "GET",
      path: request.path,
      ...(request.query !== undefined && { query: request.query }),
      ...(request.json !== undefined && { json: request.json }),
      ...(request.signal !== undefined && { signal: request.signal }),
    });
    const parsed = TikTokEnvelopeSchema.safeParse(data);
    if (!parsed.success)
      throw new ProviderError(`${what}: TikTok answered without its { code, message } envelope`, {
        cause: data,
      });
    const envelope = parsed.data;
    if (envelope.code === TIKTOK_CODES.OK) return envelope.data;
    if (envelope.code === TIKTOK_CODES.RATE_LIMITED && attempt < retry.retries) {
      await retry.sleep(retry.waitMs * 2 ** attempt);
      continue;
    }
    throw tiktokError(envelope, what);
  }
}
