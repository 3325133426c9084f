/**
 * Change-feed cursors: any string decodes to a position or a ConfigError,
 * never anything else, and positions round-trip.
 */
import { ConfigError, decodeChangeCursor, ErrorCode, encodeChangeCursor } from "@patchbay/core";
import fc from "fast-check";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNS } from "./support/fuzz.js";
import { tasksWorld } from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const cursorLike = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string().map((s) => `pbc1.${s}`),
  fc.stringMatching(/^pbc1\.[0-9a-z]{0,16}$/),
  fc.stringMatching(/^pbc1\.-?[0-9a-zA-Z.+e]{0,30}$/),
  fc.constantFrom("pbc1.", "pbc1.-1", "pbc1.zzzzzzzzzzzzzz", "pbc1.1e5", "PBC1.1", " pbc1.1"),
);

function decodes(cursor: string): number | ConfigError {
  try {
    return decodeChangeCursor(cursor);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
}

describe("fuzz: change cursors", () => {
  it("decodeChangeCursor: a safe non-negative position or a ConfigError", () => {
    fc.assert(
      fc.property(cursorLike, (cursor) => {
        const result = decodes(cursor);
        if (typeof result === "number") {
          expect(Number.isSafeInteger(result) && result >= 0).toBe(true);
          // "" means "from the beginning"; anything else must carry the prefix.
          if (cursor === "") expect(result).toBe(0);
          else expect(cursor.startsWith("pbc1.")).toBe(true);
        } else expect(result.code).toBe(ErrorCode.CONFIG_INVALID);
      }),
      { numRuns: RUNS },
    );
  });

  it("positions round-trip through encode and decode", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (seq) => {
        expect(decodeChangeCursor(encodeChangeCursor(seq))).toBe(seq);
      }),
      { numRuns: RUNS },
    );
  });

  it("records.changes with any cursor: a page or a ConfigError, never a crash", async () => {
    const w = tasksWorld({ seed: 5 });
    server.use(...w.fake.handlers);
    const c = await w.connectWithKey("t");
    await w.patchbay.sync.run({ tenantId: "t", connectionId: c.id, model: "tasks" });
    await fc.assert(
      fc.asyncProperty(cursorLike, async (after) => {
        try {
          const page = await w.patchbay.records.changes({
            tenantId: "t",
            connectionId: c.id,
            model: "tasks",
            after,
          });
          expect(decodeChangeCursor(page.cursor)).toBeGreaterThanOrEqual(0);
          expect(page.changes.length).toBeLessThanOrEqual(100);
        } catch (error) {
          expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
