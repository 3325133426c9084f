/**
 * Config validation: arbitrary JSON given as a connector's settings, a
 * credential form, a sync schedule or an export schedule never throws
 * anything but the documented typed errors, and an error never echoes a value.
 */
import {
  ConfigError,
  checkExportSchedule,
  ErrorCode,
  parseWith,
  validateSchedule,
} from "@patchbay/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONNECTORS } from "./support/connectors.js";
import { RUNS } from "./support/fuzz.js";

/** Objects most of the time (that is what forms send), any JSON otherwise. */
const input = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const MARKER = "s3cr3t-value-";

describe("fuzz: config validation", () => {
  const forms = CONNECTORS.flatMap((e) => {
    const out: Array<[string, string, NonNullable<typeof e.connector.config>]> = [];
    if (e.connector.config) out.push([e.connector.id, "config", e.connector.config]);
    const auth = e.connector.auth as { fields?: NonNullable<typeof e.connector.config> };
    if (auth.fields) out.push([e.connector.id, "credentials", auth.fields]);
    return out;
  });

  it("lists the forms of every connector", () => {
    expect(forms.length).toBeGreaterThanOrEqual(CONNECTORS.length);
  });

  it.each(forms)(
    "%s %s: a value parses, or a ConfigError names fields but no value",
    (_id, label, schema) => {
      fc.assert(
        fc.property(input, fc.string({ minLength: 1, maxLength: 8 }), (value, salt) => {
          const secret = `${MARKER}${salt}`;
          const withSecret =
            value !== null && typeof value === "object" && !Array.isArray(value)
              ? { ...value, apiKey: secret, clientSecret: secret }
              : value;
          for (const candidate of [value, withSecret]) {
            try {
              parseWith(schema, candidate, label);
            } catch (error) {
              expect(error).toBeInstanceOf(ConfigError);
              expect((error as ConfigError).code).toBe(ErrorCode.CONFIG_INVALID);
              expect((error as Error).message.startsWith(`Invalid ${label}: `)).toBe(true);
              expect((error as Error).message).not.toContain(MARKER);
            }
          }
        }),
        { numRuns: Math.max(20, Math.ceil(RUNS / 10)) },
      );
    },
  );

  it("schedules: a valid schedule, or a TypeError naming the field", () => {
    const kinds = fc.constantFrom(
      "manual",
      "every",
      "hourly",
      "daily",
      "cron",
      "weekly",
      "",
      "__proto__",
    );
    const schedule = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          kind: kinds,
          minutes: fc.jsonValue(),
          hour: fc.jsonValue(),
          minute: fc.jsonValue(),
          expression: fc.oneof(fc.string(), fc.constant("*/5 * * * *"), fc.constant("0 9 * * MON")),
          timezone: fc.oneof(fc.string(), fc.constant("Europe/Paris")),
        },
        { requiredKeys: ["kind"] },
      ),
    );
    fc.assert(
      fc.property(schedule, (value) => {
        for (const check of [validateSchedule, checkExportSchedule]) {
          try {
            const valid = check(value);
            expect(typeof valid.kind).toBe("string");
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
            expect((error as Error).message).toMatch(/"schedule/);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
