import { redactString, redactValue } from "./redact.js";

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The logger Patchbay writes to. Hosts pass their own (pino, winston and
 * console all fit with a one-line adapter); Patchbay wraps it with
 * {@link redactingLogger} so nothing secret reaches it.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Optional: whether lines at `level` are written at all. When it says
   * `false`, Patchbay neither builds nor redacts them (the HTTP pipeline logs
   * a `debug` line per request). Loggers without it get every line.
   */
  isLevelEnabled?(level: LogLevel): boolean;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
/** Log levels, lowest first. */
export type LogLevel = (typeof LEVELS)[number];

/** A logger that drops everything. The default when the host passes none. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  isLevelEnabled: () => false,
};

/**
 * A logger writing one JSON line per entry to the console, at `level` and above.
 *
 * @example
 * ```ts
 * createPatchbay({ ..., logger: consoleLogger("info") })
 * ```
 */
export function consoleLogger(level: LogLevel = "info"): Logger {
  const min = LEVELS.indexOf(level);
  const write = (lvl: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVELS.indexOf(lvl) < min) return;
    const line = JSON.stringify({
      level: lvl,
      time: new Date().toISOString(),
      msg: message,
      ...fields,
    });
    if (lvl === "error" || lvl === "warn") console.error(line);
    else console.log(line);
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    isLevelEnabled: (lvl) => LEVELS.indexOf(lvl) >= min,
  };
}

/**
 * Wrap a logger so every message and field is redacted (tokens, keys,
 * `Authorization` headers, registered secret values) before it is written.
 * Idempotent: wrapping twice does not redact twice.
 */
export function redactingLogger(inner: Logger): Logger {
  if ((inner as { [REDACTING]?: true })[REDACTING]) return inner;
  const enabled = (lvl: LogLevel) => inner.isLevelEnabled?.(lvl) !== false;
  const wrap = (lvl: LogLevel) => (message: string, fields?: LogFields) => {
    if (!enabled(lvl)) return;
    inner[lvl](
      redactString(message),
      fields === undefined ? undefined : (redactValue(fields) as LogFields),
    );
  };
  return Object.assign(
    {
      debug: wrap("debug"),
      info: wrap("info"),
      warn: wrap("warn"),
      error: wrap("error"),
      isLevelEnabled: enabled,
    },
    { [REDACTING]: true as const },
  );
}
const REDACTING = Symbol.for("patchbay.redactingLogger");
