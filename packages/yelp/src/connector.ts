import {
  apiKey,
  defineAction,
  defineConnector,
  type Json,
  type LifecycleResult,
} from "@patchbay/core";
import { z } from "zod";
import { YELP_API_BASE, YELP_DOCS, YELP_PATHS } from "./endpoints.js";
import { yelpErrorParser } from "./error-parser.js";
import { businessesModel } from "./models/businesses.js";
import { reviewsModel } from "./models/reviews.js";
import { createPlacesApi } from "./places-api.js";
import { createYelpQuotaBook, YELP_QUOTA_METADATA_KEY } from "./quota.js";
import { YelpConfigSchema, YelpMatchQuerySchema } from "./schemas.js";
import { createTrackedBusinessResolver } from "./tracked-businesses.js";

/**
 * Options of {@link yelp}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: YelpOptions = { requestsPerSecond: 5, quotaRefreshMinutes: 15 };
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export interface YelpOptions {
  /**
   * Calls per second per connection. Yelp publishes no number for its
   * queries-per-second limit; default 5. A 429 `TOO_MANY_REQUESTS_PER_SECOND`
   * is retried with backoff either way.
   */
  requestsPerSecond?: number;
  /** Review excerpts asked per business (`limit`, 1–50). Base plans answer at most 3. Default 3. */
  reviewsPerBusiness?: number;
  /** How often lifecycle maintenance copies the last-seen quota to the connection's metadata. Default 15 minutes. */
  quotaRefreshMinutes?: number;
  /** The clock (epoch ms), for the quota reset. Default `Date.now`. */
  now?: () => number;
}

function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TypeError(`"${name}" must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

/**
 * Yelp Places API (formerly Yelp Fusion) connector: track your business and
 * your competitors on Yelp.
 *
 * - **Auth**: an API key from the user's Yelp developer app, sent as
 *   `Authorization: Bearer <key>`. "Test connection" runs one business
 *   search with `limit=1` (one call of the daily quota).
 * - **Models**: `businesses` (rating, review count, details of each tracked
 *   business, by id/alias or by name + address through the business match
 *   endpoint) and `reviews` (the review excerpts Yelp shows, at most 3 per
 *   business on base plans).
 * - **Action**: `matchBusiness`, to find a business's Yelp id from its name
 *   and address (for a picker).
 * - **Quota**: the `RateLimit-*` headers of every response are read; the
 *   connection's metadata carries `yelpQuota` (`dailyLimit`, `remaining`,
 *   `usedPercent`, `resetTime`, `exhausted`), written at connect and by
 *   lifecycle maintenance. Once Yelp answers `ACCESS_LIMIT_REACHED` no call
 *   is made until the reset: calls throw `RateLimitError` with
 *   `retryAfterMs` until then.
 * - **Webhooks**: none (Yelp has none); schedule the models.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * createPatchbay({ connectors: [yelp()], store, vault });
 * await patchbay.connect.withCredentials({ tenantId, connector: "yelp", credentials: { apiKey: process.env.YELP_API_KEY! } });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export function yelp(options: YelpOptions = {}) {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object');
  const requestsPerSecond = checkInteger(
    options.requestsPerSecond ?? 5,
    "requestsPerSecond",
    1,
    1000,
  );
  const reviewsPerBusiness = checkInteger(
    options.reviewsPerBusiness ?? 3,
    "reviewsPerBusiness",
    1,
    50,
  );
  const quotaRefreshMinutes = checkInteger(
    options.quotaRefreshMinutes ?? 15,
    "quotaRefreshMinutes",
    1,
    24 * 60,
  );
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  const now = options.now ?? Date.now;
  const book = createYelpQuotaBook();
  const api = createPlacesApi(book, now);
  const resolver = createTrackedBusinessResolver(api);

  const quotaMetadata = (connectionId: string): LifecycleResult | undefined => {
    const quota = book.get(connectionId);
    return quota === undefined
      ? undefined
      : { metadata: { [YELP_QUOTA_METADATA_KEY]: quota as unknown as Json } };
  };

  return defineConnector({
    id: "yelp",
    name: "Yelp",
    category: "marketing",
    description:
      "Track your business and competitors on Yelp: rating, review count and review excerpts, with the daily API quota.",
    docsUrl: YELP_DOCS.reference,
    auth: apiKey({
      header: "authorization",
      prefix: "Bearer ",
      field: z.string().min(20, "a Yelp API key is a long token").describe("Yelp API key"),
    }),
    config: YelpConfigSchema,
    http: {
      baseUrl: YELP_API_BASE,
      parseError: yelpErrorParser(now),
      rateLimits: [{ requests: requestsPerSecond, intervalMs: 1000 }],
    },
    test: async (ctx) => {
      await api.get(ctx, YELP_PATHS.search, { location: "San Francisco, CA", limit: 1 });
      return { ok: true };
    },
    models: {
      businesses: businessesModel(api, resolver),
      reviews: reviewsModel(api, resolver, reviewsPerBusiness),
    },
    actions: {
      matchBusiness: defineAction({
        description:
          "Find a business's Yelp id from its name and address (up to 10 candidates, best first).",
        input: YelpMatchQuerySchema.extend({
          limit: z.number().int().min(1).max(10).default(3),
          match_threshold: z.enum(["none", "default", "strict"]).optional(),
        }),
        async run(ctx, { limit, match_threshold, ...query }) {
          const { businesses } = await api.match(ctx, query, {
            limit,
            ...(match_threshold !== undefined && { match_threshold }),
          });
          return businesses;
        },
      }),
    },
    lifecycle: {
      // Core gives connectors no way to write metadata from a sync, so the quota
      // seen on responses is copied here (at connect, then every few minutes).
      async setup(ctx) {
        return quotaMetadata(ctx.connection.id);
      },
      maintenance: {
        everyMinutes: quotaRefreshMinutes,
        async run(ctx) {
          return quotaMetadata(ctx.connection.id);
        },
      },
    },
  });
}
