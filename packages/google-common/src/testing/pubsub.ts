/**
 * A stand-in for Google's signing keys and Cloud Pub/Sub's authenticated
 * push, for the Google connectors' fakes: RS256 OIDC tokens with Google's
 * claims (signed with `node:crypto`), the matching key set served at
 * Google's certs URL, a second key pair for forgeries, and push deliveries
 * as Pub/Sub POSTs them.
 *
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { HttpResponse, http, type RequestHandler } from "msw";
import { GOOGLE_CERTS_URL, type JsonWebKeySet } from "../pubsub.js";

/**
 * Claims of a Pub/Sub push token. Defaults are a genuine delivery's.
 *
 * @example
 * ```ts
 * const claims: PushTokenClaims = { audience: "https://app.example.com/webhooks/gmail", email: "push@p.iam.gserviceaccount.com" };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export interface PushTokenClaims {
  audience: string;
  email: string;
  emailVerified?: boolean;
  issuer?: string;
  /** Epoch seconds; default now (`Date.now`). */
  issuedAt?: number;
  /** Lifetime in seconds; default 3600 (Pub/Sub's). Negative makes an expired token. */
  lifetimeSeconds?: number;
  /** Sign with a key Google never published (same `kid`): a forgery. */
  forged?: boolean;
}

/**
 * A push subscription the fake delivers through: where it pushes and what
 * its tokens say by default.
 *
 * @example
 * ```ts
 * const pushes = signer.subscription({
 *   subscription: "projects/patchbay-sandbox/subscriptions/gmail-push",
 *   audience: "https://app.example.com/webhooks/gmail",
 *   serviceAccountEmail: "gmail-push@patchbay-sandbox.iam.gserviceaccount.com",
 * });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push
 */
export interface FakePushSubscriptionOptions {
  /** `projects/<project>/subscriptions/<name>`, sent as the envelope's `subscription`. */
  subscription: string;
  /** The token audience, and the URL pushed to unless a delivery names another. */
  audience: string;
  /** The service account the tokens name (`email`). */
  serviceAccountEmail: string;
  /** The first message id; each delivery takes the next. Default 1. */
  firstMessageId?: number;
  /** The clock for `publishTime` (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/**
 * What one delivery changes from the subscription's defaults: the token's
 * claims (`forged`, `audience`, `issuedAt`...) and the URL.
 *
 * @example
 * ```ts
 * pushes.deliver({ emailAddress: "sam@example.com", historyId: 42 }, { forged: true });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export type FakePushOverrides = Partial<PushTokenClaims> & {
  /** Where the request goes; default the subscription's audience. */
  url?: string;
};

/**
 * A fake push subscription (see {@link PubSubPushSigner.subscription}).
 *
 * @example
 * ```ts
 * const request = pushes.deliver({ notificationType: "NEW_REVIEW" });
 * await patchbay.handleWebhook("google-business-profile", request);
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
export interface FakePushSubscription {
  /**
   * A push delivery as Pub/Sub POSTs it: `Authorization: Bearer <token>` and
   * the JSON envelope with `data` (JSON-encoded, then base64), the next
   * `messageId` and `publishTime` (each also under its snake_case alias, as
   * Pub/Sub sends them), `attributes: {}` and the subscription's name.
   */
  deliver(data: unknown, overrides?: FakePushOverrides): Request;
}

/**
 * Google's signing keys for one fake, and what they sign.
 *
 * @example
 * ```ts
 * const signer = createPubSubPushSigner({ keyId: "patchbay-fake-google-key-1" });
 * const token = signer.sign({ audience, email: serviceAccountEmail });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export interface PubSubPushSigner {
  /** The `kid` the signing key carries. */
  readonly keyId: string;
  /** The public key set (a fresh copy): what Google's certs URL serves, and `jwks` for verifiers. */
  jwks(): JsonWebKeySet;
  /** A Google-style OIDC token, as Pub/Sub puts in `Authorization: Bearer`. */
  sign(claims: PushTokenClaims): string;
  /** An MSW handler serving {@link PubSubPushSigner.jwks} at Google's certs URL. */
  certsHandler(): RequestHandler;
  /** A push subscription that delivers with these keys. */
  subscription(options: FakePushSubscriptionOptions): FakePushSubscription;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A fake of Google's signing keys and Pub/Sub's authenticated push. The RSA
 * key pairs (the published one and a forger's) are made on first use, once
 * per signer: create one signer per process (module scope) and share it.
 *
 * @throws TypeError when `keyId` is empty.
 * @example
 * ```ts
 * const signer = createPubSubPushSigner({ keyId: "patchbay-fake-google-key-1" });
 * server.use(signer.certsHandler());
 * const pushes = signer.subscription({ subscription, audience, serviceAccountEmail, firstMessageId: 1_000_001 });
 * const request = pushes.deliver({ emailAddress, historyId });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export function createPubSubPushSigner(options: { keyId: string }): PubSubPushSigner {
  const keyId = options?.keyId;
  if (typeof keyId !== "string" || keyId === "")
    throw new TypeError('"keyId" must be a non-empty string: the kid the fake Google key carries');
  let material: { signing: KeyObject; forged: KeyObject; jwks: JsonWebKeySet } | undefined;
  const keys = () => {
    if (material === undefined) {
      const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const forged = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const jwk = signing.publicKey.export({ format: "jwk" }) as JsonWebKey;
      material = {
        signing: signing.privateKey,
        forged: forged.privateKey,
        jwks: { keys: [{ ...jwk, kid: keyId, alg: "RS256", use: "sig" }] },
      };
    }
    return material;
  };

  const signer: PubSubPushSigner = {
    keyId,
    jwks: () => structuredClone(keys().jwks),
    sign(claims) {
      const { signing, forged } = keys();
      const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
      const header = b64url({ alg: "RS256", kid: keyId, typ: "JWT" });
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
    },
    certsHandler: () =>
      http.get(GOOGLE_CERTS_URL, () =>
        HttpResponse.json(signer.jwks(), {
          headers: { "cache-control": "public, max-age=21600, must-revalidate, no-transform" },
        }),
      ),
    subscription(sub) {
      let next = sub.firstMessageId ?? 1;
      const now = sub.now ?? Date.now;
      return {
        deliver(data, overrides = {}) {
          const { url, ...claims } = overrides;
          const token = signer.sign({
            ...claims,
            audience: claims.audience ?? sub.audience,
            email: claims.email ?? sub.serviceAccountEmail,
          });
          const messageId = String(next++);
          const publishTime = new Date(now()).toISOString();
          return new Request(url ?? sub.audience, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({
              message: {
                attributes: {},
                data: Buffer.from(JSON.stringify(data)).toString("base64"),
                messageId,
                message_id: messageId,
                publishTime,
                publish_time: publishTime,
              },
              subscription: sub.subscription,
            }),
          });
        },
      };
    },
  };
  return signer;
}
