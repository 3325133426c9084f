/**
 * Names of the things this package keeps in Redis for a connection's model,
 * and the translation of a Patchbay {@link Schedule} into BullMQ repeat
 * options.
 *
 * Every id is built from the tenant, connection and model ids, each
 * percent-encoded so that `.` only ever separates them: BullMQ refuses `:` in
 * job ids, and a readable id (`sync.t_1.conn_9.contacts`) is what an operator
 * sees in a dashboard.
 *
 * @module
 */
import type { Schedule, SyncJob } from "@patchbay/core";

/** A connection's model: what every id here is derived from. */
export type ModelRef = Pick<SyncJob, "tenantId" | "connectionId" | "model">;

/**
 * The subset of BullMQ's `RepeatOptions` this package sets on a job scheduler.
 *
 * @example
 * ```ts
 * const everyQuarterHour: RepeatSpec = { every: 900_000 };
 * const weekdayMornings: RepeatSpec = { pattern: "30 6 * * 1-5", tz: "Europe/Oslo" };
 * ```
 */
export interface RepeatSpec {
  /** Fire every this many milliseconds (`every` schedules). */
  every?: number;
  /** A 5-field cron pattern (`hourly`, `daily`, `cron` schedules). */
  pattern?: string;
  /** The IANA time zone the pattern is read in. */
  tz?: string;
}

const CRON_NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Percent-encode an id so it contains neither `.` nor `:` (typical ids stay as they are). */
function encodePart(value: string): string {
  return encodeURIComponent(value).replace(/\./g, "%2E");
}

/** `tenant.connection.model`, each part encoded. */
export function modelKey(ref: ModelRef): string {
  return `${encodePart(ref.tenantId)}.${encodePart(ref.connectionId)}.${encodePart(ref.model)}`;
}

/** `tenant.connection`, each part encoded. */
export function connectionKey(tenantId: string, connectionId: string): string {
  return `${encodePart(tenantId)}.${encodePart(connectionId)}`;
}

/** The id of the BullMQ job scheduler that wakes a model up on its schedule. */
export function jobSchedulerId(ref: ModelRef): string {
  return `sync.${modelKey(ref)}`;
}

/** The deduplication id of the model's pending scheduled run (one at most). */
export function dueDeduplicationId(ref: ModelRef): string {
  return `due.${modelKey(ref)}`;
}

/** The deduplication id of the model's pending enqueued run (one at most, plus one follow-up). */
export function runDeduplicationId(ref: ModelRef): string {
  return `run.${modelKey(ref)}`;
}

/** The model a job scheduler id belongs to, or `null` for an id this package did not make. */
export function parseJobSchedulerId(id: string): ModelRef | null {
  const parts = id.split(".");
  if (parts.length !== 4 || parts[0] !== "sync") return null;
  try {
    return {
      tenantId: decodeURIComponent(parts[1]!),
      connectionId: decodeURIComponent(parts[2]!),
      model: decodeURIComponent(parts[3]!),
    };
  } catch {
    return null;
  }
}

/**
 * The BullMQ repeat options that wake a model up on `schedule`, or `null` for
 * `manual` (no job scheduler at all).
 *
 * - `every` N minutes → `{ every: N × 60 000 }`
 * - `hourly` → `"0 * * * *"` in UTC
 * - `daily` → `"minute hour * * *"` in UTC (default 00:00)
 * - `cron` → its expression (nicknames such as `@daily` spelled out) in its
 *   time zone, UTC by default, as Patchbay reads it
 *
 * The job scheduler only wakes the model up: the run itself starts at the
 * sync state's `nextRunAt` (the engine adds jitter and failure backoff), so
 * the two never disagree about when a sync is due.
 *
 * @example
 * ```ts
 * import { repeatOptionsFor } from "@patchbay/queue-bullmq";
 *
 * repeatOptionsFor({ kind: "every", minutes: 15 }); // { every: 900000 }
 * repeatOptionsFor({ kind: "daily", hour: 6 }); // { pattern: "0 6 * * *", tz: "UTC" }
 * repeatOptionsFor({ kind: "manual" }); // null
 * ```
 */
export function repeatOptionsFor(schedule: Schedule): RepeatSpec | null {
  switch (schedule.kind) {
    case "manual":
      return null;
    case "every":
      return { every: schedule.minutes * 60_000 };
    case "hourly":
      return { pattern: "0 * * * *", tz: "UTC" };
    case "daily":
      return { pattern: `${schedule.minute ?? 0} ${schedule.hour ?? 0} * * *`, tz: "UTC" };
    case "cron": {
      const expression = schedule.expression.trim();
      return {
        pattern: CRON_NICKNAMES[expression.toLowerCase()] ?? expression,
        tz: schedule.timezone ?? "UTC",
      };
    }
    default:
      throw new TypeError(
        `"schedule.kind" must be a known kind; got ${String((schedule as { kind: unknown }).kind)}`,
      );
  }
}

/** Whether two repeat specs wake a model up at the same times. */
export function sameRepeat(a: RepeatSpec, b: RepeatSpec): boolean {
  return (
    (a.every ?? null) === (b.every ?? null) &&
    (a.pattern ?? null) === (b.pattern ?? null) &&
    (a.pattern === undefined || (a.tz ?? "UTC") === (b.tz ?? "UTC"))
  );
}
