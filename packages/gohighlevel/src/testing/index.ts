export {
  createGhlFake,
  GHL_SANDBOX,
  GHL_SANDBOX_PRIVATE_TOKEN,
  GHL_SANDBOX_WEBHOOK_KEYS,
  type GhlFake,
  type GhlFakeOptions,
} from "./fake.js";
export {
  createGhlApiHandlers,
  type FakeApiContext,
  type FakePrivateIntegration,
  type FakeRateLimitOptions,
  type FakeRequestLogEntry,
  GHL_AUTH_CLASS_MESSAGE,
  GHL_SCOPE_MESSAGE,
  ghlError,
  renderContact,
} from "./handlers.js";
export {
  createGhlOAuthFake,
  GHL_SANDBOX_APP,
  GHL_SANDBOX_REDIRECT_URIS,
  type GhlInstallation,
  type GhlOAuthFake,
  type GhlOAuthFakeOptions,
} from "./oauth.js";
export {
  clean,
  type FakeAppointment,
  type FakeCalendar,
  type FakeChangeEvent,
  type FakeContact,
  type FakeLocation,
  GhlFakeState,
} from "./state.js";
