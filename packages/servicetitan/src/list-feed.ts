/**
 * How list-backed models (job types: ServiceTitan has no export feed for
 * them) read ServiceTitan: page-numbered lists (`page` from 1, `pageSize`,
 * `hasMore`) sorted by id, with `active=Any` so deactivated rows come back as
 * tombstones, and `modifiedOnOrAfter` for incremental runs.
 *
 * The incremental cursor is the newest `modifiedOn` seen, ServiceTitan's own
 * clock, so clock skew between us and ServiceTitan loses nothing; the
 * boundary row is read again (the filter is inclusive) and writes nothing.
 * Hard deletes are invisible to these lists: the full runs (`fullEvery`)
 * catch them.
 */
import {
  type HttpClient,
  type Json,
  ProviderError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { z } from "zod";
import { tenantOf } from "./connection-metadata.js";
import { exportRowToRecord } from "./export-feed.js";
import { ListPageSchema } from "./schemas.js";

/**
 * Rows per list page (ServiceTitan allows 1 to 5000; default 50).
 *
 * @example
 * ```ts
 * const query = { page: 1, pageSize: LIST_PAGE_SIZE };
 * ```
 * @see https://developer.servicetitan.io/docs/timeouts-and-pagination/
 */
export const LIST_PAGE_SIZE = 500;

/** A bound on pages per run. */
const MAX_LIST_PAGES = 10_000;

const CursorSchema = z.object({ v: z.literal(1), modifiedOnOrAfter: z.string().nullable() });
const CheckpointSchema = z.object({
  v: z.literal(1),
  page: z.number().int().min(1),
  modifiedOnOrAfter: z.string().nullable(),
  newest: z.string().nullable(),
});

function newer(a: string | null, b: unknown): string | null {
  if (typeof b !== "string" || Number.isNaN(Date.parse(b))) return a;
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * Read a list endpoint as sync pages.
 *
 * @example
 * ```ts
 * sync: (ctx) => syncListFeed(ctx, SERVICETITAN_PATHS.jobTypes)
 * ```
 * @see https://developer.servicetitan.io/docs/timeouts-and-pagination/
 */
export async function* syncListFeed(
  ctx: SyncContext<unknown>,
  path: (tenant: string) => string,
): AsyncGenerator<SyncPage<unknown>> {
  const url = path(tenantOf(ctx.metadata));
  const resume = CheckpointSchema.safeParse(ctx.checkpoint);
  const cursor = CursorSchema.safeParse(ctx.cursor);
  const since = resume.success
    ? resume.data.modifiedOnOrAfter
    : ctx.mode === "incremental" && cursor.success
      ? cursor.data.modifiedOnOrAfter
      : null;
  let page = resume.success ? resume.data.page : 1;
  let newest = resume.success ? resume.data.newest : since;
  for (let n = 0; n < MAX_LIST_PAGES; n++) {
    const body = await listPage(ctx.http, url, {
      page,
      pageSize: LIST_PAGE_SIZE,
      active: "Any",
      sort: "+Id",
      modifiedOnOrAfter: since ?? undefined,
      signal: ctx.signal,
    });
    const records: Record<string, unknown>[] = [];
    const deleted: string[] = [];
    for (const row of body.data) {
      newest = newer(newest, row.modifiedOn);
      if (row.active === false) deleted.push(String(row.id));
      else records.push(exportRowToRecord(row));
    }
    page += 1;
    const checkpoint: Json = { v: 1, page, modifiedOnOrAfter: since, newest };
    if (!body.hasMore) {
      yield { records, deleted, checkpoint, cursor: { v: 1, modifiedOnOrAfter: newest } };
      return;
    }
    yield { records, deleted, checkpoint };
  }
  throw new ProviderError(
    `ServiceTitan: ${url} returned more than ${MAX_LIST_PAGES} pages in one run`,
  );
}

/**
 * One page of a list endpoint, validated.
 *
 * @example
 * ```ts
 * const { data, hasMore } = await listPage(http, SERVICETITAN_PATHS.campaigns(tenant), { page: 1, pageSize: 50, active: "True" });
 * ```
 * @see https://developer.servicetitan.io/docs/timeouts-and-pagination/
 */
export async function listPage(
  http: HttpClient,
  url: string,
  query: {
    page: number;
    pageSize: number;
    active?: "True" | "False" | "Any";
    sort?: string;
    ids?: string;
    modifiedOnOrAfter?: string;
    signal?: AbortSignal | undefined;
  },
): Promise<z.infer<typeof ListPageSchema>> {
  const { signal, ...params } = query;
  const { data } = await http.get(url, { query: params, ...(signal && { signal }) });
  return ListPageSchema.parse(data);
}

/**
 * Every row of a list endpoint (for small reference lists: business units,
 * campaigns, job types).
 *
 * @example
 * ```ts
 * const units = await listAll(http, SERVICETITAN_PATHS.businessUnits(tenant));
 * ```
 * @see https://developer.servicetitan.io/docs/timeouts-and-pagination/
 */
export async function listAll(
  http: HttpClient,
  url: string,
  query: { active?: "True" | "False" | "Any"; ids?: string; signal?: AbortSignal | undefined } = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (let page = 1; page <= MAX_LIST_PAGES; page++) {
    const body = await listPage(http, url, { page, pageSize: LIST_PAGE_SIZE, ...query });
    rows.push(...body.data);
    if (!body.hasMore) break;
  }
  return rows;
}
