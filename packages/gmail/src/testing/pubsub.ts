/**
 * A stand-in for Google's signing keys and Cloud Pub/Sub's authenticated
 * push: RS256 OIDC tokens with Google's claims, the matching JWKS (served at
 * Google's certs URL by the fake's handlers), and a second key pair for
 * forgeries. Keys are made once per process. The signing itself is
 * `createPubSubPushSigner` from `@patchbay/google-common/testing`.
 */
import { createPubSubPushSigner, type PushTokenClaims } from "@patchbay/google-common/testing";
import type { JSONWebKeySet } from "jose";

export type { PushTokenClaims };

/**
 * The key id the fake's Google signing key carries.
 * @example
 * ```ts
 * (await fakeGoogleJwks()).keys[0]?.kid === FAKE_GOOGLE_KEY_ID; // true
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export const FAKE_GOOGLE_KEY_ID = "patchbay-fake-google-key-1";

/**
 * The Gmail fake's Google signing keys (one pair per process, made on first use).
 *
 * @example
 * ```ts
 * server.use(pushSigner.certsHandler());
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export const pushSigner = createPubSubPushSigner({ keyId: FAKE_GOOGLE_KEY_ID });

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
  return pushSigner.jwks() as JSONWebKeySet;
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
  return pushSigner.sign(claims);
}
