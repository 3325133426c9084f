/**
 * Zod schemas: the credential form, the connection config, the `sendEvents`
 * input (the SDK's camelCase surface) and TikTok's wire shapes (TikTok's
 * own field names).
 */
import { z } from "zod";

/**
 * The credential form a store fills in: the pixel code and an Events API
 * access token generated for that pixel.
 *
 * @example
 * ```ts
 * TiktokPixelCredentialsSchema.parse({ pixelCode: "C4A1B2C3D4E5F6G7H8I9", accessToken: "0123456789abcdef..." });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TiktokPixelCredentialsSchema = z.object({
  pixelCode: z
    .string()
    .trim()
    .regex(
      /^[A-Z0-9]{16,24}$/,
      "must be the pixel code (20 capital letters and digits, e.g. C4A1B2C3D4E5F6G7H8I9)",
    )
    .describe(
      "Pixel code: TikTok Events Manager › Web › your pixel (the ID under the pixel's name).",
    ),
  accessToken: z
    .string()
    .trim()
    .min(20, "must be an Events API access token")
    .describe(
      "Access token: Events Manager › your pixel › Settings › Events API › Generate access token.",
    ),
});

/**
 * What {@link TiktokPixelCredentialsSchema} yields.
 *
 * @example
 * ```ts
 * const value: TiktokPixelCredentials = TiktokPixelCredentialsSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokPixelCredentials = z.infer<typeof TiktokPixelCredentialsSchema>;

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { testEventCode: "TEST12345", defaultPhoneCountryCode: "1" });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TiktokPixelConfigSchema = z.object({
  testEventCode: z
    .string()
    .regex(/^TEST\w+$/, "must be a test event code such as TEST12345")
    .optional()
    .describe(
      "Test event code (Events Manager › your pixel › Test events). While set, every event is a test event shown only there.",
    ),
  defaultPhoneCountryCode: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, "must be a calling code without + (1 for US/Canada)")
    .optional()
    .describe("Country calling code added to phone numbers entered without one (1 for US/Canada)."),
});

/**
 * What {@link TiktokPixelConfigSchema} yields.
 *
 * @example
 * ```ts
 * const value: TiktokPixelConfig = TiktokPixelConfigSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokPixelConfig = z.infer<typeof TiktokPixelConfigSchema>;

/**
 * Who did it, in plain text: email, phone and external id are normalised
 * and SHA-256 hashed by the connector (values already hashed pass through);
 * IP, user agent, `ttp` and `ttclid` are sent as they are.
 *
 * @example
 * ```ts
 * const user: TiktokUserInput = { email: "jane@example.com", phone: "+1 650 555 1212", ttclid: "E.C.P.abc", ip: "203.0.113.7", userAgent: "Mozilla/5.0 ..." };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TiktokUserInputSchema = z.object({
  email: z.string().min(1).optional().describe("Email; hashed"),
  phone: z.string().min(1).optional().describe("Phone, with country code; sent hashed in E.164"),
  externalId: z.string().min(1).optional().describe("Your customer id; hashed"),
  ip: z.string().min(1).optional().describe("Browser IP address; not hashed"),
  userAgent: z.string().min(1).optional().describe("Browser user agent; not hashed"),
  ttp: z.string().min(1).optional().describe("The _ttp cookie; not hashed"),
  ttclid: z
    .string()
    .min(1)
    .optional()
    .describe("TikTok click id (ttclid URL parameter or cookie); not hashed"),
});

/**
 * What {@link TiktokUserInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: TiktokUserInput = TiktokUserInputSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokUserInput = z.infer<typeof TiktokUserInputSchema>;

/**
 * One web event to send.
 *
 * @example
 * ```ts
 * const event: TiktokEventInput = {
 *   event: "CompletePayment", eventTime: 1767225600, eventId: "order-1001",
 *   user: { email: "jane@example.com" },
 *   page: { url: "https://shop.example.com/thanks" },
 *   properties: { currency: "USD", value: 249.5 },
 * };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TiktokEventInputSchema = z.object({
  event: z
    .string()
    .min(1)
    .max(100)
    .describe("Standard (CompletePayment, SubmitForm...) or custom event name"),
  eventTime: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .describe("When it happened: Unix seconds or an ISO 8601 time"),
  eventId: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("Deduplication id: the same event_id the browser pixel sent for this event"),
  user: TiktokUserInputSchema.default({}),
  page: z.object({ url: z.url().optional(), referrer: z.url().optional() }).optional(),
  properties: z.record(z.string(), z.unknown()).optional().describe("value, currency, contents..."),
  limitedDataUse: z.boolean().optional(),
});

/**
 * What {@link TiktokEventInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: TiktokEventInput = TiktokEventInputSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokEventInput = z.infer<typeof TiktokEventInputSchema>;

/**
 * Input of the `sendEvents` action.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "sendEvents", input: { events: [event] } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const SendEventsInputSchema = z.object({
  events: z.array(TiktokEventInputSchema).min(1),
  testEventCode: z
    .string()
    .regex(/^TEST\w+$/)
    .optional()
    .describe("Overrides the connection's test event code for this call"),
});

/**
 * What {@link SendEventsInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: SendEventsInput = SendEventsInputSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type SendEventsInput = z.infer<typeof SendEventsInputSchema>;

/**
 * `user` on the wire.
 *
 * @example
 * ```ts
 * const user: TiktokWireUser = { email: "836f82db...", ip: "203.0.113.7" };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface TiktokWireUser {
  email?: string;
  phone?: string;
  external_id?: string;
  ip?: string;
  user_agent?: string;
  ttp?: string;
  ttclid?: string;
}

/**
 * One event in `data` on the wire.
 *
 * @example
 * ```ts
 * const wire: TiktokWireEvent = { event: "CompletePayment", event_time: 1767225600, event_id: "order-1001", user: {} };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface TiktokWireEvent {
  event: string;
  event_time: number;
  event_id?: string;
  user: TiktokWireUser;
  page?: { url?: string; referrer?: string };
  properties?: Record<string, unknown>;
  limited_data_use?: boolean;
}

/**
 * The body of `POST event/track/` (Events API 2.0).
 *
 * @example
 * ```ts
 * const body: TiktokTrackRequest = { event_source: "web", event_source_id: "C4A1B2C3D4E5F6G7H8I9", data: [wire] };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface TiktokTrackRequest {
  event_source: "web";
  event_source_id: string;
  test_event_code?: string;
  data: TiktokWireEvent[];
}

/**
 * TikTok's response envelope: `code` 0 is success; anything else is an
 * error, usually on an HTTP 200.
 *
 * @example
 * ```ts
 * TiktokEnvelopeSchema.parse({ code: 0, message: "OK", request_id: "2026...", data: {} });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const TiktokEnvelopeSchema = z.looseObject({
  code: z.number().int(),
  message: z.string().default(""),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

/**
 * What {@link TiktokEnvelopeSchema} yields.
 *
 * @example
 * ```ts
 * const value: TiktokEnvelope = TiktokEnvelopeSchema.parse(input);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokEnvelope = z.infer<typeof TiktokEnvelopeSchema>;
