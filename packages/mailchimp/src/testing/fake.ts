/**
 * A stateful fake of the Mailchimp Marketing API v3 for MSW, following the
 * published reference: data-center hosts (a request to another account's
 * data center is refused), Basic API-key and OAuth bearer auth, count/offset
 * pagination with `total_items`, `since_last_changed` and the campaign time
 * filters, PUT upsert by subscriber hash with `status_if_new`, tags, archive,
 * campaign reports with per-recipient email activity, list webhooks with the
 * validation GET and form-encoded deliveries, `application/problem+json`
 * errors, and 429 beyond 10 simultaneous connections. OAuth is
 * `createFakeOAuthServer` configured like Mailchimp, plus the metadata
 * endpoint (which answers 200 with `{error:"invalid_token"}` for a bad token).
 *
 * @see https://mailchimp.com/developer/marketing/api/
 */
import { createHash } from "node:crypto";
import type { Connection, Json } from "@patchbay/core";
import { createFakeOAuthServer, type FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import type { z } from "zod";
import {
  MAILCHIMP_API_PREFIX,
  MAILCHIMP_DC_PATTERN,
  MAILCHIMP_OAUTH,
  MAILCHIMP_PATHS,
  type MailchimpPath,
} from "../endpoints.js";
import {
  MAILCHIMP_MEMBER_STATUSES,
  type MailchimpOAuthMetadataSchema,
  type MailchimpWebhook,
} from "../schemas.js";
import { subscriberHash } from "../subscriber-hash.js";
import {
  mailchimpApiKeyInvalid,
  mailchimpInvalid,
  mailchimpNotFound,
  mailchimpProblem,
  mailchimpTooManyRequests,
} from "./problems.js";
import {
  type FakeAudience,
  type FakeCampaign,
  type FakeChangeSource,
  type FakeMember,
  type FakeMemberStatus,
  MailchimpFakeState,
  type WireMember,
} from "./state.js";

/**
 * The sandbox OAuth app the fake registers (use it with `mailchimp({ ...MAILCHIMP_SANDBOX_APP })`).
 *
 * @example
 * ```ts
 * const connector = mailchimp({ ...MAILCHIMP_SANDBOX_APP });
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export const MAILCHIMP_SANDBOX_APP = Object.freeze({
  clientId: "patchbay-mailchimp-sandbox",
  clientSecret: "patchbay-mailchimp-sandbox-secret",
});

/**
 * Redirect URIs registered for the sandbox app.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "mailchimp", redirectUri: MAILCHIMP_SANDBOX_REDIRECT_URIS[0] });
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export const MAILCHIMP_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/mailchimp/callback",
  "https://app.example.com/integrations/callback",
  "http://localhost:3000/integrations/mailchimp/callback",
]);

/**
 * The sandbox API key of a data center: 32 hex characters and the dc suffix.
 *
 * @example
 * ```ts
 * sandboxApiKey("us6"); // "0123456789abcdef0123456789abcdef-us6"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#authentication-methods
 */
export function sandboxApiKey(dc = "us6"): string {
  return `${"0123456789abcdef".repeat(2)}-${dc}`;
}

/**
 * Options of {@link createMailchimpFake}. Every option is optional.
 * @example
 * ```ts
 * const fake = createMailchimpFake({ dc: "us21", latencyMs: 20, webhookEndpoint: (r) => patchbay.handleWebhook("mailchimp", r) });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export interface MailchimpFakeOptions {
  /** The account's data center. Default `us6`. */
  dc?: string;
  /** The account's API key; must end with `-<dc>`. Default {@link sandboxApiKey}. */
  apiKey?: string;
  /** The account name the metadata endpoint and `GET /` report. */
  accountName?: string;
  /** The OAuth app. Default {@link MAILCHIMP_SANDBOX_APP}. */
  clientId?: string;
  clientSecret?: string;
  /** Default {@link MAILCHIMP_SANDBOX_REDIRECT_URIS}. */
  redirectUris?: readonly string[];
  /**
   * `"mailchimp"` (default): the token endpoint answers exactly like Mailchimp
   * (`{access_token, expires_in: 0, scope: null}`, no `token_type`).
   * `"standard"` adds `token_type: "bearer"` and drops `scope`.
   */
  tokenResponse?: "standard" | "mailchimp";
  /** Clock in epoch ms. Default `Date.now`; `clock.advance()` moves it on. */
  now?: () => number;
  /** Delay before each API answer, so concurrent requests overlap. Default 0. */
  latencyMs?: number;
  /** Simultaneous connections allowed before 429. Default 10, as Mailchimp. */
  maxConnections?: number;
  /**
   * The host's webhook endpoint (e.g. `(r) => patchbay.handleWebhook("mailchimp", r)`).
   * When set, creating a webhook sends Mailchimp's validation GET to it (a
   * non-200 answer refuses the webhook), and `deliverWebhooks()` posts queued
   * events to it.
   */
  webhookEndpoint?: (request: Request) => Response | Promise<Response>;
}

/**
 * One member to seed.
 * @example
 * ```ts
 * fake.seedAudience({ members: [{ email: "dj@kexp.org", firstName: "John", tags: ["radio"] }] });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/
 */
export interface MemberSeed {
  email: string;
  firstName?: string;
  lastName?: string;
  status?: FakeMemberStatus;
  tags?: string[];
}

/**
 * Request counters, for assertions.
 * @example
 * ```ts
 * expect(fake.stats.peakInFlight).toBeLessThanOrEqual(10);
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#throttling
 */
export interface MailchimpFakeStats {
  /** API requests received (OAuth and metadata excluded). */
  requests: number;
  /** API requests being answered right now. */
  inFlight: number;
  /** The most simultaneous API requests seen, rejected ones included. */
  peakInFlight: number;
  /** Requests refused with 429 because more than `maxConnections` were open. */
  rejectedForConcurrency: number;
}

const API = `https://*.api.mailchimp.com${MAILCHIMP_API_PREFIX}`;
const SETTABLE = new Set(["subscribed", "unsubscribed", "pending", "transactional"]);
const STATUS_IF_NEW = new Set([...SETTABLE, "cleaned"]);

type Params = Record<string, string>;
type Route = (input: {
  request: Request;
  url: URL;
  params: Params;
}) => Response | Promise<Response>;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function decodeParam(value: unknown): string {
  const text = Array.isArray(value) ? String(value[0]) : String(value ?? "");
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Remove `exclude_fields` paths (`_links`, `members._links`) from a response body. */
function excludeFields(body: unknown, url: URL): unknown {
  const spec = url.searchParams.get("exclude_fields");
  if (spec === null || spec.trim() === "") return body;
  const drop = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) drop(item, path);
      return;
    }
    if (!isObject(value) || path.length === 0) return;
    const [head, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) delete value[head];
    else drop(value[head], rest);
  };
  for (const path of spec.split(",")) drop(body, path.trim().split("."));
  return body;
}

function respond(body: unknown, url: URL, status = 200): Response {
  return HttpResponse.json(excludeFields(body, url) as Record<string, unknown>, { status });
}

async function readJson(request: Request): Promise<Record<string, unknown> | Response> {
  try {
    const body: unknown = await request.json();
    if (isObject(body)) return body;
  } catch {
    // fall through
  }
  return mailchimpProblem(
    400,
    "JSON Parse Exception",
    "We encountered an unspecified JSON parsing error.",
  );
}

function paging(url: URL): { count: number; offset: number } | Response {
  const count = Number(url.searchParams.get("count") ?? "10");
  const offset = Number(url.searchParams.get("offset") ?? "0");
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    return mailchimpInvalid([
      { field: "count", message: "count must be an integer from 1 to 1000" },
    ]);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    return mailchimpInvalid([
      { field: "offset", message: "offset must be a non-negative integer" },
    ]);
  }
  return { count, offset };
}

function timeParam(url: URL, name: string): number | undefined | Response {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    return mailchimpInvalid([
      { field: name, message: "Please use ISO 8601 time format: 2015-10-21T15:41:36+00:00" },
    ]);
  }
  return ms;
}

function sortDir(url: URL): 1 | -1 | Response {
  const dir = url.searchParams.get("sort_dir");
  if (dir === null || dir === "ASC") return 1;
  if (dir === "DESC") return -1;
  return mailchimpInvalid([{ field: "sort_dir", message: 'sort_dir must be "ASC" or "DESC"' }]);
}

function mswPattern(template: MailchimpPath): string {
  return `${API}${template.replace(/\{(\w+)\}/g, ":$1")}`;
}

/**
 * Create a fake Mailchimp account. Register `handlers` with MSW; drive the
 * outside world with the helpers (`subscribe`, `sendCampaign`, `open`...).
 *
 * @example
 * ```ts
 * const fake = createMailchimpFake();
 * const server = setupServer(...fake.handlers);
 * const audience = fake.seedAudience({ name: "Radio", members: 25 });
 * const campaign = fake.sendCampaign({ listId: audience.id, subject: "New single" });
 * fake.open(campaign.id, "contact1@example.com");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export function createMailchimpFake(options: MailchimpFakeOptions = {}) {
  const dc = options.dc ?? "us6";
  if (!MAILCHIMP_DC_PATTERN.test(dc))
    throw new TypeError(`"dc" must be a data center such as "us6", got "${dc}"`);
  const apiKey = options.apiKey ?? sandboxApiKey(dc);
  if (!apiKey.endsWith(`-${dc}`)) throw new TypeError(`"apiKey" must end with "-${dc}"`);
  const maxConnections = options.maxConnections ?? 10;
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    throw new TypeError('"maxConnections" must be a positive integer');
  const latencyMs = options.latencyMs ?? 0;
  if (typeof latencyMs !== "number" || latencyMs < 0)
    throw new TypeError('"latencyMs" must be a non-negative number');
  const accountName = options.accountName ?? "Patchbay Promotions";
  let offset = 0;
  const baseNow = options.now ?? Date.now;
  const now = () => baseNow() + offset;
  const state = new MailchimpFakeState(now);
  const clientId = options.clientId ?? MAILCHIMP_SANDBOX_APP.clientId;
  const clientSecret = options.clientSecret ?? MAILCHIMP_SANDBOX_APP.clientSecret;

  const oauth: FakeOAuthServer = createFakeOAuthServer({
    endpoints: {
      authorization: MAILCHIMP_OAUTH.authorizationUrl,
      token: MAILCHIMP_OAUTH.tokenUrl,
      // Mailchimp has neither; these are never served (see `handlers` below).
      revocation: "https://login.mailchimp.com/oauth2/patchbay-fake-revoke",
      userinfo: "https://login.mailchimp.com/oauth2/patchbay-fake-userinfo",
    },
    clients: [
      {
        clientId,
        clientSecret,
        redirectUris: [...(options.redirectUris ?? MAILCHIMP_SANDBOX_REDIRECT_URIS)],
        authMethod: "client_secret_post",
      },
    ],
    // Mailchimp: `expires_in: 0` (never expires), no refresh token, no PKCE.
    accessTokenTtlSeconds: 0,
    issueRefreshTokens: false,
    requirePkce: false,
    tokenResponseExtras:
      (options.tokenResponse ?? "mailchimp") === "mailchimp"
        ? { token_type: undefined, scope: null }
        : { token_type: "bearer" },
    now,
  });

  const stats: MailchimpFakeStats = {
    requests: 0,
    inFlight: 0,
    peakInFlight: 0,
    rejectedForConcurrency: 0,
  };
  /** Every API request, in order (method and URL), for assertions. */
  const requests: Array<{ method: string; url: URL }> = [];
  let rateLimited = 0;
  let apiKeyDisabled = false;
  let webhookCount = 0;

  function authenticate(request: Request, requestDc: string): Response | undefined {
    const header = request.headers.get("authorization");
    if (header === null || header.trim() === "") {
      return mailchimpProblem(401, "API Key Missing", "Your request did not include an API key.");
    }
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic !== null) {
      const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
      const key = decoded.slice(decoded.indexOf(":") + 1);
      return key === apiKey && !apiKeyDisabled && requestDc === dc
        ? undefined
        : mailchimpApiKeyInvalid();
    }
    const bearer = oauth.verifyBearer(request);
    return bearer.valid && requestDc === dc ? undefined : mailchimpApiKeyInvalid();
  }

  async function guard(
    request: Request,
    answer: () => Response | Promise<Response>,
  ): Promise<Response> {
    const url = new URL(request.url);
    stats.requests += 1;
    requests.push({ method: request.method, url });
    stats.inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    try {
      if (stats.inFlight > maxConnections) {
        stats.rejectedForConcurrency += 1;
        return mailchimpTooManyRequests();
      }
      if (rateLimited > 0) {
        rateLimited -= 1;
        return mailchimpTooManyRequests();
      }
      const refused = authenticate(request, url.hostname.split(".")[0] ?? "");
      if (refused !== undefined) return refused;
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return await answer();
    } finally {
      stats.inFlight -= 1;
    }
  }

  function route(
    method: "get" | "post" | "put" | "patch" | "delete",
    template: MailchimpPath,
    fn: Route,
  ): HttpHandler {
    return http[method](mswPattern(template), ({ request, params }) =>
      guard(request, () =>
        fn({
          request,
          url: new URL(request.url),
          params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeParam(v)])),
        }),
      ),
    );
  }

  function audienceOr404(params: Params): FakeAudience | Response {
    return state.audiences.get(params.list_id ?? "") ?? mailchimpNotFound();
  }

  /** The member at a path's `subscriber_hash` (a hash or an email address). */
  function memberAt(audience: FakeAudience, params: Params): FakeMember | undefined {
    return state.member(audience.id, params.subscriber_hash ?? "");
  }

  function campaignOr404(params: Params, sentOnly: boolean): FakeCampaign | Response {
    const campaign = state.campaigns.get(params.campaign_id ?? "");
    if (campaign === undefined || (sentOnly && campaign.status !== "sent"))
      return mailchimpNotFound();
    return campaign;
  }

  /** Checks and normalises a member write body; a Response on invalid input. */
  function memberBody(
    body: Record<string, unknown>,
    require: { statusIfNew: boolean; status: boolean; email: boolean },
  ):
    | {
        email?: string;
        status?: FakeMemberStatus;
        statusIfNew?: FakeMemberStatus;
        changes: {
          merge_fields?: Record<string, unknown>;
          email_type?: string;
          language?: string;
          vip?: boolean;
        };
      }
    | Response {
    const errors: Array<{ field: string; message: string }> = [];
    const email = body.email_address;
    if (
      email !== undefined &&
      (typeof email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim()))
    ) {
      return mailchimpProblem(400, "Invalid Resource", "Please provide a valid email address.");
    }
    if (require.email && (typeof email !== "string" || email.trim() === ""))
      errors.push({ field: "email_address", message: "This value should not be blank." });
    const status = body.status;
    if (status !== undefined && (typeof status !== "string" || !SETTABLE.has(status)))
      errors.push({
        field: "status",
        message: `Status must be one of ${[...SETTABLE].join(", ")}.`,
      });
    if (require.status && status === undefined)
      errors.push({ field: "status", message: "This value should not be blank." });
    const statusIfNew = body.status_if_new;
    if (
      statusIfNew !== undefined &&
      (typeof statusIfNew !== "string" || !STATUS_IF_NEW.has(statusIfNew))
    )
      errors.push({
        field: "status_if_new",
        message: `Status must be one of ${[...STATUS_IF_NEW].join(", ")}.`,
      });
    if (require.statusIfNew && statusIfNew === undefined)
      errors.push({ field: "status_if_new", message: "This value should not be blank." });
    if (body.merge_fields !== undefined && !isObject(body.merge_fields))
      errors.push({ field: "merge_fields", message: "merge_fields must be an object." });
    if (errors.length > 0) return mailchimpInvalid(errors);
    return {
      ...(typeof email === "string" ? { email: email.trim() } : {}),
      ...(typeof status === "string" ? { status: status as FakeMemberStatus } : {}),
      ...(typeof statusIfNew === "string" ? { statusIfNew: statusIfNew as FakeMemberStatus } : {}),
      changes: {
        ...(isObject(body.merge_fields) ? { merge_fields: body.merge_fields } : {}),
        ...(typeof body.email_type === "string" ? { email_type: body.email_type } : {}),
        ...(typeof body.language === "string" ? { language: body.language } : {}),
        ...(typeof body.vip === "boolean" ? { vip: body.vip } : {}),
      },
    };
  }

  /** Apply an email change on an existing member; a Response when the new address is taken. */
  function moveEmail(
    audience: FakeAudience,
    member: FakeMember,
    email: string | undefined,
  ): FakeMember | Response {
    if (email === undefined || subscriberHash(email) === member.id) return member;
    const taken = audience.members.get(subscriberHash(email));
    if (taken !== undefined && taken.status !== "archived") {
      return mailchimpProblem(400, "Member Exists", `${email} is already a list member.`);
    }
    return state.changeEmail(audience.id, member, email, "api");
  }

  const metadataHandler = http.get(MAILCHIMP_OAUTH.metadataUrl, ({ request }) => {
    const match = /^(?:OAuth|Bearer)\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
    const check = match === null ? undefined : oauth.verifyAccessToken(match[1] as string);
    // Quirk: a bad token gets 200 with an error body, not a 401.
    if (check?.valid !== true) return HttpResponse.json({ error: "invalid_token" });
    return HttpResponse.json({
      dc,
      role: "owner",
      accountname: accountName,
      user_id: 87_654_321,
      login: {
        email: "owner@example.com",
        login_id: 12_345_678,
        login_name: "owner",
        login_email: "owner@example.com",
      },
      login_url: "https://login.mailchimp.com",
      api_endpoint: `https://${dc}.api.mailchimp.com`,
    } satisfies z.input<typeof MailchimpOAuthMetadataSchema> & Record<string, unknown>);
  });

  const apiHandlers: HttpHandler[] = [
    route("get", MAILCHIMP_PATHS.ping, () =>
      HttpResponse.json({ health_status: "Everything's Chimpy!" }),
    ),
    route("get", MAILCHIMP_PATHS.root, ({ url }) =>
      respond(
        {
          account_id: "8d3a3db4d97663a9074efcc16",
          login_id: "12345678",
          account_name: accountName,
          email: "owner@example.com",
          role: "owner",
          pricing_plan_type: "monthly",
          total_subscribers: [...state.audiences.values()].reduce((n, a) => n + a.members.size, 0),
          _links: [],
        },
        url,
      ),
    ),

    // ── Audiences ──
    route("get", MAILCHIMP_PATHS.lists, ({ url }) => {
      const page = paging(url);
      if (page instanceof Response) return page;
      const dir = sortDir(url);
      if (dir instanceof Response) return dir;
      const all = [...state.audiences.values()];
      if (dir === -1) all.reverse();
      return respond(
        {
          lists: all.slice(page.offset, page.offset + page.count).map((a) => state.wireAudience(a)),
          total_items: all.length,
          constraints: {
            may_create: true,
            max_instances: 100,
            current_total_instances: all.length,
          },
          _links: [],
        },
        url,
      );
    }),
    route("get", MAILCHIMP_PATHS.list, ({ url, params }) => {
      const audience = audienceOr404(params);
      return audience instanceof Response ? audience : respond(state.wireAudience(audience), url);
    }),

    // ── Members ──
    route("get", MAILCHIMP_PATHS.members, ({ url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const page = paging(url);
      if (page instanceof Response) return page;
      const dir = sortDir(url);
      if (dir instanceof Response) return dir;
      let members = [...audience.members.values()];
      const status = url.searchParams.get("status");
      if (status !== null && status !== "") {
        if (!(MAILCHIMP_MEMBER_STATUSES as readonly string[]).includes(status)) {
          return mailchimpInvalid([
            {
              field: "status",
              message: `Status must be one of ${MAILCHIMP_MEMBER_STATUSES.join(", ")}.`,
            },
          ]);
        }
        members = members.filter((m) => m.status === status);
      } else {
        // Archived contacts are left out unless asked for.
        members = members.filter((m) => m.status !== "archived");
      }
      for (const [name, keep] of [
        ["since_last_changed", (m: FakeMember, t: number) => Date.parse(m.last_changed) > t],
        ["before_last_changed", (m: FakeMember, t: number) => Date.parse(m.last_changed) < t],
      ] as const) {
        const at = timeParam(url, name);
        if (at instanceof Response) return at;
        if (at !== undefined) members = members.filter((m) => keep(m, at));
      }
      const sortField = url.searchParams.get("sort_field");
      if (sortField !== null && sortField !== "") {
        if (!["last_changed", "timestamp_opt", "timestamp_signup"].includes(sortField)) {
          return mailchimpInvalid([
            {
              field: "sort_field",
              message: "sort_field must be timestamp_opt, timestamp_signup or last_changed",
            },
          ]);
        }
        const key = sortField as "last_changed" | "timestamp_opt" | "timestamp_signup";
        members.sort(
          (a, b) => (Date.parse(a[key]) || 0) - (Date.parse(b[key]) || 0) || a.seq - b.seq,
        );
      } else {
        members.sort((a, b) => a.seq - b.seq);
      }
      if (dir === -1) members.reverse();
      return respond(
        {
          members: members
            .slice(page.offset, page.offset + page.count)
            .map((m) => state.wireMember(m)),
          list_id: audience.id,
          total_items: members.length,
          _links: [],
        },
        url,
      );
    }),
    route("post", MAILCHIMP_PATHS.members, async ({ request, url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const input = memberBody(body, { statusIfNew: false, status: true, email: true });
      if (input instanceof Response) return input;
      const existing = state.member(audience.id, input.email as string);
      if (existing !== undefined && existing.status !== "archived") {
        return mailchimpProblem(
          400,
          "Member Exists",
          `${input.email} is already a list member. Use PUT to insert or update list members.`,
        );
      }
      const member = state.saveMember(
        audience.id,
        input.email as string,
        { ...input.changes, status: input.status },
        "api",
      );
      return respond(state.wireMember(member), url);
    }),
    route("get", MAILCHIMP_PATHS.member, ({ url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const member = memberAt(audience, params);
      return member === undefined ? mailchimpNotFound() : respond(state.wireMember(member), url);
    }),
    route("put", MAILCHIMP_PATHS.member, async ({ request, url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const input = memberBody(body, { statusIfNew: true, status: false, email: true });
      if (input instanceof Response) return input;
      const email = input.email as string;
      const existing = memberAt(audience, params);
      if (existing !== undefined && existing.status !== "archived") {
        const moved = moveEmail(audience, existing, email);
        if (moved instanceof Response) return moved;
        const member = state.saveMember(
          audience.id,
          moved.email_address,
          { ...input.changes, status: input.status },
          "api",
        );
        return respond(state.wireMember(member), url);
      }
      const target = params.subscriber_hash?.includes("@")
        ? subscriberHash(params.subscriber_hash)
        : params.subscriber_hash;
      if (subscriberHash(email) !== target) {
        return mailchimpInvalid([
          {
            field: "email_address",
            message: "The subscriber hash in the URL does not match this email address.",
          },
        ]);
      }
      const member = state.saveMember(
        audience.id,
        email,
        { ...input.changes, status: input.status ?? input.statusIfNew },
        "api",
      );
      return respond(state.wireMember(member), url);
    }),
    route("patch", MAILCHIMP_PATHS.member, async ({ request, url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const existing = memberAt(audience, params);
      if (existing === undefined) return mailchimpNotFound();
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const input = memberBody(body, { statusIfNew: false, status: false, email: false });
      if (input instanceof Response) return input;
      if (existing.status === "archived" && input.status === undefined) return mailchimpNotFound();
      const moved = moveEmail(audience, existing, input.email);
      if (moved instanceof Response) return moved;
      const member = state.saveMember(
        audience.id,
        moved.email_address,
        { ...input.changes, status: input.status },
        "api",
      );
      return respond(state.wireMember(member), url);
    }),
    route("delete", MAILCHIMP_PATHS.member, ({ params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const member = memberAt(audience, params);
      if (member === undefined || member.status === "archived") return mailchimpNotFound();
      state.archive(audience.id, member, "api");
      return new HttpResponse(null, { status: 204 });
    }),
    route("post", MAILCHIMP_PATHS.memberTags, async ({ request, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const member = memberAt(audience, params);
      if (member === undefined || member.status === "archived") return mailchimpNotFound();
      const body = await readJson(request);
      if (body instanceof Response) return body;
      const tags = body.tags;
      if (
        !Array.isArray(tags) ||
        !tags.every(
          (t) =>
            isObject(t) &&
            typeof t.name === "string" &&
            t.name.trim() !== "" &&
            (t.status === "active" || t.status === "inactive"),
        )
      ) {
        return mailchimpInvalid([
          {
            field: "tags",
            message: 'tags must be an array of { name, status: "active" | "inactive" }',
          },
        ]);
      }
      state.setTags(
        audience.id,
        member,
        tags as Array<{ name: string; status: "active" | "inactive" }>,
      );
      return new HttpResponse(null, { status: 204 });
    }),

    // ── Webhooks ──
    route("get", MAILCHIMP_PATHS.webhooks, ({ url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const webhooks = [...audience.webhooks.values()];
      return respond(
        { webhooks, list_id: audience.id, total_items: webhooks.length, _links: [] },
        url,
      );
    }),
    route("post", MAILCHIMP_PATHS.webhooks, async ({ request, url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const body = await readJson(request);
      if (body instanceof Response) return body;
      let target: URL | undefined;
      try {
        target = typeof body.url === "string" ? new URL(body.url) : undefined;
      } catch {
        target = undefined;
      }
      if (target === undefined || (target.protocol !== "https:" && target.protocol !== "http:")) {
        return mailchimpInvalid([{ field: "url", message: "This value should be a valid URL." }]);
      }
      if (options.webhookEndpoint !== undefined) {
        // Mailchimp GETs the URL and refuses the webhook unless it answers 200.
        const answer = await options.webhookEndpoint(validationRequest(target.href));
        if (answer.status !== 200) {
          return mailchimpInvalid([
            {
              field: "url",
              message: `The URL did not return a 200 response to the validation request (got ${answer.status}).`,
            },
          ]);
        }
      }
      const flags = (value: unknown, keys: readonly string[]) =>
        Object.fromEntries(keys.map((k) => [k, isObject(value) && value[k] === true]));
      const webhook: MailchimpWebhook & { _links: unknown[] } = {
        id: createHash("sha1")
          .update(`webhook:${audience.id}:${++webhookCount}`)
          .digest("hex")
          .slice(0, 10),
        url: target.href,
        list_id: audience.id,
        events: flags(body.events, [
          "subscribe",
          "unsubscribe",
          "profile",
          "cleaned",
          "upemail",
          "campaign",
        ]),
        sources: flags(body.sources, ["user", "admin", "api"]),
        _links: [],
      };
      audience.webhooks.set(webhook.id, webhook);
      return respond(webhook, url);
    }),
    route("get", MAILCHIMP_PATHS.webhook, ({ url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const webhook = audience.webhooks.get(params.webhook_id ?? "");
      return webhook === undefined ? mailchimpNotFound() : respond(webhook, url);
    }),
    route("patch", MAILCHIMP_PATHS.webhook, async ({ request, url, params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      const webhook = audience.webhooks.get(params.webhook_id ?? "");
      if (webhook === undefined) return mailchimpNotFound();
      const body = await readJson(request);
      if (body instanceof Response) return body;
      if (typeof body.url === "string") webhook.url = body.url;
      if (isObject(body.events)) Object.assign(webhook.events, body.events);
      if (isObject(body.sources)) Object.assign(webhook.sources, body.sources);
      return respond(webhook, url);
    }),
    route("delete", MAILCHIMP_PATHS.webhook, ({ params }) => {
      const audience = audienceOr404(params);
      if (audience instanceof Response) return audience;
      if (!audience.webhooks.delete(params.webhook_id ?? "")) return mailchimpNotFound();
      return new HttpResponse(null, { status: 204 });
    }),

    // ── Campaigns and reports ──
    route("get", MAILCHIMP_PATHS.campaigns, ({ url }) => {
      const page = paging(url);
      if (page instanceof Response) return page;
      const dir = sortDir(url);
      if (dir instanceof Response) return dir;
      let campaigns = [...state.campaigns.values()];
      for (const name of ["status", "type", "list_id"] as const) {
        const want = url.searchParams.get(name);
        if (want !== null && want !== "") {
          campaigns = campaigns.filter((c) => (name === "list_id" ? c.list_id : c[name]) === want);
        }
      }
      const filters = [
        ["since_create_time", "create_time", 1],
        ["before_create_time", "create_time", -1],
        ["since_send_time", "send_time", 1],
        ["before_send_time", "send_time", -1],
      ] as const;
      for (const [param, field, side] of filters) {
        const at = timeParam(url, param);
        if (at instanceof Response) return at;
        if (at === undefined) continue;
        campaigns = campaigns.filter((c) => {
          const t = Date.parse(c[field]);
          return !Number.isNaN(t) && (side === 1 ? t > at : t < at);
        });
      }
      const sortField = url.searchParams.get("sort_field");
      if (
        sortField !== null &&
        sortField !== "" &&
        sortField !== "create_time" &&
        sortField !== "send_time"
      ) {
        return mailchimpInvalid([
          { field: "sort_field", message: "sort_field must be create_time or send_time" },
        ]);
      }
      const key = (sortField || "create_time") as "create_time" | "send_time";
      campaigns.sort(
        (a, b) => (Date.parse(a[key]) || 0) - (Date.parse(b[key]) || 0) || a.seq - b.seq,
      );
      if (dir === -1) campaigns.reverse();
      return respond(
        {
          campaigns: campaigns
            .slice(page.offset, page.offset + page.count)
            .map((c) => state.wireCampaign(c)),
          total_items: campaigns.length,
          _links: [],
        },
        url,
      );
    }),
    route("get", MAILCHIMP_PATHS.campaign, ({ url, params }) => {
      const campaign = campaignOr404(params, false);
      return campaign instanceof Response ? campaign : respond(state.wireCampaign(campaign), url);
    }),
    route("get", MAILCHIMP_PATHS.emailActivity, ({ url, params }) => {
      const campaign = campaignOr404(params, true);
      if (campaign instanceof Response) return campaign;
      const page = paging(url);
      if (page instanceof Response) return page;
      const since = timeParam(url, "since");
      if (since instanceof Response) return since;
      const recipients = [...campaign.recipients.values()];
      return respond(
        {
          emails: recipients
            .slice(page.offset, page.offset + page.count)
            .map((r) => state.wireEmailActivity(campaign, r, since)),
          campaign_id: campaign.id,
          total_items: recipients.length,
          _links: [],
        },
        url,
      );
    }),
    route("get", MAILCHIMP_PATHS.memberEmailActivity, ({ url, params }) => {
      const campaign = campaignOr404(params, true);
      if (campaign instanceof Response) return campaign;
      const raw = params.subscriber_hash ?? "";
      const recipient = campaign.recipients.get(raw.includes("@") ? subscriberHash(raw) : raw);
      if (recipient === undefined) return mailchimpNotFound();
      const since = timeParam(url, "since");
      if (since instanceof Response) return since;
      return respond(state.wireEmailActivity(campaign, recipient, since), url);
    }),
  ];
  // Anything else under the API: Mailchimp's 404 (after the same auth and limits).
  const notFound = http.all(`${API}/*`, ({ request }) => guard(request, () => mailchimpNotFound()));

  const oauthPaths = new Set<string>([MAILCHIMP_OAUTH.authorizationUrl, MAILCHIMP_OAUTH.tokenUrl]);
  const handlers: HttpHandler[] = [
    ...oauth.handlers.filter((h) => oauthPaths.has(String(h.info.path))),
    metadataHandler,
    ...apiHandlers,
    notFound,
  ];

  // ── Webhook deliveries ──

  function validationRequest(url: string): Request {
    return new Request(url, {
      method: "GET",
      headers: { "user-agent": "MailChimp.com WebHook Validator" },
    });
  }

  function deliveryRequest(url: string, fields: ReadonlyArray<[string, string]>): Request {
    return new Request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "MailChimp" },
      body: new URLSearchParams(fields.map(([k, v]) => [k, v])).toString(),
    });
  }

  function firstAudience(): FakeAudience {
    const [first] = state.audiences.values();
    if (first === undefined) throw new Error("the fake has no audience: call seedAudience() first");
    return first;
  }

  function requireMember(listId: string, emailOrHash: string): FakeMember {
    const member = state.member(listId, emailOrHash);
    if (member === undefined)
      throw new Error(`${emailOrHash} is not a member of audience ${listId}`);
    return member;
  }

  const api = {
    /** The account's data center. */
    dc,
    /** The account's API key (what a user pastes in API-key mode). */
    apiKey,
    /** The fake OAuth server (Mailchimp's authorize and token endpoints). */
    oauth,
    /** MSW handlers: OAuth, the metadata endpoint and the API on every data center. */
    handlers,
    /** The raw state, for assertions. */
    state,
    stats,
    requests,
    /** The fake's clock: `now()` and `advance(ms)`. */
    clock: {
      now,
      advance(ms: number) {
        if (!Number.isFinite(ms) || ms < 0)
          throw new TypeError('"ms" must be a non-negative number');
        offset += ms;
      },
    },

    /** The next `count` API requests answer Mailchimp's 429. */
    rateLimitNext(count = 1) {
      if (!Number.isInteger(count) || count < 1)
        throw new TypeError('"count" must be a positive integer');
      rateLimited += count;
    },
    /** The user deletes the API key in Mailchimp: it gets 401 from now on. */
    disableApiKey() {
      apiKeyDisabled = true;
    },

    /** Create an audience, optionally with members (a count, or explicit seeds). */
    seedAudience(
      input: { name?: string; id?: string; members?: number | readonly MemberSeed[] } = {},
    ): FakeAudience {
      const audience = state.createAudience(input.name ?? "Radio contacts", input.id);
      const seeds: readonly MemberSeed[] =
        typeof input.members === "number"
          ? Array.from({ length: input.members }, (_, i) => ({
              email: `contact${i + 1}@example.com`,
              firstName: `Contact`,
              lastName: String(i + 1),
            }))
          : (input.members ?? []);
      for (const seed of seeds) api.addMember(audience.id, seed);
      return audience;
    },
    /**
     * Plausible data for a sandbox: a "Radio contacts" audience of music
     * directors, one pitch sent to all with some opens and clicks, one draft.
     */
    seedSandbox() {
      const people: MemberSeed[] = [
        {
          email: "morgan@kexp.example",
          firstName: "Morgan",
          lastName: "Reyes",
          tags: ["music director"],
        },
        {
          email: "pat@wfmu.example",
          firstName: "Pat",
          lastName: "Okafor",
          tags: ["program director"],
        },
        { email: "dana@kcrw.example", firstName: "Dana", lastName: "Lee", tags: ["dj"] },
        {
          email: "sam@kutx.example",
          firstName: "Sam",
          lastName: "Novak",
          tags: ["music director"],
        },
        { email: "alex@wxpn.example", firstName: "Alex", lastName: "Moreau", tags: ["dj"] },
        { email: "jo@kexp.example", firstName: "Jo", lastName: "Banerjee", tags: ["dj"] },
        {
          email: "riley@wers.example",
          firstName: "Riley",
          lastName: "Smith",
          status: "unsubscribed",
        },
        { email: "casey@kdvs.example", firstName: "Casey", lastName: "Nguyen", status: "pending" },
      ];
      const audience = api.seedAudience({ name: "Radio contacts", members: people });
      const pitch = api.sendCampaign({
        listId: audience.id,
        subject: 'New single: "Northern Lights" — add it to rotation?',
      });
      api.open(pitch.id, "morgan@kexp.example");
      api.click(pitch.id, "morgan@kexp.example", "https://label.example/northern-lights");
      api.open(pitch.id, "dana@kcrw.example");
      api.open(pitch.id, "dana@kcrw.example");
      api.bounce(pitch.id, "alex@wxpn.example", "soft");
      const draft = api.draftCampaign({ listId: audience.id, subject: "Tour dates announced" });
      state.outbox.splice(0);
      return {
        audience,
        campaigns: [pitch, draft].map((c) => state.wireCampaign(state.campaign(c.id))),
      };
    },
    /** An admin adds a contact (no webhook unless subscribed, as in Mailchimp). */
    addMember(listId: string, seed: MemberSeed): WireMember {
      const member = state.saveMember(
        listId,
        seed.email,
        {
          status: seed.status ?? "subscribed",
          merge_fields: { FNAME: seed.firstName ?? "", LNAME: seed.lastName ?? "" },
        },
        "admin",
      );
      if (seed.tags !== undefined)
        state.setTags(
          listId,
          member,
          seed.tags.map((name) => ({ name, status: "active" })),
        );
      return state.wireMember(member);
    },
    /** Someone signs up through a form (or re-subscribes). */
    subscribe(
      listId: string,
      email: string,
      input: { firstName?: string; lastName?: string; source?: FakeChangeSource } = {},
    ): WireMember {
      const merges: Record<string, string> = {};
      if (input.firstName !== undefined) merges.FNAME = input.firstName;
      if (input.lastName !== undefined) merges.LNAME = input.lastName;
      const member = state.saveMember(
        listId,
        email,
        { status: "subscribed", merge_fields: merges, source: "Hosted Signup Form" },
        input.source ?? "user",
      );
      return state.wireMember(member);
    },
    /** The contact clicks "unsubscribe". */
    unsubscribe(
      listId: string,
      emailOrHash: string,
      source: FakeChangeSource = "user",
    ): WireMember {
      const member = requireMember(listId, emailOrHash);
      return state.wireMember(
        state.saveMember(listId, member.email_address, { status: "unsubscribed" }, source),
      );
    },
    /** The contact (or an admin) edits the profile. */
    updateProfile(
      listId: string,
      emailOrHash: string,
      mergeFields: Record<string, string>,
      source: FakeChangeSource = "user",
    ): WireMember {
      const member = requireMember(listId, emailOrHash);
      return state.wireMember(
        state.saveMember(listId, member.email_address, { merge_fields: mergeFields }, source),
      );
    },
    /** The address bounces hard: Mailchimp cleans it. */
    clean(listId: string, emailOrHash: string): WireMember {
      const member = requireMember(listId, emailOrHash);
      return state.wireMember(
        state.saveMember(listId, member.email_address, { status: "cleaned" }, "admin"),
      );
    },
    /** The contact changes address (the subscriber hash changes). */
    changeEmail(
      listId: string,
      emailOrHash: string,
      newEmail: string,
      source: FakeChangeSource = "user",
    ): WireMember {
      return state.wireMember(
        state.changeEmail(listId, requireMember(listId, emailOrHash), newEmail, source),
      );
    },
    /** An admin archives the contact. */
    archive(listId: string, emailOrHash: string, source: FakeChangeSource = "admin"): void {
      state.archive(listId, requireMember(listId, emailOrHash), source);
    },
    /** An admin tags the contact. */
    tag(listId: string, emailOrHash: string, names: readonly string[]): WireMember {
      const member = requireMember(listId, emailOrHash);
      state.setTags(
        listId,
        member,
        names.map((name) => ({ name, status: "active" as const })),
      );
      return state.wireMember(member);
    },
    /** Members as the API lists them (archived ones only with `includeArchived`). */
    members(listId: string, { includeArchived = false } = {}): WireMember[] {
      return [...state.audience(listId).members.values()]
        .filter((m) => includeArchived || m.status !== "archived")
        .map((m) => state.wireMember(m));
    },

    /** A campaign saved but not sent. */
    draftCampaign(input: { listId?: string; subject?: string } = {}) {
      const campaign = state.createCampaign({
        listId: input.listId ?? firstAudience().id,
        subject: input.subject ?? "Draft pitch",
      });
      return state.wireCampaign(campaign);
    },
    /** Send a campaign to `recipients` (emails; default every subscribed member). */
    sendCampaign(
      input: {
        listId?: string;
        subject?: string;
        recipients?: readonly string[];
        campaignId?: string;
      } = {},
    ) {
      const campaign =
        input.campaignId === undefined
          ? state.createCampaign({
              listId: input.listId ?? firstAudience().id,
              subject: input.subject ?? "New single out today",
            })
          : state.campaign(input.campaignId);
      const recipients =
        input.recipients ??
        [...state.audience(campaign.list_id).members.values()]
          .filter((m) => m.status === "subscribed")
          .map((m) => m.email_address);
      state.send(campaign, recipients);
      return state.wireCampaign(campaign);
    },
    /** A recipient opens the campaign. */
    open(campaignId: string, email: string) {
      return state.record(campaignId, email, { action: "open", ip: "203.0.113.9" });
    },
    /** A recipient clicks a link. */
    click(campaignId: string, email: string, url = "https://example.com/listen") {
      return state.record(campaignId, email, { action: "click", url, ip: "203.0.113.9" });
    },
    /** The campaign bounced for a recipient. */
    bounce(campaignId: string, email: string, type: "hard" | "soft" = "hard") {
      return state.record(campaignId, email, { action: "bounce", type });
    },

    /** Mailchimp's validation GET for a webhook URL. */
    validationRequest,
    /** A delivery to `url` with these form fields. */
    deliveryRequest,
    /**
     * A delivery for `connection`'s audience, to its registered webhook URL
     * (secret included). `forged: true` replaces the secret with a wrong one.
     */
    webhook(
      connection: Pick<Connection, "config" | "metadata">,
      { forged }: { forged: boolean },
    ): Request {
      const str = (v: Json | undefined) => (typeof v === "string" && v !== "" ? v : undefined);
      const listId =
        str(connection.metadata.listId) ?? str(connection.config.listId) ?? firstAudience().id;
      const audience = state.audience(listId);
      const hookId = str(connection.metadata.webhookId);
      const hook =
        (hookId === undefined ? undefined : audience.webhooks.get(hookId)) ??
        [...audience.webhooks.values()][0];
      const url = new URL(
        hook?.url ?? "https://app.example.com/integrations/webhooks/mailchimp?secret=unregistered",
      );
      if (forged) url.searchParams.set("secret", `forged-${Math.random().toString(36).slice(2)}`);
      const [member] = audience.members.values();
      const fields: Array<[string, string]> =
        member === undefined
          ? [
              ["type", "subscribe"],
              ["fired_at", new Date(now()).toISOString().slice(0, 19).replace("T", " ")],
              ["data[list_id]", listId],
              ["data[email]", "someone@example.com"],
              ["data[id]", subscriberHash("someone@example.com")],
            ]
          : state.memberEventFields("profile", member);
      return deliveryRequest(url.href, fields);
    },
    /** Deliveries queued for registered webhooks, as Requests (the queue is emptied). */
    takeWebhookRequests(): Request[] {
      return state.outbox.splice(0).map((event) => deliveryRequest(event.url, event.fields));
    },
    /** Post queued deliveries to `webhookEndpoint`; returns its answers. */
    async deliverWebhooks(): Promise<Response[]> {
      if (options.webhookEndpoint === undefined) {
        throw new TypeError('deliverWebhooks() needs the "webhookEndpoint" option');
      }
      const out: Response[] = [];
      for (const request of api.takeWebhookRequests())
        out.push(await options.webhookEndpoint(request));
      return out;
    },
  };
  return api;
}

/**
 * The fake returned by {@link createMailchimpFake}.
 * @example
 * ```ts
 * let fake: MailchimpFake; beforeEach(() => { fake = createMailchimpFake(); });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export type MailchimpFake = ReturnType<typeof createMailchimpFake>;
