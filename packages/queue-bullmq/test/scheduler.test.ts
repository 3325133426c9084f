import { randomBytes } from "node:crypto";
import { createPatchbay, type Patchbay, type SyncRun, silentLogger, Vault } from "@patchbay/core";
import { createFakeOAuthServer } from "@patchbay/testing";
import { Queue } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bullmqScheduler, repeatOptionsFor } from "../src/index.js";
import { handlerFetch } from "./support/fake-http.js";
import {
  createItemsFake,
  itemsConnector,
  OAUTH_CLIENT,
  OTHER_API,
  REDIRECT_URI,
} from "./support/items-fake.js";
import {
  createWorld,
  FAST,
  REDIS,
  sleep,
  VAULT_KEY,
  type World,
  waitFor,
} from "./support/world.js";

const oauth = createFakeOAuthServer({
  issuer: "https://auth.items.test",
  clients: [{ ...OAUTH_CLIENT, redirectUris: [REDIRECT_URI] }],
});
const items = createItemsFake({ oauth });
const other = createItemsFake({ baseUrl: OTHER_API });
const connectors = [
  itemsConnector({ models: ["items", "notes"] }),
  itemsConnector({ id: "other", baseUrl: OTHER_API }),
  itemsConnector({ id: "items-oauth", models: ["items", "notes"], oauth }),
];
const fetch = handlerFetch(() => [...items.handlers, ...other.handlers, ...oauth.handlers]);

let world: World;
beforeEach(async () => {
  world = await createWorld({ connectors, fetch });
});
afterEach(async () => {
  await world.close();
});

const id = (p: string) => `${p}_${randomBytes(4).toString("hex")}`;

/** Connect a new account of `connector` with `counts` items per model. */
async function connect(
  patchbay: Patchbay,
  options: {
    connector?: "items" | "other";
    counts?: Record<string, number>;
    latencyMs?: number;
  } = {},
) {
  const connector = options.connector ?? "items";
  const key = id("key");
  (connector === "other" ? other : items).addAccount(
    key,
    options.counts ?? { items: 25, notes: 5 },
    options.latencyMs ?? 0,
  );
  const tenantId = id("t");
  const connection = await patchbay.connect.withCredentials({
    tenantId,
    connector,
    credentials: { apiKey: key },
  });
  return { tenantId, connectionId: connection.id, key };
}

async function runsOf(c: { tenantId: string; connectionId: string }, model?: string) {
  const runs = await world.store.listSyncRuns(c.tenantId, {
    connectionId: c.connectionId,
    model,
    limit: 100,
  });
  return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

const finished = (runs: SyncRun[]) => runs.filter((r) => r.status !== "running");

describe("job schedulers follow schedules", () => {
  it("re-keys the job scheduler when the schedule changes, and removes it for manual", async () => {
    const { patchbay, scheduler } = await world.instance({ role: "scheduler" });
    const c = await connect(patchbay);
    const ref = { tenantId: c.tenantId, connectionId: c.connectionId, model: "items" };

    let state = await patchbay.sync.schedule({ ...ref, schedule: { kind: "every", minutes: 15 } });
    let queued = await scheduler.inspect(ref);
    expect(queued.jobScheduler).toMatchObject({ every: 900_000 });
    let due = queued.pending.find((p) => p.kind === "due");
    // The run itself is set for the store's nextRunAt (with the engine's jitter).
    expect(Math.abs(due!.runAt.getTime() - state.nextRunAt!.getTime())).toBeLessThan(250);

    state = await patchbay.sync.schedule({
      ...ref,
      schedule: { kind: "cron", expression: "30 6 * * 1-5", timezone: "Europe/Oslo" },
    });
    queued = await scheduler.inspect(ref);
    expect(queued.jobScheduler).toMatchObject({ pattern: "30 6 * * 1-5", tz: "Europe/Oslo" });
    expect(queued.jobScheduler?.every).toBeUndefined();
    due = queued.pending.find((p) => p.kind === "due");
    expect(Math.abs(due!.runAt.getTime() - state.nextRunAt!.getTime())).toBeLessThan(250);
    // One scheduler for the model: re-keyed, not added beside the old one.
    expect((await scheduler.metrics()).jobSchedulers).toBe(1);
    expect(queued.pending.filter((p) => p.kind === "tick")).toHaveLength(1);

    await patchbay.sync.schedule({ ...ref, schedule: { kind: "daily", hour: 6 } });
    expect((await scheduler.inspect(ref)).jobScheduler).toMatchObject({
      pattern: "0 6 * * *",
      tz: "UTC",
    });

    await patchbay.sync.schedule({ ...ref, schedule: { kind: "manual" } });
    queued = await scheduler.inspect(ref);
    expect(queued.jobScheduler).toBeNull();
    expect(queued.pending).toEqual([]);
    const metrics = await scheduler.metrics();
    expect(metrics.jobSchedulers).toBe(0);
    expect(metrics.queue).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
  });

  it("leaves no job scheduler, pending job or follow-up behind when a connection is disconnected", async () => {
    const web = await world.instance({ role: "scheduler" });
    const c = await connect(web.patchbay, { latencyMs: 150 });
    const ref = (model: string) => ({ tenantId: c.tenantId, connectionId: c.connectionId, model });
    await web.patchbay.sync.schedule({ ...ref("items"), schedule: { kind: "every", minutes: 5 } });
    await web.patchbay.sync.schedule({ ...ref("notes"), schedule: { kind: "daily", hour: 3 } });
    expect((await web.scheduler.inspect(ref("items"))).pending.length).toBeGreaterThan(0);
    expect((await web.scheduler.metrics()).jobSchedulers).toBe(2);

    // A worker (one sync at a time) runs items; meanwhile a webhook for notes waits, and a
    // webhook for items during its run stores a follow-up.
    const worker = await world.instance({ role: "worker", concurrency: 1 });
    let started = false;
    worker.patchbay.on("sync.started", ({ run }) => {
      if (run.model === "items") started = true;
    });
    await web.patchbay.sync.enqueue({ ...ref("items"), trigger: "webhook" });
    await waitFor("the items run to start", () => started);
    await web.patchbay.sync.enqueue({ ...ref("notes"), trigger: "webhook" });
    await web.patchbay.sync.enqueue({ ...ref("items"), trigger: "webhook" });
    expect((await web.scheduler.inspect(ref("items"))).followUp).toBe(true);
    expect((await web.scheduler.inspect(ref("notes"))).pending.map((p) => p.kind)).toContain("run");

    await web.patchbay.connections.disconnect(c.tenantId, c.connectionId);

    for (const model of ["items", "notes"]) {
      const queued = await web.scheduler.inspect(ref(model));
      expect(queued.jobScheduler).toBeNull();
      expect(queued.followUp).toBe(false);
      // Only the run already going on is left; it is not repeated.
      expect(queued.pending.filter((p) => p.state !== "active")).toEqual([]);
    }
    expect((await web.scheduler.metrics()).jobSchedulers).toBe(0);
    await waitFor("the queue to drain", async () => {
      const m = await web.scheduler.metrics();
      return m.queue.waiting + m.queue.delayed + m.queue.active === 0;
    });
    await sleep(300);
    expect((await runsOf(c)).map((r) => r.model)).toEqual(["items"]);
  });

  it("reconciles on start: adds missing job schedulers, fixes changed ones, removes orphans, leaves foreign ones", async () => {
    const setup = createPatchbay({
      connectors,
      store: world.store,
      vault: new Vault({ keys: [VAULT_KEY] }),
      fetch,
    });
    const a = await connect(setup);
    const b = await connect(setup);
    const now = new Date();
    // Schedules written while no BullMQ scheduler was running (e.g. before adopting it).
    for (const [c, model, minutes] of [
      [a, "items", 30],
      [b, "notes", 10],
    ] as const) {
      await world.store.putSyncState({
        tenantId: c.tenantId,
        connectionId: c.connectionId,
        model,
        cursor: null,
        checkpoint: null,
        activeRunId: null,
        schedule: { kind: "every", minutes },
        nextRunAt: new Date(now.getTime() + minutes * 60_000),
        lastRunAt: null,
        lastSuccessAt: null,
        lastStatus: null,
        lastError: null,
        consecutiveFailures: 0,
        runsSinceFull: 0,
        updatedAt: now,
      });
    }
    const queue = new Queue("sync", { connection: REDIS, prefix: world.prefix });
    try {
      // b/notes has a stale scheduler; the others are orphans or someone else's.
      const stale = `sync.${b.tenantId}.${b.connectionId}.notes`;
      await queue.upsertJobScheduler(stale, { every: 3_600_000 }, { name: "tick" });
      await queue.upsertJobScheduler(
        `sync.${a.tenantId}.conn_gone.items`,
        { every: 60_000 },
        { name: "tick" },
      );
      await queue.upsertJobScheduler(
        `sync.${a.tenantId}.${a.connectionId}.ghost`,
        { every: 60_000 },
        { name: "tick" },
      );
      await queue.upsertJobScheduler("nightly-report", { pattern: "0 2 * * *" }, { name: "r" });

      const { scheduler } = await world.instance({ role: "scheduler" });
      const ids = (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
      expect(ids).toEqual(
        [
          "nightly-report",
          `sync.${a.tenantId}.${a.connectionId}.items`,
          `sync.${b.tenantId}.${b.connectionId}.notes`,
        ].sort(),
      );
      expect((await queue.getJobScheduler(stale))?.every).toBe(600_000);
      expect((await scheduler.inspect({ ...a, model: "items" })).jobScheduler?.every).toBe(
        1_800_000,
      );
      expect(await scheduler.reconcile()).toEqual({
        added: 0,
        updated: 0,
        removed: 0,
        unchanged: 2,
      });
    } finally {
      await queue.close();
    }
  });
});

describe("running scheduled syncs", () => {
  it("runs a scheduled sync once, at the store's nextRunAt, whichever of two workers wakes up", async () => {
    const web = await world.instance({ role: "scheduler" });
    const workers = [
      await world.instance({ role: "worker" }),
      await world.instance({ role: "worker" }),
    ];
    const c = await connect(web.patchbay);
    const ref = { tenantId: c.tenantId, connectionId: c.connectionId, model: "items" };
    await web.patchbay.sync.schedule({ ...ref, schedule: { kind: "every", minutes: 1 } });
    // Due in 1.5 s rather than a minute.
    const dueAt = new Date(Date.now() + 1500);
    const state = (await world.store.getSyncState(c.tenantId, c.connectionId, "items"))!;
    await world.store.putSyncState({ ...state, nextRunAt: dueAt });
    await web.scheduler.scheduleChanged(ref, { kind: "every", minutes: 1 });

    const runs = await waitFor("the scheduled run", async () => {
      const done = finished(await runsOf(c));
      return done.length > 0 ? done : undefined;
    });
    await sleep(1500);
    const all = await runsOf(c);
    expect(all).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "schedule", status: "succeeded", inserted: 25 });
    expect(runs[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    const after = (await world.store.getSyncState(c.tenantId, c.connectionId, "items"))!;
    expect(after.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(workers).toHaveLength(2);
  });
});

describe("enqueue", () => {
  it("keeps one pending run per connection and model, and one follow-up for requests during a run", async () => {
    const web = await world.instance({ role: "scheduler" });
    const c = await connect(web.patchbay, { latencyMs: 100 });
    const job = { tenantId: c.tenantId, connectionId: c.connectionId, model: "items" };
    for (let i = 0; i < 5; i++) await web.patchbay.sync.enqueue({ ...job, trigger: "webhook" });
    expect((await web.scheduler.inspect(job)).pending).toHaveLength(1);
    expect((await web.scheduler.metrics()).queue.waiting).toBe(1);

    const worker = await world.instance({ role: "worker" });
    let starts = 0;
    worker.patchbay.on("sync.started", () => {
      starts++;
    });
    await waitFor("the first run to start", () => starts === 1);
    await Promise.all(
      Array.from({ length: 5 }, () => web.patchbay.sync.enqueue({ ...job, trigger: "webhook" })),
    );
    const during = await web.scheduler.inspect(job);
    expect(during.followUp).toBe(true);
    expect(during.pending.map((p) => p.state)).toEqual(["active"]);

    await waitFor("two finished runs", async () => finished(await runsOf(c)).length === 2);
    await sleep(800);
    const runs = await runsOf(c);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ["webhook", "succeeded"],
      ["webhook", "succeeded"],
    ]);
    // Never at once.
    expect(runs[1]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[0]!.finishedAt!.getTime());
    expect(items.stats.overlaps).toEqual([]);
  });

  it('runs "sync now" before queued webhook and scheduled runs, also when it joins a pending webhook run', async () => {
    const web = await world.instance({ role: "scheduler" });
    const cs: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < 5; i++) cs.push(await connect(web.patchbay, { counts: { items: 5 } }));
    const job = (i: number) => ({
      tenantId: cs[i]!.tenantId,
      connectionId: cs[i]!.connectionId,
      model: "items",
    });
    for (const i of [0, 1, 2, 3])
      await web.patchbay.sync.enqueue({ ...job(i), trigger: "webhook" });
    await web.patchbay.sync.enqueue({ ...job(4), trigger: "manual" });
    // "Sync now" on a connection with a webhook run pending: no second run, but it jumps the queue.
    await web.patchbay.sync.enqueue({ ...job(2), trigger: "manual" });
    expect((await web.scheduler.inspect(job(2))).pending).toMatchObject([{ priority: 1 }]);

    const worker = await world.instance({ role: "worker", concurrency: 1 });
    const order: string[] = [];
    worker.patchbay.on("sync.started", ({ run }) => {
      order.push(run.connectionId);
    });
    await waitFor("five runs", () => order.length === 5);
    expect(new Set(order.slice(0, 2))).toEqual(new Set([cs[4]!.connectionId, cs[2]!.connectionId]));
    expect(new Set(order.slice(2))).toEqual(
      new Set([cs[0]!.connectionId, cs[1]!.connectionId, cs[3]!.connectionId]),
    );
  });
});

describe("failures and retries", () => {
  it("retries a transient provider failure with backoff until it succeeds, and reports it meanwhile", async () => {
    const worker = await world.instance({ role: "both", attempts: 3 });
    const c = await connect(worker.patchbay);
    items.failNext(c.key, 2);
    const failures: Array<{ attempt: number; willRetry: boolean }> = [];
    const completed: number[] = [];
    worker.scheduler.on("job.failed", (e) =>
      failures.push({ attempt: e.attempt, willRetry: e.willRetry }),
    );
    worker.scheduler.on("job.completed", (e) => completed.push(e.attempt));
    await worker.patchbay.sync.enqueue({
      tenantId: c.tenantId,
      connectionId: c.connectionId,
      model: "items",
      trigger: "webhook",
    });
    await waitFor("a failure to be reported", async () =>
      (await worker.scheduler.metrics()).lastErrors.some((e) => e.connectionId === c.connectionId),
    );
    await waitFor("the third attempt to succeed", () => completed.length === 1);
    expect(failures).toEqual([
      { attempt: 1, willRetry: true },
      { attempt: 2, willRetry: true },
    ]);
    expect(completed).toEqual([3]);
    expect((await runsOf(c)).map((r) => r.status)).toEqual(["failed", "failed", "succeeded"]);
    const metrics = await worker.scheduler.metrics();
    expect(metrics.lastErrors).toEqual([]);
    expect(metrics.queue.failed).toBe(0);
    const connection = await world.store.getConnection(c.tenantId, c.connectionId);
    expect(connection?.status).toBe("active");
  });

  it("does not retry a connection whose grant was revoked (needs_reauth)", async () => {
    // Connect with a clock two hours behind: the stored access token is already expired.
    const setup = createPatchbay({
      connectors,
      store: world.store,
      vault: new Vault({ keys: [VAULT_KEY] }),
      fetch,
      now: () => Date.now() - 2 * 3_600_000,
    });
    const subject = id("user");
    items.addAccount(subject, { items: 5, notes: 5 });
    const tenantId = id("t");
    const { url } = await setup.connect.start({
      tenantId,
      connector: "items-oauth",
      redirectUri: REDIRECT_URI,
    });
    const connection = await setup.connect.finish(oauth.approve(url, { subject }), { tenantId });
    oauth.revokeGrant(subject);
    const refreshesBefore = oauth.stats.byGrant.refresh_token ?? 0;

    const worker = await world.instance({ role: "both", attempts: 5 });
    const failures: Array<{ willRetry: boolean; reason?: string }> = [];
    worker.scheduler.on("job.failed", (e) =>
      failures.push({ willRetry: e.willRetry, reason: e.reason }),
    );
    await worker.patchbay.sync.enqueue({
      tenantId,
      connectionId: connection.id,
      model: "items",
      trigger: "manual",
    });
    await waitFor(
      "the job to fail",
      async () => (await worker.scheduler.metrics()).queue.failed === 1,
    );
    await sleep(500);
    expect(failures).toEqual([{ willRetry: false, reason: "needs_reauth" }]);
    expect((oauth.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
    expect((await runsOf({ tenantId, connectionId: connection.id })).map((r) => r.status)).toEqual([
      "failed",
    ]);
    expect((await world.store.getConnection(tenantId, connection.id))?.status).toBe("needs_reauth");
    const [last] = (await worker.scheduler.metrics()).lastErrors;
    expect(last).toMatchObject({ connectionId: connection.id, model: "items", final: true });
  });
});

describe("workers", () => {
  it("hold a provider's concurrency cap across two worker instances", async () => {
    const web = await world.instance({ role: "scheduler" });
    const caps = { providerConcurrency: { other: 2 }, concurrency: 6 };
    const a = await world.instance({ role: "worker", ...caps });
    const b = await world.instance({ role: "worker", ...caps });
    const capped: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < 8; i++) {
      capped.push(
        await connect(web.patchbay, { connector: "other", counts: { items: 20 }, latencyMs: 60 }),
      );
    }
    const free: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < 4; i++) {
      free.push(await connect(web.patchbay, { counts: { items: 20 }, latencyMs: 60 }));
    }
    const ranOn = { a: 0, b: 0 };
    a.scheduler.on("job.completed", (e) => {
      if (capped.some((c) => c.connectionId === e.job.connectionId)) ranOn.a++;
    });
    b.scheduler.on("job.completed", (e) => {
      if (capped.some((c) => c.connectionId === e.job.connectionId)) ranOn.b++;
    });
    let peakSlots = 0;
    const sampler = setInterval(() => {
      void a.scheduler.metrics().then((m) => {
        peakSlots = Math.max(peakSlots, m.providers.other?.running ?? 0);
      });
    }, 50);
    try {
      for (const c of [...capped, ...free]) {
        await web.patchbay.sync.enqueue({ ...c, model: "items", trigger: "webhook" });
      }
      await waitFor(
        "all twelve runs",
        async () => {
          let done = 0;
          for (const c of [...capped, ...free]) {
            done += (await runsOf(c)).filter((r) => r.status === "succeeded").length;
          }
          return done === 12;
        },
        30_000,
      );
    } finally {
      clearInterval(sampler);
    }
    await waitFor("the last job.completed event", () => ranOn.a + ranOn.b === 8);
    expect(other.stats.peakRunning).toBe(2);
    expect(peakSlots).toBeLessThanOrEqual(2);
    expect(items.stats.peakRunning).toBeGreaterThanOrEqual(2);
    expect(ranOn.a).toBeGreaterThan(0);
    expect(ranOn.b).toBeGreaterThan(0);
    expect((await b.scheduler.metrics()).providers).toEqual({ other: { limit: 2, running: 0 } });
  });

  it("stop() checkpoints a running sync and hands it back to the queue; another worker resumes it exactly", async () => {
    const web = await world.instance({ role: "scheduler" });
    const first = await world.instance({ role: "worker" });
    const c = await connect(web.patchbay, { counts: { items: 100 }, latencyMs: 80 });
    const job = { tenantId: c.tenantId, connectionId: c.connectionId, model: "items" };
    const before = items.stats.pages.get(`${c.key}/items`) ?? 0; // the connection test's request
    const pages = () => (items.stats.pages.get(`${c.key}/items`) ?? 0) - before;
    await web.patchbay.sync.enqueue({ ...job, trigger: "webhook" });
    await waitFor("four pages", () => pages() >= 4);

    const stopping = Date.now();
    await first.patchbay.stop();
    expect(Date.now() - stopping).toBeLessThan(3000);
    const [cancelled] = await runsOf(c);
    expect(cancelled?.status).toBe("cancelled");
    const state = await world.store.getSyncState(c.tenantId, c.connectionId, "items");
    expect(state?.checkpoint).not.toBeNull();
    expect((await web.scheduler.inspect(job)).pending).toHaveLength(1);

    await world.instance({ role: "worker" });
    await waitFor("the resumed run", async () =>
      (await runsOf(c)).some((r) => r.status === "succeeded"),
    );
    const runs = await runsOf(c);
    const resumed = runs.find((r) => r.status === "succeeded")!;
    expect(resumed.details.resumed).toBe(true);
    expect(resumed.fetched).toBeLessThan(100);
    const stored = await world.store.listRecords(c.tenantId, {
      connectionId: c.connectionId,
      model: "items",
      limit: 1000,
    });
    expect(stored.map((r) => r.externalId)).toEqual(items.items(c.key, "items").map((i) => i.id));
    // Ten pages; the one being committed at stop time and the one read ahead
    // are fetched again, nothing else is.
    expect(pages()).toBeLessThanOrEqual(12);
  });
});

describe("scheduled exports", () => {
  it("runs due exports from one queue-wide job scheduler, and drops it when turned off", async () => {
    const passes: Array<number | undefined> = [];
    const context = {
      store: world.store,
      runner: { run: async () => ({ status: "skipped" as const, reason: "not_due" as const }) },
      logger: silentLogger,
      now: Date.now,
      exports: {
        runDue: async (options?: { limit?: number }) => {
          passes.push(options?.limit);
          return { started: 0 };
        },
      },
    };
    const on = bullmqScheduler({
      connection: REDIS,
      prefix: world.prefix,
      ...FAST,
      exportsEveryMs: 1000,
    });
    on.start(context);
    try {
      await on.ready();
      await waitFor("two export passes", () => passes.length >= 2, 10_000);
      expect(passes[0]).toBe(50);
      expect((await on.metrics()).jobSchedulers).toBe(0);
    } finally {
      await on.stop();
    }
    const off = bullmqScheduler({
      connection: REDIS,
      prefix: world.prefix,
      ...FAST,
      role: "scheduler",
    });
    off.start(context);
    const queue = new Queue("sync", { connection: REDIS, prefix: world.prefix });
    try {
      await off.ready();
      expect(await queue.getJobScheduler("patchbay.exports")).toBeUndefined();
    } finally {
      await queue.close();
      await off.stop();
    }
  });
});

describe("options and schedules", () => {
  it("maps every schedule kind to BullMQ repeat options", () => {
    expect(repeatOptionsFor({ kind: "every", minutes: 5 })).toEqual({ every: 300_000 });
    expect(repeatOptionsFor({ kind: "hourly" })).toEqual({ pattern: "0 * * * *", tz: "UTC" });
    expect(repeatOptionsFor({ kind: "daily" })).toEqual({ pattern: "0 0 * * *", tz: "UTC" });
    expect(repeatOptionsFor({ kind: "daily", hour: 6, minute: 30 })).toEqual({
      pattern: "30 6 * * *",
      tz: "UTC",
    });
    expect(repeatOptionsFor({ kind: "cron", expression: "@weekly" })).toEqual({
      pattern: "0 0 * * 0",
      tz: "UTC",
    });
    expect(repeatOptionsFor({ kind: "manual" })).toBeNull();
  });

  it("names the option that is wrong", () => {
    expect(() => bullmqScheduler({ connection: REDIS, concurrency: 0 })).toThrow(
      '"concurrency" must be an integer of at least 1',
    );
    expect(() =>
      bullmqScheduler({ connection: REDIS, providerConcurrency: { quickbooks: 1.5 } }),
    ).toThrow('"providerConcurrency.quickbooks" must be an integer of at least 1');
    expect(() =>
      bullmqScheduler({ connection: REDIS, role: "web" as unknown as "worker" }),
    ).toThrow('"role" must be "scheduler", "worker" or "both"; got web');
    expect(() => bullmqScheduler({ connection: REDIS, prefix: "a:b" })).toThrow(/"prefix" must be/);
  });
});
