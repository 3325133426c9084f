import { defineModel, type Json } from "@patchbay/core";
import { isBusinessNotFound, type PlacesApi } from "../places-api.js";
import { YelpConfigSchema, type YelpReview, YelpReviewSchema } from "../schemas.js";
import type { TrackedBusinessResolver } from "../tracked-businesses.js";

/**
 * The `reviews` model: the review excerpts Yelp shows for each tracked
 * business (at most three per business on base plans; `text` is truncated
 * by Yelp), with `business_id` added. Incremental runs (every run after the
 * first) add new excerpts and update edited ones and never delete, so the
 * excerpts accumulate as new reviews push old ones out of Yelp's window. A
 * run forced with `mode: "full"` mirrors exactly what Yelp shows now: older
 * excerpts are marked deleted.
 *
 * @param reviewsPerBusiness The `limit` sent (1–50; base plans answer at most 3).
 * @example
 * ```ts
 * models: { reviews: reviewsModel(api, resolver, 3) }
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export function reviewsModel(
  api: PlacesApi,
  resolver: TrackedBusinessResolver,
  reviewsPerBusiness: number,
) {
  return defineModel({
    description: "Review excerpts of the tracked businesses (at most 3 each on base plans).",
    schema: YelpReviewSchema,
    key: "id",
    modes: ["full", "incremental"],
    updatedAt: (review) => review.time_created,
    async *sync(ctx) {
      const config = YelpConfigSchema.parse(ctx.config);
      const ids = await resolver.ids(ctx, config.businesses);
      for (const businessId of ids) {
        let records: YelpReview[];
        try {
          const page = await api.reviews(ctx, businessId, {
            limit: reviewsPerBusiness,
            locale: config.reviewsLocale,
          });
          records = page.reviews.map((r) => ({ ...r, business_id: businessId }));
        } catch (error) {
          if (!isBusinessNotFound(error)) throw error;
          ctx.logger.warn(`Yelp has no business "${businessId}"; skipping its reviews`, {
            connectionId: ctx.connection.id,
          });
          continue;
        }
        yield { records };
      }
      const cursor: Json = { syncedAt: new Date().toISOString() };
      yield { records: [], cursor };
    },
  });
}
