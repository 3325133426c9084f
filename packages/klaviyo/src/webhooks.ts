/**
 * Klaviyo system webhooks: one per connection, created through the Webhooks
 * API with a secret the connector generates, for the topics (metric events)
 * that change profiles. Each delivery is signed: `Klaviyo-Signature` is the
 * hex HMAC-SHA256, under the webhook's `secret_key`, of the raw body followed
 * by the `Klaviyo-Timestamp` header value; `Klaviyo-Webhook-Id` must equal
 * the body's `meta.klaviyo_webhook_id`. A verified delivery enqueues an
 * incremental sync of `profiles`.
 *
 * Webhooks are available to OAuth apps and to accounts with Klaviyo CDP; for
 * others Klaviyo refuses to create one and the connection syncs on schedule.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  type ConnectorLifecycle,
  hmac,
  type LifecycleContext,
  type LifecycleResult,
  NotFoundError,
  PatchbayError,
  type RateLimiter,
  timingSafeEqual,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { bodyOf, klaviyoApi } from "./client.js";
import { KLAVIYO_PATHS } from "./endpoints.js";
import { type KlaviyoConfig, KlaviyoWebhookBodySchema } from "./schemas.js";

/**
 * The delivery headers.
 *
 * @example
 * ```ts
 * delivery.headers.get(KLAVIYO_WEBHOOK_HEADERS.signature);
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export const KLAVIYO_WEBHOOK_HEADERS = {
  signature: "klaviyo-signature",
  timestamp: "klaviyo-timestamp",
  webhookId: "klaviyo-webhook-id",
} as const;

/**
 * How far a delivery's `Klaviyo-Timestamp` may be from now: 5 minutes.
 *
 * @example
 * ```ts
 * replay: { timestamp, toleranceSeconds: KLAVIYO_REPLAY_TOLERANCE_SECONDS }
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export const KLAVIYO_REPLAY_TOLERANCE_SECONDS = 300;

/**
 * The topics subscribed by default: list and consent changes, which change
 * profiles. Only those the account offers (`GET /api/webhook-topics`) are used.
 *
 * @example
 * ```ts
 * klaviyo({ auth: "api_key", webhookTopics: [...KLAVIYO_DEFAULT_WEBHOOK_TOPICS, "event:klaviyo.placed_order"] });
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_webhook_topics
 */
export const KLAVIYO_DEFAULT_WEBHOOK_TOPICS: readonly string[] = Object.freeze([
  "event:klaviyo.subscribed_to_list",
  "event:klaviyo.unsubscribed_from_list",
  "event:klaviyo.subscribed_to_email_marketing",
  "event:klaviyo.unsubscribed_from_email_marketing",
  "event:klaviyo.subscribed_to_sms_marketing",
  "event:klaviyo.unsubscribed_from_sms_marketing",
]);

/**
 * The signature of a delivery: hex HMAC-SHA256 of the raw body followed by
 * the timestamp header value, under the webhook's secret key.
 *
 * @example
 * ```ts
 * klaviyoWebhookSignature(secret, rawBody, "2026-07-20T10:00:00Z"); // "e6c00e31…"
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export function klaviyoWebhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: string,
): string {
  return hmac("sha256", secret, [rawBody, timestamp], "hex");
}

/**
 * Check a delivery: the signature over body + timestamp (constant time), and
 * the `Klaviyo-Webhook-Id` header against `meta.klaviyo_webhook_id`. `false`
 * without a secret.
 *
 * @example
 * ```ts
 * verifyKlaviyoSignature(delivery, secrets.connection); // true for a genuine delivery
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export function verifyKlaviyoSignature(
  delivery: Pick<WebhookDelivery, "headers" | "rawBody" | "payload">,
  secret: string | undefined,
): boolean {
  if (typeof secret !== "string" || secret === "") return false;
  const signature = delivery.headers.get(KLAVIYO_WEBHOOK_HEADERS.signature);
  const timestamp = delivery.headers.get(KLAVIYO_WEBHOOK_HEADERS.timestamp);
  if (signature === null || timestamp === null) return false;
  const expected = klaviyoWebhookSignature(secret, delivery.rawBody, timestamp);
  if (!timingSafeEqual(signature.trim().toLowerCase(), expected)) return false;
  const body = KlaviyoWebhookBodySchema.safeParse(delivery.payload);
  return (
    body.success &&
    delivery.headers.get(KLAVIYO_WEBHOOK_HEADERS.webhookId) === body.data.meta.klaviyo_webhook_id
  );
}

/**
 * A `Klaviyo-Timestamp` in epoch seconds: ISO 8601, or a number of seconds
 * (or milliseconds); `undefined` when unreadable.
 *
 * @example
 * ```ts
 * parseKlaviyoTimestamp("2026-07-20T10:00:00Z"); // 1784541600
 * parseKlaviyoTimestamp("1784541600"); // 1784541600
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export function parseKlaviyoTimestamp(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * The connector's `webhooks`: per-connection secrets, routing by account and
 * webhook id, a 5-minute replay window, deduplication by the events' ids,
 * and an incremental `profiles` sync per delivery.
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: klaviyoWebhooks() });
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export function klaviyoWebhooks(): WebhookSpec {
  return {
    secret: "connection",
    verify: (delivery, secrets) => verifyKlaviyoSignature(delivery, secrets.connection),
    replay: {
      timestamp: (delivery) =>
        parseKlaviyoTimestamp(delivery.headers.get(KLAVIYO_WEBHOOK_HEADERS.timestamp)),
      toleranceSeconds: KLAVIYO_REPLAY_TOLERANCE_SECONDS,
    },
    deliveryId: (delivery) => {
      const body = KlaviyoWebhookBodySchema.safeParse(delivery.payload);
      if (!body.success) return undefined;
      const ids = body.data.data.map((item) => item.external_id ?? "").sort();
      if (ids.some((id) => id === "")) return undefined;
      const digest = createHash("sha256").update(ids.join("\n")).digest("hex");
      return `${body.data.meta.klaviyo_account_id}:${body.data.meta.klaviyo_webhook_id}:${digest}`;
    },
    route: (delivery) => {
      const body = KlaviyoWebhookBodySchema.safeParse(delivery.payload);
      return body.success
        ? {
            accountId: body.data.meta.klaviyo_account_id,
            webhookId: body.data.meta.klaviyo_webhook_id,
          }
        : undefined;
    },
    actions: () => [{ kind: "sync", model: "profiles" }],
  };
}

/**
 * The connector's `lifecycle`: `setup` creates the connection's webhook
 * (once per webhook URL) with a fresh secret for the wanted topics the
 * account offers; `teardown` deletes it. Klaviyo's 403 (no CDP, or a key
 * without the webhooks scope) is logged and the connection goes on without one.
 *
 * @example
 * ```ts
 * defineConnector({ ..., lifecycle: klaviyoLifecycle(limiter, KLAVIYO_DEFAULT_WEBHOOK_TOPICS) });
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_webhook
 */
export function klaviyoLifecycle(
  limiter: RateLimiter,
  topics: readonly string[],
): ConnectorLifecycle<KlaviyoConfig> {
  const apiFor = (ctx: LifecycleContext<KlaviyoConfig>) =>
    klaviyoApi(ctx.http, {
      limiter,
      scopeKey: `klaviyo:${ctx.connection.id}`,
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
  const remove = async (ctx: LifecycleContext<KlaviyoConfig>, id: string) => {
    try {
      await apiFor(ctx).DELETE(KLAVIYO_PATHS.webhook, { params: { path: { id } } });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  };
  return {
    async setup(ctx): Promise<LifecycleResult | undefined> {
      if (ctx.webhookUrl === undefined) return undefined;
      const current = typeof ctx.metadata.webhookId === "string" ? ctx.metadata.webhookId : null;
      if (current !== null && ctx.metadata.webhookUrl === ctx.webhookUrl) return undefined;
      const api = apiFor(ctx);
      try {
        if (current !== null) await remove(ctx, current);
        const offered = bodyOf(
          await api.GET(KLAVIYO_PATHS.webhookTopics, {}),
          "GET /api/webhook-topics",
        ).data.map((topic) => topic.id);
        const chosen = topics.filter((topic) => offered.includes(topic));
        if (chosen.length === 0) {
          ctx.logger.warn("Klaviyo: none of the wanted webhook topics is offered; no webhook", {
            connectionId: ctx.connection.id,
          });
          return undefined;
        }
        const secret = randomBytes(32).toString("hex");
        const created = bodyOf(
          await api.POST(KLAVIYO_PATHS.webhooks, {
            body: {
              data: {
                type: "webhook",
                attributes: {
                  name: "Patchbay sync",
                  description: "Profile changes for Patchbay incremental syncs",
                  endpoint_url: ctx.webhookUrl,
                  secret_key: secret,
                },
                relationships: {
                  "webhook-topics": {
                    data: chosen.map((id) => ({ type: "webhook-topic" as const, id })),
                  },
                },
              },
            },
          }),
          "POST /api/webhooks",
        );
        return {
          metadata: {
            webhookId: created.data.id,
            webhookUrl: ctx.webhookUrl,
            webhookTopics: chosen,
          },
          webhookSecret: secret,
        };
      } catch (error) {
        if (error instanceof PatchbayError && error.status === 403) {
          ctx.logger.warn(
            "Klaviyo refused to create a webhook (webhooks need an OAuth app or Klaviyo CDP, and the webhooks scope); syncing on schedule only",
            { connectionId: ctx.connection.id },
          );
          return undefined;
        }
        throw error;
      }
    },
    async teardown(ctx) {
      if (typeof ctx.metadata.webhookId === "string") await remove(ctx, ctx.metadata.webhookId);
    },
  };
}
