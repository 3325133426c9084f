/**
 * MSW handlers for the fake HighLevel API v2, on HighLevel's own URLs, typed
 * with the generated OpenAPI types so a drift between the spec, the
 * connector and the fake fails the build.
 */
import { HttpResponse, http, type RequestHandler } from "msw";
import {
  APPOINTMENT_PATH,
  APPOINTMENTS_PATH,
  CALENDAR_EVENTS_PATH,
  CALENDARS_PATH,
  CONTACT_PATH,
  CONTACTS_SEARCH_PATH,
  CONTACTS_UPSERT_PATH,
  EVENT_PATH,
  GHL_API_BASE_URL,
  GHL_API_VERSION,
  INSTALLED_LOCATIONS_PATH,
  LOCATION_TOKEN_PATH,
} from "../endpoints.js";
import type { components, paths } from "../generated/gohighlevel.js";
import { GHL_RATE_LIMIT_HEADERS } from "../rate-limit.js";
import type { GhlOAuthFake } from "./oauth.js";
import {
  clean,
  type FakeAppointment,
  type FakeContact,
  type FakeLocation,
  type GhlFakeState,
} from "./state.js";

type Schemas = components["schemas"];
type JsonBody<T> = T extends { content: { "application/json": infer B } } ? B : never;
type SearchBody = JsonBody<paths["/contacts/search"]["post"]["requestBody"]>;
type SearchResponse = JsonBody<paths["/contacts/search"]["post"]["responses"][200]>;
type UpsertBody = JsonBody<paths["/contacts/upsert"]["post"]["requestBody"]>;
type UpsertResponse = JsonBody<paths["/contacts/upsert"]["post"]["responses"][200]>;
type ContactResponse = JsonBody<paths["/contacts/{contactId}"]["get"]["responses"][200]>;
type UpdateBody = JsonBody<paths["/contacts/{contactId}"]["put"]["requestBody"]>;
type UpdateResponse = JsonBody<paths["/contacts/{contactId}"]["put"]["responses"][200]>;
type DeleteContactResponse = JsonBody<paths["/contacts/{contactId}"]["delete"]["responses"][200]>;
type CalendarsResponse = JsonBody<paths["/calendars/"]["get"]["responses"][200]>;
type EventsQuery = paths["/calendars/events"]["get"]["parameters"]["query"];
type EventsResponse = JsonBody<paths["/calendars/events"]["get"]["responses"][200]>;
type CreateAppointmentBody = JsonBody<
  paths["/calendars/events/appointments"]["post"]["requestBody"]
>;
type AppointmentResponse = JsonBody<
  paths["/calendars/events/appointments"]["post"]["responses"][200]
>;
type EditAppointmentBody = JsonBody<
  paths["/calendars/events/appointments/{eventId}"]["put"]["requestBody"]
>;
type GetAppointmentResponse = JsonBody<
  paths["/calendars/events/appointments/{eventId}"]["get"]["responses"][200]
>;
type DeleteEventResponse = JsonBody<
  paths["/calendars/events/{eventId}"]["delete"]["responses"][201]
>;
type LocationTokenBody = Schemas["GetLocationAccessCodeBodyDto"];
// HighLevel's location token answers also carry `userType` and `companyId`, like the token endpoint's.
type LocationTokenResponse = JsonBody<paths["/oauth/locationToken"]["post"]["responses"][200]> & {
  userType: "Location";
  companyId: string;
};
type InstalledLocationsQuery = paths["/oauth/installedLocations"]["get"]["parameters"]["query"];
type InstalledLocationsResponse = JsonBody<
  paths["/oauth/installedLocations"]["get"]["responses"][200]
>;

/**
 * The message HighLevel answers (401) when an agency (Company) token calls a
 * sub-account endpoint, or a sub-account token an agency one. Not in the
 * OpenAPI documents; quoted from developers' reports of HighLevel's answers
 * (e.g. the comments of the HighLevel "Authorization" docs page, 2023).
 *
 * @example
 * ```ts
 * expect(body.message).toBe(GHL_AUTH_CLASS_MESSAGE);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export const GHL_AUTH_CLASS_MESSAGE =
  "This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.";

/**
 * The message HighLevel answers (401) when a token lacks the scope an
 * endpoint needs (widely reported; not in the OpenAPI documents).
 *
 * @example
 * ```ts
 * expect(body.message).toBe(GHL_SCOPE_MESSAGE);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/Scopes
 */
export const GHL_SCOPE_MESSAGE = "The token is not authorized for this scope.";

/**
 * One API request the fake answered.
 *
 * @example
 * ```ts
 * expect(fake.requests.at(-1)).toMatchObject({ method: "POST", path: "/contacts/search", status: 200 });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export interface FakeRequestLogEntry {
  method: string;
  path: string;
  version: string | null;
  status: number;
  body?: unknown;
}

/**
 * The fake's burst and daily limits (HighLevel: 100 per 10 s and 200,000 a day per location).
 *
 * @example
 * ```ts
 * createGhlFake({ rateLimit: { burstMax: 100, burstIntervalMs: 50 } });
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export interface FakeRateLimitOptions {
  burstMax: number;
  /** The burst window, also sent as `X-RateLimit-Interval-Milliseconds`. Tests shorten it. */
  burstIntervalMs: number;
  dailyLimit: number;
}

/**
 * A private integration token the fake accepts: the location it is for.
 *
 * @example
 * ```ts
 * createGhlFake({ privateIntegrations: { "pit-0000-1111": { locationId: "Loc1" } } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/PrivateIntegrationsToken
 */
export interface FakePrivateIntegration {
  locationId: string;
}

/**
 * What the handlers share with the fake's controls.
 *
 * @example
 * ```ts
 * const handlers = createGhlApiHandlers(ctx); // ctx: FakeApiContext, built by createGhlFake
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export interface FakeApiContext {
  state: GhlFakeState;
  oauth: GhlOAuthFake | undefined;
  /** Location tokens minted by `POST /oauth/locationToken`; `expired` once the test expires them. */
  locationTokens: Map<string, { locationId: string; expired: boolean }>;
  privateIntegrations: Map<string, FakePrivateIntegration>;
  rateLimit: FakeRateLimitOptions | false;
  now: () => number;
  log: FakeRequestLogEntry[];
  forced: { rateLimited: number };
  windows: Map<string, { start: number; count: number; day: string; daily: number }>;
}

type Principal =
  | { kind: "location"; locationId: string }
  | {
      kind: "company";
      companyId: string;
      userId: string;
      /** The agency token's scopes and the Marketplace app (client) that issued it. */
      scopes: string[];
      clientId: string;
    };

/** HighLevel client ids are `<appId>-<suffix>`; the app id is what installedLocations filters by. */
function appIdOf(clientId: string): string {
  return clientId.split("-")[0] ?? clientId;
}

/**
 * A HighLevel error body with its status.
 *
 * @example
 * ```ts
 * return ghlError(422, ["email must be an email"]);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function ghlError(status: number, message: string | string[]): Response {
  const error =
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      422: "Unprocessable Entity",
      429: "Too Many Requests",
    }[status] ?? "Error";
  return HttpResponse.json({ statusCode: status, message, error }, { status });
}

const url = (path: string) => `${GHL_API_BASE_URL}${path.replace(/\{(\w+)\}/g, ":$1")}`;

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function millis(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  return Number.isFinite(n) ? n : undefined;
}

async function readJson(request: Request): Promise<Record<string, unknown> | Response> {
  try {
    const body: unknown = JSON.parse(await request.text());
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return ghlError(400, "Request body must be a JSON object");
    }
    return body as Record<string, unknown>;
  } catch {
    return ghlError(400, "Unexpected token in JSON body");
  }
}

/**
 * A contact as the API renders it.
 *
 * @example
 * ```ts
 * renderContact(fake.contacts()[0]!).email;
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export function renderContact(contact: FakeContact): Schemas["GetContectByIdSchema"] {
  return structuredClone(contact);
}

function renderAppointment(a: FakeAppointment): AppointmentResponse {
  return clean({
    id: a.id,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    startTime: a.startTime,
    endTime: a.endTime,
    title: a.title,
    appointmentStatus: a.appointmentStatus as AppointmentResponse["appointmentStatus"],
    assignedUserId: a.assignedUserId,
    address: a.address,
    isRecurring: false,
  });
}

/**
 * The fake's API handlers: contacts search, upsert, read, update and delete;
 * calendars, events and appointments; the location token exchange.
 *
 * @example
 * ```ts
 * const handlers = createGhlApiHandlers(ctx);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function createGhlApiHandlers(ctx: FakeApiContext): RequestHandler[] {
  const { state } = ctx;

  function principalOf(request: Request): Principal | Response {
    const header = request.headers.get("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token === undefined) return ghlError(401, "Invalid JWT");
    const pit = ctx.privateIntegrations.get(token);
    if (pit !== undefined) return { kind: "location", locationId: pit.locationId };
    if (ctx.locationTokens.get(token)?.expired === true) return ghlError(401, "Invalid JWT");
    const check = ctx.oauth?.verifyAccessToken(token);
    if (check === undefined || !check.valid) return ghlError(401, "Invalid JWT");
    const install = ctx.oauth!.installation(check.subject);
    if (install.userType === "Company") {
      return {
        kind: "company",
        companyId: install.companyId,
        userId: install.userId,
        scopes: check.scopes,
        clientId: check.clientId,
      };
    }
    return { kind: "location", locationId: install.locationId ?? "" };
  }

  function rateHeaders(resource: string): Record<string, string> {
    const limits = ctx.rateLimit === false ? undefined : ctx.rateLimit;
    const w = ctx.windows.get(resource);
    const max = limits?.burstMax ?? 100;
    const daily = limits?.dailyLimit ?? 200_000;
    return {
      [GHL_RATE_LIMIT_HEADERS.dailyLimit]: String(daily),
      [GHL_RATE_LIMIT_HEADERS.dailyRemaining]: String(Math.max(0, daily - (w?.daily ?? 0))),
      [GHL_RATE_LIMIT_HEADERS.intervalMs]: String(limits?.burstIntervalMs ?? 10_000),
      [GHL_RATE_LIMIT_HEADERS.max]: String(max),
      [GHL_RATE_LIMIT_HEADERS.remaining]: String(Math.max(0, max - (w?.count ?? 0))),
    };
  }

  /** Count the request against the resource's windows; `true` when over a limit. */
  function overLimit(resource: string): boolean {
    const now = ctx.now();
    const day = new Date(now).toISOString().slice(0, 10);
    let w = ctx.windows.get(resource);
    const interval = ctx.rateLimit === false ? 10_000 : ctx.rateLimit.burstIntervalMs;
    if (w === undefined || now - w.start >= interval) {
      w = { start: now, count: 0, day, daily: w?.day === day ? w.daily : 0 };
      ctx.windows.set(resource, w);
    }
    if (w.day !== day) {
      w.day = day;
      w.daily = 0;
    }
    if (ctx.forced.rateLimited > 0) {
      ctx.forced.rateLimited -= 1;
      w.count = Math.max(w.count, ctx.rateLimit === false ? 100 : ctx.rateLimit.burstMax);
      return true;
    }
    if (ctx.rateLimit === false) return false;
    if (w.count >= ctx.rateLimit.burstMax || w.daily >= ctx.rateLimit.dailyLimit) return true;
    w.count += 1;
    w.daily += 1;
    return false;
  }

  type Handler = (args: {
    request: Request;
    principal: Principal;
    params: Record<string, string>;
  }) => Response | Promise<Response>;

  function route(
    method: "get" | "post" | "put" | "delete",
    path: string,
    version: string,
    fn: Handler,
  ) {
    return http[method](url(path), async ({ request, params }) => {
      const sent = request.headers.get("version");
      const finish = (response: Response, resource?: string): Response => {
        if (resource !== undefined) {
          for (const [name, value] of Object.entries(rateHeaders(resource))) {
            response.headers.set(name, value);
          }
        }
        ctx.log.push({
          method: method.toUpperCase(),
          path,
          version: sent,
          status: response.status,
        });
        return response;
      };
      const principal = principalOf(request);
      if (principal instanceof Response) return finish(principal);
      const resource = principal.kind === "location" ? principal.locationId : principal.companyId;
      if (overLimit(resource)) return finish(ghlError(429, "Too Many Requests"), resource);
      if (sent === null) return finish(ghlError(400, "Version header was not found"), resource);
      if (sent !== version) {
        return finish(ghlError(400, `Version ${sent} is not supported; use ${version}`), resource);
      }
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) {
        if (typeof value === "string") values[key] = value;
      }
      return finish(await fn({ request, principal, params: values }), resource);
    });
  }

  /** The location a location-scoped call may act on, or the error HighLevel answers. */
  function locationFor(
    principal: Principal,
    locationId: string | undefined,
  ): FakeLocation | Response {
    if (principal.kind === "company") return ghlError(401, GHL_AUTH_CLASS_MESSAGE);
    if (locationId === undefined) return ghlError(422, ["locationId should not be empty"]);
    if (locationId !== principal.locationId) {
      return ghlError(403, "The token does not have access to this location.");
    }
    return state.locations.get(locationId) ?? ghlError(400, "Location not found");
  }

  function ownContact(principal: Principal, contactId: string) {
    const found = state.findContact(contactId);
    if (found === undefined) return ghlError(404, "Contact not found");
    const location = locationFor(principal, found.location.id);
    return location instanceof Response ? location : found;
  }

  function ownAppointment(principal: Principal, eventId: string) {
    const found = state.findAppointment(eventId);
    if (found === undefined) return ghlError(404, "Appointment not found");
    const location = locationFor(principal, found.location.id);
    return location instanceof Response ? location : found;
  }

  const SORTABLE = new Set(["dateAdded", "dateUpdated"]);

  function searchContacts(location: FakeLocation, body: SearchBody): Response {
    const problems: string[] = [];
    const pageLimit = body.pageLimit;
    if (typeof pageLimit !== "number" || !Number.isInteger(pageLimit) || pageLimit < 1) {
      problems.push("pageLimit must be a positive integer");
    } else if (pageLimit > 500) problems.push("pageLimit must not be greater than 500");
    const sort = body.sort ?? [{ field: "dateAdded", direction: "desc" as const }];
    for (const s of sort) {
      if (!SORTABLE.has(s.field)) problems.push(`sort field ${s.field} is not supported`);
      if (s.direction !== "asc" && s.direction !== "desc")
        problems.push("sort direction must be asc or desc");
    }
    let contacts = [...location.contacts.values()];
    for (const [i, filter] of (body.filters ?? []).entries()) {
      if (filter.operator === "range" && SORTABLE.has(filter.field)) {
        const range = (filter.value ?? {}) as Schemas["SearchRangeDTO"];
        const bound = (v: string | undefined) => (v === undefined ? undefined : millis(v));
        const [gt, gte, lt, lte] = [
          bound(range.gt),
          bound(range.gte),
          bound(range.lt),
          bound(range.lte),
        ];
        const field = filter.field as "dateAdded" | "dateUpdated";
        contacts = contacts.filter((c) => {
          const t = Date.parse(c[field]);
          return (
            (gt === undefined || t > gt) &&
            (gte === undefined || t >= gte) &&
            (lt === undefined || t < lt) &&
            (lte === undefined || t <= lte)
          );
        });
      } else if (
        filter.operator === "eq" &&
        (filter.field === "email" || filter.field === "phone")
      ) {
        const wanted = String(filter.value ?? "").toLowerCase();
        const field = filter.field;
        contacts = contacts.filter((c) => (c[field] ?? "").toLowerCase() === wanted);
      } else {
        problems.push(
          `filters.${i}: ${filter.field} ${filter.operator} is not supported by this fake`,
        );
      }
    }
    if (problems.length > 0 || typeof pageLimit !== "number") return ghlError(422, problems);
    const keys = sort.map((s) => ({
      field: s.field as "dateAdded" | "dateUpdated",
      dir: s.direction === "asc" ? 1 : -1,
    }));
    const tuple = (c: FakeContact): (number | string)[] => [
      ...keys.map((k) => Date.parse(c[k.field])),
      c.id,
    ];
    const compare = (a: (number | string)[], b: (number | string)[]): number => {
      for (let i = 0; i < a.length; i++) {
        const dir = i < keys.length ? keys[i]!.dir : 1;
        const x = a[i]!;
        const y = b[i]!;
        if (x < y) return -dir;
        if (x > y) return dir;
      }
      return 0;
    };
    contacts.sort((a, b) => compare(tuple(a), tuple(b)));
    const total = contacts.length;
    let start = 0;
    if (body.searchAfter !== undefined && body.searchAfter.length > 0) {
      if (body.page !== undefined)
        return ghlError(422, ["page and searchAfter cannot be used together"]);
      const after = body.searchAfter;
      if (after.length !== keys.length + 1) {
        return ghlError(422, [
          `searchAfter must have ${keys.length + 1} values: the sort values and the id`,
        ]);
      }
      const index = contacts.findIndex((c) => compare(tuple(c), after) > 0);
      start = index < 0 ? contacts.length : index;
    } else if (body.page !== undefined) {
      if (!Number.isInteger(body.page) || body.page < 1)
        return ghlError(422, ["page must be a positive integer"]);
      if (body.page * pageLimit > 10_000) {
        return ghlError(400, "page and pageLimit reach past 10,000 results; use searchAfter");
      }
      start = (body.page - 1) * pageLimit;
    }
    const page = contacts.slice(start, start + pageLimit);
    const response: SearchResponse = {
      contacts: page.map((c) => ({ ...renderContact(c), searchAfter: tuple(c) })),
      total,
    };
    return HttpResponse.json(response);
  }

  return [
    route(
      "post",
      CONTACTS_SEARCH_PATH,
      GHL_API_VERSION.contacts,
      async ({ request, principal }) => {
        const body = await readJson(request);
        if (body instanceof Response) return body;
        const search = body as SearchBody;
        const location = locationFor(principal, asString(search.locationId));
        if (location instanceof Response) return location;
        return searchContacts(location, search);
      },
    ),

    route(
      "post",
      CONTACTS_UPSERT_PATH,
      GHL_API_VERSION.contacts,
      async ({ request, principal }) => {
        const raw = await readJson(request);
        if (raw instanceof Response) return raw;
        const body = raw as UpsertBody;
        const location = locationFor(principal, asString(body.locationId));
        if (location instanceof Response) return location;
        if (body.email != null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) {
          return ghlError(422, ["email must be an email"]);
        }
        const {
          locationId: _locationId,
          createNewIfDuplicateAllowed: _dup,
          customFields,
          ...rest
        } = body;
        const fields: Partial<FakeContact> = clean({
          ...(rest as Partial<FakeContact>),
          ...(customFields !== undefined && {
            customFields: customFields.map((f) => {
              const field = f as { id?: string; key?: string; field_value?: unknown };
              return { id: field.id ?? field.key ?? "", value: String(field.field_value ?? "") };
            }),
          }),
        });
        // The location's duplicate check: email first, then phone.
        const email = body.email?.toLowerCase();
        const match =
          (email === undefined
            ? undefined
            : [...location.contacts.values()].find((c) => c.email?.toLowerCase() === email)) ??
          (body.phone == null
            ? undefined
            : [...location.contacts.values()].find((c) => c.phone === body.phone));
        const contact =
          match === undefined
            ? state.createContact(location, fields)
            : state.updateContact(location, match.id, fields);
        const response: UpsertResponse = {
          new: match === undefined,
          contact: renderContact(contact),
          traceId: state.newId(),
        };
        return HttpResponse.json(response);
      },
    ),

    route("get", CONTACT_PATH, GHL_API_VERSION.contacts, ({ principal, params }) => {
      const found = ownContact(principal, params.contactId ?? "");
      if (found instanceof Response) return found;
      const response: ContactResponse = { contact: renderContact(found.contact) };
      return HttpResponse.json(response);
    }),

    route("put", CONTACT_PATH, GHL_API_VERSION.contacts, async ({ request, principal, params }) => {
      const found = ownContact(principal, params.contactId ?? "");
      if (found instanceof Response) return found;
      const raw = await readJson(request);
      if (raw instanceof Response) return raw;
      const extra = Object.keys(raw).filter((k) => ["locationId", "companyName", "id"].includes(k));
      if (extra.length > 0)
        return ghlError(
          422,
          extra.map((k) => `property ${k} should not exist`),
        );
      const { customFields, ...rest } = raw as UpdateBody;
      const contact = state.updateContact(found.location, found.contact.id, {
        ...(rest as Partial<FakeContact>),
        ...(customFields !== undefined && {
          customFields: customFields.map((f) => {
            const field = f as { id?: string; field_value?: unknown };
            return { id: field.id ?? "", value: String(field.field_value ?? "") };
          }),
        }),
      });
      const response: UpdateResponse = { succeded: true, contact: renderContact(contact) };
      return HttpResponse.json(response);
    }),

    route("delete", CONTACT_PATH, GHL_API_VERSION.contacts, ({ principal, params }) => {
      const found = ownContact(principal, params.contactId ?? "");
      if (found instanceof Response) return found;
      state.deleteContact(found.location, found.contact.id);
      const response: DeleteContactResponse = { succeded: true };
      return HttpResponse.json(response);
    }),

    route("get", CALENDARS_PATH, GHL_API_VERSION.calendars, ({ request, principal }) => {
      const query = new URL(request.url).searchParams;
      const location = locationFor(principal, asString(query.get("locationId")));
      if (location instanceof Response) return location;
      const response: CalendarsResponse = {
        calendars: [...location.calendars.values()].map((c) => ({
          id: c.id,
          locationId: c.locationId,
          name: c.name,
          calendarType: c.calendarType,
          groupId: c.groupId,
          isActive: c.isActive,
          slotDuration: c.slotDuration,
          slotDurationUnit: "mins",
        })),
      };
      return HttpResponse.json(response);
    }),

    route("get", CALENDAR_EVENTS_PATH, GHL_API_VERSION.calendars, ({ request, principal }) => {
      const params = new URL(request.url).searchParams;
      const query: Partial<EventsQuery> = Object.fromEntries(params);
      const location = locationFor(principal, asString(query.locationId));
      if (location instanceof Response) return location;
      const start = millis(query.startTime);
      const end = millis(query.endTime);
      const problems: string[] = [];
      if (start === undefined) problems.push("startTime must be a number of milliseconds");
      if (end === undefined) problems.push("endTime must be a number of milliseconds");
      if (
        query.calendarId === undefined &&
        query.userId === undefined &&
        query.groupId === undefined
      ) {
        problems.push("Either of calendarId, userId or groupId is required");
      }
      if (problems.length > 0) return ghlError(422, problems);
      const events = [...location.appointments.values()]
        .filter(
          (a) =>
            (query.calendarId === undefined || a.calendarId === query.calendarId) &&
            (query.groupId === undefined || a.groupId === query.groupId) &&
            (query.userId === undefined || a.assignedUserId === query.userId),
        )
        .filter((a) => {
          const t = Date.parse(a.startTime);
          return t >= start! && t <= end!;
        })
        .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
      const response: EventsResponse = { events: structuredClone(events) };
      return HttpResponse.json(response);
    }),

    route("post", APPOINTMENTS_PATH, GHL_API_VERSION.calendars, async ({ request, principal }) => {
      const raw = await readJson(request);
      if (raw instanceof Response) return raw;
      const body = raw as CreateAppointmentBody;
      const missing = (["calendarId", "locationId", "contactId", "startTime"] as const).filter(
        (k) => asString(body[k]) === undefined,
      );
      if (missing.length > 0)
        return ghlError(
          422,
          missing.map((k) => `${k} should not be empty`),
        );
      const location = locationFor(principal, body.locationId);
      if (location instanceof Response) return location;
      const calendar = location.calendars.get(body.calendarId);
      if (calendar === undefined) return ghlError(400, "Calendar not found");
      if (!location.contacts.has(body.contactId)) return ghlError(400, "Contact not found");
      const start = millis(body.startTime);
      const end =
        body.endTime === undefined ? start! + calendar.slotDuration * 60_000 : millis(body.endTime);
      if (start === undefined || end === undefined || end <= start) {
        return ghlError(422, [
          "startTime and endTime must be ISO 8601 date-times, endTime after startTime",
        ]);
      }
      if (body.ignoreFreeSlotValidation !== true) {
        const taken = [...location.appointments.values()].some(
          (a) =>
            a.calendarId === calendar.id &&
            a.appointmentStatus !== "cancelled" &&
            Date.parse(a.startTime) < end &&
            Date.parse(a.endTime) > start,
        );
        if (taken) return ghlError(400, "The slot you have selected is no longer available.");
      }
      const appointment = state.createAppointment(location, {
        calendarId: calendar.id,
        contactId: body.contactId,
        startTime: body.startTime,
        endTime: body.endTime ?? new Date(end).toISOString(),
        title: body.title ?? "Appointment",
        appointmentStatus: body.appointmentStatus ?? "confirmed",
        ...(body.assignedUserId !== undefined && { assignedUserId: body.assignedUserId }),
        address: body.address ?? "",
        notes: body.description ?? "",
      });
      return HttpResponse.json(renderAppointment(appointment));
    }),

    route("get", APPOINTMENT_PATH, GHL_API_VERSION.calendars, ({ principal, params }) => {
      const found = ownAppointment(principal, params.eventId ?? "");
      if (found instanceof Response) return found;
      const response: GetAppointmentResponse = { event: structuredClone(found.appointment) };
      return HttpResponse.json(response);
    }),

    route(
      "put",
      APPOINTMENT_PATH,
      GHL_API_VERSION.calendars,
      async ({ request, principal, params }) => {
        const found = ownAppointment(principal, params.eventId ?? "");
        if (found instanceof Response) return found;
        const raw = await readJson(request);
        if (raw instanceof Response) return raw;
        const body = raw as EditAppointmentBody;
        if (body.calendarId !== undefined && !found.location.calendars.has(body.calendarId)) {
          return ghlError(400, "Calendar not found");
        }
        const appointment = state.updateAppointment(found.location, found.appointment.id, {
          calendarId: body.calendarId,
          startTime: body.startTime,
          endTime: body.endTime,
          title: body.title,
          appointmentStatus: body.appointmentStatus,
          assignedUserId: body.assignedUserId,
          address: body.address,
          notes: body.description,
        });
        return HttpResponse.json(renderAppointment(appointment));
      },
    ),

    route("delete", EVENT_PATH, GHL_API_VERSION.calendars, ({ principal, params }) => {
      const found = ownAppointment(principal, params.eventId ?? "");
      if (found instanceof Response) return found;
      state.deleteAppointment(found.location, found.appointment.id);
      const response: DeleteEventResponse = { succeeded: true };
      return HttpResponse.json(response, { status: 201 });
    }),

    route("post", LOCATION_TOKEN_PATH, GHL_API_VERSION.oauth, async ({ request, principal }) => {
      // Agency tokens only ("Agency-Access-Only", scope oauth.write in apps/oauth.json).
      if (principal.kind !== "company") return ghlError(401, GHL_AUTH_CLASS_MESSAGE);
      if (!principal.scopes.includes("oauth.write")) return ghlError(401, GHL_SCOPE_MESSAGE);
      const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim();
      if (type !== "application/x-www-form-urlencoded") {
        return ghlError(422, ["the body must be application/x-www-form-urlencoded"]);
      }
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      const body = form as Partial<LocationTokenBody>;
      const missing = (["companyId", "locationId"] as const).filter(
        (k) => asString(body[k]) === undefined,
      );
      if (missing.length > 0)
        return ghlError(
          422,
          missing.map((k) => `${k} should not be empty`),
        );
      if (body.companyId !== principal.companyId) {
        return ghlError(403, "The token does not have access to this company.");
      }
      const location = state.locations.get(body.locationId!);
      if (location === undefined || location.companyId !== principal.companyId) {
        return ghlError(400, "Location not found");
      }
      // HighLevel's exact answer for a sub-account without the app is not documented.
      if (!location.appInstalled)
        return ghlError(400, "The app is not installed on this location.");
      const subject = `location-token:${location.id}:${principal.userId}`;
      ctx.oauth!.install(subject, {
        userType: "Location",
        locationId: location.id,
        companyId: principal.companyId,
        userId: principal.userId,
      });
      const issued = ctx.oauth!.issueTokens({
        clientId: principal.clientId,
        subject,
        scopes: principal.scopes,
      });
      ctx.locationTokens.set(issued.accessToken, { locationId: location.id, expired: false });
      const response: LocationTokenResponse = {
        access_token: issued.accessToken,
        token_type: "Bearer",
        expires_in: issued.expiresIn ?? 86_399,
        scope: issued.scopes.join(" "),
        userType: "Location",
        companyId: principal.companyId,
        locationId: location.id,
        userId: principal.userId,
        appId: appIdOf(principal.clientId),
      };
      return HttpResponse.json(response);
    }),

    route("get", INSTALLED_LOCATIONS_PATH, GHL_API_VERSION.oauth, ({ request, principal }) => {
      // Agency tokens only ("Agency-Access", scope oauth.readonly in apps/oauth.json).
      if (principal.kind !== "company") return ghlError(401, GHL_AUTH_CLASS_MESSAGE);
      if (!principal.scopes.includes("oauth.readonly")) return ghlError(401, GHL_SCOPE_MESSAGE);
      const params = new URL(request.url).searchParams;
      const query: Partial<Record<keyof InstalledLocationsQuery, string>> =
        Object.fromEntries(params);
      const missing = (["companyId", "appId"] as const).filter(
        (k) => asString(query[k]) === undefined,
      );
      if (missing.length > 0)
        return ghlError(
          422,
          missing.map((k) => `${k} should not be empty`),
        );
      if (query.companyId !== principal.companyId) {
        return ghlError(403, "The token does not have access to this company.");
      }
      const skip = Number(query.skip ?? "0");
      const limit = Number(query.limit ?? "20");
      if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(limit) || limit < 1) {
        return ghlError(422, ["skip and limit must be non-negative integers"]);
      }
      // Another app's id: none of the company's locations has that app installed.
      const sameApp = query.appId === appIdOf(principal.clientId);
      const installed = (l: FakeLocation) => sameApp && l.appInstalled;
      const search = query.query?.toLowerCase();
      const matching = [...state.locations.values()].filter(
        (l) =>
          l.companyId === principal.companyId &&
          (query.isInstalled === undefined || installed(l) === (query.isInstalled === "true")) &&
          (query.locationId === undefined || l.id === query.locationId) &&
          (search === undefined || l.name.toLowerCase().includes(search)),
      );
      const response: InstalledLocationsResponse = {
        locations: matching.slice(skip, skip + limit).map((l) => ({
          _id: l.id,
          name: l.name,
          address: l.address,
          isInstalled: installed(l),
        })),
        count: matching.length,
        installToFutureLocations: false,
      };
      return HttpResponse.json(response);
    }),
  ];
}
