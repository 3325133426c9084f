/**
 * Secret redaction. Everything Patchbay logs, throws or emits passes through
 * here, so a token, key or client secret never leaves the process in a log
 * line, an error message, an error `cause` or an event payload.
 *
 * Three layers:
 * 1. field names that always hold secrets (`access_token`, `client_secret`, `Authorization`, ...);
 * 2. patterns (`Bearer xyz`, `Basic xyz`, secret query parameters in URLs);
 * 3. the exact values of secrets this process has handled (registered with
 *    {@link registerSecret} by the vault and the token manager), wherever they appear.
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

const SECRET_FIELD =
  /^(access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|password|passwd|secret|api[-_]?key|apikey|x-api-key|authorization|proxy-authorization|cookie|set-cookie|code[-_]?verifier|assertion|private[-_]?key|token|app[-_]?key|signing[-_]?secret|webhook[-_]?secret)$/i;

const SECRET_QUERY =
  /([?&](?:access_token|refresh_token|id_token|client_secret|code|code_verifier|api_key|apikey|key|token|password|assertion)=)[^&#\s"']*/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Bot)\s+[A-Za-z0-9._~+/=:-]{4,}/g;

const MAX_REGISTERED = 10_000;
const MIN_SECRET_LENGTH = 6;
const registered = new Set<string>();

/**
 * Remember a secret value so it is scrubbed from every string Patchbay
 * redacts from now on. Short values (under 6 characters) are ignored: they
 * would redact ordinary words. The set is bounded; the oldest entries go first.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return;
  if (registered.has(value)) return;
  if (registered.size >= MAX_REGISTERED) {
    const oldest = registered.values().next().value;
    if (oldest !== undefined) registered.delete(oldest);
  }
  registered.add(value);
}

/** True when a field of this name holds a secret and is always redacted. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** Scrub secrets from one string. */
export function redactString(input: string): string {
  let out = input.replace(AUTH_SCHEME, `$1 ${REDACTED}`).replace(SECRET_QUERY, `$1${REDACTED}`);
  if (registered.size > 0) {
    for (const secret of registered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  return out;
}

/**
 * Deep-copy `value` with secrets removed: secret fields replaced, strings
 * scrubbed, `Headers` and `URLSearchParams` flattened, `Error`s turned into
 * plain objects (name, message, fields, cause, stack). Cycles and depth are bounded so any value can be passed.
 */
export function redactValue(
  value: unknown,
  depth = 0,
  seen = new WeakMap<object, unknown>(),
): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[Truncated]";
  if (seen.has(value)) return seen.get(value);

  if (value instanceof Error) {
    // A plain object, so JSON loggers keep the message (an Error's message is not enumerable).
    const copy: Record<string, unknown> = {
      name: value.name,
      message: redactString(value.message),
    };
    seen.set(value, copy);
    for (const key of Object.keys(value)) {
      const v = (value as unknown as Record<string, unknown>)[key];
      copy[key] = isSecretField(key) ? REDACTED : redactValue(v, depth + 1, seen);
    }
    if (value.cause !== undefined) copy.cause = redactValue(value.cause, depth + 1, seen);
    if (value.stack !== undefined) copy.stack = redactString(value.stack);
    return copy;
  }
  if (typeof Headers !== "undefined" && value instanceof Headers) {
    const out: Record<string, string> = {};
    value.forEach((v, k) => {
      out[k] = isSecretField(k) ? REDACTED : redactString(v);
    });
    return out;
  }
  if (value instanceof URLSearchParams) {
    const out: Record<string, string> = {};
    value.forEach((v, k) => {
      out[k] = isSecretField(k) || k === "code" ? REDACTED : redactString(v);
    });
    return out;
  }
  if (value instanceof URL) return redactString(value.toString());
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return `[${value.byteLength} bytes]`;
  if (typeof Response !== "undefined" && value instanceof Response) {
    return { status: value.status, statusText: value.statusText, url: redactString(value.url) };
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(redactValue(item, depth + 1, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      isSecretField(key) && v !== undefined && v !== null
        ? REDACTED
        : redactValue(v, depth + 1, seen);
  }
  return out;
}
