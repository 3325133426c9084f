/**
 * Schedule arithmetic: checking a {@link Schedule}, computing when it next
 * fires (with jitter), and backing off when a connection keeps failing.
 *
 * Everything here is a pure function of its arguments (the clock and the
 * random source are passed in), so the sync engine can compute `nextRunAt`
 * after each run and tests can pin exact times.
 *
 * Times are UTC: `daily` fires at `hour:minute` UTC, and a `cron` schedule
 * without a `timezone` is read in UTC (never in the server's local zone, so
 * the same schedule fires at the same moment on every host).
 *
 * @module
 */
import { Cron } from "croner";
import type { Schedule } from "../store/types.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The longest `every` schedule: one week, in minutes. */
const MAX_EVERY_MINUTES = 10_080;
/** Jitter never delays a run by more than this. */
const MAX_JITTER_MS = 5 * MINUTE_MS;
/** The default share of the interval used as jitter. */
const DEFAULT_JITTER_RATIO = 0.1;
/** Backoff never waits longer than this between failing runs. */
const MAX_BACKOFF_MS = DAY_MS;
/** How many upcoming cron runs {@link scheduleIntervalMs} compares. */
const CRON_SAMPLE_RUNS = 8;

/** The fields each schedule kind may carry, besides `kind`. */
const FIELDS: Record<Schedule["kind"], readonly string[]> = {
  manual: [],
  every: ["minutes"],
  hourly: [],
  daily: ["hour", "minute"],
  cron: ["expression", "timezone"],
};

/**
 * Options of {@link nextRunAt} and {@link nextRunAfterFailure}.
 *
 * @example Deterministic times in a test
 * ```ts
 * nextRunAt({ kind: "hourly" }, from, { random: () => 0 }) // exactly the next full hour
 * ```
 */
export interface NextRunOptions {
  /** A random source in `[0, 1)`. Defaults to `Math.random`. */
  random?: () => number;
  /**
   * The largest delay added to a run, as a share of the schedule's interval
   * (capped at 5 minutes). From 0 (no jitter) to 1. Default `0.1`.
   */
  jitterRatio?: number;
}

/**
 * Check an untrusted schedule (from a host's API call or a config file) and
 * return a clean copy holding only the schedule's own fields.
 *
 * Rules: `every` takes an integer `minutes` from 1 to 10080 (a week);
 * `daily` takes optional integer `hour` (0–23) and `minute` (0–59), in UTC;
 * `cron` takes a five-field expression (or a nickname such as `@hourly`) that
 * croner accepts and that fires at least once more, and an optional IANA
 * `timezone`. Seconds and year fields are refused: no schedule runs more
 * often than once a minute. Unknown fields are refused rather than ignored,
 * so a typo such as `hours` is reported instead of silently syncing at midnight.
 *
 * @throws TypeError naming the offending field, e.g.
 * `"schedule.minutes" must be an integer from 1 to 10080`.
 * @example
 * ```ts
 * import { validateSchedule } from "@patchbay/core";
 *
 * validateSchedule({ kind: "every", minutes: 15 }); // → { kind: "every", minutes: 15 }
 * validateSchedule({ kind: "cron", expression: "0 9 * * 1-5", timezone: "Europe/Oslo" });
 * validateSchedule({ kind: "every", minutes: 0 });
 * // TypeError: "schedule.minutes" must be an integer from 1 to 10080
 * ```
 */
export function validateSchedule(schedule: unknown): Schedule {
  if (schedule === null || typeof schedule !== "object" || Array.isArray(schedule)) {
    throw new TypeError('"schedule" must be an object with a "kind"');
  }
  const input = schedule as Record<string, unknown>;
  const kind = input.kind;
  if (typeof kind !== "string" || !Object.hasOwn(FIELDS, kind)) {
    throw new TypeError(
      `"schedule.kind" must be one of ${Object.keys(FIELDS)
        .map((k) => `"${k}"`)
        .join(", ")}; got ${describe(kind)}`,
    );
  }
  const typedKind = kind as Schedule["kind"];
  const allowed = FIELDS[typedKind];
  for (const key of Object.keys(input)) {
    if (key !== "kind" && !allowed.includes(key)) {
      throw new TypeError(`"schedule.${key}" is not a field of a "${typedKind}" schedule`);
    }
  }

  switch (typedKind) {
    case "manual":
      return { kind: "manual" };
    case "hourly":
      return { kind: "hourly" };
    case "every": {
      const minutes = input.minutes;
      if (!isIntegerIn(minutes, 1, MAX_EVERY_MINUTES)) {
        throw new TypeError(`"schedule.minutes" must be an integer from 1 to ${MAX_EVERY_MINUTES}`);
      }
      return { kind: "every", minutes };
    }
    case "daily": {
      const out: Extract<Schedule, { kind: "daily" }> = { kind: "daily" };
      if (input.hour !== undefined) {
        if (!isIntegerIn(input.hour, 0, 23)) {
          throw new TypeError('"schedule.hour" must be an integer from 0 to 23 (UTC)');
        }
        out.hour = input.hour;
      }
      if (input.minute !== undefined) {
        if (!isIntegerIn(input.minute, 0, 59)) {
          throw new TypeError('"schedule.minute" must be an integer from 0 to 59');
        }
        out.minute = input.minute;
      }
      return out;
    }
    case "cron": {
      const expression = input.expression;
      if (typeof expression !== "string" || expression.trim() === "") {
        throw new TypeError('"schedule.expression" must be a non-empty cron expression string');
      }
      const out: Extract<Schedule, { kind: "cron" }> = { kind: "cron", expression };
      if (input.timezone !== undefined) {
        if (typeof input.timezone !== "string" || !isTimeZone(input.timezone)) {
          throw new TypeError(
            `"schedule.timezone" must be an IANA time zone such as "Europe/Stockholm"; got ${describe(input.timezone)}`,
          );
        }
        out.timezone = input.timezone;
      }
      if (expression.trim().split(/\s+/).length > 5) {
        throw new TypeError(
          `"schedule.expression" must have five fields (minute hour day-of-month month day-of-week); seconds and years are not supported: "${expression}"`,
        );
      }
      let cron: Cron;
      try {
        cron = toCron(out);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new TypeError(
          `"schedule.expression" is not a valid cron expression: "${expression}" (${reason})`,
        );
      }
      if (cron.nextRun(new Date()) === null) {
        throw new TypeError(`"schedule.expression" never fires: "${expression}"`);
      }
      return out;
    }
  }
}

/**
 * The nominal time between two runs of a schedule, in milliseconds: what plan
 * limits compare ("the fastest schedule on the Free plan is hourly").
 *
 * `every` → its minutes; `hourly` → one hour; `daily` → one day; `manual` →
 * `null`. For `cron`, the shortest gap between its next few runs after `from`
 * (so `"0,1 * * * *"` counts as every minute whatever the time of the call);
 * `null` if it never fires again.
 *
 * @param from - Where to look from, for `cron`. Defaults to now.
 * @example
 * ```ts
 * import { scheduleIntervalMs } from "@patchbay/core";
 *
 * scheduleIntervalMs({ kind: "every", minutes: 15 }); // 900_000
 * scheduleIntervalMs({ kind: "cron", expression: "0 9 * * *" }); // 86_400_000
 * scheduleIntervalMs({ kind: "manual" }); // null
 * ```
 */
export function scheduleIntervalMs(schedule: Schedule, from: Date = new Date()): number | null {
  if (schedule.kind !== "cron") return fixedIntervalMs(schedule);
  const runs = toCron(schedule).nextRuns(CRON_SAMPLE_RUNS, requireDate(from, "from"));
  let shortest: number | null = null;
  for (let i = 1; i < runs.length; i++) {
    const gap = runs[i]!.getTime() - runs[i - 1]!.getTime();
    if (shortest === null || gap < shortest) shortest = gap;
  }
  return shortest;
}

/**
 * When a schedule next fires after `from`, plus a random delay (jitter) so that
 * thousands of connections on the same schedule do not all start in the same
 * second. The jitter is at most `jitterRatio` (default 0.1) of the interval,
 * and never more than 5 minutes.
 *
 * - `manual` → `null`
 * - `every` N minutes → `from` + N minutes
 * - `hourly` → the next full hour (UTC) strictly after `from`
 * - `daily` → the next `hour:minute` UTC (default 00:00) strictly after `from`
 * - `cron` → croner's next occurrence strictly after `from` (`null` if none)
 *
 * The schedule is trusted (run it through {@link validateSchedule} when it
 * comes from outside).
 *
 * @example
 * ```ts
 * import { nextRunAt } from "@patchbay/core";
 *
 * const from = new Date("2025-03-01T10:20:00Z");
 * nextRunAt({ kind: "hourly" }, from, { random: () => 0 }); // 2025-03-01T11:00:00Z
 * nextRunAt({ kind: "daily", hour: 6 }, from, { random: () => 0 }); // 2025-03-02T06:00:00Z
 * nextRunAt({ kind: "every", minutes: 10 }, from); // between 10:30:00 and 10:31:00
 * ```
 */
export function nextRunAt(
  schedule: Schedule,
  from: Date,
  options: NextRunOptions = {},
): Date | null {
  const start = requireDate(from, "from").getTime();
  const jitter = jitterFrom(options);
  const next = nominalNext(schedule, start);
  if (next === null) return null;
  return new Date(next.at + jitter(next.intervalMs));
}

/**
 * When a connection whose runs keep failing should try again: exponential
 * backoff of `interval × 2^(consecutiveFailures − 1)`, capped at 24 hours,
 * but never sooner than the schedule's normal next run. With 0 or 1 failures
 * this is the normal next run. `manual` → `null`.
 *
 * An `every: 5` schedule thus retries after 5, 10, 20, 40 minutes, …, then
 * daily; a `daily` schedule stays daily.
 *
 * @param consecutiveFailures - `SyncState.consecutiveFailures`, including the run that just failed.
 * @throws TypeError when `consecutiveFailures` is not a non-negative integer.
 * @example
 * ```ts
 * import { nextRunAfterFailure } from "@patchbay/core";
 *
 * const from = new Date("2025-03-01T10:00:00Z");
 * const every5 = { kind: "every", minutes: 5 } as const;
 * nextRunAfterFailure(every5, from, 3, { random: () => 0 }); // 10:20 (5 min × 2²)
 * nextRunAfterFailure(every5, from, 30, { random: () => 0 }); // next day 10:00 (capped)
 * ```
 */
export function nextRunAfterFailure(
  schedule: Schedule,
  from: Date,
  consecutiveFailures: number,
  options: NextRunOptions = {},
): Date | null {
  if (!Number.isSafeInteger(consecutiveFailures) || consecutiveFailures < 0) {
    throw new TypeError('"consecutiveFailures" must be a non-negative integer');
  }
  const start = requireDate(from, "from").getTime();
  const jitter = jitterFrom(options);
  const next = nominalNext(schedule, start);
  if (next === null) return null;
  const normal = next.at + jitter(next.intervalMs);
  if (consecutiveFailures <= 1) return new Date(normal);
  // 2 ** large is Infinity, which the cap turns into a day.
  const backoffMs = Math.min(next.intervalMs * 2 ** (consecutiveFailures - 1), MAX_BACKOFF_MS);
  const backedOff = start + backoffMs + jitter(backoffMs);
  return new Date(Math.max(normal, backedOff));
}

// ── internals ────────────────────────────────────────────────────────────

/** The next occurrence strictly after `from` (no jitter) and the interval it belongs to. */
function nominalNext(schedule: Schedule, from: number): { at: number; intervalMs: number } | null {
  switch (schedule.kind) {
    case "manual":
      return null;
    case "every":
      return { at: from + schedule.minutes * MINUTE_MS, intervalMs: schedule.minutes * MINUTE_MS };
    case "hourly":
      return { at: Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS, intervalMs: HOUR_MS };
    case "daily": {
      const day = Math.floor(from / DAY_MS) * DAY_MS;
      let at = day + (schedule.hour ?? 0) * HOUR_MS + (schedule.minute ?? 0) * MINUTE_MS;
      if (at <= from) at += DAY_MS; // UTC has no DST: a day is always 24 h.
      return { at, intervalMs: DAY_MS };
    }
    case "cron": {
      const [first, second] = toCron(schedule).nextRuns(2, new Date(from));
      if (!first) return null;
      // A schedule with one run left has no interval; treat it as daily for jitter and backoff.
      const intervalMs = second ? second.getTime() - first.getTime() : DAY_MS;
      return { at: first.getTime(), intervalMs };
    }
    default:
      throw new TypeError(
        `"schedule.kind" must be a known kind; got ${describe((schedule as { kind: unknown }).kind)}`,
      );
  }
}

function fixedIntervalMs(schedule: Exclude<Schedule, { kind: "cron" }>): number | null {
  switch (schedule.kind) {
    case "manual":
      return null;
    case "every":
      return schedule.minutes * MINUTE_MS;
    case "hourly":
      return HOUR_MS;
    case "daily":
      return DAY_MS;
    default:
      throw new TypeError(
        `"schedule.kind" must be a known kind; got ${describe((schedule as { kind: unknown }).kind)}`,
      );
  }
}

/** A function giving the jitter (whole ms) for an interval, per the options. */
function jitterFrom(options: NextRunOptions): (intervalMs: number) => number {
  const ratio = options.jitterRatio ?? DEFAULT_JITTER_RATIO;
  if (typeof ratio !== "number" || !(ratio >= 0 && ratio <= 1)) {
    throw new TypeError('"jitterRatio" must be a number from 0 to 1');
  }
  const random = options.random ?? Math.random;
  return (intervalMs) => {
    const max = Math.min(intervalMs * ratio, MAX_JITTER_MS);
    if (max <= 0) return 0;
    const r = Math.min(Math.max(random(), 0), 1);
    return Math.floor(r * max);
  };
}

function toCron(schedule: Extract<Schedule, { kind: "cron" }>): Cron {
  return new Cron(schedule.expression, { timezone: schedule.timezone ?? "UTC", paused: true });
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function requireDate(value: Date, name: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(`"${name}" must be a valid Date`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}
