import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GhlAppointment, GhlContact } from "../src/index.js";
import { GHL_SANDBOX } from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const inThreeDays = (hour: number) => {
  const d = new Date(Date.now() + 3 * 24 * 3_600_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

describe("contacts upsert", () => {
  it("upsertContact updates the contact with the same email instead of duplicating it", async () => {
    const w = await world(server);
    const [id] = w.fake.seedContacts(1);
    const email = w.fake.contacts()[0]!.email!;
    const again = await w.action<{ created: boolean; contact: GhlContact }>("upsertContact", {
      email: email.toUpperCase(),
      tags: ["annual-plan"],
    });
    expect(again).toMatchObject({ created: false, contact: { id, tags: ["annual-plan"] } });
    const fresh = await w.action<{ created: boolean }>("upsertContact", {
      phone: "+1 303 555 0199",
    });
    expect(fresh.created).toBe(true);
    expect(w.fake.contacts()).toHaveLength(2);
  });

  it("refuses a contact with neither email nor phone, saying why", async () => {
    const w = await world(server);
    await expect(w.action("upsertContact", { firstName: "Nobody" })).rejects.toThrow(
      /email or a phone/,
    );
  });

  it("write-back: an update goes to PUT /contacts/{id}; invalid data fails only that change, naming the field", async () => {
    const w = await world(server);
    w.fake.seedContacts(2);
    await w.sync("contacts");
    const [a, b] = w.fake.contacts();
    await w.link("contacts", a!.id, "h-2");
    await w.link("contacts", b!.id, "h-3");
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "contacts",
      changes: [
        { op: "create", internalId: "h-1", data: { firstName: "NoReach" } },
        { op: "update", internalId: "h-2", data: { city: "Boulder" } },
        { op: "update", internalId: "h-3", data: { email: "not-an-email" } },
      ],
    });
    expect(result.results[0]).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/email: a contact needs an email or a phone/),
    });
    expect(result.results[1]).toMatchObject({ status: "applied", externalId: a!.id });
    expect(result.results[2]).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/email: must be an email address/),
    });
    expect(w.fake.contacts().find((c) => c.id === a!.id)?.city).toBe("Boulder");
    expect(
      w.fake.requests.some((r) => r.method === "PUT" && r.path === "/contacts/{contactId}"),
    ).toBe(true);
  });
});

describe("appointment booking", () => {
  it("bookAppointment books in the connection's location and returns the appointment as synced", async () => {
    const w = await world(server);
    const [contactId] = w.fake.seedContacts(1);
    const booked = await w.action<GhlAppointment>("bookAppointment", {
      calendarId: GHL_SANDBOX.calendarId,
      contactId,
      startTime: inThreeDays(15),
      title: "Furnace repair",
      appointmentStatus: "confirmed",
    });
    expect(booked).toMatchObject({
      calendarId: GHL_SANDBOX.calendarId,
      locationId: GHL_SANDBOX.locationId,
      contactId,
      title: "Furnace repair",
      appointmentStatus: "confirmed",
    });
    // No endTime given: HighLevel uses the calendar's slot (2 hours for service visits).
    expect(Date.parse(booked.endTime!) - Date.parse(booked.startTime)).toBe(2 * 3_600_000);
    expect(w.fake.appointments().map((a) => a.id)).toEqual([booked.id]);
  });

  it("a taken slot is refused with HighLevel's message", async () => {
    const w = await world(server);
    const [contactId] = w.fake.seedContacts(1);
    const input = { calendarId: GHL_SANDBOX.calendarId, contactId, startTime: inThreeDays(15) };
    await w.action("bookAppointment", input);
    await expect(w.action("bookAppointment", input)).rejects.toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      status: 400,
      message: expect.stringMatching(/no longer available/),
    });
  });

  it("validates the booking before calling HighLevel: offsets required, end after start", async () => {
    const w = await world(server);
    const base = { calendarId: GHL_SANDBOX.calendarId, contactId: "c1" };
    await expect(
      w.action("bookAppointment", { ...base, startTime: "2025-03-01 09:00" }),
    ).rejects.toThrow(/startTime.*ISO 8601 date-time with an offset/);
    await expect(
      w.action("bookAppointment", {
        ...base,
        startTime: inThreeDays(15),
        endTime: inThreeDays(14),
      }),
    ).rejects.toThrow(/endTime.*must be after startTime/);
    expect(w.fake.requests.some((r) => r.path === "/calendars/events/appointments")).toBe(false);
  });

  it("write-back edits and deletes appointments", async () => {
    const w = await world(server);
    const [id] = w.fake.seedAppointments(2);
    await w.sync("appointments");
    await w.link("appointments", id!, "h-1");
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "appointments",
      changes: [{ op: "update", internalId: "h-1", data: { appointmentStatus: "showed" } }],
    });
    expect(result.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.appointments().find((a) => a.id === id)?.appointmentStatus).toBe("showed");
    const removed = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "appointments",
      changes: [{ op: "delete", internalId: "h-1" }],
    });
    expect(removed.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.appointments().some((a) => a.id === id)).toBe(false);
  });
});
