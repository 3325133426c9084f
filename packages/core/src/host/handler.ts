import {
  ErrorCode,
  isPatchbayError,
  LimitError,
  NotFoundError,
  type PatchbayError,
} from "../errors.js";
import type { Patchbay } from "../patchbay.js";
import type { Schedule, SyncMode } from "../store/types.js";
import { timingSafeEqual } from "../webhooks/signing.js";

/** Who is asking: the tenant, and the actor for the audit trail. */
export interface RequestIdentity {
  tenantId: string;
  /** The signed-in user (for the audit trail). */
  actor?: string;
}

/** Options of {@link createPatchbayHandler}. */
export interface PatchbayHandlerOptions {
  /**
   * Where the routes are mounted, e.g. `/integrations`. Used to match paths
   * and to build OAuth callback URLs (`<publicUrl><basePath>/<connector>/callback`).
   */
  basePath: string;
  /**
   * Map a request to its tenant (from your session). Return `null` to refuse
   * (401). Required: without it no route but webhooks answers.
   */
  tenant: (
    request: Request,
  ) => RequestIdentity | string | null | Promise<RequestIdentity | string | null>;
  /** Bearer secret for `POST /cron`. Without it, `/cron` answers 404. */
  cronSecret?: string;
  /** Your public origin (`https://app.example.com`) when the request URL is not it (behind a proxy). */
  publicUrl?: string;
  /** The largest JSON body accepted. Default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Where to send the browser to authorize, given the provider's authorization
   * URL: a sandbox's local consent page (`createSandbox().authorizationRedirect`
   * in `@patchbay/testing`), or an interstitial page of yours. Default: the
   * provider's URL unchanged.
   *
   * @example
   * ```ts
   * createPatchbayHandler(patchbay, { basePath: "/integrations", tenant, authorizationRedirect: sandbox.authorizationRedirect });
   * ```
   */
  authorizationRedirect?: (url: string, context: { connector: string; tenantId: string }) => string;
}

/** A web-standard handler: `Request` in, `Response` out. Adapters bridge Express and Next.js to it. */
export type PatchbayRequestHandler = (request: Request) => Promise<Response>;

const STATE_COOKIE = "pb_oauth_state";
const DEFAULT_MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function errorResponse(error: unknown): Response {
  if (error instanceof HttpError)
    return json(error.status, { error: { code: error.code, message: error.message } });
  if (error instanceof TypeError && !isPatchbayError(error)) {
    return json(400, { error: { code: ErrorCode.CONFIG_INVALID, message: error.message } });
  }
  if (isPatchbayError(error)) {
    const e = error as PatchbayError;
    const status =
      e instanceof NotFoundError
        ? 404
        : e instanceof LimitError
          ? 402
          : e.code === ErrorCode.CONFIG_INVALID || e.code.startsWith("PATCHBAY_CONNECT_")
            ? 400
            : e.code === ErrorCode.AUTH_NEEDS_REAUTH || e.code === ErrorCode.AUTH_UNAUTHORIZED
              ? 409
              : e.code === ErrorCode.RATE_LIMITED
                ? 429
                : e.code === ErrorCode.CONFLICT
                  ? 409
                  : 502;
    return json(status, { error: e.toJSON() });
  }
  return json(500, {
    error: { code: "internal_error", message: "Something went wrong; it has been logged." },
  });
}

/** Same-origin relative paths only (`/settings/integrations`), so a callback cannot redirect anywhere else. */
function safeReturnTo(value: string | null): string | undefined {
  if (value === null || value === "") return undefined;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    throw new HttpError(
      400,
      "invalid_return_to",
      '"returnTo" must be a path on this site, such as /settings/integrations',
    );
  }
  return value;
}

function safeReturnToOrUndefined(value: string | undefined): string | undefined {
  try {
    return safeReturnTo(value ?? null);
  } catch {
    return undefined;
  }
}

/** Redirect a browser back to `returnTo` with `?patchbay=error&code=…&message=…` (the message is written for end users). */
function backWithError(returnTo: string, error: unknown, cookies: string[]): Response {
  const target = new URL(returnTo, "https://placeholder.invalid");
  const body = errorBody(error);
  target.searchParams.set("patchbay", "error");
  target.searchParams.set("code", body.code);
  target.searchParams.set("message", body.message);
  if (body.limit !== undefined) target.searchParams.set("limit", body.limit);
  const headers = new Headers({
    location: `${target.pathname}${target.search}`,
    "cache-control": "no-store",
  });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(null, { status: 302, headers });
}

function errorBody(error: unknown): { code: string; message: string; limit?: string } {
  if (error instanceof HttpError) return { code: error.code, message: error.message };
  if (error instanceof LimitError)
    return { code: error.code, message: error.message, limit: error.limit };
  if (isPatchbayError(error)) return { code: error.code, message: error.message };
  return { code: "internal_error", message: "Something went wrong; it has been logged." };
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name)
      return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

async function readJson(request: Request, limit: number): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as application/json");
  }
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, "body_too_large", `The body is larger than ${limit} bytes`);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader !== undefined) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new HttpError(413, "body_too_large", `The body is larger than ${limit} bytes`);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "The body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new HttpError(400, "malformed_json", "The body must be a JSON object");
  return value as Record<string, unknown>;
}

/**
 * The HTTP routes a host mounts, as one web-standard handler. Every route
 * but webhooks is scoped to the tenant your `tenant()` returns; another
 * tenant's connection answers 404, never 403, so ids do not leak.
 *
 * | route | what |
 * |---|---|
 * | `GET  /connectors` | the catalogue, with config and credential forms as JSON Schema |
 * | `GET  /:connector/connect?returnTo=` | OAuth: redirect to the provider (state bound to the tenant and a cookie) |
 * | `POST /:connector/connect` | credential forms: `{ credentials, config? }` |
 * | `GET  /:connector/callback` | OAuth callback: finish, then redirect to `returnTo` (or JSON) |
 * | `GET  /connections` | the tenant's connections with health |
 * | `GET  /connections/:id` | one connection with health |
 * | `POST /connections/:id/test` | test the connection |
 * | `PUT  /connections/:id/config` | replace settings |
 * | `PUT  /connections/:id/mapping/:model` | set a field mapping |
 * | `PUT  /connections/:id/schedule/:model` | set a schedule |
 * | `POST /connections/:id/sync` | sync now: `{ model?, mode? }` (all models when omitted) |
 * | `GET  /connections/:id/runs` | sync history |
 * | `GET  /connections/:id/changes?model=&after=` | the change feed |
 * | `DELETE /connections/:id?purge=true` | disconnect |
 * | `POST /webhooks/:connector` | provider webhooks (no tenant: verified by signature) |
 * | `POST /cron` | due syncs and maintenance, for serverless hosts (`Authorization: Bearer <cronSecret>`) |
 *
 * @example
 * ```ts
 * const handle = createPatchbayHandler(patchbay, { basePath: "/integrations", tenant: (req) => sessionOf(req)?.orgId ?? null });
 * // any runtime with web Request/Response: const response = await handle(request);
 * ```
 */
export function createPatchbayHandler(
  patchbay: Patchbay,
  options: PatchbayHandlerOptions,
): PatchbayRequestHandler {
  if (typeof options?.tenant !== "function") {
    throw new TypeError(
      '"tenant" must be a function mapping a request to its tenant id (or null to refuse)',
    );
  }
  if (
    typeof options.basePath !== "string" ||
    (options.basePath !== "" && !options.basePath.startsWith("/"))
  ) {
    throw new TypeError('"basePath" must be a path such as "/integrations" (or "" for the root)');
  }
  const basePath = options.basePath.replace(/\/+$/, "");
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  async function identify(request: Request): Promise<RequestIdentity> {
    const who = await options.tenant(request);
    if (who === null || who === undefined || who === "")
      throw new HttpError(401, "unauthenticated", "Sign in to manage integrations");
    const identity = typeof who === "string" ? { tenantId: who } : who;
    if (typeof identity.tenantId !== "string" || identity.tenantId === "")
      throw new HttpError(401, "unauthenticated", "Sign in to manage integrations");
    return identity;
  }

  function origin(request: Request): string {
    return (options.publicUrl ?? new URL(request.url).origin).replace(/\/+$/, "");
  }

  async function withHealth(tenantId: string, id: string) {
    const [connection, health] = await Promise.all([
      patchbay.connections.get(tenantId, id),
      patchbay.connections.health(tenantId, id),
    ]);
    return { ...connection, health };
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (basePath !== "" && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
      throw new HttpError(404, "not_found", "No such route");
    }
    const parts = url.pathname
      .slice(basePath.length)
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
    const method = request.method.toUpperCase();
    const [first, second, third, fourth] = parts;

    // Webhooks and cron authenticate themselves; everything else needs a tenant.
    if (first === "webhooks" && second !== undefined && parts.length === 2) {
      return patchbay.handleWebhook(second, request);
    }
    if (first === "cron" && parts.length === 1) {
      if (options.cronSecret === undefined) throw new HttpError(404, "not_found", "No such route");
      if (method !== "POST") throw new HttpError(405, "method_not_allowed", "Use POST");
      const auth = request.headers.get("authorization") ?? "";
      if (!timingSafeEqual(auth, `Bearer ${options.cronSecret}`))
        throw new HttpError(401, "unauthenticated", "A valid cron secret is required");
      const due = await patchbay.sync.runDue();
      const maintenance = await patchbay.runMaintenance();
      return json(200, {
        syncs: due.started,
        skipped: due.outcomes.length - due.started,
        maintenance,
      });
    }

    const who = await identify(request);
    const { tenantId, actor } = who;

    if (first === "connectors" && parts.length === 1 && method === "GET")
      return json(200, { connectors: patchbay.catalogue() });

    if (first === "connections") {
      if (parts.length === 1 && method === "GET") {
        const list = await patchbay.connections.list(tenantId);
        return json(200, {
          connections: await Promise.all(list.map((c) => withHealth(tenantId, c.id))),
        });
      }
      if (second === undefined) throw new HttpError(404, "not_found", "No such route");
      const id = second;
      if (parts.length === 2 && method === "GET")
        return json(200, { connection: await withHealth(tenantId, id) });
      if (parts.length === 2 && method === "DELETE") {
        const result = await patchbay.connections.disconnect(tenantId, id, {
          actor,
          purge: url.searchParams.get("purge") === "true",
        });
        return json(200, result);
      }
      if (third === "test" && parts.length === 3 && method === "POST")
        return json(200, await patchbay.connections.test(tenantId, id, { actor }));
      if (third === "config" && parts.length === 3 && method === "PUT") {
        const body = await readJson(request, maxBody);
        return json(200, {
          connection: await patchbay.connections.configure(tenantId, id, body, { actor }),
        });
      }
      if (third === "mapping" && fourth !== undefined && parts.length === 4 && method === "PUT") {
        const body = await readJson(request, maxBody);
        const mapping = (body.mapping ?? body) as Record<string, string>;
        return json(200, {
          connection: await patchbay.connections.setFieldMapping(tenantId, id, fourth, mapping, {
            actor,
          }),
        });
      }
      if (third === "schedule" && fourth !== undefined && parts.length === 4 && method === "PUT") {
        const body = await readJson(request, maxBody);
        const state = await patchbay.sync.schedule({
          tenantId,
          connectionId: id,
          model: fourth,
          schedule: (body.schedule ?? body) as Schedule,
          actor,
        });
        return json(200, { state });
      }
      if (third === "sync" && parts.length === 3 && method === "POST") {
        const body =
          request.headers.get("content-type") === null ? {} : await readJson(request, maxBody);
        const connection = await patchbay.connections.get(tenantId, id);
        const models =
          typeof body.model === "string"
            ? [body.model]
            : (patchbay
                .catalogue()
                .find((c) => c.id === connection.connector)
                ?.models.map((m) => m.name) ?? []);
        const mode =
          body.mode === "full" || body.mode === "incremental" ? (body.mode as SyncMode) : undefined;
        const outcomes = [];
        for (const model of models)
          outcomes.push(
            await patchbay.sync.run({ tenantId, connectionId: id, model, mode, actor }),
          );
        return json(200, { outcomes });
      }
      if (third === "runs" && parts.length === 3 && method === "GET") {
        await patchbay.connections.get(tenantId, id);
        const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 20) || 20, 1), 200);
        return json(200, {
          runs: await patchbay.sync.runs(tenantId, {
            connectionId: id,
            model: url.searchParams.get("model") ?? undefined,
            limit,
          }),
        });
      }
      if (third === "changes" && parts.length === 3 && method === "GET") {
        const page = await patchbay.records.changes({
          tenantId,
          connectionId: id,
          model: url.searchParams.get("model") ?? undefined,
          after: url.searchParams.get("after") ?? undefined,
          limit: Math.min(Math.max(Number(url.searchParams.get("limit") ?? 100) || 100, 1), 1000),
        });
        return json(200, page);
      }
      throw new HttpError(404, "not_found", "No such route");
    }

    // /:connector/connect and /:connector/callback
    if (first !== undefined && parts.length === 2 && patchbay.connectors.has(first)) {
      const connector = first;
      const redirectUri = `${origin(request)}${basePath}/${encodeURIComponent(connector)}/callback`;
      const secure = redirectUri.startsWith("https:") ? "; Secure" : "";
      const cookieName = `${STATE_COOKIE}_${connector.replace(/[^a-z0-9-]/g, "")}`;
      const returnCookie = `${cookieName}_return`;
      const cookieAttrs = `Path=${basePath || "/"}; HttpOnly; SameSite=Lax${secure}`;
      if (second === "connect" && method === "GET") {
        const returnTo = safeReturnTo(url.searchParams.get("returnTo"));
        try {
          const { url: location, state } = await patchbay.connect.start({
            tenantId,
            connector,
            redirectUri,
            actor,
            data: returnTo === undefined ? {} : { returnTo },
          });
          const target =
            options.authorizationRedirect === undefined
              ? location
              : options.authorizationRedirect(location, { connector, tenantId });
          const headers = new Headers({ location: target, "cache-control": "no-store" });
          headers.append(
            "set-cookie",
            `${cookieName}=${encodeURIComponent(state)}; Max-Age=600; ${cookieAttrs}`,
          );
          if (returnTo !== undefined)
            headers.append(
              "set-cookie",
              `${returnCookie}=${encodeURIComponent(returnTo)}; Max-Age=600; ${cookieAttrs}`,
            );
          return new Response(null, { status: 302, headers });
        } catch (error) {
          // A browser navigation: send the user back to the page with the reason, not to raw JSON.
          if (returnTo !== undefined) return backWithError(returnTo, error, []);
          throw error;
        }
      }
      if (second === "connect" && method === "POST") {
        const body = await readJson(request, maxBody);
        const credentials = body.credentials;
        if (credentials === null || typeof credentials !== "object" || Array.isArray(credentials)) {
          throw new HttpError(
            400,
            "invalid_credentials",
            '"credentials" must be an object of the connector\'s credential fields',
          );
        }
        const config =
          body.config === undefined ? undefined : (body.config as Record<string, unknown>);
        const connection = await patchbay.connect.withCredentials({
          tenantId,
          connector,
          credentials: credentials as Record<string, unknown>,
          config,
          actor,
        });
        return json(201, { connection });
      }
      if (second === "callback" && method === "GET") {
        const state = url.searchParams.get("state");
        const clear = [
          `${cookieName}=; Max-Age=0; ${cookieAttrs}`,
          `${returnCookie}=; Max-Age=0; ${cookieAttrs}`,
        ];
        const returnTo = safeReturnToOrUndefined(cookie(request, returnCookie));
        const fail = (error: unknown) => {
          if (returnTo !== undefined) return backWithError(returnTo, error, clear);
          const response = errorResponse(error);
          for (const c of clear) response.headers.append("set-cookie", c);
          return response;
        };
        // The state must come back to the browser that started the flow (login CSRF).
        if (state === null || cookie(request, cookieName) !== state) {
          return fail(
            new HttpError(
              400,
              ErrorCode.CONNECT_STATE_INVALID,
              "This authorization was not started from this browser: start the connection again",
            ),
          );
        }
        try {
          const connection = await patchbay.connect.finish(request.url, { tenantId, actor });
          const target =
            typeof connection.data.returnTo === "string" ? connection.data.returnTo : returnTo;
          if (target !== undefined) {
            const next = new URL(target, "https://placeholder.invalid");
            next.searchParams.set("patchbay", "connected");
            next.searchParams.set("connection", connection.id);
            const headers = new Headers({ location: `${next.pathname}${next.search}` });
            for (const c of clear) headers.append("set-cookie", c);
            return new Response(null, { status: 302, headers });
          }
          const { data: _data, ...rest } = connection;
          const response = json(201, { connection: rest });
          for (const c of clear) response.headers.append("set-cookie", c);
          return response;
        } catch (error) {
          return fail(error);
        }
      }
    }
    throw new HttpError(404, "not_found", "No such route");
  }

  return async (request) => {
    try {
      return await route(request);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
