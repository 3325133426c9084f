/**
 * Meta Graph API (Marketing API) endpoints the connector calls and the fake serves.
 *
 * @see https://developers.facebook.com/docs/marketing-api/overview
 */

/**
 * The pinned Graph API version. v25.0 shipped on 2026-02-18; Meta keeps each
 * version about two years.
 *
 * @example
 * ```ts
 * `https://graph.facebook.com/${META_GRAPH_API_VERSION}/me/adaccounts`;
 * ```
 * @see https://developers.facebook.com/docs/graph-api/changelog/versions
 */
export const META_GRAPH_API_VERSION = "v25.0";

/**
 * The Graph API base URL of the pinned version.
 *
 * @example
 * ```ts
 * http: { baseUrl: META_GRAPH_BASE_URL }
 * ```
 * @see https://developers.facebook.com/docs/graph-api/overview
 */
export const META_GRAPH_BASE_URL = `https://graph.facebook.com/${META_GRAPH_API_VERSION}`;

/**
 * Facebook Login endpoints: the login dialog and the token endpoint (code
 * exchange, and `grant_type=fb_exchange_token` for a long-lived token).
 *
 * @example
 * ```ts
 * oauth2({ ...META_OAUTH, clientId, clientSecret, scopes: META_ADS_SCOPES });
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 */
export const META_OAUTH = {
  authorizationUrl: `https://www.facebook.com/${META_GRAPH_API_VERSION}/dialog/oauth`,
  tokenUrl: `${META_GRAPH_BASE_URL}/oauth/access_token`,
} as const;

/**
 * The permission the connector asks for: read ads, insights and ad accounts.
 *
 * @example
 * ```ts
 * scopes: [...META_ADS_SCOPES]
 * ```
 * @see https://developers.facebook.com/docs/permissions#ads_read
 */
export const META_ADS_SCOPES = ["ads_read"] as const;

/**
 * The Marketing API reference.
 *
 * @example
 * ```ts
 * docsUrl: META_ADS_DOCS_URL
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export const META_ADS_DOCS_URL = "https://developers.facebook.com/docs/marketing-api";

/**
 * `GET /me/adaccounts`: the ad accounts the token can read.
 *
 * @example
 * ```ts
 * await http.get(AD_ACCOUNTS_PATH, { query: { fields: "id,name" } });
 * ```
 * @see https://developers.facebook.com/docs/graph-api/reference/user/adaccounts
 */
export const AD_ACCOUNTS_PATH = "me/adaccounts";

/**
 * An ad account id as Graph paths want it: `act_<digits>`.
 *
 * @example
 * ```ts
 * actId("1234567890"); // "act_1234567890"
 * actId("act_1234567890"); // "act_1234567890"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-account
 */
export function actId(adAccountId: string): string {
  return adAccountId.startsWith("act_") ? adAccountId : `act_${adAccountId}`;
}

/**
 * `GET /act_{id}/campaigns`.
 *
 * @example
 * ```ts
 * campaignsPath("123"); // "act_123/campaigns"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-account/campaigns
 */
export function campaignsPath(adAccountId: string): string {
  return `${actId(adAccountId)}/campaigns`;
}

/**
 * `POST /act_{id}/insights` (starts an async report run) and `GET` (sync).
 *
 * @example
 * ```ts
 * insightsPath("123"); // "act_123/insights"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-account/insights
 */
export function insightsPath(adAccountId: string): string {
  return `${actId(adAccountId)}/insights`;
}
