import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newRowId, SHEETS_API } from "../src/index.js";
import { createGoogleSheetsFake } from "../src/testing/index.js";
import { connectSheets, ID, TENANT } from "./helpers.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const valuesCalls = (ops: string[]) => ops.filter((op) => op.startsWith("values."));

function rows(n: number, stamped: boolean) {
  return Array.from({ length: n }, (_, i) => ({
    Artist: `Artist ${i + 1}`,
    Status: i % 2 ? "Pitched" : "Replied",
    ...(stamped ? { [ID]: newRowId() } : {}),
  }));
}

describe("cheap polling with the Drive version", () => {
  it("a second sync of an unchanged sheet makes no values call, writes nothing and keeps the cursor", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: rows(8, true),
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    expect(await w.sync()).toMatchObject({ mode: "full", inserted: 8 });
    const [stateBefore] = await w.patchbay.sync.status(TENANT, w.connection.id);

    fake.clearRequests();
    const run = await w.sync();
    expect(run).toMatchObject({
      status: "succeeded",
      mode: "incremental",
      fetched: 0,
      inserted: 0,
      updated: 0,
      deleted: 0,
    });
    expect(fake.requests.map((r) => r.operation)).toEqual(["drive.files.get"]);
    const [stateAfter] = await w.patchbay.sync.status(TENANT, w.connection.id);
    expect(stateAfter!.cursor).toEqual(stateBefore!.cursor);
  });

  it("after the connector stamps new ids it reads once more (its own write changed the file), then skips", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status"],
      rows: rows(4, false),
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    await w.sync();
    fake.clearRequests();
    expect(await w.sync()).toMatchObject({
      mode: "incremental",
      fetched: 4,
      inserted: 0,
      updated: 0,
    });
    expect(valuesCalls(fake.requests.map((r) => r.operation))).toEqual(["values.batchGet"]);
    fake.clearRequests();
    expect(await w.sync()).toMatchObject({ mode: "incremental", fetched: 0 });
    expect(valuesCalls(fake.requests.map((r) => r.operation))).toEqual([]);
  });

  it("an edit makes the next incremental run read the sheet and deliver the change", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const seeded = rows(5, true);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: seeded,
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    await w.sync();
    fake.editCell(spreadsheetId, "B3", "Added to rotation");
    const run = await w.sync();
    expect(run).toMatchObject({ mode: "incremental", updated: 1, inserted: 0, deleted: 0 });
    expect((await w.records()).get(String(seeded[1]![ID]))).toMatchObject({
      Status: "Added to rotation",
    });
  });

  it("a row deleted in the sheet is reported deleted by the next incremental run (ids kept in the cursor)", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const seeded = rows(5, true);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: seeded,
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    await w.sync();
    fake.deleteRow(spreadsheetId, 4);
    const run = await w.sync();
    expect(run).toMatchObject({ mode: "incremental", deleted: 1, inserted: 0, updated: 0 });
    expect((await w.records()).has(String(seeded[2]![ID]))).toBe(false);
  });

  it("reconfiguring to another tab makes the next incremental run read, not skip", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: rows(3, true),
    });
    fake.addSheet(spreadsheetId, {
      title: "Festivals",
      headers: ["Artist", "Status", ID],
      rows: rows(2, true),
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    await w.sync();
    // Adding the tab happened before the first sync, so the file version is unchanged now.
    await w.patchbay.connections.configure(TENANT, w.connection.id, {
      spreadsheetId,
      sheet: "Festivals",
    });
    const run = await w.sync();
    expect(run).toMatchObject({ mode: "incremental", inserted: 2, deleted: 3 });
  });

  it("reads in full every time when Drive cannot show the file (pasted ID under the spreadsheets scope)", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: rows(3, true),
      appAccess: false,
    });
    const w = await connectSheets(fake, {
      config: { spreadsheetId },
      connector: { access: "all-spreadsheets" },
    });
    expect(await w.sync()).toMatchObject({ status: "succeeded", inserted: 3 });
    fake.clearRequests();
    expect(await w.sync()).toMatchObject({ status: "succeeded", mode: "incremental", fetched: 3 });
    const served = fake.requests.map((r) => [r.operation, r.status]);
    expect(served).toContainEqual(["drive.files.get", 404]);
    expect(served).toContainEqual(["values.batchGet", 200]);
  });
});

describe("reading in blocks", () => {
  it("reads a 2,500-row sheet in 3 values calls of at most 1,000 rows", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status", ID],
      rows: rows(2500, true),
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    fake.clearRequests();
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", inserted: 2500 });
    const reads = fake.requests.filter((r) => r.operation.startsWith("values."));
    expect(reads.map((r) => [r.operation, r.ranges])).toEqual([
      ["values.batchGet", ["'Sheet1'!1:1", "'Sheet1'!2:1001"]],
      ["values.get", ["'Sheet1'!1002:2001"]],
      // The last block comes with the ID column above it, to check no row moved meanwhile.
      ["values.batchGet", ["'Sheet1'!2002:2501", "'Sheet1'!C2:C2001"]],
    ]);
  });

  it("checkpoints after each block: a run that fails on block 3 resumes there, without re-reading or duplicating", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Status"],
      rows: rows(2500, false),
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    let failed = false;
    server.use(
      http.get(`${SHEETS_API}/*`, ({ request }) => {
        const ranges = new URL(request.url).searchParams.getAll("ranges");
        if (failed || !ranges.includes("'Sheet1'!2002:2501")) return undefined;
        failed = true;
        return HttpResponse.json(
          { error: { code: 400, message: "Injected failure", status: "INVALID_ARGUMENT" } },
          { status: 400 },
        );
      }),
    );
    const first = await w.sync();
    expect(first.status).toBe("failed");
    expect((await w.records()).size).toBe(2000);

    fake.clearRequests();
    const resumed = await w.sync();
    expect(resumed).toMatchObject({ status: "succeeded", inserted: 500, deleted: 0 });
    const reads = fake.requests.filter(
      (r) => r.operation.startsWith("values.") && r.method === "GET",
    );
    expect(reads.map((r) => r.ranges)).toEqual([["'Sheet1'!1:1", "'Sheet1'!2002:2501"]]);
    const records = await w.records();
    expect(records.size).toBe(2500);
    const ids = fake.table(spreadsheetId).map((r) => r.cells[ID]);
    expect(new Set(ids).size).toBe(2500);
    expect([...records.keys()].sort()).toEqual([...ids].sort());
  });
});
