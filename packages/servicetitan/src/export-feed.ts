/**
 * How the export-backed models (customers, jobs, invoices, technicians) read
 * ServiceTitan.
 *
 * An export feed returns every row of a resource (active, inactive and
 * deleted) in modification order, a page at a time, with a `continueFrom`
 * token: passed back as `from`, it resumes after the last row returned. The
 * token is the whole cursor: a full run starts without `from`, an
 * incremental run starts from the token the last run ended on, and every
 * page's token is the checkpoint an interrupted run resumes from.
 *
 * Rows with `active: false` (deactivated, deleted or merged away) become
 * tombstones. `includeRecentChanges=true` is always sent: without it the feed
 * holds back the last few minutes of changes; with it a row may come twice,
 * which costs nothing (an unchanged record writes nothing).
 */
import {
  type Json,
  PatchbayError,
  ProviderError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { z } from "zod";
import { tenantOf } from "./connection-metadata.js";
import { ExportPageSchema, ServiceTitanProblemSchema } from "./schemas.js";

/** A bound on pages per run, so a feed that never says `hasMore: false` cannot loop forever. */
const MAX_EXPORT_PAGES = 100_000;

const PositionSchema = z.object({ v: z.literal(1), from: z.string().min(1) });

/**
 * Where an export feed stands: the `continueFrom` token to send as `from`.
 *
 * @example
 * ```ts
 * const cursor: ExportPosition = { v: 1, from: page.continueFrom };
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export type ExportPosition = z.infer<typeof PositionSchema>;

function positionOf(value: unknown): ExportPosition | undefined {
  const parsed = PositionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * How one export-backed model reads its feed.
 *
 * @example
 * ```ts
 * const customers: ExportFeed = { path: SERVICETITAN_PATHS.customersExport, gone: (row) => row.active === false };
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export interface ExportFeed {
  /** The feed's path for a tenant. */
  path: (tenant: string) => string;
  /** Whether a row is a tombstone. Default: `active === false`. */
  gone?: (row: Record<string, unknown>) => boolean;
}

/**
 * A row as a record: `active` is dropped (every stored record is active;
 * inactive rows are tombstones), everything else is kept as sent.
 *
 * @example
 * ```ts
 * exportRowToRecord({ id: 1, active: true, name: "Ada" }); // { id: 1, name: "Ada" }
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export function exportRowToRecord(row: Record<string, unknown>): Record<string, unknown> {
  const { active: _active, ...record } = row;
  return record;
}

/** A 400 whose field errors name `from`: ServiceTitan refused the continuation token. */
function isBadToken(error: unknown): boolean {
  if (!(error instanceof PatchbayError) || error.status !== 400) return false;
  const problem = ServiceTitanProblemSchema.safeParse(error.cause);
  return (
    problem.success &&
    Object.keys(problem.data.errors ?? {}).some((k) => k.toLowerCase() === "from")
  );
}

/**
 * Read an export feed as sync pages: records, tombstones, a checkpoint per
 * page and, on the last page, the cursor for the next incremental run. A
 * stored token ServiceTitan refuses (400 on `from`) restarts the feed from
 * the beginning, which is slower but loses nothing.
 *
 * @example
 * ```ts
 * sync: (ctx) => syncExportFeed(ctx, { path: SERVICETITAN_PATHS.jobsExport })
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export async function* syncExportFeed(
  ctx: SyncContext<unknown>,
  feed: ExportFeed,
): AsyncGenerator<SyncPage<unknown>> {
  const path = feed.path(tenantOf(ctx.metadata));
  const gone = feed.gone ?? ((row: Record<string, unknown>) => row.active === false);
  let from =
    positionOf(ctx.checkpoint)?.from ??
    (ctx.mode === "incremental" ? positionOf(ctx.cursor)?.from : undefined);
  let restarted = false;
  for (let pages = 0; pages < MAX_EXPORT_PAGES; pages++) {
    let data: unknown;
    try {
      ({ data } = await ctx.http.get(path, {
        query: { from, includeRecentChanges: true },
        ...(ctx.signal && { signal: ctx.signal }),
      }));
    } catch (error) {
      if (from !== undefined && !restarted && isBadToken(error)) {
        ctx.logger.warn(
          "ServiceTitan: the export feed refused the stored continuation token; exporting from the beginning",
          { path },
        );
        restarted = true;
        from = undefined;
        continue;
      }
      throw error;
    }
    const page = ExportPageSchema.parse(data);
    // includeRecentChanges may repeat a row: keep its latest version once.
    const latest = new Map<string, Record<string, unknown>>();
    for (const row of page.data) latest.set(String(row.id), row);
    const records: Record<string, unknown>[] = [];
    const deleted: string[] = [];
    for (const [id, row] of latest) {
      if (gone(row)) deleted.push(id);
      else records.push(exportRowToRecord(row));
    }
    from = page.continueFrom;
    const position: Json = { v: 1, from };
    if (!page.hasMore) {
      yield { records, deleted, checkpoint: position, cursor: position };
      return;
    }
    yield { records, deleted, checkpoint: position };
  }
  throw new ProviderError(
    `ServiceTitan: the export feed ${path} returned more than ${MAX_EXPORT_PAGES} pages in one run`,
  );
}
