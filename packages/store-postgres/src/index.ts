export {
  DEFAULT_SCHEMA,
  LATEST_MIGRATION,
  listMigrations,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
  migrate,
} from "./migrations.js";
export { type PgliteStoreOptions, pgliteStore } from "./pglite.js";
export { type PostgresConnectionOptions, postgresStore } from "./postgres.js";
export {
  CommitOutcomeUnknownError,
  type DatabaseClient,
  type PGliteLike,
  type PGliteQueryableOptions,
  type PGliteTransactionLike,
  type PgPoolClientLike,
  type PgPoolLike,
  type PgQueryableOptions,
  pgliteQueryable,
  pgQueryable,
  type Queryable,
  type QueryResult,
  type QueryRunner,
  type Row,
  StatementNotSentError,
  toQueryable,
} from "./queryable.js";
export { createPostgresStore, PostgresStore, type PostgresStoreOptions } from "./store.js";
