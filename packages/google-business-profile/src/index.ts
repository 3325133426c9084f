/**
 * `@patchbay/google-business-profile`: the Google Business Profile connector
 * for Patchbay.
 *
 * @see https://developers.google.com/my-business/content/overview
 */
export {
  connectionAccount,
  connectionLocations,
  listAccounts,
  locationPages,
  syncLocations,
} from "./account.js";
export { type GoogleBusinessProfileOptions, googleBusinessProfile } from "./connector.js";
export {
  ACCOUNT_MANAGEMENT_API,
  accountIdOf,
  BUSINESS_INFORMATION_API,
  GBP_PUSH_PUBLISHER,
  GBP_SCOPE,
  GOOGLE_CERTS_URL,
  GOOGLE_ISSUERS,
  LOCATION_READ_MASK,
  locationIdOf,
  MY_BUSINESS_V4_API,
  NOTIFICATIONS_API,
  PERFORMANCE_API,
  v4LocationName,
} from "./endpoints.js";
export { parseBusinessProfileError } from "./error-parser.js";
export { createPost, syncLocalPosts, toLocalPostRecord } from "./local-posts.js";
export {
  checkPubSubOptions,
  type GbpNotification,
  type GbpPubSubOptions,
  gbpNotificationLifecycle,
  gbpPushWebhooks,
  readNotification,
} from "./notifications.js";
export { dailyRangeQuery, syncDailyMetrics, toDailyMetricRecords } from "./performance.js";
export {
  googleKeySource,
  type JsonWebKeySet,
  type PushTokenExpectations,
  verifyPushToken,
} from "./push-token.js";
export {
  editedLocation,
  GBP_EDITS_PER_MINUTE,
  GBP_REQUESTS_PER_MINUTE,
  googleBusinessProfileRateLimits,
} from "./rate-limit.js";
export {
  type ReviewFields,
  replyToReview,
  starRatingValue,
  syncReviews,
  toReviewRecord,
} from "./reviews.js";
export {
  CALL_TO_ACTION_TYPES,
  type CreatePostInput,
  CreatePostInputSchema,
  DAILY_METRICS,
  type DailyMetricRecord,
  DailyMetricRecordSchema,
  DEFAULT_DAILY_METRICS,
  GbpNotificationSchema,
  type GoogleBusinessProfileConfig,
  GoogleBusinessProfileConfigSchema,
  type LocalPostRecord,
  LocalPostRecordSchema,
  type LocationRecord,
  LocationRecordSchema,
  NOTIFICATION_TYPES,
  PubSubPushSchema,
  type ReplyToReviewInput,
  ReplyToReviewInputSchema,
  type ReviewRecord,
  ReviewRecordSchema,
  STAR_RATINGS,
  type WireAccount,
  WireAccountSchema,
  type WireReview,
  WireReviewSchema,
} from "./schemas.js";
export { settingsOf } from "./settings.js";
