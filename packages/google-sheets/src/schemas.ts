/**
 * Config, records, action inputs (zod) and the wire types the connector
 * reads, with Google's own field names.
 */
import { z } from "zod";

/**
 * The column the connector manages row ids in, unless the config names another.
 *
 * @example
 * ```ts
 * await createSpreadsheet.run(ctx, { title: "Pitches", headers: ["Artist"], idColumn: DEFAULT_ID_COLUMN });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/values
 */
export const DEFAULT_ID_COLUMN = "Patchbay ID";

/**
 * Per-connection settings: which spreadsheet and tab, where the header row
 * is, and which column holds the connector's row ids.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, {
 *   spreadsheetId: "1AbCdEf",
 *   sheet: "Pitches",
 * });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts
 */
export const GoogleSheetsConfig = z
  .object({
    spreadsheetId: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{10,}$/,
        "must be a spreadsheet ID (the part of the URL after /spreadsheets/d/)",
      )
      .describe("Spreadsheet ID: docs.google.com/spreadsheets/d/<this part>/edit"),
    sheet: z
      .string()
      .min(1)
      .optional()
      .describe("Tab (sheet) title. Omit to use sheetId, or the first tab"),
    sheetId: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Tab id (gid= in the URL); survives renames. Wins over sheet"),
    headerRow: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe("Row number of the header row; data starts below it"),
    idColumn: z
      .string()
      .trim()
      .min(1)
      .default(DEFAULT_ID_COLUMN)
      .describe("Header of the column where the connector keeps each row's stable ID"),
    valueRender: z
      .enum(["FORMATTED_VALUE", "UNFORMATTED_VALUE"])
      .default("FORMATTED_VALUE")
      .describe("Read cells as shown (strings) or as raw numbers and booleans"),
    valueInput: z
      .enum(["RAW", "USER_ENTERED"])
      .default("RAW")
      .describe("Write values as is (RAW), or parse them as if typed (formulas, dates)"),
    onDelete: z
      .enum(["delete_row", "clear_row"])
      .default("delete_row")
      .describe("What deleting a record does to its row"),
  })
  .describe("Google Sheets connection settings");

/**
 * Validated connection settings (defaults applied).
 *
 * @example
 * ```ts
 * const settings: GoogleSheetsSettings = GoogleSheetsConfig.parse({ spreadsheetId: "1AbCdEfGhIjK" });
 * settings.idColumn; // "Patchbay ID"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts
 */
export type GoogleSheetsSettings = z.output<typeof GoogleSheetsConfig>;

/**
 * A cell value as read with FORMATTED_VALUE (always strings) or UNFORMATTED_VALUE.
 *
 * @example
 * ```ts
 * CellValue.parse(42); // with UNFORMATTED_VALUE
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/ValueRenderOption
 */
export const CellValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * One row as a record: its stable id under `_id`, and one field per
 * header column (the id column itself excepted), empty cells as `""`.
 *
 * @example
 * ```ts
 * const row: SheetRow = { _id: "r_k3j9x2m1qz", Artist: "Bonobo", Station: "KEXP", Status: "Pitched" };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values
 */
export const SheetRow = z.object({ _id: z.string().min(1) }).catchall(CellValue);

/**
 * A row record.
 *
 * @example
 * ```ts
 * const row: SheetRow = SheetRow.parse({ _id: "r_k3j9x2m1qz", Artist: "Bonobo" });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values
 */
export type SheetRow = z.infer<typeof SheetRow>;

/**
 * Input of the `createSpreadsheet` action.
 *
 * @example
 * ```ts
 * const input: CreateSpreadsheetInput = { title: "Radio pitches", headers: ["Artist", "Station", "Status"] };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/create
 */
export const CreateSpreadsheetInput = z
  .object({
    title: z.string().trim().min(1).describe("Spreadsheet title"),
    headers: z
      .array(z.string().trim().min(1))
      .min(1)
      .describe("Column names for the header row (the ID column is added after them)"),
    sheet: z.string().trim().min(1).default("Sheet1").describe("Title of the first tab"),
    idColumn: z.string().trim().min(1).default(DEFAULT_ID_COLUMN),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    for (const [i, header] of input.headers.entries()) {
      if (seen.has(header) || header === input.idColumn) {
        ctx.addIssue({
          code: "custom",
          path: ["headers", i],
          message: `duplicate column "${header}"`,
        });
      }
      seen.add(header);
    }
  });

/**
 * Input of the `createSpreadsheet` action, as the caller writes it.
 *
 * @example
 * ```ts
 * const input: CreateSpreadsheetInput = { title: "Pitches", headers: ["Artist", "Status"] };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/create
 */
export type CreateSpreadsheetInput = z.input<typeof CreateSpreadsheetInput>;

/**
 * Input of the `listSheets` action. Without `spreadsheetId`, the
 * connection's configured spreadsheet.
 *
 * @example
 * ```ts
 * const input: ListSheetsInput = { spreadsheetId: "1AbCdEfGhIj" };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/get
 */
export const ListSheetsInput = z.object({
  spreadsheetId: z.string().min(1).optional().describe("Spreadsheet ID"),
});

/**
 * Input of the `listSheets` action.
 *
 * @example
 * ```ts
 * const input: ListSheetsInput = {}; // the configured spreadsheet
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/get
 */
export type ListSheetsInput = z.input<typeof ListSheetsInput>;

/**
 * What `createSpreadsheet` returns: everything `connections.configure` needs.
 *
 * @example
 * ```ts
 * const created: CreatedSpreadsheet = await connector.actions.createSpreadsheet.run(ctx, input);
 * await patchbay.connections.configure(tenantId, id, { spreadsheetId: created.spreadsheetId, sheetId: created.sheetId });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/create
 */
export interface CreatedSpreadsheet {
  spreadsheetId: string;
  spreadsheetUrl: string;
  sheetId: number;
  sheet: string;
  /** The header row written: the given headers, then the ID column. */
  headers: string[];
}

/**
 * One tab, as `listSheets` returns it for a tab picker.
 *
 * @example
 * ```ts
 * const tab: SheetTab = { sheetId: 0, title: "Sheet1", index: 0, rowCount: 1000, columnCount: 26, hidden: false };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/sheets#SheetProperties
 */
export interface SheetTab {
  sheetId: number;
  title: string;
  index: number;
  rowCount: number;
  columnCount: number;
  hidden: boolean;
}

// ── Wire types (Google's field names) ─────────────────────────────────────

/** `ValueRange`: a block of cells. Trailing empty rows and cells are omitted. */
export interface ValueRange {
  range?: string;
  majorDimension?: "ROWS" | "COLUMNS";
  values?: unknown[][];
}

/** `spreadsheets.get` with `fields` limited to what the connector reads. */
export interface SpreadsheetMetadata {
  spreadsheetId?: string;
  spreadsheetUrl?: string;
  properties?: { title?: string };
  sheets?: Array<{
    properties?: {
      sheetId?: number;
      title?: string;
      index?: number;
      hidden?: boolean;
      gridProperties?: { rowCount?: number; columnCount?: number };
    };
  }>;
}

/** `values:batchGet`. */
export interface BatchGetValuesResponse {
  spreadsheetId?: string;
  valueRanges?: ValueRange[];
}

/** `values:batchGetByDataFilter`. */
export interface BatchGetValuesByDataFilterResponse {
  spreadsheetId?: string;
  valueRanges?: Array<{ valueRange?: ValueRange }>;
}

/** `values.update` (and each of `values:batchUpdate`'s responses). */
export interface UpdateValuesResponse {
  spreadsheetId?: string;
  updatedRange?: string;
  updatedRows?: number;
  updatedColumns?: number;
  updatedCells?: number;
  updatedData?: ValueRange;
}

/** `values:batchUpdate`. */
export interface BatchUpdateValuesResponse {
  spreadsheetId?: string;
  totalUpdatedCells?: number;
  responses?: UpdateValuesResponse[];
}

/** `values.append`. */
export interface AppendValuesResponse {
  spreadsheetId?: string;
  tableRange?: string;
  updates?: UpdateValuesResponse;
}

/** Drive `files.get` with `fields=modifiedTime,version`. */
export interface DriveFileVersion {
  modifiedTime?: string;
  version?: string;
}
