import type { TokenManager } from "../auth/token-manager.js";
import {
  type ConnectionClientDeps,
  connectionAuthenticator,
  connectionHttpClient,
} from "../connection-client.js";
import type { ConnectorRegistry } from "../connector/registry.js";
import type { ConnectorDefinition, ModelDefinition, SyncContext } from "../connector/types.js";
import { AuthError, ConfigError, CursorExpiredError, ErrorCode, PatchbayError } from "../errors.js";
import type { PatchbayEvents } from "../events.js";
import type { HttpClient } from "../http/types.js";
import type { Logger } from "../logger.js";
import { redactString } from "../redact.js";
import { publicConnection } from "../store/connection.js";
import { emptySyncState, newId, newSyncRun } from "../store/defaults.js";
import type {
  BatchResult,
  Connection,
  Json,
  RecordUpsert,
  Store,
  StoredConnection,
  SyncMode,
  SyncRun,
  SyncState,
} from "../store/types.js";
import { recordHash, toCanonicalJson } from "./hash.js";
import { nextRunAfterFailure, nextRunAt } from "./schedule.js";
import type { SyncJob, SyncOutcome, SyncRunner } from "./types.js";

/** What the engine needs from Patchbay. */
export interface SyncEngineDeps {
  registry: ConnectorRegistry;
  store: Store;
  tokens: TokenManager;
  events: PatchbayEvents;
  logger: Logger;
  client: ConnectionClientDeps;
  now: () => number;
  /** Records per committed batch. Default 500. */
  batchSize?: number;
  /** Stored hashes a full run reads up front. Default 100,000. */
  prefetchHashes?: number;
  /** How long a run's lease lasts without renewal. Default 60 s; renewed every third of it. */
  leaseTtlMs?: number;
  /** Unique id of this process for leases. */
  holderId: string;
  /**
   * Called before a run starts; return a reason to skip it (plan limits).
   * The reason is logged and the run reported as `skipped: "limit"`.
   */
  admit?: (job: SyncJob, connection: Connection) => Promise<string | undefined>;
  /** Called after each run with the number of records it changed (usage counters). */
  recordUsage?: (tenantId: string, delta: { records: number; runs: number }) => Promise<void>;
}

/** The part of the SyncState.checkpoint the engine owns; the connector's checkpoint rides inside. */
interface Envelope {
  mode: SyncMode;
  page: Json | null;
}

const MAX_FAILURE_SAMPLES = 20;
/**
 * Iterate `source` one item ahead: the next item is requested as soon as
 * the current one is handed out, so the producer's I/O (a provider's next
 * page) overlaps the consumer's (the store commit). When the consumer stops
 * early, the request in flight settles and the source is closed.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      if (result.done) {
        finished = true;
        return;
      }
      pending = iterator.next();
      // Handled when awaited; until then a failure must not count as unhandled.
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) {
      await pending.then(
        () => undefined,
        () => undefined,
      );
      await iterator.return?.();
    }
  }
}

/** How many unchanged records weigh as much as one written record in a batch. */
const SEEN_PER_RECORD = 4;
/** Ids per stored-hash lookup (a page larger than this is looked up in parts). */
const HASH_LOOKUP_IDS = 5_000;
/**
 * A full run reads the stored hashes of up to this many of the model's
 * records up front (about 150 bytes each in memory); records past them are
 * looked up page by page.
 */
const PREFETCH_HASHES = 100_000;
/** Page size of that read. */
const PREFETCH_PAGE = 10_000;

/** The lease key of a connection's model: syncs and writes of one model never run at once. */
export function syncLeaseKey(tenantId: string, connectionId: string, model: string): string {
  return `patchbay:sync:${tenantId}:${connectionId}:${model}`;
}

class RunAbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "RunAbortedError";
  }
}

/** Counters of one run, folded from batch results. */
interface Tally {
  fetched: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  failed: number;
  failures: Array<{ externalId: string | null; reason: string }>;
  /** The most recent validation failure (samples stop at 20). */
  lastError?: string;
}

/** A processed record, ready to upsert. */
export interface PreparedRecord extends RecordUpsert {
  data: Json;
}

/**
 * Validate and hash one provider record with its model: returns the upsert,
 * or the reason it failed (without the record's values, which may be personal data).
 */
export function prepareRecord(
  model: ModelDefinition,
  raw: unknown,
): PreparedRecord | { error: string; externalId: string | null } {
  const parsed = model.schema.safeParse(raw);
  const guessId = (): string | null => {
    if (typeof model.key === "string" && raw !== null && typeof raw === "object") {
      const v = (raw as Record<string, unknown>)[model.key];
      return typeof v === "string" || typeof v === "number" ? String(v) : null;
    }
    return null;
  };
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join(".") ?? "";
    return {
      error: `${path === "" ? "record" : `"${path}"`}: ${issue?.message ?? "invalid"}`,
      externalId: guessId(),
    };
  }
  const record = parsed.data as Record<string, unknown>;
  const key = typeof model.key === "function" ? model.key(record) : record[model.key];
  if ((typeof key !== "string" && typeof key !== "number") || key === "") {
    return { error: "the record has no external id (its key is empty)", externalId: null };
  }
  const data = toCanonicalJson(record);
  let providerUpdatedAt: Date | null = null;
  if (model.updatedAt !== undefined) {
    const at = model.updatedAt(record);
    if (at !== undefined) {
      const date = at instanceof Date ? at : new Date(at);
      if (!Number.isNaN(date.getTime())) providerUpdatedAt = date;
    }
  }
  return {
    externalId: String(key),
    hash: recordHash(data, model.volatile),
    data,
    providerUpdatedAt,
  };
}

/** Prepare a record, counting and sampling a validation failure on the tally instead. */
function prepareCounted(
  model: ModelDefinition,
  raw: unknown,
  tally: Tally,
): PreparedRecord | undefined {
  const prepared = prepareRecord(model, raw);
  if (!("error" in prepared)) return prepared;
  tally.failed++;
  tally.lastError = prepared.error;
  if (tally.failures.length < MAX_FAILURE_SAMPLES)
    tally.failures.push({ externalId: prepared.externalId, reason: prepared.error });
  return undefined;
}

/**
 * The sync engine: runs a model's `sync` generator and commits what changed.
 *
 * - Streams pages, reading one page ahead (the provider's next page is
 *   fetched while the current one is committed); holds at most one batch
 *   plus two pages of records.
 * - Validates each record with the model's schema; failures are counted and
 *   sampled on the run, and abort it only past the model's `maxFailures`.
 * - Hashes canonical JSON (volatile fields excluded); unchanged records are
 *   only marked as seen. A full run looks up the stored hashes of each
 *   page's records (one store call per page, so memory does not grow with
 *   the model), and a record whose hash matches is not sent again: only its
 *   id, as `seen`, for delete detection.
 * - Commits batches (default 500) with the checkpoint in the same store call,
 *   so a crash resumes from the last committed batch: nothing lost, nothing
 *   applied twice.
 * - Full runs detect deletes after they complete; a failed or cancelled run
 *   deletes nothing. Incremental runs apply the provider's tombstones.
 * - One run per connection and model at a time, across processes (a lease
 *   renewed while the run lasts; a crashed holder's lease expires).
 * - Writes a `SyncRun` record and updates the sync state (next run, failures).
 *
 * Hosts use it through `patchbay.sync`; schedulers through {@link SyncRunner}.
 */
export class SyncEngine implements SyncRunner {
  readonly #d: SyncEngineDeps;
  readonly #batchSize: number;
  readonly #prefetchHashes: number;
  readonly #leaseTtlMs: number;

  constructor(deps: SyncEngineDeps) {
    this.#d = deps;
    this.#batchSize = deps.batchSize ?? 500;
    this.#prefetchHashes = deps.prefetchHashes ?? PREFETCH_HASHES;
    if (!Number.isInteger(this.#prefetchHashes) || this.#prefetchHashes < 0)
      throw new TypeError('"prefetchHashes" must be a non-negative integer');
    this.#leaseTtlMs = deps.leaseTtlMs ?? 60_000;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1)
      throw new TypeError('"batchSize" must be a positive integer');
  }

  /** The connector and model of a job, or a `ConfigError` naming what is wrong. */
  resolve(
    connector: string,
    model: string,
  ): { definition: ConnectorDefinition; model: ModelDefinition } {
    const definition = this.#d.registry.get(connector);
    const found = definition.models?.[model];
    if (found === undefined) {
      const names = Object.keys(definition.models ?? {});
      throw new ConfigError(
        `${definition.name} has no model "${model}" (models: ${names.join(", ") || "none"})`,
      );
    }
    return { definition, model: found };
  }

  /** An authenticated HTTP client for a connection. */
  http(definition: ConnectorDefinition, connection: Connection): HttpClient {
    return connectionHttpClient(
      definition,
      connection,
      connectionAuthenticator(definition, connection, this.#d.tokens),
      this.#d.client,
    );
  }

  /**
   * Take the model's lease, waiting up to `waitMs` for a running sync or
   * write to finish. Returns a release function that also stops renewal, and
   * a signal that aborts if the lease is lost.
   */
  async lease(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    waitMs = 0,
  ): Promise<{ release: () => Promise<void>; signal: AbortSignal } | null> {
    const key = syncLeaseKey(job.tenantId, job.connectionId, job.model);
    const holder = `${this.#d.holderId}:${newId("lease")}`;
    const deadline = Date.now() + waitMs;
    let delay = 25;
    while (!(await this.#d.store.acquireLease(key, holder, this.#leaseTtlMs))) {
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 250);
    }
    const lost = new AbortController();
    const timer = setInterval(
      () => {
        this.#d.store.renewLease(key, holder, this.#leaseTtlMs).then(
          (ok) => {
            if (!ok)
              lost.abort(
                new RunAbortedError("the run's lease was lost (another worker took over)"),
              );
          },
          (error: unknown) => this.#d.logger.warn("lease renewal failed", { key, error }),
        );
      },
      Math.max(50, Math.floor(this.#leaseTtlMs / 3)),
    );
    timer.unref?.();
    return {
      signal: lost.signal,
      release: async () => {
        clearInterval(timer);
        await this.#d.store
          .releaseLease(key, holder)
          .catch((error: unknown) => this.#d.logger.warn("lease release failed", { key, error }));
      },
    };
  }

  /** Run one sync. See the class TSDoc. */
  async run(job: SyncJob, options: { signal?: AbortSignal } = {}): Promise<SyncOutcome> {
    const { store, logger } = this.#d;
    const row = await store.getConnection(job.tenantId, job.connectionId);
    if (row === null)
      throw new ConfigError(`Connection ${job.connectionId} not found for tenant ${job.tenantId}`);
    const { definition, model } = this.resolve(row.connector, job.model);
    if (job.mode === "incremental" && !(model.modes ?? ["full"]).includes("incremental")) {
      throw new ConfigError(
        `${definition.name} model "${job.model}" does not support incremental sync`,
      );
    }
    if (
      row.status === "needs_reauth" ||
      row.status === "disconnected" ||
      row.credentials === null
    ) {
      // Stop scheduling it until the user reconnects (and the schedule is set again), so
      // inactive connections never crowd out due ones.
      const state = await store.getSyncState(job.tenantId, job.connectionId, job.model);
      if (state !== null && state.nextRunAt !== null) {
        await store.putSyncState({ ...state, nextRunAt: null, updatedAt: new Date(this.#d.now()) });
      }
      return { status: "skipped", reason: "connection_inactive" };
    }
    const lease = await this.lease(job);
    if (lease === null) return { status: "skipped", reason: "running" };
    try {
      const state =
        (await store.getSyncState(job.tenantId, job.connectionId, job.model)) ??
        emptySyncState(job, new Date(this.#d.now()));
      const now = this.#d.now();
      if (
        job.trigger === "schedule" &&
        state.nextRunAt !== null &&
        state.nextRunAt.getTime() > now
      ) {
        return { status: "skipped", reason: "not_due" };
      }
      const connection = publicConnection(row);
      const refusal = await this.#d.admit?.(job, connection);
      if (refusal !== undefined) {
        logger.info("sync skipped by plan limits", {
          connectionId: job.connectionId,
          model: job.model,
          reason: refusal,
        });
        return { status: "skipped", reason: "limit" };
      }
      const signals = [lease.signal, ...(options.signal ? [options.signal] : [])];
      return await this.#execute(
        job,
        definition,
        model,
        connection,
        state,
        AbortSignal.any(signals),
      );
    } finally {
      await lease.release();
    }
  }

  async #execute(
    job: SyncJob,
    definition: ConnectorDefinition,
    model: ModelDefinition,
    connection: Connection,
    state: SyncState,
    signal: AbortSignal,
  ): Promise<SyncOutcome> {
    const { store, logger, events } = this.#d;
    const envelope = state.activeRunId !== null ? (state.checkpoint as Envelope | null) : null;
    const resuming = state.activeRunId !== null && envelope !== null;
    const supportsIncremental = (model.modes ?? ["full"]).includes("incremental");
    let mode: SyncMode = resuming
      ? envelope.mode
      : (job.mode ??
        (supportsIncremental &&
        state.cursor !== null &&
        !(model.fullEvery !== undefined && state.runsSinceFull >= model.fullEvery)
          ? "incremental"
          : "full"));
    const passId = resuming ? state.activeRunId! : newId("pass");
    const started = new Date(this.#d.now());
    const run = newSyncRun(job, job.trigger, mode, started, { passId, resumed: resuming });
    // Holding the lease, no other run of this model is alive: any still marked
    // running belongs to a process that died, resumed or not.
    await this.#closeInterrupted(job, resuming ? passId : null);
    await store.createSyncRun(run);
    await store.putSyncState({
      ...state,
      lastRunAt: started,
      lastStatus: "running",
      updatedAt: started,
    });
    events.emit("sync.started", { run: { ...run } });
    const tally: Tally = {
      fetched: 0,
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      failed: 0,
      failures: [],
    };
    let cursorOut: Json | undefined;
    try {
      // Commit the pass first, so a crash before the first batch resumes this pass.
      if (!resuming) {
        await this.#commit(
          job,
          passId,
          [],
          [],
          { checkpoint: { mode, page: null }, activeRunId: passId },
          tally,
        );
      }
      let ctx: SyncContext = {
        connection,
        config: connection.config,
        metadata: connection.metadata,
        http: this.http(definition, connection),
        logger,
        signal,
        mode,
        cursor: state.cursor,
        checkpoint: envelope?.page ?? null,
        lastSyncedAt: state.lastSuccessAt,
      };
      let restarted = false;
      for (;;) {
        try {
          cursorOut = await this.#pump(job, model, passId, mode, ctx, tally, signal);
          break;
        } catch (error) {
          if (!(error instanceof CursorExpiredError) || mode !== "incremental") throw error;
          // The provider forgot the cursor: list everything in this same pass,
          // so what was deleted meanwhile is detected at the end.
          const reason = redactString(error.message);
          logger.warn("sync cursor expired; listing everything", {
            connectionId: job.connectionId,
            model: job.model,
            runId: run.id,
            reason,
          });
          run.details.fullListing = `the incremental cursor expired (${reason}): listed everything instead`;
          mode = "full";
          restarted = true;
          await this.#commit(
            job,
            passId,
            [],
            [],
            { checkpoint: { mode, page: null }, activeRunId: passId },
            tally,
          );
          ctx = { ...ctx, mode, cursor: null, checkpoint: null };
        }
      }
      if (mode === "full") {
        if (model.deleteMissing === false) {
          run.details.deleteDetection =
            "off: the model's listing is a window of history (deleteMissing: false), so absence does not prove deletion";
        } else if (tally.failed > 0) {
          run.details.deleteDetection = `skipped: ${tally.failed} record(s) failed validation, so absence does not prove deletion`;
        } else {
          for (;;) {
            signal.throwIfAborted();
            const n = await store.markUnseenDeleted(job.tenantId, {
              connectionId: job.connectionId,
              model: job.model,
              runId: passId,
              limit: this.#batchSize,
              now: new Date(this.#d.now()),
            });
            tally.deleted += n;
            if (n > 0)
              events.emit("records.changed", {
                tenantId: job.tenantId,
                connectionId: job.connectionId,
                model: job.model,
                runId: run.id,
                inserted: 0,
                updated: 0,
                deleted: n,
              });
            if (n < this.#batchSize) break;
          }
        }
      }
      await this.#commit(
        job,
        passId,
        [],
        [],
        {
          // After an expired cursor, never fall back to it.
          cursor: cursorOut ?? (restarted ? null : state.cursor),
          checkpoint: null,
          activeRunId: null,
        },
        tally,
      );
      return await this.#finish(job, run, tally, state, mode, "succeeded", null, connection);
    } catch (error) {
      const cancelled =
        signal.aborted &&
        (error === signal.reason ||
          error instanceof RunAbortedError ||
          (error as Error)?.name === "AbortError");
      const message = redactString(error instanceof Error ? error.message : String(error));
      logger.warn(cancelled ? "sync cancelled" : "sync failed", {
        connectionId: job.connectionId,
        model: job.model,
        runId: run.id,
        error,
      });
      const needsReauth = error instanceof AuthError && error.code === ErrorCode.AUTH_NEEDS_REAUTH;
      if (!cancelled && error instanceof PatchbayError && !(error instanceof ConfigError)) {
        // The token manager marks a refused refresh itself; a connector that
        // reads a revoked grant from a response body throws the same code.
        await (needsReauth
          ? this.#d.tokens.markNeedsReauth(
              { tenantId: job.tenantId, id: job.connectionId },
              message,
            )
          : this.#markConnectionError(job, message)
        ).catch(() => undefined);
      }
      return await this.#finish(
        job,
        run,
        tally,
        state,
        mode,
        cancelled ? "cancelled" : "failed",
        message,
        connection,
      ).catch((finishError: unknown) => {
        logger.error("could not record the end of a sync run", {
          runId: run.id,
          error: finishError,
        });
        return {
          status: cancelled ? ("cancelled" as const) : ("failed" as const),
          run: {
            ...run,
            status: cancelled ? ("cancelled" as const) : ("failed" as const),
            error: message,
          },
        };
      });
    }
  }

  /** Pull pages, batch, commit with checkpoints. Returns the cursor the last page gave. */
  async #pump(
    job: SyncJob,
    model: ModelDefinition,
    passId: string,
    mode: SyncMode,
    ctx: SyncContext,
    tally: Tally,
    signal: AbortSignal,
  ): Promise<Json | undefined> {
    const size = this.#batchSize;
    let buffer: PreparedRecord[] = [];
    let pendingDeletes: string[] = [];
    // Ids of unchanged records, committed with the batch whose checkpoint covers their page.
    let seen: string[] = [];
    // A full run compares each record with its stored hash. The hashes of a
    // model of up to PREFETCH_HASHES records are read once, up front (a few
    // key-ordered reads); a larger model keeps that prefix and looks up the
    // rest page by page, so memory stays bounded whatever the model's size.
    // `pending` holds the hashes of buffered, uncommitted upserts, so a later
    // duplicate in the run compares with what the earlier one will write.
    const known =
      mode === "full"
        ? await this.#knownHashes(job, signal)
        : { hashes: undefined, complete: true };
    // Nothing stored yet (a first import): nothing to compare with.
    const compare = known.hashes !== undefined && (known.hashes.size > 0 || !known.complete);
    const pending = new Map<string, string>();
    // Checkpoint of the newest page whose records are all in the buffer or committed.
    let pageCheckpoint: Json | null = (ctx.checkpoint as Json | null) ?? null;
    let committedCheckpoint = pageCheckpoint;
    let cursor: Json | undefined;
    const maxFailures = model.maxFailures ?? Number.POSITIVE_INFINITY;

    // The connector fetches page N+1 while page N is compared and committed.
    for await (const page of readAhead(model.sync(ctx))) {
      signal.throwIfAborted();
      if (page === null || typeof page !== "object" || !Array.isArray(page.records)) {
        throw new ConfigError(
          `model "${job.model}": sync() must yield pages shaped { records: [...] }`,
        );
      }
      tally.fetched += page.records.length;
      const records: PreparedRecord[] = [];
      for (const raw of page.records) {
        const prepared = prepareCounted(model, raw, tally);
        if (prepared === undefined) {
          if (tally.failed > maxFailures) {
            throw new ConfigError(
              `model "${job.model}": ${tally.failed} records failed validation (more than maxFailures ${maxFailures}); last: ${tally.lastError}`,
            );
          }
          continue;
        }
        records.push(prepared);
      }
      const hashes = known.hashes;
      const stored =
        compare && !known.complete
          ? await this.#storedHashes(
              job,
              records.filter((r) => !hashes!.has(r.externalId)),
              signal,
            )
          : undefined;
      for (const prepared of records) {
        if (compare) {
          const id = prepared.externalId;
          const previous = pending.get(id) ?? hashes!.get(id) ?? stored?.get(id);
          if (previous === prepared.hash) {
            seen.push(id);
            continue;
          }
          if (hashes!.has(id)) hashes!.set(id, prepared.hash);
          else pending.set(id, prepared.hash);
        }
        buffer.push(prepared);
        // A page larger than a batch: commit full batches with the previous page's checkpoint.
        if (buffer.length >= size * 2) {
          const chunk = buffer.slice(0, size);
          buffer = buffer.slice(size);
          await this.#commit(
            job,
            passId,
            chunk,
            [],
            { checkpoint: { mode, page: committedCheckpoint } },
            tally,
            seen,
          );
          for (const committed of chunk) pending.delete(committed.externalId);
          seen = [];
        }
      }
      if (page.deleted !== undefined) {
        if (!Array.isArray(page.deleted))
          throw new ConfigError(`model "${job.model}": "deleted" must be an array of external ids`);
        for (const id of page.deleted) pendingDeletes.push(String(id));
      }
      if (page.checkpoint !== undefined) pageCheckpoint = page.checkpoint;
      if (page.cursor !== undefined) cursor = page.cursor;
      // Unchanged records count towards the batch too (a quarter each: they
      // cost the store one id, not a row), so the resume point still advances
      // while nothing changes.
      if (buffer.length + seen.length / SEEN_PER_RECORD >= size || pendingDeletes.length >= size) {
        await this.#commit(
          job,
          passId,
          buffer,
          pendingDeletes,
          { checkpoint: { mode, page: pageCheckpoint } },
          tally,
          seen,
        );
        committedCheckpoint = pageCheckpoint;
        buffer = [];
        pendingDeletes = [];
        seen = [];
        pending.clear();
      }
    }
    if (
      buffer.length > 0 ||
      pendingDeletes.length > 0 ||
      seen.length > 0 ||
      committedCheckpoint !== pageCheckpoint
    ) {
      await this.#commit(
        job,
        passId,
        buffer,
        pendingDeletes,
        { checkpoint: { mode, page: pageCheckpoint } },
        tally,
        seen,
      );
    }
    return cursor;
  }

  /**
   * The stored hashes of the model's live records in key order, up to
   * the engine's `prefetchHashes`; `complete` says whether that is all of them.
   */
  async #knownHashes(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    signal: AbortSignal,
  ): Promise<{ hashes: Map<string, string>; complete: boolean }> {
    const hashes = new Map<string, string>();
    let after: string | undefined;
    for (;;) {
      signal.throwIfAborted();
      // One more than the cap tells whether the model holds more.
      const cap = this.#prefetchHashes;
      const limit = Math.min(PREFETCH_PAGE, cap + 1 - hashes.size);
      const page = await this.#d.store.listRecordHashes(job.tenantId, {
        connectionId: job.connectionId,
        model: job.model,
        afterExternalId: after,
        limit,
      });
      for (const { externalId, hash } of page) {
        if (hashes.size === cap) return { hashes, complete: false };
        hashes.set(externalId, hash);
      }
      if (page.length < limit) return { hashes, complete: true };
      after = page[page.length - 1]!.externalId;
    }
  }

  /** The stored hashes of a page's records (live ones only), by external id. */
  async #storedHashes(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    records: readonly PreparedRecord[],
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const stored = new Map<string, string>();
    for (let i = 0; i < records.length; i += HASH_LOOKUP_IDS) {
      signal.throwIfAborted();
      const found = await this.#d.store.getRecordHashes(job.tenantId, {
        connectionId: job.connectionId,
        model: job.model,
        externalIds: records.slice(i, i + HASH_LOOKUP_IDS).map((r) => r.externalId),
      });
      for (const { externalId, hash } of found) stored.set(externalId, hash);
    }
    return stored;
  }

  /** One atomic batch: records, tombstones, seen-marks and checkpoint together. */
  async #commit(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    passId: string,
    upserts: PreparedRecord[],
    deletes: string[],
    checkpoint: { checkpoint?: Envelope | null; cursor?: Json | null; activeRunId?: string | null },
    tally: Tally,
    seen: string[] = [],
  ): Promise<BatchResult> {
    const result = await this.#d.store.applyRecordBatch(job.tenantId, {
      connectionId: job.connectionId,
      model: job.model,
      runId: passId,
      upserts,
      deletes,
      ...(seen.length > 0 ? { seen } : {}),
      checkpoint: checkpoint as { checkpoint?: Json; cursor?: Json; activeRunId?: string | null },
      now: new Date(this.#d.now()),
    });
    tally.inserted += result.inserted;
    tally.updated += result.updated;
    tally.unchanged += result.unchanged + seen.length;
    tally.deleted += result.deleted;
    if (result.inserted + result.updated + result.deleted > 0) {
      this.#d.events.emit("records.changed", {
        tenantId: job.tenantId,
        connectionId: job.connectionId,
        model: job.model,
        runId: passId,
        inserted: result.inserted,
        updated: result.updated,
        deleted: result.deleted,
      });
    }
    return result;
  }

  /** Runs of an interrupted pass (their process died) are closed as failed. */
  /**
   * Close the runs of this model still marked running (their process died):
   * the resumed pass's as resumed, any other as started over.
   */
  async #closeInterrupted(job: SyncJob, resumedPassId: string | null): Promise<void> {
    const runs = await this.#d.store.listSyncRuns(job.tenantId, {
      connectionId: job.connectionId,
      model: job.model,
      limit: 10,
    });
    for (const r of runs) {
      if (r.status !== "running") continue;
      await this.#d.store.updateSyncRun(job.tenantId, r.id, {
        status: "failed",
        finishedAt: new Date(this.#d.now()),
        error:
          resumedPassId !== null && r.details.passId === resumedPassId
            ? "interrupted: the process running it stopped; a later run resumed from its last checkpoint"
            : "interrupted: the process running it stopped before its first checkpoint; a later run started over",
      });
    }
  }

  async #markConnectionError(job: SyncJob, message: string): Promise<void> {
    const row = await this.#d.store.getConnection(job.tenantId, job.connectionId);
    if (row === null || row.status !== "active") return;
    const updated = await this.#d.store.updateConnection(job.tenantId, job.connectionId, {
      status: "error",
      statusReason: message,
    });
    this.#d.events.emit("connection.status_changed", {
      connection: publicConnection(updated),
      from: row.status,
      to: "error",
    });
  }

  async #finish(
    job: SyncJob,
    run: SyncRun,
    tally: Tally,
    before: SyncState,
    mode: SyncMode,
    status: "succeeded" | "failed" | "cancelled",
    error: string | null,
    connection: Connection,
    /** False for runs outside the model's pass (webhook payloads applied directly): the sync state is left alone. */
    updateState = true,
  ): Promise<SyncOutcome> {
    const { store, events } = this.#d;
    const finishedAt = new Date(this.#d.now());
    const details: Record<string, Json> = { ...run.details };
    if (tally.failures.length > 0) details.failures = tally.failures;
    const finished = await store.updateSyncRun(job.tenantId, run.id, {
      status,
      finishedAt,
      fetched: tally.fetched,
      inserted: tally.inserted,
      updated: tally.updated,
      deleted: tally.deleted,
      unchanged: tally.unchanged,
      failed: tally.failed,
      error,
      details,
    });
    const ok = status === "succeeded";
    if (updateState) {
      const latest =
        (await store.getSyncState(job.tenantId, job.connectionId, job.model)) ?? before;
      const failures = ok ? 0 : latest.consecutiveFailures + 1;
      const schedule = latest.schedule;
      await store.putSyncState({
        ...latest,
        lastStatus: status,
        lastError: ok ? null : error,
        lastSuccessAt: ok ? finishedAt : latest.lastSuccessAt,
        consecutiveFailures: failures,
        runsSinceFull: ok ? (mode === "full" ? 0 : latest.runsSinceFull + 1) : latest.runsSinceFull,
        nextRunAt:
          schedule === null
            ? null
            : ok
              ? nextRunAt(schedule, finishedAt)
              : nextRunAfterFailure(schedule, finishedAt, failures),
        updatedAt: finishedAt,
      });
    }
    await this.#d.recordUsage?.(job.tenantId, {
      records: tally.inserted + tally.updated + tally.deleted,
      runs: 1,
    });
    if (updateState && ok && connection.status === "error") {
      const row = await store.getConnection(job.tenantId, job.connectionId);
      if (row !== null && row.status === "error") {
        const updated = await store.updateConnection(job.tenantId, job.connectionId, {
          status: "active",
          statusReason: null,
        });
        events.emit("connection.status_changed", {
          connection: publicConnection(updated),
          from: "error",
          to: "active",
        });
      }
    }
    events.emit(ok ? "sync.completed" : "sync.failed", { run: finished });
    return { status, run: finished };
  }

  /**
   * Apply records a webhook carried, as one committed batch run (trigger
   * `webhook`, mode `incremental`): validated, hashed and diffed like a sync page.
   */
  async applyRecords(
    job: Pick<SyncJob, "tenantId" | "connectionId" | "model">,
    input: { records?: unknown[]; deleted?: string[] },
  ): Promise<SyncOutcome> {
    const row = await this.#d.store.getConnection(job.tenantId, job.connectionId);
    if (row === null)
      throw new ConfigError(`Connection ${job.connectionId} not found for tenant ${job.tenantId}`);
    const { definition, model } = this.resolve(row.connector, job.model);
    const records = input.records ?? [];
    const deleted = input.deleted ?? [];
    const single: ModelDefinition = {
      ...model,
      sync: async function* () {
        yield { records, deleted };
      },
    };
    const lease = await this.lease(job, 30_000);
    if (lease === null) return { status: "skipped", reason: "running" };
    try {
      const connection = publicConnection(row);
      const state =
        (await this.#d.store.getSyncState(job.tenantId, job.connectionId, job.model)) ??
        emptySyncState(job, new Date(this.#d.now()));
      // Apply outside any interrupted pass: keep its checkpoint and pass intact.
      const detached: SyncState = { ...state, activeRunId: null, checkpoint: null };
      return await this.#executeDetached(
        { ...job, trigger: "webhook", mode: "incremental" },
        definition,
        single,
        connection,
        detached,
        state,
        lease.signal,
      );
    } finally {
      await lease.release();
    }
  }

  async #executeDetached(
    job: SyncJob,
    definition: ConnectorDefinition,
    model: ModelDefinition,
    connection: Connection,
    detached: SyncState,
    original: SyncState,
    signal: AbortSignal,
  ): Promise<SyncOutcome> {
    const tally: Tally = {
      fetched: 0,
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      failed: 0,
      failures: [],
    };
    const started = new Date(this.#d.now());
    const run = newSyncRun(job, "webhook", "incremental", started, { direct: true });
    await this.#d.store.createSyncRun(run);
    const passId = original.activeRunId ?? newId("pass");
    try {
      const ctx: SyncContext = {
        connection,
        config: connection.config,
        metadata: connection.metadata,
        http: this.http(definition, connection),
        logger: this.#d.logger,
        signal,
        mode: "incremental",
        cursor: detached.cursor,
        checkpoint: null,
        lastSyncedAt: detached.lastSuccessAt,
      };
      const size = this.#batchSize;
      const buffer: PreparedRecord[] = [];
      const deletes: string[] = [];
      for await (const page of model.sync(ctx)) {
        tally.fetched += page.records.length;
        for (const raw of page.records) {
          const prepared = prepareCounted(model, raw, tally);
          if (prepared !== undefined) buffer.push(prepared);
        }
        for (const id of page.deleted ?? []) deletes.push(String(id));
      }
      // Keep the state's checkpoint fields as they are: pass them back unchanged.
      const keep = {
        checkpoint: (original.checkpoint ?? null) as Envelope | null,
        activeRunId: original.activeRunId,
      };
      for (let i = 0; i < Math.max(buffer.length, 1); i += size) {
        await this.#commit(
          job,
          passId,
          buffer.slice(i, i + size),
          i === 0 ? deletes : [],
          keep,
          tally,
        );
      }
      return await this.#finish(
        job,
        run,
        tally,
        original,
        "incremental",
        "succeeded",
        null,
        connection,
        false,
      );
    } catch (error) {
      const message = redactString(error instanceof Error ? error.message : String(error));
      return await this.#finish(
        job,
        run,
        tally,
        original,
        "incremental",
        "failed",
        message,
        connection,
        false,
      );
    }
  }

  /** The connection row, for write-back. */
  async connection(tenantId: string, connectionId: string): Promise<StoredConnection | null> {
    return this.#d.store.getConnection(tenantId, connectionId);
  }
}
