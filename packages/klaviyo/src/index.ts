export { klaviyoActions } from "./actions.js";
export {
  type KlaviyoOAuthApp,
  klaviyoApiKey,
  klaviyoOAuth,
  learnKlaviyoAccount,
} from "./auth.js";
export { bodyOf, type KlaviyoApi, klaviyoApi, nextCursor } from "./client.js";
export { type KlaviyoOptions, klaviyo } from "./connector.js";
export {
  KLAVIYO_API_ORIGIN,
  KLAVIYO_DEFAULT_REVISION,
  KLAVIYO_DOCS_URL,
  KLAVIYO_MEDIA_TYPE,
  KLAVIYO_OAUTH,
  KLAVIYO_PATHS,
  KLAVIYO_REVISION_PATTERN,
  KLAVIYO_SCOPES,
} from "./endpoints.js";
export {
  KLAVIYO_ERROR,
  type KlaviyoApiError,
  klaviyoErrorSource,
  klaviyoFirstError,
  parseKlaviyoError,
} from "./errors.js";
export type { components, operations, paths } from "./generated/klaviyo.js";
export { LISTS_PAGE_SIZE, listsModel } from "./models/lists.js";
export {
  importProfile,
  PROFILES_PAGE_SIZE,
  profileRecord,
  profilesModel,
  UPDATED_OVERLAP_MS,
  updatedAfterFilter,
  writeProfiles,
} from "./models/profiles.js";
export {
  KLAVIYO_RATE_TIERS,
  type KlaviyoRateLimit,
  type KlaviyoRateTier,
  klaviyoOperationLimit,
  klaviyoRateLimiter,
  klaviyoRateLimitSpecs,
  klaviyoRateTier,
  throttledFetch,
} from "./rate-limits.js";
export {
  type CreateEventInput,
  CreateEventInputSchema,
  KlaviyoApiKeyFieldsSchema,
  type KlaviyoConfig,
  KlaviyoConfigSchema,
  type KlaviyoList,
  KlaviyoListSchema,
  type KlaviyoLocation,
  KlaviyoLocationSchema,
  type KlaviyoProfile,
  type KlaviyoProfileInput,
  KlaviyoProfileInputSchema,
  KlaviyoProfileSchema,
  type KlaviyoWebhookBody,
  KlaviyoWebhookBodySchema,
  type SubscribeProfilesInput,
  SubscribeProfilesInputSchema,
} from "./schemas.js";
export {
  KLAVIYO_DEFAULT_WEBHOOK_TOPICS,
  KLAVIYO_REPLAY_TOLERANCE_SECONDS,
  KLAVIYO_WEBHOOK_HEADERS,
  klaviyoLifecycle,
  klaviyoWebhookSignature,
  klaviyoWebhooks,
  parseKlaviyoTimestamp,
  verifyKlaviyoSignature,
} from "./webhooks.js";
