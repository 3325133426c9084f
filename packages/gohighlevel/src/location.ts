/**
 * The location (sub-account) a connection works in: for sub-account
 * connections the OAuth token response's `locationId` (or the private
 * integration form's), kept in metadata; for agency connections the
 * `locationId` the host configured.
 */
import { ConfigError, type Json } from "@patchbay/core";

/**
 * Whether the connection holds an agency (Company) token: HighLevel issues
 * one when the user installs the app at agency level.
 *
 * @example
 * ```ts
 * isAgencyConnection(connection.metadata); // true for userType "Company"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export function isAgencyConnection(metadata: Record<string, Json>): boolean {
  return metadata.userType === "Company";
}

/**
 * The configured `locationId`, or `undefined` when none.
 *
 * @example
 * ```ts
 * configuredLocation({ locationId: "ve9EPM428h8vShlRW1KT" }); // "ve9EPM428h8vShlRW1KT"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export function configuredLocation(config: unknown): string | undefined {
  if (config === null || typeof config !== "object") return undefined;
  const value = (config as { locationId?: unknown }).locationId;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The location id location-scoped calls (contacts, calendars, appointments)
 * use.
 *
 * - Sub-account connections: the location the token was issued for
 *   (metadata). A configured `locationId` must be absent or equal to it.
 * - Agency connections: the configured `locationId` (core then sends that
 *   sub-account's token, see the connector's `deriveToken`).
 *
 * @throws ConfigError naming `locationId` when an agency connection has none
 *   configured, when a sub-account connection is configured for another
 *   location, or when no location is known.
 * @example
 * ```ts
 * const locationId = locationOf(ctx.metadata, ctx.config); // "ve9EPM428h8vShlRW1KT"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export function locationOf(metadata: Record<string, Json>, config?: unknown): string {
  const configured = configuredLocation(config);
  if (isAgencyConnection(metadata)) {
    if (configured === undefined) {
      throw new ConfigError(
        'This HighLevel connection was installed at agency level (Company token): choose the sub-account to sync. Set the config field "locationId" to one of the locations the listLocations action returns (patchbay.connections.configure).',
      );
    }
    return configured;
  }
  const id = metadata.locationId;
  if (typeof id !== "string" || id === "") {
    throw new ConfigError(
      "This HighLevel connection has no location id; reconnect it (OAuth) or re-enter the private integration's location id.",
    );
  }
  if (configured !== undefined && configured !== id) {
    throw new ConfigError(
      `config "locationId" is ${configured}, but this HighLevel connection holds a sub-account token for location ${id}, which works only there: remove "locationId" from the config, or reconnect at agency level to choose among sub-accounts.`,
    );
  }
  return id;
}
