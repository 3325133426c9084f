/**
 * Real-time notifications: Business Profile publishes to the host's Cloud
 * Pub/Sub topic (one setting per account), and an authenticated push
 * subscription POSTs each message to the host's webhook URL with a
 * Google-signed OIDC token. This module keeps the account's notification
 * setting in step with the connection and turns deliveries into syncs.
 *
 * @see https://developers.google.com/my-business/content/notification-setup
 */
import type {
  ConnectorLifecycle,
  LifecycleContext,
  WebhookAction,
  WebhookDelivery,
  WebhookSpec,
} from "@patchbay/core";
import {
  checkGooglePubSubOptions,
  type JsonWebKeySet,
  type PubSubKeyResolver,
  pubSubPushWebhook,
  readPubSubPushJson,
} from "@patchbay/google-common";
import { connectionAccount } from "./account.js";
import { NOTIFICATIONS_API } from "./endpoints.js";
import { GbpNotificationSchema, type GoogleBusinessProfileConfig } from "./schemas.js";
import { settingsOf } from "./settings.js";

/**
 * The host's Pub/Sub setup for Business Profile notifications.
 *
 * @example
 * ```ts
 * const pubsub: GbpPubSubOptions = {
 *   topicName: "projects/acme-reviews/topics/gbp",
 *   audience: "https://app.acme.com/integrations/webhooks/google-business-profile",
 *   serviceAccountEmail: "gbp-push@acme-reviews.iam.gserviceaccount.com",
 * };
 * ```
 * @see https://developers.google.com/my-business/content/notification-setup
 */
export interface GbpPubSubOptions {
  /** `projects/<project>/topics/<topic>`; `mybusiness-api-pubsub@system.gserviceaccount.com` must be allowed to publish to it. */
  topicName: string;
  /** The audience set on the push subscription (by default Google uses the push endpoint URL). */
  audience: string;
  /** The service account the push subscription authenticates as. */
  serviceAccountEmail: string;
  /**
   * Keys to verify push tokens with: a key set, or a key resolver (a `jose`
   * one fits). Default: Google's published keys, fetched and cached.
   */
  jwks?: JsonWebKeySet | PubSubKeyResolver;
}

/**
 * Check the host's Pub/Sub options.
 *
 * @throws TypeError naming the bad field.
 * @example
 * ```ts
 * checkPubSubOptions({ topicName: "gbp", audience: "x", serviceAccountEmail: "y" }); // throws: "pubsub.topicName" ...
 * ```
 * @see https://developers.google.com/my-business/content/notification-setup
 */
export function checkPubSubOptions(options: GbpPubSubOptions): GbpPubSubOptions {
  return checkGooglePubSubOptions(options);
}

/**
 * A parsed notification: its type and resource names.
 *
 * @example
 * ```ts
 * const n: GbpNotification = { type: "NEW_REVIEW", accountId: "1", locationName: "accounts/1/locations/2", reviewName: "accounts/1/locations/2/reviews/r1" };
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/Notifications#NotificationType
 */
export interface GbpNotification {
  type: string;
  accountId: string | undefined;
  locationName: string | undefined;
  reviewName: string | undefined;
}

/**
 * The notification inside a push delivery, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * readNotification(delivery)?.type; // "NEW_REVIEW"
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/Notifications#NotificationType
 */
export function readNotification(
  delivery: Pick<WebhookDelivery, "payload">,
): GbpNotification | undefined {
  const data = GbpNotificationSchema.safeParse(readPubSubPushJson(delivery.payload));
  if (!data.success) return undefined;
  const n = data.data;
  const type = n.notificationType ?? n.type;
  if (type === undefined) return undefined;
  const locationName = n.locationName ?? n.location_name ?? n.location;
  const reviewName = n.reviewName ?? n.review_name ?? n.review;
  const accountId = /^accounts\/([^/]+)\//.exec(reviewName ?? locationName ?? "")?.[1];
  return { type, accountId, locationName, reviewName };
}

const REVIEW_TYPES = new Set(["NEW_REVIEW", "UPDATED_REVIEW"]);
const LOCATION_TYPES = new Set([
  "GOOGLE_UPDATE",
  "DUPLICATE_LOCATION",
  "LOSS_OF_VOICE_OF_MERCHANT",
  "VOICE_OF_MERCHANT_UPDATED",
  "UPDATED_LOCATION_STATE",
]);

/**
 * Webhook handling for Business Profile notifications. `verify` accepts a
 * delivery only with a bearer token RS256-signed by a Google key, from issuer
 * `accounts.google.com`, for the configured audience, unexpired, whose
 * `email` is the configured service account with `email_verified: true`
 * (see `verifyPubSubPushToken` in `@patchbay/google-common`).
 * Routing: the account in the notification's resource names equals the
 * connection's metadata `accountId`. Actions: `NEW_REVIEW`/`UPDATED_REVIEW`
 * → incremental sync of `reviews`; Google updates, duplicate and
 * voice-of-merchant changes → sync of `locations`; other types are
 * acknowledged and ignored.
 *
 * @example
 * ```ts
 * webhooks: gbpPushWebhooks({ topicName, audience, serviceAccountEmail })
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export function gbpPushWebhooks(options: GbpPubSubOptions): WebhookSpec {
  const { audience, serviceAccountEmail, jwks } = checkPubSubOptions(options);
  return {
    ...pubSubPushWebhook({ audience, serviceAccountEmail, jwks }),
    route: (delivery) => {
      const accountId = readNotification(delivery)?.accountId;
      return accountId === undefined ? undefined : { accountId };
    },
    actions: (delivery): WebhookAction[] => {
      const type = readNotification(delivery)?.type ?? "";
      if (REVIEW_TYPES.has(type)) return [{ kind: "sync", model: "reviews" }];
      if (LOCATION_TYPES.has(type)) return [{ kind: "sync", model: "locations" }];
      return [];
    },
  };
}

interface NotificationSetting {
  name?: string;
  pubsubTopic?: string;
  notificationTypes?: string[];
}

function settingUrl(accountId: string): string {
  return `${NOTIFICATIONS_API}/accounts/${accountId}/notificationSetting`;
}

async function currentSetting(
  ctx: LifecycleContext<GoogleBusinessProfileConfig>,
  accountId: string,
) {
  const { data } = await ctx.http.get<NotificationSetting>(settingUrl(accountId));
  return data ?? {};
}

async function writeSetting(
  ctx: LifecycleContext<GoogleBusinessProfileConfig>,
  accountId: string,
  pubsubTopic: string,
  notificationTypes: string[],
): Promise<void> {
  await ctx.http.patch(settingUrl(accountId), {
    query: { updateMask: "pubsubTopic,notificationTypes" },
    json: { name: `accounts/${accountId}/notificationSetting`, pubsubTopic, notificationTypes },
    // The same PATCH twice leaves the same setting: safe to retry.
    idempotent: true,
  });
}

/**
 * The notification setting's lifecycle. `setup` points the account's
 * setting at the topic with the configured types (left alone when it
 * already does) and keeps `accountId` and `notificationTopic` in metadata;
 * `teardown` clears the setting, only if it still points at the topic
 * (Google keeps one setting per account: another tool may have taken it).
 *
 * @example
 * ```ts
 * lifecycle: gbpNotificationLifecycle({ topicName: "projects/acme/topics/gbp", audience, serviceAccountEmail })
 * ```
 * @see https://developers.google.com/my-business/reference/notifications/rest/v1/accounts/updateNotificationSetting
 */
export function gbpNotificationLifecycle(
  options: GbpPubSubOptions,
): ConnectorLifecycle<GoogleBusinessProfileConfig> {
  const { topicName } = checkPubSubOptions(options);
  return {
    async setup(ctx) {
      const config = settingsOf(ctx.config);
      const accountId = await connectionAccount({ ...ctx, config });
      const current = await currentSetting(ctx, accountId);
      const wanted = [...config.notificationTypes].sort();
      const have = [...(current.notificationTypes ?? [])].sort();
      const same = current.pubsubTopic === topicName && wanted.join() === have.join();
      if (!same) {
        if (current.pubsubTopic && current.pubsubTopic !== topicName)
          ctx.logger.warn(
            "google-business-profile: replacing the account's notification topic (Google keeps one per account)",
            { accountId, previousTopic: current.pubsubTopic },
          );
        await writeSetting(ctx, accountId, topicName, wanted);
      }
      return { metadata: { accountId, notificationTopic: topicName } };
    },
    async teardown(ctx) {
      const accountId = await connectionAccount({ ...ctx, config: settingsOf(ctx.config) });
      const current = await currentSetting(ctx, accountId);
      if (current.pubsubTopic === topicName) await writeSetting(ctx, accountId, "", []);
    },
  };
}
