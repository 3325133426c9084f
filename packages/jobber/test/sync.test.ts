import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { operations, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("jobber sync", () => {
  it("pages through a Relay connection with first/after until hasNextPage is false", async () => {
    const w = await world(server, { connector: { pageSize: 2 } });
    w.fake.seed("clients", 5);
    const run = await w.sync("clients");
    expect(run).toMatchObject({ status: "succeeded", inserted: 5 });
    const pages = w.fake.requests.filter((r) => r.operationName === "ClientsPage");
    expect(pages.map((r) => r.variables.first)).toEqual([2, 2, 2]);
    expect(pages[0]!.variables.after).toBeNull();
    expect(typeof pages[1]!.variables.after).toBe("string");
    expect(pages[2]!.variables.after).not.toBe(pages[1]!.variables.after);
  });

  it("an incremental run asks only for records updated after the last one seen", async () => {
    const w = await world(server);
    const ids = w.fake.seed("quotes", 6);
    await w.sync("quotes");
    w.tick(60_000);
    w.fake.edit("quotes", ids[2]!, { title: "Backyard regrade", quoteStatus: "approved" });
    const run = await w.sync("quotes", "incremental");
    expect(run).toMatchObject({
      status: "succeeded",
      mode: "incremental",
      updated: 1,
      inserted: 0,
    });
    const last = w.fake.requests.at(-1)!;
    expect(last.operationName).toBe("QuotesUpdatedAfterPage");
    // The cursor was the newest updatedAt of the full run, less one second of overlap.
    expect(last.variables.updatedAfter).toBe("2025-06-02T14:59:59.000Z");
    expect((await w.stored("quotes")).get(ids[2]!)).toMatchObject({
      title: "Backyard regrade",
      quoteStatus: "approved",
    });
  });

  it("incremental jobs read newest-updated first and stop at the first older page", async () => {
    const w = await world(server, { connector: { pageSize: 3 } });
    for (let i = 0; i < 9; i++) {
      w.fake.seed("jobs", 1);
      w.tick(10_000);
    }
    await w.sync("jobs");
    const before = w.fake.requests.length;
    w.tick(60_000);
    const job = (w.fake.records("jobs")[4] as { id: string }).id;
    w.fake.edit("jobs", job, { jobStatus: "late" });
    const run = await w.sync("jobs", "incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 1 });
    // One page of three is enough: its second job is older than the cursor.
    expect(operations({ requests: w.fake.requests.slice(before) })).toEqual([
      "JobsRecentlyUpdatedPage",
    ]);
    expect((await w.stored("jobs")).get(job)).toMatchObject({ jobStatus: "late" });
  });

  it("a full sync marks invoices deleted in Jobber as deleted", async () => {
    const w = await world(server);
    const ids = w.fake.seed("invoices", 4);
    await w.sync("invoices");
    w.fake.remove("invoices", ids[1]!);
    const run = await w.sync("invoices", "full");
    expect(run).toMatchObject({ status: "succeeded", deleted: 1 });
    expect((await w.stored("invoices")).has(ids[1]!)).toBe(false);
  });

  it("seedSandbox fills a lawn & home services business that syncs in full", async () => {
    const w = await world(server);
    w.fake.seedSandbox();
    for (const [model, count] of [
      ["clients", 10],
      ["jobs", 8],
      ["quotes", 5],
      ["invoices", 6],
    ] as const) {
      expect(await w.sync(model)).toMatchObject({
        status: "succeeded",
        inserted: count,
        failed: 0,
      });
    }
    const jobs = [...(await w.stored("jobs")).values()];
    expect(jobs.map((j) => j.title)).toContain("Weekly lawn mowing");
  });
});
