import type { z } from "zod";
import type { StoredCredentials } from "./auth/credentials.js";
import { endpointOf, revokeToken } from "./auth/oauth.js";
import { TokenManager, type TokenManagerOptions } from "./auth/token-manager.js";
import { ConnectFlow } from "./connect.js";
import {
  ConcurrencyLimiter,
  connectionAuthenticator,
  connectionHttpClient,
} from "./connection-client.js";
import { type ConnectorInfo, ConnectorRegistry } from "./connector/registry.js";
import type { ConnectorDefinition, LifecycleContext, LifecycleResult } from "./connector/types.js";
import { ConfigError, LimitError, NotFoundError } from "./errors.js";
import { type PatchbayEventName, PatchbayEvents, type PatchbayListener } from "./events.js";
import {
  createExportService,
  type ExportsOptions,
  type PatchbayExports,
} from "./exports/service.js";
import type { ExportDefinition, ExportRun } from "./exports/types.js";
import { createRateLimiter } from "./http/index.js";
import type { FetchLike, HttpClient, RateLimiter } from "./http/types.js";
import { type Logger, redactingLogger, silentLogger } from "./logger.js";
import { redactString } from "./redact.js";
import { publicConnection } from "./store/connection.js";
import { emptySyncState, newId } from "./store/defaults.js";
import type {
  AuditAction,
  AuditEntry,
  Connection,
  ConnectionStatus,
  Json,
  Schedule,
  Store,
  StoredConnection,
  StoredRecord,
  SyncMode,
  SyncRun,
  SyncState,
  UsageCounters,
} from "./store/types.js";
import {
  type ChangeKind,
  changeKind,
  decodeChangeCursor,
  encodeChangeCursor,
  type RecordChange,
} from "./sync/changes.js";
import { SyncEngine } from "./sync/engine.js";
import { createInProcessScheduler } from "./sync/in-process-scheduler.js";
import {
  type FieldMapping,
  resolveMapping,
  schemaFields,
  toHostShape,
  validateMapping,
} from "./sync/mapping.js";
import { nextRunAt, scheduleIntervalMs, validateSchedule } from "./sync/schedule.js";
import type { Scheduler, SyncJob, SyncOutcome } from "./sync/types.js";
import { type ConflictPolicy, type WriteInput, type WriteResult, writeBack } from "./sync/write.js";
import { parseWith } from "./validation.js";
import type { RotationReport, Vault } from "./vault.js";
import { createWebhookHandler } from "./webhooks/handler.js";

/**
 * What a tenant's plan allows. Every field is optional: leave it out for
 * "unlimited". Returned by the host's `limits(tenantId)`.
 */
export interface PlanLimits {
  /** Connections the tenant may have (disconnected ones do not count). */
  maxConnections?: number;
  /** Connector ids the tenant may connect. */
  allowedConnectors?: string[];
  /** The fastest schedule, in minutes between runs. */
  minScheduleMinutes?: number;
  /** Records synced (inserted, updated, deleted) per calendar month (UTC). */
  recordsPerMonth?: number;
  /** Only manual syncs: no schedules. */
  manualOnly?: boolean;
}

/** Options of {@link createPatchbay}. */
export interface PatchbayOptions {
  /** The connectors this host offers, e.g. `[googleSheets({...}), airtable({...})]`. */
  connectors: ConnectorDefinition[];
  /** Where everything is persisted: `MemoryStore` for tests, `@patchbay/store-postgres` otherwise. */
  store: Store;
  /** Seals credentials at rest. `Vault.fromEnv()` reads `PATCHBAY_VAULT_KEYS`. */
  vault: Vault;
  /** Runs syncs when due. Default: the in-process scheduler (started by `patchbay.start()`). */
  scheduler?: Scheduler;
  /** `fetch` used for every provider call. Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Receives redacted log lines. Default: silent. */
  logger?: Logger;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: () => number;
  /** How long an OAuth authorization may take. Default 10 minutes. */
  oauthSessionTtlMs?: number;
  /** Token refresh tuning. */
  tokens?: Pick<
    TokenManagerOptions,
    | "refreshMarginMs"
    | "leaseTtlMs"
    | "waitTimeoutMs"
    | "cacheTtlMs"
    | "refreshRetries"
    | "holderId"
  >;
  /** Sync tuning: records per committed batch (default 500) and run lease length (default 60 s). */
  sync?: {
    batchSize?: number;
    leaseTtlMs?: number;
    /**
     * How many stored hashes a full run reads up front, before the first
     * page (about 150 bytes each in memory); records past them are looked up
     * page by page. Default 100,000.
     */
    prefetchHashes?: number;
  };
  /** Who wins when a record changed on both sides. Default `provider_wins`. */
  conflictPolicy?: ConflictPolicy;
  /** The tenant's plan; enforced on connect, schedule and sync. */
  limits?: (tenantId: string) => PlanLimits | Promise<PlanLimits>;
  /** Shared rate limiter; pass one to share buckets between Patchbay instances in a process. */
  rateLimiter?: RateLimiter;
  /**
   * Your public base URL for webhooks, e.g. `https://app.example.com/integrations/webhooks`;
   * each connector's deliveries go to `<base>/<connector id>`. Without it, connectors create no webhooks.
   */
  webhookBaseUrl?: string;
  /**
   * Scheduled exports: the sources tenants may export (rows, columns,
   * templates), registered in code. See `patchbay.exports`.
   */
  exports?: ExportsOptions;
}

/** What `runMaintenance` did. */
export interface MaintenanceReport {
  /** Connections whose maintenance ran and succeeded. */
  ran: number;
  /** Connections whose maintenance failed (ids; the error is logged and emitted). */
  failed: string[];
}

/** The outcome of testing a connection. */
export interface ConnectionTestResult {
  ok: boolean;
  /** Why it failed (redacted). */
  message?: string;
}

/** A connection's health, for a status page or an integrations card. */
export interface ConnectionHealth {
  connectionId: string;
  status: ConnectionStatus;
  statusReason: string | null;
  /** The most recent successful sync of any model. */
  lastSuccessAt: Date | null;
  /** The most recent error of any model (redacted). */
  lastError: string | null;
  /** The highest consecutive failure count among the models. */
  consecutiveFailures: number;
  /** The soonest scheduled run among the models. */
  nextRunAt: Date | null;
  models: Array<
    Pick<
      SyncState,
      | "model"
      | "schedule"
      | "nextRunAt"
      | "lastRunAt"
      | "lastSuccessAt"
      | "lastStatus"
      | "lastError"
      | "consecutiveFailures"
    >
  >;
}

/** One item of a tenant export (see `tenants.export`). */
export type TenantExportItem =
  | { kind: "connection"; connection: Connection }
  | { kind: "sync_state"; state: SyncState }
  | { kind: "record"; record: Omit<StoredRecord, "tenantId"> }
  | { kind: "sync_run"; run: SyncRun }
  | { kind: "audit"; entry: AuditEntry }
  | { kind: "usage"; period: string; usage: UsageCounters }
  | { kind: "export"; definition: ExportDefinition }
  | { kind: "export_run"; run: ExportRun };

/** Who did something, for the audit trail. */
export interface ActorOption {
  /** A user id, an API key name, `"system"`... */
  actor?: string;
}

/** What hosts use. Created by {@link createPatchbay}. */
export interface Patchbay {
  /** The registered connectors. */
  readonly connectors: ConnectorRegistry;
  /** Connect a tenant to a provider. */
  readonly connect: ConnectFlow;
  /** Manage connections (always scoped by tenant). */
  readonly connections: {
    /** The tenant's connections (no secrets). */
    list(
      tenantId: string,
      filter?: { connector?: string; status?: ConnectionStatus[] },
    ): Promise<Connection[]>;
    /** One connection; throws `NotFoundError` if absent for this tenant. */
    get(tenantId: string, id: string): Promise<Connection>;
    /** An authenticated HTTP client for the connection (base URL, rate limits, retries, refresh). */
    http(tenantId: string, id: string): Promise<HttpClient>;
    /** Run the connector's test; sets the status to `active` or `error`. */
    test(tenantId: string, id: string, options?: ActorOption): Promise<ConnectionTestResult>;
    /** Replace the connection's settings after validating them against the connector's schema. */
    configure(
      tenantId: string,
      id: string,
      config: Record<string, unknown>,
      options?: ActorOption,
    ): Promise<Connection>;
    /**
     * Map provider fields to host fields for a model (`{ artistName: "Artist" }`),
     * validated against the provider's fields (its schema, or the live columns
     * for dynamic models) and, when given, the host's schema.
     */
    setFieldMapping(
      tenantId: string,
      id: string,
      model: string,
      mapping: FieldMapping,
      options?: ActorOption & { hostSchema?: z.ZodObject | string[] },
    ): Promise<Connection>;
    /** Status, last success, last error, failures and next run. */
    health(tenantId: string, id: string): Promise<ConnectionHealth>;
    /**
     * Disconnect: revoke the grant at the provider where it supports it,
     * destroy the credentials, mark `disconnected`. With `purge`, also delete
     * the connection's synced records, runs and the connection itself.
     */
    disconnect(
      tenantId: string,
      id: string,
      options?: ActorOption & { purge?: boolean },
    ): Promise<{ revoked: boolean }>;
  };
  /** Run and schedule syncs. */
  readonly sync: {
    /** Run a sync now and wait for it. Throws `LimitError` when the plan's monthly records are used up. */
    run(
      input: {
        tenantId: string;
        connectionId: string;
        model: string;
        mode?: SyncMode;
      } & ActorOption,
    ): Promise<SyncOutcome>;
    /** Set (or clear with `{ kind: "manual" }`) a model's schedule. Enforces the plan's fastest schedule. */
    schedule(
      input: {
        tenantId: string;
        connectionId: string;
        model: string;
        schedule: Schedule;
      } & ActorOption,
    ): Promise<SyncState>;
    /** Run soon without waiting: through the scheduler when started, else now. Deduplicated per model. */
    enqueue(input: {
      tenantId: string;
      connectionId: string;
      model: string;
      trigger?: SyncJob["trigger"];
    }): Promise<void>;
    /** The sync state of each model of a connection. */
    status(tenantId: string, connectionId: string): Promise<SyncState[]>;
    /** Sync history, newest first. */
    runs(
      tenantId: string,
      options: { connectionId?: string; model?: string; limit?: number },
    ): Promise<SyncRun[]>;
    /**
     * Run every scheduled sync that is due now, across tenants, and wait for
     * them: the entry point for serverless hosts' cron (the in-process
     * scheduler does the same on its own). At most `limit` syncs (default 50),
     * `concurrency` at a time (default 4).
     */
    runDue(options?: {
      limit?: number;
      concurrency?: number;
    }): Promise<{ started: number; outcomes: SyncOutcome[] }>;
  };
  /** Read synced records. */
  readonly records: {
    /**
     * The change feed: records created, updated or deleted after `after` (an
     * opaque cursor from a previous call; omit to start from the beginning),
     * in order. Store the returned `cursor` and pass it next time.
     */
    changes(input: {
      tenantId: string;
      connectionId: string;
      model?: string;
      after?: string;
      limit?: number;
    }): Promise<{ changes: RecordChange[]; cursor: string; hasMore: boolean }>;
    /** Current records of a model, in external-id order, `limit` at a time (`next` pages on). */
    list(input: {
      tenantId: string;
      connectionId: string;
      model: string;
      after?: string;
      limit?: number;
    }): Promise<{
      records: RecordChange[];
      next: string | null;
    }>;
    /** One record by external or internal id, or `null`. */
    get(input: {
      tenantId: string;
      connectionId: string;
      model: string;
      externalId?: string;
      internalId?: string;
    }): Promise<RecordChange | null>;
    /** Link a synced record to the host's id (after the host imports it). */
    setInternalId(input: {
      tenantId: string;
      connectionId: string;
      model: string;
      externalId: string;
      internalId: string | null;
    }): Promise<void>;
  };
  /** Apply host changes at the provider (two-way sync). */
  write(input: WriteInput & ActorOption): Promise<WriteResult>;
  /**
   * Scheduled exports: a tenant's CSV or XLSX reports, written on a schedule
   * to a connection that can receive files (Google Drive), replacing the
   * previous file or adding a dated copy. See docs/exports.md.
   */
  readonly exports: PatchbayExports;
  /** One-off operations a connector declares (send an email, create a spreadsheet, list audiences). */
  readonly actions: {
    /** Validate `input` with the action's schema and run it as the connection. */
    run<T = unknown>(
      input: {
        tenantId: string;
        connectionId: string;
        action: string;
        input?: unknown;
      } & ActorOption,
    ): Promise<T>;
  };
  /** The one webhook entry point: verify, route, dispatch. Mount it at e.g. `POST /webhooks/:connector`. */
  handleWebhook(connectorId: string, request: Request): Promise<Response>;
  /** Usage counters and the audit trail of a tenant. */
  readonly tenants: {
    usage(tenantId: string, period?: string): Promise<UsageCounters & { period: string }>;
    audit(
      tenantId: string,
      options?: { connectionId?: string; action?: AuditAction; before?: Date; limit?: number },
    ): Promise<AuditEntry[]>;
    /** Everything stored for a tenant, without secrets, streamed item by item (write it as JSON lines). */
    export(tenantId: string, options?: ActorOption): AsyncIterable<TenantExportItem>;
    /** Disconnect every connection (revoking at providers) and delete everything stored for the tenant. */
    purge(tenantId: string, options?: ActorOption): Promise<{ connections: number }>;
  };
  /** Access tokens on demand (for calling a provider's SDK directly). */
  readonly tokens: TokenManager;
  /** The catalogue as JSON (for a connect page). */
  catalogue(): ConnectorInfo[];
  /** Listen to an event; returns an unsubscribe function. */
  on<E extends PatchbayEventName>(event: E, listener: PatchbayListener<E>): () => void;
  /** Re-seal every credential under the vault's newest key. */
  rotateKeys(options?: ActorOption): Promise<RotationReport>;
  /**
   * Run due lifecycle maintenance (refresh webhooks before they expire, renew
   * watches) for every connection whose connector declares it. `start()` runs
   * it every minute; serverless hosts call it from their cron route.
   */
  runMaintenance(): Promise<MaintenanceReport>;
  /** Start the scheduler (scheduled syncs, enqueued webhook syncs) and periodic maintenance. */
  start(): void;
  /** Stop the scheduler, letting running syncs finish their batch. */
  stop(): Promise<void>;
}

function requireId(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string" || value === "")
    throw new TypeError(`"${name}" must be a non-empty string`);
}

/** The usage period (calendar month, UTC) of a time. */
export function usagePeriod(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

/**
 * Create the Patchbay instance a host embeds.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({
 *   connectors: [googleSheets({ clientId, clientSecret })],
 *   store: new MemoryStore(),
 *   vault: Vault.fromEnv(),
 * });
 * const { url } = await patchbay.connect.start({ tenantId, connector: "google-sheets", redirectUri });
 * ```
 */
export function createPatchbay(options: PatchbayOptions): Patchbay {
  if (options === null || typeof options !== "object")
    throw new TypeError("createPatchbay() needs an options object");
  if (options.store === undefined || typeof options.store.getConnection !== "function") {
    throw new TypeError(
      '"store" must be a Patchbay store (e.g. new MemoryStore() or a @patchbay/store-postgres store)',
    );
  }
  if (options.vault === undefined || typeof options.vault.seal !== "function") {
    throw new TypeError('"vault" must be a Vault (e.g. Vault.fromEnv())');
  }
  const registry = new ConnectorRegistry(options.connectors);
  const logger = redactingLogger(options.logger ?? silentLogger);
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const events = new PatchbayEvents(logger);
  const rateLimiter = options.rateLimiter ?? createRateLimiter();
  const { store, vault } = options;
  const holderId = options.tokens?.holderId ?? newId("pb");
  const tokens = new TokenManager({
    ...options.tokens,
    holderId,
    store,
    vault,
    connector: (id) => registry.get(id),
    fetch: fetchImpl,
    logger,
    events,
    now,
  });
  const clientDeps = {
    fetch: fetchImpl,
    logger,
    rateLimiter,
    concurrency: new ConcurrencyLimiter(),
  };
  const webhookBase =
    options.webhookBaseUrl === undefined ? undefined : checkWebhookBase(options.webhookBaseUrl);

  const limitsFor = async (tenantId: string): Promise<PlanLimits> =>
    options.limits ? await options.limits(tenantId) : {};

  async function audit(
    tenantId: string,
    action: AuditAction,
    actor: string | null | undefined,
    connection: Pick<Connection, "id" | "connector"> | null,
    details: Record<string, Json> = {},
  ): Promise<void> {
    await store.appendAudit({
      id: newId("aud"),
      tenantId,
      at: new Date(now()),
      actor: actor ?? null,
      action,
      connectionId: connection?.id ?? null,
      connector: connection?.connector ?? null,
      details,
    });
  }

  async function recordUsage(
    tenantId: string,
    delta: { records: number; runs: number },
  ): Promise<void> {
    await store.incrementUsage(tenantId, usagePeriod(now()), delta);
  }

  async function recordsAllowance(tenantId: string): Promise<string | undefined> {
    const limits = await limitsFor(tenantId);
    if (limits.recordsPerMonth === undefined) return undefined;
    const usage = await store.getUsage(tenantId, usagePeriod(now()));
    if (usage.records < limits.recordsPerMonth) return undefined;
    return `Your plan includes ${limits.recordsPerMonth.toLocaleString("en-US")} synced records per month, and this month's are used up. Upgrade to keep syncing.`;
  }

  const engine = new SyncEngine({
    registry,
    store,
    tokens,
    events,
    logger,
    client: clientDeps,
    now,
    holderId,
    batchSize: options.sync?.batchSize,
    prefetchHashes: options.sync?.prefetchHashes,
    leaseTtlMs: options.sync?.leaseTtlMs,
    admit: (job) => recordsAllowance(job.tenantId),
    recordUsage,
  });

  const connect = new ConnectFlow({
    ...clientDeps,
    registry,
    store,
    vault,
    events,
    now,
    sessionTtlMs: options.oauthSessionTtlMs ?? 10 * 60_000,
    admit: async (tenantId, connector) => {
      const limits = await limitsFor(tenantId);
      if (limits.allowedConnectors !== undefined && !limits.allowedConnectors.includes(connector)) {
        throw new LimitError(
          "allowedConnectors",
          `Your plan does not include ${registry.get(connector).name}. Upgrade to connect it.`,
        );
      }
      if (limits.maxConnections !== undefined) {
        const live = (await store.listConnections(tenantId)).filter(
          (c) => c.status !== "disconnected",
        ).length;
        if (live >= limits.maxConnections) {
          throw new LimitError(
            "maxConnections",
            `Your plan allows ${limits.maxConnections} connection${limits.maxConnections === 1 ? "" : "s"}. Disconnect one or upgrade to add more.`,
          );
        }
      }
    },
    established: async (connection, actor) => {
      await audit(connection.tenantId, "connection.connect", actor, connection);
      await runLifecycle(await load(connection.tenantId, connection.id), "setup");
    },
  });

  const scheduler = options.scheduler ?? createInProcessScheduler();
  const exportService = createExportService({
    registry,
    store,
    events,
    logger,
    now,
    holderId,
    options: options.exports,
    context: (connection) => ({
      connection,
      config: connection.config,
      metadata: connection.metadata,
      http: httpFor(connection),
      logger,
    }),
    audit,
  });
  let started = false;
  let maintenanceTimer: ReturnType<typeof setTimeout> | undefined;

  async function load(tenantId: string, id: string): Promise<StoredConnection> {
    requireId(tenantId, "tenantId");
    requireId(id, "connectionId");
    const row = await store.getConnection(tenantId, id);
    if (row === null) throw new NotFoundError(`Connection ${id} not found for tenant ${tenantId}`);
    return row;
  }

  function httpFor(row: Connection): HttpClient {
    const definition = registry.get(row.connector);
    return connectionHttpClient(
      definition,
      row,
      connectionAuthenticator(definition, row, tokens),
      clientDeps,
    );
  }

  async function setStatus(
    row: StoredConnection,
    status: ConnectionStatus,
    reason: string | null,
  ): Promise<StoredConnection> {
    const updated = await store.updateConnection(row.tenantId, row.id, {
      status,
      statusReason: reason,
    });
    if (row.status !== status) {
      events.emit("connection.status_changed", {
        connection: publicConnection(updated),
        from: row.status,
        to: status,
      });
    }
    return updated;
  }

  function toChange(record: StoredRecord, connection: Connection, after: number): RecordChange {
    const definition = registry.get(connection.connector);
    const model = definition.models?.[record.model];
    const mapping = model === undefined ? null : resolveMapping(connection, record.model, model);
    const kind: ChangeKind = changeKind(record, after);
    return {
      kind,
      model: record.model,
      externalId: record.externalId,
      internalId: record.internalId,
      data: kind === "deleted" ? null : toHostShape(record.data, mapping),
      raw: record.data,
      deletedAt: record.deletedAt,
      updatedAt: record.updatedAt,
    };
  }

  async function runSync(job: SyncJob): Promise<SyncOutcome> {
    return engine.run(job);
  }

  async function enqueue(job: SyncJob): Promise<void> {
    if (started) {
      await scheduler.enqueue(job);
      return;
    }
    const outcome = await runSync(job);
    if (outcome.status === "failed")
      logger.warn("enqueued sync failed", {
        connectionId: job.connectionId,
        model: job.model,
        error: outcome.run.error,
      });
  }

  const handleWebhook = createWebhookHandler({
    registry,
    store,
    logger,
    now,
    connectionSecret: async (connection) => {
      const creds = (await tokens.getCredentials(connection)) as StoredCredentials & {
        webhookSecret?: string;
      };
      return creds.webhookSecret;
    },
    dispatch: async (connection, actions) => {
      for (const action of actions) {
        if (action.kind === "disconnected") {
          await disconnect(connection.tenantId, connection.id, {
            actor: `provider:${connection.connector}`,
            removedAtProvider: action.reason,
          });
          continue;
        }
        const job = {
          tenantId: connection.tenantId,
          connectionId: connection.id,
          model: action.model,
        };
        engine.resolve(connection.connector, action.model);
        if (action.kind === "sync") await enqueue({ ...job, trigger: "webhook", mode: undefined });
        else await engine.applyRecords(job, { records: action.records, deleted: action.deleted });
      }
    },
  });

  function lifecycleContext(row: StoredConnection): LifecycleContext {
    const connection = publicConnection(row);
    return {
      connection,
      config: connection.config,
      metadata: connection.metadata,
      http: httpFor(connection),
      logger,
      webhookUrl: webhookBase === undefined ? undefined : `${webhookBase}/${row.connector}`,
    };
  }

  /** Store what a hook returned: metadata merged, the webhook secret sealed with the credentials. */
  async function applyLifecycleResult(
    row: StoredConnection,
    result: LifecycleResult | undefined,
    extra: Record<string, Json> = {},
  ): Promise<void> {
    const metadata = { ...(result?.metadata ?? {}), ...extra };
    if (Object.keys(metadata).length > 0) {
      const latest = await load(row.tenantId, row.id);
      await store.updateConnection(row.tenantId, row.id, {
        metadata: { ...latest.metadata, ...metadata },
      });
    }
    if (result?.webhookSecret !== undefined) {
      if (typeof result.webhookSecret !== "string" || result.webhookSecret === "") {
        throw new TypeError(
          `connector "${row.connector}": lifecycle "webhookSecret" must be a non-empty string`,
        );
      }
      for (let attempt = 0; ; attempt++) {
        const latest = await load(row.tenantId, row.id);
        if (latest.credentials === null) return;
        const binding = { tenantId: row.tenantId, connectionId: row.id };
        const creds = vault.open(latest.credentials, binding) as unknown as StoredCredentials & {
          webhookSecret?: string;
        };
        const sealed = vault.seal(
          { ...creds, webhookSecret: result.webhookSecret } as unknown as Json,
          binding,
        );
        if (
          (await store.swapCredentials(row.tenantId, row.id, latest.credentialsVersion, sealed)) !==
          null
        )
          break;
        if (attempt >= 4)
          throw new Error("could not store the webhook secret (credentials kept changing)");
      }
      tokens.forget(row);
    }
  }

  /** Run a lifecycle hook; a failure is logged and emitted, and never breaks the caller. */
  async function runLifecycle(
    row: StoredConnection,
    phase: "setup" | "teardown" | "maintenance",
  ): Promise<boolean> {
    const lifecycle = registry.get(row.connector).lifecycle;
    const hook = phase === "maintenance" ? lifecycle?.maintenance?.run : lifecycle?.[phase];
    if (hook === undefined) return true;
    try {
      const result = await hook.call(lifecycle, lifecycleContext(row));
      if (phase !== "teardown") {
        await applyLifecycleResult(
          row,
          result ?? undefined,
          phase === "maintenance" ? { [MAINTAINED_AT]: new Date(now()).toISOString() } : {},
        );
      }
      return true;
    } catch (error) {
      const message = redactString(error instanceof Error ? error.message : String(error));
      logger.warn(`connector ${phase} failed`, {
        connector: row.connector,
        connectionId: row.id,
        error,
      });
      events.emit("connection.lifecycle_failed", {
        connection: publicConnection(row),
        phase,
        error: message,
      });
      return false;
    }
  }

  async function runMaintenance(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { ran: 0, failed: [] };
    const due = registry.list().filter((c) => c.lifecycle?.maintenance !== undefined);
    if (due.length === 0) return report;
    const holder = newId("maint");
    for (let after: string | undefined; ; ) {
      const page = await store.scanConnections({ after, limit: 200 });
      for (const row of page) {
        const maintenance = registry.has(row.connector)
          ? registry.get(row.connector).lifecycle?.maintenance
          : undefined;
        if (maintenance === undefined || (row.status !== "active" && row.status !== "error"))
          continue;
        const last = Date.parse(String(row.metadata[MAINTAINED_AT] ?? ""));
        if (!Number.isNaN(last) && now() - last < maintenance.everyMinutes * 60_000) continue;
        const key = `patchbay:maintenance:${row.tenantId}:${row.id}`;
        if (!(await store.acquireLease(key, holder, 5 * 60_000))) continue;
        try {
          if (await runLifecycle(row, "maintenance")) report.ran++;
          else report.failed.push(row.id);
        } finally {
          await store.releaseLease(key, holder);
        }
      }
      if (page.length < 200) break;
      after = page[page.length - 1]!.id;
    }
    return report;
  }

  async function disconnect(
    tenantId: string,
    id: string,
    disconnectOptions: ActorOption & {
      purge?: boolean;
      /** The provider already removed the app (a webhook said so): why, for the status reason. */
      removedAtProvider?: string;
    } = {},
  ): Promise<{ revoked: boolean }> {
    const row = await load(tenantId, id);
    const definition = registry.get(row.connector);
    const atProvider = disconnectOptions.removedAtProvider;
    if (atProvider !== undefined && row.status === "disconnected") return { revoked: false };
    // Removed at the provider: the grant is gone, so there is nothing to tear down or revoke.
    if (row.credentials !== null && atProvider === undefined) await runLifecycle(row, "teardown");
    let revoked = false;
    if (
      atProvider === undefined &&
      row.credentials !== null &&
      definition.auth.kind === "oauth2" &&
      definition.auth.revocationUrl !== undefined
    ) {
      try {
        const creds = vault.open(row.credentials, {
          tenantId,
          connectionId: id,
        }) as unknown as StoredCredentials;
        const token = creds.refreshToken ?? creds.accessToken;
        if (token !== undefined) {
          const result = await revokeToken(endpointOf(definition.auth), token, {
            fetch: fetchImpl,
            now,
            connector: definition.id,
          });
          revoked = result.ok;
          if (!result.ok)
            logger.warn("token revocation failed; credentials destroyed anyway", {
              connectionId: id,
              error: result.error,
            });
        }
      } catch (error) {
        logger.warn("could not revoke at the provider; credentials destroyed anyway", {
          connectionId: id,
          error,
        });
      }
    }
    tokens.forget({ tenantId, id });
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await load(tenantId, id);
      if ((await store.swapCredentials(tenantId, id, latest.credentialsVersion, null)) !== null)
        break;
    }
    const disconnected = await setStatus(
      await load(tenantId, id),
      "disconnected",
      atProvider ?? "disconnected by the host",
    );
    // Stop scheduled syncs of the connection.
    for (const state of await store.listSyncStates(tenantId, id)) {
      if (state.nextRunAt !== null)
        await store.putSyncState({ ...state, nextRunAt: null, updatedAt: new Date(now()) });
    }
    await scheduler.connectionRemoved?.(tenantId, id);
    await audit(tenantId, "connection.disconnect", disconnectOptions.actor, disconnected, {
      revoked,
      purge: disconnectOptions.purge === true,
      ...(atProvider === undefined ? {} : { removedAtProvider: true }),
    });
    if (disconnectOptions.purge) {
      await store.purgeConnectionData(tenantId, id);
      await store.deleteConnection(tenantId, id);
      await audit(tenantId, "connection.purge", disconnectOptions.actor, disconnected);
    }
    logger.info("connection disconnected", {
      connector: definition.id,
      connectionId: id,
      tenantId,
      revoked,
    });
    return { revoked };
  }

  return {
    connectors: registry,
    connect,
    tokens,
    handleWebhook,
    catalogue: () => registry.catalogue(),
    on: (event, listener) => events.on(event, listener),
    async rotateKeys(rotateOptions = {}) {
      const report = await vault.rotate(store);
      logger.info("vault keys rotated", {
        scanned: report.scanned,
        resealed: report.resealed,
        failed: report.failed.length,
      });
      const tenants = new Set<string>();
      for (let after: string | undefined; ; ) {
        const page = await store.scanConnections({ after, limit: 500 });
        for (const c of page) tenants.add(c.tenantId);
        if (page.length < 500) break;
        after = page[page.length - 1]!.id;
      }
      for (const tenantId of tenants) {
        await audit(tenantId, "vault.rotate", rotateOptions.actor, null, { kid: vault.currentKid });
      }
      return report;
    },
    runMaintenance,
    exports: exportService,
    start() {
      if (started) return;
      scheduler.start({ store, runner: engine, logger, now, exports: exportService });
      started = true;
      const tick = () => {
        maintenanceTimer = setTimeout(() => {
          runMaintenance()
            .catch((error: unknown) => logger.error("maintenance failed", { error }))
            .finally(() => {
              if (started) tick();
            });
        }, 60_000);
        maintenanceTimer.unref?.();
      };
      tick();
    },
    async stop() {
      if (!started) return;
      started = false;
      if (maintenanceTimer !== undefined) clearTimeout(maintenanceTimer);
      await scheduler.stop();
    },
    async write(input) {
      requireId(input?.tenantId, "tenantId");
      requireId(input.connectionId, "connectionId");
      requireId(input.model, "model");
      await load(input.tenantId, input.connectionId);
      const result = await writeBack(
        {
          store,
          engine,
          events,
          logger,
          now,
          conflictPolicy: options.conflictPolicy ?? "provider_wins",
          recordUsage,
        },
        input,
      );
      const row = await load(input.tenantId, input.connectionId);
      await audit(input.tenantId, "records.write", input.actor, row, {
        model: input.model,
        runId: result.run.id,
        applied: result.results.filter((r) => r.status === "applied").length,
        failed: result.results.filter((r) => r.status === "failed").length,
        conflicts: result.results.filter((r) => r.conflict !== undefined).length,
      });
      return result;
    },
    actions: {
      async run<T>(
        input: {
          tenantId: string;
          connectionId: string;
          action: string;
          input?: unknown;
        } & ActorOption,
      ): Promise<T> {
        const row = await load(input?.tenantId, input.connectionId);
        requireId(input.action, "action");
        const definition = registry.get(row.connector);
        const action = definition.actions?.[input.action];
        if (action === undefined) {
          const names = Object.keys(definition.actions ?? {});
          throw new ConfigError(
            `${definition.name} has no action "${input.action}" (actions: ${names.join(", ") || "none"})`,
          );
        }
        if (row.status === "needs_reauth" || row.status === "disconnected") {
          throw new ConfigError(
            `Connection ${row.id} is ${row.status}: reconnect ${definition.name} first`,
          );
        }
        const parsed = parseWith(action.input, input.input ?? {}, "input");
        const connection = publicConnection(row);
        const result = await action.run(
          {
            connection,
            config: connection.config,
            metadata: connection.metadata,
            http: httpFor(connection),
            logger,
          },
          parsed,
        );
        await audit(input.tenantId, "action.run", input.actor, row, { action: input.action });
        return result as T;
      },
    },
    connections: {
      async list(tenantId, filter) {
        requireId(tenantId, "tenantId");
        return (await store.listConnections(tenantId, filter)).map(publicConnection);
      },
      async get(tenantId, id) {
        return publicConnection(await load(tenantId, id));
      },
      async http(tenantId, id) {
        return httpFor(publicConnection(await load(tenantId, id)));
      },
      async test(tenantId, id, testOptions = {}) {
        const row = await load(tenantId, id);
        const definition = registry.get(row.connector);
        const connection = publicConnection(row);
        let message: string | undefined;
        if (definition.test !== undefined) {
          try {
            const result = await definition.test({
              connection,
              config: connection.config,
              metadata: connection.metadata,
              http: httpFor(connection),
              logger,
            });
            if (result && result.ok === false)
              message = result.message ?? "the connector's test reported a failure";
          } catch (error) {
            message = (error as Error).message;
          }
        }
        const latest = await load(tenantId, id);
        const reason = message === undefined ? undefined : redactString(message);
        if (reason === undefined) {
          if (latest.status === "error" || latest.status === "pending")
            await setStatus(latest, "active", null);
        } else if (latest.status === "active" || latest.status === "pending") {
          await setStatus(latest, "error", reason);
        }
        await audit(tenantId, "connection.test", testOptions.actor, row, {
          ok: reason === undefined,
        });
        return reason === undefined ? { ok: true } : { ok: false, message: reason };
      },
      async configure(tenantId, id, config, configureOptions = {}) {
        const row = await load(tenantId, id);
        const definition = registry.get(row.connector);
        if (definition.config === undefined)
          throw new ConfigError(`${definition.name} takes no config`);
        const parsed = parseWith(definition.config, config, "config") as Record<string, Json>;
        const updated = publicConnection(
          await store.updateConnection(tenantId, id, { config: parsed }),
        );
        tokens.forget({ tenantId, id });
        await audit(tenantId, "connection.configure", configureOptions.actor, updated, {
          fields: Object.keys(parsed),
        });
        // Provider-side resources follow the settings (e.g. the webhook for the chosen base).
        if (updated.status === "active") await runLifecycle(await load(tenantId, id), "setup");
        return publicConnection(await load(tenantId, id));
      },
      async setFieldMapping(tenantId, id, modelName, mapping, mappingOptions = {}) {
        const row = await load(tenantId, id);
        const connection = publicConnection(row);
        const { definition, model } = engine.resolve(row.connector, modelName);
        let providerFields = schemaFields(model.schema);
        if (model.fields !== undefined) {
          providerFields = await model.fields({
            connection,
            config: connection.config,
            metadata: connection.metadata,
            http: httpFor(connection),
            logger,
          });
        }
        const host = mappingOptions.hostSchema;
        const hostFields =
          host === undefined ? null : Array.isArray(host) ? host : Object.keys(host.shape);
        const valid = validateMapping(mapping, {
          model: modelName,
          providerFields,
          hostFields,
          providerLabel: model.fields ? "column" : "field",
        });
        const updated = publicConnection(
          await store.updateConnection(tenantId, id, {
            fieldMappings: { ...row.fieldMappings, [modelName]: valid },
          }),
        );
        await audit(tenantId, "connection.configure", mappingOptions.actor, updated, {
          model: modelName,
          mapping: valid,
        });
        logger.info("field mapping set", {
          connector: definition.id,
          connectionId: id,
          model: modelName,
        });
        if (updated.status === "active") await runLifecycle(await load(tenantId, id), "setup");
        return publicConnection(await load(tenantId, id));
      },
      async health(tenantId, id) {
        const row = await load(tenantId, id);
        const states = await store.listSyncStates(tenantId, id);
        const maxDate = (dates: Array<Date | null>) =>
          dates.reduce<Date | null>((a, d) => (d !== null && (a === null || d > a) ? d : a), null);
        const latestError = [...states]
          .filter((s) => s.lastError !== null)
          .sort((a, b) => (b.lastRunAt?.getTime() ?? 0) - (a.lastRunAt?.getTime() ?? 0))[0];
        const next = states.map((s) => s.nextRunAt).filter((d): d is Date => d !== null);
        return {
          connectionId: id,
          status: row.status,
          statusReason: row.statusReason,
          lastSuccessAt: maxDate(states.map((s) => s.lastSuccessAt)),
          lastError: latestError?.lastError ?? (row.status === "active" ? null : row.statusReason),
          consecutiveFailures: Math.max(0, ...states.map((s) => s.consecutiveFailures)),
          nextRunAt: next.length === 0 ? null : new Date(Math.min(...next.map((d) => d.getTime()))),
          models: states.map(
            ({
              model,
              schedule,
              nextRunAt: nra,
              lastRunAt,
              lastSuccessAt,
              lastStatus,
              lastError,
              consecutiveFailures,
            }) => ({
              model,
              schedule,
              nextRunAt: nra,
              lastRunAt,
              lastSuccessAt,
              lastStatus,
              lastError,
              consecutiveFailures,
            }),
          ),
        };
      },
      disconnect,
    },
    sync: {
      async run(input) {
        const row = await load(input?.tenantId, input.connectionId);
        requireId(input.model, "model");
        engine.resolve(row.connector, input.model);
        const refusal = await recordsAllowance(input.tenantId);
        if (refusal !== undefined) throw new LimitError("recordsPerMonth", refusal);
        await audit(input.tenantId, "sync.trigger", input.actor, row, {
          model: input.model,
          mode: input.mode ?? null,
        });
        return engine.run({
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          model: input.model,
          trigger: "manual",
          mode: input.mode,
        });
      },
      async schedule(input) {
        const row = await load(input?.tenantId, input.connectionId);
        requireId(input.model, "model");
        engine.resolve(row.connector, input.model);
        const schedule = validateSchedule(input.schedule);
        const limits = await limitsFor(input.tenantId);
        if (schedule.kind !== "manual") {
          if (limits.manualOnly)
            throw new LimitError(
              "manualOnly",
              "Your plan syncs on demand only. Upgrade to sync on a schedule.",
            );
          const interval = scheduleIntervalMs(schedule);
          if (
            limits.minScheduleMinutes !== undefined &&
            interval !== null &&
            interval < limits.minScheduleMinutes * 60_000
          ) {
            throw new LimitError(
              "minScheduleMinutes",
              `Your plan syncs at most every ${limits.minScheduleMinutes} minutes. Upgrade to sync every ${Math.max(1, Math.round(interval / 60_000))} minutes.`,
            );
          }
        }
        const existing = await store.getSyncState(input.tenantId, input.connectionId, input.model);
        const at = new Date(now());
        const state: SyncState = {
          ...(existing ?? emptySyncState(input, at)),
          schedule: schedule.kind === "manual" ? null : schedule,
          nextRunAt:
            schedule.kind === "manual" || row.status === "disconnected"
              ? null
              : nextRunAt(schedule, at),
          updatedAt: at,
        };
        await store.putSyncState(state);
        await scheduler.scheduleChanged?.(
          { tenantId: input.tenantId, connectionId: input.connectionId, model: input.model },
          state.schedule,
        );
        await audit(input.tenantId, "sync.schedule", input.actor, row, {
          model: input.model,
          schedule: schedule as unknown as Json,
        });
        return state;
      },
      async enqueue(input) {
        const row = await load(input?.tenantId, input.connectionId);
        engine.resolve(row.connector, input.model);
        await enqueue({
          tenantId: input.tenantId,
          connectionId: input.connectionId,
          model: input.model,
          trigger: input.trigger ?? "manual",
        });
      },
      async status(tenantId, connectionId) {
        await load(tenantId, connectionId);
        return store.listSyncStates(tenantId, connectionId);
      },
      async runDue(dueOptions = {}) {
        const limit = dueOptions.limit ?? 50;
        const concurrency = dueOptions.concurrency ?? 4;
        if (!Number.isInteger(limit) || limit < 1)
          throw new TypeError('"limit" must be a positive integer');
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new TypeError('"concurrency" must be a positive integer');
        const due = await store.listDueSyncStates(new Date(now()), limit);
        const queue = [...due];
        const outcomes: SyncOutcome[] = [];
        const worker = async () => {
          for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
            try {
              outcomes.push(
                await engine.run({
                  tenantId: state.tenantId,
                  connectionId: state.connectionId,
                  model: state.model,
                  trigger: "schedule",
                }),
              );
            } catch (error) {
              logger.error("scheduled sync threw", {
                connectionId: state.connectionId,
                model: state.model,
                error,
              });
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
        return { started: outcomes.filter((o) => o.status !== "skipped").length, outcomes };
      },
      async runs(tenantId, runOptions) {
        requireId(tenantId, "tenantId");
        return store.listSyncRuns(tenantId, { ...runOptions, limit: runOptions?.limit ?? 20 });
      },
    },
    records: {
      async changes(input) {
        const row = await load(input?.tenantId, input.connectionId);
        const connection = publicConnection(row);
        if (input.model !== undefined) engine.resolve(row.connector, input.model);
        const after = decodeChangeCursor(input.after);
        const limit = input.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new TypeError('"limit" must be an integer from 1 to 1000');
        const page = await store.listChanges(input.tenantId, {
          connectionId: input.connectionId,
          model: input.model,
          after,
          limit,
        });
        const last = page.length === 0 ? after : page[page.length - 1]!.seq;
        return {
          changes: page.map((r) => toChange(r, connection, after)),
          cursor: encodeChangeCursor(last),
          hasMore: page.length === limit,
        };
      },
      async list(input) {
        const row = await load(input?.tenantId, input.connectionId);
        engine.resolve(row.connector, input.model);
        const limit = input.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new TypeError('"limit" must be an integer from 1 to 1000');
        const page = await store.listRecords(input.tenantId, {
          connectionId: input.connectionId,
          model: input.model,
          afterExternalId: input.after,
          limit,
        });
        const connection = publicConnection(row);
        return {
          records: page.map((r) => toChange(r, connection, Number.MAX_SAFE_INTEGER)),
          next: page.length === limit ? page[page.length - 1]!.externalId : null,
        };
      },
      async get(input) {
        const row = await load(input?.tenantId, input.connectionId);
        engine.resolve(row.connector, input.model);
        let record: StoredRecord | null;
        if (input.externalId !== undefined)
          record = await store.getRecord(
            input.tenantId,
            input.connectionId,
            input.model,
            input.externalId,
          );
        else if (input.internalId !== undefined)
          record = await store.getRecordByInternalId(
            input.tenantId,
            input.connectionId,
            input.model,
            input.internalId,
          );
        else throw new TypeError('records.get() needs "externalId" or "internalId"');
        return record === null
          ? null
          : toChange(record, publicConnection(row), Number.MAX_SAFE_INTEGER);
      },
      async setInternalId(input) {
        const row = await load(input?.tenantId, input.connectionId);
        engine.resolve(row.connector, input.model);
        const ok = await store.setInternalId(
          input.tenantId,
          input.connectionId,
          input.model,
          input.externalId,
          input.internalId,
        );
        if (!ok)
          throw new NotFoundError(
            `No ${input.model} record ${input.externalId} in connection ${input.connectionId}`,
          );
      },
    },
    tenants: {
      async usage(tenantId, period) {
        requireId(tenantId, "tenantId");
        const p = period ?? usagePeriod(now());
        return { period: p, ...(await store.getUsage(tenantId, p)) };
      },
      async audit(tenantId, auditOptions = {}) {
        requireId(tenantId, "tenantId");
        return store.listAudit(tenantId, { ...auditOptions, limit: auditOptions.limit ?? 100 });
      },
      async *export(tenantId, exportOptions = {}) {
        requireId(tenantId, "tenantId");
        await audit(tenantId, "tenant.export", exportOptions.actor, null);
        const connections = await store.listConnections(tenantId);
        for (const row of connections) {
          yield { kind: "connection", connection: publicConnection(row) };
          for (const state of await store.listSyncStates(tenantId, row.id))
            yield { kind: "sync_state", state };
          for (const model of Object.keys(
            registry.has(row.connector) ? (registry.get(row.connector).models ?? {}) : {},
          )) {
            for (let after: string | undefined; ; ) {
              const page = await store.listRecords(tenantId, {
                connectionId: row.id,
                model,
                afterExternalId: after,
                limit: 500,
                includeDeleted: true,
              });
              for (const { tenantId: _t, ...record } of page) yield { kind: "record", record };
              if (page.length < 500) break;
              after = page[page.length - 1]!.externalId;
            }
          }
          for (const run of await store.listSyncRuns(tenantId, {
            connectionId: row.id,
            limit: 10_000,
          }))
            yield { kind: "sync_run", run };
        }
        for (let before: Date | undefined; ; ) {
          const page = await store.listAudit(tenantId, { before, limit: 500 });
          for (const entry of page) yield { kind: "audit", entry };
          if (page.length < 500) break;
          before = page[page.length - 1]!.at;
        }
        for (const definition of await store.listExports(tenantId)) {
          yield { kind: "export", definition };
          for (const run of await store.listExportRuns(tenantId, {
            exportId: definition.id,
            limit: 10_000,
          }))
            yield { kind: "export_run", run };
        }
        const period = usagePeriod(now());
        yield { kind: "usage", period, usage: await store.getUsage(tenantId, period) };
      },
      async purge(tenantId, purgeOptions = {}) {
        requireId(tenantId, "tenantId");
        const connections = await store.listConnections(tenantId);
        for (const row of connections) {
          if (row.status !== "disconnected")
            await disconnect(tenantId, row.id, { actor: purgeOptions.actor }).catch(
              (error: unknown) =>
                logger.warn("disconnect during purge failed", { connectionId: row.id, error }),
            );
          await scheduler.connectionRemoved?.(tenantId, row.id);
        }
        await store.purgeTenant(tenantId);
        logger.info("tenant purged", { tenantId, connections: connections.length });
        return { connections: connections.length };
      },
    },
  };
}

/** Metadata key holding when a connection's lifecycle maintenance last succeeded. */
export const MAINTAINED_AT = "patchbay.maintainedAt";

function checkWebhookBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `"webhookBaseUrl" must be an absolute URL such as https://app.example.com/integrations/webhooks, got "${value}"`,
    );
  }
  if (url.protocol !== "https:" && url.hostname !== "localhost" && url.hostname !== "127.0.0.1") {
    throw new TypeError(
      `"webhookBaseUrl" must use https: (providers refuse plain http), got "${url.protocol}"`,
    );
  }
  return value.replace(/\/+$/, "");
}
