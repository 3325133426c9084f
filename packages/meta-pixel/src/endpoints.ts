/**
 * Meta's Graph API URLs for the Conversions API. The connector and the fake
 * both import these, so the fake serves exactly what the connector calls.
 */

/**
 * The Graph API host; every path carries a version (`/v25.0/...`).
 *
 * @example
 * ```ts
 * `${META_GRAPH_API_BASE}/${META_GRAPH_API_VERSION}/${pixelId}/events`;
 * ```
 * @see https://developers.facebook.com/docs/graph-api/overview
 */
export const META_GRAPH_API_BASE = "https://graph.facebook.com";

/**
 * The Graph API version the connector pins. Versions live about two years
 * (v25.0 shipped 2026-02-18); override it with `metaPixel({ graphApiVersion })`.
 *
 * @example
 * ```ts
 * metaPixel({ graphApiVersion: META_GRAPH_API_VERSION });
 * ```
 * @see https://developers.facebook.com/docs/graph-api/changelog/versions
 */
export const META_GRAPH_API_VERSION = "v25.0";

/**
 * The Conversions API reference, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * metaPixel().docsUrl === META_CAPI_DOCS_URL; // true
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export const META_CAPI_DOCS_URL =
  "https://developers.facebook.com/docs/marketing-api/conversions-api";

/**
 * `GET /{pixel-id}?fields=id,name`: the pixel (an AdsPixel node), used by
 * "Test connection" to prove the token can see it.
 *
 * @example
 * ```ts
 * await http.get(pixelPath("1234567890123456"), { query: { fields: "id,name" } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ads-pixel
 */
export function pixelPath(pixelId: string): string {
  return encodeURIComponent(pixelId);
}

/**
 * `POST /{pixel-id}/events`: send server events (Conversions API).
 *
 * @example
 * ```ts
 * await http.post(pixelEventsPath("1234567890123456"), { json: { data: [event] } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export function pixelEventsPath(pixelId: string): string {
  return `${encodeURIComponent(pixelId)}/events`;
}

/**
 * At most this many events in one request's `data` ("You can send up to
 * 1,000 events in data").
 *
 * @example
 * ```ts
 * chunks(events, META_MAX_EVENTS_PER_REQUEST);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#batch-requests
 */
export const META_MAX_EVENTS_PER_REQUEST = 1000;

/**
 * How old an event may be: "If any event_time in data is greater than 7
 * days in the past, we return an error for the entire request and process
 * no events." Physical-store events may be up to 62 days old.
 *
 * @example
 * ```ts
 * const oldest = now - META_MAX_EVENT_AGE_MS.website;
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#upload-time-versus-event-transaction-time
 */
export const META_MAX_EVENT_AGE_MS = Object.freeze({
  website: 7 * 24 * 60 * 60 * 1000,
  physical_store: 62 * 24 * 60 * 60 * 1000,
});
