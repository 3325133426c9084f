/**
 * Zod schemas: the credential form, the connection config, the `sendEvents`
 * input (the SDK's camelCase surface) and Meta's wire shapes (Meta's own
 * field names).
 */
import { z } from "zod";

/**
 * The credential form a store fills in: the pixel (dataset) id and a
 * Conversions API access token.
 *
 * @example
 * ```ts
 * MetaPixelCredentialsSchema.parse({ pixelId: "1234567890123456", accessToken: "EAAB..." });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/get-started
 */
export const MetaPixelCredentialsSchema = z.object({
  pixelId: z
    .string()
    .trim()
    .regex(/^\d{5,20}$/, "must be the pixel's numeric id (Events Manager › Data sources)")
    .describe(
      "Pixel ID: Events Manager › Data sources › your pixel › Settings (the number under the pixel's name).",
    ),
  accessToken: z
    .string()
    .trim()
    .min(20, "must be a Conversions API access token")
    .describe(
      "Access token: Events Manager › your pixel › Settings › Conversions API › Generate access token.",
    ),
});

/**
 * What {@link MetaPixelCredentialsSchema} yields.
 *
 * @example
 * ```ts
 * const value: MetaPixelCredentials = MetaPixelCredentialsSchema.parse(input);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type MetaPixelCredentials = z.infer<typeof MetaPixelCredentialsSchema>;

/**
 * Where an event happened (`action_source`).
 *
 * @example
 * ```ts
 * ActionSourceSchema.parse("website");
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event#action-source
 */
export const ActionSourceSchema = z.enum([
  "website",
  "app",
  "email",
  "phone_call",
  "chat",
  "physical_store",
  "system_generated",
  "business_messaging",
  "other",
]);

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { defaultPhoneCountryCode: "1", testEventCode: "TEST12345" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#testEvents
 */
export const MetaPixelConfigSchema = z.object({
  testEventCode: z
    .string()
    .regex(/^TEST\w+$/, "must be a test event code such as TEST12345")
    .optional()
    .describe(
      "Test event code (Events Manager › Test events). While set, every event is sent as a test event and shows only in Test events.",
    ),
  defaultPhoneCountryCode: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, "must be a calling code without + (1 for US/Canada, 44 for the UK)")
    .optional()
    .describe(
      "Country calling code added to phone numbers entered without one (1 for US/Canada). Meta matches phone numbers only with a country code.",
    ),
  actionSource: ActionSourceSchema.default("website").describe(
    "Where events happen when an event does not say (action_source).",
  ),
});

/**
 * What {@link MetaPixelConfigSchema} yields.
 *
 * @example
 * ```ts
 * const value: MetaPixelConfig = MetaPixelConfigSchema.parse(input);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type MetaPixelConfig = z.infer<typeof MetaPixelConfigSchema>;

const oneOrMany = (item: z.ZodString) => z.union([item, z.array(item).min(1)]);

/**
 * Who did it, in plain text: the connector normalises and SHA-256 hashes the
 * contact fields the way Meta specifies. Values that are already SHA-256
 * hex digests are sent as they are. IP, user agent, `fbc` and `fbp` are
 * never hashed.
 *
 * @example
 * ```ts
 * const user: MetaUserInput = { email: "Jane@Example.com", phone: "(650) 555-1212", clientIpAddress: "203.0.113.7", clientUserAgent: "Mozilla/5.0 ..." };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export const MetaUserInputSchema = z.object({
  email: oneOrMany(z.string().min(1)).optional().describe("Email (em); hashed"),
  phone: oneOrMany(z.string().min(1)).optional().describe("Phone (ph), with country code; hashed"),
  firstName: z.string().min(1).optional().describe("First name (fn); hashed"),
  lastName: z.string().min(1).optional().describe("Last name (ln); hashed"),
  gender: z.string().min(1).optional().describe("Gender (ge): f or m; hashed"),
  dateOfBirth: z
    .string()
    .min(1)
    .optional()
    .describe("Date of birth (db), YYYYMMDD or YYYY-MM-DD; hashed"),
  city: z.string().min(1).optional().describe("City (ct); hashed"),
  state: z.string().min(1).optional().describe("State (st), 2-letter code for the US; hashed"),
  zip: z.string().min(1).optional().describe("Zip or postal code (zp); hashed"),
  country: z.string().min(1).optional().describe("Country (country), ISO 3166-1 alpha-2; hashed"),
  externalId: oneOrMany(z.string().min(1))
    .optional()
    .describe("Your customer id (external_id); hashed"),
  clientIpAddress: z.string().min(1).optional().describe("Browser IP address; not hashed"),
  clientUserAgent: z.string().min(1).optional().describe("Browser user agent; not hashed"),
  fbc: z.string().min(1).optional().describe("Click id from the _fbc cookie; not hashed"),
  fbp: z.string().min(1).optional().describe("Browser id from the _fbp cookie; not hashed"),
});

/**
 * What {@link MetaUserInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: MetaUserInput = MetaUserInputSchema.parse(input);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type MetaUserInput = z.infer<typeof MetaUserInputSchema>;

/**
 * One event to send.
 *
 * @example
 * ```ts
 * const event: MetaEventInput = {
 *   eventName: "Purchase", eventTime: 1767225600, eventId: "order-1001",
 *   eventSourceUrl: "https://shop.example.com/checkout/done",
 *   user: { email: "jane@example.com", clientUserAgent: "Mozilla/5.0 ..." },
 *   customData: { currency: "usd", value: 249.5 },
 * };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event
 */
export const MetaEventInputSchema = z.object({
  eventName: z
    .string()
    .min(1)
    .max(100)
    .describe("Standard (Purchase, Lead...) or custom event name"),
  eventTime: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .describe("When it happened: Unix seconds or an ISO 8601 time"),
  eventId: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("Deduplication id: the same eventID the browser pixel sent for this event"),
  actionSource: ActionSourceSchema.optional(),
  eventSourceUrl: z.url().optional().describe("The page URL (required for website events)"),
  user: MetaUserInputSchema,
  customData: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("custom_data: value, currency, contents..."),
  optOut: z.boolean().optional(),
});

/**
 * What {@link MetaEventInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: MetaEventInput = MetaEventInputSchema.parse(input);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type MetaEventInput = z.infer<typeof MetaEventInputSchema>;

/**
 * Input of the `sendEvents` action.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "sendEvents", input: { events: [event] } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export const SendEventsInputSchema = z.object({
  events: z.array(MetaEventInputSchema).min(1),
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
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type SendEventsInput = z.infer<typeof SendEventsInputSchema>;

/**
 * `user_data` on the wire: hashed contact fields as lists, browser fields plain.
 *
 * @example
 * ```ts
 * const userData: MetaUserData = { em: ["62a14e44..."], client_user_agent: "Mozilla/5.0 ..." };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export interface MetaUserData {
  em?: string[];
  ph?: string[];
  fn?: string;
  ln?: string;
  ge?: string;
  db?: string;
  ct?: string;
  st?: string;
  zp?: string;
  country?: string;
  external_id?: string[];
  client_ip_address?: string;
  client_user_agent?: string;
  fbc?: string;
  fbp?: string;
}

/**
 * One server event on the wire.
 *
 * @example
 * ```ts
 * const wire: MetaServerEvent = { event_name: "Purchase", event_time: 1767225600, action_source: "website", user_data: {} };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event
 */
export interface MetaServerEvent {
  event_name: string;
  event_time: number;
  event_id?: string;
  action_source: z.infer<typeof ActionSourceSchema>;
  event_source_url?: string;
  opt_out?: boolean;
  user_data: MetaUserData;
  custom_data?: Record<string, unknown>;
}

/**
 * The body of `POST /{pixel-id}/events`.
 *
 * @example
 * ```ts
 * const body: MetaEventsRequest = { data: [wire], test_event_code: "TEST12345" };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export interface MetaEventsRequest {
  data: MetaServerEvent[];
  test_event_code?: string;
}

/**
 * Meta's answer to a batch: how many events it received.
 *
 * @example
 * ```ts
 * EventsResponseSchema.parse({ events_received: 1, messages: [], fbtrace_id: "AbC" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export const EventsResponseSchema = z.looseObject({
  events_received: z.number().int(),
  messages: z.array(z.unknown()).default([]),
  fbtrace_id: z.string().optional(),
});

/**
 * The pixel node as `GET /{pixel-id}?fields=id,name` returns it.
 *
 * @example
 * ```ts
 * PixelSchema.parse({ id: "1234567890123456", name: "Shop pixel" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ads-pixel
 */
export const PixelSchema = z.looseObject({ id: z.string(), name: z.string().optional() });

/**
 * A Graph API error body.
 *
 * @example
 * ```ts
 * GraphErrorBodySchema.parse({ error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190, fbtrace_id: "A1" } });
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export const GraphErrorBodySchema = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/**
 * What {@link GraphErrorBodySchema} yields.
 *
 * @example
 * ```ts
 * const value: GraphErrorBody = GraphErrorBodySchema.parse(input);
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export type GraphErrorBody = z.infer<typeof GraphErrorBodySchema>;
