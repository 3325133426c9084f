import { StorageError } from "@patchbay/core";
import { CommitOutcomeUnknownError, StatementNotSentError } from "./queryable.js";

/** How an operation may be repeated after a failure. */
export interface RetryPolicy {
  /**
   * The operation gives the same result when repeated after it may already
   * have been applied (reads, lease calls, replacing writes). Only these are
   * repeated when a connection broke after the statement was sent.
   */
  idempotent: boolean;
  /** Further SQLSTATE codes after which the whole operation is repeated. */
  retryOn?: readonly string[];
}

/** Attempts per operation (the first one included). */
const ATTEMPTS = 4;
const BASE_DELAY_MS = 20;
const MAX_DELAY_MS = 1_000;

/** SQLSTATEs after which the server rolled the transaction back and asks for a retry. */
const TRANSIENT = new Set(["40001", "40P01"]);

/** Names of the SQLSTATEs that appear in messages (the full list is in the PostgreSQL docs, appendix A). */
const CONDITIONS: Record<string, string> = {
  "23505": "unique violation",
  "23503": "foreign key violation",
  "23502": "not-null violation",
  "23514": "check violation",
  "22P02": "invalid text representation",
  "22P05": "untranslatable character (PostgreSQL text and jsonb cannot hold \\u0000)",
  "22021": "character not in repertoire",
  "22003": "numeric value out of range",
  "22001": "string data right truncation",
  "22007": "invalid datetime format",
  "22008": "datetime field overflow",
  "40001": "serialization failure",
  "40P01": "deadlock detected",
  "42P01": "undefined table (has the store been migrated? call store.init())",
  "42703": "undefined column (the database schema is older than this version of the store)",
  "53300": "too many connections",
  "57014": "query canceled",
  "57P01": "admin shutdown",
  "57P02": "crash shutdown",
  "57P03": "cannot connect now",
  "55P03": "lock not available",
};

/** The SQLSTATE of a database error, or `undefined`. */
export function sqlState(error: unknown): string | undefined {
  const target = unwrap(error);
  if (target === null || typeof target !== "object") return undefined;
  const code = (target as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when the database connection failed: refused, reset, terminated by
 * the server (`57P01` admin shutdown and friends), or a connection exception (`08xxx`).
 */
export function isConnectionError(error: unknown): boolean {
  const target = unwrap(error);
  if (target === null || typeof target !== "object") return false;
  const code = (target as { code?: unknown }).code;
  if (typeof code === "string") {
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") {
      return true;
    }
    if (
      [
        "ECONNREFUSED",
        "ECONNRESET",
        "EPIPE",
        "ETIMEDOUT",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "EAI_AGAIN",
        "ENOTFOUND",
      ].includes(code)
    ) {
      return true;
    }
  }
  const message = (target as { message?: unknown }).message;
  return (
    typeof message === "string" &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  );
}

/** Whether `error` allows repeating an operation run under `policy`. */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (error instanceof CommitOutcomeUnknownError) return policy.idempotent;
  const code = sqlState(error);
  if (code !== undefined && (TRANSIENT.has(code) || policy.retryOn?.includes(code))) return true;
  if (error instanceof StatementNotSentError) return true;
  return isConnectionError(error) && policy.idempotent;
}

/**
 * Run `attempt`, repeating it (up to 4 attempts, jittered exponential backoff)
 * while {@link isRetryable} allows; then rethrow the last error.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = defaultSleep,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= ATTEMPTS || !isRetryable(error, policy)) throw error;
      const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n);
      await sleep(cap / 2 + Math.random() * (cap / 2));
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A {@link StorageError} for a failed operation. The message names the
 * operation and the SQLSTATE condition, never parameter values; the cause
 * keeps the driver's error without fields that can hold values (`detail`,
 * `where`, the query parameters PGlite attaches, and the server message of
 * data exceptions, which quotes the offending input).
 */
export function toStorageError(operation: string, error: unknown, message?: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = sqlState(error);
  const cause = sanitizeCause(error);
  const retryable =
    (code !== undefined && TRANSIENT.has(code)) ||
    isConnectionError(error) ||
    error instanceof StatementNotSentError;
  if (message !== undefined) return new StorageError(message, { cause, retryable });
  let what: string;
  if (code !== undefined) {
    const constraint = stringField(unwrap(error), "constraint");
    what = `${CONDITIONS[code] ?? "database error"} (SQLSTATE ${code}${constraint === undefined ? "" : `, constraint ${constraint}`})`;
  } else if (error instanceof CommitOutcomeUnknownError) {
    what = "the connection was lost during COMMIT, so the outcome is unknown";
  } else if (isConnectionError(error) || error instanceof StatementNotSentError) {
    what = "the database connection failed";
  } else {
    what = error instanceof Error ? error.name : "unknown error";
  }
  return new StorageError(`PostgresStore.${operation} failed: ${what}`, { cause, retryable });
}

/** The error a driver threw, with value-bearing fields removed. */
function sanitizeCause(error: unknown): unknown {
  const target = unwrap(error);
  const code = sqlState(target);
  if (code === undefined || target === null || typeof target !== "object") return target;
  // A server error: keep what identifies it, drop what can quote data.
  const message = stringField(target, "message") ?? "";
  const safeMessage = code.startsWith("22") ? (CONDITIONS[code] ?? "data exception") : message;
  const copy = new Error(safeMessage);
  copy.name = "PostgresError";
  for (const field of [
    "code",
    "severity",
    "constraint",
    "table",
    "column",
    "schema",
    "dataType",
    "routine",
  ]) {
    const value = stringField(target, field);
    if (value !== undefined) Object.defineProperty(copy, field, { value, enumerable: true });
  }
  return copy;
}

function unwrap(error: unknown): unknown {
  if (error instanceof StatementNotSentError || error instanceof CommitOutcomeUnknownError) {
    return error.cause;
  }
  return error;
}

function stringField(value: unknown, name: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === "string" && field !== "" ? field : undefined;
}
