import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testStore } from "@patchbay/testing";
import { pgliteStore } from "../src/index.js";

// The conformance suite against PGlite, in memory and persisted to a temporary directory.
testStore("PostgresStore (PGlite, in memory)", {
  create: async () => pgliteStore(),
});

const dataDir = mkdtempSync(join(tmpdir(), "patchbay-pglite-"));
testStore("PostgresStore (PGlite, on disk)", {
  create: async () => pgliteStore({ dataDir, schema: "pb_disk" }),
  destroy: async (store) => {
    await store.close?.();
    rmSync(dataDir, { recursive: true, force: true });
  },
});
