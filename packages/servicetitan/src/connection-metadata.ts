/**
 * What a connection remembers about its ServiceTitan account (non-secret):
 * the tenant ID and the environment, copied from the credential form when
 * the connection is made.
 */
import { ConfigError, type Json } from "@patchbay/core";
import {
  SERVICETITAN_ENVIRONMENTS,
  type ServiceTitanEnvironment,
  servicetitanApiUrl,
} from "./endpoints.js";

/**
 * The tenant ID of a connection, from its metadata.
 *
 * @throws ConfigError when the connection has none (it was not made with this connector).
 * @example
 * ```ts
 * const path = SERVICETITAN_PATHS.customersExport(tenantOf(ctx.metadata));
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function tenantOf(metadata: Record<string, Json | undefined>): string {
  const tenant = metadata.tenantId;
  if (typeof tenant !== "string" || !/^\d+$/.test(tenant)) {
    throw new ConfigError(
      'ServiceTitan: the connection has no "tenantId" in its metadata; reconnect it with the credential form',
    );
  }
  return tenant;
}

/**
 * The environment of a connection, from its metadata, or `fallback` when it
 * has none yet (while connecting).
 *
 * @example
 * ```ts
 * environmentOf(connection.metadata, "production"); // "integration" for a sandbox connection
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function environmentOf(
  metadata: Record<string, Json | undefined>,
  fallback: ServiceTitanEnvironment,
): ServiceTitanEnvironment {
  const environment = metadata.environment;
  return SERVICETITAN_ENVIRONMENTS.includes(environment as ServiceTitanEnvironment)
    ? (environment as ServiceTitanEnvironment)
    : fallback;
}

/**
 * The API base URL of a connection: the API host of its environment.
 *
 * @example
 * ```ts
 * http: { baseUrl: ({ metadata }) => apiBaseUrlOf(metadata, "production") }
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function apiBaseUrlOf(
  metadata: Record<string, Json | undefined>,
  fallback: ServiceTitanEnvironment,
): string {
  return servicetitanApiUrl(environmentOf(metadata, fallback));
}
