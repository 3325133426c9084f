/**
 * The fake Jobber account's data: clients, jobs, quotes and invoices with
 * Jobber's `EncodedId`s and second-precision timestamps, rendered exactly as
 * the connector's documents select them.
 */
import type { JobberClient, JobberInvoice, JobberJob, JobberQuote } from "../schemas.js";

/**
 * The models the fake stores.
 *
 * @example
 * ```ts
 * fake.seed("jobs" satisfies FakeModel, 3);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export type FakeModel = "clients" | "jobs" | "quotes" | "invoices";

/**
 * The GraphQL type name of each model, for ids and webhook topics.
 *
 * @example
 * ```ts
 * FAKE_TYPE_NAMES.clients; // "Client" (topics CLIENT_CREATE, ...)
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const FAKE_TYPE_NAMES: Readonly<Record<FakeModel, string>> = Object.freeze({
  clients: "Client",
  jobs: "Job",
  quotes: "Quote",
  invoices: "Invoice",
});

/**
 * A stored record: the fields the API shows (without `id`, `createdAt`,
 * `updatedAt`, which the store keeps), plus its creation sequence.
 *
 * @example
 * ```ts
 * fake.state.records.clients.get(id)?.fields.firstName;
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface FakeRecord {
  id: string;
  seq: number;
  createdAt: number;
  updatedAt: number;
  fields: Record<string, unknown>;
}

/**
 * Jobber's `EncodedId`: base64 of the global id `gid://Jobber/<Type>/<n>`.
 *
 * @example
 * ```ts
 * encodeJobberId("Client", 1); // "Z2lkOi8vSm9iYmVyL0NsaWVudC8x"
 * ```
 * @see https://developer.getjobber.com/docs
 */
export function encodeJobberId(type: string, n: number): string {
  return Buffer.from(`gid://Jobber/${type}/${n}`, "utf8").toString("base64");
}

/**
 * Second precision, UTC, as Jobber's `ISO8601DateTime` (`2025-05-01T12:00:00Z`).
 *
 * @example
 * ```ts
 * jobberTime(Date.parse("2025-05-01T12:00:00.750Z")); // "2025-05-01T12:00:00Z"
 * ```
 * @see https://developer.getjobber.com/docs
 */
export function jobberTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * The fake's records, per model, in creation order.
 *
 * @example
 * ```ts
 * const state = new JobberFakeState(Date.now); state.create("clients", { firstName: "Ana" });
 * ```
 * @see https://developer.getjobber.com/docs
 */
export class JobberFakeState {
  readonly records: Record<FakeModel, Map<string, FakeRecord>> = {
    clients: new Map(),
    jobs: new Map(),
    quotes: new Map(),
    invoices: new Map(),
  };
  #seq = 0;
  readonly #numbers: Record<FakeModel, number> = { clients: 0, jobs: 0, quotes: 0, invoices: 0 };
  readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Store a new record; returns it. */
  create(model: FakeModel, fields: Record<string, unknown>): FakeRecord {
    const n = ++this.#numbers[model];
    const at = this.now();
    const record: FakeRecord = {
      id: encodeJobberId(FAKE_TYPE_NAMES[model], 1000 + n),
      seq: ++this.#seq,
      createdAt: at,
      updatedAt: at,
      fields: { ...defaults(model, n), ...fields },
    };
    this.records[model].set(record.id, record);
    return record;
  }

  /** Change fields of a record (bumps `updatedAt`). */
  update(model: FakeModel, id: string, patch: Record<string, unknown>): FakeRecord {
    const record = this.get(model, id);
    record.fields = { ...record.fields, ...patch };
    record.updatedAt = Math.max(this.now(), record.updatedAt);
    return record;
  }

  /** Remove a record. */
  destroy(model: FakeModel, id: string): void {
    this.get(model, id);
    this.records[model].delete(id);
  }

  get(model: FakeModel, id: string): FakeRecord {
    const record = this.records[model].get(id);
    if (record === undefined) throw new Error(`fake Jobber: no ${model} record ${id}`);
    return record;
  }

  /** A record as the connector's documents select it. */
  render(model: FakeModel, record: FakeRecord): Record<string, unknown> {
    const f = record.fields;
    const base = {
      id: record.id,
      jobberWebUri: `https://secure.getjobber.com/${model}/${record.seq}`,
      createdAt: jobberTime(record.createdAt),
      updatedAt: jobberTime(record.updatedAt),
    };
    switch (model) {
      case "clients": {
        const firstName = (f.firstName as string | null) ?? null;
        const lastName = (f.lastName as string | null) ?? null;
        const companyName = (f.companyName as string | null) ?? null;
        const person = [firstName, lastName].filter(Boolean).join(" ");
        const client: JobberClient = {
          id: base.id,
          firstName,
          lastName,
          companyName,
          isCompany: companyName !== null && person === "",
          name: person !== "" ? person : (companyName ?? ""),
          isLead: f.isLead === true,
          isArchived: f.isArchived === true,
          emails: (f.emails as JobberClient["emails"] | undefined) ?? [],
          phones: (f.phones as JobberClient["phones"] | undefined) ?? [],
          billingAddress: (f.billingAddress as JobberClient["billingAddress"] | undefined) ?? null,
          jobberWebUri: base.jobberWebUri,
          createdAt: base.createdAt,
          updatedAt: base.updatedAt,
        };
        return client;
      }
      case "jobs": {
        const job: JobberJob = {
          id: base.id,
          jobNumber: f.jobNumber as number,
          title: (f.title as string | null) ?? null,
          jobStatus: f.jobStatus as string,
          instructions: (f.instructions as string | null) ?? null,
          startAt: (f.startAt as string | null) ?? null,
          endAt: (f.endAt as string | null) ?? null,
          completedAt: (f.completedAt as string | null) ?? null,
          total: f.total as number,
          client: { id: f.clientId as string },
          jobberWebUri: base.jobberWebUri,
          createdAt: base.createdAt,
          updatedAt: base.updatedAt,
        };
        return job;
      }
      case "quotes": {
        const quote: JobberQuote = {
          id: base.id,
          quoteNumber: f.quoteNumber as string,
          title: (f.title as string | null) ?? null,
          quoteStatus: f.quoteStatus as string,
          message: (f.message as string | null) ?? null,
          amounts: { subtotal: f.subtotal as number, total: f.total as number },
          client: { id: f.clientId as string },
          jobberWebUri: base.jobberWebUri,
          createdAt: base.createdAt,
          updatedAt: base.updatedAt,
        };
        return quote;
      }
      case "invoices": {
        const invoice: JobberInvoice = {
          id: base.id,
          invoiceNumber: f.invoiceNumber as string,
          subject: (f.subject as string | null) ?? null,
          invoiceStatus: f.invoiceStatus as string,
          issuedDate: (f.issuedDate as string | null) ?? null,
          dueDate: (f.dueDate as string | null) ?? null,
          amounts: {
            subtotal: f.subtotal as number,
            total: f.total as number,
            invoiceBalance: f.invoiceBalance as number,
          },
          client: { id: f.clientId as string },
          jobberWebUri: base.jobberWebUri,
          createdAt: base.createdAt,
          updatedAt: base.updatedAt,
        };
        return invoice;
      }
    }
  }
}

function defaults(model: FakeModel, n: number): Record<string, unknown> {
  switch (model) {
    case "clients":
      return { firstName: null, lastName: null, companyName: null, emails: [], phones: [] };
    case "jobs":
      return { jobNumber: n, title: `Job #${n}`, jobStatus: "upcoming", total: 0 };
    case "quotes":
      return { quoteNumber: String(n), quoteStatus: "draft", subtotal: 0, total: 0 };
    case "invoices":
      return {
        invoiceNumber: String(n),
        invoiceStatus: "draft",
        subtotal: 0,
        total: 0,
        invoiceBalance: 0,
      };
  }
}
