import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONTACTS_PAGE_LIMIT } from "../src/index.js";
import { GHL_SANDBOX } from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("contacts", () => {
  it("pages through POST /contacts/search with searchAfter until a short page", async () => {
    const w = await world(server);
    w.fake.seedContacts(2 * CONTACTS_PAGE_LIMIT + 30);
    const run = await w.sync("contacts");
    expect(run).toMatchObject({ status: "succeeded", inserted: 230 });
    const searches = w.fake.requests.filter(
      (r) => r.path === "/contacts/search" && r.status === 200,
    );
    // One search by the connection test, then three pages.
    expect(searches).toHaveLength(4);
    expect((await w.stored("contacts")).size).toBe(230);
  });

  it("an incremental run fetches only contacts changed since the last run (dateUpdated filter)", async () => {
    const w = await world(server);
    const ids = w.fake.seedContacts(40);
    await w.sync("contacts");
    w.fake.editContact(ids[7]!, { tags: ["emergency-callout"] });
    const run = await w.sync("contacts", "incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 1 });
    // The changed contact and the boundary contact of the last run, not all 40.
    expect(run.fetched).toBeLessThanOrEqual(2);
    expect((await w.stored("contacts")).get(ids[7]!)?.tags).toEqual(["emergency-callout"]);
  });

  it("sends the Version header each endpoint family requires: contacts 2021-07-28, calendars 2021-04-15", async () => {
    const w = await world(server);
    w.fake.seedAppointments(3);
    await w.sync("contacts");
    await w.sync("appointments");
    const versions = new Map(w.fake.requests.map((r) => [r.path, r.version]));
    expect(versions.get("/contacts/search")).toBe("2021-07-28");
    expect(versions.get("/calendars/")).toBe("2021-04-15");
    expect(versions.get("/calendars/events")).toBe("2021-04-15");
  });

  it("the fake refuses a request without the Version header, as HighLevel does", async () => {
    const w = await world(server, { auth: "private" });
    const response = await fetch("https://services.leadconnectorhq.com/contacts/search", {
      method: "POST",
      headers: {
        authorization: `Bearer ${w.fake.credentials.token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: GHL_SANDBOX.locationId, pageLimit: 10 }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, message: /Version/ });
  });
});

describe("appointments and calendars", () => {
  it("lists the location's calendars for configuration", async () => {
    const w = await world(server);
    const { calendars } = await w.action<{ calendars: { id: string; name: string }[] }>(
      "listCalendars",
      {},
    );
    expect(calendars.map((c) => c.name)).toEqual(["Service visits", "Estimates"]);
  });

  it("syncs only the configured calendars' appointments inside the window", async () => {
    const w = await world(server, { config: { calendarIds: [GHL_SANDBOX.estimatesCalendarId] } });
    w.fake.seedSandbox();
    const far = w.fake.bookAppointment({
      contactId: GHL_SANDBOX.hostContactId,
      calendarId: GHL_SANDBOX.estimatesCalendarId,
      startTime: new Date(Date.now() + 400 * 24 * 3_600_000).toISOString(),
    });
    const run = await w.sync("appointments");
    const stored = await w.stored("appointments");
    expect(run.status).toBe("succeeded");
    expect(stored.size).toBe(3);
    expect(stored.has(far)).toBe(false);
    for (const a of stored.values()) expect(a.calendarId).toBe(GHL_SANDBOX.estimatesCalendarId);
  });
});
