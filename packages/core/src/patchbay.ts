import type { StoredCredentials } from "./auth/credentials.js";
import { endpointOf, revokeToken } from "./auth/oauth.js";
import { TokenManager, type TokenManagerOptions } from "./auth/token-manager.js";
import { ConnectFlow } from "./connect.js";
import { connectionAuthenticator, connectionHttpClient } from "./connection-client.js";
import { type ConnectorInfo, ConnectorRegistry } from "./connector/registry.js";
import type { ConnectorDefinition } from "./connector/types.js";
import { NotFoundError } from "./errors.js";
import { type PatchbayEventName, PatchbayEvents, type PatchbayListener } from "./events.js";
import { createRateLimiter } from "./http/index.js";
import type { FetchLike, HttpClient, RateLimiter } from "./http/types.js";
import { type Logger, redactingLogger, silentLogger } from "./logger.js";
import { redactString } from "./redact.js";
import { publicConnection } from "./store/connection.js";
import type { Connection, ConnectionStatus, Json, Store, StoredConnection } from "./store/types.js";
import { parseWith } from "./validation.js";
import type { RotationReport, Vault } from "./vault.js";

/** Options of {@link createPatchbay}. */
export interface PatchbayOptions {
  /** The connectors this host offers, e.g. `[googleSheets({...}), airtable({...})]`. */
  connectors: ConnectorDefinition[];
  /** Where everything is persisted: `MemoryStore` for tests, `@patchbay/store-postgres` otherwise. */
  store: Store;
  /** Seals credentials at rest. `Vault.fromEnv()` reads `PATCHBAY_VAULT_KEYS`. */
  vault: Vault;
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
  /** Shared rate limiter; pass one to share buckets between Patchbay instances in a process. */
  rateLimiter?: RateLimiter;
}

/** The outcome of testing a connection. */
export interface ConnectionTestResult {
  ok: boolean;
  /** Why it failed (redacted). */
  message?: string;
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
    test(tenantId: string, id: string): Promise<ConnectionTestResult>;
    /** Replace the connection's settings after validating them against the connector's schema. */
    configure(tenantId: string, id: string, config: Record<string, unknown>): Promise<Connection>;
    /**
     * Disconnect: revoke the grant at the provider where it supports it,
     * destroy the credentials, mark `disconnected`. With `purge`, also delete
     * the connection's synced records, runs and the connection itself.
     */
    disconnect(
      tenantId: string,
      id: string,
      options?: { purge?: boolean },
    ): Promise<{ revoked: boolean }>;
  };
  /** Access tokens on demand (for calling a provider's SDK directly). */
  readonly tokens: TokenManager;
  /** The catalogue as JSON (for a connect page). */
  catalogue(): ConnectorInfo[];
  /** Listen to an event; returns an unsubscribe function. */
  on<E extends PatchbayEventName>(event: E, listener: PatchbayListener<E>): () => void;
  /** Re-seal every credential under the vault's newest key. */
  rotateKeys(): Promise<RotationReport>;
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
  const tokens = new TokenManager({
    ...options.tokens,
    store,
    vault,
    connector: (id) => registry.get(id),
    fetch: fetchImpl,
    logger,
    events,
    now,
  });
  const clientDeps = { fetch: fetchImpl, logger, rateLimiter };
  const connect = new ConnectFlow({
    ...clientDeps,
    registry,
    store,
    vault,
    events,
    now,
    sessionTtlMs: options.oauthSessionTtlMs ?? 10 * 60_000,
  });

  async function load(tenantId: string, id: string): Promise<StoredConnection> {
    if (typeof tenantId !== "string" || tenantId === "")
      throw new TypeError('"tenantId" must be a non-empty string');
    if (typeof id !== "string" || id === "") throw new TypeError('"id" must be a non-empty string');
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

  return {
    connectors: registry,
    connect,
    tokens,
    catalogue: () => registry.catalogue(),
    on: (event, listener) => events.on(event, listener),
    rotateKeys: () => vault.rotate(store),
    connections: {
      async list(tenantId, filter) {
        if (typeof tenantId !== "string" || tenantId === "")
          throw new TypeError('"tenantId" must be a non-empty string');
        return (await store.listConnections(tenantId, filter)).map(publicConnection);
      },
      async get(tenantId, id) {
        return publicConnection(await load(tenantId, id));
      },
      async http(tenantId, id) {
        return httpFor(publicConnection(await load(tenantId, id)));
      },
      async test(tenantId, id) {
        const row = await load(tenantId, id);
        const definition = registry.get(row.connector);
        if (definition.test === undefined) return { ok: true };
        const connection = publicConnection(row);
        let message: string | undefined;
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
        const latest = await load(tenantId, id);
        if (message === undefined) {
          if (latest.status === "error" || latest.status === "pending")
            await setStatus(latest, "active", null);
          return { ok: true };
        }
        const reason = redactString(message);
        if (latest.status === "active" || latest.status === "pending")
          await setStatus(latest, "error", reason);
        return { ok: false, message: reason };
      },
      async configure(tenantId, id, config) {
        const row = await load(tenantId, id);
        const definition = registry.get(row.connector);
        if (definition.config === undefined)
          throw new TypeError(`${definition.name} takes no config`);
        const parsed = parseWith(definition.config, config, "config") as Record<string, Json>;
        return publicConnection(await store.updateConnection(tenantId, id, { config: parsed }));
      },
      async disconnect(tenantId, id, disconnectOptions = {}) {
        const row = await load(tenantId, id);
        const definition = registry.get(row.connector);
        let revoked = false;
        if (
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
        await setStatus(await load(tenantId, id), "disconnected", "disconnected by the host");
        if (disconnectOptions.purge) {
          await store.purgeConnectionData(tenantId, id);
          await store.deleteConnection(tenantId, id);
        }
        logger.info("connection disconnected", {
          connector: definition.id,
          connectionId: id,
          tenantId,
          revoked,
        });
        return { revoked };
      },
    },
  };
}
