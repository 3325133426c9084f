/**
 * The fake Web API: one MSW handler routing `https://api.airtable.com/v0/*`
 * the way Airtable does, with Airtable's validation, pagination, errors and
 * rate limits.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import { AIRTABLE_API_BASE_URL } from "../endpoints.js";
import {
  type AirtableBase,
  type AirtableRecord,
  type AirtableTable,
  type AirtableWebhook,
  type ListRecordsResponse,
  type ListWebhookPayloadsResponse,
  WebhookSpecificationSchema,
  type WriteRecordsResponse,
} from "../schemas.js";
import { compileFormula } from "./formula.js";
import { airtableError, airtableNotFound, airtableRateLimited } from "./responses.js";
import {
  type AirtableFakeState,
  type ChangeActor,
  type FakeBase,
  type FakeRecord,
  type FakeTable,
  type FakeWebhook,
  WEBHOOK_LIFETIME_MS,
} from "./state.js";

/**
 * A personal access token the fake accepts.
 *
 * @example
 * ```ts
 * createAirtableFake({ personalAccessTokens: { patReadOnly0000001: { scopes: ["data.records:read"] } } });
 * ```
 * @see https://airtable.com/developers/web/guides/personal-access-tokens
 */
export interface FakePersonalAccessToken {
  userId: string;
  scopes: readonly string[];
}

/**
 * One request the fake answered.
 *
 * @example
 * ```ts
 * const creates = fake.requests.filter((r: FakeRequestLogEntry) => r.method === "POST").map((r) => r.records);
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeRequestLogEntry {
  method: string;
  /** The path below `/v0/`, e.g. `appX/tblY` or `bases/appX/webhooks`. */
  path: string;
  /** The base the request concerns, when it concerns one. */
  baseId: string | undefined;
  status: number;
  /** Writes: how many records the request carried. */
  records?: number;
  /** Writes: whether it asked for an upsert (`performUpsert`). */
  upsert?: boolean;
}

/**
 * The fake's rate limiting (Airtable: 5 requests per second per base, then 30 seconds of 429s).
 *
 * @example
 * ```ts
 * createAirtableFake({ rateLimit: { requestsPerSecond: 5, penaltyMs: 30_000 } });
 * ```
 * @see https://airtable.com/developers/web/api/rate-limits
 */
export interface FakeRateLimitOptions {
  /** Default 5. */
  requestsPerSecond?: number;
  /** How long a base answers 429 after going over. Default 30 000 ms. */
  penaltyMs?: number;
  /**
   * Arrival jitter forgiven, in ms (default 250): a client spacing requests
   * exactly 1 s apart may see them arrive a little closer.
   */
  toleranceMs?: number;
}

/**
 * What the handlers share with the fake.
 *
 * @example
 * ```ts
 * const handlers = createAirtableApiHandlers(ctx);
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeApiContext {
  state: AirtableFakeState;
  oauth: FakeOAuthServer | undefined;
  pats: Map<string, FakePersonalAccessToken>;
  rateLimit: Required<FakeRateLimitOptions> | false;
  iteratorTtlMs: number;
  basesPageSize: number;
  log: FakeRequestLogEntry[];
  forced: { rateLimited: number };
  iterators: Map<string, ListIterator>;
  arrivals: Map<string, number[]>;
  penalties: Map<string, number>;
}

/**
 * A list-records iteration in progress (what an `offset` points into).
 *
 * @example
 * ```ts
 * fake.expireListIterators(); // every ListIterator handed out so far is gone
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export interface ListIterator {
  id: string;
  baseId: string;
  tableId: string;
  ids: string[];
  expiresAt: number;
}

interface Caller {
  kind: "oauth" | "pat";
  userId: string;
  scopes: readonly string[];
  /** Webhook owner: the OAuth client id, or `pat`. */
  owner: string;
}

const PAGE_SIZE_MAX = 100;
const PAYLOAD_LIMIT_MAX = 50;
const WRITE_MAX = 10;
const OFFSET_PATTERN = /^(itr[A-Za-z0-9]{14})\/(rec[A-Za-z0-9]{14})$/;

function userIdOf(subject: string): string {
  const digest = createHash("sha256")
    .update(subject)
    .digest("base64")
    .replace(/[^A-Za-z0-9]/g, "");
  return `usr${digest.slice(0, 14)}`;
}

function baseOf(segments: string[]): string | undefined {
  const [first, second, third] = segments;
  if (first?.startsWith("app")) return first;
  if (first === "bases" && second !== undefined) return second;
  if (first === "meta" && second === "bases" && third !== undefined) return third;
  return undefined;
}

function invalidRequest(
  message = "Invalid request: parameter validation failed. Check your request data.",
): Response {
  return airtableError(422, "INVALID_REQUEST_UNKNOWN", message);
}

function forbidden(): Response {
  return airtableError(
    403,
    "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
    "Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.",
  );
}

function authenticate(ctx: FakeApiContext, request: Request): Caller | Response {
  const header = request.headers.get("authorization");
  if (header === null || header.trim() === "") {
    return airtableError(401, "AUTHENTICATION_REQUIRED", "Authentication required");
  }
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const pat = token === undefined ? undefined : ctx.pats.get(token);
  if (pat !== undefined)
    return { kind: "pat", userId: pat.userId, scopes: pat.scopes, owner: "pat" };
  const verdict = ctx.oauth?.verifyBearer(request);
  if (verdict?.valid === true) {
    return {
      kind: "oauth",
      userId: userIdOf(verdict.subject),
      scopes: verdict.scopes,
      owner: verdict.clientId,
    };
  }
  return airtableError(401, "UNAUTHORIZED", "Invalid authentication token");
}

function actorOf(caller: Caller): ChangeActor {
  return {
    source: "publicApi",
    user: {
      id: caller.userId,
      email: `${caller.userId}@example.com`,
      name: "API user",
      permissionLevel: "create",
    },
  };
}

/** Answer 429 when the base is over its allowance (sliding window, fake clock). */
function overLimit(ctx: FakeApiContext, baseId: string): boolean {
  if (ctx.rateLimit === false) return false;
  const now = ctx.state.now();
  const penalty = ctx.penalties.get(baseId);
  if (penalty !== undefined && now < penalty) return true;
  const window = 1000 - ctx.rateLimit.toleranceMs;
  const recent = (ctx.arrivals.get(baseId) ?? []).filter((t) => t > now - window);
  if (recent.length >= ctx.rateLimit.requestsPerSecond) {
    ctx.penalties.set(baseId, now + ctx.rateLimit.penaltyMs);
    ctx.arrivals.set(baseId, recent);
    return true;
  }
  recent.push(now);
  ctx.arrivals.set(baseId, recent);
  return false;
}

async function readJson(
  request: Request,
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const text = await request.text();
  try {
    const body: unknown = JSON.parse(text === "" ? "{}" : text);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return {
        ok: false,
        response: invalidRequest("Invalid request: the request body must be a JSON object"),
      };
    }
    return { ok: true, body: body as Record<string, unknown> };
  } catch {
    return {
      ok: false,
      response: airtableError(
        400,
        "INVALID_REQUEST_BODY",
        "Could not parse request body: it is not valid JSON",
      ),
    };
  }
}

function renderBase(base: FakeBase): AirtableBase {
  return { id: base.id, name: base.name, permissionLevel: base.permissionLevel };
}

function renderTable(table: FakeTable): AirtableTable {
  return {
    id: table.id,
    name: table.name,
    primaryFieldId: table.primaryFieldId,
    fields: table.fields.map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type,
      ...(f.options !== undefined && { options: structuredClone(f.options) }),
    })),
    views: table.views.map((v) => ({ ...v })),
  };
}

function renderWebhook(ctx: FakeApiContext, hook: FakeWebhook): AirtableWebhook {
  return {
    id: hook.id,
    areNotificationsEnabled: hook.notificationsEnabled,
    cursorForNextPayload: hook.nextCursor,
    isHookEnabled: ctx.state.isActive(hook),
    lastNotificationResult: null,
    lastSuccessfulNotificationTime: null,
    notificationUrl: hook.notificationUrl,
    expirationTime: hook.expiresAt === null ? null : new Date(hook.expiresAt).toISOString(),
    specification: structuredClone(hook.specification),
  };
}

/** List-records parameters, from the query string (GET) or the JSON body (POST listRecords). */
interface ListParams {
  pageSize: unknown;
  maxRecords: unknown;
  offset: unknown;
  view: unknown;
  filterByFormula: unknown;
  fields: unknown;
  sort: unknown;
  cellFormat: unknown;
  returnFieldsByFieldId: unknown;
}

function listParamsFromQuery(query: URLSearchParams): ListParams {
  const sort: Array<{ field: string; direction?: string }> = [];
  for (const [key, value] of query) {
    const m = /^sort\[(\d+)\]\[(field|direction)\]$/.exec(key);
    if (m === null) continue;
    const i = Number(m[1]);
    sort[i] ??= { field: "" };
    if (m[2] === "field") sort[i]!.field = value;
    else sort[i]!.direction = value;
  }
  const fields = [...query.getAll("fields[]"), ...query.getAll("fields")];
  return {
    pageSize: query.get("pageSize") ?? undefined,
    maxRecords: query.get("maxRecords") ?? undefined,
    offset: query.get("offset") ?? undefined,
    view: query.get("view") ?? undefined,
    filterByFormula: query.get("filterByFormula") ?? undefined,
    fields: fields.length > 0 ? fields : undefined,
    sort: sort.length > 0 ? sort : undefined,
    cellFormat: query.get("cellFormat") ?? undefined,
    returnFieldsByFieldId: query.get("returnFieldsByFieldId") ?? undefined,
  };
}

function positiveInt(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : null;
}

function listRecords(
  ctx: FakeApiContext,
  base: FakeBase,
  table: FakeTable,
  params: ListParams,
): Response {
  const pageSize =
    positiveInt(params.pageSize) ?? (params.pageSize === undefined ? PAGE_SIZE_MAX : null);
  if (pageSize === null || pageSize > PAGE_SIZE_MAX) return invalidRequest();
  const maxRecords = positiveInt(params.maxRecords);
  if (maxRecords === null) return invalidRequest();
  if (params.cellFormat !== undefined && params.cellFormat !== "json") {
    return invalidRequest("Invalid request: this fake supports cellFormat json only");
  }
  if (params.view !== undefined) {
    const view = String(params.view);
    if (!table.views.some((v) => v.id === view || v.name === view)) {
      return airtableError(
        422,
        "VIEW_NAME_NOT_FOUND",
        `Could not find view ${JSON.stringify(view)}`,
      );
    }
  }
  let only: Set<string> | undefined;
  if (params.fields !== undefined) {
    if (!Array.isArray(params.fields)) return invalidRequest();
    only = new Set<string>();
    for (const name of params.fields) {
      const field = table.fields.find((f) => f.name === name || f.id === name);
      if (field === undefined)
        return airtableError(422, "UNKNOWN_FIELD_NAME", `Unknown field name: "${String(name)}"`);
      only.add(field.name);
    }
  }
  const now = ctx.state.now();
  let iterator: ListIterator;
  let start = 0;
  if (params.offset !== undefined && params.offset !== "") {
    const offset = String(params.offset);
    const match = OFFSET_PATTERN.exec(offset);
    if (match === null) {
      return airtableError(422, "INVALID_OFFSET_VALUE", `The value of offset ${offset} is invalid`);
    }
    const found = ctx.iterators.get(match[1]!);
    if (found === undefined || found.expiresAt <= now) {
      ctx.iterators.delete(match[1]!);
      return airtableError(
        422,
        "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
        "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
      );
    }
    if (found.baseId !== base.id || found.tableId !== table.id) {
      return airtableError(422, "INVALID_OFFSET_VALUE", `The value of offset ${offset} is invalid`);
    }
    start = found.ids.indexOf(match[2]!);
    if (start < 0)
      return airtableError(422, "INVALID_OFFSET_VALUE", `The value of offset ${offset} is invalid`);
    iterator = found;
  } else {
    const formula = compileFormula(
      params.filterByFormula === undefined ? "" : String(params.filterByFormula),
    );
    if (!formula.ok) return airtableError(422, "INVALID_FILTER_BY_FORMULA", formula.message);
    let matching = [...table.records.values()].filter((r) => formula.test(r));
    if (params.sort !== undefined) {
      const sorted = sortRecords(ctx, table, matching, params.sort);
      if (sorted instanceof Response) return sorted;
      matching = sorted;
    }
    const ids = matching.map((r) => r.id).slice(0, maxRecords ?? Number.POSITIVE_INFINITY);
    iterator = {
      id: ctx.state.newId("itr"),
      baseId: base.id,
      tableId: table.id,
      ids,
      expiresAt: 0,
    };
    ctx.iterators.set(iterator.id, iterator);
  }
  iterator.expiresAt = now + ctx.iteratorTtlMs;
  const slice = iterator.ids.slice(start, start + pageSize);
  const next = iterator.ids[start + pageSize];
  const byId = params.returnFieldsByFieldId === true || params.returnFieldsByFieldId === "true";
  const records = slice
    .map((id) => table.records.get(id))
    .filter((r): r is FakeRecord => r !== undefined)
    .map((r) => {
      const rendered = ctx.state.render(table, r, only);
      return byId ? byFieldId(table, rendered) : rendered;
    });
  if (next === undefined) ctx.iterators.delete(iterator.id);
  const body = {
    records,
    ...(next !== undefined && { offset: `${iterator.id}/${next}` }),
  } satisfies ListRecordsResponse;
  return HttpResponse.json(body);
}

function byFieldId(table: FakeTable, record: AirtableRecord): AirtableRecord {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.fields)) {
    const field = table.fields.find((f) => f.name === name);
    if (field !== undefined) fields[field.id] = value;
  }
  return { ...record, fields };
}

function sortRecords(
  ctx: FakeApiContext,
  table: FakeTable,
  records: FakeRecord[],
  sort: unknown,
): FakeRecord[] | Response {
  if (!Array.isArray(sort)) return invalidRequest();
  const keys: Array<{ name: string; sign: number }> = [];
  for (const entry of sort) {
    const { field, direction } = (entry ?? {}) as { field?: unknown; direction?: unknown };
    const found = table.fields.find((f) => f.name === field || f.id === field);
    if (found === undefined)
      return airtableError(422, "UNKNOWN_FIELD_NAME", `Unknown field name: "${String(field)}"`);
    if (direction !== undefined && direction !== "asc" && direction !== "desc")
      return invalidRequest();
    keys.push({ name: found.name, sign: direction === "desc" ? -1 : 1 });
  }
  const rendered = new Map(records.map((r) => [r.id, ctx.state.render(table, r).fields]));
  return [...records].sort((a, b) => {
    for (const { name, sign } of keys) {
      const x = rendered.get(a.id)?.[name];
      const y = rendered.get(b.id)?.[name];
      if (x === y) continue;
      if (x === undefined) return -sign;
      if (y === undefined) return sign;
      return (
        (typeof x === "number" && typeof y === "number"
          ? x - y
          : String(x).localeCompare(String(y))) * sign
      );
    }
    return 0;
  });
}

function checkScope(caller: Caller, scope: string): Response | undefined {
  return caller.scopes.includes(scope) ? undefined : forbidden();
}

function writeRecords(
  ctx: FakeApiContext,
  caller: Caller,
  base: FakeBase,
  table: FakeTable,
  method: "POST" | "PATCH" | "PUT",
  body: Record<string, unknown>,
  entry: FakeRequestLogEntry,
): Response {
  const typecast = body.typecast === true;
  const single = body.records === undefined && body.fields !== undefined;
  const list = single ? [{ fields: body.fields }] : body.records;
  if (Array.isArray(list)) entry.records = list.length;
  if (body.performUpsert !== undefined) entry.upsert = true;
  if (!Array.isArray(list)) {
    return airtableError(
      422,
      "INVALID_REQUEST_MISSING_FIELDS",
      'Could not find field "records" in the request body',
    );
  }
  if (list.length === 0 || list.length > WRITE_MAX) {
    const verb = method === "POST" ? "created" : "updated";
    return airtableError(
      422,
      "INVALID_RECORDS",
      `A maximum of ${WRITE_MAX} records can be ${verb} per request but you have provided ${list.length}.`,
    );
  }
  let mergeOn: string[] | undefined;
  if (body.performUpsert !== undefined) {
    if (method === "POST")
      return invalidRequest("Invalid request: performUpsert is for PATCH and PUT");
    const spec = body.performUpsert as { fieldsToMergeOn?: unknown } | null;
    const fields = spec?.fieldsToMergeOn;
    if (!Array.isArray(fields) || fields.length < 1 || fields.length > 3) {
      return invalidRequest(
        "Invalid request: performUpsert.fieldsToMergeOn must list 1 to 3 fields",
      );
    }
    mergeOn = [];
    for (const name of fields) {
      const field = table.fields.find((f) => f.name === name || f.id === name);
      if (field === undefined)
        return airtableError(422, "UNKNOWN_FIELD_NAME", `Unknown field name: "${String(name)}"`);
      mergeOn.push(field.name);
    }
  }
  // Validate everything first: Airtable applies a batch all or nothing.
  type Planned =
    | { kind: "create"; cells: Map<string, unknown> }
    | { kind: "update"; record: FakeRecord; cells: Map<string, unknown> };
  const planned: Planned[] = [];
  for (const item of list) {
    if (item === null || typeof item !== "object") return invalidRequest();
    const { id, fields } = item as { id?: unknown; fields?: unknown };
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
      return airtableError(
        422,
        "INVALID_REQUEST_MISSING_FIELDS",
        'Could not find field "fields" in the request body',
      );
    }
    const checked = ctx.state.cells(table, fields as Record<string, unknown>, { typecast });
    if (!checked.ok) return airtableError(checked.status, checked.type, checked.message);
    if (method === "POST") {
      if (id !== undefined)
        return invalidRequest("Invalid request: records to create must not have an id");
      planned.push({ kind: "create", cells: checked.cells });
      continue;
    }
    if (id !== undefined) {
      const record = typeof id === "string" ? table.records.get(id) : undefined;
      if (record === undefined) {
        return airtableError(
          422,
          "ROW_DOES_NOT_EXIST",
          `Record ID ${String(id)} does not exist in this table`,
        );
      }
      planned.push({ kind: "update", record, cells: checked.cells });
      continue;
    }
    if (mergeOn === undefined) {
      return airtableError(
        422,
        "INVALID_RECORDS",
        "Each record must have an id unless performUpsert is set",
      );
    }
    const wanted = ctx.state.render(table, {
      id: "",
      createdAt: 0,
      modifiedAt: 0,
      autoNumber: 0,
      cells: checked.cells,
    }).fields;
    const matches = [...table.records.values()].filter((r) => {
      const have = ctx.state.render(table, r).fields;
      return mergeOn!.every((name) => JSON.stringify(have[name]) === JSON.stringify(wanted[name]));
    });
    if (matches.length > 1) {
      return airtableError(
        422,
        "INVALID_RECORDS",
        `Cannot upsert: ${matches.length} records match the fields to merge on (${mergeOn.join(", ")})`,
      );
    }
    planned.push(
      matches[0] === undefined
        ? { kind: "create", cells: checked.cells }
        : { kind: "update", record: matches[0], cells: checked.cells },
    );
  }
  const actor = actorOf(caller);
  const creates = planned.filter(
    (p): p is Extract<Planned, { kind: "create" }> => p.kind === "create",
  );
  const updates = planned.filter(
    (p): p is Extract<Planned, { kind: "update" }> => p.kind === "update",
  );
  const created =
    creates.length > 0
      ? ctx.state.create(
          base,
          table,
          creates.map((p) => p.cells),
          actor,
        )
      : [];
  if (updates.length > 0) ctx.state.update(base, table, updates, actor, method === "PUT");
  let c = 0;
  const written = planned.map((p) => (p.kind === "create" ? created[c++]! : p.record));
  const records = written.map((r) => ctx.state.render(table, r));
  if (single) return HttpResponse.json(records[0]);
  const response = {
    records,
    ...(mergeOn !== undefined && {
      createdRecords: written.filter((_, i) => planned[i]!.kind === "create").map((r) => r.id),
      updatedRecords: written.filter((_, i) => planned[i]!.kind === "update").map((r) => r.id),
    }),
  } satisfies WriteRecordsResponse;
  return HttpResponse.json(response);
}

async function routeBaseRecords(
  ctx: FakeApiContext,
  caller: Caller,
  request: Request,
  url: URL,
  segments: string[],
  entry: FakeRequestLogEntry,
): Promise<Response> {
  const [baseId, tableName, recordId, extra] = segments;
  const base = ctx.state.bases.get(baseId!);
  if (base === undefined) return airtableNotFound();
  const table = ctx.state.table(base, tableName!);
  if (table === undefined) {
    return airtableError(
      404,
      "TABLE_NOT_FOUND",
      `Could not find table ${tableName} in application ${baseId}`,
    );
  }
  const method = request.method;
  const reading = method === "GET" || (method === "POST" && recordId === "listRecords");
  const denied = checkScope(caller, reading ? "data.records:read" : "data.records:write");
  if (denied) return denied;
  if (extra !== undefined) return airtableNotFound();
  if (recordId === "listRecords") {
    if (method !== "POST") return airtableNotFound();
    const parsed = await readJson(request);
    if (!parsed.ok) return parsed.response;
    const b = parsed.body;
    return listRecords(ctx, base, table, {
      pageSize: b.pageSize,
      maxRecords: b.maxRecords,
      offset: b.offset,
      view: b.view,
      filterByFormula: b.filterByFormula,
      fields: b.fields,
      sort: b.sort,
      cellFormat: b.cellFormat,
      returnFieldsByFieldId: b.returnFieldsByFieldId,
    });
  }
  if (recordId === undefined) {
    if (method === "GET")
      return listRecords(ctx, base, table, listParamsFromQuery(url.searchParams));
    if (method === "DELETE") {
      const ids = [...url.searchParams.getAll("records[]"), ...url.searchParams.getAll("records")];
      entry.records = ids.length;
      if (ids.length === 0 || ids.length > WRITE_MAX) {
        return airtableError(
          422,
          "INVALID_RECORDS",
          '"records" must be an array of up to 10 record IDs.',
        );
      }
      if (ids.some((id) => !table.records.has(id))) return airtableNotFound();
      ctx.state.destroy(base, table, ids, actorOf(caller));
      return HttpResponse.json({ records: ids.map((id) => ({ id, deleted: true })) });
    }
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      const parsed = await readJson(request);
      if (!parsed.ok) return parsed.response;
      return writeRecords(ctx, caller, base, table, method, parsed.body, entry);
    }
    return airtableNotFound();
  }
  const record = table.records.get(recordId);
  if (record === undefined) return airtableNotFound();
  if (method === "GET")
    return HttpResponse.json(ctx.state.render(table, record) satisfies AirtableRecord);
  if (method === "DELETE") {
    ctx.state.destroy(base, table, [record.id], actorOf(caller));
    return HttpResponse.json({ id: record.id, deleted: true });
  }
  if (method === "PATCH" || method === "PUT") {
    const parsed = await readJson(request);
    if (!parsed.ok) return parsed.response;
    const fields = parsed.body.fields;
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
      return airtableError(
        422,
        "INVALID_REQUEST_MISSING_FIELDS",
        'Could not find field "fields" in the request body',
      );
    }
    const checked = ctx.state.cells(table, fields as Record<string, unknown>, {
      typecast: parsed.body.typecast === true,
    });
    if (!checked.ok) return airtableError(checked.status, checked.type, checked.message);
    ctx.state.update(
      base,
      table,
      [{ record, cells: checked.cells }],
      actorOf(caller),
      method === "PUT",
    );
    return HttpResponse.json(ctx.state.render(table, record));
  }
  return airtableNotFound();
}

async function routeWebhooks(
  ctx: FakeApiContext,
  caller: Caller,
  request: Request,
  url: URL,
  segments: string[],
): Promise<Response> {
  const [, baseId, , webhookId, action, extra] = segments;
  const base = ctx.state.bases.get(baseId!);
  if (base === undefined) return airtableNotFound();
  const denied = checkScope(caller, "webhook:manage");
  if (denied) return denied;
  ctx.state.purgeExpired(base);
  const visible = (hook: FakeWebhook) => caller.kind === "pat" || hook.owner === caller.owner;
  const method = request.method;
  if (extra !== undefined) return airtableNotFound();
  if (webhookId === undefined) {
    if (method === "GET") {
      return HttpResponse.json({
        webhooks: [...base.webhooks.values()].filter(visible).map((h) => renderWebhook(ctx, h)),
      });
    }
    if (method !== "POST") return airtableNotFound();
    const parsed = await readJson(request);
    if (!parsed.ok) return parsed.response;
    const spec = WebhookSpecificationSchema.safeParse(parsed.body.specification);
    if (!spec.success) return invalidRequest("Invalid request: specification is invalid");
    const filters = spec.data.options.filters;
    if (filters.dataTypes.includes("tableData")) {
      const needsRead = checkScope(caller, "data.records:read");
      if (needsRead) return needsRead;
    }
    if (
      filters.recordChangeScope !== undefined &&
      ctx.state.table(base, filters.recordChangeScope) === undefined
    ) {
      return airtableError(
        422,
        "INVALID_FILTERS",
        `recordChangeScope ${filters.recordChangeScope} is not a table or view of this base`,
      );
    }
    const notificationUrl = parsed.body.notificationUrl;
    if (notificationUrl !== undefined && notificationUrl !== null) {
      let ok = false;
      try {
        ok = typeof notificationUrl === "string" && new URL(notificationUrl).protocol === "https:";
      } catch {
        ok = false;
      }
      if (!ok) return invalidRequest("Invalid request: notificationUrl must be an https URL");
    }
    const hooks = [...base.webhooks.values()];
    if (hooks.length >= 10) {
      return airtableError(
        422,
        "TOO_MANY_WEBHOOKS",
        "The number of webhooks per base is limited to 10",
      );
    }
    if (caller.kind === "oauth" && hooks.filter((h) => h.owner === caller.owner).length >= 2) {
      return airtableError(
        422,
        "TOO_MANY_WEBHOOKS_BY_OAUTH_INTEGRATION_IN_BASE",
        "A single OAuth integration can create up to 2 webhooks per base",
      );
    }
    const now = ctx.state.now();
    const hook: FakeWebhook = {
      id: ctx.state.newId("ach"),
      baseId: base.id,
      macSecretBase64: randomBytes(32).toString("base64"),
      notificationUrl: typeof notificationUrl === "string" ? notificationUrl : null,
      specification: spec.data,
      owner: caller.owner,
      createdAt: now,
      expiresAt: now + WEBHOOK_LIFETIME_MS,
      notificationsEnabled: true,
      payloads: [],
      nextCursor: 1,
      pings: 0,
    };
    base.webhooks.set(hook.id, hook);
    return HttpResponse.json({
      id: hook.id,
      macSecretBase64: hook.macSecretBase64,
      expirationTime: new Date(hook.expiresAt!).toISOString(),
    });
  }
  const hook = base.webhooks.get(webhookId);
  if (hook === undefined || !visible(hook)) return airtableNotFound();
  if (action === undefined) {
    if (method !== "DELETE") return airtableNotFound();
    base.webhooks.delete(hook.id);
    return new HttpResponse(null, { status: 204 });
  }
  if (action === "refresh" && method === "POST") {
    if (!ctx.state.isActive(hook)) {
      return airtableError(
        422,
        "CANNOT_REFRESH_DISABLED_WEBHOOK",
        "Only active webhooks with an expiration time can be refreshed",
      );
    }
    if (hook.expiresAt !== null) hook.expiresAt = ctx.state.now() + WEBHOOK_LIFETIME_MS;
    return HttpResponse.json({
      expirationTime: hook.expiresAt === null ? null : new Date(hook.expiresAt).toISOString(),
    });
  }
  if (action === "enableNotifications" && method === "POST") {
    const parsed = await readJson(request);
    if (!parsed.ok) return parsed.response;
    if (typeof parsed.body.enable !== "boolean") return invalidRequest();
    hook.notificationsEnabled = parsed.body.enable;
    return new HttpResponse(null, { status: 204 });
  }
  if (action === "payloads" && method === "GET") {
    if (hook.specification.options.filters.dataTypes.includes("tableData")) {
      const needsRead = checkScope(caller, "data.records:read");
      if (needsRead) return needsRead;
    }
    const cursor =
      positiveInt(url.searchParams.get("cursor") ?? undefined) ??
      (url.searchParams.has("cursor") ? null : 1);
    const limit =
      positiveInt(url.searchParams.get("limit") ?? undefined) ??
      (url.searchParams.has("limit") ? null : PAYLOAD_LIMIT_MAX);
    if (cursor === null || limit === null || limit > PAYLOAD_LIMIT_MAX) return invalidRequest();
    const now = ctx.state.now();
    // Listing payloads keeps an active webhook alive for 7 more days.
    if (ctx.state.isActive(hook) && hook.expiresAt !== null)
      hook.expiresAt = now + WEBHOOK_LIFETIME_MS;
    // Payloads are kept for a week.
    const kept = hook.payloads.filter(
      (p) => Date.parse(p.body.timestamp) > now - WEBHOOK_LIFETIME_MS,
    );
    const from = kept.filter((p) => p.cursor >= cursor);
    const page = from.slice(0, limit);
    const last = page[page.length - 1];
    const body = {
      cursor: last === undefined ? Math.min(cursor, hook.nextCursor) : last.cursor + 1,
      mightHaveMore: from.length > page.length,
      payloads: page.map((p) => structuredClone(p.body)),
    } satisfies ListWebhookPayloadsResponse;
    return HttpResponse.json(body);
  }
  return airtableNotFound();
}

async function route(ctx: FakeApiContext, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname.replace(/^\/v0\/?/, "").replace(/\/+$/, "");
  let segments: string[];
  try {
    segments = path
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent);
  } catch {
    return airtableNotFound();
  }
  const baseId = baseOf(segments);
  const entry: FakeRequestLogEntry = {
    method: request.method,
    path: segments.join("/"),
    baseId,
    status: 0,
  };
  ctx.log.push(entry);
  const answer = (response: Response): Response => {
    entry.status = response.status;
    return response;
  };
  if (ctx.forced.rateLimited > 0) {
    ctx.forced.rateLimited--;
    return answer(airtableRateLimited());
  }
  if (baseId !== undefined && overLimit(ctx, baseId)) return answer(airtableRateLimited());
  const caller = authenticate(ctx, request);
  if (caller instanceof Response) return answer(caller);

  const [first, second, third, fourth] = segments;
  if (first === "meta") {
    if (request.method !== "GET") return answer(airtableNotFound());
    if (second === "whoami" && third === undefined) {
      return answer(HttpResponse.json({ id: caller.userId, scopes: [...caller.scopes] }));
    }
    if (second === "bases") {
      const denied = checkScope(caller, "schema.bases:read");
      if (denied) return answer(denied);
      if (third === undefined) return answer(listBases(ctx, url));
      if (fourth === "tables" && segments.length === 4) {
        const base = ctx.state.bases.get(third);
        if (base === undefined) return answer(forbidden());
        return answer(HttpResponse.json({ tables: [...base.tables.values()].map(renderTable) }));
      }
    }
    return answer(airtableNotFound());
  }
  if (first === "bases" && third === "webhooks") {
    return answer(await routeWebhooks(ctx, caller, request, url, segments));
  }
  if (first?.startsWith("app") && second !== undefined) {
    return answer(await routeBaseRecords(ctx, caller, request, url, segments, entry));
  }
  return answer(airtableNotFound());
}

function listBases(ctx: FakeApiContext, url: URL): Response {
  const all = [...ctx.state.bases.values()];
  const offset = url.searchParams.get("offset");
  let start = 0;
  if (offset !== null && offset !== "") {
    const m = /^itr[A-Za-z0-9]{14}\/(\d+)$/.exec(offset);
    if (m === null)
      return airtableError(422, "INVALID_OFFSET_VALUE", `The value of offset ${offset} is invalid`);
    start = Number(m[1]);
  }
  const page = all.slice(start, start + ctx.basesPageSize);
  const next =
    start + ctx.basesPageSize < all.length
      ? `${ctx.state.newId("itr")}/${start + ctx.basesPageSize}`
      : undefined;
  return HttpResponse.json({
    bases: page.map(renderBase),
    ...(next !== undefined && { offset: next }),
  });
}

/**
 * The MSW handler of the fake Web API.
 *
 * @example
 * ```ts
 * const server = setupServer(...createAirtableApiHandlers(ctx));
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export function createAirtableApiHandlers(ctx: FakeApiContext): HttpHandler[] {
  return [http.all(`${AIRTABLE_API_BASE_URL}/*`, ({ request }) => route(ctx, request))];
}
