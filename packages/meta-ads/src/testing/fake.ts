/**
 * A stateful fake of the Meta Marketing API (Graph) as MSW handlers on
 * Meta's real URLs: ad accounts, campaigns with cursor paging and `fields`
 * selection, async insights report runs (start, poll, read), usage headers,
 * Graph error bodies (throttling codes on HTTP 400), the long-lived token
 * exchange, signed webhook deliveries, and Facebook Login.
 *
 * @see https://developers.facebook.com/docs/marketing-api
 */
import { createHmac, randomBytes } from "node:crypto";
import { createFakeOAuthServer, type FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import { appSecretProof } from "../auth.js";
import { META_GRAPH_BASE_URL, META_OAUTH } from "../endpoints.js";
import { sandboxBusiness } from "./sandbox-data.js";

/**
 * The sandbox Meta app the fake accepts.
 *
 * @example
 * ```ts
 * metaAds({ ...META_SANDBOX_APP });
 * ```
 * @see https://developers.facebook.com/docs/development/create-an-app
 */
export const META_SANDBOX_APP = {
  clientId: "1029384756",
  clientSecret: "sandbox-meta-app-secret",
} as const;

/**
 * The redirect URI the sandbox app accepts by default.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "meta-ads", redirectUri: META_SANDBOX_REDIRECT_URI });
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 */
export const META_SANDBOX_REDIRECT_URI = "https://app.example.com/integrations/meta-ads/callback";

/**
 * The sandbox business: its ad account, a system-user token that reads it,
 * and the webhook verify token and URL.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "meta-ads", credentials: { accessToken: META_SANDBOX.systemUserToken } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/system-users
 */
export const META_SANDBOX = {
  adAccountId: "act_5550001234",
  businessId: "880001234567",
  systemUserToken: "EAAsandboxSystemUserToken0123456789abcdefghijklmnopqrstu",
  webhookVerifyToken: "sandbox-verify-token",
  webhookUrl: "https://app.example.com/integrations/webhooks/meta-ads",
} as const;

/**
 * A campaign as the fake keeps it (Graph fields).
 *
 * @example
 * ```ts
 * fake.addCampaign({ name: "Fall Furnace Tune-Up", objective: "OUTCOME_LEADS", daily_budget: "4000" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface FakeCampaign {
  id: string;
  name: string;
  status: "ACTIVE" | "PAUSED" | "DELETED" | "ARCHIVED";
  objective: string;
  daily_budget?: string;
  created_time: string;
  updated_time: string;
}

/**
 * An ad set.
 *
 * @example
 * ```ts
 * fake.addAdSet(campaign.id, "Homeowners 25-65");
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface FakeAdSet {
  id: string;
  campaign_id: string;
  name: string;
}

/**
 * One day of delivery for one ad set.
 *
 * @example
 * ```ts
 * fake.recordDay({ date: "2026-10-01", adset_id: adset.id, spend: 21.5, impressions: 1900, clicks: 24, reach: 1500, leads: 2 });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface FakeInsightDay {
  date: string;
  adset_id: string;
  spend: number;
  impressions: number;
  clicks: number;
  reach: number;
  leads: number;
}

interface FakeAccount {
  account_id: string;
  name: string;
  currency: string;
  timezone_name: string;
  account_status: number;
  campaigns: Map<string, FakeCampaign>;
  adsets: Map<string, FakeAdSet>;
  days: FakeInsightDay[];
}

interface FakeReportRun {
  id: string;
  accountId: string;
  level: string;
  fields: string[];
  since: string;
  until: string;
  polls: number;
  outcome: "Job Completed" | "Job Failed" | "Job Skipped";
}

/**
 * Options of {@link createMetaAdsFake}.
 *
 * @example
 * ```ts
 * const fake = createMetaAdsFake({ redirectUris: ["http://localhost:3000/integrations/meta-ads/callback"], reportPolls: 0 });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface MetaAdsFakeOptions {
  /** Registered redirect URIs of the sandbox app. Default `[META_SANDBOX_REDIRECT_URI]`. */
  redirectUris?: string[];
  /** Status polls a report run answers "Job Running" before "Job Completed". Default 2. */
  reportPolls?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /**
   * Deliver signed ad account webhooks to the host when a campaign changes
   * (`addCampaign`, `updateCampaign`, `deleteCampaign`), e.g.
   * `(r) => patchbay.handleWebhook("meta-ads", r)`. Called asynchronously.
   */
  notify?: (request: Request) => unknown;
}

/**
 * The fake (see {@link createMetaAdsFake}).
 *
 * @example
 * ```ts
 * const fake: MetaAdsFake = createMetaAdsFake();
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface MetaAdsFake {
  /** MSW handlers: Facebook Login and the Graph API. */
  readonly handlers: RequestHandler[];
  /** The Facebook Login fake (`approve`, `revokeGrant`, `expireAccessTokens`). */
  readonly oauth: FakeOAuthServer;
  /** Graph requests answered (after auth). */
  readonly requests: ReadonlyArray<{ method: string; url: string; body: Record<string, string> }>;
  /** The next `count` Graph calls answer Meta's throttling error (code 80004/80000 on HTTP 400). */
  rateLimitNext(count?: number): void;
  /** What the usage headers report from now on: percent of the allowance used, minutes to regain access. */
  setUsage(usage: { percent: number; regainMinutes?: number }): void;
  /** The next report run ends with this status instead of completing. */
  failNextReport(status: "Job Failed" | "Job Skipped"): void;
  /** Add a campaign (default to the sandbox ad account), as the advertiser in Ads Manager. */
  addCampaign(input?: Partial<Omit<FakeCampaign, "id">>, adAccountId?: string): FakeCampaign;
  /** Edit a campaign. */
  updateCampaign(
    id: string,
    patch: Partial<Omit<FakeCampaign, "id">>,
    adAccountId?: string,
  ): FakeCampaign;
  /** Delete a campaign (it drops out of the campaigns edge). */
  deleteCampaign(id: string, adAccountId?: string): void;
  /** Campaigns not deleted. */
  campaigns(adAccountId?: string): FakeCampaign[];
  /** Add an ad set to a campaign. */
  addAdSet(campaignId: string, name?: string, adAccountId?: string): FakeAdSet;
  /** Record (or replace) one day of an ad set's delivery. */
  recordDay(day: FakeInsightDay, adAccountId?: string): void;
  /** Add another ad account the user can read. */
  addAdAccount(input: { account_id: string; name: string }): void;
  /** A signed ad account webhook delivery (`forged`: a wrong signature). */
  adAccountEvent(options?: { adAccountId?: string; forged?: boolean; field?: string }): Request;
  /** Fill the sandbox ad account: a home-service business's campaigns, ad sets and 30 days of delivery. */
  seedSandbox(): void;
}

const LONG_LIVED_SECONDS = 5_184_000;

function graphError(
  status: number,
  code: number,
  message: string,
  extra: {
    subcode?: number;
    type?: string;
    transient?: boolean;
    headers?: Record<string, string>;
  } = {},
): Response {
  return HttpResponse.json(
    {
      error: {
        message,
        type: extra.type ?? "OAuthException",
        code,
        ...(extra.subcode !== undefined && { error_subcode: extra.subcode }),
        is_transient: extra.transient ?? false,
        fbtrace_id: `A${randomBytes(8).toString("hex")}`,
      },
    },
    { status, ...(extra.headers !== undefined && { headers: extra.headers }) },
  );
}

function isoTime(epoch: number): string {
  return new Date(epoch).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

function encodeCursor(offset: number): string {
  return Buffer.from(String(offset)).toString("base64url");
}
function decodeCursor(cursor: string): number {
  return Number(Buffer.from(cursor, "base64url").toString("utf8"));
}

/**
 * Create the fake. The sandbox ad account exists but has no campaigns until
 * `seedSandbox()` (or the user-side helpers).
 *
 * @example
 * ```ts
 * const fake = createMetaAdsFake();
 * fake.seedSandbox();
 * server.use(...fake.handlers);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export function createMetaAdsFake(options: MetaAdsFakeOptions = {}): MetaAdsFake {
  const now = options.now ?? Date.now;
  const reportPolls = options.reportPolls ?? 2;
  const oauth = createFakeOAuthServer({
    issuer: "https://www.facebook.com",
    endpoints: { authorization: META_OAUTH.authorizationUrl, token: META_OAUTH.tokenUrl },
    clients: [
      {
        ...META_SANDBOX_APP,
        redirectUris: options.redirectUris ?? [META_SANDBOX_REDIRECT_URI],
        authMethod: "client_secret_post",
      },
    ],
    // Facebook Login: short-lived user tokens, no refresh tokens, comma-separated scopes.
    requirePkce: false,
    issueRefreshTokens: false,
    accessTokenTtlSeconds: 5400,
    scopeSeparator: ",",
    now,
  });
  const requests: Array<MetaAdsFake["requests"][number]> = [];
  // Long-lived tokens remember the short-lived token they were traded for: revoking
  // the app at Facebook kills both (the grant is the user's, not the token's).
  const longLived = new Map<
    string,
    { subject: string; expiresAt: number; source: string; scopes: string[] }
  >();
  const revokeGrant = oauth.revokeGrant.bind(oauth);
  oauth.revokeGrant = (subjectOrToken: string) =>
    revokeGrant(longLived.get(subjectOrToken)?.source ?? subjectOrToken);
  const verifyAccessToken = oauth.verifyAccessToken.bind(oauth);
  oauth.verifyAccessToken = (token: string) => {
    const long = longLived.get(token);
    if (long === undefined) return verifyAccessToken(token);
    const source = verifyAccessToken(long.source);
    if (!source.valid && source.reason === "revoked") return source;
    if (long.expiresAt <= now()) return { valid: false, reason: "expired" };
    return {
      valid: true,
      subject: long.subject,
      scopes: long.scopes,
      clientId: META_SANDBOX_APP.clientId,
      expiresAt: long.expiresAt,
    };
  };
  const accounts = new Map<string, FakeAccount>();
  const runs = new Map<string, FakeReportRun>();
  let usage = { percent: 4, regainMinutes: 0 };
  let limited = 0;
  const failNext: Array<"Job Failed" | "Job Skipped"> = [];
  let counter = 120_210_000_000_000;
  const nextId = () => String(++counter);

  const accountOf = (id: string = META_SANDBOX.adAccountId): FakeAccount => {
    const a = accounts.get(id.replace(/^act_/, ""));
    if (a === undefined) throw new TypeError(`unknown ad account "${id}"`);
    return a;
  };
  const addAccount = (account_id: string, name: string) =>
    accounts.set(account_id, {
      account_id,
      name,
      currency: "USD",
      timezone_name: "America/Chicago",
      account_status: 1,
      campaigns: new Map(),
      adsets: new Map(),
      days: [],
    });
  addAccount(META_SANDBOX.adAccountId.replace(/^act_/, ""), "Brightside Plumbing & Heating");

  function usageHeaders(path: string): Record<string, string> {
    const pct = usage.percent;
    const headers: Record<string, string> = {
      "x-app-usage": JSON.stringify({
        call_count: pct,
        total_cputime: Math.round(pct / 2),
        total_time: Math.round(pct / 2),
      }),
    };
    const act = /^act_(\d+)/.exec(path);
    if (act !== null) {
      headers["x-ad-account-usage"] = JSON.stringify({
        acc_id_util_pct: pct,
        reset_time_duration: usage.regainMinutes * 60,
        ads_api_access_tier: "standard_access",
      });
      headers["x-business-use-case-usage"] = JSON.stringify({
        [META_SANDBOX.businessId]: [
          {
            type: path.endsWith("/insights") ? "ads_insights" : "ads_management",
            call_count: pct,
            total_cputime: Math.round(pct / 2),
            total_time: Math.round(pct / 2),
            estimated_time_to_regain_access: usage.regainMinutes,
            ads_api_access_tier: "standard_access",
          },
        ],
      });
    }
    return headers;
  }

  /** Who is calling: a Facebook Login token, a long-lived token, or the sandbox system user. */
  function authenticate(request: Request, url: URL): { subject: string } | Response {
    const header = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const token = header ?? url.searchParams.get("access_token") ?? undefined;
    if (token === undefined)
      return graphError(400, 104, "An access token is required to request this resource.");
    const proof = url.searchParams.get("appsecret_proof");
    if (proof !== null && proof !== appSecretProof(token, META_SANDBOX_APP.clientSecret))
      return graphError(400, 100, "Invalid appsecret_proof provided in the API argument", {
        type: "GraphMethodException",
      });
    if (token === META_SANDBOX.systemUserToken) return { subject: "system-user-1" };
    const long = longLived.get(token);
    if (long !== undefined && oauth.verifyAccessToken(long.source).valid === false) {
      const source = oauth.verifyAccessToken(long.source);
      if (!source.valid && source.reason === "revoked")
        return graphError(
          400,
          190,
          "Error validating access token: The user has not authorized application.",
          { subcode: 458 },
        );
    }
    if (long !== undefined)
      return long.expiresAt > now()
        ? { subject: long.subject }
        : graphError(400, 190, "Error validating access token: Session has expired.", {
            subcode: 463,
          });
    const check = oauth.verifyAccessToken(token);
    if (check.valid) return { subject: check.subject };
    if (check.reason === "expired")
      return graphError(400, 190, "Error validating access token: Session has expired.", {
        subcode: 463,
      });
    if (check.reason === "revoked")
      return graphError(
        400,
        190,
        "Error validating access token: The user has not authorized application.",
        {
          subcode: 458,
        },
      );
    return graphError(400, 190, "Invalid OAuth access token - Cannot parse access token");
  }

  function select(
    row: Record<string, unknown>,
    fields: string | null,
    fallback: string[],
  ): Record<string, unknown> {
    const wanted =
      fields === null || fields === "" ? fallback : fields.split(",").map((f) => f.trim());
    return Object.fromEntries(wanted.filter((f) => row[f] !== undefined).map((f) => [f, row[f]]));
  }

  function paged(url: URL, rows: Array<Record<string, unknown>>, path: string): Response {
    const limit = Number(url.searchParams.get("limit") ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
      return graphError(400, 100, "(#100) Param limit must be a number between 1 and 5000", {
        type: "OAuthException",
      });
    const after = url.searchParams.get("after");
    const offset = after === null ? 0 : decodeCursor(after);
    if (!Number.isInteger(offset) || offset < 0 || offset > rows.length)
      return graphError(400, 100, "(#100) The after cursor is invalid", { type: "OAuthException" });
    const data = rows.slice(offset, offset + limit);
    const end = offset + data.length;
    const next = new URL(url);
    next.searchParams.set("after", encodeCursor(end));
    return HttpResponse.json(
      {
        data,
        ...(rows.length > 0 && {
          paging: {
            cursors: { before: encodeCursor(offset), after: encodeCursor(end) },
            ...(end < rows.length && { next: next.href }),
          },
        }),
      },
      { headers: usageHeaders(path) },
    );
  }

  function insightRows(run: FakeReportRun): Array<Record<string, unknown>> {
    const account = accountOf(run.accountId);
    const sums = new Map<
      string,
      Record<string, unknown> & {
        _spend: number;
        _imp: number;
        _clk: number;
        _reach: number;
        _leads: number;
      }
    >();
    for (const day of account.days) {
      if (day.date < run.since || day.date > run.until) continue;
      const adset = account.adsets.get(day.adset_id);
      const campaign = adset === undefined ? undefined : account.campaigns.get(adset.campaign_id);
      if (adset === undefined || campaign === undefined || campaign.status === "DELETED") continue;
      const key = `${day.date}:${run.level === "adset" ? adset.id : run.level === "campaign" ? campaign.id : "account"}`;
      const row = sums.get(key) ?? {
        account_id: account.account_id,
        ...(run.level !== "account" && { campaign_id: campaign.id, campaign_name: campaign.name }),
        ...(run.level === "adset" && { adset_id: adset.id, adset_name: adset.name }),
        date_start: day.date,
        date_stop: day.date,
        _spend: 0,
        _imp: 0,
        _clk: 0,
        _reach: 0,
        _leads: 0,
      };
      row._spend += day.spend;
      row._imp += day.impressions;
      row._clk += day.clicks;
      row._reach += day.reach;
      row._leads += day.leads;
      sums.set(key, row);
    }
    return [...sums.values()]
      .filter((r) => r._imp > 0)
      .sort((a, b) => String(a.date_start).localeCompare(String(b.date_start)))
      .map(({ _spend, _imp, _clk, _reach, _leads, ...rest }) =>
        select(
          {
            ...rest,
            spend: _spend.toFixed(2),
            impressions: String(_imp),
            clicks: String(_clk),
            reach: String(_reach),
            ...(_leads > 0 && { actions: [{ action_type: "lead", value: String(_leads) }] }),
          },
          run.fields.join(","),
          [],
        ),
      );
  }

  async function readForm(request: Request): Promise<Record<string, string>> {
    const text = await request.text();
    const type = request.headers.get("content-type") ?? "";
    if (type.includes("json")) return JSON.parse(text || "{}") as Record<string, string>;
    return Object.fromEntries(new URLSearchParams(text));
  }

  const INSIGHT_LEVELS = ["account", "campaign", "adset", "ad"];
  const INSIGHT_FIELDS = new Set([
    "account_id",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "date_start",
    "date_stop",
    "spend",
    "impressions",
    "clicks",
    "reach",
    "actions",
  ]);

  const graph = http.all(`${META_GRAPH_BASE_URL}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const path = url.pathname
      .slice(new URL(META_GRAPH_BASE_URL).pathname.length + 1)
      .replace(/\/$/, "");

    // The long-lived token exchange (GET); the code exchange (POST) falls through to the OAuth fake.
    if (path === "oauth/access_token" && request.method !== "GET") return undefined;
    if (path === "oauth/access_token") {
      if (url.searchParams.get("grant_type") !== "fb_exchange_token")
        return graphError(400, 100, "Missing or unsupported grant_type", {
          type: "OAuthException",
        });
      if (
        url.searchParams.get("client_id") !== META_SANDBOX_APP.clientId ||
        url.searchParams.get("client_secret") !== META_SANDBOX_APP.clientSecret
      )
        return graphError(400, 1, "Error validating client secret.", { type: "OAuthException" });
      const short = url.searchParams.get("fb_exchange_token") ?? "";
      const check = oauth.verifyAccessToken(short);
      const known = longLived.get(short);
      const subject = check.valid
        ? check.subject
        : known !== undefined && known.expiresAt > now()
          ? known.subject
          : undefined;
      if (subject === undefined)
        return graphError(400, 190, "Error validating access token: Session has expired.", {
          subcode: 463,
        });
      const token = `EAAlong${randomBytes(24).toString("hex")}`;
      longLived.set(token, {
        subject,
        expiresAt: now() + LONG_LIVED_SECONDS * 1000,
        source: known?.source ?? short,
        scopes: check.valid ? check.scopes : (known?.scopes ?? []),
      });
      return HttpResponse.json({
        access_token: token,
        token_type: "bearer",
        expires_in: LONG_LIVED_SECONDS,
      });
    }

    const who = authenticate(request, url);
    if (who instanceof Response) return who;
    const body = request.method === "POST" ? await readForm(request) : {};
    requests.push({ method: request.method, url: request.url, body });
    if (limited > 0) {
      limited--;
      const insights = path.endsWith("/insights") || runs.has(path.split("/")[0]!);
      return graphError(
        400,
        insights ? 80000 : 80004,
        insights
          ? "(#80000) There have been too many calls from this ad-account. Wait a bit and try again."
          : "(#80004) There have been too many calls to this ad-account. Wait a bit and try again.",
        { subcode: 2446079, transient: true, headers: usageHeaders(path) },
      );
    }

    if (path === "me" && request.method === "GET")
      return HttpResponse.json(
        { id: who.subject, name: "Sam Rivera" },
        { headers: usageHeaders(path) },
      );

    if (path === "me/adaccounts" && request.method === "GET") {
      const rows = [...accounts.values()].map((a) =>
        select(
          {
            id: `act_${a.account_id}`,
            account_id: a.account_id,
            name: a.name,
            account_status: a.account_status,
            currency: a.currency,
            timezone_name: a.timezone_name,
          },
          url.searchParams.get("fields"),
          ["id"],
        ),
      );
      return paged(url, rows, path);
    }

    const act = /^act_(\d+)\/(campaigns|insights)$/.exec(path);
    if (act !== null) {
      const account = accounts.get(act[1]!);
      if (account === undefined)
        return graphError(
          400,
          100,
          `Unsupported get request. Object with ID 'act_${act[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          { subcode: 33, type: "GraphMethodException" },
        );
      if (act[2] === "campaigns" && request.method === "GET") {
        const rows = [...account.campaigns.values()]
          .filter((c) => c.status !== "DELETED")
          .map((c) =>
            select({ ...c, effective_status: c.status }, url.searchParams.get("fields"), ["id"]),
          );
        return paged(url, rows, path);
      }
      if (act[2] === "insights" && request.method === "POST") {
        const level = body.level ?? "ad";
        if (!INSIGHT_LEVELS.includes(level))
          return graphError(
            400,
            100,
            `(#100) level must be one of the following values: ${INSIGHT_LEVELS.join(", ")}`,
          );
        const fields = (body.fields ?? "").split(",").filter(Boolean);
        const unknown = fields.find((f) => !INSIGHT_FIELDS.has(f));
        if (unknown !== undefined)
          return graphError(400, 100, `(#100) ${unknown} is not valid for fields param.`);
        let range: { since?: string; until?: string };
        try {
          range = JSON.parse(body.time_range ?? "{}") as typeof range;
        } catch {
          return graphError(
            400,
            100,
            "(#100) time_range must be a JSON object with since and until",
          );
        }
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(range.since ?? "") ||
          !/^\d{4}-\d{2}-\d{2}$/.test(range.until ?? "") ||
          range.since! > range.until!
        )
          return graphError(
            400,
            100,
            "(#100) Please provide a valid time_range with since before until",
          );
        if (
          body.time_increment !== undefined &&
          !/^(\d+|monthly|all_days)$/.test(body.time_increment)
        )
          return graphError(
            400,
            100,
            "(#100) time_increment must be a number of days, monthly or all_days",
          );
        const id = nextId();
        runs.set(id, {
          id,
          accountId: account.account_id,
          level,
          fields: fields.length === 0 ? ["spend", "date_start", "date_stop"] : fields,
          since: range.since!,
          until: range.until!,
          polls: 0,
          outcome: failNext.shift() ?? "Job Completed",
        });
        return HttpResponse.json({ report_run_id: id }, { headers: usageHeaders(path) });
      }
    }

    const run = runs.get(path.split("/")[0]!);
    if (run !== undefined && request.method === "GET") {
      const finished = run.polls >= reportPolls;
      if (!path.endsWith("/insights")) {
        run.polls++;
        const status = finished
          ? {
              async_status: run.outcome,
              async_percent_completion: run.outcome === "Job Completed" ? 100 : 0,
              ...(run.outcome === "Job Failed" && {
                error_code: 2601,
                error_message: "An unknown error occurred while processing the report.",
                error_user_msg: "Try a shorter time range.",
              }),
            }
          : {
              async_status: run.polls === 1 ? "Job Not Started" : "Job Running",
              async_percent_completion: Math.min(95, run.polls * 40),
            };
        return HttpResponse.json(
          select(
            { id: run.id, account_id: run.accountId, ...status },
            url.searchParams.get("fields"),
            ["id"],
          ),
          { headers: usageHeaders(`act_${run.accountId}/insights`) },
        );
      }
      if (!finished || run.outcome !== "Job Completed")
        return graphError(400, 100, "(#100) The report is not ready yet; poll async_status first");
      return paged(url, insightRows(run), `act_${run.accountId}/insights`);
    }

    return graphError(
      400,
      100,
      `Unsupported ${request.method.toLowerCase()} request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { subcode: 33, type: "GraphMethodException" },
    );
  });

  function notify(adAccountId: string): void {
    if (options.notify === undefined) return;
    const request = fake.adAccountEvent({ adAccountId });
    setTimeout(() => {
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  }

  const fake: MetaAdsFake = {
    handlers: [graph, ...oauth.handlers],
    oauth,
    requests,
    rateLimitNext(count = 1) {
      limited += count;
    },
    setUsage(next) {
      usage = { percent: next.percent, regainMinutes: next.regainMinutes ?? 0 };
    },
    failNextReport(status) {
      failNext.push(status);
    },
    addCampaign(input = {}, adAccountId) {
      const account = accountOf(adAccountId);
      const at = isoTime(now());
      const campaign: FakeCampaign = {
        id: nextId(),
        name: input.name ?? `Campaign ${counter}`,
        status: input.status ?? "ACTIVE",
        objective: input.objective ?? "OUTCOME_LEADS",
        ...(input.daily_budget !== undefined
          ? { daily_budget: input.daily_budget }
          : { daily_budget: "3000" }),
        created_time: input.created_time ?? at,
        updated_time: input.updated_time ?? at,
      };
      account.campaigns.set(campaign.id, campaign);
      notify(account.account_id);
      return { ...campaign };
    },
    updateCampaign(id, patch, adAccountId) {
      const account = accountOf(adAccountId);
      const campaign = account.campaigns.get(id);
      if (campaign === undefined) throw new TypeError(`unknown campaign "${id}"`);
      Object.assign(campaign, patch, { updated_time: isoTime(now()) });
      notify(account.account_id);
      return { ...campaign };
    },
    deleteCampaign(id, adAccountId) {
      fake.updateCampaign(id, { status: "DELETED" }, adAccountId);
    },
    campaigns: (adAccountId) =>
      [...accountOf(adAccountId).campaigns.values()]
        .filter((c) => c.status !== "DELETED")
        .map((c) => ({ ...c })),
    addAdSet(campaignId, name, adAccountId) {
      const account = accountOf(adAccountId);
      if (!account.campaigns.has(campaignId))
        throw new TypeError(`unknown campaign "${campaignId}"`);
      const adset: FakeAdSet = {
        id: nextId(),
        campaign_id: campaignId,
        name: name ?? `Ad set ${counter}`,
      };
      account.adsets.set(adset.id, adset);
      return { ...adset };
    },
    recordDay(day, adAccountId) {
      const account = accountOf(adAccountId);
      account.days = account.days.filter(
        (d) => !(d.date === day.date && d.adset_id === day.adset_id),
      );
      account.days.push({ ...day });
    },
    addAdAccount(input) {
      addAccount(input.account_id.replace(/^act_/, ""), input.name);
    },
    adAccountEvent(eventOptions = {}) {
      const id = (eventOptions.adAccountId ?? META_SANDBOX.adAccountId).replace(/^act_/, "");
      const body = JSON.stringify({
        object: "ad_account",
        entry: [
          {
            id,
            time: Math.floor(now() / 1000),
            changes: [
              {
                field: eventOptions.field ?? "in_process_ad_objects",
                value: { id, status: "SUCCESS" },
              },
            ],
          },
        ],
      });
      const secret =
        eventOptions.forged === true ? "not-the-app-secret" : META_SANDBOX_APP.clientSecret;
      return new Request(META_SANDBOX.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
        },
        body,
      });
    },
    seedSandbox() {
      sandboxBusiness(fake, now());
    },
  };
  return fake;
}
