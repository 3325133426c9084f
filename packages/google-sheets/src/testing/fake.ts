import type { sheets_v4 } from "@googleapis/sheets";
import {
  createGoogleOAuthFake,
  googleError,
  googleRateLimited,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import { columnIndex, parseA1 } from "../a1.js";
import { DRIVE_API, GOOGLE_SHEETS_SCOPES, SHEETS_API, spreadsheetUrl } from "../endpoints.js";
import {
  type Cell,
  deleteColumns,
  deleteRows,
  type FakeSheet,
  FakeSheetsError,
  type FakeSpreadsheet,
  findTable,
  formatRange,
  type GridRange,
  insertColumns,
  insertRows,
  isEmptyCell,
  lastDataRow,
  readRange,
  render,
  resolveRange,
  setCell,
  sortRows,
  writeRange,
} from "./state.js";

/**
 * Where the sandbox host's Google Sheets callback lives; registered with the fake OAuth client.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "google-sheets", redirectUri: GOOGLE_SHEETS_SANDBOX_REDIRECT });
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 */
export const GOOGLE_SHEETS_SANDBOX_REDIRECT =
  "https://app.example.com/integrations/google-sheets/callback";

/**
 * A row for the seed and edit helpers: cells by header name, or by position.
 *
 * @example
 * ```ts
 * const rows: FakeRow[] = [{ Artist: "Bonobo", Status: "Pitched" }, ["Caribou", "Replied"]];
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export type FakeRow = Record<string, Cell> | Cell[];

/**
 * One request the fake served, for assertions ("the second sync made no values call").
 *
 * @example
 * ```ts
 * expect(fake.requests.filter((r: FakeSheetsRequest) => r.operation.startsWith("values."))).toEqual([]);
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export interface FakeSheetsRequest {
  api: "sheets" | "drive";
  /** `values.get`, `values.batchGet`, `values.batchGetByDataFilter`, `values.update`, `values.batchUpdate`, `values.append`, `values.batchClear`, `spreadsheets.get`, `spreadsheets.create`, `spreadsheets.batchUpdate`, `drive.files.get`, `drive.about.get`. */
  operation: string;
  method: string;
  url: string;
  spreadsheetId?: string;
  /** The A1 ranges the request named. */
  ranges: string[];
  /** The HTTP status the fake answered. */
  status: number;
}

/**
 * Options of {@link createGoogleSheetsFake}.
 *
 * @example
 * ```ts
 * const options: GoogleSheetsFakeOptions = { redirectUris: ["http://localhost:3000/integrations/google-sheets/callback"] };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export interface GoogleSheetsFakeOptions {
  /** Redirect URIs of the sandbox OAuth client. Default `[GOOGLE_SHEETS_SANDBOX_REDIRECT]`. */
  redirectUris?: string[];
  /** Share one Google OAuth fake with other Google fakes. Default: a new one. */
  oauth?: FakeOAuthServer;
  /** The clock (epoch ms) for Drive's `modifiedTime`. Default `Date.now`. */
  now?: () => number;
}

/**
 * Which tab a helper acts on: its title or sheetId. Default: the first tab.
 *
 * @example
 * ```ts
 * fake.deleteRow(spreadsheetId, 4, { sheet: "Festivals" } satisfies SheetChoice);
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export interface SheetChoice {
  sheet?: string | number;
}

/**
 * What `seedSpreadsheet` takes.
 *
 * @example
 * ```ts
 * const input: SeedSpreadsheetInput = { title: "Pitches", headers: ["Artist", "Status"], rows: [{ Artist: "Bonobo" }] };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export interface SeedSpreadsheetInput {
  title?: string;
  /** Title of the tab. Default `"Sheet1"`. */
  sheet?: string;
  headers: string[];
  rows?: FakeRow[];
  /** Row number of the header. Default 1. */
  headerRow?: number;
  /** Grid size. Default: at least 1,000 rows and 26 columns, as a new Google sheet. */
  rowCount?: number;
  columnCount?: number;
  spreadsheetId?: string;
  /**
   * Whether the app may open it under `drive.file` (the user picked it with
   * the Google Picker). Default `true`; `false` models a spreadsheet only the
   * `spreadsheets` scope reaches.
   */
  appAccess?: boolean;
}

const READ_SCOPES = new Set<string>([
  GOOGLE_SHEETS_SCOPES.spreadsheets,
  GOOGLE_SHEETS_SCOPES.driveFile,
  "https://www.googleapis.com/auth/drive",
  "https://www.googleapis.com/auth/spreadsheets.readonly",
  "https://www.googleapis.com/auth/drive.readonly",
]);
const WRITE_SCOPES = new Set<string>([
  GOOGLE_SHEETS_SCOPES.spreadsheets,
  GOOGLE_SHEETS_SCOPES.driveFile,
  "https://www.googleapis.com/auth/drive",
]);
/** Scopes that reach every file the user can open (not only the app's). */
const BROAD_SCOPES = new Set<string>([
  GOOGLE_SHEETS_SCOPES.spreadsheets,
  "https://www.googleapis.com/auth/spreadsheets.readonly",
  "https://www.googleapis.com/auth/drive",
  "https://www.googleapis.com/auth/drive.readonly",
]);
const DRIVE_SCOPES = new Set<string>([
  GOOGLE_SHEETS_SCOPES.driveFile,
  "https://www.googleapis.com/auth/drive",
  "https://www.googleapis.com/auth/drive.readonly",
  "https://www.googleapis.com/auth/drive.metadata",
  "https://www.googleapis.com/auth/drive.metadata.readonly",
]);
const DRIVE_BROAD_SCOPES = new Set<string>([
  "https://www.googleapis.com/auth/drive",
  "https://www.googleapis.com/auth/drive.readonly",
  "https://www.googleapis.com/auth/drive.metadata",
  "https://www.googleapis.com/auth/drive.metadata.readonly",
]);
const RENDER_OPTIONS = new Set(["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"]);
const INPUT_OPTIONS = new Set(["RAW", "USER_ENTERED"]);
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The top-level names of a `fields` mask (`a,b.c,d(e,f)` → a, b, d). */
function topLevelFields(mask: string | null): Set<string> | null {
  if (mask === null || mask.trim() === "" || mask.trim() === "*") return null;
  const names = new Set<string>();
  let depth = 0;
  let current = "";
  for (const ch of `${mask},`) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      const name = current.trim().split(/[.(/]/)[0];
      if (name) names.add(name);
      current = "";
    } else current += ch;
  }
  return names;
}

/** `fields` honoured loosely: only the top-level keys the mask names. */
function pick<T extends object>(resource: T, mask: string | null): Partial<T> {
  const names = topLevelFields(mask);
  if (names === null) return resource;
  return Object.fromEntries(Object.entries(resource).filter(([k]) => names.has(k))) as Partial<T>;
}

function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ID_CHARS[b % 64]).join("");
}

/**
 * A stateful fake of the Google Sheets API v4 (and the Drive calls the
 * connector makes), served as MSW handlers on Google's real URLs, with
 * Google's OAuth server (via `createGoogleOAuthFake`), error bodies,
 * rate-limit responses and grid rules. Helpers act as a user in the Sheets
 * UI (edit a cell, insert rows, sort, delete a row); every change bumps the
 * file's Drive `version` and `modifiedTime`.
 *
 * @example
 * ```ts
 * const fake = createGoogleSheetsFake();
 * const server = setupServer(...fake.handlers);
 * const { spreadsheetId } = fake.seedSpreadsheet({ title: "Pitches", headers: ["Artist", "Status"], rows: [{ Artist: "Bonobo", Status: "Pitched" }] });
 * fake.sortBy(spreadsheetId, "Artist");
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export function createGoogleSheetsFake(options: GoogleSheetsFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({
      redirectUris: options.redirectUris ?? [GOOGLE_SHEETS_SANDBOX_REDIRECT],
    });
  const spreadsheets = new Map<string, FakeSpreadsheet>();
  const requests: FakeSheetsRequest[] = [];
  let rateLimited = 0;
  let lastModified = 0;

  function stamp(): string {
    lastModified = Math.max(now(), lastModified + 1);
    return new Date(lastModified).toISOString();
  }

  /** A change to the file: Drive's version and modifiedTime move. */
  function touch(ss: FakeSpreadsheet): void {
    ss.version++;
    ss.modifiedTime = stamp();
  }

  /** Apply `fn` to a copy and keep it only if it succeeds (Google's batches are atomic). */
  function transaction<T>(ss: FakeSpreadsheet, fn: (draft: FakeSpreadsheet) => T): T {
    const draft: FakeSpreadsheet = { ...ss, sheets: structuredClone(ss.sheets) };
    const result = fn(draft);
    ss.sheets = draft.sheets;
    touch(ss);
    return result;
  }

  function spreadsheetOf(id: string): FakeSpreadsheet {
    const ss = spreadsheets.get(id);
    if (ss === undefined) throw new TypeError(`no fake spreadsheet "${id}"`);
    return ss;
  }

  function sheetOf(ss: FakeSpreadsheet, choice: string | number | undefined): FakeSheet {
    const sorted = [...ss.sheets].sort((a, b) => a.index - b.index);
    const sheet =
      choice === undefined
        ? sorted[0]
        : sorted.find((s) =>
            typeof choice === "number" ? s.sheetId === choice : s.title === choice,
          );
    if (sheet === undefined)
      throw new TypeError(`no tab ${JSON.stringify(choice)} in "${ss.title}"`);
    return sheet;
  }

  function newSheet(
    props: sheets_v4.Schema$SheetProperties | undefined,
    index: number,
    sheetId: number,
  ): FakeSheet {
    return {
      sheetId: props?.sheetId ?? sheetId,
      title: props?.title ?? `Sheet${index + 1}`,
      index,
      hidden: props?.hidden === true,
      rowCount: props?.gridProperties?.rowCount ?? 1000,
      columnCount: props?.gridProperties?.columnCount ?? 26,
      frozenRowCount: props?.gridProperties?.frozenRowCount ?? 0,
      cells: [],
    };
  }

  function sheetProperties(sheet: FakeSheet) {
    return {
      sheetId: sheet.sheetId,
      title: sheet.title,
      index: sheet.index,
      sheetType: "GRID",
      ...(sheet.hidden ? { hidden: true } : {}),
      gridProperties: {
        rowCount: sheet.rowCount,
        columnCount: sheet.columnCount,
        ...(sheet.frozenRowCount > 0 ? { frozenRowCount: sheet.frozenRowCount } : {}),
      },
    } satisfies sheets_v4.Schema$SheetProperties;
  }

  function resource(ss: FakeSpreadsheet) {
    return {
      spreadsheetId: ss.spreadsheetId,
      properties: {
        title: ss.title,
        locale: ss.locale,
        autoRecalc: "ON_CHANGE",
        timeZone: ss.timeZone,
      },
      sheets: [...ss.sheets]
        .sort((a, b) => a.index - b.index)
        .map((s) => ({ properties: sheetProperties(s) })),
      spreadsheetUrl: spreadsheetUrl(ss.spreadsheetId),
    } satisfies sheets_v4.Schema$Spreadsheet;
  }

  function headerNames(sheet: FakeSheet, headerRow: number): string[] {
    const row = sheet.cells[headerRow - 1] ?? [];
    return Array.from({ length: row.length }, (_, c) =>
      String(render(row[c], "FORMATTED_VALUE")).trim(),
    );
  }

  function toCells(sheet: FakeSheet, headerRow: number, row: FakeRow): Cell[] {
    if (Array.isArray(row)) return row;
    const headers = headerNames(sheet, headerRow);
    const cells: Cell[] = [];
    for (const [name, value] of Object.entries(row)) {
      const c = headers.indexOf(name);
      if (c === -1)
        throw new TypeError(
          `no column "${name}" in the header row (${headers.filter(Boolean).join(", ")})`,
        );
      cells[c] = value;
    }
    return Array.from(cells, (v) => v ?? "");
  }

  function putRow(sheet: FakeSheet, r: number, cells: readonly Cell[]): void {
    if (cells.length > sheet.columnCount) sheet.columnCount = cells.length;
    for (const [c, value] of cells.entries()) setCell(sheet, r, c, value);
  }

  // ── Request plumbing ─────────────────────────────────────────────────────

  async function body<T>(request: Request): Promise<T> {
    try {
      return (await request.json()) as T;
    } catch {
      throw new FakeSheetsError(400, "badRequest", "Invalid JSON payload received.");
    }
  }

  function option(
    value: string | null | undefined,
    allowed: Set<string>,
    name: string,
    fallback?: string,
  ): string {
    const chosen = value ?? fallback;
    if (chosen === undefined) {
      throw new FakeSheetsError(400, "badRequest", `'${name}' is required but not specified`);
    }
    if (!allowed.has(chosen)) {
      throw new FakeSheetsError(400, "badRequest", `Invalid value at '${name}', "${chosen}"`);
    }
    return chosen;
  }

  function access(ss: FakeSpreadsheet | undefined, scopes: readonly string[]): FakeSpreadsheet {
    if (ss === undefined)
      throw new FakeSheetsError(404, "notFound", "Requested entity was not found.");
    if (!ss.appAccess && !scopes.some((s) => BROAD_SCOPES.has(s))) {
      throw new FakeSheetsError(403, "forbidden", "The caller does not have permission");
    }
    return ss;
  }

  function updateResponse(
    ss: FakeSpreadsheet,
    range: GridRange,
    written: ReturnType<typeof writeRange>,
    include: boolean,
    renderOption: string,
  ) {
    const updatedRange = formatRange(range.sheet, range.r0, written.r1, range.c0, written.c1);
    const values = include
      ? readRange({ ...range, r1: written.r1, c1: written.c1 }, renderOption)
      : [];
    return {
      spreadsheetId: ss.spreadsheetId,
      updatedRange,
      updatedRows: written.rows,
      updatedColumns: written.columns,
      updatedCells: written.cells,
      ...(include
        ? {
            updatedData: {
              range: updatedRange,
              majorDimension: "ROWS",
              ...(values.length > 0 ? { values } : {}),
            },
          }
        : {}),
    } satisfies sheets_v4.Schema$UpdateValuesResponse;
  }

  function valueRange(range: GridRange, renderOption: string, major: string) {
    const values = readRange(range, renderOption, major);
    return {
      range: formatRange(range.sheet, range.r0, range.r1, range.c0, range.c1),
      majorDimension: major,
      ...(values.length > 0 ? { values } : {}),
    } satisfies sheets_v4.Schema$ValueRange;
  }

  function gridRangeOf(
    ss: FakeSpreadsheet,
    grid: sheets_v4.Schema$GridRange | undefined,
    where: string,
  ): GridRange {
    const sheet = ss.sheets.find((s) => s.sheetId === (grid?.sheetId ?? 0));
    if (sheet === undefined)
      throw new FakeSheetsError(
        400,
        "badRequest",
        `Invalid ${where}: No grid with id: ${grid?.sheetId ?? 0}`,
      );
    const r0 = grid?.startRowIndex ?? 0;
    const r1 = (grid?.endRowIndex ?? sheet.rowCount) - 1;
    const c0 = grid?.startColumnIndex ?? 0;
    const c1 = (grid?.endColumnIndex ?? sheet.columnCount) - 1;
    if (r1 >= sheet.rowCount || c1 >= sheet.columnCount || r0 > r1 || c0 > c1) {
      throw new FakeSheetsError(400, "badRequest", `Invalid ${where}: range is outside the grid`);
    }
    return { sheet, r0, r1, c0, c1, anchor: false };
  }

  function structural(
    draft: FakeSpreadsheet,
    request: sheets_v4.Schema$Request,
    i: number,
  ): sheets_v4.Schema$Response {
    const kinds = Object.keys(request);
    const kind = kinds[0];
    const where = `requests[${i}].${kind}`;
    const sheetById = (id: number | null | undefined) => {
      const sheet = draft.sheets.find((s) => s.sheetId === (id ?? 0));
      if (sheet === undefined)
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: No grid with id: ${id ?? 0}`,
        );
      return sheet;
    };
    if (kinds.length !== 1) {
      throw new FakeSheetsError(
        400,
        "badRequest",
        `Invalid requests[${i}]: exactly one kind of request must be set`,
      );
    }
    if (request.deleteDimension) {
      const range = request.deleteDimension.range ?? {};
      const sheet = sheetById(range.sheetId);
      const start = range.startIndex ?? 0;
      if (range.dimension === "ROWS") deleteRows(sheet, start, range.endIndex ?? sheet.rowCount);
      else if (range.dimension === "COLUMNS")
        deleteColumns(sheet, start, range.endIndex ?? sheet.columnCount);
      else
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: dimension must be ROWS or COLUMNS`,
        );
      return {};
    }
    if (request.insertDimension) {
      const range = request.insertDimension.range ?? {};
      const sheet = sheetById(range.sheetId);
      const start = range.startIndex ?? 0;
      const end = range.endIndex ?? start;
      if (end <= start)
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: endIndex must be greater than startIndex`,
        );
      if (range.dimension === "ROWS") insertRows(sheet, start, end - start);
      else if (range.dimension === "COLUMNS") insertColumns(sheet, start, end - start);
      else
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: dimension must be ROWS or COLUMNS`,
        );
      return {};
    }
    if (request.appendDimension) {
      const { sheetId, dimension, length } = request.appendDimension;
      const sheet = sheetById(sheetId);
      if (!length || length < 1)
        throw new FakeSheetsError(400, "badRequest", `Invalid ${where}: length must be positive`);
      if (dimension === "ROWS") sheet.rowCount += length;
      else if (dimension === "COLUMNS") sheet.columnCount += length;
      else
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: dimension must be ROWS or COLUMNS`,
        );
      return {};
    }
    if (request.sortRange) {
      const range = gridRangeOf(draft, request.sortRange.range ?? undefined, where);
      const specs = (request.sortRange.sortSpecs ?? []).map((spec) => ({
        column: spec.dimensionIndex ?? range.c0,
        descending: spec.sortOrder === "DESCENDING",
      }));
      if (specs.some((s) => s.column < range.c0 || s.column > range.c1)) {
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: sort column is outside the range`,
        );
      }
      sortRows(range.sheet, range.r0, range.r1, range.c0, range.c1, specs);
      return {};
    }
    if (request.addSheet) {
      const props = request.addSheet.properties ?? {};
      if (props.title && draft.sheets.some((s) => s.title === props.title)) {
        throw new FakeSheetsError(
          400,
          "badRequest",
          `Invalid ${where}: A sheet with the name "${props.title}" already exists. Please enter another name.`,
        );
      }
      const sheet = newSheet(
        { ...props, sheetId: props.sheetId ?? Math.floor(Math.random() * 2 ** 30) },
        props.index ?? draft.sheets.length,
        0,
      );
      draft.sheets.push(sheet);
      return { addSheet: { properties: sheetProperties(sheet) } };
    }
    if (request.updateSheetProperties) {
      const { properties, fields } = request.updateSheetProperties;
      const sheet = sheetById(properties?.sheetId);
      const names = topLevelFields(fields ?? null);
      const wants = (name: string) => names === null || names.has(name);
      if (wants("title") && properties?.title) sheet.title = properties.title;
      if (wants("hidden") && typeof properties?.hidden === "boolean")
        sheet.hidden = properties.hidden;
      return {};
    }
    throw new FakeSheetsError(
      400,
      "badRequest",
      `Invalid requests[${i}]: "${kind}" is not implemented by the Patchbay fake (it implements deleteDimension, insertDimension, appendDimension, sortRange, addSheet, updateSheetProperties)`,
    );
  }

  async function routeSheets(
    request: Request,
    url: URL,
    entry: FakeSheetsRequest,
    scopes: readonly string[],
  ): Promise<Response> {
    const rest = url.pathname.slice(new URL(SHEETS_API).pathname.length);
    const q = url.searchParams;
    const writable = () => {
      if (!scopes.some((s) => WRITE_SCOPES.has(s))) {
        throw new FakeSheetsError(
          403,
          "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
          "Request had insufficient authentication scopes.",
        );
      }
    };

    if (rest === "" || rest === "/") {
      entry.operation = "spreadsheets.create";
      if (request.method !== "POST")
        throw new FakeSheetsError(404, "notFound", "Method not found.");
      writable();
      const input = await body<sheets_v4.Schema$Spreadsheet>(request);
      const spreadsheetId = `1${randomId(43)}`;
      const at = stamp();
      const sheets = (input.sheets?.length ? input.sheets : [{}]).map((s, i) =>
        newSheet(s.properties ?? undefined, i, i === 0 ? 0 : Math.floor(Math.random() * 2 ** 30)),
      );
      const ss: FakeSpreadsheet = {
        spreadsheetId,
        title: input.properties?.title ?? "Untitled spreadsheet",
        locale: input.properties?.locale ?? "en_US",
        timeZone: input.properties?.timeZone ?? "Etc/GMT",
        sheets,
        version: 1,
        modifiedTime: at,
        createdTime: at,
        appAccess: true,
      };
      spreadsheets.set(spreadsheetId, ss);
      entry.spreadsheetId = spreadsheetId;
      return HttpResponse.json(resource(ss));
    }

    let match = /^\/([^/:]+)(:batchUpdate)?$/.exec(rest);
    if (match) {
      const id = decodeURIComponent(match[1]!);
      entry.spreadsheetId = id;
      const ss = access(spreadsheets.get(id), scopes);
      if (match[2] === undefined) {
        entry.operation = "spreadsheets.get";
        if (request.method !== "GET")
          throw new FakeSheetsError(404, "notFound", "Method not found.");
        return HttpResponse.json(pick(resource(ss), q.get("fields")));
      }
      entry.operation = "spreadsheets.batchUpdate";
      if (request.method !== "POST")
        throw new FakeSheetsError(404, "notFound", "Method not found.");
      writable();
      const input = await body<sheets_v4.Schema$BatchUpdateSpreadsheetRequest>(request);
      const replies = transaction(ss, (draft) =>
        (input.requests ?? []).map((r, i) => structural(draft, r, i)),
      );
      return HttpResponse.json({
        spreadsheetId: id,
        replies,
        ...(input.includeSpreadsheetInResponse ? { updatedSpreadsheet: resource(ss) } : {}),
      } satisfies sheets_v4.Schema$BatchUpdateSpreadsheetResponse);
    }

    match = /^\/([^/:]+)\/values:(batchGet|batchUpdate|batchGetByDataFilter|batchClear)$/.exec(
      rest,
    );
    if (match) {
      const id = decodeURIComponent(match[1]!);
      entry.spreadsheetId = id;
      const method = match[2]!;
      entry.operation = `values.${method}`;
      const expected = method === "batchGet" ? "GET" : "POST";
      if (request.method !== expected)
        throw new FakeSheetsError(404, "notFound", "Method not found.");
      const ss = access(spreadsheets.get(id), scopes);
      if (method === "batchGet") {
        const ranges = q.getAll("ranges");
        entry.ranges = ranges;
        const renderOption = option(
          q.get("valueRenderOption"),
          RENDER_OPTIONS,
          "valueRenderOption",
          "FORMATTED_VALUE",
        );
        const major = q.get("majorDimension") ?? "ROWS";
        return HttpResponse.json({
          spreadsheetId: id,
          valueRanges: ranges.map((r) => valueRange(resolveRange(ss, r), renderOption, major)),
        } satisfies sheets_v4.Schema$BatchGetValuesResponse);
      }
      if (method === "batchGetByDataFilter") {
        const input = await body<sheets_v4.Schema$BatchGetValuesByDataFilterRequest>(request);
        const renderOption = option(
          input.valueRenderOption,
          RENDER_OPTIONS,
          "valueRenderOption",
          "FORMATTED_VALUE",
        );
        const major = input.majorDimension ?? "ROWS";
        const filters = input.dataFilters ?? [];
        entry.ranges = filters.map((f) => f.a1Range ?? "(gridRange)");
        return HttpResponse.json({
          spreadsheetId: id,
          valueRanges: filters.map((filter, i) => {
            const range = filter.a1Range
              ? resolveRange(ss, filter.a1Range)
              : filter.gridRange
                ? gridRangeOf(ss, filter.gridRange, `dataFilters[${i}]`)
                : undefined;
            if (range === undefined) {
              throw new FakeSheetsError(
                400,
                "badRequest",
                `Invalid dataFilters[${i}]: the Patchbay fake supports a1Range and gridRange filters`,
              );
            }
            return { valueRange: valueRange(range, renderOption, major), dataFilters: [filter] };
          }),
        } satisfies sheets_v4.Schema$BatchGetValuesByDataFilterResponse);
      }
      writable();
      if (method === "batchClear") {
        const input = await body<sheets_v4.Schema$BatchClearValuesRequest>(request);
        const cleared = transaction(ss, (draft) =>
          (input.ranges ?? []).map((text) => {
            const range = resolveRange(draft, text);
            for (let r = range.r0; r <= range.r1; r++) {
              for (let c = range.c0; c <= range.c1; c++) {
                const row = range.sheet.cells[r];
                if (row !== undefined) row[c] = undefined;
              }
            }
            return formatRange(range.sheet, range.r0, range.r1, range.c0, range.c1);
          }),
        );
        entry.ranges = input.ranges ?? [];
        return HttpResponse.json({
          spreadsheetId: id,
          clearedRanges: cleared,
        } satisfies sheets_v4.Schema$BatchClearValuesResponse);
      }
      const input = await body<sheets_v4.Schema$BatchUpdateValuesRequest>(request);
      const inputOption = option(input.valueInputOption, INPUT_OPTIONS, "valueInputOption");
      const renderOption = option(
        input.responseValueRenderOption,
        RENDER_OPTIONS,
        "responseValueRenderOption",
        "FORMATTED_VALUE",
      );
      const data = input.data ?? [];
      entry.ranges = data.map((d) => d.range ?? "");
      const responses = transaction(ss, (draft) =>
        data.map((d, i) => {
          if (!d.range)
            throw new FakeSheetsError(400, "badRequest", `Invalid data[${i}]: range is required`);
          const range = resolveRange(draft, d.range);
          const written = writeRange(
            range,
            d.values ?? [],
            inputOption,
            d.majorDimension ?? "ROWS",
            d.range,
          );
          return updateResponse(
            draft,
            range,
            written,
            input.includeValuesInResponse === true,
            renderOption,
          );
        }),
      );
      return HttpResponse.json({
        spreadsheetId: id,
        totalUpdatedRows: responses.reduce((n, r) => n + r.updatedRows, 0),
        totalUpdatedColumns: Math.max(0, ...responses.map((r) => r.updatedColumns)),
        totalUpdatedCells: responses.reduce((n, r) => n + r.updatedCells, 0),
        totalUpdatedSheets: new Set(data.map((d) => resolveRange(ss, d.range ?? "").sheet.sheetId))
          .size,
        responses,
      } satisfies sheets_v4.Schema$BatchUpdateValuesResponse);
    }

    match = /^\/([^/:]+)\/values\/(.+?)(:append|:clear)?$/.exec(rest);
    if (match) {
      const id = decodeURIComponent(match[1]!);
      const text = decodeURIComponent(match[2]!);
      entry.spreadsheetId = id;
      entry.ranges = [text];
      const suffix = match[3];
      const ss = access(spreadsheets.get(id), scopes);
      if (suffix === undefined && request.method === "GET") {
        entry.operation = "values.get";
        const renderOption = option(
          q.get("valueRenderOption"),
          RENDER_OPTIONS,
          "valueRenderOption",
          "FORMATTED_VALUE",
        );
        return HttpResponse.json(
          valueRange(resolveRange(ss, text), renderOption, q.get("majorDimension") ?? "ROWS"),
        );
      }
      if (suffix === undefined && request.method === "PUT") {
        entry.operation = "values.update";
        writable();
        const inputOption = option(q.get("valueInputOption"), INPUT_OPTIONS, "valueInputOption");
        const renderOption = option(
          q.get("responseValueRenderOption"),
          RENDER_OPTIONS,
          "responseValueRenderOption",
          "FORMATTED_VALUE",
        );
        const input = await body<sheets_v4.Schema$ValueRange>(request);
        const response = transaction(ss, (draft) => {
          const range = resolveRange(draft, text);
          const written = writeRange(
            range,
            input.values ?? [],
            inputOption,
            input.majorDimension ?? "ROWS",
            text,
          );
          return updateResponse(
            draft,
            range,
            written,
            q.get("includeValuesInResponse") === "true",
            renderOption,
          );
        });
        return HttpResponse.json(response);
      }
      if (suffix === ":clear" && request.method === "POST") {
        entry.operation = "values.clear";
        writable();
        const cleared = transaction(ss, (draft) => {
          const range = resolveRange(draft, text);
          for (let r = range.r0; r <= range.r1; r++) {
            for (let c = range.c0; c <= range.c1; c++) {
              const row = range.sheet.cells[r];
              if (row !== undefined) row[c] = undefined;
            }
          }
          return formatRange(range.sheet, range.r0, range.r1, range.c0, range.c1);
        });
        return HttpResponse.json({
          spreadsheetId: id,
          clearedRange: cleared,
        } satisfies sheets_v4.Schema$ClearValuesResponse);
      }
      if (suffix === ":append" && request.method === "POST") {
        entry.operation = "values.append";
        writable();
        const inputOption = option(q.get("valueInputOption"), INPUT_OPTIONS, "valueInputOption");
        const insert = option(
          q.get("insertDataOption"),
          new Set(["OVERWRITE", "INSERT_ROWS"]),
          "insertDataOption",
          "OVERWRITE",
        );
        const renderOption = option(
          q.get("responseValueRenderOption"),
          RENDER_OPTIONS,
          "responseValueRenderOption",
          "FORMATTED_VALUE",
        );
        const input = await body<sheets_v4.Schema$ValueRange>(request);
        const values = (input.values ?? []) as unknown[][];
        const response = transaction(ss, (draft) => {
          const range = resolveRange(draft, text);
          const table = findTable(range);
          const at = table === null ? range.r0 : table.end + 1;
          const height = values.length;
          const width = Math.max(0, ...values.map((r) => (Array.isArray(r) ? r.length : 0)));
          const { sheet } = range;
          if (insert === "INSERT_ROWS") insertRows(sheet, at, height);
          else if (at + height > sheet.rowCount) sheet.rowCount = at + height;
          if (range.c0 + width > sheet.columnCount) sheet.columnCount = range.c0 + width;
          const target: GridRange = {
            sheet,
            r0: at,
            r1: at + Math.max(height, 1) - 1,
            c0: range.c0,
            c1: range.c0 + Math.max(width, 1) - 1,
            anchor: false,
          };
          const written = writeRange(
            target,
            values,
            inputOption,
            input.majorDimension ?? "ROWS",
            text,
          );
          return {
            spreadsheetId: id,
            ...(table === null
              ? {}
              : { tableRange: formatRange(sheet, table.start, table.end, range.c0, range.c1) }),
            updates: updateResponse(
              draft,
              target,
              written,
              q.get("includeValuesInResponse") === "true",
              renderOption,
            ),
          } satisfies sheets_v4.Schema$AppendValuesResponse;
        });
        return HttpResponse.json(response);
      }
    }
    throw new FakeSheetsError(404, "notFound", "Method not found.");
  }

  async function serve(
    api: "sheets" | "drive",
    request: Request,
    route: (url: URL, entry: FakeSheetsRequest, scopes: readonly string[]) => Promise<Response>,
  ): Promise<Response> {
    const url = new URL(request.url);
    const entry: FakeSheetsRequest = {
      api,
      operation: "unknown",
      method: request.method,
      url: url.href,
      ranges: [],
      status: 0,
    };
    requests.push(entry);
    const style = api === "sheets" ? "rpc" : "legacy";
    const response = await (async () => {
      const auth = oauth.verifyBearer(request);
      if (!auth.valid) return googleUnauthorized(style);
      if (rateLimited > 0) {
        rateLimited--;
        return googleRateLimited(style);
      }
      try {
        return await route(url, entry, auth.scopes);
      } catch (error) {
        if (error instanceof FakeSheetsError) {
          // Scope errors come in the One Platform shape; the rest as Sheets and Drive send them.
          const shape = error.reason === "ACCESS_TOKEN_SCOPE_INSUFFICIENT" ? "rpc" : "legacy";
          return googleError(error.status, error.reason, error.message, shape);
        }
        throw error;
      }
    })();
    entry.status = response.status;
    return response;
  }

  function driveFile(ss: FakeSpreadsheet) {
    return {
      kind: "drive#file",
      id: ss.spreadsheetId,
      name: ss.title,
      mimeType: "application/vnd.google-apps.spreadsheet",
      createdTime: ss.createdTime,
      modifiedTime: ss.modifiedTime,
      version: String(ss.version),
    };
  }

  const handlers: HttpHandler[] = [
    ...oauth.handlers,
    http.all(`${SHEETS_API}*`, ({ request }) =>
      serve("sheets", request, async (url, entry, scopes) => {
        const isRead = request.method === "GET" || url.pathname.endsWith(":batchGetByDataFilter");
        const allowed = isRead ? READ_SCOPES : WRITE_SCOPES;
        if (!scopes.some((s) => allowed.has(s))) {
          throw new FakeSheetsError(
            403,
            "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            "Request had insufficient authentication scopes.",
          );
        }
        return routeSheets(request, url, entry, scopes);
      }),
    ),
    http.get(`${DRIVE_API}/files/:fileId`, ({ request, params }) =>
      serve("drive", request, async (url, entry, scopes) => {
        entry.operation = "drive.files.get";
        const id = String(params.fileId);
        entry.spreadsheetId = id;
        if (!scopes.some((s) => DRIVE_SCOPES.has(s))) {
          throw new FakeSheetsError(
            403,
            "insufficientPermissions",
            "Request had insufficient authentication scopes.",
          );
        }
        const ss = spreadsheets.get(id);
        // drive.file sees only files the app created or the user opened with it.
        if (ss === undefined || (!ss.appAccess && !scopes.some((s) => DRIVE_BROAD_SCOPES.has(s)))) {
          throw new FakeSheetsError(404, "notFound", `File not found: ${id}.`);
        }
        const file = driveFile(ss);
        const fields = url.searchParams.get("fields");
        return HttpResponse.json(
          fields === null
            ? { kind: file.kind, id: file.id, name: file.name, mimeType: file.mimeType }
            : pick(file, fields),
        );
      }),
    ),
    http.get(`${DRIVE_API}/about`, ({ request }) =>
      serve("drive", request, async (url, entry, scopes) => {
        entry.operation = "drive.about.get";
        if (!scopes.some((s) => DRIVE_SCOPES.has(s))) {
          throw new FakeSheetsError(
            403,
            "insufficientPermissions",
            "Request had insufficient authentication scopes.",
          );
        }
        const fields = url.searchParams.get("fields");
        if (fields === null || fields.trim() === "") {
          throw new FakeSheetsError(
            400,
            "required",
            "The 'fields' parameter is required for this method.",
          );
        }
        const subject = oauth.verifyBearer(request);
        const who = subject.valid ? subject.subject : "user";
        const email = who.includes("@") ? who : `${who}@example.com`;
        return HttpResponse.json(
          pick(
            {
              kind: "drive#about",
              user: {
                kind: "drive#user",
                displayName: who.split("@")[0],
                me: true,
                permissionId: "0000000000",
                emailAddress: email,
              },
            },
            fields,
          ),
        );
      }),
    ),
  ];

  // ── The user in the Sheets UI ───────────────────────────────────────────

  function seedSpreadsheet(input: SeedSpreadsheetInput): {
    spreadsheetId: string;
    sheetId: number;
    sheet: string;
  } {
    if (input === null || typeof input !== "object" || !Array.isArray(input.headers)) {
      throw new TypeError('seedSpreadsheet: "headers" must be an array of column names');
    }
    const headerRow = input.headerRow ?? 1;
    const rows = input.rows ?? [];
    const spreadsheetId = input.spreadsheetId ?? `1${randomId(43)}`;
    if (spreadsheets.has(spreadsheetId))
      throw new TypeError(`seedSpreadsheet: "${spreadsheetId}" exists already`);
    const sheet = newSheet(
      {
        title: input.sheet ?? "Sheet1",
        gridProperties: {
          rowCount: input.rowCount ?? Math.max(1000, headerRow + rows.length),
          columnCount: input.columnCount ?? Math.max(26, input.headers.length),
        },
      },
      0,
      0,
    );
    putRow(sheet, headerRow - 1, input.headers);
    for (const [i, row] of rows.entries())
      putRow(sheet, headerRow + i, toCells(sheet, headerRow, row));
    if (headerRow + rows.length > sheet.rowCount) sheet.rowCount = headerRow + rows.length;
    const at = stamp();
    spreadsheets.set(spreadsheetId, {
      spreadsheetId,
      title: input.title ?? "Untitled spreadsheet",
      locale: "en_US",
      timeZone: "Etc/GMT",
      sheets: [sheet],
      version: 1,
      modifiedTime: at,
      createdTime: at,
      appAccess: input.appAccess ?? true,
    });
    return { spreadsheetId, sheetId: sheet.sheetId, sheet: sheet.title };
  }

  const api = {
    /** MSW handlers: Google's OAuth server, the Sheets API, and Drive `files.get` and `about.get`. */
    handlers,
    /** The Google OAuth fake the handlers authenticate against. */
    oauth,
    /** Every request served, in order (with the status answered). */
    requests,
    /** Forget the request log. */
    clearRequests(): void {
      requests.length = 0;
    },
    /** The next `count` API requests answer Google's 429 RESOURCE_EXHAUSTED. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      rateLimited += count;
    },
    /** The stored spreadsheet (mutating it skips the version bump: use the helpers). */
    spreadsheet(spreadsheetId: string): FakeSpreadsheet {
      return spreadsheetOf(spreadsheetId);
    },
    /** The file's Drive version and modifiedTime. */
    file(spreadsheetId: string): { version: string; modifiedTime: string } {
      const ss = spreadsheetOf(spreadsheetId);
      return { version: String(ss.version), modifiedTime: ss.modifiedTime };
    },
    /** Create a spreadsheet with one tab, a header row and rows (objects by header name, or arrays). */
    seedSpreadsheet,
    /** Add a tab (the user clicked "+"). Returns its sheetId. */
    addSheet(
      spreadsheetId: string,
      input: { title: string; headers?: string[]; rows?: FakeRow[] },
    ): number {
      const ss = spreadsheetOf(spreadsheetId);
      if (ss.sheets.some((s) => s.title === input.title))
        throw new TypeError(`addSheet: "${input.title}" exists already`);
      const sheet = newSheet(
        { title: input.title, sheetId: 1 + Math.max(...ss.sheets.map((s) => s.sheetId)) },
        ss.sheets.length,
        0,
      );
      if (input.headers) putRow(sheet, 0, input.headers);
      for (const [i, row] of (input.rows ?? []).entries())
        putRow(sheet, 1 + i, toCells(sheet, 1, row));
      ss.sheets.push(sheet);
      touch(ss);
      return sheet.sheetId;
    },
    /** Rename a tab. */
    renameSheet(spreadsheetId: string, from: string | number, title: string): void {
      const ss = spreadsheetOf(spreadsheetId);
      sheetOf(ss, from).title = title;
      touch(ss);
    },
    /** Type into one cell (`"B3"` or `"Tab!B3"`); `""` or `null` clears it. */
    editCell(spreadsheetId: string, cell: string, value: Cell | null): void {
      const ss = spreadsheetOf(spreadsheetId);
      const parsed = parseA1(cell);
      if (parsed.startRow === null || parsed.startColumn === null)
        throw new TypeError(`editCell: "${cell}" is not a cell`);
      const sheet = sheetOf(ss, parsed.sheet ?? undefined);
      if (parsed.startRow > sheet.rowCount || parsed.startColumn >= sheet.columnCount) {
        throw new TypeError(`editCell: "${cell}" is outside the grid`);
      }
      setCell(sheet, parsed.startRow - 1, parsed.startColumn, value ?? "");
      touch(ss);
    },
    /** Type a new row under the last row with data (no id: the connector adds one). Returns its row number. */
    appendRow(
      spreadsheetId: string,
      row: FakeRow,
      choice: SheetChoice & { headerRow?: number } = {},
    ): number {
      const ss = spreadsheetOf(spreadsheetId);
      const sheet = sheetOf(ss, choice.sheet);
      const r = Math.max(lastDataRow(sheet) + 1, choice.headerRow ?? 1);
      if (r >= sheet.rowCount) sheet.rowCount = r + 1;
      putRow(sheet, r, toCells(sheet, choice.headerRow ?? 1, row));
      touch(ss);
      return r + 1;
    },
    /** Insert empty rows above row `row` (1-based), as "Insert 1 row above". */
    insertRowsAbove(spreadsheetId: string, row: number, count = 1, choice: SheetChoice = {}): void {
      const ss = spreadsheetOf(spreadsheetId);
      insertRows(sheetOf(ss, choice.sheet), row - 1, count);
      touch(ss);
    },
    /** Delete row `row` (1-based), as "Delete row". */
    deleteRow(spreadsheetId: string, row: number, choice: SheetChoice = {}): void {
      const ss = spreadsheetOf(spreadsheetId);
      const sheet = sheetOf(ss, choice.sheet);
      deleteRows(sheet, row - 1, row);
      touch(ss);
    },
    /** Delete a column (its header name or letters), as "Delete column": columns to its right shift left. */
    deleteColumn(
      spreadsheetId: string,
      column: string,
      choice: SheetChoice & { headerRow?: number } = {},
    ): void {
      const ss = spreadsheetOf(spreadsheetId);
      const sheet = sheetOf(ss, choice.sheet);
      const byName = headerNames(sheet, choice.headerRow ?? 1).indexOf(column);
      const c = byName !== -1 ? byName : /^[A-Za-z]{1,3}$/.test(column) ? columnIndex(column) : -1;
      if (c === -1) throw new TypeError(`deleteColumn: no column "${column}"`);
      deleteColumns(sheet, c, c + 1);
      touch(ss);
    },
    /**
     * "Sort sheet" by a column (its header name or letters), keeping the
     * header row in place: every column moves with its row.
     */
    sortBy(
      spreadsheetId: string,
      column: string,
      choice: SheetChoice & { order?: "asc" | "desc"; headerRow?: number } = {},
    ): void {
      const ss = spreadsheetOf(spreadsheetId);
      const sheet = sheetOf(ss, choice.sheet);
      const headerRow = choice.headerRow ?? 1;
      const byName = headerNames(sheet, headerRow).indexOf(column);
      const c = byName !== -1 ? byName : /^[A-Za-z]{1,3}$/.test(column) ? columnIndex(column) : -1;
      if (c === -1) throw new TypeError(`sortBy: no column "${column}"`);
      const last = lastDataRow(sheet);
      if (last >= headerRow) {
        sortRows(sheet, headerRow, last, 0, sheet.columnCount - 1, [
          { column: c, descending: choice.order === "desc" },
        ]);
      }
      touch(ss);
    },
    /** The row number (1-based) of the first row whose cell in `column` (header name) is `value`. */
    findRow(
      spreadsheetId: string,
      column: string,
      value: Cell,
      choice: SheetChoice & { headerRow?: number } = {},
    ): number | undefined {
      const sheet = sheetOf(spreadsheetOf(spreadsheetId), choice.sheet);
      const headerRow = choice.headerRow ?? 1;
      const c = headerNames(sheet, headerRow).indexOf(column);
      if (c === -1) throw new TypeError(`findRow: no column "${column}"`);
      for (let r = headerRow; r < sheet.rowCount; r++) {
        const cell = sheet.cells[r]?.[c];
        if (
          !isEmptyCell(cell) &&
          render(cell, "FORMATTED_VALUE") === render(value, "FORMATTED_VALUE")
        )
          return r + 1;
      }
      return undefined;
    },
    /** What the user sees: the tab's cells as text, up to the last row and column with data. */
    values(spreadsheetId: string, choice: SheetChoice = {}): string[][] {
      const sheet = sheetOf(spreadsheetOf(spreadsheetId), choice.sheet);
      return readRange(
        { sheet, r0: 0, r1: sheet.rowCount - 1, c0: 0, c1: sheet.columnCount - 1, anchor: false },
        "FORMATTED_VALUE",
      ).map((row) => row.map(String));
    },
    /** The non-empty rows under the header, as text by header name (empty cells as `""`). */
    table(
      spreadsheetId: string,
      choice: SheetChoice & { headerRow?: number } = {},
    ): Array<{ row: number; cells: Record<string, string> }> {
      const sheet = sheetOf(spreadsheetOf(spreadsheetId), choice.sheet);
      const headerRow = choice.headerRow ?? 1;
      const headers = headerNames(sheet, headerRow);
      const out: Array<{ row: number; cells: Record<string, string> }> = [];
      for (let r = headerRow; r < sheet.rowCount; r++) {
        const row = sheet.cells[r];
        if (row === undefined || row.every(isEmptyCell)) continue;
        const cells: Record<string, string> = {};
        for (const [c, name] of headers.entries()) {
          if (name !== "") cells[name] = String(render(row[c], "FORMATTED_VALUE"));
        }
        out.push({ row: r + 1, cells });
      }
      return out;
    },
  };
  return api;
}

/**
 * The fake returned by {@link createGoogleSheetsFake}.
 *
 * @example
 * ```ts
 * let fake: GoogleSheetsFake = createGoogleSheetsFake();
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest
 */
export type GoogleSheetsFake = ReturnType<typeof createGoogleSheetsFake>;
