/**
 * The typed REST client: `openapi-fetch` over the generated `paths`, sending
 * every request through core's HTTP pipeline (`ctx.http.fetch`: credentials,
 * rate limits, retries, typed errors).
 */
import { ConfigError, type HttpClient, type Json, ProviderError } from "@patchbay/core";
import createClient, { type Client } from "openapi-fetch";
import { TWILIO_API_BASE_URL } from "./endpoints.js";
import type { paths } from "./generated/twilio-api-v2010.js";
import { TWILIO_SID } from "./schemas.js";

/**
 * A client typed by Twilio's OpenAPI document (2010-04-01 API, pruned to
 * the operations the connector uses).
 *
 * @example
 * ```ts
 * const api: TwilioApiClient = twilioApi(ctx.http);
 * ```
 * @see https://openapi-ts.dev/openapi-fetch/
 */
export type TwilioApiClient = Client<paths>;

/**
 * The typed client for a connection: core's pipeline as its `fetch`.
 *
 * @example
 * ```ts
 * const { data } = await twilioApi(ctx.http).GET("/2010-04-01/Accounts/{Sid}.json", { params: { path: { Sid: accountSid } } });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export function twilioApi(http: HttpClient): TwilioApiClient {
  return createClient<paths>({ baseUrl: TWILIO_API_BASE_URL, fetch: http.fetch });
}

/**
 * Options that send a request body form-encoded, as every Twilio write expects.
 *
 * @example
 * ```ts
 * await api.POST(TWILIO_PATHS.messages, { params, body: { To, Body, From }, ...FORM_ENCODED });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio#how-to-send-data-to-twilio
 */
export const FORM_ENCODED = {
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  bodySerializer: (body: unknown): string => {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) form.append(name, String(item));
      else form.append(name, String(value));
    }
    return form.toString();
  },
};

/**
 * The data of a successful call. Core's pipeline throws typed errors for
 * error statuses, so a missing body here means Twilio answered 2xx with
 * nothing, which is a provider error.
 *
 * @example
 * ```ts
 * const account = expectData(await api.GET(TWILIO_PATHS.account, { params }), "GET Account");
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response
 */
export function expectData<T>(result: { data?: T; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new ProviderError(`${what}: Twilio answered ${result.response.status} with no body`, {
      status: result.response.status,
    });
  }
  return result.data;
}

/**
 * The connection's Account SID, kept in its metadata when it connects.
 *
 * @example
 * ```ts
 * const accountSid = accountSidOf(ctx.metadata); // "AC…"
 * ```
 * @see https://www.twilio.com/docs/iam/api/account
 */
export function accountSidOf(metadata: Record<string, Json>): string {
  const sid = metadata.accountSid;
  if (typeof sid !== "string" || !TWILIO_SID.account.test(sid)) {
    throw new ConfigError(
      "The Twilio connection has no Account SID in its metadata: reconnect it with the credential form.",
    );
  }
  return sid;
}
