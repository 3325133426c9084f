import {
  apiKey,
  CursorExpiredError,
  createPatchbay,
  defineConnector,
  defineModel,
  ErrorCode,
  MemoryStore,
  type RecordBatch,
  type SyncOutcome,
  Vault,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { KEY_1 } from "./support.js";
import { killable, stable, tasksWorld } from "./sync-world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world(options?: Parameters<typeof tasksWorld>[0]) {
  const w = tasksWorld(options);
  server.use(...w.fake.handlers);
  return w;
}

function ran(outcome: SyncOutcome) {
  if (outcome.status === "skipped")
    throw new Error(`expected a run, got skipped (${outcome.reason})`);
  return outcome.run;
}

describe("sync engine: full and incremental", () => {
  it("imports every record on the first full sync and reports them as created in the change feed", async () => {
    const w = world({ seed: 250, pageSize: 40 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    const run = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(run).toMatchObject({
      status: "succeeded",
      mode: "full",
      trigger: "manual",
      fetched: 250,
      inserted: 250,
      updated: 0,
      deleted: 0,
      failed: 0,
    });
    const stored = await w.stored("tenant-a", c.id);
    expect(stored.size).toBe(250);
    for (const [id, task] of w.expected()) expect(stable(stored.get(id)!)).toEqual(task);

    const feed = await pb.records.changes({
      tenantId: "tenant-a",
      connectionId: c.id,
      model: "tasks",
      limit: 1000,
    });
    expect(feed.changes).toHaveLength(250);
    expect(feed.changes.every((ch) => ch.kind === "created")).toBe(true);
    // The connector's default mapping gives host field names; the provider's shape stays reachable.
    expect(feed.changes[0]!.data).toEqual({
      name: "Task 1",
      state: "done",
      changedAt: expect.any(String),
    });
    expect(feed.changes[0]!.raw).toMatchObject({ id: "t000001", title: "Task 1" });
  });

  it("re-syncing unchanged data writes nothing and adds nothing to the change feed", async () => {
    const w = world({ seed: 120, pageSize: 50 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
    const { cursor } = await pb.records.changes({
      tenantId: "tenant-a",
      connectionId: c.id,
      limit: 1000,
    });
    // Every listing carries a fresh fetched_at; it is declared volatile, so it does not count as a change.
    const again = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks", mode: "full" }),
    );
    expect(again).toMatchObject({
      status: "succeeded",
      fetched: 120,
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: 120,
    });
    expect(
      (await pb.records.changes({ tenantId: "tenant-a", connectionId: c.id, after: cursor }))
        .changes,
    ).toEqual([]);
  });

  it.each([
    ["all read up front", 1000],
    ["a prefix read up front, the rest looked up per page", 7],
    ["all looked up per page", 0],
  ])(
    "a full re-sync compares with the stored hashes (%s): only changes are written",
    async (_, prefetchHashes) => {
      const w = world({ seed: 30, pageSize: 7 });
      await w.connect(w.patchbay());
      // Count the records the engine sends to the store: unchanged ones must not be.
      let sent = 0;
      const store = new Proxy(w.store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop !== "applyRecordBatch")
            return typeof value === "function" ? value.bind(target) : value;
          return (tenantId: string, batch: RecordBatch) => {
            sent += batch.upserts.length;
            return target.applyRecordBatch(tenantId, batch);
          };
        },
      });
      const pb = w.patchbay({ store, sync: { prefetchHashes } });
      const [c] = await pb.connections.list("tenant-a");
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c!.id, model: "tasks" });
      const { cursor } = await pb.records.changes({
        tenantId: "tenant-a",
        connectionId: c!.id,
        limit: 1000,
      });
      w.fake.update("t000003", { title: "Renamed" });
      w.fake.update("t000029", { status: "done" });
      w.fake.remove("t000017", false);
      sent = 0;
      const run = ran(
        await pb.sync.run({
          tenantId: "tenant-a",
          connectionId: c!.id,
          model: "tasks",
          mode: "full",
        }),
      );
      expect(sent).toBe(2);
      expect(run).toMatchObject({
        status: "succeeded",
        fetched: 29,
        inserted: 0,
        updated: 2,
        deleted: 1,
        unchanged: 27,
      });
      const feed = await pb.records.changes({
        tenantId: "tenant-a",
        connectionId: c!.id,
        after: cursor,
      });
      expect(feed.changes.map((ch) => `${ch.kind}:${ch.externalId}`).sort()).toEqual([
        "deleted:t000017",
        "updated:t000003",
        "updated:t000029",
      ]);
      expect([...(await w.stored("tenant-a", c!.id)).keys()].sort()).toEqual(
        [...w.expected().keys()].sort(),
      );
    },
  );

  it("incremental sync applies creates, updates and provider tombstones from the cursor", async () => {
    const w = world({ seed: 30, pageSize: 7 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
    const { cursor } = await pb.records.changes({
      tenantId: "tenant-a",
      connectionId: c.id,
      limit: 1000,
    });
    w.fake.update("t000003", { status: "done" });
    w.fake.update("t000004", { title: "Renamed" });
    const created = w.fake.create({ title: "New one", status: "open" });
    w.fake.remove("t000010");
    const listCallsBefore = w.fake.stats.listCalls;
    const run = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(run).toMatchObject({
      status: "succeeded",
      mode: "incremental",
      fetched: 3,
      inserted: 1,
      updated: 2,
      deleted: 1,
    });
    expect(w.fake.stats.listCalls).toBe(listCallsBefore); // no full listing
    const feed = await pb.records.changes({
      tenantId: "tenant-a",
      connectionId: c.id,
      after: cursor,
    });
    const kinds = Object.fromEntries(feed.changes.map((ch) => [ch.externalId, ch.kind]));
    expect(kinds).toEqual({
      t000003: "updated",
      t000004: "updated",
      [created.id]: "created",
      t000010: "deleted",
    });
    expect(feed.changes.find((ch) => ch.kind === "deleted")!.data).toBeNull();
    expect([...(await w.stored("tenant-a", c.id)).keys()].sort()).toEqual(
      [...w.expected().keys()].sort(),
    );
  });

  it("detects hard deletes only after a complete full run; a failed full run deletes nothing", async () => {
    const w = world({ seed: 60, pageSize: 10, fullEvery: 3 });
    // One page per batch, so every page's checkpoint is committed.
    const pb = w.patchbay({ sync: { batchSize: 10 } });
    const c = await w.connect(pb);
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
    // Hard deletes the incremental feed never reports.
    w.fake.remove("t000005", false);
    w.fake.remove("t000055", false);
    const incremental = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(incremental).toMatchObject({ mode: "incremental", deleted: 0 });
    expect((await w.stored("tenant-a", c.id)).has("t000005")).toBe(true);

    // A full run that fails on its 6th page (after retries) deletes nothing.
    w.fake.faults.push(
      ...[1, 2, 3].map((n) => ({ onListCall: w.fake.stats.listCalls + 5 + n, status: 500 })),
    );
    const failed = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks", mode: "full" }),
    );
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("500");
    expect(failed.deleted).toBe(0);
    expect((await w.stored("tenant-a", c.id)).size).toBe(60);
    expect((await pb.connections.get("tenant-a", c.id)).status).toBe("error");

    // The next run resumes that full pass from its checkpoint and completes it: now the deletes are found.
    const listCallsBefore = w.fake.stats.listCalls;
    const completed = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(completed).toMatchObject({ status: "succeeded", mode: "full", deleted: 2 });
    expect(completed.details.resumed).toBe(true);
    // Unchanged records weigh a quarter in a batch: pages 1-4 (40 unchanged) were
    // committed as one batch, so the run resumes at page 5, not page 1.
    expect(w.fake.stats.listCalls - listCallsBefore).toBe(2);
    const stored = await w.stored("tenant-a", c.id);
    expect(stored.has("t000005")).toBe(false);
    expect(stored.size).toBe(58);
    expect((await pb.connections.get("tenant-a", c.id)).status).toBe("active");
  });

  it("runs a periodic full sync every N incremental runs (fullEvery) to catch hard deletes", async () => {
    const w = world({ seed: 12, pageSize: 5, fullEvery: 2 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    const modes: string[] = [];
    for (let i = 0; i < 4; i++)
      modes.push(
        ran(await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" })).mode,
      );
    expect(modes).toEqual(["full", "incremental", "incremental", "full"]);
  });

  it("counts invalid records with their reason, keeps going, and skips delete detection that run", async () => {
    const w = world({ seed: 20, pageSize: 10 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
    (w.fake.tasks.get("t000002") as { status: string }).status = "archived";
    const run = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks", mode: "full" }),
    );
    expect(run).toMatchObject({ status: "succeeded", failed: 1, deleted: 0, unchanged: 19 });
    expect(run.details.failures).toEqual([
      { externalId: "t000002", reason: expect.stringContaining('"status"') },
    ]);
    expect(String(run.details.deleteDetection)).toContain("failed validation");
    expect((await w.stored("tenant-a", c.id)).has("t000002")).toBe(true);
  });

  it("aborts a run when invalid records exceed the model's maxFailures", async () => {
    const w = world({ seed: 10, pageSize: 10, maxFailures: 2 });
    for (const id of ["t000001", "t000002", "t000003"])
      (w.fake.tasks.get(id) as { status: string }).status = "??";
    const pb = w.patchbay();
    const c = await w.connect(pb);
    const run = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(run.status).toBe("failed");
    expect(run.error).toContain("more than maxFailures 2");
  });
});

describe("sync engine: crash and resume", () => {
  it("closes the run of a process that died before its first checkpoint, and starts over", async () => {
    const w = world({ seed: 30, pageSize: 10 });
    const c = await w.connect(w.patchbay());
    const crashing = killable(w.store);
    // Batch 1 is the pass marker: the process dies before anything is committed.
    crashing.onBatch = (n) => (n === 1 ? "before" : undefined);
    const doomed = createPatchbay({
      connectors: [w.connector],
      store: crashing,
      vault: new Vault({ keys: [KEY_1] }),
      now: w.clock.now,
    });
    // The dead process cannot record its own end: its run stays marked running in the store.
    const crashed = await doomed.sync.run({
      tenantId: "tenant-a",
      connectionId: c.id,
      model: "tasks",
    });
    expect(crashed.status).toBe("failed");
    expect(
      (await w.store.listSyncRuns("tenant-a", { connectionId: c.id, limit: 10 })).filter(
        (r) => r.status === "running",
      ),
    ).toHaveLength(1);
    w.clock.advance(61_000); // past the dead process's lease
    const next = w.patchbay();
    const run = ran(
      await next.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    );
    expect(run.status).toBe("succeeded");
    const runs = await next.sync.runs("tenant-a", { connectionId: c.id });
    // Nothing is left marked running: the dead process's run is closed, saying what happened.
    expect(runs.filter((r) => r.status === "running")).toEqual([]);
    expect(runs.filter((r) => r.status === "failed")).toHaveLength(1);
    expect(runs.find((r) => r.status === "failed")!.error).toBe(
      "interrupted: the process running it stopped before its first checkpoint; a later run started over",
    );
  });

  // For many seeds: kill the "process" at a random batch (before or after the
  // commit), then start a new process. The final state must equal the
  // provider's exactly, and no record may have been applied twice.
  const seeds = Array.from({ length: 30 }, (_, i) => i + 1);
  it.each(seeds)(
    "seed %i: a crash at a random batch resumes to exactly the provider's state",
    async (seed) => {
      const rand = mulberry32(seed);
      const w = world({
        seed: 150 + Math.floor(rand() * 150),
        pageSize: 5 + Math.floor(rand() * 40),
      });
      const batchSize = 10 + Math.floor(rand() * 60);
      const first = w.patchbay();
      const c = await w.connect(first);
      if (rand() < 0.5) {
        // Crash during an incremental run that follows a full one.
        await first.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
        for (let i = 0; i < 40; i++) {
          const id = `t${String(1 + Math.floor(rand() * 150)).padStart(6, "0")}`;
          if (!w.fake.tasks.has(id)) continue;
          if (rand() < 0.2) w.fake.remove(id);
          else w.fake.update(id, { title: `edit ${seed}-${i}` });
        }
        for (let i = 0; i < 10; i++) w.fake.create({ title: `late ${i}`, status: "open" });
      }
      const crashing = killable(w.store);
      const crashAt = 2 + Math.floor(rand() * 6);
      const when = rand() < 0.5 ? "before" : "after";
      crashing.onBatch = (n) => (n === crashAt ? when : undefined);
      const doomed = createPatchbay({
        connectors: [w.connector],
        store: crashing,
        vault: new Vault({ keys: [KEY_1] }),
        now: w.clock.now,
        sync: { batchSize },
      });
      const crashed = await doomed.sync
        .run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" })
        .catch(() => ({ status: "crashed" as const }));
      expect(
        crashed.status === "crashed" ||
          crashed.status === "failed" ||
          crashed.status === "succeeded",
      ).toBe(true);

      // A new process, after the dead one's lease has expired.
      w.clock.advance(61_000);
      const next = w.patchbay({ sync: { batchSize } });
      const resumed = await next.sync.run({
        tenantId: "tenant-a",
        connectionId: c.id,
        model: "tasks",
      });
      expect(resumed.status).toBe("succeeded");
      // A follow-up run finds nothing left to do.
      const settle = ran(
        await next.sync.run({
          tenantId: "tenant-a",
          connectionId: c.id,
          model: "tasks",
          mode: "full",
        }),
      );
      expect(settle).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });

      const stored = await w.stored("tenant-a", c.id);
      const expected = w.expected();
      expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [id, task] of expected) expect(stable(stored.get(id)!)).toEqual(task);
      // The change feed holds each live record once, and no record was inserted twice.
      const feed = await next.records.changes({
        tenantId: "tenant-a",
        connectionId: c.id,
        limit: 1000,
      });
      const ids = feed.changes.map((ch) => ch.externalId);
      expect(new Set(ids).size).toBe(ids.length);
      const runs = await next.sync.runs("tenant-a", { connectionId: c.id, limit: 100 });
      const inserted = runs.reduce((sum, r) => sum + r.inserted, 0);
      const everCreated = new Set([
        ...expected.keys(),
        ...feed.changes.filter((ch) => ch.kind === "deleted").map((ch) => ch.externalId),
      ]).size;
      expect(inserted).toBeLessThanOrEqual(everCreated);
      // The dead process's run is closed, not left "running".
      expect(runs.filter((r) => r.status === "running")).toEqual([]);
    },
  );
});

describe("sync engine: concurrency and memory", () => {
  it("never runs the same connection and model twice at once", async () => {
    const w = world({ seed: 200, pageSize: 20 });
    const a = w.patchbay();
    const b = w.patchbay();
    const c = await w.connect(a);
    const outcomes = await Promise.all([
      a.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
      b.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
      a.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
    ]);
    expect(outcomes.filter((o) => o.status === "succeeded")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "skipped" && o.reason === "running")).toHaveLength(
      2,
    );
  });

  it("streams 10,000 records holding at most about one batch and one page in memory", async () => {
    const w = world({ seed: 10_000, pageSize: 250 });
    let yielded = 0;
    let committed = 0;
    let peakInFlight = 0;
    const inner = w.store;
    const counting = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== "applyRecordBatch")
          return typeof value === "function" ? value.bind(target) : value;
        return async (tenantId: string, batch: { upserts: unknown[] }) => {
          const result = await inner.applyRecordBatch(tenantId, batch as never);
          committed += batch.upserts.length;
          return result;
        };
      },
    });
    const connector = w.connector;
    const model = connector.models!.tasks!;
    const original = model.sync;
    model.sync = async function* (ctx) {
      for await (const page of original(ctx)) {
        yielded += page.records.length;
        peakInFlight = Math.max(peakInFlight, yielded - committed);
        yield page;
      }
    };
    try {
      const pb = createPatchbay({
        connectors: [connector],
        store: counting,
        vault: new Vault({ keys: [KEY_1] }),
        now: w.clock.now,
        sync: { batchSize: 500 },
      });
      const c = await pb.connect.withCredentials({
        tenantId: "tenant-a",
        connector: "tasks",
        credentials: { apiKey: "tasks_key_abcdef123456" },
      });
      const run = ran(
        await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }),
      );
      expect(run).toMatchObject({ status: "succeeded", inserted: 10_000 });
      expect(yielded).toBe(10_000);
      // Never more than one (possibly partial) batch plus the page being read.
      expect(peakInFlight).toBeLessThanOrEqual(500 + 250);
    } finally {
      model.sync = original;
    }
  });
});

describe("sync state and health", () => {
  it("records the run, the sync state and the connection's health", async () => {
    const w = world({ seed: 5 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    const events: string[] = [];
    pb.on("sync.started", () => void events.push("started"));
    pb.on("records.changed", ({ inserted }) => void events.push(`changed:${inserted}`));
    pb.on("sync.completed", () => void events.push("completed"));
    await pb.sync.schedule({
      tenantId: "tenant-a",
      connectionId: c.id,
      model: "tasks",
      schedule: { kind: "every", minutes: 30 },
    });
    ran(await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" }));
    expect(events).toEqual(["started", "changed:5", "completed"]);
    const [state] = await pb.sync.status("tenant-a", c.id);
    expect(state).toMatchObject({
      model: "tasks",
      lastStatus: "succeeded",
      consecutiveFailures: 0,
      schedule: { kind: "every", minutes: 30 },
    });
    expect(state!.nextRunAt!.getTime()).toBeGreaterThan(w.clock.now() + 29 * 60_000);
    const health = await pb.connections.health("tenant-a", c.id);
    expect(health).toMatchObject({ status: "active", lastError: null, consecutiveFailures: 0 });
    expect(health.lastSuccessAt).not.toBeNull();
  });

  it("rejects unknown models and bad input with errors that say what to do", async () => {
    const w = world({ seed: 1 });
    const pb = w.patchbay();
    const c = await w.connect(pb);
    await expect(
      pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "contacts" }),
    ).rejects.toThrow('Tasks has no model "contacts" (models: tasks)');
    await expect(
      pb.sync.run({ tenantId: "tenant-b", connectionId: c.id, model: "tasks" }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(
      pb.records.changes({ tenantId: "tenant-a", connectionId: c.id, after: "garbage" }),
    ).rejects.toThrow('"after" must be a cursor returned by records.changes()');
    await expect(
      pb.sync.schedule({
        tenantId: "tenant-a",
        connectionId: c.id,
        model: "tasks",
        schedule: { kind: "every", minutes: 0 },
      }),
    ).rejects.toThrow(/"schedule.minutes"/);
  });
});

/** A small seeded PRNG, so a failing seed can be replayed. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("sync engine: expired cursors", () => {
  /** A provider whose change token can expire (Gmail's history id, Drive's page token). */
  function expiringWorld(options: { deleteMissing?: boolean } = {}) {
    const items = new Map<string, { id: string; name: string }>();
    for (const id of ["a", "b", "c"]) items.set(id, { id, name: `Item ${id}` });
    const provider = { items, generation: 1, fullListings: 0, brokenFullListing: false };
    const connector = defineConnector({
      id: "expiring",
      name: "Expiring",
      category: "other",
      description: "A provider whose change token can expire.",
      auth: apiKey({ header: "x-api-key" }),
      models: {
        items: defineModel({
          schema: z.object({ id: z.string(), name: z.string() }),
          key: "id",
          modes: ["full", "incremental"],
          ...(options.deleteMissing !== undefined && { deleteMissing: options.deleteMissing }),
          async *sync(ctx) {
            if (ctx.mode === "incremental") {
              if (ctx.cursor !== `g${provider.generation}`)
                throw new CursorExpiredError(`change token ${String(ctx.cursor)} is too old`);
              yield { records: [], cursor: `g${provider.generation}` };
              return;
            }
            provider.fullListings++;
            if (provider.brokenFullListing) throw new CursorExpiredError("full listing refused");
            yield { records: [...provider.items.values()], cursor: `g${provider.generation}` };
          },
        }),
      },
    });
    const store = new MemoryStore();
    const pb = createPatchbay({
      connectors: [connector],
      store,
      vault: new Vault({ keys: [KEY_1] }),
    });
    return { provider, pb, store };
  }

  it("restarts an incremental run whose cursor expired as a full listing, and detects deletes in that run", async () => {
    const { provider, pb, store } = expiringWorld();
    const c = await pb.connect.withCredentials({
      tenantId: "tenant-a",
      connector: "expiring",
      credentials: { apiKey: "key-123456789" },
    });
    const first = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" }),
    );
    expect(first).toMatchObject({ status: "succeeded", mode: "full", inserted: 3 });

    // Deleted at the provider while the change token aged out.
    provider.items.delete("b");
    provider.generation = 2;
    const second = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" }),
    );
    expect(second).toMatchObject({ status: "succeeded", deleted: 1, unchanged: 2 });
    expect(second.details.fullListing).toContain("change token g1 is too old");
    expect(provider.fullListings).toBe(2);
    const stored = await store.listRecords("tenant-a", {
      connectionId: c.id,
      model: "items",
      limit: 10,
    });
    expect(stored.map((r) => r.externalId).sort()).toEqual(["a", "c"]);

    // The full listing's token is kept: the next run is incremental again.
    const third = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" }),
    );
    expect(third).toMatchObject({ status: "succeeded", mode: "incremental" });
    expect(provider.fullListings).toBe(2);
  });

  it("keeps records a full listing no longer shows when the model says deleteMissing: false", async () => {
    const { provider, pb, store } = expiringWorld({ deleteMissing: false });
    const c = await pb.connect.withCredentials({
      tenantId: "tenant-a",
      connector: "expiring",
      credentials: { apiKey: "key-123456789" },
    });
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" });
    // The listing is a window of history: yesterday's item drops out of it.
    provider.items.delete("a");
    const full = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items", mode: "full" }),
    );
    expect(full).toMatchObject({ status: "succeeded", deleted: 0 });
    expect(full.details.deleteDetection).toContain("deleteMissing: false");
    const stored = await store.listRecords("tenant-a", {
      connectionId: c.id,
      model: "items",
      limit: 10,
    });
    expect(stored.map((r) => r.externalId).sort()).toEqual(["a", "b", "c"]);
  });

  it("fails a run whose full listing also reports an expired cursor, instead of looping", async () => {
    const { provider, pb } = expiringWorld();
    const c = await pb.connect.withCredentials({
      tenantId: "tenant-a",
      connector: "expiring",
      credentials: { apiKey: "key-123456789" },
    });
    await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" });
    provider.generation = 2;
    provider.brokenFullListing = true;
    const failed = ran(
      await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "items" }),
    );
    expect(failed).toMatchObject({ status: "failed", deleted: 0 });
    expect(failed.error).toContain("full listing refused");
    expect(provider.fullListings).toBe(2);
  });
});
