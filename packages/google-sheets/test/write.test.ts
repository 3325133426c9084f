import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newRowId, ROW_ID_PATTERN } from "../src/index.js";
import { createGoogleSheetsFake } from "../src/testing/index.js";
import { connectSheets, ID, operations, TENANT } from "./helpers.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const HEADERS = ["Artist", "Station", "Status", "Plays", ID];

async function world(config: Record<string, unknown> = {}) {
  const fake = createGoogleSheetsFake();
  server.use(...fake.handlers);
  const ids = Array.from({ length: 6 }, () => newRowId());
  const { spreadsheetId } = fake.seedSpreadsheet({
    title: "Radio pitches",
    headers: HEADERS,
    rows: ids.map((id, i) => [`Artist ${i + 1}`, `Station ${i + 1}`, "Pitched", `=SUM(${i})`, id]),
  });
  const w = await connectSheets(fake, { config: { spreadsheetId, ...config } });
  await w.sync();
  for (const [i, id] of ids.entries()) {
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
      externalId: id,
      internalId: `h${i + 1}`,
    });
  }
  const write = (changes: Parameters<typeof w.patchbay.write>[0]["changes"]) =>
    w.patchbay.write({ tenantId: TENANT, connectionId: w.connection.id, model: "rows", changes });
  return { fake, spreadsheetId, ids, write, ...w };
}

describe("write-back", () => {
  it("applies N updates with one values:batchUpdate that writes only the changed cells", async () => {
    const w = await world();
    w.fake.clearRequests();
    const { results } = await w.write([
      { op: "update", internalId: "h1", data: { Status: "Replied" } },
      { op: "update", internalId: "h3", data: { Status: "Added to rotation", Station: "KEXP" } },
      { op: "update", internalId: "h5", data: { Status: "Declined" } },
    ]);
    expect(results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    const batches = w.fake.requests.filter((r) => r.operation === "values.batchUpdate");
    expect(batches).toHaveLength(1);
    expect(batches[0]!.ranges).toEqual([
      "'Sheet1'!C2",
      "'Sheet1'!B4",
      "'Sheet1'!C4",
      "'Sheet1'!C6",
    ]);
    const table = w.fake.table(w.spreadsheetId);
    expect(table.map((r) => r.cells.Status)).toEqual([
      "Replied",
      "Pitched",
      "Added to rotation",
      "Pitched",
      "Declined",
      "Pitched",
    ]);
    // Cells the host did not change (a formula here) were not rewritten.
    expect(table.map((r) => r.cells.Plays)).toEqual([
      "=SUM(0)",
      "=SUM(1)",
      "=SUM(2)",
      "=SUM(3)",
      "=SUM(4)",
      "=SUM(5)",
    ]);
    // The writes are echo-suppressed: the next sync reports nothing.
    expect(await w.sync("full")).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it("creates append rows with a new id, in one values.append", async () => {
    const w = await world();
    w.fake.clearRequests();
    const { results } = await w.write([
      {
        op: "create",
        internalId: "n1",
        data: { Artist: "Nilüfer Yanya", Station: "BBC 6", Status: "Pitched" },
      },
      { op: "create", internalId: "n2", data: { Artist: "Arlo Parks", Plays: 12 } },
    ]);
    expect(results.map((r) => r.status)).toEqual(["applied", "applied"]);
    expect(w.fake.requests.filter((r) => r.operation === "values.append")).toHaveLength(1);
    const table = w.fake.table(w.spreadsheetId);
    expect(table).toHaveLength(8);
    expect(table[6]!.cells).toEqual({
      Artist: "Nilüfer Yanya",
      Station: "BBC 6",
      Status: "Pitched",
      Plays: "",
      [ID]: results[0]!.externalId,
    });
    expect(table[7]!.cells).toMatchObject({
      Artist: "Arlo Parks",
      Plays: "12",
      [ID]: results[1]!.externalId,
    });
    expect(results[0]!.externalId).toMatch(ROW_ID_PATTERN);
    expect(await w.sync("full")).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it("deletes rows with one deleteDimension batch (bottom row first) by default", async () => {
    const w = await world();
    w.fake.clearRequests();
    const { results } = await w.write([
      { op: "delete", internalId: "h2" },
      { op: "delete", internalId: "h5" },
    ]);
    expect(results.map((r) => r.status)).toEqual(["applied", "applied"]);
    const structural = w.fake.requests.filter((r) => r.operation === "spreadsheets.batchUpdate");
    expect(structural).toHaveLength(1);
    expect(w.fake.table(w.spreadsheetId).map((r) => r.cells.Artist)).toEqual([
      "Artist 1",
      "Artist 3",
      "Artist 4",
      "Artist 6",
    ]);
    expect(await w.sync("full")).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it('with onDelete "clear_row", clears the row and leaves it in place', async () => {
    const w = await world({ onDelete: "clear_row" });
    const { results } = await w.write([{ op: "delete", internalId: "h2" }]);
    expect(results[0]!.status).toBe("applied");
    const grid = w.fake.values(w.spreadsheetId);
    expect(grid[2]).toEqual([]);
    expect(grid[3]![0]).toBe("Artist 3");
    expect(operations(w.fake)).not.toContain("spreadsheets.batchUpdate");
  });

  it("a create naming a column the sheet does not have fails with the columns listed, and the others apply", async () => {
    const w = await world();
    const { results } = await w.write([
      { op: "create", internalId: "n1", data: { Artist: "Good" } },
      { op: "create", internalId: "n2", data: { Artist: "Bad", Label: "Ninja Tune" } },
    ]);
    expect(results[0]!.status).toBe("applied");
    expect(results[1]).toMatchObject({ status: "failed" });
    expect(results[1]!.error).toBe(
      'column "Label" is not in the header row of "Sheet1" (columns: Artist, Station, Status, Plays)',
    );
  });

  it("updating a row the user deleted fails for that record only", async () => {
    const w = await world();
    w.fake.deleteRow(w.spreadsheetId, 3);
    const { results } = await w.write([
      { op: "update", internalId: "h2", data: { Status: "Replied" } },
      { op: "update", internalId: "h4", data: { Status: "Replied" } },
    ]);
    expect(results[0]).toMatchObject({ status: "failed" });
    expect(results[0]!.error).toMatch(/no longer in "Sheet1"/);
    expect(results[1]!.status).toBe("applied");
  });

  it("read() lets the default provider_wins policy skip a host update to a row the user edited since the last sync", async () => {
    const w = await world();
    w.fake.editCell(w.spreadsheetId, "C3", "Declined by the user");
    const { results } = await w.write([
      { op: "update", internalId: "h2", data: { Status: "Replied" } },
    ]);
    expect(results[0]).toMatchObject({
      status: "skipped_conflict",
      conflict: { winner: "provider" },
    });
    expect(w.fake.table(w.spreadsheetId)[1]!.cells.Status).toBe("Declined by the user");
  });

  it("read() returns the current rows by id, wherever they are now", async () => {
    const w = await world();
    w.fake.sortBy(w.spreadsheetId, "Artist", { order: "desc" });
    const rows = w.connector.models!.rows!;
    const found = await rows.read!(await w.context(), [w.ids[0]!, "r_notthere00", w.ids[5]!]);
    expect(found).toEqual([
      {
        _id: w.ids[0],
        Artist: "Artist 1",
        Station: "Station 1",
        Status: "Pitched",
        Plays: "=SUM(0)",
      },
      {
        _id: w.ids[5],
        Artist: "Artist 6",
        Station: "Station 6",
        Status: "Pitched",
        Plays: "=SUM(5)",
      },
    ]);
  });
});
