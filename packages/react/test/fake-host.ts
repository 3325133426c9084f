import type { Json, LimitName } from "@patchbay/core";
import type {
  ApiErrorBody,
  CatalogueConnector,
  ConnectionWithHealth,
  PublicConnection,
  WireSyncOutcome,
  WireSyncRun,
} from "../src/index.js";
import { CATALOGUE } from "./catalogue.js";

/**
 * A stand-in for the host's Patchbay routes (`createPatchbayHandler`),
 * answering with the same status codes and JSON shapes, so the components
 * are tested through their real HTTP client. Tests override a route with
 * `on()` to script failures.
 */

export const BASE = "/integrations";
export const TENANT = "tenant_1";

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

type Responder = (request: RecordedRequest, params: string[]) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** A Patchbay error as `errorResponse()` serializes it (`PatchbayError.toJSON()`). */
export function patchbayError(
  status: number,
  name: string,
  code: string,
  message: string,
  extra: { limit?: LimitName } = {},
): Response {
  const body: ApiErrorBody = { error: { name, code, message, retryable: false, ...extra } };
  return json(status, body);
}

export function limitError(limit: LimitName, message: string): Response {
  return patchbayError(402, "LimitError", "PATCHBAY_LIMIT_EXCEEDED", message, { limit });
}

export function configError(message: string): Response {
  return patchbayError(400, "ConfigError", "PATCHBAY_CONFIG_INVALID", message);
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

/** A connection with health, shaped like `GET /connections` answers. */
export function makeConnection(
  overrides: Partial<PublicConnection> & { connector: string },
  health: Partial<ConnectionWithHealth["health"]> = {},
): ConnectionWithHealth {
  const id = overrides.id ?? `conn_${overrides.connector}`;
  const status = overrides.status ?? "active";
  const statusReason = overrides.statusReason ?? null;
  return {
    id,
    tenantId: TENANT,
    status,
    statusReason,
    config: {},
    metadata: {},
    fieldMappings: {},
    credentialsVersion: 1,
    createdAt: minutesAgo(60 * 24),
    updatedAt: minutesAgo(60),
    ...overrides,
    health: {
      connectionId: id,
      status,
      statusReason,
      lastSuccessAt: minutesAgo(2),
      lastError: null,
      consecutiveFailures: 0,
      nextRunAt: null,
      models: [],
      ...health,
    },
  };
}

let runCounter = 0;

/** A finished sync run, shaped like `GET /connections/:id/runs` answers. */
export function makeRun(
  connectionId: string,
  overrides: Partial<WireSyncRun> & { minutesAgo?: number } = {},
): WireSyncRun {
  const { minutesAgo: ago = 5, ...rest } = overrides;
  const startedAt = new Date(Date.now() - ago * 60_000);
  return {
    id: `run_${++runCounter}`,
    tenantId: TENANT,
    connectionId,
    model: "rows",
    trigger: "schedule",
    mode: "full",
    status: "succeeded",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + 3_200).toISOString(),
    fetched: 47,
    inserted: 2,
    updated: 1,
    deleted: 0,
    unchanged: 44,
    failed: 0,
    error: null,
    details: {},
    ...rest,
  };
}

/** The connection without its health, as the mutation routes return it. */
function publicOf(connection: ConnectionWithHealth): PublicConnection {
  const { health: _health, ...rest } = connection;
  return rest;
}

export interface FakeHost {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  requests: RecordedRequest[];
  catalogue: CatalogueConnector[];
  connections: ConnectionWithHealth[];
  runs: Map<string, WireSyncRun[]>;
  /** Override a route: `on("POST", "/connections/:id/sync", (req) => json(200, …))`. */
  on(method: string, pattern: string, respond: Responder): void;
  /** The requests to a method and path (path relative to the base, e.g. `/connections/c1/config`). */
  calls(method: string, path: string): RecordedRequest[];
}

function match(pattern: string, path: string): string[] | null {
  const a = pattern.split("/").filter(Boolean);
  const b = path.split("/").filter(Boolean);
  if (a.length !== b.length) return null;
  const params: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const part = a[i] ?? "";
    const actual = decodeURIComponent(b[i] ?? "");
    if (part.startsWith(":")) params.push(actual);
    else if (part !== actual) return null;
  }
  return params;
}

export function fakeHost(
  initial: {
    catalogue?: CatalogueConnector[];
    connections?: ConnectionWithHealth[];
    runs?: Record<string, WireSyncRun[]>;
  } = {},
): FakeHost {
  const host: FakeHost = {
    catalogue: initial.catalogue ?? CATALOGUE,
    connections: [...(initial.connections ?? [])],
    runs: new Map(Object.entries(initial.runs ?? {})),
    requests: [],
    on(method, pattern, respond) {
      overrides.unshift({ method, pattern, respond });
    },
    calls(method, path) {
      return host.requests.filter((r) => r.method === method && r.path === path);
    },
    fetch: async (input, init = {}) => {
      const url = new URL(input, "http://localhost");
      if (!url.pathname.startsWith(`${BASE}/`)) return notFound();
      const path = url.pathname.slice(BASE.length);
      const method = (init.method ?? "GET").toUpperCase();
      const headers = new Headers(init.headers);
      let body: Record<string, unknown> | undefined;
      if (typeof init.body === "string") {
        if (!(headers.get("content-type") ?? "").startsWith("application/json")) {
          return json(415, {
            error: { code: "unsupported_media_type", message: "Send the body as application/json" },
          });
        }
        body = JSON.parse(init.body) as Record<string, unknown>;
      }
      const request: RecordedRequest = { method, path, search: url.searchParams, body, headers };
      host.requests.push(request);
      for (const route of [...overrides, ...defaults]) {
        if (route.method !== method) continue;
        const params = match(route.pattern, path);
        if (params !== null) return route.respond(request, params);
      }
      return notFound();
    },
  };

  const notFound = () => json(404, { error: { code: "not_found", message: "No such route" } });
  const connectionNotFound = (id: string) =>
    patchbayError(404, "NotFoundError", "PATCHBAY_NOT_FOUND", `Connection "${id}" not found`);
  const find = (id: string) => host.connections.find((c) => c.id === id);
  const overrides: Array<{ method: string; pattern: string; respond: Responder }> = [];

  const defaults: Array<{ method: string; pattern: string; respond: Responder }> = [
    {
      method: "GET",
      pattern: "/connectors",
      respond: () => json(200, { connectors: host.catalogue }),
    },
    {
      method: "GET",
      pattern: "/connections",
      respond: () => json(200, { connections: host.connections }),
    },
    {
      method: "GET",
      pattern: "/connections/:id",
      respond: (_r, [id = ""]) => {
        const c = find(id);
        return c === undefined ? connectionNotFound(id) : json(200, { connection: c });
      },
    },
    {
      method: "POST",
      pattern: "/:connector/connect",
      respond: (r, [connector = ""]) => {
        const credentials = r.body?.credentials;
        if (credentials === null || typeof credentials !== "object") {
          return json(400, {
            error: {
              code: "invalid_credentials",
              message: '"credentials" must be an object of the connector\'s credential fields',
            },
          });
        }
        const created = makeConnection(
          { id: `conn_new_${host.connections.length + 1}`, connector },
          { lastSuccessAt: null },
        );
        host.connections.push(created);
        return json(201, { connection: publicOf(created) });
      },
    },
    {
      method: "POST",
      pattern: "/connections/:id/test",
      respond: (_r, [id = ""]) => (find(id) ? json(200, { ok: true }) : connectionNotFound(id)),
    },
    {
      method: "PUT",
      pattern: "/connections/:id/config",
      respond: (r, [id = ""]) => {
        const c = find(id);
        if (c === undefined) return connectionNotFound(id);
        c.config = (r.body ?? {}) as Record<string, Json>;
        return json(200, { connection: publicOf(c) });
      },
    },
    {
      method: "PUT",
      pattern: "/connections/:id/mapping/:model",
      respond: (r, [id = "", model = ""]) => {
        const c = find(id);
        if (c === undefined) return connectionNotFound(id);
        c.fieldMappings = {
          ...c.fieldMappings,
          [model]: (r.body?.mapping ?? r.body) as Record<string, string>,
        };
        return json(200, { connection: publicOf(c) });
      },
    },
    {
      method: "POST",
      pattern: "/connections/:id/sync",
      respond: (_r, [id = ""]) => {
        const c = find(id);
        if (c === undefined) return connectionNotFound(id);
        const run = makeRun(id, { trigger: "manual", minutesAgo: 0 });
        host.runs.set(id, [run, ...(host.runs.get(id) ?? [])]);
        c.health = { ...c.health, lastSuccessAt: new Date().toISOString() };
        const outcome: WireSyncOutcome = { status: "succeeded", run };
        return json(200, { outcomes: [outcome] });
      },
    },
    {
      method: "GET",
      pattern: "/connections/:id/runs",
      respond: (r, [id = ""]) => {
        if (find(id) === undefined) return connectionNotFound(id);
        const limit = Math.min(Math.max(Number(r.search.get("limit") ?? 20) || 20, 1), 200);
        return json(200, { runs: (host.runs.get(id) ?? []).slice(0, limit) });
      },
    },
    {
      method: "DELETE",
      pattern: "/connections/:id",
      respond: (r, [id = ""]) => {
        const c = find(id);
        if (c === undefined) return connectionNotFound(id);
        if (r.search.get("purge") === "true") {
          host.connections = host.connections.filter((x) => x.id !== id);
          host.runs.delete(id);
        } else {
          c.status = "disconnected";
          c.health = { ...c.health, status: "disconnected" };
        }
        return json(200, { revoked: true });
      },
    },
  ];

  return host;
}
