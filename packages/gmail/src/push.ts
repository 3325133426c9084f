/**
 * Gmail push: `watch` sends mailbox changes to a Cloud Pub/Sub topic, and an
 * authenticated push subscription POSTs them to the host's webhook URL with
 * `Authorization: Bearer <Google-signed OIDC token>`. This module verifies
 * that token, routes by the notification's `emailAddress`, and keeps the
 * watch alive (it lapses after 7 days; Google suggests renewing daily).
 *
 * @see https://developers.google.com/workspace/gmail/api/guides/push
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
import type {
  ConnectorLifecycle,
  LifecycleContext,
  LifecycleResult,
  WebhookDelivery,
  WebhookSpec,
} from "@patchbay/core";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { stopWatch, watchInbox } from "./api.js";
import { GOOGLE_CERTS_URL, GOOGLE_ISSUERS } from "./endpoints.js";
import { GmailPushDataSchema, PubSubPushSchema } from "./schemas.js";

/**
 * The host's Pub/Sub setup for Gmail push.
 *
 * @example
 * ```ts
 * const pubsub: GmailPubSubOptions = {
 *   topicName: "projects/acme-tracker/topics/gmail",
 *   audience: "https://tracker.acme.com/webhooks/gmail",
 *   serviceAccountEmail: "gmail-push@acme-tracker.iam.gserviceaccount.com",
 * };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/push
 */
export interface GmailPubSubOptions {
  /** `projects/<project>/topics/<topic>`; `gmail-api-push@system.gserviceaccount.com` must be allowed to publish to it. */
  topicName: string;
  /** The audience set on the push subscription (by default Google uses the push endpoint URL). */
  audience: string;
  /** The service account the push subscription authenticates as. */
  serviceAccountEmail: string;
  /**
   * Keys to verify push tokens with. Default: Google's published keys
   * (`https://www.googleapis.com/oauth2/v3/certs`, fetched and cached).
   * Pass a key set or a `jose` key resolver in tests.
   */
  jwks?: JSONWebKeySet | JWTVerifyGetKey;
}

const TOPIC_NAME = /^projects\/[^/\s]+\/topics\/[^/\s]+$/;

/**
 * Check the host's Pub/Sub options.
 *
 * @throws TypeError naming the bad field.
 * @example
 * ```ts
 * checkPubSubOptions({ topicName: "gmail", audience: "x", serviceAccountEmail: "y" }); // throws: "pubsub.topicName" ...
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/push
 */
export function checkPubSubOptions(options: GmailPubSubOptions): GmailPubSubOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      '"pubsub" must be an object with topicName, audience and serviceAccountEmail',
    );
  if (typeof options.topicName !== "string" || !TOPIC_NAME.test(options.topicName))
    throw new TypeError('"pubsub.topicName" must look like projects/<project>/topics/<topic>');
  if (typeof options.audience !== "string" || options.audience === "")
    throw new TypeError('"pubsub.audience" must be the push subscription\'s audience');
  if (
    typeof options.serviceAccountEmail !== "string" ||
    !/^[^@\s]+@[^@\s]+$/.test(options.serviceAccountEmail)
  )
    throw new TypeError('"pubsub.serviceAccountEmail" must be a service account email');
  if (
    options.jwks !== undefined &&
    typeof options.jwks !== "function" &&
    !Array.isArray((options.jwks as JSONWebKeySet | null)?.keys)
  )
    throw new TypeError('"pubsub.jwks" must be a JSON Web Key Set or a jose key resolver');
  return options;
}

/** The push body's notification: `{ emailAddress, historyId }`, or `undefined` when malformed. */
function notification(delivery: WebhookDelivery): { emailAddress: string } | undefined {
  const push = PubSubPushSchema.safeParse(delivery.payload);
  if (!push.success) return undefined;
  try {
    const json: unknown = JSON.parse(
      Buffer.from(push.data.message.data, "base64").toString("utf8"),
    );
    const data = GmailPushDataSchema.safeParse(json);
    return data.success ? { emailAddress: data.data.emailAddress } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Webhook handling for Gmail push. `verify` accepts a delivery only with a
 * bearer token that is RS256-signed by a key in the set, from issuer
 * `https://accounts.google.com` (or `accounts.google.com`), for the
 * configured audience, not expired, whose `email` is the configured service
 * account and `email_verified` is `true`. Routing: the notification's
 * `emailAddress` (lowercased) equals the connection's metadata
 * `emailAddress`. Action: an incremental sync of `replies` (the payload's
 * historyId is not used: history is read from the stored cursor).
 *
 * @example
 * ```ts
 * webhooks: gmailPushWebhooks({ topicName, audience, serviceAccountEmail })
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export function gmailPushWebhooks(options: GmailPubSubOptions): WebhookSpec {
  const checked = checkPubSubOptions(options);
  const keys: JWTVerifyGetKey =
    typeof checked.jwks === "function"
      ? checked.jwks
      : checked.jwks !== undefined
        ? createLocalJWKSet(checked.jwks)
        : createRemoteJWKSet(new URL(GOOGLE_CERTS_URL));
  const serviceAccount = checked.serviceAccountEmail.toLowerCase();
  return {
    secret: "app",
    verify: async (delivery) => {
      const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(
        delivery.headers.get("authorization") ?? "",
      );
      if (match === null) return false;
      try {
        const { payload } = await jwtVerify(match[1]!, keys, {
          issuer: [...GOOGLE_ISSUERS],
          audience: checked.audience,
          algorithms: ["RS256"],
          requiredClaims: ["exp", "iat", "email"],
        });
        return (
          typeof payload.email === "string" &&
          payload.email.toLowerCase() === serviceAccount &&
          payload.email_verified === true
        );
      } catch {
        return false;
      }
    },
    deliveryId: (delivery) => {
      const push = PubSubPushSchema.safeParse(delivery.payload);
      if (!push.success) return undefined;
      // Pub/Sub message ids are unique per topic; the subscription names the topic's consumer.
      const id = push.data.message.messageId ?? push.data.message.message_id;
      return id === undefined ? undefined : `${push.data.subscription ?? ""}:${id}`;
    },
    route: (delivery) => {
      const data = notification(delivery);
      return data === undefined ? undefined : { emailAddress: data.emailAddress.toLowerCase() };
    },
    actions: () => [{ kind: "sync", model: "replies" }],
  };
}

/** A watch set less than this long ago is left alone by `setup`. */
const WATCH_FRESH_MS = 24 * 60 * 60 * 1000;
/** How long Gmail keeps a watch. */
const WATCH_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

async function watch(ctx: LifecycleContext, topicName: string): Promise<LifecycleResult> {
  const answer = await watchInbox(ctx.http, topicName);
  return {
    metadata: {
      watchTopic: topicName,
      watchExpiration: new Date(Number(answer.expiration)).toISOString(),
    },
  };
}

/**
 * The watch's lifecycle: `setup` watches INBOX (skipped when a watch on the
 * same topic was set within the last day), `maintenance` renews it daily,
 * `teardown` stops it. The expiry is kept in metadata as `watchExpiration`.
 *
 * @example
 * ```ts
 * lifecycle: gmailWatchLifecycle({ topicName: "projects/acme/topics/gmail", audience, serviceAccountEmail })
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
 */
export function gmailWatchLifecycle(
  options: GmailPubSubOptions,
  now: () => number = Date.now,
): ConnectorLifecycle {
  const { topicName } = checkPubSubOptions(options);
  return {
    async setup(ctx) {
      const expiresAt = Date.parse(String(ctx.metadata.watchExpiration ?? ""));
      const fresh =
        ctx.metadata.watchTopic === topicName &&
        Number.isFinite(expiresAt) &&
        expiresAt - now() > WATCH_LIFETIME_MS - WATCH_FRESH_MS;
      if (fresh) return undefined;
      return watch(ctx, topicName);
    },
    maintenance: {
      everyMinutes: 24 * 60,
      run: (ctx) => watch(ctx, topicName),
    },
    async teardown(ctx) {
      await stopWatch(ctx.http);
    },
  };
}
