import type { z } from "zod";
import { ConfigError } from "./errors.js";

/**
 * Parse `value` with a zod schema; on failure throw a {@link ConfigError}
 * whose message names every failing field with its path under `label`
 * (e.g. `"config.spreadsheetId": expected string, received undefined`).
 * Values are never echoed, so a mistyped secret does not reach a log.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  label: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid ${label}: ${describeIssues(result.error.issues, label)}`);
}

/** One line per issue: the dotted path and zod's message. */
export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>, label: string): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const path = [label, ...issue.path.map(String)].join(".");
      return `"${path}" ${issue.message}`;
    })
    .join("; ");
}
