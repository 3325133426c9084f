/**
 * The fake's data: bases, tables, records and webhooks with their payload
 * logs. Every change, whether made through the API or by a "user in the
 * Airtable UI" helper, is one base transaction: it bumps the records'
 * last-modified time and appends one payload to each webhook watching the
 * table, as Airtable does.
 */
import { randomBytes } from "node:crypto";
import type { AirtableRecord, WebhookPayload, WebhookSpecification } from "../schemas.js";

/**
 * A field of a fake table.
 *
 * @example
 * ```ts
 * const names = (table: FakeTable) => table.fields.map((f: FakeField) => f.name);
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export interface FakeField {
  id: string;
  name: string;
  type: string;
  options?: Record<string, unknown>;
}

/**
 * A view of a fake table (every view shows every record).
 *
 * @example
 * ```ts
 * const views = (table: FakeTable) => table.views.map((v: FakeView) => v.name); // ["Grid view"]
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeView {
  id: string;
  name: string;
  type: string;
}

/**
 * A record: cell values by field id.
 *
 * @example
 * ```ts
 * const found = fake.state.locate("recA1b2C3d4E5f6G7"); // { base, table, record: FakeRecord }
 * ```
 * @see https://airtable.com/developers/web/api/get-record
 */
export interface FakeRecord {
  id: string;
  createdAt: number;
  modifiedAt: number;
  autoNumber: number;
  cells: Map<string, unknown>;
}

/**
 * A table.
 *
 * @example
 * ```ts
 * const table: FakeTable | undefined = fake.state.bases.get(baseId)?.tables.get(tableId);
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeTable {
  id: string;
  name: string;
  primaryFieldId: string;
  fields: FakeField[];
  views: FakeView[];
  records: Map<string, FakeRecord>;
  nextAutoNumber: number;
}

/**
 * One payload in a webhook's log.
 *
 * @example
 * ```ts
 * const log = fake.webhooks()[0]?.payloads.map((p: FakePayload) => p.cursor);
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export interface FakePayload {
  cursor: number;
  body: WebhookPayload;
}

/**
 * A webhook.
 *
 * @example
 * ```ts
 * const [hook]: FakeWebhook[] = fake.webhooks();
 * hook?.notificationUrl;
 * ```
 * @see https://airtable.com/developers/web/api/list-webhooks
 */
export interface FakeWebhook {
  id: string;
  baseId: string;
  macSecretBase64: string;
  notificationUrl: string | null;
  specification: WebhookSpecification;
  /** Who created it: the OAuth client id, or `pat` for personal access tokens. */
  owner: string;
  createdAt: number;
  /** Epoch ms; `null` never expires. */
  expiresAt: number | null;
  notificationsEnabled: boolean;
  payloads: FakePayload[];
  nextCursor: number;
  pings: number;
}

/**
 * A base.
 *
 * @example
 * ```ts
 * const base: FakeBase | undefined = fake.state.bases.get(AIRTABLE_SANDBOX.baseId);
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeBase {
  id: string;
  name: string;
  permissionLevel: string;
  tables: Map<string, FakeTable>;
  webhooks: Map<string, FakeWebhook>;
  transactions: number;
}

/**
 * Who made a change, as payloads report it.
 *
 * @example
 * ```ts
 * const actor: ChangeActor = { source: "publicApi", user: { id: "usrA1b2C3d4E5f6G7", email: "a@example.com", name: "API", permissionLevel: "create" } };
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export interface ChangeActor {
  source: "client" | "publicApi";
  user: { id: string; email: string; name: string; permissionLevel: string };
}

/**
 * A field to create with {@link AirtableFakeState.addTable}.
 *
 * @example
 * ```ts
 * const field: FakeFieldSpec = { name: "Status", type: "singleSelect", options: { choices: [{ name: "Pitched" }] } };
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export interface FakeFieldSpec {
  name: string;
  type: string;
  options?: Record<string, unknown>;
}

/**
 * How long Airtable keeps a webhook, and its payloads, without a refresh.
 *
 * @example
 * ```ts
 * clock += WEBHOOK_LIFETIME_MS; // the webhook is now disabled unless it was refreshed
 * ```
 * @see https://airtable.com/developers/web/api/create-a-webhook
 */
export const WEBHOOK_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/**
 * A cell value problem, answered as Airtable's 422.
 *
 * @example
 * ```ts
 * const checked = fake.state.cells(table, { Plays: "many" });
 * if (!checked.ok) checked.type; // "INVALID_VALUE_FOR_COLUMN"
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export interface CellError {
  status: number;
  type: string;
  message: string;
}

const INVALID = Symbol("invalid");
const UNKNOWN_CHOICE = Symbol("unknown choice");
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TEXT_TYPES = new Set([
  "singleLineText",
  "multilineText",
  "richText",
  "email",
  "url",
  "phoneNumber",
]);
const NUMBER_TYPES = new Set(["number", "currency", "percent", "duration", "rating"]);
/**
 * Field types whose values the fake computes.
 *
 * @example
 * ```ts
 * FAKE_COMPUTED_TYPES.has("createdTime"); // true
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export const FAKE_COMPUTED_TYPES = new Set([
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

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === "" ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

function same(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The fake Airtable's state. Tests reach it as `fake.state`; most use the
 * helpers on the fake instead.
 *
 * @example
 * ```ts
 * const state = new AirtableFakeState(Date.now);
 * const base = state.addBase({ name: "Radio" });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export class AirtableFakeState {
  readonly bases = new Map<string, FakeBase>();
  readonly #now: () => number;
  /** Called after each transaction for each webhook that should be pinged. */
  onPing: ((base: FakeBase, hook: FakeWebhook, timestamp: string) => void) | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  /** A fresh Airtable-style id: the prefix and 14 letters and digits. */
  newId(prefix: string): string {
    const bytes = randomBytes(14);
    let out = prefix;
    for (const byte of bytes) out += ALNUM[byte % ALNUM.length];
    return out;
  }

  addBase(spec: { id?: string; name: string; permissionLevel?: string }): FakeBase {
    const base: FakeBase = {
      id: spec.id ?? this.newId("app"),
      name: spec.name,
      permissionLevel: spec.permissionLevel ?? "create",
      tables: new Map(),
      webhooks: new Map(),
      transactions: 0,
    };
    this.bases.set(base.id, base);
    return base;
  }

  addTable(
    baseId: string,
    spec: { id?: string; name: string; fields: FakeFieldSpec[] },
  ): FakeTable {
    const base = this.bases.get(baseId);
    if (base === undefined) throw new Error(`fake Airtable: no base ${baseId}`);
    if (spec.fields.length === 0)
      throw new TypeError('"fields" must name at least the primary field');
    const fields = spec.fields.map((f) => ({
      id: this.newId("fld"),
      name: f.name,
      type: f.type,
      ...(f.options !== undefined && { options: structuredClone(f.options) }),
    }));
    const table: FakeTable = {
      id: spec.id ?? this.newId("tbl"),
      name: spec.name,
      primaryFieldId: fields[0]!.id,
      fields,
      views: [{ id: this.newId("viw"), name: "Grid view", type: "grid" }],
      records: new Map(),
      nextAutoNumber: 1,
    };
    base.tables.set(table.id, table);
    return table;
  }

  /** A table by id or (as Airtable also accepts) by name. */
  table(base: FakeBase, tableIdOrName: string): FakeTable | undefined {
    return (
      base.tables.get(tableIdOrName) ??
      [...base.tables.values()].find((t) => t.name === tableIdOrName)
    );
  }

  /** Where a record lives. */
  locate(recordId: string): { base: FakeBase; table: FakeTable; record: FakeRecord } | undefined {
    for (const base of this.bases.values()) {
      for (const table of base.tables.values()) {
        const record = table.records.get(recordId);
        if (record !== undefined) return { base, table, record };
      }
    }
    return undefined;
  }

  /** A record as the API returns it: non-empty cells by field name. */
  render(table: FakeTable, record: FakeRecord, only?: ReadonlySet<string>): AirtableRecord {
    const fields: Record<string, unknown> = {};
    for (const field of table.fields) {
      if (only !== undefined && !only.has(field.name)) continue;
      let value: unknown;
      if (field.type === "createdTime") value = new Date(record.createdAt).toISOString();
      else if (field.type === "lastModifiedTime") value = new Date(record.modifiedAt).toISOString();
      else if (field.type === "autoNumber") value = record.autoNumber;
      else value = record.cells.get(field.id);
      if (!isEmpty(value)) fields[field.name] = structuredClone(value);
    }
    return { id: record.id, createdTime: new Date(record.createdAt).toISOString(), fields };
  }

  /**
   * Check cell values (by field name) against the table, as Airtable's API
   * does: unknown fields, computed fields and values of the wrong type are
   * refused; with `typecast`, strings become numbers and new select options.
   */
  cells(
    table: FakeTable,
    input: Record<string, unknown>,
    options: { typecast?: boolean } = {},
  ): { ok: true; cells: Map<string, unknown> } | ({ ok: false } & CellError) {
    const cells = new Map<string, unknown>();
    for (const [name, raw] of Object.entries(input)) {
      const field = table.fields.find((f) => f.name === name || f.id === name);
      if (field === undefined) {
        return {
          ok: false,
          status: 422,
          type: "UNKNOWN_FIELD_NAME",
          message: `Unknown field name: "${name}"`,
        };
      }
      if (FAKE_COMPUTED_TYPES.has(field.type)) {
        return {
          ok: false,
          status: 422,
          type: "INVALID_VALUE_FOR_COLUMN",
          message: `Field "${field.name}" cannot accept a value because the field is computed`,
        };
      }
      const value = this.#coerce(field, raw, options.typecast === true);
      if (value === INVALID) {
        return {
          ok: false,
          status: 422,
          type: "INVALID_VALUE_FOR_COLUMN",
          message: `Field "${field.name}" cannot accept the provided value`,
        };
      }
      if (value === UNKNOWN_CHOICE) {
        return {
          ok: false,
          status: 422,
          type: "INVALID_MULTIPLE_CHOICE_OPTIONS",
          message: `Insufficient permissions to create new select option ""${String(raw)}""`,
        };
      }
      cells.set(field.id, value);
    }
    return { ok: true, cells };
  }

  #coerce(field: FakeField, raw: unknown, typecast: boolean): unknown {
    if (raw === null) return null;
    if (TEXT_TYPES.has(field.type)) {
      if (typeof raw === "string") return raw;
      return typecast && (typeof raw === "number" || typeof raw === "boolean")
        ? String(raw)
        : INVALID;
    }
    if (NUMBER_TYPES.has(field.type)) {
      if (typeof raw === "number" && Number.isFinite(raw)) return raw;
      if (typecast && typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw)))
        return Number(raw);
      return INVALID;
    }
    if (field.type === "checkbox") return typeof raw === "boolean" ? raw : INVALID;
    if (field.type === "date" || field.type === "dateTime") {
      return typeof raw === "string" && !Number.isNaN(Date.parse(raw)) ? raw : INVALID;
    }
    if (field.type === "singleSelect") {
      if (typeof raw !== "string") return INVALID;
      return this.#choice(field, raw, typecast) ? raw : UNKNOWN_CHOICE;
    }
    if (field.type === "multipleSelects") {
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== "string")) return INVALID;
      return raw.every((v) => this.#choice(field, v as string, typecast))
        ? [...raw]
        : UNKNOWN_CHOICE;
    }
    if (field.type === "multipleRecordLinks") {
      return Array.isArray(raw) && raw.every((v) => typeof v === "string" && v.startsWith("rec"))
        ? [...raw]
        : INVALID;
    }
    return structuredClone(raw);
  }

  #choice(field: FakeField, name: string, typecast: boolean): boolean {
    field.options ??= {};
    field.options.choices ??= [];
    const choices = field.options.choices as Array<{ id?: string; name: string; color?: string }>;
    if (choices.some((c) => c.name === name)) return true;
    if (!typecast) return false;
    choices.push({ id: this.newId("sel"), name });
    return true;
  }

  /** Create records in one transaction. Cells must already be checked. */
  create(
    base: FakeBase,
    table: FakeTable,
    rows: Array<Map<string, unknown>>,
    actor: ChangeActor,
  ): FakeRecord[] {
    const at = this.now();
    const created = rows.map((cells) => {
      const record: FakeRecord = {
        id: this.newId("rec"),
        createdAt: at,
        modifiedAt: at,
        autoNumber: table.nextAutoNumber++,
        cells: new Map([...cells].filter(([, v]) => !isEmpty(v))),
      };
      table.records.set(record.id, record);
      return record;
    });
    this.#transaction(base, table, { created, changed: [], destroyed: [] }, actor);
    return created;
  }

  /**
   * Update records in one transaction (`replace`: the cells not given are
   * cleared, as a PUT does). A record whose values do not change keeps its
   * modified time.
   */
  update(
    base: FakeBase,
    table: FakeTable,
    updates: Array<{ record: FakeRecord; cells: Map<string, unknown> }>,
    actor: ChangeActor,
    replace = false,
  ): FakeRecord[] {
    const at = this.now();
    const changed: Array<{ record: FakeRecord; fieldIds: string[] }> = [];
    for (const { record, cells } of updates) {
      const next = new Map(replace ? [] : record.cells);
      for (const [fieldId, value] of cells) {
        if (isEmpty(value)) next.delete(fieldId);
        else next.set(fieldId, value);
      }
      const fieldIds = [...new Set([...record.cells.keys(), ...next.keys()])].filter(
        (id) => !same(record.cells.get(id), next.get(id)),
      );
      if (fieldIds.length === 0) continue;
      record.cells = next;
      record.modifiedAt = at;
      changed.push({ record, fieldIds });
    }
    if (changed.length > 0)
      this.#transaction(base, table, { created: [], changed, destroyed: [] }, actor);
    return updates.map((u) => u.record);
  }

  /** Delete records in one transaction. */
  destroy(base: FakeBase, table: FakeTable, ids: string[], actor: ChangeActor): void {
    const destroyed = ids.filter((id) => table.records.delete(id));
    if (destroyed.length > 0)
      this.#transaction(base, table, { created: [], changed: [], destroyed }, actor);
  }

  /** Whether a webhook still receives payloads. */
  isActive(hook: FakeWebhook): boolean {
    return hook.expiresAt === null || this.now() < hook.expiresAt;
  }

  /** Expired webhooks stay readable for 7 more days, then disappear. */
  purgeExpired(base: FakeBase): void {
    for (const hook of [...base.webhooks.values()]) {
      if (hook.expiresAt !== null && this.now() >= hook.expiresAt + WEBHOOK_LIFETIME_MS) {
        base.webhooks.delete(hook.id);
      }
    }
  }

  #transaction(
    base: FakeBase,
    table: FakeTable,
    change: {
      created: FakeRecord[];
      changed: Array<{ record: FakeRecord; fieldIds: string[] }>;
      destroyed: string[];
    },
    actor: ChangeActor,
  ): void {
    base.transactions++;
    const timestamp = new Date(this.now()).toISOString();
    this.purgeExpired(base);
    for (const hook of base.webhooks.values()) {
      const filters = hook.specification.options.filters;
      if (!this.isActive(hook) || !filters.dataTypes.includes("tableData")) continue;
      if (filters.recordChangeScope !== undefined && filters.recordChangeScope !== table.id)
        continue;
      const tableChanges: Record<string, unknown> = {};
      if (change.created.length > 0) {
        tableChanges.createdRecordsById = Object.fromEntries(
          change.created.map((r) => [
            r.id,
            {
              createdTime: new Date(r.createdAt).toISOString(),
              cellValuesByFieldId: Object.fromEntries(r.cells),
            },
          ]),
        );
      }
      if (change.changed.length > 0) {
        tableChanges.changedRecordsById = Object.fromEntries(
          change.changed.map(({ record, fieldIds }) => [
            record.id,
            {
              current: {
                cellValuesByFieldId: Object.fromEntries(
                  fieldIds.map((id) => [id, record.cells.get(id) ?? null]),
                ),
              },
            },
          ]),
        );
      }
      if (change.destroyed.length > 0) tableChanges.destroyedRecordIds = [...change.destroyed];
      const body: WebhookPayload = {
        timestamp,
        baseTransactionNumber: base.transactions,
        payloadFormat: "v0",
        actionMetadata: { source: actor.source, sourceMetadata: { user: { ...actor.user } } },
        changedTablesById: { [table.id]: tableChanges },
      };
      hook.payloads.push({ cursor: hook.nextCursor++, body });
      if (hook.notificationUrl !== null && hook.notificationsEnabled) {
        hook.pings++;
        this.onPing?.(base, hook, timestamp);
      }
    }
  }
}
