/**
 * Verification of the Google-signed OIDC token an authenticated Pub/Sub push
 * subscription puts in `Authorization: Bearer`. The verification itself
 * (`verifyPubSubPushToken`, `googleKeySource`) lives in
 * `@patchbay/google-common`, shared with the other Google connectors; this
 * module keeps this package's original exports.
 *
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
import type { KeyObject } from "node:crypto";
import { type PubSubPushOptions, verifyPubSubPushToken } from "@patchbay/google-common";

export { googleKeySource, type JsonWebKeySet } from "@patchbay/google-common";

/**
 * What a push token must say.
 *
 * @example
 * ```ts
 * const expected: PushTokenExpectations = { audience: "https://app.example.com/webhooks/gbp", serviceAccountEmail: "push@p.iam.gserviceaccount.com" };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export type PushTokenExpectations = Pick<
  PubSubPushOptions,
  "audience" | "serviceAccountEmail" | "clockToleranceSeconds" | "now"
>;

/**
 * Whether `token` is a genuine Pub/Sub push token for these expectations.
 * Never throws: any defect (format, key, signature, claim) is `false`. For
 * the reason, use `verifyPubSubPushToken` from `@patchbay/google-common`.
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
  try {
    await verifyPubSubPushToken(token, {
      ...expected,
      jwks: (header) => (typeof header.kid === "string" ? keyFor(header.kid) : undefined),
    });
    return true;
  } catch {
    return false;
  }
}
