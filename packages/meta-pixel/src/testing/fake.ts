/**
 * A stateful fake of the Conversions API for MSW, on Meta's real URLs:
 * access tokens per pixel, `GET /{pixel-id}`, `POST /{pixel-id}/events` with
 * the checks Meta documents (at most 1000 events, every event at most 7
 * days old or the whole request fails, required fields, hashed contact
 * fields), Graph API error bodies, test events kept apart, and Meta's
 * throttling error (code 4 on an HTTP 400) on demand.
 *
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
import { randomBytes } from "node:crypto";
import { type HttpHandler, HttpResponse, http } from "msw";
import { META_GRAPH_API_BASE, META_MAX_EVENTS_PER_REQUEST } from "../endpoints.js";
import type { MetaServerEvent } from "../schemas.js";

/**
 * The sandbox pixel and token the fake accepts by default (a plumbing
 * company's website pixel), plus a test event code.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "meta-pixel", credentials: { pixelId: META_PIXEL_SANDBOX.pixelId, accessToken: META_PIXEL_SANDBOX.accessToken } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/get-started
 */
export const META_PIXEL_SANDBOX = Object.freeze({
  pixelId: "1029384756102938",
  name: "Bright Plumbing Co. website",
  accessToken: "EAAGsandboxCapiToken0123456789abcdefABCDEF",
  testEventCode: "TEST40671",
});

/**
 * A pixel the fake knows, with the tokens allowed to use it.
 *
 * @example
 * ```ts
 * createMetaPixelFake({ pixels: [{ id: "111222333444555", name: "Shop", accessTokens: ["EAAB...long-token"] }] });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ads-pixel
 */
export interface FakePixel {
  id: string;
  name: string;
  accessTokens: string[];
}

/**
 * One event the fake accepted.
 *
 * @example
 * ```ts
 * const [first]: FakeReceivedEvent[] = fake.events();
 * first.event.user_data.em; // hashed
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export interface FakeReceivedEvent {
  pixelId: string;
  /** The Graph API version in the path. */
  version: string;
  /** The request's `test_event_code`, or `null` for a live event. */
  testEventCode: string | null;
  event: MetaServerEvent;
  /** Epoch ms the fake received it. */
  receivedAt: number;
}

/**
 * Options of {@link createMetaPixelFake}. Every option is optional.
 *
 * @example
 * ```ts
 * const fake = createMetaPixelFake({ now: () => clock.now });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export interface MetaPixelFakeOptions {
  /** Pixels and their tokens. Default: the {@link META_PIXEL_SANDBOX} pixel. */
  pixels?: FakePixel[];
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * The fake (see {@link createMetaPixelFake}).
 *
 * @example
 * ```ts
 * let fake: MetaPixelFake = createMetaPixelFake();
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export type MetaPixelFake = ReturnType<typeof createMetaPixelFake>;

const SEVEN_DAYS_S = 7 * 86_400;
const PHYSICAL_STORE_S = 62 * 86_400;
const SHA256 = /^[a-f0-9]{64}$/;
const HASHED_FIELDS = ["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country"] as const;
const ACTION_SOURCES = new Set([
  "website",
  "app",
  "email",
  "phone_call",
  "chat",
  "physical_store",
  "system_generated",
  "business_messaging",
  "other",
]);

function traceId(): string {
  return randomBytes(8).toString("base64url");
}

/**
 * A Graph API error response, as Meta sends it.
 *
 * @example
 * ```ts
 * return graphError(400, { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 });
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export function graphError(
  status: number,
  error: {
    message: string;
    type?: string;
    code: number;
    error_subcode?: number;
    error_user_title?: string;
    error_user_msg?: string;
    is_transient?: boolean;
  },
): Response {
  return HttpResponse.json(
    { error: { type: "OAuthException", ...error, fbtrace_id: traceId() } },
    { status, headers: { "www-authenticate": 'OAuth "Facebook Platform" "invalid_request"' } },
  );
}

/**
 * Meta's throttling answer: code 4 ("Application request limit reached") on an HTTP 400.
 *
 * @example
 * ```ts
 * server.use(http.post(`${META_GRAPH_API_BASE}/*`, () => graphRateLimited()));
 * ```
 * @see https://developers.facebook.com/docs/graph-api/overview/rate-limiting
 */
export function graphRateLimited(): Response {
  return graphError(400, {
    message: "(#4) Application request limit reached",
    type: "OAuthException",
    code: 4,
    is_transient: true,
  });
}

/**
 * A stateful fake of Meta's Conversions API (and the pixel node read by
 * "Test connection"), for tests and sandbox mode.
 *
 * @example
 * ```ts
 * const fake = createMetaPixelFake();
 * const server = setupServer(...fake.handlers);
 * // ... run the sendEvents action ...
 * expect(fake.events()).toHaveLength(2);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export function createMetaPixelFake(options: MetaPixelFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const pixels = new Map<string, FakePixel>();
  for (const p of options.pixels ?? [
    {
      id: META_PIXEL_SANDBOX.pixelId,
      name: META_PIXEL_SANDBOX.name,
      accessTokens: [META_PIXEL_SANDBOX.accessToken],
    },
  ])
    pixels.set(p.id, { ...p, accessTokens: [...p.accessTokens] });
  const received: FakeReceivedEvent[] = [];
  const revoked = new Set<string>();
  let rateLimited = 0;
  const requests: Array<{ method: string; path: string }> = [];

  const tokenOf = (request: Request): string | undefined => {
    const url = new URL(request.url);
    const query = url.searchParams.get("access_token");
    if (query !== null) return query;
    const header = request.headers.get("authorization");
    return header?.startsWith("Bearer ") || header?.startsWith("OAuth ")
      ? header.slice(header.indexOf(" ") + 1)
      : undefined;
  };

  /** Token and pixel checks shared by both endpoints; a Response when refused. */
  const authorize = (
    request: Request,
    pixelId: string,
    formToken?: string,
  ): Response | undefined => {
    if (rateLimited > 0) {
      rateLimited--;
      return graphRateLimited();
    }
    const token = formToken ?? tokenOf(request);
    if (token === undefined || token === "")
      return graphError(400, {
        message: "An access token is required to request this resource.",
        code: 104,
      });
    const known = [...pixels.values()].some((p) => p.accessTokens.includes(token));
    if (!known || revoked.has(token))
      return graphError(400, {
        message: revoked.has(token)
          ? "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."
          : "Invalid OAuth access token - Cannot parse access token",
        code: 190,
        ...(revoked.has(token) && { error_subcode: 460 }),
      });
    const pixel = pixels.get(pixelId);
    if (pixel === undefined || !pixel.accessTokens.includes(token))
      return graphError(400, {
        message: `Unsupported get request. Object with ID '${pixelId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: "GraphMethodException",
        code: 100,
        error_subcode: 33,
      });
    return undefined;
  };

  const invalid = (message: string, userTitle: string, userMsg: string, subcode?: number) =>
    graphError(400, {
      message,
      code: 100,
      ...(subcode !== undefined && { error_subcode: subcode }),
      error_user_title: userTitle,
      error_user_msg: userMsg,
    });

  /** Check one event as Meta documents; a Response when the whole request must fail. */
  const checkEvent = (e: Record<string, unknown>, index: number): Response | undefined => {
    if (typeof e.event_name !== "string" || e.event_name === "")
      return invalid(
        "(#100) The parameter event_name is required",
        "Missing Event Name",
        `Event ${index} has no event_name.`,
      );
    if (typeof e.event_time !== "number" || !Number.isInteger(e.event_time))
      return invalid(
        "(#100) The parameter event_time is required",
        "Missing Event Time",
        `Event ${index} has no event_time.`,
      );
    if (typeof e.action_source !== "string" || !ACTION_SOURCES.has(e.action_source))
      return invalid(
        "(#100) Invalid parameter",
        "Invalid Action Source",
        `Event ${index} needs a valid action_source.`,
        2804050,
      );
    const nowS = Math.floor(now() / 1000);
    const limit = e.action_source === "physical_store" ? PHYSICAL_STORE_S : SEVEN_DAYS_S;
    if (nowS - e.event_time > limit)
      return invalid(
        "(#100) Invalid parameter",
        "Event Timestamp Too Old",
        "The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when they occurred.",
        2804003,
      );
    if (e.event_time > nowS + 60)
      return invalid(
        "(#100) Invalid parameter",
        "Event Timestamp In The Future",
        "The timestamp for this event is in the future.",
        2804004,
      );
    const user = e.user_data;
    if (user === null || typeof user !== "object")
      return invalid(
        "(#100) The parameter user_data is required",
        "Missing User Data",
        `Event ${index} has no user_data.`,
      );
    const u = user as Record<string, unknown>;
    for (const field of HASHED_FIELDS) {
      const values = u[field] === undefined ? [] : Array.isArray(u[field]) ? u[field] : [u[field]];
      for (const v of values as unknown[])
        if (typeof v !== "string" || !SHA256.test(v))
          return invalid(
            "(#100) Invalid parameter",
            "Unhashed User Data",
            `user_data.${field} of event ${index} must be hashed with SHA-256.`,
            2804019,
          );
    }
    if (
      e.action_source === "website" &&
      (typeof u.client_user_agent !== "string" || typeof e.event_source_url !== "string")
    )
      return invalid(
        "(#100) Invalid parameter",
        "Missing Website Parameters",
        `Website event ${index} needs client_user_agent and event_source_url.`,
        2804051,
      );
    return undefined;
  };

  const handlers: HttpHandler[] = [
    http.get(`${META_GRAPH_API_BASE}/:version/:pixelId`, ({ request, params }) => {
      const pixelId = String(params.pixelId);
      requests.push({ method: "GET", path: `/${params.version}/${pixelId}` });
      const refused = authorize(request, pixelId);
      if (refused) return refused;
      const pixel = pixels.get(pixelId)!;
      const fields = (new URL(request.url).searchParams.get("fields") ?? "id").split(",");
      const node: Record<string, unknown> = { id: pixel.id };
      if (fields.includes("name")) node.name = pixel.name;
      return HttpResponse.json(node);
    }),
    http.post(`${META_GRAPH_API_BASE}/:version/:pixelId/events`, async ({ request, params }) => {
      const pixelId = String(params.pixelId);
      const version = String(params.version);
      requests.push({ method: "POST", path: `/${version}/${pixelId}/events` });
      // Meta takes the body as JSON or as form fields (data=<json>).
      let body: Record<string, unknown>;
      const type = request.headers.get("content-type") ?? "";
      let formToken: string | undefined;
      try {
        if (type.includes("application/json"))
          body = (await request.json()) as Record<string, unknown>;
        else {
          const form = new URLSearchParams(await request.text());
          formToken = form.get("access_token") ?? undefined;
          body = {
            data: JSON.parse(form.get("data") ?? "null"),
            ...(form.get("test_event_code") !== null && {
              test_event_code: form.get("test_event_code"),
            }),
          };
        }
      } catch {
        return graphError(400, { message: "(#100) Invalid parameter", code: 100 });
      }
      const refused = authorize(request, pixelId, formToken);
      if (refused) return refused;
      const data = body.data;
      if (!Array.isArray(data) || data.length === 0)
        return invalid(
          "(#100) The parameter data is required",
          "Missing Data",
          "The request has no events in data.",
        );
      if (data.length > META_MAX_EVENTS_PER_REQUEST)
        return invalid(
          "(#100) Invalid parameter",
          "Too Many Events",
          `You can send up to ${META_MAX_EVENTS_PER_REQUEST} events in data.`,
          2804001,
        );
      for (const [i, e] of data.entries()) {
        const bad = checkEvent((e ?? {}) as Record<string, unknown>, i);
        if (bad) return bad;
      }
      const testEventCode = typeof body.test_event_code === "string" ? body.test_event_code : null;
      for (const e of data)
        received.push({
          pixelId,
          version,
          testEventCode,
          event: e as MetaServerEvent,
          receivedAt: now(),
        });
      return HttpResponse.json({
        events_received: data.length,
        messages: [],
        fbtrace_id: traceId(),
      });
    }),
  ];

  return {
    handlers,
    /** What a store types into the credential form for the sandbox pixel. */
    credentials: {
      pixelId: [...pixels.keys()][0] ?? META_PIXEL_SANDBOX.pixelId,
      accessToken: [...pixels.values()][0]?.accessTokens[0] ?? META_PIXEL_SANDBOX.accessToken,
    },
    /** Events received, oldest first; `{ test: false }` keeps live events only, `{ test: true }` test events only. */
    events(filter: { pixelId?: string; test?: boolean } = {}): FakeReceivedEvent[] {
      return received.filter(
        (r) =>
          (filter.pixelId === undefined || r.pixelId === filter.pixelId) &&
          (filter.test === undefined || (r.testEventCode !== null) === filter.test),
      );
    },
    /**
     * Events Meta would count after browser/server deduplication: one per
     * `event_name` + `event_id` (events without an id are all counted).
     */
    deduplicatedEvents(pixelId: string = META_PIXEL_SANDBOX.pixelId): FakeReceivedEvent[] {
      const seen = new Set<string>();
      return received.filter((r) => {
        if (r.pixelId !== pixelId || r.testEventCode !== null) return false;
        if (r.event.event_id === undefined) return true;
        const key = `${r.event.event_name}\u0000${r.event.event_id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
    /** Requests answered, in order (method and path, no secrets). */
    requests,
    /** The next `count` requests get Meta's throttling error (code 4). */
    rateLimitNext(count = 1): void {
      rateLimited += count;
    },
    /** The user removed the token (or changed their password): it now fails with code 190. */
    revokeToken(token: string = META_PIXEL_SANDBOX.accessToken): void {
      revoked.add(token);
    },
    /** Add a pixel (as a user creating one in Events Manager). */
    addPixel(pixel: FakePixel): void {
      pixels.set(pixel.id, { ...pixel, accessTokens: [...pixel.accessTokens] });
    },
    /** Forget received events. */
    clearEvents(): void {
      received.length = 0;
    },
  };
}
