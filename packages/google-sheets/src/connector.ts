import {
  type ConnectorDefinition,
  defineConnector,
  type MetadataHook,
  type RateLimitSpec,
} from "@patchbay/core";
import { type GoogleOAuthOptions, googleOAuth, parseGoogleError } from "@patchbay/google-common";
import { createSpreadsheet, listSheets } from "./actions.js";
import { DRIVE_API, GOOGLE_SHEETS_SCOPES, SHEETS_API, SHEETS_DOCS_URL } from "./endpoints.js";
import { DEFAULT_BLOCK_ROWS, rowsModel } from "./rows.js";
import { GoogleSheetsConfig } from "./schemas.js";
import { headerRange, resolveSheet } from "./sheet-layout.js";

/**
 * Options of {@link googleSheets}: the host's Google OAuth client, and how
 * much of the user's Drive to ask for.
 *
 * @example
 * ```ts
 * const options: GoogleSheetsOptions = {
 *   clientId: process.env.GOOGLE_CLIENT_ID!,
 *   clientSecret: process.env.GOOGLE_CLIENT_SECRET!,
 * };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/scopes
 */
export interface GoogleSheetsOptions extends GoogleOAuthOptions {
  /**
   * `"picked-files"` (default): scope `drive.file` only (non-sensitive, no
   * Google verification beyond branding): the app reaches spreadsheets it
   * created and ones the user picked with the Google Picker.
   * `"all-spreadsheets"`: adds the sensitive `spreadsheets` scope (Google's
   * app verification required) so a pasted spreadsheet ID works without the
   * Picker; such files get no cheap change check (Drive will not show their
   * version under `drive.file`), so every sync of them reads the whole tab.
   */
  access?: "picked-files" | "all-spreadsheets";
  /** Rows per read request. Default 1,000; lower it for very wide tabs (Google recommends payloads under 2 MB). */
  blockRows?: number;
}

/**
 * Google's Sheets quota is 60 read and 60 write requests per minute per user
 * per project, and 300 each per minute per project. One bucket per
 * connection (one Google user) holds every call to 60 a minute, reads and
 * writes together; one per process holds the project to 300.
 *
 * @example
 * ```ts
 * http: { baseUrl: SHEETS_API, rateLimits: GOOGLE_SHEETS_RATE_LIMITS }
 * ```
 * @see https://developers.google.com/workspace/sheets/api/limits
 */
export const GOOGLE_SHEETS_RATE_LIMITS: readonly RateLimitSpec[] = Object.freeze([
  { requests: 60, intervalMs: 60_000, scope: "connection" },
  { requests: 300, intervalMs: 60_000, scope: "provider" },
]);

const learnAccount: MetadataHook = async ({ http }) => {
  const { data } = await http.get<{ user?: { emailAddress?: string; displayName?: string } }>(
    `${DRIVE_API}/about`,
    { query: { fields: "user(emailAddress,displayName)" } },
  );
  const metadata: Record<string, string> = {};
  if (typeof data.user?.emailAddress === "string") metadata.email = data.user.emailAddress;
  if (typeof data.user?.displayName === "string") metadata.name = data.user.displayName;
  return metadata;
};

/**
 * The Google Sheets connector: pick (or create) a spreadsheet and a tab, map
 * its columns to your fields, and sync its rows both ways. Rows keep a
 * stable id in a column the connector manages, so sorting, inserting and
 * deleting rows never confuses which record is which; unchanged
 * spreadsheets cost one Drive call per incremental sync.
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { googleSheets } from "@patchbay/google-sheets";
 *
 * const patchbay = createPatchbay({
 *   connectors: [googleSheets({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! })],
 *   store, vault,
 * });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export function googleSheets(
  options: GoogleSheetsOptions,
): ConnectorDefinition<typeof GoogleSheetsConfig> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      'googleSheets(): "options" must be an object with "clientId" and "clientSecret"',
    );
  }
  const access = options.access ?? "picked-files";
  if (access !== "picked-files" && access !== "all-spreadsheets") {
    throw new TypeError(
      `googleSheets(): "access" must be "picked-files" or "all-spreadsheets", got ${JSON.stringify(access)}`,
    );
  }
  const blockRows = options.blockRows ?? DEFAULT_BLOCK_ROWS;
  if (!Number.isSafeInteger(blockRows) || blockRows < 1 || blockRows > 10_000) {
    throw new TypeError(
      `googleSheets(): "blockRows" must be an integer from 1 to 10000, got ${blockRows}`,
    );
  }
  const scopes =
    access === "all-spreadsheets"
      ? [GOOGLE_SHEETS_SCOPES.spreadsheets, GOOGLE_SHEETS_SCOPES.driveFile]
      : [GOOGLE_SHEETS_SCOPES.driveFile];
  return defineConnector({
    id: "google-sheets",
    name: "Google Sheets",
    category: "spreadsheets",
    description:
      "Sync the rows of a Google Sheets tab both ways: columns map to your fields, rows keep a stable ID through sorts and edits.",
    docsUrl: SHEETS_DOCS_URL,
    auth: googleOAuth({ clientId: options.clientId, clientSecret: options.clientSecret }, scopes, {
      metadata: learnAccount,
    }),
    http: {
      baseUrl: SHEETS_API,
      parseError: parseGoogleError,
      rateLimits: [...GOOGLE_SHEETS_RATE_LIMITS],
    },
    config: GoogleSheetsConfig,
    async test(ctx) {
      const configured = GoogleSheetsConfig.safeParse(ctx.config ?? {});
      if (!configured.success) {
        // Not configured yet (right after connecting): check the grant works.
        await ctx.http.get(`${DRIVE_API}/about`, {
          query: { fields: "user(emailAddress)" },
          signal: ctx.signal,
        });
        return;
      }
      const settings = configured.data;
      const sheet = await resolveSheet(ctx, settings);
      await ctx.http.get(
        `${encodeURIComponent(sheet.spreadsheetId)}/values/${encodeURIComponent(headerRange(sheet, settings))}`,
        { query: { majorDimension: "ROWS" }, signal: ctx.signal },
      );
    },
    models: { rows: rowsModel({ blockRows }) },
    actions: { createSpreadsheet, listSheets },
  });
}
