/**
 * Zod schemas: the connection's config, the records the model syncs, and
 * Airtable's wire types with Airtable's own field names.
 */
import { z } from "zod";

/**
 * Airtable ids: three letters naming the kind, then 14 letters and digits.
 *
 * @example
 * ```ts
 * AIRTABLE_ID.base.test("appA1b2C3d4E5f6G7"); // true
 * ```
 * @see https://support.airtable.com/docs/finding-airtable-ids
 */
export const AIRTABLE_ID = {
  base: /^app[A-Za-z0-9]{14}$/,
  table: /^tbl[A-Za-z0-9]{14}$/,
  record: /^rec[A-Za-z0-9]{14}$/,
  field: /^fld[A-Za-z0-9]{14}$/,
  view: /^viw[A-Za-z0-9]{14}$/,
  webhook: /^ach[A-Za-z0-9]{14}$/,
} as const;

/**
 * What a connection syncs: one table of one base, optionally one view of it,
 * and the fields that identify a record when host records are imported.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, {
 *   baseId: "appA1b2C3d4E5f6G7",
 *   tableId: "tblA1b2C3d4E5f6G7",
 *   mergeOn: ["Email"],
 * });
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export const AirtableConfigSchema = z.object({
  baseId: z
    .string()
    .regex(AIRTABLE_ID.base, "must be an Airtable base id such as appA1b2C3d4E5f6G7")
    .describe("Base (pick with the listBases action)"),
  tableId: z
    .string()
    .regex(AIRTABLE_ID.table, "must be an Airtable table id such as tblA1b2C3d4E5f6G7")
    .describe("Table (pick with the listTables action)"),
  view: z
    .string()
    .min(1)
    .optional()
    .describe("View id or name (optional): only the records visible in it are synced"),
  mergeOn: z
    .array(z.string().min(1))
    .min(1)
    .max(3)
    .optional()
    .describe(
      "Fields that identify a record (1 to 3, e.g. Email): host creates update the matching record instead of duplicating it",
    ),
});

/**
 * A validated connection config.
 *
 * @example
 * ```ts
 * const config: AirtableConfig = { baseId: "appA1b2C3d4E5f6G7", tableId: "tblA1b2C3d4E5f6G7" };
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export type AirtableConfig = z.infer<typeof AirtableConfigSchema>;

/**
 * A record as the `records` model stores it: the record's cell values under
 * their field names (as Airtable returns them, empty cells omitted), plus
 * Airtable's `id` and `createdTime`. Flat, so a field mapping can name
 * fields directly (`{ artist: "Artist" }`).
 *
 * @example
 * ```ts
 * const row: AirtableRecordData = { id: "recA1b2C3d4E5f6G7", createdTime: "2024-05-01T10:00:00.000Z", Name: "KEXP", Status: "Pitched" };
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export const AirtableRecordDataSchema = z.looseObject({
  id: z.string().regex(AIRTABLE_ID.record, "must be an Airtable record id"),
  createdTime: z.string(),
});

/**
 * A synced record (see {@link AirtableRecordDataSchema}).
 *
 * @example
 * ```ts
 * const name = (record: AirtableRecordData) => String(record.Name ?? "");
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export type AirtableRecordData = z.infer<typeof AirtableRecordDataSchema>;

/**
 * A record on the wire.
 *
 * @example
 * ```ts
 * AirtableRecordSchema.parse({ id: "recA1b2C3d4E5f6G7", createdTime: "2024-05-01T10:00:00.000Z", fields: { Name: "KEXP" } });
 * ```
 * @see https://airtable.com/developers/web/api/get-record
 */
export const AirtableRecordSchema = z.object({
  id: z.string(),
  createdTime: z.string(),
  fields: z.record(z.string(), z.unknown()),
});

/**
 * A record on the wire (see {@link AirtableRecordSchema}).
 *
 * @example
 * ```ts
 * const record: AirtableRecord = { id: "recA1b2C3d4E5f6G7", createdTime: "2024-05-01T10:00:00.000Z", fields: {} };
 * ```
 * @see https://airtable.com/developers/web/api/get-record
 */
export type AirtableRecord = z.infer<typeof AirtableRecordSchema>;

/**
 * `GET {baseId}/{tableId}`: one page of records; `offset` is absent on the last page.
 *
 * @example
 * ```ts
 * const page = ListRecordsResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export const ListRecordsResponseSchema = z.object({
  records: z.array(AirtableRecordSchema),
  offset: z.string().optional(),
});

/**
 * One page of records (see {@link ListRecordsResponseSchema}).
 *
 * @example
 * ```ts
 * const page: ListRecordsResponse = { records: [] };
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export type ListRecordsResponse = z.infer<typeof ListRecordsResponseSchema>;

/**
 * `POST`/`PATCH {baseId}/{tableId}`: the records written, in request order;
 * upserts also list which were created and which updated.
 *
 * @example
 * ```ts
 * const { records, createdRecords } = WriteRecordsResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/update-multiple-records
 */
export const WriteRecordsResponseSchema = z.object({
  records: z.array(AirtableRecordSchema),
  createdRecords: z.array(z.string()).optional(),
  updatedRecords: z.array(z.string()).optional(),
});

/**
 * Records written (see {@link WriteRecordsResponseSchema}).
 *
 * @example
 * ```ts
 * const response: WriteRecordsResponse = { records: [], createdRecords: [], updatedRecords: [] };
 * ```
 * @see https://airtable.com/developers/web/api/update-multiple-records
 */
export type WriteRecordsResponse = z.infer<typeof WriteRecordsResponseSchema>;

/**
 * `DELETE {baseId}/{tableId}?records[]=`: which records were deleted.
 *
 * @example
 * ```ts
 * DeleteRecordsResponseSchema.parse({ records: [{ id: "recA1b2C3d4E5f6G7", deleted: true }] });
 * ```
 * @see https://airtable.com/developers/web/api/delete-multiple-records
 */
export const DeleteRecordsResponseSchema = z.object({
  records: z.array(z.object({ id: z.string(), deleted: z.boolean() })),
});

/**
 * One base the token can access.
 *
 * @example
 * ```ts
 * const base: AirtableBase = { id: "appA1b2C3d4E5f6G7", name: "Radio campaigns", permissionLevel: "create" };
 * ```
 * @see https://airtable.com/developers/web/api/list-bases
 */
export const AirtableBaseSchema = z.object({
  id: z.string(),
  name: z.string(),
  permissionLevel: z.string(),
});

/**
 * One base (see {@link AirtableBaseSchema}).
 *
 * @example
 * ```ts
 * const names = (bases: AirtableBase[]) => bases.map((b) => b.name);
 * ```
 * @see https://airtable.com/developers/web/api/list-bases
 */
export type AirtableBase = z.infer<typeof AirtableBaseSchema>;

/**
 * `GET meta/bases`: one page of bases.
 *
 * @example
 * ```ts
 * const { bases, offset } = ListBasesResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/list-bases
 */
export const ListBasesResponseSchema = z.object({
  bases: z.array(AirtableBaseSchema),
  offset: z.string().optional(),
});

/**
 * A field (column) of a table. `type` is Airtable's field type
 * (`singleLineText`, `number`, `formula`, ...).
 *
 * @example
 * ```ts
 * const field: AirtableField = { id: "fldA1b2C3d4E5f6G7", name: "Email", type: "email" };
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export const AirtableFieldSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A field (see {@link AirtableFieldSchema}).
 *
 * @example
 * ```ts
 * const isText = (f: AirtableField) => f.type === "singleLineText";
 * ```
 * @see https://airtable.com/developers/web/api/field-model
 */
export type AirtableField = z.infer<typeof AirtableFieldSchema>;

/**
 * A view of a table.
 *
 * @example
 * ```ts
 * const view: AirtableView = { id: "viwA1b2C3d4E5f6G7", name: "Grid view", type: "grid" };
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export const AirtableViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
});

/**
 * A view (see {@link AirtableViewSchema}).
 *
 * @example
 * ```ts
 * const viewNames = (views: AirtableView[]) => views.map((v) => v.name);
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export type AirtableView = z.infer<typeof AirtableViewSchema>;

/**
 * A table with its fields and views.
 *
 * @example
 * ```ts
 * const table = AirtableTableSchema.parse(data.tables[0]);
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export const AirtableTableSchema = z.object({
  id: z.string(),
  name: z.string(),
  primaryFieldId: z.string(),
  description: z.string().optional(),
  fields: z.array(AirtableFieldSchema),
  views: z.array(AirtableViewSchema),
});

/**
 * A table (see {@link AirtableTableSchema}).
 *
 * @example
 * ```ts
 * const fieldNames = (table: AirtableTable) => table.fields.map((f) => f.name);
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export type AirtableTable = z.infer<typeof AirtableTableSchema>;

/**
 * `GET meta/bases/{baseId}/tables`.
 *
 * @example
 * ```ts
 * const { tables } = BaseSchemaResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export const BaseSchemaResponseSchema = z.object({ tables: z.array(AirtableTableSchema) });

/**
 * `GET meta/whoami`.
 *
 * @example
 * ```ts
 * const me = WhoamiResponseSchema.parse({ id: "usrA1b2C3d4E5f6G7", scopes: ["data.records:read"] });
 * ```
 * @see https://airtable.com/developers/web/api/get-user-id-scopes
 */
export const WhoamiResponseSchema = z.object({
  id: z.string(),
  scopes: z.array(z.string()).optional(),
  email: z.string().optional(),
});

/**
 * What a webhook listens to. The connector asks for `tableData` changes of
 * the configured table only (`recordChangeScope`).
 *
 * @example
 * ```ts
 * const spec: WebhookSpecification = { options: { filters: { dataTypes: ["tableData"], recordChangeScope: "tblA1b2C3d4E5f6G7" } } };
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-specification
 */
export const WebhookSpecificationSchema = z.object({
  options: z.object({
    filters: z.looseObject({
      dataTypes: z.array(z.enum(["tableData", "tableFields", "tableMetadata"])).min(1),
      recordChangeScope: z.string().optional(),
      watchDataInFieldIds: z.array(z.string()).optional(),
    }),
    includes: z
      .looseObject({
        includeCellValuesInFieldIds: z.union([z.array(z.string()), z.literal("all")]).optional(),
        includePreviousCellValues: z.boolean().optional(),
      })
      .optional(),
  }),
});

/**
 * A webhook specification (see {@link WebhookSpecificationSchema}).
 *
 * @example
 * ```ts
 * const watchesRecords = (s: WebhookSpecification) => s.options.filters.dataTypes.includes("tableData");
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-specification
 */
export type WebhookSpecification = z.infer<typeof WebhookSpecificationSchema>;

/**
 * `POST bases/{baseId}/webhooks`. `macSecretBase64` is returned only here:
 * it signs every notification and cannot be fetched again.
 *
 * @example
 * ```ts
 * const { id, macSecretBase64, expirationTime } = CreateWebhookResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/create-a-webhook
 */
export const CreateWebhookResponseSchema = z.object({
  id: z.string(),
  macSecretBase64: z.string().min(1),
  expirationTime: z.string().nullable().optional(),
});

/**
 * A webhook as `GET bases/{baseId}/webhooks` lists it.
 *
 * @example
 * ```ts
 * const next = (hook: AirtableWebhook) => hook.cursorForNextPayload;
 * ```
 * @see https://airtable.com/developers/web/api/list-webhooks
 */
export const AirtableWebhookSchema = z.looseObject({
  id: z.string(),
  areNotificationsEnabled: z.boolean(),
  cursorForNextPayload: z.number().int(),
  isHookEnabled: z.boolean(),
  notificationUrl: z.string().nullable(),
  expirationTime: z.string().nullable().optional(),
  specification: WebhookSpecificationSchema,
});

/**
 * A listed webhook (see {@link AirtableWebhookSchema}).
 *
 * @example
 * ```ts
 * const live = (hooks: AirtableWebhook[]) => hooks.filter((h) => h.isHookEnabled);
 * ```
 * @see https://airtable.com/developers/web/api/list-webhooks
 */
export type AirtableWebhook = z.infer<typeof AirtableWebhookSchema>;

/**
 * `GET bases/{baseId}/webhooks`.
 *
 * @example
 * ```ts
 * const { webhooks } = ListWebhooksResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/list-webhooks
 */
export const ListWebhooksResponseSchema = z.object({ webhooks: z.array(AirtableWebhookSchema) });

/**
 * `POST bases/{baseId}/webhooks/{webhookId}/refresh`: the new expiry, 7 days from now.
 *
 * @example
 * ```ts
 * const { expirationTime } = RefreshWebhookResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/refresh-a-webhook
 */
export const RefreshWebhookResponseSchema = z.object({
  expirationTime: z.string().nullable(),
});

const CellValues = z.object({ cellValuesByFieldId: z.record(z.string(), z.unknown()) });

/**
 * The changes of one table within one payload.
 *
 * @example
 * ```ts
 * const touched = (t: WebhookTableChanges) => [...Object.keys(t.createdRecordsById ?? {}), ...Object.keys(t.changedRecordsById ?? {})];
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export const WebhookTableChangesSchema = z.looseObject({
  createdRecordsById: z
    .record(
      z.string(),
      z.looseObject({
        createdTime: z.string(),
        cellValuesByFieldId: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  changedRecordsById: z
    .record(
      z.string(),
      z.looseObject({
        current: CellValues,
        previous: CellValues.optional(),
        unchanged: CellValues.optional(),
      }),
    )
    .optional(),
  destroyedRecordIds: z.array(z.string()).optional(),
});

/**
 * One table's changes (see {@link WebhookTableChangesSchema}).
 *
 * @example
 * ```ts
 * const gone = (t: WebhookTableChanges) => t.destroyedRecordIds ?? [];
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export type WebhookTableChanges = z.infer<typeof WebhookTableChangesSchema>;

/**
 * One payload of a webhook's change log (one base transaction). A payload
 * with `error: true` means the webhook stopped working (`code`
 * `INVALID_FILTERS`, `INVALID_HOOK`, `INTERNAL_ERROR`).
 *
 * @example
 * ```ts
 * const payload = WebhookPayloadSchema.parse(data.payloads[0]);
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export const WebhookPayloadSchema = z.looseObject({
  timestamp: z.string(),
  baseTransactionNumber: z.number().int(),
  payloadFormat: z.string(),
  actionMetadata: z
    .looseObject({
      source: z.string(),
      sourceMetadata: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  changedTablesById: z.record(z.string(), WebhookTableChangesSchema).optional(),
  createdTablesById: z.record(z.string(), z.unknown()).optional(),
  destroyedTableIds: z.array(z.string()).optional(),
  error: z.boolean().optional(),
  code: z.string().optional(),
});

/**
 * A payload (see {@link WebhookPayloadSchema}).
 *
 * @example
 * ```ts
 * const broken = (p: WebhookPayload) => p.error === true;
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-payload
 */
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

/**
 * `GET bases/{baseId}/webhooks/{webhookId}/payloads`: `cursor` is where the
 * next call starts; keep calling while `mightHaveMore`.
 *
 * @example
 * ```ts
 * const { cursor, mightHaveMore, payloads } = ListWebhookPayloadsResponseSchema.parse(data);
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export const ListWebhookPayloadsResponseSchema = z.object({
  cursor: z.number().int(),
  mightHaveMore: z.boolean(),
  payloads: z.array(WebhookPayloadSchema),
});

/**
 * A payload page (see {@link ListWebhookPayloadsResponseSchema}).
 *
 * @example
 * ```ts
 * const page: ListWebhookPayloadsResponse = { cursor: 1, mightHaveMore: false, payloads: [] };
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export type ListWebhookPayloadsResponse = z.infer<typeof ListWebhookPayloadsResponseSchema>;

/**
 * The notification ("ping") Airtable POSTs to the notification URL. It
 * carries no data: the receiver fetches the payloads.
 *
 * @example
 * ```ts
 * const ping = WebhookPingSchema.parse(JSON.parse(body));
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview#webhook-notification-delivery
 */
export const WebhookPingSchema = z.object({
  base: z.object({ id: z.string() }),
  webhook: z.object({ id: z.string() }),
  timestamp: z.string(),
});

/**
 * A ping (see {@link WebhookPingSchema}).
 *
 * @example
 * ```ts
 * const ping: WebhookPing = { base: { id: "appA1b2C3d4E5f6G7" }, webhook: { id: "achA1b2C3d4E5f6G7" }, timestamp: new Date().toISOString() };
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export type WebhookPing = z.infer<typeof WebhookPingSchema>;
