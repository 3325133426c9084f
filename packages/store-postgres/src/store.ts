import {
  type AuditAction,
  type AuditEntry,
  type BatchResult,
  type ConnectionPatch,
  type ConnectionStatus,
  type ExportDefinition,
  type ExportPatch,
  type ExportRun,
  type ExportRunPatch,
  type ExportStatePatch,
  isPatchbayError,
  type Json,
  type NewConnection,
  NotFoundError,
  type OAuthSession,
  type RecordBatch,
  type Schedule,
  type Store,
  type StoredConnection,
  type StoredRecord,
  type SyncRun,
  type SyncRunPatch,
  type SyncRunStatus,
  type SyncState,
  type UsageCounters,
} from "@patchbay/core";
import { type RetryPolicy, sqlState, toStorageError, withRetry } from "./database-errors.js";
import { DEFAULT_SCHEMA, migrate, quoteSchema } from "./migrations.js";
import {
  type DatabaseClient,
  type Queryable,
  type QueryResult,
  type QueryRunner,
  type Row,
  toQueryable,
} from "./queryable.js";
import {
  bytesParam,
  checkCount,
  checkExternalIds,
  checkLimit,
  checkTtl,
  dateText,
  fieldMappingsText,
  int4Key,
  jsonObjectText,
  jsonText,
  optionalDateText,
  optionalString,
  requireString,
  toBytes,
  toDate,
  toJson,
  toNumber,
  toOptionalBytes,
  toOptionalDate,
} from "./sql-values.js";

/**
 * Options of {@link createPostgresStore} and the {@link PostgresStore} constructor.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { client: pool, schema: "integrations", migrate: false };
 * const store = createPostgresStore(options);
 * ```
 */
export interface PostgresStoreOptions {
  /**
   * The database: a `pg` pool, a PGlite instance, or any {@link Queryable}.
   * The store never ends a pool or closes a PGlite instance it was given;
   * `close()` only calls `close()` of a `Queryable` that has one.
   */
  client: DatabaseClient;
  /**
   * The PostgreSQL schema holding the store's tables, created if missing.
   * Default `"patchbay"`: the store can live in a host's existing database
   * next to its own tables.
   */
  schema?: string;
  /**
   * Apply pending migrations in `init()` (default `true`). Pass `false` when
   * the host applies them itself with {@link migrate} or {@link listMigrations}.
   */
  migrate?: boolean;
  /**
   * Run `ANALYZE` on the records table as this process writes to it (after
   * 1,000 changed records, then 2,000 more, 4,000 more, ...), so the planner
   * has statistics for the reads outside the batch path. Default `false`:
   * PostgreSQL's autovacuum does it. `pgliteStore()` turns it on, because
   * PGlite runs no autovacuum and its tables would otherwise never have any.
   */
  maintainStatistics?: boolean;
}

/** Idempotent reads and replacing writes: safe to repeat after a lost connection. */
const IDEMPOTENT: RetryPolicy = { idempotent: true };
/** Writes whose repetition could apply twice or report the wrong result. */
const ONCE: RetryPolicy = { idempotent: false };

const CONNECTION_COLUMNS =
  "id, tenant_id, connector, status, status_reason, config, metadata, field_mappings, credentials, credentials_version, created_at, updated_at";
const SESSION_COLUMNS =
  "state, tenant_id, connector, sealed_verifier, redirect_uri, scopes, data, created_at, expires_at";
const STATE_COLUMNS =
  "tenant_id, connection_id, model, cursor, checkpoint, active_run_id, schedule, next_run_at, last_run_at, last_success_at, last_status, last_error, consecutive_failures, runs_since_full, updated_at";
const RECORD_COLUMNS =
  "tenant_id, connection_id, model, external_id, internal_id, hash, data, deleted_at, seq, created_seq, seen_run_id, provider_updated_at, updated_at";
const RUN_COLUMNS =
  "id, tenant_id, connection_id, model, trigger, mode, status, started_at, finished_at, fetched, inserted, updated, deleted, unchanged, failed, error, details";
const AUDIT_COLUMNS = "id, tenant_id, at, actor, action, connection_id, connector, details";
const EXPORT_COLUMN_LIST = [
  "id",
  "tenant_id",
  "name",
  "source",
  "params",
  "template",
  "columns",
  "format",
  "bom",
  "schedule",
  "destination_connection_id",
  "destination_folder_id",
  "mode",
  "filename",
  "next_run_at",
  "last_run_at",
  "last_success_at",
  "last_status",
  "last_error",
  "consecutive_failures",
  "file_id",
  "file_url",
  "claimed_by",
  "claimed_until",
  "created_at",
  "updated_at",
] as const;
const EXPORT_COLUMNS = EXPORT_COLUMN_LIST.join(", ");
const EXPORT_RUN_COLUMNS =
  "id, tenant_id, export_id, trigger, status, started_at, finished_at, row_count, byte_count, file_id, file_name, file_url, error, details";

/** One upsert after validation, ready to be sent. */
interface PreparedUpsert {
  externalId: string;
  hash: string;
  /** The caller's data: checked and serialized only if the record is written. */
  data: unknown;
  /** Position in `batch.upserts`, to name a bad value. */
  index: number;
  /** `undefined`: keep the stored host id. */
  internalId: string | null | undefined;
  /** ISO text; `undefined`: keep the stored one (a new record gets `null`). */
  providerUpdatedAt: string | null | undefined;
}

/**
 * The Patchbay {@link Store} on PostgreSQL: the same SQL runs on a PostgreSQL
 * server through `pg` and in process on PGlite.
 *
 * - Every tenant-scoped statement has the tenant id in its `WHERE` clause.
 * - `applyRecordBatch` is one transaction with a fixed number of set-based
 *   statements whatever the batch size (per-record values sent as arrays and
 *   zipped with `ROWS FROM (unnest(...), ...)`, the data as one `jsonb`
 *   array): one classifies the batch against the stored hashes and marks
 *   unchanged records as seen, one inserts new records, one updates changed
 *   ones, one applies tombstones, one saves the checkpoint. An unchanged
 *   record's data is never sent twice, and records a full run reports only
 *   as `seen` are logged as one array per batch in `record_seen`.
 * - The change feed `seq` comes from one sequence; writers of a connection's
 *   records hold a transaction-scoped advisory lock on (tenant, connection),
 *   so a connection's `seq`s commit in order and a reader paging with
 *   `listChanges` never skips a change that commits late.
 * - Leases and compare-and-swap are single statements on the database clock.
 * - Serialization failures, deadlocks and lost connections are retried where
 *   repeating is safe; everything else throws a `StorageError` whose message
 *   names the operation and the SQLSTATE, never a parameter value.
 *
 * Credentials and PKCE verifiers are stored as `bytea` exactly as sealed; the
 * store never decrypts them.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPatchbay, Vault } from "@patchbay/core";
 * import { PostgresStore } from "@patchbay/store-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresStore({ client: pool, schema: "patchbay" });
 * await store.init(); // applies pending migrations
 * const patchbay = createPatchbay({ connectors, store, vault: Vault.fromEnv() });
 * ```
 */
export class PostgresStore implements Store {
  /** The schema holding the tables. */
  readonly schema: string;
  readonly #db: Queryable;
  readonly #migrate: boolean;
  readonly #s: string;
  /** First half of the advisory-lock key of a connection's record writers. */
  readonly #recordLockSpace: number;
  readonly #sql: RecordStatements;
  #ready: Promise<void> | undefined;
  /** Where the last `markUnseenDeleted` call of a run stopped, so the next one starts there. */
  readonly #unseenCursor = new Map<string, string>();
  readonly #maintainStatistics: boolean;
  /** Records changed since the last `ANALYZE`, and how many more trigger the next one. */
  #changedSinceAnalyze = 0;
  #analyzeAfter = 1_000;

  /** @param options - see {@link PostgresStoreOptions}. */
  constructor(options: PostgresStoreOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`"options" must be an object with a "client"`);
    }
    this.schema = options.schema ?? DEFAULT_SCHEMA;
    this.#s = quoteSchema(this.schema);
    this.#db = toQueryable(options.client);
    this.#migrate = options.migrate ?? true;
    this.#maintainStatistics = options.maintainStatistics ?? false;
    this.#recordLockSpace = int4Key(`patchbay:records:${this.schema}`);
    this.#sql = recordStatements(this.#s);
  }

  /**
   * Apply pending migrations (unless created with `migrate: false`).
   * Idempotent, and safe when several processes start at once. Other methods
   * call it on first use, so calling it is optional; calling it at startup
   * surfaces a database problem early.
   *
   * @example
   * ```ts
   * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
   * await store.init(); // throws a StorageError now if the database is unreachable
   * ```
   */
  init(): Promise<void> {
    this.#ready ??= (async () => {
      if (this.#migrate) await migrate(this.#db, { schema: this.schema });
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw isPatchbayError(error) || error instanceof TypeError
        ? error
        : toStorageError("init", error);
    });
    return this.#ready;
  }

  /**
   * Release the database when the store created it (`postgresStore({ connectionString })`,
   * `pgliteStore()`); a pool or PGlite instance the host passed in is left alone.
   *
   * @example
   * ```ts
   * process.once("SIGTERM", () => void store.close());
   * ```
   */
  async close(): Promise<void> {
    this.#ready = undefined;
    await this.#db.close?.();
  }

  // ── connections ───────────────────────────────────────────────────────

  /** {@inheritDoc @patchbay/core!Store.createConnection} */
  async createConnection(input: NewConnection): Promise<StoredConnection> {
    requireString(input.id, "id");
    requireString(input.tenantId, "tenantId");
    requireString(input.connector, "connector");
    requireString(input.status, "status");
    const params = [
      input.id,
      input.tenantId,
      input.connector,
      input.status,
      optionalString(input.statusReason, "statusReason"),
      jsonObjectText(input.config ?? {}, "config"),
      jsonObjectText(input.metadata ?? {}, "metadata"),
      fieldMappingsText(input.fieldMappings ?? {}, "fieldMappings"),
      input.credentials === null ? null : bytesParam(input.credentials, "credentials"),
    ];
    const { rows } = await this.#query(
      "createConnection",
      ONCE,
      `INSERT INTO ${this.#s}.connections
         (id, tenant_id, connector, status, status_reason, config, metadata, field_mappings,
          credentials, credentials_version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::bytea, 1, now(), now())
       RETURNING ${CONNECTION_COLUMNS}`,
      params,
      { "23505": `connection ${input.id} already exists` },
    );
    return connectionFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.getConnection} */
  async getConnection(tenantId: string, id: string): Promise<StoredConnection | null> {
    const { rows } = await this.#query(
      "getConnection",
      IDEMPOTENT,
      `SELECT ${CONNECTION_COLUMNS} FROM ${this.#s}.connections WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : connectionFromRow(rows[0]!);
  }

  /**
   * The tenant's connections, oldest first.
   *
   * An empty `status` array matches no connection.
   */
  async listConnections(
    tenantId: string,
    filter: { connector?: string; status?: ConnectionStatus[] } = {},
  ): Promise<StoredConnection[]> {
    if (filter.status !== undefined && !Array.isArray(filter.status)) {
      throw new TypeError(`"status" must be an array of statuses`);
    }
    const { rows } = await this.#query(
      "listConnections",
      IDEMPOTENT,
      `SELECT ${CONNECTION_COLUMNS} FROM ${this.#s}.connections
       WHERE tenant_id = $1
         AND ($2::text IS NULL OR connector = $2::text)
         AND ($3::text[] IS NULL OR status = ANY($3::text[]))
       ORDER BY created_at, position`,
      [tenantId, filter.connector ?? null, filter.status ?? null],
    );
    return rows.map(connectionFromRow);
  }

  /** {@inheritDoc @patchbay/core!Store.updateConnection} */
  async updateConnection(
    tenantId: string,
    id: string,
    patch: ConnectionPatch,
  ): Promise<StoredConnection> {
    const params: unknown[] = [tenantId, id];
    const sets: string[] = [];
    const set = (column: string, value: unknown, cast = "") => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (patch.status !== undefined) {
      requireString(patch.status, "status");
      set("status", patch.status);
    }
    if (patch.statusReason !== undefined) {
      set("status_reason", optionalString(patch.statusReason, "statusReason"));
    }
    if (patch.config !== undefined)
      set("config", jsonObjectText(patch.config, "config"), "::jsonb");
    if (patch.metadata !== undefined) {
      set("metadata", jsonObjectText(patch.metadata, "metadata"), "::jsonb");
    }
    if (patch.fieldMappings !== undefined) {
      set("field_mappings", fieldMappingsText(patch.fieldMappings, "fieldMappings"), "::jsonb");
    }
    sets.push("updated_at = GREATEST(now(), updated_at)");
    const { rows } = await this.#query(
      "updateConnection",
      IDEMPOTENT,
      `UPDATE ${this.#s}.connections SET ${sets.join(", ")}
       WHERE tenant_id = $1 AND id = $2
       RETURNING ${CONNECTION_COLUMNS}`,
      params,
    );
    if (rows.length === 0) {
      throw new NotFoundError(`connection ${id} not found for tenant ${tenantId}`);
    }
    return connectionFromRow(rows[0]!);
  }

  /**
   * Replace the sealed credentials only if `credentialsVersion` still equals
   * `expectedVersion`; bumps the version. Returns `null` when another writer
   * won (or the connection is gone).
   *
   * One conditional `UPDATE`.
   */
  async swapCredentials(
    tenantId: string,
    id: string,
    expectedVersion: number,
    credentials: Uint8Array | null,
  ): Promise<StoredConnection | null> {
    checkCount(expectedVersion, "expectedVersion");
    const { rows } = await this.#query(
      "swapCredentials",
      ONCE,
      `UPDATE ${this.#s}.connections
       SET credentials = $4::bytea, credentials_version = credentials_version + 1,
           updated_at = GREATEST(now(), updated_at)
       WHERE tenant_id = $1 AND id = $2 AND credentials_version = $3
       RETURNING ${CONNECTION_COLUMNS}`,
      [
        tenantId,
        id,
        expectedVersion,
        credentials === null ? null : bytesParam(credentials, "credentials"),
      ],
    );
    return rows.length === 0 ? null : connectionFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.deleteConnection} */
  async deleteConnection(tenantId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.#query(
      "deleteConnection",
      ONCE,
      `DELETE FROM ${this.#s}.connections WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rowCount > 0;
  }

  /**
   * Cross-tenant scan in id order, for key rotation and maintenance.
   *
   * Byte order of the ids: `COLLATE "C"`.
   */
  async scanConnections(options: { after?: string; limit: number }): Promise<StoredConnection[]> {
    const limit = checkLimit(options.limit);
    const { rows } =
      options.after === undefined
        ? await this.#query(
            "scanConnections",
            IDEMPOTENT,
            `SELECT ${CONNECTION_COLUMNS} FROM ${this.#s}.connections ORDER BY id LIMIT $1`,
            [limit],
          )
        : await this.#query(
            "scanConnections",
            IDEMPOTENT,
            `SELECT ${CONNECTION_COLUMNS} FROM ${this.#s}.connections WHERE id > $1 ORDER BY id LIMIT $2`,
            [options.after, limit],
          );
    return rows.map(connectionFromRow);
  }

  /**
   * Cross-tenant, for webhook routing: connections of `connector` whose
   * metadata has every given key with exactly the given string value (e.g.
   * `{ baseId: "app123" }`), excluding `disconnected` ones. Oldest first.
   *
   * JSONB containment (`metadata @> $2`, GIN-indexed): a value matches only
   * when it is the same string, so the number `123` does not match `"123"`,
   * and a key nested deeper does not match a top-level one.
   */
  async findConnections(
    connector: string,
    metadata: Record<string, string>,
  ): Promise<StoredConnection[]> {
    requireString(connector, "connector");
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new TypeError(`"metadata" must be an object of strings`);
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") throw new TypeError(`"metadata.${key}" must be a string`);
    }
    const { rows } = await this.#query(
      "findConnections",
      IDEMPOTENT,
      `SELECT ${CONNECTION_COLUMNS} FROM ${this.#s}.connections
       WHERE connector = $1 AND status <> 'disconnected' AND metadata @> $2::jsonb
       ORDER BY created_at, position`,
      [connector, JSON.stringify(metadata)],
    );
    return rows.map(connectionFromRow);
  }

  // ── OAuth sessions ───────────────────────────────────────────────────

  /**
   * Save a pending OAuth session, keyed by its `state`.
   *
   * States are unique across tenants; a duplicate throws `StorageError`.
   */
  async createOAuthSession(session: OAuthSession): Promise<void> {
    requireString(session.state, "state");
    requireString(session.tenantId, "tenantId");
    requireString(session.connector, "connector");
    if (
      !Array.isArray(session.scopes) ||
      !session.scopes.every((scope) => typeof scope === "string")
    ) {
      throw new TypeError(`"scopes" must be an array of strings`);
    }
    await this.#query(
      "createOAuthSession",
      ONCE,
      `INSERT INTO ${this.#s}.oauth_sessions (${SESSION_COLUMNS})
       VALUES ($1, $2, $3, $4::bytea, $5, $6::jsonb, $7::jsonb, $8::timestamptz, $9::timestamptz)`,
      [
        session.state,
        session.tenantId,
        session.connector,
        bytesParam(session.sealedVerifier, "sealedVerifier"),
        session.redirectUri,
        JSON.stringify(session.scopes),
        jsonObjectText(session.data, "data"),
        dateText(session.createdAt, "createdAt"),
        dateText(session.expiresAt, "expiresAt"),
      ],
      { "23505": "an OAuth session with this state already exists" },
    );
  }

  /**
   * Atomically remove and return the session for this tenant and state. Returns
   * `null` when unknown, already taken, or owned by another tenant (in which
   * case it is left in place). Expiry is the caller's check.
   *
   * `DELETE ... RETURNING`: one taker wins.
   */
  async takeOAuthSession(tenantId: string, state: string): Promise<OAuthSession | null> {
    const { rows } = await this.#query(
      "takeOAuthSession",
      ONCE,
      `DELETE FROM ${this.#s}.oauth_sessions WHERE tenant_id = $1 AND state = $2
       RETURNING ${SESSION_COLUMNS}`,
      [tenantId, state],
    );
    return rows.length === 0 ? null : sessionFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.deleteExpiredOAuthSessions} */
  async deleteExpiredOAuthSessions(now: Date): Promise<number> {
    const { rowCount } = await this.#query(
      "deleteExpiredOAuthSessions",
      ONCE,
      `DELETE FROM ${this.#s}.oauth_sessions WHERE expires_at < $1::timestamptz`,
      [dateText(now, "now")],
    );
    return rowCount;
  }

  // ── sync state ───────────────────────────────────────────────────────

  /** {@inheritDoc @patchbay/core!Store.getSyncState} */
  async getSyncState(
    tenantId: string,
    connectionId: string,
    model: string,
  ): Promise<SyncState | null> {
    const { rows } = await this.#query(
      "getSyncState",
      IDEMPOTENT,
      `SELECT ${STATE_COLUMNS} FROM ${this.#s}.sync_states
       WHERE tenant_id = $1 AND connection_id = $2 AND model = $3`,
      [tenantId, connectionId, model],
    );
    return rows.length === 0 ? null : stateFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.putSyncState} */
  async putSyncState(state: SyncState): Promise<void> {
    requireString(state.tenantId, "tenantId");
    requireString(state.connectionId, "connectionId");
    requireString(state.model, "model");
    const params = [
      state.tenantId,
      state.connectionId,
      state.model,
      jsonText(state.cursor, "cursor"),
      jsonText(state.checkpoint, "checkpoint"),
      optionalString(state.activeRunId, "activeRunId"),
      state.schedule === null ? null : jsonObjectText(state.schedule, "schedule"),
      optionalDateText(state.nextRunAt, "nextRunAt"),
      optionalDateText(state.lastRunAt, "lastRunAt"),
      optionalDateText(state.lastSuccessAt, "lastSuccessAt"),
      optionalString(state.lastStatus, "lastStatus"),
      optionalString(state.lastError, "lastError"),
      checkCount(state.consecutiveFailures, "consecutiveFailures"),
      checkCount(state.runsSinceFull, "runsSinceFull"),
      dateText(state.updatedAt, "updatedAt"),
    ];
    await this.#query(
      "putSyncState",
      IDEMPOTENT,
      `INSERT INTO ${this.#s}.sync_states (${STATE_COLUMNS})
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7::jsonb, $8::timestamptz, $9::timestamptz,
               $10::timestamptz, $11, $12, $13, $14, $15::timestamptz)
       ON CONFLICT (tenant_id, connection_id, model) DO UPDATE SET
         cursor = EXCLUDED.cursor, checkpoint = EXCLUDED.checkpoint,
         active_run_id = EXCLUDED.active_run_id, schedule = EXCLUDED.schedule,
         next_run_at = EXCLUDED.next_run_at, last_run_at = EXCLUDED.last_run_at,
         last_success_at = EXCLUDED.last_success_at, last_status = EXCLUDED.last_status,
         last_error = EXCLUDED.last_error, consecutive_failures = EXCLUDED.consecutive_failures,
         runs_since_full = EXCLUDED.runs_since_full, updated_at = EXCLUDED.updated_at`,
      params,
    );
  }

  /**
   * The sync states of every model of a connection.
   *
   * Ordered by model name.
   */
  async listSyncStates(tenantId: string, connectionId: string): Promise<SyncState[]> {
    const { rows } = await this.#query(
      "listSyncStates",
      IDEMPOTENT,
      `SELECT ${STATE_COLUMNS} FROM ${this.#s}.sync_states
       WHERE tenant_id = $1 AND connection_id = $2 ORDER BY model`,
      [tenantId, connectionId],
    );
    return rows.map(stateFromRow);
  }

  /**
   * Cross-tenant: states whose `nextRunAt` is at or before `now`, soonest
   * first.
   *
   * A range scan of a partial index on `next_run_at`.
   */
  async listDueSyncStates(now: Date, limit: number): Promise<SyncState[]> {
    const { rows } = await this.#query(
      "listDueSyncStates",
      IDEMPOTENT,
      `SELECT ${STATE_COLUMNS} FROM ${this.#s}.sync_states
       WHERE next_run_at <= $1::timestamptz ORDER BY next_run_at LIMIT $2`,
      [dateText(now, "now"), checkLimit(limit)],
    );
    return rows.map(stateFromRow);
  }

  // ── records ──────────────────────────────────────────────────────────

  /**
   * Apply a batch atomically (records + checkpoint). See {@link RecordBatch}.
   *
   * Validates the batch before sending anything (a `TypeError` names the
   * first bad value), then runs one transaction: the connection's advisory
   * lock, then a fixed number of set-based statements whatever the batch
   * size. `seen` ids become one `record_seen` row; a batch of nothing but
   * `seen` ids is one statement (that row and the checkpoint), without the lock.
   * A record's data is checked and serialized only when the record is
   * written (an unchanged record's data is never needed): a value that is
   * not JSON throws the same `TypeError` from inside the transaction, which
   * rolls back. The data is read then, so do not change it before the call
   * resolves. Duplicate external ids: the last one wins, counted once.
   * Upserts are applied before tombstones. A silently inserted record gets
   * `seq` 0 and enters the change feed with its first non-silent change.
   */
  async applyRecordBatch(tenantId: string, batch: RecordBatch): Promise<BatchResult> {
    requireString(tenantId, "tenantId");
    requireString(batch.connectionId, "connectionId");
    requireString(batch.model, "model");
    requireString(batch.runId, "runId");
    const now = dateText(batch.now, "now");
    if (!Array.isArray(batch.upserts)) throw new TypeError(`"upserts" must be an array`);
    if (!Array.isArray(batch.deletes)) throw new TypeError(`"deletes" must be an array`);
    const upserts = new Map<string, PreparedUpsert>();
    for (let index = 0; index < batch.upserts.length; index++) {
      const upsert = batch.upserts[index]!;
      const where = `upserts[${index}]`;
      requireString(upsert.externalId, `${where}.externalId`);
      if (typeof upsert.hash !== "string") throw new TypeError(`"${where}.hash" must be a string`);
      if (upsert.internalId != null && typeof upsert.internalId !== "string") {
        throw new TypeError(`"${where}.internalId" must be a string or null`);
      }
      upserts.set(upsert.externalId, {
        externalId: upsert.externalId,
        hash: upsert.hash,
        data: upsert.data,
        index,
        internalId: upsert.internalId,
        providerUpdatedAt:
          upsert.providerUpdatedAt == null
            ? upsert.providerUpdatedAt
            : dateText(upsert.providerUpdatedAt, `${where}.providerUpdatedAt`),
      });
    }
    for (let index = 0; index < batch.deletes.length; index++) {
      requireString(batch.deletes[index], `deletes[${index}]`);
    }
    const deletes = [...new Set(batch.deletes)];
    const seen = batch.seen ?? [];
    if (!Array.isArray(seen)) throw new TypeError(`"seen" must be an array`);
    for (let index = 0; index < seen.length; index++) {
      requireString(seen[index], `seen[${index}]`);
    }
    const checkpoint = batch.checkpoint;
    const cursor =
      checkpoint?.cursor === undefined
        ? undefined
        : jsonText(checkpoint.cursor, "checkpoint.cursor");
    const resumePoint =
      checkpoint?.checkpoint === undefined
        ? undefined
        : jsonText(checkpoint.checkpoint, "checkpoint.checkpoint");
    const activeRunId = checkpoint?.activeRunId;
    if (activeRunId != null && typeof activeRunId !== "string") {
      throw new TypeError(`"checkpoint.activeRunId" must be a string or null`);
    }
    const silent = batch.silent === true;
    const key = [tenantId, batch.connectionId, batch.model] as const;

    if (
      upserts.size === 0 &&
      deletes.length === 0 &&
      seen.length > 0 &&
      activeRunId === undefined
    ) {
      // Only seen-marks (a re-sync's batch of unchanged records): one
      // statement, atomic on its own, without the records lock (it writes no
      // record and draws no seq); committed like `checkpointUnchanged`.
      if (checkpoint) {
        await this.#query("applyRecordBatch", IDEMPOTENT, this.#sql.seenCheckpoint, [
          ...key,
          cursor !== undefined,
          cursor ?? null,
          resumePoint !== undefined,
          resumePoint ?? null,
          false,
          null,
          now,
          batch.runId,
          seen,
        ]);
      } else {
        await this.#query("applyRecordBatch", IDEMPOTENT, this.#sql.logSeen, [
          ...key,
          batch.runId,
          seen,
        ]);
      }
      return { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    }

    const result = await this.#transaction(
      "applyRecordBatch",
      // A unique violation means a concurrent insert slipped in before ours:
      // the repeated transaction classifies that record as existing.
      { idempotent: false, retryOn: ["23505"] },
      async (tx) => {
        await this.#lockRecords(tx, tenantId, batch.connectionId);
        const result: BatchResult = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
        const inserts: PreparedUpsert[] = [];
        const updates: PreparedUpsert[] = [];
        if (upserts.size > 0) {
          const list = [...upserts.values()];
          const hostIds = list.some((u) => u.internalId !== undefined);
          const { rows } = await tx.query<{
            fresh: string[] | null;
            changed: string[] | null;
            returning: string[] | null;
          }>(hostIds ? this.#sql.classifyWithHostIds : this.#sql.classify, [
            ...key,
            batch.runId,
            list.map((u) => u.externalId),
            list.map((u) => u.hash),
            list.map((u) => u.internalId ?? null),
            list.map((u) => u.internalId !== undefined),
          ]);
          const fresh = new Set(rows[0]?.fresh ?? []);
          const changed = new Set(rows[0]?.changed ?? []);
          const returning = new Set(rows[0]?.returning ?? []);
          for (const upsert of list) {
            if (fresh.has(upsert.externalId)) {
              inserts.push(upsert);
              result.inserted++;
            } else if (changed.has(upsert.externalId)) {
              updates.push(upsert);
              result.updated++;
            } else if (returning.has(upsert.externalId)) {
              updates.push(upsert);
              result.inserted++;
            } else {
              result.unchanged++;
            }
          }
        }
        if (inserts.length > 0) {
          await tx.query(silent ? this.#sql.insertSilent : this.#sql.insert, [
            ...key,
            batch.runId,
            now,
            inserts.map((u) => u.externalId),
            inserts.map((u) => u.hash),
            jsonArray(inserts),
            inserts.map((u) => u.internalId ?? null),
            inserts.map((u) => u.providerUpdatedAt ?? null),
          ]);
        }
        if (updates.length > 0) {
          await tx.query(silent ? this.#sql.updateSilent : this.#sql.update, [
            ...key,
            batch.runId,
            now,
            updates.map((u) => u.externalId),
            updates.map((u) => u.hash),
            jsonArray(updates),
            updates.map((u) => u.internalId ?? null),
            updates.map((u) => u.internalId !== undefined),
            updates.map((u) => u.providerUpdatedAt ?? null),
            updates.map((u) => u.providerUpdatedAt !== undefined),
          ]);
        }
        if (deletes.length > 0) {
          const { rowCount } = await tx.query(
            silent ? this.#sql.tombstoneSilent : this.#sql.tombstone,
            [...key, now, deletes],
          );
          result.deleted = rowCount;
        }
        if (seen.length > 0) {
          await tx.query(this.#sql.logSeen, [...key, batch.runId, seen]);
        }
        if (activeRunId !== undefined) {
          // Another pass of the model starts (or the pass ends): the
          // seen-marks of earlier runs can no longer be asked for.
          await tx.query(this.#sql.dropSeen, [...key, batch.runId, activeRunId]);
        }
        if (checkpoint) {
          // A batch that only marked records as seen (a re-sync) commits
          // without waiting for the WAL flush; see `checkpointUnchanged`.
          const unchanged =
            (upserts.size > 0 || seen.length > 0) &&
            inserts.length === 0 &&
            updates.length === 0 &&
            deletes.length === 0 &&
            ![...upserts.values()].some((u) => u.internalId !== undefined);
          await tx.query(unchanged ? this.#sql.checkpointUnchanged : this.#sql.checkpoint, [
            ...key,
            cursor !== undefined,
            cursor ?? null,
            resumePoint !== undefined,
            resumePoint ?? null,
            activeRunId !== undefined,
            activeRunId ?? null,
            now,
          ]);
        }
        return result;
      },
    );
    await this.#noteChanges(result.inserted + result.updated + result.deleted);
    return result;
  }

  /** {@inheritDoc @patchbay/core!Store.getRecord} */
  async getRecord(
    tenantId: string,
    connectionId: string,
    model: string,
    externalId: string,
  ): Promise<StoredRecord | null> {
    const { rows } = await this.#query(
      "getRecord",
      IDEMPOTENT,
      `SELECT ${RECORD_COLUMNS} FROM ${this.#s}.records
       WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND external_id = $4`,
      [tenantId, connectionId, model, externalId],
    );
    return rows.length === 0 ? null : recordFromRow(rows[0]!);
  }

  /**
   * The record with this host id (deleted ones included), or `null` when none
   * has it.
   *
   * Deleted records are returned too (with `deletedAt` set). Should two
   * records carry the same internal id, the one that got it last is returned.
   */
  async getRecordByInternalId(
    tenantId: string,
    connectionId: string,
    model: string,
    internalId: string,
  ): Promise<StoredRecord | null> {
    const { rows } = await this.#query(
      "getRecordByInternalId",
      IDEMPOTENT,
      `SELECT ${RECORD_COLUMNS} FROM ${this.#s}.records
       WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND internal_id = $4
       ORDER BY internal_id_order DESC NULLS LAST LIMIT 1`,
      [tenantId, connectionId, model, internalId],
    );
    return rows.length === 0 ? null : recordFromRow(rows[0]!);
  }

  /**
   * Set the host id of a record; returns `false` when the record does not
   * exist.
   *
   * The host id is not provider data: `seq` and `updatedAt` do not change.
   */
  async setInternalId(
    tenantId: string,
    connectionId: string,
    model: string,
    externalId: string,
    internalId: string | null,
  ): Promise<boolean> {
    const params = [
      tenantId,
      connectionId,
      model,
      externalId,
      optionalString(internalId, "internalId"),
    ];
    // Under the connection's lock, like every writer of records (a batch in
    // flight updates rows by the TIDs it read).
    return this.#transaction("setInternalId", IDEMPOTENT, async (tx) => {
      await this.#lockRecords(tx, tenantId, connectionId);
      const { rowCount } = await tx.query(
        `UPDATE ${this.#s}.records SET
           internal_id = $5::text,
           internal_id_order = CASE
             WHEN $5::text IS NULL THEN NULL
             WHEN internal_id IS DISTINCT FROM $5::text THEN nextval('${this.#s}.internal_id_seq')
             ELSE internal_id_order END
         WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND external_id = $4`,
        params,
      );
      return rowCount > 0;
    });
  }

  /**
   * Current records in external-id order, paged by `afterExternalId`. Deleted
   * ones only if asked.
   *
   * Byte order of the external ids: `COLLATE "C"`, the primary key's order.
   */
  async listRecords(
    tenantId: string,
    options: {
      connectionId: string;
      model: string;
      afterExternalId?: string;
      limit: number;
      includeDeleted?: boolean;
    },
  ): Promise<StoredRecord[]> {
    const limit = checkLimit(options.limit);
    const { rows } = await this.#query(
      "listRecords",
      IDEMPOTENT,
      `SELECT ${RECORD_COLUMNS} FROM ${this.#s}.records
       WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND external_id > $4
         AND ($5::boolean OR deleted_at IS NULL)
       ORDER BY external_id LIMIT $6`,
      [
        tenantId,
        options.connectionId,
        options.model,
        options.afterExternalId ?? "",
        options.includeDeleted === true,
        limit,
      ],
    );
    return rows.map(recordFromRow);
  }

  /**
   * The external id and hash of the model's live records (deleted ones are left
   * out), in external-id order (the byte order of `listRecords`), paged by
   * `afterExternalId`: what a full run compares provider records with, so
   * unchanged ones are only reported as `seen` in {@link RecordBatch}.
   *
   * A walk of the primary key (`COLLATE "C"` order), whatever the statistics say.
   */
  async listRecordHashes(
    tenantId: string,
    options: { connectionId: string; model: string; afterExternalId?: string; limit: number },
  ): Promise<Array<{ externalId: string; hash: string }>> {
    const limit = checkLimit(options.limit);
    if (limit === 0) return [];
    const { rows } = await this.#transaction("listRecordHashes", IDEMPOTENT, async (tx) => {
      await tx.query("SELECT set_config('enable_seqscan', 'off', true)");
      return tx.query<{ ids: string | null; hashes: string | null }>(this.#sql.hashes, [
        tenantId,
        options.connectionId,
        options.model,
        options.afterExternalId ?? "",
        limit,
      ]);
    });
    const ids = JSON.parse(rows[0]?.ids ?? "[]") as string[];
    const hashes = JSON.parse(rows[0]?.hashes ?? "[]") as string[];
    return ids.map((externalId, i) => ({ externalId, hash: hashes[i]! }));
  }

  /**
   * The stored hashes of the given live records: one index probe per id on
   * the records' primary key, whatever the table's statistics say.
   */
  async getRecordHashes(
    tenantId: string,
    options: { connectionId: string; model: string; externalIds: readonly string[] },
  ): Promise<Array<{ externalId: string; hash: string }>> {
    const externalIds = checkExternalIds(options.externalIds);
    if (externalIds.length === 0) return [];
    const { rows } = await this.#query<{ ids: string | null; hashes: string | null }>(
      "getRecordHashes",
      IDEMPOTENT,
      this.#sql.hashesOf,
      [tenantId, options.connectionId, options.model, [...new Set(externalIds)]],
    );
    const ids = JSON.parse(rows[0]?.ids ?? "[]") as string[];
    const hashes = JSON.parse(rows[0]?.hashes ?? "[]") as string[];
    return ids.map((externalId, i) => ({ externalId, hash: hashes[i]! }));
  }

  /**
   * The change feed: records whose `seq` is greater than `after`, in `seq`
   * order.
   *
   * An index range scan on `(tenant_id, connection_id, seq)`.
   */
  async listChanges(
    tenantId: string,
    options: { connectionId: string; model?: string; after: number; limit: number },
  ): Promise<StoredRecord[]> {
    const limit = checkLimit(options.limit);
    if (typeof options.after !== "number" || Number.isNaN(options.after)) {
      throw new TypeError(`"after" must be a number`);
    }
    const after = Math.max(0, Math.floor(options.after));
    const { rows } =
      options.model === undefined
        ? await this.#query(
            "listChanges",
            IDEMPOTENT,
            `SELECT ${RECORD_COLUMNS} FROM ${this.#s}.records
             WHERE tenant_id = $1 AND connection_id = $2 AND seq > $3::bigint AND seq > 0
             ORDER BY seq LIMIT $4`,
            [tenantId, options.connectionId, after, limit],
          )
        : await this.#query(
            "listChanges",
            IDEMPOTENT,
            `SELECT ${RECORD_COLUMNS} FROM ${this.#s}.records
             WHERE tenant_id = $1 AND connection_id = $2 AND seq > $3::bigint AND seq > 0
               AND model = $5
             ORDER BY seq LIMIT $4`,
            [tenantId, options.connectionId, after, limit, options.model],
          );
    return rows.map(recordFromRow);
  }

  /**
   * After a complete full run: mark up to `limit` live records of the model
   * that `runId` did not see (neither upserted nor reported `seen` by its
   * batches) as deleted (bumping their `seq`). Returns how many were marked;
   * call again until it returns less than `limit`.
   *
   * One `UPDATE` per call under the connection's advisory lock, in
   * external-id order; each call of a run starts where the previous one
   * stopped (then wraps around to the start), so deleting many records does
   * not rescan the ones already marked.
   */
  async markUnseenDeleted(
    tenantId: string,
    options: { connectionId: string; model: string; runId: string; limit: number; now: Date },
  ): Promise<number> {
    const limit = checkLimit(options.limit);
    const now = dateText(options.now, "now");
    requireString(options.runId, "runId");
    const cacheKey = JSON.stringify([tenantId, options.connectionId, options.model, options.runId]);
    const start = this.#unseenCursor.get(cacheKey) ?? "";
    const key = [tenantId, options.connectionId, options.model, options.runId] as const;
    const { marked, last, logged } = await this.#transaction(
      "markUnseenDeleted",
      ONCE,
      async (tx) => {
        await this.#lockRecords(tx, tenantId, options.connectionId);
        const { rows: found } = await tx.query<{ logged: boolean }>(this.#sql.hasSeen, [...key]);
        const logged = found[0]?.logged === true;
        if (logged) {
          // The run's seen-marks are in record_seen: one anti-join against
          // all of them, hashed (a nested loop over them would be quadratic).
          await tx.query(
            "SELECT set_config('enable_hashjoin', 'on', true), set_config('enable_nestloop', 'off', true)",
          );
        }
        const { rows } = await tx.query<{ marked: unknown; last: string | null }>(
          logged ? this.#sql.markUnseenLogged : this.#sql.markUnseen,
          logged ? [...key, limit, now] : [...key, start, limit, now],
        );
        return { marked: toNumber(rows[0]?.marked ?? 0), last: rows[0]?.last ?? null, logged };
      },
    );
    this.#unseenCursor.delete(cacheKey);
    await this.#noteChanges(marked);
    if (logged && marked >= limit) {
      // Many deletes: fold the seen-marks into the records, so the next calls
      // walk on from here without a pass over all the marks each.
      await this.#foldSeen(tenantId, options.connectionId, options.model, options.runId);
    }
    if (marked >= limit && last !== null) {
      if (this.#unseenCursor.size >= 256) {
        const oldest = this.#unseenCursor.keys().next().value;
        if (oldest !== undefined) this.#unseenCursor.delete(oldest);
      }
      this.#unseenCursor.set(cacheKey, last);
    }
    return marked;
  }

  /**
   * Remove a connection's records, sync states and runs (data rights,
   * disconnect with purge).
   *
   * One transaction.
   */
  async purgeConnectionData(tenantId: string, connectionId: string): Promise<void> {
    await this.#transaction("purgeConnectionData", IDEMPOTENT, async (tx) => {
      await this.#lockRecords(tx, tenantId, connectionId);
      for (const table of ["records", "record_seen", "sync_states", "sync_runs"]) {
        await tx.query(
          `DELETE FROM ${this.#s}.${table} WHERE tenant_id = $1 AND connection_id = $2`,
          [tenantId, connectionId],
        );
      }
    });
  }

  // ── sync runs ────────────────────────────────────────────────────────

  /**
   * Insert a sync run.
   *
   * Throws `StorageError` on a duplicate id.
   */
  async createSyncRun(run: SyncRun): Promise<void> {
    requireString(run.id, "id");
    requireString(run.tenantId, "tenantId");
    requireString(run.connectionId, "connectionId");
    requireString(run.model, "model");
    await this.#query(
      "createSyncRun",
      ONCE,
      `INSERT INTO ${this.#s}.sync_runs (${RUN_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz,
               $10, $11, $12, $13, $14, $15, $16, $17::jsonb)`,
      [
        run.id,
        run.tenantId,
        run.connectionId,
        run.model,
        run.trigger,
        run.mode,
        run.status,
        dateText(run.startedAt, "startedAt"),
        optionalDateText(run.finishedAt, "finishedAt"),
        checkCount(run.fetched, "fetched"),
        checkCount(run.inserted, "inserted"),
        checkCount(run.updated, "updated"),
        checkCount(run.deleted, "deleted"),
        checkCount(run.unchanged, "unchanged"),
        checkCount(run.failed, "failed"),
        optionalString(run.error, "error"),
        jsonObjectText(run.details, "details"),
      ],
      { "23505": `sync run ${run.id} already exists` },
    );
  }

  /** {@inheritDoc @patchbay/core!Store.updateSyncRun} */
  async updateSyncRun(tenantId: string, id: string, patch: SyncRunPatch): Promise<SyncRun> {
    const params: unknown[] = [tenantId, id];
    const sets: string[] = [];
    const set = (column: string, value: unknown, cast = "") => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (patch.status !== undefined) set("status", patch.status);
    if (patch.finishedAt !== undefined) {
      set("finished_at", optionalDateText(patch.finishedAt, "finishedAt"), "::timestamptz");
    }
    for (const field of [
      "fetched",
      "inserted",
      "updated",
      "deleted",
      "unchanged",
      "failed",
    ] as const) {
      if (patch[field] !== undefined) set(field, checkCount(patch[field], field));
    }
    if (patch.error !== undefined) set("error", optionalString(patch.error, "error"));
    if (patch.details !== undefined) {
      set("details", jsonObjectText(patch.details, "details"), "::jsonb");
    }
    const { rows } =
      sets.length === 0
        ? await this.#query(
            "updateSyncRun",
            IDEMPOTENT,
            `SELECT ${RUN_COLUMNS} FROM ${this.#s}.sync_runs WHERE tenant_id = $1 AND id = $2`,
            params,
          )
        : await this.#query(
            "updateSyncRun",
            IDEMPOTENT,
            `UPDATE ${this.#s}.sync_runs SET ${sets.join(", ")}
             WHERE tenant_id = $1 AND id = $2 RETURNING ${RUN_COLUMNS}`,
            params,
          );
    if (rows.length === 0)
      throw new NotFoundError(`sync run ${id} not found for tenant ${tenantId}`);
    return runFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.getSyncRun} */
  async getSyncRun(tenantId: string, id: string): Promise<SyncRun | null> {
    const { rows } = await this.#query(
      "getSyncRun",
      IDEMPOTENT,
      `SELECT ${RUN_COLUMNS} FROM ${this.#s}.sync_runs WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : runFromRow(rows[0]!);
  }

  /**
   * Newest first.
   *
   * Runs started in the same instant: last created first.
   */
  async listSyncRuns(
    tenantId: string,
    options: { connectionId?: string; model?: string; limit: number },
  ): Promise<SyncRun[]> {
    const params: unknown[] = [tenantId, checkLimit(options.limit)];
    let where = "tenant_id = $1";
    if (options.connectionId !== undefined) {
      params.push(options.connectionId);
      where += ` AND connection_id = $${params.length}`;
    }
    if (options.model !== undefined) {
      params.push(options.model);
      where += ` AND model = $${params.length}`;
    }
    const { rows } = await this.#query(
      "listSyncRuns",
      IDEMPOTENT,
      `SELECT ${RUN_COLUMNS} FROM ${this.#s}.sync_runs WHERE ${where}
       ORDER BY started_at DESC, position DESC LIMIT $2`,
      params,
    );
    return rows.map(runFromRow);
  }

  // ── audit and usage ─────────────────────────────────────────────────

  /**
   * Add an entry to the audit trail.
   *
   * Entry ids are unique across the store; a duplicate throws `StorageError`.
   */
  async appendAudit(entry: AuditEntry): Promise<void> {
    requireString(entry.id, "id");
    requireString(entry.tenantId, "tenantId");
    requireString(entry.action, "action");
    await this.#query(
      "appendAudit",
      ONCE,
      `INSERT INTO ${this.#s}.audit_entries (${AUDIT_COLUMNS})
       VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7, $8::jsonb)`,
      [
        entry.id,
        entry.tenantId,
        dateText(entry.at, "at"),
        optionalString(entry.actor, "actor"),
        entry.action,
        optionalString(entry.connectionId, "connectionId"),
        optionalString(entry.connector, "connector"),
        jsonObjectText(entry.details, "details"),
      ],
      { "23505": `audit entry ${entry.id} already exists` },
    );
  }

  /**
   * Newest first; `before` pages back in time.
   *
   * `before` is exclusive. Entries with the same `at`: last appended first.
   */
  async listAudit(
    tenantId: string,
    options: { connectionId?: string; action?: AuditAction; before?: Date; limit: number },
  ): Promise<AuditEntry[]> {
    const params: unknown[] = [tenantId, checkLimit(options.limit)];
    let where = "tenant_id = $1";
    if (options.connectionId !== undefined) {
      params.push(options.connectionId);
      where += ` AND connection_id = $${params.length}`;
    }
    if (options.action !== undefined) {
      params.push(options.action);
      where += ` AND action = $${params.length}`;
    }
    if (options.before !== undefined) {
      params.push(dateText(options.before, "before"));
      where += ` AND at < $${params.length}::timestamptz`;
    }
    const { rows } = await this.#query(
      "listAudit",
      IDEMPOTENT,
      `SELECT ${AUDIT_COLUMNS} FROM ${this.#s}.audit_entries WHERE ${where}
       ORDER BY at DESC, position DESC LIMIT $2`,
      params,
    );
    return rows.map(auditFromRow);
  }

  /**
   * Add to the tenant's counters for `period` (created at zero if missing).
   * Atomic under concurrency.
   *
   * One atomic upsert. Deltas must be integers (negative ones subtract).
   */
  async incrementUsage(
    tenantId: string,
    period: string,
    delta: Partial<UsageCounters>,
  ): Promise<void> {
    requireString(tenantId, "tenantId");
    requireString(period, "period");
    const records = delta.records === undefined ? 0 : checkCount(delta.records, "delta.records");
    const runs = delta.runs === undefined ? 0 : checkCount(delta.runs, "delta.runs");
    await this.#query(
      "incrementUsage",
      ONCE,
      `INSERT INTO ${this.#s}.usage_counters AS u (tenant_id, period, records, runs)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, period) DO UPDATE SET
         records = u.records + EXCLUDED.records, runs = u.runs + EXCLUDED.runs`,
      [tenantId, period, records, runs],
    );
  }

  /** {@inheritDoc @patchbay/core!Store.getUsage} */
  async getUsage(tenantId: string, period: string): Promise<UsageCounters> {
    const { rows } = await this.#query(
      "getUsage",
      IDEMPOTENT,
      `SELECT records, runs FROM ${this.#s}.usage_counters WHERE tenant_id = $1 AND period = $2`,
      [tenantId, period],
    );
    const row = rows[0];
    return row === undefined
      ? { records: 0, runs: 0 }
      : { records: toNumber(row.records), runs: toNumber(row.runs) };
  }

  // ── tenants ──────────────────────────────────────────────────────────

  /**
   * Remove everything stored for a tenant: connections, sessions, states,
   * records, runs, audit, usage, exports and export runs.
   *
   * One transaction over every table. Leases are not tenant data (their keys
   * are opaque) and are left alone.
   */
  async purgeTenant(tenantId: string): Promise<void> {
    requireString(tenantId, "tenantId");
    await this.#transaction("purgeTenant", IDEMPOTENT, async (tx) => {
      for (const table of [
        "records",
        "record_seen",
        "sync_states",
        "sync_runs",
        "oauth_sessions",
        "audit_entries",
        "usage_counters",
        "export_runs",
        "exports",
        "connections",
      ]) {
        await tx.query(`DELETE FROM ${this.#s}.${table} WHERE tenant_id = $1`, [tenantId]);
      }
    });
  }

  // ── exports ──────────────────────────────────────────────────────────

  /** {@inheritDoc @patchbay/core!Store.createExport} */
  async createExport(definition: ExportDefinition): Promise<void> {
    requireString(definition.id, "id");
    requireString(definition.tenantId, "tenantId");
    const values = exportValues(definition);
    const params = EXPORT_COLUMN_LIST.map((column) => values[column]);
    await this.#query(
      "createExport",
      ONCE,
      `INSERT INTO ${this.#s}.exports (${EXPORT_COLUMNS})
       VALUES (${EXPORT_COLUMN_LIST.map((column, i) => `$${i + 1}${EXPORT_CASTS[column] ?? ""}`).join(", ")})`,
      params,
      { "23505": `export ${definition.id} already exists` },
    );
  }

  /** {@inheritDoc @patchbay/core!Store.getExport} */
  async getExport(tenantId: string, id: string): Promise<ExportDefinition | null> {
    const { rows } = await this.#query(
      "getExport",
      IDEMPOTENT,
      `SELECT ${EXPORT_COLUMNS} FROM ${this.#s}.exports WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : exportFromRow(rows[0]!);
  }

  /**
   * The tenant's exports, oldest first; only those writing to `connectionId`
   * when given.
   *
   * Same creation time: creation order.
   */
  async listExports(
    tenantId: string,
    filter: { connectionId?: string } = {},
  ): Promise<ExportDefinition[]> {
    const params: unknown[] = [tenantId];
    let where = "tenant_id = $1";
    if (filter.connectionId !== undefined) {
      params.push(filter.connectionId);
      where += " AND destination_connection_id = $2";
    }
    const { rows } = await this.#query(
      "listExports",
      IDEMPOTENT,
      `SELECT ${EXPORT_COLUMNS} FROM ${this.#s}.exports WHERE ${where} ORDER BY created_at, position`,
      params,
    );
    return rows.map(exportFromRow);
  }

  /** {@inheritDoc @patchbay/core!Store.updateExport} */
  async updateExport(tenantId: string, id: string, patch: ExportPatch): Promise<ExportDefinition> {
    const params: unknown[] = [tenantId, id];
    const sets = exportSets(patch, params);
    const { rows } = await this.#query(
      "updateExport",
      IDEMPOTENT,
      sets.length === 0
        ? `SELECT ${EXPORT_COLUMNS} FROM ${this.#s}.exports WHERE tenant_id = $1 AND id = $2`
        : `UPDATE ${this.#s}.exports SET ${sets.join(", ")}
           WHERE tenant_id = $1 AND id = $2 RETURNING ${EXPORT_COLUMNS}`,
      params,
    );
    if (rows.length === 0) throw new NotFoundError(`export ${id} not found for tenant ${tenantId}`);
    return exportFromRow(rows[0]!);
  }

  /**
   * Remove the export and its runs; `false` when it did not exist for this
   * tenant.
   *
   * One transaction with its runs.
   */
  async deleteExport(tenantId: string, id: string): Promise<boolean> {
    return this.#transaction("deleteExport", IDEMPOTENT, async (tx) => {
      await tx.query(`DELETE FROM ${this.#s}.export_runs WHERE tenant_id = $1 AND export_id = $2`, [
        tenantId,
        id,
      ]);
      const { rowCount } = await tx.query(
        `DELETE FROM ${this.#s}.exports WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return rowCount > 0;
    });
  }

  /**
   * Cross-tenant, for the scheduler: atomically claim up to `limit` exports
   * whose `nextRunAt` is at or before `now` and whose claim is free, expired
   * (`claimedUntil <= now`) or already `holder`'s, setting `claimedBy` to
   * `holder` and `claimedUntil` to `now + ttlMs`. Two concurrent callers never
   * claim the same export. Returns the claimed exports, soonest first.
   *
   * One `UPDATE` over a `FOR UPDATE SKIP LOCKED` selection of the partial
   * index on `next_run_at`: concurrent callers claim disjoint exports.
   */
  async claimDueExports(
    now: Date,
    options: { holder: string; ttlMs: number; limit: number },
  ): Promise<ExportDefinition[]> {
    requireString(options.holder, "holder");
    const { rows } = await this.#query(
      "claimDueExports",
      ONCE,
      `UPDATE ${this.#s}.exports AS e
       SET claimed_by = $2, claimed_until = $1::timestamptz + $3::float8 * interval '1 millisecond'
       FROM (
         SELECT id FROM ${this.#s}.exports
         WHERE next_run_at <= $1::timestamptz
           AND (claimed_by IS NULL OR claimed_by = $2 OR claimed_until <= $1::timestamptz)
         ORDER BY next_run_at LIMIT $4
         FOR UPDATE SKIP LOCKED
       ) AS due
       WHERE e.id = due.id
       RETURNING ${EXPORT_COLUMN_LIST.map((c) => `e.${c}`).join(", ")}`,
      [dateText(now, "now"), options.holder, checkTtl(options.ttlMs), checkLimit(options.limit)],
    );
    return rows
      .map(exportFromRow)
      .sort((a, b) => (a.nextRunAt?.getTime() ?? 0) - (b.nextRunAt?.getTime() ?? 0));
  }

  /** {@inheritDoc @patchbay/core!Store.claimExport} */
  async claimExport(
    tenantId: string,
    id: string,
    options: { holder: string; ttlMs: number; now: Date },
  ): Promise<ExportDefinition | null> {
    requireString(options.holder, "holder");
    const { rows } = await this.#query(
      "claimExport",
      IDEMPOTENT,
      `UPDATE ${this.#s}.exports
       SET claimed_by = $3, claimed_until = $4::timestamptz + $5::float8 * interval '1 millisecond'
       WHERE tenant_id = $1 AND id = $2
         AND (claimed_by IS NULL OR claimed_by = $3 OR claimed_until <= $4::timestamptz)
       RETURNING ${EXPORT_COLUMNS}`,
      [tenantId, id, options.holder, dateText(options.now, "now"), checkTtl(options.ttlMs)],
    );
    return rows.length === 0 ? null : exportFromRow(rows[0]!);
  }

  /**
   * If `holder` still holds the export's claim: apply `patch` and clear the
   * claim, in one step. Returns the export, or `null` (nothing changed) when
   * the claim was lost or the export is gone.
   *
   * One conditional `UPDATE`.
   */
  async releaseExport(
    tenantId: string,
    id: string,
    holder: string,
    patch: ExportStatePatch,
  ): Promise<ExportDefinition | null> {
    requireString(holder, "holder");
    const params: unknown[] = [tenantId, id, holder];
    const sets = [...exportSets(patch, params), "claimed_by = NULL", "claimed_until = NULL"];
    const { rows } = await this.#query(
      "releaseExport",
      IDEMPOTENT,
      `UPDATE ${this.#s}.exports SET ${sets.join(", ")}
       WHERE tenant_id = $1 AND id = $2 AND claimed_by = $3 RETURNING ${EXPORT_COLUMNS}`,
      params,
    );
    return rows.length === 0 ? null : exportFromRow(rows[0]!);
  }

  /** {@inheritDoc @patchbay/core!Store.createExportRun} */
  async createExportRun(run: ExportRun): Promise<void> {
    requireString(run.id, "id");
    requireString(run.tenantId, "tenantId");
    requireString(run.exportId, "exportId");
    await this.#query(
      "createExportRun",
      ONCE,
      `INSERT INTO ${this.#s}.export_runs (${EXPORT_RUN_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8, $9, $10, $11, $12, $13, $14::jsonb)`,
      [
        run.id,
        run.tenantId,
        run.exportId,
        run.trigger,
        run.status,
        dateText(run.startedAt, "startedAt"),
        optionalDateText(run.finishedAt, "finishedAt"),
        checkCount(run.rows, "rows"),
        checkCount(run.bytes, "bytes"),
        optionalString(run.fileId, "fileId"),
        optionalString(run.fileName, "fileName"),
        optionalString(run.fileUrl, "fileUrl"),
        optionalString(run.error, "error"),
        jsonObjectText(run.details, "details"),
      ],
      { "23505": `export run ${run.id} already exists` },
    );
  }

  /** {@inheritDoc @patchbay/core!Store.updateExportRun} */
  async updateExportRun(tenantId: string, id: string, patch: ExportRunPatch): Promise<ExportRun> {
    const params: unknown[] = [tenantId, id];
    const sets: string[] = [];
    const set = (column: string, value: unknown, cast = "") => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (patch.status !== undefined) set("status", patch.status);
    if (patch.finishedAt !== undefined)
      set("finished_at", optionalDateText(patch.finishedAt, "finishedAt"), "::timestamptz");
    if (patch.rows !== undefined) set("row_count", checkCount(patch.rows, "rows"));
    if (patch.bytes !== undefined) set("byte_count", checkCount(patch.bytes, "bytes"));
    if (patch.fileId !== undefined) set("file_id", optionalString(patch.fileId, "fileId"));
    if (patch.fileName !== undefined) set("file_name", optionalString(patch.fileName, "fileName"));
    if (patch.fileUrl !== undefined) set("file_url", optionalString(patch.fileUrl, "fileUrl"));
    if (patch.error !== undefined) set("error", optionalString(patch.error, "error"));
    if (patch.details !== undefined)
      set("details", jsonObjectText(patch.details, "details"), "::jsonb");
    const { rows } = await this.#query(
      "updateExportRun",
      IDEMPOTENT,
      sets.length === 0
        ? `SELECT ${EXPORT_RUN_COLUMNS} FROM ${this.#s}.export_runs WHERE tenant_id = $1 AND id = $2`
        : `UPDATE ${this.#s}.export_runs SET ${sets.join(", ")}
           WHERE tenant_id = $1 AND id = $2 RETURNING ${EXPORT_RUN_COLUMNS}`,
      params,
    );
    if (rows.length === 0)
      throw new NotFoundError(`export run ${id} not found for tenant ${tenantId}`);
    return exportRunFromRow(rows[0]!);
  }

  /**
   * Newest first, of one export when `exportId` is given.
   *
   * Runs started in the same instant: last created first.
   */
  async listExportRuns(
    tenantId: string,
    options: { exportId?: string; limit: number },
  ): Promise<ExportRun[]> {
    const params: unknown[] = [tenantId, checkLimit(options.limit)];
    let where = "tenant_id = $1";
    if (options.exportId !== undefined) {
      params.push(options.exportId);
      where += " AND export_id = $3";
    }
    const { rows } = await this.#query(
      "listExportRuns",
      IDEMPOTENT,
      `SELECT ${EXPORT_RUN_COLUMNS} FROM ${this.#s}.export_runs WHERE ${where}
       ORDER BY started_at DESC, position DESC LIMIT $2`,
      params,
    );
    return rows.map(exportRunFromRow);
  }

  // ── leases ───────────────────────────────────────────────────────────

  /**
   * Take the lease `key` for `holder` for `ttlMs`. Succeeds when free, expired,
   * or already held by the same holder (which extends it).
   *
   * One `INSERT ... ON CONFLICT DO UPDATE ... WHERE` on the database clock
   * (`clock_timestamp()`), so processes with skewed clocks agree on expiry
   * and a crashed holder's lease is taken over once it expires.
   */
  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    requireString(key, "key");
    requireString(holder, "holder");
    const { rowCount } = await this.#query(
      "acquireLease",
      IDEMPOTENT,
      `INSERT INTO ${this.#s}.leases AS l (key, holder, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE l.expires_at <= clock_timestamp() OR l.holder = EXCLUDED.holder`,
      [key, holder, checkTtl(ttlMs)],
    );
    return rowCount > 0;
  }

  /**
   * Extend a lease still held by `holder`; `false` if it was lost.
   *
   * A lease whose ttl has run out counts as lost, even if nobody took it yet.
   */
  async renewLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.#query(
      "renewLease",
      IDEMPOTENT,
      `UPDATE ${this.#s}.leases SET expires_at = clock_timestamp() + $3::float8 * interval '1 millisecond'
       WHERE key = $1 AND holder = $2 AND expires_at > clock_timestamp()`,
      [key, holder, checkTtl(ttlMs)],
    );
    return rowCount > 0;
  }

  /** {@inheritDoc @patchbay/core!Store.releaseLease} */
  async releaseLease(key: string, holder: string): Promise<void> {
    await this.#query(
      "releaseLease",
      IDEMPOTENT,
      `DELETE FROM ${this.#s}.leases WHERE key = $1 AND holder = $2`,
      [key, holder],
    );
  }

  /**
   * Delete leases that expired more than `graceMs` ago (default one hour);
   * returns how many. Expired leases are harmless, but webhook delivery ids
   * are deduplicated with leases, so a busy host accumulates them: call this
   * from a daily maintenance job.
   *
   * @example
   * ```ts
   * setInterval(() => void store.deleteExpiredLeases(), 24 * 3600_000).unref();
   * ```
   */
  async deleteExpiredLeases(graceMs = 3_600_000): Promise<number> {
    if (!Number.isFinite(graceMs) || graceMs < 0) {
      throw new TypeError(`"graceMs" must be a non-negative number, got ${String(graceMs)}`);
    }
    const { rowCount } = await this.#query(
      "deleteExpiredLeases",
      IDEMPOTENT,
      `DELETE FROM ${this.#s}.leases
       WHERE expires_at < clock_timestamp() - $1::float8 * interval '1 millisecond'`,
      [graceMs],
    );
    return rowCount;
  }

  // ── internals ────────────────────────────────────────────────────────

  /**
   * Move a run's seen-marks from record_seen into records.seen_run_id, a few
   * batches' worth per transaction (each one removes the rows it folded, so
   * an interrupted fold loses nothing).
   */
  async #foldSeen(
    tenantId: string,
    connectionId: string,
    model: string,
    runId: string,
  ): Promise<void> {
    for (;;) {
      const folded = await this.#transaction("markUnseenDeleted", IDEMPOTENT, async (tx) => {
        await this.#lockRecords(tx, tenantId, connectionId);
        const { rows } = await tx.query<{ folded: unknown }>(this.#sql.foldSeen, [
          tenantId,
          connectionId,
          model,
          runId,
        ]);
        return toNumber(rows[0]?.folded ?? 0);
      });
      if (folded === 0) return;
    }
  }

  /** Count changed records; `ANALYZE` the records table at geometrically spaced points. */
  async #noteChanges(count: number): Promise<void> {
    if (!this.#maintainStatistics || count === 0) return;
    this.#changedSinceAnalyze += count;
    if (this.#changedSinceAnalyze < this.#analyzeAfter) return;
    this.#changedSinceAnalyze = 0;
    this.#analyzeAfter *= 2;
    // Statistics only steer plans: a failure here must not fail the write that succeeded.
    await this.#db.query(`ANALYZE ${this.#s}.records`).catch(() => undefined);
  }

  async #query<R extends Row = Row>(
    operation: string,
    policy: RetryPolicy,
    text: string,
    params: readonly unknown[],
    messages?: Record<string, string>,
  ): Promise<QueryResult<R>> {
    await this.init();
    try {
      return await withRetry(policy, () => this.#db.query<R>(text, params));
    } catch (error) {
      throw this.#failure(operation, error, messages);
    }
  }

  async #transaction<T>(
    operation: string,
    policy: RetryPolicy,
    work: (tx: QueryRunner) => Promise<T>,
  ): Promise<T> {
    await this.init();
    try {
      return await withRetry(policy, () => this.#db.transaction(work));
    } catch (error) {
      throw this.#failure(operation, error);
    }
  }

  #failure(operation: string, error: unknown, messages?: Record<string, string>): Error {
    // Patchbay errors, and TypeErrors naming a bad argument, pass through as they are.
    if (isPatchbayError(error) || error instanceof TypeError) return error;
    const code = sqlState(error);
    const message = code === undefined ? undefined : messages?.[code];
    return toStorageError(operation, error, message);
  }

  /**
   * Serialize the writers of one connection's records until the transaction
   * ends: `seq`s drawn under the lock commit in `seq` order, so the change
   * feed never shows a later `seq` before an earlier one has committed.
   */
  async #lockRecords(tx: QueryRunner, tenantId: string, connectionId: string): Promise<void> {
    await tx.query(this.#sql.lock, [
      this.#recordLockSpace,
      int4Key(`${tenantId}\u0000${connectionId}`),
    ]);
  }
}

/** The statements of the record hot paths, built once per schema. */
interface RecordStatements {
  lock: string;
  classify: string;
  classifyWithHostIds: string;
  insert: string;
  insertSilent: string;
  update: string;
  updateSilent: string;
  tombstone: string;
  tombstoneSilent: string;
  checkpoint: string;
  checkpointUnchanged: string;
  markUnseen: string;
  hashes: string;
  hashesOf: string;
  logSeen: string;
  seenCheckpoint: string;
  dropSeen: string;
  hasSeen: string;
  markUnseenLogged: string;
  foldSeen: string;
}

function recordStatements(s: string): RecordStatements {
  // Every statement reaches records through an input relation that carries
  // the full key (tenant, connection, model, external id) behind an
  // optimization fence (OFFSET 0 or MATERIALIZED), joined on all four key
  // columns. Constant conditions on the key prefix would let a planner without
  // statistics (a table just bulk-loaded) estimate that the prefix holds one
  // row and scan all of it for every batch; a join on the whole key leaves it
  // the choice between one index probe per key and a pass over the table's
  // real size, which is right whatever the statistics say.
  //
  // Per-record values arrive as arrays, zipped in lockstep by ROWS FROM; the
  // records' data as one jsonb array document (parsed once, about half the
  // server's work of a text[] cast to jsonb[], and no array-literal escaping).
  const input = (columns: string, names: string, extra = "") => `(
        SELECT $1::text AS tenant_id, $2::text AS connection_id, $3::text AS model, u.*${extra}
        FROM ROWS FROM (${columns
          .split(", ")
          .map((column) =>
            column.endsWith("::jsonb") ? `jsonb_array_elements(${column})` : `unnest(${column})`,
          )
          .join(", ")}) AS u(${names})
        OFFSET 0
      )`;
  const joinKey = (a: string, b: string) =>
    `${a}.tenant_id = ${b}.tenant_id AND ${a}.connection_id = ${b}.connection_id
        AND ${a}.model = ${b}.model AND ${a}.external_id = ${b}.external_id`;
  const insert = (silent: boolean) => {
    const seq = silent ? "0::bigint" : `nextval('${s}.record_seq')`;
    return `WITH input AS MATERIALIZED ${input(
      "$6::text[], $7::text[], $8::jsonb, $9::text[], $10::timestamptz[]",
      "external_id, hash, data, internal_id, provider_updated_at",
      `, ${seq} AS seq`,
    )}
      INSERT INTO ${s}.records (tenant_id, connection_id, model, external_id, internal_id,
        internal_id_order, hash, data, deleted_at, seq, created_seq, seen_run_id,
        provider_updated_at, updated_at)
      SELECT i.tenant_id, i.connection_id, i.model, i.external_id, i.internal_id,
        CASE WHEN i.internal_id IS NOT NULL THEN nextval('${s}.internal_id_seq') END,
        i.hash, i.data, NULL, i.seq, i.seq, $4::text, i.provider_updated_at, $5::timestamptz
      FROM input i`;
  };
  const update = (silent: boolean) => {
    const seq = silent ? "NULL::bigint" : `nextval('${s}.record_seq')`;
    return `UPDATE ${s}.records r SET
        hash = i.hash,
        data = i.data,
        deleted_at = NULL,
        seq = COALESCE(i.seq, r.seq),
        created_seq = CASE WHEN r.deleted_at IS NOT NULL THEN COALESCE(i.seq, r.created_seq)
                           ELSE r.created_seq END,
        seen_run_id = $4::text,
        internal_id = CASE WHEN i.set_internal THEN i.internal_id ELSE r.internal_id END,
        internal_id_order = CASE
          WHEN NOT i.set_internal OR i.internal_id IS NOT DISTINCT FROM r.internal_id
            THEN r.internal_id_order
          WHEN i.internal_id IS NULL THEN NULL
          ELSE nextval('${s}.internal_id_seq') END,
        provider_updated_at = CASE WHEN i.set_provider_updated_at THEN i.provider_updated_at
                                   ELSE r.provider_updated_at END,
        updated_at = $5::timestamptz
      FROM ${input(
        "$6::text[], $7::text[], $8::jsonb, $9::text[], $10::boolean[], $11::timestamptz[], $12::boolean[]",
        "external_id, hash, data, internal_id, set_internal, provider_updated_at, set_provider_updated_at",
        `, ${seq} AS seq`,
      )} i
      WHERE ${joinKey("r", "i")}`;
  };
  const tombstone = (silent: boolean) => `UPDATE ${s}.records r SET
        deleted_at = $4::timestamptz, updated_at = $4::timestamptz
        ${silent ? "" : `, seq = nextval('${s}.record_seq')`}
      FROM ${input("$5::text[]", "external_id")} i
      WHERE ${joinKey("r", "i")} AND r.deleted_at IS NULL`;
  const unseen = `tenant_id = $1 AND connection_id = $2 AND model = $3
        AND deleted_at IS NULL AND seen_run_id IS DISTINCT FROM $4::text`;
  const checkpoint = (asynchronous: boolean) => `INSERT INTO ${s}.sync_states AS st
        (tenant_id, connection_id, model, cursor, checkpoint, active_run_id, updated_at)
      SELECT $1::text, $2::text, $3::text, $5::jsonb, $7::jsonb, $9::text, $10::timestamptz${
        asynchronous
          ? `
      FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_mode`
          : ""
      }
      ON CONFLICT (tenant_id, connection_id, model) DO UPDATE SET
        cursor = CASE WHEN $4::boolean THEN EXCLUDED.cursor ELSE st.cursor END,
        checkpoint = CASE WHEN $6::boolean THEN EXCLUDED.checkpoint ELSE st.checkpoint END,
        active_run_id = CASE WHEN $8::boolean THEN EXCLUDED.active_run_id
                             ELSE st.active_run_id END,
        updated_at = EXCLUDED.updated_at`;
  // A guard that keeps an update by TID inside the tenant's rows without
  // offering the planner the key prefix as an index condition.
  const sameOwner = `(tenant_id, connection_id, model) IS NOT DISTINCT FROM ($1::text, $2::text, $3::text)`;
  // Classify a batch against the stored records and mark the unchanged ones as
  // seen, in one statement: one primary-key probe per record, then an update
  // of the unchanged rows by the TIDs the probes read (the connection's lock
  // keeps every other writer away, so they cannot move). Returns one row: the
  // external ids that are new, changed, and deleted-but-returning; the rest
  // are unchanged (so a re-sync gets back three NULLs).
  // `withHostIds`: the batch sets host ids, so unchanged rows are updated per row.
  const classify = (withHostIds: boolean) => `WITH current AS MATERIALIZED (
        SELECT r.ctid AS rid, r.tenant_id, r.connection_id, r.model, i.external_id,
               (r.external_id IS NOT NULL) AS found,
               (r.hash = i.hash AND r.deleted_at IS NULL) AS same,
               (r.deleted_at IS NOT NULL) AS deleted,
               (r.seen_run_id IS DISTINCT FROM $4::text) AS unseen,
               i.internal_id, i.set_internal
        FROM ${input(
          "$5::text[], $6::text[], $7::text[], $8::boolean[]",
          "external_id, hash, internal_id, set_internal",
        )} i
        LEFT JOIN ${s}.records r ON ${joinKey("r", "i")}
      ), seen AS (${
        withHostIds
          ? `
        UPDATE ${s}.records r SET
          seen_run_id = $4::text,
          internal_id = CASE WHEN c.set_internal THEN c.internal_id ELSE r.internal_id END,
          internal_id_order = CASE
            WHEN NOT c.set_internal OR c.internal_id IS NOT DISTINCT FROM r.internal_id
              THEN r.internal_id_order
            WHEN c.internal_id IS NULL THEN NULL
            ELSE nextval('${s}.internal_id_seq') END
        FROM current c
        WHERE c.same AND ${joinKey("r", "c")}
          AND (c.unseen OR (c.set_internal AND r.internal_id IS DISTINCT FROM c.internal_id))`
          : `
        UPDATE ${s}.records SET seen_run_id = $4::text
        WHERE ctid = ANY(ARRAY(SELECT rid FROM current WHERE same AND unseen))
          AND ${sameOwner}`
      }
      )
      SELECT array_agg(external_id) FILTER (WHERE NOT found) AS fresh,
             array_agg(external_id) FILTER (WHERE found AND NOT same AND NOT deleted) AS changed,
             array_agg(external_id) FILTER (WHERE found AND deleted) AS returning
      FROM current`;
  return {
    // With the lock, for the rest of the transaction only: plan each statement
    // for its parameters (a generic plan made while the table was small would
    // be reused as it grows), and reach records by primary-key probes, never
    // by hashing or scanning the whole table. A planner without statistics
    // (PGlite never runs autovacuum) or costing random reads as disk reads
    // would otherwise pick a full scan per batch: quadratic over a sync.
    lock: `SELECT pg_advisory_xact_lock($1::int4, $2::int4),
        set_config('plan_cache_mode', 'force_custom_plan', true),
        set_config('enable_seqscan', 'off', true),
        set_config('enable_hashjoin', 'off', true),
        set_config('enable_mergejoin', 'off', true)`,
    classify: classify(false),
    classifyWithHostIds: classify(true),
    insert: insert(false),
    insertSilent: insert(true),
    update: update(false),
    updateSilent: update(true),
    tombstone: tombstone(false),
    tombstoneSilent: tombstone(true),
    checkpoint: checkpoint(false),
    // The checkpoint of a batch that changed no record and drew no seq: it
    // only moved seen-marks and the resume point, so the transaction commits
    // with synchronous_commit off. A crash can lose only a suffix of such
    // commits (the WAL is linear; the next synchronous commit flushes them);
    // the run then resumes from the previous checkpoint, which is consistent
    // with the seen-marks that survived, and marks the records again.
    checkpointUnchanged: checkpoint(true),
    // Mark up to $6 live records the run did not see as deleted: first those
    // after $5 in external-id order, then (wrapping around) those up to it.
    // The victims are found by a walk of the primary key in order (a LIMIT
    // query, so any plan is an ordered index scan), then updated by key.
    markUnseen: `WITH victims AS MATERIALIZED (
        (SELECT tenant_id, connection_id, model, external_id FROM ${s}.records
         WHERE ${unseen} AND external_id > $5 ORDER BY external_id LIMIT $6)
        UNION ALL
        (SELECT tenant_id, connection_id, model, external_id FROM ${s}.records
         WHERE ${unseen} AND external_id <= $5 ORDER BY external_id LIMIT $6)
        LIMIT $6
      ), marked AS (
        UPDATE ${s}.records r SET deleted_at = $7::timestamptz, updated_at = $7::timestamptz,
          seq = nextval('${s}.record_seq')
        FROM victims v
        WHERE ${joinKey("r", "v")} AND r.deleted_at IS NULL
        RETURNING r.external_id
      )
      SELECT count(*) AS marked, max(external_id) AS last FROM marked`,
    // The live records' hashes in primary-key order, for a full run to compare
    // with: one row of two JSON arrays (parsed natively, where thousands of
    // rows would cost PGlite far more to decode), aggregated in the order the
    // limited index walk yields them.
    hashes: `SELECT array_to_json(array_agg(external_id))::text AS ids,
        array_to_json(array_agg(hash))::text AS hashes
      FROM (
        SELECT external_id, hash FROM ${s}.records
        WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND external_id > $4
          AND deleted_at IS NULL
        ORDER BY external_id LIMIT $5
      ) page`,
    // The hashes of a page's ids (live records only).
    hashesOf: `SELECT array_to_json(array_agg(r.external_id))::text AS ids,
        array_to_json(array_agg(r.hash))::text AS hashes
      FROM ${input("$4::text[]", "external_id")} i
      JOIN ${s}.records r ON ${joinKey("r", "i")}
      WHERE r.deleted_at IS NULL`,
    // A batch's `seen` ids: one row, whatever their number.
    logSeen: `INSERT INTO ${s}.record_seen (tenant_id, connection_id, model, run_id, external_ids)
      VALUES ($1::text, $2::text, $3::text, $4::text, $5::text[])`,
    // The same with the checkpoint ($1-$10 of checkpointUnchanged; run $11, ids $12).
    seenCheckpoint: `WITH logged AS (
        INSERT INTO ${s}.record_seen (tenant_id, connection_id, model, run_id, external_ids)
        VALUES ($1::text, $2::text, $3::text, $11::text, $12::text[])
      )
      ${checkpoint(true)}`,
    // Seen-marks of runs other than the batch's and the model's active one.
    dropSeen: `DELETE FROM ${s}.record_seen
      WHERE tenant_id = $1 AND connection_id = $2 AND model = $3
        AND run_id <> $4::text AND run_id IS DISTINCT FROM $5::text`,
    hasSeen: `SELECT EXISTS (SELECT 1 FROM ${s}.record_seen
      WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND run_id = $4) AS logged`,
    // markUnseen for a run with seen-marks in record_seen: up to $5 live
    // records it neither wrote nor logged, in external-id order, found by one
    // (hashed) anti-join and updated by the TIDs it read under the lock.
    markUnseenLogged: `WITH seen AS MATERIALIZED (
        SELECT unnest(external_ids) AS external_id FROM ${s}.record_seen
        WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND run_id = $4
      ), victims AS MATERIALIZED (
        SELECT r.ctid AS rid FROM ${s}.records r
        WHERE r.tenant_id = $1 AND r.connection_id = $2 AND r.model = $3
          AND r.deleted_at IS NULL AND r.seen_run_id IS DISTINCT FROM $4::text
          AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.external_id = r.external_id)
        ORDER BY r.external_id LIMIT $5
      ), marked AS (
        UPDATE ${s}.records SET deleted_at = $6::timestamptz, updated_at = $6::timestamptz,
          seq = nextval('${s}.record_seq')
        WHERE ctid = ANY(ARRAY(SELECT rid FROM victims)) AND ${sameOwner}
          AND deleted_at IS NULL
        RETURNING external_id
      )
      SELECT count(*) AS marked, max(external_id) AS last FROM marked`,
    // Fold up to 8 of a run's record_seen rows into records.seen_run_id and
    // remove them; returns how many rows it folded (0: none left).
    foldSeen: `WITH chunk AS (
        DELETE FROM ${s}.record_seen WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM ${s}.record_seen
          WHERE tenant_id = $1 AND connection_id = $2 AND model = $3 AND run_id = $4
          ORDER BY position LIMIT 8))
        RETURNING external_ids
      ), folded AS (
        UPDATE ${s}.records r SET seen_run_id = $4::text
        FROM (
          SELECT $1::text AS tenant_id, $2::text AS connection_id, $3::text AS model, e.external_id
          FROM chunk, unnest(chunk.external_ids) AS e(external_id)
          OFFSET 0
        ) i
        WHERE ${joinKey("r", "i")} AND r.deleted_at IS NULL
          AND r.seen_run_id IS DISTINCT FROM $4::text
      )
      SELECT count(*) AS folded FROM chunk`,
  };
}

/**
 * Create a {@link PostgresStore} over a `pg` pool, a PGlite instance or any
 * {@link Queryable}. See {@link postgresStore} and {@link pgliteStore} for
 * stores that create their own database handle.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresStore } from "@patchbay/store-postgres";
 *
 * // The host's own pool, shared with its other queries:
 * const store = createPostgresStore({ client: hostPool, schema: "integrations" });
 * await store.init();
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

/** The records' data as one JSON array document; a value that is not JSON throws a `TypeError` naming it. */
function jsonArray(upserts: readonly PreparedUpsert[]): string {
  return `[${upserts.map((u) => jsonText(u.data, `upserts[${u.index}].data`)).join(",")}]`;
}

// ── rows → objects ────────────────────────────────────────────────────────

function connectionFromRow(row: Row): StoredConnection {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    connector: row.connector as string,
    status: row.status as ConnectionStatus,
    statusReason: (row.status_reason as string | null) ?? null,
    config: toJson(row.config) as Record<string, Json>,
    metadata: toJson(row.metadata) as Record<string, Json>,
    fieldMappings: toJson(row.field_mappings) as Record<string, Record<string, string>>,
    credentialsVersion: toNumber(row.credentials_version),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    credentials: toOptionalBytes(row.credentials),
  };
}

function sessionFromRow(row: Row): OAuthSession {
  return {
    state: row.state as string,
    tenantId: row.tenant_id as string,
    connector: row.connector as string,
    sealedVerifier: toBytes(row.sealed_verifier),
    redirectUri: row.redirect_uri as string,
    scopes: toJson(row.scopes) as string[],
    data: toJson(row.data) as Record<string, Json>,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  };
}

function stateFromRow(row: Row): SyncState {
  return {
    tenantId: row.tenant_id as string,
    connectionId: row.connection_id as string,
    model: row.model as string,
    cursor: toJson(row.cursor),
    checkpoint: toJson(row.checkpoint),
    activeRunId: (row.active_run_id as string | null) ?? null,
    schedule: (toJson(row.schedule) as Schedule | null) ?? null,
    nextRunAt: toOptionalDate(row.next_run_at),
    lastRunAt: toOptionalDate(row.last_run_at),
    lastSuccessAt: toOptionalDate(row.last_success_at),
    lastStatus: (row.last_status as SyncRunStatus | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    consecutiveFailures: toNumber(row.consecutive_failures),
    runsSinceFull: toNumber(row.runs_since_full),
    updatedAt: toDate(row.updated_at),
  };
}

function recordFromRow(row: Row): StoredRecord {
  return {
    tenantId: row.tenant_id as string,
    connectionId: row.connection_id as string,
    model: row.model as string,
    externalId: row.external_id as string,
    internalId: (row.internal_id as string | null) ?? null,
    hash: row.hash as string,
    data: toJson(row.data),
    deletedAt: toOptionalDate(row.deleted_at),
    seq: toNumber(row.seq),
    createdSeq: toNumber(row.created_seq),
    seenRunId: (row.seen_run_id as string | null) ?? null,
    providerUpdatedAt: toOptionalDate(row.provider_updated_at),
    updatedAt: toDate(row.updated_at),
  };
}

function runFromRow(row: Row): SyncRun {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    connectionId: row.connection_id as string,
    model: row.model as string,
    trigger: row.trigger as SyncRun["trigger"],
    mode: row.mode as SyncRun["mode"],
    status: row.status as SyncRun["status"],
    startedAt: toDate(row.started_at),
    finishedAt: toOptionalDate(row.finished_at),
    fetched: toNumber(row.fetched),
    inserted: toNumber(row.inserted),
    updated: toNumber(row.updated),
    deleted: toNumber(row.deleted),
    unchanged: toNumber(row.unchanged),
    failed: toNumber(row.failed),
    error: (row.error as string | null) ?? null,
    details: toJson(row.details) as Record<string, Json>,
  };
}

/** SQL casts of the export columns that need one. */
const EXPORT_CASTS: Partial<Record<(typeof EXPORT_COLUMN_LIST)[number], string>> = {
  source: "::jsonb",
  params: "::jsonb",
  columns: "::jsonb",
  schedule: "::jsonb",
  next_run_at: "::timestamptz",
  last_run_at: "::timestamptz",
  last_success_at: "::timestamptz",
  claimed_until: "::timestamptz",
  created_at: "::timestamptz",
  updated_at: "::timestamptz",
};

/** The column values of the fields an export (or a patch of one) has; `undefined` fields are left out. */
function exportValues(
  e: ExportPatch & Partial<Pick<ExportDefinition, "id" | "tenantId" | "createdAt">>,
): Partial<Record<(typeof EXPORT_COLUMN_LIST)[number], unknown>> {
  const out: Partial<Record<(typeof EXPORT_COLUMN_LIST)[number], unknown>> = {};
  if (e.id !== undefined) out.id = e.id;
  if (e.tenantId !== undefined) out.tenant_id = e.tenantId;
  if (e.name !== undefined) {
    requireString(e.name, "name");
    out.name = e.name;
  }
  if (e.source !== undefined) out.source = jsonObjectText(e.source, "source");
  if (e.params !== undefined) out.params = jsonObjectText(e.params, "params");
  if (e.template !== undefined) out.template = optionalString(e.template, "template");
  if (e.columns !== undefined)
    out.columns = e.columns === null ? null : jsonText(e.columns, "columns");
  if (e.format !== undefined) out.format = e.format;
  if (e.bom !== undefined) {
    if (typeof e.bom !== "boolean") throw new TypeError('"bom" must be a boolean');
    out.bom = e.bom;
  }
  if (e.schedule !== undefined) out.schedule = jsonObjectText(e.schedule, "schedule");
  if (e.destination !== undefined) {
    requireString(e.destination.connectionId, "destination.connectionId");
    out.destination_connection_id = e.destination.connectionId;
    out.destination_folder_id = optionalString(e.destination.folderId, "destination.folderId");
  }
  if (e.mode !== undefined) out.mode = e.mode;
  if (e.filename !== undefined) out.filename = optionalString(e.filename, "filename");
  if (e.nextRunAt !== undefined) out.next_run_at = optionalDateText(e.nextRunAt, "nextRunAt");
  if (e.lastRunAt !== undefined) out.last_run_at = optionalDateText(e.lastRunAt, "lastRunAt");
  if (e.lastSuccessAt !== undefined)
    out.last_success_at = optionalDateText(e.lastSuccessAt, "lastSuccessAt");
  if (e.lastStatus !== undefined) out.last_status = optionalString(e.lastStatus, "lastStatus");
  if (e.lastError !== undefined) out.last_error = optionalString(e.lastError, "lastError");
  if (e.consecutiveFailures !== undefined)
    out.consecutive_failures = checkCount(e.consecutiveFailures, "consecutiveFailures");
  if (e.fileId !== undefined) out.file_id = optionalString(e.fileId, "fileId");
  if (e.fileUrl !== undefined) out.file_url = optionalString(e.fileUrl, "fileUrl");
  if (e.claimedBy !== undefined) out.claimed_by = optionalString(e.claimedBy, "claimedBy");
  if (e.claimedUntil !== undefined)
    out.claimed_until = optionalDateText(e.claimedUntil, "claimedUntil");
  if (e.createdAt !== undefined) out.created_at = dateText(e.createdAt, "createdAt");
  if (e.updatedAt !== undefined) out.updated_at = dateText(e.updatedAt, "updatedAt");
  return out;
}

/** `column = $n` assignments for a patch, appending its values to `params`. */
function exportSets(patch: ExportPatch, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [column, value] of Object.entries(exportValues(patch))) {
    params.push(value);
    sets.push(
      `${column} = $${params.length}${EXPORT_CASTS[column as (typeof EXPORT_COLUMN_LIST)[number]] ?? ""}`,
    );
  }
  return sets;
}

function exportFromRow(row: Row): ExportDefinition {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    source: toJson(row.source) as unknown as ExportDefinition["source"],
    params: toJson(row.params) as Record<string, Json>,
    template: (row.template as string | null) ?? null,
    columns: (toJson(row.columns) as unknown as ExportDefinition["columns"]) ?? null,
    format: row.format as ExportDefinition["format"],
    bom: row.bom === true,
    schedule: toJson(row.schedule) as unknown as Schedule,
    destination: {
      connectionId: row.destination_connection_id as string,
      folderId: (row.destination_folder_id as string | null) ?? null,
    },
    mode: row.mode as ExportDefinition["mode"],
    filename: (row.filename as string | null) ?? null,
    nextRunAt: toOptionalDate(row.next_run_at),
    lastRunAt: toOptionalDate(row.last_run_at),
    lastSuccessAt: toOptionalDate(row.last_success_at),
    lastStatus: (row.last_status as ExportDefinition["lastStatus"]) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    consecutiveFailures: toNumber(row.consecutive_failures),
    fileId: (row.file_id as string | null) ?? null,
    fileUrl: (row.file_url as string | null) ?? null,
    claimedBy: (row.claimed_by as string | null) ?? null,
    claimedUntil: toOptionalDate(row.claimed_until),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function exportRunFromRow(row: Row): ExportRun {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    exportId: row.export_id as string,
    trigger: row.trigger as ExportRun["trigger"],
    status: row.status as ExportRun["status"],
    startedAt: toDate(row.started_at),
    finishedAt: toOptionalDate(row.finished_at),
    rows: toNumber(row.row_count),
    bytes: toNumber(row.byte_count),
    fileId: (row.file_id as string | null) ?? null,
    fileName: (row.file_name as string | null) ?? null,
    fileUrl: (row.file_url as string | null) ?? null,
    error: (row.error as string | null) ?? null,
    details: toJson(row.details) as Record<string, Json>,
  };
}

function auditFromRow(row: Row): AuditEntry {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    at: toDate(row.at),
    actor: (row.actor as string | null) ?? null,
    action: row.action as AuditAction,
    connectionId: (row.connection_id as string | null) ?? null,
    connector: (row.connector as string | null) ?? null,
    details: toJson(row.details) as Record<string, Json>,
  };
}
