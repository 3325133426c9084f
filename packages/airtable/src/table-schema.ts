/**
 * A table's fields, read from the meta API: for field mapping (which names
 * exist) and for writes (which fields are computed and must not be sent).
 */
import { ConfigError, type HttpClient } from "@patchbay/core";
import { tablesPath } from "./endpoints.js";
import { type AirtableTable, BaseSchemaResponseSchema } from "./schemas.js";

/**
 * Field types whose values Airtable computes; writing one fails with
 * `INVALID_VALUE_FOR_COLUMN`, so writes leave them out.
 *
 * @example
 * ```ts
 * COMPUTED_FIELD_TYPES.has("formula"); // true
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export const COMPUTED_FIELD_TYPES: ReadonlySet<string> = new Set([
  "aiText",
  "autoNumber",
  "button",
  "count",
  "createdBy",
  "createdTime",
  "externalSyncSource",
  "formula",
  "lastModifiedBy",
  "lastModifiedTime",
  "multipleLookupValues",
  "rollup",
]);

/**
 * Keys the connector adds to every synced record. A table field with one of
 * these names cannot be mapped (Airtable's record id and created time win).
 *
 * @example
 * ```ts
 * RESERVED_RECORD_KEYS.includes("id"); // true
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export const RESERVED_RECORD_KEYS: readonly string[] = Object.freeze(["id", "createdTime"]);

/**
 * Fetch one table's schema.
 *
 * @throws ConfigError when the base has no such table (listing the tables it has).
 * @example
 * ```ts
 * const table = await fetchTable(ctx.http, "appA1b2C3d4E5f6G7", "tblA1b2C3d4E5f6G7");
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export async function fetchTable(
  http: HttpClient,
  baseId: string,
  tableId: string,
  signal?: AbortSignal,
): Promise<AirtableTable> {
  const { data } = await http.get(tablesPath(baseId), { ...(signal && { signal }) });
  const { tables } = BaseSchemaResponseSchema.parse(data);
  const table = tables.find((t) => t.id === tableId);
  if (table === undefined) {
    throw new ConfigError(
      `Airtable base ${baseId} has no table ${tableId} (tables: ${tables.map((t) => `${t.name} (${t.id})`).join(", ") || "none"}); pick one with the listTables action`,
    );
  }
  return table;
}

/**
 * The names a field mapping may use: the table's fields (except ones named
 * like the reserved record keys) plus `id` and `createdTime`.
 *
 * @example
 * ```ts
 * mappableFields(table); // ["Name", "Status", "Email", "id", "createdTime"]
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export function mappableFields(table: AirtableTable): string[] {
  const names = table.fields.map((f) => f.name).filter((n) => !RESERVED_RECORD_KEYS.includes(n));
  return [...names, ...RESERVED_RECORD_KEYS];
}

/**
 * The field names a write may send: every non-computed field.
 *
 * @example
 * ```ts
 * writableFields(table).has("Created"); // false for a createdTime field
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export function writableFields(table: AirtableTable): Set<string> {
  return new Set(
    table.fields
      .filter((f) => !COMPUTED_FIELD_TYPES.has(f.type) && !RESERVED_RECORD_KEYS.includes(f.name))
      .map((f) => f.name),
  );
}

interface CacheEntry {
  at: number;
  table: Promise<AirtableTable>;
}

/**
 * A short-lived cache of table schemas, so the write batches of one
 * `patchbay.write` call read the schema once. One per connector instance.
 *
 * @example
 * ```ts
 * const schemas = new TableSchemaCache();
 * const table = await schemas.get(ctx.http, ctx.connection.id, baseId, tableId);
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export class TableSchemaCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#max = options.maxEntries ?? 500;
  }

  /** The table's schema, fetched at most once per `ttlMs` per connection. */
  get(
    http: HttpClient,
    connectionId: string,
    baseId: string,
    tableId: string,
  ): Promise<AirtableTable> {
    const key = `${connectionId}|${baseId}|${tableId}`;
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined && now - hit.at < this.#ttlMs) return hit.table;
    const table = fetchTable(http, baseId, tableId);
    // A failed fetch is not cached.
    table.catch(() => {
      if (this.#entries.get(key)?.table === table) this.#entries.delete(key);
    });
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, table });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return table;
  }

  /** Forget a table's schema (after a write failed on a field). */
  invalidate(connectionId: string, baseId: string, tableId: string): void {
    this.#entries.delete(`${connectionId}|${baseId}|${tableId}`);
  }
}
