export {
  callTikTok,
  parseTikTokHttpError,
  TIKTOK_CODES,
  type TikTokRetry,
  tiktokError,
} from "./api.js";
export { listAdvertisers, type TikTokAdsOptions, tiktokAds } from "./connector.js";
export {
  ACCESS_TOKEN_PATH,
  ADVERTISER_GET_PATH,
  INTEGRATED_REPORT_PATH,
  TIKTOK_ACCESS_TOKEN_URL,
  TIKTOK_ADS_DOCS_URL,
  TIKTOK_API_BASE_URL,
  TIKTOK_AUTHORIZE_URL,
} from "./endpoints.js";
export {
  advertisersOf,
  MAX_DAYS_PER_REQUEST,
  REPORT_METRICS,
  REPORT_PAGE_SIZE,
  reportRanges,
  syncCampaignDays,
  toCampaignDayRecord,
} from "./reports.js";
export {
  AccessTokenDataSchema,
  type AdvertiserRecord,
  AdvertiserRecordSchema,
  type CampaignDayRecord,
  CampaignDayRecordSchema,
  ReportDataSchema,
  type TikTokAdsConfig,
  TikTokAdsConfigSchema,
  type TikTokEnvelope,
  TikTokEnvelopeSchema,
} from "./schemas.js";
