/**
 * The fake HighLevel's data: locations (sub-accounts) with their contacts,
 * calendars and appointments, and the change events HighLevel would send as
 * webhooks.
 */
import { randomBytes } from "node:crypto";
import type { components } from "../generated/gohighlevel.js";

type Schemas = components["schemas"];

/**
 * A contact as the fake keeps it (the API's fields, JSON-clean).
 *
 * @example
 * ```ts
 * const contact: FakeContact = fake.contacts()[0]!;
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/contacts/get-contact
 */
export type FakeContact = Schemas["GetContectByIdSchema"] & {
  id: string;
  locationId: string;
  dateAdded: string;
  dateUpdated: string;
};

/**
 * A calendar as the fake keeps it.
 *
 * @example
 * ```ts
 * const calendar: FakeCalendar | undefined = fake.state.location("Loc1").calendars.get("cal1");
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendars
 */
export interface FakeCalendar {
  id: string;
  locationId: string;
  name: string;
  calendarType: "event" | "round_robin" | "service_booking";
  /** Minutes; the default length of an appointment booked without `endTime`. */
  slotDuration: number;
  groupId: string;
  isActive: boolean;
}

/**
 * An appointment as the fake keeps it.
 *
 * @example
 * ```ts
 * const appointment: FakeAppointment = fake.appointments()[0]!;
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/calendars/get-calendar-events
 */
export type FakeAppointment = Schemas["CalendarEventDTO"];

/**
 * A sub-account with its contacts, calendars and appointments.
 *
 * @example
 * ```ts
 * const location: FakeLocation = fake.addLocation({ id: "Loc2", name: "Second branch" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export interface FakeLocation {
  id: string;
  name: string;
  companyId: string;
  /** As `GET /oauth/installedLocations` lists it. */
  address: string;
  /** Whether the Marketplace app is installed on this sub-account (agency tokens get location tokens only for these). */
  appInstalled: boolean;
  contacts: Map<string, FakeContact>;
  calendars: Map<string, FakeCalendar>;
  appointments: Map<string, FakeAppointment>;
}

/**
 * A change HighLevel would deliver to the app's webhook URL.
 *
 * @example
 * ```ts
 * state.onChange = (locationId, event: FakeChangeEvent) => console.log(event.type);
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export type FakeChangeEvent =
  | { type: "ContactCreate" | "ContactUpdate" | "ContactDelete"; contact: FakeContact }
  | {
      type: "AppointmentCreate" | "AppointmentUpdate" | "AppointmentDelete";
      appointment: FakeAppointment;
    };

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The fake's data and its clock.
 *
 * @example
 * ```ts
 * const state = new GhlFakeState(Date.now);
 * state.addLocation({ id: "Loc1", name: "Summit Heating", companyId: "Co1" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export class GhlFakeState {
  readonly locations = new Map<string, FakeLocation>();
  /** Called for every change (webhooks). */
  onChange: ((locationId: string, event: FakeChangeEvent) => void) | undefined;
  #now: () => number;
  #last = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The current time as HighLevel stamps it, strictly increasing so `dateUpdated` orders changes. */
  stamp(): string {
    this.#last = Math.max(this.#now(), this.#last + 1);
    return new Date(this.#last).toISOString();
  }

  /** A new 20-character id, like HighLevel's. */
  newId(): string {
    const bytes = randomBytes(20);
    let id = "";
    for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    return id;
  }

  addLocation(spec: {
    id: string;
    name: string;
    companyId: string;
    address?: string;
    appInstalled?: boolean;
  }): FakeLocation {
    const location: FakeLocation = {
      address: "",
      appInstalled: true,
      ...spec,
      contacts: new Map(),
      calendars: new Map(),
      appointments: new Map(),
    };
    this.locations.set(spec.id, location);
    return location;
  }

  location(id: string): FakeLocation {
    const location = this.locations.get(id);
    if (location === undefined) throw new Error(`fake HighLevel: no location ${id}`);
    return location;
  }

  /** Find a contact anywhere. */
  findContact(id: string): { location: FakeLocation; contact: FakeContact } | undefined {
    for (const location of this.locations.values()) {
      const contact = location.contacts.get(id);
      if (contact !== undefined) return { location, contact };
    }
    return undefined;
  }

  /** Find an appointment anywhere. */
  findAppointment(
    id: string,
  ): { location: FakeLocation; appointment: FakeAppointment } | undefined {
    for (const location of this.locations.values()) {
      const appointment = location.appointments.get(id);
      if (appointment !== undefined) return { location, appointment };
    }
    return undefined;
  }

  createContact(location: FakeLocation, fields: Partial<FakeContact>): FakeContact {
    const at = this.stamp();
    const contact = clean({
      ...fields,
      id: fields.id ?? this.newId(),
      locationId: location.id,
      dateAdded: at,
      dateUpdated: at,
    }) as FakeContact;
    withDerivedNames(contact);
    location.contacts.set(contact.id, contact);
    this.onChange?.(location.id, { type: "ContactCreate", contact: { ...contact } });
    return contact;
  }

  updateContact(location: FakeLocation, id: string, fields: Partial<FakeContact>): FakeContact {
    const current = location.contacts.get(id);
    if (current === undefined) throw new Error(`fake HighLevel: no contact ${id}`);
    const next = clean({
      ...current,
      ...fields,
      id,
      locationId: location.id,
      dateAdded: current.dateAdded,
      dateUpdated: this.stamp(),
    }) as FakeContact;
    withDerivedNames(next);
    location.contacts.set(id, next);
    this.onChange?.(location.id, { type: "ContactUpdate", contact: { ...next } });
    return next;
  }

  deleteContact(location: FakeLocation, id: string): void {
    const contact = location.contacts.get(id);
    if (contact === undefined) throw new Error(`fake HighLevel: no contact ${id}`);
    location.contacts.delete(id);
    this.onChange?.(location.id, { type: "ContactDelete", contact });
  }

  addCalendar(location: FakeLocation, spec: Omit<FakeCalendar, "locationId">): FakeCalendar {
    const calendar = { ...spec, locationId: location.id };
    location.calendars.set(calendar.id, calendar);
    return calendar;
  }

  createAppointment(
    location: FakeLocation,
    spec: Pick<FakeAppointment, "calendarId" | "contactId" | "startTime" | "endTime"> &
      Partial<FakeAppointment>,
  ): FakeAppointment {
    const calendar = location.calendars.get(spec.calendarId);
    const at = this.stamp();
    const appointment: FakeAppointment = {
      address: "",
      assignedUserId: spec.assignedUserId ?? "SbxUserTech000000001",
      groupId: calendar?.groupId ?? "",
      notes: "",
      title: "",
      appointmentStatus: "confirmed",
      users: [],
      ...spec,
      id: spec.id ?? this.newId(),
      locationId: location.id,
      dateAdded: at,
      dateUpdated: at,
    };
    location.appointments.set(appointment.id, appointment);
    this.onChange?.(location.id, { type: "AppointmentCreate", appointment: { ...appointment } });
    return appointment;
  }

  updateAppointment(
    location: FakeLocation,
    id: string,
    fields: Partial<FakeAppointment>,
  ): FakeAppointment {
    const current = location.appointments.get(id);
    if (current === undefined) throw new Error(`fake HighLevel: no appointment ${id}`);
    const next: FakeAppointment = {
      ...current,
      ...clean(fields),
      id,
      locationId: location.id,
      dateAdded: current.dateAdded,
      dateUpdated: this.stamp(),
    };
    location.appointments.set(id, next);
    this.onChange?.(location.id, { type: "AppointmentUpdate", appointment: { ...next } });
    return next;
  }

  deleteAppointment(location: FakeLocation, id: string): void {
    const appointment = location.appointments.get(id);
    if (appointment === undefined) throw new Error(`fake HighLevel: no appointment ${id}`);
    location.appointments.delete(id);
    this.onChange?.(location.id, { type: "AppointmentDelete", appointment });
  }
}

/**
 * Drop `undefined` values so stored objects are JSON-clean.
 *
 * @example
 * ```ts
 * clean({ a: 1, b: undefined }); // { a: 1 }
 * ```
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/JSON/stringify
 */
export function clean<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}

/** HighLevel keeps a full name and lower-cased copies next to the names. */
function withDerivedNames(contact: FakeContact): void {
  const full = [contact.firstName, contact.lastName].filter(Boolean).join(" ");
  if (full !== "") {
    contact.name = full;
    contact.fullNameLowerCase = full.toLowerCase();
  }
  if (contact.firstName) contact.firstNameLowerCase = contact.firstName.toLowerCase();
  if (contact.lastName) contact.lastNameLowerCase = contact.lastName.toLowerCase();
  if (contact.email) contact.emailLowerCase = contact.email.toLowerCase();
}
