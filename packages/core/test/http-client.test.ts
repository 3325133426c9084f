import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AuthError,
  ErrorCode,
  NetworkError,
  NotFoundError,
  ProviderError,
  RateLimitError,
} from "../src/errors.js";
import {
  computeBackoff,
  createHttpClient,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  sleep,
} from "../src/http/index.js";
import type {
  FetchLike,
  HttpClientOptions,
  RateLimiter,
  RequestAuthenticator,
} from "../src/http/types.js";
import type { LogFields, Logger } from "../src/logger.js";

const BASE = "https://api.example.com/v1";
const TOKEN = "tok_SECRET_123456";
const API_KEY = "key_SECRET_987654";

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  at: number;
  signal: AbortSignal | undefined;
}

type Step = Response | Error | ((request: Request, init?: RequestInit) => Promise<Response>);

/** A fetch that answers each call with the next scripted step and records what it was sent. */
function scriptedFetch(...steps: Step[]) {
  const calls: Recorded[] = [];
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    calls.push({
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.clone().text(),
      at: Date.now(),
      signal: init?.signal ?? undefined,
    });
    const step = steps.shift();
    if (step === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(request, init);
    return step;
  };
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const ok = (body: unknown = { ok: true }) => json(200, body);

/** Never answers; rejects when the request's signal aborts (as real fetch does). */
const hanging = (_request: Request, init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });

function bearerAuth(tokens: string[], canRefresh = true) {
  const calls: { forceRefresh: boolean }[] = [];
  let current = 0;
  const auth: RequestAuthenticator = {
    canRefresh,
    async authenticate({ headers }, { forceRefresh }) {
      calls.push({ forceRefresh });
      if (forceRefresh) current++;
      headers.set("authorization", `Bearer ${tokens[current]}`);
    },
  };
  return { auth, calls };
}

function recordingLogger() {
  const lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return { logger, lines };
}

/** A client with a scripted fetch, a recording sleep, and a fixed jitter of 0.5. */
function setup(steps: Step[], options: Partial<HttpClientOptions> = {}) {
  const scripted = scriptedFetch(...steps);
  const sleeps: number[] = [];
  const client = createHttpClient({
    baseUrl: BASE,
    fetch: scripted.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, calls: scripted.calls, sleeps };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

async function expectTypeError(promise: Promise<unknown>, message: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as TypeError).message).toBe(message);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("building requests", () => {
  it("joins paths to the base URL, keeping its path segments", async () => {
    const { client, calls } = setup([ok(), ok(), ok()]);
    await client.get("/items");
    await client.get("items/42");
    await client.get("spreadsheets/abc:batchUpdate");
    expect(calls.map((c) => c.url)).toEqual([
      "https://api.example.com/v1/items",
      "https://api.example.com/v1/items/42",
      "https://api.example.com/v1/spreadsheets/abc:batchUpdate",
    ]);
  });

  it("sends an absolute https URL as is", async () => {
    const { client, calls } = setup([ok()]);
    await client.get("https://uploads.example.net/v2/files?id=1");
    expect(calls[0]?.url).toBe("https://uploads.example.net/v2/files?id=1");
  });

  it("refuses plain-http URLs on another origin and relative paths without a base", async () => {
    const { client } = setup([]);
    await expectTypeError(
      client.get("http://evil.example.com/steal"),
      '"path" must be relative to "baseUrl" or an absolute https: URL',
    );
    const bare = createHttpClient({ fetch: scriptedFetch().fetch });
    await expectTypeError(
      bare.get("/items"),
      '"path" must be an absolute URL when the client has no "baseUrl"',
    );
    await expectTypeError(client.get(""), '"path" must be a non-empty string');
  });

  it("encodes the query: arrays repeat the key, undefined and null are dropped", async () => {
    const { client, calls } = setup([ok()]);
    await client.get("items", {
      query: { tag: ["a b", "c&d"], limit: 10, archived: false, cursor: undefined, q: null },
    });
    const url = new URL(calls[0]?.url ?? "");
    expect(url.searchParams.getAll("tag")).toEqual(["a b", "c&d"]);
    expect(url.searchParams.get("limit")).toBe("10");
    expect(url.searchParams.get("archived")).toBe("false");
    expect(url.searchParams.has("cursor")).toBe(false);
    expect(url.searchParams.has("q")).toBe(false);
  });

  it("sends json, form and raw bodies with the right content type", async () => {
    const { client, calls } = setup([ok(), ok(), ok()]);
    await client.post("items", { json: { name: "Ada", tags: ["x"] } });
    await client.post("token", { form: { grant_type: "client_credentials", scope: "a b" } });
    await client.put("blob", { body: "raw,csv", headers: { "content-type": "text/csv" } });
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(calls[0]?.body ?? "")).toEqual({ name: "Ada", tags: ["x"] });
    expect(calls[1]?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(calls[1]?.body).toBe("grant_type=client_credentials&scope=a+b");
    expect(calls[2]?.headers.get("content-type")).toBe("text/csv");
    expect(calls[2]?.body).toBe("raw,csv");
  });

  it("merges default headers with the request's (the request wins) and accepts JSON by default", async () => {
    const { client, calls } = setup([ok(), new Response("hi")], {
      headers: { "X-Api-Version": "1", "X-Team": "core" },
    });
    await client.get("items", { headers: { "x-team": "sync" } });
    await client.get("readme", { responseType: "text" });
    expect(calls[0]?.headers.get("x-api-version")).toBe("1");
    expect(calls[0]?.headers.get("x-team")).toBe("sync");
    expect(calls[0]?.headers.get("accept")).toBe("application/json");
    expect(calls[1]?.headers.get("accept")).toBeNull();
  });

  it("rejects bad arguments with a TypeError naming them", async () => {
    const { client } = setup([]);
    await expectTypeError(
      client.post("items", { json: {}, form: {} }),
      'only one of "json", "form" and "body" may be set',
    );
    await expectTypeError(
      client.get("items", { json: { a: 1 } }),
      '"json", "form" and "body" cannot be sent with GET',
    );
    await expectTypeError(
      client.get("items", { timeoutMs: 0 }),
      '"timeoutMs" must be a positive number of milliseconds',
    );
    expect(() => createHttpClient({ baseUrl: "ftp://files.example.com" })).toThrow(
      new TypeError('"baseUrl" must be an absolute http(s) URL'),
    );
    expect(() => createHttpClient({ rateLimits: [{ requests: 0, intervalMs: 1000 }] })).toThrow(
      new TypeError('"requests" must be a positive integer'),
    );
    expect(() => createHttpClient({ rateLimits: [{ requests: 5, intervalMs: -1 }] })).toThrow(
      new TypeError('"intervalMs" must be a positive number'),
    );
    expect(() => createHttpClient({ retry: { retries: -1 } })).toThrow(
      new TypeError('"retries" must be a non-negative integer'),
    );
  });
});

describe("auth", () => {
  it("authenticates every attempt before it is sent", async () => {
    const { auth, calls: authCalls } = bearerAuth(["t1"]);
    const { client, calls } = setup([json(503, {}), ok()], { auth });
    await client.get("items");
    expect(authCalls).toEqual([{ forceRefresh: false }, { forceRefresh: false }]);
    expect(calls.map((c) => c.headers.get("authorization"))).toEqual(["Bearer t1", "Bearer t1"]);
  });

  it("refreshes once on 401 and retries outside the retry budget", async () => {
    const { auth, calls: authCalls } = bearerAuth(["old", "new"]);
    const { client, calls } = setup([json(401, { error: "expired" }), ok({ id: 1 })], {
      auth,
      retry: { retries: 0 },
    });
    const response = await client.get("items");
    expect(response.data).toEqual({ id: 1 });
    expect(authCalls).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(calls.map((c) => c.headers.get("authorization"))).toEqual(["Bearer old", "Bearer new"]);
  });

  it("throws AuthError when the refreshed credentials are rejected too", async () => {
    const { auth, calls: authCalls } = bearerAuth(["old", "new"]);
    const { client, calls } = setup([json(401, {}), json(401, {})], { auth });
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: ErrorCode.AUTH_UNAUTHORIZED, status: 401 });
    expect(authCalls).toHaveLength(2);
    expect(calls).toHaveLength(2);
  });

  it("throws AuthError on the first 401 when the credential cannot be refreshed (API key)", async () => {
    const { auth, calls: authCalls } = bearerAuth(["key"], false);
    const { client, calls } = setup([json(401, { message: "bad key" })], { auth });
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe(`GET ${BASE}/items → 401 Unauthorized: bad key`);
    expect(authCalls).toEqual([{ forceRefresh: false }]);
    expect(calls).toHaveLength(1);
  });

  it("treats 403 as a provider error, not an expired token", async () => {
    const { auth, calls: authCalls } = bearerAuth(["t1", "t2"]);
    const { client } = setup([json(403, { message: "no access to base" })], { auth });
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 403, code: ErrorCode.PROVIDER_ERROR, retryable: false });
    expect(authCalls).toHaveLength(1);
  });

  it("refreshes on a 403 when the connector declares 403 as expired", async () => {
    const { auth, calls: authCalls } = bearerAuth(["t1", "t2"]);
    const { client } = setup([json(403, {}), ok()], { auth, expiredStatuses: [401, 403] });
    await client.get("items");
    expect(authCalls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });
});

describe("retries", () => {
  it("retries 5xx on GET with full-jitter exponential backoff", async () => {
    const { client, calls, sleeps } = setup([json(503, {}), json(502, {}), ok({ n: 1 })]);
    const response = await client.get("items");
    expect(response.data).toEqual({ n: 1 });
    expect(calls).toHaveLength(3);
    // random() = 0.5: half of 250, then half of 500.
    expect(sleeps).toEqual([125, 250]);
  });

  it("throws the last error once retries are exhausted", async () => {
    const { client, calls } = setup(
      [500, 500, 500].map((s) => json(s, { message: "boom" })),
      {
        retry: { retries: 2 },
      },
    );
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(calls).toHaveLength(3);
  });

  it("retries network errors and maps them to NetworkError NETWORK", async () => {
    const reset = new TypeError("fetch failed");
    const retried = setup([reset, ok()]);
    await expect(retried.client.get("items")).resolves.toMatchObject({ status: 200 });

    const { client, calls } = setup([reset, reset], { retry: { retries: 1 } });
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: ErrorCode.NETWORK, retryable: true });
    expect((error as Error).message).toBe(
      `GET ${BASE}/items failed before a response: fetch failed`,
    );
    expect(calls).toHaveLength(2);
  });

  it("times out a hung request as NetworkError TIMEOUT, and retries it", async () => {
    vi.useFakeTimers();
    const retried = setup([hanging, ok({ late: false })], { timeoutMs: 5_000 });
    const response = retried.client.get("items");
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(response).resolves.toMatchObject({ data: { late: false } });
    expect(retried.calls).toHaveLength(2);

    const { client, calls } = setup([hanging], { timeoutMs: 5_000 });
    const settled = rejection(client.get("items", { retry: false }));
    let done = false;
    void settled.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false); // never before its timeout
    await vi.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, retryable: true });
    expect((error as Error).message).toBe(`GET ${BASE}/items timed out after 5000 ms`);
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not retry the caller's own abort, and rethrows its reason", async () => {
    const controller = new AbortController();
    const { client, calls, sleeps } = setup([hanging]);
    const result = client.get("items", { signal: controller.signal });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const reason = new Error("sync cancelled by user");
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("does not retry POST or PATCH on 5xx or network errors (they may have been applied)", async () => {
    const post = setup([json(500, {})]);
    await expect(post.client.post("items", { json: {} })).rejects.toBeInstanceOf(ProviderError);
    expect(post.calls).toHaveLength(1);

    const patch = setup([new TypeError("fetch failed")]);
    await expect(patch.client.patch("items/1", { json: {} })).rejects.toBeInstanceOf(NetworkError);
    expect(patch.calls).toHaveLength(1);
  });

  it("lets `idempotent` override the method's default", async () => {
    const post = setup([json(500, {}), ok()]);
    await post.client.post("search", { json: { q: "x" }, idempotent: true });
    expect(post.calls).toHaveLength(2);

    const get = setup([json(500, {})]);
    await expect(get.client.get("side-effect", { idempotent: false })).rejects.toBeInstanceOf(
      ProviderError,
    );
    expect(get.calls).toHaveLength(1);
  });

  it("retries POST on 429 (nothing was applied)", async () => {
    const { client, calls } = setup([json(429, {}, { "retry-after": "1" }), ok({ id: 7 })]);
    const response = await client.post("items", { json: { name: "x" } });
    expect(response.data).toEqual({ id: 7 });
    expect(calls).toHaveLength(2);
  });

  it("does not retry at all with retry: false", async () => {
    const { client, calls } = setup([json(503, {})]);
    await expect(client.get("items", { retry: false })).rejects.toBeInstanceOf(ProviderError);
    expect(calls).toHaveLength(1);
  });
});

describe("429 and Retry-After", () => {
  it("waits Retry-After seconds, then resolves with the next answer", async () => {
    const { client, sleeps } = setup([
      json(429, { message: "slow down" }, { "retry-after": "2" }),
      ok({ items: [1] }),
    ]);
    const response = await client.get("items");
    expect(sleeps).toEqual([2000]);
    expect(response.data).toEqual({ items: [1] });
  });

  it("accepts Retry-After as an HTTP-date", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
    const { client, sleeps } = setup([
      json(429, {}, { "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }),
      ok(),
    ]);
    await client.get("items");
    expect(sleeps).toEqual([3000]);
  });

  it("falls back to the parser's retryAfterMs, then to backoff", async () => {
    const parsed = setup([json(429, { wait: 1.5 }), ok()], {
      parseError: (_response, body) => ({ retryAfterMs: (body as { wait: number }).wait * 1000 }),
    });
    await parsed.client.get("items");
    expect(parsed.sleeps).toEqual([1500]);

    const bare = setup([json(429, {}), ok()]);
    await bare.client.get("items");
    expect(bare.sleeps).toEqual([125]);
  });

  it("throws RateLimitError at once when Retry-After is longer than maxRetryAfterMs", async () => {
    const { client, calls, sleeps } = setup([json(429, {}, { "retry-after": "120" })]);
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000, retryable: true });
    expect(sleeps).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("throws RateLimitError with retryAfterMs when retries run out", async () => {
    const limited = () => json(429, {}, { "retry-after": "1" });
    const { client, calls, sleeps } = setup([limited(), limited(), limited()], {
      retry: { retries: 2 },
    });
    const error = await rejection(client.get("items"));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: ErrorCode.RATE_LIMITED, status: 429, retryAfterMs: 1000 });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("pauses the request's rate-limit buckets so concurrent requests wait too", async () => {
    const limiter = { acquire: vi.fn(async () => {}), pause: vi.fn() } satisfies RateLimiter;
    const { client } = setup([json(429, {}, { "retry-after": "2" }), ok()], {
      rateLimiter: limiter,
      rateLimits: [
        { requests: 5, intervalMs: 1000 },
        { requests: 100, intervalMs: 60_000, scope: "provider" },
      ],
      rateLimitScope: { connection: "conn-1", provider: "acme" },
    });
    await client.get("items");
    expect(limiter.pause.mock.calls).toEqual([
      ["conn-1:0", 2000],
      ["acme:1", 2000],
    ]);
  });
});

describe("error mapping", () => {
  it("puts method, redacted URL, status and the provider's message in the error", async () => {
    const { client } = setup([json(500, { error: { message: "Database on fire" } })]);
    const error = await rejection(client.get("items", { retry: false }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(
      "GET https://api.example.com/v1/items → 500 Internal Server Error: Database on fire",
    );
    expect((error as ProviderError).cause).toEqual({ error: { message: "Database on fire" } });
  });

  it("strips secret query parameters from the URL in the message", async () => {
    const { client } = setup([json(400, {})]);
    const error = await rejection(client.get("items", { query: { api_key: API_KEY, q: "x" } }));
    expect((error as Error).message).toBe(
      `GET ${BASE}/items?api_key=[REDACTED]&q=x → 400 Bad Request`,
    );
  });

  it("maps 404 to NotFoundError", async () => {
    const { client } = setup([json(404, { message: "no such record" })]);
    const error = await rejection(client.get("records/rec1"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND, status: 404 });
  });

  it("keeps a non-JSON body as text and caps it at 64 KiB", async () => {
    const text = setup([new Response("upstream exploded", { status: 502 })]);
    const small = await rejection(text.client.get("items", { retry: false }));
    expect((small as Error).cause).toBe("upstream exploded");

    const huge = setup([new Response("x".repeat(200_000), { status: 500 })]);
    const big = await rejection(huge.client.get("items", { retry: false }));
    const cause = (big as Error).cause as string;
    expect(cause.startsWith("x".repeat(64 * 1024))).toBe(true);
    expect(cause.length).toBeLessThan(64 * 1024 + 20);
    expect(cause.endsWith("[truncated]")).toBe(true);
  });

  it("lets parseError set the message, provider code, kind and retryability", async () => {
    const parseError: HttpClientOptions["parseError"] = (response, body) => {
      const b = body as { errors?: { code: string; detail: string }[] };
      if (response.status === 403) return { kind: "rate_limit", retryAfterMs: 10 };
      if (response.status === 503) return { retryable: false };
      const first = b.errors?.[0];
      return first && { code: first.code, message: first.detail };
    };
    const coded = setup(
      [json(422, { errors: [{ code: "INVALID_FIELD", detail: "Unknown Foo" }] })],
      {
        parseError,
      },
    );
    const error = await rejection(coded.client.post("items", { json: {} }));
    expect(error).toMatchObject({ providerCode: "INVALID_FIELD", status: 422 });
    expect((error as Error).message).toBe(
      `POST ${BASE}/items → 422 Unprocessable Content: Unknown Foo`,
    );

    // GitHub-style secondary rate limit: a 403 the connector marks as rate limiting.
    const limited = setup([json(403, {}), ok()], { parseError });
    await limited.client.post("items", { json: {} });
    expect(limited.sleeps).toEqual([10]);
    expect(limited.calls).toHaveLength(2);

    const permanent = setup([json(503, {})], { parseError });
    await expect(permanent.client.get("items")).rejects.toMatchObject({ retryable: false });
    expect(permanent.calls).toHaveLength(1);
  });

  it("keeps the default mapping when parseError throws", async () => {
    const { client } = setup([json(404, {})], {
      parseError: () => {
        throw new Error("parser bug");
      },
    });
    await expect(client.get("items")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("response types", () => {
  it("parses JSON, and gives undefined for an empty body or 204", async () => {
    const { client } = setup([ok({ a: 1 }), new Response(null, { status: 204 }), new Response("")]);
    expect((await client.get("a")).data).toEqual({ a: 1 });
    expect((await client.delete("b")).data).toBeUndefined();
    expect((await client.get("c")).data).toBeUndefined();
  });

  it("returns text, bytes or the unread Response when asked", async () => {
    const { client } = setup([
      new Response("plain"),
      new Response(new Uint8Array([1, 2, 3])),
      new Response("raw body", { headers: { "x-total": "9" } }),
    ]);
    expect((await client.get("t", { responseType: "text" })).data).toBe("plain");
    const bytes = (await client.get<ArrayBuffer>("b", { responseType: "arrayBuffer" })).data;
    expect([...new Uint8Array(bytes)]).toEqual([1, 2, 3]);
    const raw = await client.get<Response>("r", { responseType: "response" });
    expect(raw.data).toBeInstanceOf(Response);
    expect(raw.data.bodyUsed).toBe(false);
    expect(raw.headers.get("x-total")).toBe("9");
    expect(await raw.data.text()).toBe("raw body");
  });

  it("still maps errors for responseType response", async () => {
    const { client } = setup([json(500, {})]);
    await expect(
      client.get("r", { responseType: "response", retry: false }),
    ).rejects.toBeInstanceOf(ProviderError);
  });

  it("retries a 2xx body that is not valid JSON (cut off in transit), and reports it if it persists", async () => {
    const truncated = () => new Response('{"items": [1, 2', { status: 200 });
    const once = setup([truncated(), ok({ items: [1, 2, 3] })]);
    await expect(once.client.get("items")).resolves.toMatchObject({ data: { items: [1, 2, 3] } });
    expect(once.calls).toHaveLength(2);
    expect(once.sleeps).toHaveLength(1);

    // 1 attempt + 4 retries of the default policy, then the error says which call and what.
    const always = setup(Array.from({ length: 5 }, () => new Response("<html>oops</html>")));
    const error = await rejection(always.client.get("items"));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 200, retryable: true });
    expect((error as Error).message).toBe(
      `GET ${BASE}/items → 200: the response is not valid JSON`,
    );
    expect(always.calls).toHaveLength(5);

    // A POST may have been applied: not retried.
    const post = setup([truncated()]);
    expect(await rejection(post.client.post("items", { json: {} }))).toBeInstanceOf(ProviderError);
    expect(post.calls).toHaveLength(1);
  });
});

describe("rate limits", () => {
  it("sends at most `requests` per interval (12 calls at 5/s)", async () => {
    vi.useFakeTimers();
    const start = new Date("2025-01-01T00:00:00Z").getTime();
    vi.setSystemTime(start);
    const { client, calls } = setup(
      Array.from({ length: 12 }, () => ok()),
      { rateLimits: [{ requests: 5, intervalMs: 1000 }] },
    );
    const all = Promise.all(Array.from({ length: 12 }, (_, i) => client.get(`items/${i}`)));
    await vi.runAllTimersAsync();
    await all;
    const times = calls.map((c) => c.at - start);
    // The limiter keeps its default 5% under the declared limit.
    expect(times).toEqual([0, 0, 0, 0, 0, 1050, 1050, 1050, 1050, 1050, 2100, 2100]);
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
    }
    // Served in order.
    expect(calls.map((c) => c.url.split("/").pop())).toEqual(
      Array.from({ length: 12 }, (_, i) => String(i)),
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it("picks bucket keys from the scope, and rateLimitKey overrides it", async () => {
    const limiter = { acquire: vi.fn(async () => {}), pause: vi.fn() } satisfies RateLimiter;
    const { client } = setup([ok(), ok(), json(503, {}), ok()], {
      rateLimiter: limiter,
      rateLimits: [
        { requests: 5, intervalMs: 1000 },
        { requests: 50, intervalMs: 1000, scope: "provider" },
        { requests: 1, intervalMs: 1000, scope: (request) => `path:${request.path}` },
      ],
      rateLimitScope: { connection: "conn-1", provider: "airtable" },
    });
    const keys = () => limiter.acquire.mock.calls.map((call) => (call as unknown[])[0]);
    await client.get("tbl1");
    expect(keys()).toEqual(["conn-1:0", "airtable:1", "path:tbl1:2"]);
    limiter.acquire.mockClear();
    await client.get("tbl1", { rateLimitKey: "appXYZ" });
    expect(keys()).toEqual(["appXYZ:0", "appXYZ:1", "appXYZ:2"]);
    limiter.acquire.mockClear();
    // Every attempt acquires again, retries included.
    await client.get("tbl2");
    expect(keys()).toEqual([
      "conn-1:0",
      "airtable:1",
      "path:tbl2:2",
      "conn-1:0",
      "airtable:1",
      "path:tbl2:2",
    ]);
  });

  it("counts a limit only for the requests its appliesTo accepts", async () => {
    const limiter = { acquire: vi.fn(async () => {}), pause: vi.fn() } satisfies RateLimiter;
    const { client } = setup([ok(), ok()], {
      rateLimiter: limiter,
      rateLimits: [
        { requests: 300, intervalMs: 60_000 },
        // 10 edits per minute: reads must not spend them.
        { requests: 10, intervalMs: 60_000, appliesTo: (request) => request.method === "PUT" },
      ],
      rateLimitScope: { connection: "conn-1", provider: "gbp" },
    });
    const keys = () => limiter.acquire.mock.calls.map((call) => (call as unknown[])[0]);
    await client.get("reviews");
    expect(keys()).toEqual(["conn-1:0"]);
    limiter.acquire.mockClear();
    await client.put("reviews/r1/reply", { json: { comment: "Thanks!" } });
    expect(keys()).toEqual(["conn-1:0", "conn-1:1"]);
    expect(() =>
      createHttpClient({
        rateLimits: [{ requests: 1, intervalMs: 1000, appliesTo: "GET" as never }],
      }),
    ).toThrow(new TypeError('"appliesTo" must be a function of the request'));
  });
});

describe("client.fetch", () => {
  it("runs a fetch call through auth, retries and error mapping, resolving to the Response", async () => {
    const { auth } = bearerAuth(["t1"]);
    const { client, calls } = setup([json(503, {}), ok({ sdk: true })], { auth });
    const response = await client.fetch(`${BASE}/things?x=1`, { headers: { "x-sdk": "1" } });
    expect(response).toBeInstanceOf(Response);
    expect(await response.json()).toEqual({ sdk: true });
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers.get("authorization")).toBe("Bearer t1");
    expect(calls[1]?.headers.get("x-sdk")).toBe("1");
    expect(calls[1]?.url).toBe(`${BASE}/things?x=1`);
  });

  it("accepts a Request with a body, and resolves 3xx as a Response", async () => {
    const { client, calls } = setup([
      new Response(null, { status: 302, headers: { location: "/elsewhere" } }),
    ]);
    const response = await client.fetch(
      new Request(`${BASE}/upload`, { method: "POST", body: "payload" }),
    );
    expect(response.status).toBe(302);
    expect(calls[0]?.method).toBe("POST");
    expect(calls[0]?.body).toBe("payload");
  });

  it("throws Patchbay errors for non-2xx", async () => {
    const { client } = setup([json(404, {})]);
    await expect(client.fetch("items/missing")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("logging and secrets", () => {
  it("logs one debug line per attempt and a warning per retry", async () => {
    const { logger, lines } = recordingLogger();
    const { client } = setup([json(500, {}), ok()], { logger });
    await client.get("items");
    const debug = lines.filter((l) => l.level === "debug");
    expect(debug.map((l) => l.fields)).toEqual([
      expect.objectContaining({ method: "GET", url: `${BASE}/items`, status: 500, attempt: 1 }),
      expect.objectContaining({ method: "GET", url: `${BASE}/items`, status: 200, attempt: 2 }),
    ]);
    expect(typeof debug[0]?.fields?.durationMs).toBe("number");
    const warn = lines.filter((l) => l.level === "warn");
    expect(warn).toHaveLength(1);
    expect(warn[0]?.message).toBe(`Retrying GET ${BASE}/items after 500 in 125 ms (retry 1 of 4)`);
  });

  it("never puts the bearer token or an api_key in a log line or an error", async () => {
    const { logger, lines } = recordingLogger();
    const { auth } = bearerAuth([TOKEN, TOKEN]);
    const { client } = setup(
      [
        json(500, { message: `server saw Authorization: Bearer ${TOKEN}` }),
        json(401, { message: `token ${TOKEN} expired`, api_key: API_KEY }),
        json(401, { message: `token ${TOKEN} still expired; key=${API_KEY}` }),
      ],
      { auth, logger },
    );
    const error = await rejection(client.get("items", { query: { api_key: API_KEY } }));
    expect(error).toBeInstanceOf(AuthError);
    const everything = JSON.stringify([
      lines,
      (error as AuthError).message,
      (error as AuthError).toJSON(),
      (error as AuthError).cause,
      (error as AuthError).stack,
    ]);
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(API_KEY);
  });

  it("keeps a query-string credential added by the authenticator out of errors and response.url", async () => {
    const hubspotStyle: RequestAuthenticator = {
      canRefresh: false,
      async authenticate({ url }) {
        url.searchParams.set("hapikey", API_KEY);
      },
    };
    const { client, calls } = setup([ok(), json(400, { message: `bad hapikey ${API_KEY}` })], {
      auth: hubspotStyle,
    });
    const response = await client.get("contacts");
    expect(calls[0]?.url).toBe(`${BASE}/contacts?hapikey=${API_KEY}`);
    expect(response.url).toBe(`${BASE}/contacts`);
    const error = await rejection(client.get("contacts"));
    expect(JSON.stringify([(error as Error).message, (error as Error).cause])).not.toContain(
      API_KEY,
    );
  });
});

describe("retry helpers", () => {
  it("computeBackoff grows by factor, is capped, and jitters fully", () => {
    expect(computeBackoff(0, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(125);
    expect(computeBackoff(2, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(999);
    expect(computeBackoff(20, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(29_970);
    expect(computeBackoff(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
    expect(() => computeBackoff(-1)).toThrow(
      new TypeError('"attempt" must be a non-negative integer'),
    );
  });

  it("parseRetryAfter reads delta-seconds and HTTP-dates, and nothing else", () => {
    const now = Date.parse("2015-10-21T07:28:00Z");
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wednesday, 21-Oct-15 07:28:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed Oct 21 07:28:05 2015", now)).toBe(5000);
    expect(parseRetryAfter("Tue, 20 Oct 2015 07:28:00 GMT", now)).toBe(0);
    for (const bad of [null, undefined, "", "-1", "1.5", "soon", "2015-10-21"]) {
      expect(parseRetryAfter(bad, now)).toBeUndefined();
    }
  });

  it("sleep resolves after the delay and rejects with the abort reason", async () => {
    vi.useFakeTimers();
    const done = vi.fn();
    void sleep(1000).then(done);
    await vi.advanceTimersByTimeAsync(999);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();

    const controller = new AbortController();
    const reason = new Error("stop");
    const waiting = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(5, controller.signal)).rejects.toBe(reason);
  });
});
