/**
 * Twilio's error bodies (`{ code, message, more_info, status }`) mapped to
 * core's typed errors: the numeric code becomes `providerCode`, 20429 is a
 * rate limit, 20003 an auth failure, 20404 a missing resource.
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { TwilioErrorBodySchema } from "./schemas.js";

/**
 * Twilio error codes the connector and its fake use, by meaning.
 *
 * @example
 * ```ts
 * if (error.providerCode === String(TWILIO_ERROR.INVALID_TO)) askForAnotherNumber();
 * ```
 * @see https://www.twilio.com/docs/api/errors
 */
export const TWILIO_ERROR = {
  /** 401: the credentials are wrong, or cannot reach this resource (a Standard API key on /Accounts). */
  AUTHENTICATE: 20003,
  /** 404: the resource does not exist. */
  NOT_FOUND: 20404,
  /** 429: too many concurrent requests for the account; not processed, safe to retry. */
  TOO_MANY_REQUESTS: 20429,
  /** 400: `To` is not a valid phone number. */
  INVALID_TO: 21211,
  /** 400: `Body` (or media) is missing. */
  BODY_REQUIRED: 21602,
  /** 400: neither `From` nor `MessagingServiceSid` was given. */
  FROM_REQUIRED: 21603,
  /** 400: `To` is missing. */
  TO_REQUIRED: 21604,
  /** 400: `From` is not a number or sender of this account. */
  INVALID_FROM: 21606,
  /** 400: `StatusCallback` is not a valid URL. */
  INVALID_STATUS_CALLBACK: 21609,
  /** 400: the body is longer than 1,600 characters. */
  BODY_TOO_LONG: 21617,
} as const;

/**
 * Read Twilio's error body into core's error info: the message with its
 * code, `providerCode` = the code as a string, and the kind for 20429,
 * 20003 and 20404 whatever the HTTP status.
 *
 * @example
 * ```ts
 * defineConnector({ ..., http: { baseUrl: TWILIO_API_BASE_URL, parseError: parseTwilioError } });
 * // a 429 with code 20429 → RateLimitError { providerCode: "20429" }
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions
 */
export const parseTwilioError: ProviderErrorParser = (_response, body) => {
  const parsed = TwilioErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data;
  const info: ProviderErrorInfo = {
    message: `${message} (Twilio error ${code})`,
    code: String(code),
  };
  if (code === TWILIO_ERROR.TOO_MANY_REQUESTS) {
    info.kind = "rate_limit";
    info.retryable = true;
  } else if (code === TWILIO_ERROR.AUTHENTICATE) info.kind = "auth";
  else if (code === TWILIO_ERROR.NOT_FOUND) info.kind = "not_found";
  return info;
};
