/**
 * The store conformance suite against the in-memory store shipped in core.
 * Every store implementation has a file like this one; see `testStore`.
 */
import { MemoryStore } from "@patchbay/core";
import { testStore } from "../src/index.js";

testStore("MemoryStore", {
  create: async () => new MemoryStore(),
});

// The same suite with a fake clock: lease expiry without a real wait.
let now = Date.now();
testStore("MemoryStore (fake clock)", {
  create: async () => new MemoryStore({ now: () => now }),
  advanceTime: async (ms) => {
    now += ms;
  },
});
