import type { TokenSet } from "../connector/types.js";
import type { Json } from "../store/types.js";

/**
 * What the vault seals for a connection. Versioned so the shape can evolve.
 * `fields` are what the user entered (API key, client id/secret, service
 * account key); tokens are what the provider issued.
 */
export interface StoredCredentials {
  v: 1;
  kind: "oauth2" | "client_credentials" | "service_account" | "credentials";
  accessToken?: string;
  refreshToken?: string;
  /** Epoch ms; `null` when the token does not expire. */
  expiresAt?: number | null;
  scope?: string;
  tokenType?: string;
  fields?: Record<string, Json>;
}

/** Credentials from a fresh token set, keeping the previous refresh token when the provider sent none. */
export function credentialsFromTokens(
  kind: StoredCredentials["kind"],
  tokens: TokenSet,
  previous?: StoredCredentials,
): StoredCredentials {
  const out: StoredCredentials = {
    v: 1,
    kind,
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    tokenType: tokens.tokenType,
  };
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  if (refreshToken !== undefined) out.refreshToken = refreshToken;
  const scope = tokens.scope ?? previous?.scope;
  if (scope !== undefined) out.scope = scope;
  if (previous?.fields !== undefined) out.fields = previous.fields;
  return out;
}
