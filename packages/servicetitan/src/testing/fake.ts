import { createFakeOAuthServer, type FakeOAuthServer } from "@patchbay/testing";
import type { RequestHandler } from "msw";
import {
  SERVICETITAN_ENVIRONMENTS,
  SERVICETITAN_HOSTS,
  type ServiceTitanEnvironment,
  servicetitanTokenUrl,
} from "../endpoints.js";
import { JOB_STATUSES } from "../schemas.js";
import {
  createServiceTitanApiHandlers,
  customerFields,
  type FakeApiContext,
  type FakeRateLimitOptions,
  type FakeRequestLogEntry,
  jobFields,
  locationFields,
} from "./handlers.js";
import { type FakeKind, type FakeRow, FakeTenant, type FakeTenantSpec } from "./state.js";

/**
 * The sandbox app: the app key the fake accepts (use it as
 * `serviceTitan({ appKey })` in sandbox mode and tests).
 *
 * @example
 * ```ts
 * serviceTitan({ appKey: SERVICETITAN_SANDBOX_APP.appKey, environment: SERVICETITAN_SANDBOX_APP.environment });
 * ```
 * @see https://developer.servicetitan.io/docs/create-an-app/
 */
export const SERVICETITAN_SANDBOX_APP = Object.freeze({
  appKey: "ak1.sandbox0000000000000000000000",
  environment: "integration" as ServiceTitanEnvironment,
});

/**
 * The sandbox tenant, in the integration environment: "Summit Comfort
 * Heating & Plumbing", with the client ID and secret it issued to the
 * sandbox app.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "servicetitan", credentials: fake.credentials });
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export const SERVICETITAN_SANDBOX_TENANT: Readonly<Required<Omit<FakeTenantSpec, "appKeys">>> =
  Object.freeze({
    tenantId: "1011756844",
    environment: "integration",
    clientId: "cid.sandbox0summitcomfort000000000",
    clientSecret: "cs1.sandbox0summitcomfort0secret00000000000000",
    name: "Summit Comfort Heating & Plumbing",
  });

/**
 * Options of {@link createServiceTitanFake}.
 *
 * @example
 * ```ts
 * const fake = createServiceTitanFake({ exportPageSize: 10, rateLimit: { retryAfterSeconds: 0 } });
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export interface ServiceTitanFakeOptions {
  /** The fake's clock (epoch ms): row times, token expiry, the recent-changes delay, rate windows. Default `Date.now`. */
  now?: () => number;
  /** Tenants. Default: {@link SERVICETITAN_SANDBOX_TENANT} only. */
  tenants?: readonly FakeTenantSpec[];
  /** App keys the API knows. Default: {@link SERVICETITAN_SANDBOX_APP}'s. */
  appKeys?: readonly string[];
  /** Rows per export page. Default 50 (ServiceTitan chooses its own page size). */
  exportPageSize?: number;
  /** How long export feeds hold back a change unless `includeRecentChanges=true`. Default 15 minutes. */
  recentChangesDelayMs?: number;
  /** Per-app, per-tenant rate limit (default 60 per second, `Retry-After: 1`); `false` turns it off. */
  rateLimit?: FakeRateLimitOptions | false;
  /** Access token lifetime in seconds. Default 900, as ServiceTitan's. */
  accessTokenTtlSeconds?: number;
}

/**
 * The fake ServiceTitan (see {@link createServiceTitanFake}).
 *
 * @example
 * ```ts
 * let fake: ServiceTitanFake = createServiceTitanFake();
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export type ServiceTitanFake = ReturnType<typeof createServiceTitanFake>;

/**
 * Where a user-side helper acts. Default: the fake's first tenant (the sandbox).
 *
 * @example
 * ```ts
 * fake.seedCustomers(3, { tenantId: "2022334455" });
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export interface FakeTenantRef {
  tenantId?: string;
}

/**
 * An address as the helpers take it.
 *
 * @example
 * ```ts
 * const home: FakeAddress = { street: "1450 Larimer St", city: "Denver", state: "CO", zip: "80202" };
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export interface FakeAddress {
  street: string;
  unit?: string;
  city: string;
  state: string;
  zip: string;
  country?: string;
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Katherine",
  "Linus",
  "Margaret",
  "Dennis",
  "Barbara",
  "Ken",
  "Radia",
  "Edsger",
  "Frances",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Johnson",
  "Torvalds",
  "Hamilton",
  "Ritchie",
  "Liskov",
  "Thompson",
  "Perlman",
  "Dijkstra",
  "Allen",
];
const STREETS = [
  "Elm St",
  "Maple Ave",
  "Pine Rd",
  "Cedar Ln",
  "Aspen Way",
  "Birch Ct",
  "Spruce Dr",
  "Willow St",
];
const TOWNS: Array<[string, string, string]> = [
  ["Denver", "CO", "802"],
  ["Aurora", "CO", "800"],
  ["Lakewood", "CO", "802"],
  ["Boulder", "CO", "803"],
];

function addressFor(n: number): FakeAddress {
  const [city, state, zipPrefix] = TOWNS[n % TOWNS.length]!;
  return {
    street: `${100 + ((n * 37) % 900)} ${STREETS[n % STREETS.length]}`,
    city,
    state,
    zip: `${zipPrefix}${String(10 + (n % 89)).padStart(2, "0")}`,
    country: "USA",
  };
}

/**
 * A stateful fake of ServiceTitan's v2 API and its two auth servers, for
 * tests and sandbox mode: tenants in the integration and production
 * environments; client-credentials tokens (15 minutes) per tenant; the
 * `ST-App-Key` header; tenant-scoped paths; export feeds with continuation
 * tokens, inactive rows and the recent-changes delay; page-numbered lists
 * with `modifiedOnOrAfter`, `ids` and `active`; customer creation and
 * updates; job booking with ServiceTitan's validation; 60 requests per
 * second per app and tenant; errors in ServiceTitan's problem shape.
 *
 * @example
 * ```ts
 * const fake = createServiceTitanFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // an HVAC and plumbing company's customers, jobs, invoices, technicians
 * await patchbay.connect.withCredentials({ tenantId, connector: "servicetitan", credentials: fake.credentials });
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export function createServiceTitanFake(options: ServiceTitanFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const appKeys = [...(options.appKeys ?? [SERVICETITAN_SANDBOX_APP.appKey])];
  const specs = options.tenants ?? [SERVICETITAN_SANDBOX_TENANT];
  if (specs.length === 0) throw new TypeError('"tenants" must name at least one tenant');
  const tenants = new Map<string, FakeTenant>();
  const clientTenants = new Map<string, FakeTenant>();
  for (const spec of specs) {
    const tenant = new FakeTenant(spec, now, appKeys);
    tenants.set(tenant.tenantId, tenant);
    clientTenants.set(tenant.clientId, tenant);
  }
  const oauth = Object.fromEntries(
    SERVICETITAN_ENVIRONMENTS.map((environment) => {
      const auth = SERVICETITAN_HOSTS[environment].auth;
      const clients = specs
        .filter((s) => s.environment === environment)
        .map((s) => ({
          clientId: s.clientId,
          clientSecret: s.clientSecret,
          redirectUris: [],
          // ServiceTitan reads client_id and client_secret from the form body.
          authMethod: "client_secret_post" as const,
        }));
      const server = createFakeOAuthServer({
        issuer: auth,
        endpoints: {
          token: servicetitanTokenUrl(environment),
          // Unused by the client credentials grant; IdentityServer's usual paths.
          authorization: `${auth}/connect/authorize`,
          revocation: `${auth}/connect/revocation`,
          userinfo: `${auth}/connect/userinfo`,
        },
        clients:
          clients.length > 0
            ? clients
            : [{ clientId: `cid.none-${environment}`, clientSecret: "unused", redirectUris: [] }],
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
        issueRefreshTokens: false,
        now,
      });
      return [environment, server];
    }),
  ) as Record<ServiceTitanEnvironment, FakeOAuthServer>;

  const ctx: FakeApiContext = {
    tenants,
    appKeys: new Set(appKeys),
    oauth,
    clientTenants,
    log: [],
    forced: { rateLimited: 0 },
    rateLimit:
      options.rateLimit === false
        ? false
        : { requestsPerSecond: options.rateLimit?.requestsPerSecond ?? 60 },
    retryAfterSeconds:
      options.rateLimit === false ? 1 : (options.rateLimit?.retryAfterSeconds ?? 1),
    buckets: new Map(),
    exportPageSize: options.exportPageSize ?? 50,
    recentChangesDelayMs: options.recentChangesDelayMs ?? 15 * 60_000,
    now,
  };

  const first = specs[0]!;
  function tenantAt(at: FakeTenantRef = {}): FakeTenant {
    const id = at.tenantId ?? first.tenantId;
    const tenant = tenants.get(id);
    if (tenant === undefined) throw new Error(`fake ServiceTitan: no tenant ${id}`);
    return tenant;
  }
  function rowOf(tenant: FakeTenant, kind: FakeKind, id: number): FakeRow {
    const row = tenant.get(kind, id);
    if (row === undefined) throw new Error(`fake ServiceTitan: no ${kind} row ${id}`);
    return row;
  }
  function activeRows(kind: FakeKind, at?: FakeTenantRef): Record<string, unknown>[] {
    const tenant = tenantAt(at);
    return [...tenant.tables[kind].values()].filter((r) => r.active).map((r) => tenant.render(r));
  }
  /** The first active row of a kind, creating the booking basics when the tenant has none. */
  function basics(at?: FakeTenantRef): {
    businessUnitId: number;
    jobTypeId: number;
    campaignId: number;
  } {
    const tenant = tenantAt(at);
    const firstActive = (kind: FakeKind) =>
      [...tenant.tables[kind].values()].find((r) => r.active)?.id;
    return {
      businessUnitId:
        firstActive("businessUnits") ?? api.addBusinessUnit({ name: "HVAC Service" }, at),
      jobTypeId: firstActive("jobTypes") ?? api.addJobType({ name: "Service Call" }, at),
      campaignId: firstActive("campaigns") ?? api.addCampaign({ name: "Google Ads" }, at),
    };
  }

  const api = {
    /** The tenants' data, for assertions the helpers do not cover. */
    tenants: tenants as ReadonlyMap<string, FakeTenant>,
    /** The auth server of each environment. */
    oauthServers: oauth,
    /** MSW handlers: both environments' auth servers and APIs. */
    handlers: [
      ...oauth.production.handlers,
      ...oauth.integration.handlers,
      ...createServiceTitanApiHandlers(ctx),
    ] as RequestHandler[],
    /** What the user types in the connect form for the first tenant (the sandbox). */
    credentials: {
      clientId: first.clientId,
      clientSecret: first.clientSecret,
      tenantId: first.tenantId,
      environment: first.environment,
    },
    /** Every API request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],

    /** The next `count` API requests answer 429 Too Many Requests with `Retry-After`. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0) {
        throw new TypeError('"count" must be a non-negative integer');
      }
      ctx.forced.rateLimited += count;
    },

    // ── Reference data (Settings in ServiceTitan) ──

    /** An admin adds a business unit. Returns its id. */
    addBusinessUnit(spec: { name: string }, at?: FakeTenantRef): number {
      return tenantAt(at).insert("businessUnits", { name: spec.name, officialName: spec.name }).id;
    },
    /** An admin adds a campaign. Returns its id. */
    addCampaign(spec: { name: string; category?: string }, at?: FakeTenantRef): number {
      return tenantAt(at).insert("campaigns", {
        name: spec.name,
        category: { id: 1, name: spec.category ?? "Marketing" },
      }).id;
    },
    /** An admin adds a job type. Returns its id. */
    addJobType(
      spec: { name: string; businessUnitIds?: number[]; priority?: string; duration?: number },
      at?: FakeTenantRef,
    ): number {
      return tenantAt(at).insert("jobTypes", {
        name: spec.name,
        businessUnitIds: spec.businessUnitIds ?? [],
        priority: spec.priority ?? "Normal",
        duration: spec.duration ?? 3600,
        summary: "",
        noCharge: false,
      }).id;
    },
    /** An admin renames or edits a job type. */
    editJobType(id: number, patch: Record<string, unknown>, at?: FakeTenantRef): void {
      tenantAt(at).update("jobTypes", id, patch);
    },
    /** An admin deactivates a job type. */
    deactivateJobType(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("jobTypes", id, {}, false);
    },
    /** A job type disappears outright (no inactive row is left to list). */
    purgeJobType(id: number, at?: FakeTenantRef): void {
      rowOf(tenantAt(at), "jobTypes", id);
      tenantAt(at).remove("jobTypes", id);
    },
    /** Active job types as the list endpoint returns them. */
    jobTypes(at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("jobTypes", at);
    },

    /** An admin adds a technician. Returns its id. */
    addTechnician(
      spec: {
        name: string;
        businessUnitId?: number;
        team?: string;
        email?: string;
        phoneNumber?: string;
      },
      at?: FakeTenantRef,
    ): number {
      const tenant = tenantAt(at);
      const login = spec.name.toLowerCase().replace(/[^a-z]+/g, ".");
      return tenant.insert("technicians", {
        userId: 9000 + tenant.tables.technicians.size + 1,
        name: spec.name,
        businessUnitId: spec.businessUnitId ?? null,
        email: spec.email ?? `${login}@summitcomfort.example`,
        phoneNumber: spec.phoneNumber ?? null,
        loginName: login,
        team: spec.team ?? null,
        dailyGoal: 0,
        isManagedTech: false,
        burdenRate: 0,
        commissionRate: 0,
        hourlyRate: 0,
        soldByRate: 0,
        status: "Idle",
      }).id;
    },
    /** An admin edits a technician. */
    editTechnician(id: number, patch: Record<string, unknown>, at?: FakeTenantRef): void {
      tenantAt(at).update("technicians", id, patch);
    },
    /** An admin deactivates a technician (they left the company). */
    deactivateTechnician(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("technicians", id, {}, false);
    },
    /** Active technicians as the export returns them. */
    technicians(at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("technicians", at);
    },

    // ── Customers (CRM) ──

    /** A CSR adds a customer with one service location at its address. Returns the customer and location ids. */
    createCustomer(
      spec: { name: string; type?: "Residential" | "Commercial"; address?: FakeAddress },
      at?: FakeTenantRef,
    ): { customerId: number; locationId: number } {
      const tenant = tenantAt(at);
      const address = {
        country: "USA",
        ...(spec.address ?? addressFor(tenant.tables.customers.size)),
      };
      const customer = tenant.insert(
        "customers",
        customerFields({ name: spec.name, type: spec.type ?? "Residential", address }),
      );
      const location = tenant.insert(
        "locations",
        locationFields(customer.id, { name: spec.name, address }),
      );
      return { customerId: customer.id, locationId: location.id };
    },
    /** Add `count` plausible homeowners. Returns their ids. */
    seedCustomers(count: number, at?: FakeTenantRef): number[] {
      if (!Number.isInteger(count) || count < 0) {
        throw new TypeError('"count" must be a non-negative integer');
      }
      const tenant = tenantAt(at);
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const n = tenant.tables.customers.size;
        const name = `${FIRST[n % FIRST.length]} ${LAST[(n * 5 + 3) % LAST.length]}`;
        ids.push(api.createCustomer({ name, address: addressFor(n) }, at).customerId);
      }
      return ids;
    },
    /** A CSR edits a customer (name, type, address, flags). */
    editCustomer(id: number, patch: Record<string, unknown>, at?: FakeTenantRef): void {
      tenantAt(at).update("customers", id, patch);
    },
    /** A CSR deactivates a customer (ServiceTitan has no hard delete). */
    deactivateCustomer(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("customers", id, {}, false);
    },
    /** A CSR merges a duplicate customer into another; the duplicate becomes inactive. */
    mergeCustomers(duplicateId: number, intoId: number, at?: FakeTenantRef): void {
      const tenant = tenantAt(at);
      rowOf(tenant, "customers", intoId);
      tenant.update("customers", duplicateId, { mergedToId: intoId }, false);
    },
    /** Active customers as the export returns them. */
    customers(at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("customers", at);
    },
    /** Active locations of a customer. */
    locations(customerId: number, at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("locations", at).filter((l) => l.customerId === customerId);
    },

    // ── Jobs (JPM) ──

    /**
     * A dispatcher books a job for a customer at their first location (status
     * `Scheduled`), using the tenant's first business unit, job type and
     * campaign unless given. Returns the job id.
     */
    createJob(
      spec: {
        customerId: number;
        locationId?: number;
        businessUnitId?: number;
        jobTypeId?: number;
        campaignId?: number;
        priority?: "Low" | "Normal" | "High" | "Urgent";
        summary?: string;
        start?: string;
      },
      at?: FakeTenantRef,
    ): number {
      const tenant = tenantAt(at);
      const customer = rowOf(tenant, "customers", spec.customerId);
      const locationId =
        spec.locationId ??
        [...tenant.tables.locations.values()].find((l) => l.fields.customerId === customer.id)?.id;
      if (locationId === undefined)
        throw new Error(`fake ServiceTitan: customer ${customer.id} has no location`);
      const defaults = basics(at);
      const start = spec.start ?? new Date(now() + 86_400_000).toISOString();
      const row = tenant.insert(
        "jobs",
        jobFields(tenant, {
          customerId: customer.id,
          locationId,
          businessUnitId: spec.businessUnitId ?? defaults.businessUnitId,
          jobTypeId: spec.jobTypeId ?? defaults.jobTypeId,
          campaignId: spec.campaignId ?? defaults.campaignId,
          priority: spec.priority ?? "Normal",
          summary: spec.summary ?? "",
          appointments: [{ start, end: new Date(Date.parse(start) + 7_200_000).toISOString() }],
        }),
      );
      row.fields.jobNumber = String(row.id);
      return row.id;
    },
    /** A technician or dispatcher moves a job along (Dispatched, InProgress, Hold, Completed, Canceled). */
    setJobStatus(id: number, status: (typeof JOB_STATUSES)[number], at?: FakeTenantRef): void {
      if (!(JOB_STATUSES as readonly string[]).includes(status)) {
        throw new TypeError(`"status" must be one of ${JOB_STATUSES.join(", ")}`);
      }
      const tenant = tenantAt(at);
      tenant.update("jobs", id, {
        jobStatus: status,
        completedOn: status === "Completed" ? tenant.timestamp() : null,
      });
    },
    /** An admin deletes a job booked by mistake: it stays in the export as inactive. */
    deleteJob(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("jobs", id, {}, false);
    },
    /** Active jobs as the export returns them. */
    jobs(at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("jobs", at);
    },

    // ── Invoices (Accounting) ──

    /** The office invoices a job. Returns the invoice id. */
    createInvoice(
      jobId: number,
      spec: { subTotal: number; salesTax?: number; paid?: boolean },
      at?: FakeTenantRef,
    ): number {
      const tenant = tenantAt(at);
      const job = rowOf(tenant, "jobs", jobId);
      const customer = rowOf(tenant, "customers", job.fields.customerId as number);
      const location = tenant.get("locations", job.fields.locationId as number);
      const unit = tenant.get("businessUnits", job.fields.businessUnitId as number);
      const jobType = tenant.get("jobTypes", job.fields.jobTypeId as number);
      const tax = spec.salesTax ?? Math.round(spec.subTotal * 0.0881 * 100) / 100;
      const total = spec.subTotal + tax;
      const money = (n: number) => n.toFixed(2);
      const day = tenant.timestamp();
      const row = tenant.insert("invoices", {
        syncStatus: "Pending",
        summary: (job.fields.summary as string) || (jobType?.fields.name as string) || "",
        referenceNumber: "",
        invoiceDate: day,
        dueDate: new Date(Date.parse(day) + 30 * 86_400_000).toISOString(),
        subTotal: money(spec.subTotal),
        salesTax: money(tax),
        total: money(total),
        balance: money(spec.paid === true ? 0 : total),
        customer: { id: customer.id, name: customer.fields.name },
        customerAddress: customer.fields.address,
        locationAddress: location?.fields.address ?? null,
        businessUnit: unit === undefined ? null : { id: unit.id, name: unit.fields.name },
        termName: "Due Upon Receipt",
        createdBy: "Summit Office",
        adjustmentToId: null,
        job: { id: job.id, number: job.fields.jobNumber, type: jobType?.fields.name ?? null },
        projectId: null,
        items: [],
      });
      row.fields.referenceNumber = String(row.id);
      return row.id;
    },
    /** A payment is applied to an invoice: its balance drops to zero. */
    payInvoice(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("invoices", id, { balance: "0.00" });
    },
    /** An invoice is voided: it stays in the export as inactive. */
    voidInvoice(id: number, at?: FakeTenantRef): void {
      tenantAt(at).update("invoices", id, {}, false);
    },
    /** Active invoices as the export returns them. */
    invoices(at?: FakeTenantRef): Record<string, unknown>[] {
      return activeRows("invoices", at);
    },

    /**
     * Fill a tenant with a plausible HVAC and plumbing company: three
     * business units, eight job types, four campaigns, six technicians,
     * twelve homeowners and businesses, sixteen jobs in every status and
     * invoices for the completed ones.
     */
    seedSandbox(at?: FakeTenantRef): {
      businessUnits: number[];
      jobTypes: number[];
      campaigns: number[];
      technicians: number[];
      customers: number[];
      jobs: number[];
      invoices: number[];
    } {
      const hvac = api.addBusinessUnit({ name: "HVAC Service" }, at);
      const install = api.addBusinessUnit({ name: "HVAC Install" }, at);
      const plumbing = api.addBusinessUnit({ name: "Plumbing Service" }, at);
      const businessUnits = [hvac, install, plumbing];
      const jobTypeSpecs: Array<[string, number, string]> = [
        ["AC Tune-Up", hvac, "Normal"],
        ["No Cool Diagnostic", hvac, "High"],
        ["Furnace Repair", hvac, "High"],
        ["Heat Pump Install", install, "Normal"],
        ["Water Heater Replacement", plumbing, "High"],
        ["Drain Cleaning", plumbing, "Normal"],
        ["Leak Repair", plumbing, "Urgent"],
        ["Sump Pump Install", plumbing, "Low"],
      ];
      const jobTypes = jobTypeSpecs.map(([name, unit, priority]) =>
        api.addJobType({ name, businessUnitIds: [unit], priority }, at),
      );
      const campaigns = ["Google Ads", "Yelp", "Customer Referral", "Door Hangers"].map((name) =>
        api.addCampaign({ name }, at),
      );
      const technicians = [
        ["Maria Lopez", hvac, "Red Team"],
        ["Dwayne Carter", hvac, "Red Team"],
        ["Priya Natarajan", install, "Install Crew"],
        ["Tom Becker", install, "Install Crew"],
        ["Sam O'Neill", plumbing, "Blue Team"],
        ["Keisha Brown", plumbing, "Blue Team"],
      ].map(([name, unit, team]) =>
        api.addTechnician(
          { name: name as string, businessUnitId: unit as number, team: team as string },
          at,
        ),
      );
      const customers = api.seedCustomers(10, at);
      customers.push(
        api.createCustomer({ name: "Larimer Street Bistro", type: "Commercial" }, at).customerId,
        api.createCustomer({ name: "Aspen Ridge Dental", type: "Commercial" }, at).customerId,
      );
      const statuses: Array<(typeof JOB_STATUSES)[number]> = [
        "Completed",
        "Completed",
        "Completed",
        "Completed",
        "Completed",
        "Scheduled",
        "Scheduled",
        "Scheduled",
        "Dispatched",
        "InProgress",
        "InProgress",
        "Hold",
        "Canceled",
        "Completed",
        "Scheduled",
        "Dispatched",
      ];
      const jobs: number[] = [];
      const invoices: number[] = [];
      statuses.forEach((status, i) => {
        const typeIndex = (i * 3) % jobTypes.length;
        const [, unit, priority] = jobTypeSpecs[typeIndex]!;
        const id = api.createJob(
          {
            customerId: customers[i % customers.length]!,
            businessUnitId: unit,
            jobTypeId: jobTypes[typeIndex]!,
            campaignId: campaigns[i % campaigns.length]!,
            priority: priority as "Low" | "Normal" | "High" | "Urgent",
            summary: `${jobTypeSpecs[typeIndex]![0]} requested by phone`,
          },
          at,
        );
        jobs.push(id);
        if (status !== "Scheduled") api.setJobStatus(id, status, at);
        if (status === "Completed") {
          invoices.push(
            api.createInvoice(id, { subTotal: 129 + ((i * 211) % 2400), paid: i % 2 === 0 }, at),
          );
        }
      });
      return { businessUnits, jobTypes, campaigns, technicians, customers, jobs, invoices };
    },
  };
  return api;
}
