import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  qboDateTime,
  type RevenueSummary,
  SYNC_OVERLAP_MS,
  selectStatement,
} from "../src/index.js";
import { calls, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 24 * 3600 * 1000;

describe("full sync", () => {
  it("pages through the query language 1000 at a time", async () => {
    const w = await world(server);
    w.fake.seedCustomers(2100);
    const run = await w.sync("customers");
    expect(run).toMatchObject({ status: "succeeded", inserted: 2100 });
    expect(
      calls(w.fake, /^GET query/).map((c) => new URLSearchParams(c.split("?")[1]).get("query")),
    ).toEqual([
      selectStatement("Customer", { startPosition: 1 }),
      selectStatement("Customer", { startPosition: 1001 }),
      selectStatement("Customer", { startPosition: 2001 }),
    ]);
    expect(selectStatement("Customer", { startPosition: 1001 })).toBe(
      "select * from Customer ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000",
    );
  });

  it("syncs invoices, payments and items of a contractor company", async () => {
    const w = await world(server);
    const seeded = w.fake.seedSandbox();
    for (const [model, ids] of [
      ["invoices", seeded.invoices],
      ["payments", seeded.payments],
      ["items", seeded.items],
    ] as const) {
      expect((await w.sync(model)).inserted).toBe(ids.length);
      expect([...(await w.stored(model)).keys()].sort()).toEqual([...ids].sort());
    }
    const paid = (await w.stored("invoices")).get(seeded.invoices[0]!);
    expect(paid).toMatchObject({ Balance: 0, CustomerRef: { value: seeded.customers[0] } });
  });
});

describe("incremental sync", () => {
  it("reads changes and deletes with change data capture", async () => {
    const w = await world(server);
    const { invoices, customers } = w.fake.seedSandbox();
    await w.sync("invoices");
    await w.sync("customers");
    w.fake.editInvoice(invoices[1]!, { CustomerMemo: { value: "Thanks for your business" } });
    w.fake.deleteInvoice(invoices[2]!);
    w.fake.deactivateCustomer(customers[3]!);

    const run = await w.sync("invoices", "incremental");
    expect(run).toMatchObject({ status: "succeeded", mode: "incremental", updated: 1, deleted: 1 });
    const stored = await w.stored("invoices");
    expect(stored.get(invoices[1]!)).toMatchObject({
      CustomerMemo: { value: "Thanks for your business" },
    });
    expect(stored.has(invoices[2]!)).toBe(false);
    const cdc = w.fake.requests.filter((r) => r.path === "cdc");
    expect(cdc).toHaveLength(1);
    expect(cdc[0]!.query).toEqual({
      entities: "Invoice",
      changedSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      minorversion: "75",
    });

    // A customer made inactive in QuickBooks is reported deleted.
    expect(await w.sync("customers", "incremental")).toMatchObject({ deleted: 1 });
    expect((await w.stored("customers")).has(customers[3]!)).toBe(false);
  });

  it("falls back to LastUpdatedTime queries when CDC refuses a window older than 30 days", async () => {
    // Intuit's clock runs 31 days ahead of ours: the connector tries CDC, gets 400, and queries instead.
    let clock = Math.floor(Date.now() / 1000) * 1000;
    const start = clock;
    const w = await world(server, { fake: { now: () => clock } });
    const [id] = w.fake.seedCustomers(3);
    await w.sync("customers");
    clock += 31 * DAY;
    w.fake.editCustomer(id!, { Notes: "called back after a month" });

    const run = await w.sync("customers", "incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 1 });
    expect((await w.stored("customers")).get(id!)).toMatchObject({
      Notes: "called back after a month",
    });
    // (The 31 days also expired the access token: one 401, one refresh, then CDC's 400.)
    expect(w.fake.requests.filter((r) => r.path === "cdc").map((r) => r.status)).toEqual([
      401, 400,
    ]);
    expect(w.fake.requests.at(-1)?.query.query).toBe(
      `select * from Customer where Active IN (true, false) and MetaData.LastUpdatedTime > '${qboDateTime(start - SYNC_OVERLAP_MS)}' ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 1000`,
    );
  });

  it("skips CDC for a cursor already older than 30 days on the local clock", async () => {
    let clock = Date.parse("2025-03-01T12:00:00Z");
    const w = await world(server, { fake: { now: () => clock } });
    const [id] = w.fake.seedCustomers(2);
    await w.sync("customers");
    clock += DAY;
    w.fake.editCustomer(id!, { Notes: "seen by query" });
    expect(await w.sync("customers", "incremental")).toMatchObject({ updated: 1 });
    expect(w.fake.requests.filter((r) => r.path === "cdc")).toEqual([]);
  });

  it("reads changes with queries when one CDC answer is full (1000 objects)", async () => {
    const w = await world(server);
    await w.sync("customers");
    w.fake.seedCustomers(1100);
    const run = await w.sync("customers", "incremental");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1100 });
    expect(w.fake.requests.filter((r) => r.path === "query").length).toBeGreaterThanOrEqual(3);
  });
});

describe("faults", () => {
  it("treats a Fault inside an HTTP 200 answer as an error, with Intuit's code", async () => {
    const w = await world(server);
    w.fake.seedCustomers(2);
    w.fake.faultNext({
      type: "ValidationFault",
      Message: "Invalid query",
      Detail: "QueryValidationError: property 'Foo' is not queryable",
      code: "4001",
    });
    const failed = await w.sync("customers");
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("200 with a Fault (ValidationFault)");
    expect(failed.error).toContain("property 'Foo' is not queryable");
    expect(await w.stored("customers")).toHaveProperty("size", 0);
    expect(await w.sync("customers")).toMatchObject({ status: "succeeded", inserted: 2 });
  });
});

describe("revenueSummary", () => {
  it("reads income and net income from the Profit and Loss report", async () => {
    const w = await world(server);
    w.fake.seedSandbox();
    const invoiced = w.fake.records("Invoice").reduce((s, r) => s + Number(r.TotalAmt), 0);
    const paid = w.fake.records("Payment").reduce((s, r) => s + Number(r.TotalAmt), 0);
    const run = (input: Record<string, unknown>) =>
      w.patchbay.actions.run<RevenueSummary>({
        tenantId: TENANT,
        connectionId: w.connection.id,
        action: "revenueSummary",
        input: { startDate: "2000-01-01", endDate: "2099-12-31", ...input },
      });
    expect(await run({})).toEqual({
      startDate: "2000-01-01",
      endDate: "2099-12-31",
      accountingMethod: "Accrual",
      currency: "USD",
      totalIncome: invoiced,
      grossProfit: invoiced,
      totalExpenses: 0,
      netIncome: invoiced,
    });
    expect(await run({ accountingMethod: "Cash" })).toMatchObject({ totalIncome: paid });
    expect(paid).toBeLessThan(invoiced);
    expect(calls(w.fake, /ProfitAndLoss/).at(-1)).toContain("accounting_method=Cash");
    await expect(run({ startDate: "2025-02-01", endDate: "2025-01-01" })).rejects.toThrow(
      '"endDate" (2025-01-01) must not be before "startDate" (2025-02-01)',
    );
  });
});
