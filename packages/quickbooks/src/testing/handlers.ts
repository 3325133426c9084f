/**
 * MSW handlers for the fake company API, on both Intuit hosts (sandbox and
 * production): bearer check, realm check, Intuit's fault bodies, throttling
 * (500 per minute and 10 in flight per realm, as 429 `ThrottleExceeded`),
 * the query language subset, change data capture with its 30-day window,
 * `SyncToken`-checked writes and the Profit and Loss report.
 */
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import { QUICKBOOKS_API_HOSTS } from "../endpoints.js";
import { QUICKBOOKS_ENTITIES, type QuickBooksEntity } from "../schemas.js";
import { evaluateQuery, parseQuery } from "./query.js";
import { FakeFaultError, notFound, type QuickBooksFakeState, qboTimestamp } from "./state.js";

/**
 * One API request the fake answered.
 *
 * @example
 * ```ts
 * fake.requests.filter((r) => r.path.endsWith("/cdc"));
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export interface FakeRequestLogEntry {
  method: string;
  host: string;
  /** The path after `/v3/company/<realmId>/`. */
  path: string;
  query: Record<string, string>;
  status: number;
}

/**
 * A fault to answer with HTTP 200 (see `faultNext`).
 *
 * @example
 * ```ts
 * const fault: FakeFaultSpec = { type: "ValidationFault", Message: "Invalid query", Detail: "…", code: "4001" };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export interface FakeFaultSpec {
  type: string;
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

/**
 * What the handlers share with the fake: its state, OAuth server, request
 * log, queued faults and limits.
 *
 * @example
 * ```ts
 * const ctx: FakeApiContext = { state, oauth, log: [], forced: { rateLimited: 0, faultsIn200: [] }, limits: false, arrivals: [], inFlight: { now: 0, max: 0 }, latencyMs: 0, cdcLookbackMs: 30 * 86_400_000 };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export interface FakeApiContext {
  state: QuickBooksFakeState;
  oauth: FakeOAuthServer;
  log: FakeRequestLogEntry[];
  forced: { rateLimited: number; faultsIn200: FakeFaultSpec[] };
  /** Server-side limits; `false` turns them off. */
  limits: { perMinute: number; concurrent: number } | false;
  arrivals: number[];
  inFlight: { now: number; max: number };
  latencyMs: number;
  cdcLookbackMs: number;
}

const ENTITY_BY_PATH = new Map<string, QuickBooksEntity>(
  Object.values(QUICKBOOKS_ENTITIES).map((e) => [e.toLowerCase(), e]),
);

/**
 * An Intuit fault body: `{ Fault: { Error: [...], type }, time }`.
 *
 * @example
 * ```ts
 * return faultResponse(400, "ValidationFault", { Message: "Stale Object Error", Detail: "…", code: "5010" }, now);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function faultResponse(
  status: number,
  type: string,
  error: { Message: string; Detail: string; code: string; element?: string },
  now: number,
): Response {
  return HttpResponse.json(
    { Fault: { Error: [{ element: "", ...error }], type }, time: qboTimestamp(now, true) },
    { status, headers: { intuit_tid: `fake-${now.toString(36)}` } },
  );
}

/**
 * Intuit's throttle answer: 429 with a `ThrottleExceeded` fault (no `Retry-After`).
 *
 * @example
 * ```ts
 * return throttled(Date.now());
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
 */
export function throttled(now: number): Response {
  return faultResponse(
    429,
    "SERVICE",
    {
      Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
      Detail: "The request limit was reached.  Try again later",
      code: "3001",
    },
    now,
  );
}

function ok(body: Record<string, unknown>, now: number): Response {
  return HttpResponse.json({ ...body, time: qboTimestamp(now, true) });
}

/**
 * Build the handlers.
 *
 * @example
 * ```ts
 * setupServer(...createQuickBooksApiHandlers(ctx));
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export function createQuickBooksApiHandlers(ctx: FakeApiContext): HttpHandler[] {
  const { state } = ctx;

  /** Common checks and bookkeeping around every API call. */
  const guarded =
    (answer: (request: Request, url: URL, rest: string) => Promise<Response> | Response) =>
    async ({ request, params }: { request: Request; params: Record<string, unknown> }) => {
      const url = new URL(request.url);
      const realm = String(params.realmId);
      const prefix = `/v3/company/${realm}/`;
      const rest = url.pathname.slice(prefix.length);
      const now = state.now();
      const entry: FakeRequestLogEntry = {
        method: request.method,
        host: url.origin,
        path: rest,
        query: Object.fromEntries(url.searchParams),
        status: 0,
      };
      ctx.log.push(entry);
      ctx.inFlight.now++;
      ctx.inFlight.max = Math.max(ctx.inFlight.max, ctx.inFlight.now);
      try {
        if (ctx.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.latencyMs));
        const response = await respond();
        entry.status = response.status;
        return response;
      } finally {
        ctx.inFlight.now--;
      }

      async function respond(): Promise<Response> {
        const auth = ctx.oauth.verifyBearer(request);
        if (!auth.valid) {
          return faultResponse(
            401,
            "AuthenticationFault",
            {
              Message: "message=AuthenticationFailed; errorCode=003200; statusCode=401",
              Detail:
                auth.reason === "missing"
                  ? "Authorization header missing"
                  : "Token expired or invalid",
              code: "3200",
            },
            now,
          );
        }
        if (realm !== state.realmId) {
          return faultResponse(
            403,
            "AuthorizationFault",
            {
              Message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
              Detail: `The token is not authorized for company ${realm}`,
              code: "3100",
            },
            now,
          );
        }
        if (ctx.forced.rateLimited > 0) {
          ctx.forced.rateLimited--;
          return throttled(now);
        }
        if (ctx.limits !== false) {
          while (ctx.arrivals.length > 0 && ctx.arrivals[0]! <= now - 60_000) ctx.arrivals.shift();
          if (
            ctx.arrivals.length >= ctx.limits.perMinute ||
            ctx.inFlight.now > ctx.limits.concurrent
          ) {
            return throttled(now);
          }
          ctx.arrivals.push(now);
        }
        const fault = ctx.forced.faultsIn200.shift();
        if (fault !== undefined) {
          const { type, ...error } = fault;
          return faultResponse(200, type, error, now);
        }
        try {
          return await answer(request, url, rest);
        } catch (error) {
          if (error instanceof FakeFaultError)
            return faultResponse(error.status, error.type, error.error, now);
          throw error;
        }
      }
    };

  const query = async (request: Request, url: URL): Promise<Response> => {
    const now = state.now();
    let statement = url.searchParams.get("query");
    if (request.method === "POST") statement = await request.text();
    if (statement === null || statement.trim() === "") {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Error parsing query",
        Detail: 'QueryParserError: Encountered "<EOF>"',
        code: "4000",
      });
    }
    const parsed = parseQuery(statement);
    const entity = ENTITY_BY_PATH.get(parsed.entity.toLowerCase());
    if (entity === undefined || entity !== parsed.entity) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Invalid query",
        Detail: `QueryValidationError: Invalid table name ${parsed.entity}`,
        code: "4001",
      });
    }
    const { page, total } = evaluateQuery(
      parsed,
      state.list(entity),
      entity === "Customer" || entity === "Item",
    );
    if (parsed.count) return ok({ QueryResponse: { totalCount: total } }, now);
    // An empty answer carries no entity array at all.
    return ok(
      {
        QueryResponse:
          page.length === 0
            ? {}
            : { [entity]: page, startPosition: parsed.startPosition, maxResults: page.length },
      },
      now,
    );
  };

  const cdc = (url: URL): Response => {
    const now = state.now();
    const names = (url.searchParams.get("entities") ?? "").split(",").filter((s) => s.trim());
    const since = Date.parse(url.searchParams.get("changedSince") ?? "");
    if (names.length === 0 || Number.isNaN(since)) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Required param missing, need to supply the required value for the API",
        Detail: "entities and changedSince are required",
        code: "2020",
      });
    }
    if (since < now - ctx.cdcLookbackMs) {
      // Assumed shape: Intuit documents the 30-day limit, not the exact fault it answers with.
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Invalid query",
        Detail: "changedSince cannot be more than 30 days ago",
        code: "4000",
        element: "changedSince",
      });
    }
    let budget = 1000;
    const responses = names.map((name) => {
      const entity = ENTITY_BY_PATH.get(name.trim().toLowerCase());
      if (entity === undefined) {
        throw new FakeFaultError(400, "ValidationFault", {
          Message: "Invalid query",
          Detail: `Unsupported entity ${name} for change data capture`,
          code: "4001",
        });
      }
      const changed = state
        .list(entity)
        .filter((row) => (state.changedAt.get(`${entity}:${row.Id}`) ?? 0) >= since)
        .sort(
          (a, b) =>
            (state.changedAt.get(`${entity}:${a.Id}`) ?? 0) -
            (state.changedAt.get(`${entity}:${b.Id}`) ?? 0),
        );
      const deleted = state.deletions
        .filter((d) => d.entity === entity && d.at >= since)
        .map((d) => ({
          domain: "QBO",
          status: "Deleted",
          Id: d.id,
          MetaData: { LastUpdatedTime: qboTimestamp(d.at) },
        }));
      // Deleted objects come after active ones; one answer holds at most 1000 objects.
      const rows = [...changed, ...deleted].slice(0, Math.max(0, budget));
      budget -= rows.length;
      return rows.length === 0
        ? {}
        : { [entity]: rows, startPosition: 1, maxResults: rows.length, totalCount: rows.length };
    });
    return ok({ CDCResponse: [{ QueryResponse: responses }] }, now);
  };

  const profitAndLoss = (url: URL): Response => {
    const now = state.now();
    const start = url.searchParams.get("start_date") ?? qboTimestamp(now).slice(0, 8).concat("01");
    const end = url.searchParams.get("end_date") ?? qboTimestamp(now).slice(0, 10);
    const method = url.searchParams.get("accounting_method") ?? "Accrual";
    if (method !== "Accrual" && method !== "Cash") {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Invalid parameter",
        Detail: `accounting_method must be Accrual or Cash, got ${method}`,
        code: "2030",
        element: "accounting_method",
      });
    }
    const source = method === "Accrual" ? state.list("Invoice") : state.list("Payment");
    const income = source
      .filter((row) => String(row.TxnDate) >= start && String(row.TxnDate) <= end)
      .reduce((sum, row) => sum + Number(row.TotalAmt ?? 0), 0);
    const amount = income.toFixed(2);
    const section = (group: string, title: string, value: string) => ({
      type: "Section",
      group,
      Summary: { ColData: [{ value: title }, { value }] },
    });
    return HttpResponse.json({
      Header: {
        Time: qboTimestamp(now),
        ReportName: "ProfitAndLoss",
        ReportBasis: method,
        StartPeriod: start,
        EndPeriod: end,
        SummarizeColumnsBy: "Total",
        Currency: "USD",
        Option: [{ Name: "AccountingStandard", Value: "GAAP" }],
      },
      Columns: {
        Column: [
          { ColTitle: "", ColType: "Account" },
          { ColTitle: "Total", ColType: "Money" },
        ],
      },
      Rows: {
        Row: [
          {
            type: "Section",
            group: "Income",
            Header: { ColData: [{ value: "Income" }, { value: "" }] },
            Rows: {
              Row: [{ type: "Data", ColData: [{ value: "Services", id: "1" }, { value: amount }] }],
            },
            Summary: { ColData: [{ value: "Total Income" }, { value: amount }] },
          },
          section("GrossProfit", "Gross Profit", amount),
          section("Expenses", "Total Expenses", "0.00"),
          section("NetOperatingIncome", "Net Operating Income", amount),
          section("NetIncome", "Net Income", amount),
        ],
      },
    });
  };

  const readOne = (rest: string): Response => {
    const [name, id] = rest.split("/");
    const entity = ENTITY_BY_PATH.get(String(name));
    if (entity === undefined || id === undefined) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Unsupported Operation",
        Detail: `Operation ${rest} is not supported`,
        code: "500",
      });
    }
    const row = state.get(entity, decodeURIComponent(id));
    if (row === undefined) throw notFound(entity, id);
    return ok({ [entity]: row }, state.now());
  };

  const write = async (request: Request, url: URL, rest: string): Promise<Response> => {
    const entity = ENTITY_BY_PATH.get(rest);
    if (entity === undefined) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Unsupported Operation",
        Detail: `Operation ${rest} is not supported`,
        code: "500",
      });
    }
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Request has invalid or unsupported property",
        Detail: "Property Name:Can not deserialize instance specified is unsupported or invalid",
        code: "2010",
      });
    }
    const id = typeof body.Id === "string" ? body.Id : undefined;
    const syncToken = typeof body.SyncToken === "string" ? body.SyncToken : undefined;
    if (id !== undefined && syncToken === undefined) {
      throw new FakeFaultError(400, "ValidationFault", {
        Message: "Required param missing, need to supply the required value for the API",
        Detail: "Required parameter SyncToken is missing in the request",
        code: "2020",
        element: "SyncToken",
      });
    }
    if (url.searchParams.get("operation") === "delete") {
      if (id === undefined) throw notFound(entity, "");
      state.remove(entity, id, syncToken);
      return ok({ [entity]: { Id: id, status: "Deleted", domain: "QBO" } }, state.now());
    }
    const saved =
      id === undefined
        ? state.create(entity, body)
        : state.update(entity, id, body, { syncToken: syncToken!, sparse: body.sparse === true });
    return ok({ [entity]: saved }, state.now());
  };

  const handlers: HttpHandler[] = [];
  for (const host of Object.values(QUICKBOOKS_API_HOSTS)) {
    const base = `${host}/v3/company/:realmId`;
    handlers.push(
      http.get(
        `${base}/companyinfo/:companyId`,
        guarded((_r, _u, rest) => {
          const id = rest.split("/")[1];
          if (id !== state.realmId) throw notFound("CompanyInfo", String(id));
          return ok(
            {
              CompanyInfo: {
                Id: state.realmId,
                SyncToken: "0",
                CompanyName: state.companyName,
                LegalName: state.companyName,
                Country: "US",
                CompanyAddr: {
                  Line1: "1200 Pipe Way",
                  City: "Mountain View",
                  CountrySubDivisionCode: "CA",
                },
                MetaData: { CreateTime: qboTimestamp(0), LastUpdatedTime: qboTimestamp(0) },
              },
            },
            state.now(),
          );
        }),
      ),
      http.get(
        `${base}/query`,
        guarded((request, url) => query(request, url)),
      ),
      http.post(
        `${base}/query`,
        guarded((request, url) => query(request, url)),
      ),
      http.get(
        `${base}/cdc`,
        guarded((_r, url) => cdc(url)),
      ),
      http.get(
        `${base}/reports/ProfitAndLoss`,
        guarded((_r, url) => profitAndLoss(url)),
      ),
      http.get(
        `${base}/:entity/:id`,
        guarded((_r, _u, rest) => readOne(rest)),
      ),
      http.post(
        `${base}/:entity`,
        guarded((request, url, rest) => write(request, url, rest)),
      ),
    );
  }
  return handlers;
}
