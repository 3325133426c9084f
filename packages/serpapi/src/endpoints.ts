/**
 * SerpApi URLs, shared by the connector and its fake.
 */

/**
 * SerpApi's origin; every call takes `api_key` as a query parameter.
 *
 * @example
 * ```ts
 * http: { baseUrl: SERPAPI_ORIGIN }
 * ```
 * @see https://serpapi.com/search-api
 */
export const SERPAPI_ORIGIN = "https://serpapi.com";

/**
 * Paths under {@link SERPAPI_ORIGIN}.
 *
 * @example
 * ```ts
 * await http.get(SERPAPI_PATHS.search, { query: { engine: "google_maps", type: "search", q: "plumber", ll: "@30.2672,-97.7431,14z" } });
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SERPAPI_PATHS = {
  /** `GET /search.json?engine=google_maps&type=search&q&ll|location+z&start`: one search (counts against the plan). */
  search: "search.json",
  /** `GET /account.json`: plan, searches left, usage. Free: does not count against the plan. */
  account: "account.json",
} as const;

/**
 * Results per Google Maps page (`start` moves in steps of 20).
 *
 * @example
 * ```ts
 * const start = page * SERPAPI_MAPS_PAGE_SIZE; // 0, 20, 40
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SERPAPI_MAPS_PAGE_SIZE = 20;

/**
 * SerpApi's documentation pages the connector follows.
 *
 * @example
 * ```ts
 * defineConnector({ docsUrl: SERPAPI_DOCS.googleMaps, ... });
 * ```
 * @see https://serpapi.com/
 */
export const SERPAPI_DOCS = {
  googleMaps: "https://serpapi.com/google-maps-api",
  localResults: "https://serpapi.com/maps-local-results",
  account: "https://serpapi.com/account-api",
  errors: "https://serpapi.com/api-status-and-error-codes",
} as const;
