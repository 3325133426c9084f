export { type GoogleAdsOptions, googleAds } from "./connector.js";
export {
  clickConversionsBody,
  parseClickConversionsResponse,
  uploadClickConversions,
} from "./conversions.js";
export { listAccessibleCustomers } from "./customers.js";
export {
  GOOGLE_ADS_API_BASE_URL,
  GOOGLE_ADS_API_VERSION,
  GOOGLE_ADS_DOCS_URL,
  GOOGLE_ADS_SCOPE,
  LIST_ACCESSIBLE_CUSTOMERS_PATH,
  normalizeCustomerId,
  searchPath,
  uploadClickConversionsPath,
} from "./endpoints.js";
export {
  durationMs,
  findGoogleAdsFailure,
  googleAdsErrorCode,
  parseGoogleAdsError,
} from "./error-parser.js";
export {
  AD_GROUPS_QUERY,
  CAMPAIGNS_QUERY,
  customerOf,
  dailyMetricsQuery,
  metricsWindow,
  searchPages,
  syncAdGroups,
  syncCampaigns,
  syncDailyMetrics,
  toAdGroupRecord,
  toCampaignRecord,
  toDailyMetricRecord,
} from "./reports.js";
export {
  type AdGroupRecord,
  AdGroupRecordSchema,
  type CampaignRecord,
  CampaignRecordSchema,
  type ClickConversionInput,
  ClickConversionInputSchema,
  type DailyMetricRecord,
  DailyMetricRecordSchema,
  type GoogleAdsConfig,
  GoogleAdsConfigSchema,
  type GoogleAdsError,
  GoogleAdsErrorSchema,
  type GoogleAdsFailure,
  GoogleAdsFailureSchema,
  ListAccessibleCustomersResponseSchema,
  type SearchResponse,
  SearchResponseSchema,
  type UploadClickConversionsInput,
  UploadClickConversionsInputSchema,
  UploadClickConversionsResponseSchema,
  type UploadClickConversionsResult,
} from "./schemas.js";
