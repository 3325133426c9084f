/**
 * HighLevel webhooks: one URL per Marketplace app (set in the app's
 * settings), deliveries signed by HighLevel's own key. `X-GHL-Signature` is
 * an Ed25519 signature of the raw body; the legacy `X-WH-Signature` is an
 * RSA-SHA256 signature, which HighLevel stops sending on 2026-07-01.
 */
import { createPublicKey, createVerify, type KeyObject, verify } from "node:crypto";
import type { WebhookAction, WebhookDelivery, WebhookSpec } from "@patchbay/core";
import { toAppointmentRecord } from "./appointments.js";
import { configuredLocation, isAgencyConnection } from "./location.js";
import { GhlConfigSchema, type GhlWebhookEnvelope, GhlWebhookEnvelopeSchema } from "./schemas.js";

/**
 * HighLevel's Ed25519 public key for `X-GHL-Signature` (the same for every
 * Marketplace app), as published in the Webhook Integration Guide.
 *
 * @example
 * ```ts
 * createPublicKey(GHL_WEBHOOK_PUBLIC_KEY).asymmetricKeyType; // "ed25519"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GHL_WEBHOOK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----
`;

/**
 * HighLevel's RSA public key for the legacy `X-WH-Signature` (RSA-SHA256,
 * PKCS#1 v1.5), as published in docs/oauth/WebhookAuthentication.md.
 *
 * @example
 * ```ts
 * createPublicKey(GHL_LEGACY_WEBHOOK_PUBLIC_KEY).asymmetricKeyType; // "rsa"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GHL_LEGACY_WEBHOOK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
`;

/**
 * The signature headers: the Ed25519 one, and the legacy RSA one.
 *
 * @example
 * ```ts
 * request.headers.get(GHL_SIGNATURE_HEADERS.ed25519);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GHL_SIGNATURE_HEADERS = {
  ed25519: "x-ghl-signature",
  legacyRsa: "x-wh-signature",
} as const;

/**
 * How far a delivery's `timestamp` may be from now: 5 minutes, as HighLevel advises.
 *
 * @example
 * ```ts
 * goHighLevel(options).webhooks?.replay?.toleranceSeconds === GHL_WEBHOOK_TOLERANCE_SECONDS; // true
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GHL_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * The keys deliveries are checked with.
 *
 * @example
 * ```ts
 * const keys: GhlWebhookKeys = { ed25519: createPublicKey(GHL_WEBHOOK_PUBLIC_KEY), legacyRsa: undefined };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export interface GhlWebhookKeys {
  ed25519: KeyObject;
  /** `undefined`: the legacy header is not accepted. */
  legacyRsa: KeyObject | undefined;
}

/**
 * Load a public key given as a PEM string or a `KeyObject`, checking its type.
 *
 * @throws TypeError naming `name` when it is not a public key of that type.
 * @example
 * ```ts
 * const key = publicKeyOption(GHL_WEBHOOK_PUBLIC_KEY, "ed25519", "webhookPublicKey");
 * ```
 * @see https://nodejs.org/api/crypto.html#cryptocreatepublickeykey
 */
export function publicKeyOption(
  value: string | KeyObject,
  type: "ed25519" | "rsa",
  name: string,
): KeyObject {
  let key: KeyObject | undefined;
  try {
    key =
      typeof value === "string"
        ? createPublicKey(value)
        : value.type === "public"
          ? value
          : createPublicKey(value);
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyType !== type) {
    throw new TypeError(
      `"${name}" must be ${type === "ed25519" ? "an Ed25519" : "an RSA"} public key (PEM or KeyObject)`,
    );
  }
  return key;
}

/**
 * Check a delivery's signature: `X-GHL-Signature` (Ed25519) when present —
 * then only it counts — else the legacy `X-WH-Signature` (RSA-SHA256) when a
 * legacy key is given. Both are base64 signatures of the raw body bytes.
 *
 * @example
 * ```ts
 * verifyGhlSignature(rawBody, request.headers, { ed25519: key, legacyRsa: undefined }); // true or false
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export function verifyGhlSignature(
  rawBody: Uint8Array,
  headers: Headers,
  keys: GhlWebhookKeys,
): boolean {
  const signature = headers.get(GHL_SIGNATURE_HEADERS.ed25519);
  try {
    if (signature !== null) {
      return verify(null, rawBody, keys.ed25519, Buffer.from(signature.trim(), "base64"));
    }
    const legacy = headers.get(GHL_SIGNATURE_HEADERS.legacyRsa);
    if (legacy === null || keys.legacyRsa === undefined) return false;
    return createVerify("RSA-SHA256")
      .update(rawBody)
      .verify(keys.legacyRsa, Buffer.from(legacy.trim(), "base64"));
  } catch {
    return false;
  }
}

function envelope(delivery: WebhookDelivery): GhlWebhookEnvelope | undefined {
  const parsed = GhlWebhookEnvelopeSchema.safeParse(delivery.payload);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The signed time of a delivery (its body's `timestamp`, ISO 8601 or epoch
 * milliseconds) in epoch seconds; `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * deliveryTimestamp({ timestamp: "2025-01-28T14:35:00Z" }); // 1738074900
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export function deliveryTimestamp(payload: unknown): number | undefined {
  if (payload === null || typeof payload !== "object") return undefined;
  const value = (payload as Record<string, unknown>).timestamp;
  const ms =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? /^\d+$/.test(value)
          ? Number(value)
          : Date.parse(value)
        : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

const CONTACT_CHANGES = new Set([
  "ContactCreate",
  "ContactUpdate",
  "ContactTagUpdate",
  "ContactDndUpdate",
]);

/**
 * What a delivery does for a connection: contact changes run an incremental
 * contacts sync (the payload lacks some fields the API returns), a contact
 * delete removes the record, appointment events apply the appointment the
 * payload carries (or remove it). Other events do nothing.
 *
 * @example
 * ```ts
 * webhookActions({ type: "ContactDelete", id: "c1", locationId: "loc1" }, {}); // [{ kind: "apply", model: "contacts", deleted: ["c1"] }]
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/ContactCreate
 */
export function webhookActions(
  event: GhlWebhookEnvelope,
  config: Record<string, unknown>,
): WebhookAction[] {
  if (CONTACT_CHANGES.has(event.type)) return [{ kind: "sync", model: "contacts" }];
  if (event.type === "ContactDelete") {
    return event.id === undefined
      ? []
      : [{ kind: "apply", model: "contacts", deleted: [event.id] }];
  }
  const appointment = event.appointment;
  if (!event.type.startsWith("Appointment") || appointment === undefined) return [];
  const calendars = GhlConfigSchema.safeParse(config).data?.calendarIds;
  const calendarId = typeof appointment.calendarId === "string" ? appointment.calendarId : "";
  if (calendars !== undefined && !calendars.includes(calendarId)) return [];
  if (event.type === "AppointmentDelete") {
    return [{ kind: "apply", model: "appointments", deleted: [appointment.id] }];
  }
  const record = toAppointmentRecord(appointment, event.locationId ?? "");
  return [{ kind: "apply", model: "appointments", records: [record] }];
}

/**
 * The connector's webhook declaration: app-level signature check, 5-minute
 * replay window on the body's `timestamp`, `webhookId` dedupe, routing by
 * `locationId` to the connections of that location.
 *
 * @example
 * ```ts
 * defineConnector({ ...definition, webhooks: ghlWebhooks({ ed25519, legacyRsa }) });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export function ghlWebhooks(keys: GhlWebhookKeys): WebhookSpec {
  return {
    secret: "app",
    verify: (delivery) => verifyGhlSignature(delivery.rawBody, delivery.headers, keys),
    replay: {
      timestamp: (delivery) => deliveryTimestamp(delivery.payload),
      toleranceSeconds: GHL_WEBHOOK_TOLERANCE_SECONDS,
    },
    deliveryId: (delivery) => {
      const id = envelope(delivery)?.webhookId;
      return id === undefined || id === "" ? undefined : `ghl:${id}`;
    },
    route: (delivery) => {
      const locationId = envelope(delivery)?.locationId;
      return locationId === undefined || locationId === "" ? undefined : { locationId };
    },
    actions: (delivery, connection) => {
      const event = envelope(delivery);
      if (event === undefined) return [];
      // An agency connection follows its configured sub-account: a delivery
      // routed by a stale metadata mirror (see the connector's lifecycle) is dropped.
      if (
        isAgencyConnection(connection.metadata) &&
        configuredLocation(connection.config) !== event.locationId
      ) {
        return [];
      }
      return webhookActions(event, connection.config);
    },
  };
}
