export { type MetaPixelOptions, metaPixel } from "./connector.js";
export {
  type HashedUserData,
  hashUserData,
  isSha256Hex,
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizePhone,
  normalizeState,
  normalizeZip,
  sha256Hex,
} from "./customer-information.js";
export {
  META_CAPI_DOCS_URL,
  META_GRAPH_API_BASE,
  META_GRAPH_API_VERSION,
  META_MAX_EVENT_AGE_MS,
  META_MAX_EVENTS_PER_REQUEST,
  pixelEventsPath,
  pixelPath,
} from "./endpoints.js";
export { META_GRAPH_ERROR, metaGraphErrorParser } from "./graph-errors.js";
export {
  ActionSourceSchema,
  EventsResponseSchema,
  type GraphErrorBody,
  GraphErrorBodySchema,
  type MetaEventInput,
  MetaEventInputSchema,
  type MetaEventsRequest,
  type MetaPixelConfig,
  MetaPixelConfigSchema,
  type MetaPixelCredentials,
  MetaPixelCredentialsSchema,
  type MetaServerEvent,
  type MetaUserData,
  type MetaUserInput,
  MetaUserInputSchema,
  PixelSchema,
  type SendEventsInput,
  SendEventsInputSchema,
} from "./schemas.js";
export {
  type BuildEventsOptions,
  type BuiltEventsRequests,
  buildEventsRequests,
  parseEventsResponse,
  type SendEventsResult,
} from "./server-events.js";
