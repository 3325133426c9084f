import type { SyncMode } from "@patchbay/core";
import {
  isApiErrorBody,
  NETWORK_ERROR_CODE,
  PatchbayApiError,
  UNEXPECTED_RESPONSE_CODE,
} from "./errors.js";
import type {
  CatalogueConnector,
  ConnectionWithHealth,
  PublicConnection,
  TestResult,
  WireSyncOutcome,
  WireSyncRun,
} from "./types.js";

/**
 * The `fetch` the client calls: the browser's, or yours (to add a CSRF header, or in tests).
 *
 * @example
 * ```ts
 * const withCsrf: FetchFunction = (input, init = {}) =>
 *   fetch(input, { ...init, headers: { ...init.headers, "x-csrf-token": token } });
 * ```
 */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Options of {@link createPatchbayClient}.
 *
 * @example
 * ```ts
 * const options: PatchbayClientOptions = { baseUrl: "/integrations" };
 * ```
 */
export interface PatchbayClientOptions {
  /** Where the host mounted the Patchbay routes, e.g. `/integrations` (or an absolute URL). */
  baseUrl: string;
  /** Replaces the global `fetch` (add headers, point at a test double). */
  fetch?: FetchFunction;
  /**
   * Sends the browser to a URL (the OAuth connect route). Default:
   * `window.location.assign(url)`. Pass your router's navigation if it needs to know.
   */
  navigate?: (url: string) => void;
}

/**
 * A thin typed client over the host's Patchbay routes (see
 * `createPatchbayHandler` in `@patchbay/core`). Every method throws a
 * {@link PatchbayApiError} carrying the server's message when the route fails.
 *
 * @example
 * ```ts
 * const client = usePatchbay();
 * const connections = await client.connections();
 * await client.syncNow(connections[0].id);
 * ```
 */
export interface PatchbayClient {
  /** The routes' base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** `GET /connectors`: the catalogue, with config and credential forms as JSON Schema. */
  catalogue(): Promise<CatalogueConnector[]>;
  /** `GET /connections`: the tenant's connections, each with its health. */
  connections(): Promise<ConnectionWithHealth[]>;
  /** `GET /connections/:id`: one connection with its health. */
  connection(id: string): Promise<ConnectionWithHealth>;
  /** The OAuth connect URL: `${baseUrl}/${connector}/connect?returnTo=…`. */
  connectUrl(connector: string, options?: { returnTo?: string }): string;
  /**
   * OAuth connectors: send the browser to the connect route, which redirects
   * to the provider and, once the user agrees, back to `returnTo` (default:
   * the current path) with `?patchbay=connected&connection=<id>`.
   */
  connect(connector: string, options?: { returnTo?: string }): void;
  /** `POST /:connector/connect`: credential forms (API key, basic, service account…). */
  connectWithCredentials(
    connector: string,
    credentials: Record<string, unknown>,
    options?: { config?: Record<string, unknown> },
  ): Promise<PublicConnection>;
  /** `POST /connections/:id/test`: `{ ok: true }` or `{ ok: false, message }`. */
  test(id: string): Promise<TestResult>;
  /** `PUT /connections/:id/config`: replace the connection's settings. */
  configure(id: string, config: Record<string, unknown>): Promise<PublicConnection>;
  /** `PUT /connections/:id/mapping/:model`: host field → provider field. */
  setMapping(id: string, model: string, mapping: Record<string, string>): Promise<PublicConnection>;
  /** `POST /connections/:id/sync`: run now and wait (all models unless `model` is given). */
  syncNow(id: string, options?: { model?: string; mode?: SyncMode }): Promise<WireSyncOutcome[]>;
  /** `GET /connections/:id/runs`: sync history, newest first (at most 200). */
  runs(id: string, options?: { limit?: number; model?: string }): Promise<WireSyncRun[]>;
  /** `DELETE /connections/:id`: disconnect; with `purge`, delete the synced data too. */
  disconnect(id: string, options?: { purge?: boolean }): Promise<{ revoked: boolean }>;
}

/** The current path and query, without the parameters the connect round trip adds. */
export function currentReturnTo(): string {
  if (typeof window === "undefined") return "/";
  const url = new URL(window.location.href);
  url.searchParams.delete("patchbay");
  url.searchParams.delete("connection");
  return `${url.pathname}${url.search}`;
}

/**
 * Create a {@link PatchbayClient}. Components get one from
 * `<PatchbayProvider>` through `usePatchbay()`; call this directly outside React.
 *
 * @example
 * ```ts
 * const client = createPatchbayClient({ baseUrl: "/integrations" });
 * const catalogue = await client.catalogue();
 * ```
 */
export function createPatchbayClient(options: PatchbayClientOptions): PatchbayClient {
  if (typeof options?.baseUrl !== "string") {
    throw new TypeError('"baseUrl" must be the path where the Patchbay routes are mounted');
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const navigate =
    options.navigate ??
    ((url: string) => {
      window.location.assign(url);
    });
  const path = (...parts: string[]) =>
    `${baseUrl}/${parts.map((p) => encodeURIComponent(p)).join("/")}`;

  async function request<T>(
    method: string,
    url: string,
    body?: Record<string, unknown>,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new PatchbayApiError(
        "Could not reach the server. Check your connection and try again.",
        { code: NETWORK_ERROR_CODE, status: 0, retryable: true },
      );
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch {
      payload = undefined;
    }
    if (!response.ok) {
      if (isApiErrorBody(payload)) throw PatchbayApiError.fromBody(response.status, payload);
      throw new PatchbayApiError(
        `The integrations service answered with an error (HTTP ${response.status}). Try again.`,
        { code: UNEXPECTED_RESPONSE_CODE, status: response.status },
      );
    }
    if (payload === undefined || payload === null || typeof payload !== "object") {
      throw new PatchbayApiError("The integrations service sent an unexpected answer. Try again.", {
        code: UNEXPECTED_RESPONSE_CODE,
        status: response.status,
      });
    }
    return payload as T;
  }

  const client: PatchbayClient = {
    baseUrl,
    async catalogue() {
      return (await request<{ connectors: CatalogueConnector[] }>("GET", path("connectors")))
        .connectors;
    },
    async connections() {
      return (await request<{ connections: ConnectionWithHealth[] }>("GET", path("connections")))
        .connections;
    },
    async connection(id) {
      return (await request<{ connection: ConnectionWithHealth }>("GET", path("connections", id)))
        .connection;
    },
    connectUrl(connector, connectOptions = {}) {
      const returnTo = connectOptions.returnTo ?? currentReturnTo();
      return `${path(connector, "connect")}?returnTo=${encodeURIComponent(returnTo)}`;
    },
    connect(connector, connectOptions) {
      navigate(client.connectUrl(connector, connectOptions));
    },
    async connectWithCredentials(connector, credentials, connectOptions = {}) {
      const body: Record<string, unknown> = { credentials };
      if (connectOptions.config !== undefined) body.config = connectOptions.config;
      return (
        await request<{ connection: PublicConnection }>("POST", path(connector, "connect"), body)
      ).connection;
    },
    async test(id) {
      return request<TestResult>("POST", path("connections", id, "test"));
    },
    async configure(id, config) {
      return (
        await request<{ connection: PublicConnection }>(
          "PUT",
          path("connections", id, "config"),
          config,
        )
      ).connection;
    },
    async setMapping(id, model, mapping) {
      return (
        await request<{ connection: PublicConnection }>(
          "PUT",
          path("connections", id, "mapping", model),
          { mapping },
        )
      ).connection;
    },
    async syncNow(id, syncOptions = {}) {
      const body: Record<string, unknown> = {};
      if (syncOptions.model !== undefined) body.model = syncOptions.model;
      if (syncOptions.mode !== undefined) body.mode = syncOptions.mode;
      return (
        await request<{ outcomes: WireSyncOutcome[] }>(
          "POST",
          path("connections", id, "sync"),
          body,
        )
      ).outcomes;
    },
    async runs(id, runOptions = {}) {
      const query = new URLSearchParams();
      if (runOptions.limit !== undefined) query.set("limit", String(runOptions.limit));
      if (runOptions.model !== undefined) query.set("model", runOptions.model);
      const qs = query.toString();
      return (
        await request<{ runs: WireSyncRun[] }>(
          "GET",
          `${path("connections", id, "runs")}${qs === "" ? "" : `?${qs}`}`,
        )
      ).runs;
    },
    async disconnect(id, disconnectOptions = {}) {
      return request<{ revoked: boolean }>(
        "DELETE",
        `${path("connections", id)}${disconnectOptions.purge === true ? "?purge=true" : ""}`,
      );
    },
  };
  return client;
}
