import pg from "pg";
import { DEFAULT_SCHEMA } from "./migrations.js";
import { type PgPoolLike, pgQueryable } from "./queryable.js";
import { PostgresStore } from "./store.js";

/**
 * Options of {@link postgresStore}: a connection string (the store creates and
 * owns a pool) or the host's pool.
 *
 * @example
 * ```ts
 * const owned: PostgresConnectionOptions = { connectionString: process.env.DATABASE_URL!, max: 5 };
 * const shared: PostgresConnectionOptions = { pool: hostPool, schema: "integrations" };
 * ```
 */
export type PostgresConnectionOptions = (
  | {
      /** `postgres://user:password@host:5432/database`; the store creates a `pg.Pool` and ends it on `close()`. */
      connectionString: string;
      pool?: never;
      /** Connections in the pool the store creates. Default 10. */
      max?: number;
    }
  | {
      /** A `pg.Pool` the host owns (and ends); the store checks clients out of it. */
      pool: PgPoolLike;
      connectionString?: never;
      max?: never;
    }
) & {
  /** The PostgreSQL schema of the store's tables. Default `"patchbay"`. */
  schema?: string;
  /** Apply pending migrations in `init()`. Default `true`. */
  migrate?: boolean;
  /**
   * Use named prepared statements (parsed and planned once per connection).
   * Default `true`; turn off behind PgBouncer in transaction mode before 1.21.
   */
  preparedStatements?: boolean;
};

/**
 * A {@link PostgresStore} on a PostgreSQL server through node-postgres.
 *
 * @example
 * ```ts
 * import { postgresStore } from "@patchbay/store-postgres";
 *
 * // The store owns the pool:
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.init();
 * // ... on shutdown:
 * await store.close(); // ends the pool
 *
 * // Or share the host's pool (the host ends it):
 * const shared = postgresStore({ pool: hostPool, schema: "integrations" });
 * ```
 */
export function postgresStore(options: PostgresConnectionOptions): PostgresStore {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`"options" must be an object with a "connectionString" or a "pool"`);
  }
  const common = {
    schema: options.schema ?? DEFAULT_SCHEMA,
    migrate: options.migrate ?? true,
  };
  const preparedStatements = options.preparedStatements ?? true;
  if (options.pool !== undefined) {
    return new PostgresStore({
      ...common,
      client: pgQueryable(options.pool, { preparedStatements }),
    });
  }
  if (typeof options.connectionString !== "string" || options.connectionString === "") {
    throw new TypeError(`"connectionString" must be a non-empty string (or pass "pool")`);
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client whose server went away emits "error" on the pool; the pool
  // drops the client by itself, and without a listener Node would crash.
  pool.on("error", () => undefined);
  return new PostgresStore({
    ...common,
    client: pgQueryable(pool, { preparedStatements, ownsPool: true }),
  });
}
