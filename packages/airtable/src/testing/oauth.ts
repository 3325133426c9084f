/**
 * Airtable's authorization server, faked on Airtable's own URLs: PKCE S256
 * required, refresh tokens rotated on every refresh (the old one stops
 * working at once), access tokens for an hour, confidential clients
 * authenticated with HTTP Basic at the token endpoint.
 */
import {
  createFakeOAuthServer,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { AIRTABLE_OAUTH, AIRTABLE_SCOPES } from "../endpoints.js";

/**
 * The sandbox OAuth integration the fake knows: a confidential client
 * (it generated a client secret), authenticated with HTTP Basic.
 *
 * @example
 * ```ts
 * airtable({ ...AIRTABLE_SANDBOX_CLIENT });
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export const AIRTABLE_SANDBOX_CLIENT = Object.freeze({
  clientId: "sandbox-airtable-client",
  clientSecret: "sandbox-airtable-secret",
});

/**
 * A second sandbox integration without a client secret (a public client: PKCE only).
 *
 * @example
 * ```ts
 * airtable({ clientId: AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID });
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export const AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID = "sandbox-airtable-public-client";

/**
 * Redirect URIs registered for the sandbox integrations: the contract suite's
 * default and the documented `https://<your app>/integrations/airtable/callback`.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "airtable", redirectUri: AIRTABLE_SANDBOX_REDIRECT_URIS[1] });
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export const AIRTABLE_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/callback",
  "https://app.example.com/integrations/airtable/callback",
]);

/**
 * What Airtable's token endpoint adds to each answer: the refresh token's own
 * lifetime (60 days; an unused refresh token then expires).
 *
 * @example
 * ```ts
 * AIRTABLE_TOKEN_RESPONSE_EXTRAS.refresh_expires_in; // 5184000
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export const AIRTABLE_TOKEN_RESPONSE_EXTRAS = Object.freeze({ refresh_expires_in: 60 * 24 * 3600 });

/**
 * The fake of Airtable's authorization server.
 *
 * @example
 * ```ts
 * const oauth = createAirtableOAuthFake();
 * const callback = oauth.approve(authorizeUrl); // the user clicks "Grant access"
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export function createAirtableOAuthFake(
  options: { redirectUris?: readonly string[] } & Pick<
    FakeOAuthServerOptions,
    "now" | "accessTokenTtlSeconds" | "latencyMs"
  > = {},
): FakeOAuthServer {
  const redirectUris = options.redirectUris ?? AIRTABLE_SANDBOX_REDIRECT_URIS;
  const allowedScopes = [
    ...AIRTABLE_SCOPES,
    "schema.bases:write",
    "data.recordComments:read",
    "user.email:read",
  ];
  return createFakeOAuthServer({
    issuer: "https://airtable.com",
    endpoints: {
      authorization: AIRTABLE_OAUTH.authorizationUrl,
      token: AIRTABLE_OAUTH.tokenUrl,
      // Airtable documents no revocation or userinfo endpoint; these exist only inside the fake.
      revocation: "https://airtable.com/oauth2/v1/__fake__/revoke",
      userinfo: "https://airtable.com/oauth2/v1/__fake__/userinfo",
    },
    clients: [
      {
        ...AIRTABLE_SANDBOX_CLIENT,
        authMethod: "client_secret_basic",
        redirectUris,
        allowedScopes,
      },
      {
        clientId: AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID,
        authMethod: "none",
        redirectUris,
        allowedScopes,
      },
    ],
    requirePkce: true,
    rotateRefreshTokens: true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    tokenResponseExtras: { ...AIRTABLE_TOKEN_RESPONSE_EXTRAS },
    ...(options.now !== undefined && { now: options.now }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
}
