import { randomUUID } from "node:crypto";
import type { AuthSpec, ConnectorDefinition, OAuth2AuthSpec } from "../connector/types.js";
import { AuthError, ErrorCode, NotFoundError, PatchbayError } from "../errors.js";
import type { PatchbayEvents } from "../events.js";
import { computeBackoff, DEFAULT_RETRY_POLICY, sleep as defaultSleep } from "../http/retry.js";
import type { FetchLike } from "../http/types.js";
import type { Logger } from "../logger.js";
import { redactString, registerSecret } from "../redact.js";
import { publicConnection } from "../store/connection.js";
import type { Connection, Json, Store, StoredConnection } from "../store/types.js";
import type { Vault } from "../vault.js";
import { credentialsFromTokens, type StoredCredentials } from "./credentials.js";
import { clientCredentialsToken, endpointOf, refreshTokens, serviceAccountToken } from "./oauth.js";
import type { ServiceAccountFields } from "./specs.js";

/** Identifies a connection. */
export interface ConnectionRef {
  tenantId: string;
  id: string;
}

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  store: Store;
  vault: Vault;
  /** Finds the connector of a connection. */
  connector: (id: string) => ConnectorDefinition;
  fetch: FetchLike;
  logger: Logger;
  events: PatchbayEvents;
  now?: () => number;
  /** Refresh this long before expiry. Default 5 minutes. */
  refreshMarginMs?: number;
  /** How long a process holds the refresh lease. Default 30 s. */
  leaseTtlMs?: number;
  /** How long a caller waits for another process's refresh. Default 30 s. */
  waitTimeoutMs?: number;
  /** How long opened credentials are reused in this process before the store is read again. Default 30 s. */
  cacheTtlMs?: number;
  /** Retries of a transient token-endpoint failure. Default 3. */
  refreshRetries?: number;
  /** Unique id of this process for leases. Default a random UUID. */
  holderId?: string;
  sleep?: (ms: number) => Promise<void>;
}

interface DerivedEntry {
  /** The connection token and config it was derived from. */
  base: string;
  config: string;
  token: string | undefined;
  expiresAt: number | null;
}

interface CacheEntry {
  creds: StoredCredentials;
  version: number;
  until: number;
}

/**
 * Hands out valid access tokens for connections.
 *
 * - Refreshes ahead of expiry (a configurable margin).
 * - Single-flight inside the process: concurrent callers share one refresh.
 * - Single-flight across processes: a store lease, then a re-read (another
 *   process may have refreshed already), then a compare-and-swap write.
 * - A rotated refresh token is persisted before the new access token is
 *   handed out; a response without a refresh token keeps the old one.
 * - `invalid_grant` marks the connection `needs_reauth` and emits
 *   `connection.needs_reauth`; transient failures are retried with backoff.
 *
 * @example
 * ```ts
 * const token = await tokens.getAccessToken({ tenantId, id: connectionId });
 * ```
 */
export class TokenManager {
  readonly #o: Required<Omit<TokenManagerOptions, "now" | "sleep">> & {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
  };
  readonly #inflight = new Map<string, Promise<StoredCredentials>>();
  readonly #cache = new Map<string, CacheEntry>();
  readonly #derived = new Map<string, DerivedEntry>();
  readonly #deriving = new Map<string, Promise<DerivedEntry>>();

  constructor(options: TokenManagerOptions) {
    this.#o = {
      refreshMarginMs: 5 * 60_000,
      leaseTtlMs: 30_000,
      waitTimeoutMs: 30_000,
      cacheTtlMs: 30_000,
      refreshRetries: 3,
      holderId: randomUUID(),
      ...options,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => defaultSleep(ms)),
    };
  }

  /**
   * A valid access token for the connection, refreshed if it expires within
   * the margin. With `forceRefresh`, a new token is obtained unless the
   * stored one already differs from `rejectedToken` (another caller refreshed).
   * Throws `AuthError(PATCHBAY_AUTH_NEEDS_REAUTH)` when the user must reconnect.
   */
  async getAccessToken(
    ref: ConnectionRef,
    options: { forceRefresh?: boolean; rejectedToken?: string } = {},
  ): Promise<string> {
    for (let round = 0; round < 2; round++) {
      const creds = await this.#single(ref, options);
      if (creds.accessToken === undefined) {
        throw new AuthError(
          ErrorCode.AUTH_UNAUTHORIZED,
          `Connection ${ref.id} has no access token (its auth kind uses credentials, not tokens)`,
        );
      }
      if (!options.forceRefresh || creds.accessToken !== options.rejectedToken)
        return creds.accessToken;
      // We joined a plain read that returned the rejected token: go again, this time refreshing.
    }
    throw new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      `Connection ${ref.id}: the provider rejected a freshly refreshed token`,
    );
  }

  /** The connection's opened credentials (for credential-form auth kinds). Cached briefly in process. */
  async getCredentials(ref: ConnectionRef): Promise<StoredCredentials> {
    const cached = this.#cache.get(cacheKey(ref));
    if (cached !== undefined && cached.until > this.#o.now()) return cached.creds;
    const row = await this.#load(ref);
    return this.#open(row);
  }

  /**
   * The token a spec's `deriveToken` trades the connection's token for,
   * kept in this process until it nears expiry, the base token or the
   * connection's config changes, or `rejectedToken` names it. Concurrent
   * callers share one derivation. `undefined` when the hook chose the
   * connection's own token.
   */
  async getDerivedToken(
    ref: ConnectionRef & Partial<Pick<Connection, "config" | "metadata">>,
    base: string,
    derive: NonNullable<OAuth2AuthSpec["deriveToken"]>,
    options: { rejectedToken?: string } = {},
  ): Promise<string | undefined> {
    const key = cacheKey(ref);
    const config = JSON.stringify(ref.config ?? {});
    const fresh = (entry: DerivedEntry | undefined): entry is DerivedEntry =>
      entry !== undefined &&
      entry.base === base &&
      entry.config === config &&
      (options.rejectedToken === undefined || entry.token !== options.rejectedToken) &&
      (entry.expiresAt === null || entry.expiresAt - this.#o.refreshMarginMs > this.#o.now());
    const cached = this.#derived.get(key);
    if (fresh(cached)) return cached.token;
    let pending = this.#deriving.get(key);
    if (pending === undefined) {
      pending = derive(base, {
        connection: { id: ref.id, config: ref.config ?? {}, metadata: ref.metadata ?? {} },
        fetch: this.#o.fetch,
        now: this.#o.now,
      })
        .then((result) => {
          if (
            result !== null &&
            (typeof result?.accessToken !== "string" || result.accessToken === "")
          )
            throw new TypeError(
              `Connection ${ref.id}: "deriveToken" must resolve to { accessToken, expiresAt } or null`,
            );
          registerSecret(result?.accessToken);
          const entry: DerivedEntry = {
            base,
            config,
            token: result?.accessToken,
            expiresAt: result?.expiresAt ?? null,
          };
          this.#derived.set(key, entry);
          return entry;
        })
        .finally(() => this.#deriving.delete(key));
      this.#deriving.set(key, pending);
    }
    return (await pending).token;
  }

  /** Drop cached credentials of a connection (after disconnect or reconfigure). */
  forget(ref: ConnectionRef): void {
    this.#cache.delete(cacheKey(ref));
    this.#derived.delete(cacheKey(ref));
  }

  #single(
    ref: ConnectionRef,
    options: { forceRefresh?: boolean; rejectedToken?: string },
  ): Promise<StoredCredentials> {
    const key = cacheKey(ref);
    if (!options.forceRefresh) {
      const cached = this.#cache.get(key);
      if (
        cached !== undefined &&
        cached.until > this.#o.now() &&
        this.#usable(cached.creds, options)
      ) {
        return Promise.resolve(cached.creds);
      }
    }
    const inflight = this.#inflight.get(key);
    if (inflight !== undefined) return inflight;
    const promise = this.#obtain(ref, options).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  #usable(
    creds: StoredCredentials,
    options: { forceRefresh?: boolean; rejectedToken?: string },
  ): boolean {
    if (creds.accessToken === undefined) return creds.kind === "credentials";
    if (options.forceRefresh && creds.accessToken === options.rejectedToken) return false;
    if (options.forceRefresh && options.rejectedToken === undefined) return false;
    const expiresAt = creds.expiresAt ?? null;
    return expiresAt === null || expiresAt - this.#o.refreshMarginMs > this.#o.now();
  }

  async #obtain(
    ref: ConnectionRef,
    options: { forceRefresh?: boolean; rejectedToken?: string },
  ): Promise<StoredCredentials> {
    const row = await this.#load(ref);
    const creds = this.#open(row);
    if (this.#usable(creds, options)) return creds;
    return this.#refreshCoordinated(ref, options);
  }

  async #refreshCoordinated(
    ref: ConnectionRef,
    options: { forceRefresh?: boolean; rejectedToken?: string },
  ): Promise<StoredCredentials> {
    const { store, holderId } = this.#o;
    const leaseKey = `patchbay:token-refresh:${ref.tenantId}:${ref.id}`;
    const deadline = this.#o.now() + this.#o.waitTimeoutMs;
    let delay = 20;
    for (;;) {
      if (await store.acquireLease(leaseKey, holderId, this.#o.leaseTtlMs)) {
        try {
          const row = await this.#load(ref);
          const creds = this.#open(row);
          if (this.#usable(creds, options)) return creds;
          const next = await this.#renewWithRetry(row, creds);
          return await this.#persist(ref, row, creds, next);
        } finally {
          await store.releaseLease(leaseKey, holderId);
        }
      }
      if (this.#o.now() > deadline) {
        throw new AuthError(
          ErrorCode.AUTH_REFRESH_FAILED,
          `Connection ${ref.id}: timed out waiting for another process to refresh the token`,
          {
            retryable: true,
          },
        );
      }
      await this.#o.sleep(delay);
      delay = Math.min(delay * 2, 500);
      const row = await this.#load(ref);
      const creds = this.#open(row);
      if (this.#usable(creds, options)) return creds;
    }
  }

  async #renewWithRetry(
    row: StoredConnection,
    creds: StoredCredentials,
  ): Promise<StoredCredentials> {
    const definition = this.#o.connector(row.connector);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#renew(definition.auth, definition.id, creds);
      } catch (error) {
        if (error instanceof AuthError && error.code === ErrorCode.AUTH_NEEDS_REAUTH) {
          await this.#markNeedsReauth(row, error.message);
          throw error;
        }
        const retryable = error instanceof PatchbayError && error.retryable;
        if (!retryable || attempt >= this.#o.refreshRetries) throw error;
        const wait = computeBackoff(
          attempt,
          { ...DEFAULT_RETRY_POLICY, minDelayMs: 500 },
          Math.random,
        );
        this.#o.logger.warn("token refresh failed, retrying", {
          connector: row.connector,
          connectionId: row.id,
          attempt,
          waitMs: wait,
          error,
        });
        await this.#o.sleep(wait);
      }
    }
  }

  async #renew(
    auth: AuthSpec,
    connector: string,
    creds: StoredCredentials,
  ): Promise<StoredCredentials> {
    const call = { fetch: this.#o.fetch, now: this.#o.now, connector };
    switch (auth.kind) {
      case "oauth2": {
        if (creds.refreshToken === undefined) {
          throw new AuthError(
            ErrorCode.AUTH_NEEDS_REAUTH,
            `${connector}: the access token expired and the provider issued no refresh token; the user must reconnect`,
          );
        }
        const tokens = await refreshTokens(endpointOf(auth), creds.refreshToken, {
          ...call,
          zeroExpiresInMeansNever: auth.zeroExpiresInMeansNever,
        });
        return credentialsFromTokens("oauth2", tokens, creds);
      }
      case "client_credentials":
        return credentialsFromTokens(
          "client_credentials",
          await clientCredentialsToken(auth, creds.fields ?? {}, call),
          creds,
        );
      case "service_account":
        return credentialsFromTokens(
          "service_account",
          await serviceAccountToken(
            auth,
            (creds.fields ?? {}) as unknown as ServiceAccountFields,
            call,
          ),
          creds,
        );
      case "credentials":
        return creds;
    }
  }

  /** Compare-and-swap the new credentials in; retry on a version bump that was not a refresh (key rotation). */
  async #persist(
    ref: ConnectionRef,
    row: StoredConnection,
    previous: StoredCredentials,
    next: StoredCredentials,
  ): Promise<StoredCredentials> {
    const { store, vault } = this.#o;
    let expected = row.credentialsVersion;
    for (let attempt = 0; attempt < 5; attempt++) {
      const sealed = vault.seal(next as unknown as Json, {
        tenantId: ref.tenantId,
        connectionId: ref.id,
      });
      const swapped = await store.swapCredentials(ref.tenantId, ref.id, expected, sealed);
      if (swapped !== null) {
        this.#cache.set(cacheKey(ref), {
          creds: next,
          version: swapped.credentialsVersion,
          until: this.#o.now() + this.#o.cacheTtlMs,
        });
        this.#o.events.emit("token.refreshed", {
          tenantId: ref.tenantId,
          connectionId: ref.id,
          expiresAt: next.expiresAt == null ? null : new Date(next.expiresAt),
        });
        return next;
      }
      const latest = await store.getConnection(ref.tenantId, ref.id);
      if (latest === null || latest.credentials === null || latest.status === "disconnected") {
        throw new NotFoundError(
          `Connection ${ref.id} was disconnected while its token was being refreshed`,
        );
      }
      expected = latest.credentialsVersion;
      this.#o.logger.warn(
        "credentials changed during refresh; writing the refreshed tokens over them",
        {
          connectionId: ref.id,
          previousRefreshKept: previous.refreshToken === next.refreshToken,
        },
      );
    }
    throw new AuthError(
      ErrorCode.AUTH_REFRESH_FAILED,
      `Connection ${ref.id}: could not persist refreshed credentials (concurrent writers)`,
      {
        retryable: true,
      },
    );
  }

  /**
   * Mark a connection `needs_reauth` because the provider refused its grant
   * in a way only the connector can tell (TikTok answers HTTP 200 with code
   * 40105 for a revoked token). Emits `connection.needs_reauth` once; a
   * connection already marked is left alone.
   */
  async markNeedsReauth(ref: ConnectionRef, reason: string): Promise<void> {
    const row = await this.#o.store.getConnection(ref.tenantId, ref.id);
    if (row === null || row.status === "needs_reauth" || row.status === "disconnected") return;
    await this.#markNeedsReauth(row, reason);
  }

  async #markNeedsReauth(row: StoredConnection, reason: string): Promise<void> {
    this.forget(row);
    const updated = await this.#o.store.updateConnection(row.tenantId, row.id, {
      status: "needs_reauth",
      statusReason: redactString(reason),
    });
    const connection = publicConnection(updated);
    this.#o.logger.warn("connection needs reauthorization", {
      connector: row.connector,
      connectionId: row.id,
      reason,
    });
    if (row.status !== "needs_reauth") {
      this.#o.events.emit("connection.status_changed", {
        connection,
        from: row.status,
        to: "needs_reauth",
      });
    }
    this.#o.events.emit("connection.needs_reauth", { connection, reason: redactString(reason) });
  }

  async #load(ref: ConnectionRef): Promise<StoredConnection> {
    const row = await this.#o.store.getConnection(ref.tenantId, ref.id);
    if (row === null)
      throw new NotFoundError(`Connection ${ref.id} not found for tenant ${ref.tenantId}`);
    if (
      row.status === "needs_reauth" ||
      row.status === "disconnected" ||
      row.credentials === null
    ) {
      this.forget(ref);
      throw new AuthError(
        ErrorCode.AUTH_NEEDS_REAUTH,
        `Connection ${ref.id} is ${row.status}: the user must reconnect ${row.connector}`,
      );
    }
    return row;
  }

  #open(row: StoredConnection): StoredCredentials {
    const key = cacheKey(row);
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.version === row.credentialsVersion) {
      cached.until = this.#o.now() + this.#o.cacheTtlMs;
      return cached.creds;
    }
    const creds = this.#o.vault.open<Json>(row.credentials!, {
      tenantId: row.tenantId,
      connectionId: row.id,
    }) as unknown as StoredCredentials;
    this.#cache.set(key, {
      creds,
      version: row.credentialsVersion,
      until: this.#o.now() + this.#o.cacheTtlMs,
    });
    return creds;
  }
}

function cacheKey(ref: ConnectionRef): string {
  return `${ref.tenantId}\u0000${ref.id}`;
}
