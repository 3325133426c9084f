/**
 * Credentials: HTTP Basic with the Account SID and Auth Token, or with an API
 * key (SID and secret) while the Account SID stays in every path.
 */
import { type CredentialsAuthSpec, customCredentials, type Json } from "@patchbay/core";
import { type TwilioCredentials, TwilioCredentialsSchema } from "./schemas.js";

/**
 * How a connection authenticates, kept in its metadata as `authMode`.
 *
 * @example
 * ```ts
 * connection.metadata.authMode; // "auth_token" or "api_key"
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export type TwilioAuthMode = "auth_token" | "api_key";

/**
 * Whether the form holds an API key (else the Auth Token).
 *
 * @example
 * ```ts
 * authModeOf({ accountSid, keySid, keySecret }); // "api_key"
 * ```
 * @see https://www.twilio.com/docs/iam/api-keys
 */
export function authModeOf(fields: TwilioCredentials): TwilioAuthMode {
  return (fields.keySid ?? "") !== "" ? "api_key" : "auth_token";
}

/**
 * The `Authorization` header value for a credential form.
 *
 * @example
 * ```ts
 * basicAuthorization({ accountSid: "AC…", authToken: "…" }); // "Basic QUM…"
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio#credentials
 */
export function basicAuthorization(fields: TwilioCredentials): string {
  const [user, password] =
    authModeOf(fields) === "api_key"
      ? [fields.keySid ?? "", fields.keySecret ?? ""]
      : [fields.accountSid, fields.authToken ?? ""];
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/**
 * The connector's auth: the {@link TwilioCredentialsSchema} form, sent as
 * HTTP Basic; on connect, the Account SID and the auth mode go to the
 * connection's metadata (the SID is in every API path and routes webhooks).
 *
 * @example
 * ```ts
 * defineConnector({ ..., auth: twilioCredentials() });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export function twilioCredentials(): CredentialsAuthSpec<typeof TwilioCredentialsSchema> {
  return customCredentials({
    fields: TwilioCredentialsSchema,
    apply: (fields, request) => {
      request.headers.set("authorization", basicAuthorization(fields));
    },
    metadata: async ({ fields }) => {
      const form = TwilioCredentialsSchema.parse(fields);
      const metadata: Record<string, Json> = {
        accountSid: form.accountSid,
        authMode: authModeOf(form),
      };
      if (form.keySid) metadata.keySid = form.keySid;
      return metadata;
    },
  });
}
