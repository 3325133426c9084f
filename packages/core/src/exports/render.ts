/**
 * Rendering export rows to CSV (RFC 4180) and XLSX (through the optional
 * `exceljs` peer dependency, loaded only when an XLSX file is asked for).
 *
 * Rows are consumed one at a time from the source's iterable and written
 * straight into the output: what stays in memory is the file being built
 * (CSV text, or exceljs's compressed zip stream), never the rows.
 *
 * @module
 */
import { PassThrough } from "node:stream";
import { ConfigError } from "../errors.js";
import type {
  ExportColumn,
  ExportColumnType,
  ExportFormat,
  ExportRow,
  ExportRows,
} from "./types.js";

/** The MIME type of each format. */
export const EXPORT_MIME_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/**
 * What {@link renderExport} renders.
 *
 * @example
 * ```ts
 * const input: RenderInput = { columns: [{ key: "artist", header: "Artist" }], rows: [{ artist: "Ada" }], title: "Promo report" };
 * ```
 */
export interface RenderInput {
  columns: ReadonlyArray<ExportColumn>;
  rows: ExportRows;
  /** XLSX: the sheet's name (trimmed to Excel's 31 characters). Default `"Export"`. */
  title?: string;
  /** CSV: start with a UTF-8 byte order mark so Excel detects UTF-8. Default `false`. */
  bom?: boolean;
  /** Stop rendering (throws the signal's reason) when aborted. */
  signal?: AbortSignal;
}

/**
 * A rendered file.
 *
 * @example
 * ```ts
 * const { body, rows, mimeType }: RenderedExport = await renderExport("csv", input);
 * ```
 */
export interface RenderedExport {
  body: Uint8Array;
  /** Data rows written (the header not counted). */
  rows: number;
  mimeType: string;
  /** The file extension, without the dot. */
  extension: ExportFormat;
}

/** Internal seam: how `exceljs` is loaded (tests simulate it missing). */
export interface RenderOptions {
  importExcelJs?: () => Promise<unknown>;
}

/**
 * Render rows as a CSV or XLSX file.
 *
 * CSV: RFC 4180 (comma, CRLF line ends, fields with a comma, quote, CR or
 * LF quoted and quotes doubled), UTF-8, a header row, and a guard against
 * formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or CR
 * gets a leading `'` so a spreadsheet shows it instead of evaluating it
 * (numbers in `number` columns are left alone, so `-5` stays `-5`).
 *
 * XLSX: one sheet, a bold frozen header row, typed cells (`number`, `date`
 * with `yyyy-mm-dd` unless the column has a `format`, `boolean`), through
 * exceljs's streaming writer. Text is written as text, never as a formula.
 *
 * Values are converted by column type: a `number` column takes numbers and
 * numeric strings, a `date` column `Date`s, ISO strings and epoch
 * milliseconds, a `boolean` column booleans and `"true"`/`"false"`. A value
 * that does not convert is written as text rather than dropped; `null` and
 * missing values are empty cells.
 *
 * @throws ConfigError naming `exceljs` when XLSX is asked for and the package is not installed.
 * @example
 * ```ts
 * import { renderExport } from "@patchbay/core";
 *
 * const file = await renderExport("xlsx", {
 *   title: "Promo report",
 *   columns: [{ key: "artist", header: "Artist" }, { key: "plays", header: "Spins", type: "number" }],
 *   rows: [{ artist: "Ada Lark", plays: 12 }],
 * });
 * await fs.writeFile("promo.xlsx", file.body);
 * ```
 */
export async function renderExport(
  format: ExportFormat,
  input: RenderInput,
  options: RenderOptions = {},
): Promise<RenderedExport> {
  if (format === "csv") return renderCsv(input);
  if (format === "xlsx") return renderXlsx(input, options);
  throw new TypeError(`"format" must be "csv" or "xlsx", got ${JSON.stringify(format)}`);
}

// ── CSV ───────────────────────────────────────────────────────────────────

const CSV_CHUNK = 64 * 1024;
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: the formula guard for text, then RFC 4180 quoting.
 *
 * @example
 * ```ts
 * csvField('=HYPERLINK("x")', true); // "\"'=HYPERLINK(\"\"x\"\")\""
 * csvField("Ravers, The", true);     // "\"Ravers, The\""
 * ```
 */
export function csvField(value: string, isText: boolean): string {
  const guarded = isText && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

async function renderCsv(input: RenderInput): Promise<RenderedExport> {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let pending = input.bom ? "\uFEFF" : "";
  const flush = (force: boolean) => {
    if (pending.length === 0 || (!force && pending.length < CSV_CHUNK)) return;
    const bytes = encoder.encode(pending);
    chunks.push(bytes);
    size += bytes.byteLength;
    pending = "";
  };
  pending += `${input.columns.map((c) => csvField(c.header ?? c.key, true)).join(",")}\r\n`;
  let rows = 0;
  for await (const row of eachRow(input.rows, input.signal)) {
    const fields = input.columns.map((column) => {
      const cell = toCell(row[column.key], column.type ?? "string");
      return csvField(csvText(cell), typeof cell === "string");
    });
    pending += `${fields.join(",")}\r\n`;
    rows++;
    flush(false);
  }
  flush(true);
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body, rows, mimeType: EXPORT_MIME_TYPES.csv, extension: "csv" };
}

function csvText(cell: Cell): string {
  if (cell === null) return "";
  if (cell instanceof Date)
    return isMidnightUtc(cell) ? cell.toISOString().slice(0, 10) : cell.toISOString();
  return String(cell);
}

function isMidnightUtc(date: Date): boolean {
  return date.getTime() % 86_400_000 === 0;
}

// ── XLSX ──────────────────────────────────────────────────────────────────

/** The few parts of exceljs the renderer uses. */
interface ExcelJsModule {
  stream: {
    xlsx: {
      WorkbookWriter: new (options: {
        stream: NodeJS.WritableStream;
        useStyles: boolean;
        useSharedStrings: boolean;
      }) => {
        addWorksheet(
          name: string,
          options?: { views?: Array<{ state: "frozen"; ySplit: number }> },
        ): {
          columns: Array<{ header: string; key: string; width?: number; style?: object }>;
          getRow(n: number): { font: object; commit(): void };
          addRow(values: Record<string, unknown>): { commit(): void };
          commit(): void;
        };
        commit(): Promise<void>;
      };
    };
  };
}

const importExcelJs = () => import("exceljs");

async function loadExcelJs(options: RenderOptions): Promise<ExcelJsModule> {
  let mod: unknown;
  try {
    mod = await (options.importExcelJs ?? importExcelJs)();
  } catch (error) {
    throw new ConfigError(
      'XLSX exports need the "exceljs" package, an optional peer dependency of @patchbay/core: install it (npm install exceljs), or choose format "csv"',
      { cause: error },
    );
  }
  const m = mod as { default?: ExcelJsModule } & Partial<ExcelJsModule>;
  const excel = m.stream !== undefined ? (m as ExcelJsModule) : m.default;
  if (excel?.stream?.xlsx?.WorkbookWriter === undefined) {
    throw new ConfigError(
      'The installed "exceljs" package has no streaming WorkbookWriter: install exceljs ^4.4.0',
    );
  }
  return excel;
}

/** Excel refuses these characters in sheet names, and names over 31 characters. */
function sheetName(title: string | undefined): string {
  const clean = (title ?? "")
    .replace(/[[\]:*?/\\]/g, " ")
    .trim()
    .slice(0, 31)
    .trim();
  return clean === "" ? "Export" : clean;
}

async function renderXlsx(input: RenderInput, options: RenderOptions): Promise<RenderedExport> {
  const excel = await loadExcelJs(options);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  let size = 0;
  out.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.byteLength;
  });
  const ended = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(sheetName(input.title), {
    views: [{ state: "frozen", ySplit: 1 }],
  });
  // Keys of the sheet's columns are positional: a row object's keys could clash with exceljs's own.
  sheet.columns = input.columns.map((column, index) => ({
    header: column.header ?? column.key,
    key: `c${index}`,
    width: column.width ?? Math.min(60, Math.max(10, (column.header ?? column.key).length + 2)),
    style: xlsxStyle(column),
  }));
  sheet.getRow(1).font = { bold: true };
  let rows = 0;
  for await (const row of eachRow(input.rows, input.signal)) {
    const values: Record<string, unknown> = {};
    input.columns.forEach((column, index) => {
      const cell = toCell(row[column.key], column.type ?? "string");
      if (cell !== null) values[`c${index}`] = cell;
    });
    sheet.addRow(values).commit();
    rows++;
  }
  sheet.commit();
  await workbook.commit();
  await ended;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body, rows, mimeType: EXPORT_MIME_TYPES.xlsx, extension: "xlsx" };
}

function xlsxStyle(column: ExportColumn): object | undefined {
  if (column.format !== undefined) return { numFmt: column.format };
  if (column.type === "date") return { numFmt: "yyyy-mm-dd" };
  return undefined;
}

// ── values ────────────────────────────────────────────────────────────────

type Cell = string | number | boolean | Date | null;

/** Convert a row value to a cell of the column's type; text when it does not convert. */
export function toCell(value: unknown, type: ExportColumnType): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "number": {
      if (typeof value === "number") return Number.isFinite(value) ? value : null;
      if (typeof value === "bigint") return Number(value);
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
        return Number(value);
      break;
    }
    case "date": {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
      if (typeof value === "number" && Number.isFinite(value)) return new Date(value);
      if (typeof value === "string" && /^\d{4}-\d\d-\d\d/.test(value)) {
        const date = new Date(value);
        if (!Number.isNaN(date.getTime())) return date;
      }
      break;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      break;
    }
    default:
      break;
  }
  return text(value);
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Each row of a source's output, flattening pages, checking the signal between rows. */
async function* eachRow(
  rows: ExportRows,
  signal: AbortSignal | undefined,
): AsyncIterable<ExportRow> {
  if (
    rows === null ||
    typeof rows !== "object" ||
    !(Symbol.asyncIterator in rows || Symbol.iterator in rows)
  ) {
    throw new TypeError(
      "an export source's rows() must return an iterable or async iterable of rows",
    );
  }
  for await (const item of rows as AsyncIterable<ExportRow | ReadonlyArray<ExportRow>>) {
    signal?.throwIfAborted();
    if (Array.isArray(item)) {
      for (const row of item as ReadonlyArray<ExportRow>) yield checkRow(row);
    } else yield checkRow(item as ExportRow);
  }
}

function checkRow(row: unknown): ExportRow {
  if (row === null || typeof row !== "object" || Array.isArray(row))
    throw new TypeError(
      `an export row must be a plain object, got ${row === null ? "null" : typeof row}`,
    );
  return row as ExportRow;
}
