export {
  createKlaviyoFake,
  type FakeRequestLogEntry,
  KLAVIYO_FAKE_WEBHOOK_TOPICS,
  KLAVIYO_SANDBOX_ACCOUNT_ID,
  KLAVIYO_SANDBOX_API_KEY,
  type KlaviyoFake,
  type KlaviyoFakeOptions,
} from "./fake.js";
export {
  type AllowedFilters,
  type FilterCondition,
  LIST_FILTERS,
  matchesFilter,
  PROFILE_FILTERS,
  parseFilter,
} from "./filter.js";
export {
  createKlaviyoOAuthFake,
  KLAVIYO_SANDBOX_APP,
  KLAVIYO_SANDBOX_REDIRECT_URIS,
} from "./oauth.js";
export { klaviyoError, klaviyoInvalid, klaviyoThrottled } from "./responses.js";
export {
  type FakeEvent,
  type FakeList,
  type FakeProfile,
  type FakeProfileAttributes,
  type FakeWebhook,
  KlaviyoFakeState,
  klaviyoTime,
  PROFILE_ATTRIBUTE_KEYS,
} from "./state.js";
