import { randomBytes } from "node:crypto";
import type { Json, SyncMode, SyncRun, SyncState, SyncTrigger } from "./types.js";

/** A random id with a prefix (`conn_…`, `run_…`, `pass_…`): 96 random bits, hex. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

/** Where a model stands before it ever synced: no cursor, no schedule, no history. */
export function emptySyncState(
  ref: { tenantId: string; connectionId: string; model: string },
  now: Date,
): SyncState {
  return {
    tenantId: ref.tenantId,
    connectionId: ref.connectionId,
    model: ref.model,
    cursor: null,
    checkpoint: null,
    activeRunId: null,
    schedule: null,
    nextRunAt: null,
    lastRunAt: null,
    lastSuccessAt: null,
    lastStatus: null,
    lastError: null,
    consecutiveFailures: 0,
    runsSinceFull: 0,
    updatedAt: new Date(now.getTime()),
  };
}

/** A new `running` sync run with zero counts. */
export function newSyncRun(
  ref: { tenantId: string; connectionId: string; model: string },
  trigger: SyncTrigger,
  mode: SyncMode,
  startedAt: Date,
  details: Record<string, Json> = {},
): SyncRun {
  return {
    id: newId("run"),
    tenantId: ref.tenantId,
    connectionId: ref.connectionId,
    model: ref.model,
    trigger,
    mode,
    status: "running",
    startedAt,
    finishedAt: null,
    fetched: 0,
    inserted: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    failed: 0,
    error: null,
    details,
  };
}
