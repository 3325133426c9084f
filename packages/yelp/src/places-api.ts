/**
 * The Yelp Places calls the connector makes, each one reading the daily
 * quota headers and refusing to call once the day's quota is used up.
 */
import {
  type ConnectorContext,
  type HttpClient,
  NotFoundError,
  type QueryValue,
  RateLimitError,
} from "@patchbay/core";
import { YELP_PATHS } from "./endpoints.js";
import { YELP_ERROR } from "./error-parser.js";
import { readYelpQuota, type YelpQuotaBook } from "./quota.js";
import {
  type YelpBusiness,
  YelpBusinessSchema,
  type YelpMatchQuery,
  type YelpMatchResponse,
  YelpMatchResponseSchema,
  type YelpReviewsPage,
  YelpReviewsPageSchema,
} from "./schemas.js";

/**
 * What a call needs from the connector context: the HTTP client, the
 * connection's id (the quota is kept per connection) and an abort signal.
 *
 * @example
 * ```ts
 * const ctx: YelpCallContext = { http, connection: { id: "conn_1" } };
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export type YelpCallContext = Pick<ConnectorContext, "http" | "signal"> & {
  connection: { id: string };
};

/**
 * The connector's Yelp client. See {@link createPlacesApi}.
 *
 * @example
 * ```ts
 * const business = await api.business(ctx, "bright-plumbing-co-austin");
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export interface PlacesApi {
  /** `GET` a path, recording the quota headers. */
  get<T>(ctx: YelpCallContext, path: string, query?: Record<string, QueryValue>): Promise<T>;
  /** One business's details; throws `NotFoundError` (`BUSINESS_NOT_FOUND`) when Yelp has none. */
  business(ctx: YelpCallContext, idOrAlias: string): Promise<YelpBusiness>;
  /** A business's review excerpts. */
  reviews(
    ctx: YelpCallContext,
    id: string,
    options: { limit: number; locale?: string | undefined },
  ): Promise<YelpReviewsPage>;
  /** Candidates for a name and address. */
  match(
    ctx: YelpCallContext,
    query: YelpMatchQuery,
    options?: { limit?: number; match_threshold?: "none" | "default" | "strict" },
  ): Promise<YelpMatchResponse>;
  /** The quota book the calls write to. */
  readonly quota: YelpQuotaBook;
}

/**
 * Build the Yelp client over core's HTTP pipeline. Before each call it
 * checks the quota book: when Yelp has said `ACCESS_LIMIT_REACHED` and the
 * reset time has not passed, it throws a `RateLimitError` (provider code
 * `ACCESS_LIMIT_REACHED`, `retryAfterMs` until the reset) without calling.
 *
 * @example
 * ```ts
 * const api = createPlacesApi(createYelpQuotaBook(), Date.now);
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export function createPlacesApi(quota: YelpQuotaBook, now: () => number): PlacesApi {
  async function get<T>(
    ctx: YelpCallContext,
    path: string,
    query?: Record<string, QueryValue>,
  ): Promise<T> {
    const id = ctx.connection.id;
    const blocked = quota.blockedFor(id, now());
    if (blocked !== undefined) {
      throw new RateLimitError(
        `Yelp's daily API quota for this key is used up until ${quota.get(id)?.resetTime ?? "midnight UTC"}; no call was made`,
        { providerCode: YELP_ERROR.ACCESS_LIMIT_REACHED, retryAfterMs: blocked },
      );
    }
    const http: HttpClient = ctx.http;
    try {
      const response = await http.get<T>(path, {
        ...(query !== undefined && { query }),
        ...(ctx.signal !== undefined && { signal: ctx.signal }),
        responseType: "response",
      });
      const raw = response.data as unknown as Response;
      const seen = readYelpQuota(raw.headers, now());
      if (seen !== undefined) quota.record(id, seen);
      const text = await raw.text();
      return (text.trim() === "" ? undefined : JSON.parse(text)) as T;
    } catch (error) {
      if (
        error instanceof RateLimitError &&
        error.providerCode === YELP_ERROR.ACCESS_LIMIT_REACHED
      ) {
        quota.markExhausted(id, now() + (error.retryAfterMs ?? 0), now());
      }
      throw error;
    }
  }

  return {
    get,
    quota,
    async business(ctx, idOrAlias) {
      return YelpBusinessSchema.parse(await get(ctx, YELP_PATHS.business(idOrAlias)));
    },
    async reviews(ctx, id, { limit, locale }) {
      return YelpReviewsPageSchema.parse(await get(ctx, YELP_PATHS.reviews(id), { limit, locale }));
    },
    async match(ctx, query, options = {}) {
      return YelpMatchResponseSchema.parse(
        await get(ctx, YELP_PATHS.matches, { ...query, ...options }),
      );
    },
  };
}

/**
 * Whether an error is Yelp's `BUSINESS_NOT_FOUND` (the business was removed
 * from Yelp, or the id is wrong).
 *
 * @example
 * ```ts
 * try { await api.business(ctx, id) } catch (e) { if (isBusinessNotFound(e)) skip(id); else throw e; }
 * ```
 * @see https://docs.developer.yelp.com/docs/api-errors
 */
export function isBusinessNotFound(error: unknown): boolean {
  return error instanceof NotFoundError;
}
