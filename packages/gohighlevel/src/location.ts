/**
 * The location (sub-account) a connection works in, from its metadata: the
 * OAuth token response's `locationId`, or the private integration form's.
 */
import { ConfigError, type Json } from "@patchbay/core";

/**
 * The connection's location id.
 *
 * @throws ConfigError when HighLevel issued an agency (Company) token, which
 *   cannot read a location's contacts, or when no location is known.
 * @example
 * ```ts
 * const locationId = locationOf(ctx.metadata); // "ve9EPM428h8vShlRW1KT"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export function locationOf(metadata: Record<string, Json>): string {
  if (metadata.userType === "Company") {
    throw new ConfigError(
      "HighLevel issued an agency (Company) token for this connection; contacts and appointments need a sub-account (Location) token. Reconnect and choose a sub-account on HighLevel's location page.",
    );
  }
  const id = metadata.locationId;
  if (typeof id !== "string" || id === "") {
    throw new ConfigError(
      "This HighLevel connection has no location id; reconnect it (OAuth) or re-enter the private integration's location id.",
    );
  }
  return id;
}
