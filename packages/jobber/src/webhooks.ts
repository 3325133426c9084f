/**
 * Jobber webhooks: configured once per app in the Developer Center (not per
 * connection), signed with the app's OAuth client secret, and routed to the
 * connection by the payload's `accountId`. A delivery carries only the
 * topic and the item's id: create and update topics start an incremental
 * sync of the model; destroy topics delete the record at once;
 * `APP_DISCONNECT` tells the host the user disconnected the app in Jobber.
 */
import {
  hmac,
  timingSafeEqual,
  type WebhookAction,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { JOBBER_WEBHOOK_SIGNATURE_HEADER } from "./endpoints.js";
import { type WebhookPayload, WebhookPayloadSchema } from "./schemas.js";

/**
 * Topic prefixes and the model each one concerns.
 *
 * @example
 * ```ts
 * JOBBER_TOPIC_MODELS.CLIENT; // "clients"
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks#supported-topics
 */
export const JOBBER_TOPIC_MODELS: Readonly<Record<string, string>> = Object.freeze({
  CLIENT: "clients",
  JOB: "jobs",
  QUOTE: "quotes",
  INVOICE: "invoices",
});

/**
 * The topic Jobber sends when a user disconnects the app in Jobber (all
 * tokens are already invalid when it arrives).
 *
 * @example
 * ```ts
 * if (event.topic === APP_DISCONNECT_TOPIC) markDisconnected();
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization#handling-app-disconnects
 */
export const APP_DISCONNECT_TOPIC = "APP_DISCONNECT";

/**
 * Check `X-Jobber-Hmac-SHA256`: base64 HMAC-SHA256 of the raw body under the
 * app's OAuth client secret, compared in constant time. `false` without a
 * secret or signature.
 *
 * @example
 * ```ts
 * verifyJobberSignature(delivery, process.env.JOBBER_CLIENT_SECRET); // true for a genuine delivery
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks#verify-authenticity-of-the-webhook
 */
export function verifyJobberSignature(
  delivery: Pick<WebhookDelivery, "headers" | "rawBody">,
  clientSecret: string | undefined,
): boolean {
  if (typeof clientSecret !== "string" || clientSecret === "") return false;
  const signature = delivery.headers.get(JOBBER_WEBHOOK_SIGNATURE_HEADER)?.trim();
  if (signature === undefined || signature === "") return false;
  return timingSafeEqual(hmac("sha256", clientSecret, delivery.rawBody, "base64"), signature);
}

/**
 * The webhook event of a delivery, or `undefined` when the body is not one.
 *
 * @example
 * ```ts
 * readWebhookEvent(delivery)?.topic; // "CLIENT_UPDATE"
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks#webhook-payload
 */
export function readWebhookEvent(
  delivery: Pick<WebhookDelivery, "payload">,
): WebhookPayload["data"]["webHookEvent"] | undefined {
  const parsed = WebhookPayloadSchema.safeParse(delivery.payload);
  return parsed.success ? parsed.data.data.webHookEvent : undefined;
}

/**
 * What a topic asks of a connection: `*_DESTROY` deletes the item from its
 * model, other topics of a synced model start an incremental sync of it,
 * anything else (`VISIT_*`, `PAYMENT_*`, ...) does nothing.
 *
 * @example
 * ```ts
 * webhookActionsFor("CLIENT_DESTROY", "Z2lk..."); // [{ kind: "apply", model: "clients", deleted: ["Z2lk..."] }]
 * webhookActionsFor("JOB_UPDATE", "Z2lk...");    // [{ kind: "sync", model: "jobs" }]
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks#supported-topics
 */
export function webhookActionsFor(topic: string, itemId: string): WebhookAction[] {
  const prefix = topic.split("_")[0] ?? "";
  const model = JOBBER_TOPIC_MODELS[prefix];
  if (model === undefined) return [];
  if (topic.endsWith("_DESTROY")) return [{ kind: "apply", model, deleted: [itemId] }];
  return [{ kind: "sync", model }];
}

/**
 * Options of {@link jobberWebhooks}.
 *
 * @example
 * ```ts
 * jobberWebhooks({ clientSecret });
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization#handling-app-disconnects
 */
export interface JobberWebhookOptions {
  clientSecret: string;
}

/**
 * The connector's `webhooks`: app-level secret, routing by `accountId`,
 * deduplication by topic, item and time (Jobber delivers at least once).
 * No replay window: deliveries carry no data, destroy topics are idempotent,
 * and Jobber's retries of a failed delivery come late.
 *
 * `APP_DISCONNECT` (the admin disconnected the app in Jobber): the
 * connection is marked `disconnected` with its credentials destroyed, and
 * Jobber is not called back (no `appDisconnect` mutation: the app is gone).
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: jobberWebhooks({ clientSecret }) });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks
 */
export function jobberWebhooks(options: JobberWebhookOptions): WebhookSpec {
  return {
    secret: "app",
    verify: (delivery) => verifyJobberSignature(delivery, options.clientSecret),
    deliveryId: (delivery) => {
      const event = readWebhookEvent(delivery);
      if (event === undefined) return undefined;
      const at = event.occurredAt ?? event.occuredAt ?? "";
      return `${event.accountId}:${event.topic}:${event.itemId}:${at}`;
    },
    route: (delivery) => {
      const event = readWebhookEvent(delivery);
      return event === undefined ? undefined : { accountId: event.accountId };
    },
    actions: async (delivery, _connection) => {
      const event = readWebhookEvent(delivery);
      if (event === undefined) return [];
      if (event.topic === APP_DISCONNECT_TOPIC) {
        return [{ kind: "disconnected", reason: "The app was disconnected in Jobber" }];
      }
      return webhookActionsFor(event.topic, event.itemId);
    },
  };
}
