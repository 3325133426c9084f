/**
 * Writing entities back. QuickBooks guards every update with the entity's
 * `SyncToken` (optimistic concurrency): an update names the version it
 * changes, and a stale one is refused with "Stale Object Error" (5010).
 * Updates are sparse (`sparse: true`: fields not sent are left alone). On a
 * stale token the connector reads the entity again and retries once with the
 * fresh token; a second refusal is a {@link SyncTokenConflictError}.
 */
import {
  type ConnectorContext,
  type HttpClient,
  isPatchbayError,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { companyRequest } from "./company-api.js";
import { QUICKBOOKS_PATHS } from "./endpoints.js";
import { isStaleObjectError, SyncTokenConflictError } from "./faults.js";
import type { QuickBooksEntity } from "./schemas.js";

/** Fields QuickBooks computes or the connector sets itself; never sent from host data. */
const READ_ONLY_FIELDS = ["Id", "SyncToken", "MetaData", "domain", "sparse", "status", "time"];

/**
 * The writable part of a record: host data without `Id`, `SyncToken`,
 * `MetaData` and other fields QuickBooks owns.
 *
 * @example
 * ```ts
 * writableFields({ Id: "58", SyncToken: "2", DisplayName: "Maria Lopez" }); // { DisplayName: "Maria Lopez" }
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export function writableFields(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!READ_ONLY_FIELDS.includes(key)) out[key] = value;
  }
  return out;
}

function entityOf(data: unknown, entity: QuickBooksEntity): Record<string, unknown> {
  const body = (data as Record<string, unknown> | undefined)?.[entity];
  if (body === null || typeof body !== "object") {
    throw new TypeError(`QuickBooks answered without a ${entity} object`);
  }
  return body as Record<string, unknown>;
}

/**
 * Read one entity by id.
 *
 * @example
 * ```ts
 * const customer = await readEntity(http, "Customer", "58");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#read-a-customer
 */
export async function readEntity(
  http: HttpClient,
  entity: QuickBooksEntity,
  id: string,
): Promise<Record<string, unknown>> {
  return entityOf(await companyRequest(http, { path: QUICKBOOKS_PATHS.read(entity, id) }), entity);
}

/**
 * Create an entity; returns it as QuickBooks stored it (with `Id` and `SyncToken`).
 *
 * @example
 * ```ts
 * const created = await createEntity(http, "Customer", { DisplayName: "Maria Lopez" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#create-a-customer
 */
export async function createEntity(
  http: HttpClient,
  entity: QuickBooksEntity,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const data = await companyRequest(http, {
    method: "POST",
    path: QUICKBOOKS_PATHS.entity(entity),
    json: writableFields(fields),
  });
  return entityOf(data, entity);
}

/** Run `attempt` with `syncToken`; on a stale token, refetch once and retry; then give up with a conflict. */
async function withFreshSyncToken(
  http: HttpClient,
  entity: QuickBooksEntity,
  id: string,
  syncToken: string | undefined,
  attempt: (token: string) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  let token = syncToken ?? String((await readEntity(http, entity, id)).SyncToken);
  try {
    return await attempt(token);
  } catch (error) {
    if (!isStaleObjectError(error)) throw error;
  }
  token = String((await readEntity(http, entity, id)).SyncToken);
  try {
    return await attempt(token);
  } catch (error) {
    if (isStaleObjectError(error)) throw new SyncTokenConflictError(entity, id, { cause: error });
    throw error;
  }
}

/**
 * Sparse update: sends `fields` with `Id`, the `SyncToken` (read first when
 * not given) and `sparse: true`. A stale token is refetched and the update
 * retried once.
 *
 * @throws SyncTokenConflictError when the retry is stale too.
 * @example
 * ```ts
 * await sparseUpdate(http, "Customer", "58", { PrimaryPhone: { FreeFormNumber: "(555) 010-0199" } }, "3");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#sparse-update-a-customer
 */
export async function sparseUpdate(
  http: HttpClient,
  entity: QuickBooksEntity,
  id: string,
  fields: Record<string, unknown>,
  syncToken?: string,
): Promise<Record<string, unknown>> {
  const body = writableFields(fields);
  return withFreshSyncToken(http, entity, id, syncToken, async (token) =>
    entityOf(
      await companyRequest(http, {
        method: "POST",
        path: QUICKBOOKS_PATHS.entity(entity),
        json: { ...body, Id: id, SyncToken: token, sparse: true },
      }),
      entity,
    ),
  );
}

/**
 * Delete a transaction (invoice, payment): `POST <entity>?operation=delete`
 * with `Id` and `SyncToken`, retried once with a fresh token when stale.
 *
 * @throws SyncTokenConflictError when the retry is stale too.
 * @example
 * ```ts
 * await deleteEntity(http, "Invoice", "130", "0");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#delete-an-invoice
 */
export async function deleteEntity(
  http: HttpClient,
  entity: QuickBooksEntity,
  id: string,
  syncToken?: string,
): Promise<void> {
  await withFreshSyncToken(http, entity, id, syncToken, async (token) =>
    entityOf(
      await companyRequest(http, {
        method: "POST",
        path: QUICKBOOKS_PATHS.entity(entity),
        query: { operation: "delete" },
        json: { Id: id, SyncToken: token },
      }),
      entity,
    ),
  );
}

/**
 * A model's `write` for one entity type: creates, sparse updates (with the
 * synced `SyncToken`), and deletes — a real delete for transactions, "make
 * inactive" (`Active: false`) for customers and items, which QuickBooks
 * never deletes. Each change gets its own outcome; failures do not stop the batch.
 *
 * @example
 * ```ts
 * defineModel({ ..., write: entityWriter("Customer", { onDelete: "deactivate" }) });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export function entityWriter(
  entity: QuickBooksEntity,
  options: { onDelete: "delete" | "deactivate" },
): (
  ctx: ConnectorContext<unknown>,
  changes: WriteChange<Record<string, unknown>>[],
) => Promise<WriteOutcome<Record<string, unknown>>[]> {
  return async (ctx, changes) => {
    const outcomes: WriteOutcome<Record<string, unknown>>[] = [];
    for (const change of changes) {
      try {
        if (change.op === "create") {
          const created = await createEntity(ctx.http, entity, change.data);
          outcomes.push({ ok: true, externalId: String(created.Id), data: created });
        } else if (change.op === "update") {
          const token = change.data.SyncToken;
          const updated = await sparseUpdate(
            ctx.http,
            entity,
            change.externalId,
            change.data,
            typeof token === "string" ? token : undefined,
          );
          outcomes.push({ ok: true, externalId: String(updated.Id), data: updated });
        } else if (options.onDelete === "deactivate") {
          await sparseUpdate(ctx.http, entity, change.externalId, { Active: false });
          outcomes.push({ ok: true, externalId: change.externalId });
        } else {
          await deleteEntity(ctx.http, entity, change.externalId);
          outcomes.push({ ok: true, externalId: change.externalId });
        }
      } catch (error) {
        outcomes.push({
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          retryable: isPatchbayError(error) ? error.retryable : false,
        });
      }
    }
    return outcomes;
  };
}
