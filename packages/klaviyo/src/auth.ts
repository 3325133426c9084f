/**
 * The two ways to connect Klaviyo: OAuth with PKCE (an app installed on the
 * customer's account) or a private API key. Both learn the account id after
 * connecting, which routes webhook deliveries.
 */
import {
  AuthError,
  type CredentialsAuthSpec,
  customCredentials,
  ErrorCode,
  type MetadataHook,
  type OAuth2AuthSpec,
  oauth2,
} from "@patchbay/core";
import { bodyOf, klaviyoApi } from "./client.js";
import { KLAVIYO_OAUTH, KLAVIYO_PATHS, KLAVIYO_SCOPES } from "./endpoints.js";
import { KlaviyoApiKeyFieldsSchema } from "./schemas.js";

/**
 * Post-connect hook: `GET /api/accounts` (one account per credential) gives
 * `accountId` (matches webhook deliveries' `meta.klaviyo_account_id`) and
 * `accountName`, `timezone`, `currency` for display.
 *
 * @example
 * ```ts
 * customCredentials({ fields, apply, metadata: learnKlaviyoAccount });
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_accounts
 */
export const learnKlaviyoAccount: MetadataHook = async ({ http }) => {
  const page = bodyOf(await klaviyoApi(http).GET(KLAVIYO_PATHS.accounts, {}), "GET /api/accounts");
  const account = page.data[0];
  if (account === undefined) {
    throw new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      "Klaviyo's accounts endpoint listed no account for these credentials",
    );
  }
  const attributes = account.attributes;
  return {
    accountId: account.id,
    ...(attributes.contact_information?.organization_name && {
      accountName: attributes.contact_information.organization_name,
    }),
    ...(attributes.timezone && { timezone: attributes.timezone }),
    ...(attributes.preferred_currency && { currency: attributes.preferred_currency }),
  };
};

/**
 * The host's Klaviyo OAuth app (Klaviyo → Settings → Manage apps).
 *
 * @example
 * ```ts
 * const app: KlaviyoOAuthApp = { clientId: process.env.KLAVIYO_CLIENT_ID!, clientSecret: process.env.KLAVIYO_CLIENT_SECRET! };
 * ```
 * @see https://developers.klaviyo.com/en/docs/create_a_public_oauth_app
 */
export interface KlaviyoOAuthApp {
  clientId: string;
  clientSecret: string;
}

/**
 * Klaviyo OAuth, quirks declared: PKCE S256 is required; the client
 * authenticates with HTTP Basic at the token endpoint; scopes are
 * space-separated; access tokens last an hour; a refresh token returned on
 * refresh replaces the stored one (Klaviyo does not document rotation);
 * revocation at `/oauth/revoke`.
 *
 * @example
 * ```ts
 * auth: klaviyoOAuth({ clientId, clientSecret })
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export function klaviyoOAuth(app: KlaviyoOAuthApp): OAuth2AuthSpec {
  return oauth2({
    authorizationUrl: KLAVIYO_OAUTH.authorizationUrl,
    tokenUrl: KLAVIYO_OAUTH.tokenUrl,
    revocationUrl: KLAVIYO_OAUTH.revocationUrl,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    scopes: [...KLAVIYO_SCOPES],
    pkce: true,
    tokenEndpointAuthMethod: "client_secret_basic",
    metadata: learnKlaviyoAccount,
  });
}

/**
 * Private API key auth: `Authorization: Klaviyo-API-Key pk_…`.
 *
 * @example
 * ```ts
 * auth: klaviyoApiKey()
 * // connect.withCredentials({ ..., credentials: { apiKey: "pk_…" } })
 * ```
 * @see https://developers.klaviyo.com/en/docs/authenticate_
 */
export function klaviyoApiKey(): CredentialsAuthSpec<typeof KlaviyoApiKeyFieldsSchema> {
  return customCredentials({
    fields: KlaviyoApiKeyFieldsSchema,
    apply: ({ apiKey }, request) => {
      request.headers.set("authorization", `Klaviyo-API-Key ${apiKey}`);
    },
    metadata: learnKlaviyoAccount,
  });
}
