/**
 * Contacts: search-based full and incremental sync, reads for conflict
 * checks, and write-back (upsert on create, update, delete).
 */
import {
  type ConnectorContext,
  type Json,
  NotFoundError,
  type SyncContext,
  type SyncPage,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { dataOf, type GhlApiClient, ghlApiClient } from "./api-client.js";
import {
  CONTACT_PATH,
  CONTACTS_SEARCH_PATH,
  CONTACTS_UPSERT_PATH,
  GHL_API_VERSION,
} from "./endpoints.js";
import { locationOf } from "./location.js";
import {
  type GhlConfig,
  type GhlContact,
  type GhlSearchBody,
  type GhlSearchContact,
  type GhlWireContact,
  type UpsertContact,
  UpsertContactFields,
  UpsertContactInput,
} from "./schemas.js";
import { describeIssues, failedWrite } from "./write-outcome.js";

/**
 * Contacts per search page (HighLevel accepts up to 500).
 *
 * @example
 * ```ts
 * body.pageLimit = CONTACTS_PAGE_LIMIT;
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced
 */
export const CONTACTS_PAGE_LIMIT = 100;

const HEADERS = { Version: GHL_API_VERSION.contacts } as const;

/** Where an interrupted run resumes, and the incremental cursor between runs. */
interface ContactsPosition {
  searchAfter?: (number | string)[];
  updatedSince: string | null;
}

/**
 * A contact as the model stores it: the API's contact without the search cursor.
 *
 * @example
 * ```ts
 * toContactRecord({ id: "c1", locationId: "loc1", searchAfter: [1, "c1"] }); // { id: "c1", locationId: "loc1" }
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export function toContactRecord(contact: GhlSearchContact | GhlWireContact): GhlContact {
  const record: Record<string, unknown> = { ...contact };
  delete record.searchAfter;
  return record as GhlContact;
}

function readPosition(value: Json | null): ContactsPosition | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const since = value.updatedSince;
  const after = value.searchAfter;
  return {
    updatedSince: typeof since === "string" ? since : null,
    ...(Array.isArray(after) && { searchAfter: after as (number | string)[] }),
  };
}

function later(a: string | null, b: string | undefined): string | null {
  if (b === undefined || Number.isNaN(Date.parse(b))) return a;
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * The `contacts` model's sync: `POST /contacts/search` sorted by
 * `dateUpdated`, paged with `searchAfter`; incremental runs filter
 * `dateUpdated >= ` the newest change seen before (the boundary contact comes
 * again and is found unchanged).
 *
 * @example
 * ```ts
 * for await (const page of syncContacts(ctx)) console.log(page.records.length);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced
 */
export async function* syncContacts(
  ctx: SyncContext<GhlConfig>,
): AsyncGenerator<SyncPage<GhlContact>> {
  const client = ghlApiClient(ctx.http);
  const locationId = locationOf(ctx.metadata, ctx.config);
  const cursor = readPosition(ctx.cursor);
  const resume = readPosition(ctx.checkpoint);
  const since = ctx.mode === "incremental" ? (cursor?.updatedSince ?? null) : null;
  let searchAfter = resume?.searchAfter;
  let newest = resume?.updatedSince ?? cursor?.updatedSince ?? null;
  for (;;) {
    const body: GhlSearchBody = {
      locationId,
      pageLimit: CONTACTS_PAGE_LIMIT,
      sort: [{ field: "dateUpdated", direction: "asc" }],
      ...(since !== null && {
        filters: [{ field: "dateUpdated", operator: "range", value: { gte: since } }],
      }),
      ...(searchAfter !== undefined && { searchAfter }),
    };
    const result = await client.POST(CONTACTS_SEARCH_PATH, {
      params: { header: HEADERS },
      body,
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    const contacts = dataOf(result, `POST ${CONTACTS_SEARCH_PATH}`).contacts ?? [];
    for (const contact of contacts) newest = later(newest, contact.dateUpdated);
    const last = contacts.at(-1);
    const done = contacts.length < CONTACTS_PAGE_LIMIT || last?.searchAfter === undefined;
    searchAfter = last?.searchAfter;
    const records = contacts.map(toContactRecord);
    if (done) {
      yield { records, cursor: { updatedSince: newest } };
      return;
    }
    yield { records, checkpoint: { updatedSince: newest, searchAfter: searchAfter ?? [] } };
  }
}

/**
 * Current versions of some contacts (missing ones omitted), for conflict checks.
 *
 * @example
 * ```ts
 * const [contact] = await readContacts(ctx, ["c1"]);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export async function readContacts(
  ctx: ConnectorContext<GhlConfig>,
  ids: string[],
): Promise<GhlContact[]> {
  // Fails early (ConfigError) for an agency connection without a sub-account.
  locationOf(ctx.metadata, ctx.config);
  const client = ghlApiClient(ctx.http);
  const out: GhlContact[] = [];
  for (const contactId of ids) {
    try {
      const result = await client.GET(CONTACT_PATH, {
        params: { header: HEADERS, path: { contactId } },
      });
      const { contact } = dataOf(result, `GET ${CONTACT_PATH}`);
      if (contact !== undefined) out.push(toContactRecord(contact));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return out;
}

/** The writable fields of a record, `customFields` in the write shape. */
function writableFields(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(UpsertContactFields.shape)) {
    const value = data[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (Array.isArray(data.customFields)) {
    out.customFields = data.customFields.map((field) => {
      const f = (field ?? {}) as Record<string, unknown>;
      return { id: f.id, field_value: f.field_value ?? f.value };
    });
  }
  return out;
}

/**
 * `POST /contacts/upsert`: create the contact, or update the one HighLevel
 * matches by email or phone (per the location's duplicate settings).
 *
 * @example
 * ```ts
 * const { created, contact } = await upsertContact(client, locationId, { email: "rosa@example.com" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/upsert-contact
 */
export async function upsertContact(
  client: GhlApiClient,
  locationId: string,
  input: UpsertContact,
): Promise<{ created: boolean; contact: GhlContact }> {
  const result = await client.POST(CONTACTS_UPSERT_PATH, {
    params: { header: HEADERS },
    body: { ...input, locationId },
  });
  const data = dataOf(result, `POST ${CONTACTS_UPSERT_PATH}`);
  const contact = dataOf({ data: data.contact, response: result.response }, "upserted contact");
  return { created: data.new === true, contact: toContactRecord(contact) };
}

async function writeOne(
  client: GhlApiClient,
  locationId: string,
  change: WriteChange<GhlContact>,
): Promise<WriteOutcome<GhlContact>> {
  if (change.op === "delete") {
    try {
      await client.DELETE(CONTACT_PATH, {
        params: { header: HEADERS, path: { contactId: change.externalId } },
      });
    } catch (error) {
      // Already gone at HighLevel: the delete has its effect.
      if (!(error instanceof NotFoundError)) throw error;
    }
    return { ok: true, externalId: change.externalId };
  }
  const fields = writableFields(change.data as Record<string, unknown>);
  if (change.op === "create") {
    const parsed = UpsertContactInput.safeParse(fields);
    if (!parsed.success) return { ok: false, error: `contact: ${describeIssues(parsed.error)}` };
    const { contact } = await upsertContact(client, locationId, parsed.data);
    return { ok: true, externalId: contact.id, data: contact };
  }
  const parsed = UpsertContactFields.safeParse(fields);
  if (!parsed.success) return { ok: false, error: `contact: ${describeIssues(parsed.error)}` };
  // PUT /contacts/{id} does not take companyName (only create and upsert do).
  const { companyName: _companyName, ...update } = parsed.data;
  const result = await client.PUT(CONTACT_PATH, {
    params: { header: HEADERS, path: { contactId: change.externalId } },
    body: update,
  });
  const { contact } = dataOf(result, `PUT ${CONTACT_PATH}`);
  return {
    ok: true,
    externalId: change.externalId,
    ...(contact !== undefined && { data: toContactRecord(contact) }),
  };
}

/**
 * The `contacts` model's write-back: creates go through the upsert (so a
 * host contact with a known email or phone updates that contact rather than
 * duplicating it), updates through `PUT /contacts/{id}`, deletes through
 * `DELETE /contacts/{id}`. Invalid data fails that change with a message
 * naming the field.
 *
 * @example
 * ```ts
 * await writeContacts(ctx, [{ op: "create", internalId: "h1", data: { email: "rosa@example.com" } }]);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/upsert-contact
 */
export async function writeContacts(
  ctx: ConnectorContext<GhlConfig>,
  changes: WriteChange<GhlContact>[],
): Promise<WriteOutcome<GhlContact>[]> {
  const client = ghlApiClient(ctx.http);
  const locationId = locationOf(ctx.metadata, ctx.config);
  const outcomes: WriteOutcome<GhlContact>[] = [];
  for (const change of changes) {
    try {
      outcomes.push(await writeOne(client, locationId, change));
    } catch (error) {
      outcomes.push(failedWrite(error));
    }
  }
  return outcomes;
}
