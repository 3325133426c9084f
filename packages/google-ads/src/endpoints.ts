/**
 * Google Ads API (REST) endpoints the connector calls and the fake serves.
 *
 * @see https://developers.google.com/google-ads/api/rest/overview
 */

/**
 * The pinned Google Ads API version. v26 was released on 2026-10-14; each
 * major version lives about a year (v21 sunset 2026-08-05, v22 2026-10-07;
 * v25 is planned to sunset around August 2027), so plan to move to the next
 * major version within the year.
 *
 * @example
 * ```ts
 * `https://googleads.googleapis.com/${GOOGLE_ADS_API_VERSION}/customers:listAccessibleCustomers`;
 * ```
 * @see https://developers.google.com/google-ads/api/docs/sunset-dates
 */
export const GOOGLE_ADS_API_VERSION = "v26";

/**
 * The REST base URL of the pinned version.
 *
 * @example
 * ```ts
 * http: { baseUrl: GOOGLE_ADS_API_BASE_URL }
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export const GOOGLE_ADS_API_BASE_URL = `https://googleads.googleapis.com/${GOOGLE_ADS_API_VERSION}`;

/**
 * The only OAuth scope the Google Ads API accepts.
 *
 * @example
 * ```ts
 * googleOAuth(app, [GOOGLE_ADS_SCOPE]);
 * ```
 * @see https://developers.google.com/google-ads/api/docs/oauth/overview
 */
export const GOOGLE_ADS_SCOPE = "https://www.googleapis.com/auth/adwords";

/**
 * The Google Ads API reference.
 *
 * @example
 * ```ts
 * docsUrl: GOOGLE_ADS_DOCS_URL
 * ```
 * @see https://developers.google.com/google-ads/api/docs/start
 */
export const GOOGLE_ADS_DOCS_URL = "https://developers.google.com/google-ads/api/docs/start";

/**
 * `GET customers:listAccessibleCustomers`: the customers the OAuth user can reach directly.
 *
 * @example
 * ```ts
 * await http.get(LIST_ACCESSIBLE_CUSTOMERS_PATH);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/listAccessibleCustomers
 */
export const LIST_ACCESSIBLE_CUSTOMERS_PATH = "customers:listAccessibleCustomers";

/**
 * `POST customers/{id}/googleAds:search`: a GAQL query, paged with `pageToken`.
 *
 * @example
 * ```ts
 * searchPath("1234567890"); // "customers/1234567890/googleAds:search"
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.googleAds/search
 */
export function searchPath(customerId: string): string {
  return `customers/${customerId}/googleAds:search`;
}

/**
 * `POST customers/{id}:uploadClickConversions`: offline click conversions.
 *
 * @example
 * ```ts
 * uploadClickConversionsPath("1234567890"); // "customers/1234567890:uploadClickConversions"
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/uploadClickConversions
 */
export function uploadClickConversionsPath(customerId: string): string {
  return `customers/${customerId}:uploadClickConversions`;
}

/**
 * A customer id as Google Ads wants it in paths and headers: ten digits, no dashes.
 *
 * @example
 * ```ts
 * normalizeCustomerId("123-456-7890"); // "1234567890"
 * normalizeCustomerId("customers/1234567890"); // "1234567890"
 * ```
 * @see https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid
 */
export function normalizeCustomerId(value: string): string {
  return value.replace(/^customers\//, "").replace(/-/g, "");
}
