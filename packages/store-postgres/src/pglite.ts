import { DEFAULT_SCHEMA } from "./migrations.js";
import { lazyQueryable, type PGliteLike, pgliteQueryable } from "./queryable.js";
import { PostgresStore } from "./store.js";

/**
 * Options of {@link pgliteStore}.
 *
 * @example
 * ```ts
 * const options: PgliteStoreOptions = { dataDir: "./.patchbay/db", schema: "patchbay" };
 * const store = pgliteStore(options);
 * ```
 */
export interface PgliteStoreOptions {
  /**
   * Directory PGlite persists the database to (created if missing), e.g.
   * `"./.patchbay/db"`. Omitted: an in-memory database, gone when the process ends.
   */
  dataDir?: string;
  /** The PostgreSQL schema of the store's tables. Default `"patchbay"`. */
  schema?: string;
  /** Apply pending migrations in `init()`. Default `true`. */
  migrate?: boolean;
}

/**
 * A {@link PostgresStore} on PGlite: PostgreSQL compiled to WebAssembly,
 * running inside this process — the zero-setup default the examples use.
 * PGlite starts on first use (a few seconds) and is closed by `close()`.
 * One process at a time may open a data directory.
 *
 * @example
 * ```ts
 * import { createPatchbay, Vault } from "@patchbay/core";
 * import { pgliteStore } from "@patchbay/store-postgres";
 *
 * const store = pgliteStore({ dataDir: "./.patchbay/db" });
 * await store.init();
 * const patchbay = createPatchbay({ connectors, store, vault: Vault.fromEnv() });
 * ```
 */
export function pgliteStore(options: PgliteStoreOptions = {}): PostgresStore {
  if (
    options.dataDir !== undefined &&
    (typeof options.dataDir !== "string" || options.dataDir === "")
  ) {
    throw new TypeError(
      `"dataDir" must be a non-empty string (or omitted for an in-memory database)`,
    );
  }
  const client = lazyQueryable(async () => {
    // Loaded on first use, so hosts on a PostgreSQL server never load the WebAssembly build.
    const { PGlite } = await import("@electric-sql/pglite");
    const db = new PGlite(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
    await db.waitReady;
    return pgliteQueryable(db as unknown as PGliteLike, { ownsDatabase: true });
  });
  return new PostgresStore({
    client,
    schema: options.schema ?? DEFAULT_SCHEMA,
    migrate: options.migrate ?? true,
    // PGlite runs no autovacuum: without this its tables never get statistics.
    maintainStatistics: true,
  });
}
