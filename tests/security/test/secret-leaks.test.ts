/**
 * A full scenario — connect, configure, sync, write, act, export, refresh,
 * provider failures, revoked grant, webhooks, rotation, disconnect, purge —
 * with every log line, event, thrown error, returned object and HTTP answer
 * captured, then scanned for every secret the run handled: the tokens the
 * fake OAuth server issued (read off its token responses), the client
 * secret, API keys, the webhook secret, the vault key and the cron secret.
 */
import { createPatchbay, type Patchbay, Vault } from "@patchbay/core";
import { TASKS_API_KEY, TASKS_WEBHOOK_SECRET } from "@patchbay/testing/example";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  APP,
  CLIENT_SECRET,
  CRON_SECRET,
  EVENT_NAMES,
  KEY_1,
  KEY_2,
  recordingLogger,
  tasksWorld,
} from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const WRONG_API_KEY = "tasks_key_wrong_9876543210";

/** Everything a value shows when printed, serialized or logged: errors with their causes and stacks. */
function dump(value: unknown, depth = 0): string {
  if (depth > 6) return "";
  if (value instanceof Error) {
    const own = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dump(v, depth + 1)]));
    return [
      String(value),
      value.stack ?? "",
      JSON.stringify(own),
      safeJson(value),
      value.cause === undefined ? "" : dump(value.cause, depth + 1),
    ].join("\n");
  }
  if (value instanceof Response) return `${value.status} ${safeJson([...value.headers])}`;
  return typeof value === "string" ? value : safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v)) ?? "";
  } catch {
    return String(value);
  }
}

/** Records everything observable around a Patchbay instance. */
function observe(patchbay: Patchbay) {
  const seen: string[] = [];
  for (const name of EVENT_NAMES) patchbay.on(name, (payload) => void seen.push(dump(payload)));
  async function step<T>(label: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await run();
      if (value instanceof Response)
        seen.push(`${label}: ${dump(value)} ${await value.clone().text()}`);
      else seen.push(`${label}: ${dump(value)}`);
      return value;
    } catch (error) {
      seen.push(`${label} threw: ${dump(error)}`);
      return undefined;
    }
  }
  return { seen, step };
}

function scan(haystacks: string[], secrets: string[]) {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const text of haystacks)
      if (text.includes(secret)) found.push(`${secret.slice(0, 6)}… in: ${text.slice(0, 300)}`);
  }
  return found;
}

describe("no secret leaves the process", () => {
  it("across a full OAuth scenario (tokens read off the fake's token responses)", async () => {
    const logger = recordingLogger();
    const w = tasksWorld({
      oauth: true,
      seed: 5,
      logger,
      extra: { webhookBaseUrl: "https://app.example.com/integrations/webhooks" },
    });
    server.use(...w.oauth.handlers, ...w.fake.handlers);
    const issued = new Set<string>();
    const onMocked = async ({ request, response }: { request: Request; response: Response }) => {
      if (request.url !== w.oauth.tokenUrl) return;
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Record<string, unknown>;
      for (const key of ["access_token", "refresh_token", "id_token"])
        if (typeof body[key] === "string") issued.add(body[key] as string);
    };
    server.events.on("response:mocked", onMocked);
    const { seen, step } = observe(w.patchbay);
    const http = (method: string, path: string, init: { body?: unknown; cookie?: string } = {}) =>
      step(`${method} ${path}`, () =>
        w.handle(
          new Request(`${APP}${path}`, {
            method,
            headers: {
              "x-tenant": "tenant-a",
              ...(init.cookie ? { cookie: init.cookie } : {}),
              ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
            },
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
          }),
        ),
      );

    try {
      // Connect through the HTTP handler.
      const start = (await http("GET", "/integrations/tasks/connect"))!;
      const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
      const callback = w.oauth.approve(start.headers.get("location")!);
      const done = (await http("GET", `${callback.pathname}${callback.search}`, { cookie }))!;
      const { connection } = (await done.json()) as { connection: { id: string } };
      const id = connection.id;
      const t = "tenant-a";
      const pb = w.patchbay;
      await http("PUT", `/integrations/connections/${id}/mapping/tasks`, {
        body: { name: "title" },
      });
      await http("PUT", `/integrations/connections/${id}/schedule/tasks`, {
        body: { kind: "hourly" },
      });
      await http("POST", `/integrations/connections/${id}/sync`);
      await http("GET", `/integrations/connections/${id}/changes?model=tasks`);
      await http("GET", `/integrations/connections/${id}/runs`);
      await http("GET", "/integrations/connections");
      await step("write", () =>
        pb.write({
          tenantId: t,
          connectionId: id,
          model: "tasks",
          changes: [
            { op: "create", internalId: "h1", data: { name: "new" } },
            { op: "update", internalId: "nope", data: { name: "x" } },
          ],
        }),
      );
      await step("action", () =>
        pb.actions.run({
          tenantId: t,
          connectionId: id,
          action: "countTasks",
          input: { status: "open" },
        }),
      );
      await step("bad action input", () =>
        pb.actions.run({
          tenantId: t,
          connectionId: id,
          action: "countTasks",
          input: { status: 1 },
        }),
      );
      const exp = await step("export define", () =>
        pb.exports.define(t, {
          name: "weekly",
          source: { connectionId: id, model: "tasks" },
          format: "csv",
          schedule: { kind: "manual" },
          destination: { connectionId: id },
        }),
      );
      await step("export run", () => pb.exports.run(t, exp!.id));
      await step("http client", async () => {
        const client = await pb.connections.http(t, id);
        return (await client.get("/account")).data;
      });
      await step("access token", async () => {
        const token = await pb.tokens.getAccessToken({ tenantId: t, id });
        issued.add(token);
        return "(returned to the host on purpose; not scanned)";
      });
      // Refresh, then provider failures with and without tokens in play.
      w.oauth.expireAccessTokens();
      await step("sync after expiry", () =>
        pb.sync.run({ tenantId: t, connectionId: id, model: "tasks", mode: "full" }),
      );
      w.fake.faults.push({ onListCall: w.fake.stats.listCalls + 1, status: 500 });
      w.fake.faults.push({ onListCall: w.fake.stats.listCalls + 2, status: 500 });
      w.fake.faults.push({ onListCall: w.fake.stats.listCalls + 3, status: 500 });
      await step("sync 500", () =>
        pb.sync.run({ tenantId: t, connectionId: id, model: "tasks", mode: "full" }),
      );
      w.fake.rateLimitNext(1);
      await step("sync 429", () =>
        pb.sync.run({ tenantId: t, connectionId: id, model: "tasks", mode: "full" }),
      );
      w.oauth.failNext({ status: 503, body: { error: "temporarily_unavailable" } });
      w.oauth.expireAccessTokens();
      await step("sync refresh 503", () =>
        pb.sync.run({ tenantId: t, connectionId: id, model: "tasks" }),
      );
      await step("health", () => pb.connections.health(t, id));
      await step("test", () => pb.connections.test(t, id));
      // Webhooks: genuine, forged, replayed, stale.
      const genuine = w.fake.webhook({
        account: "acct_1",
        type: "task.upserted",
        task: w.fake.sorted()[0],
      });
      await step("webhook genuine", () =>
        w.handle(new Request(`${APP}/integrations/webhooks/tasks`, genuine.clone())),
      );
      await step("webhook replay", () =>
        w.handle(new Request(`${APP}/integrations/webhooks/tasks`, genuine)),
      );
      await step("webhook forged", () =>
        w.handle(
          new Request(
            `${APP}/integrations/webhooks/tasks`,
            w.fake.webhook({ account: "acct_1" }, { secret: `${TASKS_WEBHOOK_SECRET}x` }),
          ),
        ),
      );
      await step("webhook stale", () =>
        pb.handleWebhook("tasks", w.fake.webhook({ account: "acct_1" }, { timestamp: 1 })),
      );
      await step("cron wrong", () =>
        w.handle(
          new Request(`${APP}/integrations/cron`, {
            method: "POST",
            headers: { authorization: "Bearer nope" },
          }),
        ),
      );
      await step("cron", () =>
        w.handle(
          new Request(`${APP}/integrations/cron`, {
            method: "POST",
            headers: { authorization: `Bearer ${CRON_SECRET}` },
          }),
        ),
      );
      // Key rotation, export of the tenant, then a revoked grant.
      const rotated = createPatchbay({
        connectors: [w.connector],
        store: w.store,
        vault: new Vault({ keys: [KEY_2, KEY_1] }),
        now: w.clock.now,
        logger,
      });
      await step("rotate", () => rotated.rotateKeys());
      await step("tenant export", async () => {
        const items = [];
        for await (const item of pb.tenants.export(t)) items.push(item);
        return items;
      });
      await step("audit", () => pb.tenants.audit(t));
      w.oauth.revokeGrant(await rotated.tokens.getAccessToken({ tenantId: t, id }));
      w.oauth.expireAccessTokens();
      await step("sync revoked", () =>
        rotated.sync.run({ tenantId: t, connectionId: id, model: "tasks" }),
      );
      await step("token revoked", () => rotated.tokens.getAccessToken({ tenantId: t, id }));
      await step("disconnect", () => rotated.connections.disconnect(t, id));
      await step("purge", () => rotated.tenants.purge(t));
    } finally {
      server.events.removeListener("response:mocked", onMocked);
    }

    expect(issued.size).toBeGreaterThanOrEqual(4); // access + refresh, refreshed at least once
    const secrets = [
      ...issued,
      CLIENT_SECRET,
      TASKS_WEBHOOK_SECRET,
      KEY_1.key,
      KEY_2.key,
      CRON_SECRET,
    ];
    const haystacks = [...seen, ...logger.lines.map((line) => dump(line))];
    expect(haystacks.length).toBeGreaterThan(40);
    expect(scan(haystacks, secrets)).toEqual([]);
  });

  it("across a credential-form scenario, including a wrong key typed by the user", async () => {
    const logger = recordingLogger();
    const w = tasksWorld({ seed: 3, logger });
    server.use(...w.fake.handlers);
    const { seen, step } = observe(w.patchbay);
    const pb = w.patchbay;
    await step("wrong key", () =>
      pb.connect.withCredentials({
        tenantId: "t",
        connector: "tasks",
        credentials: { apiKey: WRONG_API_KEY },
      }),
    );
    await step("bad form", () =>
      pb.connect.withCredentials({
        tenantId: "t",
        connector: "tasks",
        credentials: { apiKey: 42, secret: WRONG_API_KEY },
      }),
    );
    const c = await step("connect", () => w.connectWithKey("t"));
    await step("POST connect", () =>
      w.handle(
        new Request(`${APP}/integrations/tasks/connect`, {
          method: "POST",
          headers: { "x-tenant": "t", "content-type": "application/json" },
          body: JSON.stringify({ credentials: { apiKey: WRONG_API_KEY } }),
        }),
      ),
    );
    await step("sync", () => pb.sync.run({ tenantId: "t", connectionId: c!.id, model: "tasks" }));
    await step("list", () => pb.connections.list("t"));
    await step("credentials leave only on purpose", async () => {
      const creds = await pb.tokens.getCredentials({ tenantId: "t", id: c!.id });
      expect(JSON.stringify(creds)).toContain(TASKS_API_KEY);
      return "(not scanned)";
    });
    w.fake.faults.push({ onListCall: w.fake.stats.listCalls + 1, status: 401 });
    await step("sync 401", () =>
      pb.sync.run({ tenantId: "t", connectionId: c!.id, model: "tasks", mode: "full" }),
    );
    await step("export", async () => {
      const items = [];
      for await (const item of pb.tenants.export("t")) items.push(item);
      return items;
    });
    await step("disconnect", () => pb.connections.disconnect("t", c!.id, { purge: true }));
    const haystacks = [...seen, ...logger.lines.map((line) => dump(line))];
    expect(scan(haystacks, [TASKS_API_KEY, WRONG_API_KEY, KEY_1.key, CRON_SECRET])).toEqual([]);
  });
});
