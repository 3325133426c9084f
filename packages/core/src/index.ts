export type { StoredCredentials } from "./auth/credentials.js";
export { revokeToken, type TokenEndpoint } from "./auth/oauth.js";
export * from "./auth/specs.js";
export {
  type ConnectionRef,
  TokenManager,
  type TokenManagerOptions,
} from "./auth/token-manager.js";
export * from "./connect.js";
export * from "./connection-client.js";
export * from "./connector/define.js";
export * from "./connector/registry.js";
export type * from "./connector/types.js";
export * from "./errors.js";
export * from "./events.js";
export {
  checkExportSchedule,
  defineExportSource,
  exportFileName,
  monthlySchedule,
  weeklySchedule,
} from "./exports/define.js";
export {
  csvField,
  EXPORT_MIME_TYPES,
  type RenderedExport,
  type RenderInput,
  renderExport,
} from "./exports/render.js";
export type {
  ExportServiceDeps,
  ExportSourceInfo,
  ExportsOptions,
  PatchbayExports,
} from "./exports/service.js";
export type * from "./exports/types.js";
export {
  createPatchbayHandler,
  type PatchbayHandlerOptions,
  type PatchbayRequestHandler,
  type RequestIdentity,
} from "./host/handler.js";
export * from "./http/index.js";
export type * from "./http/types.js";
export * from "./logger.js";
export * from "./patchbay.js";
export * from "./redact.js";
export { publicConnection } from "./store/connection.js";
export * from "./store/memory.js";
export type * from "./store/types.js";
export * from "./sync/changes.js";
export { prepareRecord, SyncEngine, type SyncEngineDeps, syncLeaseKey } from "./sync/engine.js";
export { recordHash, toCanonicalJson } from "./sync/hash.js";
export * from "./sync/in-process-scheduler.js";
export {
  type FieldMapping,
  toHostShape,
  toProviderShape,
  validateMapping,
} from "./sync/mapping.js";
export * from "./sync/schedule.js";
export type * from "./sync/types.js";
export type {
  ConflictPolicy,
  HostChange,
  WriteInput,
  WriteItemResult,
  WriteResult,
} from "./sync/write.js";
export * from "./validation.js";
export * from "./vault.js";
export {
  createWebhookHandler,
  parseWebhookPayload,
  type WebhookHandler,
  type WebhookHandlerDeps,
} from "./webhooks/handler.js";
export {
  type DigestEncoding,
  type HmacAlgorithm,
  type HmacSignatureCheck,
  hmac,
  type SignedData,
  timingSafeEqual,
  verifyHmacSignature,
} from "./webhooks/signing.js";
