export {
  hashUser,
  normalizeEmail,
  normalizeExternalId,
  normalizePhone,
  sha256Hex,
} from "./advanced-matching.js";
export {
  envelopeError,
  TIKTOK_CODE,
  TIKTOK_RATE_LIMIT_WAIT_MS,
  tiktokErrorParser,
} from "./api-errors.js";
export { type TiktokPixelOptions, tiktokPixel } from "./connector.js";
export {
  EVENT_TRACK_PATH,
  TIKTOK_BUSINESS_API_BASE,
  TIKTOK_CONNECTION_TEST_CODE,
  TIKTOK_EVENTS_API_DOCS_URL,
  TIKTOK_MAX_EVENTS_PER_REQUEST,
} from "./endpoints.js";
export {
  type SendEventsInput,
  SendEventsInputSchema,
  type TiktokEnvelope,
  TiktokEnvelopeSchema,
  type TiktokEventInput,
  TiktokEventInputSchema,
  type TiktokPixelConfig,
  TiktokPixelConfigSchema,
  type TiktokPixelCredentials,
  TiktokPixelCredentialsSchema,
  type TiktokTrackRequest,
  type TiktokUserInput,
  TiktokUserInputSchema,
  type TiktokWireEvent,
  type TiktokWireUser,
} from "./schemas.js";
export {
  type BuildTrackOptions,
  buildTrackRequests,
  parseTrackResponse,
  type SendEventsResult,
} from "./web-events.js";
