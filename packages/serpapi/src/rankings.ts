/**
 * Local rank tracking: one `google_maps` search per keyword and location per
 * run, the business found by `place_id`, `data_id` or title.
 */
import {
  ConfigError,
  type ConnectorContext,
  defineModel,
  type Json,
  ProviderError,
  type QueryValue,
} from "@patchbay/core";
import { assertSearchesLeft, fetchSerpApiAccount, serpApiQuotaFromAccount } from "./account.js";
import { SERPAPI_MAPS_PAGE_SIZE, SERPAPI_PATHS } from "./endpoints.js";
import {
  type Ranking,
  RankingSchema,
  type SerpApiCompetitor,
  type SerpApiConfig,
  SerpApiConfigSchema,
  type SerpApiLocalResult,
  SerpApiMapsSearchSchema,
  type SerpApiSearchLocation,
} from "./schemas.js";

/** SerpApi answers 200 with this error when Google has no results: an empty page, not a failure. */
const NO_RESULTS = /hasn't returned any results/i;

/**
 * The label a location goes by in the rankings.
 *
 * @example
 * ```ts
 * locationLabel({ ll: "@30.2672,-97.7431,14z" }); // "@30.2672,-97.7431,14z"
 * locationLabel({ label: "Austin", location: "Austin, TX", z: 13 }); // "Austin"
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export function locationLabel(location: SerpApiSearchLocation): string {
  return location.label ?? ("ll" in location ? location.ll : location.location);
}

/**
 * A ranking's external id: `date|location|keyword`.
 *
 * @example
 * ```ts
 * rankingId("2026-03-27", "Austin", "plumber"); // "2026-03-27|Austin|plumber"
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export function rankingId(date: string, location: string, keyword: string): string {
  return `${date}|${location}|${keyword}`;
}

function normalTitle(title: string | undefined): string {
  return (title ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Whether a local result is the tracked business: same `place_id`, same
 * `data_id`, or (when neither id is configured) the same title, ignoring
 * case and punctuation.
 *
 * @example
 * ```ts
 * isTrackedBusiness({ title: "Bright Plumbing Co", place_id: "ChIJ1" }, { placeId: "ChIJ1" }); // true
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export function isTrackedBusiness(
  result: SerpApiLocalResult,
  business: SerpApiConfig["business"],
): boolean {
  if (business.placeId !== undefined && result.place_id === business.placeId) return true;
  if (business.dataId !== undefined && result.data_id === business.dataId) return true;
  if (business.placeId === undefined && business.dataId === undefined && business.title) {
    return normalTitle(result.title) === normalTitle(business.title);
  }
  return false;
}

function competitor(result: SerpApiLocalResult, position: number): SerpApiCompetitor {
  return {
    position,
    title: result.title,
    place_id: result.place_id ?? null,
    data_id: result.data_id ?? null,
    rating: result.rating ?? null,
    reviews: result.reviews ?? null,
  };
}

function searchQuery(
  config: SerpApiConfig,
  keyword: string,
  location: SerpApiSearchLocation,
  start: number,
): Record<string, QueryValue> {
  return {
    engine: "google_maps",
    type: "search",
    q: keyword,
    ...("ll" in location ? { ll: location.ll } : { location: location.location, z: location.z }),
    ...(start > 0 && { start }),
    hl: config.hl,
    gl: config.gl,
    google_domain: config.google_domain,
  };
}

/**
 * Check one keyword at one location: up to `pages` searches, stopping as
 * soon as the business is found or results run out.
 *
 * @param budget Searches this call may spend beyond its first page.
 * @example
 * ```ts
 * const { ranking, searches } = await checkRank(ctx, config, "plumber", config.locations[0], "2026-03-27", 0, new Date());
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export async function checkRank(
  ctx: Pick<ConnectorContext, "http" | "signal">,
  config: SerpApiConfig,
  keyword: string,
  location: SerpApiSearchLocation,
  date: string,
  budget: number,
  checkedAt: Date,
): Promise<{ ranking: Ranking; searches: number }> {
  const seen: SerpApiLocalResult[] = [];
  const searchIds: string[] = [];
  let found: number | null = null;
  let pages = 0;
  for (let page = 0; page < config.pages && (page === 0 || page <= budget); page++) {
    const { data } = await ctx.http.get(SERPAPI_PATHS.search, {
      query: searchQuery(config, keyword, location, page * SERPAPI_MAPS_PAGE_SIZE),
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    pages++;
    const body = SerpApiMapsSearchSchema.parse(data);
    searchIds.push(body.search_metadata.id);
    if (body.error !== undefined && !NO_RESULTS.test(body.error)) {
      throw new ProviderError(`SerpApi search for "${keyword}" failed: ${body.error}`, {
        providerCode: body.search_metadata.status,
      });
    }
    if (body.search_metadata.status === "Error" && body.error === undefined) {
      throw new ProviderError(`SerpApi search for "${keyword}" ended in status Error`);
    }
    // Google sometimes jumps straight to one place instead of a list.
    const results =
      body.local_results ?? (body.place_results === undefined ? [] : [body.place_results]);
    const offset = seen.length;
    seen.push(...results);
    const index = results.findIndex((r) => isTrackedBusiness(r, config.business));
    if (index !== -1) {
      found = offset + index + 1;
      break;
    }
    if (results.length < SERPAPI_MAPS_PAGE_SIZE || body.serpapi_pagination?.next === undefined) {
      break;
    }
  }
  const above = found === null ? seen : seen.slice(0, found - 1);
  const label = locationLabel(location);
  return {
    searches: pages,
    ranking: {
      id: rankingId(date, label, keyword),
      date,
      keyword,
      location: label,
      position: found,
      pagesChecked: pages,
      resultsChecked: seen.length,
      business: found === null ? null : competitor(seen[found - 1]!, found),
      competitorsAbove: above.slice(0, config.competitors).map((r, i) => competitor(r, i + 1)),
      searchIds,
      checkedAt: checkedAt.toISOString(),
    },
  };
}

/**
 * The `rankings` model. Each run first reads the Account API (free) and
 * stops with a `RateLimitError` (`INSUFFICIENT_SEARCHES`) when fewer
 * searches are left than keywords × locations; then it makes one search per
 * keyword and location (more pages only while the budget allows) and yields
 * one record per keyword and location for the day. Earlier days stay:
 * the listing is a day of history, not the whole set (`deleteMissing:
 * false`), so even a run forced with `mode: "full"` deletes nothing.
 *
 * @param now The clock, epoch ms: the ranking date is its UTC day.
 * @example
 * ```ts
 * models: { rankings: rankingsModel(Date.now) }
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export function rankingsModel(now: () => number) {
  return defineModel({
    description:
      "Daily Google Maps rank of your business per keyword and location, with the competitors above it.",
    schema: RankingSchema,
    key: "id",
    modes: ["full", "incremental"],
    deleteMissing: false,
    volatile: ["searchIds", "checkedAt"],
    updatedAt: (r) => r.checkedAt,
    async *sync(ctx) {
      const parsed = SerpApiConfigSchema.safeParse(ctx.config);
      if (!parsed.success) {
        throw new ConfigError(
          `SerpApi rank tracking needs "business", "keywords" and "locations" in the connection's config: ${parsed.error.issues
            .map((i) => `${i.path.join(".") || "config"}: ${i.message}`)
            .join("; ")}`,
        );
      }
      const config = parsed.data;
      const { placeId, dataId, title } = config.business;
      if (placeId === undefined && dataId === undefined && title === undefined) {
        throw new ConfigError(
          'SerpApi rank tracking: "business" needs a placeId, a dataId or a title to recognise your business',
        );
      }
      const quota = serpApiQuotaFromAccount(await fetchSerpApiAccount(ctx.http, ctx.signal), now());
      const needed = config.keywords.length * config.locations.length;
      assertSearchesLeft(quota, needed);
      let spare = quota.searchesLeft - needed;
      const checkedAt = new Date(now());
      const date = checkedAt.toISOString().slice(0, 10);
      for (const location of config.locations) {
        const records: Ranking[] = [];
        for (const keyword of config.keywords) {
          const { ranking, searches } = await checkRank(
            ctx,
            config,
            keyword,
            location,
            date,
            spare,
            checkedAt,
          );
          spare -= searches - 1;
          records.push(ranking);
        }
        yield { records };
      }
      const cursor: Json = { lastRunDate: date };
      yield { records: [], cursor };
    },
  });
}
