import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LogFields, Logger } from "../src/logger.js";
import { MemoryStore } from "../src/store/memory.js";
import type { ConnectionStatus, SyncState } from "../src/store/types.js";
import {
  createInProcessScheduler,
  type InProcessScheduler,
} from "../src/sync/in-process-scheduler.js";
import type { SchedulerContext, SyncJob, SyncOutcome, SyncRunner } from "../src/sync/types.js";

const T0 = new Date("2025-03-01T10:00:00Z").getTime();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TENANT = "team_1";

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A stand-in for the sync engine: records each job's start and end, can hold
 * runs until released by hand, can throw for chosen connections, and (like the
 * engine) moves `nextRunAt` an hour on when a run succeeds.
 */
function createRecordingRunner(store: MemoryStore, clock: () => number) {
  const started: SyncJob[] = [];
  const finished: SyncJob[] = [];
  const held: Deferred[] = [];
  const failing = new Set<string>();
  const activeByKey = new Map<string, number>();
  let holding = false;
  let active = 0;
  let maxActive = 0;
  let maxSameKey = 0;

  const runner: SyncRunner = {
    async run(job: SyncJob): Promise<SyncOutcome> {
      const key = `${job.tenantId}/${job.connectionId}/${job.model}`;
      started.push(job);
      active++;
      maxActive = Math.max(maxActive, active);
      activeByKey.set(key, (activeByKey.get(key) ?? 0) + 1);
      maxSameKey = Math.max(maxSameKey, activeByKey.get(key)!);
      try {
        if (holding) {
          const gate = deferred();
          held.push(gate);
          await gate.promise;
        }
        if (failing.has(job.connectionId)) {
          throw new Error(`provider exploded for ${job.connectionId}`);
        }
        const state = await store.getSyncState(job.tenantId, job.connectionId, job.model);
        if (state !== null) {
          await store.putSyncState({ ...state, nextRunAt: new Date(clock() + HOUR) });
        }
        return { status: "skipped", reason: "not_due" };
      } finally {
        active--;
        activeByKey.set(key, activeByKey.get(key)! - 1);
        finished.push(job);
      }
    },
  };

  return {
    runner,
    started,
    finished,
    failing,
    get maxActive() {
      return maxActive;
    },
    get maxSameKey() {
      return maxSameKey;
    },
    get active() {
      return active;
    },
    get waiting() {
      return held.length;
    },
    /** Make the next runs wait until released. */
    hold() {
      holding = true;
    },
    /** Let the oldest held run finish. */
    releaseOne() {
      held.shift()?.resolve();
    },
    /** Let every held run, and every later one, finish. */
    releaseAll() {
      holding = false;
      for (const gate of held.splice(0)) gate.resolve();
    },
    startedConnections() {
      return started.map((job) => job.connectionId);
    },
  };
}

function recordingLogger() {
  const errors: { message: string; fields: LogFields | undefined }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error(message, fields) {
      errors.push({ message, fields });
    },
  };
  return { logger, errors };
}

let now: number;
let store: MemoryStore;
let runs: ReturnType<typeof createRecordingRunner>;
let log: ReturnType<typeof recordingLogger>;
let scheduler: InProcessScheduler | undefined;

beforeEach(() => {
  now = T0;
  store = new MemoryStore({ now: () => now });
  runs = createRecordingRunner(store, () => now);
  log = recordingLogger();
  scheduler = undefined;
});

afterEach(async () => {
  runs.releaseAll();
  await scheduler?.stop();
});

function context(): SchedulerContext {
  return { store, runner: runs.runner, logger: log.logger, now: () => now };
}

/** A started scheduler whose own loop will not fire during the test: tests call tick(). */
function startScheduler(options: { concurrency?: number; batchSize?: number } = {}) {
  scheduler = createInProcessScheduler({ tickMs: 60 * MINUTE, ...options });
  scheduler.start(context());
  return scheduler;
}

async function connection(id: string, status: ConnectionStatus = "active") {
  await store.createConnection({
    id,
    tenantId: TENANT,
    connector: "google-sheets",
    status,
    credentials: new Uint8Array([1]),
  });
}

async function syncState(connectionId: string, model: string, nextRunAt: number | null) {
  const state: SyncState = {
    tenantId: TENANT,
    connectionId,
    model,
    cursor: null,
    checkpoint: null,
    activeRunId: null,
    schedule: { kind: "hourly" },
    nextRunAt: nextRunAt === null ? null : new Date(nextRunAt),
    lastRunAt: null,
    lastSuccessAt: null,
    lastStatus: null,
    lastError: null,
    consecutiveFailures: 0,
    runsSinceFull: 0,
    updatedAt: new Date(now),
  };
  await store.putSyncState(state);
}

/** A connection with one due `rows` state. */
async function dueConnection(id: string, status: ConnectionStatus = "active", dueAt = T0 - MINUTE) {
  await connection(id, status);
  await syncState(id, "rows", dueAt);
}

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 5 });

describe("createInProcessScheduler: tick", () => {
  it("runs each due sync once per tick and leaves the ones not due yet", async () => {
    await dueConnection("conn_overdue", "active", T0 - 5 * MINUTE);
    await dueConnection("conn_due_now", "active", T0);
    await dueConnection("conn_later", "active", T0 + MINUTE);
    await connection("conn_unscheduled");
    await syncState("conn_unscheduled", "rows", null);
    const s = startScheduler();

    expect(await s.tick()).toBe(2);
    expect(runs.started).toEqual([
      { tenantId: TENANT, connectionId: "conn_overdue", model: "rows", trigger: "schedule" },
      { tenantId: TENANT, connectionId: "conn_due_now", model: "rows", trigger: "schedule" },
    ]);

    // The runner moved their nextRunAt on, as the engine does: nothing is due now.
    expect(await s.tick()).toBe(0);

    now += 2 * HOUR;
    expect(await s.tick()).toBe(3);
    expect(runs.startedConnections().slice(2).sort()).toEqual([
      "conn_due_now",
      "conn_later",
      "conn_overdue",
    ]);
  });

  it("never has more than `concurrency` syncs running at once", async () => {
    for (let i = 0; i < 10; i++) await dueConnection(`conn_${i}`);
    const s = startScheduler({ concurrency: 3 });
    runs.hold();

    const ticking = s.tick();
    for (let released = 0; released < 10; released++) {
      // Each time one finishes, the next queued one takes its slot.
      const expected = Math.min(3, 10 - released);
      await waitFor(() => expect([runs.waiting, runs.active]).toEqual([expected, expected]));
      runs.releaseOne();
    }
    expect(await ticking).toBe(10);
    expect(runs.finished).toHaveLength(10);
    expect(runs.maxActive).toBe(3);
  });

  it("never runs the same connection and model twice at once, however often tick() is called", async () => {
    await dueConnection("conn_1");
    const s = startScheduler();
    runs.hold();

    // Two passes racing from the start, then more while the run is in progress.
    const [first, second] = [s.tick(), s.tick()];
    await waitFor(() => expect(runs.waiting).toBe(1));
    expect(await s.tick()).toBe(0);
    expect(await s.tick()).toBe(0);
    now += 10 * MINUTE; // still due (the run has not moved nextRunAt yet)
    expect(await s.tick()).toBe(0);

    runs.releaseAll();
    expect((await first) + (await second)).toBe(1);
    expect(runs.started).toHaveLength(1);
    expect(runs.maxSameKey).toBe(1);
  });

  it("runs two models of one connection side by side", async () => {
    await dueConnection("conn_1");
    await syncState("conn_1", "sheets", T0 - MINUTE);
    const s = startScheduler();
    expect(await s.tick()).toBe(2);
    expect(runs.started.map((job) => job.model).sort()).toEqual(["rows", "sheets"]);
  });

  it("skips connections that need reauthorization, are disconnected or are gone", async () => {
    await dueConnection("conn_active", "active");
    await dueConnection("conn_error", "error");
    await dueConnection("conn_pending", "pending");
    await dueConnection("conn_reauth", "needs_reauth");
    await dueConnection("conn_disconnected", "disconnected");
    await syncState("conn_deleted", "rows", T0 - MINUTE); // no connection row
    const s = startScheduler();

    expect(await s.tick()).toBe(3);
    expect(runs.startedConnections().sort()).toEqual(["conn_active", "conn_error", "conn_pending"]);
  });

  // Regression: inactive connections keep a past nextRunAt (the engine never runs
  // them), so with a plain `limit = batchSize` they filled every batch and
  // healthy connections behind them never ran.
  it("does not let skipped connections crowd healthy ones out of the batch", async () => {
    for (let i = 0; i < 3; i++) await dueConnection(`conn_reauth_${i}`, "needs_reauth", T0 - HOUR);
    await dueConnection("conn_healthy", "active", T0 - MINUTE);
    const s = startScheduler({ batchSize: 2 });

    const started = (await s.tick()) + (await s.tick());
    expect(started).toBe(1);
    expect(runs.startedConnections()).toEqual(["conn_healthy"]);
  });

  it("logs a sync that throws and keeps ticking", async () => {
    await dueConnection("conn_broken");
    await dueConnection("conn_fine");
    runs.failing.add("conn_broken");
    const s = startScheduler();

    expect(await s.tick()).toBe(2);
    expect(log.errors).toEqual([
      {
        message: "sync run threw",
        fields: {
          job: {
            tenantId: TENANT,
            connectionId: "conn_broken",
            model: "rows",
            trigger: "schedule",
          },
          error: new Error("provider exploded for conn_broken"),
        },
      },
    ]);

    // The broken one is still due (nothing moved its nextRunAt) and runs again.
    expect(await s.tick()).toBe(1);
    expect(runs.startedConnections()).toEqual(["conn_broken", "conn_fine", "conn_broken"]);
  });

  it("throws when the scheduler is not started", async () => {
    const s = createInProcessScheduler();
    await expect(s.tick()).rejects.toThrow(
      "The in-process scheduler is not started: call start(context) before tick()",
    );
  });
});

describe("createInProcessScheduler: enqueue", () => {
  const job = (connectionId: string): SyncJob => ({
    tenantId: TENANT,
    connectionId,
    model: "rows",
    trigger: "webhook",
  });

  it("runs soon without waiting for a tick, and resolves before the run ends", async () => {
    await connection("conn_1");
    const s = startScheduler();
    runs.hold();

    await s.enqueue(job("conn_1"));
    await waitFor(() => expect(runs.waiting).toBe(1));
    expect(runs.finished).toHaveLength(0);
    expect(runs.started).toEqual([job("conn_1")]);
  });

  it("adds nothing when a run for that connection and model is already queued", async () => {
    await connection("conn_busy");
    await connection("conn_queued");
    const s = startScheduler({ concurrency: 1 });
    runs.hold();

    await s.enqueue(job("conn_busy")); // takes the only slot
    await waitFor(() => expect(runs.waiting).toBe(1));
    await s.enqueue(job("conn_queued"));
    await s.enqueue(job("conn_queued"));
    await s.enqueue({ ...job("conn_queued"), trigger: "manual" });

    runs.releaseAll();
    await waitFor(() => expect(runs.finished).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs.startedConnections()).toEqual(["conn_busy", "conn_queued"]);
    expect(runs.started[1]!.trigger).toBe("webhook");
  });

  it("keeps exactly one follow-up run for a run in progress, started after it ends", async () => {
    await connection("conn_1");
    const s = startScheduler();
    runs.hold();

    await s.enqueue(job("conn_1"));
    await waitFor(() => expect(runs.waiting).toBe(1));
    // Three webhooks arrive while it runs.
    await s.enqueue(job("conn_1"));
    await s.enqueue(job("conn_1"));
    await s.enqueue(job("conn_1"));
    expect(runs.started).toHaveLength(1);

    runs.releaseOne();
    await waitFor(() => expect(runs.waiting).toBe(1));
    expect(runs.started).toHaveLength(2);
    runs.releaseAll();
    await waitFor(() => expect(runs.finished).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs.started).toHaveLength(2);
    expect(runs.maxSameKey).toBe(1);
  });

  it("is not run again by a tick while queued or running", async () => {
    await dueConnection("conn_1");
    const s = startScheduler();
    runs.hold();

    await s.enqueue(job("conn_1"));
    await waitFor(() => expect(runs.waiting).toBe(1));
    expect(await s.tick()).toBe(0);
    runs.releaseAll();
    await waitFor(() => expect(runs.finished).toHaveLength(1));
    expect(runs.started).toHaveLength(1);
  });

  it("throws until the scheduler is started, and checks the job", async () => {
    const s = createInProcessScheduler();
    await expect(s.enqueue(job("conn_1"))).rejects.toThrow(
      "The in-process scheduler is not started: call start(context) before enqueue()",
    );
    scheduler = s;
    s.start(context());
    await expect(s.enqueue({ ...job("conn_1"), model: "" })).rejects.toThrow(
      new TypeError('"job.model" must be a non-empty string'),
    );
  });

  it("drops queued work of a removed connection", async () => {
    await connection("conn_busy");
    await connection("conn_removed");
    const s = startScheduler({ concurrency: 1 });
    runs.hold();

    await s.enqueue(job("conn_busy"));
    await waitFor(() => expect(runs.waiting).toBe(1));
    await s.enqueue(job("conn_removed"));
    await s.connectionRemoved("team_1", "conn_removed");

    runs.releaseAll();
    await waitFor(() => expect(runs.finished).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs.startedConnections()).toEqual(["conn_busy"]);
  });
});

describe("createInProcessScheduler: start and stop", () => {
  it("stop() waits for the running sync and drops queued ones and follow-ups", async () => {
    await connection("conn_running");
    await connection("conn_queued");
    const s = startScheduler({ concurrency: 1 });
    runs.hold();
    const webhook = (connectionId: string): SyncJob => ({
      tenantId: TENANT,
      connectionId,
      model: "rows",
      trigger: "webhook",
    });

    await s.enqueue(webhook("conn_running"));
    await waitFor(() => expect(runs.waiting).toBe(1));
    await s.enqueue(webhook("conn_queued"));
    await s.enqueue(webhook("conn_running")); // a follow-up

    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    expect(s.stop()).toBe(s.stop()); // idempotent while stopping

    runs.releaseAll();
    await stopping;
    expect(runs.finished).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs.startedConnections()).toEqual(["conn_running"]);

    await s.stop(); // idempotent once stopped
    await expect(s.enqueue(webhook("conn_queued"))).rejects.toThrow(/not started/);
  });

  it("refuses to start twice, and can start again after stop()", async () => {
    const s = startScheduler();
    expect(() => s.start(context())).toThrow(
      "The in-process scheduler is already started; call stop() first",
    );
    await s.stop();
    s.start(context());
    await dueConnection("conn_1");
    expect(await s.tick()).toBe(1);
  });

  it("ticks on its own every tickMs, and survives a runner that throws", async () => {
    await dueConnection("conn_broken");
    runs.failing.add("conn_broken");
    scheduler = createInProcessScheduler({ tickMs: 5 });
    scheduler.start(context());

    await waitFor(() => expect(runs.started.length).toBeGreaterThanOrEqual(3));
    expect(log.errors.length).toBeGreaterThanOrEqual(2);
    expect(log.errors[0]!.message).toBe("sync run threw");
  });

  it("does not keep the process alive: its timer is unref'd and stop() is prompt", async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    try {
      const s = createInProcessScheduler({ tickMs: 123_456 });
      scheduler = s;
      s.start(context());
      const call = setTimeoutSpy.mock.calls.findIndex(([, ms]) => ms === 123_456);
      expect(call).toBeGreaterThanOrEqual(0);
      const timer = setTimeoutSpy.mock.results[call]!.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);

      const begin = Date.now();
      await s.stop();
      expect(Date.now() - begin).toBeLessThan(100);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it("rejects options that are not positive integers", () => {
    expect(() => createInProcessScheduler({ concurrency: 0 })).toThrow(
      new TypeError('"concurrency" must be a positive integer'),
    );
    expect(() => createInProcessScheduler({ tickMs: -1 })).toThrow(
      new TypeError('"tickMs" must be a positive integer'),
    );
    expect(() => createInProcessScheduler({ batchSize: 1.5 })).toThrow(
      new TypeError('"batchSize" must be a positive integer'),
    );
  });
});
