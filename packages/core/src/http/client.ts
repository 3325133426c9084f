import {
  AuthError,
  ErrorCode,
  isPatchbayError,
  NetworkError,
  NotFoundError,
  type PatchbayError,
  ProviderError,
  RateLimitError,
} from "../errors.js";
import { type Logger, redactingLogger, silentLogger } from "../logger.js";
import { isSecretField, REDACTED, redactString } from "../redact.js";
import { assertRateLimitSpec, createRateLimiter } from "./rate-limiter.js";
import {
  computeBackoff,
  sleep as defaultSleep,
  parseRetryAfter,
  resolveRetryPolicy,
} from "./retry.js";
import type {
  FetchLike,
  HttpClient,
  HttpClientOptions,
  HttpRequest,
  HttpResponse,
  ProviderErrorInfo,
  ProviderErrorParser,
  QueryValue,
  RateLimitSpec,
  RetryPolicy,
} from "./types.js";

const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2_147_483_647;
/** Error bodies are read up to this size; the rest is discarded. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest provider message quoted in an error message. */
const MAX_MESSAGE_CHARS = 300;
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
const RESPONSE_TYPES = new Set(["json", "text", "arrayBuffer", "response"]);
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ABSOLUTE_URL = /^[a-z][a-z\d+.-]*:\/\//i;
/** Credential values shorter than this are not scrubbed (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 6;

/** Reason phrases for when the response carries none (HTTP/2 and `new Response()` send ""). */
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  423: "Locked",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

let clientCounter = 0;

type ResponseType = NonNullable<HttpRequest["responseType"]>;
type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A request checked and resolved against the client's options, before credentials. */
interface PreparedRequest {
  method: string;
  /** The URL without credentials; the only one that is ever logged or put in an error. */
  url: URL;
  /** `url`, redacted, for messages and log lines. */
  safeUrl: string;
  headers: Headers;
  body: BodyInit | undefined;
  /** False for a stream body, which cannot be sent twice. */
  replayable: boolean;
  responseType: ResponseType;
  timeoutMs: number;
  idempotent: boolean;
  policy: RetryPolicy | false;
  buckets: { key: string; spec: RateLimitSpec }[];
  signal: AbortSignal | undefined;
}

/** What one attempt came to. */
type Outcome =
  | { kind: "ok"; response: HttpResponse<unknown> }
  | { kind: "refresh" }
  | { kind: "error"; error: PatchbayError; retryAfterMs?: number | undefined };

/**
 * Create the HTTP pipeline a connector talks through. Every request goes:
 * rate limits → credentials → `fetch` (with a timeout) → error mapping →
 * retry, and comes back as parsed data or a typed Patchbay error.
 *
 * - **URLs**: `path` is joined to `baseUrl` keeping its path (`/v1` + `items`
 *   → `/v1/items`), or is an absolute `https:` URL (or one on `baseUrl`'s own
 *   origin). `query` arrays repeat the key; `undefined` and `null` are dropped.
 * - **Bodies**: `json` (sets `content-type: application/json`), `form`
 *   (urlencoded) or `body` as is. JSON responses get `accept: application/json`.
 * - **Auth**: `auth.authenticate` runs before every attempt. A status in
 *   `expiredStatuses` (default `[401]`) with a refreshable credential is
 *   retried once with `forceRefresh: true`, outside the retry budget; a second
 *   rejection throws `AuthError` (`PATCHBAY_AUTH_UNAUTHORIZED`).
 * - **Retries** (full-jitter exponential backoff): network errors, timeouts
 *   and 5xx for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE unless
 *   `idempotent` says otherwise); 429 for every method. `Retry-After` is
 *   honoured and also pauses the request's rate-limit buckets for everyone;
 *   one longer than `maxRetryAfterMs` is thrown at once as `RateLimitError`.
 *   Aborting the caller's `signal` is never retried: the abort reason is thrown.
 * - **Errors**: 401 → `AuthError`, 404 → `NotFoundError`, 429 →
 *   `RateLimitError`, others → `ProviderError`; `parseError` can reclassify.
 *   Messages read `GET https://api.example.com/v1/items → 500 Internal Server
 *   Error: <provider message>` with secrets stripped; the redacted body is the
 *   `cause`.
 * - **Logs**: one `debug` line per attempt and a `warn` per retry, redacted.
 *
 * @throws TypeError naming the option when `options` are invalid.
 * @example
 * ```ts
 * const http = createHttpClient({
 *   baseUrl: "https://api.airtable.com/v0",
 *   auth, // a RequestAuthenticator
 *   rateLimits: [{ requests: 5, intervalMs: 1000 }],
 *   rateLimitScope: { connection: connection.id, provider: "airtable" },
 * })
 * const { data } = await http.get<{ records: unknown[] }>(`${baseId}/${table}`, {
 *   query: { pageSize: 100, fields: ["Name", "Email"] },
 *   rateLimitKey: baseId,
 * })
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object');
  }
  const base = options.baseUrl === undefined ? undefined : parseBaseUrl(options.baseUrl);
  const defaultHeaders = toHeaders(options.headers, "headers");
  const expiredStatuses = options.expiredStatuses ?? [401];
  if (
    !Array.isArray(expiredStatuses) ||
    !expiredStatuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)
  ) {
    throw new TypeError('"expiredStatuses" must be an array of HTTP error statuses (400-599)');
  }
  const defaultTimeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const clientPolicy = resolveRetryPolicy(options.retry);
  const rateLimits = options.rateLimits ?? [];
  if (!Array.isArray(rateLimits)) throw new TypeError('"rateLimits" must be an array');
  for (const spec of rateLimits) assertRateLimitSpec(spec);
  const scope = options.rateLimitScope ?? {
    connection: `client-${++clientCounter}`,
    provider: base?.host ?? "provider",
  };
  if (
    scope === null ||
    typeof scope !== "object" ||
    typeof scope.connection !== "string" ||
    scope.connection === "" ||
    typeof scope.provider !== "string" ||
    scope.provider === ""
  ) {
    throw new TypeError('"rateLimitScope" must have non-empty "connection" and "provider" strings');
  }
  for (const name of ["fetch", "parseError", "sleep", "random"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`"${name}" must be a function`);
    }
  }
  const auth = options.auth;
  if (auth !== undefined && (auth === null || typeof auth.authenticate !== "function")) {
    throw new TypeError('"auth" must have an "authenticate" function');
  }
  const limiter = options.rateLimiter ?? (rateLimits.length > 0 ? createRateLimiter() : undefined);
  // Resolved per call so a host (or test) that swaps globalThis.fetch later is honoured.
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sleep: Sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const parseError = options.parseError;
  const logger: Logger = redactingLogger(options.logger ?? silentLogger);
  // One debug line per attempt: skip building it when the logger drops debug.
  const debug = logger.isLevelEnabled?.("debug") !== false;

  const prepare = (request: HttpRequest): PreparedRequest => {
    if (request === null || typeof request !== "object") {
      throw new TypeError('"request" must be an object');
    }
    const method = (request.method ?? "GET").toUpperCase();
    if (typeof request.method !== "undefined" && typeof request.method !== "string") {
      throw new TypeError('"method" must be a string');
    }
    if (!METHOD_TOKEN.test(method)) throw new TypeError('"method" must be an HTTP method token');
    const url = resolveUrl(base, request.path);
    appendQuery(url, request.query);

    const headers = new Headers(defaultHeaders);
    addHeaders(headers, request.headers, "headers");

    const bodies =
      (request.json !== undefined ? 1 : 0) +
      (request.form !== undefined ? 1 : 0) +
      (request.body !== undefined ? 1 : 0);
    if (bodies > 1) {
      throw new TypeError('only one of "json", "form" and "body" may be set');
    }
    if (bodies === 1 && (method === "GET" || method === "HEAD")) {
      throw new TypeError(`"json", "form" and "body" cannot be sent with ${method}`);
    }
    let body: BodyInit | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (request.form !== undefined) {
      if (request.form === null || typeof request.form !== "object") {
        throw new TypeError('"form" must be an object of strings');
      }
      body = new URLSearchParams(request.form).toString();
      if (!headers.has("content-type")) {
        headers.set("content-type", "application/x-www-form-urlencoded");
      }
    } else {
      body = request.body ?? undefined;
    }

    const responseType = request.responseType ?? "json";
    if (!RESPONSE_TYPES.has(responseType)) {
      throw new TypeError(
        '"responseType" must be one of "json", "text", "arrayBuffer", "response"',
      );
    }
    if (responseType === "json" && !headers.has("accept")) {
      headers.set("accept", "application/json");
    }

    if (request.idempotent !== undefined && typeof request.idempotent !== "boolean") {
      throw new TypeError('"idempotent" must be a boolean');
    }
    if (
      request.rateLimitKey !== undefined &&
      (typeof request.rateLimitKey !== "string" || request.rateLimitKey === "")
    ) {
      throw new TypeError('"rateLimitKey" must be a non-empty string');
    }
    if (request.signal !== undefined && !(request.signal instanceof AbortSignal)) {
      throw new TypeError('"signal" must be an AbortSignal');
    }

    const buckets: Array<{ key: string; spec: RateLimitSpec }> = [];
    rateLimits.forEach((spec, index) => {
      if (spec.appliesTo !== undefined && !spec.appliesTo(request)) return;
      let scopeKey: string;
      if (request.rateLimitKey !== undefined) scopeKey = request.rateLimitKey;
      else if (typeof spec.scope === "function") {
        scopeKey = spec.scope(request);
        if (typeof scopeKey !== "string" || scopeKey === "") {
          throw new TypeError('"scope" function must return a non-empty string');
        }
      } else scopeKey = spec.scope === "provider" ? scope.provider : scope.connection;
      buckets.push({ key: `${scopeKey}:${index}`, spec });
    });

    let safeUrl: string | undefined;
    return {
      method,
      url,
      // Redacted only when a log line or an error needs it.
      get safeUrl() {
        safeUrl ??= redactString(url.href);
        return safeUrl;
      },
      headers,
      body,
      replayable: !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream),
      responseType,
      timeoutMs:
        request.timeoutMs === undefined ? defaultTimeoutMs : checkTimeout(request.timeoutMs),
      idempotent: request.idempotent ?? IDEMPOTENT_METHODS.has(method),
      policy:
        request.retry === false
          ? false
          : request.retry === undefined
            ? clientPolicy
            : resolveRetryPolicy(request.retry, clientPolicy),
      buckets,
      signal: request.signal,
    };
  };

  /** Classify a non-2xx/3xx response into a Patchbay error. */
  const toError = async (
    p: PreparedRequest,
    response: Response,
    scrub: (text: string) => string,
  ): Promise<PatchbayError> => {
    const raw = await readErrorBody(response);
    // The connector's parser sees the body as sent; everything we keep is scrubbed.
    const info = safeParseError(parseError, response, raw, logger, p);
    const body = scrubValue(raw, scrub);
    const status = response.status;
    const statusText = response.statusText || STATUS_TEXT[status] || "";
    const detail = info.message ?? defaultProviderMessage(body);
    const message = `${p.method} ${p.safeUrl} → ${status}${statusText ? ` ${statusText}` : ""}${
      detail ? `: ${clip(scrub(detail))}` : ""
    }`;
    const shared = {
      status,
      cause: body,
      ...(info.code !== undefined && { providerCode: info.code }),
      ...(info.retryable !== undefined && { retryable: info.retryable }),
    };
    const kind =
      info.kind ??
      (status === 401 || expiredStatuses.includes(status)
        ? "auth"
        : status === 404
          ? "not_found"
          : status === 429
            ? "rate_limit"
            : "provider");
    if (kind === "auth") return new AuthError(ErrorCode.AUTH_UNAUTHORIZED, message, shared);
    if (kind === "not_found") return new NotFoundError(message, shared);
    if (kind === "rate_limit") {
      const retryAfterMs =
        parseRetryAfter(response.headers.get("retry-after"), Date.now()) ?? info.retryAfterMs;
      return new RateLimitError(message, { ...shared, retryAfterMs });
    }
    return new ProviderError(message, shared);
  };

  /** One attempt: credentials, fetch with a timeout, and reading the body. */
  const attempt = async (
    p: PreparedRequest,
    number: number,
    forceRefresh: boolean,
    canRefresh: boolean,
    sent: { last?: { headers: Headers; url: URL } },
  ): Promise<Outcome> => {
    // Credentials go on copies, so a retry starts from the request as prepared.
    const headers = auth === undefined ? p.headers : new Headers(p.headers);
    const url = auth === undefined ? p.url : new URL(p.url);
    if (auth !== undefined) {
      await auth.authenticate(
        { headers, url },
        forceRefresh ? { forceRefresh, rejected: sent.last } : { forceRefresh },
      );
    }
    sent.last = { headers, url };
    // Built only when an error or a log line has text to scrub.
    let scrubber: ((text: string) => string) | undefined;
    const scrub = (text: string) => {
      scrubber ??= credentialScrubber(p.headers, headers, p.url, url);
      return scrubber(text);
    };

    const timeout = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      timeout.abort(new DOMException(`timed out after ${p.timeoutMs} ms`, "TimeoutError"));
    }, p.timeoutMs);
    const signal =
      p.signal === undefined ? timeout.signal : AbortSignal.any([p.signal, timeout.signal]);
    const init: RequestInit & { duplex?: "half" } = {
      method: p.method,
      headers,
      signal,
      ...(p.body !== undefined && { body: p.body }),
      ...(!p.replayable && { duplex: "half" as const }),
    };
    const started = Date.now();
    const fail = (error: unknown, phase: string): Outcome => {
      // The caller's own abort is not ours to retry or rename.
      if (p.signal?.aborted) throw p.signal.reason;
      if (isPatchbayError(error)) return { kind: "error", error };
      const mapped = timedOut
        ? new NetworkError(
            ErrorCode.TIMEOUT,
            `${p.method} ${p.safeUrl} timed out after ${p.timeoutMs} ms`,
            { cause: error },
          )
        : new NetworkError(
            ErrorCode.NETWORK,
            `${p.method} ${p.safeUrl} failed ${phase}: ${scrub(errorMessage(error))}`,
            { cause: error },
          );
      if (debug)
        logger.debug(`${p.method} ${p.safeUrl} ✗ ${mapped.code}`, {
          method: p.method,
          url: p.safeUrl,
          code: mapped.code,
          attempt: number,
          durationMs: Date.now() - started,
        });
      return { kind: "error", error: mapped };
    };

    try {
      let response: Response;
      try {
        response = await fetchFn(url.href, init);
      } catch (error) {
        return fail(error, "before a response");
      }
      if (debug)
        logger.debug(`${p.method} ${p.safeUrl} → ${response.status}`, {
          method: p.method,
          url: p.safeUrl,
          status: response.status,
          attempt: number,
          durationMs: Date.now() - started,
        });

      if (response.status >= 400) {
        if (canRefresh && expiredStatuses.includes(response.status)) {
          // Drain rather than cancel(): a cancel can stay pending forever on some fetch implementations (seen with MSW).
          await response.arrayBuffer().catch(() => undefined);
          return { kind: "refresh" };
        }
        const error = await toError(p, response, scrub);
        return {
          kind: "error",
          error,
          retryAfterMs:
            error instanceof RateLimitError
              ? error.retryAfterMs
              : parseRetryAfter(response.headers.get("retry-after"), Date.now()),
        };
      }

      const finalUrl = publicUrl(response.url, p.url, url);
      if (p.responseType === "response") {
        return {
          kind: "ok",
          response: {
            status: response.status,
            headers: response.headers,
            data: response,
            url: finalUrl,
          },
        };
      }
      let data: unknown;
      try {
        data = await readBody(response, p.responseType);
      } catch (error) {
        if (error instanceof SyntaxError) {
          // Usually a body cut off in transit: retried like a 5xx (idempotent
          // requests only), and reported as it is if it persists.
          return {
            kind: "error",
            error: new ProviderError(
              `${p.method} ${p.safeUrl} → ${response.status}: the response is not valid JSON`,
              { status: response.status, retryable: true, cause: scrub(error.message) },
            ),
          };
        }
        return fail(error, "while reading the response body");
      }
      return {
        kind: "ok",
        response: { status: response.status, headers: response.headers, data, url: finalUrl },
      };
    } finally {
      clearTimeout(timer);
    }
  };

  const execute = async (request: HttpRequest): Promise<HttpResponse<unknown>> => {
    const p = prepare(request);
    let retries = 0;
    let number = 0;
    let forceRefresh = false;
    let refreshed = false;
    // What the previous attempt sent, so a forced refresh knows which credentials were rejected.
    const sent: { last?: { headers: Headers; url: URL } } = {};
    for (;;) {
      number++;
      if (limiter !== undefined) {
        for (const bucket of p.buckets) await limiter.acquire(bucket.key, bucket.spec, p.signal);
      }
      const canRefresh = auth?.canRefresh === true && !refreshed && p.replayable;
      const outcome = await attempt(p, number, forceRefresh, canRefresh, sent);
      forceRefresh = false;
      if (outcome.kind === "ok") return outcome.response;
      if (outcome.kind === "refresh") {
        refreshed = true;
        forceRefresh = true;
        logger.warn(
          `${p.method} ${p.safeUrl}: credentials rejected; retrying once with refreshed credentials`,
          {
            method: p.method,
            url: p.safeUrl,
            attempt: number,
          },
        );
        continue;
      }

      const { error, retryAfterMs } = outcome;
      const rateLimited = error instanceof RateLimitError;
      const policy = p.policy;
      if (
        policy === false ||
        retries >= policy.retries ||
        !p.replayable ||
        !error.retryable ||
        (!rateLimited && !p.idempotent)
      ) {
        throw error;
      }
      // Waiting longer than the policy allows inside one call is the scheduler's job.
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delayMs = retryAfterMs ?? computeBackoff(retries, policy, random);
      retries++;
      if (rateLimited && limiter !== undefined && delayMs > 0) {
        for (const bucket of p.buckets) limiter.pause(bucket.key, delayMs);
      }
      logger.warn(
        `Retrying ${p.method} ${p.safeUrl} after ${error.status ?? error.code} in ${delayMs} ms (retry ${retries} of ${policy.retries})`,
        {
          method: p.method,
          url: p.safeUrl,
          status: error.status,
          code: error.code,
          attempt: number,
          retry: retries,
          delayMs,
        },
      );
      await sleep(delayMs, p.signal);
    }
  };

  const request = <T>(req: HttpRequest): Promise<HttpResponse<T>> =>
    execute(req) as Promise<HttpResponse<T>>;
  const withMethod =
    (method: string) =>
    <T>(path: string, rest?: Omit<HttpRequest, "path" | "method">): Promise<HttpResponse<T>> => {
      if (rest !== undefined && (rest === null || typeof rest !== "object")) {
        return Promise.reject(new TypeError('"options" must be an object'));
      }
      return request<T>({ ...rest, method, path });
    };

  const pipelineFetch: FetchLike = async (input, init) => {
    const headers = new Headers();
    let path: string;
    let method = "GET";
    let body: BodyInit | undefined;
    let signal: AbortSignal | undefined;
    if (typeof Request !== "undefined" && input instanceof Request) {
      path = input.url;
      method = input.method;
      input.headers.forEach((value, name) => {
        headers.set(name, value);
      });
      if (input.body !== null && init?.body == null) body = await input.arrayBuffer();
      signal = input.signal;
    } else if (input instanceof URL) path = input.href;
    else if (typeof input === "string") path = input;
    else throw new TypeError('"input" must be a URL string, a URL or a Request');
    if (init !== undefined) {
      if (init.method !== undefined) method = init.method;
      new Headers(init.headers).forEach((value, name) => {
        headers.set(name, value);
      });
      if (init.body != null) body = init.body;
      if (init.signal != null) signal = init.signal;
    }
    const record: Record<string, string> = {};
    headers.forEach((value, name) => {
      record[name] = value;
    });
    const response = await execute({
      method,
      path,
      headers: record,
      responseType: "response",
      ...(body !== undefined && { body }),
      ...(signal !== undefined && { signal }),
    });
    return response.data as Response;
  };

  return {
    request,
    get: withMethod("GET"),
    post: withMethod("POST"),
    put: withMethod("PUT"),
    patch: withMethod("PATCH"),
    delete: withMethod("DELETE"),
    fetch: pipelineFetch,
  };
}

function parseBaseUrl(value: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new TypeError('"baseUrl" must be an absolute http(s) URL');
  }
  // Keep the base path as a directory so relative paths append to it.
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  url.search = "";
  url.hash = "";
  return url;
}

function resolveUrl(base: URL | undefined, path: string): URL {
  if (typeof path !== "string" || path.trim() === "") {
    throw new TypeError('"path" must be a non-empty string');
  }
  if (ABSOLUTE_URL.test(path)) {
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      throw new TypeError('"path" must be a valid URL');
    }
    // Credentials go only over TLS, or to the origin the connector declared.
    if (url.protocol !== "https:" && url.origin !== base?.origin) {
      throw new TypeError('"path" must be relative to "baseUrl" or an absolute https: URL');
    }
    return url;
  }
  if (base === undefined) {
    throw new TypeError('"path" must be an absolute URL when the client has no "baseUrl"');
  }
  // "./" keeps `spreadsheets/abc:batchUpdate`-style segments from reading as a scheme.
  return new URL(`./${path.replace(/^\/+/, "")}`, base);
}

function appendQuery(url: URL, query: Record<string, QueryValue> | undefined): void {
  if (query === undefined) return;
  if (query === null || typeof query !== "object") throw new TypeError('"query" must be an object');
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item !== undefined && item !== null) url.searchParams.append(key, String(item));
      }
    } else url.searchParams.append(key, String(value));
  }
}

function toHeaders(record: Record<string, string> | undefined, name: string): Headers {
  const headers = new Headers();
  addHeaders(headers, record, name);
  return headers;
}

/** Set every header of `record` on `headers` (skipping `undefined` and `null` values). */
function addHeaders(
  headers: Headers,
  record: Record<string, string> | undefined,
  name: string,
): void {
  if (record === undefined) return;
  if (record === null || typeof record !== "object") {
    throw new TypeError(`"${name}" must be an object of strings`);
  }
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    if (value !== undefined && value !== null) headers.set(key, String(value));
  }
}

function checkTimeout(value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new TypeError('"timeoutMs" must be a positive number of milliseconds');
  }
  return value;
}

/**
 * A scrubber for the credentials this attempt carries: every header value and
 * query parameter the authenticator added or changed, every header or query
 * parameter with a secret name (`authorization`, `x-api-key`, `api_key`, ...),
 * and the token part of `Bearer <token>`. Providers sometimes echo a key back
 * in an error body ("invalid api key abc..."); it must not reach a message or
 * a `cause`.
 */
function credentialScrubber(
  beforeHeaders: Headers,
  afterHeaders: Headers,
  beforeUrl: URL,
  afterUrl: URL,
): (text: string) => string {
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
  };
  afterHeaders.forEach((value, name) => {
    if (beforeHeaders.get(name) === value && !isSecretField(name)) return;
    add(value);
    const scheme = /^\S+\s+(\S+)$/.exec(value);
    if (scheme?.[1] !== undefined) add(scheme[1]);
  });
  for (const [name, value] of afterUrl.searchParams) {
    if (
      isSecretField(name) ||
      name === "key" ||
      !beforeUrl.searchParams.getAll(name).includes(value)
    ) {
      add(value);
    }
  }
  // Longest first, so a token is not half-replaced by a shorter secret inside it.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redactString(text);
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };
}

/** Apply `scrub` to every string in a parsed error body. */
function scrubValue(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 32) return "[Truncated]";
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, scrub, depth + 1);
  return out;
}

/**
 * The response URL without the query parameters the authenticator added
 * (an `api_key` in the query must not leak through `HttpResponse.url`).
 */
function publicUrl(responseUrl: string, before: URL, after: URL): string {
  // Nothing was added to the query (no query-parameter credentials): nothing to strip.
  if (after === before || after.search === before.search) return responseUrl || before.href;
  const url = new URL(responseUrl || before.href);
  for (const [name, value] of after.searchParams) {
    if (before.searchParams.getAll(name).includes(value)) continue;
    url.searchParams.delete(name);
  }
  return url.href;
}

async function readBody(response: Response, type: ResponseType): Promise<unknown> {
  if (type === "arrayBuffer") return response.arrayBuffer();
  const text = await response.text();
  if (type === "text") return text;
  if (response.status === 204 || response.status === 205 || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (text.trim() === "") return undefined;
    throw error;
  }
}

/** Read at most 64 KiB of an error body: parsed JSON when possible, else text, `undefined` when empty. */
async function readErrorBody(response: Response): Promise<unknown> {
  if (response.body === null) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = MAX_ERROR_BODY_BYTES - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that breaks off mid-read still tells us the status; keep what arrived.
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return undefined;
  if (!truncated) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON: keep the text.
    }
  }
  return truncated ? `${text}…[truncated]` : text;
}

function safeParseError(
  parser: ProviderErrorParser | undefined,
  response: Response,
  body: unknown,
  logger: Logger,
  p: PreparedRequest,
): ProviderErrorInfo {
  if (parser === undefined) return {};
  try {
    return parser(response, body) ?? {};
  } catch (error) {
    // A broken parser must not hide the provider's answer.
    logger.warn(`parseError threw for ${p.method} ${p.safeUrl}; using the default mapping`, {
      error: errorMessage(error),
    });
    return {};
  }
}

/** A provider message from common error-body shapes, when the connector gave no parser. */
function defaultProviderMessage(body: unknown): string | undefined {
  if (typeof body === "string") {
    const text = body.trim();
    // An HTML error page says nothing useful in one line.
    return text === "" || text.startsWith("<") ? undefined : text;
  }
  if (body === null || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  const errors = record.errors;
  const candidates: unknown[] = [
    error !== null && typeof error === "object"
      ? (error as Record<string, unknown>).message
      : undefined,
    record.message,
    record.error_description,
    error,
    Array.isArray(errors) && errors[0] !== null && typeof errors[0] === "object"
      ? (errors[0] as Record<string, unknown>).message
      : undefined,
    record.detail,
    record.title,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === "string" && candidate.trim() !== "") return candidate.trim();
  }
  return undefined;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine;
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return clip(redactString(message));
}
