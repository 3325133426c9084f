import type { StoredCredentials } from "./auth/credentials.js";
import type { ConnectionRef, TokenManager } from "./auth/token-manager.js";
import type { ConnectorDefinition } from "./connector/types.js";
import { createHttpClient } from "./http/index.js";
import type { FetchLike, HttpClient, RateLimiter, RequestAuthenticator } from "./http/types.js";
import type { Logger } from "./logger.js";
import type { Connection, Json } from "./store/types.js";

const DEFAULT_EXPIRED = [401];

function expiredStatuses(definition: ConnectorDefinition): number[] {
  const auth = definition.auth;
  return auth.kind === "credentials" ? DEFAULT_EXPIRED : (auth.expiredStatuses ?? DEFAULT_EXPIRED);
}

/**
 * Authenticates requests of a stored connection: bearer tokens from the
 * token manager (refreshed on demand, one forced refresh after a 401), or
 * the connector's `apply` for credential forms.
 */
export function connectionAuthenticator(
  definition: ConnectorDefinition,
  ref: ConnectionRef,
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
  let current: string | undefined;
  return {
    canRefresh: true,
    async authenticate(request, { forceRefresh }) {
      const token = await tokens.getAccessToken(
        ref,
        forceRefresh ? { forceRefresh, rejectedToken: current } : {},
      );
      current = token;
      request.headers.set("authorization", `Bearer ${token}`);
      if (auth.kind === "client_credentials" && auth.apply !== undefined) {
        const creds = await tokens.getCredentials(ref);
        auth.apply(creds.fields ?? {}, request);
      }
    },
  };
}

/**
 * Authenticates with credentials held in memory (during the connect flow,
 * before anything is stored). Cannot refresh.
 */
export function staticAuthenticator(
  definition: ConnectorDefinition,
  creds: StoredCredentials,
): RequestAuthenticator {
  const auth = definition.auth;
  return {
    canRefresh: false,
    async authenticate(request) {
      if (auth.kind === "credentials") {
        auth.apply(creds.fields ?? {}, request);
        return;
      }
      if (creds.accessToken !== undefined)
        request.headers.set("authorization", `Bearer ${creds.accessToken}`);
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
  return createHttpClient({
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
}
