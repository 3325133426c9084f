/**
 * A stateful fake of the TikTok API for Business (v1.3) as MSW handlers on
 * TikTok's real URLs: the advertiser authorization page and its consent
 * decision (the `auth_code` callback), the JSON auth-code exchange with
 * TikTok's `{ code, message, data }` envelope, the authorized-advertiser
 * list, and integrated BASIC reports with TikTok's parameter checks and
 * `page`/`page_size` paging. Errors come as HTTP 200 with a non-zero `code`,
 * as TikTok sends them.
 *
 * @see https://business-api.tiktok.com/portal/docs
 */
import { randomBytes } from "node:crypto";
import type { SandboxConsent } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import { ACCESS_TOKEN_PATH, TIKTOK_API_BASE_URL, TIKTOK_AUTHORIZE_URL } from "../endpoints.js";
import { sandboxBusiness } from "./sandbox-data.js";

/**
 * The sandbox developer app the fake accepts.
 *
 * @example
 * ```ts
 * tiktokAds({ ...TIKTOK_SANDBOX_APP });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export const TIKTOK_SANDBOX_APP = {
  appId: "7300000000000000001",
  secret: "sandbox-tiktok-app-secret",
} as const;

/**
 * The sandbox advertiser, and the redirect URI the sandbox app registers by default.
 *
 * @example
 * ```ts
 * const { url } = await patchbay.connect.start({ tenantId, connector: "tiktok-ads", redirectUri: TIKTOK_SANDBOX.redirectUri });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export const TIKTOK_SANDBOX = {
  advertiserId: "7012345678901234567",
  redirectUri: "https://app.example.com/integrations/tiktok-ads/callback",
} as const;

/**
 * One day of one campaign's stats.
 *
 * @example
 * ```ts
 * fake.recordDay({ date: "2026-10-01", campaign_id: campaign.campaign_id, spend: 12.5, impressions: 4000, clicks: 30, conversion: 2 });
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export interface FakeCampaignDay {
  date: string;
  campaign_id: string;
  spend: number;
  impressions: number;
  clicks: number;
  conversion: number;
}

/**
 * A campaign.
 *
 * @example
 * ```ts
 * fake.addCampaign("Drain Disasters");
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export interface FakeCampaign {
  campaign_id: string;
  campaign_name: string;
}

interface FakeAdvertiser {
  advertiser_id: string;
  advertiser_name: string;
  campaigns: Map<string, FakeCampaign>;
  days: FakeCampaignDay[];
}

/**
 * Options of {@link createTikTokAdsFake}.
 *
 * @example
 * ```ts
 * const fake = createTikTokAdsFake({ redirectUris: ["http://localhost:3000/integrations/tiktok-ads/callback"] });
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export interface TikTokAdsFakeOptions {
  /** Redirect URIs registered for the sandbox app. Default `[TIKTOK_SANDBOX.redirectUri]`. */
  redirectUris?: string[];
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/**
 * A request to the auth-code exchange, as the fake received it.
 *
 * @example
 * ```ts
 * expect(fake.tokenRequests).toEqual([{ contentType: "application/json", body: { app_id, secret, auth_code } }]);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export interface FakeTokenRequest {
  contentType: string | null;
  body: unknown;
}

/**
 * The fake (see {@link createTikTokAdsFake}).
 *
 * @example
 * ```ts
 * const fake: TikTokAdsFake = createTikTokAdsFake();
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export interface TikTokAdsFake {
  /** MSW handlers: the authorization page and the v1.3 API. */
  readonly handlers: RequestHandler[];
  /** API requests answered (after the token check). */
  readonly requests: ReadonlyArray<{ method: string; url: string }>;
  /** Requests to the auth-code exchange (`POST oauth2/access_token/`), answered or refused. */
  readonly tokenRequests: ReadonlyArray<FakeTokenRequest>;
  /**
   * TikTok's authorization page for the sandbox's consent page and tests:
   * `approve` is {@link TikTokAdsFake.authorize} for the sandbox advertiser,
   * `deny` the callback of a cancelled authorization.
   */
  readonly consent: SandboxConsent;
  /** The next `count` calls answer TikTok's rate limit (HTTP 200, code 40100). */
  rateLimitNext(count?: number): void;
  /**
   * The advertiser clicks "Confirm" on TikTok's authorization page: checks
   * the URL as TikTok would (TikTok's page, the sandbox `app_id`, a
   * registered `redirect_uri`, a `state`) and returns the callback URL with
   * `auth_code`, the same value as `code`, and `state`. Throws a
   * `TypeError` for a request TikTok would refuse.
   */
  authorize(authorizeUrl: string | URL, options?: { advertiserIds?: string[] }): URL;
  /** Checks an access token the fake issued: the advertisers it may act for, or why it is refused. */
  verifyAccessToken(
    token: string,
  ): { valid: true; advertiserIds: string[] } | { valid: false; reason: "unknown" | "revoked" };
  /** The advertiser revokes the app's authorization: pass a token, or an advertiser id for all its tokens. They answer code 40105 from then on. Returns how many tokens were revoked. */
  revokeAuthorization(tokenOrAdvertiserId: string): number;
  /** Add a campaign (default the sandbox advertiser). */
  addCampaign(name?: string, advertiserId?: string): FakeCampaign;
  /** Record (or replace) a day of a campaign's stats. */
  recordDay(day: FakeCampaignDay, advertiserId?: string): void;
  /** Forget a day of stats. */
  deleteDay(date: string, campaignId: string, advertiserId?: string): void;
  /** The recorded days. */
  days(advertiserId?: string): FakeCampaignDay[];
  /** The campaigns. */
  campaigns(advertiserId?: string): FakeCampaign[];
  /** Fill the sandbox advertiser: a home-service business's campaigns with 30 days of stats. */
  seedSandbox(): void;
}

const METRICS = new Set([
  "campaign_name",
  "spend",
  "impressions",
  "clicks",
  "conversion",
  "ctr",
  "cpc",
  "cpm",
  "reach",
]);
const DATA_LEVELS = new Set([
  "AUCTION_ADVERTISER",
  "AUCTION_CAMPAIGN",
  "AUCTION_ADGROUP",
  "AUCTION_AD",
]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function body(code: number, message: string, data: unknown = {}): Response {
  return HttpResponse.json({
    code,
    message,
    request_id: `2026${randomBytes(10).toString("hex").toUpperCase()}`,
    data,
  });
}

/**
 * Create the fake: the sandbox advertiser exists (no campaigns until
 * `seedSandbox()`); tokens come from authorizing (`consent.approve`, then
 * the connector's code exchange).
 *
 * @example
 * ```ts
 * const fake = createTikTokAdsFake();
 * fake.seedSandbox();
 * server.use(...fake.handlers);
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export function createTikTokAdsFake(options: TikTokAdsFakeOptions = {}): TikTokAdsFake {
  const now = options.now ?? Date.now;
  const redirectUris = options.redirectUris ?? [TIKTOK_SANDBOX.redirectUri];
  const requests: Array<{ method: string; url: string }> = [];
  const advertisers = new Map<string, FakeAdvertiser>([
    [
      TIKTOK_SANDBOX.advertiserId,
      {
        advertiser_id: TIKTOK_SANDBOX.advertiserId,
        advertiser_name: "Brightside Plumbing & Heating",
        campaigns: new Map(),
        days: [],
      },
    ],
  ]);
  const tokens = new Map<string, { advertiserIds: string[]; revoked: boolean }>();
  const tokenRequests: FakeTokenRequest[] = [];
  const codes = new Map<string, { advertiserIds: string[]; used: boolean; expiresAt: number }>();
  let limited = 0;
  let counter = 1_780_000_000_000_000;

  const get = (id: string = TIKTOK_SANDBOX.advertiserId): FakeAdvertiser => {
    const a = advertisers.get(id);
    if (a === undefined) throw new TypeError(`unknown advertiser "${id}"`);
    return a;
  };

  function report(url: URL, allowed: string[]): Response {
    const q = url.searchParams;
    const advertiserId = q.get("advertiser_id");
    if (advertiserId === null)
      return body(40002, "advertiser_id: Missing data for required field.");
    if (!allowed.includes(advertiserId) || !advertisers.has(advertiserId))
      return body(40001, `No permission to operate advertiser ${advertiserId}.`);
    if (q.get("report_type") !== "BASIC")
      return body(
        40002,
        "report_type: Must be one of: BASIC, AUDIENCE, PLAYABLE_MATERIAL, CATALOG.",
      );
    const level = q.get("data_level") ?? "";
    if (!DATA_LEVELS.has(level))
      return body(40002, `data_level: Must be one of: ${[...DATA_LEVELS].join(", ")}.`);
    let dimensions: unknown;
    let metrics: unknown;
    try {
      dimensions = JSON.parse(q.get("dimensions") ?? "null");
      metrics = JSON.parse(q.get("metrics") ?? '["spend","impressions"]');
    } catch {
      return body(40002, "dimensions and metrics must be JSON arrays of strings.");
    }
    if (!Array.isArray(dimensions) || dimensions.length === 0)
      return body(40002, "dimensions: Missing data for required field.");
    if (level !== "AUCTION_CAMPAIGN" || dimensions.join(",") !== "campaign_id,stat_time_day")
      return body(
        40002,
        'The fake serves AUCTION_CAMPAIGN reports with dimensions ["campaign_id","stat_time_day"] only.',
      );
    if (!Array.isArray(metrics) || metrics.some((m) => !METRICS.has(String(m))))
      return body(40002, `metrics: Invalid metric in ${JSON.stringify(metrics)}.`);
    const start = q.get("start_date") ?? "";
    const end = q.get("end_date") ?? "";
    if (!DATE.test(start) || !DATE.test(end))
      return body(40002, "start_date and end_date are required (YYYY-MM-DD).");
    if (start > end) return body(40002, "start_date must be earlier than or equal to end_date.");
    if ((Date.parse(end) - Date.parse(start)) / 86_400_000 + 1 > 30)
      return body(
        40002,
        "The time span between start_date and end_date cannot exceed 30 days when stat_time_day is a dimension.",
      );
    const page = Number(q.get("page") ?? 1);
    const pageSize = Number(q.get("page_size") ?? 10);
    if (!Number.isInteger(page) || page < 1)
      return body(40002, "page: Must be greater than or equal to 1.");
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      return body(
        40002,
        "page_size: Must be greater than or equal to 1 and less than or equal to 1000.",
      );
    const advertiser = get(advertiserId);
    const rows = advertiser.days
      .filter((d) => d.date >= start && d.date <= end && advertiser.campaigns.has(d.campaign_id))
      .sort((a, b) =>
        a.date === b.date
          ? a.campaign_id.localeCompare(b.campaign_id)
          : a.date.localeCompare(b.date),
      )
      .map((d) => {
        const all: Record<string, string> = {
          campaign_name: advertiser.campaigns.get(d.campaign_id)!.campaign_name,
          spend: d.spend.toFixed(2),
          impressions: String(d.impressions),
          clicks: String(d.clicks),
          conversion: String(d.conversion),
          ctr: d.impressions === 0 ? "0.00" : ((100 * d.clicks) / d.impressions).toFixed(2),
          cpc: d.clicks === 0 ? "0.00" : (d.spend / d.clicks).toFixed(2),
          cpm: d.impressions === 0 ? "0.00" : ((1000 * d.spend) / d.impressions).toFixed(2),
          reach: String(Math.round(d.impressions * 0.8)),
        };
        return {
          dimensions: { campaign_id: d.campaign_id, stat_time_day: `${d.date} 00:00:00` },
          metrics: Object.fromEntries((metrics as string[]).map((m) => [m, all[m]])),
        };
      });
    const totalPage = Math.max(1, Math.ceil(rows.length / pageSize));
    return body(0, "OK", {
      list: rows.slice((page - 1) * pageSize, page * pageSize),
      page_info: {
        page,
        page_size: pageSize,
        total_number: rows.length,
        total_page: rows.length === 0 ? 0 : totalPage,
      },
    });
  }

  const portal = http.get(TIKTOK_AUTHORIZE_URL, ({ request }) => {
    const url = new URL(request.url);
    if (url.searchParams.get("app_id") !== TIKTOK_SANDBOX_APP.appId)
      return new HttpResponse("Invalid app_id", {
        status: 400,
        headers: { "content-type": "text/plain" },
      });
    return new HttpResponse(
      "<!doctype html><title>TikTok For Business</title><h1>Authorize app</h1>",
      {
        headers: { "content-type": "text/html" },
      },
    );
  });

  const api = http.all(`${TIKTOK_API_BASE_URL}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(TIKTOK_API_BASE_URL).pathname.length + 1);
    if (path === ACCESS_TOKEN_PATH && request.method === "POST") {
      const contentType = request.headers.get("content-type");
      const input = (await request.json().catch(() => undefined)) as
        | Record<string, unknown>
        | undefined;
      tokenRequests.push({ contentType, body: input });
      if (!(contentType ?? "").includes("application/json") || input === undefined)
        return body(40002, "The request body must be JSON (Content-Type: application/json).");
      if (input.app_id !== TIKTOK_SANDBOX_APP.appId || input.secret !== TIKTOK_SANDBOX_APP.secret)
        return body(40001, "The app_id or secret is invalid.");
      const grant = typeof input.auth_code === "string" ? codes.get(input.auth_code) : undefined;
      if (grant === undefined || grant.used || grant.expiresAt < now())
        return body(40002, "auth_code is invalid or has expired.");
      grant.used = true;
      const token = randomBytes(20).toString("hex");
      tokens.set(token, { advertiserIds: grant.advertiserIds, revoked: false });
      return body(0, "OK", {
        access_token: token,
        advertiser_ids: grant.advertiserIds,
        scope: [1, 2, 4],
      });
    }
    const token = request.headers.get("access-token");
    if (token === null || token === "")
      return body(40104, "Access token is null, please check the request header.");
    const grant = tokens.get(token);
    if (grant === undefined || grant.revoked)
      return body(40105, "Access token is incorrect or has been revoked.");
    requests.push({ method: request.method, url: request.url });
    if (limited > 0) {
      limited--;
      return body(40100, "Too many requests. App reaches the QPS limit 10. Please retry later.");
    }
    if (path === "oauth2/advertiser/get/" && request.method === "GET") {
      if (
        url.searchParams.get("app_id") !== TIKTOK_SANDBOX_APP.appId ||
        url.searchParams.get("secret") !== TIKTOK_SANDBOX_APP.secret
      )
        return body(40001, "The app_id or secret is invalid.");
      return body(0, "OK", {
        list: grant.advertiserIds.map((id) => ({
          advertiser_id: id,
          advertiser_name: get(id).advertiser_name,
        })),
      });
    }
    if (path === "report/integrated/get/" && request.method === "GET")
      return report(url, grant.advertiserIds);
    return new HttpResponse("404 page not found", {
      status: 404,
      headers: { "content-type": "text/plain" },
    });
  });

  /** The checks TikTok's authorization page makes before it shows the consent screen; the redirect URI and state. */
  function checkAuthorizeRequest(authorizeUrl: string | URL): { redirect: URL; state: string } {
    const url = new URL(authorizeUrl);
    if (`${url.origin}${url.pathname}` !== TIKTOK_AUTHORIZE_URL)
      throw new TypeError(`not TikTok's authorization URL: ${url.origin}${url.pathname}`);
    const appId = url.searchParams.get("app_id");
    if (appId !== TIKTOK_SANDBOX_APP.appId) throw new TypeError(`unknown app_id "${appId ?? ""}"`);
    const redirect = url.searchParams.get("redirect_uri") ?? "";
    if (!redirectUris.includes(redirect))
      throw new TypeError(`redirect_uri "${redirect}" is not registered for the app`);
    const state = url.searchParams.get("state") ?? "";
    if (state === "") throw new TypeError("the authorization request has no state");
    return { redirect: new URL(redirect), state };
  }

  const fake: TikTokAdsFake = {
    handlers: [portal, api],
    requests,
    tokenRequests,
    consent: {
      // The fake has one TikTok for Business user: `subject` picks nobody else.
      approve: (authorizeUrl) => fake.authorize(authorizeUrl),
      deny(
        authorizeUrl,
        error = "access_denied",
        description = "The user cancelled the authorization",
      ) {
        // Assumed shape: TikTok does not document its callback for a cancelled authorization.
        const { redirect, state } = checkAuthorizeRequest(authorizeUrl);
        redirect.searchParams.set("error", error);
        redirect.searchParams.set("error_description", description);
        redirect.searchParams.set("state", state);
        return redirect;
      },
    },
    rateLimitNext(count = 1) {
      limited += count;
    },
    authorize(authorizeUrl, authOptions = {}) {
      const { redirect, state } = checkAuthorizeRequest(authorizeUrl);
      const advertiserIds = authOptions.advertiserIds ?? [TIKTOK_SANDBOX.advertiserId];
      for (const id of advertiserIds) get(id);
      const code = randomBytes(16).toString("hex");
      codes.set(code, { advertiserIds, used: false, expiresAt: now() + 10 * 60_000 });
      // Callbacks developers report carry the code twice, as `auth_code` and as `code`.
      redirect.searchParams.set("auth_code", code);
      redirect.searchParams.set("code", code);
      redirect.searchParams.set("state", state);
      return redirect;
    },
    verifyAccessToken(token) {
      const grant = tokens.get(token);
      if (grant === undefined) return { valid: false, reason: "unknown" };
      if (grant.revoked) return { valid: false, reason: "revoked" };
      return { valid: true, advertiserIds: [...grant.advertiserIds] };
    },
    revokeAuthorization(tokenOrAdvertiserId) {
      let revoked = 0;
      for (const [token, grant] of tokens)
        if (
          !grant.revoked &&
          (token === tokenOrAdvertiserId || grant.advertiserIds.includes(tokenOrAdvertiserId))
        ) {
          grant.revoked = true;
          revoked++;
        }
      return revoked;
    },
    addCampaign(name, advertiserId) {
      const campaign = {
        campaign_id: String(++counter),
        campaign_name: name ?? `Campaign ${counter}`,
      };
      get(advertiserId).campaigns.set(campaign.campaign_id, campaign);
      return { ...campaign };
    },
    recordDay(day, advertiserId) {
      const a = get(advertiserId);
      a.days = a.days.filter((d) => !(d.date === day.date && d.campaign_id === day.campaign_id));
      a.days.push({ ...day });
    },
    deleteDay(date, campaignId, advertiserId) {
      const a = get(advertiserId);
      a.days = a.days.filter((d) => !(d.date === date && d.campaign_id === campaignId));
    },
    days: (advertiserId) => get(advertiserId).days.map((d) => ({ ...d })),
    campaigns: (advertiserId) => [...get(advertiserId).campaigns.values()].map((c) => ({ ...c })),
    seedSandbox() {
      sandboxBusiness(fake, now());
    },
  };
  return fake;
}
