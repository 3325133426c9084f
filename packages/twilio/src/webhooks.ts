/**
 * Webhooks: inbound texts (the number's "A message comes in" URL) and status
 * callbacks (the `StatusCallback` each sent text carries), both signed with
 * the account's Auth Token. Routed by `AccountSid` to the connections of
 * that account; verified with the token sealed as the connection's webhook
 * secret.
 *
 * - An inbound text is applied at once as a `messages` record.
 * - A status callback runs an incremental sync of `messages`, which fetches
 *   the message with its new status, error code and price.
 */
import {
  AuthError,
  type ConnectorLifecycle,
  type Json,
  type LifecycleContext,
  type LifecycleResult,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { accountSidOf, expectData, twilioApi } from "./api-client.js";
import { TWILIO_PATHS } from "./endpoints.js";
import { inboundMessageRecord } from "./messages.js";
import {
  InboundMessageWebhookSchema,
  StatusCallbackWebhookSchema,
  TWILIO_SID,
  type TwilioConfig,
} from "./schemas.js";
import { verifyTwilioRequest } from "./webhook-signature.js";

function field(payload: unknown, ...names: string[]): string | undefined {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return undefined;
  for (const name of names) {
    const value = (payload as Record<string, unknown>)[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * What a delivery is: a status callback (it carries `MessageStatus`), an
 * inbound text, or something else (ignored).
 *
 * @example
 * ```ts
 * twilioWebhookKind(delivery.payload); // "status" | "inbound" | "other"
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 */
export function twilioWebhookKind(payload: unknown): "status" | "inbound" | "other" {
  if (StatusCallbackWebhookSchema.safeParse(payload).success) return "status";
  if (InboundMessageWebhookSchema.safeParse(payload).success) return "inbound";
  return "other";
}

/**
 * The connector's `webhooks` (see the module comment). Twilio signs no
 * timestamp, so there is no replay window; a delivery id of account,
 * message and status makes a retried delivery apply once.
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: twilioWebhooks() });
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function twilioWebhooks(): WebhookSpec {
  return {
    secret: "connection",
    verify: (delivery: WebhookDelivery, secrets) =>
      verifyTwilioRequest(delivery, secrets.connection),
    route: (delivery) => {
      const sid = field(delivery.payload, "AccountSid", "account_sid");
      return sid !== undefined && TWILIO_SID.account.test(sid) ? { accountSid: sid } : undefined;
    },
    deliveryId: (delivery) => {
      const account = field(delivery.payload, "AccountSid", "account_sid");
      const message = field(delivery.payload, "MessageSid", "SmsSid");
      if (account === undefined || message === undefined) return undefined;
      const status = field(delivery.payload, "MessageStatus", "SmsStatus") ?? "received";
      return `${account}:${message}:${status}`;
    },
    actions: (delivery) => {
      const kind = twilioWebhookKind(delivery.payload);
      if (kind === "status") return [{ kind: "sync", model: "messages" }];
      if (kind === "inbound") {
        const inbound = InboundMessageWebhookSchema.parse(delivery.payload);
        return [{ kind: "apply", model: "messages", records: [inboundMessageRecord(inbound)] }];
      }
      return [];
    },
  };
}

/**
 * Learn the connection's webhook signing key (the account's Auth Token, from
 * the Account resource) and its status-callback URL (the host's webhook URL
 * for this connector). A Standard API key may not read the Account resource:
 * then webhooks cannot be verified, `webhookSigning` is `"unavailable"` and
 * sent texts carry no `StatusCallback`.
 *
 * @example
 * ```ts
 * const result = await ensureWebhookSecret(ctx);
 * // { metadata: { webhookSigning: "verified", statusCallbackUrl: "https://…/twilio" }, webhookSecret: "<auth token>" }
 * ```
 * @see https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
 */
export async function ensureWebhookSecret(
  ctx: LifecycleContext<TwilioConfig>,
): Promise<LifecycleResult> {
  const accountSid = accountSidOf(ctx.metadata);
  const metadata: Record<string, Json> = { statusCallbackUrl: null };
  try {
    const account = expectData(
      await twilioApi(ctx.http).GET(TWILIO_PATHS.account, {
        params: { path: { Sid: accountSid } },
        ...(ctx.signal && { signal: ctx.signal }),
      }),
      "Fetch Account",
    );
    if (typeof account.auth_token === "string" && account.auth_token !== "") {
      metadata.webhookSigning = "verified";
      if (ctx.webhookUrl !== undefined) metadata.statusCallbackUrl = ctx.webhookUrl;
      return { metadata, webhookSecret: account.auth_token };
    }
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
  }
  ctx.logger.warn(
    "Twilio: these credentials cannot read the account's Auth Token (a Standard API key?), so webhooks cannot be verified; texts are sent without a status callback",
    { connectionId: ctx.connection.id },
  );
  metadata.webhookSigning = "unavailable";
  return { metadata };
}

/**
 * The connector's `lifecycle`: `setup` runs {@link ensureWebhookSecret}
 * (after connecting and after each configure). Nothing is created at
 * Twilio, so there is nothing to tear down.
 *
 * @example
 * ```ts
 * defineConnector({ ..., lifecycle: twilioLifecycle() });
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function twilioLifecycle(): ConnectorLifecycle<TwilioConfig> {
  return { setup: ensureWebhookSecret };
}
