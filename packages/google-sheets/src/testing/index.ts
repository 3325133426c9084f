export { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
export {
  createGoogleSheetsFake,
  type FakeRow,
  type FakeSheetsRequest,
  GOOGLE_SHEETS_SANDBOX_REDIRECT,
  type GoogleSheetsFake,
  type GoogleSheetsFakeOptions,
  type SeedSpreadsheetInput,
  type SheetChoice,
} from "./fake.js";
export type { Cell, FakeSheet, FakeSpreadsheet } from "./state.js";
