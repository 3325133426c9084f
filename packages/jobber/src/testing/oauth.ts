/**
 * Jobber's authorization server, faked on Jobber's own URLs: the client
 * secret in the token request body, refresh tokens rotated on every refresh
 * (a reused one is refused), no `expires_in` in token answers (Jobber's
 * access token is a JWT whose `exp` claim says when it expires), PKCE
 * accepted but not required, no scopes in the authorize URL.
 */
import {
  createFakeOAuthServer,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { JOBBER_API_ORIGIN, JOBBER_OAUTH } from "../endpoints.js";

/**
 * The sandbox Jobber app the fake knows.
 *
 * @example
 * ```ts
 * jobber({ ...JOBBER_SANDBOX_APP });
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export const JOBBER_SANDBOX_APP = Object.freeze({
  clientId: "sandbox-jobber-client",
  clientSecret: "sandbox-jobber-secret",
});

/**
 * Redirect URIs registered for the sandbox app: the contract suite's default,
 * `https://app.example.com/integrations/jobber/callback`, and the example
 * hosts' `http://localhost:<port>/integrations/jobber/callback` for ports 3000 and 3001.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "jobber", redirectUri: JOBBER_SANDBOX_REDIRECT_URIS[1]! });
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export const JOBBER_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/callback",
  "https://app.example.com/integrations/jobber/callback",
  "http://localhost:3000/integrations/jobber/callback",
  "http://localhost:3001/integrations/jobber/callback",
]);

/**
 * The fake of Jobber's authorization server.
 *
 * @example
 * ```ts
 * const oauth = createJobberOAuthFake();
 * const callback = oauth.approve(authorizeUrl); // the admin clicks "Allow Access"
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/refresh_token_rotation
 */
export function createJobberOAuthFake(
  options: { redirectUris?: readonly string[] } & Pick<
    FakeOAuthServerOptions,
    "now" | "latencyMs"
  > = {},
): FakeOAuthServer {
  return createFakeOAuthServer({
    issuer: JOBBER_API_ORIGIN,
    endpoints: {
      authorization: JOBBER_OAUTH.authorizationUrl,
      token: JOBBER_OAUTH.tokenUrl,
      // Jobber has no revocation or userinfo endpoint (apps call appDisconnect); these exist only in the fake.
      revocation: `${JOBBER_API_ORIGIN}/api/oauth/__fake__/revoke`,
      userinfo: `${JOBBER_API_ORIGIN}/api/oauth/__fake__/userinfo`,
    },
    clients: [
      {
        ...JOBBER_SANDBOX_APP,
        authMethod: "client_secret_post",
        redirectUris: options.redirectUris ?? JOBBER_SANDBOX_REDIRECT_URIS,
      },
    ],
    requirePkce: false,
    rotateRefreshTokens: true,
    accessTokenTtlSeconds: null,
    ...(options.now !== undefined && { now: options.now }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
}
