/**
 * TikTok advertiser authorization. It is OAuth-like but not OAuth 2.0: the
 * authorize URL takes `app_id` (not `client_id`), the callback carries
 * `auth_code` (not `code`), the exchange is a JSON POST of
 * `{ app_id, secret, auth_code }`, and the token comes wrapped in
 * `{ code, message, data: { access_token, advertiser_ids, scope } }`. Core's
 * `oauth2()` cannot declare these, so the host runs the redirect with these
 * helpers and hands the token to `connect.withCredentials`.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
import { randomBytes } from "node:crypto";
import {
  ConfigError,
  ConnectError,
  type Connection,
  ErrorCode,
  type FetchLike,
  type Patchbay,
  timingSafeEqual,
} from "@patchbay/core";
import { tiktokError } from "./api.js";
import { ACCESS_TOKEN_PATH, TIKTOK_API_BASE_URL, TIKTOK_AUTHORIZE_URL } from "./endpoints.js";
import { AccessTokenDataSchema, TikTokEnvelopeSchema } from "./schemas.js";

/**
 * A fresh `state` for the authorization redirect: keep it in the user's
 * session and compare it on the callback.
 *
 * @example
 * ```ts
 * req.session.tiktokState = createTikTokState();
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export function createTikTokState(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * The advertiser authorization URL to send the user to.
 *
 * @example
 * ```ts
 * res.redirect(tiktokAuthorizeUrl({ appId, redirectUri: "https://app.example.com/integrations/tiktok-ads/callback", state }).href);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export function tiktokAuthorizeUrl(input: {
  appId: string;
  redirectUri: string;
  state: string;
}): URL {
  if (typeof input?.appId !== "string" || input.appId === "")
    throw new TypeError('"appId" must be a non-empty string');
  if (typeof input.state !== "string" || input.state.length < 16)
    throw new TypeError(
      '"state" must be a random string of at least 16 characters (createTikTokState())',
    );
  const url = new URL(TIKTOK_AUTHORIZE_URL);
  url.searchParams.set("app_id", input.appId);
  url.searchParams.set("state", input.state);
  url.searchParams.set("redirect_uri", input.redirectUri);
  return url;
}

/**
 * Exchange an `auth_code` for an access token (the code is valid for one
 * use, for a short time). Advertiser tokens do not expire unless the
 * advertiser revokes the authorization.
 *
 * @throws ConnectError when TikTok refuses the code or the app credentials.
 * @example
 * ```ts
 * const { accessToken, advertiserIds } = await exchangeTikTokAuthCode({ appId, secret, authCode });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export async function exchangeTikTokAuthCode(input: {
  appId: string;
  secret: string;
  authCode: string;
  fetch?: FetchLike;
}): Promise<{ accessToken: string; advertiserIds: string[]; scope: Array<string | number> }> {
  const fetchFn = input.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const response = await fetchFn(`${TIKTOK_API_BASE_URL}/${ACCESS_TOKEN_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ app_id: input.appId, secret: input.secret, auth_code: input.authCode }),
  });
  const envelope = TikTokEnvelopeSchema.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !envelope.success)
    throw new ConnectError(
      ErrorCode.CONNECT_FAILED,
      `tiktok-ads: the auth code exchange answered HTTP ${response.status}`,
      {
        status: response.status,
      },
    );
  if (envelope.data.code !== 0) {
    const error = tiktokError(envelope.data, `POST ${ACCESS_TOKEN_PATH}`);
    throw new ConnectError(ErrorCode.CONNECT_FAILED, `tiktok-ads: ${error.message}`, {
      providerCode: String(envelope.data.code),
      retryable: error.retryable,
    });
  }
  const data = AccessTokenDataSchema.parse(envelope.data.data);
  return { accessToken: data.access_token, advertiserIds: data.advertiser_ids, scope: data.scope };
}

/**
 * Finish the connection on the host's callback route: check `state`, read
 * `auth_code`, exchange it, and create the connection with
 * `connect.withCredentials`. A callback without `auth_code` (the user
 * cancelled) is a `ConnectError` with code `PATCHBAY_CONNECT_DENIED`.
 *
 * @example
 * ```ts
 * app.get("/integrations/tiktok-ads/callback", async (req, res) => {
 *   const connection = await finishTikTokConnect(patchbay, {
 *     callbackUrl: new URL(req.url, "https://app.example.com"), expectedState: req.session.tiktokState,
 *     tenantId: req.user.tenantId, appId, secret,
 *   });
 *   res.redirect(`/integrations?connected=${connection.id}`);
 * });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export async function finishTikTokConnect(
  patchbay: Pick<Patchbay, "connect">,
  input: {
    callbackUrl: URL;
    expectedState: string;
    tenantId: string;
    appId: string;
    secret: string;
    fetch?: FetchLike;
  },
): Promise<Connection> {
  const state = input.callbackUrl.searchParams.get("state") ?? "";
  if (
    typeof input.expectedState !== "string" ||
    input.expectedState === "" ||
    !timingSafeEqual(state, input.expectedState)
  )
    throw new ConnectError(
      ErrorCode.CONNECT_STATE_INVALID,
      "tiktok-ads: the callback's state does not match this session",
    );
  const authCode = input.callbackUrl.searchParams.get("auth_code");
  if (authCode === null || authCode === "")
    throw new ConnectError(
      ErrorCode.CONNECT_DENIED,
      "tiktok-ads: the advertiser did not authorize the app",
    );
  if (input.secret === "") throw new ConfigError('"secret" must be the TikTok app secret');
  const { accessToken } = await exchangeTikTokAuthCode({
    appId: input.appId,
    secret: input.secret,
    authCode,
    ...(input.fetch !== undefined && { fetch: input.fetch }),
  });
  return patchbay.connect.withCredentials({
    tenantId: input.tenantId,
    connector: "tiktok-ads",
    credentials: { accessToken },
  });
}
