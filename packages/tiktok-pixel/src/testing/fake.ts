/**
 * A stateful fake of TikTok's Events API 2.0 for MSW, on TikTok's real URL:
 * `Access-Token` checked against the pixel it was generated for, the
 * request validated (web source, pixel code, events with a name and a Unix
 * time, hashed email/phone/external id), answers in TikTok's envelope
 * (`code` 0, or an error code on an HTTP 200), test events kept apart, and
 * TikTok's QPS limit (40100) on demand.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
import { randomBytes } from "node:crypto";
import { type HttpHandler, HttpResponse, http } from "msw";
import {
  EVENT_TRACK_PATH,
  TIKTOK_BUSINESS_API_BASE,
  TIKTOK_MAX_EVENTS_PER_REQUEST,
} from "../endpoints.js";
import type { TiktokWireEvent } from "../schemas.js";

/**
 * The sandbox pixel and Events API token the fake accepts by default (a
 * plumbing company's website pixel), plus a test event code.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "tiktok-pixel", credentials: { pixelCode: TIKTOK_PIXEL_SANDBOX.pixelCode, accessToken: TIKTOK_PIXEL_SANDBOX.accessToken } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export const TIKTOK_PIXEL_SANDBOX = Object.freeze({
  pixelCode: "CSANDBOXPLUMB1NG0001",
  accessToken: "sandbox0tiktok0events0api0token0123456789",
  testEventCode: "TEST58216",
});

/**
 * A pixel the fake knows, with the Events API tokens generated for it.
 *
 * @example
 * ```ts
 * createTiktokPixelFake({ pixels: [{ pixelCode: "C4A1B2C3D4E5F6G7H8I9", accessTokens: ["0123456789abcdef0123456789abcdef01234567"] }] });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface FakeTiktokPixel {
  pixelCode: string;
  accessTokens: string[];
}

/**
 * One event the fake accepted.
 *
 * @example
 * ```ts
 * const [first]: FakeTrackedEvent[] = fake.events();
 * first.event.user.email; // hashed
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface FakeTrackedEvent {
  pixelCode: string;
  /** The request's `test_event_code`, or `null` for a live event. */
  testEventCode: string | null;
  event: TiktokWireEvent;
  receivedAt: number;
}

/**
 * Options of {@link createTiktokPixelFake}. Every option is optional.
 *
 * @example
 * ```ts
 * const fake = createTiktokPixelFake({ now: () => clock.now });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface TiktokPixelFakeOptions {
  /** Pixels and their tokens. Default: the {@link TIKTOK_PIXEL_SANDBOX} pixel. */
  pixels?: FakeTiktokPixel[];
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * The fake (see {@link createTiktokPixelFake}).
 *
 * @example
 * ```ts
 * let fake: TiktokPixelFake = createTiktokPixelFake();
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export type TiktokPixelFake = ReturnType<typeof createTiktokPixelFake>;

const SHA256 = /^[a-f0-9]{64}$/;

function requestId(): string {
  return `2026${randomBytes(10).toString("hex").toUpperCase()}`;
}

/**
 * A TikTok envelope response; errors come with HTTP 200 like TikTok's.
 *
 * @example
 * ```ts
 * return tiktokEnvelope(40002, "Invalid value for event_source_id");
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export function tiktokEnvelope(code: number, message: string, status = 200): Response {
  return HttpResponse.json({ code, message, request_id: requestId(), data: {} }, { status });
}

/**
 * TikTok's QPS-limit answer: code 40100 on an HTTP 200.
 *
 * @example
 * ```ts
 * server.use(http.post(`${TIKTOK_BUSINESS_API_BASE}/*`, () => tiktokRateLimited()));
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export function tiktokRateLimited(): Response {
  return tiktokEnvelope(
    40100,
    "Too many requests. App reaches the QPS limit 10. Please retry later.",
  );
}

/**
 * A stateful fake of the Events API 2.0 (`POST /open_api/v1.3/event/track/`).
 *
 * @example
 * ```ts
 * const fake = createTiktokPixelFake();
 * const server = setupServer(...fake.handlers);
 * // ... run the sendEvents action ...
 * expect(fake.events({ test: false })).toHaveLength(1);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function createTiktokPixelFake(options: TiktokPixelFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const pixels = new Map<string, FakeTiktokPixel>();
  for (const p of options.pixels ?? [
    { pixelCode: TIKTOK_PIXEL_SANDBOX.pixelCode, accessTokens: [TIKTOK_PIXEL_SANDBOX.accessToken] },
  ])
    pixels.set(p.pixelCode, { ...p, accessTokens: [...p.accessTokens] });
  const tracked: FakeTrackedEvent[] = [];
  const revoked = new Set<string>();
  const requests: Array<{ method: string; path: string; testEventCode: string | null }> = [];
  let rateLimited = 0;

  const checkEvent = (e: Record<string, unknown>, i: number): string | undefined => {
    if (typeof e.event !== "string" || e.event === "") return `data[${i}].event: field is required`;
    if (typeof e.event_time !== "number" || !Number.isInteger(e.event_time) || e.event_time > 1e11)
      return `data[${i}].event_time: must be a Unix timestamp in seconds`;
    const user = (e.user ?? {}) as Record<string, unknown>;
    for (const field of ["email", "phone", "external_id"]) {
      const values =
        user[field] === undefined ? [] : Array.isArray(user[field]) ? user[field] : [user[field]];
      for (const v of values as unknown[])
        if (typeof v !== "string" || !SHA256.test(v))
          return `data[${i}].user.${field}: must be hashed with SHA256`;
    }
    return undefined;
  };

  const handlers: HttpHandler[] = [
    http.post(`${TIKTOK_BUSINESS_API_BASE}/${EVENT_TRACK_PATH}`, async ({ request }) => {
      let body: Record<string, unknown>;
      try {
        body = (await request.json()) as Record<string, unknown>;
      } catch {
        return tiktokEnvelope(40002, "Invalid JSON in request body");
      }
      const testEventCode = typeof body.test_event_code === "string" ? body.test_event_code : null;
      requests.push({ method: "POST", path: `/${EVENT_TRACK_PATH}`, testEventCode });
      if (rateLimited > 0) {
        rateLimited--;
        return tiktokRateLimited();
      }
      const token = request.headers.get("access-token");
      if (token === null || token === "")
        return tiktokEnvelope(
          40104,
          "Access token is null, it should be specified in header: Access-Token",
        );
      const known = [...pixels.values()].some((p) => p.accessTokens.includes(token));
      if (!known || revoked.has(token))
        return tiktokEnvelope(40105, "Access token is invalid or has expired.");
      if (body.event_source !== "web")
        return tiktokEnvelope(40002, "event_source: must be one of web, app, offline, crm");
      const pixelCode = body.event_source_id;
      if (typeof pixelCode !== "string" || pixelCode === "")
        return tiktokEnvelope(40002, "event_source_id: field is required");
      const pixel = pixels.get(pixelCode);
      if (pixel === undefined || !pixel.accessTokens.includes(token))
        return tiktokEnvelope(40001, `No permission to operate pixel code: ${pixelCode}`);
      const data = body.data;
      if (!Array.isArray(data) || data.length === 0)
        return tiktokEnvelope(40002, "data: field is required");
      if (data.length > TIKTOK_MAX_EVENTS_PER_REQUEST)
        return tiktokEnvelope(
          40002,
          `data: at most ${TIKTOK_MAX_EVENTS_PER_REQUEST} events per request`,
        );
      for (const [i, e] of data.entries()) {
        const bad = checkEvent((e ?? {}) as Record<string, unknown>, i);
        if (bad) return tiktokEnvelope(40002, bad);
      }
      for (const e of data)
        tracked.push({ pixelCode, testEventCode, event: e as TiktokWireEvent, receivedAt: now() });
      return tiktokEnvelope(0, "OK");
    }),
  ];

  return {
    handlers,
    /** What a store types into the credential form for the sandbox pixel. */
    credentials: {
      pixelCode: [...pixels.keys()][0] ?? TIKTOK_PIXEL_SANDBOX.pixelCode,
      accessToken: [...pixels.values()][0]?.accessTokens[0] ?? TIKTOK_PIXEL_SANDBOX.accessToken,
    },
    /** Events received, oldest first; `{ test: false }` live only, `{ test: true }` test only. */
    events(filter: { pixelCode?: string; test?: boolean } = {}): FakeTrackedEvent[] {
      return tracked.filter(
        (t) =>
          (filter.pixelCode === undefined || t.pixelCode === filter.pixelCode) &&
          (filter.test === undefined || (t.testEventCode !== null) === filter.test),
      );
    },
    /** Live events TikTok would count after deduplication by `event` + `event_id`. */
    deduplicatedEvents(pixelCode: string = TIKTOK_PIXEL_SANDBOX.pixelCode): FakeTrackedEvent[] {
      const seen = new Set<string>();
      return tracked.filter((t) => {
        if (t.pixelCode !== pixelCode || t.testEventCode !== null) return false;
        if (t.event.event_id === undefined) return true;
        const key = `${t.event.event}\u0000${t.event.event_id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
    /** Requests answered, in order (no secrets). */
    requests,
    /** The next `count` requests get TikTok's 40100 QPS-limit answer. */
    rateLimitNext(count = 1): void {
      rateLimited += count;
    },
    /** The token was deleted in Events Manager: it now fails with 40105. */
    revokeToken(token: string = TIKTOK_PIXEL_SANDBOX.accessToken): void {
      revoked.add(token);
    },
    /** Add a pixel (as a user creating one in Events Manager). */
    addPixel(pixel: FakeTiktokPixel): void {
      pixels.set(pixel.pixelCode, { ...pixel, accessTokens: [...pixel.accessTokens] });
    },
    /** Forget received events. */
    clearEvents(): void {
      tracked.length = 0;
    },
  };
}
