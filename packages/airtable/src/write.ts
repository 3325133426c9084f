/**
 * Write-back of the `records` model. Core hands over at most 10 changes at a
 * time (`writeBatchSize: 10`, Airtable's per-request maximum); they go out as
 * at most three requests:
 * - creates: `POST` (or, with `mergeOn` configured, `PATCH` with
 *   `performUpsert: { fieldsToMergeOn }`, so a record that already exists is
 *   updated instead of duplicated: importing a host's existing contacts);
 * - updates: `PATCH` by record id (merged: only the fields sent change);
 * - deletes: `DELETE ?records[]=`.
 * Airtable applies a batch all or nothing: when one fails on its data (a
 * 422), each of its changes is retried alone, so one bad record does not
 * fail the nine good ones.
 */
import {
  type ConnectorContext,
  type HttpClient,
  NotFoundError,
  PatchbayError,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { recordPath, recordsPath } from "./endpoints.js";
import { AIRTABLE_ERROR } from "./error-parser.js";
import { configuredTable, flattenRecord } from "./records.js";
import {
  type AirtableConfig,
  type AirtableRecordData,
  DeleteRecordsResponseSchema,
  WriteRecordsResponseSchema,
} from "./schemas.js";
import {
  COMPUTED_FIELD_TYPES,
  RESERVED_RECORD_KEYS,
  type TableSchemaCache,
} from "./table-schema.js";

/**
 * Records per write request: Airtable's maximum.
 *
 * @example
 * ```ts
 * airtable({ clientId }).models?.records?.writeBatchSize === AIRTABLE_WRITE_BATCH_SIZE; // 10
 * ```
 * @see https://airtable.com/developers/web/api/create-records
 */
export const AIRTABLE_WRITE_BATCH_SIZE = 10;

type Change = WriteChange<AirtableRecordData>;
type Outcome = WriteOutcome<AirtableRecordData>;
interface Item {
  index: number;
  change: Change;
}

/** Error types that concern the data of the batch, so the changes are worth retrying one by one. */
function isDataError(error: unknown): boolean {
  return (
    error instanceof PatchbayError &&
    !error.retryable &&
    error.status !== undefined &&
    [400, 404, 413, 422].includes(error.status)
  );
}

function failure(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    error: message,
    ...(error instanceof PatchbayError && { retryable: error.retryable }),
  };
}

/** The cell values to send: no record keys, no computed fields, no `undefined`. */
function cellValues(
  data: Record<string, unknown>,
  computed: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined || RESERVED_RECORD_KEYS.includes(name) || computed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Apply changes at Airtable (see the module comment). One outcome per
 * change, in order.
 *
 * @example
 * ```ts
 * write: (ctx, changes) => writeRecords(ctx, changes, schemas)
 * ```
 * @see https://airtable.com/developers/web/api/update-multiple-records
 */
export async function writeRecords(
  ctx: ConnectorContext<AirtableConfig>,
  changes: Change[],
  schemas: TableSchemaCache,
): Promise<Outcome[]> {
  const config = configuredTable(ctx.config);
  const outcomes: Outcome[] = changes.map(() => ({ ok: false, error: "not written" }));
  const items = changes.map((change, index) => ({ index, change }));
  const creates = items.filter((i) => i.change.op === "create");
  const updates = items.filter((i) => i.change.op === "update");
  const deletes = items.filter((i) => i.change.op === "delete");

  let computed: ReadonlySet<string> = new Set();
  if (creates.length + updates.length > 0) {
    const table = await schemas.get(ctx.http, ctx.connection.id, config.baseId, config.tableId);
    computed = new Set(
      table.fields.filter((f) => COMPUTED_FIELD_TYPES.has(f.type)).map((f) => f.name),
    );
  }
  const writer = new BatchWriter(ctx.http, config, computed, ctx.signal);

  const groups: Array<{ items: Item[]; send: (batch: Item[]) => Promise<Outcome[]> }> =
    config.mergeOn !== undefined
      ? [{ items: [...creates, ...updates], send: (b) => writer.patch(b, config.mergeOn) }]
      : [
          { items: creates, send: (b) => writer.post(b) },
          { items: updates, send: (b) => writer.patch(b, undefined) },
        ];
  groups.push({ items: deletes, send: (b) => writer.delete(b) });

  let fieldTrouble = false;
  for (const group of groups) {
    if (group.items.length === 0) continue;
    let results: Outcome[];
    try {
      results = await group.send(group.items);
    } catch (error) {
      if (group.items.length > 1 && isDataError(error)) {
        // Find the bad record(s): each change alone.
        results = [];
        for (const item of group.items) {
          try {
            results.push(...(await group.send([item])));
          } catch (single) {
            fieldTrouble ||= isFieldError(single);
            results.push(failure(single));
          }
        }
      } else {
        fieldTrouble ||= isFieldError(error);
        results = group.items.map(() => failure(error));
      }
    }
    group.items.forEach((item, j) => {
      outcomes[item.index] = results[j] ?? {
        ok: false,
        error: "Airtable returned no record for this change",
      };
    });
  }
  if (fieldTrouble) schemas.invalidate(ctx.connection.id, config.baseId, config.tableId);
  return outcomes;
}

function isFieldError(error: unknown): boolean {
  return (
    error instanceof PatchbayError &&
    (error.providerCode === "UNKNOWN_FIELD_NAME" ||
      error.providerCode === "INVALID_VALUE_FOR_COLUMN")
  );
}

/** One request per call; throws the request's error. */
class BatchWriter {
  readonly #http: HttpClient;
  readonly #config: AirtableConfig;
  readonly #computed: ReadonlySet<string>;
  readonly #signal: AbortSignal | undefined;

  constructor(
    http: HttpClient,
    config: AirtableConfig,
    computed: ReadonlySet<string>,
    signal?: AbortSignal,
  ) {
    this.#http = http;
    this.#config = config;
    this.#computed = computed;
    this.#signal = signal;
  }

  get #path(): string {
    return recordsPath(this.#config.baseId, this.#config.tableId);
  }

  #fields(change: Change): Record<string, unknown> {
    return change.op === "delete" ? {} : cellValues(change.data, this.#computed);
  }

  #written(items: Item[], data: unknown): Outcome[] {
    const { records } = WriteRecordsResponseSchema.parse(data);
    return items.map((_item, j) => {
      const record = records[j];
      if (record === undefined)
        return { ok: false, error: "Airtable returned no record for this change" };
      return { ok: true, externalId: record.id, data: flattenRecord(record) };
    });
  }

  async post(items: Item[]): Promise<Outcome[]> {
    const { data } = await this.#http.post(this.#path, {
      json: { records: items.map((i) => ({ fields: this.#fields(i.change) })) },
      ...(this.#signal && { signal: this.#signal }),
    });
    return this.#written(items, data);
  }

  async patch(items: Item[], mergeOn: string[] | undefined): Promise<Outcome[]> {
    const { data } = await this.#http.patch(this.#path, {
      json: {
        records: items.map((i) =>
          i.change.op === "update"
            ? { id: i.change.externalId, fields: this.#fields(i.change) }
            : { fields: this.#fields(i.change) },
        ),
        ...(mergeOn !== undefined && { performUpsert: { fieldsToMergeOn: mergeOn } }),
      },
      ...(this.#signal && { signal: this.#signal }),
    });
    return this.#written(items, data);
  }

  async delete(items: Item[]): Promise<Outcome[]> {
    const ids = items.map((i) => (i.change as Extract<Change, { op: "delete" }>).externalId);
    if (ids.length === 1) {
      // Alone, a record that is already gone counts as deleted.
      try {
        await this.#http.delete(recordPath(this.#config.baseId, this.#config.tableId, ids[0]!), {
          ...(this.#signal && { signal: this.#signal }),
        });
      } catch (error) {
        const gone =
          error instanceof NotFoundError ||
          (error instanceof PatchbayError &&
            error.providerCode === AIRTABLE_ERROR.ROW_DOES_NOT_EXIST);
        if (!gone) throw error;
      }
      return [{ ok: true, externalId: ids[0]! }];
    }
    const { data } = await this.#http.delete(this.#path, {
      query: { "records[]": ids },
      ...(this.#signal && { signal: this.#signal }),
    });
    const deleted = new Set(
      DeleteRecordsResponseSchema.parse(data)
        .records.filter((r) => r.deleted)
        .map((r) => r.id),
    );
    return ids.map((id) =>
      deleted.has(id)
        ? { ok: true, externalId: id }
        : { ok: false, error: `Airtable did not delete ${id}` },
    );
  }
}
