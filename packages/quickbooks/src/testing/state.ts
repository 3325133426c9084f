/**
 * The fake company's data: entities with `SyncToken`s and `MetaData`
 * times, a deletion log for change data capture, and change events for webhooks.
 */
import type { QuickBooksEntity } from "../schemas.js";

/**
 * One change, as the fake reports it to webhooks.
 *
 * @example
 * ```ts
 * const change: FakeChange = { entity: "Customer", id: "1", operation: "Update", at: Date.now() };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export interface FakeChange {
  entity: QuickBooksEntity;
  id: string;
  operation: "Create" | "Update" | "Delete" | "Void";
  at: number;
}

/**
 * A validation failure the handlers turn into Intuit's fault body.
 *
 * @example
 * ```ts
 * throw new FakeFaultError(400, "ValidationFault", { Message: "Stale Object Error", Detail: "…", code: "5010" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export class FakeFaultError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly error: { Message: string; Detail: string; code: string; element?: string },
  ) {
    super(`${error.code} ${error.Message}: ${error.Detail}`);
  }
}

const PACIFIC_OFFSET_MS = 8 * 3600 * 1000;

/**
 * A time as QuickBooks writes it: Pacific offset, no milliseconds
 * (`2025-06-01T09:30:00-08:00`); with `millis`, as in the response `time`.
 *
 * @example
 * ```ts
 * qboTimestamp(Date.parse("2025-06-01T17:30:00Z")); // "2025-06-01T09:30:00-08:00"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export function qboTimestamp(epochMs: number, millis = false): string {
  const local = new Date(epochMs - PACIFIC_OFFSET_MS).toISOString();
  return `${local.slice(0, millis ? 23 : 19)}-08:00`;
}

/** Deep copy of JSON data. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The fake company.
 *
 * @example
 * ```ts
 * const state = new QuickBooksFakeState(Date.now, "9130");
 * state.create("Customer", { DisplayName: "Maria Lopez" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export class QuickBooksFakeState {
  readonly entities = new Map<QuickBooksEntity, Map<string, Record<string, unknown>>>([
    ["Customer", new Map()],
    ["Invoice", new Map()],
    ["Payment", new Map()],
    ["Item", new Map()],
  ]);
  /** Epoch ms of the last change per `Entity:Id` (precise, unlike `MetaData`). */
  readonly changedAt = new Map<string, number>();
  readonly deletions: Array<{ entity: QuickBooksEntity; id: string; at: number }> = [];
  companyName = "Sandbox Plumbing & HVAC";
  onChange: ((change: FakeChange) => void) | undefined;
  #nextId = 1;

  constructor(
    readonly now: () => number,
    readonly realmId: string,
  ) {}

  table(entity: QuickBooksEntity): Map<string, Record<string, unknown>> {
    return this.entities.get(entity)!;
  }

  get(entity: QuickBooksEntity, id: string): Record<string, unknown> | undefined {
    const found = this.table(entity).get(id);
    return found === undefined ? undefined : copy(found);
  }

  list(entity: QuickBooksEntity): Record<string, unknown>[] {
    return [...this.table(entity).values()].map(copy);
  }

  #touch(entity: QuickBooksEntity, id: string, at: number, operation: FakeChange["operation"]) {
    this.changedAt.set(`${entity}:${id}`, at);
    this.onChange?.({ entity, id, operation, at });
  }

  #checkName(entity: QuickBooksEntity, name: string, exceptId?: string): void {
    const field = entity === "Customer" ? "DisplayName" : "Name";
    for (const [id, row] of this.table(entity)) {
      if (id !== exceptId && String(row[field]).toLowerCase() === name.toLowerCase()) {
        throw new FakeFaultError(400, "ValidationFault", {
          Message: "Duplicate Name Exists Error",
          Detail: `The name supplied already exists. : Another ${entity.toLowerCase()} is already using this name. Please use a different name.`,
          code: "6240",
          element: "",
        });
      }
    }
  }

  #derive(
    entity: QuickBooksEntity,
    row: Record<string, unknown>,
    previous?: Record<string, unknown>,
  ) {
    if (entity === "Customer") {
      if (typeof row.DisplayName !== "string" || row.DisplayName.trim() === "") {
        const parts = [row.GivenName, row.FamilyName].filter((p) => typeof p === "string" && p);
        if (parts.length === 0 && typeof row.CompanyName === "string") parts.push(row.CompanyName);
        if (parts.length === 0) {
          throw new FakeFaultError(400, "ValidationFault", {
            Message: "Required param missing, need to supply the required value for the API",
            Detail: "Required parameter DisplayName is missing in the request",
            code: "2020",
            element: "DisplayName",
          });
        }
        row.DisplayName = parts.join(" ");
      }
      this.#checkName(entity, String(row.DisplayName), row.Id as string | undefined);
      row.Active ??= true;
      row.Balance ??= previous?.Balance ?? 0;
    }
    if (entity === "Item") {
      if (typeof row.Name !== "string" || row.Name.trim() === "") {
        throw new FakeFaultError(400, "ValidationFault", {
          Message: "Required param missing, need to supply the required value for the API",
          Detail: "Required parameter Name is missing in the request",
          code: "2020",
          element: "Name",
        });
      }
      this.#checkName(entity, row.Name, row.Id as string | undefined);
      row.Active ??= true;
      row.Type ??= "Service";
    }
    if (entity === "Invoice" || entity === "Payment") {
      const ref = row.CustomerRef as { value?: unknown } | undefined;
      const customer =
        typeof ref?.value === "string" ? this.table("Customer").get(ref.value) : undefined;
      if (customer === undefined) {
        throw new FakeFaultError(400, "ValidationFault", {
          Message: "Invalid Reference Id",
          Detail: `Invalid Reference Id : Customer assigned to this transaction has been deleted or does not exist: ${String(ref?.value)}`,
          code: "2500",
          element: "CustomerRef",
        });
      }
      row.CustomerRef = { value: ref!.value, name: customer.DisplayName };
      row.TxnDate ??= qboTimestamp(this.now()).slice(0, 10);
    }
    if (entity === "Invoice") {
      if (!Array.isArray(row.Line) || row.Line.length === 0) {
        throw new FakeFaultError(400, "ValidationFault", {
          Message: "Required param missing, need to supply the required value for the API",
          Detail: "Required parameter Line is missing in the request",
          code: "2020",
          element: "Line",
        });
      }
      const total = (row.Line as Array<{ Amount?: unknown }>).reduce(
        (sum, line) => sum + (typeof line.Amount === "number" ? line.Amount : 0),
        0,
      );
      const paid =
        previous === undefined ? 0 : Number(previous.TotalAmt) - Number(previous.Balance ?? 0);
      row.TotalAmt = Math.round(total * 100) / 100;
      row.Balance = Math.max(0, Math.round((total - paid) * 100) / 100);
    }
    if (entity === "Payment" && typeof row.TotalAmt !== "number") {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Required param missing, need to supply the required value for the API",
        Detail: "Required parameter TotalAmt is missing in the request",
        code: "2020",
        element: "TotalAmt",
      });
    }
  }

  /** Create an entity as QuickBooks would: new `Id`, `SyncToken` "0", times. */
  create(entity: QuickBooksEntity, fields: Record<string, unknown>): Record<string, unknown> {
    const at = this.now();
    const { Id: _id, SyncToken: _token, MetaData: _meta, sparse: _sparse, ...rest } = copy(fields);
    const row: Record<string, unknown> = { ...rest };
    this.#derive(entity, row);
    const id = String(this.#nextId++);
    const stored: Record<string, unknown> = {
      ...row,
      Id: id,
      SyncToken: "0",
      domain: "QBO",
      sparse: false,
      MetaData: { CreateTime: qboTimestamp(at), LastUpdatedTime: qboTimestamp(at) },
    };
    this.table(entity).set(id, stored);
    if (entity === "Payment") this.#applyPayment(stored, 1);
    this.#touch(entity, id, at, "Create");
    return copy(stored);
  }

  #applyPayment(payment: Record<string, unknown>, sign: 1 | -1): void {
    for (const line of (payment.Line as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const linked of (line.LinkedTxn as Array<Record<string, unknown>> | undefined) ?? []) {
        const invoice = this.table("Invoice").get(String(linked.TxnId));
        if (linked.TxnType !== "Invoice" || invoice === undefined) continue;
        const amount = typeof line.Amount === "number" ? line.Amount : 0;
        invoice.Balance = Math.max(
          0,
          Math.round((Number(invoice.Balance) - sign * amount) * 100) / 100,
        );
      }
    }
  }

  /**
   * Update with the optimistic-concurrency check: `syncToken` must be the
   * current one, else "Stale Object Error" (5010). `sparse` merges fields.
   */
  update(
    entity: QuickBooksEntity,
    id: string,
    fields: Record<string, unknown>,
    options: { syncToken: string; sparse: boolean },
  ): Record<string, unknown> {
    const current = this.table(entity).get(id);
    if (current === undefined) throw notFound(entity, id);
    if (String(current.SyncToken) !== options.syncToken) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Stale Object Error",
        Detail:
          "Stale Object Error : You and QuickBooks User were working on this at the same time. QuickBooks User finished before you did, so your work was not saved.",
        code: "5010",
        element: "",
      });
    }
    const at = this.now();
    const {
      Id: _id,
      SyncToken: _token,
      MetaData: _meta,
      sparse: _sparse,
      domain: _d,
      ...rest
    } = copy(fields);
    const base = options.sparse
      ? { ...copy(current), ...rest }
      : { ...rest, Id: id, ...(entity === "Customer" && { Balance: current.Balance }) };
    base.Id = id;
    this.#derive(entity, base, current);
    const stored: Record<string, unknown> = {
      ...base,
      Id: id,
      SyncToken: String(Number(current.SyncToken) + 1),
      domain: "QBO",
      sparse: false,
      MetaData: {
        CreateTime: (current.MetaData as Record<string, unknown>).CreateTime,
        LastUpdatedTime: qboTimestamp(at),
      },
    };
    this.table(entity).set(id, stored);
    this.#touch(entity, id, at, "Update");
    return copy(stored);
  }

  /** Delete a transaction (customers and items cannot be deleted: make them inactive). */
  remove(entity: QuickBooksEntity, id: string, syncToken?: string): void {
    const current = this.table(entity).get(id);
    if (current === undefined) throw notFound(entity, id);
    if (entity === "Customer" || entity === "Item") {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Operation Not Supported",
        Detail: `Operation delete is not supported for ${entity}: make it inactive (Active=false) instead.`,
        code: "6000",
        element: "",
      });
    }
    if (syncToken !== undefined && String(current.SyncToken) !== syncToken) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Stale Object Error",
        Detail:
          "Stale Object Error : You and QuickBooks User were working on this at the same time. QuickBooks User finished before you did, so your work was not saved.",
        code: "5010",
        element: "",
      });
    }
    if (entity === "Payment") this.#applyPayment(current, -1);
    const at = this.now();
    this.table(entity).delete(id);
    this.deletions.push({ entity, id, at });
    this.#touch(entity, id, at, "Delete");
  }
}

/**
 * "Object Not Found" (610) for an id the company does not have.
 *
 * @example
 * ```ts
 * throw notFound("Customer", "999");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function notFound(entity: string, id: string): FakeFaultError {
  return new FakeFaultError(400, "ValidationFault", {
    Message: "Object Not Found",
    Detail: `Object Not Found : Something you're trying to use has been made inactive or deleted. Check the fields with accounts, customers, items, vendors or employees. (${entity} ${id})`,
    code: "610",
    element: "",
  });
}
