/**
 * Appointments: calendars listed for configuration, appointments synced over
 * a window of start times, booked, edited and deleted.
 */
import {
  type ConnectorContext,
  type Json,
  NotFoundError,
  type SyncContext,
  type SyncPage,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { dataOf, type GhlApiClient, ghlApiClient } from "./api-client.js";
import {
  APPOINTMENT_PATH,
  APPOINTMENTS_PATH,
  CALENDAR_EVENTS_PATH,
  CALENDARS_PATH,
  EVENT_PATH,
  GHL_API_VERSION,
} from "./endpoints.js";
import { locationOf } from "./location.js";
import {
  type BookAppointment,
  BookAppointmentFields,
  BookAppointmentInput,
  type GhlAppointment,
  type GhlConfig,
  GhlConfigSchema,
  type GhlWireCalendarEvent,
} from "./schemas.js";
import { describeIssues, failedWrite } from "./write-outcome.js";

const HEADERS = { Version: GHL_API_VERSION.calendars } as const;
const DAY_MS = 24 * 60 * 60_000;

/**
 * A calendar to pick for the config.
 *
 * @example
 * ```ts
 * const calendar: GhlCalendarSummary = { id: "cal1", name: "Service visits", calendarType: "event", isActive: true };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export interface GhlCalendarSummary {
  id: string;
  name: string;
  calendarType: string | null;
  isActive: boolean;
}

/**
 * `GET /calendars/?locationId=`: the location's calendars.
 *
 * @example
 * ```ts
 * const calendars = await listCalendars(ghlApiClient(ctx.http), locationId);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export async function listCalendars(
  client: GhlApiClient,
  locationId: string,
  signal?: AbortSignal,
): Promise<GhlCalendarSummary[]> {
  const result = await client.GET(CALENDARS_PATH, {
    params: { header: HEADERS, query: { locationId } },
    ...(signal !== undefined && { signal }),
  });
  const calendars = dataOf(result, `GET ${CALENDARS_PATH}`).calendars ?? [];
  return calendars.flatMap((c) => {
    const id = (c as { id?: unknown }).id;
    if (typeof id !== "string") return [];
    return [
      {
        id,
        name: c.name ?? id,
        calendarType: c.calendarType ?? null,
        isActive: c.isActive !== false,
      },
    ];
  });
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * An appointment as the model stores it, from `GET /calendars/events` or an
 * `Appointment*` webhook (the fields both carry).
 *
 * @example
 * ```ts
 * toAppointmentRecord({ id: "ev1", calendarId: "cal1", startTime: "2025-03-01T09:00:00-05:00" }, "loc1");
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export function toAppointmentRecord(
  event: Partial<Record<keyof GhlWireCalendarEvent, unknown>> & { id: string },
  locationId: string,
): GhlAppointment {
  return {
    id: event.id,
    calendarId: text(event.calendarId) ?? "",
    locationId: text(event.locationId) ?? locationId,
    contactId: text(event.contactId),
    title: text(event.title),
    appointmentStatus: text(event.appointmentStatus),
    assignedUserId: text(event.assignedUserId),
    address: text(event.address),
    notes: text(event.notes),
    startTime: text(event.startTime) ?? "",
    endTime: text(event.endTime),
    dateAdded: text(event.dateAdded),
    dateUpdated: text(event.dateUpdated),
  };
}

interface AppointmentsPosition {
  calendarIds: string[];
  next: number;
  startTime: number;
  endTime: number;
}

function readPosition(value: Json | null): AppointmentsPosition | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { calendarIds, next, startTime, endTime } = value;
  if (
    !Array.isArray(calendarIds) ||
    typeof next !== "number" ||
    typeof startTime !== "number" ||
    typeof endTime !== "number"
  ) {
    return undefined;
  }
  return { calendarIds: calendarIds.map(String), next, startTime, endTime };
}

/**
 * The `appointments` model's sync: for each configured calendar (all of the
 * location's when none are), `GET /calendars/events` over the configured
 * window of start times, one page per calendar. HighLevel does not page this
 * endpoint and has no change filter, so every run is a full run; webhooks
 * carry changes in between.
 *
 * @example
 * ```ts
 * for await (const page of syncAppointments(ctx)) console.log(page.records.length);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export async function* syncAppointments(
  ctx: SyncContext<GhlConfig>,
): AsyncGenerator<SyncPage<GhlAppointment>> {
  const client = ghlApiClient(ctx.http);
  const locationId = locationOf(ctx.metadata, ctx.config);
  const config = GhlConfigSchema.parse(ctx.config ?? {});
  let position = readPosition(ctx.checkpoint);
  if (position === undefined) {
    const now = Date.now();
    const calendarIds =
      config.calendarIds ??
      (await listCalendars(client, locationId, ctx.signal)).map((calendar) => calendar.id);
    position = {
      calendarIds,
      next: 0,
      startTime: now - config.appointmentsPastDays * DAY_MS,
      endTime: now + config.appointmentsFutureDays * DAY_MS,
    };
  }
  if (position.next >= position.calendarIds.length) {
    yield { records: [] };
    return;
  }
  for (let i = position.next; i < position.calendarIds.length; i++) {
    const result = await client.GET(CALENDAR_EVENTS_PATH, {
      params: {
        header: HEADERS,
        query: {
          locationId,
          calendarId: position.calendarIds[i]!,
          startTime: String(position.startTime),
          endTime: String(position.endTime),
        },
      },
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    const events = dataOf(result, `GET ${CALENDAR_EVENTS_PATH}`).events ?? [];
    const records = events.map((event) => toAppointmentRecord(event, locationId));
    const checkpoint = { ...position, calendarIds: [...position.calendarIds], next: i + 1 };
    yield { records, checkpoint };
  }
}

async function readAppointment(
  client: GhlApiClient,
  eventId: string,
  locationId: string,
): Promise<GhlAppointment> {
  const result = await client.GET(APPOINTMENT_PATH, {
    params: { header: HEADERS, path: { eventId } },
  });
  const event = dataOf(result, `GET ${APPOINTMENT_PATH}`).event;
  return toAppointmentRecord(
    dataOf({ data: event, response: result.response }, "appointment"),
    locationId,
  );
}

/**
 * Current versions of some appointments (missing ones omitted), for conflict checks.
 *
 * @example
 * ```ts
 * const [appointment] = await readAppointments(ctx, ["ev1"]);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-appointment
 */
export async function readAppointments(
  ctx: ConnectorContext<GhlConfig>,
  ids: string[],
): Promise<GhlAppointment[]> {
  const client = ghlApiClient(ctx.http);
  const locationId = locationOf(ctx.metadata, ctx.config);
  const out: GhlAppointment[] = [];
  for (const id of ids) {
    try {
      out.push(await readAppointment(client, id, locationId));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return out;
}

/**
 * `POST /calendars/events/appointments`: book an appointment in the
 * connection's location, then read it back as the model stores it.
 *
 * @example
 * ```ts
 * await bookAppointment(client, locationId, { calendarId: "cal1", contactId: "c1", startTime: "2025-03-01T09:00:00-05:00" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export async function bookAppointment(
  client: GhlApiClient,
  locationId: string,
  input: BookAppointment,
): Promise<GhlAppointment> {
  const result = await client.POST(APPOINTMENTS_PATH, {
    params: { header: HEADERS },
    body: { ...input, locationId },
  });
  const { id } = dataOf(result, `POST ${APPOINTMENTS_PATH}`);
  return readAppointment(client, id, locationId);
}

function writableFields(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(BookAppointmentFields.shape)) {
    const value = data[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

async function writeOne(
  client: GhlApiClient,
  locationId: string,
  change: WriteChange<GhlAppointment>,
): Promise<WriteOutcome<GhlAppointment>> {
  if (change.op === "delete") {
    try {
      await client.DELETE(EVENT_PATH, {
        params: { header: HEADERS, path: { eventId: change.externalId } },
        body: {},
      });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    return { ok: true, externalId: change.externalId };
  }
  const fields = writableFields(change.data as Record<string, unknown>);
  if (change.op === "create") {
    const parsed = BookAppointmentInput.safeParse(fields);
    if (!parsed.success) {
      return { ok: false, error: `appointment: ${describeIssues(parsed.error)}` };
    }
    const appointment = await bookAppointment(client, locationId, parsed.data);
    return { ok: true, externalId: appointment.id, data: appointment };
  }
  const parsed = BookAppointmentFields.partial().safeParse(fields);
  if (!parsed.success) return { ok: false, error: `appointment: ${describeIssues(parsed.error)}` };
  // The edit body has no contactId: an appointment keeps its contact.
  const { contactId: _contactId, ...edit } = parsed.data;
  await client.PUT(APPOINTMENT_PATH, {
    params: { header: HEADERS, path: { eventId: change.externalId } },
    body: edit,
  });
  const appointment = await readAppointment(client, change.externalId, locationId);
  return { ok: true, externalId: change.externalId, data: appointment };
}

/**
 * The `appointments` model's write-back: creates book, updates edit, deletes
 * delete the event. Invalid data fails that change with a message naming the field.
 *
 * @example
 * ```ts
 * await writeAppointments(ctx, [{ op: "create", internalId: "h1", data: { calendarId: "cal1", contactId: "c1", startTime: "2025-03-01T09:00:00-05:00" } }]);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/create-appointment
 */
export async function writeAppointments(
  ctx: ConnectorContext<GhlConfig>,
  changes: WriteChange<GhlAppointment>[],
): Promise<WriteOutcome<GhlAppointment>[]> {
  const client = ghlApiClient(ctx.http);
  const locationId = locationOf(ctx.metadata, ctx.config);
  const outcomes: WriteOutcome<GhlAppointment>[] = [];
  for (const change of changes) {
    try {
      outcomes.push(await writeOne(client, locationId, change));
    } catch (error) {
      outcomes.push(failedWrite(error));
    }
  }
  return outcomes;
}
