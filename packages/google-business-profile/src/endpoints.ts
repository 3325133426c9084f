/**
 * Google Business Profile endpoints the connector calls and the fake serves.
 * The profile is spread over several APIs: Account Management and Business
 * Information (v1, One Platform), the older My Business API v4 (reviews,
 * local posts), Performance (v1) and Notifications (v1).
 *
 * @see https://developers.google.com/my-business/content/overview
 */

/**
 * The Account Management API: `GET /accounts`.
 *
 * @example
 * ```ts
 * `${ACCOUNT_MANAGEMENT_API}/accounts`;
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list
 */
export const ACCOUNT_MANAGEMENT_API = "https://mybusinessaccountmanagement.googleapis.com/v1";

/**
 * The Business Information API: `GET /accounts/{a}/locations?readMask=`.
 *
 * @example
 * ```ts
 * `${BUSINESS_INFORMATION_API}/accounts/123/locations`;
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list
 */
export const BUSINESS_INFORMATION_API = "https://mybusinessbusinessinformation.googleapis.com/v1";

/**
 * The My Business API v4, still the home of reviews and local posts.
 *
 * @example
 * ```ts
 * `${MY_BUSINESS_V4_API}/accounts/123/locations/456/reviews`;
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list
 */
export const MY_BUSINESS_V4_API = "https://mybusiness.googleapis.com/v4";

/**
 * The Business Profile Performance API (daily metrics).
 *
 * @example
 * ```ts
 * `${PERFORMANCE_API}/locations/456:fetchMultiDailyMetricsTimeSeries`;
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries
 */
export const PERFORMANCE_API = "https://businessprofileperformance.googleapis.com/v1";

/**
 * The Notifications API: one Pub/Sub setting per account.
 *
 * @example
 * ```ts
 * `${NOTIFICATIONS_API}/accounts/123/notificationSetting`;
 * ```
 * @see https://developers.google.com/my-business/reference/notifications/rest/v1/accounts/updateNotificationSetting
 */
export const NOTIFICATIONS_API = "https://mybusinessnotifications.googleapis.com/v1";

/**
 * The only OAuth scope the Business Profile APIs accept.
 *
 * @example
 * ```ts
 * googleOAuth(app, [GBP_SCOPE]);
 * ```
 * @see https://developers.google.com/my-business/content/basic-setup
 */
export const GBP_SCOPE = "https://www.googleapis.com/auth/business.manage";

/**
 * The location fields the connector reads (Business Information requires a
 * `readMask` on every read and returns only those fields).
 *
 * @example
 * ```ts
 * query: { readMask: LOCATION_READ_MASK.join(",") }
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations#Location
 */
export const LOCATION_READ_MASK = [
  "name",
  "title",
  "storeCode",
  "languageCode",
  "phoneNumbers",
  "categories",
  "storefrontAddress",
  "websiteUri",
  "metadata",
  "openInfo",
] as const;

// Google's signing keys (`GOOGLE_CERTS_URL`) and token issuers (`GOOGLE_ISSUERS`)
// for Pub/Sub push tokens live in `@patchbay/google-common`, shared by the
// Google connectors; re-exported here for compatibility.
export { GOOGLE_CERTS_URL, GOOGLE_ISSUERS } from "@patchbay/google-common";

/**
 * The service account Business Profile publishes notifications as: grant it
 * "Pub/Sub Publisher" on the topic.
 *
 * @example
 * ```sh
 * gcloud pubsub topics add-iam-policy-binding gbp --member=serviceAccount:mybusiness-api-pubsub@system.gserviceaccount.com --role=roles/pubsub.publisher
 * ```
 * @see https://developers.google.com/my-business/content/notification-setup
 */
export const GBP_PUSH_PUBLISHER = "mybusiness-api-pubsub@system.gserviceaccount.com";

/**
 * The bare id of an account (`"123"` from `"accounts/123"` or `"123"`).
 *
 * @example
 * ```ts
 * accountIdOf("accounts/123"); // "123"
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts
 */
export function accountIdOf(name: string): string {
  return name.replace(/^accounts\//, "");
}

/**
 * The bare id of a location, from any of its names (`locations/456`,
 * `accounts/123/locations/456`, or `456`).
 *
 * @example
 * ```ts
 * locationIdOf("accounts/123/locations/456"); // "456"
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations
 */
export function locationIdOf(name: string): string {
  const match = /(?:^|\/)locations\/([^/:]+)/.exec(name);
  return match?.[1] ?? name;
}

/**
 * The v4 parent of a location's reviews and posts: `accounts/{a}/locations/{l}`.
 *
 * @example
 * ```ts
 * v4LocationName("123", "locations/456"); // "accounts/123/locations/456"
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list
 */
export function v4LocationName(accountId: string, location: string): string {
  return `accounts/${accountIdOf(accountId)}/locations/${locationIdOf(location)}`;
}
