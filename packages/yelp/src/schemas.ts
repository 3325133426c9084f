/**
 * Zod schemas: the connection's config, and Yelp's wire shapes with Yelp's
 * own field names (`review_count`, `time_created`, `display_address`...).
 */
import { z } from "zod";

/**
 * What the business match endpoint needs to find a business: name and
 * street address, city, state and country, optionally the postal code and
 * phone (E.164) to sharpen the match.
 *
 * @example
 * ```ts
 * YelpMatchQuerySchema.parse({ name: "Bright Plumbing Co.", address1: "2100 S Lamar Blvd", city: "Austin", state: "TX", country: "US" });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export const YelpMatchQuerySchema = z.object({
  name: z.string().min(1).max(64).describe("Business name"),
  address1: z.string().min(1).max(64).describe("Street address"),
  address2: z.string().max(64).optional().describe("Address line 2"),
  city: z.string().min(1).max(64).describe("City"),
  state: z.string().min(1).max(3).describe("State or region code (ISO 3166-2), e.g. TX"),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code, e.g. US")
    .describe("Country code, e.g. US"),
  zip_code: z.string().max(12).optional().describe("Postal code"),
  phone: z
    .string()
    .regex(/^\+\d{6,15}$/, "must be E.164, e.g. +15125550100")
    .optional()
    .describe("Phone number, E.164"),
});

/**
 * The match query's fields (see {@link YelpMatchQuerySchema}).
 *
 * @example
 * ```ts
 * const value: YelpMatchQuery = YelpMatchQuerySchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export type YelpMatchQuery = z.infer<typeof YelpMatchQuerySchema>;

/**
 * One business to track: by its Yelp id (or alias), or by name and address
 * (looked up with the business match endpoint on each run's first use).
 *
 * @example
 * ```ts
 * const byId: YelpTrackedBusiness = { id: "bright-plumbing-co-austin" };
 * const byMatch: YelpTrackedBusiness = { match: { name: "Bright Plumbing Co.", address1: "2100 S Lamar Blvd", city: "Austin", state: "TX", country: "US" } };
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export const YelpTrackedBusinessSchema = z.union([
  z.object({ id: z.string().min(1).describe("Yelp business id or alias") }),
  z.object({ match: YelpMatchQuerySchema }),
]);

/**
 * One tracked business (see {@link YelpTrackedBusinessSchema}).
 *
 * @example
 * ```ts
 * const value: YelpTrackedBusiness = YelpTrackedBusinessSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export type YelpTrackedBusiness = z.infer<typeof YelpTrackedBusinessSchema>;

/**
 * The connection's settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, {
 *   businesses: [{ id: "bright-plumbing-co-austin" }, { id: "lone-star-rooter-austin" }],
 *   reviewsLocale: "en_US",
 * });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export const YelpConfigSchema = z.object({
  businesses: z
    .array(YelpTrackedBusinessSchema)
    .max(50)
    .default([])
    .describe("The businesses to track: your own and your competitors'"),
  reviewsLocale: z
    .string()
    .regex(/^[a-z]{2}_[A-Z]{2}$/, 'must look like "en_US"')
    .optional()
    .describe("Locale of the review excerpts, e.g. en_US"),
});

/**
 * The parsed config.
 *
 * @example
 * ```ts
 * const value: YelpConfig = YelpConfigSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export type YelpConfig = z.infer<typeof YelpConfigSchema>;

const LocationSchema = z.looseObject({
  address1: z.string().nullable().optional(),
  address2: z.string().nullable().optional(),
  address3: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  state: z.string().nullable().optional(),
  zip_code: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  display_address: z.array(z.string()).optional(),
});

/**
 * A business as `GET /businesses/{id}` returns it (unknown fields are kept).
 *
 * @example
 * ```ts
 * const b = YelpBusinessSchema.parse(data); // b.rating 4.5, b.review_count 128
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export const YelpBusinessSchema = z.looseObject({
  id: z.string(),
  alias: z.string(),
  name: z.string(),
  url: z.string().optional(),
  image_url: z.string().nullable().optional(),
  is_claimed: z.boolean().optional(),
  is_closed: z.boolean().optional(),
  phone: z.string().optional(),
  display_phone: z.string().optional(),
  rating: z.number(),
  review_count: z.number().int(),
  categories: z.array(z.looseObject({ alias: z.string(), title: z.string() })).optional(),
  location: LocationSchema.optional(),
  coordinates: z
    .looseObject({ latitude: z.number().nullable(), longitude: z.number().nullable() })
    .optional(),
});

/**
 * A Yelp business record.
 *
 * @example
 * ```ts
 * const value: YelpBusiness = YelpBusinessSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export type YelpBusiness = z.infer<typeof YelpBusinessSchema>;

/**
 * A review excerpt as `GET /businesses/{id}/reviews` returns it. `text` is
 * an excerpt Yelp truncates (about 160 characters); `time_created` is
 * `YYYY-MM-DD HH:mm:ss` in the business's local time.
 *
 * @example
 * ```ts
 * const r = YelpReviewWireSchema.parse(data.reviews[0]); // r.rating 5, r.text "Showed up in 30 minutes..."
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export const YelpReviewWireSchema = z.looseObject({
  id: z.string(),
  url: z.string().optional(),
  text: z.string(),
  rating: z.number(),
  time_created: z.string(),
  user: z.looseObject({
    id: z.string().optional(),
    profile_url: z.string().optional(),
    image_url: z.string().nullable().optional(),
    name: z.string(),
  }),
});

/**
 * A review record: Yelp's review with `business_id` added by the connector
 * (Yelp's review object does not name its business).
 *
 * @example
 * ```ts
 * const r: YelpReview = { ...wire, business_id: "bright-plumbing-co-austin" };
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export const YelpReviewSchema = YelpReviewWireSchema.extend({ business_id: z.string() });

/**
 * A review record.
 *
 * @example
 * ```ts
 * const value: YelpReview = YelpReviewSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export type YelpReview = z.infer<typeof YelpReviewSchema>;

/**
 * The reviews endpoint's body.
 *
 * @example
 * ```ts
 * const page = YelpReviewsPageSchema.parse(data); // { reviews: [...3], total: 128, possible_languages: ["en"] }
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export const YelpReviewsPageSchema = z.looseObject({
  reviews: z.array(YelpReviewWireSchema),
  total: z.number().int().optional(),
  possible_languages: z.array(z.string()).optional(),
});

/**
 * The reviews endpoint's body.
 *
 * @example
 * ```ts
 * const value: YelpReviewsPage = YelpReviewsPageSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export type YelpReviewsPage = z.infer<typeof YelpReviewsPageSchema>;

/**
 * One candidate of the business match endpoint (no rating: fetch the details for that).
 *
 * @example
 * ```ts
 * const { businesses } = YelpMatchResponseSchema.parse(data); // [{ id, alias, name, location, ... }]
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export const YelpMatchResponseSchema = z.looseObject({
  businesses: z.array(
    z.looseObject({
      id: z.string(),
      alias: z.string().optional(),
      name: z.string(),
      location: LocationSchema.optional(),
      phone: z.string().optional(),
    }),
  ),
});

/**
 * The match endpoint's body.
 *
 * @example
 * ```ts
 * const value: YelpMatchResponse = YelpMatchResponseSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export type YelpMatchResponse = z.infer<typeof YelpMatchResponseSchema>;

/**
 * Yelp's error body: `{ error: { code, description } }`.
 *
 * @example
 * ```ts
 * YelpErrorBodySchema.parse({ error: { code: "BUSINESS_NOT_FOUND", description: "The requested business could not be found." } });
 * ```
 * @see https://docs.developer.yelp.com/docs/api-errors
 */
export const YelpErrorBodySchema = z.object({
  error: z.looseObject({
    code: z.string(),
    description: z.string().optional(),
    field: z.string().optional(),
  }),
});

/**
 * Yelp's error body.
 *
 * @example
 * ```ts
 * const value: YelpErrorBody = YelpErrorBodySchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/docs/api-errors
 */
export type YelpErrorBody = z.infer<typeof YelpErrorBodySchema>;

/**
 * The daily quota as last seen in Yelp's response headers, kept on the
 * connection's metadata as `yelpQuota` so a host can show "quota 80% used".
 *
 * @example
 * ```ts
 * const quota = YelpQuotaSchema.parse(connection.metadata.yelpQuota);
 * if (quota.usedPercent !== null && quota.usedPercent >= 80) warn(`Yelp quota ${quota.usedPercent}% used`);
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export const YelpQuotaSchema = z.object({
  /** `RateLimit-DailyLimit`: calls allowed per day. */
  dailyLimit: z.number().int().nullable(),
  /** `RateLimit-Remaining`: calls left today. */
  remaining: z.number().int().nullable(),
  /** `RateLimit-ResetTime`: when the count resets (midnight UTC), ISO 8601. */
  resetTime: z.string().nullable(),
  /** Share of the daily limit used, 0–100 (one decimal), or `null` when unknown. */
  usedPercent: z.number().nullable(),
  /** `true` once Yelp answered `ACCESS_LIMIT_REACHED` (or `remaining` hit 0) until `resetTime`. */
  exhausted: z.boolean(),
  /** When these values were read, ISO 8601. */
  observedAt: z.string(),
});

/**
 * The daily quota (see {@link YelpQuotaSchema}).
 *
 * @example
 * ```ts
 * const value: YelpQuota = YelpQuotaSchema.parse(data);
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export type YelpQuota = z.infer<typeof YelpQuotaSchema>;
