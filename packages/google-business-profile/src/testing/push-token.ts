/**
 * A stand-in for Google's signing keys and Cloud Pub/Sub's authenticated
 * push: RS256 OIDC tokens with Google's claims, the matching key set (served
 * at Google's certs URL by the fake), and a second key pair for forgeries.
 * Keys are made once per process. The signing itself is
 * `createPubSubPushSigner` from `@patchbay/google-common/testing`.
 */
import type { JsonWebKeySet } from "@patchbay/google-common";
import { createPubSubPushSigner, type PushTokenClaims } from "@patchbay/google-common/testing";

export type { PushTokenClaims };

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

/**
 * The Business Profile fake's Google signing keys (one pair per process, made on first use).
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
 * googleBusinessProfile({ ...GBP_SANDBOX_APP, pubsub: { ...GBP_SANDBOX_PUBSUB, jwks: fakeGoogleJwks() } });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export function fakeGoogleJwks(): JsonWebKeySet {
  return pushSigner.jwks();
}

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
  return pushSigner.sign(claims);
}
