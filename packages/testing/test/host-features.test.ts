import {
  createInProcessScheduler,
  ErrorCode,
  LimitError,
  type TenantExportItem,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TASKS_API_KEY } from "../src/example/index.js";
import { tasksWorld } from "./sync-world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world(options?: Parameters<typeof tasksWorld>[0]) {
  const w = tasksWorld(options);
  server.use(...w.fake.handlers);
  return w;
}

async function limitError(promise: Promise<unknown>): Promise<LimitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitError);
  expect((error as LimitError).code).toBe(ErrorCode.LIMIT_EXCEEDED);
  return error as LimitError;
}

describe("plans and limits", () => {
  it("enforces connections, connectors, schedule speed, manual-only and monthly records with upgrade messages", async () => {
    const w = world({ seed: 30 });
    const plans: Record<string, object> = {
      free: { maxConnections: 1, minScheduleMinutes: 60, recordsPerMonth: 25 },
      starter: { allowedConnectors: ["gmail"] },
      manual: { manualOnly: true },
    };
    const pb = w.patchbay({ limits: (tenantId) => plans[tenantId] ?? {} });
    const connect = (tenantId: string) =>
      pb.connect.withCredentials({
        tenantId,
        connector: "tasks",
        credentials: { apiKey: TASKS_API_KEY },
      });

    const c = await connect("free");
    const tooMany = await limitError(connect("free"));
    expect(tooMany.limit).toBe("maxConnections");
    expect(tooMany.message).toBe(
      "Your plan allows 1 connection. Disconnect one or upgrade to add more.",
    );
    expect((await limitError(connect("starter"))).message).toBe(
      "Your plan does not include Tasks. Upgrade to connect it.",
    );

    const fast = await limitError(
      pb.sync.schedule({
        tenantId: "free",
        connectionId: c.id,
        model: "tasks",
        schedule: { kind: "every", minutes: 15 },
      }),
    );
    expect(fast.message).toBe(
      "Your plan syncs at most every 60 minutes. Upgrade to sync every 15 minutes.",
    );
    await pb.sync.schedule({
      tenantId: "free",
      connectionId: c.id,
      model: "tasks",
      schedule: { kind: "hourly" },
    });
    const manual = await connect("manual");
    expect(
      (
        await limitError(
          pb.sync.schedule({
            tenantId: "manual",
            connectionId: manual.id,
            model: "tasks",
            schedule: { kind: "daily" },
          }),
        )
      ).limit,
    ).toBe("manualOnly");

    // 30 records synced: over the 25 allowed, so the next run is refused until next month.
    const first = await pb.sync.run({ tenantId: "free", connectionId: c.id, model: "tasks" });
    expect(first.status).toBe("succeeded");
    expect(await pb.tenants.usage("free")).toMatchObject({ records: 30, runs: 1 });
    const over = await limitError(
      pb.sync.run({ tenantId: "free", connectionId: c.id, model: "tasks" }),
    );
    expect(over.limit).toBe("recordsPerMonth");
    expect(over.message).toContain("25 synced records per month");
    // A scheduled run is skipped quietly rather than thrown.
    await pb.sync.schedule({
      tenantId: "free",
      connectionId: c.id,
      model: "tasks",
      schedule: { kind: "hourly" },
    });
    w.clock.advance(2 * 3600_000);
    expect(
      await w
        .patchbay({ limits: () => plans.free! })
        .sync.run({ tenantId: "free", connectionId: c.id, model: "tasks" })
        .catch((e) => e),
    ).toBeInstanceOf(LimitError);
    // Next month the allowance is back.
    w.clock.advance(40 * 24 * 3600_000);
    expect(
      (await pb.sync.run({ tenantId: "free", connectionId: c.id, model: "tasks" })).status,
    ).toBe("succeeded");
  });
});

describe("audit trail", () => {
  it("records connect, configure, schedule, sync, write and disconnect with the actor", async () => {
    const w = world({ seed: 3 });
    const pb = w.patchbay();
    const c = await pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
      actor: "user_ada",
    });
    await pb.connections.setFieldMapping(
      "t",
      c.id,
      "tasks",
      { name: "title" },
      { actor: "user_ada" },
    );
    await pb.sync.schedule({
      tenantId: "t",
      connectionId: c.id,
      model: "tasks",
      schedule: { kind: "daily", hour: 6 },
      actor: "user_bob",
    });
    await pb.sync.run({ tenantId: "t", connectionId: c.id, model: "tasks", actor: "user_bob" });
    await pb.write({
      tenantId: "t",
      connectionId: c.id,
      model: "tasks",
      changes: [{ op: "create", internalId: "h1", data: { name: "x" } }],
      actor: "user_ada",
    });
    await pb.connections.test("t", c.id, { actor: "system" });
    await pb.connections.disconnect("t", c.id, { actor: "user_ada" });
    const entries = await pb.tenants.audit("t");
    expect(entries.map((e) => [e.action, e.actor]).reverse()).toEqual([
      ["connection.connect", "user_ada"],
      ["connection.configure", "user_ada"],
      ["sync.schedule", "user_bob"],
      ["sync.trigger", "user_bob"],
      ["records.write", "user_ada"],
      ["connection.test", "system"],
      ["connection.disconnect", "user_ada"],
    ]);
    expect(entries.every((e) => e.connectionId === c.id && e.connector === "tasks")).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(TASKS_API_KEY);
    expect(await pb.tenants.audit("t", { action: "records.write" })).toHaveLength(1);
    expect(await pb.tenants.audit("other")).toEqual([]);
  });
});

describe("data rights", () => {
  it("exports everything stored for a tenant without secrets, then purges it without touching others", async () => {
    const w = world({ seed: 12 });
    const pb = w.patchbay();
    const mine = await pb.connect.withCredentials({
      tenantId: "leaving",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    const theirs = await pb.connect.withCredentials({
      tenantId: "staying",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    await pb.sync.run({ tenantId: "leaving", connectionId: mine.id, model: "tasks" });
    await pb.sync.run({ tenantId: "staying", connectionId: theirs.id, model: "tasks" });

    const items: TenantExportItem[] = [];
    for await (const item of pb.tenants.export("leaving")) items.push(item);
    const count = (kind: string) => items.filter((i) => i.kind === kind).length;
    expect(count("connection")).toBe(1);
    expect(count("record")).toBe(12);
    expect(count("sync_run")).toBe(1);
    expect(count("usage")).toBe(1);
    expect(count("audit")).toBeGreaterThanOrEqual(1);
    const text = JSON.stringify(items);
    expect(text).not.toContain(TASKS_API_KEY);
    expect(text).not.toContain('"credentials":');

    expect(await pb.tenants.purge("leaving")).toEqual({ connections: 1 });
    expect(await pb.connections.list("leaving")).toEqual([]);
    expect(await pb.tenants.audit("leaving")).toEqual([]);
    expect(await pb.tenants.usage("leaving")).toMatchObject({ records: 0, runs: 0 });
    expect(
      await w.store.listRecords("leaving", { connectionId: mine.id, model: "tasks", limit: 10 }),
    ).toEqual([]);
    expect(
      (await pb.records.list({ tenantId: "staying", connectionId: theirs.id, model: "tasks" }))
        .records,
    ).toHaveLength(12);
  });
});

describe("scheduler with the sync engine", () => {
  it("runs due syncs exactly once, never overlapping, and stops scheduling disconnected connections", async () => {
    const w = world({ seed: 20, pageSize: 5 });
    const scheduler = createInProcessScheduler({ tickMs: 60_000, concurrency: 4 });
    const pb = w.patchbay({ scheduler });
    const connections = [];
    for (let i = 0; i < 6; i++) {
      const c = await pb.connect.withCredentials({
        tenantId: `t${i % 2}`,
        connector: "tasks",
        credentials: { apiKey: TASKS_API_KEY },
      });
      await pb.sync.schedule({
        tenantId: c.tenantId,
        connectionId: c.id,
        model: "tasks",
        schedule: { kind: "every", minutes: 10 },
      });
      connections.push(c);
    }
    let running = 0;
    let peak = 0;
    const perConnection = new Map<string, number>();
    pb.on("sync.started", ({ run }) => {
      running++;
      peak = Math.max(peak, running);
      perConnection.set(run.connectionId, (perConnection.get(run.connectionId) ?? 0) + 1);
    });
    pb.on("sync.completed", () => void running--);
    pb.start();
    try {
      expect(await scheduler.tick()).toBe(0); // nothing due yet
      w.clock.advance(11 * 60_000);
      // Ticks racing each other start each due sync once.
      const started = await Promise.all([scheduler.tick(), scheduler.tick(), scheduler.tick()]);
      expect(started.reduce((a, b) => a + b, 0)).toBe(6);
      expect([...perConnection.values()]).toEqual([1, 1, 1, 1, 1, 1]);
      expect(peak).toBeLessThanOrEqual(4);
      expect(await scheduler.tick()).toBe(0); // the next run is 10 minutes away

      await pb.connections.disconnect(connections[0]!.tenantId, connections[0]!.id);
      w.clock.advance(11 * 60_000);
      await scheduler.tick();
      expect(perConnection.get(connections[0]!.id)).toBe(1);
      expect([...perConnection.values()].filter((n) => n === 2)).toHaveLength(5);
    } finally {
      await pb.stop();
    }
  });
});

describe("actions", () => {
  it("runs a declared action with validated input, and names unknown actions", async () => {
    const w = world({ seed: 2 });
    const { defineAction, defineConnector } = await import("@patchbay/core");
    const { z } = await import("zod");
    const base = w.connector;
    const connector = defineConnector({
      ...base,
      actions: {
        countTasks: defineAction({
          input: z.object({ status: z.enum(["open", "done"]) }),
          async run(ctx, input) {
            const { data } = await ctx.http.get<{ tasks: Array<{ status: string }> }>("/tasks", {
              query: { limit: 100 },
            });
            return data.tasks.filter((t) => t.status === input.status).length;
          },
        }),
      },
    });
    const pb = w.patchbay({ connectors: [connector] });
    const c = await pb.connect.withCredentials({
      tenantId: "t",
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
    expect(
      await pb.actions.run({
        tenantId: "t",
        connectionId: c.id,
        action: "countTasks",
        input: { status: "open" },
      }),
    ).toBe(1);
    await expect(
      pb.actions.run({
        tenantId: "t",
        connectionId: c.id,
        action: "countTasks",
        input: { status: "x" },
      }),
    ).rejects.toThrow('"input.status"');
    await expect(
      pb.actions.run({ tenantId: "t", connectionId: c.id, action: "deleteAll" }),
    ).rejects.toThrow('Tasks has no action "deleteAll" (actions: countTasks)');
    await expect(
      pb.actions.run({
        tenantId: "other",
        connectionId: c.id,
        action: "countTasks",
        input: { status: "open" },
      }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect((await pb.tenants.audit("t", { action: "action.run" })).length).toBe(1);
  });
});
