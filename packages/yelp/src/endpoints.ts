/**
 * Yelp Places API (formerly Fusion) URLs, shared by the connector and its fake.
 */

/**
 * The API base every call goes to.
 *
 * @example
 * ```ts
 * http: { baseUrl: YELP_API_BASE }
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export const YELP_API_BASE = "https://api.yelp.com/v3";

/**
 * Paths under {@link YELP_API_BASE}.
 *
 * @example
 * ```ts
 * await http.get(YELP_PATHS.business("bright-plumbing-co-austin"));
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export const YELP_PATHS = {
  /** `GET /businesses/search?location&term&limit`: the cheap read "Test connection" uses. */
  search: "businesses/search",
  /** `GET /businesses/matches?name&address1&city&state&country`: find a business's Yelp id. */
  matches: "businesses/matches",
  /** `GET /businesses/{id|alias}`: details, rating and review count. */
  business: (id: string): string => `businesses/${encodeURIComponent(id)}`,
  /** `GET /businesses/{id|alias}/reviews`: up to three review excerpts on base plans. */
  reviews: (id: string): string => `businesses/${encodeURIComponent(id)}/reviews`,
} as const;

/**
 * Response headers carrying the daily quota, sent on every response.
 *
 * @example
 * ```ts
 * response.headers.get(YELP_QUOTA_HEADERS.remaining); // "299"
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export const YELP_QUOTA_HEADERS = {
  dailyLimit: "RateLimit-DailyLimit",
  remaining: "RateLimit-Remaining",
  resourceDailyLimit: "RateLimit-ResourceDailyLimit",
  resourceRemaining: "RateLimit-ResourceRemaining",
  resetTime: "RateLimit-ResetTime",
} as const;

/**
 * Yelp's documentation pages the connector follows.
 *
 * @example
 * ```ts
 * defineConnector({ docsUrl: YELP_DOCS.reference, ... });
 * ```
 * @see https://docs.developer.yelp.com/
 */
export const YELP_DOCS = {
  reference: "https://docs.developer.yelp.com/reference/v3_business_info",
  authentication: "https://docs.developer.yelp.com/docs/places-authentication",
  rateLimiting: "https://docs.developer.yelp.com/docs/places-rate-limiting",
  match: "https://docs.developer.yelp.com/reference/v3_business_match",
  reviews: "https://docs.developer.yelp.com/reference/v3_business_reviews",
  errors: "https://docs.developer.yelp.com/docs/api-errors",
} as const;
