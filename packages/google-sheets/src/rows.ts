/**
 * The `rows` model: a tab's rows as records, both ways.
 */
import {
  ConfigError,
  type ConnectorContext,
  defineModel,
  type Json,
  type ModelDefinition,
  ProviderError,
  type SyncContext,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { a1 } from "./a1.js";
import { type FileVersion, fileVersion } from "./drive.js";
import {
  ensureIdColumn,
  type IdWrite,
  locateRows,
  newRowId,
  RowIdentityPass,
  recordsAt,
  writeIds,
} from "./row-identity.js";
import {
  type AppendValuesResponse,
  type BatchGetValuesByDataFilterResponse,
  type BatchGetValuesResponse,
  type BatchUpdateValuesResponse,
  type GoogleSheetsSettings,
  SheetRow,
  type ValueRange,
} from "./schemas.js";
import {
  buildLayout,
  cellText,
  headerRange,
  type Layout,
  ROW_ID_FIELD,
  requireColumns,
  resolveSheet,
  rowRecord,
  rowWidth,
  type SheetRef,
  settingsOf,
} from "./sheet-layout.js";

/**
 * Rows per read request, unless the factory's `blockRows` says otherwise.
 *
 * @example
 * ```ts
 * googleSheets({ ...app, blockRows: DEFAULT_BLOCK_ROWS / 2 }); // for very wide tabs
 * ```
 * @see https://developers.google.com/workspace/sheets/api/limits
 */
export const DEFAULT_BLOCK_ROWS = 1000;

/**
 * Ids kept in the cursor so an incremental run can report rows deleted
 * since the last run. Past this many rows, deletes wait for a full run.
 *
 * @example
 * ```ts
 * if (rowCount > MAX_CURSOR_IDS) console.log("deletes are detected by the periodic full sync");
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files#File.FIELDS.version
 */
export const MAX_CURSOR_IDS = 5000;

/** The incremental cursor: the file version the last complete read started from. */
interface RowsCursor {
  v: 1;
  /** The settings the read was made with; another sheet or header means a fresh read. */
  config: string;
  modifiedTime: string | null;
  version: string | null;
  /** Ids of the rows seen, for tombstones on the next incremental run (`null` past {@link MAX_CURSOR_IDS}). */
  ids: string[] | null;
}

/** Where an interrupted pass resumes: the next block, and the file version the pass started from. */
interface RowsCheckpoint {
  row: number;
  file: FileVersion | null;
}

type Ctx = Pick<ConnectorContext, "http" | "logger" | "signal">;

function sheetPath(sheet: { spreadsheetId: string }): string {
  return encodeURIComponent(sheet.spreadsheetId);
}

function fingerprint(settings: GoogleSheetsSettings): string {
  const { spreadsheetId, sheet, sheetId, headerRow, idColumn, valueRender } = settings;
  return JSON.stringify([
    spreadsheetId,
    sheetId ?? null,
    sheet ?? null,
    headerRow,
    idColumn,
    valueRender,
  ]);
}

function asCursor(value: Json | null): RowsCursor | null {
  const c = value as Partial<RowsCursor> | null;
  return c !== null && typeof c === "object" && c.v === 1 ? (c as RowsCursor) : null;
}

function asCheckpoint(value: Json | null): RowsCheckpoint | null {
  const c = value as Partial<RowsCheckpoint> | null;
  return c !== null && typeof c === "object" && typeof c.row === "number"
    ? { row: c.row, file: c.file ?? null }
    : null;
}

/** Block plan: `[start, end]` row pairs from `first` to the grid's last row. */
function planBlocks(
  first: number,
  last: number,
  size: number,
): Array<{ start: number; end: number }> {
  const blocks: Array<{ start: number; end: number }> = [];
  for (let start = first; start <= last; start += size) {
    blocks.push({ start, end: Math.min(start + size - 1, last) });
  }
  return blocks;
}

async function getValues(
  ctx: Ctx,
  sheet: SheetRef,
  range: string,
  settings: GoogleSheetsSettings,
): Promise<ValueRange> {
  const { data } = await ctx.http.get<ValueRange>(
    `${sheetPath(sheet)}/values/${encodeURIComponent(range)}`,
    {
      query: { majorDimension: "ROWS", valueRenderOption: settings.valueRender },
      signal: ctx.signal,
    },
  );
  return data;
}

async function batchGet(
  ctx: Ctx,
  sheet: SheetRef,
  ranges: string[],
  settings: GoogleSheetsSettings,
): Promise<ValueRange[]> {
  const { data } = await ctx.http.get<BatchGetValuesResponse>(
    `${sheetPath(sheet)}/values:batchGet`,
    {
      query: { ranges, majorDimension: "ROWS", valueRenderOption: settings.valueRender },
      signal: ctx.signal,
    },
  );
  return data.valueRanges ?? [];
}

/** Whole rows by number, in one request (POST, so any number of rows fits). */
async function readRows(
  ctx: Ctx,
  sheet: SheetRef,
  rows: readonly number[],
  settings: GoogleSheetsSettings,
): Promise<Array<unknown[] | undefined>> {
  if (rows.length === 0) return [];
  const { data } = await ctx.http.post<BatchGetValuesByDataFilterResponse>(
    `${sheetPath(sheet)}/values:batchGetByDataFilter`,
    {
      json: {
        dataFilters: rows.map((row) => ({ a1Range: a1(sheet.title, { startRow: row }) })),
        majorDimension: "ROWS",
        valueRenderOption: settings.valueRender,
      },
      idempotent: true,
      signal: ctx.signal,
    },
  );
  const ranges = data.valueRanges ?? [];
  return rows.map((_, i) => ranges[i]?.valueRange?.values?.[0]);
}

async function readLayout(
  ctx: Ctx,
  sheet: SheetRef,
  settings: GoogleSheetsSettings,
): Promise<Layout> {
  const header = await getValues(ctx, sheet, headerRange(sheet, settings), settings);
  return buildLayout(header.values?.[0] ?? [], settings.idColumn);
}

/** A host value as a cell value, or why it cannot be one. */
function toCell(
  value: unknown,
): { ok: true; cell: string | number | boolean } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, cell: "" };
  if (typeof value === "string" || typeof value === "boolean") return { ok: true, cell: value };
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? { ok: true, cell: value }
      : { ok: false, error: `${value} is not a finite number` };
  }
  if (typeof value === "bigint") return { ok: true, cell: value.toString() };
  if (value instanceof Date) return { ok: true, cell: value.toISOString() };
  return { ok: false, error: "must be a string, number, boolean or null" };
}

function sameCell(current: unknown, next: string | number | boolean): boolean {
  return String(current ?? "") === String(next);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function retryable(error: unknown): boolean {
  return (error as { retryable?: unknown })?.retryable === true;
}

/** Options of {@link rowsModel}. */
export interface RowsModelOptions {
  /** Rows per read request. Default {@link DEFAULT_BLOCK_ROWS}. */
  blockRows?: number;
}

/**
 * The `rows` model. See the package docs for the identity design.
 *
 * @example
 * ```ts
 * models: { rows: rowsModel({ blockRows: 1000 }) }
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values
 */
export function rowsModel(
  options: RowsModelOptions = {},
): ModelDefinition<typeof SheetRow, GoogleSheetsSettings> {
  const blockRows = options.blockRows ?? DEFAULT_BLOCK_ROWS;
  return defineModel<typeof SheetRow, GoogleSheetsSettings>({
    description:
      "The rows of one tab. Fields are the header row's columns; each row's stable id lives in the connector's ID column.",
    schema: SheetRow,
    key: ROW_ID_FIELD,
    modes: ["full", "incremental"],
    // Incremental runs re-read everything when the file changed and report deletes from
    // the ids in the cursor; a periodic full run still proves them for very large sheets.
    fullEvery: 24,
    writeBatchSize: 200,
    sync: (ctx) => syncRows(ctx, blockRows),

    async fields(ctx) {
      const settings = settingsOf(ctx.config);
      const sheet = await resolveSheet(ctx, settings);
      const layout = await readLayout(ctx, sheet, settings);
      return requireColumns(layout, sheet, settings);
    },

    async read(ctx, externalIds) {
      const settings = settingsOf(ctx.config);
      const sheet = await resolveSheet(ctx, settings);
      const layout = await readLayout(ctx, sheet, settings);
      if (layout.idIndex === null || externalIds.length === 0) return [];
      const located = await locateRows(ctx, sheet, layout, settings);
      const wanted = [...new Set(externalIds)].flatMap((id) => {
        const row = located.get(id);
        return row === undefined ? [] : [{ id, row }];
      });
      const values = await readRows(
        ctx,
        sheet,
        wanted.map((w) => w.row),
        settings,
      );
      return recordsAt(
        layout,
        wanted.map((w, i) => ({ id: w.id, values: values[i] })),
      );
    },

    write: (ctx, changes) => writeRows(ctx, changes),
  });
}

/**
 * Full: read every block. Incremental: when the file's Drive version is the
 * one the cursor recorded (and the settings are the same), read nothing;
 * otherwise read every block and report ids missing since the last run.
 */
async function* syncRows(
  ctx: SyncContext<GoogleSheetsSettings>,
  blockRows: number,
): AsyncGenerator<{ records: SheetRow[]; deleted?: string[]; checkpoint?: Json; cursor?: Json }> {
  const settings = settingsOf(ctx.config);
  const config = fingerprint(settings);
  const resume = asCheckpoint(ctx.checkpoint);
  const previous = asCursor(ctx.cursor);
  // Checked before reading: an edit after this point bumps the version, so it is read next time.
  const file = resume !== null ? resume.file : await fileVersion(ctx, settings.spreadsheetId);
  if (
    ctx.mode === "incremental" &&
    resume === null &&
    file !== null &&
    previous !== null &&
    previous.config === config &&
    previous.version === file.version &&
    previous.modifiedTime === file.modifiedTime
  ) {
    ctx.logger.debug("google-sheets: spreadsheet unchanged since the last sync; nothing read", {
      spreadsheetId: settings.spreadsheetId,
      version: file.version,
    });
    return;
  }

  let sheet = await resolveSheet(ctx, settings);
  const firstRow = resume?.row ?? settings.headerRow + 1;
  const blocks = planBlocks(firstRow, sheet.rowCount, blockRows);
  const blockRange = (b: { start: number; end: number }) =>
    a1(sheet.title, { startRow: b.start, endRow: b.end });

  const opening = await batchGet(
    ctx,
    sheet,
    [headerRange(sheet, settings), ...blocks.slice(0, 1).map(blockRange)],
    settings,
  );
  let layout = buildLayout(opening[0]?.values?.[0] ?? [], settings.idColumn);
  requireColumns(layout, sheet, settings);
  if (
    layout.idIndex === null &&
    previous !== null &&
    previous.config === config &&
    (previous.ids === null || previous.ids.length > 0)
  ) {
    // Rows were synced with ids before: re-stamping them would turn every record into a
    // delete plus a create. Refuse, and say how to recover.
    throw new ConfigError(missingIdColumn(sheet, settings, true));
  }
  ({ sheet, layout } = await ensureIdColumn(ctx, sheet, layout, settings));
  const pass = new RowIdentityPass(layout);
  const cursorFor = (): RowsCursor => ({
    v: 1,
    config,
    modifiedTime: file?.modifiedTime ?? null,
    version: file?.version ?? null,
    ids: resume === null && pass.seen.size <= MAX_CURSOR_IDS ? [...pass.seen] : null,
  });
  const tombstones = (): string[] | undefined => {
    if (ctx.mode !== "incremental" || resume !== null || previous?.ids == null) return undefined;
    return previous.ids.filter((id) => !pass.seen.has(id));
  };

  if (blocks.length === 0) {
    yield { records: [], deleted: tombstones(), cursor: cursorFor() as unknown as Json };
    return;
  }

  for (const [i, block] of blocks.entries()) {
    const last = i === blocks.length - 1;
    let values: unknown[][];
    let idColumn: unknown[][] | undefined;
    if (i === 0) {
      values = opening[1]?.values ?? [];
    } else if (!last) {
      values = (await getValues(ctx, sheet, blockRange(block), settings)).values ?? [];
    } else {
      // The last block and the whole id column above it in one request: one snapshot
      // to check that no rows moved since the earlier blocks were read.
      const [rows, ids] = await readLastBlock(
        ctx,
        sheet,
        settings,
        layout,
        blockRange(block),
        firstRow,
        block.start - 1,
      );
      values = rows;
      idColumn = ids;
    }
    const result = pass.block(block.start, values);
    const writes: IdWrite[] = [...result.writes];
    const records = [...result.records];
    if (last && blocks.length > 1) {
      pass.checkNothingMoved(sheet, firstRow, idColumn ?? [], block.start - 1);
      const copies = pass.settleCopies();
      writes.push(...copies.writes);
      records.push(...copies.records);
    }
    await writeIds(ctx, sheet, layout, writes);
    if (writes.length > 0) {
      ctx.logger.info(`google-sheets: wrote ${writes.length} new row id(s) to "${sheet.title}"`, {
        spreadsheetId: sheet.spreadsheetId,
      });
    }
    if (last) {
      yield { records, deleted: tombstones(), cursor: cursorFor() as unknown as Json };
    } else {
      const checkpoint: RowsCheckpoint = { row: blocks[i + 1]!.start, file };
      yield { records, checkpoint: checkpoint as unknown as Json };
    }
  }
}

function missingIdColumn(sheet: SheetRef, settings: GoogleSheetsSettings, synced: boolean): string {
  return synced
    ? `The "${settings.idColumn}" column is gone from the header row of "${sheet.title}". It holds each row's identity: restore it (Edit → Undo, or File → Version history), or, if you renamed it, set "idColumn" to its new name. Nothing was synced or deleted`
    : `The "${settings.idColumn}" column is missing from the header row of "${sheet.title}": run a sync first (it adds the column and an ID to every row)`;
}

async function readLastBlock(
  ctx: Ctx,
  sheet: SheetRef,
  settings: GoogleSheetsSettings,
  layout: Layout,
  range: string,
  firstRow: number,
  endRow: number,
): Promise<[unknown[][], unknown[][]]> {
  const idRange = a1(sheet.title, {
    startRow: firstRow,
    endRow,
    startColumn: layout.idIndex!,
    endColumn: layout.idIndex!,
  });
  try {
    const [rows, ids] = await batchGet(ctx, sheet, [range, idRange], settings);
    return [rows?.values ?? [], ids?.values ?? []];
  } catch (error) {
    // Rows deleted since the plan was made: the planned range now exceeds the grid.
    if (
      error instanceof ProviderError &&
      error.status === 400 &&
      /exceeds grid limits/i.test(error.message)
    ) {
      throw new ProviderError(
        `Google Sheets: rows of "${sheet.title}" were deleted while the connector was reading them; nothing was deleted, and the next sync reads the sheet again`,
        { retryable: true, status: 400, cause: error },
      );
    }
    throw error;
  }
}

/**
 * Apply host changes: updates write only the cells that differ from the
 * row as it is now (formulas in other cells stay), deletes remove or clear
 * the row, creates append rows with new ids. One request per kind of change
 * for the whole batch.
 */
async function writeRows(
  ctx: ConnectorContext<GoogleSheetsSettings>,
  changes: WriteChange<SheetRow>[],
): Promise<WriteOutcome<SheetRow>[]> {
  const settings = settingsOf(ctx.config);
  const sheet = await resolveSheet(ctx, settings);
  const layout = await readLayout(ctx, sheet, settings);
  const columns = requireColumns(layout, sheet, settings);
  if (layout.idIndex === null) {
    // Only a sync adds the ID column, so rows typed before it get their ids at the same time.
    const error = missingIdColumn(sheet, settings, false);
    return changes.map(() => ({ ok: false, error }));
  }
  const byName = new Map(layout.columns.map((c) => [c.name, c.index]));
  const outcomes: Array<WriteOutcome<SheetRow> | undefined> = changes.map(() => undefined);
  const fail = (index: number, error: string, retry = false) => {
    outcomes[index] = { ok: false, error, retryable: retry };
  };
  const unknownColumn = (name: string) =>
    `column "${name}" is not in the header row of "${sheet.title}" (columns: ${columns.join(", ")})`;

  // Locate the rows of updates and deletes, then read them (one request) to diff
  // updates and to check each row still holds its id.
  const targets: Array<{ index: number; row: number }> = [];
  if (changes.some((c) => c.op !== "create")) {
    const located = await locateRows(ctx, sheet, layout, settings);
    for (const [index, change] of changes.entries()) {
      if (change.op === "create") continue;
      const row = located.get(change.externalId);
      if (row !== undefined) targets.push({ index, row });
      else if (change.op === "delete")
        outcomes[index] = { ok: true, externalId: change.externalId };
      else
        fail(
          index,
          `row ${change.externalId} is no longer in "${sheet.title}" (deleted, or its ${settings.idColumn} cell was cleared)`,
        );
    }
  }
  const current = await readRows(
    ctx,
    sheet,
    targets.map((t) => t.row),
    settings,
  );
  const rowOf = new Map<number, { row: number; values: unknown[] }>();
  for (const [i, target] of targets.entries()) {
    const change = changes[target.index] as Exclude<WriteChange<SheetRow>, { op: "create" }>;
    const values = current[i] ?? [];
    if (cellText(values[layout.idIndex!]) !== change.externalId) {
      fail(target.index, `row ${change.externalId} moved while writing; retry`, true);
      continue;
    }
    rowOf.set(target.index, { row: target.row, values: [...values] });
  }

  // Cell updates, and clears for deletes in clear_row mode: one values:batchUpdate.
  const data: ValueRange[] = [];
  const owners: Array<{ index: number; column: number | null }> = [];
  const width = rowWidth(layout);
  for (const [index, change] of changes.entries()) {
    const target = rowOf.get(index);
    if (target === undefined) continue;
    if (change.op === "delete") {
      if (settings.onDelete !== "clear_row") continue;
      data.push({
        range: a1(sheet.title, {
          startRow: target.row,
          endRow: target.row,
          startColumn: 0,
          endColumn: width - 1,
        }),
        majorDimension: "ROWS",
        values: [Array.from({ length: width }, () => "")],
      });
      owners.push({ index, column: null });
      continue;
    }
    if (change.op !== "update") continue;
    for (const [name, value] of Object.entries(change.data)) {
      if (name === ROW_ID_FIELD || name === settings.idColumn) continue;
      const column = byName.get(name);
      if (column === undefined) {
        // The merged record can carry columns removed from the sheet since the last sync.
        ctx.logger.warn(`google-sheets: ${unknownColumn(name)}; that field was not written`);
        continue;
      }
      const cell = toCell(value);
      if (!cell.ok) {
        fail(index, `column "${name}": ${cell.error}`);
        break;
      }
      if (sameCell(target.values[column], cell.cell)) continue;
      data.push({
        range: a1(sheet.title, { startRow: target.row, endRow: target.row, startColumn: column }),
        majorDimension: "ROWS",
        values: [[cell.cell]],
      });
      owners.push({ index, column });
    }
  }
  const pending = data.filter((_, i) => outcomes[owners[i]!.index] === undefined);
  const pendingOwners = owners.filter((o) => outcomes[o.index] === undefined);
  if (pending.length > 0) {
    try {
      const { data: response } = await ctx.http.post<BatchUpdateValuesResponse>(
        `${sheetPath(sheet)}/values:batchUpdate`,
        {
          json: {
            valueInputOption: settings.valueInput,
            data: pending,
            includeValuesInResponse: true,
            responseValueRenderOption: settings.valueRender,
          },
          // Writing the same cells again is harmless.
          idempotent: true,
          signal: ctx.signal,
        },
      );
      for (const [i, owner] of pendingOwners.entries()) {
        if (owner.column === null) continue;
        const written = response.responses?.[i]?.updatedData?.values?.[0]?.[0];
        rowOf.get(owner.index)!.values[owner.column] = written ?? "";
      }
    } catch (error) {
      for (const owner of pendingOwners) fail(owner.index, message(error), retryable(error));
    }
  }
  for (const [index, change] of changes.entries()) {
    const target = rowOf.get(index);
    if (target === undefined || outcomes[index] !== undefined) continue;
    if (change.op === "update") {
      outcomes[index] = {
        ok: true,
        externalId: change.externalId,
        data: rowRecord(layout, target.values, change.externalId),
      };
    } else if (change.op === "delete" && settings.onDelete === "clear_row") {
      outcomes[index] = { ok: true, externalId: change.externalId };
    }
  }

  // Row deletes: one :batchUpdate, bottom row first so earlier deletes do not shift later ones.
  if (settings.onDelete === "delete_row") {
    const deletes = [...rowOf.entries()]
      .filter(([index]) => changes[index]!.op === "delete" && outcomes[index] === undefined)
      .sort((a, b) => b[1].row - a[1].row);
    if (deletes.length > 0) {
      try {
        await ctx.http.post(`${sheetPath(sheet)}:batchUpdate`, {
          json: {
            requests: deletes.map(([, { row }]) => ({
              deleteDimension: {
                range: {
                  sheetId: sheet.sheetId,
                  dimension: "ROWS",
                  startIndex: row - 1,
                  endIndex: row,
                },
              },
            })),
          },
          signal: ctx.signal,
        });
        for (const [index] of deletes) {
          outcomes[index] = {
            ok: true,
            externalId: (changes[index] as { externalId: string }).externalId,
          };
        }
      } catch (error) {
        for (const [index] of deletes) fail(index, message(error), retryable(error));
      }
    }
  }

  // Creates: one values.append after the table, with a new id in the id column.
  const creates: Array<{ index: number; id: string; row: Array<string | number | boolean> }> = [];
  for (const [index, change] of changes.entries()) {
    if (change.op !== "create") continue;
    const row: Array<string | number | boolean> = Array.from({ length: width }, () => "");
    const id = newRowId();
    row[layout.idIndex!] = id;
    let error: string | undefined;
    for (const [name, value] of Object.entries(change.data)) {
      if (name === ROW_ID_FIELD || name === settings.idColumn) continue;
      const column = byName.get(name);
      if (column === undefined) {
        error = unknownColumn(name);
        break;
      }
      const cell = toCell(value);
      if (!cell.ok) {
        error = `column "${name}": ${cell.error}`;
        break;
      }
      row[column] = cell.cell;
    }
    if (error !== undefined) fail(index, error);
    else creates.push({ index, id, row });
  }
  if (creates.length > 0) {
    const table = a1(sheet.title, {
      startRow: settings.headerRow,
      endRow: settings.headerRow,
      startColumn: 0,
      endColumn: width - 1,
    });
    try {
      const { data: response } = await ctx.http.post<AppendValuesResponse>(
        `${sheetPath(sheet)}/values/${encodeURIComponent(table)}:append`,
        {
          query: {
            valueInputOption: settings.valueInput,
            insertDataOption: "INSERT_ROWS",
            includeValuesInResponse: true,
            responseValueRenderOption: settings.valueRender,
          },
          json: { majorDimension: "ROWS", values: creates.map((c) => c.row) },
          signal: ctx.signal,
        },
      );
      const written = response.updates?.updatedData?.values ?? [];
      for (const [i, create] of creates.entries()) {
        outcomes[create.index] = {
          ok: true,
          externalId: create.id,
          data: rowRecord(layout, written[i] ?? create.row, create.id),
        };
      }
    } catch (error) {
      for (const create of creates) fail(create.index, message(error), retryable(error));
    }
  }

  return outcomes.map(
    (o, i) => o ?? { ok: false, error: `change ${i} was not applied (no matching row)` },
  );
}
