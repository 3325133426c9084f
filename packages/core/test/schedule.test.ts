import { describe, expect, it } from "vitest";
import type { Schedule } from "../src/store/types.js";
import {
  nextRunAfterFailure,
  nextRunAt,
  scheduleIntervalMs,
  validateSchedule,
} from "../src/sync/schedule.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A Saturday. */
const FROM = new Date("2025-03-01T10:20:30Z");
const NO_JITTER = { random: () => 0 };
const MAX_JITTER = { random: () => 0.999 };

const at = (iso: string) => new Date(iso);

describe("nextRunAt", () => {
  it("returns null for manual schedules", () => {
    expect(nextRunAt({ kind: "manual" }, FROM, NO_JITTER)).toBeNull();
  });

  it("adds the minutes of an `every` schedule to `from`", () => {
    expect(nextRunAt({ kind: "every", minutes: 15 }, FROM, NO_JITTER)).toEqual(
      at("2025-03-01T10:35:30Z"),
    );
  });

  it("fires hourly schedules on the next full hour, strictly after `from`", () => {
    expect(nextRunAt({ kind: "hourly" }, FROM, NO_JITTER)).toEqual(at("2025-03-01T11:00:00Z"));
    expect(nextRunAt({ kind: "hourly" }, at("2025-03-01T11:00:00Z"), NO_JITTER)).toEqual(
      at("2025-03-01T12:00:00Z"),
    );
  });

  it("fires daily schedules at hour:minute UTC, midnight by default", () => {
    expect(nextRunAt({ kind: "daily" }, FROM, NO_JITTER)).toEqual(at("2025-03-02T00:00:00Z"));
    const sixThirty: Schedule = { kind: "daily", hour: 6, minute: 30 };
    expect(nextRunAt(sixThirty, at("2025-03-01T05:00:00Z"), NO_JITTER)).toEqual(
      at("2025-03-01T06:30:00Z"),
    );
    // Exactly on time: the next run is tomorrow's.
    expect(nextRunAt(sixThirty, at("2025-03-01T06:30:00Z"), NO_JITTER)).toEqual(
      at("2025-03-02T06:30:00Z"),
    );
    expect(nextRunAt({ kind: "daily", hour: 23 }, FROM, NO_JITTER)).toEqual(
      at("2025-03-01T23:00:00Z"),
    );
  });

  it("follows cron expressions, in UTC unless a timezone is given", () => {
    const weekdays: Schedule = { kind: "cron", expression: "0 9 * * 1-5" };
    // Saturday → Monday.
    expect(nextRunAt(weekdays, FROM, NO_JITTER)).toEqual(at("2025-03-03T09:00:00Z"));
    // 09:00 in Stockholm is 08:00 UTC in winter.
    expect(nextRunAt({ ...weekdays, timezone: "Europe/Stockholm" }, FROM, NO_JITTER)).toEqual(
      at("2025-03-03T08:00:00Z"),
    );
    expect(nextRunAt({ kind: "cron", expression: "@hourly" }, FROM, NO_JITTER)).toEqual(
      at("2025-03-01T11:00:00Z"),
    );
  });

  it("adds at most jitterRatio of the interval, never more than 5 minutes", () => {
    // every 10 min: 10% is one minute.
    const every10 = nextRunAt({ kind: "every", minutes: 10 }, FROM, MAX_JITTER)!;
    expect(every10.getTime() - at("2025-03-01T10:30:30Z").getTime()).toBe(
      Math.floor(0.999 * MINUTE),
    );
    // hourly: 10% is 6 minutes, capped at 5.
    const hourly = nextRunAt({ kind: "hourly" }, FROM, MAX_JITTER)!;
    expect(hourly.getTime() - at("2025-03-01T11:00:00Z").getTime()).toBe(
      Math.floor(0.999 * 5 * MINUTE),
    );
    // daily: capped at 5 minutes too.
    const daily = nextRunAt({ kind: "daily" }, FROM, MAX_JITTER)!;
    expect(daily.getTime() - at("2025-03-02T00:00:00Z").getTime()).toBeLessThan(5 * MINUTE);
    // A custom ratio.
    const half = nextRunAt({ kind: "every", minutes: 2 }, FROM, {
      ...MAX_JITTER,
      jitterRatio: 0.5,
    })!;
    expect(half.getTime() - FROM.getTime() - 2 * MINUTE).toBe(Math.floor(0.999 * MINUTE));
    // No jitter at all.
    expect(nextRunAt({ kind: "hourly" }, FROM, { ...MAX_JITTER, jitterRatio: 0 })).toEqual(
      at("2025-03-01T11:00:00Z"),
    );
  });

  it("spreads runs of one schedule over the jitter window with the default random source", () => {
    const times = Array.from({ length: 200 }, () => nextRunAt({ kind: "hourly" }, FROM)!.getTime());
    const base = at("2025-03-01T11:00:00Z").getTime();
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(base);
      expect(time).toBeLessThan(base + 5 * MINUTE);
    }
    expect(new Set(times).size).toBeGreaterThan(100);
  });

  it("rejects a bad jitterRatio and an invalid date", () => {
    expect(() => nextRunAt({ kind: "hourly" }, FROM, { jitterRatio: 2 })).toThrow(
      new TypeError('"jitterRatio" must be a number from 0 to 1'),
    );
    expect(() => nextRunAt({ kind: "hourly" }, new Date(Number.NaN))).toThrow(
      new TypeError('"from" must be a valid Date'),
    );
  });
});

describe("nextRunAfterFailure", () => {
  const every5: Schedule = { kind: "every", minutes: 5 };
  const from = at("2025-03-01T10:00:00Z");

  it("doubles the wait with each consecutive failure", () => {
    const waits = [1, 2, 3, 4, 5].map(
      (failures) =>
        nextRunAfterFailure(every5, from, failures, NO_JITTER)!.getTime() - from.getTime(),
    );
    expect(waits).toEqual([5, 10, 20, 40, 80].map((m) => m * MINUTE));
  });

  it("is the normal next run without failures", () => {
    expect(nextRunAfterFailure(every5, from, 0, NO_JITTER)).toEqual(
      nextRunAt(every5, from, NO_JITTER),
    );
  });

  it("never waits more than 24 hours", () => {
    expect(nextRunAfterFailure(every5, from, 12, NO_JITTER)).toEqual(at("2025-03-02T10:00:00Z"));
    expect(nextRunAfterFailure(every5, from, 5000, NO_JITTER)).toEqual(at("2025-03-02T10:00:00Z"));
    expect(nextRunAfterFailure({ kind: "hourly" }, from, 30, NO_JITTER)).toEqual(
      at("2025-03-02T10:00:00Z"),
    );
  });

  it("is never sooner than the schedule's normal next run", () => {
    // Weekdays at 09:00, failing on Friday: backoff says Saturday, the schedule says Monday.
    const weekdays: Schedule = { kind: "cron", expression: "0 9 * * 1-5" };
    expect(nextRunAfterFailure(weekdays, at("2025-02-28T09:00:10Z"), 2, NO_JITTER)).toEqual(
      at("2025-03-03T09:00:00Z"),
    );
  });

  it("keeps the backoff's jitter within 5 minutes", () => {
    const retry = nextRunAfterFailure(every5, from, 20, MAX_JITTER)!;
    expect(retry.getTime() - at("2025-03-02T10:00:00Z").getTime()).toBe(
      Math.floor(0.999 * 5 * MINUTE),
    );
  });

  it("returns null for manual schedules", () => {
    expect(nextRunAfterFailure({ kind: "manual" }, from, 3)).toBeNull();
  });

  it("rejects a negative or fractional failure count", () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => nextRunAfterFailure(every5, from, bad)).toThrow(
        new TypeError('"consecutiveFailures" must be a non-negative integer'),
      );
    }
  });
});

describe("scheduleIntervalMs", () => {
  it("gives the nominal interval of each kind", () => {
    expect(scheduleIntervalMs({ kind: "manual" })).toBeNull();
    expect(scheduleIntervalMs({ kind: "every", minutes: 15 })).toBe(15 * MINUTE);
    expect(scheduleIntervalMs({ kind: "hourly" })).toBe(HOUR);
    expect(scheduleIntervalMs({ kind: "daily", hour: 3 })).toBe(DAY);
    expect(scheduleIntervalMs({ kind: "cron", expression: "*/10 * * * *" }, FROM)).toBe(
      10 * MINUTE,
    );
    expect(scheduleIntervalMs({ kind: "cron", expression: "0 9 * * *" }, FROM)).toBe(DAY);
  });

  it("measures cron schedules by their shortest gap, whatever the time of the call", () => {
    // Minutes 0 and 1 of each hour: as fast as every minute, for plan limits.
    const twice = { kind: "cron", expression: "0,1 * * * *" } as const;
    expect(scheduleIntervalMs(twice, at("2025-03-01T10:00:30Z"))).toBe(MINUTE);
    expect(scheduleIntervalMs(twice, at("2025-03-01T10:01:30Z"))).toBe(MINUTE);
    // Weekdays only, asked on a Friday: still daily.
    expect(
      scheduleIntervalMs({ kind: "cron", expression: "0 9 * * 1-5" }, at("2025-02-28T10:00:00Z")),
    ).toBe(DAY);
  });
});

describe("validateSchedule", () => {
  it("returns a clean copy of a valid schedule", () => {
    const input = { kind: "cron", expression: "0 9 * * 1-5", timezone: "Europe/Oslo" };
    const valid = validateSchedule(input);
    expect(valid).toEqual(input);
    expect(valid).not.toBe(input);
    expect(validateSchedule({ kind: "every", minutes: 10_080 })).toEqual({
      kind: "every",
      minutes: 10_080,
    });
    expect(validateSchedule({ kind: "daily" })).toEqual({ kind: "daily" });
    expect(validateSchedule({ kind: "daily", hour: 0, minute: 59 })).toEqual({
      kind: "daily",
      hour: 0,
      minute: 59,
    });
    expect(validateSchedule({ kind: "manual" })).toEqual({ kind: "manual" });
    expect(validateSchedule({ kind: "cron", expression: "@daily" })).toEqual({
      kind: "cron",
      expression: "@daily",
    });
  });

  it("names the field for bad minutes", () => {
    for (const minutes of [0, -5, 1.5, 10_081, "15", undefined]) {
      expect(() => validateSchedule({ kind: "every", minutes })).toThrow(
        new TypeError('"schedule.minutes" must be an integer from 1 to 10080'),
      );
    }
  });

  it("rejects a schedule that is not an object or has an unknown kind", () => {
    expect(() => validateSchedule("hourly")).toThrow(
      new TypeError('"schedule" must be an object with a "kind"'),
    );
    expect(() => validateSchedule(null)).toThrow(TypeError);
    expect(() => validateSchedule({ kind: "weekly" })).toThrow(
      new TypeError(
        '"schedule.kind" must be one of "manual", "every", "hourly", "daily", "cron"; got "weekly"',
      ),
    );
  });

  it("rejects fields the kind does not have, so typos are not silently ignored", () => {
    expect(() => validateSchedule({ kind: "daily", hours: 9 })).toThrow(
      new TypeError('"schedule.hours" is not a field of a "daily" schedule'),
    );
  });

  it("checks daily hour and minute", () => {
    expect(() => validateSchedule({ kind: "daily", hour: 24 })).toThrow(
      new TypeError('"schedule.hour" must be an integer from 0 to 23 (UTC)'),
    );
    expect(() => validateSchedule({ kind: "daily", minute: 60 })).toThrow(
      new TypeError('"schedule.minute" must be an integer from 0 to 59'),
    );
  });

  it("quotes croner's complaint about an invalid cron expression", () => {
    expect(() => validateSchedule({ kind: "cron", expression: "61 * * * *" })).toThrow(
      new TypeError(
        '"schedule.expression" is not a valid cron expression: "61 * * * *" (CronPattern: Invalid value for minute: 61)',
      ),
    );
    expect(() => validateSchedule({ kind: "cron", expression: "every monday" })).toThrow(
      /^"schedule.expression" is not a valid cron expression: "every monday" \(CronPattern: invalid configuration format/,
    );
    expect(() => validateSchedule({ kind: "cron", expression: "  " })).toThrow(
      new TypeError('"schedule.expression" must be a non-empty cron expression string'),
    );
  });

  it("refuses cron schedules faster than a minute and ones that never fire", () => {
    expect(() => validateSchedule({ kind: "cron", expression: "*/5 * * * * *" })).toThrow(
      new TypeError(
        '"schedule.expression" must have five fields (minute hour day-of-month month day-of-week); seconds and years are not supported: "*/5 * * * * *"',
      ),
    );
    expect(() => validateSchedule({ kind: "cron", expression: "0 0 30 2 *" })).toThrow(
      new TypeError('"schedule.expression" never fires: "0 0 30 2 *"'),
    );
  });

  it("rejects an unknown timezone", () => {
    expect(() =>
      validateSchedule({ kind: "cron", expression: "0 9 * * *", timezone: "Mars/Olympus_Mons" }),
    ).toThrow(
      new TypeError(
        '"schedule.timezone" must be an IANA time zone such as "Europe/Stockholm"; got "Mars/Olympus_Mons"',
      ),
    );
  });
});
