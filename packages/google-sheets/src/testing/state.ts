/**
 * The fake's spreadsheets: grids of cells per tab with Google's grid rules
 * (fixed row and column counts, writes outside the grid refused), value
 * rendering, A1 resolution, table detection for `append`, and the row and
 * column operations a user does in the Sheets UI.
 */
import { columnLetter, displaySheetTitle, parseA1 } from "../a1.js";

/**
 * A stored cell: `""` or `undefined` is empty.
 *
 * @example
 * ```ts
 * fake.editCell(spreadsheetId, "C2", 42 satisfies Cell);
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/cells#ExtendedValue
 */
export type Cell = string | number | boolean;

/**
 * One tab. Rows and columns are 0-based here.
 *
 * @example
 * ```ts
 * const tab: FakeSheet = fake.spreadsheet(spreadsheetId).sheets[0]!;
 * tab.rowCount; // 1000
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/sheets
 */
export interface FakeSheet {
  sheetId: number;
  title: string;
  index: number;
  hidden: boolean;
  rowCount: number;
  columnCount: number;
  frozenRowCount: number;
  /** `cells[row][column]`, sparse. */
  cells: Array<Array<Cell | undefined> | undefined>;
}

/**
 * One spreadsheet, and its Drive file facts.
 *
 * @example
 * ```ts
 * const ss: FakeSpreadsheet = fake.spreadsheet(spreadsheetId);
 * ss.version; // bumped by every change
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets
 */
export interface FakeSpreadsheet {
  spreadsheetId: string;
  title: string;
  locale: string;
  timeZone: string;
  sheets: FakeSheet[];
  /** Drive `version`: bumped by every change. */
  version: number;
  /** Drive `modifiedTime` (RFC 3339). */
  modifiedTime: string;
  createdTime: string;
  /**
   * Whether the app may open the file under the `drive.file` scope (it
   * created it, or the user picked it with the Google Picker).
   */
  appAccess: boolean;
}

/** A resolved range: 0-based, inclusive. */
export interface GridRange {
  sheet: FakeSheet;
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  /** The range named one cell: writes may spill from it. */
  anchor: boolean;
}

/** An API error the handlers turn into Google's error body. */
export class FakeSheetsError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export function isEmptyCell(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Resolve an A1 range on a spreadsheet as Google does (unknown tab → 400; beyond the grid → 400). */
export function resolveRange(spreadsheet: FakeSpreadsheet, text: string): GridRange {
  let parsed: ReturnType<typeof parseA1>;
  try {
    parsed = parseA1(text);
  } catch {
    throw new FakeSheetsError(400, "badRequest", `Unable to parse range: ${text}`);
  }
  const sheet =
    parsed.sheet === null
      ? [...spreadsheet.sheets].sort((a, b) => a.index - b.index)[0]
      : spreadsheet.sheets.find((s) => s.title === parsed.sheet);
  if (sheet === undefined)
    throw new FakeSheetsError(400, "badRequest", `Unable to parse range: ${text}`);
  const r0 = (parsed.startRow ?? 1) - 1;
  const c0 = parsed.startColumn ?? 0;
  const r1 = parsed.endRow === null ? sheet.rowCount - 1 : parsed.endRow - 1;
  const c1 = parsed.endColumn === null ? sheet.columnCount - 1 : parsed.endColumn;
  const bounds = [Math.min(r0, r1), Math.max(r0, r1), Math.min(c0, c1), Math.max(c0, c1)] as const;
  if (bounds[1] >= sheet.rowCount || bounds[3] >= sheet.columnCount) {
    const where = text.includes("!") ? text : `${displaySheetTitle(sheet.title)}!${text}`;
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Range (${where}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    );
  }
  const anchor =
    parsed.startRow !== null &&
    parsed.startColumn !== null &&
    (parsed.endRow ?? parsed.startRow) === parsed.startRow &&
    (parsed.endColumn ?? parsed.startColumn) === parsed.startColumn &&
    !text.includes(":");
  return { sheet, r0: bounds[0], r1: bounds[1], c0: bounds[2], c1: bounds[3], anchor };
}

/** A range as Google writes it in responses (`Sheet1!A2:Z1001`). */
export function formatRange(
  sheet: FakeSheet,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
): string {
  const start = `${columnLetter(c0)}${r0 + 1}`;
  const end = `${columnLetter(c1)}${r1 + 1}`;
  return `${displaySheetTitle(sheet.title)}!${start === end ? start : `${start}:${end}`}`;
}

/** A cell as the API renders it. */
export function render(value: Cell | undefined, option: string): Cell {
  if (value === undefined) return "";
  if (option === "UNFORMATTED_VALUE" || option === "FORMULA") return value;
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return String(value);
}

/** A written value, interpreted per `valueInputOption`. `null` skips the cell (Google: "null values will be skipped"). */
export function parseInput(value: unknown, option: string): Cell | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  const text = String(value);
  if (option === "RAW") return text;
  if (text.startsWith("'")) return text.slice(1);
  if (/^[-+]?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (/^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === "true";
  return text;
}

/** Cells of a range, rendered, with trailing empty cells and rows omitted (as Google does). */
export function readRange(range: GridRange, option: string, major = "ROWS"): Cell[][] {
  const rows: Cell[][] = [];
  for (let r = range.r0; r <= range.r1; r++) {
    const row: Cell[] = [];
    for (let c = range.c0; c <= range.c1; c++) row.push(render(range.sheet.cells[r]?.[c], option));
    while (row.length > 0 && row[row.length - 1] === "") row.pop();
    rows.push(row);
  }
  while (rows.length > 0 && rows[rows.length - 1]!.length === 0) rows.pop();
  if (major !== "COLUMNS") return rows;
  const width = Math.max(0, ...rows.map((r) => r.length));
  const columns: Cell[][] = [];
  for (let c = 0; c < width; c++) {
    const column = rows.map((r) => r[c] ?? "");
    while (column.length > 0 && column[column.length - 1] === "") column.pop();
    columns.push(column);
  }
  return columns;
}

/** Put one cell (no grid checks). */
export function setCell(sheet: FakeSheet, r: number, c: number, value: Cell): void {
  const row = sheet.cells[r] ?? [];
  sheet.cells[r] = row;
  row[c] = value === "" ? undefined : value;
}

/**
 * Write values at a range per Google's rules: a bounded range must hold the
 * data, a one-cell range is an anchor the data spills from, and nothing may
 * land outside the grid. Returns the written area.
 */
export function writeRange(
  range: GridRange,
  values: unknown,
  option: string,
  major = "ROWS",
  label = "",
): { r1: number; c1: number; rows: number; columns: number; cells: number } {
  if (!Array.isArray(values) || values.some((row) => !Array.isArray(row))) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      "Invalid value at 'data.values': must be a list of lists",
    );
  }
  let rows = values as unknown[][];
  if (major === "COLUMNS") {
    const height = Math.max(0, ...rows.map((r) => r.length));
    rows = Array.from({ length: height }, (_, r) => rows.map((col) => col[r] ?? null));
  }
  const { sheet } = range;
  const height = rows.length;
  const width = Math.max(0, ...rows.map((r) => r.length));
  const lastRow = range.r0 + height - 1;
  const lastColumn = range.c0 + width - 1;
  if (!range.anchor && height > 0 && lastRow > range.r1) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Requested writing within range [${label}], but tried writing to row [${lastRow + 1}]`,
    );
  }
  if (!range.anchor && width > 0 && lastColumn > range.c1) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Requested writing within range [${label}], but tried writing to column [${columnLetter(lastColumn)}]`,
    );
  }
  if (lastRow >= sheet.rowCount || lastColumn >= sheet.columnCount) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Range (${formatRange(sheet, range.r0, Math.max(lastRow, range.r0), range.c0, Math.max(lastColumn, range.c0))}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
    );
  }
  let cells = 0;
  for (const [i, row] of rows.entries()) {
    for (const [j, raw] of row.entries()) {
      const value = parseInput(raw, option);
      if (value === null) continue;
      setCell(sheet, range.r0 + i, range.c0 + j, value);
      cells++;
    }
  }
  return {
    r1: Math.max(lastRow, range.r0),
    c1: Math.max(lastColumn, range.c0),
    rows: height,
    columns: width,
    cells,
  };
}

/** Whether a row has any value in columns `c0..c1`. */
export function rowHasData(
  sheet: FakeSheet,
  r: number,
  c0 = 0,
  c1 = sheet.columnCount - 1,
): boolean {
  const row = sheet.cells[r];
  if (row === undefined) return false;
  for (let c = c0; c <= c1; c++) if (!isEmptyCell(row[c])) return true;
  return false;
}

/** The last row (0-based) holding any value, or -1. */
export function lastDataRow(sheet: FakeSheet): number {
  for (let r = sheet.cells.length - 1; r >= 0; r--) if (rowHasData(sheet, r)) return r;
  return -1;
}

/**
 * The "table" `values.append` appends to: the first run of consecutive
 * non-empty rows at or below the range's first row, in its columns.
 */
export function findTable(range: GridRange): { start: number; end: number } | null {
  const { sheet } = range;
  let start = -1;
  for (let r = range.r0; r < sheet.rowCount; r++) {
    if (rowHasData(sheet, r, range.c0, range.c1)) {
      start = r;
      break;
    }
  }
  if (start === -1) return null;
  let end = start;
  while (end + 1 < sheet.rowCount && rowHasData(sheet, end + 1, range.c0, range.c1)) end++;
  return { start, end };
}

/** Insert `count` empty rows before row `at` (0-based); the grid grows. */
export function insertRows(sheet: FakeSheet, at: number, count: number): void {
  if (at < sheet.cells.length) {
    sheet.cells.splice(at, 0, ...Array.from({ length: count }, () => undefined));
  }
  sheet.rowCount += count;
}

/** Delete rows `start..end-1` (0-based); the grid shrinks. */
export function deleteRows(sheet: FakeSheet, start: number, end: number): void {
  if (start < 0 || end > sheet.rowCount || start >= end) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Invalid requests[0].deleteDimension: Invalid dimension range [${start}, ${end})`,
    );
  }
  if (end - start >= sheet.rowCount) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      "Invalid requests[0].deleteDimension: You can't delete all the rows on the sheet.",
    );
  }
  sheet.cells.splice(start, end - start);
  sheet.rowCount -= end - start;
}

/** Insert `count` empty columns before column `at`. */
export function insertColumns(sheet: FakeSheet, at: number, count: number): void {
  for (const row of sheet.cells) {
    if (row !== undefined && row.length > at)
      row.splice(at, 0, ...Array.from({ length: count }, () => undefined));
  }
  sheet.columnCount += count;
}

/** Delete columns `start..end-1`. */
export function deleteColumns(sheet: FakeSheet, start: number, end: number): void {
  if (start < 0 || end > sheet.columnCount || start >= end) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Invalid requests[0].deleteDimension: Invalid dimension range [${start}, ${end})`,
    );
  }
  if (end - start >= sheet.columnCount) {
    throw new FakeSheetsError(
      400,
      "badRequest",
      "Invalid requests[0].deleteDimension: You can't delete all the columns on the sheet.",
    );
  }
  for (const row of sheet.cells) row?.splice(start, end - start);
  sheet.columnCount -= end - start;
}

/** Sort order of one sort key: numbers, then text (case-insensitive), then booleans; blanks always last. */
function compareCells(a: Cell | undefined, b: Cell | undefined, descending: boolean): number {
  const blankA = isEmptyCell(a);
  const blankB = isEmptyCell(b);
  if (blankA || blankB) return blankA === blankB ? 0 : blankA ? 1 : -1;
  const rank = (v: Cell) => (typeof v === "number" ? 0 : typeof v === "string" ? 1 : 2);
  let order = rank(a!) - rank(b!);
  if (order === 0) {
    if (typeof a === "number" && typeof b === "number") order = a - b;
    else if (typeof a === "boolean") order = Number(a) - Number(b);
    else order = String(a).localeCompare(String(b), "en", { sensitivity: "base" });
  }
  return descending ? -order : order;
}

/**
 * `sortRange`: sorts the cells of rows `r0..r1` within columns `c0..c1` only
 * (cells outside the columns stay where they are, as in Google Sheets).
 */
export function sortRows(
  sheet: FakeSheet,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  specs: ReadonlyArray<{ column: number; descending: boolean }>,
): void {
  const slices: Array<Array<Cell | undefined>> = [];
  for (let r = r0; r <= r1; r++)
    slices.push(Array.from({ length: c1 - c0 + 1 }, (_, j) => sheet.cells[r]?.[c0 + j]));
  const sorted = slices
    .map((cells, i) => ({ cells, i }))
    .sort((a, b) => {
      for (const spec of specs) {
        const order = compareCells(
          a.cells[spec.column - c0],
          b.cells[spec.column - c0],
          spec.descending,
        );
        if (order !== 0) return order;
      }
      return a.i - b.i;
    });
  for (const [k, { cells }] of sorted.entries()) {
    for (const [j, value] of cells.entries()) {
      if (value === undefined) {
        const row = sheet.cells[r0 + k];
        if (row !== undefined) row[c0 + j] = undefined;
      } else setCell(sheet, r0 + k, c0 + j, value);
    }
  }
}
