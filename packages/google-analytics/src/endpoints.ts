/**
 * Google Analytics 4 URLs and limits: the Measurement Protocol (sending
 * events) and the Data and Admin APIs (reading reports). The connector and
 * the fake both import these.
 */

/**
 * The Measurement Protocol host.
 *
 * @example
 * ```ts
 * `${MEASUREMENT_PROTOCOL_BASE}/${MP_COLLECT_PATH}?measurement_id=G-XXXX&api_secret=...`;
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference
 */
export const MEASUREMENT_PROTOCOL_BASE = "https://www.google-analytics.com";

/**
 * `POST mp/collect`: send events. Always answers 2xx, even for bad events.
 *
 * @example
 * ```ts
 * await http.post(MP_COLLECT_PATH, { json: payload });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export const MP_COLLECT_PATH = "mp/collect";

/**
 * `POST debug/mp/collect`: the validation server. Same request; answers
 * `{ validationMessages: [...] }` and records nothing. It does not check
 * `api_secret`.
 *
 * @example
 * ```ts
 * const { data } = await http.post(MP_DEBUG_PATH, { json: payload });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events
 */
export const MP_DEBUG_PATH = "debug/mp/collect";

/**
 * The Data API v1beta base URL.
 *
 * @example
 * ```ts
 * `${DATA_API_BASE}/${runReportPath("123456789")}`;
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest
 */
export const DATA_API_BASE = "https://analyticsdata.googleapis.com/v1beta";

/**
 * `POST properties/{id}:runReport`.
 *
 * @example
 * ```ts
 * await http.post(runReportPath("123456789"), { json: request });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport
 */
export function runReportPath(propertyId: string): string {
  return `properties/${encodeURIComponent(propertyId)}:runReport`;
}

/**
 * `GET accountSummaries` on the Admin API: every account and property the user can read.
 *
 * @example
 * ```ts
 * await http.get(ACCOUNT_SUMMARIES_URL, { query: { pageSize: 200 } });
 * ```
 * @see https://developers.google.com/analytics/devguides/config/admin/v1/rest/v1beta/accountSummaries/list
 */
export const ACCOUNT_SUMMARIES_URL =
  "https://analyticsadmin.googleapis.com/v1beta/accountSummaries";

/**
 * The only scope the Data API mode asks for: read-only reports and property lists.
 *
 * @example
 * ```ts
 * googleOAuth(app, [ANALYTICS_READONLY_SCOPE]);
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest
 */
export const ANALYTICS_READONLY_SCOPE = "https://www.googleapis.com/auth/analytics.readonly";

/**
 * The API references, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * googleAnalytics({ mode: "measurement-protocol" }).docsUrl === GA_DOCS.measurementProtocol;
 * ```
 * @see https://developers.google.com/analytics
 */
export const GA_DOCS = Object.freeze({
  measurementProtocol: "https://developers.google.com/analytics/devguides/collection/protocol/ga4",
  dataApi: "https://developers.google.com/analytics/devguides/reporting/data/v1",
});

/**
 * The Measurement Protocol's documented limits. The endpoint answers 2xx
 * and silently drops what breaks them, so the connector checks them first.
 *
 * @example
 * ```ts
 * events.length <= MP_LIMITS.eventsPerRequest;
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events#limitations
 */
export const MP_LIMITS = Object.freeze({
  eventsPerRequest: 25,
  paramsPerEvent: 25,
  userProperties: 25,
  eventNameLength: 40,
  paramNameLength: 40,
  /** String parameter values, standard properties (500 on Analytics 360). */
  paramValueLength: 100,
  userPropertyNameLength: 24,
  userPropertyValueLength: 36,
  itemCustomParams: 10,
  /** The POST body must be smaller than 130 kB. */
  bodyBytes: 130_000,
  /** `timestamp_micros` may backdate events by up to 72 hours. */
  backdateMs: 72 * 60 * 60 * 1000,
});

/**
 * Event names the Measurement Protocol reserves.
 *
 * @example
 * ```ts
 * MP_RESERVED_EVENT_NAMES.has("session_start"); // true
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#reserved_names
 */
export const MP_RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  "ad_activeview",
  "ad_click",
  "ad_exposure",
  "ad_impression",
  "ad_query",
  "ad_reward",
  "adunit_exposure",
  "app_background",
  "app_clear_data",
  "app_exception",
  "app_remove",
  "app_store_refund",
  "app_store_subscription_cancel",
  "app_store_subscription_convert",
  "app_store_subscription_renew",
  "app_update",
  "app_upgrade",
  "dynamic_link_app_open",
  "dynamic_link_app_update",
  "dynamic_link_first_open",
  "error",
  "firebase_campaign",
  "firebase_in_app_message_action",
  "firebase_in_app_message_dismiss",
  "firebase_in_app_message_impression",
  "first_open",
  "first_visit",
  "in_app_purchase",
  "notification_dismiss",
  "notification_foreground",
  "notification_open",
  "notification_receive",
  "os_update",
  "session_start",
  "session_start_with_rollout",
  "user_engagement",
]);

/**
 * Name prefixes the Measurement Protocol reserves for events, parameters
 * and user properties.
 *
 * @example
 * ```ts
 * MP_RESERVED_PREFIXES.some((p) => "ga_session".startsWith(p)); // true
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#reserved_names
 */
export const MP_RESERVED_PREFIXES: readonly string[] = Object.freeze([
  "_",
  "ga_",
  "google_",
  "firebase_",
]);

/**
 * Parameter names the Measurement Protocol reserves.
 *
 * @example
 * ```ts
 * MP_RESERVED_PARAM_NAMES.has("firebase_conversion"); // true
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#reserved_names
 */
export const MP_RESERVED_PARAM_NAMES: ReadonlySet<string> = new Set(["firebase_conversion"]);

/**
 * User-property names the Measurement Protocol reserves.
 *
 * @example
 * ```ts
 * MP_RESERVED_USER_PROPERTY_NAMES.has("user_id"); // true
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#reserved_names
 */
export const MP_RESERVED_USER_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  "first_open_time",
  "first_visit_time",
  "last_deep_link_referrer",
  "user_id",
  "first_open_after_install",
]);
