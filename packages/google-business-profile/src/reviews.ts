/**
 * Reviews (My Business API v4): the sync, newest change first so an
 * incremental run stops at the last watermark, and the reply action.
 *
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews
 */
import type { ConnectorContext, Json, SyncContext, SyncPage } from "@patchbay/core";
import { connectionAccount, connectionLocations } from "./account.js";
import { MY_BUSINESS_V4_API, v4LocationName } from "./endpoints.js";
import {
  type GoogleBusinessProfileConfig,
  type ReplyToReviewInput,
  type ReviewRecord,
  STAR_RATINGS,
  type WireReview,
} from "./schemas.js";
import { settingsOf } from "./settings.js";

/** Google's maximum `pageSize` for reviews. */
const REVIEWS_PAGE_SIZE = 50;

/**
 * Google's star rating as a number: `ONE`…`FIVE` → 1…5, anything else
 * (`STAR_RATING_UNSPECIFIED`, missing) → `null`.
 *
 * @example
 * ```ts
 * starRatingValue("FOUR"); // 4
 * starRatingValue("STAR_RATING_UNSPECIFIED"); // null
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#StarRating
 */
export function starRatingValue(starRating: string | undefined): number | null {
  const index = STAR_RATINGS.indexOf(starRating as (typeof STAR_RATINGS)[number]);
  return index >= 1 ? index : null;
}

/**
 * The fields of a v4 review the record is made from.
 *
 * @example
 * ```ts
 * const fields: ReviewFields = { name, reviewId: "r1", starRating: "FIVE", createTime, updateTime };
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
 */
export interface ReviewFields {
  name: string;
  reviewId: string;
  reviewer?: { displayName?: string; profilePhotoUrl?: string; isAnonymous?: boolean };
  starRating?: string;
  comment?: string;
  createTime: string;
  updateTime: string;
  reviewReply?: { comment: string; updateTime?: string };
}

/**
 * A review as the connector stores it.
 *
 * @example
 * ```ts
 * toReviewRecord(wire).rating; // 5
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
 */
export function toReviewRecord(review: ReviewFields): ReviewRecord {
  const starRating = (STAR_RATINGS as readonly string[]).includes(review.starRating ?? "")
    ? (review.starRating as ReviewRecord["starRating"])
    : "STAR_RATING_UNSPECIFIED";
  return {
    name: review.name,
    reviewId: review.reviewId,
    locationName: review.name.replace(/\/reviews\/[^/]+$/, ""),
    reviewer: { ...review.reviewer },
    starRating,
    rating: starRatingValue(starRating),
    comment: review.comment ?? null,
    createTime: review.createTime,
    updateTime: review.updateTime,
    reviewReply:
      review.reviewReply === undefined
        ? null
        : {
            comment: review.reviewReply.comment,
            updateTime: review.reviewReply.updateTime ?? null,
          },
  };
}

interface ReviewsPage {
  reviews?: WireReview[];
  averageRating?: number;
  totalReviewCount?: number;
  nextPageToken?: string;
}

/** Per location, the newest `updateTime` seen. */
type ReviewsCursor = Record<string, string>;

/**
 * The `reviews` sync. Lists each location's reviews `orderBy=updateTime desc`
 * (50 per page). Incremental runs stop at the first review not newer than
 * the location's watermark; the cursor keeps one watermark per location.
 *
 * @example
 * ```ts
 * models: { reviews: defineModel({ schema: ReviewRecordSchema, key: "name", sync: syncReviews }) }
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list
 */
export async function* syncReviews(
  ctx: SyncContext<GoogleBusinessProfileConfig>,
): AsyncGenerator<SyncPage<ReviewRecord>> {
  const config = settingsOf(ctx.config);
  const accountId = await connectionAccount({ ...ctx, config });
  const locations = await connectionLocations({ ...ctx, config }, accountId);
  const previous = (ctx.mode === "incremental" ? (ctx.cursor as ReviewsCursor | null) : null) ?? {};
  const next: ReviewsCursor = {};
  for (const location of locations) {
    const parent = v4LocationName(accountId, location);
    const watermark = previous[parent];
    let newest = watermark;
    let pageToken: string | undefined;
    let done = false;
    while (!done) {
      const { data } = await ctx.http.get<ReviewsPage>(`${MY_BUSINESS_V4_API}/${parent}/reviews`, {
        query: { pageSize: REVIEWS_PAGE_SIZE, orderBy: "updateTime desc", pageToken },
        signal: ctx.signal,
      });
      const records: ReviewRecord[] = [];
      for (const review of data?.reviews ?? []) {
        // Equal timestamps are re-read (the engine skips unchanged records): never miss a tie.
        if (watermark !== undefined && Date.parse(review.updateTime) < Date.parse(watermark)) {
          done = true;
          break;
        }
        records.push(toReviewRecord(review));
        if (newest === undefined || Date.parse(review.updateTime) > Date.parse(newest))
          newest = review.updateTime;
      }
      pageToken = data?.nextPageToken || undefined;
      if (pageToken === undefined) done = true;
      if (records.length > 0) yield { records };
    }
    if (newest !== undefined) next[parent] = newest;
  }
  yield { records: [], cursor: next as Json };
}

/**
 * Reply to a review (or replace the reply): `PUT …/reviews/{id}/reply`.
 * Counts against the location's 10 edits per minute.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "replyToReview", input: { reviewName, comment: "Thanks, Ann!" } });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply
 */
export async function replyToReview(
  ctx: ConnectorContext<GoogleBusinessProfileConfig>,
  input: ReplyToReviewInput,
): Promise<{ reviewName: string; reviewReply: { comment: string; updateTime: string | null } }> {
  const { data } = await ctx.http.put<{ comment: string; updateTime?: string }>(
    `${MY_BUSINESS_V4_API}/${input.reviewName}/reply`,
    { json: { comment: input.comment }, signal: ctx.signal },
  );
  return {
    reviewName: input.reviewName,
    reviewReply: { comment: data.comment, updateTime: data.updateTime ?? null },
  };
}
