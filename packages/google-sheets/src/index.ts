export { type A1Range, a1, columnIndex, columnLetter, parseA1, quoteSheetTitle } from "./a1.js";
export { createSpreadsheet, listSheets } from "./actions.js";
export { GOOGLE_SHEETS_RATE_LIMITS, type GoogleSheetsOptions, googleSheets } from "./connector.js";
export {
  DRIVE_API,
  GOOGLE_SHEETS_SCOPES,
  SHEETS_API,
  SHEETS_DOCS_URL,
  spreadsheetUrl,
} from "./endpoints.js";
export { newRowId, ROW_ID_PATTERN } from "./row-identity.js";
export { DEFAULT_BLOCK_ROWS, MAX_CURSOR_IDS } from "./rows.js";
export {
  type CreatedSpreadsheet,
  CreateSpreadsheetInput,
  DEFAULT_ID_COLUMN,
  GoogleSheetsConfig,
  type GoogleSheetsSettings,
  ListSheetsInput,
  SheetRow,
  type SheetTab,
} from "./schemas.js";
export { ROW_ID_FIELD } from "./sheet-layout.js";
