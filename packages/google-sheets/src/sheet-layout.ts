/**
 * Where the data is: the tab (resolved from its id or title on every run, so
 * renames are harmless), the header row's columns, and how a row of cells
 * becomes a record.
 */
import {
  ConfigError,
  type ConnectorContext,
  type HttpClient,
  NotFoundError,
  PatchbayError,
} from "@patchbay/core";
import { a1 } from "./a1.js";
import {
  GoogleSheetsConfig,
  type GoogleSheetsSettings,
  type SheetRow,
  type SpreadsheetMetadata,
} from "./schemas.js";

/** The tab the connection syncs, as Google describes it right now. */
export interface SheetRef {
  spreadsheetId: string;
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
}

/** The header row, read: data columns by position, and the id column's position. */
export interface Layout {
  /** Data columns (the id column excepted), with unique names. */
  columns: Array<{ index: number; name: string }>;
  /** 0-based column of the id column, or `null` when the header has none yet. */
  idIndex: number | null;
  /** Cells in the header row up to its last non-empty one. */
  headerWidth: number;
}

/**
 * The field under which a record carries its row id (its external id).
 *
 * @example
 * ```ts
 * const id = record[ROW_ID_FIELD]; // "r_k3j9x2m1qz"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/values
 */
export const ROW_ID_FIELD = "_id";

const METADATA_FIELDS =
  "spreadsheetId,spreadsheetUrl,properties.title,sheets.properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount))";

/**
 * The connection's settings, or a `ConfigError` telling the host to pick a
 * spreadsheet first.
 */
export function settingsOf(config: unknown): GoogleSheetsSettings {
  const parsed = GoogleSheetsConfig.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "config";
    throw new ConfigError(
      `Google Sheets is not configured: "${field}" ${issue?.message ?? "is invalid"}. Pick a spreadsheet with connections.configure(tenantId, connectionId, { spreadsheetId, sheet })`,
    );
  }
  return parsed.data;
}

/**
 * Spreadsheet metadata (`spreadsheets.get`, properties only). A missing or
 * unreadable spreadsheet is a `ConfigError` that says what to do.
 */
export async function readMetadata(
  http: HttpClient,
  spreadsheetId: string,
  signal?: AbortSignal,
): Promise<SpreadsheetMetadata> {
  try {
    const { data } = await http.get<SpreadsheetMetadata>(encodeURIComponent(spreadsheetId), {
      query: { fields: METADATA_FIELDS },
      signal,
    });
    return data;
  } catch (error) {
    if (
      error instanceof NotFoundError ||
      (error instanceof PatchbayError && error.status === 403)
    ) {
      throw new ConfigError(
        `Spreadsheet "${spreadsheetId}" was not found, or this Google account cannot open it. With the default drive.file scope the user must pick it with the Google Picker (or create it through the connector); check the ID and the account's access`,
        { cause: error, status: error.status },
      );
    }
    throw error;
  }
}

/** Resolve the configured tab: by `sheetId`, else by title, else the first tab. */
export async function resolveSheet(
  ctx: Pick<ConnectorContext, "http" | "signal">,
  settings: GoogleSheetsSettings,
): Promise<SheetRef> {
  const metadata = await readMetadata(ctx.http, settings.spreadsheetId, ctx.signal);
  const tabs = (metadata.sheets ?? [])
    .map((s) => s.properties ?? {})
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const tab =
    settings.sheetId !== undefined
      ? tabs.find((t) => (t.sheetId ?? 0) === settings.sheetId)
      : settings.sheet !== undefined
        ? tabs.find((t) => t.title === settings.sheet)
        : tabs[0];
  if (tab === undefined) {
    const wanted =
      settings.sheetId !== undefined ? `with sheetId ${settings.sheetId}` : `"${settings.sheet}"`;
    throw new ConfigError(
      `Tab ${wanted} not found in spreadsheet "${metadata.properties?.title ?? settings.spreadsheetId}"; tabs: ${tabs.map((t) => `"${t.title}" (sheetId ${t.sheetId ?? 0})`).join(", ") || "none"}`,
    );
  }
  const sheet: SheetRef = {
    spreadsheetId: settings.spreadsheetId,
    sheetId: tab.sheetId ?? 0,
    title: tab.title ?? "",
    rowCount: tab.gridProperties?.rowCount ?? 0,
    columnCount: tab.gridProperties?.columnCount ?? 0,
  };
  if (settings.headerRow > sheet.rowCount) {
    throw new ConfigError(
      `The header row (row ${settings.headerRow}) is below the last row of "${sheet.title}" (${sheet.rowCount} rows); set "headerRow" to the row that holds the column names`,
    );
  }
  return sheet;
}

/** The A1 range of the header row. */
export function headerRange(sheet: SheetRef, settings: GoogleSheetsSettings): string {
  return a1(sheet.title, { startRow: settings.headerRow });
}

/**
 * Read the header row into a layout. Duplicate names get a suffix
 * (`Notes (2)`); empty header cells are not synced; the reserved `_id` is
 * never a column name.
 */
export function buildLayout(headerValues: readonly unknown[], idColumn: string): Layout {
  const columns: Layout["columns"] = [];
  const used = new Set<string>([ROW_ID_FIELD]);
  let idIndex: number | null = null;
  let headerWidth = 0;
  for (const [index, value] of headerValues.entries()) {
    const name = cellText(value);
    if (name === "") continue;
    headerWidth = index + 1;
    if (idIndex === null && name === idColumn) {
      idIndex = index;
      continue;
    }
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name} (${n})`;
    used.add(unique);
    columns.push({ index, name: unique });
  }
  return { columns, idIndex, headerWidth };
}

/** The header's column names (the id column excepted), or a `ConfigError` when the header row is empty. */
export function requireColumns(
  layout: Layout,
  sheet: SheetRef,
  settings: GoogleSheetsSettings,
): string[] {
  if (layout.columns.length === 0 && layout.idIndex === null) {
    throw new ConfigError(
      `The header row (row ${settings.headerRow}) of "${sheet.title}" is empty: type the column names into it, or set "headerRow" to the row that holds them`,
    );
  }
  return layout.columns.map((c) => c.name);
}

/** A cell as text: what identity and header matching compare. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return String(value).trim();
}

/** Whether every cell of a row is empty. */
export function isEmptyRow(values: readonly unknown[] | undefined): boolean {
  return (values ?? []).every((v) => cellText(v) === "");
}

/** The cells of a row under the header's column names, empty cells as `""`. */
export function rowFields(
  layout: Layout,
  values: readonly unknown[] | undefined,
): Record<string, SheetRow[string]> {
  const out: Record<string, SheetRow[string]> = {};
  for (const column of layout.columns) {
    const value = values?.[column.index];
    out[column.name] =
      typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? value
        : "";
  }
  return out;
}

/** A row as a record. */
export function rowRecord(
  layout: Layout,
  values: readonly unknown[] | undefined,
  id: string,
): SheetRow {
  return { ...rowFields(layout, values), [ROW_ID_FIELD]: id } as SheetRow;
}

/** Cells a row spans: through the id column and the last header column. */
export function rowWidth(layout: Layout): number {
  return Math.max(layout.headerWidth, (layout.idIndex ?? -1) + 1, 1);
}
