/**
 * A stand-in for Google's signing keys and Cloud Pub/Sub's authenticated
 * push: RS256 OIDC tokens with Google's claims, signed with `node:crypto`,
 * the matching key set (served at Google's certs URL by the fake), and a
 * second key pair for forgeries. Keys are made once per process.
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import type { JsonWebKeySet } from "../push-token.js";

/**
 * The key id the fake's Google signing key carries.
 *
 * @example
 * ```ts
 * fakeGoogleJwks().keys[0]?.kid === FAKE_GOOGLE_KEY_ID; // true
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export const FAKE_GOOGLE_KEY_ID = "patchbay-fake-gbp-google-key-1";

let material: { signing: KeyObject; forged: KeyObject; jwks: JsonWebKeySet } | undefined;

function keys() {
  if (material === undefined) {
    const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = signing.publicKey.export({ format: "jwk" }) as JsonWebKey;
    material = {
      signing: signing.privateKey,
      forged: forged.privateKey,
      jwks: { keys: [{ ...jwk, kid: FAKE_GOOGLE_KEY_ID, alg: "RS256", use: "sig" }] },
    };
  }
  return material;
}

/**
 * The fake Google key set (what `https://www.googleapis.com/oauth2/v3/certs`
 * serves in tests). Pass it as `pubsub.jwks` to verify without MSW.
 *
 * @example
 * ```ts
 * googleBusinessProfile({ ...GBP_SANDBOX_APP, pubsub: { ...GBP_SANDBOX_PUBSUB, jwks: fakeGoogleJwks() } });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export function fakeGoogleJwks(): JsonWebKeySet {
  return structuredClone(keys().jwks);
}

/**
 * Claims of a Pub/Sub push token. Defaults are a genuine delivery's.
 *
 * @example
 * ```ts
 * const claims: PushTokenClaims = { audience: "https://app.example.com/webhooks/gbp", email: "push@p.iam.gserviceaccount.com" };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export interface PushTokenClaims {
  audience: string;
  email: string;
  emailVerified?: boolean;
  issuer?: string;
  /** Epoch seconds; default now. */
  issuedAt?: number;
  /** Lifetime in seconds; default 3600 (Pub/Sub's). Negative makes an expired token. */
  lifetimeSeconds?: number;
  /** Sign with a key Google never published (same `kid`): a forgery. */
  forged?: boolean;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A Google-style OIDC token as Pub/Sub puts in `Authorization: Bearer`.
 *
 * @example
 * ```ts
 * const token = signPushToken({ audience, email: serviceAccountEmail });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export function signPushToken(claims: PushTokenClaims): string {
  const { signing, forged } = keys();
  const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  const header = b64url({ alg: "RS256", kid: FAKE_GOOGLE_KEY_ID, typ: "JWT" });
  const payload = b64url({
    aud: claims.audience,
    azp: "113774264463038321964",
    email: claims.email,
    email_verified: claims.emailVerified ?? true,
    exp: iat + (claims.lifetimeSeconds ?? 3600),
    iat,
    iss: claims.issuer ?? "https://accounts.google.com",
    sub: "113774264463038321964",
  });
  const signature = sign(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    claims.forged ? forged : signing,
  );
  return `${header}.${payload}.${signature.toString("base64url")}`;
}
