/**
 * Canonical hashing (sync/hash.ts, what the engine diffs with): equal data
 * hashes equal whatever the key order; different data hashes differently.
 */
import { recordHash, toCanonicalJson } from "@patchbay/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RUNS } from "./support/fuzz.js";

/** The same value with every object's keys in another order. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seed));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const score = (key: string) => {
    let h = seed;
    for (const ch of key) h = Math.imul(h ^ ch.charCodeAt(0), 2654435761) >>> 0;
    return h;
  };
  entries.sort(([a], [b]) => score(a) - score(b));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, {
      value: reorder(v, seed),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

const record = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 });

describe("fuzz: canonical hashing", () => {
  it("equal data gives an equal hash regardless of key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const shuffled = reorder(value, seed);
        expect(recordHash(toCanonicalJson(shuffled))).toBe(recordHash(toCanonicalJson(value)));
      }),
      { numRuns: RUNS },
    );
  });

  it("different data gives a different hash", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const ca = JSON.stringify(toCanonicalJson(a));
        const cb = JSON.stringify(toCanonicalJson(b));
        fc.pre(ca !== cb);
        expect(recordHash(toCanonicalJson(a))).not.toBe(recordHash(toCanonicalJson(b)));
      }),
      { numRuns: RUNS },
    );
  });

  it("a one-field change always changes the hash; volatile fields never do", () => {
    fc.assert(
      fc.property(record, fc.string(), fc.jsonValue(), fc.jsonValue(), (data, key, v1, v2) => {
        const one = toCanonicalJson({ ...data, [key]: v1 });
        const two = toCanonicalJson({ ...data, [key]: v2 });
        if (JSON.stringify(one) !== JSON.stringify(two))
          expect(recordHash(one)).not.toBe(recordHash(two));
        expect(recordHash(one, [key])).toBe(recordHash(two, [key]));
      }),
      { numRuns: RUNS },
    );
  });

  it("canonical JSON is stable: normalising twice changes nothing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = toCanonicalJson(value);
        expect(JSON.stringify(toCanonicalJson(once))).toBe(JSON.stringify(once));
      }),
      { numRuns: RUNS },
    );
  });
});
