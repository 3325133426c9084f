/**
 * Meta credentials: Facebook Login (OAuth 2.0, `ads_read`) or a Business
 * Manager system-user token pasted once, and the long-lived token exchange.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens
 */
import { createHmac } from "node:crypto";
import {
  type AuthSpec,
  ConfigError,
  customCredentials,
  type FetchLike,
  type Json,
  type MetadataHook,
  oauth2,
} from "@patchbay/core";
import { z } from "zod";
import { AD_ACCOUNTS_PATH, META_ADS_SCOPES, META_OAUTH } from "./endpoints.js";
import { GraphPageSchema } from "./schemas.js";

/**
 * `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app
 * secret, required by apps that turn on "Require App Secret".
 *
 * @example
 * ```ts
 * appSecretProof(token, appSecret); // "3f1c…"
 * ```
 * @see https://developers.facebook.com/docs/graph-api/securing-requests#appsecret_proof
 */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac("sha256", appSecret).update(accessToken).digest("hex");
}

/** Lists the user's ad accounts at connect time, so a single one needs no configuration. */
const listAdAccountIds: MetadataHook = async ({ http }) => {
  const { data } = await http.get(AD_ACCOUNTS_PATH, { query: { fields: "id", limit: 100 } });
  return { adAccountIds: GraphPageSchema.parse(data ?? {}).data.map((a) => String(a.id)) as Json };
};

/**
 * Facebook Login: the login dialog with `ads_read` (comma-separated scopes),
 * the app secret in the code exchange's body, no PKCE, no refresh tokens.
 *
 * @example
 * ```ts
 * auth: metaOAuth({ clientId: appId, clientSecret: appSecret })
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 */
export function metaOAuth(app: { clientId: string; clientSecret: string }): AuthSpec {
  return oauth2({
    ...META_OAUTH,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    scopes: [...META_ADS_SCOPES],
    scopeSeparator: ",",
    pkce: false,
    tokenEndpointAuthMethod: "client_secret_post",
    metadata: listAdAccountIds,
    // Facebook Login's code exchange yields a token of about an hour: trade it for a
    // long-lived one (about 60 days) before anything is stored.
    afterCodeExchange: async (tokens, { fetch, now }) => {
      const long = await exchangeForLongLivedToken({
        appId: app.clientId,
        appSecret: app.clientSecret,
        accessToken: tokens.accessToken,
        fetch,
        now,
      });
      return {
        ...tokens,
        accessToken: long.accessToken,
        tokenType: long.tokenType,
        expiresAt: long.expiresAt,
      };
    },
  });
}

/**
 * A system-user access token from Business Manager (Business settings →
 * System users → Generate token, with `ads_read`), sent as a bearer token,
 * with `appsecret_proof` when the app secret is known.
 *
 * @example
 * ```ts
 * auth: metaSystemUser({ appSecret })
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/system-users
 */
export function metaSystemUser(options: { appSecret?: string }): AuthSpec {
  return customCredentials({
    fields: z.object({
      accessToken: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9]{40,}$/, "must be a Meta access token (EAA…)")
        .describe("System-user access token"),
    }),
    apply: ({ accessToken }, request) => {
      request.headers.set("authorization", `Bearer ${accessToken}`);
      if (options.appSecret !== undefined)
        request.url.searchParams.set(
          "appsecret_proof",
          appSecretProof(accessToken, options.appSecret),
        );
    },
    metadata: listAdAccountIds,
  });
}

/**
 * The long-lived token exchange request:
 * `GET /oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token`.
 *
 * @example
 * ```ts
 * const url = longLivedTokenUrl({ appId, appSecret, accessToken: shortLived });
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 */
export function longLivedTokenUrl(input: {
  appId: string;
  appSecret: string;
  accessToken: string;
}): URL {
  const url = new URL(META_OAUTH.tokenUrl);
  url.searchParams.set("grant_type", "fb_exchange_token");
  url.searchParams.set("client_id", input.appId);
  url.searchParams.set("client_secret", input.appSecret);
  url.searchParams.set("fb_exchange_token", input.accessToken);
  return url;
}

/**
 * Exchange a short-lived user token (hours) for a long-lived one (about 60
 * days). There is no refresh token: before it expires the user logs in again.
 * An expired token cannot be exchanged.
 *
 * @throws ConfigError when Meta refuses the exchange (wrong app, expired token).
 * @example
 * ```ts
 * const { accessToken, expiresAt } = await exchangeForLongLivedToken({ appId, appSecret, accessToken: shortLived });
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 */
export async function exchangeForLongLivedToken(input: {
  appId: string;
  appSecret: string;
  accessToken: string;
  fetch?: FetchLike;
  now?: () => number;
}): Promise<{ accessToken: string; tokenType: string; expiresAt: number | null }> {
  const fetchFn = input.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const response = await fetchFn(longLivedTokenUrl(input), {
    headers: { accept: "application/json" },
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    token_type?: string;
    expires_in?: number;
    error?: { message?: string; code?: number };
  };
  if (!response.ok || typeof body.access_token !== "string")
    throw new ConfigError(
      `meta-ads: the long-lived token exchange failed (${response.status}${body.error?.code === undefined ? "" : `, code ${body.error.code}`}): ${body.error?.message ?? "no token returned"}`,
      {
        status: response.status,
        ...(body.error?.code !== undefined && { providerCode: String(body.error.code) }),
      },
    );
  const now = input.now ?? Date.now;
  return {
    accessToken: body.access_token,
    tokenType: body.token_type ?? "bearer",
    expiresAt: typeof body.expires_in === "number" ? now() + body.expires_in * 1000 : null,
  };
}
