/**
 * The two ways to connect Mailchimp: OAuth 2.0 (for apps acting on other
 * people's accounts) and an API key (a user's own account). Both learn the
 * account's data center, which every API URL needs.
 */
import {
  AuthError,
  type CredentialsAuthSpec,
  customCredentials,
  ErrorCode,
  type Json,
  type MetadataHook,
  type OAuth2AuthSpec,
  oauth2,
} from "@patchbay/core";
import { MAILCHIMP_DC_PATTERN, MAILCHIMP_OAUTH, mailchimpApiBase } from "./endpoints.js";
import { MailchimpApiKeyFieldsSchema, MailchimpOAuthMetadataSchema } from "./schemas.js";

/**
 * The metadata every Mailchimp connection carries.
 * @example
 * ```ts
 * const { dc } = connection.metadata as MailchimpConnectionMetadata; // "us6"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export interface MailchimpConnectionMetadata extends Record<string, Json> {
  /** The data center (`us6`). */
  dc: string;
  /** `https://<dc>.api.mailchimp.com`, as Mailchimp's metadata endpoint spells it. */
  api_endpoint: string;
}

/**
 * The data center of an API key: the part after the last dash.
 *
 * @throws TypeError when the key does not end with a data center.
 * @example
 * ```ts
 * dataCenterOfApiKey("0123456789abcdef0123456789abcdef-us6"); // "us6"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export function dataCenterOfApiKey(apiKey: string): string {
  const dc = typeof apiKey === "string" ? apiKey.trim().split("-").pop()?.toLowerCase() : undefined;
  if (dc === undefined || !MAILCHIMP_DC_PATTERN.test(dc) || !apiKey.includes("-")) {
    throw new TypeError('"apiKey" must end with its data center, e.g. "-us6"');
  }
  return dc;
}

function metadataOf(dc: string, extra: Record<string, Json> = {}): MailchimpConnectionMetadata {
  return { ...extra, dc, api_endpoint: new URL(mailchimpApiBase(dc)).origin };
}

/**
 * Post-connect hook of OAuth mode: asks the metadata endpoint which data
 * center the account lives in, and keeps `dc`, `api_endpoint`, the account
 * name (`accountName`) and the user id (`userId`). The endpoint answers 200
 * even for a bad token, with `{ error: "invalid_token" }`, so the body is
 * checked, not the status.
 *
 * @example
 * ```ts
 * oauth2({ ...MAILCHIMP_OAUTH, clientId, clientSecret, scopes: [], metadata: learnOAuthDataCenter })
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export const learnOAuthDataCenter: MetadataHook = async ({ http }) => {
  // Mailchimp's guide sends `Authorization: OAuth <token>`; core's client sends
  // `Bearer <token>`, which the endpoint accepts as well.
  const { data } = await http.get<unknown>(MAILCHIMP_OAUTH.metadataUrl);
  if (data !== null && typeof data === "object" && "error" in data) {
    throw new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      `Mailchimp's metadata endpoint rejected the access token (${String((data as { error: unknown }).error)})`,
    );
  }
  const parsed = MailchimpOAuthMetadataSchema.safeParse(data);
  if (!parsed.success || !MAILCHIMP_DC_PATTERN.test(parsed.data.dc)) {
    throw new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      "Mailchimp's metadata endpoint did not say which data center the account is in",
    );
  }
  const { dc, accountname, user_id } = parsed.data;
  return metadataOf(dc, {
    ...(accountname === undefined ? {} : { accountName: accountname }),
    ...(user_id === undefined ? {} : { userId: String(user_id) }),
  });
};

/**
 * Post-connect hook of API-key mode: the data center is the key's suffix.
 *
 * @example
 * ```ts
 * customCredentials({ fields, apply, metadata: learnApiKeyDataCenter })
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export const learnApiKeyDataCenter: MetadataHook = async ({ fields }) => {
  const { apiKey } = MailchimpApiKeyFieldsSchema.parse(fields);
  return metadataOf(dataCenterOfApiKey(apiKey));
};

/**
 * The host's Mailchimp OAuth app (Account → Extras → Registered apps).
 * @example
 * ```ts
 * const app: MailchimpOAuthApp = { clientId: process.env.MAILCHIMP_CLIENT_ID!, clientSecret: process.env.MAILCHIMP_CLIENT_SECRET! };
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export interface MailchimpOAuthApp {
  clientId: string;
  clientSecret: string;
}

/**
 * Mailchimp OAuth 2.0, quirks declared: no scopes (access is all or
 * nothing), no PKCE (not supported), the client secret in the form body,
 * tokens that never expire (`expires_in: 0`) and no refresh token, no
 * revocation endpoint (users remove the app in Mailchimp), and the data
 * center learned from the metadata endpoint after connecting.
 *
 * @example
 * ```ts
 * auth: mailchimpOAuth({ clientId: process.env.MAILCHIMP_CLIENT_ID!, clientSecret: process.env.MAILCHIMP_CLIENT_SECRET! })
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export function mailchimpOAuth(app: MailchimpOAuthApp): OAuth2AuthSpec {
  return oauth2({
    authorizationUrl: MAILCHIMP_OAUTH.authorizationUrl,
    tokenUrl: MAILCHIMP_OAUTH.tokenUrl,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    scopes: [],
    pkce: false,
    tokenEndpointAuthMethod: "client_secret_post",
    zeroExpiresInMeansNever: true,
    metadata: learnOAuthDataCenter,
  });
}

/**
 * Mailchimp API-key auth: the key (`…-us6`) checked by shape, sent as HTTP
 * Basic with any username, the data center taken from its suffix.
 *
 * @example
 * ```ts
 * auth: mailchimpApiKey()
 * // connect.withCredentials({ ..., credentials: { apiKey: "0123…cdef-us6" } })
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#authentication-methods
 */
export function mailchimpApiKey(): CredentialsAuthSpec<typeof MailchimpApiKeyFieldsSchema> {
  return customCredentials({
    fields: MailchimpApiKeyFieldsSchema,
    apply: ({ apiKey }, request) => {
      // Any username works; the key is the password.
      request.headers.set(
        "authorization",
        `Basic ${Buffer.from(`patchbay:${apiKey}`, "utf8").toString("base64")}`,
      );
    },
    metadata: learnApiKeyDataCenter,
  });
}
