/**
 * Google Sheets and Drive endpoints the connector calls. The fake in
 * `@patchbay/google-sheets/testing` serves exactly these URLs.
 */

/**
 * Base URL of the Sheets API v4 spreadsheets collection.
 *
 * @example
 * ```ts
 * await http.get(`${SHEETS_API}/${spreadsheetId}`, { query: { fields: "sheets.properties" } });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets
 */
export const SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets";

/**
 * Base URL of the Drive API v3, used for the spreadsheet file's
 * `modifiedTime` and `version` (cheap change detection) and `about` (the
 * connection test before a spreadsheet is chosen).
 *
 * @example
 * ```ts
 * await http.get(`${DRIVE_API}/files/${spreadsheetId}`, { query: { fields: "modifiedTime,version" } });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files/get
 */
export const DRIVE_API = "https://www.googleapis.com/drive/v3";

/**
 * The OAuth scopes the connector may ask for.
 *
 * - `driveFile` (non-sensitive, the default): only files the app created or
 *   the user picked with the app (Google Picker). Covers the Sheets API and
 *   Drive `files.get` on those files.
 * - `spreadsheets` (sensitive: needs Google's app verification): every
 *   spreadsheet the user can open, so a pasted spreadsheet ID works without
 *   the Picker.
 *
 * @example
 * ```ts
 * googleOAuth(app, [GOOGLE_SHEETS_SCOPES.driveFile]);
 * ```
 * @see https://developers.google.com/workspace/sheets/api/scopes
 */
export const GOOGLE_SHEETS_SCOPES = {
  driveFile: "https://www.googleapis.com/auth/drive.file",
  spreadsheets: "https://www.googleapis.com/auth/spreadsheets",
} as const;

/**
 * The Sheets API reference, for `docsUrl` and TSDoc.
 *
 * @example
 * ```ts
 * console.log(`See ${SHEETS_DOCS_URL}`);
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export const SHEETS_DOCS_URL = "https://developers.google.com/workspace/sheets/api/reference/rest";

/**
 * The browser URL of a spreadsheet (what users open).
 *
 * @example
 * ```ts
 * spreadsheetUrl("1AbC") // "https://docs.google.com/spreadsheets/d/1AbC/edit"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#spreadsheet
 */
export function spreadsheetUrl(spreadsheetId: string): string {
  return `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`;
}
