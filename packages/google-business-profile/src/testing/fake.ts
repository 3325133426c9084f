/**
 * A stateful fake of the Google Business Profile APIs the connector uses,
 * served through MSW on Google's real URLs: Account Management, Business
 * Information (locations with `readMask`), My Business v4 (reviews, replies,
 * local posts), Performance (daily metrics) and Notifications, with Google's
 * OAuth server, error bodies, quotas and Pub/Sub push.
 *
 * @see https://developers.google.com/my-business/content/overview
 */
import {
  createGoogleOAuthFake,
  GOOGLE_SANDBOX_CLIENT,
  googleError,
  googleRateLimited,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import {
  ACCOUNT_MANAGEMENT_API,
  BUSINESS_INFORMATION_API,
  GBP_SCOPE,
  LOCATION_READ_MASK,
  locationIdOf,
  MY_BUSINESS_V4_API,
  NOTIFICATIONS_API,
  PERFORMANCE_API,
} from "../endpoints.js";
import {
  CALL_TO_ACTION_TYPES,
  DAILY_METRICS,
  NOTIFICATION_TYPES,
  STAR_RATINGS,
} from "../schemas.js";
import { type PushTokenClaims, pushSigner } from "./push-token.js";
import { SANDBOX_LOCATIONS, SANDBOX_POSTS, SANDBOX_REVIEWS } from "./sandbox-data.js";

/**
 * The sandbox OAuth app the fake accepts (Google's shared sandbox client).
 *
 * @example
 * ```ts
 * googleBusinessProfile({ ...GBP_SANDBOX_APP });
 * ```
 * @see https://developers.google.com/my-business/content/basic-setup
 */
export const GBP_SANDBOX_APP = GOOGLE_SANDBOX_CLIENT;

/**
 * The redirect URI the sandbox OAuth client accepts by default.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "google-business-profile", redirectUri: GBP_SANDBOX_REDIRECT_URI });
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server
 */
export const GBP_SANDBOX_REDIRECT_URI =
  "https://app.example.com/integrations/google-business-profile/callback";

/**
 * The sandbox business: one account with two plumbing locations.
 *
 * @example
 * ```ts
 * fake.leaveReview({ location: GBP_SANDBOX.locationIds[0], rating: 5 });
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts
 */
export const GBP_SANDBOX = {
  accountId: "1098765432101234567",
  accountName: "Summit Plumbing & Drain",
  locationIds: ["4815162342108", "4815162342109"],
} as const;

/**
 * The sandbox Pub/Sub setup: pass it as `googleBusinessProfile({ pubsub })`;
 * the fake's push deliveries are addressed and signed for it.
 *
 * @example
 * ```ts
 * googleBusinessProfile({ ...GBP_SANDBOX_APP, pubsub: GBP_SANDBOX_PUBSUB });
 * ```
 * @see https://developers.google.com/my-business/content/notification-setup
 */
export const GBP_SANDBOX_PUBSUB = {
  topicName: "projects/patchbay-sandbox/topics/google-business-profile",
  audience: "https://app.example.com/integrations/webhooks/google-business-profile",
  serviceAccountEmail: "gbp-push@patchbay-sandbox.iam.gserviceaccount.com",
} as const;

/**
 * Options of {@link createGoogleBusinessProfileFake}.
 *
 * @example
 * ```ts
 * const fake = createGoogleBusinessProfileFake({ redirectUris: ["http://localhost:3000/integrations/google-business-profile/callback"], notify: (r) => patchbay.handleWebhook("google-business-profile", r) });
 * ```
 * @see https://developers.google.com/my-business/content/overview
 */
export interface GoogleBusinessProfileFakeOptions {
  /** Reuse an OAuth fake; default `createGoogleOAuthFake({ redirectUris })`. */
  oauth?: FakeOAuthServer;
  /** Registered redirect URIs for the default OAuth fake. Default `[GBP_SANDBOX_REDIRECT_URI]`. */
  redirectUris?: string[];
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Edits per minute per location before Google's 429; `null` disables. Default 10. */
  editsPerMinute?: number | null;
  /** Where push deliveries go and who signs them. Default {@link GBP_SANDBOX_PUBSUB}. */
  pubsub?: { audience: string; serviceAccountEmail: string; subscription?: string };
  /**
   * Deliver signed Pub/Sub pushes to the host when a customer leaves or
   * edits a review (and the account's notification setting asks for it),
   * e.g. `(r) => patchbay.handleWebhook("google-business-profile", r)`.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
  /** `false`: start with no account and no locations. Default: the sandbox account and its two locations (no reviews yet). */
  sandbox?: false;
}

/**
 * A review as the fake keeps it (Google's wire shape).
 *
 * @example
 * ```ts
 * const review: FakeReview = fake.leaveReview({ rating: 5, comment: "Fixed our leak in an hour" });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
 */
export interface FakeReview {
  name: string;
  reviewId: string;
  reviewer: { displayName?: string; profilePhotoUrl?: string; isAnonymous: boolean };
  starRating: (typeof STAR_RATINGS)[number];
  comment?: string;
  createTime: string;
  updateTime: string;
  reviewReply?: { comment: string; updateTime: string };
}

/**
 * What a customer types when leaving a review.
 *
 * @example
 * ```ts
 * fake.leaveReview({ location: "4815162342108", rating: 2, comment: "Late twice", reviewer: "Pat K." });
 * ```
 * @see https://support.google.com/business/answer/3474122
 */
export interface CustomerReview {
  /** Location id or name. Default: the sandbox's first location. */
  location?: string;
  /** 1–5, or Google's enum (`"STAR_RATING_UNSPECIFIED"` included). Default 5. */
  rating?: number | (typeof STAR_RATINGS)[number];
  comment?: string;
  /** Display name; `null` posts anonymously. Default a generated name. */
  reviewer?: string | null;
}

/**
 * A push delivery to build: defaults are a genuine `NEW_REVIEW` for the
 * sandbox account; the rest bend one claim.
 *
 * @example
 * ```ts
 * fake.pushNotification({ type: "UPDATED_REVIEW", reviewName, forged: true });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export type PushNotificationOptions = {
  type?: string;
  locationName?: string;
  reviewName?: string;
  forged?: boolean;
  /** Where the request goes; default the Pub/Sub audience. */
  url?: string;
} & Partial<Omit<PushTokenClaims, "forged">>;

/**
 * The fake (see {@link createGoogleBusinessProfileFake}).
 *
 * @example
 * ```ts
 * const fake: GoogleBusinessProfileFake = createGoogleBusinessProfileFake();
 * ```
 * @see https://developers.google.com/my-business/content/overview
 */
export interface GoogleBusinessProfileFake {
  /** MSW handlers: the five APIs, Google OAuth, Google certs. */
  readonly handlers: RequestHandler[];
  /** The Google OAuth fake (`approve`, `expireAccessTokens`, `revokeGrant`). */
  readonly oauth: FakeOAuthServer;
  /** API requests answered (after auth), as `{ method, url }`. */
  readonly requests: ReadonlyArray<{ method: string; url: string }>;
  /** The next `count` API calls answer Google's 429 RESOURCE_EXHAUSTED. */
  rateLimitNext(count?: number): void;
  /** Add an account; returns its id. */
  addAccount(account: { id?: string; accountName: string; type?: string }): string;
  /** Add a location to an account; returns its id. */
  addLocation(
    accountId: string,
    location: { id?: string; title: string; [field: string]: unknown },
  ): string;
  /** Fill the sandbox business: reviews of mixed ratings (some answered), posts, 30 days of metrics. */
  seedSandbox(): void;
  /** A customer leaves a review (a `NEW_REVIEW` notification when the account asks for it). */
  leaveReview(review?: CustomerReview): FakeReview;
  /** The customer edits their review (new `updateTime`; an `UPDATED_REVIEW` notification). */
  editReview(
    reviewName: string,
    change: { rating?: CustomerReview["rating"]; comment?: string },
  ): FakeReview;
  /** The customer deletes their review. */
  deleteReview(reviewName: string): void;
  /** The owner replies in Google's own UI (not through the API). */
  replyInGoogle(reviewName: string, comment: string): void;
  /** The owner publishes a post in Google's own UI. */
  postInGoogle(location: string, summary: string): string;
  /** Set one metric of one day (`YYYY-MM-DD`). */
  setMetric(
    location: string,
    date: string,
    metric: (typeof DAILY_METRICS)[number],
    value: number,
  ): void;
  /** A review by resource name. */
  review(reviewName: string): FakeReview | undefined;
  /** A location's reviews, newest change first. */
  reviews(location?: string): FakeReview[];
  /** A location's posts. */
  posts(location?: string): Array<Record<string, unknown>>;
  /** The account's notification setting. */
  notificationSetting(accountId?: string): { pubsubTopic: string; notificationTypes: string[] };
  /** Edits a location received in the last minute. */
  editsLastMinute(location: string): number;
  /** A signed Pub/Sub push delivery as Google would send it to the host. */
  pushNotification(options?: PushNotificationOptions): Request;
}

interface FakeLocation {
  accountId: string;
  id: string;
  data: Record<string, unknown>;
}

const FIRST_NAMES = [
  "Maria",
  "Dave",
  "Priya",
  "Tom",
  "Lena",
  "Marcus",
  "Jen",
  "Omar",
  "Kate",
  "Luis",
];
const LAST_INITIALS = ["R.", "S.", "K.", "W.", "B.", "P.", "T.", "G."];

function pageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString("base64url");
}

function readPageToken(token: string | null): number | "invalid" {
  if (token === null || token === "") return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return match === null ? "invalid" : Number(match[1]);
}

/** One Platform 400 with a field violation (Business Information, Performance, Notifications). */
function badRequest(field: string, description: string): Response {
  return HttpResponse.json(
    {
      error: {
        code: 400,
        message: "Request contains an invalid argument.",
        status: "INVALID_ARGUMENT",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            fieldViolations: [{ field, description }],
          },
        ],
      },
    },
    { status: 400 },
  );
}

/** The v4 API's 400: a `google.mybusiness.v4.ValidationError` with error details. */
function v4Invalid(field: string, message: string): Response {
  return HttpResponse.json(
    {
      error: {
        code: 400,
        message: "Request contains an invalid argument.",
        status: "INVALID_ARGUMENT",
        details: [
          {
            "@type": "type.googleapis.com/google.mybusiness.v4.ValidationError",
            errorDetails: [{ code: 3, field, message }],
          },
        ],
      },
    },
    { status: 400 },
  );
}

const notFound = (style: "rpc" | "legacy") =>
  googleError(
    404,
    style === "rpc" ? "NOT_FOUND" : "notFound",
    "Requested entity was not found.",
    style,
  );

function isoDate(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 10);
}

/**
 * A stateful Google Business Profile fake. Endpoints: `GET accounts`
 * (pageSize ≤ 20); `GET accounts/{a}/locations` (`readMask` required and
 * applied, pageSize ≤ 100); v4 `GET …/reviews` (pageSize ≤ 50, `orderBy`
 * `updateTime desc` | `rating` | `rating desc`), `PUT`/`DELETE …/reply`,
 * `GET`/`POST …/localPosts` (pageSize ≤ 100); `GET
 * locations/{l}:fetchMultiDailyMetricsTimeSeries`; `GET`/`PATCH
 * accounts/{a}/notificationSetting`; Google's certs. Every call checks the
 * bearer token and the `business.manage` scope; edits are held to 10 per
 * minute per location (429 RESOURCE_EXHAUSTED).
 *
 * @example
 * ```ts
 * const fake = createGoogleBusinessProfileFake();
 * fake.seedSandbox();
 * const server = setupServer(...fake.handlers);
 * ```
 * @see https://developers.google.com/my-business/content/overview
 */
export function createGoogleBusinessProfileFake(
  options: GoogleBusinessProfileFakeOptions = {},
): GoogleBusinessProfileFake {
  const now = options.now ?? Date.now;
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({ redirectUris: options.redirectUris ?? [GBP_SANDBOX_REDIRECT_URI] });
  const pubsub = {
    subscription: "projects/patchbay-sandbox/subscriptions/google-business-profile-push",
    ...GBP_SANDBOX_PUBSUB,
    ...options.pubsub,
  };
  const editsPerMinute = options.editsPerMinute === undefined ? 10 : options.editsPerMinute;
  const accounts = new Map<string, { name: string; accountName: string; type: string }>();
  const locations = new Map<string, FakeLocation>();
  const reviews = new Map<string, FakeReview[]>();
  const posts = new Map<string, Array<Record<string, unknown>>>();
  const metrics = new Map<string, Map<string, Partial<Record<string, number>>>>();
  const settings = new Map<string, { pubsubTopic: string; notificationTypes: string[] }>();
  const edits = new Map<string, number[]>();
  const requests: Array<{ method: string; url: string }> = [];
  let rateLimited = 0;
  let seq = 0;
  let lastStamp = 0;
  const pushes = pushSigner.subscription({ ...pubsub, firstMessageId: 7_000_001, now });

  /** Strictly increasing timestamps, as Google's `updateTime` never ties for one review. */
  const stamp = (): string => {
    lastStamp = Math.max(now(), lastStamp + 1);
    return new Date(lastStamp).toISOString();
  };

  const locationOf = (location: string | undefined): FakeLocation => {
    const id = location === undefined ? [...locations.keys()][0] : locationIdOf(location);
    const found = id === undefined ? undefined : locations.get(id);
    if (found === undefined)
      throw new Error(`google-business-profile fake: no location ${location}`);
    return found;
  };
  const v4Name = (l: FakeLocation) => `accounts/${l.accountId}/locations/${l.id}`;

  function gate(request: Request, style: "rpc" | "legacy"): Response | undefined {
    const auth = oauth.verifyBearer(request);
    if (!auth.valid) return googleUnauthorized(style);
    if (!auth.scopes.includes(GBP_SCOPE))
      return googleError(
        403,
        style === "rpc" ? "ACCESS_TOKEN_SCOPE_INSUFFICIENT" : "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        style,
      );
    if (rateLimited > 0) {
      rateLimited--;
      return googleRateLimited(style);
    }
    requests.push({ method: request.method, url: request.url });
    return undefined;
  }

  /** Google's per-profile edit quota: 10 per minute, then 429 RESOURCE_EXHAUSTED. */
  function spendEdit(location: FakeLocation, style: "rpc" | "legacy"): Response | undefined {
    if (editsPerMinute === null) return undefined;
    const times = (edits.get(location.id) ?? []).filter((t) => t > now() - 60_000);
    if (times.length >= editsPerMinute) {
      edits.set(location.id, times);
      return googleError(
        429,
        style === "rpc" ? "RATE_LIMIT_EXCEEDED" : "rateLimitExceeded",
        "Quota exceeded for quota metric 'Edits' and limit 'Edits per minute per Business Profile'.",
        style,
      );
    }
    times.push(now());
    edits.set(location.id, times);
    return undefined;
  }

  function v4Location(accountId: string, locationId: string): FakeLocation | undefined {
    const location = locations.get(locationId);
    return location?.accountId === accountId ? location : undefined;
  }

  function notify(type: string, location: FakeLocation, reviewName?: string): void {
    const setting = settings.get(location.accountId);
    if (options.notify === undefined || setting === undefined || setting.pubsubTopic === "") return;
    if (!setting.notificationTypes.includes(type)) return;
    const request = fake.pushNotification({ type, locationName: v4Name(location), reviewName });
    setTimeout(() => {
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  }

  function ratingEnum(rating: CustomerReview["rating"]): FakeReview["starRating"] {
    if (typeof rating === "string") {
      if (!(STAR_RATINGS as readonly string[]).includes(rating))
        throw new TypeError(`"rating" must be 1–5 or one of ${STAR_RATINGS.join(", ")}`);
      return rating;
    }
    const n = rating ?? 5;
    if (!Number.isInteger(n) || n < 1 || n > 5) throw new TypeError('"rating" must be 1–5');
    return STAR_RATINGS[n]!;
  }

  const handlers: RequestHandler[] = [
    ...oauth.handlers,
    pushSigner.certsHandler(),

    // Account Management: accounts.list (pageSize default and max 20).
    http.get(`${ACCOUNT_MANAGEMENT_API}/accounts`, ({ request }) => {
      const denied = gate(request, "rpc");
      if (denied) return denied;
      const url = new URL(request.url);
      const size = Number(url.searchParams.get("pageSize") ?? 20);
      if (!Number.isInteger(size) || size < 0 || size > 20)
        return badRequest("page_size", "Page size must be between 0 and 20.");
      const offset = readPageToken(url.searchParams.get("pageToken"));
      if (offset === "invalid") return badRequest("page_token", "Invalid page token.");
      const all = [...accounts.values()].map((a) => ({
        ...a,
        role: "PRIMARY_OWNER",
        verificationState: "VERIFIED",
        vettedState: "NOT_VETTED",
      }));
      const page = all.slice(offset, offset + (size || 20));
      const next = offset + page.length < all.length ? pageToken(offset + page.length) : undefined;
      return HttpResponse.json({ accounts: page, ...(next && { nextPageToken: next }) });
    }),

    // Business Information: accounts.locations.list (readMask required, pageSize ≤ 100).
    http.get(`${BUSINESS_INFORMATION_API}/accounts/:accountId/locations`, ({ request, params }) => {
      const denied = gate(request, "rpc");
      if (denied) return denied;
      const accountId = String(params.accountId);
      if (!accounts.has(accountId)) return notFound("rpc");
      const url = new URL(request.url);
      const readMask = url.searchParams.get("readMask") ?? url.searchParams.get("read_mask");
      if (!readMask) return badRequest("read_mask", "Field is required");
      const fields = readMask.split(",").map((f) => f.trim());
      const unknown = fields.find(
        (f) => !(LOCATION_READ_MASK as readonly string[]).includes(f.split(".")[0]!),
      );
      if (unknown !== undefined)
        return badRequest("read_mask", `Invalid field mask path: ${unknown}`);
      const size = Number(url.searchParams.get("pageSize") ?? 10);
      if (!Number.isInteger(size) || size < 1 || size > 100)
        return badRequest("page_size", "Page size must be between 1 and 100.");
      const offset = readPageToken(url.searchParams.get("pageToken"));
      if (offset === "invalid") return badRequest("page_token", "Invalid page token.");
      const all = [...locations.values()].filter((l) => l.accountId === accountId);
      const page = all.slice(offset, offset + size).map((l) => {
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          const top = f.split(".")[0]!;
          if (l.data[top] !== undefined) out[top] = l.data[top];
        }
        return out;
      });
      const next = offset + size < all.length ? pageToken(offset + size) : undefined;
      return HttpResponse.json({ locations: page, ...(next && { nextPageToken: next }) });
    }),

    // v4 reviews.list: pageSize ≤ 50, orderBy updateTime desc | rating | rating desc.
    http.get(
      `${MY_BUSINESS_V4_API}/accounts/:accountId/locations/:locationId/reviews`,
      ({ request, params }) => {
        const denied = gate(request, "legacy");
        if (denied) return denied;
        const location = v4Location(String(params.accountId), String(params.locationId));
        if (location === undefined) return notFound("legacy");
        const url = new URL(request.url);
        const size = Number(url.searchParams.get("pageSize") ?? 50);
        if (!Number.isInteger(size) || size < 1 || size > 50)
          return v4Invalid("page_size", "page_size must be between 1 and 50");
        const orderBy = url.searchParams.get("orderBy") ?? "updateTime desc";
        const all = [...(reviews.get(location.id) ?? [])];
        const rating = (r: FakeReview) => STAR_RATINGS.indexOf(r.starRating);
        if (orderBy === "updateTime desc")
          all.sort((a, b) => b.updateTime.localeCompare(a.updateTime));
        else if (orderBy === "rating") all.sort((a, b) => rating(a) - rating(b));
        else if (orderBy === "rating desc") all.sort((a, b) => rating(b) - rating(a));
        else return v4Invalid("order_by", `Unsupported order: ${orderBy}`);
        const offset = readPageToken(url.searchParams.get("pageToken"));
        if (offset === "invalid") return v4Invalid("page_token", "Invalid page token");
        const page = all.slice(offset, offset + size);
        const rated = all.filter((r) => rating(r) > 0);
        const next = offset + size < all.length ? pageToken(offset + size) : undefined;
        return HttpResponse.json({
          ...(page.length > 0 && { reviews: page }),
          averageRating:
            rated.length === 0
              ? 0
              : Math.round((rated.reduce((s, r) => s + rating(r), 0) / rated.length) * 10) / 10,
          totalReviewCount: all.length,
          ...(next && { nextPageToken: next }),
        });
      },
    ),

    // v4 reviews.updateReply / deleteReply.
    http.put(
      `${MY_BUSINESS_V4_API}/accounts/:accountId/locations/:locationId/reviews/:reviewId/reply`,
      async ({ request, params }) => {
        const denied = gate(request, "legacy");
        if (denied) return denied;
        const location = v4Location(String(params.accountId), String(params.locationId));
        const review = reviews.get(location?.id ?? "")?.find((r) => r.reviewId === params.reviewId);
        if (location === undefined || review === undefined) return notFound("legacy");
        const body = (await request.json().catch(() => null)) as { comment?: unknown } | null;
        if (typeof body?.comment !== "string" || body.comment.trim() === "")
          return v4Invalid("comment", "Reply comment is required.");
        if (Buffer.byteLength(body.comment, "utf8") > 4096)
          return v4Invalid("comment", "Reply comment must be at most 4096 bytes.");
        const quota = spendEdit(location, "legacy");
        if (quota) return quota;
        review.reviewReply = { comment: body.comment, updateTime: stamp() };
        return HttpResponse.json(review.reviewReply);
      },
    ),
    http.delete(
      `${MY_BUSINESS_V4_API}/accounts/:accountId/locations/:locationId/reviews/:reviewId/reply`,
      ({ request, params }) => {
        const denied = gate(request, "legacy");
        if (denied) return denied;
        const location = v4Location(String(params.accountId), String(params.locationId));
        const review = reviews.get(location?.id ?? "")?.find((r) => r.reviewId === params.reviewId);
        if (location === undefined || review?.reviewReply === undefined) return notFound("legacy");
        const quota = spendEdit(location, "legacy");
        if (quota) return quota;
        delete review.reviewReply;
        return HttpResponse.json({});
      },
    ),

    // v4 localPosts.list (pageSize default 20, max 100) and create.
    http.get(
      `${MY_BUSINESS_V4_API}/accounts/:accountId/locations/:locationId/localPosts`,
      ({ request, params }) => {
        const denied = gate(request, "legacy");
        if (denied) return denied;
        const location = v4Location(String(params.accountId), String(params.locationId));
        if (location === undefined) return notFound("legacy");
        const url = new URL(request.url);
        const size = Number(url.searchParams.get("pageSize") ?? 20);
        if (!Number.isInteger(size) || size < 1 || size > 100)
          return v4Invalid("page_size", "page_size must be between 1 and 100");
        const offset = readPageToken(url.searchParams.get("pageToken"));
        if (offset === "invalid") return v4Invalid("page_token", "Invalid page token");
        const all = posts.get(location.id) ?? [];
        const page = all.slice(offset, offset + size);
        const next = offset + size < all.length ? pageToken(offset + size) : undefined;
        return HttpResponse.json({
          ...(page.length > 0 && { localPosts: page }),
          ...(next && { nextPageToken: next }),
        });
      },
    ),
    http.post(
      `${MY_BUSINESS_V4_API}/accounts/:accountId/locations/:locationId/localPosts`,
      async ({ request, params }) => {
        const denied = gate(request, "legacy");
        if (denied) return denied;
        const location = v4Location(String(params.accountId), String(params.locationId));
        if (location === undefined) return notFound("legacy");
        const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
        if (body === null) return v4Invalid("local_post", "Invalid JSON body.");
        const topicType = body.topicType;
        if (!["STANDARD", "EVENT", "OFFER", "ALERT"].includes(String(topicType)))
          return v4Invalid("topic_type", "topic_type is required.");
        if ((topicType === "EVENT" || topicType === "OFFER") && body.event === undefined)
          return v4Invalid("event", "event is required for EVENT and OFFER posts.");
        if (typeof body.summary !== "string" || body.summary === "")
          return v4Invalid("summary", "summary is required for STANDARD posts.");
        if (body.summary.length > 1500)
          return v4Invalid("summary", "summary must be at most 1500 characters.");
        const cta = body.callToAction as { actionType?: string; url?: string } | undefined;
        if (cta !== undefined) {
          if (!(CALL_TO_ACTION_TYPES as readonly string[]).includes(String(cta.actionType)))
            return v4Invalid("call_to_action.action_type", "Invalid action type.");
          if (cta.actionType === "CALL" && cta.url !== undefined)
            return v4Invalid("call_to_action.url", "url must not be set for CALL.");
          if (cta.actionType !== "CALL" && !/^https?:\/\//.test(cta.url ?? ""))
            return v4Invalid("call_to_action.url", "A valid url is required.");
        }
        const quota = spendEdit(location, "legacy");
        if (quota) return quota;
        return HttpResponse.json(addPost(location, body));
      },
    ),

    // Performance: locations.fetchMultiDailyMetricsTimeSeries.
    http.get(
      new RegExp(
        `^${PERFORMANCE_API.replace(/[.]/g, "\\.")}/locations/[^/:]+:fetchMultiDailyMetricsTimeSeries$`,
      ),
      ({ request }) => {
        const denied = gate(request, "rpc");
        if (denied) return denied;
        const url = new URL(request.url);
        const id = /\/locations\/([^/:]+):/.exec(url.pathname)?.[1] ?? "";
        const location = locations.get(id);
        if (location === undefined) return notFound("rpc");
        const wanted = url.searchParams.getAll("dailyMetrics");
        if (wanted.length === 0) return badRequest("daily_metrics", "Field is required");
        const bad = wanted.find((m) => !(DAILY_METRICS as readonly string[]).includes(m));
        if (bad !== undefined) return badRequest("daily_metrics", `Invalid value: ${bad}`);
        const part = (end: "start" | "end", unit: string) => {
          const camel = `dailyRange.${end}Date.${unit}`;
          const snake = `daily_range.${end}_date.${unit}`;
          const mixed = `dailyRange.${end}_date.${unit}`;
          const value =
            url.searchParams.get(mixed) ??
            url.searchParams.get(camel) ??
            url.searchParams.get(snake);
          return value === null ? undefined : Number(value);
        };
        const date = (end: "start" | "end") => {
          const [y, m, d] = [part(end, "year"), part(end, "month"), part(end, "day")];
          if (y === undefined || m === undefined || d === undefined) return undefined;
          const epoch = Date.UTC(y, m - 1, d);
          return new Date(epoch).getUTCDate() === d ? epoch : Number.NaN;
        };
        const start = date("start");
        const end = date("end");
        if (start === undefined || end === undefined)
          return badRequest("daily_range", "Field is required");
        if (Number.isNaN(start) || Number.isNaN(end) || start > end)
          return badRequest("daily_range", "Invalid date range.");
        const days = metrics.get(id) ?? new Map();
        const series = wanted.map((metric) => {
          const datedValues = [];
          for (let t = start; t <= end; t += 86_400_000) {
            const d = new Date(t);
            const value = days.get(isoDate(t))?.[metric];
            datedValues.push({
              date: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
              // Google omits zero counts; int64 values are JSON strings.
              ...(value ? { value: String(value) } : {}),
            });
          }
          return { dailyMetric: metric, timeSeries: { datedValues } };
        });
        return HttpResponse.json({
          multiDailyMetricTimeSeries: [{ dailyMetricTimeSeries: series }],
        });
      },
    ),

    // Notifications: accounts.getNotificationSetting / updateNotificationSetting.
    http.get(
      `${NOTIFICATIONS_API}/accounts/:accountId/notificationSetting`,
      ({ request, params }) => {
        const denied = gate(request, "rpc");
        if (denied) return denied;
        const accountId = String(params.accountId);
        if (!accounts.has(accountId)) return notFound("rpc");
        const setting = settings.get(accountId);
        return HttpResponse.json({
          name: `accounts/${accountId}/notificationSetting`,
          ...(setting?.pubsubTopic && { pubsubTopic: setting.pubsubTopic }),
          ...(setting &&
            setting.notificationTypes.length > 0 && {
              notificationTypes: setting.notificationTypes,
            }),
        });
      },
    ),
    http.patch(
      `${NOTIFICATIONS_API}/accounts/:accountId/notificationSetting`,
      async ({ request, params }) => {
        const denied = gate(request, "rpc");
        if (denied) return denied;
        const accountId = String(params.accountId);
        if (!accounts.has(accountId)) return notFound("rpc");
        const mask = new URL(request.url).searchParams.get("updateMask");
        if (!mask) return badRequest("update_mask", "Field is required");
        const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
        if (body === null) return badRequest("notification_setting", "Invalid JSON body.");
        if (body.name !== undefined && body.name !== `accounts/${accountId}/notificationSetting`)
          return badRequest("notification_setting.name", "Name does not match the URL.");
        const current = settings.get(accountId) ?? { pubsubTopic: "", notificationTypes: [] };
        const next = { ...current };
        for (const path of mask.split(",").map((p) => p.trim())) {
          if (path === "pubsubTopic" || path === "pubsub_topic") {
            const topic = typeof body.pubsubTopic === "string" ? body.pubsubTopic : "";
            if (topic !== "" && !/^projects\/[^/]+\/topics\/[^/]+$/.test(topic))
              return badRequest("notification_setting.pubsub_topic", "Invalid Pub/Sub topic name.");
            next.pubsubTopic = topic;
          } else if (path === "notificationTypes" || path === "notification_types") {
            const types = Array.isArray(body.notificationTypes)
              ? body.notificationTypes.map(String)
              : [];
            const bad = types.find((t) => !(NOTIFICATION_TYPES as readonly string[]).includes(t));
            if (bad !== undefined)
              return badRequest("notification_setting.notification_types", `Invalid value: ${bad}`);
            next.notificationTypes = types;
          } else return badRequest("update_mask", `Unknown field: ${path}`);
        }
        settings.set(accountId, next);
        return HttpResponse.json({
          name: `accounts/${accountId}/notificationSetting`,
          ...(next.pubsubTopic && { pubsubTopic: next.pubsubTopic }),
          ...(next.notificationTypes.length > 0 && { notificationTypes: next.notificationTypes }),
        });
      },
    ),
  ];

  function addPost(location: FakeLocation, body: Record<string, unknown>): Record<string, unknown> {
    const id = `${Date.now().toString(36)}${(++seq).toString(36)}`;
    const at = stamp();
    const post = {
      name: `${v4Name(location)}/localPosts/${id}`,
      languageCode: typeof body.languageCode === "string" ? body.languageCode : "en-US",
      summary: body.summary,
      ...(body.callToAction !== undefined && { callToAction: body.callToAction }),
      topicType: body.topicType ?? "STANDARD",
      state: "LIVE",
      searchUrl: `https://local.google.com/place?id=${location.id}&use=posts&lpsid=${id}`,
      createTime: at,
      updateTime: at,
    };
    posts.set(location.id, [post, ...(posts.get(location.id) ?? [])]);
    return post;
  }

  function findReview(reviewName: string): { location: FakeLocation; review: FakeReview } {
    const location = locations.get(locationIdOf(reviewName));
    const review = reviews.get(location?.id ?? "")?.find((r) => r.name === reviewName);
    if (location === undefined || review === undefined)
      throw new Error(`google-business-profile fake: no review ${reviewName}`);
    return { location, review };
  }

  const fake: GoogleBusinessProfileFake = {
    handlers,
    oauth,
    requests,
    rateLimitNext(count = 1) {
      rateLimited += count;
    },
    addAccount(account) {
      const id = account.id ?? String(1_000_000_000_000 + ++seq);
      accounts.set(id, {
        name: `accounts/${id}`,
        accountName: account.accountName,
        type: account.type ?? "LOCATION_GROUP",
      });
      return id;
    },
    addLocation(accountId, location) {
      if (!accounts.has(accountId))
        throw new Error(`google-business-profile fake: no account ${accountId}`);
      const { id: given, ...fields } = location;
      const id = given ?? String(9_000_000_000_000 + ++seq);
      locations.set(id, {
        accountId,
        id,
        data: {
          languageCode: "en",
          metadata: {
            placeId: `ChIJ${id}`,
            mapsUri: `https://maps.google.com/maps?cid=${id}`,
            newReviewUri: `https://search.google.com/local/writereview?placeid=ChIJ${id}`,
          },
          ...fields,
          name: `locations/${id}`,
        },
      });
      return id;
    },
    seedSandbox() {
      const dayMs = 86_400_000;
      for (const [i, locationId] of GBP_SANDBOX.locationIds.entries()) {
        const location = locationOf(locationId);
        for (const [j, seed] of SANDBOX_REVIEWS[i]!.entries()) {
          const written = now() - (seed.daysAgo * dayMs + j * 3_600_000);
          const at = new Date(written).toISOString();
          const reviewId = `AbFvOq${locationId.slice(-3)}${String(j).padStart(3, "0")}`;
          const review: FakeReview = {
            name: `${v4Name(location)}/reviews/${reviewId}`,
            reviewId,
            reviewer: { displayName: seed.reviewer, isAnonymous: false },
            starRating: STAR_RATINGS[seed.rating]!,
            ...(seed.comment !== undefined && { comment: seed.comment }),
            createTime: at,
            updateTime: at,
            ...(seed.reply !== undefined && {
              reviewReply: {
                comment: seed.reply,
                updateTime: new Date(written + 7_200_000).toISOString(),
              },
            }),
          };
          reviews.set(location.id, [...(reviews.get(location.id) ?? []), review]);
        }
        for (const [j, summary] of SANDBOX_POSTS[i]!.entries()) {
          const at = new Date(now() - (j * 9 + 2) * dayMs).toISOString();
          const id = `p${locationId.slice(-3)}${j}`;
          const post = {
            name: `${v4Name(location)}/localPosts/${id}`,
            languageCode: "en-US",
            summary,
            callToAction: { actionType: "CALL" },
            topicType: "STANDARD",
            state: "LIVE",
            searchUrl: `https://local.google.com/place?id=${location.id}&use=posts&lpsid=${id}`,
            createTime: at,
            updateTime: at,
          };
          posts.set(location.id, [...(posts.get(location.id) ?? []), post]);
        }
        // 30 days up to yesterday, weekdays busier; the second location is smaller.
        const scale = i === 0 ? 1 : 0.6;
        for (let d = 1; d <= 30; d++) {
          const t = Date.parse(isoDate(now())) - d * dayMs;
          const weekday = new Date(t).getUTCDay() % 6 === 0 ? 0.6 : 1;
          const wave = 1 + 0.25 * Math.sin(d / 2);
          const v = (base: number) => Math.max(0, Math.round(base * scale * weekday * wave));
          metrics.set(location.id, metrics.get(location.id) ?? new Map());
          metrics.get(location.id)!.set(isoDate(t), {
            BUSINESS_IMPRESSIONS_DESKTOP_MAPS: v(38),
            BUSINESS_IMPRESSIONS_DESKTOP_SEARCH: v(61),
            BUSINESS_IMPRESSIONS_MOBILE_MAPS: v(142),
            BUSINESS_IMPRESSIONS_MOBILE_SEARCH: v(207),
            CALL_CLICKS: v(9),
            WEBSITE_CLICKS: v(6),
            BUSINESS_DIRECTION_REQUESTS: v(3),
          });
        }
      }
    },
    leaveReview(input = {}) {
      const location = locationOf(input.location);
      const at = stamp();
      const reviewId = `AbFvOq${Date.now().toString(36)}${(++seq).toString(36)}`;
      const name =
        input.reviewer === undefined
          ? `${FIRST_NAMES[seq % FIRST_NAMES.length]} ${LAST_INITIALS[seq % LAST_INITIALS.length]}`
          : input.reviewer;
      const review: FakeReview = {
        name: `${v4Name(location)}/reviews/${reviewId}`,
        reviewId,
        reviewer:
          name === null
            ? { displayName: "A Google User", isAnonymous: true }
            : {
                displayName: name,
                profilePhotoUrl: `https://lh3.googleusercontent.com/a/${reviewId}`,
                isAnonymous: false,
              },
        starRating: ratingEnum(input.rating),
        ...(input.comment !== undefined && { comment: input.comment }),
        createTime: at,
        updateTime: at,
      };
      reviews.set(location.id, [...(reviews.get(location.id) ?? []), review]);
      notify("NEW_REVIEW", location, review.name);
      return review;
    },
    editReview(reviewName, change) {
      const { location, review } = findReview(reviewName);
      if (change.rating !== undefined) review.starRating = ratingEnum(change.rating);
      if (change.comment !== undefined) review.comment = change.comment;
      review.updateTime = stamp();
      notify("UPDATED_REVIEW", location, review.name);
      return review;
    },
    deleteReview(reviewName) {
      const { location } = findReview(reviewName);
      reviews.set(
        location.id,
        (reviews.get(location.id) ?? []).filter((r) => r.name !== reviewName),
      );
    },
    replyInGoogle(reviewName, comment) {
      findReview(reviewName).review.reviewReply = { comment, updateTime: stamp() };
    },
    postInGoogle(location, summary) {
      return String(addPost(locationOf(location), { summary, topicType: "STANDARD" }).name);
    },
    setMetric(location, date, metric, value) {
      const id = locationOf(location).id;
      metrics.set(id, metrics.get(id) ?? new Map());
      const day = metrics.get(id)!;
      day.set(date, { ...day.get(date), [metric]: value });
    },
    review(reviewName) {
      const location = locations.get(locationIdOf(reviewName));
      return reviews.get(location?.id ?? "")?.find((r) => r.name === reviewName);
    },
    reviews(location) {
      const id = locationOf(location).id;
      return [...(reviews.get(id) ?? [])].sort((a, b) => b.updateTime.localeCompare(a.updateTime));
    },
    posts(location) {
      return [...(posts.get(locationOf(location).id) ?? [])];
    },
    notificationSetting(accountId = GBP_SANDBOX.accountId) {
      const s = settings.get(accountId) ?? { pubsubTopic: "", notificationTypes: [] };
      return { pubsubTopic: s.pubsubTopic, notificationTypes: [...s.notificationTypes] };
    },
    editsLastMinute(location) {
      return (edits.get(locationIdOf(location)) ?? []).filter((t) => t > now() - 60_000).length;
    },
    pushNotification(push = {}) {
      const { type, locationName: location, reviewName, ...overrides } = push;
      const first = [...locations.values()][0];
      const locationName = location ?? (first === undefined ? undefined : v4Name(first));
      return pushes.deliver(
        {
          notificationType: type ?? "NEW_REVIEW",
          ...(locationName !== undefined && { locationName }),
          ...(reviewName !== undefined && { reviewName }),
        },
        { ...overrides, issuedAt: overrides.issuedAt ?? Math.floor(now() / 1000) },
      );
    },
  };

  if (options.sandbox !== false) {
    fake.addAccount({ id: GBP_SANDBOX.accountId, accountName: GBP_SANDBOX.accountName });
    for (const [i, id] of GBP_SANDBOX.locationIds.entries())
      fake.addLocation(GBP_SANDBOX.accountId, { id, ...SANDBOX_LOCATIONS[i]! });
  }
  return fake;
}
