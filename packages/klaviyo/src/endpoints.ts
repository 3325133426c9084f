/**
 * Klaviyo's URLs, scopes and the pinned API revision. The fake serves these
 * same URLs, so a wrong one fails the tests.
 */
import { GENERATED_REVISION } from "./generated/rate-limits.js";

/**
 * The API origin; every path below hangs off it (`/api/...`).
 *
 * @example
 * ```ts
 * createClient<paths>({ baseUrl: KLAVIYO_API_ORIGIN, fetch });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export const KLAVIYO_API_ORIGIN = "https://a.klaviyo.com";

/**
 * The revision sent in the required `revision` header unless the host pins
 * another: the stable revision of the OpenAPI document the types were
 * generated from (`info.version`). Klaviyo answers each request in the shape
 * of the revision it names.
 *
 * @example
 * ```ts
 * klaviyo({ auth: "api_key", revision: KLAVIYO_DEFAULT_REVISION });
 * ```
 * @see https://developers.klaviyo.com/en/docs/api_versioning_and_deprecation_policy
 */
export const KLAVIYO_DEFAULT_REVISION: string = GENERATED_REVISION;

/**
 * A revision header value: `YYYY-MM-DD`, optionally with a suffix (`.pre` for beta).
 *
 * @example
 * ```ts
 * KLAVIYO_REVISION_PATTERN.test("2026-07-15"); // true
 * ```
 * @see https://developers.klaviyo.com/en/docs/api_versioning_and_deprecation_policy
 */
export const KLAVIYO_REVISION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z0-9]+)?$/;

/**
 * JSON:API's media type, which Klaviyo sends and accepts.
 *
 * @example
 * ```ts
 * headers.set("content-type", KLAVIYO_MEDIA_TYPE);
 * ```
 * @see https://jsonapi.org/format/#content-negotiation
 */
export const KLAVIYO_MEDIA_TYPE = "application/vnd.api+json";

/**
 * The API paths the connector calls (keys of the generated `paths`).
 *
 * @example
 * ```ts
 * await api.GET(KLAVIYO_PATHS.profiles, { params: { query: { "page[size]": 100 } } });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export const KLAVIYO_PATHS = {
  accounts: "/api/accounts",
  profiles: "/api/profiles",
  profileImport: "/api/profile-import",
  lists: "/api/lists",
  events: "/api/events",
  subscribeJobs: "/api/profile-subscription-bulk-create-jobs",
  webhookTopics: "/api/webhook-topics",
  webhooks: "/api/webhooks",
  webhook: "/api/webhooks/{id}",
} as const;

/**
 * Klaviyo's OAuth endpoints. The authorization page lives on www.klaviyo.com,
 * the token and revocation endpoints on a.klaviyo.com.
 *
 * @example
 * ```ts
 * oauth2({ ...KLAVIYO_OAUTH, clientId, clientSecret, scopes: [...KLAVIYO_SCOPES] });
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export const KLAVIYO_OAUTH = {
  authorizationUrl: "https://www.klaviyo.com/oauth/authorize",
  tokenUrl: "https://a.klaviyo.com/oauth/token",
  revocationUrl: "https://a.klaviyo.com/oauth/revoke",
} as const;

/**
 * The scopes the connector asks for: read profiles and lists, write profiles,
 * events and subscriptions, read the account, manage webhooks.
 *
 * @example
 * ```ts
 * patchbay.connect.start({ tenantId, connector: "klaviyo", scopes: [...KLAVIYO_SCOPES] });
 * ```
 * @see https://developers.klaviyo.com/en/docs/set_up_oauth
 */
export const KLAVIYO_SCOPES = [
  "accounts:read",
  "profiles:read",
  "profiles:write",
  "lists:read",
  "lists:write",
  "events:write",
  "subscriptions:write",
  "webhooks:read",
  "webhooks:write",
] as const;

/**
 * Klaviyo's developer documentation.
 *
 * @example
 * ```ts
 * defineConnector({ ..., docsUrl: KLAVIYO_DOCS_URL });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export const KLAVIYO_DOCS_URL = "https://developers.klaviyo.com/en/reference/api_overview";
