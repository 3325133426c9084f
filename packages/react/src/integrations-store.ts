import type { PatchbayClient } from "./client.js";
import { PatchbayApiError } from "./errors.js";
import type { CatalogueConnector, ConnectionWithHealth } from "./types.js";

/**
 * The catalogue and the tenant's connections as `useIntegrations()` shows them.
 *
 * @example
 * ```ts
 * const { status, connectors, connections, error } = useIntegrations();
 * if (status === "error") console.warn(error?.message);
 * ```
 */
export interface IntegrationsSnapshot {
  /** `idle` until something asks for the data, then `loading`, `ready` or `error`. */
  status: "idle" | "loading" | "ready" | "error";
  connectors: CatalogueConnector[];
  connections: ConnectionWithHealth[];
  error: PatchbayApiError | null;
  /** Bumped every time the connections are reloaded (sync history listens to it). */
  revision: number;
}

/** Shared, deduplicated loading of the catalogue and connections for one provider. */
export class IntegrationsStore {
  #snapshot: IntegrationsSnapshot = {
    status: "idle",
    connectors: [],
    connections: [],
    error: null,
    revision: 0,
  };
  readonly #listeners = new Set<() => void>();
  #inFlight: Promise<void> | null = null;
  #catalogueLoaded = false;

  constructor(private readonly client: PatchbayClient) {}

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): IntegrationsSnapshot => this.#snapshot;

  #set(patch: Partial<IntegrationsSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener();
  }

  /** Load once (later calls share the first load). */
  ensureLoaded(): Promise<void> {
    if (this.#inFlight !== null) return this.#inFlight;
    return this.#snapshot.status === "idle" ? this.refresh() : Promise.resolve();
  }

  /**
   * Reload the connections (and the catalogue, until it has loaded once).
   * A refresh asked during a load runs after it, so it sees the latest state.
   */
  refresh(): Promise<void> {
    const previous = this.#inFlight ?? Promise.resolve();
    const tracked: Promise<void> = previous
      .then(() => this.#load())
      .finally(() => {
        if (this.#inFlight === tracked) this.#inFlight = null;
      });
    this.#inFlight = tracked;
    return tracked;
  }

  async #load(): Promise<void> {
    if (this.#snapshot.status !== "ready") this.#set({ status: "loading" });
    try {
      const [connectors, connections] = await Promise.all([
        this.#catalogueLoaded
          ? Promise.resolve(this.#snapshot.connectors)
          : this.client.catalogue(),
        this.client.connections(),
      ]);
      this.#catalogueLoaded = true;
      this.#set({
        status: "ready",
        connectors,
        connections,
        error: null,
        revision: this.#snapshot.revision + 1,
      });
    } catch (error) {
      this.#set({
        status: this.#snapshot.status === "ready" ? "ready" : "error",
        error:
          error instanceof PatchbayApiError
            ? error
            : new PatchbayApiError("Could not load integrations. Try again.", {
                code: "unexpected_response",
                status: 0,
              }),
      });
    }
  }
}
