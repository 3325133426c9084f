import { randomBytes } from "node:crypto";
import { type Connection, hmac } from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import {
  KLAVIYO_API_ORIGIN,
  KLAVIYO_DEFAULT_REVISION,
  KLAVIYO_MEDIA_TYPE,
  KLAVIYO_PATHS,
  KLAVIYO_SCOPES,
} from "../endpoints.js";
import type { components, paths } from "../generated/klaviyo.js";
import { profileRecord } from "../models/profiles.js";
import { klaviyoOperationLimit } from "../rate-limits.js";
import type { KlaviyoList, KlaviyoProfile, KlaviyoWebhookBody } from "../schemas.js";
import {
  KLAVIYO_DEFAULT_WEBHOOK_TOPICS,
  KLAVIYO_WEBHOOK_HEADERS,
  klaviyoWebhookSignature,
} from "../webhooks.js";
import {
  type AllowedFilters,
  type FilterCondition,
  LIST_FILTERS,
  matchesFilter,
  PROFILE_FILTERS,
  parseFilter,
} from "./filter.js";
import { createKlaviyoOAuthFake } from "./oauth.js";
import { klaviyoError, klaviyoInvalid, klaviyoThrottled } from "./responses.js";
import {
  type FakeEvent,
  type FakeList,
  type FakeProfile,
  type FakeProfileAttributes,
  type FakeWebhook,
  KlaviyoFakeState,
  PROFILE_ATTRIBUTE_KEYS,
} from "./state.js";

/**
 * The sandbox private API key the fake accepts, with every scope.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "klaviyo", credentials: { apiKey: KLAVIYO_SANDBOX_API_KEY } });
 * ```
 * @see https://developers.klaviyo.com/en/docs/authenticate_
 */
export const KLAVIYO_SANDBOX_API_KEY = "pk_sandbox0123456789abcdef0123456789ab";

/**
 * The sandbox account's id (as `GET /api/accounts` and webhook deliveries report it).
 *
 * @example
 * ```ts
 * connection.metadata.accountId === KLAVIYO_SANDBOX_ACCOUNT_ID; // true
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_accounts
 */
export const KLAVIYO_SANDBOX_ACCOUNT_ID = "JuN1pr";

/**
 * The webhook topics the fake account offers (`GET /api/webhook-topics`).
 *
 * @example
 * ```ts
 * createKlaviyoFake({ webhookTopics: [...KLAVIYO_FAKE_WEBHOOK_TOPICS, "event:klaviyo.clicked_email"] });
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_webhook_topics
 */
export const KLAVIYO_FAKE_WEBHOOK_TOPICS: readonly string[] = Object.freeze([
  ...KLAVIYO_DEFAULT_WEBHOOK_TOPICS,
  "event:klaviyo.email_delivered",
  "event:klaviyo.opened_email",
  "event:klaviyo.sent_sms",
]);

/** The oldest revision the fake accepts; Klaviyo retires revisions two years after release. */
const OLDEST_REVISION = "2024-07-15";

/** OAuth scope each operation needs. */
const SCOPES: Record<string, string> = {
  "GET /api/accounts": "accounts:read",
  "GET /api/profiles": "profiles:read",
  "POST /api/profile-import": "profiles:write",
  "GET /api/lists": "lists:read",
  "POST /api/events": "events:write",
  "POST /api/profile-subscription-bulk-create-jobs": "subscriptions:write",
  "GET /api/webhook-topics": "webhooks:read",
  "GET /api/webhooks": "webhooks:read",
  "POST /api/webhooks": "webhooks:write",
  "DELETE /api/webhooks/{id}": "webhooks:write",
};

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends Record<200 | 201, { content: { "application/vnd.api+json": infer B } }>
    ? B
    : R extends Record<200, { content: { "application/vnd.api+json": infer B } }>
      ? B
      : R extends Record<201, { content: { "application/vnd.api+json": infer B } }>
        ? B
        : never
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody: { content: { "application/vnd.api+json": infer B } };
}
  ? B
  : never;
type ProfileResource = components["schemas"]["ProfileResponsePluralConversationsObjectResource"];

/**
 * One API request the fake answered.
 *
 * @example
 * ```ts
 * expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export interface FakeRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  revision: string | null;
  status: number;
}

/**
 * Options of {@link createKlaviyoFake}.
 *
 * @example
 * ```ts
 * createKlaviyoFake({ redirectUris: [`http://localhost:${port}/integrations/klaviyo/callback`], notify: (r) => patchbay.handleWebhook("klaviyo", r) });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export interface KlaviyoFakeOptions {
  /** The fake's clock (epoch ms): record times, rate-limit windows, webhook timestamps. Default `Date.now`. */
  now?: () => number;
  /** The OAuth server; default a new `createKlaviyoOAuthFake`. `false` for API-key-only fakes. */
  oauth?: FakeOAuthServer | false;
  /** Redirect URIs of the sandbox OAuth app (when the fake builds its OAuth server). */
  redirectUris?: readonly string[];
  /** Private API keys accepted, with their scopes. Default: {@link KLAVIYO_SANDBOX_API_KEY} with every scope. */
  apiKeys?: Record<string, { scopes?: readonly string[] }>;
  /** The account has Klaviyo CDP, so private keys may manage webhooks too. Default `false` (OAuth only). */
  cdp?: boolean;
  /** Enforce each endpoint's burst and steady limits (429 with Retry-After). Default `true`. */
  rateLimit?: boolean;
  /** Webhook topics the account offers. Default {@link KLAVIYO_FAKE_WEBHOOK_TOPICS}. */
  webhookTopics?: readonly string[];
  /**
   * Called with each signed delivery Klaviyo would POST to a webhook's
   * endpoint, e.g. `(r) => patchbay.handleWebhook("klaviyo", r)`.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * The fake Klaviyo (see {@link createKlaviyoFake}).
 *
 * @example
 * ```ts
 * let fake: KlaviyoFake = createKlaviyoFake();
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export type KlaviyoFake = ReturnType<typeof createKlaviyoFake>;

const FIRST_NAMES = [
  "Maya",
  "Leo",
  "Priya",
  "Sam",
  "Ines",
  "Noah",
  "Aiko",
  "Omar",
  "Zoe",
  "Felix",
  "Rosa",
  "Theo",
];
const LAST_NAMES = [
  "Garcia",
  "Chen",
  "Patel",
  "Okafor",
  "Novak",
  "Silva",
  "Kim",
  "Haddad",
  "Moreau",
  "Lind",
];
const CITIES = [
  ["Portland", "OR"],
  ["Austin", "TX"],
  ["Denver", "CO"],
  ["Raleigh", "NC"],
  ["Madison", "WI"],
] as const;
const PRODUCTS = [
  ["Linen Throw Blanket", 68],
  ["Stoneware Mug Set", 42],
  ["Walnut Serving Board", 55],
  ["Beeswax Candle Trio", 24],
  ["Wool Doormat", 36],
] as const;

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body as Record<string, unknown>, {
    status,
    headers: { "content-type": KLAVIYO_MEDIA_TYPE, ...headers },
  });
}

function toMswPath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ":$1");
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A stateful fake of Klaviyo's API (the endpoints the connector uses) and
 * its OAuth server, on Klaviyo's real URLs, for tests and sandbox mode:
 *
 * - auth by private key (`Klaviyo-API-Key`) or OAuth bearer token, with scopes;
 * - the `revision` header required (missing or unknown → Klaviyo's 400);
 * - JSON:API documents typed with the generated types; keyset cursor
 *   pagination through `links.next`; `page[size]` limits (profiles 100,
 *   lists 10); `filter` and `sort` parsed, unsupported ones refused with 400;
 * - each endpoint's burst and steady limits in fixed windows per
 *   credential, 429 `throttled` with `Retry-After`, `RateLimit-*` headers
 *   on other answers; `rateLimitNext(n)` forces 429s;
 * - profile import upserts (match by id, email, phone number, external id;
 *   409 `duplicate_profile` when they disagree); events attached to
 *   profiles (found or created) and deduplicated by `unique_id`; bulk
 *   subscribe jobs setting consent and list membership;
 * - webhooks created through the API and signed deliveries via `notify`.
 *
 * @example
 * ```ts
 * const fake = createKlaviyoFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // an online home-goods store's marketing lists and customers
 * fake.editProfile(id, { first_name: "Maya" }); // a user edits a profile in Klaviyo
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export function createKlaviyoFake(options: KlaviyoFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = new KlaviyoFakeState(now, KLAVIYO_SANDBOX_ACCOUNT_ID);
  const oauth =
    options.oauth === false
      ? undefined
      : (options.oauth ??
        createKlaviyoOAuthFake({
          now,
          ...(options.redirectUris !== undefined && { redirectUris: options.redirectUris }),
        }));
  const apiKeys = new Map<string, Set<string>>();
  for (const [key, spec] of Object.entries(options.apiKeys ?? { [KLAVIYO_SANDBOX_API_KEY]: {} })) {
    apiKeys.set(key, new Set(spec.scopes ?? KLAVIYO_SCOPES));
  }
  const topics = [...(options.webhookTopics ?? KLAVIYO_FAKE_WEBHOOK_TOPICS)];
  const enforce = options.rateLimit !== false;
  const log: FakeRequestLogEntry[] = [];
  const forced = { count: 0, retryAfterSeconds: 1 };
  /** Fixed-window counters: `${who}|${operation}|burst|${window}` → count. */
  const windows = new Map<string, number>();
  const deliveries: KlaviyoWebhookBody[] = [];

  // ── rendering ──────────────────────────────────────────────────────────

  function renderProfile(p: FakeProfile): ProfileResource {
    return {
      type: "profile",
      id: p.id,
      attributes: {
        email: p.email,
        phone_number: p.phone_number,
        external_id: p.external_id,
        first_name: p.first_name,
        last_name: p.last_name,
        organization: p.organization,
        locale: p.locale,
        title: p.title,
        image: p.image,
        created: p.created,
        updated: p.updated,
        last_event_date: p.last_event_date,
        location: structuredClone(p.location),
        properties: structuredClone(p.properties),
      },
      links: { self: `${KLAVIYO_API_ORIGIN}/api/profiles/${p.id}/` },
    };
  }

  function renderList(l: FakeList): components["schemas"]["ListListResponseObjectResource"] {
    return {
      type: "list",
      id: l.id,
      attributes: {
        name: l.name,
        created: l.created,
        updated: l.updated,
        opt_in_process: l.opt_in_process,
      },
      links: { self: `${KLAVIYO_API_ORIGIN}/api/lists/${l.id}/` },
    };
  }

  function renderWebhook(w: FakeWebhook): components["schemas"]["WebhookResponseObjectResource"] {
    return {
      type: "webhook",
      id: w.id,
      attributes: {
        name: w.name,
        description: w.description,
        endpoint_url: w.endpoint_url,
        enabled: w.enabled,
        created_at: w.created_at,
        updated_at: w.updated_at,
      },
      relationships: {
        "webhook-topics": { data: w.topics.map((id) => ({ type: "webhook-topic", id })) },
      },
      links: { self: `${KLAVIYO_API_ORIGIN}/api/webhooks/${w.id}/` },
    };
  }

  // ── pagination, filters, sorting ───────────────────────────────────────

  interface Listing<T> {
    allowed: AllowedFilters;
    sorts: readonly string[];
    defaultSort: string;
    maxSize: number;
    defaultSize: number;
    fields: (item: T) => Record<string, unknown>;
  }

  function compareValues(a: unknown, b: unknown, field: string): number {
    if (a === b) return 0;
    if (a === null || a === undefined) return -1;
    if (b === null || b === undefined) return 1;
    if (field === "created" || field === "updated")
      return Date.parse(String(a)) - Date.parse(String(b));
    return String(a) < String(b) ? -1 : 1;
  }

  function list<T>(
    url: URL,
    items: Iterable<T>,
    listing: Listing<T>,
  ): { page: T[]; links: components["schemas"]["CollectionLinks"] } | Response {
    const sizeText = url.searchParams.get("page[size]");
    const size = sizeText === null ? listing.defaultSize : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > listing.maxSize) {
      return klaviyoInvalid(`'page[size]' must be an integer from 1 to ${listing.maxSize}.`, {
        parameter: "page[size]",
      });
    }
    const sort = url.searchParams.get("sort") ?? listing.defaultSort;
    if (!listing.sorts.includes(sort)) {
      return klaviyoInvalid(`'${sort}' is not a valid sort for the resource.`, {
        parameter: "sort",
      });
    }
    const filterText = url.searchParams.get("filter");
    let conditions: FilterCondition[] = [];
    if (filterText !== null) {
      const parsed = parseFilter(filterText, listing.allowed);
      if (typeof parsed === "string") return klaviyoInvalid(parsed, { parameter: "filter" });
      conditions = parsed;
    }
    const field = sort.replace(/^-/, "");
    const direction = sort.startsWith("-") ? -1 : 1;
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      direction * (compareValues(a[field], b[field], field) || compareValues(a.id, b.id, "id"));
    let rows = [...items]
      .map((item) => ({ item, fields: listing.fields(item) }))
      .filter((row) => matchesFilter(row.fields, conditions))
      .sort((a, b) => order(a.fields, b.fields));
    const cursorText = url.searchParams.get("page[cursor]");
    if (cursorText !== null) {
      let cursor: { s: string; f: string | null; v: unknown; i: string } | undefined;
      try {
        cursor = JSON.parse(Buffer.from(cursorText, "base64url").toString("utf8"));
      } catch {
        cursor = undefined;
      }
      if (cursor === undefined || cursor.s !== sort || cursor.f !== filterText) {
        return klaviyoInvalid("Invalid page cursor.", { parameter: "page[cursor]" });
      }
      const after = { [field]: cursor.v, id: cursor.i };
      rows = rows.filter((row) => order(row.fields, after) > 0);
    }
    const page = rows.slice(0, size);
    const links: components["schemas"]["CollectionLinks"] = { self: url.href };
    const last = page.at(-1);
    if (rows.length > size && last !== undefined) {
      const next = new URL(url.href);
      next.searchParams.set(
        "page[cursor]",
        Buffer.from(
          JSON.stringify({ s: sort, f: filterText, v: last.fields[field], i: last.fields.id }),
        ).toString("base64url"),
      );
      links.next = next.href;
    }
    return { page: page.map((row) => row.item), links };
  }

  const profileListing: Listing<FakeProfile> = {
    allowed: PROFILE_FILTERS,
    sorts: ["created", "-created", "email", "-email", "id", "-id", "updated", "-updated"],
    defaultSort: "id",
    maxSize: 100,
    defaultSize: 20,
    fields: (p) => ({ ...p }),
  };
  const listListing: Listing<FakeList> = {
    allowed: LIST_FILTERS,
    sorts: ["created", "-created", "id", "-id", "name", "-name", "updated", "-updated"],
    defaultSort: "id",
    maxSize: 10,
    defaultSize: 10,
    fields: (l) => ({ ...l }),
  };

  // ── request pipeline: auth, revision, rate limits, scopes ─────────────

  type Who = { id: string; scopes: Set<string>; oauth: boolean };

  function authenticate(request: Request): Who | Response {
    const header = request.headers.get("authorization");
    if (header === null || header.trim() === "") {
      return klaviyoError(
        401,
        "not_authenticated",
        "Authentication credentials were not provided.",
        "Missing or invalid authorization scheme. Please use Klaviyo-API-Key.",
      );
    }
    const key = /^Klaviyo-API-Key\s+(\S+)$/i.exec(header)?.[1];
    if (key !== undefined) {
      const scopes = apiKeys.get(key);
      if (scopes === undefined) {
        return klaviyoError(
          401,
          "authentication_failed",
          "Incorrect authentication credentials.",
          "Incorrect authentication credentials.",
        );
      }
      return { id: `key:${key}`, scopes, oauth: false };
    }
    if (oauth !== undefined && /^Bearer\s/i.test(header)) {
      const check = oauth.verifyBearer(request);
      if (check.valid)
        return {
          id: `oauth:${check.clientId}:${check.subject}`,
          scopes: new Set(check.scopes),
          oauth: true,
        };
    }
    return klaviyoError(
      401,
      "authentication_failed",
      "Incorrect authentication credentials.",
      "Incorrect authentication credentials.",
    );
  }

  function checkRevision(request: Request): Response | undefined {
    const revision = request.headers.get("revision");
    if (revision === null || revision.trim() === "") {
      return klaviyoInvalid("Missing or invalid revision header.", { parameter: "revision" });
    }
    const date = /^(\d{4}-\d{2}-\d{2})(\.pre)?$/.exec(revision.trim())?.[1];
    if (date === undefined || date > KLAVIYO_DEFAULT_REVISION || date < OLDEST_REVISION) {
      return klaviyoInvalid(
        `Invalid revision: '${revision}'. No valid revisions found for method.`,
        {
          parameter: "revision",
        },
      );
    }
    return undefined;
  }

  function throttle(who: Who, operation: string): Response | Record<string, string> {
    if (forced.count > 0) {
      forced.count--;
      return klaviyoThrottled(forced.retryAfterSeconds);
    }
    const limit = klaviyoOperationLimit(operation.split(" ")[0]!, operation.split(" ")[1]!);
    if (limit === undefined) return {};
    const t = now();
    const burstWindow = Math.floor(t / 1000);
    const steadyWindow = Math.floor(t / 60_000);
    const burstKey = `${who.id}|${operation}|b|${burstWindow}`;
    const steadyKey = `${who.id}|${operation}|s|${steadyWindow}`;
    const burst = windows.get(burstKey) ?? 0;
    const steady = windows.get(steadyKey) ?? 0;
    if (enforce && steady >= limit.steadyPerMinute) {
      return klaviyoThrottled(((steadyWindow + 1) * 60_000 - t) / 1000);
    }
    if (enforce && burst >= limit.burstPerSecond) {
      return klaviyoThrottled(((burstWindow + 1) * 1000 - t) / 1000);
    }
    if (windows.size > 10_000) windows.clear();
    windows.set(burstKey, burst + 1);
    windows.set(steadyKey, steady + 1);
    return {
      "RateLimit-Limit": String(limit.steadyPerMinute),
      "RateLimit-Remaining": String(Math.max(0, limit.steadyPerMinute - steady - 1)),
      "RateLimit-Reset": String(Math.ceil(((steadyWindow + 1) * 60_000 - t) / 1000)),
    };
  }

  type Handler = (ctx: {
    request: Request;
    url: URL;
    params: Record<string, string>;
    who: Who;
  }) => Response | Promise<Response>;

  function route(
    method: "get" | "post" | "delete",
    template: string,
    handler: Handler,
  ): RequestHandler[] {
    const operation = `${method.toUpperCase()} ${template}`;
    const resolver = async ({
      request,
      params,
    }: {
      request: Request;
      params: Record<string, string | readonly string[] | undefined>;
    }) => {
      const url = new URL(request.url);
      const answer = await (async (): Promise<Response> => {
        const who = authenticate(request);
        if (who instanceof Response) return who;
        const badRevision = checkRevision(request);
        if (badRevision !== undefined) return badRevision;
        const limited = throttle(who, operation);
        if (limited instanceof Response) return limited;
        const scope = SCOPES[operation];
        if (scope !== undefined && !who.scopes.has(scope)) {
          return klaviyoError(
            403,
            "permission_denied",
            "You do not have permission to perform this action.",
            `This request needs the ${scope} scope.`,
          );
        }
        const response = await handler({
          request,
          url,
          params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v ?? "")])),
          who,
        });
        for (const [name, value] of Object.entries(limited)) response.headers.set(name, value);
        return response;
      })();
      log.push({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        revision: request.headers.get("revision"),
        status: answer.status,
      });
      return answer;
    };
    const path = `${KLAVIYO_API_ORIGIN}${toMswPath(template)}`;
    return [http[method](path, resolver), http[method](`${path}/`, resolver)];
  }

  async function readBody<T>(request: Request): Promise<T | Response> {
    try {
      const body = (await request.json()) as unknown;
      if (body === null || typeof body !== "object" || !("data" in body)) {
        return klaviyoInvalid("The request body must be a JSON:API document with `data`.", {
          pointer: "/data",
        });
      }
      return body as T;
    } catch {
      return klaviyoError(400, "parse_error", "Malformed request.", "JSON parse error.", {
        pointer: "/",
      });
    }
  }

  // ── profile upsert (profile import, events, subscriptions) ─────────────

  function checkIdentifiers(attributes: Record<string, unknown>, at: string): Response | undefined {
    if (
      attributes.email != null &&
      (typeof attributes.email !== "string" || !EMAIL.test(attributes.email))
    ) {
      return klaviyoInvalid(`Invalid email address: '${String(attributes.email)}'.`, {
        pointer: `${at}/email`,
      });
    }
    if (
      attributes.phone_number != null &&
      (typeof attributes.phone_number !== "string" || !E164.test(attributes.phone_number))
    ) {
      return klaviyoInvalid(
        `Invalid phone number format (Example of a valid format: +13239169023): '${String(attributes.phone_number)}'.`,
        { pointer: `${at}/phone_number` },
      );
    }
    if (attributes.properties != null && typeof attributes.properties !== "object") {
      return klaviyoInvalid("'properties' must be an object.", { pointer: `${at}/properties` });
    }
    return undefined;
  }

  /** Find the profile the identifiers name, or a 409 when they name different profiles. */
  function match(
    attributes: Record<string, unknown>,
    id: string | null | undefined,
    at: string,
  ): { profile: FakeProfile | undefined } | Response {
    const found = new Map<string, FakeProfile>();
    if (typeof id === "string" && id !== "") {
      const byId = state.profiles.get(id);
      if (byId === undefined) {
        return klaviyoError(
          404,
          "not_found",
          "Not found.",
          `A profile with id ${id} does not exist.`,
          {
            pointer: "/data/id",
          },
        );
      }
      found.set(byId.id, byId);
    }
    for (const key of ["email", "phone_number", "external_id"] as const) {
      const value = attributes[key];
      if (typeof value !== "string" || value === "") continue;
      const hit = state.findBy(key, value);
      if (hit !== undefined) found.set(hit.id, hit);
    }
    if (found.size > 1) {
      const [first] = found.values();
      return duplicate(first!.id, at);
    }
    return { profile: [...found.values()][0] };
  }

  function duplicate(existingId: string, at: string): Response {
    return HttpResponse.json(
      {
        errors: [
          {
            id: randomBytes(16).toString("hex"),
            status: 409,
            code: "duplicate_profile",
            title: "Conflict.",
            detail: "A profile already exists with one of these identifiers.",
            source: { pointer: at },
            links: {},
            meta: { duplicate_profile_id: existingId },
          },
        ],
      },
      { status: 409, headers: { "content-type": KLAVIYO_MEDIA_TYPE } },
    );
  }

  function pickAttributes(attributes: Record<string, unknown>): Partial<FakeProfileAttributes> {
    const out: Record<string, unknown> = {};
    for (const key of PROFILE_ATTRIBUTE_KEYS) if (key in attributes) out[key] = attributes[key];
    return out as Partial<FakeProfileAttributes>;
  }

  function upsert(
    attributes: Record<string, unknown>,
    id: string | null | undefined,
    at: string,
  ): { profile: FakeProfile; created: boolean } | Response {
    const bad = checkIdentifiers(attributes, at);
    if (bad !== undefined) return bad;
    const matched = match(attributes, id, at);
    if (matched instanceof Response) return matched;
    if (matched.profile !== undefined) {
      state.applyAttributes(matched.profile, pickAttributes(attributes));
      return { profile: matched.profile, created: false };
    }
    if (
      !["email", "phone_number", "external_id"].some(
        (k) => typeof attributes[k] === "string" && attributes[k] !== "",
      )
    ) {
      return klaviyoInvalid(
        "One of `email`, `phone_number`, or `external_id` is required to create a profile.",
        { pointer: at },
      );
    }
    return { profile: state.addProfile(pickAttributes(attributes)), created: true };
  }

  // ── webhook deliveries ─────────────────────────────────────────────────

  function eventResource(event: FakeEvent) {
    return {
      data: {
        type: "event",
        id: event.id,
        attributes: {
          timestamp: Math.floor(Date.parse(event.datetime) / 1000),
          event_properties: structuredClone(event.properties),
          datetime: event.datetime,
          uuid: event.id,
        },
        relationships: {
          profile: { data: { type: "profile", id: event.profileId } },
          metric: { data: { type: "metric", id: event.metricId } },
        },
        links: { self: `${KLAVIYO_API_ORIGIN}/api/events/${event.id}/` },
      },
    };
  }

  function deliveryFor(
    hook: Pick<FakeWebhook, "id" | "endpoint_url">,
    items: { topic: string; event: FakeEvent }[],
    secret: string,
    timestamp = new Date(now()).toISOString(),
  ): { request: Request; body: KlaviyoWebhookBody } {
    const body: KlaviyoWebhookBody = {
      data: items.map(({ topic, event }) => ({
        topic,
        external_id: event.id,
        payload: eventResource(event),
      })),
      meta: {
        klaviyo_account_id: state.accountId,
        klaviyo_webhook_id: hook.id,
        timestamp,
      },
    };
    const text = JSON.stringify(body);
    const request = new Request(hook.endpoint_url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [KLAVIYO_WEBHOOK_HEADERS.webhookId]: hook.id,
        [KLAVIYO_WEBHOOK_HEADERS.timestamp]: timestamp,
        [KLAVIYO_WEBHOOK_HEADERS.signature]: klaviyoWebhookSignature(secret, text, timestamp),
      },
      body: text,
    });
    return { request, body };
  }

  /** A Klaviyo metric event happened (`Subscribed to List`...): record it and deliver it to subscribed webhooks. */
  function klaviyoEvent(
    topic: string,
    metric: string,
    profile: FakeProfile,
    properties: Record<string, unknown> = {},
  ): FakeEvent | undefined {
    const event = state.addEvent({
      metric,
      profileId: profile.id,
      properties,
      value: null,
      value_currency: null,
      unique_id: randomBytes(8).toString("hex"),
    });
    if (event === undefined) return undefined;
    for (const hook of state.webhooks.values()) {
      if (!hook.enabled || !hook.topics.includes(topic)) continue;
      const { request, body } = deliveryFor(hook, [{ topic, event }], hook.secret_key);
      deliveries.push(body);
      if (options.notify !== undefined) {
        setTimeout(() => {
          Promise.resolve()
            .then(() => options.notify?.(request))
            .catch(() => undefined);
        }, 0);
      }
    }
    return event;
  }

  function subscribe(
    profile: FakeProfile,
    listId: string | undefined,
    channels: { email?: boolean; sms?: boolean },
  ): void {
    let changed = false;
    if (channels.email === true && profile.consent.email !== "SUBSCRIBED") {
      profile.consent.email = "SUBSCRIBED";
      changed = true;
      klaviyoEvent(
        "event:klaviyo.subscribed_to_email_marketing",
        "Subscribed to Email Marketing",
        profile,
      );
    }
    if (channels.sms === true && profile.consent.sms !== "SUBSCRIBED") {
      profile.consent.sms = "SUBSCRIBED";
      changed = true;
      klaviyoEvent(
        "event:klaviyo.subscribed_to_sms_marketing",
        "Subscribed to SMS Marketing",
        profile,
      );
    }
    if (listId !== undefined && !profile.lists.has(listId)) {
      profile.lists.add(listId);
      changed = true;
      klaviyoEvent("event:klaviyo.subscribed_to_list", "Subscribed to List", profile, {
        list_id: listId,
      });
    }
    if (changed) profile.updated = state.tick();
  }

  // ── handlers ───────────────────────────────────────────────────────────

  const handlers: RequestHandler[] = [
    ...route("get", KLAVIYO_PATHS.accounts, ({ url }) =>
      jsonResponse({
        data: [
          {
            type: "account",
            id: state.accountId,
            attributes: {
              test_account: false,
              contact_information: {
                default_sender_name: "Juniper & Oak",
                default_sender_email: "hello@juniperandoak.example",
                website_url: "https://juniperandoak.example",
                organization_name: "Juniper & Oak Home Goods",
                street_address: {
                  address1: "410 NW 10th Ave",
                  city: "Portland",
                  region: "OR",
                  country: "United States",
                  zip: "97209",
                },
              },
              industry: "Retail / Home Goods",
              timezone: "US/Pacific",
              preferred_currency: "USD",
              public_api_key: "JuN1pr",
              locale: "en-US",
            },
            links: { self: `${KLAVIYO_API_ORIGIN}/api/accounts/${state.accountId}/` },
          },
        ],
        links: { self: url.href },
      } satisfies Json<"/api/accounts", "get">),
    ),
    ...route("get", KLAVIYO_PATHS.profiles, ({ url }) => {
      const listed = list(url, state.profiles.values(), profileListing);
      if (listed instanceof Response) return listed;
      return jsonResponse({
        data: listed.page.map(renderProfile),
        links: listed.links,
      } satisfies Json<"/api/profiles", "get">);
    }),
    ...route("post", KLAVIYO_PATHS.profileImport, async ({ request }) => {
      const body = await readBody<Body<"/api/profile-import", "post">>(request);
      if (body instanceof Response) return body;
      if (body.data?.type !== "profile") {
        return klaviyoInvalid("The resource type must be 'profile'.", { pointer: "/data/type" });
      }
      const attributes = body.data.attributes;
      if (attributes === null || typeof attributes !== "object") {
        return klaviyoInvalid("'attributes' is required.", { pointer: "/data/attributes" });
      }
      const result = upsert(
        attributes as Record<string, unknown>,
        body.data.id,
        "/data/attributes",
      );
      if (result instanceof Response) return result;
      const rendered = renderProfile(result.profile);
      return jsonResponse(
        {
          data: { ...rendered, attributes: rendered.attributes },
          links: { self: rendered.links.self },
        } satisfies Json<"/api/profile-import", "post">,
        result.created ? 201 : 200,
      );
    }),
    ...route("get", KLAVIYO_PATHS.lists, ({ url }) => {
      const listed = list(url, state.lists.values(), listListing);
      if (listed instanceof Response) return listed;
      return jsonResponse({
        data: listed.page.map(renderList),
        links: listed.links,
      } satisfies Json<"/api/lists", "get">);
    }),
    ...route("post", KLAVIYO_PATHS.events, async ({ request }) => {
      const body = await readBody<Body<"/api/events", "post">>(request);
      if (body instanceof Response) return body;
      if (body.data?.type !== "event") {
        return klaviyoInvalid("The resource type must be 'event'.", { pointer: "/data/type" });
      }
      const a = body.data.attributes;
      const name = a?.metric?.data?.attributes?.name;
      if (typeof name !== "string" || name.trim() === "" || name.length >= 128) {
        return klaviyoInvalid("A metric name of fewer than 128 characters is required.", {
          pointer: "/data/attributes/metric/data/attributes/name",
        });
      }
      if (
        a.properties === null ||
        typeof a.properties !== "object" ||
        Array.isArray(a.properties)
      ) {
        return klaviyoInvalid("'properties' must be an object.", {
          pointer: "/data/attributes/properties",
        });
      }
      if (a.time != null && Number.isNaN(Date.parse(a.time))) {
        return klaviyoInvalid(`Invalid datetime: '${a.time}'.`, {
          pointer: "/data/attributes/time",
        });
      }
      if (a.value != null && typeof a.value !== "number") {
        return klaviyoInvalid("'value' must be a number.", { pointer: "/data/attributes/value" });
      }
      const who = a.profile?.data;
      const pointer = "/data/attributes/profile/data/attributes";
      if (
        who?.attributes === undefined ||
        (who.id == null &&
          !["email", "phone_number", "external_id", "anonymous_id"].some(
            (k) => typeof (who.attributes as Record<string, unknown>)[k] === "string",
          ))
      ) {
        return klaviyoInvalid("The profile needs an id, email, phone_number or external_id.", {
          pointer,
        });
      }
      const result = upsert(who.attributes as Record<string, unknown>, who.id, pointer);
      if (result instanceof Response) return result;
      state.addEvent({
        metric: name,
        profileId: result.profile.id,
        properties: structuredClone(a.properties),
        value: a.value ?? null,
        value_currency: a.value_currency ?? null,
        ...(a.time != null && {
          datetime: new Date(Date.parse(a.time)).toISOString().replace("Z", "+00:00"),
        }),
        ...(a.unique_id != null && { unique_id: a.unique_id }),
      });
      return new HttpResponse(null, { status: 202 });
    }),
    ...route("post", KLAVIYO_PATHS.subscribeJobs, async ({ request }) => {
      const body =
        await readBody<Body<"/api/profile-subscription-bulk-create-jobs", "post">>(request);
      if (body instanceof Response) return body;
      if (body.data?.type !== "profile-subscription-bulk-create-job") {
        return klaviyoInvalid("The resource type must be 'profile-subscription-bulk-create-job'.", {
          pointer: "/data/type",
        });
      }
      const listId = body.data.relationships?.list?.data?.id;
      if (listId !== undefined && !state.lists.has(listId)) {
        return klaviyoError(
          404,
          "not_found",
          "Not found.",
          `A list with id ${listId} does not exist.`,
          {
            pointer: "/data/relationships/list/data/id",
          },
        );
      }
      const entries = body.data.attributes?.profiles?.data ?? [];
      if (entries.length === 0 || entries.length > 1000) {
        return klaviyoInvalid("Between 1 and 1000 profiles are required.", {
          pointer: "/data/attributes/profiles/data",
        });
      }
      const resolved: { profile: FakeProfile; email: boolean; sms: boolean }[] = [];
      for (const [i, entry] of entries.entries()) {
        const at = `/data/attributes/profiles/data/${i}/attributes`;
        const attrs = entry.attributes;
        if (typeof attrs?.email !== "string" && typeof attrs?.phone_number !== "string") {
          return klaviyoInvalid("Each profile needs an email or a phone_number.", { pointer: at });
        }
        const result = upsert(
          { email: attrs.email, phone_number: attrs.phone_number },
          entry.id,
          at,
        );
        if (result instanceof Response) return result;
        resolved.push({
          profile: result.profile,
          email: attrs.subscriptions?.email?.marketing?.consent === "SUBSCRIBED",
          sms: attrs.subscriptions?.sms?.marketing?.consent === "SUBSCRIBED",
        });
      }
      for (const { profile, email, sms } of resolved) subscribe(profile, listId, { email, sms });
      return new HttpResponse(null, { status: 202 });
    }),
    ...route("get", KLAVIYO_PATHS.webhookTopics, ({ url }) =>
      jsonResponse({
        data: topics.map((id) => ({
          type: "webhook-topic" as const,
          id,
          links: { self: `${KLAVIYO_API_ORIGIN}/api/webhook-topics/${encodeURIComponent(id)}/` },
        })),
        links: { self: url.href },
      } satisfies Json<"/api/webhook-topics", "get">),
    ),
    ...route("get", KLAVIYO_PATHS.webhooks, ({ url }) =>
      jsonResponse({
        data: [...state.webhooks.values()].map(renderWebhook),
        links: { self: url.href },
      } satisfies Json<"/api/webhooks", "get">),
    ),
    ...route("post", KLAVIYO_PATHS.webhooks, async ({ request, who }) => {
      if (!who.oauth && options.cdp !== true) {
        return klaviyoError(
          403,
          "permission_denied",
          "You do not have permission to perform this action.",
          "Webhooks are available to OAuth apps and to accounts with Klaviyo CDP.",
        );
      }
      const body = await readBody<Body<"/api/webhooks", "post">>(request);
      if (body instanceof Response) return body;
      const a = body.data?.attributes;
      if (body.data?.type !== "webhook") {
        return klaviyoInvalid("The resource type must be 'webhook'.", { pointer: "/data/type" });
      }
      for (const key of ["name", "endpoint_url", "secret_key"] as const) {
        if (typeof a?.[key] !== "string" || a[key] === "") {
          return klaviyoInvalid(`'${key}' is required.`, { pointer: `/data/attributes/${key}` });
        }
      }
      let endpoint: URL | undefined;
      try {
        endpoint = new URL(a.endpoint_url);
      } catch {
        endpoint = undefined;
      }
      // Klaviyo requires https; the fake also lets local sandbox hosts register.
      const local = endpoint?.hostname === "localhost" || endpoint?.hostname === "127.0.0.1";
      if (endpoint === undefined || (endpoint.protocol !== "https:" && !local)) {
        return klaviyoInvalid("The endpoint URL must use https.", {
          pointer: "/data/attributes/endpoint_url",
        });
      }
      const wanted = body.data.relationships?.["webhook-topics"]?.data ?? [];
      const unknown = wanted.find((t) => !topics.includes(t.id));
      if (wanted.length === 0 || unknown !== undefined) {
        return klaviyoInvalid(
          unknown === undefined
            ? "At least one webhook topic is required."
            : `Unknown webhook topic '${unknown.id}'.`,
          { pointer: "/data/relationships/webhook-topics/data" },
        );
      }
      const hook = state.addWebhook({
        name: a.name,
        description: a.description ?? null,
        endpoint_url: a.endpoint_url,
        secret_key: a.secret_key,
        topics: wanted.map((t) => t.id),
      });
      return jsonResponse(
        {
          data: renderWebhook(hook),
          links: { self: renderWebhook(hook).links.self },
        } satisfies Json<"/api/webhooks", "post">,
        201,
      );
    }),
    ...route("delete", KLAVIYO_PATHS.webhook, ({ params }) => {
      const id = params.id ?? "";
      if (!state.webhooks.delete(id)) {
        return klaviyoError(
          404,
          "not_found",
          "Not found.",
          `A webhook with id ${id} does not exist.`,
        );
      }
      return new HttpResponse(null, { status: 204 });
    }),
  ];

  // ── test- and sandbox-side helpers ─────────────────────────────────────

  function profileOrThrow(id: string): FakeProfile {
    const profile = state.profiles.get(id);
    if (profile === undefined) throw new Error(`fake Klaviyo: no profile ${id}`);
    return profile;
  }

  function hookFor(connection: Pick<Connection, "metadata">): FakeWebhook | undefined {
    const id = connection.metadata.webhookId;
    return typeof id === "string" ? state.webhooks.get(id) : [...state.webhooks.values()].at(-1);
  }

  const api = {
    /** The fake's data, for assertions the helpers do not cover. */
    state,
    /** The OAuth server (absent with `oauth: false`). */
    oauth,
    /** MSW handlers: the API and the OAuth server's. */
    handlers: [...(oauth?.handlers ?? []), ...handlers] as RequestHandler[],
    /** What a user pastes for `klaviyo({ auth: "api_key" })`: the sandbox key. */
    credentials: { apiKey: KLAVIYO_SANDBOX_API_KEY },
    /** Every API request answered, in order. */
    requests: log as readonly FakeRequestLogEntry[],
    /** Every webhook delivery body sent. */
    deliveries: deliveries as readonly KlaviyoWebhookBody[],

    /** The next `count` API requests answer Klaviyo's 429 `throttled` with `Retry-After: retryAfterSeconds` (default 1). */
    rateLimitNext(count = 1, retryAfterSeconds = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 1)
        throw new TypeError('"retryAfterSeconds" must be a positive integer');
      forced.count += count;
      forced.retryAfterSeconds = retryAfterSeconds;
    },

    /** A user adds a profile in Klaviyo. Returns its id. */
    addProfile(attributes: Partial<FakeProfileAttributes>): string {
      return state.addProfile(structuredClone(attributes)).id;
    },

    /** A user edits a profile in Klaviyo (`null` clears an attribute or a property). */
    editProfile(id: string, attributes: Partial<FakeProfileAttributes>): void {
      state.applyAttributes(profileOrThrow(id), structuredClone(attributes));
    },

    /** A user deletes a profile in Klaviyo. */
    deleteProfile(id: string): void {
      profileOrThrow(id);
      state.profiles.delete(id);
    },

    /** A user creates a list. Returns its id. */
    addList(name: string, optIn: FakeList["opt_in_process"] = "single_opt_in"): string {
      return state.addList({ name, opt_in_process: optIn }).id;
    },

    /** A user renames a list. */
    renameList(id: string, name: string): void {
      const l = state.lists.get(id);
      if (l === undefined) throw new Error(`fake Klaviyo: no list ${id}`);
      l.name = name;
      l.updated = state.tick();
    },

    /** A user deletes a list. */
    deleteList(id: string): void {
      if (!state.lists.delete(id)) throw new Error(`fake Klaviyo: no list ${id}`);
      for (const p of state.profiles.values()) p.lists.delete(id);
    },

    /** A shopper signs up through a form: email consent and list membership (webhook topics fire). */
    signUp(email: string, listId: string): string {
      const profile = state.findBy("email", email) ?? state.addProfile({ email });
      subscribe(profile, listId, { email: true });
      return profile.id;
    },

    /** A shopper unsubscribes from email marketing (fires `unsubscribed_from_email_marketing`). */
    unsubscribe(id: string): void {
      const profile = profileOrThrow(id);
      profile.consent.email = "UNSUBSCRIBED";
      profile.updated = state.tick();
      klaviyoEvent(
        "event:klaviyo.unsubscribed_from_email_marketing",
        "Unsubscribed from Email Marketing",
        profile,
      );
    },

    /** The profiles as the connector stores them, by id. */
    profiles(): Map<string, KlaviyoProfile> {
      return new Map(
        [...state.profiles.values()].map((p) => [p.id, profileRecord(renderProfile(p))]),
      );
    },

    /** The lists as the connector stores them, by id. */
    lists(): Map<string, KlaviyoList> {
      return new Map(
        [...state.lists.values()].map((l) => {
          const r = renderList(l);
          return [l.id, { ...r.attributes, id: r.id } as KlaviyoList];
        }),
      );
    },

    /** Events recorded for a profile (or all). */
    events(profileId?: string): FakeEvent[] {
      return state.events.filter((e) => profileId === undefined || e.profileId === profileId);
    },

    /** A profile's list memberships and consent. */
    membership(id: string): { lists: string[]; consent: FakeProfile["consent"] } {
      const p = profileOrThrow(id);
      return { lists: [...p.lists], consent: { ...p.consent } };
    },

    /**
     * Fill the account like an online home-goods store's: lists
     * "Newsletter", "VIP Customers" and "Back in Stock"; `count` customers
     * (default 24) with names, cities and order properties, most signed up to
     * the newsletter; Placed Order and Viewed Product events.
     */
    seedSandbox(count = 24): {
      listIds: { newsletter: string; vip: string; backInStock: string };
      profileIds: string[];
    } {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      const newsletter = state.addList({ name: "Newsletter", opt_in_process: "double_opt_in" });
      const vip = state.addList({ name: "VIP Customers" });
      const backInStock = state.addList({ name: "Back in Stock" });
      const profileIds: string[] = [];
      for (let i = 0; i < count; i++) {
        const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
        const last = LAST_NAMES[(i * 3) % LAST_NAMES.length]!;
        const [city, region] = CITIES[i % CITIES.length]!;
        const orders = (i * 7) % 6;
        const profile = state.addProfile({
          email: `${first}.${last}${i + 1}@shoppers.example`.toLowerCase(),
          ...(i % 3 === 0 && { phone_number: `+1503555${String(1000 + i).slice(-4)}` }),
          external_id: `shopify-${10_400 + i}`,
          first_name: first,
          last_name: last,
          location: { city, region, country: "United States" },
          properties: {
            orders_count: orders,
            lifetime_value: orders * 58,
            source: i % 2 ? "Instagram" : "Google",
          },
        });
        profileIds.push(profile.id);
        if (i % 4 !== 3) subscribe(profile, newsletter.id, { email: true });
        if (orders >= 4) subscribe(profile, vip.id, {});
        if (i % 5 === 0) subscribe(profile, backInStock.id, {});
        const [product, price] = PRODUCTS[i % PRODUCTS.length]!;
        state.addEvent({
          metric: "Viewed Product",
          profileId: profile.id,
          properties: { ProductName: product },
          value: null,
          value_currency: null,
        });
        if (orders > 0) {
          state.addEvent({
            metric: "Placed Order",
            profileId: profile.id,
            properties: { ItemNames: [product], ItemCount: 1 },
            value: price,
            value_currency: "USD",
            unique_id: `order-${5000 + i}`,
          });
        }
      }
      return {
        listIds: { newsletter: newsletter.id, vip: vip.id, backInStock: backInStock.id },
        profileIds,
      };
    },

    /**
     * A delivery Klaviyo would send for the connection's webhook: one
     * `Subscribed to List` event, signed with the webhook's secret
     * (`forged: true` signs with another). Without a webhook at the fake, a
     * delivery for an unknown webhook of the account.
     */
    webhook(
      connection: Pick<Connection, "metadata">,
      webhookOptions: { forged?: boolean; timestamp?: string } = {},
    ): Request {
      const hook = hookFor(connection);
      const profile =
        [...state.profiles.values()][0] ?? state.addProfile({ email: "walk-in@shoppers.example" });
      const event: FakeEvent = {
        id: randomBytes(13).toString("hex"),
        metricId: state.metricId("Subscribed to List"),
        metric: "Subscribed to List",
        profileId: profile.id,
        properties: {},
        value: null,
        value_currency: null,
        datetime: state.tick(),
        unique_id: randomBytes(8).toString("hex"),
      };
      const target = hook ?? {
        id:
          typeof connection.metadata.webhookId === "string"
            ? connection.metadata.webhookId
            : `01${randomBytes(12).toString("hex").toUpperCase()}`,
        endpoint_url: "https://app.example.com/integrations/webhooks/klaviyo",
      };
      const secret =
        webhookOptions.forged === true || hook === undefined
          ? randomBytes(32).toString("hex")
          : hook.secret_key;
      return deliveryFor(
        target,
        [{ topic: "event:klaviyo.subscribed_to_list", event }],
        secret,
        webhookOptions.timestamp,
      ).request;
    },

    /**
     * Send {@link webhook}'s delivery to `to`, or to the `notify` option, and return the answer.
     *
     * @throws TypeError when neither says where to send it.
     */
    async deliver(
      connection: Pick<Connection, "metadata">,
      deliverOptions: {
        forged?: boolean;
        timestamp?: string;
        to?: (request: Request) => Response | Promise<Response>;
      } = {},
    ): Promise<Response> {
      const to =
        deliverOptions.to ??
        (options.notify as ((request: Request) => Response | Promise<Response>) | undefined);
      if (to === undefined)
        throw new TypeError('"to" is required when the fake was created without "notify"');
      return to(api.webhook(connection, deliverOptions));
    },

    /** HMAC helper for tests that craft deliveries by hand. */
    sign(secret: string, body: string, timestamp: string): string {
      return hmac("sha256", secret, [body, timestamp], "hex");
    },
  };
  return api;
}
