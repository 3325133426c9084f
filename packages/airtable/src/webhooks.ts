/**
 * Airtable webhooks: one per connection, on the configured base, watching
 * the configured table's records. Created on connect or configure,
 * refreshed daily (Airtable disables a webhook 7 days after its last
 * refresh), deleted on disconnect. Pings are signed with the webhook's MAC
 * secret and carry no data: each one enqueues an incremental sync, which
 * reads the payload log (see `sync.ts`).
 */
import {
  type ConnectorLifecycle,
  type HttpClient,
  type LifecycleContext,
  type LifecycleResult,
  NotFoundError,
  ProviderError,
  verifyHmacSignature,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { webhookPath, webhookRefreshPath, webhooksPath } from "./endpoints.js";
import {
  type AirtableConfig,
  AirtableConfigSchema,
  CreateWebhookResponseSchema,
  RefreshWebhookResponseSchema,
  WebhookPingSchema,
  type WebhookSpecification,
} from "./schemas.js";
import {
  type AirtableWebhookMetadata,
  webhookMetadata,
  webhookMetadataJson,
} from "./webhook-metadata.js";

/**
 * The header carrying a ping's signature: `hmac-sha256=<hex>`.
 *
 * @example
 * ```ts
 * delivery.headers.get(AIRTABLE_MAC_HEADER);
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview#webhook-notification-delivery
 */
export const AIRTABLE_MAC_HEADER = "x-airtable-content-mac";

/**
 * How often maintenance refreshes the webhook: daily, well inside Airtable's 7 days.
 *
 * @example
 * ```ts
 * airtable({ clientId }).lifecycle?.maintenance?.everyMinutes === WEBHOOK_REFRESH_EVERY_MINUTES; // true
 * ```
 * @see https://airtable.com/developers/web/api/refresh-a-webhook
 */
export const WEBHOOK_REFRESH_EVERY_MINUTES = 24 * 60;

/**
 * The webhook the connector creates: record changes of one table.
 *
 * @example
 * ```ts
 * webhookSpecification("tblA1b2C3d4E5f6G7").options.filters.recordChangeScope; // "tblA1b2C3d4E5f6G7"
 * ```
 * @see https://airtable.com/developers/web/api/model/webhooks-specification
 */
export function webhookSpecification(tableId: string): WebhookSpecification {
  return { options: { filters: { dataTypes: ["tableData"], recordChangeScope: tableId } } };
}

/**
 * Check a ping's `X-Airtable-Content-MAC`: HMAC-SHA256 of the raw body under
 * the base64-decoded `macSecretBase64`, hex, prefixed `hmac-sha256=`.
 * Constant-time; `false` without a secret.
 *
 * @example
 * ```ts
 * verifyAirtableSignature(delivery, macSecretBase64); // true for a genuine ping
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview#webhook-notification-delivery
 */
export function verifyAirtableSignature(
  delivery: Pick<WebhookDelivery, "headers" | "rawBody">,
  macSecretBase64: string | undefined,
): boolean {
  if (typeof macSecretBase64 !== "string" || macSecretBase64 === "") return false;
  return verifyHmacSignature({
    algorithm: "sha256",
    secret: new Uint8Array(Buffer.from(macSecretBase64, "base64")),
    data: delivery.rawBody,
    signature: delivery.headers.get(AIRTABLE_MAC_HEADER),
    encoding: "hex",
    prefix: "hmac-sha256=",
  });
}

/**
 * The connector's `webhooks`: per-connection MAC secrets, routing by the
 * ping's base and webhook ids, and an incremental sync of `records` per ping.
 * No replay window: a ping carries no data, so a replayed genuine ping only
 * causes one more (deduplicated) sync, while Airtable's own retries of a
 * failed delivery come late and must not be refused.
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: airtableWebhooks() });
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export function airtableWebhooks(): WebhookSpec {
  return {
    secret: "connection",
    verify: (delivery, secrets) => verifyAirtableSignature(delivery, secrets.connection),
    deliveryId: (delivery) => {
      const ping = WebhookPingSchema.safeParse(delivery.payload);
      return ping.success ? `${ping.data.webhook.id}:${ping.data.timestamp}` : undefined;
    },
    route: (delivery) => {
      const ping = WebhookPingSchema.safeParse(delivery.payload);
      return ping.success
        ? { baseId: ping.data.base.id, webhookId: ping.data.webhook.id }
        : undefined;
    },
    actions: () => [{ kind: "sync", model: "records" }],
  };
}

/** A webhook that is gone or can no longer be refreshed (expired and disabled). */
function isGone(error: unknown): boolean {
  return (
    error instanceof NotFoundError ||
    (error instanceof ProviderError &&
      error.status !== undefined &&
      [404, 410, 422].includes(error.status))
  );
}

async function deleteWebhook(http: HttpClient, hook: AirtableWebhookMetadata): Promise<void> {
  try {
    await http.delete(webhookPath(hook.baseId, hook.webhookId));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/**
 * Make sure the connection has a working webhook for its configured table:
 * refresh the one it has, or (when there is none, it is gone, or the base,
 * table or notification URL changed) delete the old one and create another.
 * Idempotent; does nothing before a table is configured or when the host has
 * no webhook URL.
 *
 * @example
 * ```ts
 * const result = await ensureWebhook({ connection, config, metadata, http, logger, webhookUrl });
 * // { metadata: { baseId, webhookId, webhookExpiresAt, ... }, webhookSecret } when it created one
 * ```
 * @see https://airtable.com/developers/web/api/create-a-webhook
 */
export async function ensureWebhook(
  ctx: LifecycleContext<AirtableConfig>,
): Promise<LifecycleResult | undefined> {
  const parsed = AirtableConfigSchema.safeParse(ctx.config ?? {});
  if (!parsed.success || ctx.webhookUrl === undefined) return undefined;
  const config = parsed.data;
  const current = webhookMetadata(ctx.metadata);
  if (
    current !== undefined &&
    current.baseId === config.baseId &&
    current.webhookTableId === config.tableId &&
    current.webhookNotificationUrl === ctx.webhookUrl
  ) {
    try {
      const { data } = await ctx.http.post(webhookRefreshPath(current.baseId, current.webhookId), {
        ...(ctx.signal && { signal: ctx.signal }),
      });
      const { expirationTime } = RefreshWebhookResponseSchema.parse(data ?? {});
      return { metadata: webhookMetadataJson({ ...current, webhookExpiresAt: expirationTime }) };
    } catch (error) {
      if (!isGone(error)) throw error;
      ctx.logger.warn(
        "Airtable: the connection's webhook expired or was removed; creating a new one",
        {
          connectionId: ctx.connection.id,
          baseId: current.baseId,
        },
      );
    }
  } else if (current !== undefined) {
    await deleteWebhook(ctx.http, current);
  }
  const { data } = await ctx.http.post(webhooksPath(config.baseId), {
    json: { notificationUrl: ctx.webhookUrl, specification: webhookSpecification(config.tableId) },
    ...(ctx.signal && { signal: ctx.signal }),
  });
  const created = CreateWebhookResponseSchema.parse(data);
  return {
    metadata: webhookMetadataJson({
      baseId: config.baseId,
      webhookId: created.id,
      webhookTableId: config.tableId,
      webhookNotificationUrl: ctx.webhookUrl,
      webhookExpiresAt: created.expirationTime ?? null,
    }),
    webhookSecret: created.macSecretBase64,
  };
}

/**
 * The connector's `lifecycle`: `setup` and a daily `maintenance` both run
 * {@link ensureWebhook}; `teardown` deletes the webhook.
 *
 * @example
 * ```ts
 * const lifecycle = airtableLifecycle();
 * await lifecycle.teardown?.(ctx); // DELETE bases/{baseId}/webhooks/{webhookId}
 * ```
 * @see https://airtable.com/developers/web/api/delete-a-webhook
 */
export function airtableLifecycle(): ConnectorLifecycle<AirtableConfig> {
  return {
    setup: ensureWebhook,
    async teardown(ctx) {
      const current = webhookMetadata(ctx.metadata);
      if (current !== undefined) await deleteWebhook(ctx.http, current);
    },
    maintenance: { everyMinutes: WEBHOOK_REFRESH_EVERY_MINUTES, run: ensureWebhook },
  };
}
