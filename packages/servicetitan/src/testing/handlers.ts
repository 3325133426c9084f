/**
 * MSW handlers for the fake ServiceTitan API, on both environments' real
 * hosts. Every call is checked the way ServiceTitan checks it: the
 * `ST-App-Key` header, the bearer token (issued by the same environment's
 * auth server), the tenant in the path (it must be the token's), the app
 * being installed in the tenant, then the per-app, per-tenant rate limit.
 */
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import {
  SERVICETITAN_ENVIRONMENTS,
  SERVICETITAN_HOSTS,
  type ServiceTitanEnvironment,
} from "../endpoints.js";
import { CUSTOMER_TYPES, JOB_PRIORITIES } from "../schemas.js";
import {
  serviceTitanProblem,
  serviceTitanTooManyRequests,
  serviceTitanValidationProblem,
} from "./problems.js";
import type { FakeKind, FakeRow, FakeTenant } from "./state.js";

/**
 * One API request the fake answered.
 *
 * @example
 * ```ts
 * fake.requests.filter((r) => r.path.endsWith("/export/customers")).map((r) => r.query.from);
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export interface FakeRequestLogEntry {
  environment: ServiceTitanEnvironment;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

/**
 * Rate limiting of the fake: requests per second per app key and tenant, and
 * the `Retry-After` (seconds) its 429s carry.
 *
 * @example
 * ```ts
 * createServiceTitanFake({ rateLimit: { requestsPerSecond: 60, retryAfterSeconds: 0 } });
 * ```
 * @see https://help.servicetitan.com/problem-solution/what-are-the-default-api-rate-limits-in-servicetitan-for-regular-apis-and
 */
export interface FakeRateLimitOptions {
  requestsPerSecond?: number;
  retryAfterSeconds?: number;
}

/**
 * What the handlers share with the fake: its tenants, app keys, auth servers,
 * request log and rate-limit state. Built by `createServiceTitanFake`.
 *
 * @example
 * ```ts
 * const handlers = createServiceTitanApiHandlers(ctx); // ctx: FakeApiContext
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export interface FakeApiContext {
  tenants: Map<string, FakeTenant>;
  appKeys: Set<string>;
  oauth: Record<ServiceTitanEnvironment, FakeOAuthServer>;
  clientTenants: Map<string, FakeTenant>;
  log: FakeRequestLogEntry[];
  forced: { rateLimited: number };
  rateLimit: { requestsPerSecond: number } | false;
  retryAfterSeconds: number;
  buckets: Map<string, { tokens: number; at: number }>;
  exportPageSize: number;
  recentChangesDelayMs: number;
  now: () => number;
}

type Params = Record<string, string | readonly string[] | undefined>;
type Handler = (
  tenant: FakeTenant,
  request: Request,
  url: URL,
  params: Params,
) => Promise<Response> | Response;

const MAX_PAGE_SIZE = 5000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_IDS = 50;
const SORTS = new Set(["+Id", "-Id", "+ModifiedOn", "-ModifiedOn", "+CreatedOn", "-CreatedOn"]);

function param(params: Params, name: string): string {
  const value = params[name];
  return typeof value === "string" ? value : "";
}

function unauthorized(message: string, field = ""): Response {
  return serviceTitanProblem(
    401,
    "Unauthorized",
    { [field]: [message] },
    {
      "WWW-Authenticate": 'Bearer error="invalid_token"',
    },
  );
}

function guarded(ctx: FakeApiContext, environment: ServiceTitanEnvironment, handle: Handler) {
  return async ({ request, params }: { request: Request; params: Params }): Promise<Response> => {
    const url = new URL(request.url);
    const entry: FakeRequestLogEntry = {
      environment,
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    ctx.log.push(entry);
    const response = await answer(ctx, environment, handle, request, url, params);
    entry.status = response.status;
    return response;
  };
}

async function answer(
  ctx: FakeApiContext,
  environment: ServiceTitanEnvironment,
  handle: Handler,
  request: Request,
  url: URL,
  params: Params,
): Promise<Response> {
  const appKey = request.headers.get("st-app-key");
  if (appKey === null || appKey === "") {
    return unauthorized("The ST-App-Key header is required.", "ST-App-Key");
  }
  if (!ctx.appKeys.has(appKey)) return unauthorized("The app key is not valid.", "ST-App-Key");
  const bearer = ctx.oauth[environment].verifyBearer(request);
  if (!bearer.valid) {
    return unauthorized(
      bearer.reason === "missing"
        ? "An access token is required."
        : `The access token is ${bearer.reason === "unknown" ? "not valid" : bearer.reason}.`,
    );
  }
  const tenantId = param(params, "tenant");
  const tenant = ctx.tenants.get(tenantId);
  const tokenTenant = ctx.clientTenants.get(bearer.clientId);
  if (tenant === undefined || tenant.environment !== environment || tokenTenant !== tenant) {
    return serviceTitanProblem(403, "Forbidden", {
      tenant: [`The access token does not grant access to tenant ${tenantId}.`],
    });
  }
  if (!tenant.appKeys.has(appKey)) {
    return serviceTitanProblem(403, "Forbidden", {
      "ST-App-Key": [`The application is not connected to tenant ${tenantId}.`],
    });
  }
  if (ctx.forced.rateLimited > 0) {
    ctx.forced.rateLimited -= 1;
    return serviceTitanTooManyRequests(ctx.retryAfterSeconds);
  }
  if (ctx.rateLimit !== false) {
    // A leaky bucket per app key and tenant: 60 requests of burst, refilled at 60 per second.
    const rate = ctx.rateLimit.requestsPerSecond;
    const key = `${appKey}|${tenant.tenantId}`;
    const now = ctx.now();
    const bucket = ctx.buckets.get(key) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    ctx.buckets.set(key, bucket);
    if (bucket.tokens < 1) return serviceTitanTooManyRequests(ctx.retryAfterSeconds);
    bucket.tokens -= 1;
  }
  return handle(tenant, request, url, params);
}

// ── Export feeds ─────────────────────────────────────────────────────────

function encodeToken(kind: FakeKind, tenant: FakeTenant, version: number): string {
  return Buffer.from(`st-export|${kind}|${tenant.tenantId}|${version}`, "utf8").toString(
    "base64url",
  );
}

function decodeToken(value: string, kind: FakeKind, tenant: FakeTenant): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const parts = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (parts.length !== 4 || parts[0] !== "st-export") return undefined;
  if (parts[1] !== kind || parts[2] !== tenant.tenantId) return undefined;
  const version = Number(parts[3]);
  return Number.isSafeInteger(version) && version >= 0 ? version : undefined;
}

function exportFeed(ctx: FakeApiContext, kind: FakeKind): Handler {
  return (tenant, _request, url) => {
    const from = url.searchParams.get("from");
    const includeRecent = url.searchParams.get("includeRecentChanges")?.toLowerCase() === "true";
    let after = 0;
    let since: number | undefined;
    if (from !== null && from !== "") {
      const version = decodeToken(from, kind, tenant);
      if (version !== undefined) after = version;
      else if (/^\d{4}-\d{2}-\d{2}/.test(from) && !Number.isNaN(Date.parse(from))) {
        since = Date.parse(from);
      } else {
        return serviceTitanValidationProblem({
          from: [`The value '${from}' is not a valid continuation token or date.`],
        });
      }
    }
    const rows = tenant
      .byVersion(kind)
      .filter(
        (r) => r.version > after && (since === undefined || Date.parse(r.modifiedOn) >= since),
      );
    // Without includeRecentChanges the feed holds back the last minutes of changes.
    const cutoff = ctx.now() - ctx.recentChangesDelayMs;
    const eligible: FakeRow[] = [];
    for (const row of rows) {
      if (!includeRecent && Date.parse(row.modifiedOn) > cutoff) break;
      eligible.push(row);
    }
    const page = eligible.slice(0, ctx.exportPageSize);
    let last = page.at(-1)?.version;
    if (last === undefined) {
      last =
        since === undefined
          ? after
          : Math.max(
              0,
              ...tenant
                .byVersion(kind)
                .filter((r) => Date.parse(r.modifiedOn) < since)
                .map((r) => r.version),
            );
    }
    return HttpResponse.json({
      hasMore: eligible.length > page.length,
      continueFrom: encodeToken(kind, tenant, last),
      data: page.map((r) => tenant.render(r)),
    });
  };
}

// ── Lists ────────────────────────────────────────────────────────────────

function listEndpoint(kind: FakeKind, filters: string[] = []): Handler {
  return (tenant, _request, url) => {
    const q = url.searchParams;
    const errors: Record<string, string[]> = {};
    const int = (name: string, fallback: number): number => {
      const raw = q.get(name);
      if (raw === null || raw === "") return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n)) errors[name] = [`The value '${raw}' is not valid for ${name}.`];
      return n;
    };
    const page = int("page", 1);
    const pageSize = int("pageSize", DEFAULT_PAGE_SIZE);
    if (errors.page === undefined && page < 1) errors.page = ["Page must be 1 or greater."];
    if (errors.pageSize === undefined && (pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
      errors.pageSize = [`PageSize must be between 1 and ${MAX_PAGE_SIZE}.`];
    }
    let ids: Set<number> | undefined;
    const rawIds = q.get("ids");
    if (rawIds !== null && rawIds !== "") {
      const list = rawIds.split(",").map((s) => Number(s.trim()));
      if (list.some((n) => !Number.isInteger(n)))
        errors.ids = ["Ids must be comma-separated integers."];
      else if (list.length > MAX_IDS) errors.ids = [`No more than ${MAX_IDS} ids may be given.`];
      else ids = new Set(list);
    }
    const active = (q.get("active") ?? "True").toLowerCase();
    if (!["true", "false", "any"].includes(active)) {
      errors.active = [
        `The value '${q.get("active")}' is not valid for Active (True, Any, False).`,
      ];
    }
    const modifiedRaw = q.get("modifiedOnOrAfter");
    const modifiedOnOrAfter =
      modifiedRaw === null || modifiedRaw === "" ? undefined : Date.parse(modifiedRaw);
    if (modifiedOnOrAfter !== undefined && Number.isNaN(modifiedOnOrAfter)) {
      errors.modifiedOnOrAfter = [`The value '${modifiedRaw}' is not a valid date-time.`];
    }
    const sort = q.get("sort") ?? "+Id";
    if (!SORTS.has(sort)) errors.sort = [`Sorting by '${sort}' is not supported.`];
    if (Object.keys(errors).length > 0) return serviceTitanValidationProblem(errors);

    let rows = [...tenant.tables[kind].values()].filter(
      (r) =>
        (active === "any" || r.active === (active === "true")) &&
        (ids === undefined || ids.has(r.id)) &&
        (modifiedOnOrAfter === undefined || Date.parse(r.modifiedOn) >= modifiedOnOrAfter) &&
        filters.every((f) => {
          const wanted = q.get(f);
          return wanted === null || wanted === "" || String(r.fields[f]) === wanted;
        }),
    );
    const field = sort.slice(1);
    const direction = sort.startsWith("-") ? -1 : 1;
    const value = (r: FakeRow): number =>
      field === "Id" ? r.id : Date.parse(field === "ModifiedOn" ? r.modifiedOn : r.createdOn);
    rows = rows.sort((a, b) => direction * (value(a) - value(b) || a.id - b.id));
    const start = (page - 1) * pageSize;
    const slice = rows.slice(start, start + pageSize);
    return HttpResponse.json({
      page,
      pageSize,
      hasMore: rows.length > start + pageSize,
      totalCount: q.get("includeTotal")?.toLowerCase() === "true" ? rows.length : null,
      data: slice.map((r) => tenant.render(r)),
    });
  };
}

function one(kind: FakeKind, label: string): Handler {
  return (tenant, _request, _url, params) => {
    const row = tenant.get(kind, Number(param(params, "id")));
    if (row === undefined) {
      return serviceTitanProblem(404, "Not Found", {
        id: [`${label} with id ${param(params, "id")} does not exist.`],
      });
    }
    return HttpResponse.json(tenant.render(row));
  };
}

// ── Writes ───────────────────────────────────────────────────────────────

async function jsonBody(request: Request): Promise<Record<string, unknown> | Response> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("json")) {
    return serviceTitanProblem(415, "Unsupported Media Type");
  }
  try {
    const body: unknown = await request.json();
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return serviceTitanValidationProblem({ "": ["A JSON object body is required."] });
    }
    return body as Record<string, unknown>;
  } catch {
    return serviceTitanValidationProblem({ "": ["The request body is not valid JSON."] });
  }
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

const ADDRESS_FIELDS = ["street", "city", "state", "zip", "country"] as const;

function checkAddress(value: unknown, at: string, errors: Record<string, string[]>): void {
  if (value === null || typeof value !== "object") {
    errors[at] = [`The ${at} field is required.`];
    return;
  }
  for (const field of ADDRESS_FIELDS) {
    if (!nonEmpty((value as Record<string, unknown>)[field])) {
      errors[`${at}.${field}`] = [`The ${field} field is required.`];
    }
  }
}

function addressOf(value: unknown): Record<string, unknown> {
  const a = value as Record<string, unknown>;
  return {
    street: a.street,
    unit: a.unit ?? null,
    city: a.city,
    state: a.state,
    zip: a.zip,
    country: a.country,
    latitude: typeof a.latitude === "number" ? a.latitude : null,
    longitude: typeof a.longitude === "number" ? a.longitude : null,
  };
}

/**
 * The fields of a new customer row, as the fake stores them.
 *
 * @example
 * ```ts
 * tenant.insert("customers", customerFields({ name: "Ada", type: "Residential", address }));
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export function customerFields(body: Record<string, unknown>): Record<string, unknown> {
  return {
    name: String(body.name).trim(),
    type: body.type ?? "Residential",
    address: addressOf(body.address),
    customFields: [],
    balance: 0,
    tagTypeIds: [],
    doNotMail: body.doNotMail === true,
    doNotService: body.doNotService === true,
    createdById: 1,
    mergedToId: null,
  };
}

/**
 * The fields of a new location row.
 *
 * @example
 * ```ts
 * tenant.insert("locations", locationFields(customerId, { name: "Home", address }));
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Locations_Create
 */
export function locationFields(
  customerId: number,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return {
    customerId,
    name: String(body.name).trim(),
    address: addressOf(body.address),
    customFields: [],
    zoneId: null,
    tagTypeIds: [],
    mergedToId: null,
  };
}

function createCustomer(): Handler {
  return async (tenant, request) => {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const errors: Record<string, string[]> = {};
    if (!nonEmpty(body.name)) errors.name = ["The Name field is required."];
    if (body.type !== undefined && !(CUSTOMER_TYPES as readonly unknown[]).includes(body.type)) {
      errors.type = [`The value '${String(body.type)}' is not valid for Type.`];
    }
    checkAddress(body.address, "address", errors);
    const locations = body.locations;
    if (!Array.isArray(locations) || locations.length === 0) {
      errors.locations = ["At least one location is required."];
    } else {
      locations.forEach((loc: unknown, i) => {
        const l = (loc ?? {}) as Record<string, unknown>;
        if (!nonEmpty(l.name)) errors[`locations[${i}].name`] = ["The Name field is required."];
        checkAddress(l.address, `locations[${i}].address`, errors);
      });
    }
    if (Object.keys(errors).length > 0) return serviceTitanValidationProblem(errors);
    const customer = tenant.insert("customers", customerFields(body));
    const created = (locations as Record<string, unknown>[]).map((l) =>
      tenant.insert("locations", locationFields(customer.id, l)),
    );
    return HttpResponse.json({
      ...tenant.render(customer),
      locations: created.map((l) => tenant.render(l)),
      contacts: [],
    });
  };
}

function updateCustomer(): Handler {
  return async (tenant, request, _url, params) => {
    const id = Number(param(params, "id"));
    const row = tenant.get("customers", id);
    if (row === undefined) {
      return serviceTitanProblem(404, "Not Found", {
        id: [`Customer with id ${id} does not exist.`],
      });
    }
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const errors: Record<string, string[]> = {};
    if (body.name !== undefined && !nonEmpty(body.name))
      errors.name = ["The Name field is required."];
    if (body.type !== undefined && !(CUSTOMER_TYPES as readonly unknown[]).includes(body.type)) {
      errors.type = [`The value '${String(body.type)}' is not valid for Type.`];
    }
    if (Object.keys(errors).length > 0) return serviceTitanValidationProblem(errors);
    const patch: Record<string, unknown> = {};
    if (body.name !== undefined) patch.name = String(body.name).trim();
    if (body.type !== undefined) patch.type = body.type;
    if (body.doNotMail !== undefined) patch.doNotMail = body.doNotMail === true;
    if (body.doNotService !== undefined) patch.doNotService = body.doNotService === true;
    if (body.address !== null && typeof body.address === "object") {
      patch.address = { ...(row.fields.address as object), ...(body.address as object) };
    }
    return HttpResponse.json(tenant.render(tenant.update("customers", id, patch)));
  };
}

function activeRow(tenant: FakeTenant, kind: FakeKind, value: unknown): FakeRow | undefined {
  const row = typeof value === "number" ? tenant.get(kind, value) : undefined;
  return row?.active ? row : undefined;
}

/**
 * The fields of a new job row (status `Scheduled`).
 *
 * @example
 * ```ts
 * tenant.insert("jobs", jobFields(tenant, { customerId, locationId, businessUnitId, jobTypeId, priority: "Normal", campaignId, appointments }));
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export function jobFields(
  tenant: FakeTenant,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const appointments = Array.isArray(body.appointments) ? body.appointments : [];
  const appointmentIds = appointments.map(() => tenant.nextAppointmentId());
  return {
    jobNumber: "",
    projectId: null,
    customerId: body.customerId,
    locationId: body.locationId,
    jobStatus: "Scheduled",
    completedOn: null,
    businessUnitId: body.businessUnitId,
    jobTypeId: body.jobTypeId,
    priority: body.priority,
    campaignId: body.campaignId,
    summary: typeof body.summary === "string" ? body.summary : "",
    customFields: [],
    appointmentCount: appointments.length,
    firstAppointmentId: appointmentIds[0] ?? null,
    lastAppointmentId: appointmentIds.at(-1) ?? null,
    recallForId: null,
    warrantyId: null,
    noCharge: false,
    notificationsEnabled: true,
    createdById: 1,
    tagTypeIds: Array.isArray(body.tagTypeIds) ? body.tagTypeIds : [],
    bookingId: null,
    soldById: null,
    customerPo: typeof body.customerPo === "string" ? body.customerPo : null,
  };
}

function createJob(): Handler {
  return async (tenant, request) => {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const errors: Record<string, string[]> = {};
    const need = (field: string, kind: FakeKind, label: string) => {
      if (body[field] === undefined || body[field] === null) {
        errors[field] = [`The ${field} field is required.`];
      } else if (activeRow(tenant, kind, body[field]) === undefined) {
        errors[field] = [`${label} with id ${String(body[field])} does not exist.`];
      }
    };
    need("customerId", "customers", "Customer");
    need("locationId", "locations", "Location");
    need("businessUnitId", "businessUnits", "Business unit");
    need("jobTypeId", "jobTypes", "Job type");
    need("campaignId", "campaigns", "Campaign");
    if (
      errors.locationId === undefined &&
      errors.customerId === undefined &&
      tenant.get("locations", body.locationId as number)?.fields.customerId !== body.customerId
    ) {
      errors.locationId = [
        `Location ${String(body.locationId)} does not belong to customer ${String(body.customerId)}.`,
      ];
    }
    if (!(JOB_PRIORITIES as readonly unknown[]).includes(body.priority)) {
      errors.priority = [
        body.priority === undefined
          ? "The Priority field is required."
          : `The value '${String(body.priority)}' is not valid for Priority.`,
      ];
    }
    const appointments = body.appointments;
    if (!Array.isArray(appointments) || appointments.length === 0) {
      errors.appointments = ["At least one appointment is required."];
    } else {
      appointments.forEach((a: unknown, i) => {
        const appt = (a ?? {}) as Record<string, unknown>;
        const start = typeof appt.start === "string" ? Date.parse(appt.start) : Number.NaN;
        const end = typeof appt.end === "string" ? Date.parse(appt.end) : Number.NaN;
        if (Number.isNaN(start))
          errors[`appointments[${i}].start`] = ["The Start field is required."];
        if (Number.isNaN(end)) errors[`appointments[${i}].end`] = ["The End field is required."];
        else if (!Number.isNaN(start) && end <= start) {
          errors[`appointments[${i}].end`] = ["End must be after Start."];
        }
        for (const techId of Array.isArray(appt.technicianIds) ? appt.technicianIds : []) {
          if (activeRow(tenant, "technicians", techId) === undefined) {
            errors[`appointments[${i}].technicianIds`] = [
              `Technician ${String(techId)} does not exist.`,
            ];
          }
        }
      });
    }
    if (Object.keys(errors).length > 0) return serviceTitanValidationProblem(errors);
    const row = tenant.insert("jobs", jobFields(tenant, body));
    row.fields.jobNumber = String(row.id);
    return HttpResponse.json(tenant.render(row));
  };
}

// ── Assembly ─────────────────────────────────────────────────────────────

/**
 * The API handlers for both environments, plus a catch-all 404 per host.
 *
 * @example
 * ```ts
 * const server = setupServer(...createServiceTitanApiHandlers(ctx));
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export function createServiceTitanApiHandlers(ctx: FakeApiContext): HttpHandler[] {
  const handlers: HttpHandler[] = [];
  for (const environment of SERVICETITAN_ENVIRONMENTS) {
    const base = SERVICETITAN_HOSTS[environment].api;
    const t = (module: string, rest: string) => `${base}/${module}/v2/tenant/:tenant/${rest}`;
    const g = (handle: Handler) => guarded(ctx, environment, handle);
    handlers.push(
      http.get(t("crm", "export/customers"), g(exportFeed(ctx, "customers"))),
      http.get(t("jpm", "export/jobs"), g(exportFeed(ctx, "jobs"))),
      http.get(t("accounting", "export/invoices"), g(exportFeed(ctx, "invoices"))),
      http.get(t("settings", "export/technicians"), g(exportFeed(ctx, "technicians"))),
      http.get(t("crm", "customers"), g(listEndpoint("customers"))),
      http.post(t("crm", "customers"), g(createCustomer())),
      http.get(t("crm", "customers/:id"), g(one("customers", "Customer"))),
      http.patch(t("crm", "customers/:id"), g(updateCustomer())),
      http.get(t("crm", "locations"), g(listEndpoint("locations", ["customerId"]))),
      http.get(t("jpm", "jobs"), g(listEndpoint("jobs", ["customerId", "jobStatus"]))),
      http.post(t("jpm", "jobs"), g(createJob())),
      http.get(t("jpm", "jobs/:id"), g(one("jobs", "Job"))),
      http.get(t("jpm", "job-types"), g(listEndpoint("jobTypes"))),
      http.get(t("settings", "business-units"), g(listEndpoint("businessUnits"))),
      http.get(t("marketing", "campaigns"), g(listEndpoint("campaigns"))),
      http.all(`${base}/*`, () =>
        serviceTitanProblem(404, "Not Found", {
          "": ["No such endpoint in the fake ServiceTitan API."],
        }),
      ),
    );
  }
  return handlers;
}
