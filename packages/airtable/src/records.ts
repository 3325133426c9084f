/**
 * Between Airtable's record shape (`{ id, createdTime, fields }`) and the
 * flat shape the `records` model stores, and the configured table.
 */
import { ConfigError, type HttpClient, paginateCursor } from "@patchbay/core";
import { recordsPath } from "./endpoints.js";
import {
  type AirtableConfig,
  AirtableConfigSchema,
  type AirtableRecord,
  type AirtableRecordData,
  ListRecordsResponseSchema,
} from "./schemas.js";
import { RESERVED_RECORD_KEYS } from "./table-schema.js";

/**
 * The configured table, or a `ConfigError` telling the host to pick one.
 *
 * @throws ConfigError before `connections.configure` set a base and table.
 * @example
 * ```ts
 * const { baseId, tableId } = configuredTable(ctx.config);
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export function configuredTable(config: unknown): AirtableConfig {
  const parsed = AirtableConfigSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") || "config";
    throw new ConfigError(
      `Airtable: choose a base and a table first (connections.configure with { baseId, tableId }); "${field}" ${issue?.message ?? "is invalid"}`,
    );
  }
  return parsed.data;
}

/**
 * An Airtable record as the model stores it: its cell values by field name,
 * plus `id` and `createdTime` (which win over fields of the same name).
 *
 * @example
 * ```ts
 * flattenRecord({ id: "recA1b2C3d4E5f6G7", createdTime: "2024-05-01T10:00:00.000Z", fields: { Name: "KEXP" } });
 * // { Name: "KEXP", id: "recA1b2C3d4E5f6G7", createdTime: "2024-05-01T10:00:00.000Z" }
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export function flattenRecord(record: AirtableRecord): AirtableRecordData {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.fields)) {
    if (!RESERVED_RECORD_KEYS.includes(name)) out[name] = value;
  }
  return { ...out, id: record.id, createdTime: record.createdTime };
}

/** Ids per `RECORD_ID()` formula, keeping the URL well under Airtable's 16 000 characters. */
const IDS_PER_READ = 50;

/**
 * The formula selecting records by id.
 *
 * @example
 * ```ts
 * recordIdFormula(["recA1b2C3d4E5f6G7", "recB1b2C3d4E5f6G7"]);
 * // "OR(RECORD_ID()='recA1b2C3d4E5f6G7',RECORD_ID()='recB1b2C3d4E5f6G7')"
 * ```
 * @see https://support.airtable.com/docs/formula-field-reference
 */
export function recordIdFormula(ids: readonly string[]): string {
  return `OR(${ids.map((id) => `RECORD_ID()='${id.replace(/[^A-Za-z0-9]/g, "")}'`).join(",")})`;
}

/**
 * Fetch the current version of records by id (for conflict detection): one
 * list request per 50 ids, filtered with `RECORD_ID()`. Records that no
 * longer exist are left out.
 *
 * @example
 * ```ts
 * const current = await readRecords(ctx.http, config, ["recA1b2C3d4E5f6G7"]);
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export async function readRecords(
  http: HttpClient,
  config: Pick<AirtableConfig, "baseId" | "tableId">,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<AirtableRecordData[]> {
  const unique = [...new Set(ids)];
  const out: AirtableRecordData[] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_READ) {
    const chunk = unique.slice(i, i + IDS_PER_READ);
    const pages = paginateCursor<AirtableRecord, unknown>(
      http,
      {
        path: recordsPath(config.baseId, config.tableId),
        query: { pageSize: 100, filterByFormula: recordIdFormula(chunk) },
        ...(signal && { signal }),
      },
      {
        items: (data) => ListRecordsResponseSchema.parse(data).records,
        next: (data) => ListRecordsResponseSchema.parse(data).offset,
        param: "offset",
      },
    );
    for await (const page of pages) out.push(...page.map(flattenRecord));
  }
  return out;
}
