/**
 * TikTok API for Business (Marketing API v1.3) endpoints the connector
 * calls and the fake serves.
 *
 * @see https://business-api.tiktok.com/portal/docs
 */

/**
 * The Marketing API base URL (v1.3). Paths end with a slash, as TikTok's do.
 *
 * @example
 * ```ts
 * `${TIKTOK_API_BASE_URL}/report/integrated/get/`;
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740579480076290
 */
export const TIKTOK_API_BASE_URL = "https://business-api.tiktok.com/open_api/v1.3";

/**
 * The advertiser authorization page: `?app_id=&state=&redirect_uri=`. TikTok
 * redirects back with `auth_code` (and the same value as `code`) and `state`.
 * The connector's `oauth2()` declaration sends the user here from
 * `connect.start`.
 *
 * @example
 * ```ts
 * new URL(TIKTOK_AUTHORIZE_URL).searchParams.set("app_id", appId);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export const TIKTOK_AUTHORIZE_URL = "https://business-api.tiktok.com/portal/auth";

/**
 * `POST oauth2/access_token/` with JSON `{ app_id, secret, auth_code }`.
 *
 * @example
 * ```ts
 * `${TIKTOK_API_BASE_URL}/${ACCESS_TOKEN_PATH}`;
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export const ACCESS_TOKEN_PATH = "oauth2/access_token/";

/**
 * The auth-code exchange's full URL: the connector's `tokenUrl`.
 *
 * @example
 * ```ts
 * await fetch(TIKTOK_ACCESS_TOKEN_URL, { method: "POST", headers: { "content-type": "application/json" }, body });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export const TIKTOK_ACCESS_TOKEN_URL = `${TIKTOK_API_BASE_URL}/${ACCESS_TOKEN_PATH}`;

/**
 * `GET oauth2/advertiser/get/?app_id&secret`: the advertisers a token may act for.
 *
 * @example
 * ```ts
 * await http.get(ADVERTISER_GET_PATH, { query: { app_id, secret } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738455508553729
 */
export const ADVERTISER_GET_PATH = "oauth2/advertiser/get/";

/**
 * `GET report/integrated/get/`: synchronous integrated reports.
 *
 * @example
 * ```ts
 * await http.get(INTEGRATED_REPORT_PATH, { query: { advertiser_id, report_type: "BASIC" } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
export const INTEGRATED_REPORT_PATH = "report/integrated/get/";

/**
 * The TikTok API for Business reference.
 *
 * @example
 * ```ts
 * docsUrl: TIKTOK_ADS_DOCS_URL
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export const TIKTOK_ADS_DOCS_URL = "https://business-api.tiktok.com/portal/docs";
