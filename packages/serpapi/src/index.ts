export {
  assertSearchesLeft,
  fetchSerpApiAccount,
  SERPAPI_QUOTA_METADATA_KEY,
  serpApiQuotaFromAccount,
  serpApiQuotaMetadata,
  serpApiQuotaOf,
} from "./account.js";
export { type SerpApiOptions, serpApi } from "./connector.js";
export {
  SERPAPI_DOCS,
  SERPAPI_MAPS_PAGE_SIZE,
  SERPAPI_ORIGIN,
  SERPAPI_PATHS,
} from "./endpoints.js";
export { parseSerpApiError, SERPAPI_ERROR } from "./error-parser.js";
export {
  checkRank,
  isTrackedBusiness,
  locationLabel,
  rankingId,
  rankingsModel,
} from "./rankings.js";
export {
  type Ranking,
  RankingSchema,
  SERPAPI_LL_PATTERN,
  type SerpApiAccount,
  SerpApiAccountSchema,
  type SerpApiCompetitor,
  SerpApiCompetitorSchema,
  type SerpApiConfig,
  SerpApiConfigSchema,
  SerpApiErrorBodySchema,
  type SerpApiLocalResult,
  SerpApiLocalResultSchema,
  type SerpApiMapsSearch,
  SerpApiMapsSearchSchema,
  type SerpApiQuota,
  SerpApiQuotaSchema,
  type SerpApiSearchLocation,
  SerpApiSearchLocationSchema,
} from "./schemas.js";
