/**
 * HighLevel's URLs, API versions and scopes. The connector and the fake both
 * import these, so the fake always serves exactly what the connector calls.
 */
import type { paths } from "./generated/gohighlevel.js";

/**
 * The API v2 base URL (LeadConnector); every path below is relative to it.
 *
 * @example
 * ```ts
 * `${GHL_API_BASE_URL}${CONTACTS_SEARCH_PATH}`; // "https://services.leadconnectorhq.com/contacts/search"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export const GHL_API_BASE_URL = "https://services.leadconnectorhq.com";

/**
 * The API reference, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId, clientSecret }).docsUrl === GHL_DOCS_URL; // true
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export const GHL_DOCS_URL = "https://marketplace.gohighlevel.com/docs/";

/**
 * HighLevel's OAuth 2.0 endpoints (Marketplace apps). The user picks the
 * sub-account (location) or agency on the "choose location" page; the token
 * endpoint takes a form-encoded body with `client_id` and `client_secret`.
 * HighLevel documents no PKCE and no revocation endpoint.
 *
 * @example
 * ```ts
 * new URL(GHL_OAUTH.tokenUrl).host; // "services.leadconnectorhq.com"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export const GHL_OAUTH = {
  authorizationUrl: "https://marketplace.gohighlevel.com/oauth/chooselocation",
  tokenUrl: "https://services.leadconnectorhq.com/oauth/token",
} as const;

/**
 * The `Version` header each endpoint family requires (from the published
 * OpenAPI documents): contacts and OAuth `2021-07-28`, calendars `2021-04-15`.
 * A request without it is refused.
 *
 * @example
 * ```ts
 * await client.GET("/calendars/", { params: { header: { Version: GHL_API_VERSION.calendars }, query: { locationId } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export const GHL_API_VERSION = {
  contacts: "2021-07-28",
  calendars: "2021-04-15",
  oauth: "2021-07-28",
} as const satisfies Record<string, string>;

/**
 * The scopes the connector asks for, least privilege for two-way contacts
 * and appointments:
 * - `contacts.readonly` / `contacts.write`: search, read, upsert, update and delete contacts;
 * - `calendars.readonly`: list calendars to pick from;
 * - `calendars/events.readonly` / `calendars/events.write`: read and book appointments.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId, clientSecret }).auth; // requests GHL_SCOPES
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/Scopes
 */
export const GHL_SCOPES: readonly string[] = Object.freeze([
  "contacts.readonly",
  "contacts.write",
  "calendars.readonly",
  "calendars/events.readonly",
  "calendars/events.write",
]);

/**
 * An API path of the pruned, generated OpenAPI types.
 *
 * @example
 * ```ts
 * const path: GhlPath = "/contacts/search";
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export type GhlPath = keyof paths;

/**
 * `POST /contacts/search`: the recommended way to list contacts (filters, sort, `searchAfter` paging).
 *
 * @example
 * ```ts
 * await client.POST(CONTACTS_SEARCH_PATH, { params: { header: { Version: "2021-07-28" } }, body: { locationId, pageLimit: 100 } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced
 */
export const CONTACTS_SEARCH_PATH = "/contacts/search" satisfies GhlPath;

/**
 * `POST /contacts/upsert`: create a contact, or update the one matching its
 * email or phone (following the location's "Allow duplicate contact" setting).
 *
 * @example
 * ```ts
 * await client.POST(CONTACTS_UPSERT_PATH, { params: { header: { Version: "2021-07-28" } }, body: { locationId, email } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/upsert-contact
 */
export const CONTACTS_UPSERT_PATH = "/contacts/upsert" satisfies GhlPath;

/**
 * `GET|PUT|DELETE /contacts/{contactId}`: one contact.
 *
 * @example
 * ```ts
 * await client.GET(CONTACT_PATH, { params: { header: { Version: "2021-07-28" }, path: { contactId } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export const CONTACT_PATH = "/contacts/{contactId}" satisfies GhlPath;

/**
 * `GET /calendars/?locationId=`: the location's calendars.
 *
 * @example
 * ```ts
 * await client.GET(CALENDARS_PATH, { params: { header: { Version: "2021-04-15" }, query: { locationId } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export const CALENDARS_PATH = "/calendars/" satisfies GhlPath;

/**
 * `GET /calendars/events?locationId&calendarId&startTime&endTime`: the
 * appointments of a calendar between two instants (epoch milliseconds). Not paged.
 *
 * @example
 * ```ts
 * await client.GET(CALENDAR_EVENTS_PATH, { params: { header: { Version: "2021-04-15" }, query: { locationId, calendarId, startTime: "1700000000000", endTime: "1710000000000" } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export const CALENDAR_EVENTS_PATH = "/calendars/events" satisfies GhlPath;

/**
 * `POST /calendars/events/appointments`: book an appointment.
 *
 * @example
 * ```ts
 * await client.POST(APPOINTMENTS_PATH, { params: { header: { Version: "2021-04-15" } }, body: { calendarId, locationId, contactId, startTime } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export const APPOINTMENTS_PATH = "/calendars/events/appointments" satisfies GhlPath;

/**
 * `GET|PUT /calendars/events/appointments/{eventId}`: read or edit one appointment.
 *
 * @example
 * ```ts
 * await client.PUT(APPOINTMENT_PATH, { params: { header: { Version: "2021-04-15" }, path: { eventId } }, body: { appointmentStatus: "showed" } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/edit-appointment
 */
export const APPOINTMENT_PATH = "/calendars/events/appointments/{eventId}" satisfies GhlPath;

/**
 * `DELETE /calendars/events/{eventId}`: delete an event (an appointment).
 *
 * @example
 * ```ts
 * await client.DELETE(EVENT_PATH, { params: { header: { Version: "2021-04-15" }, path: { eventId } }, body: {} });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/delete-event
 */
export const EVENT_PATH = "/calendars/events/{eventId}" satisfies GhlPath;

/**
 * The scopes an agency (Company) token needs on top of {@link GHL_SCOPES}
 * (`goHighLevel({ agency: true })` asks for them): `oauth.readonly` lists the
 * sub-accounts the app is installed on (`GET /oauth/installedLocations`),
 * `oauth.write` trades the agency token for a sub-account's
 * (`POST /oauth/locationToken`). From the `security` of both operations in
 * HighLevel's `apps/oauth.json` ("Agency-Access-Only").
 *
 * @example
 * ```ts
 * [...GHL_SCOPES, ...GHL_AGENCY_SCOPES].join(" ");
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export const GHL_AGENCY_SCOPES: readonly string[] = Object.freeze([
  "oauth.readonly",
  "oauth.write",
]);

/**
 * `POST /oauth/locationToken`: an agency (Company) token asks for a
 * sub-account (Location) token. Form-encoded `{ companyId, locationId }`,
 * `Version: 2021-07-28`; the connector calls it from its `deriveToken` hook
 * for agency connections with a `locationId` configured.
 *
 * @example
 * ```ts
 * await fetch(`${GHL_API_BASE_URL}${LOCATION_TOKEN_PATH}`, { method: "POST", headers: { authorization: `Bearer ${agencyToken}`, Version: "2021-07-28" }, body: new URLSearchParams({ companyId, locationId }) });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export const LOCATION_TOKEN_PATH = "/oauth/locationToken" satisfies GhlPath;

/**
 * `GET /oauth/installedLocations?companyId&appId&isInstalled=true&skip&limit`:
 * the agency's sub-accounts the app is installed on (agency token only),
 * `{ locations: [{ _id, name, address, isInstalled }], count, installToFutureLocations }`.
 *
 * @example
 * ```ts
 * await client.GET(INSTALLED_LOCATIONS_PATH, { params: { header: { Version: "2021-07-28" }, query: { companyId, appId, isInstalled: true } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-installed-location
 */
export const INSTALLED_LOCATIONS_PATH = "/oauth/installedLocations" satisfies GhlPath;
