import { silentLogger } from "@patchbay/core";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOB_STATUSES, SERVICETITAN_HOSTS, SERVICETITAN_PATHS } from "../src/index.js";
import {
  SERVICETITAN_SANDBOX_TENANT,
  serviceTitanValidationProblem,
} from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T = SERVICETITAN_SANDBOX_TENANT.tenantId;
const API = SERVICETITAN_HOSTS.integration.api;

describe("the sandbox company", () => {
  it("syncs customers, jobs in every status, invoices, technicians and job types", async () => {
    const w = await world(server);
    const seeded = w.fake.seedSandbox();
    for (const model of ["customers", "jobs", "invoices", "technicians", "jobTypes"]) {
      expect(await w.sync(model)).toMatchObject({ status: "succeeded", failed: 0 });
    }
    expect((await w.stored("customers")).size).toBe(seeded.customers.length);
    expect((await w.stored("invoices")).size).toBe(seeded.invoices.length);
    expect((await w.stored("technicians")).size).toBe(6);
    expect((await w.stored("jobTypes")).size).toBe(8);
    const jobs = [...(await w.stored("jobs")).values()];
    expect(jobs).toHaveLength(seeded.jobs.length);
    const statuses = new Set(jobs.map((j) => j.jobStatus));
    expect([...statuses].sort()).toEqual([...JOB_STATUSES].sort());
    // Records keep ServiceTitan's field names; `active` is not stored (inactive rows are deletes).
    expect(jobs[0]).toMatchObject({ jobTypeId: expect.any(Number), priority: expect.any(String) });
    expect(jobs[0]).not.toHaveProperty("active");
  });
});

describe("export feeds", () => {
  it("pages with continueFrom until hasMore is false, and always asks for recent changes", async () => {
    const w = await world(server, { fake: { exportPageSize: 10 } });
    w.fake.seedCustomers(25);
    const run = await w.sync("customers");
    expect(run).toMatchObject({ inserted: 25 });
    const exports = w.fake.requests.filter((r) => r.path === SERVICETITAN_PATHS.customersExport(T));
    expect(exports).toHaveLength(3);
    expect(exports[0]!.query).toEqual({ includeRecentChanges: "true" });
    expect(exports[1]!.query.from).toEqual(expect.any(String));
    expect(exports[2]!.query.from).not.toBe(exports[1]!.query.from);
  });

  it("resumes an incremental run from the stored token and sees a change made a moment ago", async () => {
    const w = await world(server);
    const [first, second] = w.fake.seedCustomers(5);
    await w.sync("customers");
    const lastToken = w.fake.requests.at(-1)!;
    w.fake.editCustomer(first!, { name: "Ada Byron" });
    const run = await w.sync("customers", "incremental");
    expect(run).toMatchObject({ mode: "incremental", fetched: 1, updated: 1, inserted: 0 });
    const request = w.fake.requests.at(-1)!;
    expect(request.query.includeRecentChanges).toBe("true");
    expect(request.query.from).toEqual(expect.any(String));
    expect(request.query.from).not.toBe(lastToken.query.from ?? "");
    expect((await w.stored("customers")).get(String(first))?.name).toBe("Ada Byron");
    expect((await w.stored("customers")).get(String(second))).toBeDefined();
  });

  it("turns deactivated, merged and deleted rows into deletes on an incremental run", async () => {
    const w = await world(server);
    const seeded = w.fake.seedSandbox();
    for (const model of ["customers", "jobs", "invoices", "technicians"]) await w.sync(model);
    const [gone, duplicate, keeper] = seeded.customers;
    w.fake.deactivateCustomer(gone!);
    w.fake.mergeCustomers(duplicate!, keeper!);
    w.fake.deleteJob(seeded.jobs[6]!);
    w.fake.voidInvoice(seeded.invoices[0]!);
    w.fake.deactivateTechnician(seeded.technicians[5]!);
    expect(await w.sync("customers", "incremental")).toMatchObject({ deleted: 2 });
    expect(await w.sync("jobs", "incremental")).toMatchObject({ deleted: 1 });
    expect(await w.sync("invoices", "incremental")).toMatchObject({ deleted: 1 });
    expect(await w.sync("technicians", "incremental")).toMatchObject({ deleted: 1 });
    const customers = await w.stored("customers");
    expect(customers.has(String(gone))).toBe(false);
    expect(customers.has(String(duplicate))).toBe(false);
    expect(customers.has(String(keeper))).toBe(true);
  });

  it("starts the feed over when ServiceTitan refuses the stored token", async () => {
    const w = await world(server);
    w.fake.seedCustomers(4);
    await w.sync("customers");
    w.fake.seedCustomers(1);
    let refused = 0;
    server.use(
      http.get(`${API}${SERVICETITAN_PATHS.customersExport(T)}`, ({ request }) => {
        if (new URL(request.url).searchParams.has("from") && refused === 0) {
          refused += 1;
          return serviceTitanValidationProblem({ from: ["The continuation token has expired."] });
        }
        return undefined;
      }),
    );
    const run = await w.sync("customers", "incremental");
    expect(refused).toBe(1);
    expect(run).toMatchObject({ status: "succeeded", inserted: 1, updated: 0 });
    expect(w.fake.requests.at(-1)!.query.from).toBeUndefined();
  });
});

describe("job types: modifiedOnOrAfter lists (no export feed)", () => {
  it("pages with page/pageSize/hasMore and asks for changes since the newest modifiedOn seen", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const w = await world(server, { fake: { now: () => clock } });
    const ids = [1, 2, 3].map((i) => w.fake.addJobType({ name: `Type ${i}` }));
    await w.sync("jobTypes");
    const full = w.fake.requests.at(-1)!;
    expect(full.query).toMatchObject({ page: "1", pageSize: "500", active: "Any", sort: "+Id" });
    expect(full.query.modifiedOnOrAfter).toBeUndefined();

    clock += 60_000;
    w.fake.editJobType(ids[0]!, { name: "Type 1 (renamed)" });
    w.fake.deactivateJobType(ids[1]!);
    const run = await w.sync("jobTypes", "incremental");
    expect(w.fake.requests.at(-1)!.query.modifiedOnOrAfter).toBe("2024-05-01T10:00:00.000Z");
    expect(run).toMatchObject({ updated: 1, deleted: 1 });

    clock += 60_000;
    await w.sync("jobTypes", "incremental");
    expect(w.fake.requests.at(-1)!.query.modifiedOnOrAfter).toBe("2024-05-01T10:01:00.000Z");
  });

  it("sees a job type removed outright only on a full run", async () => {
    const w = await world(server);
    const [kept, purged] = [
      w.fake.addJobType({ name: "Kept" }),
      w.fake.addJobType({ name: "Purged" }),
    ];
    await w.sync("jobTypes");
    w.fake.purgeJobType(purged);
    expect(await w.sync("jobTypes", "incremental")).toMatchObject({ deleted: 0 });
    expect(await w.sync("jobTypes", "full")).toMatchObject({ deleted: 1 });
    expect([...(await w.stored("jobTypes")).keys()]).toEqual([String(kept)]);
  });
});

describe("read for conflicts", () => {
  it("fetches current customers by ids (at most 50 per call)", async () => {
    const w = await world(server);
    const ids = w.fake.seedCustomers(3);
    const model = w.connector.models!.customers!;
    const c = await w.patchbay.connections.get("tenant-1", w.connection.id);
    const records = await model.read!(
      {
        connection: c,
        config: {},
        metadata: c.metadata,
        http: await w.http(),
        logger: silentLogger,
      },
      ids.slice(0, 2).map(String),
    );
    expect(records.map((r) => (r as { id: number }).id)).toEqual(ids.slice(0, 2));
    expect(w.fake.requests.at(-1)!.query).toMatchObject({
      ids: ids.slice(0, 2).join(","),
      active: "True",
    });
  });
});

describe("export feed errors", () => {
  it("does not restart the feed for a 400 about something else", async () => {
    const w = await world(server);
    w.fake.seedCustomers(2);
    await w.sync("customers");
    server.use(
      http.get(`${API}${SERVICETITAN_PATHS.customersExport(T)}`, () =>
        serviceTitanValidationProblem({ includeRecentChanges: ["The value is not valid."] }),
      ),
    );
    const run = await w.sync("customers", "incremental");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/includeRecentChanges: The value is not valid\./);
  });
});
