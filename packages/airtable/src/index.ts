export {
  type AirtableCommonOptions,
  type AirtableOAuthOptions,
  type AirtableOptions,
  type AirtablePatOptions,
  airtable,
} from "./connector.js";
export {
  AIRTABLE_API_BASE_URL,
  AIRTABLE_DOCS_URL,
  AIRTABLE_OAUTH,
  AIRTABLE_SCOPES,
  BASES_PATH,
  recordPath,
  recordsPath,
  tablesPath,
  WHOAMI_PATH,
  webhookPath,
  webhookPayloadsPath,
  webhookRefreshPath,
  webhooksPath,
} from "./endpoints.js";
export {
  AIRTABLE_ERROR,
  AIRTABLE_RATE_LIMIT_WAIT_MS,
  airtableErrorParser,
  airtableErrorParts,
} from "./error-parser.js";
export { AIRTABLE_RATE_LIMIT, airtableRateLimitKey } from "./rate-limit.js";
export { configuredTable, flattenRecord, readRecords, recordIdFormula } from "./records.js";
export {
  AIRTABLE_ID,
  type AirtableBase,
  AirtableBaseSchema,
  type AirtableConfig,
  AirtableConfigSchema,
  type AirtableField,
  AirtableFieldSchema,
  type AirtableRecord,
  type AirtableRecordData,
  AirtableRecordDataSchema,
  AirtableRecordSchema,
  type AirtableTable,
  AirtableTableSchema,
  type AirtableView,
  AirtableViewSchema,
  type AirtableWebhook,
  AirtableWebhookSchema,
  BaseSchemaResponseSchema,
  CreateWebhookResponseSchema,
  DeleteRecordsResponseSchema,
  ListBasesResponseSchema,
  type ListRecordsResponse,
  ListRecordsResponseSchema,
  type ListWebhookPayloadsResponse,
  ListWebhookPayloadsResponseSchema,
  ListWebhooksResponseSchema,
  RefreshWebhookResponseSchema,
  type WebhookPayload,
  WebhookPayloadSchema,
  type WebhookPing,
  WebhookPingSchema,
  type WebhookSpecification,
  WebhookSpecificationSchema,
  type WebhookTableChanges,
  WebhookTableChangesSchema,
  WhoamiResponseSchema,
  type WriteRecordsResponse,
  WriteRecordsResponseSchema,
} from "./schemas.js";
export {
  LIST_PAGE_SIZE,
  MODIFIED_OVERLAP_MS,
  modifiedAfterFormula,
  PAYLOAD_PAGE_LIMIT,
} from "./sync.js";
export { COMPUTED_FIELD_TYPES, RESERVED_RECORD_KEYS } from "./table-schema.js";
export {
  AIRTABLE_MAC_HEADER,
  verifyAirtableSignature,
  WEBHOOK_REFRESH_EVERY_MINUTES,
  webhookSpecification,
} from "./webhooks.js";
export { AIRTABLE_WRITE_BATCH_SIZE } from "./write.js";
