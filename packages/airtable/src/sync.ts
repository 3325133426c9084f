/**
 * How the `records` model reads a table.
 *
 * Full run: list every record (100 per page, Airtable's opaque `offset`). An
 * offset expires after a few minutes of inactivity
 * (`LIST_RECORDS_ITERATOR_NOT_AVAILABLE`); the listing then starts over,
 * which is harmless (unchanged records write nothing) and keeps the run's
 * delete detection correct, because every record is seen again.
 *
 * Incremental run, two sources that coexist in one cursor:
 * - `modifiedAfter`: records are fetched with
 *   `filterByFormula=IS_AFTER(LAST_MODIFIED_TIME(), '<modifiedAfter>')`. It is
 *   the start of the last listing minus five minutes (so clock skew between
 *   us and Airtable loses nothing; the overlap re-reads a few unchanged
 *   records, which the engine ignores). It only moves when a listing runs.
 * - `webhook: { id, cursor }`: when the connection has a webhook, its payload
 *   log is read from `cursor` until `mightHaveMore` is false. Destroyed
 *   records become tombstones (the only way an incremental run learns of
 *   hard deletes); created or changed records trigger the
 *   `LAST_MODIFIED_TIME` listing. No payload for the table means nothing
 *   changed: the run makes no listing call and keeps `modifiedAfter`.
 * Without a webhook (or when it was replaced, or a payload reports an
 * error), incremental runs list by time only, and hard deletes wait for the
 * next full run (`fullEvery`).
 */
import {
  type HttpClient,
  type Json,
  type Logger,
  NotFoundError,
  PatchbayError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { z } from "zod";
import { recordsPath, webhookPayloadsPath, webhooksPath } from "./endpoints.js";
import { AIRTABLE_ERROR } from "./error-parser.js";
import { configuredTable, flattenRecord } from "./records.js";
import {
  type AirtableConfig,
  type AirtableRecordData,
  ListRecordsResponseSchema,
  ListWebhookPayloadsResponseSchema,
  ListWebhooksResponseSchema,
} from "./schemas.js";
import { activeWebhookId } from "./webhook-metadata.js";

/**
 * Records per list page: Airtable's maximum.
 *
 * @example
 * ```ts
 * const query = { pageSize: LIST_PAGE_SIZE }; // 100
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export const LIST_PAGE_SIZE = 100;
/**
 * Payloads per page: Airtable's maximum.
 *
 * @example
 * ```ts
 * const query = { cursor, limit: PAYLOAD_PAGE_LIMIT }; // 50
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export const PAYLOAD_PAGE_LIMIT = 50;
/**
 * How far before the last listing's start the next incremental listing reaches back.
 *
 * @example
 * ```ts
 * const next = new Date(Date.parse(startedAt) - MODIFIED_OVERLAP_MS).toISOString();
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export const MODIFIED_OVERLAP_MS = 5 * 60_000;
/** Listings restarted after an expired offset, per run, before giving up. */
const MAX_LISTING_RESTARTS = 3;
/** A bound on payload pages per run, so a misbehaving log cannot loop forever. */
const MAX_PAYLOAD_PAGES = 10_000;

const WebhookCursorSchema = z.object({ id: z.string(), cursor: z.number().int().min(1) });
type WebhookCursor = z.infer<typeof WebhookCursorSchema>;

/** What the next incremental run starts from. */
const RecordsCursorSchema = z.object({
  v: z.literal(1),
  baseId: z.string(),
  tableId: z.string(),
  view: z.string().nullable(),
  modifiedAfter: z.string(),
  webhook: WebhookCursorSchema.optional(),
});
type RecordsCursor = z.infer<typeof RecordsCursorSchema>;

/** Where an interrupted run resumes. */
const CheckpointSchema = z.object({
  v: z.literal(1),
  startedAt: z.string(),
  offset: z.string().optional(),
  /** Incremental runs: the listing's lower bound. */
  modifiedAfter: z.string().optional(),
  /** Where payload tracking stands once this run completes. */
  webhook: WebhookCursorSchema.optional(),
});
type Checkpoint = z.infer<typeof CheckpointSchema>;

function parseOr<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function cursorJson(cursor: RecordsCursor): Json {
  return {
    v: 1,
    baseId: cursor.baseId,
    tableId: cursor.tableId,
    view: cursor.view,
    modifiedAfter: cursor.modifiedAfter,
    ...(cursor.webhook !== undefined && { webhook: { ...cursor.webhook } }),
  };
}

function checkpointJson(checkpoint: Checkpoint): Json {
  return {
    v: 1,
    startedAt: checkpoint.startedAt,
    ...(checkpoint.offset !== undefined && { offset: checkpoint.offset }),
    ...(checkpoint.modifiedAfter !== undefined && { modifiedAfter: checkpoint.modifiedAfter }),
    ...(checkpoint.webhook !== undefined && { webhook: { ...checkpoint.webhook } }),
  };
}

/**
 * The formula selecting records modified after `iso`.
 *
 * @example
 * ```ts
 * modifiedAfterFormula("2024-05-01T10:00:00.000Z");
 * // "IS_AFTER(LAST_MODIFIED_TIME(), '2024-05-01T10:00:00.000Z')"
 * ```
 * @see https://support.airtable.com/docs/formula-field-reference
 */
export function modifiedAfterFormula(iso: string): string {
  return `IS_AFTER(LAST_MODIFIED_TIME(), '${iso}')`;
}

function isExpiredOffset(error: unknown): boolean {
  return (
    error instanceof PatchbayError &&
    (error.providerCode === AIRTABLE_ERROR.ITERATOR_NOT_AVAILABLE ||
      error.providerCode === AIRTABLE_ERROR.INVALID_OFFSET_VALUE)
  );
}

interface ListingPage {
  records: AirtableRecordData[];
  offset: string | undefined;
}

/** List a table's records page by page, starting over when the offset expires. */
async function* listRecords(
  http: HttpClient,
  config: AirtableConfig,
  options: { formula?: string; offset?: string; signal?: AbortSignal; logger: Logger },
): AsyncGenerator<ListingPage> {
  let offset = options.offset;
  let restarts = 0;
  for (;;) {
    let data: unknown;
    try {
      ({ data } = await http.get(recordsPath(config.baseId, config.tableId), {
        query: {
          pageSize: LIST_PAGE_SIZE,
          offset,
          view: config.view,
          filterByFormula: options.formula,
        },
        ...(options.signal && { signal: options.signal }),
      }));
    } catch (error) {
      if (offset !== undefined && isExpiredOffset(error) && restarts < MAX_LISTING_RESTARTS) {
        restarts++;
        options.logger.warn(
          "Airtable: the list offset expired (LIST_RECORDS_ITERATOR_NOT_AVAILABLE); listing the table again from the start",
          { baseId: config.baseId, tableId: config.tableId, restart: restarts },
        );
        offset = undefined;
        continue;
      }
      throw error;
    }
    const page = ListRecordsResponseSchema.parse(data);
    offset = page.offset === "" ? undefined : page.offset;
    yield { records: page.records.map(flattenRecord), offset };
    if (offset === undefined) return;
  }
}

/**
 * The webhook's current position in its payload log (`cursorForNextPayload`),
 * or `undefined` when the webhook is gone.
 */
async function currentPayloadCursor(
  http: HttpClient,
  baseId: string,
  webhookId: string,
  signal?: AbortSignal,
): Promise<WebhookCursor | undefined> {
  const { data } = await http.get(webhooksPath(baseId), { ...(signal && { signal }) });
  const hook = ListWebhooksResponseSchema.parse(data).webhooks.find((w) => w.id === webhookId);
  return hook === undefined
    ? undefined
    : { id: webhookId, cursor: Math.max(1, hook.cursorForNextPayload) };
}

/**
 * What a webhook's payload log says happened to one table.
 *
 * @example
 * ```ts
 * const { destroyed, touched } = await readPayloads(http, baseId, tableId, webhookId, cursor);
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export interface PayloadDigest {
  /** Where the next read starts. */
  cursor: number;
  /** Records created or changed. */
  touched: Set<string>;
  /** Records destroyed (and not restored later in the log). */
  destroyed: Set<string>;
  /** The log reported an error, or the table itself changed: fall back to listing. */
  unreliable: boolean;
  /** Payload pages read. */
  pages: number;
}

/**
 * Read a webhook's payloads from `cursor` until `mightHaveMore` is false,
 * keeping what concerns `tableId`.
 *
 * @example
 * ```ts
 * const digest = await readPayloads(ctx.http, baseId, tableId, webhookId, 1);
 * if (digest.destroyed.size > 0) tombstones.push(...digest.destroyed);
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export async function readPayloads(
  http: HttpClient,
  baseId: string,
  tableId: string,
  webhookId: string,
  cursor: number,
  signal?: AbortSignal,
): Promise<PayloadDigest> {
  const digest: PayloadDigest = {
    cursor,
    touched: new Set(),
    destroyed: new Set(),
    unreliable: false,
    pages: 0,
  };
  while (digest.pages < MAX_PAYLOAD_PAGES) {
    const { data } = await http.get(webhookPayloadsPath(baseId, webhookId), {
      query: { cursor: digest.cursor, limit: PAYLOAD_PAGE_LIMIT },
      ...(signal && { signal }),
    });
    digest.pages++;
    const page = ListWebhookPayloadsResponseSchema.parse(data);
    for (const payload of page.payloads) {
      if (payload.error === true) {
        digest.unreliable = true;
        continue;
      }
      if (payload.destroyedTableIds?.includes(tableId)) digest.unreliable = true;
      const changes = payload.changedTablesById?.[tableId];
      if (changes === undefined) continue;
      for (const id of [
        ...Object.keys(changes.createdRecordsById ?? {}),
        ...Object.keys(changes.changedRecordsById ?? {}),
      ]) {
        digest.touched.add(id);
        // A record restored from the trash comes back with its old id.
        digest.destroyed.delete(id);
      }
      for (const id of changes.destroyedRecordIds ?? []) {
        digest.destroyed.add(id);
        digest.touched.delete(id);
      }
    }
    const advanced = page.cursor > digest.cursor || page.payloads.length > 0;
    digest.cursor = Math.max(digest.cursor, page.cursor);
    if (!page.mightHaveMore) return digest;
    if (!advanced) {
      // "More" without progress: do not spin; list by time instead.
      digest.unreliable = true;
      return digest;
    }
  }
  digest.unreliable = true;
  return digest;
}

type RecordsPage = SyncPage<AirtableRecordData>;

/**
 * The `records` model's `sync`: full listings, and incremental runs from the
 * webhook payload log and `LAST_MODIFIED_TIME()` (see the module comment).
 *
 * @example
 * ```ts
 * records: defineModel({ schema: AirtableRecordDataSchema, key: "id", sync: syncRecords })
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export async function* syncRecords(
  ctx: SyncContext<AirtableConfig>,
): AsyncGenerator<RecordsPage, void, undefined> {
  const config = configuredTable(ctx.config);
  const checkpoint = parseOr(CheckpointSchema, ctx.checkpoint);
  const stored = parseOr(RecordsCursorSchema, ctx.cursor);
  const previous =
    stored !== null &&
    stored.baseId === config.baseId &&
    stored.tableId === config.tableId &&
    stored.view === (config.view ?? null)
      ? stored
      : null;
  if (ctx.mode === "incremental" && stored !== null && previous === null) {
    ctx.logger.warn(
      "Airtable: the base, table or view changed since the last sync; listing the whole table (run a full sync to drop the old table's records)",
      { baseId: config.baseId, tableId: config.tableId },
    );
  }
  const startedAt = checkpoint?.startedAt ?? new Date().toISOString();
  const nextModifiedAfter = new Date(Date.parse(startedAt) - MODIFIED_OVERLAP_MS).toISOString();
  const webhookId = activeWebhookId(ctx.metadata, config);
  const base = {
    v: 1 as const,
    baseId: config.baseId,
    tableId: config.tableId,
    view: config.view ?? null,
  };

  let webhook: WebhookCursor | undefined = checkpoint?.webhook;
  let deleted: string[] = [];
  let formula: string | undefined;
  let modifiedAfter: string | undefined;

  if (ctx.mode === "incremental" && previous !== null) {
    modifiedAfter = checkpoint?.modifiedAfter ?? previous.modifiedAfter;
    formula = modifiedAfterFormula(modifiedAfter);
    if (checkpoint === null && webhookId !== undefined) {
      if (previous.webhook?.id === webhookId) {
        const digest = await readPayloads(
          ctx.http,
          config.baseId,
          config.tableId,
          webhookId,
          previous.webhook.cursor,
          ctx.signal,
        ).catch((error: unknown) => {
          // The webhook expired and was removed: list by time, and stop following it.
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
        if (digest === undefined) {
          webhook = undefined;
        } else {
          webhook = { id: webhookId, cursor: digest.cursor };
          deleted = [...digest.destroyed];
          ctx.logger.debug("Airtable: read the webhook payload log", {
            pages: digest.pages,
            touched: digest.touched.size,
            destroyed: digest.destroyed.size,
            unreliable: digest.unreliable,
          });
          if (!digest.unreliable && digest.touched.size === 0) {
            // Nothing was created or changed: no listing, and `modifiedAfter` stays put.
            yield { records: [], deleted, cursor: cursorJson({ ...previous, webhook }) };
            return;
          }
        }
      } else {
        // A new webhook: follow its log from now on; this run lists by time.
        webhook = await currentPayloadCursor(ctx.http, config.baseId, webhookId, ctx.signal);
      }
    }
  } else if (checkpoint === null && webhookId !== undefined) {
    // Full run: start following the log from here, so the next incremental run reads only what follows.
    webhook = await currentPayloadCursor(ctx.http, config.baseId, webhookId, ctx.signal);
  }

  let first = true;
  for await (const page of listRecords(ctx.http, config, {
    formula,
    offset: checkpoint?.offset,
    signal: ctx.signal,
    logger: ctx.logger,
  })) {
    const out: RecordsPage = { records: page.records };
    if (first && deleted.length > 0) out.deleted = deleted;
    first = false;
    if (page.offset !== undefined) {
      out.checkpoint = checkpointJson({
        v: 1,
        startedAt,
        offset: page.offset,
        ...(modifiedAfter !== undefined && { modifiedAfter }),
        ...(webhook !== undefined && { webhook }),
      });
    } else {
      out.cursor = cursorJson({
        ...base,
        modifiedAfter: nextModifiedAfter,
        ...(webhook !== undefined && { webhook }),
      });
    }
    yield out;
  }
}
