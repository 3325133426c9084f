export { type YelpOptions, yelp } from "./connector.js";
export { YELP_API_BASE, YELP_DOCS, YELP_PATHS, YELP_QUOTA_HEADERS } from "./endpoints.js";
export { YELP_ERROR, yelpErrorParser } from "./error-parser.js";
export { businessesModel } from "./models/businesses.js";
export { reviewsModel } from "./models/reviews.js";
export {
  createPlacesApi,
  isBusinessNotFound,
  type PlacesApi,
  type YelpCallContext,
} from "./places-api.js";
export {
  createYelpQuotaBook,
  nextUtcMidnight,
  readYelpQuota,
  YELP_QUOTA_METADATA_KEY,
  type YelpQuotaBook,
  yelpQuotaOf,
} from "./quota.js";
export {
  type YelpBusiness,
  YelpBusinessSchema,
  type YelpConfig,
  YelpConfigSchema,
  type YelpErrorBody,
  YelpErrorBodySchema,
  type YelpMatchQuery,
  YelpMatchQuerySchema,
  type YelpMatchResponse,
  YelpMatchResponseSchema,
  type YelpQuota,
  YelpQuotaSchema,
  type YelpReview,
  YelpReviewSchema,
  type YelpReviewsPage,
  YelpReviewsPageSchema,
  YelpReviewWireSchema,
  type YelpTrackedBusiness,
  YelpTrackedBusinessSchema,
} from "./schemas.js";
export {
  createTrackedBusinessResolver,
  type TrackedBusinessResolver,
} from "./tracked-businesses.js";
