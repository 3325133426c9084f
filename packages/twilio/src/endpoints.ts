/**
 * Twilio REST API (2010-04-01) URLs, shared by the connector and its fake.
 * The path keys are the OpenAPI document's own, so `openapi-fetch` calls and
 * the fake's routes are typed by the same generated `paths`.
 *
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */

/**
 * The REST API origin. Every path below is relative to it.
 *
 * @example
 * ```ts
 * createClient<paths>({ baseUrl: TWILIO_API_BASE_URL, fetch: ctx.http.fetch });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export const TWILIO_API_BASE_URL = "https://api.twilio.com";

/**
 * The connector's documentation link (the Message resource reference).
 *
 * @example
 * ```ts
 * twilio().docsUrl === TWILIO_DOCS_URL; // true
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export const TWILIO_DOCS_URL = "https://www.twilio.com/docs/messaging/api/message-resource";

/**
 * The Account resource (fetch): the test-connection call.
 *
 * @example
 * ```ts
 * await client.GET(TWILIO_PATHS.account, { params: { path: { Sid: accountSid } } });
 * ```
 * @see https://www.twilio.com/docs/iam/api/account
 */
export const TWILIO_PATHS = {
  account: "/2010-04-01/Accounts/{Sid}.json",
  messages: "/2010-04-01/Accounts/{AccountSid}/Messages.json",
  message: "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
} as const;

/**
 * The path of an account's Message list, filled in (for comparing with
 * `next_page_uri`, and for the fake).
 *
 * @example
 * ```ts
 * messagesPath("AC0123…"); // "/2010-04-01/Accounts/AC0123…/Messages.json"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
export function messagesPath(accountSid: string): string {
  return `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

/**
 * The path of one Message resource.
 *
 * @example
 * ```ts
 * messagePath("AC0123…", "SM0123…"); // "/2010-04-01/Accounts/AC0123…/Messages/SM0123….json"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#fetch-a-message-resource
 */
export function messagePath(accountSid: string, messageSid: string): string {
  return `/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages/${encodeURIComponent(messageSid)}.json`;
}

/**
 * The page of Twilio's error dictionary for an error code (what `more_info` links to).
 *
 * @example
 * ```ts
 * twilioErrorUrl(20429); // "https://www.twilio.com/docs/errors/20429"
 * ```
 * @see https://www.twilio.com/docs/api/errors
 */
export function twilioErrorUrl(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}
