/**
 * Building Events API 2.0 requests from the SDK's events (hashed, checked
 * before anything is sent) and reading TikTok's answers. Requests are built
 * apart from responses so a recorded response can be fed to the parser.
 */
import { ConfigError } from "@patchbay/core";
import { hashUser } from "./advanced-matching.js";
import { envelopeError } from "./api-errors.js";
import { EVENT_TRACK_PATH, TIKTOK_MAX_EVENTS_PER_REQUEST } from "./endpoints.js";
import type {
  TiktokEventInput,
  TiktokPixelConfig,
  TiktokTrackRequest,
  TiktokWireEvent,
} from "./schemas.js";

/**
 * What {@link buildTrackRequests} needs besides the events.
 *
 * @example
 * ```ts
 * const options: BuildTrackOptions = { pixelCode: "C4A1B2C3D4E5F6G7H8I9", now: Date.now(), config: {} };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface BuildTrackOptions {
  pixelCode: string;
  /** The clock, epoch ms. */
  now: number;
  config: Pick<TiktokPixelConfig, "defaultPhoneCountryCode" | "testEventCode">;
  /** Overrides `config.testEventCode`. */
  testEventCode?: string;
  /** Events per request. Default {@link TIKTOK_MAX_EVENTS_PER_REQUEST}. */
  batchSize?: number;
}

/**
 * Turn events into `POST event/track/` bodies (`event_source: "web"`,
 * `event_source_id` = the pixel code). An event time in the future (more
 * than a minute of skew) is refused with a `ConfigError` naming the event.
 *
 * @example
 * ```ts
 * const [body] = buildTrackRequests([{ event: "SubmitForm", eventTime: nowSeconds, user: { email: "jane@example.com" } }], { pixelCode, now: Date.now(), config: {} });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function buildTrackRequests(
  events: TiktokEventInput[],
  options: BuildTrackOptions,
): TiktokTrackRequest[] {
  const batchSize = options.batchSize ?? TIKTOK_MAX_EVENTS_PER_REQUEST;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > TIKTOK_MAX_EVENTS_PER_REQUEST)
    throw new TypeError(
      `"batchSize" must be an integer from 1 to ${TIKTOK_MAX_EVENTS_PER_REQUEST}`,
    );
  const nowSeconds = Math.floor(options.now / 1000);
  const wire = events.map((e, index): TiktokWireEvent => {
    const path = `events[${index}]`;
    const eventTime =
      typeof e.eventTime === "number" ? e.eventTime : Math.floor(Date.parse(e.eventTime) / 1000);
    if (eventTime > nowSeconds + 60)
      throw new ConfigError(`"${path}.eventTime" is in the future; send events once they happen`);
    return {
      event: e.event,
      event_time: eventTime,
      ...(e.eventId !== undefined && { event_id: e.eventId }),
      user: hashUser(e.user ?? {}, {
        defaultPhoneCountryCode: options.config.defaultPhoneCountryCode,
        path: `${path}.user`,
      }),
      ...(e.page !== undefined && { page: e.page }),
      ...(e.properties !== undefined && { properties: e.properties }),
      ...(e.limitedDataUse !== undefined && { limited_data_use: e.limitedDataUse }),
    };
  });
  const testEventCode = options.testEventCode ?? options.config.testEventCode;
  const requests: TiktokTrackRequest[] = [];
  for (let i = 0; i < wire.length; i += batchSize)
    requests.push({
      event_source: "web",
      event_source_id: options.pixelCode,
      ...(testEventCode !== undefined && { test_event_code: testEventCode }),
      data: wire.slice(i, i + batchSize),
    });
  return requests;
}

/**
 * What `sendEvents` returns.
 *
 * @example
 * ```ts
 * const result: SendEventsResult = { eventsSent: 2, requests: 1, requestIds: ["2026..."], testEventCode: null };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface SendEventsResult {
  /** Events TikTok accepted (`code` 0 for their request). */
  eventsSent: number;
  /** Requests sent. */
  requests: number;
  /** TikTok's `request_id`s, for support tickets. */
  requestIds: string[];
  /** The test event code used, or `null` for live events. */
  testEventCode: string | null;
}

/**
 * Read one `event/track/` answer: `code` 0 is success and yields TikTok's
 * `request_id`; anything else throws the typed error (40100 is a
 * `RateLimitError`, 40105 an `AuthError`).
 *
 * @example
 * ```ts
 * parseTrackResponse({ code: 0, message: "OK", request_id: "r1", data: {} }); // "r1"
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export function parseTrackResponse(body: unknown): string | undefined {
  const error = envelopeError(`POST ${EVENT_TRACK_PATH}`, body);
  if (error !== undefined) throw error;
  const id = (body as { request_id?: unknown }).request_id;
  return typeof id === "string" ? id : undefined;
}
