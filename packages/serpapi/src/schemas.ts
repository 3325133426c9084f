/**
 * Zod schemas: the connection's config, SerpApi's wire shapes (SerpApi's
 * field names) and the `rankings` record (the connector's own, camelCase).
 */
import { z } from "zod";

/**
 * `@lat,lng,zoom` as Google Maps URLs write it, e.g. `@30.2672,-97.7431,14z`.
 *
 * @example
 * ```ts
 * SERPAPI_LL_PATTERN.test("@30.2672,-97.7431,14z"); // true
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SERPAPI_LL_PATTERN = /^@-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?,\d{1,2}(\.\d+)?z$/;

/**
 * Where a search originates: GPS coordinates with zoom (`ll`), or a place
 * name (`location`) with a zoom level `z` (SerpApi needs `z` or `m` with
 * `location`). `label` names the location in the rankings (default: the
 * `ll` or `location` text).
 *
 * @example
 * ```ts
 * const downtown: SerpApiSearchLocation = { label: "Downtown Austin", ll: "@30.2672,-97.7431,14z" };
 * const city: SerpApiSearchLocation = { location: "Austin, TX", z: 13 };
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SerpApiSearchLocationSchema = z.union([
  z.object({
    label: z.string().min(1).max(100).optional(),
    ll: z
      .string()
      .regex(SERPAPI_LL_PATTERN, 'must look like "@30.2672,-97.7431,14z"')
      .describe("GPS coordinates and zoom, @lat,lng,zoomz"),
  }),
  z.object({
    label: z.string().min(1).max(100).optional(),
    location: z.string().min(2).max(200).describe('A place name, e.g. "Austin, TX"'),
    z: z.number().int().min(3).max(21).default(14).describe("Map zoom, 3 (world) to 21 (street)"),
  }),
]);

/**
 * A search location (see {@link SerpApiSearchLocationSchema}).
 *
 * @example
 * ```ts
 * const value: SerpApiSearchLocation = SerpApiSearchLocationSchema.parse(data);
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export type SerpApiSearchLocation = z.infer<typeof SerpApiSearchLocationSchema>;

/**
 * The connection's settings: the business whose rank is tracked, the
 * keywords and locations to check, and how deep to look.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, {
 *   business: { placeId: "ChIJBrightPlumbingAustin", title: "Bright Plumbing Co." },
 *   keywords: ["plumber", "emergency plumber", "water heater repair"],
 *   locations: [{ label: "Austin", ll: "@30.2672,-97.7431,13z" }],
 * });
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SerpApiConfigSchema = z.object({
  business: z
    .object({
      placeId: z.string().min(1).optional().describe("Google place_id (most reliable)"),
      dataId: z
        .string()
        .min(1)
        .optional()
        .describe("Google Maps data_id, e.g. 0x8644b...:0x1a2b..."),
      title: z.string().min(1).optional().describe("Exact business name as Google Maps shows it"),
    })
    .describe("Your business: give placeId or dataId when you can; title is the fallback"),
  keywords: z.array(z.string().trim().min(1).max(200)).min(1).max(100),
  locations: z.array(SerpApiSearchLocationSchema).min(1).max(20),
  pages: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(1)
    .describe("Result pages of 20 to look through; each page is one search"),
  competitors: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(10)
    .describe("At most this many competitors above you are kept (all of them when not found)"),
  hl: z.string().min(2).max(5).default("en").describe("Language, e.g. en"),
  gl: z.string().length(2).optional().describe("Country, e.g. us"),
  google_domain: z.string().optional().describe("e.g. google.com"),
});

/**
 * The parsed config.
 *
 * @example
 * ```ts
 * const value: SerpApiConfig = SerpApiConfigSchema.parse(data);
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export type SerpApiConfig = z.infer<typeof SerpApiConfigSchema>;

/**
 * One Google Maps local result (unknown fields kept).
 *
 * @example
 * ```ts
 * const r = SerpApiLocalResultSchema.parse(data.local_results[0]); // { position: 1, title: "Austin Drain Pros", rating: 4.9, reviews: 341, ... }
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export const SerpApiLocalResultSchema = z.looseObject({
  position: z.number().int().optional(),
  title: z.string(),
  place_id: z.string().optional(),
  data_id: z.string().optional(),
  data_cid: z.string().optional(),
  rating: z.number().optional(),
  reviews: z.number().int().optional(),
  type: z.string().optional(),
  address: z.string().optional(),
});

/**
 * One local result.
 *
 * @example
 * ```ts
 * const value: SerpApiLocalResult = SerpApiLocalResultSchema.parse(data);
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export type SerpApiLocalResult = z.infer<typeof SerpApiLocalResultSchema>;

/**
 * A `google_maps` search response: local results (or a single
 * `place_results` when Google jumps straight to one place), metadata, and
 * pagination.
 *
 * @example
 * ```ts
 * const page = SerpApiMapsSearchSchema.parse(data);
 * page.search_metadata.status; // "Success"
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SerpApiMapsSearchSchema = z.looseObject({
  search_metadata: z.looseObject({
    id: z.string(),
    status: z.string(),
  }),
  search_information: z.looseObject({ local_results_state: z.string().optional() }).optional(),
  local_results: z.array(SerpApiLocalResultSchema).optional(),
  place_results: SerpApiLocalResultSchema.optional(),
  serpapi_pagination: z.looseObject({ next: z.string().optional() }).optional(),
  error: z.string().optional(),
});

/**
 * A `google_maps` search response.
 *
 * @example
 * ```ts
 * const value: SerpApiMapsSearch = SerpApiMapsSearchSchema.parse(data);
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export type SerpApiMapsSearch = z.infer<typeof SerpApiMapsSearchSchema>;

/**
 * The Account API's body (`api_key` and `account_email` are in it too; the
 * connector never stores them).
 *
 * @example
 * ```ts
 * const account = SerpApiAccountSchema.parse(data); // { plan_searches_left: 5958, searches_per_month: 30000, ... }
 * ```
 * @see https://serpapi.com/account-api
 */
export const SerpApiAccountSchema = z.looseObject({
  account_id: z.string().optional(),
  plan_id: z.string().optional(),
  plan_name: z.string().optional(),
  searches_per_month: z.number().int().optional(),
  plan_searches_left: z.number().int(),
  extra_credits: z.number().int().optional(),
  total_searches_left: z.number().int().optional(),
  this_month_usage: z.number().int().optional(),
  this_hour_searches: z.number().int().optional(),
  last_hour_searches: z.number().int().optional(),
  account_rate_limit_per_hour: z.number().int().optional(),
});

/**
 * The Account API's body.
 *
 * @example
 * ```ts
 * const value: SerpApiAccount = SerpApiAccountSchema.parse(data);
 * ```
 * @see https://serpapi.com/account-api
 */
export type SerpApiAccount = z.infer<typeof SerpApiAccountSchema>;

/**
 * SerpApi's error body.
 *
 * @example
 * ```ts
 * SerpApiErrorBodySchema.parse({ error: "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key" });
 * ```
 * @see https://serpapi.com/api-status-and-error-codes
 */
export const SerpApiErrorBodySchema = z.object({ error: z.string() });

/**
 * The monthly search quota, kept on the connection's metadata as
 * `serpApiQuota` (no key, no e-mail).
 *
 * @example
 * ```ts
 * const quota = SerpApiQuotaSchema.parse(connection.metadata.serpApiQuota);
 * if (quota.usedPercent !== null && quota.usedPercent >= 80) warn("SerpApi searches 80% used");
 * ```
 * @see https://serpapi.com/account-api
 */
export const SerpApiQuotaSchema = z.object({
  planName: z.string().nullable(),
  searchesPerMonth: z.number().int().nullable(),
  /** Searches left: `total_searches_left` (plan plus extra credits), else `plan_searches_left`. */
  searchesLeft: z.number().int(),
  thisMonthUsage: z.number().int().nullable(),
  accountRateLimitPerHour: z.number().int().nullable(),
  /** Share of the monthly searches used, 0–100 (one decimal), or `null` when unknown. */
  usedPercent: z.number().nullable(),
  observedAt: z.string(),
});

/**
 * The monthly search quota.
 *
 * @example
 * ```ts
 * const value: SerpApiQuota = SerpApiQuotaSchema.parse(data);
 * ```
 * @see https://serpapi.com/account-api
 */
export type SerpApiQuota = z.infer<typeof SerpApiQuotaSchema>;

/**
 * A competitor above the tracked business (SerpApi's field names).
 *
 * @example
 * ```ts
 * const c: SerpApiCompetitor = { position: 1, title: "Austin Drain Pros", place_id: "ChIJ...", data_id: "0x...", rating: 4.9, reviews: 341 };
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export const SerpApiCompetitorSchema = z.object({
  position: z.number().int(),
  title: z.string(),
  place_id: z.string().nullable(),
  data_id: z.string().nullable(),
  rating: z.number().nullable(),
  reviews: z.number().int().nullable(),
});

/**
 * A competitor above the tracked business.
 *
 * @example
 * ```ts
 * const value: SerpApiCompetitor = SerpApiCompetitorSchema.parse(data);
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export type SerpApiCompetitor = z.infer<typeof SerpApiCompetitorSchema>;

/**
 * One `rankings` record: where the business stood for one keyword and
 * location on one day (UTC), with the competitors above it. Keyed
 * `date|location|keyword`; a second run the same day replaces it.
 *
 * @example
 * ```ts
 * const r: Ranking = {
 *   id: "2026-03-27|Austin|plumber", date: "2026-03-27", keyword: "plumber", location: "Austin",
 *   position: 4, pagesChecked: 1, resultsChecked: 20,
 *   business: { position: 4, title: "Bright Plumbing Co.", place_id: "ChIJ...", data_id: "0x...", rating: 4.4, reviews: 128 },
 *   competitorsAbove: [...], searchIds: ["6612..."], checkedAt: "2026-03-27T15:00:00.000Z",
 * };
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const RankingSchema = z.object({
  id: z.string(),
  /** The run's day, `YYYY-MM-DD` (UTC). */
  date: z.string(),
  keyword: z.string(),
  /** The location's label. */
  location: z.string(),
  /** 1-based rank in Google Maps results, or `null` when not found within the pages checked. */
  position: z.number().int().nullable(),
  pagesChecked: z.number().int(),
  resultsChecked: z.number().int(),
  /** The business's own result when found. */
  business: SerpApiCompetitorSchema.nullable(),
  /** Results ranked above it (capped by `competitors`), best first. */
  competitorsAbove: z.array(SerpApiCompetitorSchema),
  /** SerpApi search ids (`search_metadata.id`), to open the searches in SerpApi's archive. */
  searchIds: z.array(z.string()),
  checkedAt: z.string(),
});

/**
 * One `rankings` record.
 *
 * @example
 * ```ts
 * const value: Ranking = RankingSchema.parse(data);
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export type Ranking = z.infer<typeof RankingSchema>;
