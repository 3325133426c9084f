/**
 * Config, records and wire types of the Google Business Profile connector.
 * Wire types keep Google's field names; records add a few derived fields
 * (`rating` as a number, the parent location) and keep the rest as sent.
 *
 * @see https://developers.google.com/my-business/reference/rest
 */
import { z } from "zod";

/**
 * Daily metrics the Performance API serves.
 *
 * @example
 * ```ts
 * DAILY_METRICS.includes("CALL_CLICKS"); // true
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/DailyMetric
 */
export const DAILY_METRICS = [
  "BUSINESS_IMPRESSIONS_DESKTOP_MAPS",
  "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH",
  "BUSINESS_IMPRESSIONS_MOBILE_MAPS",
  "BUSINESS_IMPRESSIONS_MOBILE_SEARCH",
  "BUSINESS_CONVERSATIONS",
  "BUSINESS_DIRECTION_REQUESTS",
  "CALL_CLICKS",
  "WEBSITE_CLICKS",
  "BUSINESS_BOOKINGS",
  "BUSINESS_FOOD_ORDERS",
  "BUSINESS_FOOD_MENU_CLICKS",
] as const;

/**
 * The metrics synced when the config names none: what a home-service
 * business watches (impressions, calls, directions, website clicks).
 *
 * @example
 * ```ts
 * DEFAULT_DAILY_METRICS.length; // 7
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/DailyMetric
 */
export const DEFAULT_DAILY_METRICS = [
  "BUSINESS_IMPRESSIONS_DESKTOP_MAPS",
  "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH",
  "BUSINESS_IMPRESSIONS_MOBILE_MAPS",
  "BUSINESS_IMPRESSIONS_MOBILE_SEARCH",
  "CALL_CLICKS",
  "WEBSITE_CLICKS",
  "BUSINESS_DIRECTION_REQUESTS",
] as const satisfies ReadonlyArray<(typeof DAILY_METRICS)[number]>;

/**
 * Notification types of the Notifications API (v1 `NotificationType`).
 *
 * @example
 * ```ts
 * NOTIFICATION_TYPES.includes("NEW_REVIEW"); // true
 * ```
 * @see https://developers.google.com/my-business/reference/notifications/rest/v1/NotificationSetting#NotificationType
 */
export const NOTIFICATION_TYPES = [
  "GOOGLE_UPDATE",
  "NEW_REVIEW",
  "UPDATED_REVIEW",
  "NEW_CUSTOMER_MEDIA",
  "NEW_QUESTION",
  "UPDATED_QUESTION",
  "NEW_ANSWER",
  "UPDATED_ANSWER",
  "DUPLICATE_LOCATION",
  "LOSS_OF_VOICE_OF_MERCHANT",
  "VOICE_OF_MERCHANT_UPDATED",
] as const;

/**
 * Star ratings as Google sends them.
 *
 * @example
 * ```ts
 * STAR_RATINGS[5]; // "FIVE"
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#StarRating
 */
export const STAR_RATINGS = [
  "STAR_RATING_UNSPECIFIED",
  "ONE",
  "TWO",
  "THREE",
  "FOUR",
  "FIVE",
] as const;

/**
 * Call-to-action button types of a local post.
 *
 * @example
 * ```ts
 * CALL_TO_ACTION_TYPES.includes("CALL"); // true
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts#ActionType
 */
export const CALL_TO_ACTION_TYPES = [
  "BOOK",
  "ORDER",
  "SHOP",
  "LEARN_MORE",
  "SIGN_UP",
  "CALL",
] as const;

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * const config: GoogleBusinessProfileConfig = GoogleBusinessProfileConfigSchema.parse({ locationIds: ["4567"] });
 * ```
 * @see https://developers.google.com/my-business/reference/rest
 */
export const GoogleBusinessProfileConfigSchema = z.object({
  /** The Business Profile account (`accounts/123` or `123`). Default: the first account the user can access. */
  accountId: z
    .string()
    .regex(/^(accounts\/)?[A-Za-z0-9_-]+$/)
    .optional(),
  /** Only these locations (`locations/456` or `456`). Default: every location of the account. */
  locationIds: z.array(z.string().regex(/^(locations\/)?[A-Za-z0-9_-]+$/)).optional(),
  /** Daily metrics to sync. */
  metrics: z
    .array(z.enum(DAILY_METRICS))
    .min(1)
    .default([...DEFAULT_DAILY_METRICS]),
  /** How many days of metrics to keep (a full sync drops older days). */
  metricsDays: z.number().int().min(1).max(540).default(30),
  /** What Pub/Sub notifications to ask for (when the connector has `pubsub`). */
  notificationTypes: z
    .array(z.enum(NOTIFICATION_TYPES))
    .min(1)
    .default(["NEW_REVIEW", "UPDATED_REVIEW"]),
});

/**
 * The parsed config.
 * @example
 * ```ts
 * const c: GoogleBusinessProfileConfig = { metrics: ["CALL_CLICKS"], metricsDays: 30, notificationTypes: ["NEW_REVIEW"] };
 * ```
 * @see https://developers.google.com/my-business/reference/rest
 */
export type GoogleBusinessProfileConfig = z.infer<typeof GoogleBusinessProfileConfigSchema>;

/**
 * An account as the Account Management API sends it.
 * @example
 * ```ts
 * WireAccountSchema.parse({ name: "accounts/123", accountName: "Summit Plumbing", type: "LOCATION_GROUP" });
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts
 */
export const WireAccountSchema = z.looseObject({
  name: z.string(),
  accountName: z.string().optional(),
  type: z.string().optional(),
  role: z.string().optional(),
  verificationState: z.string().optional(),
  vettedState: z.string().optional(),
});
/** @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts @example `const a: WireAccount = { name: "accounts/1" };` */
export type WireAccount = z.infer<typeof WireAccountSchema>;

/**
 * A location record: Business Information's `Location` (fields of
 * `LOCATION_READ_MASK`) plus its account.
 * @example
 * ```ts
 * LocationRecordSchema.parse({ name: "locations/456", title: "Summit Plumbing — Boulder", accountName: "accounts/123" });
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations#Location
 */
export const LocationRecordSchema = z.looseObject({
  name: z.string().regex(/^locations\/[^/]+$/),
  title: z.string(),
  accountName: z.string(),
  storeCode: z.string().optional(),
  languageCode: z.string().optional(),
  phoneNumbers: z
    .looseObject({
      primaryPhone: z.string().optional(),
      additionalPhones: z.array(z.string()).optional(),
    })
    .optional(),
  categories: z.looseObject({}).optional(),
  storefrontAddress: z
    .looseObject({
      regionCode: z.string().optional(),
      postalCode: z.string().optional(),
      administrativeArea: z.string().optional(),
      locality: z.string().optional(),
      addressLines: z.array(z.string()).optional(),
    })
    .optional(),
  websiteUri: z.string().optional(),
  metadata: z.looseObject({}).optional(),
  openInfo: z.looseObject({}).optional(),
});
/** @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations#Location @example `const l: LocationRecord = { name: "locations/4", title: "Boulder", accountName: "accounts/1" };` */
export type LocationRecord = z.infer<typeof LocationRecordSchema>;

/**
 * A review as the v4 API sends it.
 * @example
 * ```ts
 * WireReviewSchema.parse({ name: "accounts/1/locations/2/reviews/r1", reviewId: "r1", starRating: "FIVE", createTime: "2025-05-01T10:00:00Z", updateTime: "2025-05-01T10:00:00Z" });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
 */
export const WireReviewSchema = z.looseObject({
  name: z.string(),
  reviewId: z.string(),
  reviewer: z
    .looseObject({
      displayName: z.string().optional(),
      profilePhotoUrl: z.string().optional(),
      isAnonymous: z.boolean().optional(),
    })
    .optional(),
  starRating: z.string().optional(),
  comment: z.string().optional(),
  createTime: z.string(),
  updateTime: z.string(),
  reviewReply: z.looseObject({ comment: z.string(), updateTime: z.string().optional() }).optional(),
});
/** @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review @example `const r: WireReview = WireReviewSchema.parse(raw);` */
export type WireReview = z.infer<typeof WireReviewSchema>;

/**
 * A review record: Google's fields, plus `rating` (1–5, `null` when Google
 * sends `STAR_RATING_UNSPECIFIED`), `locationName` (the v4 parent), and
 * `reviewReply` always present (`null` when unanswered).
 * @example
 * ```ts
 * const review: ReviewRecord = { name: "accounts/1/locations/2/reviews/r1", reviewId: "r1", locationName: "accounts/1/locations/2", starRating: "FIVE", rating: 5, comment: "Great", reviewer: { displayName: "Ann" }, createTime: "2025-05-01T10:00:00Z", updateTime: "2025-05-01T10:00:00Z", reviewReply: null };
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
 */
export const ReviewRecordSchema = z.object({
  name: z.string(),
  reviewId: z.string(),
  locationName: z.string(),
  reviewer: z.looseObject({
    displayName: z.string().optional(),
    profilePhotoUrl: z.string().optional(),
    isAnonymous: z.boolean().optional(),
  }),
  starRating: z.enum(STAR_RATINGS),
  rating: z.number().int().min(1).max(5).nullable(),
  comment: z.string().nullable(),
  createTime: z.string(),
  updateTime: z.string(),
  reviewReply: z.object({ comment: z.string(), updateTime: z.string().nullable() }).nullable(),
});
/** @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review @example `const r: ReviewRecord = ReviewRecordSchema.parse(raw);` */
export type ReviewRecord = z.infer<typeof ReviewRecordSchema>;

const CallToActionSchema = z.object({
  actionType: z.enum(CALL_TO_ACTION_TYPES),
  url: z.url().optional(),
});

/**
 * A local post record: Google's `LocalPost` plus `locationName` (the v4 parent).
 * @example
 * ```ts
 * LocalPostRecordSchema.parse({ name: "accounts/1/locations/2/localPosts/p1", locationName: "accounts/1/locations/2", summary: "Spring drain special", topicType: "STANDARD", state: "LIVE", createTime: "2025-05-01T10:00:00Z", updateTime: "2025-05-01T10:00:00Z" });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts#LocalPost
 */
export const LocalPostRecordSchema = z.looseObject({
  name: z.string(),
  locationName: z.string(),
  languageCode: z.string().optional(),
  summary: z.string().optional(),
  callToAction: z.looseObject({ actionType: z.string(), url: z.string().optional() }).optional(),
  topicType: z.string(),
  state: z.string().optional(),
  searchUrl: z.string().optional(),
  createTime: z.string(),
  updateTime: z.string(),
});
/** @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts#LocalPost @example `const p: LocalPostRecord = LocalPostRecordSchema.parse(raw);` */
export type LocalPostRecord = z.infer<typeof LocalPostRecordSchema>;

/**
 * One metric of one location on one day.
 * @example
 * ```ts
 * const m: DailyMetricRecord = { id: "456:2025-05-01:CALL_CLICKS", location: "locations/456", date: "2025-05-01", metric: "CALL_CLICKS", value: 4 };
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries
 */
export const DailyMetricRecordSchema = z.object({
  id: z.string(),
  location: z.string(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  metric: z.enum(DAILY_METRICS),
  value: z.number().int().min(0),
});
/** @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries @example `const m: DailyMetricRecord = DailyMetricRecordSchema.parse(raw);` */
export type DailyMetricRecord = z.infer<typeof DailyMetricRecordSchema>;

/**
 * Input of the `replyToReview` action.
 * @example
 * ```ts
 * ReplyToReviewInputSchema.parse({ reviewName: "accounts/1/locations/2/reviews/r1", comment: "Thanks, Ann!" });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply
 */
export const ReplyToReviewInputSchema = z.object({
  /** The review's resource name (the record's `name`). */
  reviewName: z.string().regex(/^accounts\/[^/]+\/locations\/[^/]+\/reviews\/[^/]+$/),
  /** The reply, at most 4096 bytes (Google's limit). */
  comment: z
    .string()
    .min(1)
    .refine((s) => Buffer.byteLength(s, "utf8") <= 4096, "must be at most 4096 bytes"),
});
/** @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply @example `const i: ReplyToReviewInput = { reviewName, comment: "Thanks!" };` */
export type ReplyToReviewInput = z.infer<typeof ReplyToReviewInputSchema>;

/**
 * Input of the `createPost` action: a STANDARD ("what's new") post.
 * @example
 * ```ts
 * CreatePostInputSchema.parse({ location: "locations/456", summary: "Same-day water heater installs", callToAction: { actionType: "CALL" } });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/create
 */
export const CreatePostInputSchema = z
  .object({
    /** The location (`locations/456`, `accounts/123/locations/456` or `456`). */
    location: z.string().min(1),
    /** The post's text. Google Business Profile caps posts at 1,500 characters. */
    summary: z.string().min(1).max(1500),
    languageCode: z.string().default("en-US"),
    /** A button: `CALL` dials the profile's phone (no url); the others open `url`. */
    callToAction: CallToActionSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const cta = input.callToAction;
    if (cta === undefined) return;
    if (cta.actionType === "CALL" && cta.url !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["callToAction", "url"],
        message: "must be unset for CALL",
      });
    if (cta.actionType !== "CALL" && cta.url === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["callToAction", "url"],
        message: `is required for ${cta.actionType}`,
      });
  });
/** @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/create @example `const i: CreatePostInput = CreatePostInputSchema.parse({ location: "456", summary: "Hi" });` */
export type CreatePostInput = z.infer<typeof CreatePostInputSchema>;

/**
 * A Pub/Sub push body.
 * @example
 * ```ts
 * PubSubPushSchema.parse({ message: { data: "e30=", messageId: "1" }, subscription: "projects/p/subscriptions/s" });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
export const PubSubPushSchema = z.looseObject({
  message: z.looseObject({
    data: z.string(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
  subscription: z.string().optional(),
});

/**
 * The notification inside `message.data`. Google documents the fields
 * `notificationType`, `locationName` and `reviewName` (v4 reference; the v1
 * reference spells them `location_name`, `review_name`); other spellings seen
 * in the wild (`type`, `location`, `review`) are accepted too.
 * @example
 * ```ts
 * GbpNotificationSchema.parse({ notificationType: "NEW_REVIEW", locationName: "accounts/1/locations/2", reviewName: "accounts/1/locations/2/reviews/r1" });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/Notifications#NotificationType
 */
export const GbpNotificationSchema = z.looseObject({
  notificationType: z.string().optional(),
  type: z.string().optional(),
  locationName: z.string().optional(),
  location_name: z.string().optional(),
  location: z.string().optional(),
  reviewName: z.string().optional(),
  review_name: z.string().optional(),
  review: z.string().optional(),
});
