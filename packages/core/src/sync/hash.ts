import * as crypto from "node:crypto";
import type { Json } from "../store/types.js";

/**
 * Normalise a value to canonical JSON: object keys sorted, `undefined`
 * dropped, `Date` as ISO text, non-finite numbers as `null`. Two records that
 * mean the same thing normalise to the same value whatever their key order.
 */
export function toCanonicalJson(value: unknown): Json {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return value.toString();
    case "object": {
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value))
        return value.map((item) => (item === undefined ? null : toCanonicalJson(item)));
      const source = value as Record<string, unknown>;
      const out: Record<string, Json> = {};
      for (const key of Object.keys(source).sort()) {
        const v = source[key];
        if (v !== undefined && typeof v !== "function" && typeof v !== "symbol")
          out[key] = toCanonicalJson(v);
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * The change hash of a record: SHA-256 (base64url) of its canonical JSON,
 * without the top-level fields the model marks volatile (fetch timestamps,
 * counters that change on every read). Equal hashes mean "nothing to write".
 *
 * @example
 * ```ts
 * recordHash({ b: 1, a: 2, fetchedAt: "..." }, ["fetchedAt"]) === recordHash({ a: 2, b: 1 }); // true
 * ```
 */
export function recordHash(canonical: Json, volatile?: ReadonlyArray<string>): string {
  let subject = canonical;
  if (
    volatile !== undefined &&
    volatile.length > 0 &&
    canonical !== null &&
    typeof canonical === "object" &&
    !Array.isArray(canonical)
  ) {
    const copy: Record<string, Json> = { ...canonical };
    for (const field of volatile) delete copy[field];
    subject = copy;
  }
  return sha256(JSON.stringify(subject));
}

type OneShotHash = (algorithm: string, data: string, encoding: "base64url") => string;
/** `crypto.hash` (Node ≥ 20.12) is several times faster than `createHash` for small inputs. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
function sha256(text: string): string {
  return oneShot !== undefined
    ? oneShot("sha256", text, "base64url")
    : crypto.createHash("sha256").update(text).digest("base64url");
}
