/**
 * Jobber's URLs and header names. The fake imports these too, so the
 * connector and its fake can never disagree about where Jobber lives.
 */

/**
 * Jobber's API origin: one host serves OAuth and GraphQL (there is no sandbox host).
 *
 * @example
 * ```ts
 * new URL("/api/graphql", JOBBER_API_ORIGIN).href; // JOBBER_GRAPHQL_URL
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export const JOBBER_API_ORIGIN = "https://api.getjobber.com";

/**
 * The one GraphQL endpoint: every query and mutation is a JSON `POST` here
 * (form encodings are refused since 2024-04-02).
 *
 * @example
 * ```ts
 * await http.post(JOBBER_GRAPHQL_URL, { json: { query: "query Account { account { id name } }" } });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export const JOBBER_GRAPHQL_URL = `${JOBBER_API_ORIGIN}/api/graphql`;

/**
 * Jobber's OAuth 2.0 endpoints (authorization code grant).
 *
 * @example
 * ```ts
 * oauth2({ ...JOBBER_OAUTH, clientId, clientSecret, scopes: [] });
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export const JOBBER_OAUTH = Object.freeze({
  authorizationUrl: `${JOBBER_API_ORIGIN}/api/oauth/authorize`,
  tokenUrl: `${JOBBER_API_ORIGIN}/api/oauth/token`,
});

/**
 * The required header that pins the GraphQL schema version (`YYYY-MM-DD`).
 *
 * @example
 * ```ts
 * headers: { [JOBBER_GRAPHQL_VERSION_HEADER]: JOBBER_DEFAULT_GRAPHQL_VERSION }
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_versioning
 */
export const JOBBER_GRAPHQL_VERSION_HEADER = "X-JOBBER-GRAPHQL-VERSION";

/**
 * The GraphQL version the connector's documents are written against: the
 * newest one in Jobber's changelog when this package was written.
 *
 * @example
 * ```ts
 * jobber({ clientId, clientSecret, graphqlVersion: "2025-04-16" });
 * ```
 * @see https://developer.getjobber.com/docs/changelog
 */
export const JOBBER_DEFAULT_GRAPHQL_VERSION = "2025-04-16";

/**
 * `YYYY-MM-DD`, the format of Jobber's version strings.
 *
 * @example
 * ```ts
 * JOBBER_GRAPHQL_VERSION_PATTERN.test("2025-04-16"); // true
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_versioning
 */
export const JOBBER_GRAPHQL_VERSION_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * The webhook signature header: base64 HMAC-SHA256 of the raw body, keyed
 * with the app's OAuth client secret. Lowercase, as `Headers` reads it.
 *
 * @example
 * ```ts
 * delivery.headers.get(JOBBER_WEBHOOK_SIGNATURE_HEADER);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks
 */
export const JOBBER_WEBHOOK_SIGNATURE_HEADER = "x-jobber-hmac-sha256";

/**
 * Jobber's API reference (the Developer Center docs).
 *
 * @example
 * ```ts
 * jobber(app).docsUrl === JOBBER_DOCS_URL; // true
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JOBBER_DOCS_URL = "https://developer.getjobber.com/docs";

/**
 * The rate-limit documentation Jobber links from its `THROTTLED` errors.
 *
 * @example
 * ```ts
 * error.extensions.documentation === JOBBER_RATE_LIMITS_URL;
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const JOBBER_RATE_LIMITS_URL =
  "https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits";
