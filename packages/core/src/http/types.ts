import type { Logger } from "../logger.js";

/** A `fetch`-compatible function. Injected everywhere so tests and hosts can swap it. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Query values; arrays repeat the key, `undefined` drops it. */
export type QueryValue =
  | string
  | number
  | boolean
  | undefined
  | null
  | ReadonlyArray<string | number | boolean>;

/** One request through the pipeline. */
export interface HttpRequest {
  /** Defaults to `GET`. */
  method?: string;
  /** A path joined to the client's `baseUrl`, or an absolute `https://` URL. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Any other body, sent as is. */
  body?: BodyInit;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
  /**
   * Whether the request is safe to repeat. Defaults to true for GET, HEAD,
   * OPTIONS, PUT and DELETE; false for POST and PATCH. Non-idempotent requests
   * are retried only when the provider answered 429 (nothing was applied).
   */
  idempotent?: boolean;
  /** `false` disables retries for this request. */
  retry?: false | Partial<RetryPolicy>;
  /** How to read the body: parsed JSON (default), text, bytes, or the raw `Response`. */
  responseType?: "json" | "text" | "arrayBuffer" | "response";
  /** Rate-limit bucket key, overriding the declared scope (e.g. an Airtable base id). */
  rateLimitKey?: string;
  signal?: AbortSignal;
}

/** A successful (2xx/3xx) response. Errors are thrown as Patchbay errors. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The body as asked for by `responseType`; `undefined` for an empty body. */
  data: T;
  /** The final URL (after redirects). */
  url: string;
}

/** Retries with jittered exponential backoff. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 4. */
  retries: number;
  /** First backoff. Default 250 ms. */
  minDelayMs: number;
  /** Backoff cap. Default 30 s. */
  maxDelayMs: number;
  /** Backoff multiplier per attempt. Default 2. */
  factor: number;
  /**
   * The longest `Retry-After` the client will wait inside one call. A longer
   * one is thrown as `RateLimitError` with `retryAfterMs` so a scheduler can
   * come back later. Default 60 s.
   */
  maxRetryAfterMs: number;
}

/**
 * A declared rate limit (token bucket): `requests` per `intervalMs`, per key.
 *
 * @example Airtable: 5 requests per second per base
 * ```ts
 * { requests: 5, intervalMs: 1000, scope: "connection" }
 * ```
 */
export interface RateLimitSpec {
  /** How many requests the provider allows per `intervalMs`. */
  requests: number;
  /** The provider's window, in milliseconds. */
  intervalMs: number;
  /**
   * Headroom kept under the provider's limit, as a share of `intervalMs`:
   * a spent token comes back `intervalMs × (1 + safetyMargin)` after it was
   * granted. Providers count requests when they arrive, and the time from
   * grant to arrival varies (credentials, the network, a busy event loop),
   * so a limiter that grants on the window's exact edge still gets 429s.
   * Default `0.05` (5% under the limit); `0` grants on the edge.
   */
  safetyMargin?: number;
  /**
   * What shares a bucket: each connection, the whole provider (all
   * connections in this process), or a key computed from the request.
   * Default `"connection"`.
   */
  scope?: "connection" | "provider" | ((request: HttpRequest) => string);
  /**
   * Which requests the limit counts (default: all). Google Business Profile
   * allows 10 edits per minute per location: reads must not spend them.
   */
  appliesTo?: (request: HttpRequest) => boolean;
}

/** What a connector can say about a provider's error response. */
export interface ProviderErrorInfo {
  /** A human message from the provider's error body. */
  message?: string;
  /** The provider's error code. */
  code?: string;
  /** Override how the response is classified. */
  kind?: "auth" | "rate_limit" | "not_found" | "provider";
  /** Override whether it is retryable. */
  retryable?: boolean;
  /** How long to wait, from provider-specific headers or body. */
  retryAfterMs?: number;
}

/** Parses a provider's error body into {@link ProviderErrorInfo}. `body` is parsed JSON when possible, else text. */
export type ProviderErrorParser = (
  response: Response,
  body: unknown,
) => ProviderErrorInfo | undefined;

/**
 * Puts credentials on an outgoing request. Implemented by core from the
 * connector's auth declaration and the token manager.
 */
export interface RequestAuthenticator {
  /** Set headers (or query parameters on `url`) for this attempt. */
  authenticate(
    request: { headers: Headers; url: URL },
    options: {
      forceRefresh: boolean;
      /** With `forceRefresh`: the request the provider just rejected, so the authenticator knows which credentials failed. */
      rejected?: { headers: Headers; url: URL };
    },
  ): Promise<void>;
  /** Whether `forceRefresh` can produce new credentials (tokens can; API keys cannot). */
  readonly canRefresh: boolean;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  baseUrl?: string;
  /** Sent on every request (the request's own headers win). */
  headers?: Record<string, string>;
  auth?: RequestAuthenticator;
  /** Statuses meaning "the access token expired" (default `[401]`); some providers use 403. */
  expiredStatuses?: number[];
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimits?: RateLimitSpec[];
  /** Shared limiter (so buckets outlive one client). Defaults to a new one. */
  rateLimiter?: RateLimiter;
  /** Keys for the `connection` and `provider` scopes. */
  rateLimitScope?: { connection: string; provider: string };
  parseError?: ProviderErrorParser;
  logger?: Logger;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable random in [0, 1) for jitter. */
  random?: () => number;
}

/** The pipeline every connector talks through. */
export interface HttpClient {
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  get<T = unknown>(
    path: string,
    options?: Omit<HttpRequest, "path" | "method">,
  ): Promise<HttpResponse<T>>;
  post<T = unknown>(
    path: string,
    options?: Omit<HttpRequest, "path" | "method">,
  ): Promise<HttpResponse<T>>;
  put<T = unknown>(
    path: string,
    options?: Omit<HttpRequest, "path" | "method">,
  ): Promise<HttpResponse<T>>;
  patch<T = unknown>(
    path: string,
    options?: Omit<HttpRequest, "path" | "method">,
  ): Promise<HttpResponse<T>>;
  delete<T = unknown>(
    path: string,
    options?: Omit<HttpRequest, "path" | "method">,
  ): Promise<HttpResponse<T>>;
  /**
   * A `fetch` that goes through this pipeline (auth, rate limits, retries,
   * error mapping), for handing to an official SDK. Errors are thrown as
   * Patchbay errors, as with `request`.
   */
  readonly fetch: FetchLike;
}

/** A token-bucket limiter shared by clients; one bucket per key. */
export interface RateLimiter {
  /** Wait until a request may be sent under `spec` in bucket `key`. */
  acquire(key: string, spec: RateLimitSpec, signal?: AbortSignal): Promise<void>;
  /** Block bucket `key` for `ms` (after a 429 with `Retry-After`), so concurrent callers wait too. */
  pause(key: string, ms: number): void;
}
