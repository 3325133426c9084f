/**
 * The one thing the store needs from a database driver: run a statement with
 * parameters, and run a function inside a transaction. Adapters for
 * node-postgres pools and PGlite are below; hosts can implement it for
 * anything else that speaks PostgreSQL.
 */

/**
 * A result row, as the driver parsed it (column name → value).
 *
 * @example
 * ```ts
 * const { rows } = await queryable.query<Row>("SELECT 1 AS one");
 * rows[0]?.one; // 1
 * ```
 */
export type Row = Record<string, unknown>;

/**
 * What a statement returned.
 *
 * @example
 * ```ts
 * const result: QueryResult<{ id: string }> = await queryable.query("DELETE FROM t RETURNING id");
 * console.log(result.rowCount, result.rows.map((r) => r.id));
 * ```
 */
export interface QueryResult<R extends Row = Row> {
  /** The rows, as parsed by the driver (`jsonb` as JS values, `timestamptz` as `Date`, `bytea` as bytes). */
  rows: R[];
  /** Rows returned by a `SELECT` or changed by an `INSERT`, `UPDATE` or `DELETE`. */
  rowCount: number;
}

/**
 * Runs one statement. Parameters are `$1`, `$2`, ... placeholders; values are
 * strings, numbers, booleans, `null`, `Uint8Array`s and arrays of those.
 *
 * @example
 * ```ts
 * const { rows } = await runner.query<{ n: number }>("SELECT $1::int AS n", [1]);
 * ```
 */
export interface QueryRunner {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/**
 * A database the store can use: statements, transactions, and optionally a
 * way to release it. Build one with {@link pgQueryable} or
 * {@link pgliteQueryable}, or implement it for another driver.
 *
 * `transaction` must run `run` on one connection between `BEGIN` and
 * `COMMIT`, roll back when `run` throws, and rethrow the error.
 *
 * @example
 * ```ts
 * const queryable: Queryable = {
 *   query: (text, params) => myDriver.query(text, params),
 *   transaction: (run) => myDriver.withTransaction((tx) => run(tx)),
 * };
 * const store = createPostgresStore({ client: queryable });
 * ```
 */
export interface Queryable extends QueryRunner {
  transaction<T>(run: (tx: QueryRunner) => Promise<T>): Promise<T>;
  /** Release the database (end the pool, close PGlite). Called by `store.close()` only when the store created it. */
  close?(): Promise<void>;
}

// ── node-postgres ─────────────────────────────────────────────────────────

/**
 * The part of a `pg` pool client the adapter uses.
 *
 * @example
 * ```ts
 * const client: PgPoolClientLike = await pool.connect();
 * client.release();
 * ```
 */
export interface PgPoolClientLike {
  query(config: {
    text: string;
    values?: unknown[];
    name?: string;
  }): Promise<{ rows: Row[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}

/**
 * The part of a `pg.Pool` the adapter uses (any pool with `connect()` handing out clients).
 *
 * @example
 * ```ts
 * const pool: PgPoolLike = new pg.Pool({ connectionString });
 * ```
 */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  end?(): Promise<void>;
}

/**
 * Options of {@link pgQueryable}.
 *
 * @example
 * ```ts
 * const queryable = pgQueryable(pool, { preparedStatements: false }); // behind PgBouncer < 1.21
 * ```
 */
export interface PgQueryableOptions {
  /**
   * Send statements as named prepared statements, so PostgreSQL parses and
   * plans each one once per connection. Default `true`. Turn it off behind a
   * transaction-mode pooler that does not track prepared statements
   * (PgBouncer before 1.21).
   */
  preparedStatements?: boolean;
  /** End the pool on `close()`. Default `false`: a pool the host passed in is the host's to end. */
  ownsPool?: boolean;
}

/**
 * The statement never reached the server (no connection could be checked
 * out), so repeating it cannot apply it twice. Throw it from a custom
 * {@link Queryable} to let the store retry any operation.
 *
 * @example
 * ```ts
 * const connection = await myDriver.connect().catch((e) => { throw new StatementNotSentError(e) });
 * ```
 */
export class StatementNotSentError extends Error {
  constructor(cause: unknown) {
    super("the statement was not sent: no database connection could be checked out", { cause });
    this.name = "StatementNotSentError";
  }
}

/**
 * The connection broke while `COMMIT` was in flight: the transaction may or
 * may not have been applied, so it is only repeated when the operation is
 * idempotent. Throw it from a custom {@link Queryable}.
 *
 * @example
 * ```ts
 * await tx.commit().catch((e) => { throw new CommitOutcomeUnknownError(e) });
 * ```
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super("the connection was lost during COMMIT: the outcome is unknown", { cause });
    this.name = "CommitOutcomeUnknownError";
  }
}

/**
 * Use a node-postgres pool (or anything with the same `connect()` /
 * `client.query()` / `client.release()` shape) as a {@link Queryable}.
 * Transactions check out a client and run `BEGIN` / `COMMIT` / `ROLLBACK`
 * on it; a client whose connection broke is discarded, not returned to the pool.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresStore, pgQueryable } from "@patchbay/store-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = createPostgresStore({ client: pgQueryable(pool) });
 * ```
 */
export function pgQueryable(pool: PgPoolLike, options: PgQueryableOptions = {}): Queryable {
  const prepared = options.preparedStatements ?? true;
  const names = new Map<string, string>();
  const config = (text: string, params: readonly unknown[] | undefined) => {
    const values = params === undefined ? [] : [...params];
    if (!prepared) return { text, values };
    let name = names.get(text);
    if (name === undefined) {
      name = statementName(text);
      // Statement texts come from a fixed set of templates; the bound only guards a misuse.
      if (names.size < 1_000) names.set(text, name);
    }
    return { name, text, values };
  };
  const checkout = async (): Promise<PgPoolClientLike> => {
    let client: PgPoolClientLike;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new StatementNotSentError(error);
    }
    if (client === undefined || typeof client?.release !== "function") {
      // A pg.Client resolves connect() with nothing: it is one connection, not a pool.
      throw new TypeError(
        `expected a pg.Pool (connect() must hand out clients); got a single client`,
      );
    }
    return client;
  };
  const runner = (client: PgPoolClientLike): QueryRunner => ({
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]) {
      const result = await client.query(config(text, params));
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
  });
  const queryable: Queryable = {
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]) {
      const client = await checkout();
      try {
        const result = await runner(client).query<R>(text, params);
        client.release();
        return result;
      } catch (error) {
        client.release(brokenConnection(error) ? toError(error) : undefined);
        throw error;
      }
    },
    async transaction<T>(run: (tx: QueryRunner) => Promise<T>): Promise<T> {
      const client = await checkout();
      let committing = false;
      try {
        await client.query({ text: "BEGIN" });
        const result = await run(runner(client));
        committing = true;
        await client.query({ text: "COMMIT" });
        client.release();
        return result;
      } catch (error) {
        if (committing || brokenConnection(error)) {
          client.release(toError(error));
        } else {
          try {
            await client.query({ text: "ROLLBACK" });
            client.release();
          } catch (rollbackError) {
            client.release(toError(rollbackError));
          }
        }
        if (committing && brokenConnection(error)) throw new CommitOutcomeUnknownError(error);
        throw error;
      }
    },
  };
  if (options.ownsPool && pool.end) {
    const end = pool.end.bind(pool);
    queryable.close = () => end();
  }
  return queryable;
}

/** A stable prepared-statement name for a statement text (same text, same name). */
function statementName(text: string): string {
  // FNV-1a over the UTF-16 code units; collisions only matter within one connection.
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `patchbay_${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}_${text.length}`;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** True for errors after which a pg client must not be reused. */
function brokenConnection(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (code.startsWith("08") || code.startsWith("57P"))) return true;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true;
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === "string" &&
    /Connection terminated|Client has encountered a connection error/.test(message)
  );
}

// ── PGlite ────────────────────────────────────────────────────────────────

/** The result shape of PGlite's `query`. */
interface PGliteResultLike {
  rows: unknown[];
  rowCount?: number;
  affectedRows?: number;
}

/**
 * The part of a PGlite transaction the adapter uses.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx: PGliteTransactionLike) => tx.query("SELECT 1"));
 * ```
 */
export interface PGliteTransactionLike {
  query(text: string, params?: unknown[]): Promise<PGliteResultLike>;
}

/**
 * The part of a `PGlite` instance the adapter uses.
 *
 * @example
 * ```ts
 * const db: PGliteLike = new PGlite("./data/patchbay");
 * ```
 */
export interface PGliteLike extends PGliteTransactionLike {
  transaction<T>(run: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly waitReady: Promise<void>;
}

/**
 * Options of {@link pgliteQueryable}.
 *
 * @example
 * ```ts
 * const queryable = pgliteQueryable(new PGlite(), { ownsDatabase: true }); // close() closes it
 * ```
 */
export interface PGliteQueryableOptions {
  /** Close the PGlite instance on `close()`. Default `false`: an instance the host passed in is the host's. */
  ownsDatabase?: boolean;
}

/**
 * Use a PGlite instance as a {@link Queryable}. PGlite runs one statement at a
 * time; transactions hold it exclusively until they end.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createPostgresStore, pgliteQueryable } from "@patchbay/store-postgres";
 *
 * const db = new PGlite("./data/patchbay");
 * const store = createPostgresStore({ client: pgliteQueryable(db) });
 * ```
 */
export function pgliteQueryable(db: PGliteLike, options: PGliteQueryableOptions = {}): Queryable {
  const run = async <R extends Row>(
    target: PGliteTransactionLike,
    text: string,
    params: readonly unknown[] | undefined,
  ): Promise<QueryResult<R>> => {
    const result = await target.query(text, params === undefined ? [] : [...params]);
    return {
      rows: result.rows as R[],
      rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
    };
  };
  const queryable: Queryable = {
    query: <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
      run<R>(db, text, params),
    transaction: <T>(work: (tx: QueryRunner) => Promise<T>) =>
      db.transaction((tx) =>
        work({
          query: <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
            run<R>(tx, text, params),
        }),
      ),
  };
  if (options.ownsDatabase) queryable.close = () => db.close();
  return queryable;
}

/**
 * A {@link Queryable} created on first use (PGlite takes a few seconds to
 * start; a store built at import time should not pay for it until it is used).
 */
export function lazyQueryable(create: () => Promise<Queryable>): Queryable {
  let pending: Promise<Queryable> | undefined;
  let created: Queryable | undefined;
  const get = (): Promise<Queryable> => {
    pending ??= create().then(
      (queryable) => {
        created = queryable;
        return queryable;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  return {
    query: async <R extends Row = Row>(text: string, params?: readonly unknown[]) =>
      (await get()).query<R>(text, params),
    transaction: async <T>(run: (tx: QueryRunner) => Promise<T>) => (await get()).transaction(run),
    close: async () => {
      if (pending === undefined) return;
      await pending.catch(() => undefined);
      pending = undefined;
      const queryable = created;
      created = undefined;
      await queryable?.close?.();
    },
  };
}

/**
 * Anything {@link toQueryable} accepts: a {@link Queryable}, a `pg` pool or a PGlite instance.
 *
 * @example
 * ```ts
 * const client: DatabaseClient = process.env.DATABASE_URL ? new pg.Pool() : new PGlite();
 * const store = createPostgresStore({ client });
 * ```
 */
export type DatabaseClient = Queryable | PgPoolLike | PGliteLike;

/**
 * Wrap a `pg` pool or a PGlite instance as a {@link Queryable}; a
 * `Queryable` is returned as is. The wrapper never closes what it was given.
 *
 * @example
 * ```ts
 * const queryable = toQueryable(new pg.Pool({ connectionString }));
 * await migrate(queryable, { schema: "patchbay" });
 * ```
 */
export function toQueryable(client: DatabaseClient): Queryable {
  if (client === null || typeof client !== "object") {
    throw new TypeError(`"client" must be a pg Pool, a PGlite instance or a Queryable`);
  }
  if ("waitReady" in client && typeof client.transaction === "function") {
    return pgliteQueryable(client as PGliteLike);
  }
  if ("connect" in client && typeof client.connect === "function") {
    return pgQueryable(client as PgPoolLike);
  }
  if (
    "transaction" in client &&
    typeof client.transaction === "function" &&
    typeof client.query === "function"
  ) {
    return client as Queryable;
  }
  throw new TypeError(`"client" must be a pg Pool, a PGlite instance or a Queryable`);
}
