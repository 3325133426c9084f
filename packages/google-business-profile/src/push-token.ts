/**
 * Verification of the Google-signed OIDC token an authenticated Pub/Sub push
 * subscription puts in `Authorization: Bearer`: RS256 by one of Google's
 * published keys, issuer `accounts.google.com`, the subscription's audience,
 * not expired, and the configured service account with a verified email.
 * Implemented on `node:crypto` (the package has no JOSE dependency).
 *
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { GOOGLE_CERTS_URL, GOOGLE_ISSUERS } from "./endpoints.js";

/**
 * A JSON Web Key Set (`{ keys: [...] }`), as Google serves at its certs URL.
 *
 * @example
 * ```ts
 * const jwks: JsonWebKeySet = await (await fetch(GOOGLE_CERTS_URL)).json();
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export interface JsonWebKeySet {
  keys: Array<JsonWebKey & { kid?: string; alg?: string; use?: string }>;
}

/**
 * What a push token must say.
 *
 * @example
 * ```ts
 * const expected: PushTokenExpectations = { audience: "https://app.example.com/webhooks/gbp", serviceAccountEmail: "push@p.iam.gserviceaccount.com" };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export interface PushTokenExpectations {
  audience: string;
  serviceAccountEmail: string;
  /** Clock skew allowed on `exp`/`iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

/**
 * Where verification keys come from: a fixed set (tests), or Google's certs
 * URL fetched and cached (by `Cache-Control: max-age`, refetched at most once
 * a minute when a token names an unknown key id).
 *
 * @example
 * ```ts
 * const keys = googleKeySource(); // Google's published keys
 * const fixed = googleKeySource({ keys: [jwk] });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export function googleKeySource(
  jwks?: JsonWebKeySet,
  fetchKeys: typeof fetch = (input, init) => globalThis.fetch(input, init),
  now: () => number = Date.now,
): (kid: string) => Promise<KeyObject | undefined> {
  let cache: { keys: Map<string, KeyObject>; expiresAt: number; fetchedAt: number } | undefined;
  const index = (set: JsonWebKeySet) => {
    const keys = new Map<string, KeyObject>();
    for (const jwk of set.keys ?? []) {
      if (typeof jwk.kid !== "string" || jwk.kty !== "RSA") continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
      } catch {
        // A key Node cannot read is no key.
      }
    }
    return keys;
  };
  const fixed = jwks === undefined ? undefined : index(jwks);
  const load = async () => {
    const response = await fetchKeys(GOOGLE_CERTS_URL);
    if (!response.ok) throw new Error(`Google certs: HTTP ${response.status}`);
    const maxAge = /max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1];
    const at = now();
    cache = {
      keys: index((await response.json()) as JsonWebKeySet),
      fetchedAt: at,
      expiresAt: at + (maxAge === undefined ? 3_600_000 : Number(maxAge) * 1000),
    };
  };
  return async (kid) => {
    if (fixed !== undefined) return fixed.get(kid);
    if (cache === undefined || cache.expiresAt <= now()) await load();
    let key = cache?.keys.get(kid);
    if (key === undefined && cache !== undefined && now() - cache.fetchedAt >= 60_000) {
      await load();
      key = cache?.keys.get(kid);
    }
    return key;
  };
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `token` is a genuine Pub/Sub push token for these expectations.
 * Never throws: any defect (format, key, signature, claim) is `false`.
 *
 * @example
 * ```ts
 * const ok = await verifyPushToken(token, googleKeySource(), { audience, serviceAccountEmail });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export async function verifyPushToken(
  token: string,
  keyFor: (kid: string) => Promise<KeyObject | undefined>,
  expected: PushTokenExpectations,
): Promise<boolean> {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  const claims = decodeJson(p);
  if (header === undefined || claims === undefined) return false;
  if (header.alg !== "RS256" || typeof header.kid !== "string") return false;
  let key: KeyObject | undefined;
  try {
    key = await keyFor(header.kid);
  } catch {
    return false;
  }
  if (key === undefined) return false;
  const signature = Buffer.from(s, "base64url");
  if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, signature)) return false;
  const nowSeconds = (expected.now ?? Date.now)() / 1000;
  const skew = expected.clockToleranceSeconds ?? 60;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  return (
    (GOOGLE_ISSUERS as readonly unknown[]).includes(claims.iss) &&
    audiences.includes(expected.audience) &&
    typeof claims.exp === "number" &&
    claims.exp + skew > nowSeconds &&
    typeof claims.iat === "number" &&
    claims.iat - skew <= nowSeconds &&
    typeof claims.email === "string" &&
    claims.email.toLowerCase() === expected.serviceAccountEmail.toLowerCase() &&
    claims.email_verified === true
  );
}
