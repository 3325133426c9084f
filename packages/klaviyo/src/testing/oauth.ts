/**
 * Klaviyo's authorization server, faked on Klaviyo's own URLs: PKCE S256
 * required, the client authenticated with HTTP Basic, access tokens for an
 * hour, a refresh token that stays valid (no rotation documented).
 */
import {
  createFakeOAuthServer,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { KLAVIYO_OAUTH, KLAVIYO_SCOPES } from "../endpoints.js";

/**
 * The sandbox OAuth app the fake knows.
 *
 * @example
 * ```ts
 * klaviyo({ ...KLAVIYO_SANDBOX_APP });
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export const KLAVIYO_SANDBOX_APP = Object.freeze({
  clientId: "sandbox-klaviyo-client",
  clientSecret: "sandbox-klaviyo-secret",
});

/**
 * Redirect URIs registered for the sandbox app: the contract suite's default,
 * `https://app.example.com/integrations/klaviyo/callback` and the example
 * host's `http://localhost:3000/integrations/klaviyo/callback`.
 *
 * @example
 * ```ts
 * createKlaviyoFake({ redirectUris: [`http://localhost:${port}/integrations/klaviyo/callback`] });
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export const KLAVIYO_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/callback",
  "https://app.example.com/integrations/klaviyo/callback",
  "http://localhost:3000/integrations/klaviyo/callback",
]);

/**
 * The fake of Klaviyo's authorization server.
 *
 * @example
 * ```ts
 * const oauth = createKlaviyoOAuthFake();
 * const callback = oauth.approve(authorizeUrl); // the user clicks "Allow"
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export function createKlaviyoOAuthFake(
  options: { redirectUris?: readonly string[] } & Pick<FakeOAuthServerOptions, "now"> = {},
): FakeOAuthServer {
  return createFakeOAuthServer({
    issuer: "https://www.klaviyo.com",
    endpoints: {
      authorization: KLAVIYO_OAUTH.authorizationUrl,
      token: KLAVIYO_OAUTH.tokenUrl,
      revocation: KLAVIYO_OAUTH.revocationUrl,
      // Klaviyo documents no userinfo endpoint; this one exists only inside the fake.
      userinfo: "https://a.klaviyo.com/oauth/__fake__/userinfo",
    },
    clients: [
      {
        ...KLAVIYO_SANDBOX_APP,
        authMethod: "client_secret_basic",
        redirectUris: options.redirectUris ?? KLAVIYO_SANDBOX_REDIRECT_URIS,
        allowedScopes: [...KLAVIYO_SCOPES, "events:read", "metrics:read", "segments:read"],
      },
    ],
    requirePkce: true,
    rotateRefreshTokens: false,
    accessTokenTtlSeconds: 3600,
    ...(options.now !== undefined && { now: options.now }),
  });
}
