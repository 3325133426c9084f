import { describe, expect, it } from "vitest";
import { ProviderError } from "../src/errors.js";
import {
  createHttpClient,
  paginateCursor,
  paginateLinkHeader,
  paginateOffset,
  paginatePageNumber,
  parseLinkHeader,
} from "../src/http/index.js";

const BASE = "https://api.example.com/v1";

/** A client whose fetch answers from `handler` and records every request. */
function api(handler: (url: URL, body: string) => Response) {
  const requests: { method: string; url: URL; body: string }[] = [];
  const client = createHttpClient({
    baseUrl: BASE,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const body = await request.text();
      requests.push({ method: request.method, url, body });
      return handler(url, body);
    },
  });
  return { client, requests };
}

function json(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", ...headers },
  });
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

/** Airtable-style cursor pages: `{ records, offset? }`. */
interface RecordsPage {
  records: { id: string }[];
  offset?: string;
}

const records = (...ids: string[]) => ids.map((id) => ({ id }));

describe("paginateCursor", () => {
  const pages: Record<string, RecordsPage> = {
    "": { records: records("r1", "r2"), offset: "c2" },
    c2: { records: records("r3", "r4"), offset: "c3" },
    c3: { records: records("r5") },
  };

  it("yields each page's items and stops when there is no next cursor", async () => {
    const { client, requests } = api((url) => json(pages[url.searchParams.get("offset") ?? ""]));
    const result = await collect(
      paginateCursor(
        client,
        { path: "app1/Contacts", query: { view: "All" } },
        {
          items: (page: RecordsPage) => page.records,
          next: (page: RecordsPage) => page.offset,
          param: "offset",
        },
      ),
    );
    expect(result).toEqual([records("r1", "r2"), records("r3", "r4"), records("r5")]);
    expect(requests.map((r) => r.url.search)).toEqual([
      "?view=All",
      "?view=All&offset=c2",
      "?view=All&offset=c3",
    ]);
  });

  it("streams: a consumer that stops early makes no further requests", async () => {
    const { client, requests } = api((url) => json(pages[url.searchParams.get("cursor") ?? ""]));
    for await (const page of paginateCursor(
      client,
      { path: "items" },
      {
        items: (p: RecordsPage) => p.records,
        next: (p: RecordsPage) => p.offset,
      },
    )) {
      expect(page).toEqual(records("r1", "r2"));
      break;
    }
    expect(requests).toHaveLength(1);
  });

  it("throws a ProviderError instead of looping when a cursor comes back again", async () => {
    // A → B → A: a provider bug that would otherwise page forever.
    const loop: Record<string, RecordsPage> = {
      "": { records: records("r1"), offset: "A" },
      A: { records: records("r2"), offset: "B" },
      B: { records: records("r3"), offset: "A" },
    };
    const { client, requests } = api((url) => json(loop[url.searchParams.get("cursor") ?? ""]));
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const page of paginateCursor(
          client,
          { path: "items" },
          {
            items: (p: RecordsPage) => p.records,
            next: (p: RecordsPage) => p.offset,
          },
        )) {
          seen.push(...page.map((r) => r.id));
        }
      })(),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(
      `paginateCursor: GET ${BASE}/items?cursor=B (page 3) returned a next cursor "A" that was already followed; stopping instead of looping forever`,
    );
    expect(seen).toEqual(["r1", "r2", "r3"]);
    expect(requests).toHaveLength(3);
  });

  it("can put the cursor in a JSON body, and skips empty pages that still have a next cursor", async () => {
    const search: Record<string, { results: string[]; next_cursor: string | null }> = {
      "": { results: ["a"], next_cursor: "n1" },
      n1: { results: [], next_cursor: "n2" },
      n2: { results: ["b"], next_cursor: null },
    };
    const { client, requests } = api((_url, body) => {
      const cursor = (JSON.parse(body) as { start_cursor?: string }).start_cursor ?? "";
      return json(search[cursor]);
    });
    type SearchPage = (typeof search)[string];
    const result = await collect(
      paginateCursor(
        client,
        { method: "POST", path: "search", json: { query: "x" } },
        {
          items: (p: SearchPage) => p.results,
          next: (p: SearchPage) => p.next_cursor,
          param: (request, cursor) => ({
            ...request,
            json: { ...(request.json as object), start_cursor: cursor },
          }),
        },
      ),
    );
    expect(result).toEqual([["a"], ["b"]]);
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([
      { query: "x" },
      { query: "x", start_cursor: "n1" },
      { query: "x", start_cursor: "n2" },
    ]);
  });

  it("stops after maxPages", async () => {
    const { client, requests } = api((url) => json(pages[url.searchParams.get("cursor") ?? ""]));
    const result = await collect(
      paginateCursor(
        client,
        { path: "items" },
        {
          items: (p: RecordsPage) => p.records,
          next: (p: RecordsPage) => p.offset,
          maxPages: 2,
        },
      ),
    );
    expect(result).toHaveLength(2);
    expect(requests).toHaveLength(2);
  });
});

/** `count` items numbered from 0, served `limit` at a time from `offset`. */
function numbered(count: number, cap = Number.POSITIVE_INFINITY) {
  const all = Array.from({ length: count }, (_, i) => i);
  return (offset: number, limit: number) => all.slice(offset, offset + Math.min(limit, cap));
}

describe("paginateOffset", () => {
  it("advances the offset and stops on a short page", async () => {
    const data = numbered(5);
    const { client, requests } = api((url) =>
      json({
        items: data(Number(url.searchParams.get("offset")), Number(url.searchParams.get("limit"))),
      }),
    );
    const result = await collect(
      paginateOffset(
        client,
        { path: "members" },
        {
          items: (p: { items: number[] }) => p.items,
          pageSize: 2,
        },
      ),
    );
    expect(result).toEqual([[0, 1], [2, 3], [4]]);
    expect(requests.map((r) => r.url.search)).toEqual([
      "?limit=2&offset=0",
      "?limit=2&offset=2",
      "?limit=2&offset=4",
    ]);
  });

  it("stops when the declared total is reached, without asking for an empty page", async () => {
    const data = numbered(4);
    const { client, requests } = api((url) =>
      json({
        members: data(
          Number(url.searchParams.get("offset")),
          Number(url.searchParams.get("count")),
        ),
        total_items: 4,
      }),
    );
    const result = await collect(
      paginateOffset(
        client,
        { path: "lists/l1/members" },
        {
          items: (p: { members: number[]; total_items: number }) => p.members,
          total: (p) => p.total_items,
          pageSize: 2,
          limitParam: "count",
        },
      ),
    );
    expect(result).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(requests).toHaveLength(2);
  });

  it("follows a provider that caps the page below pageSize when it declares a total", async () => {
    const data = numbered(5, 2);
    const { client, requests } = api((url) =>
      json({
        items: data(Number(url.searchParams.get("offset")), Number(url.searchParams.get("limit"))),
        total: 5,
      }),
    );
    const result = await collect(
      paginateOffset(
        client,
        { path: "items" },
        {
          items: (p: { items: number[]; total: number }) => p.items,
          total: (p) => p.total,
          pageSize: 100,
        },
      ),
    );
    expect(result.flat()).toEqual([0, 1, 2, 3, 4]);
    expect(requests.map((r) => r.url.searchParams.get("offset"))).toEqual(["0", "2", "4"]);
  });

  // Regression: an empty page before the declared total ended the listing, and a
  // full sync then marked every record after it deleted (found by the fault suite).
  it("refuses an empty page before the declared total, retryably, instead of ending early", async () => {
    const data = numbered(6);
    const { client } = api((url) => {
      const offset = Number(url.searchParams.get("offset"));
      return json({ items: offset === 2 ? [] : data(offset, 2), total: 6 });
    });
    const pages = paginateOffset(
      client,
      { path: "members" },
      {
        items: (p: { items: number[]; total: number }) => p.items,
        total: (p) => p.total,
        pageSize: 2,
      },
    );
    const error = await collect(pages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
    expect((error as Error).message).toContain("empty page after 2 of 6 items");
  });

  it("stops on an empty page when the item count is an exact multiple", async () => {
    const data = numbered(4);
    const { client, requests } = api((url) =>
      json(data(Number(url.searchParams.get("offset")), Number(url.searchParams.get("limit")))),
    );
    const result = await collect(
      paginateOffset(client, { path: "items" }, { items: (p: number[]) => p, pageSize: 2 }),
    );
    expect(result).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(requests).toHaveLength(3);
  });
});

describe("paginatePageNumber", () => {
  it("asks for page 1, 2, ... and stops at the declared totalPages", async () => {
    const { client, requests } = api((url) => {
      const page = Number(url.searchParams.get("page"));
      return json({ tickets: [page * 10, page * 10 + 1], total_pages: 3 });
    });
    const result = await collect(
      paginatePageNumber(
        client,
        { path: "tickets" },
        {
          items: (p: { tickets: number[]; total_pages: number }) => p.tickets,
          totalPages: (p) => p.total_pages,
          pageSize: 2,
        },
      ),
    );
    expect(result).toEqual([
      [10, 11],
      [20, 21],
      [30, 31],
    ]);
    expect(requests.map((r) => r.url.search)).toEqual([
      "?page=1&per_page=2",
      "?page=2&per_page=2",
      "?page=3&per_page=2",
    ]);
  });

  it("stops on a short page when no total is declared; honours firstPage and sizeParam: false", async () => {
    const data = numbered(5);
    const { client, requests } = api((url) => json(data(Number(url.searchParams.get("p")) * 2, 2)));
    const result = await collect(
      paginatePageNumber(
        client,
        { path: "items" },
        {
          items: (p: number[]) => p,
          pageSize: 2,
          pageParam: "p",
          sizeParam: false,
          firstPage: 0,
        },
      ),
    );
    expect(result).toEqual([[0, 1], [2, 3], [4]]);
    expect(requests.map((r) => r.url.search)).toEqual(["?p=0", "?p=1", "?p=2"]);
  });

  it("stops when the declared total item count is reached", async () => {
    const data = numbered(3);
    const { client, requests } = api((url) =>
      json({ rows: data((Number(url.searchParams.get("page")) - 1) * 2, 2), total: 3 }),
    );
    const result = await collect(
      paginatePageNumber(
        client,
        { path: "rows" },
        {
          items: (p: { rows: number[]; total: number }) => p.rows,
          total: (p) => p.total,
          pageSize: 2,
        },
      ),
    );
    expect(result.flat()).toEqual([0, 1, 2]);
    expect(requests).toHaveLength(2);
  });
});

describe("paginateLinkHeader", () => {
  it("follows rel=next links and sends the first query only once", async () => {
    const { client, requests } = api((url) => {
      const page = Number(url.searchParams.get("page") ?? "1");
      const links =
        page < 3
          ? `<${BASE}/issues?per_page=2&page=${page + 1}>; rel="next", <${BASE}/issues?per_page=2&page=3>; rel="last"`
          : `<${BASE}/issues?per_page=2&page=1>; rel="first"`;
      return json([`i${page}a`, `i${page}b`], { link: links });
    });
    const result = await collect(
      paginateLinkHeader(
        client,
        { path: "issues", query: { per_page: 2 } },
        {
          items: (p: string[]) => p,
        },
      ),
    );
    expect(result).toEqual([
      ["i1a", "i1b"],
      ["i2a", "i2b"],
      ["i3a", "i3b"],
    ]);
    expect(requests.map((r) => r.url.search)).toEqual([
      "?per_page=2",
      "?per_page=2&page=2",
      "?per_page=2&page=3",
    ]);
  });

  it("resolves a relative link against the response URL", async () => {
    const { client, requests } = api((url) =>
      url.searchParams.get("page") === "2"
        ? json(["b"])
        : json(["a"], { link: '</v1/orders?page=2>; rel="next"' }),
    );
    const result = await collect(
      paginateLinkHeader(client, { path: "orders" }, { items: (p: string[]) => p }),
    );
    expect(result).toEqual([["a"], ["b"]]);
    expect(requests[1]?.url.href).toBe(`${BASE}/orders?page=2`);
  });

  it("throws a ProviderError when a next link points back to a page already fetched", async () => {
    const { client, requests } = api(() => json(["same"], { link: `<${BASE}/loop>; rel="next"` }));
    const error = await rejection(
      collect(paginateLinkHeader(client, { path: "loop" }, { items: (p: string[]) => p })),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain("paginateLinkHeader");
    expect((error as Error).message).toContain("already followed");
    expect(requests).toHaveLength(1);
  });
});

describe("parseLinkHeader", () => {
  it("parses several links, quoted parameters and rel lists", () => {
    const header =
      '<https://a.example/x?page=2&q=a,b>; rel="next"; title="Next, please; now", ' +
      "<https://a.example/x?page=9>; REL=last, " +
      '<https://a.example/x?page=1>; rel="first prev"';
    expect(parseLinkHeader(header)).toEqual([
      {
        href: "https://a.example/x?page=2&q=a,b",
        rel: ["next"],
        params: { rel: "next", title: "Next, please; now" },
      },
      { href: "https://a.example/x?page=9", rel: ["last"], params: { rel: "last" } },
      {
        href: "https://a.example/x?page=1",
        rel: ["first", "prev"],
        params: { rel: "first prev" },
      },
    ]);
  });

  it("skips malformed parts and tolerates absence", () => {
    expect(parseLinkHeader(null)).toEqual([]);
    expect(parseLinkHeader("")).toEqual([]);
    expect(parseLinkHeader("garbage, <https://a.example/2>; rel=next")).toEqual([
      { href: "https://a.example/2", rel: ["next"], params: { rel: "next" } },
    ]);
  });
});

describe("arguments", () => {
  it("throws a TypeError naming a bad option at the call", () => {
    const { client } = api(() => json([]));
    expect(() =>
      paginateOffset(client, { path: "x" }, { items: (p: number[]) => p, pageSize: 0 }),
    ).toThrow(new TypeError('"pageSize" must be a positive integer'));
    expect(() =>
      paginateCursor(
        client,
        { path: "x" },
        {
          items: (p: number[]) => p,
          next: () => undefined,
          param: "",
        },
      ),
    ).toThrow(new TypeError('"param" must be a non-empty string or a function'));
    expect(() =>
      paginatePageNumber(
        client,
        { path: "x" },
        {
          items: undefined as unknown as (p: number[]) => number[],
          pageSize: 10,
        },
      ),
    ).toThrow(new TypeError('"items" must be a function'));
  });

  it("throws a TypeError when `items` does not return an array", async () => {
    const { client } = api(() => json({ data: null }));
    const error = await rejection(
      collect(
        paginateLinkHeader(
          client,
          { path: "x" },
          {
            items: (p: { data: string[] }) => p.data,
          },
        ),
      ),
    );
    expect(error).toEqual(new TypeError('"items" must return an array'));
  });
});
