/**
 * Building Conversions API requests from the SDK's events (normalised,
 * hashed, checked against Meta's limits before anything is sent), and
 * reading Meta's answers. Requests are built apart from responses so a
 * recorded response can be fed to the parser in a test.
 */
import { ConfigError, ProviderError } from "@patchbay/core";
import { hashUserData } from "./customer-information.js";
import { META_MAX_EVENT_AGE_MS, META_MAX_EVENTS_PER_REQUEST } from "./endpoints.js";
import {
  EventsResponseSchema,
  type MetaEventInput,
  type MetaEventsRequest,
  type MetaPixelConfig,
  type MetaServerEvent,
} from "./schemas.js";

/**
 * What {@link buildEventsRequests} needs besides the events.
 *
 * @example
 * ```ts
 * const options: BuildEventsOptions = { now: Date.now(), config: { actionSource: "website" }, testEventCode: "TEST12345" };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export interface BuildEventsOptions {
  /** The clock, epoch ms. */
  now: number;
  config: Pick<MetaPixelConfig, "actionSource" | "defaultPhoneCountryCode" | "testEventCode">;
  /** Overrides `config.testEventCode`. */
  testEventCode?: string;
  /** Events per request, at most {@link META_MAX_EVENTS_PER_REQUEST}. */
  batchSize?: number;
}

/**
 * The requests to send, and what the host should hear about.
 *
 * @example
 * ```ts
 * const { requests }: BuiltEventsRequests = buildEventsRequests(events, options);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export interface BuiltEventsRequests {
  requests: MetaEventsRequest[];
  /** Phone numbers sent without a country code. */
  phonesWithoutCountryCode: number;
}

function toUnixSeconds(time: number | string): number {
  return typeof time === "number" ? time : Math.floor(Date.parse(time) / 1000);
}

/**
 * Turn events into one or more `POST /{pixel-id}/events` bodies of at most
 * 1000 events each. Everything Meta would reject for the whole request is
 * refused here first, with a `ConfigError` naming the event: an
 * `eventTime` more than 7 days old (62 for `physical_store`) or in the
 * future, and a website event without `eventSourceUrl` or
 * `user.clientUserAgent` (both required for website events).
 *
 * @example
 * ```ts
 * const { requests } = buildEventsRequests([{ eventName: "Lead", eventTime: nowSeconds, actionSource: "system_generated", user: { email: "jane@example.com" } }], { now: Date.now(), config: { actionSource: "website" } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export function buildEventsRequests(
  events: MetaEventInput[],
  options: BuildEventsOptions,
): BuiltEventsRequests {
  const batchSize = options.batchSize ?? META_MAX_EVENTS_PER_REQUEST;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > META_MAX_EVENTS_PER_REQUEST)
    throw new TypeError(`"batchSize" must be an integer from 1 to ${META_MAX_EVENTS_PER_REQUEST}`);
  let phonesWithoutCountryCode = 0;
  const nowSeconds = Math.floor(options.now / 1000);
  const wire = events.map((event, index): MetaServerEvent => {
    const path = `events[${index}]`;
    const actionSource = event.actionSource ?? options.config.actionSource;
    const eventTime = toUnixSeconds(event.eventTime);
    const maxAgeMs =
      actionSource === "physical_store"
        ? META_MAX_EVENT_AGE_MS.physical_store
        : META_MAX_EVENT_AGE_MS.website;
    const ageSeconds = nowSeconds - eventTime;
    if (ageSeconds > maxAgeMs / 1000) {
      const days = Math.floor(ageSeconds / 86_400);
      throw new ConfigError(
        `"${path}.eventTime" is ${days} days old: Meta rejects the whole request when any event is more than ${maxAgeMs / 86_400_000} days old, so nothing was sent. Drop this event or send it separately.`,
      );
    }
    // Meta refuses times in the future; a minute of clock skew is tolerated.
    if (eventTime > nowSeconds + 60)
      throw new ConfigError(`"${path}.eventTime" is in the future; send events once they happen`);
    if (actionSource === "website") {
      if (event.eventSourceUrl === undefined)
        throw new ConfigError(`"${path}.eventSourceUrl" is required for website events`);
      if (event.user.clientUserAgent === undefined)
        throw new ConfigError(`"${path}.user.clientUserAgent" is required for website events`);
    }
    const hashed = hashUserData(event.user, {
      defaultPhoneCountryCode: options.config.defaultPhoneCountryCode,
      path: `${path}.user`,
    });
    phonesWithoutCountryCode += hashed.phonesWithoutCountryCode;
    return {
      event_name: event.eventName,
      event_time: eventTime,
      ...(event.eventId !== undefined && { event_id: event.eventId }),
      action_source: actionSource,
      ...(event.eventSourceUrl !== undefined && { event_source_url: event.eventSourceUrl }),
      ...(event.optOut !== undefined && { opt_out: event.optOut }),
      user_data: hashed.userData,
      ...(event.customData !== undefined && { custom_data: event.customData }),
    };
  });
  const testEventCode = options.testEventCode ?? options.config.testEventCode;
  const requests: MetaEventsRequest[] = [];
  for (let i = 0; i < wire.length; i += batchSize) {
    requests.push({
      data: wire.slice(i, i + batchSize),
      ...(testEventCode !== undefined && { test_event_code: testEventCode }),
    });
  }
  return { requests, phonesWithoutCountryCode };
}

/**
 * What `sendEvents` returns.
 *
 * @example
 * ```ts
 * const result: SendEventsResult = { eventsReceived: 2, requests: 1, fbtraceIds: ["AbC"], messages: [], testEventCode: null };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export interface SendEventsResult {
  /** Events Meta acknowledged (`events_received`, summed over requests). */
  eventsReceived: number;
  /** Requests sent (one per 1000 events). */
  requests: number;
  /** Meta's trace ids, for support tickets. */
  fbtraceIds: string[];
  /** Any `messages` Meta returned. */
  messages: unknown[];
  /** The test event code used, or `null` for live events. */
  testEventCode: string | null;
}

/**
 * Read one `POST /{pixel-id}/events` answer; a batch Meta did not fully
 * receive is an error (the events were not all processed).
 *
 * @example
 * ```ts
 * parseEventsResponse({ events_received: 1, messages: [], fbtrace_id: "AbC" }, 1); // { eventsReceived: 1, ... }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api
 */
export function parseEventsResponse(
  body: unknown,
  sent: number,
): { eventsReceived: number; fbtraceId?: string; messages: unknown[] } {
  const parsed = EventsResponseSchema.safeParse(body);
  if (!parsed.success)
    throw new ProviderError("Meta answered the events request with an unexpected body", {
      cause: body,
    });
  const { events_received, fbtrace_id, messages } = parsed.data;
  if (events_received !== sent)
    throw new ProviderError(
      `Meta received ${events_received} of ${sent} events (fbtrace_id ${fbtrace_id ?? "none"})`,
      { cause: body },
    );
  return {
    eventsReceived: events_received,
    ...(fbtrace_id !== undefined && { fbtraceId: fbtrace_id }),
    messages,
  };
}
