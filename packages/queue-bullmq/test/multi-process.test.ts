import { randomBytes } from "node:crypto";
import { createPatchbay, type Patchbay, type SyncRun, Vault } from "@patchbay/core";
import type { PostgresStore } from "@patchbay/store-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BullmqScheduler, bullmqScheduler } from "../src/index.js";
import { type FakeHttpServer, handlerFetch, startFakeHttpServer } from "./support/fake-http.js";
import { createItemsFake, REDIRECT_URI } from "./support/items-fake.js";
import {
  createItemsOAuth,
  multiProcessConnectors,
  OAUTH_MODELS,
  startWorker,
  stopWorker,
  type WorkerProcess,
} from "./support/multi-process-world.js";
import {
  deleteRedisPrefix,
  freshDatabase,
  REDIS,
  sleep,
  uniquePrefix,
  VAULT_KEY,
  waitFor,
} from "./support/world.js";

// Three worker processes (child processes running test/support/worker-process.ts)
// share one Redis prefix and one PostgreSQL schema. The fake provider and fake
// OAuth server live here, in the test process, behind a node:http server, so
// they see every worker's requests.

const oauth = createItemsOAuth(300);
const fake = createItemsFake({ oauth });
const connectors = multiProcessConnectors({ oauth });
const handlers = () => [...fake.handlers, ...oauth.handlers];

const prefix = uniquePrefix();
let db: Awaited<ReturnType<typeof freshDatabase>>;
let store: PostgresStore;
let server: FakeHttpServer;
let workers: WorkerProcess[] = [];
let web: Patchbay;
let scheduler: BullmqScheduler;

const workerEnv = () => ({
  PBQ_PREFIX: prefix,
  PBQ_SCHEMA: db.schema,
  PBQ_FAKE_URL: server.url,
  PBQ_CONCURRENCY: "2",
});

beforeAll(async () => {
  db = await freshDatabase();
  store = db.store;
  server = await startFakeHttpServer(handlers);
  workers = await Promise.all([0, 1, 2].map(() => startWorker(workerEnv())));
  // The test process is the "web" process: it connects, schedules and enqueues.
  scheduler = bullmqScheduler({ connection: REDIS, prefix, role: "scheduler" });
  web = createPatchbay({
    connectors,
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    scheduler,
    fetch: handlerFetch(handlers),
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await web?.stop();
  await server?.close();
  await db?.drop();
  await deleteRedisPrefix(prefix);
}, 60_000);

const tenantId = `t_${randomBytes(4).toString("hex")}`;

async function connectItems(count: number, latencyMs: number) {
  const key = `key_${randomBytes(5).toString("hex")}`;
  fake.addAccount(key, { items: count }, latencyMs);
  const connection = await web.connect.withCredentials({
    tenantId,
    connector: "items",
    credentials: { apiKey: key },
  });
  return { key, connectionId: connection.id };
}

async function runsOf(connectionId: string): Promise<SyncRun[]> {
  const runs = await store.listSyncRuns(tenantId, { connectionId, limit: 100 });
  return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

async function externalIds(connectionId: string, model: string): Promise<string[]> {
  const records = await store.listRecords(tenantId, { connectionId, model, limit: 1000 });
  return records.map((r) => r.externalId);
}

describe("three worker processes", () => {
  it("run every due sync of 50 connections exactly once, never two at once, and finish a SIGKILLed worker's sync exactly", async () => {
    const scheduled: Array<{ key: string; connectionId: string; dueAt: Date }> = [];
    for (let i = 0; i < 50; i++) {
      // Connection 7 is long (20 pages, slow): its worker is killed in the middle of it.
      const c = i === 7 ? await connectItems(200, 100) : await connectItems(30, 20);
      scheduled.push({ ...c, dueAt: new Date(0) });
    }
    const webhooked: Array<{ key: string; connectionId: string }> = [];
    for (let i = 0; i < 5; i++) webhooked.push(await connectItems(20, 20));

    // Schedules of every minute, due over the next few seconds (a minute is the
    // shortest schedule; nextRunAt is set as if the last run was a minute ago).
    const t0 = Date.now();
    for (const [i, c] of scheduled.entries()) {
      c.dueAt = new Date(t0 + 2000 + i * 100);
      await store.putSyncState({
        tenantId,
        connectionId: c.connectionId,
        model: "items",
        cursor: null,
        checkpoint: null,
        activeRunId: null,
        schedule: { kind: "every", minutes: 1 },
        nextRunAt: c.dueAt,
        lastRunAt: null,
        lastSuccessAt: null,
        lastStatus: null,
        lastError: null,
        consecutiveFailures: 0,
        runsSinceFull: 0,
        updatedAt: new Date(t0),
      });
    }

    const victim = scheduled[7]!;
    let killed: { pid: number; at: number } | null = null;
    fake.onPage(({ account, page, pid }) => {
      if (account === victim.key && page === 6 && killed === null && pid !== null) {
        killed = { pid, at: Date.now() };
        process.kill(pid, "SIGKILL");
      }
    });

    // Starting the web process reconciles: 50 job schedulers appear, each wakes its
    // model up at once, and the run is set for the store's nextRunAt.
    web.start();
    await scheduler.ready();
    expect((await scheduler.metrics()).jobSchedulers).toBe(50);

    // Webhooks meanwhile: five deliveries per connection, deduplicated.
    await sleep(1500);
    for (const c of webhooked) {
      for (let n = 0; n < 5; n++) {
        await web.sync.enqueue({
          tenantId,
          connectionId: c.connectionId,
          model: "items",
          trigger: "webhook",
        });
      }
    }

    await waitFor(
      "every scheduled and webhooked connection to have synced",
      async () => {
        for (const c of [...scheduled, ...webhooked]) {
          if (!(await runsOf(c.connectionId)).some((r) => r.status === "succeeded")) return false;
        }
        return true;
      },
      50_000,
      200,
    );
    // Let anything still queued (a duplicate would be) run before counting.
    await waitFor("the queue to settle", async () => {
      const m = await scheduler.metrics();
      return m.queue.waiting === 0 && m.queue.active === 0;
    });
    await sleep(1000);

    // The kill happened, and the process is gone.
    expect(killed).not.toBeNull();
    const dead = workers.find((w) => w.pid === killed!.pid)!;
    expect(await dead.exited).toBe("SIGKILL");

    for (const c of scheduled) {
      const runs = await runsOf(c.connectionId);
      const succeeded = runs.filter((r) => r.status === "succeeded");
      // Exactly once: one successful run per due time, at or after it.
      expect(succeeded, c.connectionId).toHaveLength(1);
      expect(succeeded[0]!.trigger).toBe("schedule");
      expect(succeeded[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(c.dueAt.getTime());
      // Any other run is one the killed worker was running (it had two slots): closed as
      // interrupted, started before the kill, and resumed by the successful one.
      for (const run of runs.filter((r) => r.status !== "succeeded")) {
        expect(run.error, c.connectionId).toMatch(/^interrupted/);
        expect(run.startedAt.getTime()).toBeLessThanOrEqual(killed!.at);
      }
      expect(runs.length, c.connectionId).toBeLessThanOrEqual(2);
      // Never two at once: each run starts after the previous one ended (or, for the
      // killed worker's run, after it was killed).
      for (let i = 1; i < runs.length; i++) {
        const previous = runs[i - 1]!;
        const end = previous.error?.startsWith("interrupted") ? killed!.at : previous.finishedAt!;
        expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(new Date(end).getTime());
      }
      expect(await externalIds(c.connectionId, "items")).toEqual(
        fake.items(c.key, "items").map((item) => item.id),
      );
    }

    // The killed worker's sync: interrupted, then resumed from its checkpoint by another worker.
    const victimRuns = await runsOf(victim.connectionId);
    expect(victimRuns.map((r) => r.status)).toEqual(["failed", "succeeded"]);
    expect(victimRuns[0]!.error).toMatch(/^interrupted/);
    const resumed = victimRuns[1]!;
    expect(resumed.details.resumed).toBe(true);
    expect(resumed.fetched).toBeLessThan(200);
    expect(resumed.fetched).toBeGreaterThan(0);
    // None lost, none twice: 200 records, each created once in the change feed.
    const feed = await store.listChanges(tenantId, {
      connectionId: victim.connectionId,
      after: 0,
      limit: 1000,
    });
    expect(feed).toHaveLength(200);
    expect(new Set(feed.map((r) => r.externalId)).size).toBe(200);

    // Webhooks: five deliveries made one run, or two when some arrived during it.
    for (const c of webhooked) {
      const runs = await runsOf(c.connectionId);
      expect(runs.length).toBeGreaterThanOrEqual(1);
      expect(runs.length).toBeLessThanOrEqual(2);
      expect(runs.every((r) => r.trigger === "webhook" && r.status === "succeeded")).toBe(true);
    }

    // No account's model was ever fetched by two runs at once, several processes did the
    // work (at least the killed one and the one that resumed its sync), and every
    // request had a handler.
    expect(fake.stats.overlaps).toEqual([]);
    expect(fake.stats.pids.size).toBeGreaterThanOrEqual(2);
    expect(server.unhandled).toEqual([]);
  });

  it("refresh an expired token shared by jobs on different workers exactly once", async () => {
    // Back to three workers after the kill.
    const alive: WorkerProcess[] = [];
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) alive.push(w);
    }
    while (alive.length < 3) alive.push(await startWorker(workerEnv()));
    workers = alive;

    // Connect with a clock two hours behind: the stored access token has expired.
    const setup = createPatchbay({
      connectors,
      store,
      vault: new Vault({ keys: [VAULT_KEY] }),
      fetch: handlerFetch(handlers),
      now: () => Date.now() - 2 * 3_600_000,
    });
    const subject = `user_${randomBytes(4).toString("hex")}`;
    fake.addAccount(subject, Object.fromEntries(OAUTH_MODELS.map((m) => [m, 15])), 20);
    const { url } = await setup.connect.start({
      tenantId,
      connector: "items-oauth",
      redirectUri: REDIRECT_URI,
    });
    const connection = await setup.connect.finish(oauth.approve(url, { subject }), { tenantId });
    const refreshesBefore = oauth.stats.byGrant.refresh_token ?? 0;

    // "Sync now" on every model at once: six jobs, three workers, one expired token.
    await Promise.all(
      OAUTH_MODELS.map((model) =>
        web.sync.enqueue({ tenantId, connectionId: connection.id, model, trigger: "manual" }),
      ),
    );
    await waitFor(
      "six successful runs",
      async () =>
        (await runsOf(connection.id)).filter((r) => r.status === "succeeded").length === 6,
      40_000,
      100,
    );
    expect((oauth.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
    expect(fake.stats.pidsByAccount.get(subject)?.size).toBeGreaterThanOrEqual(2);
    for (const model of OAUTH_MODELS) {
      expect(await externalIds(connection.id, model)).toHaveLength(15);
    }
  });
});
