import { ConfigError } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SERVICETITAN_PATHS } from "../src/index.js";
import { SERVICETITAN_SANDBOX_TENANT } from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T = SERVICETITAN_SANDBOX_TENANT.tenantId;
const address = { street: "2210 Blake St", city: "Denver", state: "CO", zip: "80205" };
const appointments = [{ start: "2030-03-04T15:00:00Z", end: "2030-03-04T17:00:00Z" }];

describe("customers write-back", () => {
  it("creates a customer with a service location at the billing address when none is given", async () => {
    const w = await world(server);
    const result = await w.write("customers", [
      { op: "create", internalId: "host-1", data: { name: "Jordan Price", address } },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    const id = Number(result.results[0]!.externalId);
    expect(w.fake.customers().find((c) => c.id === id)).toMatchObject({
      name: "Jordan Price",
      type: "Residential",
      address: { street: "2210 Blake St", country: "USA" },
    });
    expect(w.fake.locations(id)).toEqual([
      expect.objectContaining({
        name: "Jordan Price",
        address: expect.objectContaining({ zip: "80205" }),
      }),
    ]);
    expect(await w.sync("customers")).toMatchObject({ inserted: 0, updated: 0 });
  });

  it("names every missing field instead of calling ServiceTitan", async () => {
    const w = await world(server);
    const before = w.fake.requests.length;
    const result = await w.write("customers", [
      {
        op: "create",
        internalId: "host-1",
        data: { type: "Residential", address: { street: "1 Main St" } },
      },
    ]);
    expect(result.results[0]!.status).toBe("failed");
    expect(result.results[0]!.error).toBe(
      'Invalid customer: "customer.name" is required; "customer.address.city" is required; "customer.address.state" is required; "customer.address.zip" is required',
    );
    expect(w.fake.requests.length).toBe(before);
  });

  it("updates with PATCH and refuses deletes with the reason", async () => {
    const w = await world(server);
    const [id] = w.fake.seedCustomers(1);
    await w.sync("customers");
    await w.patchbay.records.setInternalId({
      tenantId: "tenant-1",
      connectionId: w.connection.id,
      model: "customers",
      externalId: String(id),
      internalId: "h1",
    });
    const result = await w.write("customers", [
      { op: "update", internalId: "h1", data: { doNotMail: true } },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.requests.at(-1)).toMatchObject({
      method: "PATCH",
      path: SERVICETITAN_PATHS.customer(T, id!),
    });
    expect(w.fake.customers()[0]).toMatchObject({ doNotMail: true });
    const removed = await w.write("customers", [{ op: "delete", internalId: "h1" }]);
    expect(removed.results[0]!.error).toMatch(/cannot be deleted through the API; deactivate/);
  });
});

describe("job booking", () => {
  async function booked(config?: Record<string, unknown>) {
    const w = await world(server, config === undefined ? {} : { config });
    const s = w.fake.seedSandbox();
    const customerId = s.customers[0]!;
    const locationId = w.fake.locations(customerId)[0]!.id as number;
    return { w, s, customerId, locationId };
  }

  it("books a job with the fields ServiceTitan requires, and the next sync does not echo it", async () => {
    const { w, s, customerId, locationId } = await booked();
    await w.sync("jobs");
    const result = await w.write("jobs", [
      {
        op: "create",
        internalId: "booking-1",
        data: {
          customerId,
          locationId,
          businessUnitId: s.businessUnits[0],
          jobTypeId: s.jobTypes[2],
          priority: "High",
          campaignId: s.campaigns[1],
          summary: "Furnace short-cycling",
          appointments,
        },
      },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    const job = w.fake.jobs().find((j) => String(j.id) === result.results[0]!.externalId);
    expect(job).toMatchObject({ jobStatus: "Scheduled", priority: "High", appointmentCount: 1 });
    expect(await w.sync("jobs", "incremental")).toMatchObject({ inserted: 0, updated: 0 });
  });

  it("fills business unit, job type, campaign and priority from the config defaults", async () => {
    const { w, s, customerId, locationId } = await booked();
    await w.patchbay.connections.configure("tenant-1", w.connection.id, {
      defaultBusinessUnitId: s.businessUnits[2],
      defaultJobTypeId: s.jobTypes[5],
      defaultCampaignId: s.campaigns[0],
      defaultPriority: "Normal",
    });
    const { job } = (await w.action("bookJob", { customerId, locationId, appointments })) as {
      job: Record<string, unknown>;
    };
    expect(job).toMatchObject({
      businessUnitId: s.businessUnits[2],
      jobTypeId: s.jobTypes[5],
      campaignId: s.campaigns[0],
      priority: "Normal",
      jobStatus: "Scheduled",
    });
  });

  it("names the missing booking fields and where a default could come from", async () => {
    const { w, customerId } = await booked();
    const incomplete = await w
      .action("bookJob", { customerId, appointments: [] })
      .catch((e: unknown) => e);
    expect(incomplete).toBeInstanceOf(ConfigError);
    expect((incomplete as Error).message).toBe(
      'Invalid input: "input.locationId" is required; "input.appointments" needs at least one appointment',
    );
    const locationId = w.fake.locations(customerId)[0]!.id as number;
    const noDefaults = await w
      .action("bookJob", { customerId, locationId, appointments })
      .catch((e: unknown) => e);
    expect(noDefaults).toBeInstanceOf(ConfigError);
    expect((noDefaults as Error).message).toBe(
      'Invalid job booking: "job.businessUnitId" is required (or set "defaultBusinessUnitId" in the connection config); "job.jobTypeId" is required (or set "defaultJobTypeId" in the connection config); "job.priority" is required (or set "defaultPriority" in the connection config); "job.campaignId" is required (or set "defaultCampaignId" in the connection config)',
    );
    const written = await w.write("jobs", [
      { op: "create", internalId: "b", data: { customerId, priority: "Soon", appointments } },
    ]);
    expect(written.results[0]!.error).toMatch(
      /"job.priority" must be one of Low, Normal, High, Urgent/,
    );
  });

  it("reports ServiceTitan's own validation errors with their fields", async () => {
    const { w, s, customerId } = await booked({ defaultPriority: "Low" });
    const otherLocation = w.fake.locations(s.customers[1]!)[0]!.id as number;
    const result = await w.write("jobs", [
      {
        op: "create",
        internalId: "b",
        data: {
          customerId,
          locationId: otherLocation,
          businessUnitId: s.businessUnits[0],
          jobTypeId: s.jobTypes[0],
          campaignId: s.campaigns[0],
          appointments,
        },
      },
    ]);
    expect(result.results[0]!.status).toBe("failed");
    expect(result.results[0]!.error).toMatch(
      new RegExp(
        `400 Bad Request: One or more validation errors occurred\\. \\(locationId: Location ${otherLocation} does not belong to customer ${customerId}\\.\\)`,
      ),
    );
  });

  it("refuses job edits and deletes with the reason", async () => {
    const { w, s } = await booked();
    await w.sync("jobs");
    await w.patchbay.records.setInternalId({
      tenantId: "tenant-1",
      connectionId: w.connection.id,
      model: "jobs",
      externalId: String(s.jobs[0]),
      internalId: "j",
    });
    const result = await w.write("jobs", [
      { op: "update", internalId: "j", data: { summary: "x" } },
    ]);
    expect(result.results[0]!.error).toMatch(/cannot be edited through write-back/);
  });
});

describe("actions", () => {
  it("createCustomer returns the customer and its locations, to book jobs at", async () => {
    const w = await world(server);
    const { customer, locations } = (await w.action("createCustomer", {
      name: "Larimer Lofts HOA",
      type: "Commercial",
      address,
      locations: [
        { name: "Building A", address },
        { name: "Building B", address: { ...address, street: "2220 Blake St" } },
      ],
    })) as { customer: Record<string, unknown>; locations: Array<Record<string, unknown>> };
    expect(customer).toMatchObject({ name: "Larimer Lofts HOA", type: "Commercial" });
    expect(customer).not.toHaveProperty("locations");
    expect(locations.map((l) => l.name)).toEqual(["Building A", "Building B"]);
    expect(locations[0]!.customerId).toBe(customer.id);
  });

  it("listBookingOptions lists the active business units, job types and campaigns", async () => {
    const w = await world(server);
    const s = w.fake.seedSandbox();
    w.fake.deactivateJobType(s.jobTypes[7]!);
    const options = (await w.action("listBookingOptions", {})) as Record<
      string,
      Array<{ id: number; name: string }>
    >;
    expect(options.businessUnits!.map((b) => b.name)).toEqual([
      "HVAC Service",
      "HVAC Install",
      "Plumbing Service",
    ]);
    expect(options.jobTypes).toHaveLength(7);
    expect(options.campaigns!.map((c) => c.name)).toContain("Customer Referral");
  });
});
