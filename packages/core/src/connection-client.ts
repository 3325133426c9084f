import pLimit, { type LimitFunction } from "p-limit";
import type { StoredCredentials } from "./auth/credentials.js";
import type { ConnectionRef, TokenManager } from "./auth/token-manager.js";
import type { ConnectorDefinition, OAuth2AuthSpec } from "./connector/types.js";
import { AuthError, ErrorCode } from "./errors.js";
import { createHttpClient } from "./http/index.js";
import type { FetchLike, HttpClient, RateLimiter, RequestAuthenticator } from "./http/types.js";
import type { Logger } from "./logger.js";
import type { Connection, Json } from "./store/types.js";

const DEFAULT_EXPIRED = [401];

function expiredStatuses(definition: ConnectorDefinition): number[] {
  const auth = definition.auth;
  return auth.kind === "credentials" ? DEFAULT_EXPIRED : (auth.expiredStatuses ?? DEFAULT_EXPIRED);
}

/** The token each request carried, so a rejection knows which token failed (whatever header it went in). */
const sentTokens = new WeakMap<Headers, { base: string; derived?: string }>();

function applyToken(
  definition: ConnectorDefinition,
  token: string,
  request: { headers: Headers; url: URL },
): void {
  const auth = definition.auth;
  if (auth.kind === "oauth2" && auth.applyToken !== undefined) auth.applyToken(token, request);
  else request.headers.set("authorization", `Bearer ${token}`);
}

/** The spec's `deriveToken` when it applies to a request to `url` (`deriveTokenFor`), else `undefined`. */
function derivationFor(
  definition: ConnectorDefinition,
  url: URL,
): NonNullable<OAuth2AuthSpec["deriveToken"]> | undefined {
  const auth = definition.auth;
  if (auth.kind !== "oauth2" || auth.deriveToken === undefined) return undefined;
  return auth.deriveTokenFor === undefined || auth.deriveTokenFor({ url })
    ? auth.deriveToken
    : undefined;
}

/** What a connection's authenticator needs to know of the connection (derived tokens read its config). */
export type AuthenticatedConnection = ConnectionRef &
  Partial<Pick<Connection, "config" | "metadata">>;

/**
 * Authenticates requests of a stored connection: bearer tokens from the
 * token manager (refreshed on demand, one forced refresh after a 401), or
 * the connector's `apply` for credential forms. OAuth specs may put the
 * token elsewhere (`applyToken`) or trade it per request target
 * (`deriveToken`, cached by the token manager).
 */
export function connectionAuthenticator(
  definition: ConnectorDefinition,
  ref: AuthenticatedConnection,
  tokens: TokenManager,
): RequestAuthenticator {
  const auth = definition.auth;
  if (auth.kind === "credentials") {
    return {
      canRefresh: false,
      async authenticate(request) {
        const creds = await tokens.getCredentials(ref);
        auth.apply(creds.fields ?? {}, request);
      },
    };
  }
  return {
    canRefresh: true,
    async authenticate(request, { forceRefresh, rejected }) {
      const derive = derivationFor(definition, request.url);
      const sent = rejected === undefined ? undefined : sentTokens.get(rejected.headers);
      // A rejected derived token says nothing about the connection's own
      // token: derive again. The own token is refreshed when it was sent
      // itself, or when the derivation rejects it.
      const refreshBase = forceRefresh && sent?.derived === undefined;
      let base = await tokens.getAccessToken(
        ref,
        refreshBase ? { forceRefresh, rejectedToken: sent?.base } : {},
      );
      let token = base;
      let derived: string | undefined;
      if (derive !== undefined) {
        const rejectedToken = forceRefresh ? sent?.derived : undefined;
        try {
          derived = await tokens.getDerivedToken(ref, base, derive, { rejectedToken });
        } catch (error) {
          if (!(error instanceof AuthError && error.code === ErrorCode.AUTH_UNAUTHORIZED))
            throw error;
          base = await tokens.getAccessToken(ref, { forceRefresh: true, rejectedToken: base });
          derived = await tokens.getDerivedToken(ref, base, derive, { rejectedToken });
        }
        if (derived !== undefined) token = derived;
      }
      applyToken(definition, token, request);
      sentTokens.set(request.headers, derived === undefined ? { base } : { base, derived });
      if (auth.kind === "client_credentials" && auth.apply !== undefined) {
        const creds = await tokens.getCredentials(ref);
        auth.apply(creds.fields ?? {}, request);
      }
    },
  };
}

/**
 * Authenticates with credentials held in memory (during the connect flow,
 * before anything is stored). Cannot refresh. With `connection`, a spec's
 * `deriveToken` runs once for this authenticator.
 */
export function staticAuthenticator(
  definition: ConnectorDefinition,
  creds: StoredCredentials,
  context?: {
    fetch: FetchLike;
    now: () => number;
    connection: Pick<Connection, "id" | "config" | "metadata">;
  },
): RequestAuthenticator {
  const auth = definition.auth;
  let derived: Promise<string | undefined> | undefined;
  return {
    canRefresh: false,
    async authenticate(request) {
      if (auth.kind === "credentials") {
        auth.apply(creds.fields ?? {}, request);
        return;
      }
      if (creds.accessToken !== undefined) {
        let token = creds.accessToken;
        const derive = context === undefined ? undefined : derivationFor(definition, request.url);
        if (derive !== undefined) {
          derived ??= derive(creds.accessToken, context!).then((d) => d?.accessToken);
          token = (await derived) ?? token;
        }
        applyToken(definition, token, request);
      }
      if (auth.kind === "client_credentials" && auth.apply !== undefined)
        auth.apply(creds.fields ?? {}, request);
    },
  };
}

/** What building a connection's HTTP client needs. */
export interface ConnectionClientDeps {
  fetch: FetchLike;
  logger: Logger;
  rateLimiter: RateLimiter;
  /** Caps requests in flight per key (`http.maxConcurrent`); shared by every client of a Patchbay instance. */
  concurrency?: ConcurrencyLimiter;
}

/**
 * Limits how many requests run at once per key (a connection, or a whole
 * provider). A request holds its slot for its whole life, retries included.
 */
export class ConcurrencyLimiter {
  readonly #limits = new Map<string, LimitFunction>();

  /** Run `task` when fewer than `limit` tasks of `key` are running. */
  run<T>(key: string, limit: number, task: () => Promise<T>): Promise<T> {
    let limiter = this.#limits.get(key);
    if (limiter === undefined || limiter.concurrency !== limit) {
      limiter = pLimit(limit);
      this.#limits.set(key, limiter);
    }
    const mine = limiter;
    return mine(task).finally(() => {
      // Forget idle keys so the map does not grow with every connection ever seen.
      if (mine.activeCount === 0 && mine.pendingCount === 0 && this.#limits.get(key) === mine)
        this.#limits.delete(key);
    });
  }

  /** Keys with running or waiting tasks (for tests and metrics). */
  get size(): number {
    return this.#limits.size;
  }
}

/**
 * The HTTP client for one connection: the connector's base URL (resolved
 * from config and metadata), headers, declared rate limits (shared across
 * clients through `rateLimiter`), retries, error parser, and auth.
 */
export function connectionHttpClient(
  definition: ConnectorDefinition,
  connection: Pick<Connection, "id" | "config" | "metadata">,
  auth: RequestAuthenticator,
  deps: ConnectionClientDeps,
): HttpClient {
  const spec = definition.http;
  const baseUrl =
    spec === undefined
      ? undefined
      : typeof spec.baseUrl === "function"
        ? spec.baseUrl({
            config: connection.config as Record<string, Json>,
            metadata: connection.metadata,
          })
        : spec.baseUrl;
  const client = createHttpClient({
    fetch: deps.fetch,
    baseUrl,
    headers: spec?.headers,
    auth,
    expiredStatuses: expiredStatuses(definition),
    timeoutMs: spec?.timeoutMs,
    retry: spec?.retry,
    rateLimits: spec?.rateLimits,
    rateLimiter: deps.rateLimiter,
    rateLimitScope: { connection: `${definition.id}:${connection.id}`, provider: definition.id },
    parseError: spec?.parseError,
    logger: deps.logger,
  });
  const cap = spec?.maxConcurrent;
  if (cap === undefined) return client;
  if (!Number.isInteger(cap.limit) || cap.limit < 1) {
    throw new TypeError(
      `connector "${definition.id}": "http.maxConcurrent.limit" must be a positive integer`,
    );
  }
  const limiter = deps.concurrency ?? new ConcurrencyLimiter();
  const key = cap.scope === "provider" ? definition.id : `${definition.id}:${connection.id}`;
  const slot = <T>(task: () => Promise<T>) => limiter.run(key, cap.limit, task);
  return {
    request: (request) => slot(() => client.request(request)),
    get: (path, options) => slot(() => client.get(path, options)),
    post: (path, options) => slot(() => client.post(path, options)),
    put: (path, options) => slot(() => client.put(path, options)),
    patch: (path, options) => slot(() => client.patch(path, options)),
    delete: (path, options) => slot(() => client.delete(path, options)),
    fetch: (input, init) => slot(() => client.fetch(input, init)),
  };
}
