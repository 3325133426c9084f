export {
  createQuickBooksFake,
  QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
  type QuickBooksFake,
  type QuickBooksFakeOptions,
  type QuickBooksWebhookFormat,
} from "./fake.js";
export {
  createQuickBooksApiHandlers,
  type FakeApiContext,
  type FakeFaultSpec,
  type FakeRequestLogEntry,
  faultResponse,
  throttled,
} from "./handlers.js";
export {
  createQuickBooksOAuthFake,
  QUICKBOOKS_SANDBOX_APP,
  QUICKBOOKS_SANDBOX_REALM_ID,
  QUICKBOOKS_SANDBOX_REDIRECT_URIS,
  QUICKBOOKS_TOKEN_RESPONSE_EXTRAS,
} from "./oauth.js";
export { evaluateQuery, type ParsedQuery, parseQuery, propertyOf } from "./query.js";
export {
  type FakeChange,
  FakeFaultError,
  notFound,
  QuickBooksFakeState,
  qboTimestamp,
} from "./state.js";
