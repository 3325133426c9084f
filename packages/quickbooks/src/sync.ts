/**
 * Syncing one entity type. Full runs page through the query language
 * (`STARTPOSITION`/`MAXRESULTS 1000`). Incremental runs use change data
 * capture, which also reports deletes, while the cursor is inside its 30-day
 * look-back; past it (or when CDC answers 400, or fills its 1000-object
 * answer) they fall back to `MetaData.LastUpdatedTime >` queries, which see
 * no hard deletes (the periodic full run catches those).
 *
 * Customers and items are never deleted in QuickBooks, only made inactive
 * ("Make inactive" in the UI): an inactive one is reported as deleted.
 */
import {
  type ConnectorContext,
  type HttpClient,
  type Json,
  ProviderError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import {
  CDC_LOOKBACK_MS,
  CDC_MAX_OBJECTS,
  changedSince,
  QUICKBOOKS_MAX_RESULTS,
  qboDateTime,
  runQuery,
  selectStatement,
} from "./company-api.js";
import type { QuickBooksEntity } from "./schemas.js";

/**
 * How far before the last run's server time an incremental run looks again,
 * so a change committed while the last run read is never missed. Records
 * seen twice are unchanged and write nothing.
 *
 * @example
 * ```ts
 * const since = Date.parse(cursor.since) - SYNC_OVERLAP_MS;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export const SYNC_OVERLAP_MS = 5 * 60_000;

/**
 * Entities QuickBooks deactivates instead of deleting.
 *
 * @example
 * ```ts
 * DEACTIVATED_ENTITIES.has("Customer"); // true
 * ```
 * @see https://quickbooks.intuit.com/learn-support/en-us/help-article/customer-management/make-customer-inactive/L5pB4rQ5Y_US_en_US
 */
export const DEACTIVATED_ENTITIES: ReadonlySet<QuickBooksEntity> = new Set(["Customer", "Item"]);

/**
 * The incremental cursor: the server time (ISO) when the last run started reading.
 *
 * @example
 * ```ts
 * const cursor: QuickBooksCursor = { since: "2025-06-01T12:00:00.000Z" };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export interface QuickBooksCursor {
  since: string;
}

interface Checkpoint {
  startPosition: number;
  runTime: string;
}

function readCursor(value: Json | null): QuickBooksCursor | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const since = (value as Record<string, Json>).since;
  return typeof since === "string" && !Number.isNaN(Date.parse(since)) ? { since } : undefined;
}

function readCheckpoint(value: Json | null): Checkpoint | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { startPosition, runTime } = value as Record<string, Json>;
  return typeof startPosition === "number" && typeof runTime === "string"
    ? { startPosition, runTime }
    : undefined;
}

/** The server's clock from a response `time` (local clock when absent), as ISO. */
function serverTime(time: string | undefined): string {
  const parsed = time === undefined ? Number.NaN : Date.parse(time);
  return new Date(Number.isNaN(parsed) ? Date.now() : parsed).toISOString();
}

function splitInactive(
  entity: QuickBooksEntity,
  rows: Record<string, unknown>[],
): { records: Record<string, unknown>[]; deleted: string[] } {
  if (!DEACTIVATED_ENTITIES.has(entity)) return { records: rows, deleted: [] };
  const records: Record<string, unknown>[] = [];
  const deleted: string[] = [];
  for (const row of rows) {
    if (row.Active === false) deleted.push(String(row.Id));
    else records.push(row);
  }
  return { records, deleted };
}

/**
 * Options of {@link entitySync}.
 *
 * @example
 * ```ts
 * entitySync("Invoice", { waitMs: 60_000 });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export interface EntitySyncOptions {
  /** Wait after a throttle fault, in ms. */
  waitMs?: number;
  /** The local clock, to skip CDC for a cursor already past its window. Default `Date.now`. */
  now?: () => number;
}

/**
 * A model's `sync` for one entity type (see the module comment for the strategy).
 *
 * @example
 * ```ts
 * defineModel({ schema: CustomerSchema, key: "Id", modes: ["full", "incremental"], sync: entitySync("Customer") });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export function entitySync(
  entity: QuickBooksEntity,
  options: EntitySyncOptions = {},
): (ctx: SyncContext<unknown>) => AsyncIterable<SyncPage<Record<string, unknown>>> {
  const now = options.now ?? Date.now;
  return async function* sync(ctx) {
    const cursor = readCursor(ctx.cursor);
    if (ctx.mode === "incremental" && cursor !== undefined) {
      yield* incremental(ctx, entity, cursor, now(), options.waitMs);
    } else {
      yield* full(ctx, entity, readCheckpoint(ctx.checkpoint), options.waitMs);
    }
  };
}

async function* full(
  ctx: SyncContext<unknown>,
  entity: QuickBooksEntity,
  checkpoint: Checkpoint | undefined,
  waitMs: number | undefined,
): AsyncIterable<SyncPage<Record<string, unknown>>> {
  let startPosition = checkpoint?.startPosition ?? 1;
  let runTime = checkpoint?.runTime;
  for (;;) {
    // The default query returns active customers and items only: inactive ones count as deleted.
    const { rows, time } = await runQuery(
      ctx.http,
      entity,
      selectStatement(entity, { startPosition }),
      {
        ...(ctx.signal && { signal: ctx.signal }),
        ...(waitMs !== undefined && { waitMs }),
      },
    );
    runTime ??= serverTime(time);
    const last = rows.length < QUICKBOOKS_MAX_RESULTS;
    startPosition += rows.length;
    yield last
      ? { records: rows, cursor: { since: runTime } }
      : { records: rows, checkpoint: { startPosition, runTime } };
    if (last) return;
  }
}

async function* incremental(
  ctx: SyncContext<unknown>,
  entity: QuickBooksEntity,
  cursor: QuickBooksCursor,
  nowMs: number,
  waitMs: number | undefined,
): AsyncIterable<SyncPage<Record<string, unknown>>> {
  const sinceMs = Date.parse(cursor.since) - SYNC_OVERLAP_MS;
  const since = qboDateTime(sinceMs);
  const call = {
    ...(ctx.signal && { signal: ctx.signal }),
    ...(waitMs !== undefined && { waitMs }),
  };
  let cdcDeleted: string[] = [];
  // An hour of margin: the window is counted on Intuit's clock, not ours.
  if (nowMs - sinceMs < CDC_LOOKBACK_MS - 3_600_000) {
    try {
      const cdc = await changedSince(ctx.http, entity, since, call);
      if (cdc.total < CDC_MAX_OBJECTS) {
        const { records, deleted } = splitInactive(entity, cdc.changed);
        yield {
          records,
          deleted: [...deleted, ...cdc.deleted],
          cursor: { since: serverTime(cdc.time) },
        };
        return;
      }
      ctx.logger.warn(
        "QuickBooks CDC answer is full (1000 objects); reading changes with queries",
        {
          entity,
        },
      );
      cdcDeleted = cdc.deleted;
    } catch (error) {
      if (!(error instanceof ProviderError && error.status === 400)) throw error;
      ctx.logger.warn("QuickBooks CDC refused the window; reading changes with queries", {
        entity,
        error: error.message,
      });
    }
  }
  yield* updatedSince(ctx.http, entity, since, cdcDeleted, call);
}

async function* updatedSince(
  http: HttpClient,
  entity: QuickBooksEntity,
  since: string,
  alsoDeleted: string[],
  call: { signal?: AbortSignal; waitMs?: number },
): AsyncIterable<SyncPage<Record<string, unknown>>> {
  let startPosition = 1;
  let runTime: string | undefined;
  let first = true;
  for (;;) {
    const statement = selectStatement(entity, {
      updatedAfter: since,
      includeInactive: DEACTIVATED_ENTITIES.has(entity),
      startPosition,
    });
    const { rows, time } = await runQuery(http, entity, statement, call);
    runTime ??= serverTime(time);
    const { records, deleted } = splitInactive(entity, rows);
    if (first) deleted.push(...alsoDeleted);
    first = false;
    const last = rows.length < QUICKBOOKS_MAX_RESULTS;
    startPosition += rows.length;
    yield { records, deleted, ...(last && { cursor: { since: runTime } }) };
    if (last) return;
  }
}

/**
 * A model's `read`: the current version of some entities by id (inactive
 * customers and items, and missing ids, are left out), 500 ids per query.
 *
 * @example
 * ```ts
 * await readEntities(ctx, "Customer", ["58", "59"]);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export async function readEntities(
  ctx: Pick<ConnectorContext<unknown>, "http" | "signal">,
  entity: QuickBooksEntity,
  ids: string[],
  waitMs?: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const { rows } = await runQuery(ctx.http, entity, selectStatement(entity, { ids: chunk }), {
      ...(ctx.signal && { signal: ctx.signal }),
      ...(waitMs !== undefined && { waitMs }),
    });
    out.push(...rows);
  }
  return out;
}
