/**
 * A Patchbay {@link Scheduler} on BullMQ: scheduled, webhook and "sync now"
 * runs are BullMQ jobs in one Redis queue, worked by any number of processes.
 *
 * What lives where:
 * - **Redis (BullMQ)** holds the work: one job scheduler per connection and
 *   model with a schedule (it wakes the model up on its schedule), at most one
 *   pending scheduled run per model (`due`), at most one pending enqueued run
 *   per model plus one follow-up (`run`, BullMQ deduplication with
 *   `keepLastIfActive`), retries, stalled-job recovery, priorities.
 * - **The store** stays the source of truth for *when* a model is due
 *   (`SyncState.nextRunAt`, with the engine's jitter and failure backoff) and
 *   for *who* runs it (the engine's run lease, which also makes a killed
 *   worker's run resume from its last checkpoint).
 *
 * A wake-up reads `nextRunAt`: if it is due, the sync runs in that job; if it
 * is later, a `due` job is (re)scheduled for that moment. So every value of
 * `nextRunAt` is run once, whatever the number of wake-ups, workers or
 * retries: the engine checks due-ness under its lease and moves `nextRunAt`
 * on after every run.
 *
 * @module
 */
import type {
  ConnectionStatus,
  Logger,
  Schedule,
  Scheduler,
  SchedulerContext,
  SyncJob,
  SyncMode,
  SyncOutcome,
  SyncRun,
  SyncTrigger,
} from "@patchbay/core";
import {
  type ConnectionOptions,
  DelayedError,
  type Job,
  type JobsOptions,
  Queue,
  UnrecoverableError,
  Worker,
} from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import {
  connectionKey,
  dueDeduplicationId,
  jobSchedulerId,
  type ModelRef,
  modelKey,
  parseJobSchedulerId,
  type RepeatSpec,
  repeatOptionsFor,
  runDeduplicationId,
  sameRepeat,
} from "./job-keys.js";
import { type ProviderSlot, ProviderSlots } from "./provider-slots.js";

/**
 * What a process does with the queue.
 *
 * - `"scheduler"`: web processes. Enqueues runs and keeps job schedulers in
 *   step with schedules (and reconciles them on start); runs no sync.
 * - `"worker"`: worker processes. Runs syncs; schedules nothing on start.
 * - `"both"` (default): one process does everything.
 *
 * @example
 * ```ts
 * const role: SchedulerRole = process.env.PATCHBAY_ROLE === "worker" ? "worker" : "scheduler";
 * ```
 */
export type SchedulerRole = "scheduler" | "worker" | "both";

/**
 * Options of {@link bullmqScheduler}.
 *
 * @example
 * ```ts
 * const options: BullmqSchedulerOptions = {
 *   connection: { host: "redis.internal", port: 6379 },
 *   prefix: "patchbay",
 *   role: "worker",
 *   concurrency: 8,
 *   providerConcurrency: { quickbooks: 10 },
 * };
 * ```
 */
export interface BullmqSchedulerOptions {
  /**
   * The Redis server: ioredis options, or an ioredis instance (shared; this
   * package never closes it). Workers need `maxRetriesPerRequest: null`;
   * with options this package sets it for the worker's connections.
   */
  connection: RedisOptions | Redis;
  /** Prefix of every Redis key (BullMQ's `prefix`). Default `"patchbay"`. Give each environment its own. */
  prefix?: string;
  /** The BullMQ queue's name. Default `"sync"`. */
  queueName?: string;
  /** What this process does. Default `"both"`. See {@link SchedulerRole}. */
  role?: SchedulerRole;
  /** Syncs this process runs at once (BullMQ worker concurrency). Default `4`. */
  concurrency?: number;
  /**
   * At most this many syncs of a provider at once, across every worker process
   * (a semaphore in Redis), e.g. `{ quickbooks: 10 }`. Keys are connector ids.
   * Every process should be given the same caps.
   */
  providerConcurrency?: Record<string, number>;
  /**
   * Attempts per job, the first included, for transient failures (provider
   * 5xx, network, rate limits). `needs_reauth`, disconnected connections and
   * configuration errors are never retried. Default `3`.
   */
  attempts?: number;
  /** The first retry's delay; each next one doubles (jittered 20%). Default `5000` ms. */
  backoffMs?: number;
  /**
   * How long a worker's claim on a job lasts without renewal (BullMQ
   * `lockDuration`; renewed at half of it). A killed worker's job is taken
   * over once it expires. Keep `createPatchbay({ sync: { leaseTtlMs } })` at
   * or below it, so the engine's lease has expired too by then. Default `30000`.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died (BullMQ `stalledInterval`). Default `30000`. */
  stalledIntervalMs?: number;
  /** How many times a job may be recovered after its worker died before it fails. Default `2`. */
  maxStalledCount?: number;
  /**
   * When a job finds its model's run lease held (another run of the model is
   * going on, or a dead worker's lease has not expired yet), it waits this
   * long and tries again, doubling up to 30 s. Default `1000` ms.
   */
  busyRetryMs?: number;
  /**
   * Reconcile job schedulers with the store on `start()` (roles `scheduler`
   * and `both`). Default `true`.
   */
  reconcileOnStart?: boolean;
  /**
   * How often a worker runs Patchbay's due scheduled exports
   * (`patchbay.exports`): one job scheduler for the whole queue, so one worker
   * at a time does it. `false` leaves exports to `patchbay.exports.runDue()`
   * (e.g. a cron route). Set by `scheduler` and `both` processes on start.
   * Default `60000` ms.
   */
  exportsEveryMs?: number | false;
}

/**
 * Health figures from {@link BullmqScheduler.metrics}.
 *
 * @example
 * ```ts
 * const m: SchedulerMetrics = await scheduler.metrics();
 * gauge("patchbay.queue.waiting", m.queue.waiting);
 * ```
 */
export interface SchedulerMetrics {
  /** Jobs in the queue, across all processes. `waiting` includes prioritized jobs. */
  queue: { waiting: number; delayed: number; active: number; failed: number; completed: number };
  /** Job schedulers of connection models (those on a schedule); the exports one is not counted. */
  jobSchedulers: number;
  /** Syncs running in this process now. */
  running: number;
  /** Per capped provider: its cap and the syncs holding a slot now, across all processes. */
  providers: Record<string, { limit: number; running: number }>;
  /** The latest failure of each connection's model that has not succeeded since, newest first. */
  lastErrors: SyncJobError[];
}

/**
 * The latest failure of a connection's model, kept until it next succeeds.
 *
 * @example
 * ```ts
 * for (const e of (await scheduler.metrics()).lastErrors) console.warn(e.connectionId, e.model, e.error);
 * ```
 */
export interface SyncJobError {
  tenantId: string;
  connectionId: string;
  model: string;
  /** The run's redacted error message. */
  error: string;
  at: Date;
  jobId: string;
  /** `false` while BullMQ will retry it. */
  final: boolean;
}

/**
 * Payload of the `job.completed` event: a sync ran to the end.
 *
 * @example
 * ```ts
 * scheduler.on("job.completed", ({ job, outcome }) => console.log(job.connectionId, outcome.run.inserted));
 * ```
 */
export interface SyncJobCompleted {
  job: SyncJob;
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: { status: "succeeded"; run: SyncRun };
}

/**
 * Payload of the `job.failed` event: a sync failed (or threw).
 *
 * @example
 * ```ts
 * scheduler.on("job.failed", ({ job, error, willRetry }) => {
 *   if (!willRetry) alert(`${job.connectionId}/${job.model}: ${error}`);
 * });
 * ```
 */
export interface SyncJobFailed {
  job: SyncJob;
  jobId: string;
  attempt: number;
  /** Redacted. */
  error: string;
  /** BullMQ will run it again after a backoff. */
  willRetry: boolean;
  /** Why it will not be retried, when it will not. */
  reason?: "needs_reauth" | "not_transient" | "attempts_exhausted";
}

/**
 * Events of {@link BullmqScheduler.on}. They fire in the process that ran the
 * job (for a cross-process feed, read BullMQ's `QueueEvents` on the same queue).
 *
 * @example
 * ```ts
 * const off = scheduler.on("job.stalled", ({ jobId }) => log.warn("a worker died", { jobId }));
 * off();
 * ```
 */
export interface BullmqSchedulerEvents {
  "job.completed": SyncJobCompleted;
  "job.failed": SyncJobFailed;
  /** A job whose worker stopped renewing its lock went back to the queue. */
  "job.stalled": { jobId: string };
}

/**
 * What {@link BullmqScheduler.reconcile} changed.
 *
 * @example
 * ```ts
 * const { added, removed } = await scheduler.reconcile();
 * ```
 */
export interface ReconcileReport {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/**
 * What the queue holds for a connection's model, from {@link BullmqScheduler.inspect}.
 *
 * @example
 * ```ts
 * const { jobScheduler, pending } = await scheduler.inspect({ tenantId, connectionId, model: "contacts" });
 * ```
 */
export interface ModelQueueState {
  /** The job scheduler waking the model up, or `null` without a schedule. */
  jobScheduler: {
    id: string;
    every?: number;
    pattern?: string;
    tz?: string;
    /** The next wake-up. */
    next: Date | null;
  } | null;
  /** Jobs not finished yet: the next wake-up (`tick`), a scheduled run (`due`), an enqueued run (`run`). */
  pending: Array<{
    jobId: string;
    kind: JobKind;
    state: string;
    priority: number;
    /** When it may start (its delay elapsed). */
    runAt: Date;
    trigger?: SyncTrigger;
  }>;
  /** A run was enqueued while one was active: it starts when that one ends. */
  followUp: boolean;
}

/**
 * The scheduler returned by {@link bullmqScheduler}: a core {@link Scheduler}
 * plus operations for hosts and deploy scripts.
 *
 * @example
 * ```ts
 * const scheduler: BullmqScheduler = bullmqScheduler({ connection: { host: "127.0.0.1" } });
 * const patchbay = createPatchbay({ connectors, store, vault, scheduler });
 * patchbay.start();
 * await scheduler.ready();
 * console.log(await scheduler.metrics());
 * ```
 */
export interface BullmqScheduler extends Scheduler {
  /** The BullMQ queue name (with {@link BullmqScheduler.prefix}, all its Redis keys start with `prefix:queueName:`). */
  readonly queueName: string;
  /** The Redis key prefix. */
  readonly prefix: string;
  /** This process's role. */
  readonly role: SchedulerRole;
  /** Resolves once Redis is reachable and the start-up reconcile is done. Rejects if not started. */
  ready(): Promise<void>;
  /** See {@link Scheduler.scheduleChanged}. */
  scheduleChanged(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    schedule: Schedule | null,
  ): Promise<void>;
  /** See {@link Scheduler.connectionRemoved}. */
  connectionRemoved(tenantId: string, connectionId: string): Promise<void>;
  /**
   * Make the job schedulers match the store: add the missing ones, update
   * changed ones, remove the ones whose connection is gone (or cannot sync:
   * `needs_reauth`, `disconnected`), whose model the connector no longer has,
   * or whose schedule was cleared. Each change re-reads the store first.
   * Needs `start()` (it reads the store through the scheduler context).
   */
  reconcile(): Promise<ReconcileReport>;
  /** Queue depth, running syncs, provider slots and last errors. */
  metrics(): Promise<SchedulerMetrics>;
  /** What the queue holds for one connection's model. */
  inspect(job: Pick<SyncJob, "tenantId" | "connectionId" | "model">): Promise<ModelQueueState>;
  /** Listen to job events in this process; returns a function that removes the listener. */
  on<E extends keyof BullmqSchedulerEvents>(
    event: E,
    listener: (payload: BullmqSchedulerEvents[E]) => void,
  ): () => void;
}

/** The three kinds of job of a connection's model. */
type JobKind = "tick" | "due" | "run";

/** What a job carries: a connection model's job, or the queue-wide scheduled-exports pass. */
type JobData = ModelJobData | { kind: "exports" };

/** What a connection model's job carries. */
interface ModelJobData {
  kind: JobKind;
  tenantId: string;
  connectionId: string;
  model: string;
  /** `run` jobs: why it was enqueued. */
  trigger?: SyncTrigger;
  /** `run` jobs: a forced mode. */
  mode?: SyncMode;
  /** Re-run after a graceful stop cancelled it: resume now, whatever `nextRunAt` says. */
  resume?: boolean;
  /** How many times it found the model's lease held. */
  busy?: number;
}

/** What a finished job returns (BullMQ `returnvalue`). */
interface JobResult {
  status: "succeeded" | "skipped" | "deferred" | "cancelled";
  reason?: string;
  runId?: string;
  /** `deferred`: when the scheduled run was set for (epoch ms). */
  until?: number;
}

/** Priorities: lower runs first. Every job has one, because BullMQ runs un-prioritized jobs before all prioritized ones. */
const PRIORITY = { manual: 1, enqueued: 2, scheduled: 3 } as const;
const MAX_BUSY_DELAY_MS = 30_000;
/** The job scheduler of the scheduled-exports pass. */
const EXPORTS_SCHEDULER_ID = "patchbay.exports";
/** Exports claimed per pass. */
const EXPORTS_PER_PASS = 50;
const RECONCILE_PAGE = 200;
const INACTIVE: ReadonlySet<ConnectionStatus> = new Set<ConnectionStatus>([
  "needs_reauth",
  "disconnected",
]);

/**
 * Create a {@link Scheduler} on BullMQ and Redis, for hosts that run many
 * workers. Pass it to `createPatchbay({ scheduler })` and call
 * `patchbay.start()` in every process, web and worker alike.
 *
 * - **Schedules** become one BullMQ job scheduler per connection and model,
 *   kept in step by `sync.schedule` and `connections.disconnect`, and
 *   reconciled with the store on start. The run itself starts at the sync
 *   state's `nextRunAt` (jitter, failure backoff), never twice for one due time.
 * - **`sync.enqueue`** (webhooks, "sync now") adds a run job: one pending per
 *   connection and model, plus exactly one follow-up when one arrives during
 *   a run. `trigger: "manual"` jumps the queue (priority 1, then webhooks,
 *   then scheduled runs).
 * - **Workers** run `concurrency` syncs each, at most `providerConcurrency[id]`
 *   per provider across all processes, retry transient failures with
 *   exponential backoff, never retry `needs_reauth` (BullMQ
 *   `UnrecoverableError`), and recover a killed worker's jobs, which resume
 *   from the sync's last checkpoint.
 * - **`stop()`** cancels running syncs at their next page (committed batches
 *   and checkpoints stay), puts their jobs back in the queue for another
 *   worker to resume, and closes the connections.
 *
 * @throws TypeError naming the option when one is invalid.
 * @example
 * ```ts
 * import { createPatchbay, Vault } from "@patchbay/core";
 * import { bullmqScheduler } from "@patchbay/queue-bullmq";
 * import { postgresStore } from "@patchbay/store-postgres";
 *
 * const scheduler = bullmqScheduler({
 *   connection: { host: process.env.REDIS_HOST, port: 6379 },
 *   role: process.env.PATCHBAY_ROLE === "worker" ? "worker" : "scheduler",
 *   concurrency: 8,
 *   providerConcurrency: { quickbooks: 10 },
 * });
 * const patchbay = createPatchbay({
 *   connectors,
 *   store: postgresStore({ connectionString: process.env.DATABASE_URL! }),
 *   vault: Vault.fromEnv(),
 *   scheduler,
 *   sync: { leaseTtlMs: 30_000 }, // at most the lock duration: a dead worker's run is resumed promptly
 * });
 * patchbay.start();
 * process.on("SIGTERM", async () => {
 *   await patchbay.stop(); // running syncs checkpoint and go back to the queue
 *   process.exit(0);
 * });
 * ```
 */
export function bullmqScheduler(options: BullmqSchedulerOptions): BullmqScheduler {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object with a "connection"');
  }
  const connection = options.connection;
  if (connection === null || typeof connection !== "object") {
    throw new TypeError('"connection" must be ioredis options or an ioredis instance');
  }
  const prefix = name(options.prefix, "patchbay", "prefix");
  const queueName = name(options.queueName, "sync", "queueName");
  const role = options.role ?? "both";
  if (role !== "scheduler" && role !== "worker" && role !== "both") {
    throw new TypeError(`"role" must be "scheduler", "worker" or "both"; got ${String(role)}`);
  }
  const concurrency = integer(options.concurrency, 4, 1, "concurrency");
  const attempts = integer(options.attempts, 3, 1, "attempts");
  const backoffMs = integer(options.backoffMs, 5000, 0, "backoffMs");
  const lockDurationMs = integer(options.lockDurationMs, 30_000, 1000, "lockDurationMs");
  const stalledIntervalMs = integer(options.stalledIntervalMs, 30_000, 100, "stalledIntervalMs");
  const maxStalledCount = integer(options.maxStalledCount, 2, 0, "maxStalledCount");
  const busyRetryMs = integer(options.busyRetryMs, 1000, 1, "busyRetryMs");
  const reconcileOnStart = options.reconcileOnStart ?? true;
  const exportsEveryMs =
    options.exportsEveryMs === false
      ? false
      : integer(options.exportsEveryMs, 60_000, 1000, "exportsEveryMs");
  const caps = new Map<string, number>();
  if (options.providerConcurrency !== undefined) {
    if (options.providerConcurrency === null || typeof options.providerConcurrency !== "object") {
      throw new TypeError('"providerConcurrency" must be an object such as { quickbooks: 10 }');
    }
    for (const [provider, cap] of Object.entries(options.providerConcurrency)) {
      caps.set(provider, integer(cap, 1, 1, `providerConcurrency.${provider}`));
    }
  }

  const shared = isRedisInstance(connection);
  // ioredis's own option types are stricter than BullMQ's copy of them; the values are the same.
  const queueConnection = (shared ? connection : { ...connection }) as ConnectionOptions;
  const workerConnection = (
    shared ? connection : { ...connection, maxRetriesPerRequest: null }
  ) as ConnectionOptions;
  /** Keys of this package's own, next to BullMQ's. */
  const ownKeys = `${prefix}:${queueName}:pb:`;
  const errorsKey = `${ownKeys}errors`;
  const modelsKey = (tenantId: string, connectionId: string) =>
    `${ownKeys}models:${connectionKey(tenantId, connectionId)}`;
  /** BullMQ's key holding the follow-up of a deduplicated job that was active. */
  const followUpKey = (deduplicationId: string) => `${prefix}:${queueName}:dn:${deduplicationId}`;
  const jobDefaults: JobsOptions = {
    attempts,
    backoff: { type: "exponential", delay: backoffMs, jitter: 0.2 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 86_400, count: 5000 },
  };

  let queue: Queue<JobData, JobResult> | null = null;
  let redis: Redis | null = null;
  let slots: ProviderSlots | null = null;
  let worker: Worker<JobData, JobResult> | null = null;
  let context: SchedulerContext | null = null;
  let phase: "idle" | "started" | "stopping" = "idle";
  let startup: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  /** Runs in progress here, by job id: aborting one cancels its sync at the next page. */
  const running = new Map<string, AbortController>();
  const listeners = new Map<keyof BullmqSchedulerEvents, Set<(payload: never) => void>>();

  const log = (): Logger => context?.logger ?? silent;

  function emit<E extends keyof BullmqSchedulerEvents>(
    event: E,
    payload: BullmqSchedulerEvents[E],
  ): void {
    for (const listener of listeners.get(event) ?? []) {
      try {
        (listener as (p: BullmqSchedulerEvents[E]) => void)(payload);
      } catch (error) {
        log().error("a queue-bullmq event listener threw", { event, error });
      }
    }
  }

  function ensureQueue(): Queue<JobData, JobResult> {
    if (queue === null) {
      queue = new Queue<JobData, JobResult>(queueName, { connection: queueConnection, prefix });
      queue.on("error", (error) => log().error("BullMQ queue error", { error }));
    }
    return queue;
  }

  function ensureRedis(): Redis {
    if (redis === null) {
      redis = shared ? connection.duplicate() : new Redis({ ...connection });
      redis.on("error", (error) => log().warn("Redis connection error", { error }));
    }
    return redis;
  }

  function ensureSlots(): ProviderSlots {
    slots ??= new ProviderSlots(ensureRedis(), `${ownKeys}cap:`, lockDurationMs, (provider) =>
      log().warn("a provider concurrency slot expired while its sync ran", { provider }),
    );
    return slots;
  }

  function requireContext(method: string): SchedulerContext {
    if (context === null || phase !== "started") {
      throw new Error(
        `The BullMQ scheduler is ${phase === "stopping" ? "stopping" : "not started"}: call start(context) (or patchbay.start()) before ${method}()`,
      );
    }
    return context;
  }

  // ── the store's view ────────────────────────────────────────────────────

  /**
   * When the model's scheduled run is due, per the store. `at` is in this
   * process's `Date.now()` terms (BullMQ's clock), whatever the context's clock.
   */
  async function dueness(
    ctx: SchedulerContext,
    ref: ModelRef,
  ): Promise<{ kind: "none" } | { kind: "now" } | { kind: "later"; at: number }> {
    const state = await ctx.store.getSyncState(ref.tenantId, ref.connectionId, ref.model);
    if (state === null || state.schedule === null || state.nextRunAt === null) {
      return { kind: "none" };
    }
    const delayMs = state.nextRunAt.getTime() - ctx.now();
    return delayMs <= 0 ? { kind: "now" } : { kind: "later", at: Date.now() + delayMs };
  }

  /** The job scheduler a model should have now, or `null` for none. */
  async function wanted(ctx: SchedulerContext, ref: ModelRef): Promise<RepeatSpec | null> {
    const row = await ctx.store.getConnection(ref.tenantId, ref.connectionId);
    if (row === null || INACTIVE.has(row.status)) return null;
    if (!modelExists(ctx, row.connector, ref.model)) return null;
    const state = await ctx.store.getSyncState(ref.tenantId, ref.connectionId, ref.model);
    if (state === null || state.schedule === null) return null;
    return repeatOptionsFor(state.schedule);
  }

  // ── queue operations ────────────────────────────────────────────────────

  async function trackModel(ref: ModelRef): Promise<void> {
    await ensureRedis().sadd(modelsKey(ref.tenantId, ref.connectionId), ref.model);
  }

  async function upsertJobScheduler(ref: ModelRef, repeat: RepeatSpec): Promise<void> {
    await ensureQueue().upsertJobScheduler(jobSchedulerId(ref), repeat, {
      name: "tick",
      data: {
        kind: "tick",
        tenantId: ref.tenantId,
        connectionId: ref.connectionId,
        model: ref.model,
      },
      opts: { ...jobDefaults, priority: PRIORITY.scheduled },
    });
    await trackModel(ref);
  }

  async function removeJobScheduler(ref: ModelRef): Promise<boolean> {
    const q = ensureQueue();
    const id = jobSchedulerId(ref);
    const existing = await q.getJobScheduler(id);
    const removed = await q.removeJobScheduler(id);
    // BullMQ removes the next wake-up while it is delayed; one already due sits in the queue.
    if (existing?.next !== undefined) await q.remove(`repeat:${id}:${existing.next}`);
    return removed;
  }

  /** (Re)schedule the model's pending scheduled run to start at `at` (epoch ms). */
  async function scheduleDue(ref: ModelRef, at: number): Promise<void> {
    await ensureQueue().add(
      "due",
      { kind: "due", tenantId: ref.tenantId, connectionId: ref.connectionId, model: ref.model },
      {
        ...jobDefaults,
        delay: Math.max(0, Math.ceil(at - Date.now())),
        priority: PRIORITY.scheduled,
        // `reschedule` moves an already delayed one to the new time, earlier or later.
        deduplication: { id: dueDeduplicationId(ref), reschedule: true },
      },
    );
  }

  /** Remove the pending job of a deduplication id (and its stored follow-up); an active one runs on. */
  async function removePending(deduplicationId: string): Promise<void> {
    const q = ensureQueue();
    const jobId = await q.getDeduplicationJobId(deduplicationId);
    if (jobId !== null) {
      const removed = await q.remove(jobId);
      if (removed === 1) await q.removeDeduplicationKey(deduplicationId);
    }
    await ensureRedis().del(followUpKey(deduplicationId));
  }

  async function forgetModel(ref: ModelRef): Promise<void> {
    await removeJobScheduler(ref);
    await removePending(dueDeduplicationId(ref));
    await removePending(runDeduplicationId(ref));
    await ensureRedis().hdel(errorsKey, modelKey(ref));
  }

  async function recordError(ref: ModelRef, jobId: string, error: string, final: boolean) {
    const entry = { ...ref, error, at: Date.now(), jobId, final };
    await ensureRedis()
      .hset(errorsKey, modelKey(ref), JSON.stringify(entry))
      .catch((e: unknown) => log().warn("could not record a sync error in Redis", { error: e }));
  }

  async function clearError(ref: ModelRef): Promise<void> {
    await ensureRedis()
      .hdel(errorsKey, modelKey(ref))
      .catch((e: unknown) => log().warn("could not clear a sync error in Redis", { error: e }));
  }

  // ── the worker ──────────────────────────────────────────────────────────

  /** Put the job back in the queue to start at `timestamp` (epoch ms), without using an attempt. */
  async function postpone(
    job: Job<ModelJobData, JobResult>,
    token: string | undefined,
    timestamp: number,
    patch?: Partial<ModelJobData>,
  ): Promise<never> {
    if (patch !== undefined) await job.updateData({ ...job.data, ...patch });
    await job.moveToDelayed(Math.ceil(timestamp), token);
    throw new DelayedError();
  }

  async function processJob(
    job: Job<JobData, JobResult>,
    token?: string,
    bullSignal?: AbortSignal,
  ): Promise<JobResult> {
    const ctx = context;
    if (ctx === null) throw new Error("the BullMQ scheduler is not started");
    if (job.data.kind === "exports") {
      if (ctx.exports === undefined) return { status: "skipped", reason: "no_exports" };
      const { started } = await ctx.exports.runDue({ limit: EXPORTS_PER_PASS });
      return { status: "succeeded", reason: `${started} export(s) ran` };
    }
    return processModelJob(ctx, job as Job<ModelJobData, JobResult>, token, bullSignal);
  }

  async function processModelJob(
    ctx: SchedulerContext,
    job: Job<ModelJobData, JobResult>,
    token?: string,
    bullSignal?: AbortSignal,
  ): Promise<JobResult> {
    const data = job.data;
    const ref: ModelRef = {
      tenantId: data.tenantId,
      connectionId: data.connectionId,
      model: data.model,
    };
    const jobId = job.id ?? "?";
    const attempt = job.attemptsMade + 1;
    // A retry (after a failure or a graceful stop) resumes now; a first attempt of a
    // scheduled run waits for the store's `nextRunAt`.
    const retrying = data.resume === true || job.attemptsMade > 0;
    let trigger: SyncTrigger;
    if (data.kind === "run") {
      trigger = data.trigger ?? "manual";
    } else {
      if (!retrying) {
        const due = await dueness(ctx, ref);
        if (due.kind === "none") return { status: "skipped", reason: "not_scheduled" };
        if (due.kind === "later") return defer(job, token, due.at);
      }
      trigger = retrying ? "resume" : "schedule";
    }
    const syncJob: SyncJob = { ...ref, trigger };
    if (data.kind === "run" && data.mode !== undefined) syncJob.mode = data.mode;

    const row = await ctx.store.getConnection(ref.tenantId, ref.connectionId);
    if (row === null) {
      if (data.kind !== "run") await forgetModel(ref);
      return { status: "skipped", reason: "connection_gone" };
    }
    let slot: ProviderSlot | null = null;
    const cap = caps.get(row.connector);
    if (cap !== undefined && !INACTIVE.has(row.status)) {
      slot = await ensureSlots().acquire(row.connector, cap, `${jobId}:${token ?? ""}`);
      if (slot === null) return postpone(job, token, Date.now() + 250 + Math.random() * 750);
    }

    const stop = new AbortController();
    running.set(jobId, stop);
    let outcome: SyncOutcome;
    try {
      const signal =
        bullSignal === undefined ? stop.signal : AbortSignal.any([stop.signal, bullSignal]);
      outcome = await ctx.runner.run(syncJob, { signal });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof TypeError || (error as Error)?.name === "ConfigError";
      if (permanent && data.kind !== "run") {
        // The connection or model no longer exists: stop waking it up.
        await forgetModel(ref).catch(() => undefined);
      }
      const willRetry = !permanent && attempt < attempts;
      await recordError(ref, jobId, message, !willRetry);
      emit("job.failed", {
        job: syncJob,
        jobId,
        attempt,
        error: message,
        willRetry,
        ...(willRetry ? {} : { reason: permanent ? "not_transient" : "attempts_exhausted" }),
      });
      throw permanent ? new UnrecoverableError(message) : error;
    } finally {
      running.delete(jobId);
      await slot
        ?.release()
        .catch((error: unknown) => log().warn("could not release a provider slot", { error }));
    }

    switch (outcome.status) {
      case "succeeded":
        await clearError(ref);
        emit("job.completed", {
          job: syncJob,
          jobId,
          attempt,
          outcome: { status: "succeeded", run: outcome.run },
        });
        return { status: "succeeded", runId: outcome.run.id };
      case "skipped": {
        if (outcome.reason === "running") {
          // Another run of the model holds the lease, or a dead worker's lease has not expired.
          const busy = (data.busy ?? 0) + 1;
          const wait = Math.min(busyRetryMs * 2 ** (busy - 1), MAX_BUSY_DELAY_MS);
          return postpone(job, token, Date.now() + wait * (0.8 + Math.random() * 0.4), { busy });
        }
        if (outcome.reason === "not_due" && data.kind !== "run") {
          const due = await dueness(ctx, ref);
          if (due.kind === "later") return defer(job, token, due.at);
        }
        return { status: "skipped", reason: outcome.reason };
      }
      case "cancelled":
        if (stop.signal.aborted) {
          // Graceful stop: the committed batches stay; another worker resumes from the checkpoint.
          return postpone(job, token, Date.now(), { resume: true });
        }
        // The lease was lost: another worker runs the model now.
        return { status: "cancelled", runId: outcome.run.id };
      case "failed": {
        const message = outcome.run.error ?? "the sync failed";
        const kind = await failureKind(ctx, ref);
        const willRetry = kind === "transient" && attempt < attempts;
        await recordError(ref, jobId, message, !willRetry);
        emit("job.failed", {
          job: syncJob,
          jobId,
          attempt,
          error: message,
          willRetry,
          ...(willRetry
            ? {}
            : {
                reason:
                  kind === "reauth"
                    ? "needs_reauth"
                    : kind === "permanent"
                      ? "not_transient"
                      : "attempts_exhausted",
              }),
        });
        if (kind !== "transient") throw new UnrecoverableError(message);
        throw new Error(message);
      }
    }
  }

  /** A scheduled run is due at `at`: a wake-up hands it to a `due` job; a `due` job waits itself. */
  async function defer(
    job: Job<ModelJobData, JobResult>,
    token: string | undefined,
    at: number,
  ): Promise<JobResult> {
    if (job.data.kind === "due") return postpone(job, token, at);
    await scheduleDue(job.data, at);
    return { status: "deferred", until: at };
  }

  /**
   * Whether a failed run is worth retrying. The engine reports a failure as a
   * redacted message; what it did to the connection says what kind it was:
   * `needs_reauth` (revoked grant) or gone → never; `error` (the engine marks
   * provider, network, rate-limit and token-endpoint errors so) → transient;
   * still `active` (configuration or validation errors) → not transient.
   */
  async function failureKind(
    ctx: SchedulerContext,
    ref: ModelRef,
  ): Promise<"reauth" | "transient" | "permanent"> {
    const row = await ctx.store
      .getConnection(ref.tenantId, ref.connectionId)
      .catch(() => undefined);
    if (row === undefined) return "transient";
    if (row === null || INACTIVE.has(row.status) || row.credentials === null) return "reauth";
    return row.status === "error" ? "transient" : "permanent";
  }

  // ── the Scheduler ───────────────────────────────────────────────────────

  async function reconcile(): Promise<ReconcileReport> {
    const ctx = requireContext("reconcile");
    const q = ensureQueue();
    const report: ReconcileReport = { added: 0, updated: 0, removed: 0, unchanged: 0 };
    const desired = new Map<string, { ref: ModelRef; repeat: RepeatSpec }>();
    for (let after: string | undefined; ; ) {
      const page = await ctx.store.scanConnections({ after, limit: RECONCILE_PAGE });
      const states = await Promise.all(
        page.map((row) =>
          INACTIVE.has(row.status)
            ? Promise.resolve([])
            : ctx.store.listSyncStates(row.tenantId, row.id),
        ),
      );
      page.forEach((row, i) => {
        for (const state of states[i]!) {
          if (state.schedule === null || !modelExists(ctx, row.connector, state.model)) continue;
          const repeat = repeatOptionsFor(state.schedule);
          if (repeat === null) continue;
          const ref = { tenantId: row.tenantId, connectionId: row.id, model: state.model };
          desired.set(jobSchedulerId(ref), { ref, repeat });
        }
      });
      if (page.length < RECONCILE_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    const existing = new Map<string, RepeatSpec>();
    for (let start = 0; ; start += 500) {
      const list = await q.getJobSchedulers(start, start + 499, true);
      for (const s of list) existing.set(s.key, { every: s.every, pattern: s.pattern, tz: s.tz });
      if (list.length < 500) break;
    }
    for (const [id, current] of existing) {
      const ref = parseJobSchedulerId(id);
      if (ref === null) continue; // not ours
      const want = desired.get(id);
      if (want !== undefined && sameRepeat(want.repeat, current)) {
        report.unchanged++;
        continue;
      }
      // Re-read: a schedule may have changed in another process since the scan.
      const fresh = await wanted(ctx, ref);
      if (fresh === null) {
        await forgetModel(ref);
        report.removed++;
      } else if (sameRepeat(fresh, current)) {
        report.unchanged++;
      } else {
        await upsertJobScheduler(ref, fresh);
        report.updated++;
      }
    }
    for (const [id, want] of desired) {
      if (existing.has(id)) continue;
      const fresh = await wanted(ctx, want.ref);
      if (fresh === null) continue;
      await upsertJobScheduler(want.ref, fresh);
      report.added++;
    }
    return report;
  }

  const scheduler: BullmqScheduler = {
    queueName,
    prefix,
    role,

    start(ctx: SchedulerContext): void {
      if (phase === "started") {
        throw new Error("The BullMQ scheduler is already started; call stop() first");
      }
      if (phase === "stopping") {
        throw new Error("The BullMQ scheduler is stopping; await stop() before start()");
      }
      if (ctx === null || typeof ctx !== "object") {
        throw new TypeError('"context" must be a SchedulerContext');
      }
      for (const key of ["store", "runner", "logger"] as const) {
        if (ctx[key] === null || typeof ctx[key] !== "object") {
          throw new TypeError(`"context.${key}" is required`);
        }
      }
      if (typeof ctx.now !== "function") throw new TypeError('"context.now" must be a function');
      context = ctx;
      phase = "started";
      const q = ensureQueue();
      const waits: Promise<unknown>[] = [q.waitUntilReady()];
      if (role !== "scheduler") {
        const w = new Worker<JobData, JobResult>(queueName, processJob, {
          connection: workerConnection,
          prefix,
          concurrency,
          lockDuration: lockDurationMs,
          stalledInterval: stalledIntervalMs,
          maxStalledCount,
        });
        w.on("error", (error) => log().error("BullMQ worker error", { error }));
        w.on("stalled", (jobId) => {
          log().warn("a sync job stalled (its worker died or froze); it goes back to the queue", {
            jobId,
          });
          emit("job.stalled", { jobId });
        });
        worker = w;
        waits.push(w.waitUntilReady());
      }
      if (role !== "worker" && reconcileOnStart) {
        waits.push(
          reconcile().then(
            (report) => ctx.logger.info("job schedulers reconciled with the store", { ...report }),
            (error: unknown) => ctx.logger.error("reconciling job schedulers failed", { error }),
          ),
        );
      }
      if (role !== "worker") {
        // One queue-wide wake-up for scheduled exports; they claim themselves in the store.
        const exportsPass =
          exportsEveryMs === false
            ? q.removeJobScheduler(EXPORTS_SCHEDULER_ID)
            : q.upsertJobScheduler(
                EXPORTS_SCHEDULER_ID,
                { every: exportsEveryMs },
                {
                  name: "exports",
                  data: { kind: "exports" },
                  opts: { ...jobDefaults, attempts: 1, priority: PRIORITY.scheduled },
                },
              );
        waits.push(
          exportsPass.catch((error: unknown) =>
            ctx.logger.error("could not set up the scheduled-exports job", { error }),
          ),
        );
      }
      startup = Promise.all(waits).then(() => undefined);
      startup.catch((error: unknown) =>
        ctx.logger.error("the BullMQ scheduler failed to start", { error }),
      );
    },

    async stop(): Promise<void> {
      if (phase === "stopping") return stopping ?? undefined;
      if (phase === "idle") {
        // Close a queue opened by scheduleChanged / enqueue without start().
        const q = queue;
        const r = redis;
        queue = null;
        redis = null;
        slots = null;
        await q?.close();
        if (r !== null) await r.quit().catch(() => r.disconnect());
        return;
      }
      phase = "stopping";
      stopping = (async () => {
        for (const controller of running.values()) {
          controller.abort(new Error("the worker is stopping"));
        }
        try {
          await worker?.close();
          await startup?.catch(() => undefined);
          await queue?.close();
          const r = redis;
          if (r !== null) await r.quit().catch(() => r.disconnect());
        } finally {
          worker = null;
          queue = null;
          redis = null;
          slots = null;
          startup = null;
          context = null;
          phase = "idle";
          stopping = null;
        }
      })();
      return stopping;
    },

    async ready(): Promise<void> {
      if (startup === null) throw new Error("The BullMQ scheduler is not started");
      await startup;
    },

    async enqueue(job: SyncJob): Promise<void> {
      checkRef(job, "job");
      const ref = { tenantId: job.tenantId, connectionId: job.connectionId, model: job.model };
      const priority = job.trigger === "manual" ? PRIORITY.manual : PRIORITY.enqueued;
      const data: JobData = { kind: "run", ...ref, trigger: job.trigger };
      if (job.mode !== undefined) data.mode = job.mode;
      const q = ensureQueue();
      const added = await q.add("run", data, {
        ...jobDefaults,
        priority,
        deduplication: { id: runDeduplicationId(ref), keepLastIfActive: true },
      });
      await trackModel(ref);
      if (priority === PRIORITY.manual && added.id !== undefined) {
        // Deduplicated into a pending webhook run: "sync now" still jumps the queue.
        const pending = await q.getJob(added.id);
        if (pending !== undefined && pending.priority > PRIORITY.manual) {
          const state = await pending.getState();
          if (state === "prioritized" || state === "waiting") {
            await pending.changePriority({ priority: PRIORITY.manual }).catch(() => undefined);
          }
        }
      }
    },

    async scheduleChanged(job, schedule): Promise<void> {
      checkRef(job, "job");
      const ref = { tenantId: job.tenantId, connectionId: job.connectionId, model: job.model };
      const repeat = schedule === null ? null : repeatOptionsFor(schedule);
      if (repeat === null) {
        await removeJobScheduler(ref);
        await removePending(dueDeduplicationId(ref));
        return;
      }
      await upsertJobScheduler(ref, repeat);
      // Move the pending scheduled run to the new `nextRunAt` (the store has it already).
      const ctx = phase === "started" ? context : null;
      const due = ctx === null ? ({ kind: "none" } as const) : await dueness(ctx, ref);
      if (due.kind === "none") await removePending(dueDeduplicationId(ref));
      else await scheduleDue(ref, due.kind === "now" ? Date.now() : due.at);
    },

    async connectionRemoved(tenantId: string, connectionId: string): Promise<void> {
      checkRef({ tenantId, connectionId, model: "-" }, "connection");
      const r = ensureRedis();
      const models = new Set(await r.smembers(modelsKey(tenantId, connectionId)));
      const ctx = phase === "started" ? context : null;
      if (ctx !== null) {
        for (const state of await ctx.store.listSyncStates(tenantId, connectionId)) {
          models.add(state.model);
        }
      }
      for (const model of models) await forgetModel({ tenantId, connectionId, model });
      await r.del(modelsKey(tenantId, connectionId));
    },

    reconcile,

    async metrics(): Promise<SchedulerMetrics> {
      const q = ensureQueue();
      const counts = await q.getJobCounts(
        "waiting",
        "prioritized",
        "delayed",
        "active",
        "failed",
        "completed",
      );
      const count = (key: string) => counts[key] ?? 0;
      const providers: SchedulerMetrics["providers"] = {};
      for (const [provider, limit] of caps) {
        providers[provider] = { limit, running: await ensureSlots().inUse(provider) };
      }
      const raw = await ensureRedis().hvals(errorsKey);
      const lastErrors: SyncJobError[] = [];
      for (const value of raw) {
        try {
          const e = JSON.parse(value) as Omit<SyncJobError, "at"> & { at: number };
          lastErrors.push({ ...e, at: new Date(e.at) });
        } catch {
          // A value this package did not write: ignore it.
        }
      }
      lastErrors.sort((a, b) => b.at.getTime() - a.at.getTime());
      return {
        queue: {
          waiting: count("waiting") + count("prioritized"),
          delayed: count("delayed"),
          active: count("active"),
          failed: count("failed"),
          completed: count("completed"),
        },
        jobSchedulers:
          (await q.getJobSchedulersCount()) -
          ((await q.getJobScheduler(EXPORTS_SCHEDULER_ID)) === undefined ? 0 : 1),
        running: running.size,
        providers,
        lastErrors,
      };
    },

    async inspect(job): Promise<ModelQueueState> {
      checkRef(job, "job");
      const ref = { tenantId: job.tenantId, connectionId: job.connectionId, model: job.model };
      const q = ensureQueue();
      const id = jobSchedulerId(ref);
      const s = await q.getJobScheduler(id);
      const ids: string[] = [];
      if (s?.next !== undefined) ids.push(`repeat:${id}:${s.next}`);
      for (const dedup of [dueDeduplicationId(ref), runDeduplicationId(ref)]) {
        const jobId = await q.getDeduplicationJobId(dedup);
        if (jobId !== null) ids.push(jobId);
      }
      const pending: ModelQueueState["pending"] = [];
      for (const jobId of ids) {
        const found = await q.getJob(jobId);
        if (found === undefined || found.data.kind === "exports") continue;
        const data = found.data;
        const state = await found.getState();
        if (state === "completed" || state === "failed" || state === "unknown") continue;
        // A delayed job's start time is its score in BullMQ's delayed set (ms × 4096 + a
        // tie-breaker); `timestamp + delay` goes stale when the job is rescheduled or postponed.
        const score =
          state === "delayed"
            ? await ensureRedis().zscore(`${prefix}:${queueName}:delayed`, jobId)
            : null;
        const entry: ModelQueueState["pending"][number] = {
          jobId,
          kind: data.kind,
          state,
          priority: found.priority,
          runAt: new Date(
            score === null
              ? found.timestamp + (found.delay ?? 0)
              : Math.floor(Number(score) / 0x1000),
          ),
        };
        if (data.trigger !== undefined) entry.trigger = data.trigger;
        pending.push(entry);
      }
      const followUp = (await ensureRedis().exists(followUpKey(runDeduplicationId(ref)))) === 1;
      return {
        jobScheduler:
          s === undefined
            ? null
            : {
                id,
                ...(s.every === undefined ? {} : { every: s.every }),
                ...(s.pattern === undefined ? {} : { pattern: s.pattern }),
                ...(s.tz === undefined ? {} : { tz: s.tz }),
                next: s.next === undefined ? null : new Date(s.next),
              },
        pending,
        followUp,
      };
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      const entry = listener as (payload: never) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  };
  return scheduler;
}

// ── helpers ──────────────────────────────────────────────────────────────

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Whether the connector still has the model. The scheduler context's runner is
 * the sync engine, whose `resolve` throws for a model the connector no longer
 * declares; another runner cannot tell, so every model counts as existing.
 */
function modelExists(ctx: SchedulerContext, connector: string, model: string): boolean {
  const runner = ctx.runner as { resolve?: (connector: string, model: string) => unknown };
  if (typeof runner.resolve !== "function") return true;
  try {
    runner.resolve(connector, model);
    return true;
  } catch {
    return false;
  }
}

function isRedisInstance(value: RedisOptions | Redis): value is Redis {
  return (
    value instanceof Redis || typeof (value as { duplicate?: unknown }).duplicate === "function"
  );
}

function checkRef(ref: Pick<SyncJob, "tenantId" | "connectionId" | "model">, what: string): void {
  if (ref === null || typeof ref !== "object") throw new TypeError(`"${what}" must be an object`);
  for (const key of ["tenantId", "connectionId", "model"] as const) {
    if (typeof ref[key] !== "string" || ref[key] === "") {
      throw new TypeError(`"${what}.${key}" must be a non-empty string`);
    }
  }
}

function name(value: string | undefined, fallback: string, option: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !/^[A-Za-z0-9_.{}-]+$/.test(value)) {
    throw new TypeError(
      `"${option}" must be a non-empty string of letters, digits, "_", "-", "." (and "{}" for a Redis Cluster hash tag)`,
    );
  }
  return value;
}

function integer(value: number | undefined, fallback: number, min: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`"${option}" must be an integer of at least ${min}`);
  }
  return value;
}
