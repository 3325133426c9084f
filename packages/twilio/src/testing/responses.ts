/**
 * Twilio's error responses, as the fake sends them.
 */
import { HttpResponse } from "msw";
import { twilioErrorUrl } from "../endpoints.js";
import type { TwilioErrorBody } from "../schemas.js";

/**
 * An error response in Twilio's shape: `{ code, message, more_info, status }`.
 *
 * @example
 * ```ts
 * server.use(http.get(`${TWILIO_API_BASE_URL}/*`, () => twilioErrorResponse(503, 20500, "Internal Server Error")));
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions
 */
export function twilioErrorResponse(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: TwilioErrorBody = { code, message, more_info: twilioErrorUrl(code), status };
  return HttpResponse.json(body, { status, headers });
}

/**
 * Twilio's answer when the account has too many requests in flight: HTTP
 * 429, error 20429 (no `Retry-After`; the request was not processed).
 *
 * @example
 * ```ts
 * server.use(http.post(`${TWILIO_API_BASE_URL}/*`, () => twilioRateLimited(), { once: true }));
 * ```
 * @see https://www.twilio.com/docs/api/errors/20429
 */
export function twilioRateLimited(): Response {
  return twilioErrorResponse(429, 20429, "Too Many Requests");
}
