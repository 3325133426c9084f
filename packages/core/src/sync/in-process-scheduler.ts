/**
 * The default {@link Scheduler}: a timer loop inside the host's process that
 * asks the store which syncs are due and runs them through the
 * {@link SyncRunner}, a few at a time.
 *
 * The scheduler holds no durable state. When a sync is due is recorded in the
 * store (`SyncState.nextRunAt`), and the sync engine writes it after every run
 * (the schedule's next time, or a backoff after failures). The scheduler only
 * reads due states and keeps, in memory, which runs it has queued or started.
 * So a restart loses nothing, and several processes can run this scheduler
 * against one store: each may pick the same due state, but the engine's store
 * lease lets only one run it, and the others get
 * `{ status: "skipped", reason: "running" }` (or `"not_due"` once the winner
 * has moved `nextRunAt` on), which is treated as normal.
 *
 * Within one process it never runs the same connection and model twice at
 * once, and never more than `concurrency` syncs in total.
 *
 * @module
 */
import pLimit from "p-limit";
import type { ConnectionStatus } from "../store/types.js";
import type { Scheduler, SchedulerContext, SyncJob } from "./types.js";

/**
 * Options of {@link createInProcessScheduler}.
 *
 * @example
 * ```ts
 * createInProcessScheduler({ tickMs: 10_000, concurrency: 8, batchSize: 200 });
 * ```
 */
export interface InProcessSchedulerOptions {
  /** How often to look for due syncs, in milliseconds. Default `5000`. */
  tickMs?: number;
  /** How many syncs may run at once in this process. Default `4`. */
  concurrency?: number;
  /**
   * How many due syncs may wait in this process's queue; each tick tops the
   * queue up to this many. Default `100`.
   */
  batchSize?: number;
}

/**
 * The scheduler returned by {@link createInProcessScheduler}: a
 * {@link Scheduler} plus `tick()`, to run one scheduling pass by hand.
 *
 * @example
 * ```ts
 * const scheduler: InProcessScheduler = createInProcessScheduler();
 * scheduler.start({ store, runner: engine, logger, now: Date.now });
 * const started = await scheduler.tick(); // run what is due now, wait for it
 * ```
 */
export interface InProcessScheduler extends Scheduler {
  /**
   * One scheduling pass: read due sync states, skip connections that cannot
   * sync (`needs_reauth`, `disconnected`, missing) and syncs already queued or
   * running here, queue the rest; and run due exports (`context.exports`).
   * Resolves, with how many sync and export runs it started,
   * once those runs have finished (the background loop does not wait for
   * them; it only waits for the pass itself). Rejects if the store cannot list
   * due states; throws if the scheduler is not started.
   */
  tick(): Promise<number>;
  /** See {@link Scheduler.connectionRemoved}. */
  connectionRemoved(tenantId: string, connectionId: string): Promise<void>;
}

/** A run known to this process, by connection and model. */
interface Entry {
  key: string;
  job: SyncJob;
  /** `pending`: queued in the limiter, not started. `running`: `runner.run` called. */
  phase: "pending" | "running";
  /** At most one run to start when this one ends (a webhook arrived while it ran). */
  followUp: SyncJob | null;
}

/**
 * How far the fetch limit may grow past `batchSize` to look beyond states this
 * process already knows it will skip (see `tick`).
 */
const MAX_FETCH_FACTOR = 10;

/**
 * Create the in-process scheduler. Pass it to Patchbay (or call `start`
 * yourself); it looks for due syncs every `tickMs` and runs up to
 * `concurrency` at once.
 *
 * Behaviour worth knowing:
 * - The timer is unref'd: the scheduler never keeps a process alive. The
 *   first pass runs `tickMs` after `start`.
 * - A sync that throws is logged (`logger.error`, with the job) and the loop
 *   goes on; the engine records failures and backs off through `nextRunAt`.
 * - `enqueue` runs a sync soon, outside the schedule. If one is already
 *   queued for that connection and model, nothing is added (the queued run
 *   keeps its trigger and mode). If one is running, exactly one follow-up
 *   run starts after it, so a webhook that arrives mid-run is not lost.
 * - `stop` stops the loop, drops queued runs and follow-ups, and resolves once
 *   the running syncs have finished (they are not aborted; the engine
 *   checkpoints after every batch). `start` may be called again afterwards.
 * - Connections whose due states are skipped (inactive) keep their
 *   `nextRunAt`; so they cannot crowd healthy ones out of a batch, the next
 *   pass fetches that many more states (up to 10 × `batchSize`).
 *
 * @throws TypeError when an option is not a positive integer.
 * @example
 * ```ts
 * import { createInProcessScheduler, createPatchbay } from "@patchbay/core";
 *
 * const scheduler = createInProcessScheduler({ concurrency: 8 });
 * scheduler.start({ store, runner: engine, logger, now: Date.now });
 *
 * // A webhook says the sheet changed: sync it now, without waiting for the schedule.
 * await scheduler.enqueue({ tenantId, connectionId, model: "rows", trigger: "webhook" });
 *
 * process.on("SIGTERM", async () => {
 *   await scheduler.stop(); // lets running syncs finish
 *   process.exit(0);
 * });
 * ```
 */
export function createInProcessScheduler(
  options: InProcessSchedulerOptions = {},
): InProcessScheduler {
  const tickMs = positiveInteger(options.tickMs, 5000, "tickMs");
  const concurrency = positiveInteger(options.concurrency, 4, "concurrency");
  const batchSize = positiveInteger(options.batchSize, 100, "batchSize");

  const limit = pLimit(concurrency);
  /** Queued and running syncs, by {@link jobKey}. */
  const entries = new Map<string, Entry>();
  /** Settles when the corresponding started run has finished. */
  const running = new Set<Promise<void>>();

  let context: SchedulerContext | null = null;
  let phase: "idle" | "started" | "stopping" = "idle";
  /** Bumped by start and stop, so work from an earlier start can tell it is stale. */
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loopPass: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  /** Due states skipped as inactive in the last pass: the next pass fetches that many more. */
  let skippedLastPass = 0;
  /** The export pass in flight (`context.exports.runDue`), so passes never overlap. */
  let exportPass: Promise<number> | null = null;

  /** Run due exports unless a pass is already running; resolves with how many ran. Never rejects. */
  function runExports(ctx: SchedulerContext): Promise<number> {
    if (ctx.exports === undefined) return Promise.resolve(0);
    if (exportPass !== null) return exportPass.then(() => 0);
    const pass = ctx.exports
      .runDue({ limit: batchSize })
      .then(
        (result) => result.started,
        (error: unknown) => {
          ctx.logger.error("scheduled exports failed", { error });
          return 0;
        },
      )
      .finally(() => {
        if (exportPass === pass) exportPass = null;
      });
    exportPass = pass;
    return pass;
  }

  /** Start the run of `entry` if it is still wanted. Never rejects; `true` if it started. */
  async function execute(entry: Entry): Promise<boolean> {
    const ctx = context;
    if (entries.get(entry.key) !== entry || phase !== "started" || ctx === null) return false;
    entry.phase = "running";
    const done = (async () => {
      try {
        const outcome = await ctx.runner.run(entry.job);
        if (outcome.status === "skipped") {
          ctx.logger.debug("sync skipped", { job: entry.job, reason: outcome.reason });
        }
      } catch (error) {
        ctx.logger.error("sync run threw", { job: entry.job, error });
      } finally {
        entries.delete(entry.key);
        if (entry.followUp !== null && phase === "started") {
          void submit(entry.followUp, false);
        }
      }
    })();
    running.add(done);
    try {
      await done;
    } finally {
      running.delete(done);
    }
    return true;
  }

  /**
   * Queue `job` unless its connection and model is already known here. With
   * `followUp`, a running one gets (at most one) follow-up run instead.
   * Returns the run's promise (`true` once it ran), or `null` when nothing was queued.
   */
  function submit(job: SyncJob, followUp: boolean): Promise<boolean> | null {
    const key = jobKey(job);
    const existing = entries.get(key);
    if (existing !== undefined) {
      if (followUp && existing.phase === "running" && existing.followUp === null) {
        existing.followUp = { ...job };
      }
      return null;
    }
    const entry: Entry = { key, job: { ...job }, phase: "pending", followUp: null };
    entries.set(key, entry);
    return limit(execute, entry).catch((error: unknown) => {
      context?.logger.error("scheduler failed to run a sync", { job: entry.job, error });
      return false;
    });
  }

  /** Read due states and queue the runnable ones. Returns the queued runs. */
  async function queueDue(): Promise<Promise<boolean>[]> {
    const ctx = requireStarted("tick");
    const gen = generation;
    let pending = 0;
    for (const entry of entries.values()) if (entry.phase === "pending") pending++;
    const room = batchSize - pending;
    if (room <= 0) return [];
    // Fetch past the states this process will skip anyway (already queued or
    // running here, or inactive last time), so they cannot fill the batch.
    const fetchLimit = Math.min(
      room + entries.size + skippedLastPass,
      batchSize * MAX_FETCH_FACTOR,
    );
    const due = await ctx.store.listDueSyncStates(new Date(ctx.now()), fetchLimit);
    if (gen !== generation) return [];

    const candidates = due.filter((state) => !entries.has(jobKey(state)));
    const statuses = new Map<string, Promise<ConnectionStatus | null>>();
    for (const state of candidates) {
      const key = JSON.stringify([state.tenantId, state.connectionId]);
      if (!statuses.has(key)) {
        statuses.set(
          key,
          ctx.store.getConnection(state.tenantId, state.connectionId).then(
            (connection) => connection?.status ?? null,
            (error: unknown) => {
              ctx.logger.error("scheduler could not read a connection; skipping it this tick", {
                tenantId: state.tenantId,
                connectionId: state.connectionId,
                error,
              });
              return null;
            },
          ),
        );
      }
    }
    const resolved = new Map<string, ConnectionStatus | null>();
    await Promise.all([...statuses].map(async ([key, status]) => resolved.set(key, await status)));
    if (gen !== generation) return [];

    const runs: Promise<boolean>[] = [];
    let skipped = 0;
    for (const state of candidates) {
      const status = resolved.get(JSON.stringify([state.tenantId, state.connectionId]));
      if (status === null || status === undefined || INACTIVE.has(status)) {
        skipped++;
        continue;
      }
      if (runs.length >= room) continue;
      const run = submit(
        {
          tenantId: state.tenantId,
          connectionId: state.connectionId,
          model: state.model,
          trigger: "schedule",
        },
        false,
      );
      if (run !== null) runs.push(run);
    }
    skippedLastPass = skipped;
    return runs;
  }

  function scheduleLoop(gen: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      loopPass = (async () => {
        try {
          // Do not wait for the runs: the next pass must come on time.
          await queueDue();
          if (context !== null) void runExports(context);
        } catch (error) {
          context?.logger.error("scheduler tick failed", { error });
        }
      })().finally(() => {
        loopPass = null;
        if (gen === generation && phase === "started") scheduleLoop(gen);
      });
    }, tickMs);
    // Never keep the process alive just to look for syncs.
    if (typeof timer === "object" && typeof timer.unref === "function") timer.unref();
  }

  function requireStarted(method: string): SchedulerContext {
    if (phase !== "started" || context === null) {
      throw new Error(
        `The in-process scheduler is ${phase === "stopping" ? "stopping" : "not started"}: call start(context) before ${method}()`,
      );
    }
    return context;
  }

  return {
    start(ctx: SchedulerContext): void {
      if (phase === "started") {
        throw new Error("The in-process scheduler is already started; call stop() first");
      }
      if (phase === "stopping") {
        throw new Error("The in-process scheduler is stopping; await stop() before start()");
      }
      if (ctx === null || typeof ctx !== "object") {
        throw new TypeError('"context" must be a SchedulerContext');
      }
      for (const name of ["store", "runner", "logger"] as const) {
        if (ctx[name] === null || typeof ctx[name] !== "object") {
          throw new TypeError(`"context.${name}" is required`);
        }
      }
      if (typeof ctx.now !== "function") throw new TypeError('"context.now" must be a function');
      context = ctx;
      phase = "started";
      generation++;
      skippedLastPass = 0;
      scheduleLoop(generation);
    },

    async tick(): Promise<number> {
      const runs = await queueDue();
      const exported = runExports(requireStarted("tick"));
      const started = await Promise.all(runs);
      return started.filter(Boolean).length + (await exported);
    },

    async enqueue(job: SyncJob): Promise<void> {
      requireStarted("enqueue");
      if (job === null || typeof job !== "object") throw new TypeError('"job" must be a SyncJob');
      for (const name of ["tenantId", "connectionId", "model", "trigger"] as const) {
        if (typeof job[name] !== "string" || job[name] === "") {
          throw new TypeError(`"job.${name}" must be a non-empty string`);
        }
      }
      submit(job, true);
    },

    stop(): Promise<void> {
      if (stopping !== null) return stopping;
      if (phase === "idle") return Promise.resolve();
      phase = "stopping";
      generation++;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const [key, entry] of entries) {
        if (entry.phase === "pending") entries.delete(key);
        else entry.followUp = null;
      }
      stopping = (async () => {
        try {
          await loopPass;
          while (running.size > 0) await Promise.allSettled([...running]);
          await exportPass;
        } finally {
          context = null;
          phase = "idle";
          stopping = null;
        }
      })();
      return stopping;
    },

    async connectionRemoved(tenantId: string, connectionId: string): Promise<void> {
      for (const [key, entry] of entries) {
        if (entry.job.tenantId !== tenantId || entry.job.connectionId !== connectionId) continue;
        if (entry.phase === "pending") entries.delete(key);
        else entry.followUp = null;
      }
    },
  };
}

/** Connection statuses whose syncs cannot run: skipped without calling the runner. */
const INACTIVE: ReadonlySet<ConnectionStatus> = new Set<ConnectionStatus>([
  "needs_reauth",
  "disconnected",
]);

function jobKey(job: Pick<SyncJob, "tenantId" | "connectionId" | "model">): string {
  return JSON.stringify([job.tenantId, job.connectionId, job.model]);
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`"${name}" must be a positive integer`);
  }
  return value;
}
