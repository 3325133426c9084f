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
  WebhookSpec,
} from "@patchbay/core";
import {
  checkGooglePubSubOptions,
  type PubSubKeyResolver,
  pubSubPushWebhook,
  readPubSubPushJson,
} from "@patchbay/google-common";
import type { JSONWebKeySet, JWTHeaderParameters, JWTVerifyGetKey } from "jose";
import { stopWatch, watchInbox } from "./api.js";
import { GmailPushDataSchema } from "./schemas.js";

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
  return checkGooglePubSubOptions(options);
}

/**
 * Webhook handling for Gmail push. `verify` accepts a delivery only with a
 * bearer token that is RS256-signed by a key in the set, from issuer
 * `https://accounts.google.com` (or `accounts.google.com`), for the
 * configured audience, not expired, whose `email` is the configured service
 * account and `email_verified` is `true` (see `verifyPubSubPushToken` in
 * `@patchbay/google-common`). Routing: the notification's `emailAddress`
 * (lowercased) equals the connection's metadata `emailAddress`. Action: an
 * incremental sync of `replies` (the payload's historyId is not used:
 * history is read from the stored cursor).
 *
 * @example
 * ```ts
 * webhooks: gmailPushWebhooks({ topicName, audience, serviceAccountEmail })
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export function gmailPushWebhooks(options: GmailPubSubOptions): WebhookSpec {
  const { audience, serviceAccountEmail, jwks } = checkPubSubOptions(options);
  const resolver: JSONWebKeySet | PubSubKeyResolver | undefined =
    typeof jwks === "function"
      ? (header, token) => jwks(header as JWTHeaderParameters, token)
      : jwks;
  return {
    ...pubSubPushWebhook({ audience, serviceAccountEmail, jwks: resolver }),
    route: (delivery) => {
      const data = GmailPushDataSchema.safeParse(readPubSubPushJson(delivery.payload));
      return data.success ? { emailAddress: data.data.emailAddress.toLowerCase() } : undefined;
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
