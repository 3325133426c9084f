export {
  type GoogleAnalyticsDataApiOptions,
  type GoogleAnalyticsMeasurementProtocolOptions,
  type GoogleAnalyticsOptions,
  googleAnalytics,
} from "./connector.js";
export {
  ACCOUNT_SUMMARIES_URL,
  ANALYTICS_READONLY_SCOPE,
  DATA_API_BASE,
  GA_DOCS,
  MEASUREMENT_PROTOCOL_BASE,
  MP_COLLECT_PATH,
  MP_DEBUG_PATH,
  MP_LIMITS,
  MP_RESERVED_EVENT_NAMES,
  MP_RESERVED_PARAM_NAMES,
  MP_RESERVED_PREFIXES,
  MP_RESERVED_USER_PROPERTY_NAMES,
  runReportPath,
} from "./endpoints.js";
export {
  buildMeasurementPayloads,
  parseValidationResponse,
  type SendMpEventsResult,
  validateMeasurementPayload,
} from "./measurement-protocol.js";
export { nextHour, nextPacificMidnight, PropertyQuotaBook } from "./property-quota.js";
export { type ReportModelOptions, reportModel, reportRequest, toReportRecord } from "./reports.js";
export {
  AccountSummariesResponseSchema,
  type DataApiConfig,
  DataApiConfigSchema,
  type Ga4Property,
  type MeasurementProtocolConfig,
  MeasurementProtocolConfigSchema,
  type MeasurementProtocolCredentials,
  MeasurementProtocolCredentialsSchema,
  type MpEventInput,
  MpEventInputSchema,
  type MpPayload,
  type PropertyQuota,
  PropertyQuotaSchema,
  type ReportRecord,
  ReportRecordSchema,
  type RunReportResponse,
  RunReportResponseSchema,
  type SendMpEventsInput,
  SendMpEventsInputSchema,
  type ValidationMessage,
  ValidationMessageSchema,
  ValidationResponseSchema,
} from "./schemas.js";
