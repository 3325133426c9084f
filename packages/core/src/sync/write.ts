import type { ConnectorContext, WriteChange, WriteOutcome } from "../connector/types.js";
import { ConfigError, ErrorCode, PatchbayError } from "../errors.js";
import type { PatchbayEvents } from "../events.js";
import type { Logger } from "../logger.js";
import { redactString } from "../redact.js";
import { publicConnection } from "../store/connection.js";
import { newSyncRun } from "../store/defaults.js";
import type { Json, RecordUpsert, Store, StoredRecord, SyncRun } from "../store/types.js";
import type { SyncEngine } from "./engine.js";
import { prepareRecord } from "./engine.js";
import { recordHash, toCanonicalJson } from "./hash.js";
import { resolveMapping, toProviderShape } from "./mapping.js";

/** Who wins when a record changed at the provider and in the host since the last sync. */
export type ConflictPolicy = "provider_wins" | "host_wins" | "newest_wins";

/** One host change, addressed by the host's own id. `data` uses host field names (after mapping). */
export type HostChange =
  | { op: "create"; internalId: string; data: Record<string, unknown> }
  | { op: "update"; internalId: string; data: Record<string, unknown>; updatedAt?: Date }
  | { op: "delete"; internalId: string; updatedAt?: Date };

/** Input of `patchbay.write`. */
export interface WriteInput {
  tenantId: string;
  connectionId: string;
  model: string;
  changes: HostChange[];
  /** Override the conflict policy for this call. */
  conflictPolicy?: ConflictPolicy;
}

/** What happened to one change. */
export interface WriteItemResult {
  internalId: string;
  op: HostChange["op"];
  /**
   * `applied`: written at the provider. `skipped_conflict`: the provider's
   * newer version won and was kept. `failed`: see `error`.
   */
  status: "applied" | "skipped_conflict" | "failed";
  externalId?: string;
  error?: string;
  /** Set when the record had changed on both sides. */
  conflict?: { policy: ConflictPolicy; winner: "provider" | "host" };
}

/** The result of a write: one item per change, in order, and the run that recorded it. */
export interface WriteResult {
  run: SyncRun;
  results: WriteItemResult[];
}

/** What write-back needs. */
export interface WriteDeps {
  store: Store;
  engine: SyncEngine;
  events: PatchbayEvents;
  logger: Logger;
  now: () => number;
  /** The default policy when the call gives none. Default `provider_wins`. */
  conflictPolicy: ConflictPolicy;
  recordUsage?: (tenantId: string, delta: { records: number; runs: number }) => Promise<void>;
}

const POLICIES: ReadonlySet<string> = new Set(["provider_wins", "host_wins", "newest_wins"]);

/**
 * Apply host changes at the provider (two-way sync).
 *
 * - Serialised with syncs of the same model (the model's lease).
 * - Updates and deletes address records by internal id; the mapping from
 *   internal to external id is kept by the store.
 * - Conflicts: when the model can `read`, each updated or deleted record's
 *   current provider version is compared with the last synced one; if it
 *   changed, the policy decides (provider wins: the host change is skipped
 *   and the provider version lands in the change feed; host wins: written;
 *   newest wins: by the provider's modified time vs the change's `updatedAt`).
 *   Every conflict is recorded on the run.
 * - Echo suppression: written records are stored with the hash of what the
 *   provider now holds, silently (not in the change feed), so the next inbound
 *   sync neither reports the host's own change back nor rewrites it.
 */
export async function writeBack(deps: WriteDeps, input: WriteInput): Promise<WriteResult> {
  const { store, engine } = deps;
  if (!Array.isArray(input?.changes) || input.changes.length === 0)
    throw new TypeError('"changes" must be a non-empty array');
  const policy = input.conflictPolicy ?? deps.conflictPolicy;
  if (!POLICIES.has(policy))
    throw new TypeError(
      `"conflictPolicy" must be one of provider_wins, host_wins, newest_wins; got "${policy}"`,
    );
  for (const [i, change] of input.changes.entries()) {
    if (
      change === null ||
      typeof change !== "object" ||
      !["create", "update", "delete"].includes(change.op)
    ) {
      throw new TypeError(`"changes[${i}].op" must be "create", "update" or "delete"`);
    }
    if (typeof change.internalId !== "string" || change.internalId === "")
      throw new TypeError(`"changes[${i}].internalId" must be a non-empty string`);
    if (change.op !== "delete" && (change.data === null || typeof change.data !== "object")) {
      throw new TypeError(`"changes[${i}].data" must be an object`);
    }
  }
  const row = await store.getConnection(input.tenantId, input.connectionId);
  if (row === null)
    throw new ConfigError(
      `Connection ${input.connectionId} not found for tenant ${input.tenantId}`,
    );
  const connection = publicConnection(row);
  const { definition, model } = engine.resolve(row.connector, input.model);
  if (model.write === undefined)
    throw new ConfigError(
      `${definition.name} model "${input.model}" is read-only (it declares no write)`,
    );
  if (row.status === "needs_reauth" || row.status === "disconnected") {
    throw new ConfigError(
      `Connection ${row.id} is ${row.status}: reconnect ${definition.name} before writing`,
    );
  }
  const mapping = resolveMapping(connection, input.model, model);
  const where = `${definition.name} model "${input.model}"`;

  const lease = await engine.lease(input, 60_000);
  if (lease === null)
    throw new PatchbayError(
      ErrorCode.CONFLICT,
      `${where}: a sync has held the model for over a minute; retry the write later`,
      { retryable: true },
    );
  const started = new Date(deps.now());
  const run = newSyncRun(input, "write", "incremental", started);
  await store.createSyncRun(run);
  // Mark written records as seen by an interrupted full pass, if any, so its delete detection keeps them.
  const passId =
    (await store.getSyncState(input.tenantId, input.connectionId, input.model))?.activeRunId ??
    run.id;
  const results: WriteItemResult[] = input.changes.map((c) => ({
    internalId: c.internalId,
    op: c.op,
    status: "failed",
  }));
  const conflicts: Json[] = [];
  try {
    const ctx: ConnectorContext = {
      connection,
      config: connection.config,
      metadata: connection.metadata,
      http: engine.http(definition, connection),
      logger: deps.logger,
      signal: lease.signal,
    };
    // Resolve ids and build provider-shaped changes.
    const existing = new Map<number, StoredRecord>();
    const pending: Array<{ index: number; change: WriteChange<unknown> }> = [];
    for (const [index, change] of input.changes.entries()) {
      const stored = await store.getRecordByInternalId(
        input.tenantId,
        input.connectionId,
        input.model,
        change.internalId,
      );
      if (change.op === "create") {
        if (stored !== null && stored.deletedAt === null) {
          results[index]!.error =
            `internal id "${change.internalId}" is already mapped to ${stored.externalId}; use op "update"`;
          continue;
        }
        pending.push({
          index,
          change: {
            op: "create",
            internalId: change.internalId,
            data: toProviderShape(change.data, mapping, where),
          },
        });
        continue;
      }
      if (stored === null || stored.deletedAt !== null) {
        results[index]!.error =
          `no live record is mapped to internal id "${change.internalId}"; create it, or import it with records.setInternalId()`;
        continue;
      }
      existing.set(index, stored);
      results[index]!.externalId = stored.externalId;
      if (change.op === "update") {
        const base = (
          stored.data !== null && typeof stored.data === "object" && !Array.isArray(stored.data)
            ? stored.data
            : {}
        ) as Record<string, unknown>;
        const merged = { ...base, ...toProviderShape(change.data, mapping, where) };
        pending.push({
          index,
          change: {
            op: "update",
            internalId: change.internalId,
            externalId: stored.externalId,
            data: merged,
          },
        });
      } else {
        pending.push({
          index,
          change: { op: "delete", internalId: change.internalId, externalId: stored.externalId },
        });
      }
    }

    // Conflict detection against the provider's current versions.
    const toWrite: typeof pending = [];
    const providerWon: RecordUpsert[] = [];
    const targets = pending.filter((p) => p.change.op !== "create");
    const current = new Map<string, ReturnType<typeof prepareRecord>>();
    if (model.read !== undefined && targets.length > 0) {
      const ids = targets.map((p) => (p.change as { externalId: string }).externalId);
      for (const raw of await model.read(ctx, ids)) {
        const prepared = prepareRecord(model, raw);
        if (!("error" in prepared)) current.set(prepared.externalId, prepared);
      }
    }
    for (const item of pending) {
      if (item.change.op === "create") {
        toWrite.push(item);
        continue;
      }
      const stored = existing.get(item.index)!;
      const now = current.get(stored.externalId);
      const changedAtProvider = now !== undefined && !("error" in now) && now.hash !== stored.hash;
      if (!changedAtProvider) {
        toWrite.push(item);
        continue;
      }
      const providerVersion = now as Exclude<typeof now, { error: string }>;
      const hostChange = input.changes[item.index]!;
      let winner: "provider" | "host" = policy === "host_wins" ? "host" : "provider";
      if (policy === "newest_wins") {
        const providerAt = providerVersion.providerUpdatedAt?.getTime() ?? Number.POSITIVE_INFINITY;
        const hostAt = (
          "updatedAt" in hostChange && hostChange.updatedAt instanceof Date
            ? hostChange.updatedAt
            : started
        ).getTime();
        winner = hostAt > providerAt ? "host" : "provider";
      }
      results[item.index]!.conflict = { policy, winner };
      conflicts.push({
        internalId: hostChange.internalId,
        externalId: stored.externalId,
        policy,
        winner,
      });
      if (winner === "host") toWrite.push(item);
      else {
        results[item.index]!.status = "skipped_conflict";
        providerWon.push({
          externalId: stored.externalId,
          hash: providerVersion.hash,
          data: providerVersion.data,
          providerUpdatedAt: providerVersion.providerUpdatedAt,
        });
      }
    }
    if (providerWon.length > 0) {
      // The provider's version goes into the feed, so the host takes it.
      const r = await store.applyRecordBatch(input.tenantId, {
        connectionId: input.connectionId,
        model: input.model,
        runId: passId,
        upserts: providerWon,
        deletes: [],
        now: new Date(deps.now()),
      });
      run.updated += r.updated;
    }

    // Write in the provider's batch size; store each outcome silently.
    const batchSize = model.writeBatchSize ?? 50;
    for (let i = 0; i < toWrite.length; i += batchSize) {
      const chunk = toWrite.slice(i, i + batchSize);
      let outcomes: WriteOutcome<unknown>[];
      try {
        outcomes = await model.write(
          ctx,
          chunk.map((c) => c.change),
        );
      } catch (error) {
        const message = redactString(error instanceof Error ? error.message : String(error));
        // The whole call failed: every change of the chunk failed with it; later chunks still run.
        for (const c of chunk) results[c.index]!.error = message;
        continue;
      }
      if (!Array.isArray(outcomes) || outcomes.length !== chunk.length) {
        throw new ConfigError(
          `${where}: write() must return one outcome per change (got ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes} for ${chunk.length})`,
        );
      }
      const upserts: RecordUpsert[] = [];
      const deletes: string[] = [];
      for (const [j, outcome] of outcomes.entries()) {
        const { index, change } = chunk[j]!;
        const result = results[index]!;
        if (!outcome.ok) {
          result.error = redactString(outcome.error);
          continue;
        }
        result.status = "applied";
        result.externalId = outcome.externalId;
        if (change.op === "delete") {
          deletes.push(outcome.externalId);
          run.deleted++;
          continue;
        }
        const written = outcome.data ?? change.data;
        const prepared = prepareRecord(model, written);
        const data = "error" in prepared ? toCanonicalJson(written) : prepared.data;
        upserts.push({
          externalId: outcome.externalId,
          hash: "error" in prepared ? recordHash(data, model.volatile) : prepared.hash,
          data,
          internalId: change.internalId,
          providerUpdatedAt: "error" in prepared ? null : prepared.providerUpdatedAt,
        });
        if (change.op === "create") run.inserted++;
        else run.updated++;
      }
      if (upserts.length > 0 || deletes.length > 0) {
        await store.applyRecordBatch(input.tenantId, {
          connectionId: input.connectionId,
          model: input.model,
          runId: passId,
          upserts,
          deletes,
          silent: true,
          now: new Date(deps.now()),
        });
      }
    }
    run.failed = results.filter((r) => r.status === "failed").length;
    const finished = await store.updateSyncRun(input.tenantId, run.id, {
      status: run.failed === 0 ? "succeeded" : "failed",
      finishedAt: new Date(deps.now()),
      fetched: 0,
      inserted: run.inserted,
      updated: run.updated,
      deleted: run.deleted,
      failed: run.failed,
      error: run.failed === 0 ? null : `${run.failed} of ${results.length} change(s) failed`,
      details: {
        conflicts,
        ...(run.failed > 0
          ? {
              failures: results
                .filter((r) => r.error)
                .slice(0, 20)
                .map((r) => ({ internalId: r.internalId, reason: r.error! })),
            }
          : {}),
      },
    });
    await deps.recordUsage?.(input.tenantId, {
      records: run.inserted + run.updated + run.deleted,
      runs: 0,
    });
    deps.events.emit("records.written", { run: finished, results });
    return { run: finished, results };
  } catch (error) {
    const message = redactString(error instanceof Error ? error.message : String(error));
    await store
      .updateSyncRun(input.tenantId, run.id, {
        status: "failed",
        finishedAt: new Date(deps.now()),
        error: message,
      })
      .catch(() => undefined);
    throw error;
  } finally {
    await lease.release();
  }
}
