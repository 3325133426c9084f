/**
 * The exports facade (`patchbay.exports`): define, change and remove a
 * tenant's scheduled exports, run them now or when due, and keep their
 * history.
 *
 * A run claims the export in the store (so two workers never run it at
 * once), reads the rows, renders the file, hands it to the destination
 * connector's `writeFile`, records an {@link ExportRun}, and moves
 * `nextRunAt` on. Nothing is written to the destination unless the whole
 * file rendered, so a failure leaves the previous file as it was.
 *
 * @module
 */
import type { ConnectorRegistry } from "../connector/registry.js";
import type { ConnectorContext, ConnectorDefinition } from "../connector/types.js";
import { ConfigError, isPatchbayError, NotFoundError } from "../errors.js";
import type { PatchbayEvents } from "../events.js";
import type { Logger } from "../logger.js";
import { redactString } from "../redact.js";
import { publicConnection } from "../store/connection.js";
import { newId } from "../store/defaults.js";
import type { AuditAction, Connection, Json, Store, StoredConnection } from "../store/types.js";
import { resolveMapping, schemaFields, toHostShape } from "../sync/mapping.js";
import { nextRunAfterFailure, nextRunAt } from "../sync/schedule.js";
import {
  checkExportInput,
  type ExportSpec,
  exportFileName,
  exportTimeZone,
  pickColumns,
} from "./define.js";
import { renderExport } from "./render.js";
import type {
  ExportColumn,
  ExportDefinition,
  ExportInput,
  ExportOutcome,
  ExportRow,
  ExportRows,
  ExportRun,
  ExportSource,
  ExportStatePatch,
  ExportTemplate,
  ExportTrigger,
} from "./types.js";

/** Options of `createPatchbay({ exports })`. */
export interface ExportsOptions {
  /** The sources tenants may export, built with {@link defineExportSource}. */
  sources?: ReadonlyArray<ExportSource>;
  /** How long a run's claim lasts before another worker may take the export over (renewed while running). Default 10 minutes. */
  claimTtlMs?: number;
}

/** A source as a UI shows it: JSON only. */
export interface ExportSourceInfo {
  id: string;
  name: string;
  description: string | null;
  columns: ExportColumn[];
  templates: Array<{
    id: string;
    title: string;
    description: string | null;
    columns: ExportColumn[];
  }>;
}

/** Who did something, for the audit trail. */
interface Actor {
  actor?: string;
}

/** `patchbay.exports`. */
export interface PatchbayExports {
  /** The registered sources and their templates, for an "new export" form. */
  sources(): ExportSourceInfo[];
  /**
   * Define an export for a tenant. Checks everything up front: the source
   * and template exist, the columns are among the source's, the schedule is
   * valid and at most hourly, and the destination connection belongs to the
   * tenant and its connector can receive files.
   */
  define(tenantId: string, input: ExportInput, options?: Actor): Promise<ExportDefinition>;
  /** Change some fields of an export (checked as in `define`); a new schedule recomputes `nextRunAt`. */
  update(
    tenantId: string,
    id: string,
    patch: Partial<ExportInput>,
    options?: Actor,
  ): Promise<ExportDefinition>;
  /** The tenant's exports, oldest first (only those writing to `connectionId` when given). */
  list(tenantId: string, filter?: { connectionId?: string }): Promise<ExportDefinition[]>;
  /** One export; throws `NotFoundError` if absent for this tenant. */
  get(tenantId: string, id: string): Promise<ExportDefinition>;
  /** Remove an export and its history. Files already written stay where they are. */
  remove(tenantId: string, id: string, options?: Actor): Promise<{ removed: boolean }>;
  /** Run an export now and wait for it. `skipped` when it is running elsewhere. */
  run(tenantId: string, id: string, options?: Actor): Promise<ExportOutcome>;
  /** Export history, newest first. */
  runs(tenantId: string, options?: { exportId?: string; limit?: number }): Promise<ExportRun[]>;
  /**
   * Run every export that is due, across tenants, and wait: what the
   * in-process scheduler does on each tick, and the entry point for a
   * serverless host's cron. At most `limit` (default 20), `concurrency` at a
   * time (default 2).
   */
  runDue(options?: {
    limit?: number;
    concurrency?: number;
  }): Promise<{ started: number; outcomes: ExportOutcome[] }>;
}

/** What the exports service needs from `createPatchbay`. */
export interface ExportServiceDeps {
  registry: ConnectorRegistry;
  store: Store;
  events: PatchbayEvents;
  logger: Logger;
  now: () => number;
  holderId: string;
  options?: ExportsOptions;
  /** A connector context for a connection (authenticated HTTP client). */
  context(connection: Connection): ConnectorContext;
  audit(
    tenantId: string,
    action: AuditAction,
    actor: string | null | undefined,
    connection: Pick<Connection, "id" | "connector"> | null,
    details?: Record<string, Json>,
  ): Promise<void>;
}

/** First retry of an export that failed for a transient reason; doubles per failure, never past the next scheduled run. */
const RETRY_BASE_MS = 5 * 60_000;

/** Build `patchbay.exports`. */
export function createExportService(deps: ExportServiceDeps): PatchbayExports {
  const { registry, store, events, logger, now } = deps;
  const claimTtlMs = deps.options?.claimTtlMs ?? 10 * 60_000;
  if (!Number.isSafeInteger(claimTtlMs) || claimTtlMs < 1000)
    throw new TypeError('"exports.claimTtlMs" must be an integer of at least 1000');
  const sources = new Map<string, ExportSource>();
  for (const [i, source] of (deps.options?.sources ?? []).entries()) {
    if (source === null || typeof source !== "object" || typeof source.id !== "string")
      throw new TypeError(
        `"exports.sources[${i}]" must be an export source (defineExportSource({...}))`,
      );
    if (sources.has(source.id)) throw new TypeError(`"exports.sources" lists "${source.id}" twice`);
    sources.set(source.id, source);
  }

  function requireId(value: unknown, name: string): asserts value is string {
    if (typeof value !== "string" || value === "")
      throw new TypeError(`"${name}" must be a non-empty string`);
  }

  async function load(tenantId: string, id: string): Promise<ExportDefinition> {
    requireId(tenantId, "tenantId");
    requireId(id, "exportId");
    const found = await store.getExport(tenantId, id);
    if (found === null) throw new NotFoundError(`Export ${id} not found for tenant ${tenantId}`);
    return found;
  }

  function sourceOf(id: string): ExportSource {
    const source = sources.get(id);
    if (source === undefined) {
      const known = [...sources.keys()];
      throw new ConfigError(
        `"source": no export source "${id}" (${known.length === 0 ? "none are registered" : `registered: ${known.join(", ")}`}); pass it to createPatchbay({ exports: { sources: [...] } }), or use { connectionId, model } to export synced records`,
      );
    }
    return source;
  }

  function destinationNames(): string {
    const names = registry
      .list()
      .filter((c) => c.destination !== undefined)
      .map((c) => c.name);
    return names.length === 0 ? "no registered connector can" : `${names.join(", ")} can`;
  }

  /** Check the parts of a spec that need the store and the registry; returns the spec to store. */
  async function checkSpec(tenantId: string, spec: ExportSpec): Promise<ExportSpec> {
    const checked = { ...spec };
    if (spec.source.kind === "source") {
      const source = sourceOf(spec.source.id);
      let template: ExportTemplate | undefined;
      if (spec.template !== null) {
        template = source.templates?.[spec.template];
        if (template === undefined) {
          const names = Object.keys(source.templates ?? {});
          throw new ConfigError(
            `"template": ${source.name} has no template "${spec.template}" (templates: ${names.join(", ") || "none"})`,
          );
        }
      }
      if (spec.columns !== null) pickColumns(spec.columns, source.columns, '"columns"');
      if (source.params !== undefined) {
        try {
          const merged = { ...(template?.params ?? {}), ...spec.params };
          const params = source.params(merged);
          // Store only what the export itself sets; template defaults apply at run time.
          checked.params = Object.fromEntries(
            Object.entries(params).filter(
              ([k]) => Object.hasOwn(spec.params, k) || !Object.hasOwn(template?.params ?? {}, k),
            ),
          ) as Record<string, Json>;
        } catch (error) {
          if (error instanceof TypeError || isPatchbayError(error)) throw error;
          throw new TypeError(`"params": ${(error as Error).message}`);
        }
      }
    } else {
      if (spec.template !== null)
        throw new ConfigError(
          '"template": templates belong to registered sources; synced records take "columns"',
        );
      const { connectionId, model } = spec.source;
      const row = await store.getConnection(tenantId, connectionId);
      if (row === null)
        throw new ConfigError(
          `"source.connectionId": connection ${connectionId} not found for tenant ${tenantId}`,
        );
      const definition = registry.get(row.connector);
      if (definition.models?.[model] === undefined) {
        throw new ConfigError(
          `"source.model": ${definition.name} has no model "${model}" (models: ${Object.keys(definition.models ?? {}).join(", ") || "none"})`,
        );
      }
      const available = recordColumns(row, definition, model);
      if (spec.columns === null && available === null)
        throw new ConfigError(
          `"columns" is required to export ${definition.name} "${model}": its fields are not known in advance (set a field mapping, or list the columns)`,
        );
      if (spec.columns !== null) pickColumns(spec.columns, available, '"columns"');
    }
    const { connectionId } = spec.destination;
    const row = await store.getConnection(tenantId, connectionId);
    if (row === null)
      throw new ConfigError(
        `"destination.connectionId": connection ${connectionId} not found for tenant ${tenantId}`,
      );
    const connector = registry.get(row.connector);
    if (connector.destination === undefined) {
      throw new ConfigError(
        `"destination.connectionId": ${connector.name} connections cannot receive files (the connector has no "destination" capability); ${destinationNames()}: choose one of its connections`,
      );
    }
    if (row.status === "disconnected")
      throw new ConfigError(
        `"destination.connectionId": connection ${connectionId} is disconnected; reconnect ${connector.name} first`,
      );
    return checked;
  }

  /** Record fields, as exported: host fields when the model is mapped, else the schema's fields. */
  function recordColumns(
    row: Connection,
    definition: ConnectorDefinition,
    model: string,
  ): ExportColumn[] | null {
    const m = definition.models?.[model];
    if (m === undefined) return null;
    const mapping = resolveMapping(row, model, m);
    const fields = mapping !== null ? Object.keys(mapping) : schemaFields(m.schema);
    return fields === null ? null : fields.map((key) => ({ key }));
  }

  function scheduleNext(definition: Pick<ExportDefinition, "schedule">, from: Date): Date | null {
    return definition.schedule.kind === "manual" ? null : nextRunAt(definition.schedule, from);
  }

  /** The columns, title, params and rows of a run. */
  async function prepare(
    definition: ExportDefinition,
    signal: AbortSignal,
    startedAt: Date,
  ): Promise<{
    columns: ExportColumn[];
    title: string;
    rows: ExportRows;
    filename: string | null;
  }> {
    const ref = definition.source;
    if (ref.kind === "source") {
      const source = sourceOf(ref.id);
      const template =
        definition.template === null ? undefined : source.templates?.[definition.template];
      if (definition.template !== null && template === undefined)
        throw new ConfigError(
          `"template": ${source.name} no longer has template "${definition.template}"; update the export`,
        );
      const columns = pickColumns(
        definition.columns ?? template?.columns ?? source.columns,
        source.columns,
        '"columns"',
      );
      const params = { ...(template?.params ?? {}), ...definition.params };
      return {
        columns,
        title: template?.title ?? definition.name,
        filename: template?.filename ?? null,
        rows: source.rows({
          tenantId: definition.tenantId,
          params,
          definition,
          now: startedAt,
          signal,
        }),
      };
    }
    const row = await store.getConnection(definition.tenantId, ref.connectionId);
    if (row === null)
      throw new ConfigError(
        `"source.connectionId": connection ${ref.connectionId} no longer exists; update or remove the export`,
      );
    const connector = registry.get(row.connector);
    const model = connector.models?.[ref.model];
    if (model === undefined)
      throw new ConfigError(`"source.model": ${connector.name} has no model "${ref.model}"`);
    const available = recordColumns(row, connector, ref.model);
    const columns = pickColumns(definition.columns ?? available ?? [], available, '"columns"');
    const mapping = resolveMapping(row, ref.model, model);
    const { connectionId, model: modelName } = ref;
    async function* rows(): AsyncGenerator<ExportRow[]> {
      for (let after: string | undefined; ; ) {
        const page = await store.listRecords(definition.tenantId, {
          connectionId,
          model: modelName,
          afterExternalId: after,
          limit: 500,
        });
        yield page.map((r) => {
          const data = toHostShape(r.data, mapping);
          return data !== null && typeof data === "object" && !Array.isArray(data)
            ? data
            : { value: data };
        });
        if (page.length < 500) return;
        after = page[page.length - 1]!.externalId;
      }
    }
    return { columns, title: definition.name, filename: null, rows: rows() };
  }

  /** Run a claimed export to the end. Never throws for the export's own failures. */
  async function execute(
    claimed: ExportDefinition,
    trigger: ExportTrigger,
    actor: string | null = null,
  ): Promise<ExportOutcome> {
    const holder = claimed.claimedBy!;
    const startedAt = new Date(now());
    const run: ExportRun = {
      id: newId("exr"),
      tenantId: claimed.tenantId,
      exportId: claimed.id,
      trigger,
      status: "running",
      startedAt,
      finishedAt: null,
      rows: 0,
      bytes: 0,
      fileId: null,
      fileName: null,
      fileUrl: null,
      error: null,
      details: { format: claimed.format, mode: claimed.mode },
    };
    const controller = new AbortController();
    // Keep the claim while the run lasts; losing it means another worker took over.
    const renew = setInterval(
      () => {
        store
          .claimExport(claimed.tenantId, claimed.id, {
            holder,
            ttlMs: claimTtlMs,
            now: new Date(now()),
          })
          .then((ok) => {
            if (ok === null)
              controller.abort(new Error("the export's claim was lost to another worker"));
          })
          .catch((error: unknown) =>
            logger.warn("could not renew an export claim", { exportId: claimed.id, error }),
          );
      },
      Math.max(1000, Math.floor(claimTtlMs / 3)),
    );
    renew.unref?.();
    let destinationRow: StoredConnection | null = null;
    try {
      await store.createExportRun(run);
      const { connectionId, folderId } = claimed.destination;
      destinationRow = await store.getConnection(claimed.tenantId, connectionId);
      if (destinationRow === null)
        throw new ConfigError(
          `"destination.connectionId": connection ${connectionId} no longer exists; choose another with exports.update()`,
        );
      const connector = registry.get(destinationRow.connector);
      const destination = connector.destination;
      if (destination === undefined)
        throw new ConfigError(
          `"destination.connectionId": ${connector.name} connections cannot receive files`,
        );
      if (destinationRow.status === "needs_reauth" || destinationRow.status === "disconnected") {
        throw new ConfigError(
          `${connector.name} connection ${connectionId} is ${destinationRow.status}: reconnect it; the export runs again on its schedule`,
        );
      }
      const prepared = await prepare(claimed, controller.signal, startedAt);
      const file = await renderExport(claimed.format, {
        columns: prepared.columns,
        rows: prepared.rows,
        title: prepared.title,
        bom: claimed.bom,
        signal: controller.signal,
      });
      if (destination.maxBytes !== undefined && file.body.byteLength > destination.maxBytes) {
        throw new ConfigError(
          `The ${claimed.format.toUpperCase()} file is ${file.body.byteLength} bytes; ${connector.name} accepts at most ${destination.maxBytes} per file (export fewer rows or columns)`,
        );
      }
      const pattern =
        claimed.filename ??
        prepared.filename ??
        (claimed.mode === "dated" ? "{title} {date}" : "{title}");
      const name = exportFileName(
        pattern,
        { name: claimed.name, title: prepared.title },
        file.extension,
        startedAt,
        exportTimeZone(claimed.schedule),
      );
      controller.signal.throwIfAborted();
      const written = await destination.writeFile(deps.context(publicConnection(destinationRow)), {
        folderId,
        name,
        mimeType: file.mimeType,
        body: file.body,
        replace: claimed.mode === "replace",
        previousFileId: claimed.mode === "replace" ? claimed.fileId : null,
      });
      const finishedAt = new Date(now());
      const finished = await store.updateExportRun(claimed.tenantId, run.id, {
        status: "succeeded",
        finishedAt,
        rows: file.rows,
        bytes: file.body.byteLength,
        fileId: written.fileId,
        fileName: name,
        fileUrl: written.url,
        details: { ...run.details, replaced: written.replaced },
      });
      const state: ExportStatePatch = {
        lastRunAt: startedAt,
        lastSuccessAt: finishedAt,
        lastStatus: "succeeded",
        lastError: null,
        fileId: written.fileId,
        fileUrl: written.url,
        updatedAt: finishedAt,
      };
      if (trigger === "schedule") {
        state.consecutiveFailures = 0;
        state.nextRunAt = scheduleNext(claimed, finishedAt);
      }
      const after = await release(claimed, holder, state);
      events.emit("export.completed", { run: finished, definition: after });
      await deps.audit(claimed.tenantId, "export.run", actor, destinationRow, {
        exportId: claimed.id,
        runId: run.id,
        trigger,
        status: "succeeded",
        rows: file.rows,
        bytes: file.body.byteLength,
        fileId: written.fileId,
      });
      logger.info("export written", {
        exportId: claimed.id,
        runId: run.id,
        rows: file.rows,
        bytes: file.body.byteLength,
      });
      return { status: "succeeded", run: finished };
    } catch (error) {
      return await fail(claimed, holder, run, trigger, error, destinationRow, actor);
    } finally {
      clearInterval(renew);
    }
  }

  async function release(
    claimed: ExportDefinition,
    holder: string,
    state: ExportStatePatch,
  ): Promise<ExportDefinition> {
    const after = await store.releaseExport(claimed.tenantId, claimed.id, holder, state);
    if (after !== null) return after;
    logger.warn(
      "an export's claim was lost before its run ended; its state is left to the new holder",
      {
        exportId: claimed.id,
      },
    );
    return (await store.getExport(claimed.tenantId, claimed.id)) ?? { ...claimed, ...state };
  }

  async function fail(
    claimed: ExportDefinition,
    holder: string,
    run: ExportRun,
    trigger: ExportTrigger,
    error: unknown,
    destinationRow: StoredConnection | null,
    actor: string | null,
  ): Promise<ExportOutcome> {
    const message = redactString(error instanceof Error ? error.message : String(error));
    // Provider faults that say so (5xx, 429, network) and host errors of unknown kind are transient;
    // bad input, revoked grants and refusals are not: they wait for the next scheduled run.
    const retryable = isPatchbayError(error) ? error.retryable : !(error instanceof TypeError);
    logger.warn("export failed", { exportId: claimed.id, runId: run.id, retryable, error });
    const finishedAt = new Date(now());
    let finished: ExportRun = { ...run, status: "failed", finishedAt, error: message };
    try {
      finished = await store.updateExportRun(claimed.tenantId, run.id, {
        status: "failed",
        finishedAt,
        error: message,
        details: { ...run.details, retryable },
      });
    } catch (storeError) {
      logger.error("could not record the end of an export run", {
        runId: run.id,
        error: storeError,
      });
    }
    const state: ExportStatePatch = {
      lastRunAt: run.startedAt,
      lastStatus: "failed",
      lastError: message,
      updatedAt: finishedAt,
    };
    if (trigger === "schedule") {
      const failures = claimed.consecutiveFailures + 1;
      state.consecutiveFailures = failures;
      const normal = scheduleNext(claimed, finishedAt);
      if (normal === null || claimed.schedule.kind === "manual") state.nextRunAt = null;
      else if (retryable) {
        const retryAt =
          finishedAt.getTime() + Math.min(RETRY_BASE_MS * 2 ** (failures - 1), 86_400_000);
        state.nextRunAt = new Date(Math.min(retryAt, normal.getTime()));
      } else state.nextRunAt = nextRunAfterFailure(claimed.schedule, finishedAt, failures);
    }
    let after: ExportDefinition = { ...claimed, ...state };
    try {
      after = await release(claimed, holder, state);
    } catch (storeError) {
      logger.error("could not record an export's failure", {
        exportId: claimed.id,
        error: storeError,
      });
    }
    events.emit("export.failed", { run: finished, definition: after });
    await deps
      .audit(claimed.tenantId, "export.run", actor, destinationRow, {
        exportId: claimed.id,
        runId: run.id,
        trigger,
        status: "failed",
        error: message,
      })
      .catch((auditError: unknown) =>
        logger.error("could not audit an export run", { error: auditError }),
      );
    return { status: "failed", run: finished };
  }

  function info(source: ExportSource): ExportSourceInfo {
    return {
      id: source.id,
      name: source.name,
      description: source.description ?? null,
      columns: source.columns.map((c) => ({ ...c })),
      templates: Object.entries(source.templates ?? {}).map(([id, t]) => ({
        id,
        title: t.title,
        description: t.description ?? null,
        columns: pickColumns(t.columns, source.columns, "columns"),
      })),
    };
  }

  return {
    sources: () => [...sources.values()].map(info),

    async define(tenantId, input, options = {}) {
      requireId(tenantId, "tenantId");
      const spec = await checkSpec(tenantId, checkExportInput(input));
      const at = new Date(now());
      const definition: ExportDefinition = {
        ...spec,
        id: newId("exp"),
        tenantId,
        nextRunAt: scheduleNext(spec, at),
        lastRunAt: null,
        lastSuccessAt: null,
        lastStatus: null,
        lastError: null,
        consecutiveFailures: 0,
        fileId: null,
        fileUrl: null,
        claimedBy: null,
        claimedUntil: null,
        createdAt: at,
        updatedAt: at,
      };
      await store.createExport(definition);
      await deps.audit(tenantId, "export.define", options.actor, null, {
        exportId: definition.id,
        name: definition.name,
        format: definition.format,
        mode: definition.mode,
        destination: definition.destination.connectionId,
        schedule: definition.schedule as unknown as Json,
      });
      return definition;
    },

    async update(tenantId, id, patch, options = {}) {
      const current = await load(tenantId, id);
      if (patch === null || typeof patch !== "object")
        throw new TypeError('"patch" must be an object');
      const merged: ExportInput = {
        name: current.name,
        source:
          current.source.kind === "source"
            ? current.source.id
            : { connectionId: current.source.connectionId, model: current.source.model },
        params: current.params,
        template: current.template,
        columns: current.columns,
        format: current.format,
        bom: current.bom,
        schedule: current.schedule,
        destination: current.destination,
        mode: current.mode,
        filename: current.filename,
      };
      for (const [key, value] of Object.entries(patch)) {
        if (!Object.hasOwn(merged, key))
          throw new TypeError(`"${key}" is not a field of an export`);
        if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
      }
      const spec = await checkSpec(tenantId, checkExportInput(merged));
      const at = new Date(now());
      const scheduleChanged = JSON.stringify(spec.schedule) !== JSON.stringify(current.schedule);
      const updated = await store.updateExport(tenantId, id, {
        ...spec,
        // A new destination or mode starts a new file: do not write over the old one.
        ...((spec.destination.connectionId !== current.destination.connectionId ||
          spec.destination.folderId !== current.destination.folderId ||
          spec.mode !== current.mode) && { fileId: null, fileUrl: null }),
        ...(scheduleChanged && { nextRunAt: scheduleNext(spec, at), consecutiveFailures: 0 }),
        updatedAt: at,
      });
      await deps.audit(tenantId, "export.update", options.actor, null, {
        exportId: id,
        fields: Object.keys(patch),
      });
      return updated;
    },

    async list(tenantId, filter) {
      requireId(tenantId, "tenantId");
      return store.listExports(tenantId, filter);
    },

    get: load,

    async remove(tenantId, id, options = {}) {
      requireId(tenantId, "tenantId");
      requireId(id, "exportId");
      const removed = await store.deleteExport(tenantId, id);
      if (removed)
        await deps.audit(tenantId, "export.remove", options.actor, null, { exportId: id });
      return { removed };
    },

    async run(tenantId, id, options = {}) {
      await load(tenantId, id);
      const claimed = await store.claimExport(tenantId, id, {
        holder: `${deps.holderId}:${newId("x")}`,
        ttlMs: claimTtlMs,
        now: new Date(now()),
      });
      if (claimed === null) return { status: "skipped", reason: "running" };
      return execute(claimed, "manual", options.actor ?? null);
    },

    async runs(tenantId, options = {}) {
      requireId(tenantId, "tenantId");
      const limit = options.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new TypeError('"limit" must be an integer from 1 to 1000');
      return store.listExportRuns(tenantId, { exportId: options.exportId, limit });
    },

    async runDue(options = {}) {
      const limit = options.limit ?? 20;
      const concurrency = options.concurrency ?? 2;
      if (!Number.isInteger(limit) || limit < 1)
        throw new TypeError('"limit" must be a positive integer');
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new TypeError('"concurrency" must be a positive integer');
      const holder = `${deps.holderId}:${newId("x")}`;
      const due = await store.claimDueExports(new Date(now()), {
        holder,
        ttlMs: claimTtlMs,
        limit,
      });
      const queue = [...due];
      const outcomes: ExportOutcome[] = [];
      const worker = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          try {
            outcomes.push(await execute(next, "schedule"));
          } catch (error) {
            logger.error("scheduled export threw", { exportId: next.id, error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
      return { started: outcomes.length, outcomes };
    },
  };
}
