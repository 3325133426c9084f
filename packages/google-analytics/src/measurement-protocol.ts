/**
 * Measurement Protocol requests: built from the SDK's input, split into
 * requests of 25 events, and checked against the documented limits before
 * anything is sent, because `mp/collect` answers 2xx and silently drops
 * what it does not accept.
 */
import { ConfigError, ProviderError } from "@patchbay/core";
import {
  MP_LIMITS,
  MP_RESERVED_EVENT_NAMES,
  MP_RESERVED_PARAM_NAMES,
  MP_RESERVED_PREFIXES,
  MP_RESERVED_USER_PROPERTY_NAMES,
} from "./endpoints.js";
import {
  type MpPayload,
  type SendMpEventsInput,
  type ValidationMessage,
  ValidationResponseSchema,
} from "./schemas.js";

const NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Parameters GA allows to be longer than 100 characters. */
const LONG_PARAMS: Record<string, number> = {
  page_location: 1000,
  page_referrer: 420,
  page_title: 300,
};

const reservedPrefix = (name: string) => MP_RESERVED_PREFIXES.some((p) => name.startsWith(p));

/**
 * Check one request body against the Measurement Protocol's documented
 * limits and naming rules, answering like the validation server
 * (`fieldPath`, `description`, `validationCode`); `[]` when it is valid.
 *
 * @example
 * ```ts
 * validateMeasurementPayload({ client_id: "1.2", events: [{ name: "_bad" }] });
 * // [{ fieldPath: "events[0].name", validationCode: "NAME_INVALID", ... }]
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events#limitations
 */
export function validateMeasurementPayload(payload: MpPayload, now?: number): ValidationMessage[] {
  const out: ValidationMessage[] = [];
  const add = (
    fieldPath: string,
    validationCode: ValidationMessage["validationCode"],
    description: string,
  ) => out.push({ fieldPath, validationCode, description });
  if (typeof payload.client_id !== "string" || payload.client_id === "")
    add("client_id", "VALUE_REQUIRED", "client_id is required.");
  if (payload.events.length > MP_LIMITS.eventsPerRequest)
    add(
      "events",
      "EXCEEDED_MAX_ENTITIES",
      `A request can have at most ${MP_LIMITS.eventsPerRequest} events; it has ${payload.events.length}.`,
    );
  if (payload.timestamp_micros !== undefined && now !== undefined) {
    const ms = payload.timestamp_micros / 1000;
    if (now - ms > MP_LIMITS.backdateMs)
      add(
        "timestamp_micros",
        "VALUE_OUT_OF_BOUNDS",
        "Events can be backdated by at most 72 hours.",
      );
    if (ms - now > 60_000)
      add("timestamp_micros", "VALUE_INVALID", "timestamp_micros is in the future.");
  }
  payload.events.forEach((event, i) => {
    const at = `events[${i}]`;
    const name = event.name;
    if (typeof name !== "string" || name === "")
      add(`${at}.name`, "VALUE_REQUIRED", `Event at index: [${i}] has no name.`);
    else if (name.length > MP_LIMITS.eventNameLength)
      add(
        `${at}.name`,
        "VALUE_OUT_OF_BOUNDS",
        `Event at index: [${i}] has a name longer than ${MP_LIMITS.eventNameLength} characters.`,
      );
    else if (reservedPrefix(name) || MP_RESERVED_EVENT_NAMES.has(name))
      add(
        `${at}.name`,
        "NAME_RESERVED",
        `Event at index: [${i}] has name [${name}] which is reserved.`,
      );
    else if (!NAME.test(name))
      add(
        `${at}.name`,
        "NAME_INVALID",
        `Event at index: [${i}] has invalid name [${name}]. Names must start with an alphabetic character and contain only letters, digits and underscores.`,
      );
    const params = Object.entries(event.params ?? {});
    if (params.length > MP_LIMITS.paramsPerEvent)
      add(
        `${at}.params`,
        "EXCEEDED_MAX_ENTITIES",
        `Event at index: [${i}] has ${params.length} parameters; at most ${MP_LIMITS.paramsPerEvent}.`,
      );
    for (const [key, value] of params) {
      const p = `${at}.params.${key}`;
      if (key.length > MP_LIMITS.paramNameLength)
        add(
          p,
          "VALUE_OUT_OF_BOUNDS",
          `Parameter name [${key.slice(0, 40)}…] is longer than ${MP_LIMITS.paramNameLength} characters.`,
        );
      else if (reservedPrefix(key) || MP_RESERVED_PARAM_NAMES.has(key))
        add(p, "NAME_RESERVED", `Parameter name [${key}] is reserved.`);
      else if (!NAME.test(key)) add(p, "NAME_INVALID", `Parameter name [${key}] is invalid.`);
      if (key === "items" && Array.isArray(value)) {
        value.forEach((item, j) => {
          const custom = Object.keys(item).filter(
            (k) => !k.startsWith("item_") && !STANDARD_ITEM_KEYS.has(k),
          );
          if (custom.length > MP_LIMITS.itemCustomParams)
            add(
              `${p}[${j}]`,
              "EXCEEDED_MAX_ENTITIES",
              `Item at index [${j}] has ${custom.length} custom parameters; at most ${MP_LIMITS.itemCustomParams}.`,
            );
          for (const [k, v] of Object.entries(item))
            if (typeof v === "string" && v.length > MP_LIMITS.paramValueLength)
              add(
                `${p}[${j}].${k}`,
                "VALUE_OUT_OF_BOUNDS",
                `Item parameter [${k}] is longer than ${MP_LIMITS.paramValueLength} characters.`,
              );
        });
      } else if (typeof value === "string") {
        const max = LONG_PARAMS[key] ?? MP_LIMITS.paramValueLength;
        if (value.length > max)
          add(
            p,
            "VALUE_OUT_OF_BOUNDS",
            `Parameter [${key}] has a value longer than ${max} characters.`,
          );
      }
    }
  });
  const props = Object.entries(payload.user_properties ?? {});
  if (props.length > MP_LIMITS.userProperties)
    add(
      "user_properties",
      "EXCEEDED_MAX_ENTITIES",
      `At most ${MP_LIMITS.userProperties} user properties; got ${props.length}.`,
    );
  for (const [key, { value }] of props) {
    const p = `user_properties.${key}`;
    if (key.length > MP_LIMITS.userPropertyNameLength)
      add(
        p,
        "VALUE_OUT_OF_BOUNDS",
        `User property name [${key}] is longer than ${MP_LIMITS.userPropertyNameLength} characters.`,
      );
    else if (reservedPrefix(key) || MP_RESERVED_USER_PROPERTY_NAMES.has(key))
      add(p, "NAME_RESERVED", `User property name [${key}] is reserved.`);
    else if (!NAME.test(key)) add(p, "NAME_INVALID", `User property name [${key}] is invalid.`);
    if (typeof value === "string" && value.length > MP_LIMITS.userPropertyValueLength)
      add(
        p,
        "VALUE_OUT_OF_BOUNDS",
        `User property [${key}] has a value longer than ${MP_LIMITS.userPropertyValueLength} characters.`,
      );
  }
  if (Buffer.byteLength(JSON.stringify(payload), "utf8") >= MP_LIMITS.bodyBytes)
    add("", "VALUE_OUT_OF_BOUNDS", "The request body must be smaller than 130 kB.");
  return out;
}

const STANDARD_ITEM_KEYS = new Set([
  "affiliation",
  "coupon",
  "discount",
  "index",
  "location_id",
  "price",
  "quantity",
  "promotion_id",
  "promotion_name",
  "creative_name",
  "creative_slot",
]);

/**
 * Turn one user's events into Measurement Protocol bodies of at most 25
 * events each, and check every body (limits, names, reserved names, 72-hour
 * backdating). Any problem throws one `ConfigError` listing every message
 * with its path and GA validation code, before anything is sent.
 *
 * @example
 * ```ts
 * const bodies = buildMeasurementPayloads({ clientId: "123.456", events: [{ name: "generate_lead", params: { value: 50, currency: "USD" } }] }, Date.now());
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export function buildMeasurementPayloads(input: SendMpEventsInput, now: number): MpPayload[] {
  const timestampMs =
    input.eventTime === undefined
      ? undefined
      : typeof input.eventTime === "number"
        ? input.eventTime
        : Date.parse(input.eventTime);
  const base: Omit<MpPayload, "events"> = {
    client_id: input.clientId,
    ...(input.userId !== undefined && { user_id: input.userId }),
    ...(timestampMs !== undefined && { timestamp_micros: timestampMs * 1000 }),
    ...(input.userProperties !== undefined && {
      user_properties: Object.fromEntries(
        Object.entries(input.userProperties).map(([k, value]) => [k, { value }]),
      ),
    }),
    ...(input.nonPersonalizedAds !== undefined && {
      non_personalized_ads: input.nonPersonalizedAds,
    }),
  };
  const payloads: MpPayload[] = [];
  const problems: string[] = [];
  for (let i = 0; i < input.events.length; i += MP_LIMITS.eventsPerRequest) {
    const events = input.events.slice(i, i + MP_LIMITS.eventsPerRequest).map((e) => ({
      name: e.name,
      ...(e.params !== undefined && { params: e.params }),
    }));
    const payload: MpPayload = { ...base, events };
    for (const m of validateMeasurementPayload(payload, now)) {
      // Report event paths against the caller's array, not the chunk's.
      const path = m.fieldPath.replace(
        /^events\[(\d+)\]/,
        (_, n: string) => `events[${Number(n) + i}]`,
      );
      const line = `"${path || "body"}" ${m.validationCode}: ${m.description}`;
      if (!problems.includes(line)) problems.push(line);
    }
    payloads.push(payload);
  }
  if (problems.length > 0)
    throw new ConfigError(
      `Google Analytics would silently drop these events (the Measurement Protocol answers 2xx regardless), so nothing was sent: ${problems.slice(0, 10).join("; ")}`,
    );
  return payloads;
}

/**
 * Read the validation server's answer; `[]` means Google found nothing wrong.
 *
 * @example
 * ```ts
 * parseValidationResponse({ validationMessages: [] }); // []
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events#validation_response
 */
export function parseValidationResponse(body: unknown): ValidationMessage[] {
  const parsed = ValidationResponseSchema.safeParse(body ?? {});
  if (!parsed.success)
    throw new ProviderError(
      "The Measurement Protocol validation server answered an unexpected body",
      {
        cause: body,
      },
    );
  return parsed.data.validationMessages;
}

/**
 * What the Measurement Protocol `sendEvents` action returns. Google answers
 * 2xx whatever it does with the events, so `eventsSent` counts events the
 * connector sent after its checks, not events Google recorded.
 *
 * @example
 * ```ts
 * const result: SendMpEventsResult = { eventsSent: 3, requests: 1, validatedWithGoogle: false };
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export interface SendMpEventsResult {
  eventsSent: number;
  requests: number;
  validatedWithGoogle: boolean;
}
