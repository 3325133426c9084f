/**
 * Tenant isolation over HTTP: every route of the host handler, called
 * directly and through the Express and Next.js adapters. The route list is
 * read from the handler's documented route table, so a new route without a
 * case here fails the suite. Another tenant's connection answers 404, never 403.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { patchbayRouter } from "@patchbay/express";
import { patchbayHandlers } from "@patchbay/next";
import express from "express";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { populate, snapshot, type TenantThings, type World } from "./support/isolation.js";
import { APP, CALLBACK, tasksWorld } from "./support/world.js";

const server = setupServer();
beforeAll(() =>
  server.listen({
    // The local Express server is reached for real; every provider call must hit a fake.
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== "127.0.0.1") print.error();
    },
  }),
);
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const HANDLER_SOURCE = fileURLToPath(
  new URL("../../../packages/core/src/host/handler.ts", import.meta.url),
);

/** `GET /connections/:id` ... from the route table in createPatchbayHandler's TSDoc. */
function documentedRoutes(): string[] {
  const routes: string[] = [];
  for (const line of readFileSync(HANDLER_SOURCE, "utf8").split("\n")) {
    const match = /^\s*\*\s*\|\s*`(GET|POST|PUT|DELETE|PATCH)\s+([^`?\s]+)[^`]*`/.exec(line);
    if (match) routes.push(`${match[1]} ${match[2]}`);
  }
  return routes;
}

type Send = (
  method: string,
  path: string,
  init?: { tenant?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Response>;

interface Ctx {
  send: Send;
  a: TenantThings;
  b: TenantThings;
  /** A's OAuth authorization in flight: the callback path and A's state cookie. */
  pending: { path: string; cookie: string };
}

interface RouteCase {
  /** What tenant B does with A's ids. */
  attempt(ctx: Ctx): Promise<Response>;
  status: number;
}

const conn = (ctx: Ctx, rest = "") => `/integrations/connections/${ctx.a.connectionId}${rest}`;

/** Tenant B, on every documented route. */
const ROUTES: Record<string, RouteCase> = {
  "GET /connectors": { attempt: (c) => c.send("GET", "/integrations/connectors"), status: 200 },
  "GET /:connector/connect": {
    // B's own authorization; the redirect URI is the handler's, whatever the query says.
    attempt: (c) =>
      c.send(
        "GET",
        "/integrations/tasks/connect?redirectUri=https%3A%2F%2Fevil.example%2Fcb&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
      ),
    status: 302,
  },
  "POST /:connector/connect": {
    attempt: (c) =>
      c.send("POST", "/integrations/tasks/connect", { body: { credentials: { apiKey: "x" } } }),
    status: 400,
  },
  "GET /:connector/callback": {
    // A's callback and A's cookie, presented by B's session: refused, and A's state is not burned.
    attempt: (c) => c.send("GET", c.pending.path, { headers: { cookie: c.pending.cookie } }),
    status: 400,
  },
  "GET /connections": { attempt: (c) => c.send("GET", "/integrations/connections"), status: 200 },
  "GET /connections/:id": { attempt: (c) => c.send("GET", conn(c)), status: 404 },
  "POST /connections/:id/test": { attempt: (c) => c.send("POST", conn(c, "/test")), status: 404 },
  "PUT /connections/:id/config": {
    attempt: (c) => c.send("PUT", conn(c, "/config"), { body: {} }),
    status: 404,
  },
  "PUT /connections/:id/mapping/:model": {
    attempt: (c) => c.send("PUT", conn(c, "/mapping/tasks"), { body: { label: "title" } }),
    status: 404,
  },
  "PUT /connections/:id/schedule/:model": {
    attempt: (c) => c.send("PUT", conn(c, "/schedule/tasks"), { body: { kind: "manual" } }),
    status: 404,
  },
  "POST /connections/:id/sync": {
    attempt: (c) => c.send("POST", conn(c, "/sync"), { body: { model: "tasks", mode: "full" } }),
    status: 404,
  },
  "GET /connections/:id/runs": {
    attempt: (c) => c.send("GET", conn(c, "/runs?limit=200")),
    status: 404,
  },
  "GET /connections/:id/changes": {
    attempt: (c) => c.send("GET", conn(c, "/changes?model=tasks&after=pbc1.0")),
    status: 404,
  },
  "DELETE /connections/:id": {
    attempt: (c) => c.send("DELETE", conn(c, "?purge=true")),
    status: 404,
  },
  "POST /webhooks/:connector": {
    // No tenant on webhooks: a tenant's session does not make an unsigned delivery genuine.
    attempt: (c) => c.send("POST", "/integrations/webhooks/tasks", { body: { account: "acct_1" } }),
    status: 401,
  },
  "POST /cron": { attempt: (c) => c.send("POST", "/integrations/cron"), status: 401 },
};

/** A transport: how a request reaches the handler. */
interface Transport {
  name: string;
  mount(w: World): Promise<{ send: Send; close(): Promise<void> }>;
}

function headersOf(init: Parameters<Send>[2] = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.tenant !== undefined) headers["x-tenant"] = init.tenant;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] = "application/json";
  }
  return { headers, body };
}

const TRANSPORTS: Transport[] = [
  {
    name: "createPatchbayHandler",
    mount: async (w) => ({
      send: (method, path, init) =>
        w.handle(new Request(`${APP}${path}`, { method, ...headersOf(init) })),
      close: async () => {},
    }),
  },
  {
    name: "Next.js patchbayHandlers",
    mount: async (w) => {
      const routes = patchbayHandlers(w.patchbay, {
        basePath: "/integrations",
        tenant: (request) => request.headers.get("x-tenant"),
        cronSecret: "cron-secret-0123456789",
      });
      return {
        send: (method, path, init) =>
          routes[method as keyof typeof routes](
            new Request(`${APP}${path}`, { method, ...headersOf(init) }),
          ),
        close: async () => {},
      };
    },
  },
  {
    name: "Express patchbayRouter",
    mount: async (w) => {
      const app = express();
      app.use(
        "/integrations",
        patchbayRouter(w.patchbay, {
          tenant: (req) => req.header("x-tenant") ?? null,
          cronSecret: "cron-secret-0123456789",
          publicUrl: APP,
        }),
      );
      const listener = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => listener.once("listening", resolve));
      const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      return {
        send: (method, path, init) =>
          fetch(`${base}${path}`, { method, redirect: "manual", ...headersOf(init) }),
        close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
      };
    },
  },
];

describe("tenant isolation: HTTP routes", () => {
  it("has a case for every documented route", () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(16);
    expect(
      routes.filter((r) => ROUTES[r] === undefined),
      "routes without a case",
    ).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !routes.includes(r))).toEqual([]);
  });

  describe.each(TRANSPORTS)("through $name", (transport) => {
    // One world per transport: B's attempts all fail, and each case takes its own snapshot of A.
    let w: World;
    let a: TenantThings;
    let b: TenantThings;
    let mounted: Awaited<ReturnType<Transport["mount"]>>;
    beforeAll(async () => {
      w = tasksWorld({ oauth: true, seed: 3 });
      server.use(...w.oauth.handlers, ...w.fake.handlers);
      a = await populate(w, "tenant-a");
      b = await populate(w, "tenant-b");
      mounted = await transport.mount(w);
    });
    afterAll(() => mounted.close());

    it.each(Object.keys(ROUTES))(
      "%s: tenant B gets no access to tenant A's things",
      async (route) => {
        server.use(...w.oauth.handlers, ...w.fake.handlers);
        {
          const asTenant =
            (tenant: string): Send =>
            (method, path, init = {}) =>
              mounted.send(method, path, { tenant, ...init });
          // A starts connecting a second account: its state and cookie are in flight.
          const start = await asTenant(a.tenantId)("GET", "/integrations/tasks/connect");
          expect(start.status).toBe(302);
          const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
          const callback = w.oauth.approve(start.headers.get("location")!);
          expect(callback.toString().startsWith(CALLBACK)).toBe(true);
          const pending = { path: `${callback.pathname}${callback.search}`, cookie };

          const before = await snapshot(w.store, w.fake, a, w.patchbay);
          const response = await ROUTES[route]!.attempt({
            send: asTenant(b.tenantId),
            a,
            b,
            pending,
          });
          const text = await response.text();
          expect(response.status, text).toBe(ROUTES[route]!.status);
          expect(response.status).not.toBe(403);
          // (A 404 may echo the id B sent; nothing else of A's may appear.)
          for (const id of [a.tenantId, a.exportId, a.internalId])
            expect(text, "the answer names A's things").not.toContain(id);
          if (route === "GET /:connector/connect") {
            const location = new URL(response.headers.get("location")!);
            expect(location.searchParams.get("redirect_uri")).toBe(CALLBACK);
          }
          expect(await snapshot(w.store, w.fake, a, w.patchbay)).toBe(before);

          // A's own flow still completes: B's attempt burned nothing.
          const done = await asTenant(a.tenantId)("GET", pending.path, {
            headers: { cookie },
          });
          expect(done.status).toBe(201);
          const connections = await w.patchbay.connections.list(a.tenantId);
          expect(connections.every((c) => c.tenantId === a.tenantId)).toBe(true);
          expect(connections.length).toBeGreaterThanOrEqual(2);
        }
      },
    );
  });
});
