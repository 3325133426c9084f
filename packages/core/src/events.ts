import type { ExportDefinition, ExportRun } from "./exports/types.js";
import type { Logger } from "./logger.js";
import type { Connection, ConnectionStatus, SyncRun } from "./store/types.js";

/**
 * Events Patchbay emits to host listeners. Payloads never carry secrets.
 * Later capabilities (sync, webhooks) add their events to this map.
 */
export interface PatchbayEventMap {
  /** A connection was created by the connect flow. */
  "connection.created": { connection: Connection };
  /** A connection changed status (e.g. `active` → `error`). */
  "connection.status_changed": {
    connection: Connection;
    from: ConnectionStatus;
    to: ConnectionStatus;
  };
  /** The provider revoked the grant (`invalid_grant`): ask the user to reconnect. */
  "connection.needs_reauth": { connection: Connection; reason: string };
  /** A connector's lifecycle hook (setup, teardown, maintenance) failed; the connection is unchanged. */
  "connection.lifecycle_failed": {
    connection: Connection;
    phase: "setup" | "teardown" | "maintenance";
    error: string;
  };
  /** An access token was renewed and persisted. */
  "token.refreshed": { tenantId: string; connectionId: string; expiresAt: Date | null };
  /** A sync run started. */
  "sync.started": { run: SyncRun };
  /** A sync run succeeded. */
  "sync.completed": { run: SyncRun };
  /** A sync run failed or was cancelled (`run.status`, `run.error`). */
  "sync.failed": { run: SyncRun };
  /**
   * A committed batch changed records. Read them with `records.changes()`;
   * the counts say how many (`runId` is the sync pass).
   */
  "records.changed": {
    tenantId: string;
    connectionId: string;
    model: string;
    runId: string;
    inserted: number;
    updated: number;
    deleted: number;
  };
  /** An export run wrote its file (`run.fileId`, `run.fileUrl`). */
  "export.completed": { run: ExportRun; definition: ExportDefinition };
  /**
   * An export run failed (`run.error`); the previous file is untouched and
   * `definition.nextRunAt` says when it is tried again.
   */
  "export.failed": { run: ExportRun; definition: ExportDefinition };
  /** Host changes were written to the provider. */
  "records.written": {
    run: SyncRun;
    results: Array<{
      internalId: string;
      op: string;
      status: string;
      externalId?: string;
      error?: string;
    }>;
  };
}

/** An event name. */
export type PatchbayEventName = keyof PatchbayEventMap;
/** A listener for event `E`. */
export type PatchbayListener<E extends PatchbayEventName> = (
  payload: PatchbayEventMap[E],
) => void | Promise<void>;

/**
 * A small typed event emitter. A listener that throws (or rejects) is logged
 * and never breaks the operation that emitted.
 */
export class PatchbayEvents {
  readonly #listeners = new Map<PatchbayEventName, Set<PatchbayListener<PatchbayEventName>>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Listen to `event`; returns a function that removes the listener. */
  on<E extends PatchbayEventName>(event: E, listener: PatchbayListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as PatchbayListener<PatchbayEventName>);
    return () => set.delete(listener as PatchbayListener<PatchbayEventName>);
  }

  /** Deliver `payload` to every listener of `event`. */
  emit<E extends PatchbayEventName>(event: E, payload: PatchbayEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            this.#logger.error("event listener failed", { event, error }),
          );
        }
      } catch (error) {
        this.#logger.error("event listener failed", { event, error });
      }
    }
  }
}
