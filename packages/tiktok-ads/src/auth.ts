/**
 * TikTok advertiser authorization, declared with core's `oauth2()`. The
 * redirect is OAuth-shaped, but the wire is not OAuth 2.0: the authorize URL
 * takes `app_id`, the callback carries `auth_code`, the exchange is a JSON
 * POST of `{ app_id, secret, auth_code }`, the token comes wrapped in
 * `{ code, message, data: { access_token, advertiser_ids, scope } }`, and API
 * calls carry it in an `Access-Token` header. Core's `exchangeCode` and
 * `applyToken` hooks cover the last three; `connect.start` and
 * `connect.finish` (or the host handler) run the rest, state checks included.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
import {
  ConnectError,
  ErrorCode,
  type FetchLike,
  type Json,
  type OAuth2AuthSpec,
  oauth2,
  type TokenSet,
} from "@patchbay/core";
import { tiktokError } from "./api.js";
import { ACCESS_TOKEN_PATH, TIKTOK_ACCESS_TOKEN_URL, TIKTOK_AUTHORIZE_URL } from "./endpoints.js";
import { AccessTokenDataSchema, TikTokEnvelopeSchema } from "./schemas.js";

/** The host's TikTok for Business developer app. */
interface TikTokApp {
  appId: string;
  secret: string;
}

/**
 * Exchange an `auth_code` (one use, valid for a short time) for an
 * advertiser access token. Advertiser tokens do not expire unless the
 * advertiser revokes the authorization, so `expiresAt` is `null` and there
 * is no refresh token.
 *
 * @throws ConnectError `PATCHBAY_CONNECT_FAILED` when TikTok refuses the code
 *   or the app credentials (`providerCode` is TikTok's code), or answers
 *   without its envelope.
 */
async function exchangeAuthCode(
  app: TikTokApp,
  authCode: string,
  fetchFn: FetchLike,
): Promise<TokenSet> {
  const response = await fetchFn(TIKTOK_ACCESS_TOKEN_URL, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ app_id: app.appId, secret: app.secret, auth_code: authCode }),
  });
  const envelope = TikTokEnvelopeSchema.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !envelope.success)
    throw new ConnectError(
      ErrorCode.CONNECT_FAILED,
      `tiktok-ads: the auth code exchange answered HTTP ${response.status}`,
      { status: response.status },
    );
  if (envelope.data.code !== 0) {
    const error = tiktokError(envelope.data, `POST ${ACCESS_TOKEN_PATH}`);
    throw new ConnectError(ErrorCode.CONNECT_FAILED, `tiktok-ads: ${error.message}`, {
      providerCode: String(envelope.data.code),
      retryable: error.retryable,
    });
  }
  const data = AccessTokenDataSchema.safeParse(envelope.data.data);
  if (!data.success)
    throw new ConnectError(
      ErrorCode.CONNECT_FAILED,
      "tiktok-ads: the auth code exchange answered code 0 without an access token",
    );
  const { access_token, advertiser_ids, scope } = data.data;
  return {
    accessToken: access_token,
    expiresAt: null,
    tokenType: "bearer",
    ...(scope.length > 0 && { scope: scope.join(" ") }),
    extra: { advertiser_ids },
  };
}

/**
 * The connector's auth: TikTok's advertiser authorization as an `oauth2()`
 * spec. No PKCE (TikTok documents none) and no scopes (permissions are
 * chosen on the developer app); the connection's metadata `advertiserIds`
 * lists the advertisers the user authorized.
 *
 * @example
 * ```ts
 * defineConnector({ id: "tiktok-ads", auth: tiktokOAuth({ appId, secret }), ... });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export function tiktokOAuth(app: TikTokApp): OAuth2AuthSpec {
  return oauth2({
    authorizationUrl: TIKTOK_AUTHORIZE_URL,
    tokenUrl: TIKTOK_ACCESS_TOKEN_URL,
    clientId: app.appId,
    clientSecret: app.secret,
    scopes: [],
    pkce: false,
    // TikTok reads `app_id`; core's client_id, response_type and redirect_uri ride along.
    authorizeParams: { app_id: app.appId },
    async exchangeCode({ callback }, { fetch }) {
      const authCode = callback.get("auth_code");
      if (authCode === null || authCode === "")
        throw new ConnectError(
          ErrorCode.CONNECT_DENIED,
          "tiktok-ads: the advertiser did not authorize the app (the callback has no auth_code)",
        );
      return exchangeAuthCode(app, authCode, fetch);
    },
    applyToken: (token, request) => request.headers.set("Access-Token", token),
    metadata: async ({ tokenExtra }): Promise<Record<string, Json>> => ({
      advertiserIds: Array.isArray(tokenExtra.advertiser_ids)
        ? tokenExtra.advertiser_ids.map(String)
        : [],
    }),
  });
}
