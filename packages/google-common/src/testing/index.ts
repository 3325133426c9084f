/**
 * Test doubles shared by the Google connectors' fakes: Google's OAuth server
 * (on Google's real endpoint URLs, with Google's behaviour: no refresh-token
 * rotation, refresh token only with offline access), Google's error and
 * rate-limit responses in both error shapes, and Google's signing keys with
 * Cloud Pub/Sub's authenticated push deliveries.
 */
import {
  createFakeOAuthServer,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { HttpResponse } from "msw";
import { GOOGLE_OAUTH } from "../index.js";

export {
  createPubSubPushSigner,
  type FakePushOverrides,
  type FakePushSubscription,
  type FakePushSubscriptionOptions,
  type PubSubPushSigner,
  type PushTokenClaims,
} from "./pubsub.js";

/** The sandbox OAuth client the Google fakes accept. */
export const GOOGLE_SANDBOX_CLIENT = {
  clientId: "sandbox-google-client.apps.googleusercontent.com",
  clientSecret: "sandbox-google-secret",
} as const;

/**
 * A fake of Google's authorization server on Google's real URLs.
 *
 * @example
 * ```ts
 * const oauth = createGoogleOAuthFake({ redirectUris: ["https://app.example.com/integrations/google-sheets/callback"] });
 * server.use(...oauth.handlers);
 * ```
 */
export function createGoogleOAuthFake(
  options: { redirectUris: string[] } & Pick<
    FakeOAuthServerOptions,
    "now" | "accessTokenTtlSeconds" | "latencyMs"
  >,
): FakeOAuthServer {
  return createFakeOAuthServer({
    issuer: "https://accounts.google.com",
    endpoints: {
      authorization: GOOGLE_OAUTH.authorizationUrl,
      token: GOOGLE_OAUTH.tokenUrl,
      revocation: GOOGLE_OAUTH.revocationUrl,
      userinfo: "https://openidconnect.googleapis.com/v1/userinfo",
    },
    clients: [{ ...GOOGLE_SANDBOX_CLIENT, redirectUris: options.redirectUris }],
    rotateRefreshTokens: false,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3599,
    revocationRequiresClientAuth: false,
    now: options.now,
    latencyMs: options.latencyMs,
  });
}

/**
 * A Google API error response. `style: "rpc"` is the One Platform shape
 * (Sheets, Analytics Data); `"legacy"` adds `errors[]` (Gmail, Drive).
 *
 * @example
 * ```ts
 * return googleError(404, "notFound", "Requested entity was not found.", "legacy");
 * ```
 */
export function googleError(
  status: number,
  reason: string,
  message: string,
  style: "rpc" | "legacy" = "rpc",
): Response {
  const statusName: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
  };
  const error =
    style === "legacy"
      ? {
          code: status,
          message,
          errors: [{ domain: "global", reason, message }],
          status: statusName[status] ?? "UNKNOWN",
        }
      : {
          code: status,
          message,
          status: statusName[status] ?? "UNKNOWN",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              reason,
              domain: "googleapis.com",
            },
          ],
        };
  return HttpResponse.json({ error }, { status });
}

/** Google's 401 for a missing, expired or revoked access token. */
export function googleUnauthorized(style: "rpc" | "legacy" = "rpc"): Response {
  const response = googleError(
    401,
    style === "rpc" ? "ACCESS_TOKEN_EXPIRED" : "authError",
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    style,
  );
  response.headers.set(
    "www-authenticate",
    'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  );
  return response;
}

/** Google's rate-limit response: 429 RESOURCE_EXHAUSTED, no Retry-After. */
export function googleRateLimited(style: "rpc" | "legacy" = "rpc"): Response {
  return googleError(
    429,
    style === "rpc" ? "RATE_LIMIT_EXCEEDED" : "rateLimitExceeded",
    "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'.",
    style,
  );
}
