/**
 * The Google Business Profile connector: locations, reviews (with replies),
 * local posts and daily performance metrics; reply and post actions; review
 * notifications through Cloud Pub/Sub.
 *
 * @see https://developers.google.com/my-business/content/overview
 */
import {
  type ConnectorDefinition,
  defineAction,
  defineConnector,
  defineModel,
  type Json,
} from "@patchbay/core";
import { type GoogleOAuthOptions, googleOAuth } from "@patchbay/google-common";
import { listAccounts, syncLocations } from "./account.js";
import { accountIdOf, GBP_SCOPE, MY_BUSINESS_V4_API } from "./endpoints.js";
import { parseBusinessProfileError } from "./error-parser.js";
import { createPost, syncLocalPosts } from "./local-posts.js";
import {
  type GbpPubSubOptions,
  gbpNotificationLifecycle,
  gbpPushWebhooks,
} from "./notifications.js";
import { syncDailyMetrics } from "./performance.js";
import { googleBusinessProfileRateLimits } from "./rate-limit.js";
import { replyToReview, syncReviews } from "./reviews.js";
import {
  CreatePostInputSchema,
  DailyMetricRecordSchema,
  GoogleBusinessProfileConfigSchema,
  LocalPostRecordSchema,
  LocationRecordSchema,
  ReplyToReviewInputSchema,
  ReviewRecordSchema,
} from "./schemas.js";

/**
 * Options of {@link googleBusinessProfile}: the host's Google OAuth app and,
 * for real-time review notifications, its Pub/Sub setup.
 *
 * @example
 * ```ts
 * const options: GoogleBusinessProfileOptions = { clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! };
 * ```
 * @see https://developers.google.com/my-business/content/basic-setup
 */
export interface GoogleBusinessProfileOptions extends GoogleOAuthOptions {
  /** Notifications through Cloud Pub/Sub. Without it, reviews arrive by scheduled syncs only. */
  pubsub?: GbpPubSubOptions;
  /** The clock the metrics window is computed from (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * The Google Business Profile connector. Scope `business.manage` (the only
 * one the APIs accept). Models `reviews` (incremental), `locations`,
 * `localPosts` and `dailyMetrics` (incremental by date); actions
 * `replyToReview` and `createPost`, held to Google's 10 edits per minute per
 * location; notifications through Pub/Sub when `pubsub` is given.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({
 *   connectors: [googleBusinessProfile({ clientId, clientSecret, pubsub: { topicName, audience, serviceAccountEmail } })],
 *   store, vault,
 * });
 * ```
 * @see https://developers.google.com/my-business/content/overview
 */
export function googleBusinessProfile(
  options: GoogleBusinessProfileOptions,
): ConnectorDefinition<typeof GoogleBusinessProfileConfigSchema> {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object with clientId and clientSecret');
  if (typeof options.clientId !== "string" || options.clientId === "")
    throw new TypeError('"clientId" must be a non-empty string');
  if (typeof options.clientSecret !== "string" || options.clientSecret === "")
    throw new TypeError('"clientSecret" must be a non-empty string');
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  const push = options.pubsub;
  return defineConnector({
    id: "google-business-profile",
    name: "Google Business Profile",
    category: "marketing",
    description:
      "Keep a copy of your Google reviews, posts and profile performance, reply to reviews and publish posts.",
    docsUrl: "https://developers.google.com/my-business/content/overview",
    auth: googleOAuth(
      { clientId: options.clientId, clientSecret: options.clientSecret },
      [GBP_SCOPE],
      {
        // Notifications name the account: keep the user's first one for routing.
        metadata: async ({ http }): Promise<Record<string, Json>> => {
          const [first] = await listAccounts(http, 1);
          return first === undefined
            ? {}
            : { accountId: accountIdOf(first.name), accountName: first.accountName ?? "" };
        },
      },
    ),
    http: {
      // Requests use absolute URLs: the profile spans five APIs.
      baseUrl: MY_BUSINESS_V4_API,
      parseError: parseBusinessProfileError,
      rateLimits: googleBusinessProfileRateLimits(),
    },
    config: GoogleBusinessProfileConfigSchema,
    // Lists the accounts: proves the grant works and the user manages a profile.
    test: async ({ http }) => {
      const [first] = await listAccounts(http, 1);
      if (first === undefined)
        return { ok: false, message: "This Google user manages no Business Profile account" };
    },
    models: {
      reviews: defineModel({
        description: "Customer reviews of every location, with the owner's reply",
        schema: ReviewRecordSchema,
        key: "name",
        updatedAt: (review) => review.updateTime,
        modes: ["full", "incremental"],
        // A reply or a deletion does not move a review up the updateTime order:
        // a daily full run (at an hourly schedule) picks those up.
        fullEvery: 24,
        sync: syncReviews,
      }),
      locations: defineModel({
        description: "The account's business locations (name, address, phone, categories, links)",
        schema: LocationRecordSchema,
        key: "name",
        sync: syncLocations,
      }),
      localPosts: defineModel({
        description: "Posts (updates, offers, events) published on each location",
        schema: LocalPostRecordSchema,
        key: "name",
        updatedAt: (post) => post.updateTime,
        sync: syncLocalPosts,
      }),
      dailyMetrics: defineModel({
        description: "Daily impressions, calls, direction requests and website clicks per location",
        schema: DailyMetricRecordSchema,
        key: "id",
        modes: ["full", "incremental"],
        sync: syncDailyMetrics(options.now),
      }),
    },
    actions: {
      replyToReview: defineAction({
        description:
          "Reply to a review (replaces an existing reply). At most 10 edits per minute per location.",
        input: ReplyToReviewInputSchema,
        run: (ctx, input) => replyToReview(ctx, input),
      }),
      createPost: defineAction({
        description:
          "Publish a standard post on a location, optionally with a button. At most 10 edits per minute per location.",
        input: CreatePostInputSchema,
        run: (ctx, input) => createPost(ctx, input),
      }),
    },
    ...(push === undefined
      ? {}
      : { webhooks: gbpPushWebhooks(push), lifecycle: gbpNotificationLifecycle(push) }),
  });
}
