import {
  defineConnector,
  hmac,
  type LifecycleResult,
  timingSafeEqual,
  type WebhookSpec,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TASKS_API_KEY, tasksConnector } from "../src/example/index.js";
import { tasksWorld } from "./sync-world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";

/** Tasks, but with per-connection webhook subscriptions managed by lifecycle hooks. */
function hooked(fail?: { setup?: boolean; maintenance?: boolean }) {
  const base = tasksConnector();
  const webhooks: WebhookSpec = {
    secret: "connection",
    verify: (delivery, secrets) =>
      secrets.connection !== undefined &&
      timingSafeEqual(
        delivery.headers.get("x-signature") ?? "",
        hmac("sha256", secrets.connection, delivery.rawBody, "hex"),
      ),
    route: (delivery) => ({ account: String((delivery.payload as { account?: string }).account) }),
    actions: (delivery) =>
      (delivery.payload as { event?: string }).event === "app.uninstalled"
        ? [{ kind: "disconnected", reason: "The app was uninstalled at Tasks" }]
        : [{ kind: "sync", model: "tasks" }],
  };
  return defineConnector({
    ...base,
    webhooks,
    http: { ...base.http!, maxConcurrent: { limit: 3 } },
    config: z.object({ project: z.string().default("inbox") }),
    lifecycle: {
      async setup(ctx): Promise<LifecycleResult | undefined> {
        if (fail?.setup) throw new Error("provider refused the webhook");
        if (ctx.webhookUrl === undefined) return undefined;
        const setupRuns = Number(ctx.metadata.setupRuns ?? 0) + 1;
        if (typeof ctx.metadata.webhookId === "string") return { metadata: { setupRuns } }; // idempotent
        const { data } = await ctx.http.post<{ id: string; secret: string }>("/webhooks", {
          json: { url: ctx.webhookUrl },
        });
        return { metadata: { webhookId: data.id, setupRuns }, webhookSecret: data.secret };
      },
      async teardown(ctx) {
        if (typeof ctx.metadata.webhookId === "string")
          await ctx.http.delete(`/webhooks/${ctx.metadata.webhookId}`);
      },
      maintenance: {
        everyMinutes: 24 * 60,
        async run(ctx) {
          if (fail?.maintenance) throw new Error("refresh refused");
          const { data } = await ctx.http.post<{ expires_at: string }>(
            `/webhooks/${ctx.metadata.webhookId}/refresh`,
          );
          return { metadata: { webhookExpiresAt: data.expires_at } };
        },
      },
    },
  });
}

function world(fail?: Parameters<typeof hooked>[0]) {
  const w = tasksWorld({ seed: 3 });
  server.use(...w.fake.handlers);
  const connector = hooked(fail);
  const pb = w.patchbay({ connectors: [connector], webhookBaseUrl: `${WEBHOOK_BASE}/` });
  return { ...w, pb };
}

function delivery(body: object, secret: string) {
  const raw = JSON.stringify(body);
  return new Request(`${WEBHOOK_BASE}/tasks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-signature": hmac("sha256", secret, raw, "hex"),
    },
    body: raw,
  });
}

describe("connector lifecycle", () => {
  it("creates the webhook on connect at <webhookBaseUrl>/<connector>, sealing its secret with the credentials", async () => {
    const w = world();
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    const [sub] = [...w.fake.subscriptions.values()];
    expect(sub!.url).toBe(`${WEBHOOK_BASE}/tasks`);
    expect(c.metadata.webhookId).toBe(sub!.id);
    expect(JSON.stringify(c)).not.toContain(sub!.secret);
    // The sealed secret verifies deliveries for this connection; another secret does not.
    expect(
      (await w.pb.handleWebhook("tasks", delivery({ account: "acct_1" }, sub!.secret))).status,
    ).toBe(202);
    expect(
      (await w.pb.handleWebhook("tasks", delivery({ account: "acct_1" }, "whsec_someone_else")))
        .status,
    ).toBe(401);
  });

  it("re-runs setup after configure without creating a second webhook, and removes it on disconnect", async () => {
    const w = world();
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    expect(c.metadata.setupRuns).toBe(1);
    // Regression: configure and field-mapping changes did not re-run setup, as documented.
    const mapped = await w.pb.connections.setFieldMapping("t", c.id, "tasks", { name: "title" });
    expect(mapped.metadata.setupRuns).toBe(2);
    const configured = await w.pb.connections.configure("t", c.id, { project: "launch" });
    expect(configured.metadata.setupRuns).toBe(3);
    expect(w.fake.subscriptions.size).toBe(1);
    await w.pb.connections.disconnect("t", c.id);
    expect(w.fake.subscriptions.size).toBe(0);
  });

  it("a provider's uninstall webhook disconnects the connection without calling the provider back", async () => {
    const w = world();
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    const [sub] = [...w.fake.subscriptions.values()];
    const changes: string[] = [];
    w.pb.on("connection.status_changed", (e) => void changes.push(`${e.from}→${e.to}`));
    const uninstall = { account: "acct_1", event: "app.uninstalled" };
    expect((await w.pb.handleWebhook("tasks", delivery(uninstall, sub!.secret))).status).toBe(202);
    const after = await w.pb.connections.get("t", c.id);
    expect(after.status).toBe("disconnected");
    expect(after.statusReason).toBe("The app was uninstalled at Tasks");
    expect(changes).toEqual(["active→disconnected"]);
    // No teardown call: the provider already dropped the app and its webhook.
    expect(w.fake.subscriptions.size).toBe(1);
    const [entry] = await w.pb.tenants.audit("t", { action: "connection.disconnect" });
    expect(entry?.actor).toBe("provider:tasks");
  });

  it("runs maintenance when due, once per interval, across instances", async () => {
    const w = world();
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    expect(await w.pb.runMaintenance()).toEqual({ ran: 1, failed: [] });
    const other = w.patchbay({ connectors: [hooked()], webhookBaseUrl: WEBHOOK_BASE });
    expect(await other.runMaintenance()).toEqual({ ran: 0, failed: [] }); // not due yet
    w.clock.advance(25 * 3600_000);
    expect(await other.runMaintenance()).toEqual({ ran: 1, failed: [] });
    expect((await w.pb.connections.get("t", c.id)).metadata.webhookExpiresAt).toEqual(
      expect.any(String),
    );
  });

  it("a failing hook is reported and never loses the connection", async () => {
    const w = world({ setup: true, maintenance: true });
    const failures: string[] = [];
    w.pb.on(
      "connection.lifecycle_failed",
      ({ phase, error }) => void failures.push(`${phase}: ${error}`),
    );
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    expect(c.status).toBe("active");
    expect(await w.pb.runMaintenance()).toEqual({ ran: 0, failed: [c.id] });
    expect(failures).toEqual([
      "setup: provider refused the webhook",
      "maintenance: refresh refused",
    ]);
  });

  it("creates no webhook when the host set no webhookBaseUrl", async () => {
    const w = tasksWorld({ seed: 1 });
    server.use(...w.fake.handlers);
    const pb = w.patchbay({ connectors: [hooked()] });
    await pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    expect(w.fake.subscriptions.size).toBe(0);
    expect(() => w.patchbay({ webhookBaseUrl: "http://app.example.com/hooks" })).toThrow(
      '"webhookBaseUrl" must use https:',
    );
  });
});

describe("http.maxConcurrent", () => {
  it("never has more than the declared number of requests in flight for a connection", async () => {
    const w = world();
    const c = await w.pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    const client = await w.pb.connections.http("t", c.id);
    const other = await w.pb.connections.http("t", c.id);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? client : other).get("/slow")));
    expect(w.fake.stats.peakInFlight).toBe(3);
  });
});
