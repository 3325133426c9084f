/**
 * TikTok's Events API URLs. The connector and the fake both import these,
 * so the fake serves exactly what the connector calls.
 */

/**
 * The TikTok API for Business base URL (v1.3).
 *
 * @example
 * ```ts
 * `${TIKTOK_BUSINESS_API_BASE}/${EVENT_TRACK_PATH}`;
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TIKTOK_BUSINESS_API_BASE = "https://business-api.tiktok.com/open_api/v1.3";

/**
 * `POST event/track/`: Events API 2.0, one or more web events for a pixel.
 * The trailing slash is part of TikTok's path.
 *
 * @example
 * ```ts
 * await http.post(EVENT_TRACK_PATH, { json: { event_source: "web", event_source_id: pixelCode, data } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const EVENT_TRACK_PATH = "event/track/";

/**
 * The Events API reference, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * tiktokPixel().docsUrl === TIKTOK_EVENTS_API_DOCS_URL; // true
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TIKTOK_EVENTS_API_DOCS_URL =
  "https://business-api.tiktok.com/portal/docs?id=1771100865818625";

/**
 * Events per request the connector sends at most. TikTok's batch limit for
 * `data` is not confirmed here; 1000 is assumed (see the docs page).
 *
 * @example
 * ```ts
 * tiktokPixel({ batchSize: TIKTOK_MAX_EVENTS_PER_REQUEST });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TIKTOK_MAX_EVENTS_PER_REQUEST = 1000;

/**
 * The `test_event_code` "Test connection" uses when the connection has none
 * configured, so the check event lands only in the pixel's Test events tab.
 *
 * @example
 * ```ts
 * body.test_event_code = config.testEventCode ?? TIKTOK_CONNECTION_TEST_CODE;
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TIKTOK_CONNECTION_TEST_CODE = "TEST_PATCHBAY";
