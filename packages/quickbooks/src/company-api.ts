/**
 * Calls to one company's Accounting API: every request carries
 * `minorversion`, every answer is checked for a Fault (even with HTTP 200),
 * and the query language and change data capture are spoken here.
 */
import type { HttpClient, HttpRequest } from "@patchbay/core";
import { QUICKBOOKS_MINOR_VERSION, QUICKBOOKS_PATHS } from "./endpoints.js";
import { throwIfFault } from "./faults.js";
import { CdcResponseSchema, QueryResponseSchema, type QuickBooksEntity } from "./schemas.js";

/**
 * The most rows one query returns (`MAXRESULTS` above it is capped).
 *
 * @example
 * ```ts
 * selectStatement("Customer", { startPosition: 1, maxResults: QUICKBOOKS_MAX_RESULTS });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export const QUICKBOOKS_MAX_RESULTS = 1000;

/**
 * How far back change data capture looks: 30 days.
 *
 * @example
 * ```ts
 * const usable = Date.now() - Date.parse(since) < CDC_LOOKBACK_MS;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export const CDC_LOOKBACK_MS = 30 * 24 * 3600 * 1000;

/**
 * The most objects one change data capture answer holds; a full answer may
 * have left changes out.
 *
 * @example
 * ```ts
 * if (objects.length >= CDC_MAX_OBJECTS) fallBackToQuery();
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export const CDC_MAX_OBJECTS = 1000;

/**
 * Send one request to the company API with `minorversion`, and return the
 * body after checking it for a Fault.
 *
 * @throws the typed error of a Fault, whatever the HTTP status.
 * @example
 * ```ts
 * const data = await companyRequest(http, { path: QUICKBOOKS_PATHS.read("Customer", "58") });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export async function companyRequest<T = unknown>(
  http: HttpClient,
  request: HttpRequest,
  waitMs?: number,
): Promise<T> {
  const { data } = await http.request<T>({
    ...request,
    query: { ...request.query, minorversion: QUICKBOOKS_MINOR_VERSION },
  });
  throwIfFault(data, `${request.method ?? "GET"} ${request.path}`, waitMs);
  return data;
}

/**
 * A date-time literal for the query language and `changedSince`: UTC, no milliseconds.
 *
 * @example
 * ```ts
 * qboDateTime(Date.parse("2025-06-01T00:00:00.123Z")); // "2025-06-01T00:00:00Z"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function qboDateTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/**
 * A select statement of the subset the connector uses:
 * `select * from <Entity> [where ...] [ORDERBY ...] STARTPOSITION n MAXRESULTS m`.
 *
 * @example
 * ```ts
 * selectStatement("Customer", { updatedAfter: "2025-06-01T00:00:00Z", startPosition: 1001 });
 * // "select * from Customer where MetaData.LastUpdatedTime > '2025-06-01T00:00:00Z' ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1001 MAXRESULTS 1000"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function selectStatement(
  entity: QuickBooksEntity,
  options: {
    updatedAfter?: string;
    includeInactive?: boolean;
    ids?: readonly string[];
    startPosition?: number;
    maxResults?: number;
  } = {},
): string {
  const where: string[] = [];
  if (options.includeInactive) where.push("Active IN (true, false)");
  if (options.ids !== undefined)
    where.push(`Id IN (${options.ids.map((id) => `'${id.replace(/'/g, "\\'")}'`).join(", ")})`);
  if (options.updatedAfter !== undefined)
    where.push(`MetaData.LastUpdatedTime > '${options.updatedAfter}'`);
  const order =
    options.updatedAfter !== undefined
      ? " ORDERBY MetaData.LastUpdatedTime"
      : options.ids === undefined
        ? " ORDERBY Id"
        : "";
  return `select * from ${entity}${where.length > 0 ? ` where ${where.join(" and ")}` : ""}${order} STARTPOSITION ${options.startPosition ?? 1} MAXRESULTS ${options.maxResults ?? QUICKBOOKS_MAX_RESULTS}`;
}

/**
 * Run one select statement; returns the rows (none when QuickBooks omits
 * the entity array, as it does for an empty result) and the server time.
 *
 * @example
 * ```ts
 * const { rows } = await runQuery(http, "Customer", selectStatement("Customer"));
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export async function runQuery(
  http: HttpClient,
  entity: QuickBooksEntity,
  statement: string,
  options: { signal?: AbortSignal; waitMs?: number } = {},
): Promise<{ rows: Record<string, unknown>[]; time: string | undefined }> {
  const data = await companyRequest(
    http,
    {
      path: QUICKBOOKS_PATHS.query,
      query: { query: statement },
      ...(options.signal && { signal: options.signal }),
    },
    options.waitMs,
  );
  const parsed = QueryResponseSchema.parse(data);
  const rows = parsed.QueryResponse[entity];
  return {
    rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [],
    time: parsed.time,
  };
}

/**
 * Change data capture for one entity since `changedSince`: changed objects
 * (full payloads) and deleted ones (`status: "Deleted"`).
 *
 * @example
 * ```ts
 * const { changed, deleted, time } = await changedSince(http, "Invoice", "2025-06-01T00:00:00Z");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export async function changedSince(
  http: HttpClient,
  entity: QuickBooksEntity,
  since: string,
  options: { signal?: AbortSignal; waitMs?: number } = {},
): Promise<{
  changed: Record<string, unknown>[];
  deleted: string[];
  total: number;
  time: string | undefined;
}> {
  const data = await companyRequest(
    http,
    {
      path: QUICKBOOKS_PATHS.cdc,
      query: { entities: entity, changedSince: since },
      ...(options.signal && { signal: options.signal }),
    },
    options.waitMs,
  );
  const parsed = CdcResponseSchema.parse(data);
  const changed: Record<string, unknown>[] = [];
  const deleted: string[] = [];
  for (const block of parsed.CDCResponse) {
    for (const response of block.QueryResponse) {
      const rows = response[entity];
      if (!Array.isArray(rows)) continue;
      for (const row of rows as Record<string, unknown>[]) {
        if (row.status === "Deleted") deleted.push(String(row.Id));
        else changed.push(row);
      }
    }
  }
  return { changed, deleted, total: changed.length + deleted.length, time: parsed.time };
}
