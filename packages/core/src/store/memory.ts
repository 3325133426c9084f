import { NotFoundError, StorageError } from "../errors.js";
import type {
  ExportDefinition,
  ExportPatch,
  ExportRun,
  ExportRunPatch,
  ExportStatePatch,
} from "../exports/types.js";
import { emptySyncState } from "./defaults.js";
import type {
  AuditAction,
  AuditEntry,
  BatchResult,
  ConnectionPatch,
  ConnectionStatus,
  Json,
  NewConnection,
  OAuthSession,
  RecordBatch,
  Schedule,
  Store,
  StoredConnection,
  StoredRecord,
  SyncRun,
  SyncRunPatch,
  SyncState,
  UsageCounters,
} from "./types.js";

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The store's clock, in epoch milliseconds: lease expiry and the timestamps
   * the store sets itself (`createdAt`, `updatedAt` of connections). Defaults
   * to `Date.now`; tests inject a fake clock to expire leases without waiting.
   */
  now?: () => number;
}

/**
 * A {@link Store} kept in process memory: for tests, examples and local
 * development. Nothing survives a restart and nothing is shared between
 * processes, so do not use it in production.
 *
 * It follows every rule of the interface: tenant isolation, copies in and out
 * (mutating an argument after a call, or a returned object, never changes the
 * store), atomic batches (validated in full before anything is written) and a
 * change feed ordered by a store-wide `seq`. A 100,000-record sync in batches
 * of 500 takes well under a few seconds.
 *
 * Cost notes: records are indexed by tenant, connection, model and external id,
 * with an internal-id index and a per-connection and per-model change log, so
 * batch writes, lookups and `listChanges` do not scan the store.
 * `listRecords` sorts a model's external ids once and reuses the order until a
 * new record arrives. Audit entries are kept per tenant in `at` order, so
 * `listAudit` walks back from `before` and stops at `limit` matches (filters
 * skip entries as it walks). `markUnseenDeleted` scans the model's records (O(n)
 * per call), and `listDueSyncStates` and `findConnections` scan every sync state
 * and every connection, as a SQL store without an index would; `purgeTenant`
 * scans the OAuth sessions.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@patchbay/core";
 *
 * const store = new MemoryStore();
 * await store.createConnection({
 *   id: "conn_1",
 *   tenantId: "team_42",
 *   connector: "google-sheets",
 *   status: "pending",
 *   credentials: sealed,
 * });
 * await store.getConnection("team_42", "conn_1"); // → the connection
 * await store.getConnection("team_7", "conn_1"); // → null: another tenant's
 *
 * // In tests, drive lease expiry with a fake clock:
 * let now = 0;
 * const clocked = new MemoryStore({ now: () => now });
 * await clocked.acquireLease("sync:conn_1", "worker-a", 30_000); // true
 * now += 30_000;
 * await clocked.acquireLease("sync:conn_1", "worker-b", 30_000); // true: expired
 * ```
 */
export class MemoryStore implements Store {
  readonly #clock: () => number;
  /** Store-wide change counter; the last `seq` handed out. */
  #seq = 0;

  readonly #connections = new Map<string, StoredConnection>();
  readonly #connectionsByTenant = new Map<string, Map<string, StoredConnection>>();
  #sortedConnectionIds: string[] | null = null;

  readonly #oauthSessions = new Map<string, OAuthSession>();
  /** tenant → connection → model → state */
  readonly #syncStates = new Map<string, Map<string, Map<string, SyncState>>>();
  /** tenant → connection → records */
  readonly #records = new Map<string, Map<string, ConnectionRecords>>();

  readonly #runs = new Map<string, SyncRun>();
  readonly #runsByTenant = new Map<string, Map<string, SyncRun>>();

  /** Every audit entry id, so ids stay unique store-wide. */
  readonly #auditIds = new Set<string>();
  /** tenant → entries in `at` order (equal times in append order). */
  readonly #audit = new Map<string, AuditEntry[]>();
  /** tenant → period → counters */
  readonly #usage = new Map<string, Map<string, UsageCounters>>();

  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();

  /** tenant → id → export definition */
  readonly #exports = new Map<string, Map<string, ExportDefinition>>();
  /** Every export id, so ids stay unique store-wide. */
  readonly #exportIds = new Set<string>();
  /** tenant → id → export run (insertion order) */
  readonly #exportRuns = new Map<string, Map<string, ExportRun>>();
  /** Every export run id. */
  readonly #exportRunIds = new Set<string>();

  /** @param options - see {@link MemoryStoreOptions}. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.now ?? Date.now;
  }

  // ── connections ───────────────────────────────────────────────────────

  /** {@inheritDoc Store.createConnection} */
  async createConnection(input: NewConnection): Promise<StoredConnection> {
    requireString(input.id, "id");
    requireString(input.tenantId, "tenantId");
    if (this.#connections.has(input.id)) {
      throw new StorageError(`connection ${input.id} already exists`);
    }
    const now = this.#now();
    const connection: StoredConnection = {
      id: input.id,
      tenantId: input.tenantId,
      connector: input.connector,
      status: input.status,
      statusReason: input.statusReason ?? null,
      config: copyJsonObjectIn(input.config ?? {}, "config"),
      metadata: copyJsonObjectIn(input.metadata ?? {}, "metadata"),
      fieldMappings: copyFieldMappingsIn(input.fieldMappings ?? {}, "fieldMappings"),
      credentialsVersion: 1,
      createdAt: now,
      updatedAt: new Date(now.getTime()),
      credentials: copyBytes(input.credentials),
    };
    this.#connections.set(connection.id, connection);
    getOrCreate(this.#connectionsByTenant, connection.tenantId, newMap).set(
      connection.id,
      connection,
    );
    this.#sortedConnectionIds = null;
    return copyConnection(connection);
  }

  /** {@inheritDoc Store.getConnection} */
  async getConnection(tenantId: string, id: string): Promise<StoredConnection | null> {
    const connection = this.#connectionsByTenant.get(tenantId)?.get(id);
    return connection ? copyConnection(connection) : null;
  }

  /**
   * The tenant's connections, oldest first.
   *
   * An empty `status` array matches no connection (like SQL `= ANY('{}')`).
   */
  async listConnections(
    tenantId: string,
    filter: { connector?: string; status?: ConnectionStatus[] } = {},
  ): Promise<StoredConnection[]> {
    const all = this.#connectionsByTenant.get(tenantId);
    if (!all) return [];
    const statuses = filter.status ? new Set(filter.status) : null;
    const out: StoredConnection[] = [];
    for (const connection of all.values()) {
      if (filter.connector !== undefined && connection.connector !== filter.connector) continue;
      if (statuses && !statuses.has(connection.status)) continue;
      out.push(connection);
    }
    // Stable sort: connections created in the same millisecond keep creation order.
    out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return out.map(copyConnection);
  }

  /** {@inheritDoc Store.updateConnection} */
  async updateConnection(
    tenantId: string,
    id: string,
    patch: ConnectionPatch,
  ): Promise<StoredConnection> {
    const connection = this.#connectionsByTenant.get(tenantId)?.get(id);
    if (!connection) throw new NotFoundError(`connection ${id} not found for tenant ${tenantId}`);
    // Copy (and validate) everything before writing, so a bad patch changes nothing.
    const config =
      patch.config === undefined ? undefined : copyJsonObjectIn(patch.config, "config");
    const metadata =
      patch.metadata === undefined ? undefined : copyJsonObjectIn(patch.metadata, "metadata");
    const fieldMappings =
      patch.fieldMappings === undefined
        ? undefined
        : copyFieldMappingsIn(patch.fieldMappings, "fieldMappings");
    if (patch.status !== undefined) connection.status = patch.status;
    if (patch.statusReason !== undefined) connection.statusReason = patch.statusReason;
    if (config !== undefined) connection.config = config;
    if (metadata !== undefined) connection.metadata = metadata;
    if (fieldMappings !== undefined) connection.fieldMappings = fieldMappings;
    connection.updatedAt = this.#now();
    return copyConnection(connection);
  }

  /** {@inheritDoc Store.swapCredentials} */
  async swapCredentials(
    tenantId: string,
    id: string,
    expectedVersion: number,
    credentials: Uint8Array | null,
  ): Promise<StoredConnection | null> {
    const connection = this.#connectionsByTenant.get(tenantId)?.get(id);
    if (!connection || connection.credentialsVersion !== expectedVersion) return null;
    connection.credentials = copyBytes(credentials);
    connection.credentialsVersion += 1;
    connection.updatedAt = this.#now();
    return copyConnection(connection);
  }

  /** {@inheritDoc Store.deleteConnection} */
  async deleteConnection(tenantId: string, id: string): Promise<boolean> {
    const byId = this.#connectionsByTenant.get(tenantId);
    if (!byId?.delete(id)) return false;
    if (byId.size === 0) this.#connectionsByTenant.delete(tenantId);
    this.#connections.delete(id);
    this.#sortedConnectionIds = null;
    return true;
  }

  /** {@inheritDoc Store.scanConnections} */
  async scanConnections(options: { after?: string; limit: number }): Promise<StoredConnection[]> {
    const limit = checkLimit(options.limit);
    if (this.#sortedConnectionIds === null) {
      this.#sortedConnectionIds = [...this.#connections.keys()].sort(compareStrings);
    }
    const ids = this.#sortedConnectionIds;
    const after = options.after;
    let index = after === undefined ? 0 : upperBound(ids, after);
    const out: StoredConnection[] = [];
    while (out.length < limit && index < ids.length) {
      const connection = this.#connections.get(ids[index++]!);
      if (connection) out.push(copyConnection(connection));
    }
    return out;
  }

  /**
   * Cross-tenant, for webhook routing: connections of `connector` whose
   * metadata has every given key with exactly the given string value (e.g.
   * `{ baseId: "app123" }`), excluding `disconnected` ones. Oldest first.
   *
   * Scans every connection. A metadata value matches only when it is the
   * same string: the number `123` does not match `"123"`. An empty `metadata`
   * filter matches every connection of the connector that is not disconnected.
   */
  async findConnections(
    connector: string,
    metadata: Record<string, string>,
  ): Promise<StoredConnection[]> {
    requireString(connector, "connector");
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new TypeError(`"metadata" must be an object of strings`);
    }
    const wanted = Object.entries(metadata);
    for (const [key, value] of wanted) {
      if (typeof value !== "string") throw new TypeError(`"metadata.${key}" must be a string`);
    }
    const out: StoredConnection[] = [];
    for (const connection of this.#connections.values()) {
      if (connection.connector !== connector || connection.status === "disconnected") continue;
      const has = connection.metadata;
      if (wanted.every(([key, value]) => Object.hasOwn(has, key) && has[key] === value)) {
        out.push(connection);
      }
    }
    // Stable sort over creation order: ties keep the order connections were created in.
    out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return out.map(copyConnection);
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
    if (this.#oauthSessions.has(session.state)) {
      throw new StorageError("an OAuth session with this state already exists");
    }
    this.#oauthSessions.set(session.state, copyOAuthSessionIn(session));
  }

  /** {@inheritDoc Store.takeOAuthSession} */
  async takeOAuthSession(tenantId: string, state: string): Promise<OAuthSession | null> {
    const session = this.#oauthSessions.get(state);
    if (!session || session.tenantId !== tenantId) return null;
    this.#oauthSessions.delete(state);
    return session; // Removed from the store: nothing else holds a reference.
  }

  /** {@inheritDoc Store.deleteExpiredOAuthSessions} */
  async deleteExpiredOAuthSessions(now: Date): Promise<number> {
    const cutoff = now.getTime();
    let deleted = 0;
    for (const [state, session] of this.#oauthSessions) {
      if (session.expiresAt.getTime() < cutoff) {
        this.#oauthSessions.delete(state);
        deleted++;
      }
    }
    return deleted;
  }

  // ── sync state ───────────────────────────────────────────────────────

  /** {@inheritDoc Store.getSyncState} */
  async getSyncState(
    tenantId: string,
    connectionId: string,
    model: string,
  ): Promise<SyncState | null> {
    const state = this.#syncStates.get(tenantId)?.get(connectionId)?.get(model);
    return state ? copySyncState(state) : null;
  }

  /** {@inheritDoc Store.putSyncState} */
  async putSyncState(state: SyncState): Promise<void> {
    requireString(state.tenantId, "tenantId");
    requireString(state.connectionId, "connectionId");
    requireString(state.model, "model");
    const copy = copySyncStateIn(state);
    const byConnection = getOrCreate(this.#syncStates, state.tenantId, newMap);
    getOrCreate(byConnection, state.connectionId, newMap).set(state.model, copy);
  }

  /**
   * The sync states of every model of a connection.
   *
   * Ordered by model name.
   */
  async listSyncStates(tenantId: string, connectionId: string): Promise<SyncState[]> {
    const byModel = this.#syncStates.get(tenantId)?.get(connectionId);
    if (!byModel) return [];
    return [...byModel.values()]
      .sort((a, b) => compareStrings(a.model, b.model))
      .map(copySyncState);
  }

  /**
   * Cross-tenant: states whose `nextRunAt` is at or before `now`, soonest
   * first.
   *
   * Scans every state.
   */
  async listDueSyncStates(now: Date, limit: number): Promise<SyncState[]> {
    const max = checkLimit(limit);
    const cutoff = now.getTime();
    const due: SyncState[] = [];
    for (const byConnection of this.#syncStates.values()) {
      for (const byModel of byConnection.values()) {
        for (const state of byModel.values()) {
          if (state.nextRunAt !== null && state.nextRunAt.getTime() <= cutoff) due.push(state);
        }
      }
    }
    due.sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime());
    return due.slice(0, max).map(copySyncState);
  }

  // ── records ──────────────────────────────────────────────────────────

  /**
   * Apply a batch atomically (records + checkpoint). See {@link RecordBatch}.
   *
   * Validates and copies the whole batch before writing anything; a
   * `TypeError` names the first bad value and leaves the store unchanged.
   * Upserts are applied before tombstones, so an id both upserted and deleted
   * in one batch ends up deleted. A silently inserted record gets `seq` 0: it
   * enters the change feed with its first non-silent change.
   */
  async applyRecordBatch(tenantId: string, batch: RecordBatch): Promise<BatchResult> {
    // 1. Validate and copy everything; nothing is written in this phase.
    requireString(tenantId, "tenantId");
    requireString(batch.connectionId, "connectionId");
    requireString(batch.model, "model");
    requireString(batch.runId, "runId");
    const now = copyDate(batch.now, "now");
    const upserts = new Map<string, PreparedUpsert>();
    for (const [index, upsert] of batch.upserts.entries()) {
      const where = `upserts[${index}]`;
      requireString(upsert.externalId, `${where}.externalId`);
      if (typeof upsert.hash !== "string") {
        throw new TypeError(`"${where}.hash" must be a string`);
      }
      if (upsert.internalId != null && typeof upsert.internalId !== "string") {
        throw new TypeError(`"${where}.internalId" must be a string or null`);
      }
      upserts.set(upsert.externalId, {
        externalId: upsert.externalId,
        hash: upsert.hash,
        data: copyJsonIn(upsert.data, `${where}.data`),
        internalId: upsert.internalId,
        providerUpdatedAt:
          upsert.providerUpdatedAt == null
            ? upsert.providerUpdatedAt
            : copyDate(upsert.providerUpdatedAt, `${where}.providerUpdatedAt`),
      });
    }
    for (const [index, externalId] of batch.deletes.entries()) {
      requireString(externalId, `deletes[${index}]`);
    }
    const deletes = new Set(batch.deletes);
    const seen = batch.seen ?? [];
    if (!Array.isArray(seen)) throw new TypeError(`"seen" must be an array`);
    for (const [index, externalId] of seen.entries()) {
      requireString(externalId, `seen[${index}]`);
    }
    const checkpoint = batch.checkpoint;
    const cursor =
      checkpoint?.cursor === undefined
        ? undefined
        : copyJsonIn(checkpoint.cursor, "checkpoint.cursor");
    const resumePoint =
      checkpoint?.checkpoint === undefined
        ? undefined
        : copyJsonIn(checkpoint.checkpoint, "checkpoint.checkpoint");
    const activeRunId = checkpoint?.activeRunId;
    if (activeRunId != null && typeof activeRunId !== "string") {
      throw new TypeError(`"checkpoint.activeRunId" must be a string or null`);
    }

    // 2. Apply. Nothing below throws, so the batch lands entirely or not at all.
    const connection = getOrCreate(
      getOrCreate(this.#records, tenantId, newMap),
      batch.connectionId,
      () => new ConnectionRecords(),
    );
    const model = getOrCreate(connection.models, batch.model, () => new ModelRecords());
    const silent = batch.silent === true;
    const result: BatchResult = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    const change = (record: StoredRecord, created: boolean): void => {
      if (silent) return;
      const previousSeq = record.seq;
      record.seq = ++this.#seq;
      if (created) record.createdSeq = record.seq;
      model.feed.append(record, previousSeq);
      connection.feed.append(record, previousSeq);
    };

    for (const upsert of upserts.values()) {
      const existing = model.byExternalId.get(upsert.externalId);
      if (!existing) {
        const record: StoredRecord = {
          tenantId,
          connectionId: batch.connectionId,
          model: batch.model,
          externalId: upsert.externalId,
          internalId: upsert.internalId ?? null,
          hash: upsert.hash,
          data: upsert.data,
          deletedAt: null,
          seq: 0,
          createdSeq: 0,
          seenRunId: batch.runId,
          providerUpdatedAt: upsert.providerUpdatedAt ?? null,
          updatedAt: new Date(now.getTime()),
        };
        model.insert(record);
        change(record, true);
        result.inserted++;
        continue;
      }
      existing.seenRunId = batch.runId;
      if (upsert.internalId !== undefined) model.setInternalId(existing, upsert.internalId);
      const cameBack = existing.deletedAt !== null;
      if (!cameBack && existing.hash === upsert.hash) {
        result.unchanged++;
        continue;
      }
      existing.hash = upsert.hash;
      existing.data = upsert.data;
      existing.deletedAt = null;
      if (upsert.providerUpdatedAt !== undefined)
        existing.providerUpdatedAt = upsert.providerUpdatedAt;
      existing.updatedAt = new Date(now.getTime());
      change(existing, cameBack);
      if (cameBack) result.inserted++;
      else result.updated++;
    }

    // Seen-only ids: the mark delete detection reads, nothing else.
    for (const externalId of seen) {
      const existing = model.byExternalId.get(externalId);
      if (existing && existing.deletedAt === null) existing.seenRunId = batch.runId;
    }

    for (const externalId of deletes) {
      const existing = model.byExternalId.get(externalId);
      if (!existing || existing.deletedAt !== null) continue;
      existing.deletedAt = new Date(now.getTime());
      existing.updatedAt = new Date(now.getTime());
      change(existing, false);
      result.deleted++;
    }

    if (checkpoint) {
      const byConnection = getOrCreate(this.#syncStates, tenantId, newMap);
      const byModel = getOrCreate(byConnection, batch.connectionId, newMap);
      const state =
        byModel.get(batch.model) ??
        emptySyncState({ tenantId, connectionId: batch.connectionId, model: batch.model }, now);
      if (cursor !== undefined) state.cursor = cursor;
      if (resumePoint !== undefined) state.checkpoint = resumePoint;
      if (activeRunId !== undefined) state.activeRunId = activeRunId;
      state.updatedAt = new Date(now.getTime());
      byModel.set(batch.model, state);
    }
    return result;
  }

  /** {@inheritDoc Store.getRecord} */
  async getRecord(
    tenantId: string,
    connectionId: string,
    model: string,
    externalId: string,
  ): Promise<StoredRecord | null> {
    const record = this.#model(tenantId, connectionId, model)?.byExternalId.get(externalId);
    return record ? copyRecord(record) : null;
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
    const record = this.#model(tenantId, connectionId, model)?.findByInternalId(internalId);
    return record ? copyRecord(record) : null;
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
    const records = this.#model(tenantId, connectionId, model);
    const record = records?.byExternalId.get(externalId);
    if (!records || !record) return false;
    records.setInternalId(record, internalId);
    return true;
  }

  /** {@inheritDoc Store.listRecords} */
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
    const records = this.#model(tenantId, options.connectionId, options.model);
    if (!records) return [];
    const ids = records.sortedIds();
    let index =
      options.afterExternalId === undefined ? 0 : upperBound(ids, options.afterExternalId);
    const out: StoredRecord[] = [];
    while (out.length < limit && index < ids.length) {
      const record = records.byExternalId.get(ids[index++]!)!;
      if (record.deletedAt !== null && options.includeDeleted !== true) continue;
      out.push(copyRecord(record));
    }
    return out;
  }

  /** {@inheritDoc Store.listRecordHashes} */
  async listRecordHashes(
    tenantId: string,
    options: { connectionId: string; model: string; afterExternalId?: string; limit: number },
  ): Promise<Array<{ externalId: string; hash: string }>> {
    const limit = checkLimit(options.limit);
    const records = this.#model(tenantId, options.connectionId, options.model);
    if (!records) return [];
    const ids = records.sortedIds();
    let index =
      options.afterExternalId === undefined ? 0 : upperBound(ids, options.afterExternalId);
    const out: Array<{ externalId: string; hash: string }> = [];
    while (out.length < limit && index < ids.length) {
      const record = records.byExternalId.get(ids[index++]!)!;
      if (record.deletedAt === null) out.push({ externalId: record.externalId, hash: record.hash });
    }
    return out;
  }

  /** {@inheritDoc Store.getRecordHashes} */
  async getRecordHashes(
    tenantId: string,
    options: { connectionId: string; model: string; externalIds: readonly string[] },
  ): Promise<Array<{ externalId: string; hash: string }>> {
    const ids = checkExternalIds(options.externalIds);
    const records = this.#model(tenantId, options.connectionId, options.model);
    if (!records) return [];
    const out: Array<{ externalId: string; hash: string }> = [];
    for (const id of new Set(ids)) {
      const record = records.byExternalId.get(id);
      if (record !== undefined && record.deletedAt === null)
        out.push({ externalId: record.externalId, hash: record.hash });
    }
    return out;
  }

  /** {@inheritDoc Store.listChanges} */
  async listChanges(
    tenantId: string,
    options: { connectionId: string; model?: string; after: number; limit: number },
  ): Promise<StoredRecord[]> {
    const limit = checkLimit(options.limit);
    const connection = this.#records.get(tenantId)?.get(options.connectionId);
    if (!connection) return [];
    const feed =
      options.model === undefined ? connection.feed : connection.models.get(options.model)?.feed;
    return feed ? feed.list(options.after, limit).map(copyRecord) : [];
  }

  /**
   * After a complete full run: mark up to `limit` live records of the model
   * that `runId` did not see (neither upserted nor reported `seen` by its
   * batches) as deleted (bumping their `seq`). Returns how many were marked;
   * call again until it returns less than `limit`.
   *
   * Scans the model's records.
   */
  async markUnseenDeleted(
    tenantId: string,
    options: { connectionId: string; model: string; runId: string; limit: number; now: Date },
  ): Promise<number> {
    const limit = checkLimit(options.limit);
    const now = copyDate(options.now, "now");
    const connection = this.#records.get(tenantId)?.get(options.connectionId);
    const model = connection?.models.get(options.model);
    if (!connection || !model) return 0;
    let marked = 0;
    for (const record of model.byExternalId.values()) {
      if (marked >= limit) break;
      if (record.deletedAt !== null || record.seenRunId === options.runId) continue;
      record.deletedAt = new Date(now.getTime());
      record.updatedAt = new Date(now.getTime());
      const previousSeq = record.seq;
      record.seq = ++this.#seq;
      model.feed.append(record, previousSeq);
      connection.feed.append(record, previousSeq);
      marked++;
    }
    return marked;
  }

  /** {@inheritDoc Store.purgeConnectionData} */
  async purgeConnectionData(tenantId: string, connectionId: string): Promise<void> {
    deleteNested(this.#records, tenantId, connectionId);
    deleteNested(this.#syncStates, tenantId, connectionId);
    const runs = this.#runsByTenant.get(tenantId);
    if (!runs) return;
    for (const [id, run] of runs) {
      if (run.connectionId !== connectionId) continue;
      runs.delete(id);
      this.#runs.delete(id);
    }
    if (runs.size === 0) this.#runsByTenant.delete(tenantId);
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
    if (this.#runs.has(run.id)) throw new StorageError(`sync run ${run.id} already exists`);
    const copy = copySyncRunIn(run);
    this.#runs.set(copy.id, copy);
    getOrCreate(this.#runsByTenant, copy.tenantId, newMap).set(copy.id, copy);
  }

  /** {@inheritDoc Store.updateSyncRun} */
  async updateSyncRun(tenantId: string, id: string, patch: SyncRunPatch): Promise<SyncRun> {
    const run = this.#runsByTenant.get(tenantId)?.get(id);
    if (!run) throw new NotFoundError(`sync run ${id} not found for tenant ${tenantId}`);
    const details =
      patch.details === undefined ? undefined : copyJsonObjectIn(patch.details, "details");
    const finishedAt =
      patch.finishedAt == null ? patch.finishedAt : copyDate(patch.finishedAt, "finishedAt");
    if (patch.status !== undefined) run.status = patch.status;
    if (finishedAt !== undefined) run.finishedAt = finishedAt;
    if (patch.fetched !== undefined) run.fetched = patch.fetched;
    if (patch.inserted !== undefined) run.inserted = patch.inserted;
    if (patch.updated !== undefined) run.updated = patch.updated;
    if (patch.deleted !== undefined) run.deleted = patch.deleted;
    if (patch.unchanged !== undefined) run.unchanged = patch.unchanged;
    if (patch.failed !== undefined) run.failed = patch.failed;
    if (patch.error !== undefined) run.error = patch.error;
    if (details !== undefined) run.details = details;
    return copySyncRun(run);
  }

  /** {@inheritDoc Store.getSyncRun} */
  async getSyncRun(tenantId: string, id: string): Promise<SyncRun | null> {
    const run = this.#runsByTenant.get(tenantId)?.get(id);
    return run ? copySyncRun(run) : null;
  }

  /**
   * Newest first.
   *
   * Runs started in the same millisecond: last created first.
   */
  async listSyncRuns(
    tenantId: string,
    options: { connectionId?: string; model?: string; limit: number },
  ): Promise<SyncRun[]> {
    const limit = checkLimit(options.limit);
    const runs = this.#runsByTenant.get(tenantId);
    if (!runs) return [];
    const matching: SyncRun[] = [];
    for (const run of runs.values()) {
      if (options.connectionId !== undefined && run.connectionId !== options.connectionId) continue;
      if (options.model !== undefined && run.model !== options.model) continue;
      matching.push(run);
    }
    matching.reverse().sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    return matching.slice(0, limit).map(copySyncRun);
  }

  // ── audit and usage ──────────────────────────────────────────────────

  /**
   * Add an entry to the audit trail.
   *
   * Entry ids are unique across the store; a duplicate throws `StorageError`.
   */
  async appendAudit(entry: AuditEntry): Promise<void> {
    requireString(entry.id, "id");
    requireString(entry.tenantId, "tenantId");
    requireString(entry.action, "action");
    if (this.#auditIds.has(entry.id)) {
      throw new StorageError(`audit entry ${entry.id} already exists`);
    }
    const copy = copyAuditEntryIn(entry);
    const entries = getOrCreate(this.#audit, copy.tenantId, (): AuditEntry[] => []);
    // After every entry at or before `at`: equal times keep their append order.
    const at = copy.at.getTime();
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid]!.at.getTime() <= at) low = mid + 1;
      else high = mid;
    }
    entries.splice(low, 0, copy);
    this.#auditIds.add(copy.id);
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
    const limit = checkLimit(options.limit);
    const before = options.before === undefined ? undefined : copyDate(options.before, "before");
    const entries = this.#audit.get(tenantId);
    if (!entries) return [];
    // Start below the first entry at or after `before`.
    let index = entries.length;
    if (before !== undefined) {
      const cutoff = before.getTime();
      let low = 0;
      let high = entries.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (entries[mid]!.at.getTime() < cutoff) low = mid + 1;
        else high = mid;
      }
      index = low;
    }
    const out: AuditEntry[] = [];
    while (out.length < limit && index > 0) {
      const entry = entries[--index]!;
      if (options.connectionId !== undefined && entry.connectionId !== options.connectionId) {
        continue;
      }
      if (options.action !== undefined && entry.action !== options.action) continue;
      out.push(copyAuditEntry(entry));
    }
    return out;
  }

  /**
   * Add to the tenant's counters for `period` (created at zero if missing).
   * Atomic under concurrency.
   *
   * Deltas must be integers (negative ones subtract); a `TypeError` names a bad one.
   */
  async incrementUsage(
    tenantId: string,
    period: string,
    delta: Partial<UsageCounters>,
  ): Promise<void> {
    requireString(tenantId, "tenantId");
    requireString(period, "period");
    const records = checkDelta(delta.records, "delta.records");
    const runs = checkDelta(delta.runs, "delta.runs");
    const byPeriod = getOrCreate(this.#usage, tenantId, newMap);
    const counters = getOrCreate(byPeriod, period, (): UsageCounters => ({ records: 0, runs: 0 }));
    counters.records += records;
    counters.runs += runs;
  }

  /** {@inheritDoc Store.getUsage} */
  async getUsage(tenantId: string, period: string): Promise<UsageCounters> {
    const counters = this.#usage.get(tenantId)?.get(period);
    return counters ? { records: counters.records, runs: counters.runs } : { records: 0, runs: 0 };
  }

  // ── tenants ──────────────────────────────────────────────────────────

  /**
   * Remove everything stored for a tenant: connections, sessions, states,
   * records, runs, audit, usage, exports and export runs.
   *
   * Leases are not tenant data (their keys are opaque) and are left alone.
   */
  async purgeTenant(tenantId: string): Promise<void> {
    const connections = this.#connectionsByTenant.get(tenantId);
    if (connections) {
      for (const id of connections.keys()) this.#connections.delete(id);
      this.#connectionsByTenant.delete(tenantId);
      this.#sortedConnectionIds = null;
    }
    for (const [state, session] of this.#oauthSessions) {
      if (session.tenantId === tenantId) this.#oauthSessions.delete(state);
    }
    this.#syncStates.delete(tenantId);
    this.#records.delete(tenantId);
    const runs = this.#runsByTenant.get(tenantId);
    if (runs) {
      for (const id of runs.keys()) this.#runs.delete(id);
      this.#runsByTenant.delete(tenantId);
    }
    const audit = this.#audit.get(tenantId);
    if (audit) {
      for (const entry of audit) this.#auditIds.delete(entry.id);
      this.#audit.delete(tenantId);
    }
    this.#usage.delete(tenantId);
    for (const id of this.#exports.get(tenantId)?.keys() ?? []) this.#exportIds.delete(id);
    this.#exports.delete(tenantId);
    for (const id of this.#exportRuns.get(tenantId)?.keys() ?? []) this.#exportRunIds.delete(id);
    this.#exportRuns.delete(tenantId);
  }

  // ── exports ──────────────────────────────────────────────────────────

  /** {@inheritDoc Store.createExport} */
  async createExport(definition: ExportDefinition): Promise<void> {
    requireString(definition.id, "id");
    requireString(definition.tenantId, "tenantId");
    if (this.#exportIds.has(definition.id)) {
      throw new StorageError(`export ${definition.id} already exists`);
    }
    const copy = copyExportIn(definition);
    getOrCreate(this.#exports, copy.tenantId, newMap).set(copy.id, copy);
    this.#exportIds.add(copy.id);
  }

  /** {@inheritDoc Store.getExport} */
  async getExport(tenantId: string, id: string): Promise<ExportDefinition | null> {
    const found = this.#exports.get(tenantId)?.get(id);
    return found ? copyExport(found) : null;
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
    const all = [...(this.#exports.get(tenantId)?.values() ?? [])].filter(
      (e) =>
        filter.connectionId === undefined || e.destination.connectionId === filter.connectionId,
    );
    all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return all.map(copyExport);
  }

  /** {@inheritDoc Store.updateExport} */
  async updateExport(tenantId: string, id: string, patch: ExportPatch): Promise<ExportDefinition> {
    const found = this.#exports.get(tenantId)?.get(id);
    if (!found) throw new NotFoundError(`export ${id} not found for tenant ${tenantId}`);
    // Validate and copy the whole result before writing, so a bad patch changes nothing.
    const next = copyExportIn({ ...found, ...definedFields(patch) });
    this.#exports.get(tenantId)!.set(id, next);
    return copyExport(next);
  }

  /** {@inheritDoc Store.deleteExport} */
  async deleteExport(tenantId: string, id: string): Promise<boolean> {
    const byId = this.#exports.get(tenantId);
    if (!byId?.delete(id)) return false;
    this.#exportIds.delete(id);
    const runs = this.#exportRuns.get(tenantId);
    for (const [runId, run] of runs ?? []) {
      if (run.exportId !== id) continue;
      runs!.delete(runId);
      this.#exportRunIds.delete(runId);
    }
    return true;
  }

  /**
   * Cross-tenant, for the scheduler: atomically claim up to `limit` exports
   * whose `nextRunAt` is at or before `now` and whose claim is free, expired
   * (`claimedUntil <= now`) or already `holder`'s, setting `claimedBy` to
   * `holder` and `claimedUntil` to `now + ttlMs`. Two concurrent callers never
   * claim the same export. Returns the claimed exports, soonest first.
   *
   * Scans every export.
   */
  async claimDueExports(
    now: Date,
    options: { holder: string; ttlMs: number; limit: number },
  ): Promise<ExportDefinition[]> {
    const at = copyDate(now, "now").getTime();
    requireString(options.holder, "holder");
    checkTtl(options.ttlMs);
    const max = checkLimit(options.limit);
    const due: ExportDefinition[] = [];
    for (const byId of this.#exports.values()) {
      for (const e of byId.values()) {
        if (e.nextRunAt === null || e.nextRunAt.getTime() > at) continue;
        if (!claimable(e, options.holder, at)) continue;
        due.push(e);
      }
    }
    due.sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime());
    return due.slice(0, max).map((e) => {
      e.claimedBy = options.holder;
      e.claimedUntil = new Date(at + options.ttlMs);
      return copyExport(e);
    });
  }

  /** {@inheritDoc Store.claimExport} */
  async claimExport(
    tenantId: string,
    id: string,
    options: { holder: string; ttlMs: number; now: Date },
  ): Promise<ExportDefinition | null> {
    requireString(options.holder, "holder");
    checkTtl(options.ttlMs);
    const at = copyDate(options.now, "now").getTime();
    const e = this.#exports.get(tenantId)?.get(id);
    if (!e || !claimable(e, options.holder, at)) return null;
    e.claimedBy = options.holder;
    e.claimedUntil = new Date(at + options.ttlMs);
    return copyExport(e);
  }

  /** {@inheritDoc Store.releaseExport} */
  async releaseExport(
    tenantId: string,
    id: string,
    holder: string,
    patch: ExportStatePatch,
  ): Promise<ExportDefinition | null> {
    const e = this.#exports.get(tenantId)?.get(id);
    if (!e || e.claimedBy !== holder) return null;
    const next = copyExportIn({
      ...e,
      ...definedFields(patch),
      claimedBy: null,
      claimedUntil: null,
    });
    this.#exports.get(tenantId)!.set(id, next);
    return copyExport(next);
  }

  /** {@inheritDoc Store.createExportRun} */
  async createExportRun(run: ExportRun): Promise<void> {
    requireString(run.id, "id");
    requireString(run.tenantId, "tenantId");
    requireString(run.exportId, "exportId");
    if (this.#exportRunIds.has(run.id))
      throw new StorageError(`export run ${run.id} already exists`);
    const copy = copyExportRunIn(run);
    getOrCreate(this.#exportRuns, copy.tenantId, newMap).set(copy.id, copy);
    this.#exportRunIds.add(copy.id);
  }

  /** {@inheritDoc Store.updateExportRun} */
  async updateExportRun(tenantId: string, id: string, patch: ExportRunPatch): Promise<ExportRun> {
    const run = this.#exportRuns.get(tenantId)?.get(id);
    if (!run) throw new NotFoundError(`export run ${id} not found for tenant ${tenantId}`);
    const next = copyExportRunIn({ ...run, ...definedFields(patch) });
    this.#exportRuns.get(tenantId)!.set(id, next);
    return copyExportRun(next);
  }

  /**
   * Newest first, of one export when `exportId` is given.
   *
   * Runs started in the same millisecond: last created first.
   */
  async listExportRuns(
    tenantId: string,
    options: { exportId?: string; limit: number },
  ): Promise<ExportRun[]> {
    const limit = checkLimit(options.limit);
    const matching = [...(this.#exportRuns.get(tenantId)?.values() ?? [])].filter(
      (r) => options.exportId === undefined || r.exportId === options.exportId,
    );
    matching.reverse().sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    return matching.slice(0, limit).map(copyExportRun);
  }

  // ── leases ───────────────────────────────────────────────────────────

  /** {@inheritDoc Store.acquireLease} */
  async acquireLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const now = this.#clock();
    const lease = this.#leases.get(key);
    if (lease && lease.holder !== holder && lease.expiresAt > now) return false;
    this.#leases.set(key, { holder, expiresAt: now + ttlMs });
    return true;
  }

  /**
   * Extend a lease still held by `holder`; `false` if it was lost.
   *
   * A lease whose ttl has run out counts as lost, even if nobody took it yet.
   */
  async renewLease(key: string, holder: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const now = this.#clock();
    const lease = this.#leases.get(key);
    if (!lease || lease.holder !== holder || lease.expiresAt <= now) return false;
    lease.expiresAt = now + ttlMs;
    return true;
  }

  /** {@inheritDoc Store.releaseLease} */
  async releaseLease(key: string, holder: string): Promise<void> {
    if (this.#leases.get(key)?.holder === holder) this.#leases.delete(key);
  }

  // ── internals ────────────────────────────────────────────────────────

  #now(): Date {
    return new Date(this.#clock());
  }

  #model(tenantId: string, connectionId: string, model: string): ModelRecords | undefined {
    return this.#records.get(tenantId)?.get(connectionId)?.models.get(model);
  }
}

// ── record indexes ────────────────────────────────────────────────────────

/** One upsert after validation, with its data already copied. */
interface PreparedUpsert {
  externalId: string;
  hash: string;
  data: Json;
  internalId: string | null | undefined;
  providerUpdatedAt: Date | null | undefined;
}

/**
 * A change log in `seq` order. A record is appended each time its `seq` is
 * bumped; older entries of the same record go stale (their `seq` no longer
 * matches the record's) and are skipped, then dropped by compaction.
 */
class ChangeFeed {
  #entries: { seq: number; record: StoredRecord }[] = [];
  #stale = 0;

  append(record: StoredRecord, previousSeq: number): void {
    this.#entries.push({ seq: record.seq, record });
    if (previousSeq > 0) this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#entries.length) {
      this.#entries = this.#entries.filter((entry) => entry.seq === entry.record.seq);
      this.#stale = 0;
    }
  }

  /** Live records with `seq > after`, oldest change first. */
  list(after: number, limit: number): StoredRecord[] {
    const entries = this.#entries;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid]!.seq <= after) low = mid + 1;
      else high = mid;
    }
    const out: StoredRecord[] = [];
    for (let i = low; i < entries.length && out.length < limit; i++) {
      const entry = entries[i]!;
      if (entry.seq === entry.record.seq) out.push(entry.record);
    }
    return out;
  }
}

/** One connection's records: per model, plus the connection-wide change feed. */
class ConnectionRecords {
  readonly models = new Map<string, ModelRecords>();
  readonly feed = new ChangeFeed();
}

/** One model's records of one connection, with their indexes. */
class ModelRecords {
  readonly byExternalId = new Map<string, StoredRecord>();
  readonly feed = new ChangeFeed();
  /** internal id → external ids carrying it, in the order they got it. */
  readonly #byInternalId = new Map<string, Set<string>>();
  /** External ids in sort order; rebuilt lazily after an insert. */
  #sortedIds: string[] | null = null;

  insert(record: StoredRecord): void {
    this.byExternalId.set(record.externalId, record);
    if (record.internalId !== null) this.#index(record.internalId, record.externalId);
    this.#sortedIds = null;
  }

  setInternalId(record: StoredRecord, internalId: string | null): void {
    if (record.internalId === internalId) return;
    if (record.internalId !== null) {
      const holders = this.#byInternalId.get(record.internalId);
      holders?.delete(record.externalId);
      if (holders?.size === 0) this.#byInternalId.delete(record.internalId);
    }
    record.internalId = internalId;
    if (internalId !== null) this.#index(internalId, record.externalId);
  }

  findByInternalId(internalId: string): StoredRecord | undefined {
    const holders = this.#byInternalId.get(internalId);
    if (!holders) return undefined;
    let last: string | undefined;
    for (const externalId of holders) last = externalId;
    return last === undefined ? undefined : this.byExternalId.get(last);
  }

  sortedIds(): string[] {
    this.#sortedIds ??= [...this.byExternalId.keys()].sort(compareStrings);
    return this.#sortedIds;
  }

  #index(internalId: string, externalId: string): void {
    getOrCreate(this.#byInternalId, internalId, () => new Set<string>()).add(externalId);
  }
}

// ── helpers ───────────────────────────────────────────────────────────────

function newMap<K, V>(): Map<K, V> {
  return new Map<K, V>();
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => NoInfer<V>): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function deleteNested<V>(map: Map<string, Map<string, V>>, tenantId: string, key: string): void {
  const inner = map.get(tenantId);
  if (!inner) return;
  inner.delete(key);
  if (inner.size === 0) map.delete(tenantId);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first element greater than `value` in a sorted array. */
function upperBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function requireString(value: unknown, name: string): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`"${name}" must be a non-empty string`);
  }
}

/** Ids per {@link Store.getRecordHashes} call at most. */
const MAX_HASH_IDS = 10_000;

function checkExternalIds(ids: readonly string[]): readonly string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw new TypeError('"externalIds" must be an array of strings');
  }
  if (ids.length > MAX_HASH_IDS) {
    throw new TypeError(`"externalIds" holds ${ids.length} ids; ask for at most ${MAX_HASH_IDS}`);
  }
  return ids;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new TypeError(`"limit" must be a non-negative integer, got ${String(limit)}`);
  }
  return limit;
}

function checkDelta(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" must be an integer, got ${String(value)}`);
  }
  return value;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError(`"ttlMs" must be a positive number, got ${String(ttlMs)}`);
  }
}

function copyDate(date: Date, name: string): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError(`"${name}" must be a valid Date`);
  }
  return new Date(date.getTime());
}

function copyOptionalDate(date: Date | null): Date | null {
  return date === null ? null : new Date(date.getTime());
}

function copyBytes(bytes: Uint8Array | null): Uint8Array | null {
  return bytes === null ? null : new Uint8Array(bytes);
}

/** A value that is not JSON, with the path to it collected while unwinding. */
class NotJsonError extends Error {
  readonly path: string[] = [];
}

/** Validate and deep-copy a caller's JSON value; throws a `TypeError` naming the bad value. */
function copyJsonIn(value: unknown, name: string): Json {
  try {
    return copyJsonValue(value);
  } catch (error) {
    if (!(error instanceof NotJsonError)) throw error;
    throw new TypeError(`"${name}${error.path.join("")}" must be JSON: ${error.message}`);
  }
}

function copyJsonObjectIn(value: Record<string, Json>, name: string): Record<string, Json> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`"${name}" must be a JSON object`);
  }
  return copyJsonIn(value, name) as Record<string, Json>;
}

function copyJsonValue(value: unknown): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a finite number`);
      return value;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: Json[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          out[i] = withPath(`[${i}]`, () => copyJsonValue(value[i]));
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
        throw new NotJsonError(`found a ${kind}, not a plain object`);
      }
      const out: Record<string, Json> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue; // JSON drops undefined properties too.
        setOwn(
          out,
          key,
          withPath(`.${key}`, () => copyJsonValue(item)),
        );
      }
      return out;
    }
    default:
      throw new NotJsonError(`found a ${typeof value}`);
  }
}

function withPath<T>(segment: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof NotJsonError) error.path.unshift(segment);
    throw error;
  }
}

/** Deep-copy a stored JSON value (already validated). */
function cloneJson(value: Json): Json {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) setOwn(out, key, cloneJson(item));
  return out;
}

function cloneJsonObject(value: Record<string, Json>): Record<string, Json> {
  return cloneJson(value) as Record<string, Json>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validate and copy field mappings (model → host field → provider field). */
function copyFieldMappingsIn(
  value: Record<string, Record<string, string>>,
  name: string,
): Record<string, Record<string, string>> {
  if (!isPlainObject(value)) throw new TypeError(`"${name}" must be an object of objects`);
  const out: Record<string, Record<string, string>> = {};
  for (const [model, fields] of Object.entries(value)) {
    if (fields === undefined) continue; // JSON drops undefined properties too.
    if (!isPlainObject(fields)) {
      throw new TypeError(`"${name}.${model}" must be an object of strings`);
    }
    const copy: Record<string, string> = {};
    for (const [field, target] of Object.entries(fields)) {
      if (target === undefined) continue;
      if (typeof target !== "string") {
        throw new TypeError(`"${name}.${model}.${field}" must be a string`);
      }
      setOwn(copy, field, target);
    }
    setOwn(out, model, copy);
  }
  return out;
}

function cloneFieldMappings(
  value: Record<string, Record<string, string>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [model, fields] of Object.entries(value)) {
    const copy: Record<string, string> = {};
    for (const [field, target] of Object.entries(fields)) setOwn(copy, field, target);
    setOwn(out, model, copy);
  }
  return out;
}

/** Set a property, including a literal `__proto__` key (as `JSON.parse` does). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function copySchedule(schedule: Schedule | null): Schedule | null {
  return schedule === null ? null : { ...schedule };
}

function copyConnection(connection: StoredConnection): StoredConnection {
  return {
    ...connection,
    config: cloneJsonObject(connection.config),
    metadata: cloneJsonObject(connection.metadata),
    fieldMappings: cloneFieldMappings(connection.fieldMappings),
    createdAt: new Date(connection.createdAt.getTime()),
    updatedAt: new Date(connection.updatedAt.getTime()),
    credentials: copyBytes(connection.credentials),
  };
}

function copyOAuthSessionIn(session: OAuthSession): OAuthSession {
  return {
    state: session.state,
    tenantId: session.tenantId,
    connector: session.connector,
    sealedVerifier: new Uint8Array(session.sealedVerifier),
    redirectUri: session.redirectUri,
    scopes: [...session.scopes],
    data: copyJsonObjectIn(session.data, "data"),
    createdAt: copyDate(session.createdAt, "createdAt"),
    expiresAt: copyDate(session.expiresAt, "expiresAt"),
  };
}

function copySyncStateIn(state: SyncState): SyncState {
  return {
    tenantId: state.tenantId,
    connectionId: state.connectionId,
    model: state.model,
    cursor: copyJsonIn(state.cursor, "cursor"),
    checkpoint: copyJsonIn(state.checkpoint, "checkpoint"),
    activeRunId: state.activeRunId,
    schedule: copySchedule(state.schedule),
    nextRunAt: copyOptionalDate(state.nextRunAt),
    lastRunAt: copyOptionalDate(state.lastRunAt),
    lastSuccessAt: copyOptionalDate(state.lastSuccessAt),
    lastStatus: state.lastStatus,
    lastError: state.lastError,
    consecutiveFailures: state.consecutiveFailures,
    runsSinceFull: state.runsSinceFull,
    updatedAt: copyDate(state.updatedAt, "updatedAt"),
  };
}

function copySyncState(state: SyncState): SyncState {
  return {
    ...state,
    cursor: cloneJson(state.cursor),
    checkpoint: cloneJson(state.checkpoint),
    schedule: copySchedule(state.schedule),
    nextRunAt: copyOptionalDate(state.nextRunAt),
    lastRunAt: copyOptionalDate(state.lastRunAt),
    lastSuccessAt: copyOptionalDate(state.lastSuccessAt),
    updatedAt: new Date(state.updatedAt.getTime()),
  };
}

function copyRecord(record: StoredRecord): StoredRecord {
  return {
    ...record,
    data: cloneJson(record.data),
    deletedAt: copyOptionalDate(record.deletedAt),
    providerUpdatedAt: copyOptionalDate(record.providerUpdatedAt),
    updatedAt: new Date(record.updatedAt.getTime()),
  };
}

function copySyncRunIn(run: SyncRun): SyncRun {
  return {
    ...run,
    startedAt: copyDate(run.startedAt, "startedAt"),
    finishedAt: run.finishedAt === null ? null : copyDate(run.finishedAt, "finishedAt"),
    details: copyJsonObjectIn(run.details, "details"),
  };
}

function copySyncRun(run: SyncRun): SyncRun {
  return {
    ...run,
    startedAt: new Date(run.startedAt.getTime()),
    finishedAt: copyOptionalDate(run.finishedAt),
    details: cloneJsonObject(run.details),
  };
}

function copyAuditEntryIn(entry: AuditEntry): AuditEntry {
  return {
    id: entry.id,
    tenantId: entry.tenantId,
    at: copyDate(entry.at, "at"),
    actor: entry.actor,
    action: entry.action,
    connectionId: entry.connectionId,
    connector: entry.connector,
    details: copyJsonObjectIn(entry.details, "details"),
  };
}

/** The fields of a patch that are not `undefined` (so a missing field keeps the stored value). */
function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Whether `holder` may claim the export at `at` (epoch ms). */
function claimable(e: ExportDefinition, holder: string, at: number): boolean {
  return e.claimedBy === null || e.claimedBy === holder || (e.claimedUntil?.getTime() ?? 0) <= at;
}

function copyExportIn(e: ExportDefinition): ExportDefinition {
  requireString(e.name, "name");
  return {
    id: e.id,
    tenantId: e.tenantId,
    name: e.name,
    source: copyJsonIn(e.source, "source") as unknown as ExportDefinition["source"],
    params: copyJsonObjectIn(e.params, "params"),
    template: e.template,
    columns:
      e.columns === null
        ? null
        : (copyJsonIn(e.columns, "columns") as unknown as ExportDefinition["columns"]),
    format: e.format,
    bom: e.bom,
    schedule: copyJsonIn(e.schedule, "schedule") as unknown as ExportDefinition["schedule"],
    destination: { connectionId: e.destination.connectionId, folderId: e.destination.folderId },
    mode: e.mode,
    filename: e.filename,
    nextRunAt: copyOptionalDate(e.nextRunAt),
    lastRunAt: copyOptionalDate(e.lastRunAt),
    lastSuccessAt: copyOptionalDate(e.lastSuccessAt),
    lastStatus: e.lastStatus,
    lastError: e.lastError,
    consecutiveFailures: e.consecutiveFailures,
    fileId: e.fileId,
    fileUrl: e.fileUrl,
    claimedBy: e.claimedBy,
    claimedUntil: copyOptionalDate(e.claimedUntil),
    createdAt: copyDate(e.createdAt, "createdAt"),
    updatedAt: copyDate(e.updatedAt, "updatedAt"),
  };
}

function copyExport(e: ExportDefinition): ExportDefinition {
  return {
    ...e,
    source: cloneJson(e.source as unknown as Json) as unknown as ExportDefinition["source"],
    params: cloneJsonObject(e.params),
    columns:
      e.columns === null
        ? null
        : (cloneJson(e.columns as unknown as Json) as unknown as ExportDefinition["columns"]),
    schedule: cloneJson(e.schedule as unknown as Json) as unknown as ExportDefinition["schedule"],
    destination: { ...e.destination },
    nextRunAt: copyOptionalDate(e.nextRunAt),
    lastRunAt: copyOptionalDate(e.lastRunAt),
    lastSuccessAt: copyOptionalDate(e.lastSuccessAt),
    claimedUntil: copyOptionalDate(e.claimedUntil),
    createdAt: new Date(e.createdAt.getTime()),
    updatedAt: new Date(e.updatedAt.getTime()),
  };
}

function copyExportRunIn(run: ExportRun): ExportRun {
  return {
    ...run,
    startedAt: copyDate(run.startedAt, "startedAt"),
    finishedAt: run.finishedAt === null ? null : copyDate(run.finishedAt, "finishedAt"),
    details: copyJsonObjectIn(run.details, "details"),
  };
}

function copyExportRun(run: ExportRun): ExportRun {
  return {
    ...run,
    startedAt: new Date(run.startedAt.getTime()),
    finishedAt: copyOptionalDate(run.finishedAt),
    details: cloneJsonObject(run.details),
  };
}

function copyAuditEntry(entry: AuditEntry): AuditEntry {
  return { ...entry, at: new Date(entry.at.getTime()), details: cloneJsonObject(entry.details) };
}
