import {
  createPatchbay,
  createPatchbayHandler,
  MemoryStore,
  type PatchbayRequestHandler,
  Vault,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTasksFake,
  TASKS_API_KEY,
  TASKS_WEBHOOK_SECRET,
  tasksConnector,
} from "../src/example/index.js";
import { createFakeOAuthServer } from "../src/index.js";
import { KEY_1 } from "./support.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const APP = "https://app.example.com";
const CALLBACK = `${APP}/integrations/tasks/callback`;

/** Requests carry the tenant in a header here; a real host reads its session. */
function setup(options: { oauth?: boolean; limits?: object } = {}) {
  const oauth = createFakeOAuthServer({
    issuer: "https://auth.tasks.test",
    clients: [
      { clientId: "tasks-app", clientSecret: "tasks-app-secret", redirectUris: [CALLBACK] },
    ],
  });
  const fake = createTasksFake({ oauth });
  fake.seed(4);
  server.use(...oauth.handlers, ...fake.handlers);
  const patchbay = createPatchbay({
    connectors: [tasksConnector(options.oauth ? { oauth } : {})],
    store: new MemoryStore(),
    vault: new Vault({ keys: [KEY_1] }),
    limits: () => options.limits ?? {},
  });
  const handle = createPatchbayHandler(patchbay, {
    basePath: "/integrations",
    tenant: (request) => {
      const tenantId = request.headers.get("x-tenant");
      return tenantId === null ? null : { tenantId, actor: `user-of-${tenantId}` };
    },
    cronSecret: "cron-secret-123456",
  });
  return { oauth, fake, patchbay, handle };
}

function call(
  handle: PatchbayRequestHandler,
  method: string,
  path: string,
  init: { tenant?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.tenant !== undefined) headers["x-tenant"] = init.tenant;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  return handle(new Request(`${APP}${path}`, { method, headers, body }));
}

async function connectWithKey(handle: PatchbayRequestHandler, tenant: string) {
  const response = await call(handle, "POST", "/integrations/tasks/connect", {
    tenant,
    body: { credentials: { apiKey: TASKS_API_KEY } },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { connection: { id: string } }).connection.id;
}

describe("host handler", () => {
  it("refuses requests without a tenant, and serves the catalogue with JSON Schema forms", async () => {
    const { handle } = setup();
    expect((await call(handle, "GET", "/integrations/connections")).status).toBe(401);
    const catalogue = await call(handle, "GET", "/integrations/connectors", { tenant: "a" });
    const body = (await catalogue.json()) as {
      connectors: Array<{ id: string; auth: { fields: unknown } }>;
    };
    expect(body.connectors[0]).toMatchObject({
      id: "tasks",
      auth: { fields: { type: "object", required: ["apiKey"] } },
    });
  });

  it("isolates tenants: another tenant's connection is 404 for every route and is left untouched", async () => {
    const { handle, patchbay } = setup();
    const id = await connectWithKey(handle, "a");
    const attempts = [
      ["GET", `/integrations/connections/${id}`],
      ["POST", `/integrations/connections/${id}/test`],
      ["POST", `/integrations/connections/${id}/sync`],
      ["GET", `/integrations/connections/${id}/runs`],
      ["GET", `/integrations/connections/${id}/changes`],
      ["PUT", `/integrations/connections/${id}/mapping/tasks`],
      ["DELETE", `/integrations/connections/${id}`],
    ] as const;
    for (const [method, path] of attempts) {
      const response = await call(handle, method, path, {
        tenant: "b",
        body: method === "PUT" ? { name: "title" } : undefined,
      });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.text()).not.toContain(TASKS_API_KEY);
    }
    expect(
      (await call(handle, "GET", "/integrations/connections", { tenant: "b" }).then((r) =>
        r.json(),
      )) as object,
    ).toEqual({ connections: [] });
    expect((await patchbay.connections.get("a", id)).status).toBe("active");
    expect(await patchbay.sync.runs("a", { connectionId: id })).toEqual([]);
  });

  it("runs the OAuth redirect round trip with the state bound to the browser and the tenant", async () => {
    const { handle, oauth } = setup({ oauth: true });
    const start = await call(
      handle,
      "GET",
      "/integrations/tasks/connect?returnTo=/settings/integrations",
      { tenant: "a" },
    );
    expect(start.status).toBe(302);
    const cookies = start.headers.getSetCookie();
    expect(cookies[0]).toMatch(
      /^pb_oauth_state_tasks=[^;]+; Max-Age=600; Path=\/integrations; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(cookies[1]).toBe(
      "pb_oauth_state_tasks_return=%2Fsettings%2Fintegrations; Max-Age=600; Path=/integrations; HttpOnly; SameSite=Lax; Secure",
    );
    const cookie = cookies[0]!;
    const callback = oauth.approve(start.headers.get("location")!);
    expect(callback.toString().startsWith(CALLBACK)).toBe(true);
    const path = `${callback.pathname}${callback.search}`;
    // Without the cookie (another browser, a forged link): refused, nothing stored.
    expect((await call(handle, "GET", path, { tenant: "a" })).status).toBe(400);
    // Another tenant with the cookie: refused too.
    const cookieHeader = { cookie: cookie.split(";")[0]! };
    expect((await call(handle, "GET", path, { tenant: "b", headers: cookieHeader })).status).toBe(
      400,
    );
    const done = await call(handle, "GET", path, { tenant: "a", headers: cookieHeader });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toMatch(
      /^\/settings\/integrations\?patchbay=connected&connection=conn_/,
    );
    expect(done.headers.getSetCookie().every((c) => c.includes("Max-Age=0"))).toBe(true);
    const list = (await call(handle, "GET", "/integrations/connections", { tenant: "a" }).then(
      (r) => r.json(),
    )) as { connections: unknown[] };
    expect(list.connections).toHaveLength(1);
  });

  it("sends the browser back to returnTo with the reason when connecting fails", async () => {
    const { handle, oauth } = setup({ oauth: true });
    const start = await call(handle, "GET", "/integrations/tasks/connect?returnTo=/settings", {
      tenant: "a",
    });
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const denied = oauth.deny(start.headers.get("location")!);
    const back = await call(handle, "GET", `${denied.pathname}${denied.search}`, {
      tenant: "a",
      headers: { cookie },
    });
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get("location")!, APP);
    expect(location.pathname).toBe("/settings");
    expect(location.searchParams.get("patchbay")).toBe("error");
    expect(location.searchParams.get("code")).toBe("PATCHBAY_CONNECT_DENIED");
    expect(location.searchParams.get("message")).toContain("was not granted");

    const limited = setup({ oauth: true, limits: { allowedConnectors: [] } });
    const refused = await call(
      limited.handle,
      "GET",
      "/integrations/tasks/connect?returnTo=/settings",
      { tenant: "a" },
    );
    expect(refused.status).toBe(302);
    const to = new URL(refused.headers.get("location")!, APP);
    expect(to.searchParams.get("limit")).toBe("allowedConnectors");
    expect(to.searchParams.get("message")).toBe(
      "Your plan does not include Tasks. Upgrade to connect it.",
    );
  });

  it("refuses an open redirect in returnTo", async () => {
    const { handle } = setup({ oauth: true });
    for (const returnTo of ["https://evil.example/x", "//evil.example/x", "/\\evil.example"]) {
      const response = await call(
        handle,
        "GET",
        `/integrations/tasks/connect?returnTo=${encodeURIComponent(returnTo)}`,
        { tenant: "a" },
      );
      expect(response.status).toBe(400);
    }
  });

  it("rejects oversized, malformed or wrongly typed bodies with 4xx and stores nothing", async () => {
    const { handle, patchbay } = setup();
    const id = await connectWithKey(handle, "a");
    const path = `/integrations/connections/${id}/mapping/tasks`;
    expect((await call(handle, "PUT", path, { tenant: "a", body: "{not json" })).status).toBe(400);
    expect(
      (
        await call(handle, "PUT", path, {
          tenant: "a",
          body: JSON.stringify({ x: "y".repeat(70_000) }),
        })
      ).status,
    ).toBe(413);
    expect(
      (
        await call(handle, "PUT", path, {
          tenant: "a",
          body: "name=title",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call(handle, "PUT", path, { tenant: "a", body: { name: "no_such_field" } })).status,
    ).toBe(400);
    expect((await patchbay.connections.get("a", id)).fieldMappings).toEqual({});
    const bad = await call(handle, "POST", "/integrations/tasks/connect", {
      tenant: "a",
      body: { credentials: { apiKey: "" } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      '"credentials.apiKey"',
    );
    expect(await patchbay.connections.list("a")).toHaveLength(1);
  });

  it("syncs on demand and serves runs and the change feed", async () => {
    const { handle } = setup();
    const id = await connectWithKey(handle, "a");
    const sync = (await call(handle, "POST", `/integrations/connections/${id}/sync`, {
      tenant: "a",
    }).then((r) => r.json())) as { outcomes: Array<{ status: string }> };
    expect(sync.outcomes.map((o) => o.status)).toEqual(["succeeded"]);
    const runs = (await call(handle, "GET", `/integrations/connections/${id}/runs`, {
      tenant: "a",
    }).then((r) => r.json())) as { runs: Array<{ inserted: number }> };
    expect(runs.runs[0]!.inserted).toBe(4);
    const feed = (await call(handle, "GET", `/integrations/connections/${id}/changes?model=tasks`, {
      tenant: "a",
    }).then((r) => r.json())) as { changes: unknown[]; cursor: string };
    expect(feed.changes).toHaveLength(4);
  });

  it("requires the cron secret, then runs due syncs", async () => {
    const { handle } = setup();
    const id = await connectWithKey(handle, "a");
    expect(
      (
        await call(handle, "PUT", `/integrations/connections/${id}/schedule/tasks`, {
          tenant: "a",
          body: { kind: "every", minutes: 5 },
        })
      ).status,
    ).toBe(200);
    expect((await call(handle, "POST", "/integrations/cron")).status).toBe(401);
    expect(
      (
        await call(handle, "POST", "/integrations/cron", {
          headers: { authorization: "Bearer wrong" },
        })
      ).status,
    ).toBe(401);
    const ok = await call(handle, "POST", "/integrations/cron", {
      headers: { authorization: "Bearer cron-secret-123456" },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ syncs: 0 }); // nothing due for 5 minutes
  });

  it("passes webhooks through without a tenant, verified by signature", async () => {
    const { handle, fake } = setup();
    await connectWithKey(handle, "a");
    const genuine = fake.webhook({ account: "acct_1" });
    expect((await handle(new Request(`${APP}/integrations/webhooks/tasks`, genuine))).status).toBe(
      202,
    );
    const forged = fake.webhook({ account: "acct_1" }, { secret: `${TASKS_WEBHOOK_SECRET}!` });
    expect((await handle(new Request(`${APP}/integrations/webhooks/tasks`, forged))).status).toBe(
      401,
    );
  });

  it("answers plan limits with 402 and the upgrade message", async () => {
    const { handle } = setup({ limits: { maxConnections: 1 } });
    await connectWithKey(handle, "a");
    const response = await call(handle, "POST", "/integrations/tasks/connect", {
      tenant: "a",
      body: { credentials: { apiKey: TASKS_API_KEY } },
    });
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({
      error: { code: "PATCHBAY_LIMIT_EXCEEDED", limit: "maxConnections" },
    });
  });
});
