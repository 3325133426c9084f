import { ProviderError } from "../errors.js";
import { redactString } from "../redact.js";
import type { HttpClient, HttpRequest, HttpResponse } from "./types.js";

/**
 * Reads one page's items. `data` is the parsed body; `response` gives the
 * headers and status when items live there.
 *
 * @example
 * ```ts
 * const items: PageItems<Contact, { results: Contact[] }> = (page) => page.results
 * ```
 */
export type PageItems<T, P> = (data: P, response: HttpResponse<P>) => readonly T[];

/**
 * Reads a number (a total, a page count) from a page; `undefined` when the page does not say.
 *
 * @example
 * ```ts
 * const total: PageCount<{ total_count?: number }> = (page) => page.total_count
 * ```
 */
export type PageCount<P> = (data: P, response: HttpResponse<P>) => number | null | undefined;

/**
 * Options every paginator takes.
 *
 * @example
 * ```ts
 * const base: PaginationBase<Row, RowsPage> = { items: (page) => page.rows, maxPages: 50 }
 * ```
 */
export interface PaginationBase<T, P> {
  /** The items of one page. Must return an array (empty when the page has none). */
  items: PageItems<T, P>;
  /** Stop after this many pages even if the provider has more. Default: no limit. */
  maxPages?: number;
}

/**
 * Options of {@link paginateCursor}.
 *
 * @example Slack
 * ```ts
 * const slack: CursorPagination<Channel, ChannelsPage> = {
 *   items: (page) => page.channels,
 *   next: (page) => page.response_metadata?.next_cursor,
 * }
 * ```
 */
export interface CursorPagination<T, P = unknown> extends PaginationBase<T, P> {
  /** The cursor of the next page; `undefined`, `null` or `""` on the last page. */
  next: (data: NoInfer<P>, response: HttpResponse<NoInfer<P>>) => string | null | undefined;
  /**
   * Where the cursor goes on the next request: a query parameter name
   * (default `"cursor"`), or a function building the next request — for a
   * cursor in a JSON body or a `next` that is a whole URL.
   */
  param?: string | ((request: HttpRequest, cursor: string) => HttpRequest);
}

/**
 * Options of {@link paginateOffset}.
 *
 * @example
 * ```ts
 * const members: OffsetPagination<Member, MembersPage> = {
 *   items: (page) => page.members,
 *   total: (page) => page.total_items,
 *   pageSize: 1000,
 *   limitParam: "count",
 * }
 * ```
 */
export interface OffsetPagination<T, P = unknown> extends PaginationBase<T, P> {
  /** Items asked for per page, sent as `limitParam`. Must not exceed the provider's maximum. */
  pageSize: number;
  /** Default `"limit"`. */
  limitParam?: string;
  /** Default `"offset"`. */
  offsetParam?: string;
  /** Offset of the first page. Default 0. */
  startOffset?: number;
  /**
   * The total number of items, when the provider declares it. When it does,
   * paging continues until the offset reaches it (a provider that caps the
   * page below `pageSize` is followed correctly); otherwise a page shorter
   * than `pageSize` is the last.
   */
  total?: PageCount<NoInfer<P>>;
}

/**
 * Options of {@link paginatePageNumber}.
 *
 * @example
 * ```ts
 * const tickets: PageNumberPagination<Ticket, TicketsPage> = {
 *   items: (page) => page.tickets,
 *   totalPages: (page) => page.total_pages,
 *   pageSize: 100,
 * }
 * ```
 */
export interface PageNumberPagination<T, P = unknown> extends PaginationBase<T, P> {
  /** Items asked for per page. Must not exceed the provider's maximum. */
  pageSize: number;
  /** Default `"page"`. */
  pageParam?: string;
  /** Query parameter carrying `pageSize`; `false` to not send it. Default `"per_page"`. */
  sizeParam?: string | false;
  /** Number of the first page. Default 1. */
  firstPage?: number;
  /** How many pages there are, when the provider declares it. */
  totalPages?: PageCount<NoInfer<P>>;
  /** How many items there are, when the provider declares it. */
  total?: PageCount<NoInfer<P>>;
}

/**
 * Options of {@link paginateLinkHeader}.
 *
 * @example GitHub
 * ```ts
 * const issues: LinkHeaderPagination<Issue, Issue[]> = { items: (page) => page }
 * ```
 */
export interface LinkHeaderPagination<T, P = unknown> extends PaginationBase<T, P> {
  /** The relation to follow. Default `"next"`. */
  rel?: string;
}

/**
 * One link of an RFC 8288 `Link` header.
 *
 * @example
 * ```ts
 * const next: LinkValue | undefined = parseLinkHeader(header).find((link) => link.rel.includes("next"))
 * ```
 */
export interface LinkValue {
  /** The target, exactly as written (resolve it against the request URL if relative). */
  href: string;
  /** Relation types, lowercased (`rel="next last"` → `["next", "last"]`). */
  rel: string[];
  /** Every parameter, names lowercased; the first occurrence of a name wins. */
  params: Record<string, string>;
}

/**
 * Page through an API that returns a cursor (token) for the next page. Yields
 * each page's items as an array, one request at a time, so callers can stream
 * and stop early; empty pages are skipped. Stops when `next` returns nothing.
 * A cursor the provider already returned once throws a `ProviderError`
 * instead of looping forever.
 *
 * @throws TypeError (at the call) naming an invalid option.
 * @example
 * ```ts
 * type Page = { records: Row[]; offset?: string }
 * for await (const rows of paginateCursor<Row, Page>(http, { path: `${baseId}/${table}` }, {
 *   items: (page) => page.records,
 *   next: (page) => page.offset,
 *   param: "offset",
 * })) await save(rows)
 * ```
 * @example A cursor sent in a JSON body (Notion)
 * ```ts
 * paginateCursor(http, { method: "POST", path: "search", json: {} }, {
 *   items: (page: SearchPage) => page.results,
 *   next: (page: SearchPage) => (page.has_more ? page.next_cursor : undefined),
 *   param: (request, cursor) => ({ ...request, json: { ...(request.json as object), start_cursor: cursor } }),
 * })
 * ```
 */
export function paginateCursor<T, P = unknown>(
  client: HttpClient,
  first: HttpRequest,
  options: CursorPagination<T, P>,
): AsyncGenerator<T[], void, undefined> {
  checkCommon(client, first, options);
  if (typeof options.next !== "function") throw new TypeError('"next" must be a function');
  const param = options.param ?? "cursor";
  if (typeof param !== "function" && !isName(param)) {
    throw new TypeError('"param" must be a non-empty string or a function');
  }
  const withCursor =
    typeof param === "function"
      ? param
      : (request: HttpRequest, cursor: string): HttpRequest => ({
          ...request,
          query: { ...request.query, [param]: cursor },
        });
  return (async function* () {
    const seen = new Set<string>();
    const initial = typeof param === "string" ? first.query?.[param] : undefined;
    if (typeof initial === "string" && initial !== "") seen.add(initial);
    let request = first;
    for (let page = 1; ; page++) {
      const response = await client.request<P>(request);
      const items = readItems(options.items, response);
      if (items.length > 0) yield items;
      const cursor = options.next(response.data, response);
      if (cursor === undefined || cursor === null || cursor === "") return;
      if (typeof cursor !== "string")
        throw new TypeError('"next" must return a string or undefined');
      if (seen.has(cursor)) {
        throw loopError("paginateCursor", request, response, page, `cursor "${clip(cursor)}"`);
      }
      seen.add(cursor);
      if (page >= (options.maxPages ?? Number.POSITIVE_INFINITY)) return;
      request = withCursor(first, cursor);
    }
  })();
}

/**
 * Page through an API addressed by `limit` and `offset`. Yields each page's
 * items (empty pages skipped). Stops on an empty page, when the declared
 * `total` is reached, or — when no total is declared — on a page shorter than
 * `pageSize`. The offset advances by the number of items actually received.
 *
 * @throws TypeError (at the call) naming an invalid option.
 * @example
 * ```ts
 * for await (const members of paginateOffset(http, { path: `lists/${listId}/members` }, {
 *   items: (page: MembersPage) => page.members,
 *   total: (page: MembersPage) => page.total_items,
 *   pageSize: 1000,
 *   limitParam: "count",
 * })) await save(members)
 * ```
 */
export function paginateOffset<T, P = unknown>(
  client: HttpClient,
  first: HttpRequest,
  options: OffsetPagination<T, P>,
): AsyncGenerator<T[], void, undefined> {
  checkCommon(client, first, options);
  checkPositiveInteger(options.pageSize, "pageSize");
  const limitParam = checkName(options.limitParam ?? "limit", "limitParam");
  const offsetParam = checkName(options.offsetParam ?? "offset", "offsetParam");
  const startOffset = options.startOffset ?? 0;
  if (!Number.isSafeInteger(startOffset) || startOffset < 0) {
    throw new TypeError('"startOffset" must be a non-negative integer');
  }
  if (options.total !== undefined && typeof options.total !== "function") {
    throw new TypeError('"total" must be a function');
  }
  return (async function* () {
    let offset = startOffset;
    for (let page = 1; ; page++) {
      const response = await client.request<P>({
        ...first,
        query: { ...first.query, [limitParam]: options.pageSize, [offsetParam]: offset },
      });
      const items = readItems(options.items, response);
      const total = readCount(options.total, response, "total");
      if (items.length === 0) {
        // An empty page before the declared total is a provider hiccup, not the end:
        // ending here would let delete detection drop every record after it.
        if (total !== undefined && offset < total) throw shortListing(first, offset, total);
        return;
      }
      yield items;
      offset += items.length;
      if (total !== undefined ? offset >= total : items.length < options.pageSize) return;
      if (page >= (options.maxPages ?? Number.POSITIVE_INFINITY)) return;
    }
  })();
}

/** An empty page where the provider's own count says items remain: retryable, never the end. */
function shortListing(
  first: HttpRequest,
  received: number,
  total: number | undefined,
  where?: string,
): ProviderError {
  const at = where ?? `after ${received} of ${total} items`;
  return new ProviderError(
    `${first.method ?? "GET"} ${first.path}: the provider returned an empty page ${at}; the listing is incomplete, so nothing is marked deleted and the sync will retry`,
    { retryable: true },
  );
}

/**
 * Page through an API addressed by page number. Yields each page's items
 * (empty pages skipped). Stops on an empty page, after the declared
 * `totalPages` or `total` items, or — when neither is declared — on a page
 * shorter than `pageSize`.
 *
 * @throws TypeError (at the call) naming an invalid option.
 * @example
 * ```ts
 * for await (const tickets of paginatePageNumber(http, { path: "tickets" }, {
 *   items: (page: TicketsPage) => page.tickets,
 *   totalPages: (page: TicketsPage) => page.total_pages,
 *   pageSize: 100,
 * })) await save(tickets)
 * ```
 */
export function paginatePageNumber<T, P = unknown>(
  client: HttpClient,
  first: HttpRequest,
  options: PageNumberPagination<T, P>,
): AsyncGenerator<T[], void, undefined> {
  checkCommon(client, first, options);
  checkPositiveInteger(options.pageSize, "pageSize");
  const pageParam = checkName(options.pageParam ?? "page", "pageParam");
  const sizeParam =
    options.sizeParam === false ? false : checkName(options.sizeParam ?? "per_page", "sizeParam");
  const firstPage = options.firstPage ?? 1;
  if (!Number.isSafeInteger(firstPage) || firstPage < 0) {
    throw new TypeError('"firstPage" must be a non-negative integer');
  }
  for (const name of ["total", "totalPages"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`"${name}" must be a function`);
    }
  }
  return (async function* () {
    let received = 0;
    for (let page = 1; ; page++) {
      const response = await client.request<P>({
        ...first,
        query: {
          ...first.query,
          [pageParam]: firstPage + page - 1,
          ...(sizeParam !== false && { [sizeParam]: options.pageSize }),
        },
      });
      const items = readItems(options.items, response);
      const totalPages = readCount(options.totalPages, response, "totalPages");
      const total = readCount(options.total, response, "total");
      if (items.length === 0) {
        // As with offsets: an empty page before the declared end is not the end.
        if (total !== undefined && received < total) throw shortListing(first, received, total);
        if (totalPages !== undefined && page < totalPages)
          throw shortListing(first, received, total, `page ${page} of ${totalPages}`);
        return;
      }
      yield items;
      received += items.length;
      if (totalPages !== undefined && page >= totalPages) return;
      if (total !== undefined && received >= total) return;
      if (totalPages === undefined && total === undefined && items.length < options.pageSize)
        return;
      if (page >= (options.maxPages ?? Number.POSITIVE_INFINITY)) return;
    }
  })();
}

/**
 * Page through an API that links the next page in an RFC 8288 `Link` header
 * (`Link: <https://api.github.com/...&page=2>; rel="next"`, as GitHub,
 * Shopify and Zendesk do). The next URL already carries the query, so
 * `first.query` is sent on the first request only. Yields each page's items
 * (empty pages skipped); stops when there is no `next` link; a link already
 * followed throws a `ProviderError`.
 *
 * @throws TypeError (at the call) naming an invalid option.
 * @see https://www.rfc-editor.org/rfc/rfc8288
 * @example
 * ```ts
 * for await (const issues of paginateLinkHeader(http, { path: "repos/o/r/issues", query: { per_page: 100 } }, {
 *   items: (page: Issue[]) => page,
 * })) await save(issues)
 * ```
 */
export function paginateLinkHeader<T, P = unknown>(
  client: HttpClient,
  first: HttpRequest,
  options: LinkHeaderPagination<T, P>,
): AsyncGenerator<T[], void, undefined> {
  checkCommon(client, first, options);
  const rel = checkName(options.rel ?? "next", "rel").toLowerCase();
  return (async function* () {
    const seen = new Set<string>();
    let request = first;
    for (let page = 1; ; page++) {
      const response = await client.request<P>(request);
      const items = readItems(options.items, response);
      if (items.length > 0) yield items;
      const link = parseLinkHeader(response.headers.get("link")).find((l) => l.rel.includes(rel));
      if (link === undefined || link.href === "") return;
      const next = response.url ? new URL(link.href, response.url).href : link.href;
      if (seen.has(next) || next === response.url) {
        throw loopError("paginateLinkHeader", request, response, page, "link");
      }
      seen.add(next);
      if (page >= (options.maxPages ?? Number.POSITIVE_INFINITY)) return;
      request = { ...first, path: next, query: undefined };
    }
  })();
}

/**
 * Parse an RFC 8288 `Link` header into its links. Tolerant: malformed parts
 * are skipped rather than thrown, and commas or semicolons inside `<...>` or
 * quoted strings are handled.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8288#section-3
 * @example
 * ```ts
 * parseLinkHeader('<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last"')
 * // [{ href: "https://api.example.com/items?page=2", rel: ["next"], params: { rel: "next" } }, ...]
 * ```
 */
export function parseLinkHeader(value: string | null | undefined): LinkValue[] {
  if (typeof value !== "string") return [];
  const links: LinkValue[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < value.length && /\s/.test(value[i] as string)) i++;
  };
  while (i < value.length) {
    while (i < value.length && (value[i] === "," || /\s/.test(value[i] as string))) i++;
    if (i >= value.length) break;
    if (value[i] !== "<") {
      // Not a link-value: skip to the next comma.
      const comma = value.indexOf(",", i);
      i = comma === -1 ? value.length : comma + 1;
      continue;
    }
    const end = value.indexOf(">", i);
    if (end === -1) break;
    const href = value.slice(i + 1, end).trim();
    i = end + 1;
    const params: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (value[i] !== ";") break;
      i++;
      skipSpace();
      const nameStart = i;
      while (i < value.length && !/[=;,\s]/.test(value[i] as string)) i++;
      const name = value.slice(nameStart, i).toLowerCase();
      skipSpace();
      let param = "";
      if (value[i] === "=") {
        i++;
        skipSpace();
        if (value[i] === '"') {
          i++;
          while (i < value.length && value[i] !== '"') {
            if (value[i] === "\\" && i + 1 < value.length) i++;
            param += value[i];
            i++;
          }
          i++;
        } else {
          const start = i;
          while (i < value.length && !/[;,\s]/.test(value[i] as string)) i++;
          param = value.slice(start, i);
        }
      }
      if (name !== "" && !(name in params)) params[name] = param;
    }
    const rel = (params.rel ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    links.push({ href, rel, params });
    // Anything else up to the next comma is malformed: skip it.
    skipSpace();
    if (i < value.length && value[i] !== ",") {
      const comma = value.indexOf(",", i);
      i = comma === -1 ? value.length : comma + 1;
    }
  }
  return links;
}

function checkCommon<T, P>(
  client: HttpClient,
  first: HttpRequest,
  options: PaginationBase<T, P>,
): void {
  if (client === null || typeof client !== "object" || typeof client.request !== "function") {
    throw new TypeError('"client" must be an HttpClient');
  }
  if (first === null || typeof first !== "object") {
    throw new TypeError('"first" must be an HttpRequest');
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object');
  }
  if (typeof options.items !== "function") throw new TypeError('"items" must be a function');
  if (options.maxPages !== undefined) checkPositiveInteger(options.maxPages, "maxPages");
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`"${name}" must be a positive integer`);
  }
}

function isName(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function checkName(value: string, name: string): string {
  if (!isName(value)) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

function readItems<T, P>(items: PageItems<T, P>, response: HttpResponse<P>): T[] {
  const value = items(response.data, response);
  if (!Array.isArray(value)) throw new TypeError('"items" must return an array');
  return value as T[];
}

function readCount<P>(
  read: PageCount<P> | undefined,
  response: HttpResponse<P>,
  name: string,
): number | undefined {
  const value = read?.(response.data, response);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`"${name}" must return a number or undefined`);
  }
  return value;
}

function loopError(
  paginator: string,
  request: HttpRequest,
  response: HttpResponse<unknown>,
  page: number,
  what: string,
): ProviderError {
  const method = (request.method ?? "GET").toUpperCase();
  return new ProviderError(
    `${paginator}: ${method} ${redactString(response.url)} (page ${page}) returned a next ${what} that was already followed; stopping instead of looping forever`,
    { status: response.status, retryable: false },
  );
}

function clip(text: string): string {
  const safe = redactString(text);
  return safe.length > 40 ? `${safe.slice(0, 40)}…` : safe;
}
