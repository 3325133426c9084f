/**
 * The fake's data: tenants, each with its customers, locations, jobs,
 * invoices, technicians, job types, business units and campaigns. Rows are
 * never removed when deactivated: ServiceTitan's export feeds keep returning
 * inactive and deleted rows, in modification order, which is what `version`
 * (a per-tenant counter bumped by every change) records.
 */
import type { ServiceTitanEnvironment } from "../endpoints.js";

/**
 * The kinds of rows a fake tenant holds.
 *
 * @example
 * ```ts
 * const kind: FakeKind = "customers";
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export type FakeKind =
  | "customers"
  | "locations"
  | "jobs"
  | "invoices"
  | "technicians"
  | "jobTypes"
  | "businessUnits"
  | "campaigns";

/**
 * One row: its id, whether it is active, its place in the modification
 * order, and its other fields as the API returns them.
 *
 * @example
 * ```ts
 * const row: FakeRow = { id: 100001, active: true, version: 7, createdOn, modifiedOn, fields: { name: "Ada" } };
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export interface FakeRow {
  id: number;
  active: boolean;
  /** Position in the tenant's modification order. */
  version: number;
  createdOn: string;
  modifiedOn: string;
  fields: Record<string, unknown>;
}

/**
 * A fake tenant: one ServiceTitan customer account in one environment, with
 * the client ID and secret it issued to the app.
 *
 * @example
 * ```ts
 * const spec: FakeTenantSpec = { tenantId: "1011756844", environment: "integration", clientId: "cid.x", clientSecret: "cs1.y", name: "Summit Comfort" };
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export interface FakeTenantSpec {
  tenantId: string;
  environment: ServiceTitanEnvironment;
  clientId: string;
  clientSecret: string;
  /** The company's name. */
  name?: string;
  /** App keys of the apps installed in this tenant. Default: the fake's app keys. */
  appKeys?: readonly string[];
}

const ID_BASE: Record<FakeKind, number> = {
  businessUnits: 1000,
  jobTypes: 2000,
  campaigns: 3000,
  technicians: 4000,
  customers: 100_000,
  locations: 200_000,
  jobs: 300_000,
  invoices: 400_000,
};

const KINDS = Object.keys(ID_BASE) as FakeKind[];

/**
 * One tenant's tables.
 *
 * @example
 * ```ts
 * const tenant = new FakeTenant(spec, () => Date.now(), ["ak1.x"]);
 * tenant.insert("customers", { name: "Ada" });
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export class FakeTenant {
  readonly tenantId: string;
  readonly environment: ServiceTitanEnvironment;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly appKeys: Set<string>;
  readonly tables: Record<FakeKind, Map<number, FakeRow>>;
  #version = 0;
  #nextId: Record<FakeKind, number>;
  #appointmentId = 500_000;
  readonly #now: () => number;

  constructor(spec: FakeTenantSpec, now: () => number, defaultAppKeys: readonly string[]) {
    this.tenantId = spec.tenantId;
    this.environment = spec.environment;
    this.clientId = spec.clientId;
    this.clientSecret = spec.clientSecret;
    this.name = spec.name ?? `Tenant ${spec.tenantId}`;
    this.appKeys = new Set(spec.appKeys ?? defaultAppKeys);
    this.#now = now;
    this.tables = Object.fromEntries(KINDS.map((k) => [k, new Map<number, FakeRow>()])) as Record<
      FakeKind,
      Map<number, FakeRow>
    >;
    this.#nextId = { ...ID_BASE };
  }

  /** The current time as ServiceTitan writes it. */
  timestamp(): string {
    return new Date(this.#now()).toISOString();
  }

  /** The fake's clock, in epoch milliseconds. */
  now(): number {
    return this.#now();
  }

  /** A new appointment id. */
  nextAppointmentId(): number {
    this.#appointmentId += 1;
    return this.#appointmentId;
  }

  /** Add a row; returns it. */
  insert(kind: FakeKind, fields: Record<string, unknown>, active = true): FakeRow {
    this.#nextId[kind] += 1;
    const at = this.timestamp();
    const row: FakeRow = {
      id: this.#nextId[kind],
      active,
      version: ++this.#version,
      createdOn: at,
      modifiedOn: at,
      fields: { ...fields },
    };
    this.tables[kind].set(row.id, row);
    return row;
  }

  /** Change a row's fields (and/or its active flag); it moves to the end of the modification order. */
  update(kind: FakeKind, id: number, fields: Record<string, unknown>, active?: boolean): FakeRow {
    const row = this.get(kind, id);
    if (row === undefined) throw new Error(`fake ServiceTitan: no ${kind} row ${id}`);
    row.fields = { ...row.fields, ...fields };
    if (active !== undefined) row.active = active;
    row.version = ++this.#version;
    row.modifiedOn = this.timestamp();
    return row;
  }

  /** Remove a row outright (no tombstone: only full runs can notice). */
  remove(kind: FakeKind, id: number): void {
    this.tables[kind].delete(id);
  }

  get(kind: FakeKind, id: number): FakeRow | undefined {
    return this.tables[kind].get(id);
  }

  /** Rows of a kind in modification order. */
  byVersion(kind: FakeKind): FakeRow[] {
    return [...this.tables[kind].values()].sort((a, b) => a.version - b.version);
  }

  /** The row as the API returns it: `id`, `active`, the fields, `createdOn`, `modifiedOn`. */
  render(row: FakeRow): Record<string, unknown> {
    return {
      id: row.id,
      active: row.active,
      ...row.fields,
      createdOn: row.createdOn,
      modifiedOn: row.modifiedOn,
    };
  }
}
