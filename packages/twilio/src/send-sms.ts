/**
 * The `sendSms` action: `POST /Accounts/{AccountSid}/Messages.json`,
 * form-encoded, with the connection's webhook URL as `StatusCallback` so
 * delivery updates come back as signed status callbacks.
 */
import { type ActionDefinition, ConfigError, parseWith } from "@patchbay/core";
import { accountSidOf, expectData, FORM_ENCODED, twilioApi } from "./api-client.js";
import { TWILIO_PATHS } from "./endpoints.js";
import type { components } from "./generated/twilio-api-v2010.js";
import {
  type SendSmsInput,
  SendSmsInputSchema,
  type TwilioConfig,
  TwilioConfigSchema,
} from "./schemas.js";

/**
 * The Message resource Twilio returns (201) for a sent text: `sid`, `status`
 * (`queued`, or `accepted` through a Messaging Service), `num_segments`…
 *
 * @example
 * ```ts
 * const sent: SentMessage = await patchbay.actions.run({ ..., action: "sendSms", input });
 * sent.sid; // "SM…"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-properties
 */
export type SentMessage = components["schemas"]["api.v2010.account.message"];

/**
 * The form fields of a send: `To`, `Body`, `From` or `MessagingServiceSid`
 * (the input's, else the config's), and `StatusCallback` when the
 * connection has a verified webhook URL.
 *
 * @throws ConfigError when neither the input nor the config names a sender.
 * @example
 * ```ts
 * sendSmsForm({ to: "+15125550123", body: "On our way!" }, { from: "+15125550100" }, "https://app.example.com/integrations/webhooks/twilio");
 * // { To: "+15125550123", Body: "On our way!", From: "+15125550100", StatusCallback: "https://…/twilio" }
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export function sendSmsForm(
  input: SendSmsInput,
  config: TwilioConfig,
  statusCallbackUrl: string | undefined,
): {
  To: string;
  Body: string;
  From?: string;
  MessagingServiceSid?: string;
  StatusCallback?: string;
} {
  const explicit = input.from !== undefined || input.messagingServiceSid !== undefined;
  const from = explicit ? input.from : config.from;
  const service = explicit ? input.messagingServiceSid : config.messagingServiceSid;
  if (from === undefined && service === undefined) {
    throw new ConfigError(
      'No sender: pass "from" (a Twilio number such as +15125550100) or "messagingServiceSid", or set one in the connection\'s config',
    );
  }
  return {
    To: input.to,
    Body: input.body,
    ...(from !== undefined && { From: from }),
    ...(service !== undefined && { MessagingServiceSid: service }),
    ...(statusCallbackUrl !== undefined && { StatusCallback: statusCallbackUrl }),
  };
}

/**
 * The `sendSms` action. The input is checked before anything is sent:
 * `to` in E.164, a non-empty body of at most 1,600 characters, a sender.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "sendSms", input: { to: "+15125550123", body: "Your technician Sam is on the way." } });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const sendSmsAction: ActionDefinition<typeof SendSmsInputSchema, SentMessage, TwilioConfig> =
  {
    description:
      "Send a text message. Delivery updates arrive as status callbacks and update the message in `messages`.",
    input: SendSmsInputSchema,
    async run(ctx, rawInput) {
      const input = parseWith(SendSmsInputSchema, rawInput, "input");
      const config = parseWith(TwilioConfigSchema, ctx.config ?? {}, "config");
      const callback = ctx.metadata.statusCallbackUrl;
      const form = sendSmsForm(
        input,
        config,
        typeof callback === "string" && callback !== "" ? callback : undefined,
      );
      return expectData(
        await twilioApi(ctx.http).POST(TWILIO_PATHS.messages, {
          params: { path: { AccountSid: accountSidOf(ctx.metadata) } },
          body: form,
          ...FORM_ENCODED,
          ...(ctx.signal && { signal: ctx.signal }),
        }),
        "Create Message",
      );
    },
  };
