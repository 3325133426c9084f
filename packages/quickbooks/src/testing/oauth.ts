/**
 * Intuit's authorization server, faked on Intuit's own URLs: confidential
 * clients with HTTP Basic, refresh tokens rotated on every refresh (the old
 * one stops working at once), access tokens for an hour, and the company's
 * `realmId` added to the callback.
 */
import {
  createFakeOAuthServer,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { QUICKBOOKS_OAUTH, QUICKBOOKS_SCOPES } from "../endpoints.js";

/**
 * The sandbox Intuit app the fake knows (its development keys).
 *
 * @example
 * ```ts
 * quickbooks({ ...QUICKBOOKS_SANDBOX_APP, environment: "sandbox" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/get-started/get-client-id-and-client-secret
 */
export const QUICKBOOKS_SANDBOX_APP = Object.freeze({
  clientId: "ABsandboxQuickBooksClientId0000000000000000000000",
  clientSecret: "sandboxQuickBooksClientSecret000000000000",
});

/**
 * The sandbox company the fake serves (its `realmId`).
 *
 * @example
 * ```ts
 * connection.metadata.realmId === QUICKBOOKS_SANDBOX_REALM_ID; // true
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export const QUICKBOOKS_SANDBOX_REALM_ID = "9341453050180207";

/**
 * Redirect URIs registered for the sandbox app: the contract suite's
 * default, `https://app.example.com/integrations/quickbooks/callback`, and
 * the example host's on localhost ports 3000 and 3001.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "quickbooks", redirectUri: QUICKBOOKS_SANDBOX_REDIRECT_URIS[1] });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 */
export const QUICKBOOKS_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/callback",
  "https://app.example.com/integrations/quickbooks/callback",
  "http://localhost:3000/integrations/quickbooks/callback",
  "http://localhost:3001/integrations/quickbooks/callback",
]);

/**
 * What Intuit's token endpoint adds to each answer: the refresh token's
 * lifetime (`x_refresh_token_expires_in`, about 101 days).
 *
 * @example
 * ```ts
 * QUICKBOOKS_TOKEN_RESPONSE_EXTRAS.x_refresh_token_expires_in; // 8726400
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 */
export const QUICKBOOKS_TOKEN_RESPONSE_EXTRAS = Object.freeze({
  x_refresh_token_expires_in: 8_726_400,
});

/**
 * The fake of Intuit's authorization server.
 *
 * @example
 * ```ts
 * const oauth = createQuickBooksOAuthFake();
 * const callback = oauth.approve(authorizeUrl); // …&code=…&state=…&realmId=9341453050180207
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 */
export function createQuickBooksOAuthFake(
  options: { redirectUris?: readonly string[]; realmId?: string } & Pick<
    FakeOAuthServerOptions,
    "now" | "accessTokenTtlSeconds" | "latencyMs"
  > = {},
): FakeOAuthServer {
  return createFakeOAuthServer({
    issuer: "https://oauth.platform.intuit.com",
    endpoints: {
      authorization: QUICKBOOKS_OAUTH.authorizationUrl,
      token: QUICKBOOKS_OAUTH.tokenUrl,
      revocation: QUICKBOOKS_OAUTH.revocationUrl,
      userinfo: QUICKBOOKS_OAUTH.userinfoUrl,
    },
    clients: [
      {
        ...QUICKBOOKS_SANDBOX_APP,
        authMethod: "client_secret_basic",
        redirectUris: options.redirectUris ?? QUICKBOOKS_SANDBOX_REDIRECT_URIS,
        allowedScopes: [
          ...QUICKBOOKS_SCOPES,
          "com.intuit.quickbooks.payment",
          "openid",
          "profile",
          "email",
          "phone",
          "address",
        ],
      },
    ],
    // Intuit documents no PKCE; the connector sends none.
    requirePkce: false,
    rotateRefreshTokens: true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    tokenResponseExtras: { ...QUICKBOOKS_TOKEN_RESPONSE_EXTRAS },
    callbackExtras: { realmId: options.realmId ?? QUICKBOOKS_SANDBOX_REALM_ID },
    ...(options.now !== undefined && { now: options.now }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
}
