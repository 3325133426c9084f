/**
 * What Patchbay's Google connectors (Sheets, Gmail, Drive, Analytics,
 * Business Profile) share: the OAuth declaration with Google's quirks, the
 * parser for Google's two API error shapes and rate-limit signals, and the
 * verification of Cloud Pub/Sub authenticated push deliveries.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server
 */
import {
  type OAuth2AuthSpec,
  oauth2,
  type ProviderErrorInfo,
  type ProviderErrorParser,
} from "@patchbay/core";

export {
  checkGooglePubSubOptions,
  decodePubSubPush,
  GOOGLE_CERTS_URL,
  GOOGLE_ISSUERS,
  googleKeySource,
  type JsonWebKeySet,
  type PubSubKeyResolver,
  type PubSubPushClaims,
  PubSubPushError,
  type PubSubPushErrorCode,
  type PubSubPushMessage,
  type PubSubPushOptions,
  type PubSubTokenHeader,
  pubSubPushWebhook,
  readPubSubPushJson,
  type VerifiedPubSubPush,
  verifyPubSubPush,
  verifyPubSubPushToken,
} from "./pubsub.js";

/** Google's OAuth 2.0 endpoints. */
export const GOOGLE_OAUTH = {
  authorizationUrl: "https://accounts.google.com/o/oauth2/v2/auth",
  tokenUrl: "https://oauth2.googleapis.com/token",
  revocationUrl: "https://oauth2.googleapis.com/revoke",
} as const;

/** The host's Google OAuth app (a "Web application" client in Google Cloud Console). */
export interface GoogleOAuthOptions {
  clientId: string;
  clientSecret: string;
}

/**
 * Google OAuth 2.0 with its quirks declared: `access_type=offline` (else no
 * refresh token), `prompt=consent` (Google issues a refresh token only when
 * the consent screen is shown), `include_granted_scopes=true`, PKCE S256,
 * client secret in the form body. Google refresh tokens do not rotate.
 *
 * @example
 * ```ts
 * auth: googleOAuth({ clientId, clientSecret }, ["https://www.googleapis.com/auth/spreadsheets"])
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 */
export function googleOAuth(
  app: GoogleOAuthOptions,
  scopes: string[],
  options: Pick<OAuth2AuthSpec, "metadata"> = {},
): OAuth2AuthSpec {
  return oauth2({
    ...GOOGLE_OAUTH,
    clientId: app?.clientId,
    clientSecret: app?.clientSecret,
    scopes,
    authorizeParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
    tokenEndpointAuthMethod: "client_secret_post",
    metadata: options.metadata,
  });
}

/** Reasons Google uses for "slow down", in either error shape. */
const RATE_LIMIT_REASONS = new Set([
  "rateLimitExceeded",
  "userRateLimitExceeded",
  "RATE_LIMIT_EXCEEDED",
  "RESOURCE_EXHAUSTED",
  "concurrentLimitExceeded",
]);
/** Quotas that will not come back within a retry loop. */
const DAILY_REASONS = new Set(["dailyLimitExceeded", "quotaExceeded"]);

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: Array<{ reason?: string; message?: string }>;
    details?: Array<{ "@type"?: string; reason?: string }>;
  };
}

/**
 * Parse Google API errors, both shapes: the older
 * `{error:{code,message,errors:[{reason}]}}` (Gmail, Drive) and the One
 * Platform `{error:{code,message,status,details:[{reason}]}}` (Sheets, GA).
 * Rate limits come as 429 or as 403 with a rate-limit reason; Google does
 * not reliably send `Retry-After`, so backoff applies.
 *
 * @see https://developers.google.com/workspace/gmail/api/guides/handle-errors
 */
export const parseGoogleError: ProviderErrorParser = (response, body) => {
  const error = (body as GoogleErrorBody | undefined)?.error;
  if (error === undefined || typeof error !== "object") return undefined;
  const reason =
    error.errors?.[0]?.reason ??
    error.details?.find((d) => d.reason !== undefined)?.reason ??
    error.status;
  const info: ProviderErrorInfo = { message: error.message, code: reason };
  if (reason !== undefined && DAILY_REASONS.has(reason))
    return { ...info, kind: "rate_limit", retryable: false };
  if (response.status === 429 || (reason !== undefined && RATE_LIMIT_REASONS.has(reason)))
    return { ...info, kind: "rate_limit", retryable: true };
  return info;
};
