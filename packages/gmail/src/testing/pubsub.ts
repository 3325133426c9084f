/**
 * A stand-in for Google's signing keys and Cloud Pub/Sub's authenticated
 * push: RS256 OIDC tokens with Google's claims, the matching JWKS (served at
 * Google's certs URL by the fake's handlers), and a second key pair for
 * forgeries. Keys are made once per process.
 */
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from "jose";

/**
 * The key id the fake's Google signing key carries.
 * @example
 * ```ts
 * (await fakeGoogleJwks()).keys[0]?.kid === FAKE_GOOGLE_KEY_ID; // true
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export const FAKE_GOOGLE_KEY_ID = "patchbay-fake-google-key-1";

interface KeyMaterial {
  signing: CryptoKey;
  forged: CryptoKey;
  jwks: JSONWebKeySet;
}

let material: Promise<KeyMaterial> | undefined;

function keys(): Promise<KeyMaterial> {
  material ??= (async () => {
    const signing = await generateKeyPair("RS256", { extractable: true });
    const forged = await generateKeyPair("RS256", { extractable: true });
    const jwk: JWK = {
      ...(await exportJWK(signing.publicKey)),
      kid: FAKE_GOOGLE_KEY_ID,
      alg: "RS256",
      use: "sig",
    };
    return { signing: signing.privateKey, forged: forged.privateKey, jwks: { keys: [jwk] } };
  })();
  return material;
}

/**
 * The fake Google key set (what `https://www.googleapis.com/oauth2/v3/certs`
 * serves in tests). Pass it as `pubsub.jwks` to verify without MSW.
 *
 * @example
 * ```ts
 * gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: { ...GMAIL_SANDBOX_PUBSUB, jwks: await fakeGoogleJwks() } });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export async function fakeGoogleJwks(): Promise<JSONWebKeySet> {
  return structuredClone((await keys()).jwks);
}

/**
 * Claims of a Pub/Sub push token. Defaults are a genuine delivery's.
 *
 * @example
 * ```ts
 * const claims: PushTokenClaims = { audience: "https://app.example.com/webhooks/gmail", email: "push@p.iam.gserviceaccount.com" };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
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

/**
 * A Google-style OIDC token as Pub/Sub puts in `Authorization: Bearer`.
 *
 * @example
 * ```ts
 * const token = await signPushToken({ audience, email: serviceAccountEmail });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export async function signPushToken(claims: PushTokenClaims): Promise<string> {
  const { signing, forged } = await keys();
  const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({
    email: claims.email,
    email_verified: claims.emailVerified ?? true,
    azp: "113774264463038321964",
  })
    .setProtectedHeader({ alg: "RS256", kid: FAKE_GOOGLE_KEY_ID, typ: "JWT" })
    .setIssuer(claims.issuer ?? "https://accounts.google.com")
    .setAudience(claims.audience)
    .setSubject("113774264463038321964")
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.lifetimeSeconds ?? 3600))
    .sign(claims.forged ? forged : signing);
}
