/**
 * A stateful fake of the Google Ads API (REST, pinned version) as MSW
 * handlers on Google's real URLs: accessible customers, GAQL search with
 * Google's fixed page size and page tokens, offline click conversion uploads
 * with partial failures, manager-account access through `login-customer-id`,
 * `GoogleAdsFailure` error bodies and quota errors with `retryDelay`, plus
 * Google's OAuth server.
 *
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
import {
  createGoogleOAuthFake,
  GOOGLE_SANDBOX_CLIENT,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import {
  GOOGLE_ADS_API_BASE_URL,
  GOOGLE_ADS_API_VERSION,
  normalizeCustomerId,
} from "../endpoints.js";
import { buildRows, GaqlError, parseGaql } from "./gaql.js";
import { sandboxBusiness } from "./sandbox-data.js";

/**
 * The sandbox OAuth app the fake accepts (the shared Google sandbox client).
 *
 * @example
 * ```ts
 * googleAds({ ...GOOGLE_ADS_SANDBOX_APP });
 * ```
 * @see https://developers.google.com/google-ads/api/docs/oauth/cloud-project
 */
export const GOOGLE_ADS_SANDBOX_APP = GOOGLE_SANDBOX_CLIENT;

/**
 * The redirect URI the sandbox OAuth client accepts by default.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "google-ads", redirectUri: GOOGLE_ADS_SANDBOX_REDIRECT_URI });
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server
 */
export const GOOGLE_ADS_SANDBOX_REDIRECT_URI =
  "https://app.example.com/integrations/google-ads/callback";

/**
 * The sandbox accounts: the business's own account (reached directly), and
 * a manager (agency) account with one client reached through it.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(t, c, { customerId: GOOGLE_ADS_SANDBOX.clientCustomerId, loginCustomerId: GOOGLE_ADS_SANDBOX.managerId });
 * ```
 * @see https://developers.google.com/google-ads/api/docs/concepts/call-structure#login-customer-id
 */
export const GOOGLE_ADS_SANDBOX = {
  customerId: "4155550123",
  managerId: "9998887776",
  clientCustomerId: "4155550188",
  conversionActionId: "700100200",
} as const;

/**
 * A campaign as the fake keeps it (snake_case GAQL fields).
 *
 * @example
 * ```ts
 * fake.addCampaign({ name: "Emergency Plumbing", budget_micros: 60_000_000 });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface FakeCampaign {
  id: string;
  name: string;
  status: "ENABLED" | "PAUSED" | "REMOVED";
  advertising_channel_type: string;
  budget_micros: number;
}

/**
 * An ad group as the fake keeps it.
 *
 * @example
 * ```ts
 * fake.addAdGroup({ campaign_id: campaign.id, name: "Drain cleaning" });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface FakeAdGroup {
  id: string;
  campaign_id: string;
  name: string;
  status: "ENABLED" | "PAUSED" | "REMOVED";
  type: string;
  cpc_bid_micros: number;
}

/**
 * One day of metrics for one ad group (campaign rows are sums of their ad groups).
 *
 * @example
 * ```ts
 * fake.recordDay({ date: "2026-10-01", campaign_id: "1001", ad_group_id: "1002", impressions: 300, clicks: 12, cost_micros: 48_000_000, conversions: 2, conversions_value: 650 });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface FakeDay {
  date: string;
  campaign_id: string;
  ad_group_id: string;
  impressions: number;
  clicks: number;
  cost_micros: number;
  conversions: number;
  conversions_value: number;
}

/**
 * A conversion the fake recorded from an upload.
 *
 * @example
 * ```ts
 * fake.uploadedConversions()[0]?.gclid;
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface FakeUploadedConversion {
  customerId: string;
  gclid: string;
  conversionAction: string;
  conversionDateTime: string;
  conversionValue?: number;
  currencyCode?: string;
  orderId?: string;
}

interface FakeCustomer {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
  /** Reached only through this manager (login-customer-id). */
  manager?: string;
  campaigns: Map<string, FakeCampaign>;
  adGroups: Map<string, FakeAdGroup>;
  days: FakeDay[];
  conversionActions: Set<string>;
  clicks: Map<string, { clickTime: number }>;
}

/**
 * Options of {@link createGoogleAdsFake}.
 *
 * @example
 * ```ts
 * const fake = createGoogleAdsFake({ redirectUris: ["http://localhost:3000/integrations/google-ads/callback"], pageSize: 5 });
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/paging
 */
export interface GoogleAdsFakeOptions {
  /** Reuse an OAuth fake; default `createGoogleOAuthFake({ redirectUris })`. */
  oauth?: FakeOAuthServer;
  /** Registered redirect URIs of the default OAuth fake. Default `[GOOGLE_ADS_SANDBOX_REDIRECT_URI]`. */
  redirectUris?: string[];
  /** Rows per search page. Google fixes it at 10,000 (the default); lower it to exercise paging. */
  pageSize?: number;
  /** `retryDelay` of the fake's quota errors (a Duration such as `"30s"`). Default `"1s"`. */
  quotaRetryDelay?: string;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/**
 * The fake (see {@link createGoogleAdsFake}).
 *
 * @example
 * ```ts
 * const fake: GoogleAdsFake = createGoogleAdsFake();
 * fake.seedSandbox();
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface GoogleAdsFake {
  /** MSW handlers: the Google Ads REST API and Google OAuth. */
  readonly handlers: RequestHandler[];
  /** The Google OAuth fake (`approve`, `expireAccessTokens`, `revokeGrant`). */
  readonly oauth: FakeOAuthServer;
  /** API requests answered, with the headers that matter. */
  readonly requests: ReadonlyArray<{
    method: string;
    url: string;
    body: unknown;
    loginCustomerId: string | null;
    developerToken: string | null;
  }>;
  /** The next `count` API calls answer 429 with a `quotaError` (`daily`: the daily operations quota). */
  rateLimitNext(count?: number, options?: { daily?: boolean }): void;
  /** Add a campaign to a customer (default the sandbox account). */
  addCampaign(input: Partial<Omit<FakeCampaign, "id">>, customerId?: string): FakeCampaign;
  /** Edit a campaign as the advertiser would in the Google Ads UI. */
  updateCampaign(
    id: string,
    patch: Partial<Omit<FakeCampaign, "id">>,
    customerId?: string,
  ): FakeCampaign;
  /** Remove a campaign (status `REMOVED`, as Google keeps it). */
  removeCampaign(id: string, customerId?: string): void;
  /** The campaigns, removed ones included. */
  campaigns(customerId?: string): FakeCampaign[];
  /** Add an ad group. */
  addAdGroup(
    input: Partial<Omit<FakeAdGroup, "id">> & { campaign_id: string },
    customerId?: string,
  ): FakeAdGroup;
  /** The ad groups, removed ones included. */
  adGroups(customerId?: string): FakeAdGroup[];
  /** Record (or replace) a day of an ad group's metrics. */
  recordDay(day: FakeDay, customerId?: string): void;
  /** Forget a day of metrics. */
  deleteDay(date: string, adGroupId: string, customerId?: string): void;
  /** The recorded days. */
  days(customerId?: string): FakeDay[];
  /** Someone clicked an ad: returns the gclid Google would put on the landing page URL. */
  recordClick(input?: { at?: number; customerId?: string }): string;
  /** Conversions recorded from uploads. */
  uploadedConversions(): FakeUploadedConversion[];
  /** Fill the sandbox account with a home-service business: campaigns, ad groups, 30 days of metrics, clicks. */
  seedSandbox(): void;
}

const DAY_MS = 86_400_000;
const FAILURE_TYPE = `type.googleapis.com/google.ads.googleads.${GOOGLE_ADS_API_VERSION}.errors.GoogleAdsFailure`;
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
};
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2})$/;

/**
 * A Google Ads error response: Google's envelope with a `GoogleAdsFailure`.
 *
 * @example
 * ```ts
 * return googleAdsFailure(400, { queryError: "UNRECOGNIZED_FIELD" }, "Unrecognized field in the query: 'campaign.foo'.");
 * ```
 * @see https://developers.google.com/google-ads/api/docs/best-practices/error-types
 */
export function googleAdsFailure(
  status: number,
  errorCode: Record<string, string>,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  return HttpResponse.json(
    {
      error: {
        code: status,
        message:
          status === 429
            ? "Resource has been exhausted (e.g. check quota)."
            : status === 403
              ? "The caller does not have permission"
              : "Request contains an invalid argument.",
        status: STATUS_NAMES[status] ?? "UNKNOWN",
        details: [
          {
            "@type": FAILURE_TYPE,
            errors: [{ errorCode, message, ...extra }],
            requestId: `fake-${Math.random().toString(36).slice(2, 12)}`,
          },
        ],
      },
    },
    { status },
  );
}

/**
 * Create the fake. Starts with the sandbox accounts (no data: call
 * `seedSandbox()` for the demo business).
 *
 * @example
 * ```ts
 * const fake = createGoogleAdsFake();
 * server.use(...fake.handlers);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export function createGoogleAdsFake(options: GoogleAdsFakeOptions = {}): GoogleAdsFake {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 10_000;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new TypeError('"pageSize" must be a positive integer');
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({
      redirectUris: options.redirectUris ?? [GOOGLE_ADS_SANDBOX_REDIRECT_URI],
      now,
    });
  const requests: Array<GoogleAdsFake["requests"][number]> = [];
  const uploads: FakeUploadedConversion[] = [];
  let limited: Array<{ daily: boolean }> = [];
  let counter = 1000;
  const nextId = () => String(++counter);

  const customer = (id: string, name: string, manager?: string): FakeCustomer => ({
    id,
    name,
    currency: "USD",
    timeZone: "America/Chicago",
    ...(manager !== undefined && { manager }),
    campaigns: new Map(),
    adGroups: new Map(),
    days: [],
    conversionActions: new Set([GOOGLE_ADS_SANDBOX.conversionActionId]),
    clicks: new Map(),
  });
  const customers = new Map<string, FakeCustomer>([
    [
      GOOGLE_ADS_SANDBOX.customerId,
      customer(GOOGLE_ADS_SANDBOX.customerId, "Brightside Plumbing & Heating"),
    ],
    [
      GOOGLE_ADS_SANDBOX.managerId,
      customer(GOOGLE_ADS_SANDBOX.managerId, "Trailhead Marketing (manager)"),
    ],
    [
      GOOGLE_ADS_SANDBOX.clientCustomerId,
      customer(
        GOOGLE_ADS_SANDBOX.clientCustomerId,
        "Brightside Electric",
        GOOGLE_ADS_SANDBOX.managerId,
      ),
    ],
  ]);
  /** Customers the OAuth user reaches directly. */
  const direct: string[] = [GOOGLE_ADS_SANDBOX.customerId, GOOGLE_ADS_SANDBOX.managerId];

  const get = (customerId: string = GOOGLE_ADS_SANDBOX.customerId): FakeCustomer => {
    const c = customers.get(normalizeCustomerId(customerId));
    if (c === undefined) throw new TypeError(`unknown customer "${customerId}"`);
    return c;
  };

  /** Who may act on `customerId` with this login-customer-id? */
  function denied(customerId: string, login: string | null): Response | undefined {
    const target = customers.get(customerId);
    const permission = () =>
      googleAdsFailure(
        403,
        { authorizationError: "USER_PERMISSION_DENIED" },
        "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
      );
    if (target === undefined) return permission();
    if (login === null)
      return target.manager === undefined && direct.includes(customerId) ? undefined : permission();
    const loginId = normalizeCustomerId(login);
    if (!/^\d{10}$/.test(loginId))
      return googleAdsFailure(
        400,
        { requestError: "INVALID_CUSTOMER_ID" },
        "Invalid customer ID in login-customer-id.",
      );
    if (!direct.includes(loginId)) return permission();
    if (loginId === customerId || target.manager === loginId) return undefined;
    return permission();
  }

  function quota(): Response | undefined {
    const next = limited.shift();
    if (next === undefined) return undefined;
    return googleAdsFailure(
      429,
      { quotaError: next.daily ? "RESOURCE_EXHAUSTED" : "RESOURCE_TEMPORARILY_EXHAUSTED" },
      next.daily
        ? "Number of operations for basic access has been exceeded."
        : "Too many requests. Retry in 1 seconds.",
      {
        details: {
          quotaErrorDetails: {
            rateScope: next.daily ? "DEVELOPER" : "ACCOUNT",
            rateName: next.daily ? "Number of operations for basic access" : "Number of requests",
            retryDelay: next.daily ? "86400s" : (options.quotaRetryDelay ?? "1s"),
          },
        },
      },
    );
  }

  function search(c: FakeCustomer, body: Record<string, unknown>): Response {
    if ("pageSize" in body)
      return googleAdsFailure(
        400,
        { requestError: "PAGE_SIZE_NOT_SUPPORTED" },
        "Setting the page size is not supported. Search Responses will have fixed page size of '10000' rows.",
      );
    if (typeof body.query !== "string" || body.query.trim() === "")
      return googleAdsFailure(
        400,
        { requestError: "REQUIRED_FIELD_MISSING" },
        "The query is required.",
      );
    let rows: Array<Record<string, unknown>>;
    try {
      rows = buildRows(parseGaql(body.query), {
        customer: {
          id: c.id,
          descriptive_name: c.name,
          currency_code: c.currency,
          time_zone: c.timeZone,
        },
        campaigns: [...c.campaigns.values()],
        adGroups: [...c.adGroups.values()],
        days: c.days,
      });
    } catch (error) {
      if (error instanceof GaqlError)
        return googleAdsFailure(400, { queryError: error.code }, error.message);
      throw error;
    }
    const key = Buffer.from(body.query).toString("base64url").slice(0, 24);
    let offset = 0;
    if (body.pageToken !== undefined) {
      const [tokenKey, at] = String(body.pageToken).split(".");
      offset = Number(at);
      if (tokenKey !== key || !Number.isInteger(offset) || offset < 0 || offset > rows.length)
        return googleAdsFailure(
          400,
          { requestError: "INVALID_PAGE_TOKEN" },
          "Page token is invalid.",
        );
    }
    const page = rows.slice(offset, offset + pageSize);
    const next = offset + pageSize < rows.length ? `${key}.${offset + pageSize}` : undefined;
    return HttpResponse.json({
      results: page,
      ...(next !== undefined && { nextPageToken: next }),
      fieldMask: parseGaql(body.query).fields.map(camelPath).join(","),
      queryResourceConsumption: String(page.length),
    });
  }

  function upload(c: FakeCustomer, body: Record<string, unknown>): Response {
    if (body.partialFailure !== true)
      return googleAdsFailure(
        400,
        { requestError: "REQUIRED_FIELD_MISSING" },
        "Partial failure mode is required for this request (partial_failure must be true).",
      );
    const conversions = Array.isArray(body.conversions) ? body.conversions : [];
    if (conversions.length === 0 || conversions.length > 2000)
      return googleAdsFailure(
        400,
        { requestError: "TOO_MANY_OPERATIONS" },
        "Between 1 and 2000 conversions are allowed.",
      );
    const errors: Array<Record<string, unknown>> = [];
    const results: Array<Record<string, unknown>> = [];
    const accepted: FakeUploadedConversion[] = [];
    const check = (raw: unknown, index: number) => {
      const row = (raw ?? {}) as Record<string, unknown>;
      const fail = (errorCode: Record<string, string>, message: string, field: string) => {
        errors.push({
          errorCode,
          message,
          location: {
            fieldPathElements: [{ fieldName: "conversions", index }, { fieldName: field }],
          },
        });
        results.push({});
      };
      const gclid = typeof row.gclid === "string" ? row.gclid : "";
      const action = typeof row.conversionAction === "string" ? row.conversionAction : "";
      const when =
        typeof row.conversionDateTime === "string" ? DATE_TIME.exec(row.conversionDateTime) : null;
      const actionId = /^customers\/(\d+)\/conversionActions\/(\d+)$/.exec(action);
      if (!/^[A-Za-z0-9_-]{8,}$/.test(gclid))
        return fail(
          { conversionUploadError: "UNPARSEABLE_GCLID" },
          "The gclid could not be decoded.",
          "gclid",
        );
      if (actionId === null || actionId[1] !== c.id || !c.conversionActions.has(actionId[2]!))
        return fail(
          { conversionUploadError: "NO_CONVERSION_ACTION_FOUND" },
          "The conversion action specified in the upload request cannot be found.",
          "conversion_action",
        );
      if (when === null)
        return fail(
          { dateError: "INVALID_STRING_DATE_TIME_SECONDS_WITH_OFFSET" },
          "The string date time's format should be yyyy-mm-dd hh:mm:ss+|-hh:mm.",
          "conversion_date_time",
        );
      const click = c.clicks.get(gclid);
      if (click === undefined)
        return fail(
          { conversionUploadError: "EVENT_NOT_FOUND" },
          "The click associated with the given identifier or iOS URL parameter was not found.",
          "gclid",
        );
      const at = Date.parse(`${when[1]}T${when[2]}${when[3]}`);
      if (at < click.clickTime)
        return fail(
          { conversionUploadError: "CONVERSION_PRECEDES_EVENT" },
          "The conversion happened before the click.",
          "conversion_date_time",
        );
      if (typeof row.currencyCode === "string" && !/^[A-Z]{3}$/.test(row.currencyCode))
        return fail(
          { conversionUploadError: "INVALID_CURRENCY_CODE" },
          "Invalid currency code.",
          "currency_code",
        );
      results.push({ gclid, conversionAction: action, conversionDateTime: row.conversionDateTime });
      accepted.push({
        customerId: c.id,
        gclid,
        conversionAction: action,
        conversionDateTime: String(row.conversionDateTime),
        ...(typeof row.conversionValue === "number" && { conversionValue: row.conversionValue }),
        ...(typeof row.currencyCode === "string" && { currencyCode: row.currencyCode }),
        ...(typeof row.orderId === "string" && { orderId: row.orderId }),
      });
    };
    conversions.forEach((raw: unknown, index: number) => {
      check(raw, index);
    });
    if (body.validateOnly !== true) uploads.push(...accepted);
    return HttpResponse.json({
      results,
      ...(errors.length > 0 && {
        partialFailureError: {
          code: 3,
          message: errors.map((e) => String(e.message)).join(", "),
          details: [{ "@type": FAILURE_TYPE, errors, requestId: "fake-partial" }],
        },
      }),
      jobId: String(Math.floor(now() / 1000)),
    });
  }

  const api = http.all(`${GOOGLE_ADS_API_BASE_URL}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(GOOGLE_ADS_API_BASE_URL).pathname.length + 1);
    const auth = oauth.verifyBearer(request);
    if (!auth.valid) return googleUnauthorized();
    if (!auth.scopes.includes("https://www.googleapis.com/auth/adwords"))
      return googleAdsFailure(
        403,
        { authorizationError: "ACTION_NOT_PERMITTED" },
        "Request had insufficient authentication scopes.",
      );
    const body =
      request.method === "POST" ? await request.json().catch(() => undefined) : undefined;
    const login = request.headers.get("login-customer-id");
    requests.push({
      method: request.method,
      url: request.url,
      body,
      loginCustomerId: login,
      developerToken: request.headers.get("developer-token"),
    });
    const limitedResponse = quota();
    if (limitedResponse !== undefined) return limitedResponse;

    if (path === "customers:listAccessibleCustomers" && request.method === "GET")
      return HttpResponse.json({ resourceNames: direct.map((id) => `customers/${id}`) });

    const match = /^customers\/([^/:]+)(\/googleAds:search|:uploadClickConversions)$/.exec(path);
    if (match === null || request.method !== "POST")
      return HttpResponse.json(
        { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } },
        { status: 404 },
      );
    const customerId = match[1]!;
    if (!/^\d{10}$/.test(customerId))
      return googleAdsFailure(400, { requestError: "INVALID_CUSTOMER_ID" }, "Invalid customer ID.");
    const refused = denied(customerId, login);
    if (refused !== undefined) return refused;
    if (body === null || typeof body !== "object")
      return googleAdsFailure(
        400,
        { requestError: "BAD_RESOURCE_ID" },
        "Invalid JSON payload received.",
      );
    const c = customers.get(customerId)!;
    return match[2] === ":uploadClickConversions"
      ? upload(c, body as Record<string, unknown>)
      : search(c, body as Record<string, unknown>);
  });

  const fake: GoogleAdsFake = {
    handlers: [...oauth.handlers, api],
    oauth,
    requests,
    rateLimitNext(count = 1, opts = {}) {
      for (let i = 0; i < count; i++) limited.push({ daily: opts.daily === true });
    },
    addCampaign(input, customerId) {
      const c = get(customerId);
      const campaign: FakeCampaign = {
        id: nextId(),
        name: input.name ?? `Campaign ${counter}`,
        status: input.status ?? "ENABLED",
        advertising_channel_type: input.advertising_channel_type ?? "SEARCH",
        budget_micros: input.budget_micros ?? 25_000_000,
      };
      c.campaigns.set(campaign.id, campaign);
      return { ...campaign };
    },
    updateCampaign(id, patch, customerId) {
      const campaign = get(customerId).campaigns.get(id);
      if (campaign === undefined) throw new TypeError(`unknown campaign "${id}"`);
      Object.assign(campaign, patch);
      return { ...campaign };
    },
    removeCampaign(id, customerId) {
      fake.updateCampaign(id, { status: "REMOVED" }, customerId);
    },
    campaigns: (customerId) => [...get(customerId).campaigns.values()].map((c) => ({ ...c })),
    addAdGroup(input, customerId) {
      const c = get(customerId);
      if (!c.campaigns.has(input.campaign_id))
        throw new TypeError(`unknown campaign "${input.campaign_id}"`);
      const group: FakeAdGroup = {
        id: nextId(),
        campaign_id: input.campaign_id,
        name: input.name ?? `Ad group ${counter}`,
        status: input.status ?? "ENABLED",
        type: input.type ?? "SEARCH_STANDARD",
        cpc_bid_micros: input.cpc_bid_micros ?? 2_000_000,
      };
      c.adGroups.set(group.id, group);
      return { ...group };
    },
    adGroups: (customerId) => [...get(customerId).adGroups.values()].map((g) => ({ ...g })),
    recordDay(day, customerId) {
      const c = get(customerId);
      c.days = c.days.filter((d) => !(d.date === day.date && d.ad_group_id === day.ad_group_id));
      c.days.push({ ...day });
    },
    deleteDay(date, adGroupId, customerId) {
      const c = get(customerId);
      c.days = c.days.filter((d) => !(d.date === date && d.ad_group_id === adGroupId));
    },
    days: (customerId) => get(customerId).days.map((d) => ({ ...d })),
    recordClick(input = {}) {
      const gclid = `Cj0KCQjw${Math.random().toString(36).slice(2, 14)}BwE`;
      get(input.customerId).clicks.set(gclid, { clickTime: input.at ?? now() - DAY_MS });
      return gclid;
    },
    uploadedConversions: () => uploads.map((u) => ({ ...u })),
    seedSandbox() {
      sandboxBusiness(fake, now());
    },
  };
  limited = [];
  return fake;
}

function camelPath(field: string): string {
  return field.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}
