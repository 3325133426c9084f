export {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_PAT,
  type AirtableFake,
  type AirtableFakeOptions,
  createAirtableFake,
  type FakeTableRef,
  PITCHES_FIELDS,
} from "./fake.js";
export { type CompiledFormula, compileFormula, type FormulaRecord } from "./formula.js";
export type {
  FakePersonalAccessToken,
  FakeRateLimitOptions,
  FakeRequestLogEntry,
} from "./handlers.js";
export {
  AIRTABLE_SANDBOX_CLIENT,
  AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID,
  AIRTABLE_SANDBOX_REDIRECT_URIS,
  AIRTABLE_TOKEN_RESPONSE_EXTRAS,
  createAirtableOAuthFake,
} from "./oauth.js";
export { airtableError, airtableNotFound, airtableRateLimited } from "./responses.js";
export type {
  AirtableFakeState,
  FakeBase,
  FakeField,
  FakeFieldSpec,
  FakePayload,
  FakeRecord,
  FakeTable,
  FakeView,
  FakeWebhook,
} from "./state.js";
