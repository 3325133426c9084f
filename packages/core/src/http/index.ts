export { createHttpClient } from "./client.js";
export {
  type CursorPagination,
  type LinkHeaderPagination,
  type LinkValue,
  type OffsetPagination,
  type PageCount,
  type PageItems,
  type PageNumberPagination,
  type PaginationBase,
  paginateCursor,
  paginateLinkHeader,
  paginateOffset,
  paginatePageNumber,
  parseLinkHeader,
} from "./pagination.js";
export {
  createRateLimiter,
  DEFAULT_RATE_LIMIT_SAFETY_MARGIN,
  type InMemoryRateLimiter,
  type RateLimiterOptions,
} from "./rate-limiter.js";
export { computeBackoff, DEFAULT_RETRY_POLICY, parseRetryAfter, sleep } from "./retry.js";
