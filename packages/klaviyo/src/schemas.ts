/**
 * Zod schemas: the connection config, the synced records (Klaviyo's own
 * attribute names, flattened out of the JSON:API resource next to its `id`),
 * the action inputs and the webhook delivery body.
 */
import { z } from "zod";

/**
 * The connection's settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { listId: "Y6nRLr" });
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export const KlaviyoConfigSchema = z.object({
  listId: z
    .string()
    .min(1)
    .optional()
    .describe("List the subscribeProfiles action uses when the call names none"),
});

/**
 * The connection's settings.
 *
 * @example
 * ```ts
 * const value: KlaviyoConfig = KlaviyoConfigSchema.parse(input);
 * ```
 * @see {@link KlaviyoConfigSchema}
 */
export type KlaviyoConfig = z.infer<typeof KlaviyoConfigSchema>;

/**
 * The private API key form: `pk_` followed by the key, as Settings → API
 * keys shows it once.
 *
 * @example
 * ```ts
 * KlaviyoApiKeyFieldsSchema.parse({ apiKey: "pk_0123456789abcdef0123456789abcdef01" });
 * ```
 * @see https://developers.klaviyo.com/en/docs/authenticate_
 */
export const KlaviyoApiKeyFieldsSchema = z.object({
  apiKey: z
    .string()
    .trim()
    .regex(/^pk_[A-Za-z0-9]{20,}$/, "must be a private API key (pk_…)")
    .describe(
      "Private API key: in Klaviyo, Settings → Account → API keys → Create Private API Key, with read access to Accounts, Lists and Profiles and full access to Events, Profiles, Lists, Subscriptions and Webhooks. Starts with pk_.",
    ),
});

const nullableString = z.string().nullable().optional();

/**
 * A profile's location attributes.
 *
 * @example
 * ```ts
 * const location: KlaviyoLocation = { city: "Portland", region: "OR", country: "United States" };
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export const KlaviyoLocationSchema = z
  .object({
    address1: nullableString,
    address2: nullableString,
    city: nullableString,
    country: nullableString,
    latitude: z.union([z.string(), z.number()]).nullable().optional(),
    longitude: z.union([z.string(), z.number()]).nullable().optional(),
    region: nullableString,
    zip: nullableString,
    timezone: nullableString,
    ip: nullableString,
  })
  .passthrough();

/**
 * A profile's location attributes.
 *
 * @example
 * ```ts
 * const value: KlaviyoLocation = KlaviyoLocationSchema.parse(input);
 * ```
 * @see {@link KlaviyoLocationSchema}
 */
export type KlaviyoLocation = z.infer<typeof KlaviyoLocationSchema>;

/**
 * A synced profile: the resource `id` plus its attributes under Klaviyo's names.
 *
 * @example
 * ```ts
 * const p: KlaviyoProfile = { id: "01HX…", email: "ada@example.com", first_name: "Ada", updated: "2026-07-20T10:00:00+00:00" };
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export const KlaviyoProfileSchema = z
  .object({
    id: z.string().min(1),
    email: nullableString,
    phone_number: nullableString,
    external_id: nullableString,
    first_name: nullableString,
    last_name: nullableString,
    organization: nullableString,
    locale: nullableString,
    title: nullableString,
    image: nullableString,
    created: nullableString,
    updated: nullableString,
    last_event_date: nullableString,
    location: KlaviyoLocationSchema.optional(),
    properties: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .passthrough();

/**
 * A synced profile.
 *
 * @example
 * ```ts
 * const value: KlaviyoProfile = KlaviyoProfileSchema.parse(input);
 * ```
 * @see {@link KlaviyoProfileSchema}
 */
export type KlaviyoProfile = z.infer<typeof KlaviyoProfileSchema>;

/**
 * What write-back sends for a profile: the attributes profile import
 * accepts. At least one of `email`, `phone_number` or `external_id`
 * identifies a new profile.
 *
 * @example
 * ```ts
 * const data: KlaviyoProfileInput = { email: "ada@example.com", first_name: "Ada", properties: { plan: "pro" } };
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_or_update_profile
 */
export const KlaviyoProfileInputSchema = z.object({
  email: nullableString,
  phone_number: nullableString,
  external_id: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  organization: nullableString,
  locale: nullableString,
  title: nullableString,
  image: nullableString,
  location: KlaviyoLocationSchema.optional(),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});

/**
 * What write-back sends for a profile.
 *
 * @example
 * ```ts
 * const value: KlaviyoProfileInput = KlaviyoProfileInputSchema.parse(input);
 * ```
 * @see {@link KlaviyoProfileInputSchema}
 */
export type KlaviyoProfileInput = z.infer<typeof KlaviyoProfileInputSchema>;

/**
 * A synced list.
 *
 * @example
 * ```ts
 * const l: KlaviyoList = { id: "Y6nRLr", name: "Newsletter", opt_in_process: "double_opt_in" };
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export const KlaviyoListSchema = z
  .object({
    id: z.string().min(1),
    name: nullableString,
    created: nullableString,
    updated: nullableString,
    opt_in_process: z.enum(["double_opt_in", "single_opt_in"]).nullable().optional(),
  })
  .passthrough();

/**
 * A synced list.
 *
 * @example
 * ```ts
 * const value: KlaviyoList = KlaviyoListSchema.parse(input);
 * ```
 * @see {@link KlaviyoListSchema}
 */
export type KlaviyoList = z.infer<typeof KlaviyoListSchema>;

const identifiers = {
  email: z.string().email().optional(),
  phone_number: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "must be E.164, e.g. +15005550006")
    .optional(),
  external_id: z.string().min(1).optional(),
};

/**
 * Input of the `createEvent` action: the metric name, who did it (at least
 * one identifier), and optional properties, value, time and `unique_id`
 * (Klaviyo records one event per profile, metric and `unique_id`).
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ ..., action: "createEvent", input: { metric: "Placed Order", email: "ada@example.com", value: 42.5, unique_id: "order-1001", properties: { items: 2 } } });
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_event
 */
export const CreateEventInputSchema = z
  .object({
    metric: z.string().min(1).max(127).describe("Metric name, e.g. Placed Order"),
    ...identifiers,
    profile: KlaviyoProfileInputSchema.omit({
      email: true,
      phone_number: true,
      external_id: true,
    })
      .optional()
      .describe("Profile attributes to set with the event"),
    properties: z.record(z.string(), z.unknown()).default({}),
    value: z.number().finite().optional(),
    value_currency: z.string().length(3).optional(),
    time: z.string().datetime({ offset: true }).optional(),
    unique_id: z.string().min(1).optional(),
  })
  .refine((i) => i.email ?? i.phone_number ?? i.external_id, {
    message: "name the profile with email, phone_number or external_id",
    path: ["email"],
  });

/**
 * Input of the `createEvent` action.
 *
 * @example
 * ```ts
 * const value: CreateEventInput = CreateEventInputSchema.parse(input);
 * ```
 * @see {@link CreateEventInputSchema}
 */
export type CreateEventInput = z.infer<typeof CreateEventInputSchema>;

/**
 * Input of the `subscribeProfiles` action: profiles to subscribe to email
 * (and SMS when a phone number is given) marketing, added to `listId` (or
 * the connection's configured list).
 *
 * @example
 * ```ts
 * { listId: "Y6nRLr", profiles: [{ email: "ada@example.com" }, { email: "bo@example.com", phone_number: "+15005550006" }] }
 * ```
 * @see https://developers.klaviyo.com/en/reference/bulk_subscribe_profiles
 */
export const SubscribeProfilesInputSchema = z.object({
  listId: z.string().min(1).optional(),
  profiles: z
    .array(
      z
        .object({ email: identifiers.email, phone_number: identifiers.phone_number })
        .refine((p) => p.email ?? p.phone_number, {
          message: "each profile needs email or phone_number",
        }),
    )
    .min(1)
    .max(1000),
  customSource: z.string().min(1).optional(),
});

/**
 * Input of the `subscribeProfiles` action.
 *
 * @example
 * ```ts
 * const value: SubscribeProfilesInput = SubscribeProfilesInputSchema.parse(input);
 * ```
 * @see {@link SubscribeProfilesInputSchema}
 */
export type SubscribeProfilesInput = z.infer<typeof SubscribeProfilesInputSchema>;

/**
 * A system webhook delivery body.
 *
 * @example
 * ```ts
 * KlaviyoWebhookBodySchema.parse(delivery.payload).meta.klaviyo_account_id;
 * ```
 * @see https://developers.klaviyo.com/en/docs/working_with_system_webhooks
 */
export const KlaviyoWebhookBodySchema = z.object({
  data: z.array(
    z
      .object({
        topic: z.string(),
        external_id: z.string().optional(),
        payload: z.unknown(),
      })
      .passthrough(),
  ),
  meta: z
    .object({
      klaviyo_account_id: z.string().min(1),
      klaviyo_webhook_id: z.string().min(1),
      timestamp: z.string().optional(),
    })
    .passthrough(),
});

/**
 * A system webhook delivery body.
 *
 * @example
 * ```ts
 * const value: KlaviyoWebhookBody = KlaviyoWebhookBodySchema.parse(input);
 * ```
 * @see {@link KlaviyoWebhookBodySchema}
 */
export type KlaviyoWebhookBody = z.infer<typeof KlaviyoWebhookBodySchema>;
