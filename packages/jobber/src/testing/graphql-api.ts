/**
 * The fake GraphQL endpoint. It does not parse GraphQL: it recognises the
 * connector's operations by name (and checks the document is that
 * operation), reads their variables, and answers with Jobber's envelope:
 * `data`, `errors` and `extensions.cost` from a leaky bucket per account.
 * Unknown operations get a GraphQL error body, as Jobber's schema would.
 */
import { type HttpHandler, HttpResponse, http } from "msw";
import {
  CLIENT_FIELDS,
  INVOICE_FIELDS,
  JOB_FIELDS,
  JOBBER_OPERATIONS,
  QUOTE_FIELDS,
} from "../documents.js";
import {
  JOBBER_GRAPHQL_URL,
  JOBBER_GRAPHQL_VERSION_HEADER,
  JOBBER_GRAPHQL_VERSION_PATTERN,
  JOBBER_RATE_LIMITS_URL,
} from "../endpoints.js";
import type { FakeModel, FakeRecord, JobberFakeState } from "./state.js";

/**
 * One request the fake answered.
 *
 * @example
 * ```ts
 * fake.requests.at(-1)?.outcome; // "data" | "throttled" | "error" | 429 ...
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface FakeGraphqlLogEntry {
  operationName: string;
  variables: Record<string, unknown>;
  version: string | null;
  /** What the answer was: data, a THROTTLED refusal, an error, or an HTTP status. */
  outcome: "data" | "throttled" | "error" | number;
  /** Query cost Jobber would report (requested). */
  requestedQueryCost?: number;
}

/**
 * The leaky bucket of one app and account.
 *
 * @example
 * ```ts
 * const bucket: FakeCostBucket = { maximumAvailable: 10000, restoreRate: 500, available: 10000, at: Date.now() };
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export interface FakeCostBucket {
  maximumAvailable: number;
  restoreRate: number;
  available: number;
  at: number;
}

/**
 * What the handlers share with the fake's controls.
 *
 * @example
 * ```ts
 * createJobberGraphqlHandlers(ctx satisfies FakeGraphqlContext);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface FakeGraphqlContext {
  state: JobberFakeState;
  now: () => number;
  account: { id: string; name: string };
  appName: string;
  bucket: FakeCostBucket;
  log: FakeGraphqlLogEntry[];
  forced: { rateLimited: number; retryAfterSeconds: string | undefined; throttled: number };
  /** Who the caller is: a subject, or an error response. */
  authenticate(request: Request): { subject: string } | Response;
  /** The app was disconnected (by the user in Jobber, or by `appDisconnect`). */
  disconnect(subject: string, source: "jobber" | "api"): void;
  /** A record changed through the API: Jobber fires the topic's webhook. */
  changed(model: FakeModel, topic: "CREATE" | "UPDATE" | "DESTROY", id: string): void;
}

/** Fields per node, counted from the documents: every field costs 1 (`nodes` costs 0). */
function fieldCount(selection: string): number {
  return selection.split(/[\s{}]+/).filter((t) => /^[A-Za-z_]\w*$/.test(t)).length;
}
const NODE_COST: Readonly<Record<FakeModel, number>> = {
  clients: fieldCount(CLIENT_FIELDS),
  jobs: fieldCount(JOB_FIELDS),
  quotes: fieldCount(QUOTE_FIELDS),
  invoices: fieldCount(INVOICE_FIELDS),
};
/** The connection field itself, plus `pageInfo { hasNextPage endCursor }`. */
const CONNECTION_OVERHEAD = 4;
const MAX_FIRST = 100;

type ListKind = "all" | "updatedAfter" | "recentlyUpdated";
interface ListSpec {
  model: FakeModel;
  kind: ListKind;
}
const LISTS = new Map<string, ListSpec>([
  [JOBBER_OPERATIONS.clients.all.name, { model: "clients", kind: "all" }],
  [JOBBER_OPERATIONS.clients.updatedAfter.name, { model: "clients", kind: "updatedAfter" }],
  [JOBBER_OPERATIONS.jobs.all.name, { model: "jobs", kind: "all" }],
  [JOBBER_OPERATIONS.jobs.recentlyUpdated.name, { model: "jobs", kind: "recentlyUpdated" }],
  [JOBBER_OPERATIONS.quotes.all.name, { model: "quotes", kind: "all" }],
  [JOBBER_OPERATIONS.quotes.updatedAfter.name, { model: "quotes", kind: "updatedAfter" }],
  [JOBBER_OPERATIONS.invoices.all.name, { model: "invoices", kind: "all" }],
  [JOBBER_OPERATIONS.invoices.updatedAfter.name, { model: "invoices", kind: "updatedAfter" }],
]);
const MUTATIONS = new Set([
  JOBBER_OPERATIONS.clientCreate.name,
  JOBBER_OPERATIONS.clientEdit.name,
  JOBBER_OPERATIONS.appDisconnect.name,
]);

const CLIENT_CREATE_KEYS = new Set([
  "firstName",
  "lastName",
  "companyName",
  "title",
  "isCompany",
  "emails",
  "phones",
  "billingAddress",
]);
const CLIENT_EDIT_KEYS = new Set([
  "firstName",
  "lastName",
  "companyName",
  "title",
  "billingAddress",
]);
const ADDRESS_KEYS = new Set(["street1", "street2", "city", "province", "postalCode", "country"]);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A GraphQL error body (HTTP 200), as Jobber answers invalid documents and variables.
 *
 * @example
 * ```ts
 * HttpResponse.json(graphqlErrorBody("Unknown operation", "undefinedField"));
 * ```
 * @see https://spec.graphql.org/October2021/#sec-Errors
 */
export function graphqlErrorBody(message: string, code?: string): Record<string, unknown> {
  return { errors: [{ message, ...(code !== undefined && { extensions: { code } }) }] };
}

class VariableError extends Error {}

function refill(bucket: FakeCostBucket, now: number): void {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  bucket.available = Math.min(
    bucket.maximumAvailable,
    bucket.available + elapsed * bucket.restoreRate,
  );
  bucket.at = now;
}

function costExtension(
  bucket: FakeCostBucket,
  requested: number,
  actual: number,
  available = bucket.available,
) {
  return {
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: bucket.maximumAvailable,
        currentlyAvailable: Math.floor(available),
        restoreRate: bucket.restoreRate,
      },
    },
  };
}

function encodeCursor(record: FakeRecord, kind: ListKind): string {
  const key =
    kind === "recentlyUpdated" ? [Math.floor(record.updatedAt / 1000), record.seq] : [record.seq];
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64");
}

function decodeCursor(cursor: string): number[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
    if (Array.isArray(value) && value.every((n) => typeof n === "number")) return value;
  } catch {
    // fall through
  }
  throw new VariableError(`Invalid cursor "${cursor}" for argument "after"`);
}

function firstOf(variables: Record<string, unknown>): number {
  const first = variables.first;
  if (typeof first !== "number" || !Number.isInteger(first)) {
    throw new VariableError("Variable $first of type Int! was provided invalid value");
  }
  if (first < 1 || first > MAX_FIRST) {
    throw new VariableError(`Argument "first" must be between 1 and ${MAX_FIRST}`);
  }
  return first;
}

function isoOf(value: unknown, name: string): number {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new VariableError(
      `Variable $${name} of type ISO8601DateTime! was provided invalid value`,
    );
  }
  return ms;
}

function checkKeys(value: unknown, allowed: Set<string>, type: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new VariableError(`Variable $input of type ${type}! was provided invalid value`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw new VariableError(
        `Variable $input of type ${type}! was provided invalid value for ${key} (Field is not defined on ${type})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/** userErrors for client input, Jobber style (`{ message, path }`). */
function clientUserErrors(input: Record<string, unknown>, creating: boolean) {
  const errors: { message: string; path: string[] }[] = [];
  const named = ["firstName", "lastName", "companyName"].some(
    (k) => typeof input[k] === "string" && (input[k] as string).trim() !== "",
  );
  if (creating && !named) {
    errors.push({
      message: "Client must have a first name, last name or company name",
      path: ["input", "firstName"],
    });
  }
  const emails = input.emails;
  if (emails !== undefined) {
    if (!Array.isArray(emails))
      throw new VariableError("Variable $input was provided invalid value for emails");
    emails.forEach((e: unknown, i) => {
      const address = (e as { address?: unknown } | null)?.address;
      if (typeof address !== "string" || !EMAIL_PATTERN.test(address)) {
        errors.push({
          message: "Email address is invalid",
          path: ["input", "emails", String(i), "address"],
        });
      }
    });
  }
  if (input.billingAddress !== undefined)
    checkKeys(input.billingAddress, ADDRESS_KEYS, "AddressAttributes");
  return errors;
}

function clientFields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["firstName", "lastName", "companyName"])
    if (key in input) out[key] = input[key];
  if (Array.isArray(input.emails)) {
    out.emails = input.emails.map((e: Record<string, unknown>) => ({
      address: e.address,
      description: e.description ?? "MAIN",
      primary: e.primary === true,
    }));
  }
  if (Array.isArray(input.phones)) {
    out.phones = input.phones.map((p: Record<string, unknown>) => ({
      number: p.number,
      description: p.description ?? "MAIN",
      primary: p.primary === true,
    }));
  }
  if (input.billingAddress !== undefined) {
    const a = input.billingAddress as Record<string, unknown>;
    out.billingAddress = {
      street1: a.street1 ?? null,
      street2: a.street2 ?? null,
      city: a.city ?? null,
      province: a.province ?? null,
      postalCode: a.postalCode ?? null,
      country: a.country ?? null,
    };
  }
  return out;
}

/**
 * MSW handlers for `POST https://api.getjobber.com/api/graphql`.
 *
 * @example
 * ```ts
 * const handlers = createJobberGraphqlHandlers(ctx);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function createJobberGraphqlHandlers(ctx: FakeGraphqlContext): HttpHandler[] {
  const list = (spec: ListSpec, variables: Record<string, unknown>, costOnly: boolean) => {
    const first = firstOf(variables);
    const requested = CONNECTION_OVERHEAD + first * NODE_COST[spec.model];
    if (costOnly) return { requested };
    const after = variables.after;
    if (after !== undefined && after !== null && typeof after !== "string") {
      throw new VariableError("Variable $after of type String was provided invalid value");
    }
    let records = [...ctx.state.records[spec.model].values()];
    if (spec.kind === "updatedAfter") {
      const since = isoOf(variables.updatedAfter, "updatedAfter");
      records = records.filter((r) => Math.floor(r.updatedAt / 1000) * 1000 > since);
    }
    const key = (r: FakeRecord) =>
      spec.kind === "recentlyUpdated" ? [Math.floor(r.updatedAt / 1000), r.seq] : [r.seq];
    const order = (a: number[], b: number[]) => {
      for (let i = 0; i < a.length; i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return spec.kind === "recentlyUpdated" ? -d : d;
      }
      return 0;
    };
    records.sort((a, b) => order(key(a), key(b)));
    if (typeof after === "string") {
      const from = decodeCursor(after);
      records = records.filter((r) => order(key(r), from) > 0);
    }
    const page = records.slice(0, first);
    const last = page.at(-1);
    return {
      requested,
      actual: CONNECTION_OVERHEAD + page.length * NODE_COST[spec.model],
      data: {
        [spec.model]: {
          nodes: page.map((r) => ctx.state.render(spec.model, r)),
          pageInfo: {
            hasNextPage: records.length > page.length,
            endCursor: last === undefined ? null : encodeCursor(last, spec.kind),
          },
        },
      },
    };
  };

  const mutate = (name: string, variables: Record<string, unknown>, subject: string) => {
    const requested = 2 + NODE_COST.clients + 3;
    if (name === JOBBER_OPERATIONS.appDisconnect.name) {
      ctx.disconnect(subject, "api");
      return {
        requested: 5,
        actual: 5,
        data: { appDisconnect: { app: { name: ctx.appName }, userErrors: [] } },
      };
    }
    if (name === JOBBER_OPERATIONS.clientCreate.name) {
      const input = checkKeys(variables.input, CLIENT_CREATE_KEYS, "ClientCreateInput");
      const userErrors = clientUserErrors(input, true);
      if (userErrors.length > 0) {
        return {
          requested,
          actual: requested,
          data: { clientCreate: { client: null, userErrors } },
        };
      }
      const record = ctx.state.create("clients", clientFields(input));
      ctx.changed("clients", "CREATE", record.id);
      return {
        requested,
        actual: requested,
        data: { clientCreate: { client: ctx.state.render("clients", record), userErrors: [] } },
      };
    }
    const clientId = variables.clientId;
    if (typeof clientId !== "string" || clientId === "") {
      throw new VariableError("Variable $clientId of type EncodedId! was provided invalid value");
    }
    const input = checkKeys(variables.input, CLIENT_EDIT_KEYS, "ClientEditInput");
    const existing = ctx.state.records.clients.get(clientId);
    const userErrors =
      existing === undefined
        ? [{ message: "Client not found", path: ["clientId"] }]
        : clientUserErrors(input, false);
    if (existing === undefined || userErrors.length > 0) {
      return { requested, actual: requested, data: { clientEdit: { client: null, userErrors } } };
    }
    const record = ctx.state.update("clients", clientId, clientFields(input));
    ctx.changed("clients", "UPDATE", record.id);
    return {
      requested,
      actual: requested,
      data: { clientEdit: { client: ctx.state.render("clients", record), userErrors: [] } },
    };
  };

  return [
    http.all(JOBBER_GRAPHQL_URL, async ({ request }) => {
      const version = request.headers.get(JOBBER_GRAPHQL_VERSION_HEADER);
      const entry: FakeGraphqlLogEntry = {
        operationName: "",
        variables: {},
        version,
        outcome: "error",
      };
      ctx.log.push(entry);
      if (request.method !== "POST") {
        entry.outcome = 405;
        return HttpResponse.json(graphqlErrorBody("Only POST is supported"), { status: 405 });
      }
      if (ctx.forced.rateLimited > 0) {
        ctx.forced.rateLimited--;
        entry.outcome = 429;
        // Rack::Attack's default answer: plain text, and Retry-After only when configured.
        return new HttpResponse("Retry later\n", {
          status: 429,
          headers: {
            "content-type": "text/plain",
            ...(ctx.forced.retryAfterSeconds !== undefined && {
              "retry-after": ctx.forced.retryAfterSeconds,
            }),
          },
        });
      }
      const mediaType = (request.headers.get("content-type") ?? "")
        .split(";")[0]
        ?.trim()
        .toLowerCase();
      if (mediaType !== "application/json") {
        entry.outcome = 415;
        return HttpResponse.json(
          graphqlErrorBody("GraphQL requests must use the application/json content type"),
          { status: 415 },
        );
      }
      const auth = ctx.authenticate(request);
      if (auth instanceof Response) {
        entry.outcome = auth.status;
        return auth;
      }
      if (version === null || !JOBBER_GRAPHQL_VERSION_PATTERN.test(version)) {
        entry.outcome = 400;
        return HttpResponse.json(
          graphqlErrorBody(
            `${JOBBER_GRAPHQL_VERSION_HEADER} header is missing or invalid: send a version such as 2025-04-16`,
          ),
          { status: 400 },
        );
      }
      let body: { query?: unknown; operationName?: unknown; variables?: unknown };
      try {
        body = (await request.json()) as typeof body;
      } catch {
        entry.outcome = 400;
        return HttpResponse.json(graphqlErrorBody("Request body is not valid JSON"), {
          status: 400,
        });
      }
      const query = typeof body?.query === "string" ? body.query : "";
      const declared = /^\s*(query|mutation)\s+([A-Za-z_]\w*)/.exec(query);
      const name =
        typeof body.operationName === "string" && body.operationName !== ""
          ? body.operationName
          : (declared?.[2] ?? "");
      const variables =
        body.variables !== null &&
        typeof body.variables === "object" &&
        !Array.isArray(body.variables)
          ? (body.variables as Record<string, unknown>)
          : {};
      entry.operationName = name;
      entry.variables = variables;
      const known =
        name === JOBBER_OPERATIONS.account.name || LISTS.has(name) || MUTATIONS.has(name);
      if (!known || declared?.[2] !== name) {
        return HttpResponse.json(
          graphqlErrorBody(
            known
              ? `No operation named "${name}" in the document`
              : `Unknown operation "${name}": this fake answers only the connector's documents`,
            "undefinedField",
          ),
        );
      }
      const listSpec = LISTS.get(name);
      try {
        const requested =
          name === JOBBER_OPERATIONS.account.name
            ? 3
            : listSpec !== undefined
              ? list(listSpec, variables, true).requested
              : 2 + NODE_COST.clients + 3;
        entry.requestedQueryCost = requested;
        refill(ctx.bucket, ctx.now());
        if (ctx.forced.throttled > 0 || requested > ctx.bucket.available) {
          const forced = ctx.forced.throttled > 0;
          if (forced) ctx.forced.throttled--;
          entry.outcome = "throttled";
          // A forced throttle reports one second's worth of points missing, without draining the bucket.
          const available = forced
            ? Math.max(0, requested - ctx.bucket.restoreRate)
            : ctx.bucket.available;
          return HttpResponse.json({
            errors: [
              {
                message: "Throttled",
                extensions: { code: "THROTTLED", documentation: JOBBER_RATE_LIMITS_URL },
              },
            ],
            extensions: costExtension(ctx.bucket, requested, 0, available),
          });
        }
        const result =
          name === JOBBER_OPERATIONS.account.name
            ? { requested: 3, actual: 3, data: { account: { ...ctx.account } } }
            : listSpec !== undefined
              ? list(listSpec, variables, false)
              : mutate(name, variables, auth.subject);
        const actual =
          "actual" in result && result.actual !== undefined ? result.actual : requested;
        ctx.bucket.available -= actual;
        entry.outcome = "data";
        return HttpResponse.json({
          data: "data" in result ? result.data : null,
          extensions: { ...costExtension(ctx.bucket, requested, actual), versioning: { version } },
        });
      } catch (error) {
        if (!(error instanceof VariableError)) throw error;
        return HttpResponse.json(graphqlErrorBody(error.message));
      }
    }),
  ];
}
