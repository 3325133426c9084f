import type { Logger } from "../logger.js";
import type { Schedule, Store, SyncMode, SyncRun, SyncTrigger } from "../store/types.js";

/** Which sync to run. */
export interface SyncJob {
  tenantId: string;
  connectionId: string;
  model: string;
  trigger: SyncTrigger;
  /** Force a mode; by default the engine chooses (incremental when it has a cursor). */
  mode?: SyncMode;
}

/**
 * What a sync attempt ended with. `skipped` means nothing ran: another
 * worker holds the run, the schedule is no longer due, or the connection
 * cannot sync (`needs_reauth`, `disconnected`).
 */
export type SyncOutcome =
  | { status: "succeeded" | "failed" | "cancelled"; run: SyncRun }
  | { status: "skipped"; reason: "running" | "not_due" | "connection_inactive" | "limit" };

/** Runs one sync. Implemented by the sync engine; schedulers call it. */
export interface SyncRunner {
  run(job: SyncJob, options?: { signal?: AbortSignal }): Promise<SyncOutcome>;
}

/** Runs the scheduled exports that are due. Implemented by `patchbay.exports`; schedulers call it. */
export interface DueExportRunner {
  /** Claim and run due exports (at most `limit`), and wait for them. */
  runDue(options?: { limit?: number }): Promise<{ started: number }>;
}

/** What a scheduler is given when Patchbay starts it. */
export interface SchedulerContext {
  store: Store;
  runner: SyncRunner;
  logger: Logger;
  now: () => number;
  /**
   * Scheduled exports. Optional and additive: Patchbay always passes it, and
   * a scheduler should call `exports.runDue()` periodically (the in-process
   * scheduler does on every tick; exports claim themselves in the store, so
   * any number of workers may call it at once). A scheduler that ignores it
   * leaves exports to `patchbay.exports.runDue()`, e.g. from a cron route.
   */
  exports?: DueExportRunner;
}

/**
 * Runs syncs when they are due. The in-process scheduler is the default;
 * `@patchbay/queue-bullmq` implements the same interface on Redis.
 */
export interface Scheduler {
  /** Begin running due syncs. Called by the host (or `patchbay.start()`). */
  start(context: SchedulerContext): void;
  /** Stop taking work; resolves when running syncs have finished or checkpointed. */
  stop(): Promise<void>;
  /**
   * Run a sync soon, outside the schedule (webhook, "sync now" without
   * waiting). Deduplicated: at most one pending run per connection and model.
   */
  enqueue(job: SyncJob): Promise<void>;
  /** The schedule of a connection's model changed (or was removed with `null`). */
  scheduleChanged?(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    schedule: Schedule | null,
  ): Promise<void>;
  /** A connection was disconnected: drop its pending work. */
  connectionRemoved?(tenantId: string, connectionId: string): Promise<void>;
}
