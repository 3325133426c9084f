export {
  appSecretProof,
  exchangeForLongLivedToken,
  longLivedTokenUrl,
  metaOAuth,
  metaSystemUser,
} from "./auth.js";
export {
  type MetaAdsCommonOptions,
  type MetaAdsOAuthOptions,
  type MetaAdsOptions,
  type MetaAdsSystemUserOptions,
  metaAds,
} from "./connector.js";
export {
  AD_ACCOUNTS_PATH,
  actId,
  campaignsPath,
  insightsPath,
  META_ADS_DOCS_URL,
  META_ADS_SCOPES,
  META_GRAPH_API_VERSION,
  META_GRAPH_BASE_URL,
  META_OAUTH,
} from "./endpoints.js";
export { isMetaRateLimitCode, parseMetaError } from "./error-parser.js";
export { adAccountOf, GRAPH_PAGE_LIMIT, graphCall, graphPages } from "./graph.js";
export {
  INSIGHT_FIELDS,
  insightsParams,
  insightsWindow,
  type ReportRunTiming,
  runInsightsReport,
  syncDailyInsights,
  toInsightRecord,
} from "./insights.js";
export {
  type AdAccountRecord,
  AdAccountRecordSchema,
  CAMPAIGN_FIELDS,
  type CampaignRecord,
  CampaignRecordSchema,
  type GraphError,
  GraphErrorSchema,
  GraphPageSchema,
  type GraphPaging,
  GraphPagingSchema,
  type InsightRecord,
  InsightRecordSchema,
  type MetaAdsConfig,
  MetaAdsConfigSchema,
  type ReportRun,
  ReportRunSchema,
} from "./schemas.js";
export {
  createUsageThrottle,
  type MetaUsage,
  readMetaUsage,
  type UsageThrottle,
  type UsageThrottleOptions,
} from "./usage.js";
export {
  answerMetaHandshake,
  META_SIGNATURE_HEADER,
  metaLifecycle,
  metaWebhooks,
  verifyMetaSignature,
} from "./webhooks.js";
