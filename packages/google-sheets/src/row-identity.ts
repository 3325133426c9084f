/**
 * Row identity that survives users sorting, inserting, moving and deleting
 * rows.
 *
 * A row's position is not an identity (sorting changes every position), and
 * Sheets has no row ids. So the connector keeps one in a column of its own
 * (default header "Patchbay ID"): the first sync writes a random id
 * (`r_` + 10 characters) into every row that has none, in one batched write
 * per block. The id is a plain cell value, so it travels with its row
 * through every sort, insert, cut-and-paste and delete, and it is the
 * record's external id. Writes find rows by reading that one column.
 *
 * - A row copied with its id (copy-paste, fill down) is a duplicate: the
 *   first occurrence keeps the id, later ones get new ids.
 * - A sheet read in several blocks is not one snapshot. Rows inserted,
 *   deleted or sorted between two block reads would shift rows across
 *   blocks, so rows could be read twice or missed, and a missed row would
 *   look deleted. The last read therefore also reads the whole id column
 *   and compares it with what the earlier blocks saw; if rows moved, the run
 *   fails before anything is deleted and the next run reads again.
 */
import { type ConnectorContext, ProviderError } from "@patchbay/core";
import { a1 } from "./a1.js";
import type { GoogleSheetsSettings, SheetRow, ValueRange } from "./schemas.js";
import {
  cellText,
  isEmptyRow,
  type Layout,
  ROW_ID_FIELD,
  rowFields,
  rowRecord,
  type SheetRef,
} from "./sheet-layout.js";

/**
 * What a connector-made row id looks like: `r_` and 10 lowercase letters or digits.
 *
 * @example
 * ```ts
 * ROW_ID_PATTERN.test("r_k3j9x2m1qz") // true
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/values
 */
export const ROW_ID_PATTERN = /^r_[0-9a-z]{10}$/;

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A new random row id, e.g. `r_k3j9x2m1qz` (36^10 possibilities).
 *
 * @example
 * ```ts
 * ROW_ID_PATTERN.test(newRowId()) // true
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/values
 */
export function newRowId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let id = "r_";
  // 252 = 7 * 36: values above it would bias the alphabet, so redraw them.
  for (const byte of bytes) {
    let b = byte;
    while (b >= 252) b = crypto.getRandomValues(new Uint8Array(1))[0]!;
    id += ID_ALPHABET[b % 36];
  }
  return id;
}

function encodeRange(range: string): string {
  return encodeURIComponent(range);
}

/**
 * Make sure the header row has the id column, adding it after the last
 * header (growing the grid by a column when it is full). Returns the layout
 * and sheet as they are afterwards.
 */
export async function ensureIdColumn(
  ctx: Pick<ConnectorContext, "http" | "logger" | "signal">,
  sheet: SheetRef,
  layout: Layout,
  settings: GoogleSheetsSettings,
): Promise<{ sheet: SheetRef; layout: Layout }> {
  if (layout.idIndex !== null) return { sheet, layout };
  const index = layout.headerWidth;
  let next = sheet;
  const id = encodeURIComponent(sheet.spreadsheetId);
  if (index >= sheet.columnCount) {
    // values.update cannot write outside the grid ("exceeds grid limits"): grow it first.
    await ctx.http.post(`${id}:batchUpdate`, {
      json: {
        requests: [
          {
            appendDimension: {
              sheetId: sheet.sheetId,
              dimension: "COLUMNS",
              length: index - sheet.columnCount + 1,
            },
          },
        ],
      },
      signal: ctx.signal,
    });
    next = { ...sheet, columnCount: index + 1 };
  }
  await ctx.http.put(
    `${id}/values/${encodeRange(a1(sheet.title, { startRow: settings.headerRow, startColumn: index }))}`,
    {
      query: { valueInputOption: "RAW" },
      json: { majorDimension: "ROWS", values: [[settings.idColumn]] },
      signal: ctx.signal,
    },
  );
  ctx.logger.info(`google-sheets: added the "${settings.idColumn}" column to "${sheet.title}"`, {
    spreadsheetId: sheet.spreadsheetId,
    column: index,
  });
  return { sheet: next, layout: { ...layout, idIndex: index, headerWidth: index + 1 } };
}

/**
 * Rows by id: reads the id column (one request). The first occurrence of a
 * duplicated id wins.
 */
export async function locateRows(
  ctx: Pick<ConnectorContext, "http" | "signal">,
  sheet: SheetRef,
  layout: Layout,
  settings: GoogleSheetsSettings,
): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  if (layout.idIndex === null) return rows;
  const first = settings.headerRow + 1;
  if (first > sheet.rowCount) return rows;
  const range = a1(sheet.title, {
    startRow: first,
    startColumn: layout.idIndex,
    endColumn: layout.idIndex,
  });
  const { data } = await ctx.http.get<ValueRange>(
    `${encodeURIComponent(sheet.spreadsheetId)}/values/${encodeRange(range)}`,
    { query: { majorDimension: "ROWS", valueRenderOption: "FORMATTED_VALUE" }, signal: ctx.signal },
  );
  for (const [i, cells] of (data.values ?? []).entries()) {
    const id = cellText(cells?.[0]);
    if (id !== "" && !rows.has(id)) rows.set(id, first + i);
  }
  return rows;
}

/** One id to write into a row's id cell. */
export interface IdWrite {
  row: number;
  id: string;
}

/** What one block of rows became. */
export interface BlockResult {
  records: SheetRow[];
  writes: IdWrite[];
}

/**
 * The identity state of one sync pass: which ids were seen, which rows need
 * new ids, and where the pass expects each id to be (for the moved-rows check).
 */
export class RowIdentityPass {
  readonly #layout: Layout;
  readonly #seen = new Set<string>();
  readonly #expected = new Map<number, string>();
  /** Rows whose id was seen in an earlier block: a copy, or rows that moved. Decided at the end. */
  readonly #ambiguous: Array<{ row: number; fields: Record<string, SheetRow[string]> }> = [];
  #duplicates = 0;

  constructor(layout: Layout) {
    if (layout.idIndex === null) throw new TypeError('"layout" must have an id column');
    this.#layout = layout;
  }

  /** Ids of the records yielded so far. */
  get seen(): ReadonlySet<string> {
    return this.#seen;
  }

  /** How many copied rows got a new id in this pass. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * Turn one block (rows as Google returned them, trailing empty rows
   * omitted) into records, choosing new ids for rows without one and for
   * later copies of an id within the block.
   */
  block(startRow: number, rows: readonly unknown[][]): BlockResult {
    const records: SheetRow[] = [];
    const writes: IdWrite[] = [];
    const inBlock = new Set<string>();
    for (const [i, values] of rows.entries()) {
      const row = startRow + i;
      if (isEmptyRow(values)) continue;
      const raw = cellText(values?.[this.#layout.idIndex!]);
      const fields = rowFields(this.#layout, values);
      let id = raw;
      if (raw !== "" && this.#seen.has(raw) && !inBlock.has(raw)) {
        // Seen in an earlier block: a copy far down the sheet, or the same row read
        // twice because rows moved between reads. Only the end of the pass can tell.
        this.#expected.set(row, raw);
        this.#ambiguous.push({ row, fields });
        continue;
      }
      if (raw === "" || inBlock.has(raw)) {
        if (raw !== "") this.#duplicates++;
        id = newRowId();
        writes.push({ row, id });
      }
      inBlock.add(id);
      this.#seen.add(id);
      this.#expected.set(row, id);
      records.push({ ...fields, [ROW_ID_FIELD]: id } as SheetRow);
    }
    return { records, writes };
  }

  /**
   * Compare the id column as it is now (read in the same request as the
   * last block) with where this pass saw each id, for the rows before the
   * last block. Throws a retryable `ProviderError` when rows moved.
   */
  checkNothingMoved(
    sheet: SheetRef,
    firstRow: number,
    idColumn: readonly unknown[][],
    endRow: number,
  ): void {
    for (let row = firstRow; row <= endRow; row++) {
      const now = cellText(idColumn[row - firstRow]?.[0]);
      const expected = this.#expected.get(row) ?? "";
      if (now !== expected) {
        throw new ProviderError(
          `Google Sheets: rows of "${sheet.title}" moved while the connector was reading them (a row was inserted, deleted or sorted during the sync, around row ${row}); nothing was deleted, and the next sync reads the sheet again`,
          { retryable: true },
        );
      }
    }
  }

  /**
   * After the check passed: rows whose id appeared in an earlier block are
   * copies, so they get new ids too.
   */
  settleCopies(): BlockResult {
    const records: SheetRow[] = [];
    const writes: IdWrite[] = [];
    for (const { row, fields } of this.#ambiguous.splice(0)) {
      const id = newRowId();
      this.#duplicates++;
      this.#seen.add(id);
      this.#expected.set(row, id);
      writes.push({ row, id });
      records.push({ ...fields, [ROW_ID_FIELD]: id } as SheetRow);
    }
    return { records, writes };
  }
}

/** Write new ids into their rows' id cells, in one `values:batchUpdate`. */
export async function writeIds(
  ctx: Pick<ConnectorContext, "http" | "signal">,
  sheet: SheetRef,
  layout: Layout,
  writes: readonly IdWrite[],
): Promise<void> {
  if (writes.length === 0) return;
  const column = layout.idIndex!;
  await ctx.http.post(`${encodeURIComponent(sheet.spreadsheetId)}/values:batchUpdate`, {
    json: {
      valueInputOption: "RAW",
      data: writes.map((w) => ({
        range: a1(sheet.title, { startRow: w.row, endRow: w.row, startColumn: column }),
        majorDimension: "ROWS",
        values: [[w.id]],
      })),
    },
    // Writing the same ids twice is harmless, so a timeout may be retried.
    idempotent: true,
    signal: ctx.signal,
  });
}

/** Records of rows read by number (the rows whose id cell still holds the expected id). */
export function recordsAt(
  layout: Layout,
  rows: ReadonlyArray<{ id: string; values: readonly unknown[] | undefined }>,
): SheetRow[] {
  const out: SheetRow[] = [];
  for (const { id, values } of rows) {
    if (cellText(values?.[layout.idIndex!]) === id) out.push(rowRecord(layout, values, id));
  }
  return out;
}
