/**
 * Zod schemas: the credential form, the connection config, the `messages`
 * record (Twilio's own field names), the webhook payloads and Twilio's error
 * body. The REST request and response types come from the generated OpenAPI
 * types (`generated/twilio-api-v2010.ts`); these schemas check what arrives
 * at runtime.
 */
import { z } from "zod";

/**
 * Identifier formats Twilio uses (34 characters: a two-letter prefix and 32 hex digits).
 *
 * @example
 * ```ts
 * TWILIO_SID.account.test("AC0123456789abcdef0123456789abcdef"); // true
 * ```
 * @see https://www.twilio.com/docs/glossary/what-is-a-sid
 */
export const TWILIO_SID = {
  account: /^AC[0-9a-fA-F]{32}$/,
  apiKey: /^SK[0-9a-fA-F]{32}$/,
  message: /^(SM|MM)[0-9a-fA-F]{32}$/,
  messagingService: /^MG[0-9a-fA-F]{32}$/,
} as const;

/**
 * An E.164 phone number: `+`, a country code and the subscriber number, 15 digits at most, no spaces.
 *
 * @example
 * ```ts
 * E164_PATTERN.test("+15125550123"); // true
 * E164_PATTERN.test("(512) 555-0123"); // false
 * ```
 * @see https://www.twilio.com/docs/glossary/what-e164
 */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

/**
 * The longest message body Twilio accepts: 1,600 characters (longer bodies
 * fail with error 21617). Counted in Unicode code points.
 *
 * @example
 * ```ts
 * [...body].length <= MAX_BODY_CHARS;
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const MAX_BODY_CHARS = 1600;

const E164_HINT =
  "must be a phone number in E.164 format, such as +15125550123 (a plus sign, the country code, then the number, without spaces or punctuation)";

/** A short code (5–6 digits) or an alphanumeric sender ID (1–11 letters, digits or spaces, at least one letter). */
const OTHER_SENDER = /^(\d{5,6}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

/**
 * A recipient phone number in E.164 format, with an error that says how to write one.
 *
 * @example
 * ```ts
 * E164PhoneNumberSchema.parse("+15125550123");
 * ```
 * @see https://www.twilio.com/docs/glossary/what-e164
 */
export const E164PhoneNumberSchema = z.string().trim().regex(E164_PATTERN, E164_HINT);

/**
 * A sender: an E.164 Twilio number, a short code or an alphanumeric sender ID.
 *
 * @example
 * ```ts
 * SenderSchema.parse("+15125550100");
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const SenderSchema = z
  .string()
  .trim()
  .refine(
    (value) => E164_PATTERN.test(value) || OTHER_SENDER.test(value),
    `${E164_HINT}; or a short code (5-6 digits) or an alphanumeric sender ID`,
  );

/**
 * A message body: not empty, at most {@link MAX_BODY_CHARS} characters.
 *
 * @example
 * ```ts
 * MessageBodySchema.parse("Your technician is on the way.");
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const MessageBodySchema = z.string().superRefine((body, ctx) => {
  if (body.trim() === "") ctx.addIssue({ code: "custom", message: "must not be empty" });
  const length = [...body].length;
  if (length > MAX_BODY_CHARS) {
    ctx.addIssue({
      code: "custom",
      message: `is ${length} characters long; Twilio accepts at most ${MAX_BODY_CHARS} (error 21617)`,
    });
  }
});

/**
 * The credential form: the Account SID with its Auth Token, or the Account
 * SID with an API key (SID and secret). Each field carries a title and help
 * text for generated forms.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "twilio", credentials: { accountSid: "AC…", authToken: "…" } });
 * await patchbay.connect.withCredentials({ tenantId, connector: "twilio", credentials: { accountSid: "AC…", keySid: "SK…", keySecret: "…" } });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export const TwilioCredentialsSchema = z
  .object({
    accountSid: z
      .string()
      .trim()
      .regex(TWILIO_SID.account, "must be an Account SID: AC followed by 32 hex characters")
      .meta({
        title: "Account SID",
        description:
          "Starts with AC. In the Twilio Console, open Account Dashboard: it is under Account Info.",
      }),
    authToken: z
      .string()
      .trim()
      .regex(/^([0-9a-fA-F]{32})?$/, "must be the 32-character Auth Token")
      .optional()
      .meta({
        title: "Auth Token",
        description:
          "Under Account Info, next to the Account SID (click Show). Leave empty when you connect with an API key.",
      }),
    keySid: z
      .string()
      .trim()
      .regex(/^(SK[0-9a-fA-F]{32})?$/, "must be an API Key SID: SK followed by 32 hex characters")
      .optional()
      .meta({
        title: "API Key SID",
        description:
          "Optional, instead of the Auth Token: Console → Account management → API keys & tokens → Create API key. Starts with SK.",
      }),
    keySecret: z.string().trim().optional().meta({
      title: "API Key Secret",
      description: "Shown once, when the API key is created. Required with the API Key SID.",
    }),
  })
  .superRefine((fields, ctx) => {
    const token = fields.authToken ?? "";
    const keySid = fields.keySid ?? "";
    const keySecret = fields.keySecret ?? "";
    if (keySid !== "" || keySecret !== "") {
      if (keySid === "")
        ctx.addIssue({
          code: "custom",
          path: ["keySid"],
          message: "is required with an API Key Secret",
        });
      if (keySecret === "")
        ctx.addIssue({
          code: "custom",
          path: ["keySecret"],
          message: "is required with an API Key SID",
        });
      if (token !== "")
        ctx.addIssue({
          code: "custom",
          path: ["authToken"],
          message: "must be empty when you connect with an API key (give one or the other)",
        });
    } else if (token === "") {
      ctx.addIssue({
        code: "custom",
        path: ["authToken"],
        message: "is required (or give an API Key SID and Secret instead)",
      });
    }
  });

/**
 * What the user enters in the credential form.
 *
 * @example
 * ```ts
 * const fields: TwilioCredentials = { accountSid: "AC…", authToken: "…" };
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export type TwilioCredentials = z.infer<typeof TwilioCredentialsSchema>;

/**
 * Per-connection settings: the default sender for `sendSms`, a Twilio
 * number or a Messaging Service. Both optional; an action input wins.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { from: "+15125550100" });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const TwilioConfigSchema = z.object({
  from: SenderSchema.optional().meta({
    title: "Send from",
    description:
      "The Twilio phone number texts are sent from, in E.164 format (+15125550100). Console → Phone Numbers → Active numbers.",
  }),
  messagingServiceSid: z
    .string()
    .trim()
    .regex(TWILIO_SID.messagingService, "must be a Messaging Service SID: MG followed by 32 hex")
    .optional()
    .meta({
      title: "Messaging Service SID",
      description:
        "Optional: send through a Messaging Service (MG…) instead, and let Twilio pick the sender from its pool.",
    }),
});

/**
 * A connection's settings.
 *
 * @example
 * ```ts
 * const config: TwilioConfig = { from: "+15125550100" };
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export type TwilioConfig = z.infer<typeof TwilioConfigSchema>;

/**
 * Message statuses, as Twilio's OpenAPI document lists them.
 *
 * @example
 * ```ts
 * MESSAGE_STATUSES.includes("delivered"); // true
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
 */
export const MESSAGE_STATUSES = [
  "queued",
  "sending",
  "sent",
  "failed",
  "delivered",
  "undelivered",
  "receiving",
  "received",
  "accepted",
  "scheduled",
  "read",
  "partially_delivered",
  "canceled",
] as const;

/**
 * One Message resource as the `messages` model stores it: Twilio's own
 * fields (dates are RFC 2822 strings in GMT). Unknown fields are kept.
 *
 * @example
 * ```ts
 * const message = TwilioMessageSchema.parse(wire); // { sid: "SM…", status: "delivered", … }
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-properties
 */
export const TwilioMessageSchema = z.looseObject({
  sid: z.string().regex(TWILIO_SID.message, "must be a Message SID (SM… or MM…)"),
  account_sid: z.string(),
  messaging_service_sid: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  body: z.string().nullable(),
  status: z.string().describe(`One of ${MESSAGE_STATUSES.join(", ")}`),
  direction: z.string().describe("inbound, outbound-api, outbound-call or outbound-reply"),
  num_segments: z.string().nullable(),
  num_media: z.string().nullable(),
  price: z.string().nullable(),
  price_unit: z.string().nullable(),
  error_code: z.number().int().nullable(),
  error_message: z.string().nullable(),
  date_created: z.string().nullable(),
  date_sent: z.string().nullable(),
  date_updated: z.string().nullable(),
  api_version: z.string().nullable(),
  uri: z.string().nullable(),
});

/**
 * A stored message.
 *
 * @example
 * ```ts
 * const m: TwilioMessage = { sid: "SM…", status: "delivered", direction: "outbound-api", … };
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-properties
 */
export type TwilioMessage = z.infer<typeof TwilioMessageSchema>;

/**
 * Twilio's error body, as the official SDK's `RestException` reads it.
 *
 * @example
 * ```ts
 * TwilioErrorBodySchema.parse({ code: 20429, message: "Too Many Requests", more_info: "https://www.twilio.com/docs/errors/20429", status: 429 });
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions
 */
export const TwilioErrorBodySchema = z.object({
  code: z.number().int(),
  message: z.string(),
  more_info: z.string().optional(),
  status: z.number().int().optional(),
  details: z.unknown().optional(),
});

/**
 * A parsed Twilio error body.
 *
 * @example
 * ```ts
 * const body: TwilioErrorBody = { code: 21211, message: "Invalid 'To' Phone Number", status: 400 };
 * ```
 * @see https://www.twilio.com/docs/api/errors
 */
export type TwilioErrorBody = z.infer<typeof TwilioErrorBodySchema>;

/**
 * The form POST Twilio sends to a number's "A message comes in" URL.
 *
 * @example
 * ```ts
 * InboundMessageWebhookSchema.parse(delivery.payload).Body; // "Can you come earlier?"
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/webhook-request
 */
export const InboundMessageWebhookSchema = z.looseObject({
  MessageSid: z.string().regex(TWILIO_SID.message),
  AccountSid: z.string().regex(TWILIO_SID.account),
  From: z.string(),
  To: z.string(),
  Body: z.string().default(""),
  MessagingServiceSid: z.string().optional(),
  NumMedia: z.string().optional(),
  NumSegments: z.string().optional(),
  SmsStatus: z.string().optional(),
  ApiVersion: z.string().optional(),
});

/**
 * An inbound-message webhook.
 *
 * @example
 * ```ts
 * const inbound: InboundMessageWebhook = InboundMessageWebhookSchema.parse(payload);
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/webhook-request
 */
export type InboundMessageWebhook = z.infer<typeof InboundMessageWebhookSchema>;

/**
 * The form POST Twilio sends to a message's `StatusCallback` URL on each status change.
 *
 * @example
 * ```ts
 * StatusCallbackWebhookSchema.parse(delivery.payload).MessageStatus; // "delivered"
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 */
export const StatusCallbackWebhookSchema = z.looseObject({
  MessageSid: z.string().regex(TWILIO_SID.message),
  AccountSid: z.string().regex(TWILIO_SID.account),
  MessageStatus: z.string(),
  From: z.string().optional(),
  To: z.string().optional(),
  ErrorCode: z.string().optional(),
  SmsStatus: z.string().optional(),
  ApiVersion: z.string().optional(),
});

/**
 * A status callback.
 *
 * @example
 * ```ts
 * const callback: StatusCallbackWebhook = StatusCallbackWebhookSchema.parse(payload);
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 */
export type StatusCallbackWebhook = z.infer<typeof StatusCallbackWebhookSchema>;

/**
 * The `sendSms` action's input. `from` and `messagingServiceSid` default
 * to the connection's config.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "sendSms", input: { to: "+15125550123", body: "Your technician is on the way." } });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export const SendSmsInputSchema = z.object({
  to: E164PhoneNumberSchema.describe("The recipient, in E.164 format"),
  body: MessageBodySchema.describe(`The text, up to ${MAX_BODY_CHARS} characters`),
  from: SenderSchema.optional().describe("The sender; default: the connection's config"),
  messagingServiceSid: z
    .string()
    .trim()
    .regex(TWILIO_SID.messagingService, "must be a Messaging Service SID: MG followed by 32 hex")
    .optional()
    .describe("Send through this Messaging Service; default: the connection's config"),
});

/**
 * What `sendSms` takes.
 *
 * @example
 * ```ts
 * const input: SendSmsInput = { to: "+15125550123", body: "Reminder: service visit tomorrow 9-11am." };
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 */
export type SendSmsInput = z.infer<typeof SendSmsInputSchema>;
