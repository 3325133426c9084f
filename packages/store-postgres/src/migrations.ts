/**
 * Versioned migrations. Each runs once per schema, recorded in
 * `<schema>.migrations`; all pending ones run in one transaction that first
 * takes an advisory lock derived from the schema name, so processes starting
 * at once apply them exactly once (the others wait, then find nothing to do).
 */
import { withRetry } from "./database-errors.js";
import { type DatabaseClient, type QueryRunner, toQueryable } from "./queryable.js";
import { int8Key } from "./sql-values.js";

/**
 * The schema the store uses when none is given.
 *
 * @example
 * ```ts
 * await pool.query(`GRANT USAGE ON SCHEMA ${DEFAULT_SCHEMA} TO app_user`);
 * ```
 */
export const DEFAULT_SCHEMA = "patchbay";

/**
 * One migration: a version, a name, and its statements for a schema.
 *
 * @example
 * ```ts
 * const [first]: Migration[] = listMigrations({ schema: "patchbay" });
 * console.log(first.version, first.name, first.statements.length);
 * ```
 */
export interface Migration {
  /** Applied in increasing order; recorded in `<schema>.migrations`. */
  readonly version: number;
  readonly name: string;
  /** The SQL statements, with the schema name filled in. */
  readonly statements: readonly string[];
}

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * const { applied, version }: MigrateResult = await migrate(pool);
 * if (applied.length > 0) console.log(`patchbay schema now at version ${version}`);
 * ```
 */
export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was up to date). */
  applied: number[];
  /** The newest version the schema now has. */
  version: number;
}

/**
 * Options of {@link migrate} and {@link listMigrations}.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { schema: "integrations" };
 * await migrate(pool, options);
 * ```
 */
export interface MigrateOptions {
  /** The PostgreSQL schema holding the tables. Default `"patchbay"`. */
  schema?: string;
}

type MigrationSource = { version: number; name: string; statements: (s: string) => string[] };

const SOURCES: readonly MigrationSource[] = [
  {
    version: 1,
    name: "initial",
    statements: (s) => [
      `CREATE TABLE ${s}.connections (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connector text COLLATE "C" NOT NULL,
        status text NOT NULL,
        status_reason text,
        config jsonb NOT NULL,
        metadata jsonb NOT NULL,
        field_mappings jsonb NOT NULL,
        credentials bytea,
        credentials_version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY
      )`,
      `CREATE INDEX connections_tenant ON ${s}.connections (tenant_id, created_at, position)`,
      `CREATE INDEX connections_connector ON ${s}.connections (connector, created_at, position)`,
      `CREATE INDEX connections_metadata ON ${s}.connections USING gin (metadata jsonb_path_ops)`,

      `CREATE TABLE ${s}.oauth_sessions (
        state text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connector text NOT NULL,
        sealed_verifier bytea NOT NULL,
        redirect_uri text NOT NULL,
        scopes jsonb NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX oauth_sessions_expires ON ${s}.oauth_sessions (expires_at)`,
      `CREATE INDEX oauth_sessions_tenant ON ${s}.oauth_sessions (tenant_id)`,

      `CREATE TABLE ${s}.sync_states (
        tenant_id text COLLATE "C" NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        cursor jsonb,
        checkpoint jsonb,
        active_run_id text,
        schedule jsonb,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_success_at timestamptz,
        last_status text,
        last_error text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        runs_since_full integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, connection_id, model)
      )`,
      `CREATE INDEX sync_states_due ON ${s}.sync_states (next_run_at) WHERE next_run_at IS NOT NULL`,

      // CACHE 1: values are handed out in order across sessions (the change
      // feed relies on it; a per-session cache would interleave them).
      `CREATE SEQUENCE ${s}.record_seq AS bigint CACHE 1`,
      `CREATE SEQUENCE ${s}.internal_id_seq AS bigint CACHE 1`,
      // fillfactor 50: room on each page for a second version of every row, so
      // marking unchanged records as seen (a re-sync) is a HOT update in place,
      // without index writes; the previous pass's versions are pruned as pages fill.
      `CREATE TABLE ${s}.records (
        tenant_id text COLLATE "C" NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        external_id text COLLATE "C" NOT NULL,
        internal_id text COLLATE "C",
        internal_id_order bigint,
        hash text COLLATE "C" NOT NULL,
        data jsonb NOT NULL,
        deleted_at timestamptz,
        seq bigint NOT NULL,
        created_seq bigint NOT NULL,
        seen_run_id text COLLATE "C",
        provider_updated_at timestamptz,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, connection_id, model, external_id)
      ) WITH (fillfactor = 50)`,
      // The change feed. Partial: silently inserted records (seq 0) are not in
      // it, and a probe by primary key cannot mistake it for a key index.
      `CREATE INDEX records_feed ON ${s}.records (tenant_id, connection_id, seq, model) WHERE seq > 0`,
      `CREATE INDEX records_internal_id ON ${s}.records (tenant_id, connection_id, model, internal_id) WHERE internal_id IS NOT NULL`,

      `CREATE TABLE ${s}.sync_runs (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        trigger text NOT NULL,
        mode text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        fetched bigint NOT NULL,
        inserted bigint NOT NULL,
        updated bigint NOT NULL,
        deleted bigint NOT NULL,
        unchanged bigint NOT NULL,
        failed bigint NOT NULL,
        error text,
        details jsonb NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY
      )`,
      `CREATE INDEX sync_runs_tenant ON ${s}.sync_runs (tenant_id, started_at DESC, position DESC)`,
      `CREATE INDEX sync_runs_connection ON ${s}.sync_runs (tenant_id, connection_id, started_at DESC, position DESC)`,

      `CREATE TABLE ${s}.audit_entries (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        at timestamptz NOT NULL,
        actor text,
        action text NOT NULL,
        connection_id text COLLATE "C",
        connector text,
        details jsonb NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY
      )`,
      `CREATE INDEX audit_entries_tenant ON ${s}.audit_entries (tenant_id, at DESC, position DESC)`,

      `CREATE TABLE ${s}.usage_counters (
        tenant_id text COLLATE "C" NOT NULL,
        period text COLLATE "C" NOT NULL,
        records bigint NOT NULL DEFAULT 0,
        runs bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, period)
      )`,

      `CREATE TABLE ${s}.leases (
        key text COLLATE "C" PRIMARY KEY,
        holder text COLLATE "C" NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: "exports",
    statements: (s) => [
      `CREATE TABLE ${s}.exports (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        name text NOT NULL,
        source jsonb NOT NULL,
        params jsonb NOT NULL,
        template text,
        columns jsonb,
        format text NOT NULL,
        bom boolean NOT NULL,
        schedule jsonb NOT NULL,
        destination_connection_id text COLLATE "C" NOT NULL,
        destination_folder_id text,
        mode text NOT NULL,
        filename text,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_success_at timestamptz,
        last_status text,
        last_error text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        file_id text,
        file_url text,
        claimed_by text COLLATE "C",
        claimed_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY
      )`,
      `CREATE INDEX exports_tenant ON ${s}.exports (tenant_id, created_at, position)`,
      `CREATE INDEX exports_due ON ${s}.exports (next_run_at) WHERE next_run_at IS NOT NULL`,

      `CREATE TABLE ${s}.export_runs (
        id text COLLATE "C" PRIMARY KEY,
        tenant_id text COLLATE "C" NOT NULL,
        export_id text COLLATE "C" NOT NULL,
        trigger text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        row_count bigint NOT NULL,
        byte_count bigint NOT NULL,
        file_id text,
        file_name text,
        file_url text,
        error text,
        details jsonb NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY
      )`,
      `CREATE INDEX export_runs_export ON ${s}.export_runs (tenant_id, export_id, started_at DESC, position DESC)`,
      `CREATE INDEX export_runs_tenant ON ${s}.export_runs (tenant_id, started_at DESC, position DESC)`,
    ],
  },
  {
    version: 3,
    name: "record_seen",
    statements: (s) => [
      // Seen-marks of unchanged records a run did not send again (a batch's
      // `seen` ids, one row per batch): delete detection reads them beside
      // records.seen_run_id, so a re-sync writes one row per batch instead of
      // updating every record. Rows of a run are dropped once another pass of
      // the model starts, or folded into records.seen_run_id when a run
      // deletes many records.
      `CREATE TABLE ${s}.record_seen (
        tenant_id text COLLATE "C" NOT NULL,
        connection_id text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        run_id text COLLATE "C" NOT NULL,
        position bigint GENERATED ALWAYS AS IDENTITY,
        external_ids text[] COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant_id, connection_id, model, run_id, position)
      )`,
    ],
  },
];

/**
 * The newest migration version this version of the package knows.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query("SELECT max(version) AS v FROM patchbay.migrations");
 * if (rows[0].v < LATEST_MIGRATION) throw new Error("run the patchbay migrations first");
 * ```
 */
export const LATEST_MIGRATION: number = SOURCES[SOURCES.length - 1]!.version;

/** Check a schema name and return it double-quoted for SQL. */
export function quoteSchema(schema: unknown): string {
  if (typeof schema !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(
      `"schema" must be a PostgreSQL identifier of letters, digits and underscores (at most 63, not starting with a digit), got ${JSON.stringify(schema)}`,
    );
  }
  return `"${schema}"`;
}

/**
 * Every migration with its SQL for a schema, oldest first: for hosts that
 * apply migrations with their own tool (Flyway, Sqitch, a migrations folder)
 * instead of {@link migrate}. Record applied versions in
 * `<schema>.migrations (version, name)` so `init()` does not apply them again.
 *
 * @example
 * ```ts
 * for (const m of listMigrations({ schema: "patchbay" })) {
 *   writeFileSync(`migrations/patchbay_${m.version}_${m.name}.sql`, `${m.statements.join(";\n\n")};\n`);
 * }
 * ```
 */
export function listMigrations(options: MigrateOptions = {}): Migration[] {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const s = quoteSchema(schema);
  return SOURCES.map((source) => ({
    version: source.version,
    name: source.name,
    statements: [
      ...(source.version === 1 ? [`CREATE SCHEMA IF NOT EXISTS ${s}`, migrationsTable(s)] : []),
      ...source.statements(s),
      `INSERT INTO ${s}.migrations (version, name) VALUES (${source.version}, '${source.name}')`,
    ],
  }));
}

function migrationsTable(s: string): string {
  return `CREATE TABLE IF NOT EXISTS ${s}.migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;
}

/**
 * Bring a schema up to date: create it if missing, then apply every
 * migration it does not have yet, in one transaction under
 * `pg_advisory_xact_lock` (a key derived from the schema name), so any number
 * of processes may call it at once. Idempotent. The store calls it from
 * `init()` unless created with `migrate: false`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migrate } from "@patchbay/store-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const { applied } = await migrate(pool, { schema: "patchbay" });
 * console.log(applied.length ? `applied ${applied.join(", ")}` : "up to date");
 * ```
 */
export async function migrate(
  client: DatabaseClient,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const s = quoteSchema(schema);
  const queryable = toQueryable(client);
  // DDL is transactional and the lock serializes callers: repeating the whole
  // transaction after a deadlock or a lost connection is safe.
  return withRetry({ idempotent: true }, () => queryable.transaction((tx) => apply(tx, schema, s)));
}

async function apply(tx: QueryRunner, schema: string, s: string): Promise<MigrateResult> {
  await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [
    int8Key(`patchbay:migrate:${schema}`),
  ]);
  const exists = await tx.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [
    schema,
  ]);
  // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
  if (exists.rowCount === 0) await tx.query(`CREATE SCHEMA ${s}`);
  await tx.query(migrationsTable(s));
  const done = await tx.query<{ version: unknown }>(`SELECT version FROM ${s}.migrations`);
  const have = new Set(done.rows.map((row) => Number(row.version)));
  const applied: number[] = [];
  for (const source of SOURCES) {
    if (have.has(source.version)) continue;
    for (const statement of source.statements(s)) await tx.query(statement);
    await tx.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [
      source.version,
      source.name,
    ]);
    applied.push(source.version);
  }
  return { applied, version: Math.max(0, ...have, ...applied) };
}
