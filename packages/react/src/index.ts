export {
  createPatchbayClient,
  type FetchFunction,
  type PatchbayClient,
  type PatchbayClientOptions,
} from "./client.js";
export { ConfigureDialog, type ConfigureDialogProps } from "./configure-dialog.js";
export { ConnectDialog, type ConnectDialogProps } from "./connect-dialog.js";
export {
  DisconnectDialog,
  type DisconnectDialogProps,
  type DisconnectResult,
} from "./disconnect-dialog.js";
export {
  isPatchbayApiError,
  NETWORK_ERROR_CODE,
  PatchbayApiError,
  UNEXPECTED_RESPONSE_CODE,
} from "./errors.js";
export {
  FieldMappingEditor,
  type FieldMappingEditorProps,
  parseMappingError,
} from "./field-mapping-editor.js";
export { IntegrationCard, type IntegrationCardProps } from "./integration-card.js";
export {
  CATEGORY_LABELS,
  IntegrationsGrid,
  type IntegrationsGridProps,
} from "./integrations-grid.js";
export type { IntegrationsSnapshot } from "./integrations-store.js";
export {
  type FormValues,
  fieldErrorsFromMessage,
  fieldsFromSchema,
  humanize,
  initialFormValues,
  isSecretField,
  type JsonSchemaObject,
  type SchemaField,
  type SchemaFieldKind,
  toJsonValues,
  validateField,
  validateForm,
} from "./json-schema.js";
export {
  type IntegrationsState,
  PatchbayProvider,
  type PatchbayProviderProps,
  useIntegrations,
  usePatchbay,
} from "./provider.js";
export { SchemaFields, type SchemaFieldsProps } from "./schema-fields.js";
export {
  type IntegrationStatus,
  integrationStatus,
  STATUS_LABELS,
  StatusBadge,
  type StatusBadgeProps,
} from "./status-badge.js";
export { SyncHistory, type SyncHistoryProps } from "./sync-history.js";
export { formatDateTime, formatDuration, formatRelativeTime, useNow } from "./time.js";
export type {
  ApiErrorBody,
  CatalogueConnector,
  ConnectionWithHealth,
  MappingFields,
  PublicConnection,
  Serialized,
  TestResult,
  WireConnectionHealth,
  WireSyncOutcome,
  WireSyncRun,
} from "./types.js";
