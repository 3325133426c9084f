/**
 * Checking what callers pass in and converting between JS values and the
 * text PostgreSQL receives. Bad input throws a `TypeError` naming the
 * argument, before anything is sent to the database.
 */
import type { Json } from "@patchbay/core";

/** A value that is not JSON, with the path to it collected while unwinding. */
class NotJsonError extends Error {
  readonly path: string[] = [];
}

/**
 * Check that `value` is JSON (finite numbers, plain objects and arrays,
 * strings, booleans, null) and return its JSON text, for a `jsonb` parameter.
 * `undefined` object properties are dropped, as `JSON.stringify` does.
 */
export function jsonText(value: unknown, name: string): string {
  if (isJson(value)) return JSON.stringify(value);
  // Slow path, only to name the bad value.
  try {
    checkJson(value);
  } catch (error) {
    if (!(error instanceof NotJsonError)) throw error;
    throw new TypeError(`"${name}${error.path.join("")}" must be JSON: ${error.message}`);
  }
  return JSON.stringify(value);
}

/** The fast check behind {@link jsonText}: no allocation per value (it runs for every synced record). */
function isJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJson(value[i])) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !isJson(item)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** {@link jsonText} for a value that must be a JSON object. */
export function jsonObjectText(value: unknown, name: string): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`"${name}" must be a JSON object`);
  }
  return jsonText(value, name);
}

function checkJson(value: unknown): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a finite number`);
      return;
    case "object": {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          withPath(`[${i}]`, () => checkJson(item));
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
        throw new NotJsonError(`found a ${kind}, not a plain object`);
      }
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        withPath(`.${key}`, () => checkJson(item));
      }
      return;
    }
    default:
      throw new NotJsonError(`found a ${typeof value}`);
  }
}

function withPath(segment: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (error instanceof NotJsonError) error.path.unshift(segment);
    throw error;
  }
}

/** Check field mappings (model → host field → provider field) and return their JSON text. */
export function fieldMappingsText(value: unknown, name: string): string {
  if (!isPlainObject(value)) throw new TypeError(`"${name}" must be an object of objects`);
  for (const [model, fields] of Object.entries(value)) {
    if (fields === undefined) continue;
    if (!isPlainObject(fields)) {
      throw new TypeError(`"${name}.${model}" must be an object of strings`);
    }
    for (const [field, target] of Object.entries(fields)) {
      if (target !== undefined && typeof target !== "string") {
        throw new TypeError(`"${name}.${model}.${field}" must be a string`);
      }
    }
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function requireString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`"${name}" must be a non-empty string`);
  }
}

export function optionalString(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new TypeError(`"${name}" must be a string or null`);
  return value;
}

export function checkLimit(limit: unknown): number {
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    throw new TypeError(`"limit" must be a non-negative integer, got ${String(limit)}`);
  }
  return limit;
}

export function checkCount(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" must be an integer, got ${String(value)}`);
  }
  return value;
}

export function checkTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError(`"ttlMs" must be a positive number, got ${String(ttlMs)}`);
  }
  return ttlMs;
}

/** A valid `Date` as ISO text for a `timestamptz` parameter. */
export function dateText(date: unknown, name: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError(`"${name}" must be a valid Date`);
  }
  return date.toISOString();
}

export function optionalDateText(date: unknown, name: string): string | null {
  return date === null || date === undefined ? null : dateText(date, name);
}

export function bytesParam(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" must be a Uint8Array`);
  return value;
}

// ── reading rows ──────────────────────────────────────────────────────────

/** A `bigint`/`integer` column as a JS number (drivers return strings, numbers or bigints). */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** A `timestamptz` column as a fresh `Date`. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return new Date(value.getTime());
  return new Date(value as string);
}

export function toOptionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** A `bytea` column as a plain `Uint8Array` with its own buffer (not a view of a driver's pool). */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new TypeError("expected a bytea column to be returned as bytes");
}

export function toOptionalBytes(value: unknown): Uint8Array | null {
  return value === null || value === undefined ? null : toBytes(value);
}

/** A `jsonb` column: drivers parse it already; SQL `NULL` reads as JSON `null`. */
export function toJson(value: unknown): Json {
  return value === undefined ? null : (value as Json);
}

// ── lock keys ─────────────────────────────────────────────────────────────

/** FNV-1a 32-bit hash of a string's UTF-16 code units, as a signed int4. */
export function int4Key(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash | 0;
}

/** FNV-1a 64-bit hash of a string's UTF-16 code units, as a signed int8 in decimal text. */
export function int8Key(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  }
  return BigInt.asIntN(64, hash).toString();
}

/** Ids per `getRecordHashes` call at most. */
const MAX_HASH_IDS = 10_000;

/** Check the ids of a `getRecordHashes` call: strings, at most 10,000. */
export function checkExternalIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw new TypeError('"externalIds" must be an array of strings');
  }
  if (ids.length > MAX_HASH_IDS) {
    throw new TypeError(`"externalIds" holds ${ids.length} ids; ask for at most ${MAX_HASH_IDS}`);
  }
  return ids as string[];
}
