import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROW_ID_PATTERN, SHEETS_API } from "../src/index.js";
import { createGoogleSheetsFake, type GoogleSheetsFake } from "../src/testing/index.js";
import { connectSheets, ID, idsByArtist, TENANT } from "./helpers.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ARTISTS = ["Bonobo", "Caribou", "Floating Points", "Four Tet", "Jamie xx", "Kelly Lee Owens"];

function seed(fake: GoogleSheetsFake, extra: { rowCount?: number } = {}) {
  const { spreadsheetId } = fake.seedSpreadsheet({
    title: "Radio pitches",
    headers: ["Artist", "Station", "Status"],
    rows: ARTISTS.map((Artist, i) => ({ Artist, Station: `Station ${i}`, Status: "Pitched" })),
    ...extra,
  });
  return spreadsheetId;
}

async function world(connector: { blockRows?: number } = {}, rowCount?: number) {
  const fake = createGoogleSheetsFake();
  server.use(...fake.handlers);
  const spreadsheetId = seed(fake, { rowCount });
  const host = await connectSheets(fake, { config: { spreadsheetId }, connector });
  return { fake, spreadsheetId, ...host };
}

describe("row identity", () => {
  it("stamps a stable id into every row on the first sync, in one batched write, and keys records by it", async () => {
    const w = await world();
    w.fake.clearRequests();
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", inserted: 6 });
    const table = w.fake.table(w.spreadsheetId);
    expect(table[0]!.cells).toMatchObject({
      Artist: "Bonobo",
      [ID]: expect.stringMatching(ROW_ID_PATTERN),
    });
    // The ID column was added after the last header, then every row got its id in one write.
    expect(w.fake.values(w.spreadsheetId)[0]).toEqual(["Artist", "Station", "Status", ID]);
    expect(w.fake.requests.filter((r) => r.operation === "values.batchUpdate")).toHaveLength(1);
    const records = await w.records();
    expect([...records.keys()].sort()).toEqual(table.map((r) => r.cells[ID]).sort());
    expect(records.get(table[0]!.cells[ID]!)).toEqual({
      _id: table[0]!.cells[ID],
      Artist: "Bonobo",
      Station: "Station 0",
      Status: "Pitched",
    });
  });

  it("after the user sorts, inserts rows above and deletes a row in the middle, the right records update and delete and nothing is duplicated", async () => {
    const w = await world();
    await w.sync();
    const before = idsByArtist(w.fake, w.spreadsheetId);

    // The user, in the Sheets UI:
    w.fake.sortBy(w.spreadsheetId, "Artist", { order: "desc" });
    w.fake.insertRowsAbove(w.spreadsheetId, 2, 2);
    w.fake.deleteRow(w.spreadsheetId, w.fake.findRow(w.spreadsheetId, "Artist", "Four Tet")!);
    w.fake.editCell(
      w.spreadsheetId,
      `C${w.fake.findRow(w.spreadsheetId, "Artist", "Caribou")}`,
      "Added to rotation",
    );

    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 0, updated: 1, deleted: 1 });
    const records = await w.records();
    expect(records.size).toBe(5);
    expect(records.has(before.get("Four Tet")!)).toBe(false);
    expect(records.get(before.get("Caribou")!)).toMatchObject({
      Artist: "Caribou",
      Status: "Added to rotation",
    });
    // Every surviving row kept its id: the same record follows the same artist.
    for (const artist of ARTISTS.filter((a) => a !== "Four Tet")) {
      expect(records.get(before.get(artist)!)).toMatchObject({ Artist: artist });
    }
    // And the deletion reached the host's change feed as one delete, no re-inserts.
    const feed = await w.patchbay.records.changes({
      tenantId: TENANT,
      connectionId: w.connection.id,
    });
    expect(feed.changes.filter((c) => c.kind === "deleted").map((c) => c.externalId)).toEqual([
      before.get("Four Tet"),
    ]);
    expect(feed.changes.filter((c) => c.kind === "created")).toHaveLength(5);
  });

  it("write-back after the user sorted and inserted rows updates and deletes the rows the host meant", async () => {
    const w = await world();
    await w.sync();
    const ids = idsByArtist(w.fake, w.spreadsheetId);
    for (const artist of ["Caribou", "Jamie xx"]) {
      await w.patchbay.records.setInternalId({
        tenantId: TENANT,
        connectionId: w.connection.id,
        model: "rows",
        externalId: ids.get(artist)!,
        internalId: `host-${artist}`,
      });
    }
    w.fake.sortBy(w.spreadsheetId, "Artist", { order: "desc" });
    w.fake.insertRowsAbove(w.spreadsheetId, 3, 3);

    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
      changes: [
        { op: "update", internalId: "host-Caribou", data: { Status: "Replied" } },
        { op: "delete", internalId: "host-Jamie xx" },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(["applied", "applied"]);
    const table = w.fake.table(w.spreadsheetId);
    expect(table.find((r) => r.cells.Artist === "Caribou")?.cells.Status).toBe("Replied");
    expect(table.map((r) => r.cells.Artist)).not.toContain("Jamie xx");
    expect(table).toHaveLength(5);
    // Nobody else was touched.
    expect(table.filter((r) => r.cells.Status === "Pitched")).toHaveLength(4);
  });

  it("gives a copied row (pasted with its id) a new id and keeps the original's", async () => {
    const w = await world();
    await w.sync();
    const original = idsByArtist(w.fake, w.spreadsheetId).get("Bonobo")!;
    w.fake.appendRow(w.spreadsheetId, {
      Artist: "Bonobo (copy)",
      Station: "NTS",
      Status: "Pitched",
      [ID]: original,
    });

    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1, updated: 0, deleted: 0 });
    const ids = idsByArtist(w.fake, w.spreadsheetId);
    expect(ids.get("Bonobo")).toBe(original);
    expect(ids.get("Bonobo (copy)")).toMatch(ROW_ID_PATTERN);
    expect(ids.get("Bonobo (copy)")).not.toBe(original);
    const records = await w.records();
    expect(records.get(original)).toMatchObject({ Artist: "Bonobo" });
    expect(records.get(ids.get("Bonobo (copy)")!)).toMatchObject({ Artist: "Bonobo (copy)" });
  });

  it("gives a copy far down the sheet (another read block) a new id too", async () => {
    const w = await world({ blockRows: 3 }, 12);
    await w.sync();
    const original = idsByArtist(w.fake, w.spreadsheetId).get("Bonobo")!;
    w.fake.appendRow(w.spreadsheetId, {
      Artist: "Bonobo",
      Station: "Station 0",
      Status: "Pitched",
      [ID]: original,
    });

    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1, deleted: 0 });
    const ids = w.fake.table(w.spreadsheetId).map((r) => r.cells[ID]);
    expect(new Set(ids).size).toBe(7);
    expect((await w.records()).size).toBe(7);
  });

  it("fails the run without deleting anything when rows move between two block reads, and the next run is clean", async () => {
    const w = await world({ blockRows: 3 }, 12);
    await w.sync();
    const before = await w.records();
    // The user inserts two rows at the top while the connector reads the second block.
    server.use(
      http.get(
        `${SHEETS_API}/:id/values/:range`,
        () => {
          w.fake.insertRowsAbove(w.spreadsheetId, 2, 2);
        },
        { once: true },
      ),
    );
    const run = await w.sync("full");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/moved while the connector was reading/);
    expect(run.deleted).toBe(0);
    expect(await w.records()).toEqual(before);
    // No id was handed out twice.
    const ids = w.fake.table(w.spreadsheetId).map((r) => r.cells[ID]);
    expect(new Set(ids).size).toBe(ids.length);

    const next = await w.sync("full");
    expect(next).toMatchObject({ status: "succeeded", inserted: 0, updated: 0, deleted: 0 });
  });

  it("refuses to re-stamp every row when the user deleted the ID column, and recovers once it is restored", async () => {
    const w = await world();
    await w.sync();
    const before = await w.records();
    const column = w.fake.values(w.spreadsheetId).map((row) => row[3] ?? "");
    w.fake.deleteColumn(w.spreadsheetId, "Patchbay ID");

    const run = await w.sync("full");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/The "Patchbay ID" column is gone from the header row of "Sheet1"/);
    expect(await w.records()).toEqual(before);
    expect(w.fake.values(w.spreadsheetId)[0]).toEqual(["Artist", "Station", "Status"]);

    // Edit → Undo:
    for (const [i, id] of column.entries()) w.fake.editCell(w.spreadsheetId, `D${i + 1}`, id);
    expect(await w.sync("full")).toMatchObject({
      status: "succeeded",
      inserted: 0,
      updated: 0,
      deleted: 0,
    });
  });

  it("write-back does not add the ID column itself: it asks for a sync first", async () => {
    const w = await world();
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
      changes: [{ op: "create", internalId: "c1", data: { Artist: "Nilüfer Yanya" } }],
    });
    expect(results[0]).toMatchObject({
      status: "failed",
      error:
        'The "Patchbay ID" column is missing from the header row of "Sheet1": run a sync first (it adds the column and an ID to every row)',
    });
    expect(w.fake.table(w.spreadsheetId)).toHaveLength(6);
  });

  it("a row whose id cell the user cleared is a new record, and the old one is deleted", async () => {
    const w = await world();
    await w.sync();
    const old = idsByArtist(w.fake, w.spreadsheetId).get("Caribou")!;
    w.fake.editCell(w.spreadsheetId, `D${w.fake.findRow(w.spreadsheetId, ID, old)}`, "");
    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1, deleted: 1 });
    const fresh = idsByArtist(w.fake, w.spreadsheetId).get("Caribou")!;
    expect(fresh).not.toBe(old);
    expect((await w.records()).get(fresh)).toMatchObject({ Artist: "Caribou" });
  });
});
