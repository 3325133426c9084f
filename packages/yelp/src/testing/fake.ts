/**
 * A stateful fake of the Yelp Places API (formerly Fusion) for MSW,
 * following the published reference: Bearer API keys (`TOKEN_MISSING`,
 * `TOKEN_INVALID`), business search, business match, details by id or
 * alias, review excerpts (at most 3 per call, as on base plans), Yelp's
 * `{ error: { code, description } }` bodies, the daily quota with the
 * `RateLimit-*` headers on every response and `ACCESS_LIMIT_REACHED` once it
 * is used up, and 429 `TOO_MANY_REQUESTS_PER_SECOND` on demand.
 *
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
import { type HttpHandler, HttpResponse, http } from "msw";
import { YELP_API_BASE, YELP_QUOTA_HEADERS } from "../endpoints.js";
import { nextUtcMidnight } from "../quota.js";
import type { YelpBusiness, YelpReviewsPage } from "../schemas.js";

/**
 * The sandbox API key the fake accepts by default.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "yelp", credentials: { apiKey: YELP_SANDBOX_API_KEY } });
 * ```
 * @see https://docs.developer.yelp.com/docs/places-authentication
 */
export const YELP_SANDBOX_API_KEY = "sandbox-yelp-api-key-0123456789abcdefABCDEF";

/**
 * The sandbox's own business (a plumbing company in Austin, TX).
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { businesses: [{ id: YELP_SANDBOX_BUSINESS.id }] });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export const YELP_SANDBOX_BUSINESS = Object.freeze({
  id: "bRiGhTpLuMbInGcOaUsTiN",
  alias: "bright-plumbing-co-austin",
  name: "Bright Plumbing Co.",
  address1: "2100 S Lamar Blvd",
  city: "Austin",
  state: "TX",
  zip_code: "78704",
  country: "US",
  phone: "+15125550142",
});

/**
 * A business to add to the fake.
 *
 * @example
 * ```ts
 * fake.addBusiness({ name: "Lone Star Rooter", address1: "900 E 6th St", rating: 4.5, review_count: 210 });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export interface FakeBusinessSeed {
  id?: string;
  alias?: string;
  name: string;
  address1?: string;
  city?: string;
  state?: string;
  zip_code?: string;
  country?: string;
  phone?: string;
  rating?: number;
  review_count?: number;
  categories?: Array<{ alias: string; title: string }>;
  is_closed?: boolean;
}

/**
 * A review excerpt to add (as a Yelp user posting one).
 *
 * @example
 * ```ts
 * fake.addReview(YELP_SANDBOX_BUSINESS.id, { rating: 5, text: "Fixed our water heater the same day.", userName: "Maria G." });
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export interface FakeReviewSeed {
  id?: string;
  rating: number;
  text: string;
  userName?: string;
  /** `YYYY-MM-DD HH:mm:ss`; default the fake's clock. */
  time_created?: string;
}

/**
 * A review excerpt as the fake stores and returns it.
 *
 * @example
 * ```ts
 * const [newest]: FakeReview[] = fake.reviews(YELP_SANDBOX_BUSINESS.id);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_reviews
 */
export type FakeReview = {
  id: string;
  url: string;
  text: string;
  rating: number;
  time_created: string;
  user: { id: string; profile_url: string; image_url: string | null; name: string };
};

/**
 * Options of {@link createYelpFake}. Every option is optional.
 *
 * @example
 * ```ts
 * const fake = createYelpFake({ dailyLimit: 300, now: () => clock });
 * ```
 * @see https://docs.developer.yelp.com/docs/places-rate-limiting
 */
export interface YelpFakeOptions {
  /** API keys accepted. Default `[YELP_SANDBOX_API_KEY]`. */
  apiKeys?: readonly string[];
  /** Calls per day (`RateLimit-DailyLimit`). Default 5000 (Yelp's trial Starter plan allows 300). */
  dailyLimit?: number;
  /** Review excerpts per call, at most. Default 3, as on base plans. */
  reviewsPerCall?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * One request the fake answered.
 *
 * @example
 * ```ts
 * expect(fake.requests.filter((r) => r.path.endsWith("/reviews"))).toHaveLength(2);
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export interface YelpFakeRequest {
  method: string;
  /** Path under `/v3`, e.g. `/businesses/abc/reviews`. */
  path: string;
  query: Record<string, string>;
  status: number;
}

/**
 * The fake Yelp (see {@link createYelpFake}).
 *
 * @example
 * ```ts
 * let fake: YelpFake = createYelpFake();
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export type YelpFake = ReturnType<typeof createYelpFake>;

const COMPETITORS: FakeBusinessSeed[] = [
  {
    id: "lOnEsTaRrOoTeRaUsTiN01",
    alias: "lone-star-rooter-austin",
    name: "Lone Star Rooter & Drain",
    address1: "900 E 6th St",
    zip_code: "78702",
    phone: "+15125550177",
    rating: 4.6,
    review_count: 212,
  },
  {
    id: "hIlLcOuNtRyPlUmBiNg002",
    alias: "hill-country-plumbing-austin",
    name: "Hill Country Plumbing",
    address1: "4400 N Lamar Blvd",
    zip_code: "78756",
    phone: "+15125550119",
    rating: 4.1,
    review_count: 87,
  },
  {
    id: "cApItAlCiTyWaTeRhEaT03",
    alias: "capital-city-water-heaters-austin",
    name: "Capital City Water Heaters",
    address1: "1201 Barton Springs Rd",
    zip_code: "78704",
    phone: "+15125550163",
    rating: 3.8,
    review_count: 54,
  },
  {
    id: "aUsTiNdRaInPrOsAuStI04",
    alias: "austin-drain-pros-austin",
    name: "Austin Drain Pros",
    address1: "7800 Burnet Rd",
    zip_code: "78757",
    phone: "+15125550188",
    rating: 4.9,
    review_count: 341,
  },
];

const SANDBOX_REVIEWS: Array<[string, FakeReviewSeed[]]> = [
  [
    YELP_SANDBOX_BUSINESS.id,
    [
      {
        rating: 5,
        text: "Called at 7am with a burst pipe under the kitchen sink and they had a tech here by 8:30. Fair price, cleaned up after...",
        userName: "Maria G.",
        time_created: "2026-03-02 08:14:51",
      },
      {
        rating: 4,
        text: "Replaced our 40 gallon water heater. Quote was clear and the install was tidy. Took a day longer than promised for the...",
        userName: "Derek T.",
        time_created: "2026-02-18 17:40:03",
      },
      {
        rating: 5,
        text: "Third time using Bright Plumbing for our rental units. Always on time and they send photos of the work when we're not...",
        userName: "Priya S.",
        time_created: "2026-01-27 12:05:44",
      },
    ],
  ],
  [
    "lOnEsTaRrOoTeRaUsTiN01",
    [
      {
        rating: 5,
        text: "Hydro-jetted our main line after years of slow drains. Night and day. They also showed us the camera footage...",
        userName: "Sam K.",
        time_created: "2026-03-05 10:22:10",
      },
    ],
  ],
];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Yelp's `time_created` format: `YYYY-MM-DD HH:mm:ss`. */
function yelpTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function normal(text: string | null | undefined): string {
  return (text ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Create a fake Yelp Places API for tests and sandbox mode.
 *
 * @example
 * ```ts
 * const fake = createYelpFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // Bright Plumbing Co. in Austin, TX, four competitors, review excerpts
 * fake.addReview(YELP_SANDBOX_BUSINESS.id, { rating: 5, text: "Great service" }); // a new review arrives
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export function createYelpFake(options: YelpFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const apiKeys = new Set(options.apiKeys ?? [YELP_SANDBOX_API_KEY]);
  const reviewsPerCall = options.reviewsPerCall ?? 3;
  const businesses = new Map<string, YelpBusiness>();
  const reviews = new Map<string, FakeReview[]>();
  const requests: YelpFakeRequest[] = [];
  const quota = {
    dailyLimit: options.dailyLimit ?? 5000,
    used: 0,
    /** The midnight (UTC) the current count resets at. */
    resetAt: nextUtcMidnight(now()),
  };
  const forced = { perSecond: 0 };
  let counter = 0;

  function quotaHeaders(): Record<string, string> {
    if (now() >= quota.resetAt) {
      quota.used = 0;
      quota.resetAt = nextUtcMidnight(now());
    }
    return {
      [YELP_QUOTA_HEADERS.dailyLimit]: String(quota.dailyLimit),
      [YELP_QUOTA_HEADERS.remaining]: String(Math.max(0, quota.dailyLimit - quota.used)),
      [YELP_QUOTA_HEADERS.resetTime]: new Date(quota.resetAt)
        .toISOString()
        .replace(".000Z", "+00:00"),
    };
  }

  function error(
    status: number,
    code: string,
    description: string,
    extra: { field?: string; headers?: Record<string, string> } = {},
  ): Response {
    return HttpResponse.json(
      { error: { code, description, ...(extra.field !== undefined && { field: extra.field }) } },
      { status, headers: extra.headers ?? {} },
    );
  }

  function findBusiness(idOrAlias: string): YelpBusiness | undefined {
    const direct = businesses.get(idOrAlias);
    if (direct !== undefined) return direct;
    for (const b of businesses.values()) if (b.alias === idOrAlias) return b;
    return undefined;
  }

  function recompute(business: YelpBusiness, addedRating?: number): void {
    if (addedRating !== undefined) {
      const total = business.rating * business.review_count + addedRating;
      business.review_count += 1;
      business.rating = Math.round((total / business.review_count) * 10) / 10;
    }
  }

  type Handler = (input: { url: URL; params: Record<string, string> }) => Response;

  /** Auth, quota and logging around every API route, as Yelp does them. */
  function route(path: string, handle: Handler): HttpHandler {
    return http.get(`${YELP_API_BASE}${path}`, ({ request, params }) => {
      const url = new URL(request.url);
      const log = (response: Response): Response => {
        requests.push({
          method: request.method,
          path: url.pathname.replace(/^\/v3/, ""),
          query: Object.fromEntries(url.searchParams),
          status: response.status,
        });
        return response;
      };
      const authorization = request.headers.get("authorization");
      if (authorization === null || !/^Bearer\s+\S+/i.test(authorization)) {
        return log(
          error(
            401,
            "TOKEN_MISSING",
            "An access token must be supplied in order to use this endpoint.",
          ),
        );
      }
      if (!apiKeys.has(authorization.replace(/^Bearer\s+/i, "").trim())) {
        return log(error(401, "TOKEN_INVALID", "Invalid access token or authorization header."));
      }
      const headers = quotaHeaders();
      if (forced.perSecond > 0) {
        forced.perSecond--;
        return log(
          error(
            429,
            "TOO_MANY_REQUESTS_PER_SECOND",
            "You have exceeded the queries-per-second limit for this endpoint. Try reducing the rate at which you make queries.",
            { headers },
          ),
        );
      }
      if (quota.used >= quota.dailyLimit) {
        return log(
          error(
            429,
            "ACCESS_LIMIT_REACHED",
            "You've reached the access limit for this client. See instructions for requesting a higher access limit at https://docs.developer.yelp.com/docs/places-rate-limiting",
            { headers },
          ),
        );
      }
      quota.used++;
      const response = handle({ url, params: params as Record<string, string> });
      for (const [name, value] of Object.entries(quotaHeaders())) response.headers.set(name, value);
      return log(response);
    });
  }

  function intParam(
    url: URL,
    name: string,
    fallback: number,
    min: number,
    max: number,
  ): number | Response {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      return error(
        400,
        "VALIDATION_ERROR",
        `'${raw}' is not valid for ${name}: must be an integer from ${min} to ${max}`,
        { field: name },
      );
    }
    return n;
  }

  function matchView(b: YelpBusiness) {
    return {
      id: b.id,
      alias: b.alias,
      name: b.name,
      location: b.location,
      coordinates: b.coordinates,
      phone: b.phone,
    };
  }

  const handlers: HttpHandler[] = [
    route("/businesses/search", ({ url }) => {
      const location = url.searchParams.get("location");
      const hasPoint = url.searchParams.has("latitude") && url.searchParams.has("longitude");
      if ((location === null || location.trim() === "") && !hasPoint) {
        return error(
          400,
          "VALIDATION_ERROR",
          "Please specify a location or a latitude and longitude",
        );
      }
      const limit = intParam(url, "limit", 20, 0, 50);
      if (limit instanceof Response) return limit;
      const offset = intParam(url, "offset", 0, 0, 1000);
      if (offset instanceof Response) return offset;
      if (limit + offset > 240) {
        return error(
          400,
          "VALIDATION_ERROR",
          "Too many results requested, limit+offset must be <= 240.",
        );
      }
      const term = normal(url.searchParams.get("term"));
      const matching = [...businesses.values()].filter(
        (b) =>
          term === "" ||
          normal(b.name).includes(term) ||
          (b.categories ?? []).some((c) => normal(c.title).includes(term)),
      );
      return HttpResponse.json({
        businesses: matching.slice(offset, offset + limit),
        total: matching.length,
        region: { center: { latitude: 30.2672, longitude: -97.7431 } },
      });
    }),
    route("/businesses/matches", ({ url }) => {
      for (const field of ["name", "address1", "city", "state", "country"]) {
        const value = url.searchParams.get(field);
        if (value === null || value.trim() === "") {
          return error(400, "VALIDATION_ERROR", `'${field}' is a required parameter`, { field });
        }
        if (value.length > 64) {
          return error(400, "VALIDATION_ERROR", `'${field}' is too long (maximum 64)`, { field });
        }
      }
      const limit = intParam(url, "limit", 3, 1, 10);
      if (limit instanceof Response) return limit;
      const threshold = (url.searchParams.get("match_threshold") ?? "default").toLowerCase();
      if (!["none", "default", "strict"].includes(threshold)) {
        return error(
          400,
          "VALIDATION_ERROR",
          `'${threshold}' is not one of ['none', 'default', 'strict']`,
          { field: "match_threshold" },
        );
      }
      const name = normal(url.searchParams.get("name"));
      const address = normal(url.searchParams.get("address1"));
      const city = normal(url.searchParams.get("city"));
      const state = normal(url.searchParams.get("state"));
      const country = normal(url.searchParams.get("country"));
      const candidates = [...businesses.values()].filter((b) => {
        const loc = b.location ?? {};
        if (normal(loc.country) !== country || normal(loc.state) !== state) return false;
        if (normal(loc.city) !== city) return false;
        const nameOk = normal(b.name) === name || normal(b.name).includes(name);
        const addressOk = normal(loc.address1) === address;
        if (threshold === "strict") return nameOk && addressOk;
        if (threshold === "none") return nameOk || addressOk;
        return (
          nameOk && (addressOk || address.split(" ")[0] === normal(loc.address1).split(" ")[0])
        );
      });
      return HttpResponse.json({ businesses: candidates.slice(0, limit).map(matchView) });
    }),
    route("/businesses/:id/reviews", ({ url, params }) => {
      const business = findBusiness(decodeURIComponent(params.id ?? ""));
      if (business === undefined) {
        return error(404, "BUSINESS_NOT_FOUND", "The requested business could not be found.");
      }
      const locale = url.searchParams.get("locale");
      if (locale !== null && !/^[a-z]{2}_[A-Z]{2}$/.test(locale)) {
        return error(400, "VALIDATION_ERROR", `'${locale}' is not a valid locale`, {
          field: "locale",
        });
      }
      const limit = intParam(url, "limit", reviewsPerCall, 0, 50);
      if (limit instanceof Response) return limit;
      const offset = intParam(url, "offset", 0, 0, 1000);
      if (offset instanceof Response) return offset;
      const all = reviews.get(business.id) ?? [];
      const body: YelpReviewsPage = {
        reviews: all
          .slice(offset, offset + Math.min(limit, reviewsPerCall))
          .map((r) => structuredClone(r)),
        total: business.review_count,
        possible_languages: ["en"],
      };
      return HttpResponse.json(body);
    }),
    route("/businesses/:id", ({ params }) => {
      const business = findBusiness(decodeURIComponent(params.id ?? ""));
      if (business === undefined) {
        return error(404, "BUSINESS_NOT_FOUND", "The requested business could not be found.");
      }
      return HttpResponse.json(structuredClone(business));
    }),
  ];

  const api = {
    handlers,
    /** What a user pastes into the credential form. */
    credentials: { apiKey: YELP_SANDBOX_API_KEY },
    /** Every API request answered, in order. */
    requests: requests as readonly YelpFakeRequest[],

    /** The next `count` requests answer 429 `TOO_MANY_REQUESTS_PER_SECOND`. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      forced.perSecond += count;
    },

    /** Set the daily quota: the limit and how many calls are left today. */
    setQuota(spec: { dailyLimit?: number; remaining?: number }): void {
      if (spec.dailyLimit !== undefined) quota.dailyLimit = spec.dailyLimit;
      if (spec.remaining !== undefined) quota.used = Math.max(0, quota.dailyLimit - spec.remaining);
    },

    /** The quota as Yelp's headers would report it now. */
    quota(): { dailyLimit: number; remaining: number; resetTime: string } {
      quotaHeaders();
      return {
        dailyLimit: quota.dailyLimit,
        remaining: Math.max(0, quota.dailyLimit - quota.used),
        resetTime: new Date(quota.resetAt).toISOString(),
      };
    },

    /** A business is listed on Yelp (as its owner claiming a new page). Returns its id. */
    addBusiness(seed: FakeBusinessSeed): string {
      const id = seed.id ?? `fAkE${String(++counter).padStart(18, "0")}`;
      const city = seed.city ?? "Austin";
      const state = seed.state ?? "TX";
      const zip = seed.zip_code ?? "78701";
      const alias = seed.alias ?? `${slug(seed.name)}-${slug(city)}`;
      const address1 = seed.address1 ?? `${100 + counter} Congress Ave`;
      const phone = seed.phone ?? `+1512555${String(1000 + (counter % 9000)).slice(-4)}`;
      businesses.set(id, {
        id,
        alias,
        name: seed.name,
        image_url: `https://s3-media1.fl.yelpcdn.com/bphoto/${id}/o.jpg`,
        is_claimed: true,
        is_closed: seed.is_closed ?? false,
        url: `https://www.yelp.com/biz/${alias}`,
        phone,
        display_phone: `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`,
        review_count: seed.review_count ?? 0,
        rating: seed.rating ?? 0,
        categories: seed.categories ?? [{ alias: "plumbing", title: "Plumbing" }],
        location: {
          address1,
          address2: "",
          address3: "",
          city,
          zip_code: zip,
          country: seed.country ?? "US",
          state,
          display_address: [address1, `${city}, ${state} ${zip}`],
        },
        coordinates: { latitude: 30.25 + (counter % 10) / 100, longitude: -97.75 },
      });
      reviews.set(id, reviews.get(id) ?? []);
      return id;
    },

    /** Yelp removes a business page: its id answers `BUSINESS_NOT_FOUND` from now on. */
    removeBusiness(id: string): void {
      if (!businesses.delete(id)) throw new Error(`fake Yelp: no business ${id}`);
      reviews.delete(id);
    },

    /** Change a business's listing (as its owner or Yelp would): name, rating, review count... */
    editBusiness(
      id: string,
      patch: Partial<Pick<YelpBusiness, "name" | "rating" | "review_count" | "is_closed">>,
    ): void {
      const business = businesses.get(id);
      if (business === undefined) throw new Error(`fake Yelp: no business ${id}`);
      Object.assign(business, patch);
    },

    /**
     * A new review arrives (a Yelp user posts one): it becomes the newest
     * excerpt, the review count goes up and the rating moves. Returns its id.
     */
    addReview(businessId: string, seed: FakeReviewSeed): string {
      const business = businesses.get(businessId);
      if (business === undefined) throw new Error(`fake Yelp: no business ${businessId}`);
      const id = seed.id ?? `rEvIeW${String(++counter).padStart(16, "0")}`;
      const userId = `uSeR${String(counter).padStart(18, "0")}`;
      const review: FakeReview = {
        id,
        url: `https://www.yelp.com/biz/${business.alias}?hrid=${id}`,
        text: seed.text.length > 160 ? `${seed.text.slice(0, 157)}...` : seed.text,
        rating: seed.rating,
        time_created: seed.time_created ?? yelpTime(now()),
        user: {
          id: userId,
          profile_url: `https://www.yelp.com/user_details?userid=${userId}`,
          image_url: null,
          name: seed.userName ?? "Jamie L.",
        },
      };
      const list = reviews.get(businessId) ?? [];
      list.push(review);
      list.sort((a, b) => b.time_created.localeCompare(a.time_created));
      reviews.set(businessId, list);
      recompute(business, seed.rating);
      return id;
    },

    /** A reviewer edits their review (text and/or stars). */
    editReview(reviewId: string, patch: { text?: string; rating?: number }): void {
      for (const list of reviews.values()) {
        const review = list.find((r) => r.id === reviewId);
        if (review === undefined) continue;
        if (patch.text !== undefined) review.text = patch.text;
        if (patch.rating !== undefined) review.rating = patch.rating;
        return;
      }
      throw new Error(`fake Yelp: no review ${reviewId}`);
    },

    /** Yelp removes a review (or the reviewer deletes it). */
    removeReview(reviewId: string): void {
      for (const [businessId, list] of reviews) {
        const index = list.findIndex((r) => r.id === reviewId);
        if (index === -1) continue;
        list.splice(index, 1);
        const business = businesses.get(businessId);
        if (business !== undefined) business.review_count = Math.max(0, business.review_count - 1);
        return;
      }
      throw new Error(`fake Yelp: no review ${reviewId}`);
    },

    /** A business as `GET /businesses/{id}` returns it now. */
    business(id: string): YelpBusiness | undefined {
      const b = findBusiness(id);
      return b === undefined ? undefined : structuredClone(b);
    },

    /** Every business, as the API returns them. */
    businesses(): YelpBusiness[] {
      return [...businesses.values()].map((b) => structuredClone(b));
    },

    /** The excerpts the reviews endpoint shows for a business now (newest first, at most `reviewsPerCall`). */
    reviews(businessId: string): FakeReview[] {
      return (reviews.get(businessId) ?? [])
        .slice(0, reviewsPerCall)
        .map((r) => structuredClone(r));
    },

    /**
     * Fill the fake with a plausible home-service market: Bright Plumbing Co.
     * (2100 S Lamar Blvd, Austin, TX; 4.4 stars, 128 reviews) and four Austin
     * competitors, each with recent review excerpts.
     */
    seedSandbox(): { business: string; competitors: string[] } {
      const business = api.addBusiness({
        ...YELP_SANDBOX_BUSINESS,
        rating: 4.4,
        review_count: 125,
        categories: [
          { alias: "plumbing", title: "Plumbing" },
          { alias: "waterheaterinstallrepair", title: "Water Heater Installation/Repair" },
        ],
      });
      const competitors = COMPETITORS.map((c) => api.addBusiness(c));
      for (const [id, seeds] of SANDBOX_REVIEWS) {
        const b = businesses.get(id);
        if (b === undefined) continue;
        const { rating, review_count } = b;
        for (const seed of seeds) api.addReview(id, seed);
        // The seeded totals already include these excerpts.
        b.rating = rating;
        b.review_count = review_count + seeds.length;
      }
      return { business, competitors };
    },
  };
  return api;
}
