export {
  deriveLocationToken,
  type GhlDeriveContext,
  type GhlInstalledLocation,
  type GhlLocationToken,
  GhlLocationTokenSchema,
  listInstalledLocations,
} from "./agency.js";
export { dataOf, type GhlApiClient, type GhlApiClientOptions, ghlApiClient } from "./api-client.js";
export {
  bookAppointment,
  type GhlCalendarSummary,
  listCalendars,
  readAppointments,
  syncAppointments,
  toAppointmentRecord,
  writeAppointments,
} from "./appointments.js";
export {
  GHL_PRIVATE_INTEGRATION_FIELDS,
  type GoHighLevelCommonOptions,
  type GoHighLevelOAuthOptions,
  type GoHighLevelOptions,
  type GoHighLevelPrivateOptions,
  goHighLevel,
} from "./connector.js";
export {
  CONTACTS_PAGE_LIMIT,
  readContacts,
  syncContacts,
  toContactRecord,
  upsertContact,
  writeContacts,
} from "./contacts.js";
export {
  APPOINTMENT_PATH,
  APPOINTMENTS_PATH,
  CALENDAR_EVENTS_PATH,
  CALENDARS_PATH,
  CONTACT_PATH,
  CONTACTS_SEARCH_PATH,
  CONTACTS_UPSERT_PATH,
  EVENT_PATH,
  GHL_AGENCY_SCOPES,
  GHL_API_BASE_URL,
  GHL_API_VERSION,
  GHL_DOCS_URL,
  GHL_OAUTH,
  GHL_SCOPES,
  type GhlPath,
  INSTALLED_LOCATIONS_PATH,
  LOCATION_TOKEN_PATH,
} from "./endpoints.js";
export { ghlErrorMessage, ghlErrorParser } from "./error-parser.js";
export type { components, operations, paths } from "./generated/gohighlevel.js";
export { configuredLocation, isAgencyConnection, locationOf } from "./location.js";
export {
  GHL_RATE_LIMIT_HEADERS,
  GHL_RATE_LIMITS,
  type GhlRateLimitState,
  rateLimitWaitMs,
  readRateLimitHeaders,
} from "./rate-limit.js";
export {
  type BookAppointment,
  BookAppointmentFields,
  BookAppointmentInput,
  GHL_APPOINTMENT_STATUSES,
  type GhlAppointment,
  GhlAppointmentSchema,
  type GhlConfig,
  GhlConfigSchema,
  type GhlContact,
  GhlContactSchema,
  type GhlErrorBody,
  type GhlSearchBody,
  type GhlSearchContact,
  type GhlWebhookEnvelope,
  GhlWebhookEnvelopeSchema,
  type GhlWireCalendar,
  type GhlWireCalendarEvent,
  type GhlWireContact,
  type UpsertContact,
  UpsertContactFields,
  UpsertContactInput,
} from "./schemas.js";
export {
  deliveryTimestamp,
  GHL_LEGACY_WEBHOOK_PUBLIC_KEY,
  GHL_SIGNATURE_HEADERS,
  GHL_WEBHOOK_PUBLIC_KEY,
  GHL_WEBHOOK_TOLERANCE_SECONDS,
  type GhlWebhookKeys,
  ghlWebhooks,
  publicKeyOption,
  verifyGhlSignature,
  webhookActions,
} from "./webhooks.js";
export { describeIssues, failedWrite } from "./write-outcome.js";
