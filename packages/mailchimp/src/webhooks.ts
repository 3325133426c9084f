/**
 * Mailchimp list webhooks. Mailchimp signs nothing, so each connection's
 * webhook URL carries a random secret (`?secret=…`) that `verify` compares
 * in constant time; the validation GET Mailchimp sends when a webhook is
 * created is answered 200; deliveries are form-encoded.
 *
 * @see https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/
 */
import { createHash, randomBytes } from "node:crypto";
import {
  type ConnectorLifecycle,
  type HttpClient,
  type Json,
  type LifecycleContext,
  type LifecycleResult,
  NotFoundError,
  timingSafeEqual,
  type WebhookAction,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { readMailchimpConfig } from "./config.js";
import { MAILCHIMP_PATHS, mailchimpPath } from "./endpoints.js";
import { type MailchimpWebhook, MailchimpWebhookSchema } from "./schemas.js";
import { subscriberHash } from "./subscriber-hash.js";

/**
 * The query parameter of the webhook URL that carries the connection's secret.
 *
 * @example
 * ```ts
 * new URL(webhook.url).searchParams.get(MAILCHIMP_WEBHOOK_SECRET_PARAM);
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/#securing-webhooks
 */
export const MAILCHIMP_WEBHOOK_SECRET_PARAM = "secret";

/**
 * The events the connector subscribes to: every member change of the audience.
 *
 * @example
 * ```ts
 * await http.post(`/lists/${listId}/webhooks`, { json: { url, events: MAILCHIMP_WEBHOOK_EVENTS, sources: MAILCHIMP_WEBHOOK_SOURCES } });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/add-webhook/
 */
export const MAILCHIMP_WEBHOOK_EVENTS = {
  subscribe: true,
  unsubscribe: true,
  profile: true,
  cleaned: true,
  upemail: true,
  campaign: false,
} as const;

/**
 * Who may cause a delivery: the subscriber, an account admin, or the API
 * (including this connector's own writes, which the sync then finds unchanged).
 *
 * @example
 * ```ts
 * const sources = MAILCHIMP_WEBHOOK_SOURCES; // { user: true, admin: true, api: true }
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/add-webhook/
 */
export const MAILCHIMP_WEBHOOK_SOURCES = { user: true, admin: true, api: true } as const;

/** Metadata keys the lifecycle keeps on the connection. */
interface WebhookMetadata {
  /** The audience the webhook is on; webhook deliveries are routed by it. */
  listId?: string | null;
  webhookId?: string | null;
}

function field(delivery: WebhookDelivery, name: string): string | undefined {
  const payload = delivery.payload;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return undefined;
  const value = (payload as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The URL without the secret, to recognise our own webhook. */
function endpointOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete(MAILCHIMP_WEBHOOK_SECRET_PARAM);
    return parsed.href;
  } catch {
    return undefined;
  }
}

/**
 * How the connector receives Mailchimp webhooks.
 *
 * - `handshake`: Mailchimp validates a webhook URL with a GET (user agent
 *   `MailChimp.com WebHook Validator`) and creates the webhook only on a 200.
 * - `verify`: the URL's `secret` parameter against the connection's secret.
 * - `route`: `data[list_id]` of the form body → the connection whose
 *   metadata `listId` matches (set by `lifecycle.setup`).
 * - `actions`: member events run an incremental `members` sync; an email
 *   change (`upemail`) also removes the old address's record; `campaign`
 *   events sync `campaigns`.
 *
 * @example
 * ```ts
 * app.all("/integrations/webhooks/mailchimp", async (req, res) => send(res, await patchbay.handleWebhook("mailchimp", toRequest(req))));
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/
 */
export const mailchimpWebhooks: WebhookSpec = {
  secret: "connection",
  handshake: (request) =>
    request.method.toUpperCase() === "GET"
      ? new Response("OK", { status: 200, headers: { "content-type": "text/plain" } })
      : undefined,
  verify: (delivery, secrets) => {
    const given = delivery.url.searchParams.get(MAILCHIMP_WEBHOOK_SECRET_PARAM);
    const expected = secrets.connection;
    if (given === null || given === "" || expected === undefined || expected === "") return false;
    return timingSafeEqual(given, expected);
  },
  // Mailchimp sends no delivery id; a retried delivery repeats the same body.
  deliveryId: (delivery) => {
    const listId = field(delivery, "data[list_id]");
    if (listId === undefined) return undefined;
    return `${listId}:${createHash("sha256").update(delivery.rawBody).digest("hex")}`;
  },
  route: (delivery) => {
    const listId = field(delivery, "data[list_id]");
    return listId === undefined ? undefined : { listId };
  },
  actions: (delivery) => {
    const type = field(delivery, "type");
    const actions: WebhookAction[] = [];
    if (type === "upemail") {
      const old = field(delivery, "data[old_email]");
      if (old !== undefined)
        actions.push({ kind: "apply", model: "members", deleted: [subscriberHash(old)] });
    }
    if (type === "campaign") actions.push({ kind: "sync", model: "campaigns" });
    else if (type !== undefined && type in MAILCHIMP_WEBHOOK_EVENTS)
      actions.push({ kind: "sync", model: "members" });
    return actions;
  },
};

async function deleteWebhook(http: HttpClient, listId: string, webhookId: string): Promise<void> {
  try {
    await http.delete(
      mailchimpPath(MAILCHIMP_PATHS.webhook, { list_id: listId, webhook_id: webhookId }),
    );
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

async function findWebhook(
  http: HttpClient,
  listId: string,
  webhookId: string,
): Promise<MailchimpWebhook | undefined> {
  try {
    const { data } = await http.get<unknown>(
      mailchimpPath(MAILCHIMP_PATHS.webhook, { list_id: listId, webhook_id: webhookId }),
    );
    return MailchimpWebhookSchema.parse(data);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Keep exactly one webhook of this connection on its configured audience.
 * Idempotent: an existing webhook for the same audience and URL is kept (its
 * secret is read back from its URL), one on another audience or URL is
 * deleted, and a missing one is created with a new random secret. Without a
 * `webhookUrl` (the host set no `webhookBaseUrl`) nothing is created.
 *
 * @example
 * ```ts
 * const result = await connector.lifecycle!.setup!({ connection, config, metadata, http, logger, webhookUrl });
 * // { webhookSecret: "…", metadata: { listId: "a1b2c3d4e5", webhookId: "37b9c7f2d0" } }
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/add-webhook/
 */
export async function setupMailchimpWebhook(
  ctx: LifecycleContext,
): Promise<LifecycleResult | undefined> {
  const { listId } = readMailchimpConfig(ctx.config);
  const meta = ctx.metadata as WebhookMetadata & Record<string, Json>;
  const oldList = typeof meta.listId === "string" ? meta.listId : undefined;
  const oldHook = typeof meta.webhookId === "string" ? meta.webhookId : undefined;
  const cleared: LifecycleResult = { metadata: { listId: null, webhookId: null } };
  if (ctx.webhookUrl === undefined) {
    ctx.logger.info(
      "mailchimp: no webhookBaseUrl, so no webhook is created; sync on a schedule instead",
    );
    return undefined;
  }
  if (oldHook !== undefined && oldList !== undefined && oldList !== listId) {
    await deleteWebhook(ctx.http, oldList, oldHook);
    if (listId === undefined) return cleared;
  }
  if (listId === undefined) return undefined;
  const endpoint = endpointOf(ctx.webhookUrl);
  if (oldHook !== undefined && oldList === listId) {
    const existing = await findWebhook(ctx.http, listId, oldHook);
    const secret =
      existing === undefined
        ? null
        : new URL(existing.url).searchParams.get(MAILCHIMP_WEBHOOK_SECRET_PARAM);
    if (existing !== undefined && endpointOf(existing.url) === endpoint && secret) {
      return { webhookSecret: secret, metadata: { listId, webhookId: existing.id } };
    }
    if (existing !== undefined) await deleteWebhook(ctx.http, listId, existing.id);
  }
  const secret = randomBytes(24).toString("base64url");
  const url = new URL(ctx.webhookUrl);
  url.searchParams.set(MAILCHIMP_WEBHOOK_SECRET_PARAM, secret);
  const { data } = await ctx.http.post<unknown>(
    mailchimpPath(MAILCHIMP_PATHS.webhooks, { list_id: listId }),
    {
      json: { url: url.href, events: MAILCHIMP_WEBHOOK_EVENTS, sources: MAILCHIMP_WEBHOOK_SOURCES },
    },
  );
  const created = MailchimpWebhookSchema.parse(data);
  return { webhookSecret: secret, metadata: { listId, webhookId: created.id } };
}

/**
 * Remove the connection's webhook (on disconnect). A webhook already gone is fine.
 *
 * @example
 * ```ts
 * await connector.lifecycle!.teardown!(ctx);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/delete-webhook/
 */
export async function teardownMailchimpWebhook(ctx: LifecycleContext): Promise<void> {
  const meta = ctx.metadata as WebhookMetadata & Record<string, Json>;
  if (typeof meta.listId === "string" && typeof meta.webhookId === "string") {
    await deleteWebhook(ctx.http, meta.listId, meta.webhookId);
  }
}

/**
 * The connector's lifecycle: the list webhook is created on connect and on
 * every configure, moved when the audience changes, and removed on disconnect.
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: mailchimpWebhooks, lifecycle: mailchimpLifecycle });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/
 */
export const mailchimpLifecycle: ConnectorLifecycle = {
  setup: setupMailchimpWebhook,
  teardown: teardownMailchimpWebhook,
};
