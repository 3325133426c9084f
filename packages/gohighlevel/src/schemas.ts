/**
 * Zod schemas: the connector's config, the synced records (HighLevel's own
 * field names), the inputs of the write actions, and webhook payloads. Wire
 * types come from HighLevel's OpenAPI documents (`./generated/gohighlevel.ts`).
 */
import { z } from "zod";
import type { components } from "./generated/gohighlevel.js";

type Schemas = components["schemas"];

/**
 * A contact as `GET /contacts/{contactId}` and `POST /contacts/upsert` return it.
 *
 * @example
 * ```ts
 * const contact: GhlWireContact = { id: "ocQHyuzHvysMo5N5VsXc", locationId: "ve9EPM428h8vShlRW1KT", email: "rosa@example.com" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export type GhlWireContact = Schemas["GetContectByIdSchema"];

/**
 * A contact as `POST /contacts/search` returns it: the contact plus its sort
 * values, `searchAfter`, the cursor of the next page.
 *
 * @example
 * ```ts
 * const hit: GhlSearchContact = { id: "ocQHyuzHvysMo5N5VsXc", searchAfter: [1700000000000, "ocQHyuzHvysMo5N5VsXc"] };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced
 */
export type GhlSearchContact = Schemas["SearchContactSchema"];

/**
 * The body of `POST /contacts/search`.
 *
 * @example
 * ```ts
 * const body: GhlSearchBody = { locationId, pageLimit: 100, sort: [{ field: "dateUpdated", direction: "asc" }] };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced
 */
export type GhlSearchBody = Schemas["SearchBodyV2DTO"];

/**
 * A calendar event as `GET /calendars/events` returns it.
 *
 * @example
 * ```ts
 * const event: Pick<GhlWireCalendarEvent, "id" | "title"> = { id: "ev1", title: "Boiler service" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export type GhlWireCalendarEvent = Schemas["CalendarEventDTO"];

/**
 * A calendar as `GET /calendars/` returns it.
 *
 * @example
 * ```ts
 * const calendar: Pick<GhlWireCalendar, "id" | "name"> = { id: "cal1", name: "Service visits" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export type GhlWireCalendar = Schemas["CalendarDTO"] & { id?: string };

/**
 * HighLevel's error body: `{statusCode, message, error?}`; a 422 `message` is
 * an array of strings.
 *
 * @example
 * ```ts
 * const body: GhlErrorBody = { statusCode: 422, message: ["email must be an email"], error: "Unprocessable Entity" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export interface GhlErrorBody {
  statusCode?: number;
  message?: string | string[];
  error?: string;
}

const ID = z.string().trim().min(1);

/**
 * Per-connection settings: for agency connections the sub-account to work
 * in, which calendars' appointments sync, and the window of appointment
 * start times (HighLevel lists events by time range).
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { calendarIds: ["cal1"], appointmentsPastDays: 7 });
 * await patchbay.connections.configure(tenantId, agencyConnectionId, { locationId: "ve9EPM428h8vShlRW1KT" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export const GhlConfigSchema = z.object({
  locationId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{10,40}$/, "must be a sub-account's location id (pick with listLocations)")
    .optional()
    .describe(
      "Agency connections: the sub-account (location id) to sync, one the app is installed on (pick with listLocations). Sub-account connections leave it empty",
    ),
  calendarIds: z
    .array(ID)
    .optional()
    .describe("Calendars whose appointments sync (pick with listCalendars); all when omitted"),
  appointmentsPastDays: z
    .number()
    .int()
    .min(0)
    .max(365)
    .default(30)
    .describe("Sync appointments that started up to this many days ago"),
  appointmentsFutureDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(180)
    .describe("Sync appointments starting up to this many days ahead"),
});

/**
 * The connection's config, defaults applied.
 *
 * @example
 * ```ts
 * const config: GhlConfig = GhlConfigSchema.parse({});
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export type GhlConfig = z.infer<typeof GhlConfigSchema>;

const customField = z.looseObject({ id: z.string(), value: z.unknown().optional() });

/**
 * A synced contact: HighLevel's fields as the API returns them (unknown
 * fields kept), without the search cursor.
 *
 * @example
 * ```ts
 * GhlContactSchema.parse({ id: "c1", locationId: "loc1", email: "rosa@example.com", dateUpdated: "2025-01-01T00:00:00.000Z" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export const GhlContactSchema = z.looseObject({
  id: ID,
  locationId: z.string(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  companyName: z.string().nullish(),
  address1: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postalCode: z.string().nullish(),
  country: z.string().nullish(),
  timezone: z.string().nullish(),
  website: z.string().nullish(),
  source: z.string().nullish(),
  assignedTo: z.string().nullish(),
  dnd: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  customFields: z.array(customField).optional(),
  dateAdded: z.string().optional(),
  dateUpdated: z.string().optional(),
});

/**
 * A synced contact.
 *
 * @example
 * ```ts
 * const contact: GhlContact = { id: "c1", locationId: "loc1", email: "rosa@example.com" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export type GhlContact = z.infer<typeof GhlContactSchema>;

/**
 * The statuses an appointment can be booked or edited with.
 *
 * @example
 * ```ts
 * GHL_APPOINTMENT_STATUSES.includes("noshow"); // true
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export const GHL_APPOINTMENT_STATUSES = [
  "new",
  "confirmed",
  "cancelled",
  "showed",
  "noshow",
  "invalid",
] as const satisfies readonly NonNullable<
  Schemas["AppointmentCreateSchema"]["appointmentStatus"]
>[];

/**
 * A synced appointment: the fields `GET /calendars/events` and the
 * `Appointment*` webhooks share, with HighLevel's names.
 *
 * @example
 * ```ts
 * GhlAppointmentSchema.parse({ id: "ev1", calendarId: "cal1", locationId: "loc1", contactId: "c1", startTime: "2025-03-01T09:00:00-05:00" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export const GhlAppointmentSchema = z.object({
  id: ID,
  calendarId: z.string(),
  locationId: z.string(),
  contactId: z.string().nullable(),
  title: z.string().nullable(),
  appointmentStatus: z.string().nullable(),
  assignedUserId: z.string().nullable(),
  address: z.string().nullable(),
  notes: z.string().nullable(),
  startTime: z.string(),
  endTime: z.string().nullable(),
  dateAdded: z.string().nullable(),
  dateUpdated: z.string().nullable(),
});

/**
 * A synced appointment.
 *
 * @example
 * ```ts
 * const appointment: Pick<GhlAppointment, "id" | "appointmentStatus"> = { id: "ev1", appointmentStatus: "confirmed" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export type GhlAppointment = z.infer<typeof GhlAppointmentSchema>;

const optionalText = z.string().trim().min(1).optional();

/**
 * The contact fields the connector writes, with HighLevel's names (updates
 * take any of them).
 *
 * @example
 * ```ts
 * UpsertContactFields.parse({ tags: ["boiler", "annual-service"] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/update-contact
 */
export const UpsertContactFields = z.object({
  firstName: optionalText,
  lastName: optionalText,
  name: optionalText,
  email: z.email("must be an email address").optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{7,20}$/, "must be a phone number, e.g. +1 555 0100")
    .optional(),
  companyName: optionalText,
  address1: optionalText,
  city: optionalText,
  state: optionalText,
  postalCode: optionalText,
  country: z.string().trim().length(2, "must be a 2-letter country code").optional(),
  timezone: optionalText,
  website: optionalText,
  source: optionalText,
  assignedTo: optionalText,
  dnd: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1)).optional(),
  customFields: z
    .array(z.object({ id: ID, field_value: z.string() }))
    .optional()
    .describe("Custom field values by custom field id"),
});

/**
 * The input of the `upsertContact` action and the data of a contact the host
 * creates: HighLevel's field names; an email or a phone is required (the
 * upsert matches on them).
 *
 * @example
 * ```ts
 * UpsertContactInput.parse({ firstName: "Rosa", email: "rosa@example.com", tags: ["boiler"] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/upsert-contact
 */
export const UpsertContactInput = UpsertContactFields.refine(
  (c) => c.email !== undefined || c.phone !== undefined,
  {
    message: "a contact needs an email or a phone: HighLevel upserts on them",
    path: ["email"],
  },
);

/**
 * What {@link UpsertContactInput} accepts.
 *
 * @example
 * ```ts
 * const input: UpsertContact = { email: "rosa@example.com" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/upsert-contact
 */
export type UpsertContact = z.infer<typeof UpsertContactInput>;

const offsetDateTime = z.iso.datetime({
  offset: true,
  message: "must be an ISO 8601 date-time with an offset, e.g. 2025-03-01T09:00:00-05:00",
});

/**
 * The appointment fields the connector writes, with HighLevel's names.
 *
 * @example
 * ```ts
 * BookAppointmentFields.partial().parse({ appointmentStatus: "showed" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/edit-appointment
 */
export const BookAppointmentFields = z.object({
  calendarId: ID,
  contactId: ID,
  startTime: offsetDateTime,
  endTime: offsetDateTime.optional(),
  title: optionalText,
  appointmentStatus: z.enum(GHL_APPOINTMENT_STATUSES).optional(),
  assignedUserId: optionalText,
  address: optionalText,
  description: optionalText,
  meetingLocationType: z
    .enum(["custom", "zoom", "gmeet", "phone", "address", "ms_teams", "google"])
    .optional(),
  ignoreFreeSlotValidation: z
    .boolean()
    .optional()
    .describe("Book even when the slot is not free in the calendar"),
  toNotify: z.boolean().optional().describe("false: HighLevel runs no automations"),
});

/**
 * The input of the `bookAppointment` action and the data of an appointment
 * the host creates. `locationId` comes from the connection.
 *
 * @example
 * ```ts
 * BookAppointmentInput.parse({ calendarId: "cal1", contactId: "c1", startTime: "2025-03-01T09:00:00-05:00", endTime: "2025-03-01T10:00:00-05:00", title: "Boiler service" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export const BookAppointmentInput = BookAppointmentFields.refine(
  (a) => a.endTime === undefined || Date.parse(a.endTime) > Date.parse(a.startTime),
  {
    message: "must be after startTime",
    path: ["endTime"],
  },
);

/**
 * What {@link BookAppointmentInput} accepts.
 *
 * @example
 * ```ts
 * const input: BookAppointment = { calendarId: "cal1", contactId: "c1", startTime: "2025-03-01T09:00:00-05:00" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export type BookAppointment = z.infer<typeof BookAppointmentInput>;

/**
 * The fields every webhook delivery carries: the event `type`, the location
 * it happened in, when it was signed and a unique id.
 *
 * @example
 * ```ts
 * GhlWebhookEnvelopeSchema.parse({ type: "ContactDelete", locationId: "loc1", id: "c1", timestamp: "2025-01-28T14:35:00Z", webhookId: "wh1" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GhlWebhookEnvelopeSchema = z.looseObject({
  type: z.string(),
  locationId: z.string().optional(),
  companyId: z.string().optional(),
  id: z.string().optional(),
  timestamp: z.string().optional(),
  webhookId: z.string().optional(),
  appointment: z.looseObject({ id: z.string() }).optional(),
});

/**
 * A parsed webhook envelope.
 *
 * @example
 * ```ts
 * const event: GhlWebhookEnvelope = { type: "ContactUpdate", locationId: "loc1", id: "c1" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export type GhlWebhookEnvelope = z.infer<typeof GhlWebhookEnvelopeSchema>;
