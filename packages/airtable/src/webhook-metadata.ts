/**
 * What the connection's metadata remembers about its webhook. `baseId` and
 * `webhookId` are also the routing keys: a ping names both.
 */
import type { Json } from "@patchbay/core";
import type { AirtableConfig } from "./schemas.js";

/**
 * The webhook a connection owns, as kept in its metadata.
 *
 * @example
 * ```ts
 * const hook = webhookMetadata(connection.metadata); // { webhookId: "ach…", baseId: "app…", ... } | undefined
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export interface AirtableWebhookMetadata {
  /** Routing key: the base of the webhook (and of its pings). */
  baseId: string;
  /** Routing key: the webhook id. */
  webhookId: string;
  /** The table whose records it watches. */
  webhookTableId: string;
  /** Where it sends pings. */
  webhookNotificationUrl: string;
  /** When Airtable disables it unless refreshed (ISO), or `null` when it does not expire. */
  webhookExpiresAt: string | null;
}

/**
 * Read the webhook from connection metadata; `undefined` when there is none.
 *
 * @example
 * ```ts
 * if (webhookMetadata(ctx.metadata) === undefined) console.log("no webhook yet");
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export function webhookMetadata(
  metadata: Record<string, Json> | undefined,
): AirtableWebhookMetadata | undefined {
  const m = metadata ?? {};
  const strings = ["baseId", "webhookId", "webhookTableId", "webhookNotificationUrl"] as const;
  if (!strings.every((k) => typeof m[k] === "string" && m[k] !== "")) return undefined;
  const expires = m.webhookExpiresAt;
  return {
    baseId: m.baseId as string,
    webhookId: m.webhookId as string,
    webhookTableId: m.webhookTableId as string,
    webhookNotificationUrl: m.webhookNotificationUrl as string,
    webhookExpiresAt: typeof expires === "string" ? expires : null,
  };
}

/**
 * The connection's webhook id when it watches the configured table, so its
 * payloads describe what the model syncs.
 *
 * @example
 * ```ts
 * const id = activeWebhookId(ctx.metadata, config); // "ach…" | undefined
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export function activeWebhookId(
  metadata: Record<string, Json> | undefined,
  config: Pick<AirtableConfig, "baseId" | "tableId">,
): string | undefined {
  const hook = webhookMetadata(metadata);
  return hook !== undefined &&
    hook.baseId === config.baseId &&
    hook.webhookTableId === config.tableId
    ? hook.webhookId
    : undefined;
}

/**
 * The metadata to store for a webhook.
 *
 * @example
 * ```ts
 * return { metadata: webhookMetadataJson(hook), webhookSecret: macSecretBase64 };
 * ```
 * @see https://airtable.com/developers/web/api/webhooks-overview
 */
export function webhookMetadataJson(hook: AirtableWebhookMetadata): Record<string, Json> {
  return {
    baseId: hook.baseId,
    webhookId: hook.webhookId,
    webhookTableId: hook.webhookTableId,
    webhookNotificationUrl: hook.webhookNotificationUrl,
    webhookExpiresAt: hook.webhookExpiresAt,
  };
}
