import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { GOOGLE_SHEETS_SCOPES, googleSheets, newRowId } from "../src/index.js";
import { createGoogleSheetsFake, GOOGLE_SANDBOX_CLIENT } from "../src/testing/index.js";
import { connectSheets, ID, TENANT } from "./helpers.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function fakeWithSheet() {
  const fake = createGoogleSheetsFake();
  server.use(...fake.handlers);
  const { spreadsheetId } = fake.seedSpreadsheet({
    title: "Radio pitches",
    sheet: "Pitches",
    headers: ["Artist", "Station", "Status"],
    rows: [{ Artist: "Bonobo", Station: "KEXP", Status: "Pitched" }],
  });
  return { fake, spreadsheetId };
}

describe("the connector's declaration", () => {
  it("asks only for drive.file by default, adds spreadsheets when the host wants every spreadsheet", () => {
    const picked = googleSheets(GOOGLE_SANDBOX_CLIENT);
    expect(picked.auth).toMatchObject({ kind: "oauth2", scopes: [GOOGLE_SHEETS_SCOPES.driveFile] });
    const all = googleSheets({ ...GOOGLE_SANDBOX_CLIENT, access: "all-spreadsheets" });
    expect(all.auth).toMatchObject({
      scopes: [GOOGLE_SHEETS_SCOPES.spreadsheets, GOOGLE_SHEETS_SCOPES.driveFile],
    });
    expect(picked.auth).toMatchObject({
      authorizeParams: { access_type: "offline", prompt: "consent" },
    });
  });

  it("declares a rate limit that keeps each user under 60 requests a minute", () => {
    expect(googleSheets(GOOGLE_SANDBOX_CLIENT).http?.rateLimits).toContainEqual({
      requests: 60,
      intervalMs: 60_000,
      scope: "connection",
    });
  });

  it("rejects bad options with a TypeError naming them", () => {
    expect(() => googleSheets({ clientId: "", clientSecret: "x" })).toThrow(
      '"clientId" must be a non-empty string',
    );
    expect(() => googleSheets({ ...GOOGLE_SANDBOX_CLIENT, access: "everything" as never })).toThrow(
      'googleSheets(): "access" must be "picked-files" or "all-spreadsheets", got "everything"',
    );
    expect(() => googleSheets({ ...GOOGLE_SANDBOX_CLIENT, blockRows: 0 })).toThrow(
      '"blockRows" must be an integer from 1 to 10000',
    );
  });

  it("exports its config as JSON Schema for a settings form", () => {
    const schema = z.toJSONSchema(googleSheets(GOOGLE_SANDBOX_CLIENT).config!, { io: "input" }) as {
      required?: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.required).toEqual(["spreadsheetId"]);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["spreadsheetId", "sheet", "sheetId", "headerRow", "idColumn"]),
    );
  });
});

describe("connecting and configuring", () => {
  it("connects before a spreadsheet is chosen, and remembers the Google account", async () => {
    const { fake } = fakeWithSheet();
    const w = await connectSheets(fake);
    expect(w.connection).toMatchObject({
      status: "active",
      metadata: { email: "fake-user-1@example.com" },
    });
    const run = await w.patchbay.sync.run({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
    });
    expect(run.status).toBe("failed");
    expect(run.status === "failed" && run.run.error).toMatch(/not configured: "spreadsheetId"/);
  });

  it("test() checks that the spreadsheet and tab are readable, naming the tabs when the tab is wrong", async () => {
    const { fake, spreadsheetId } = fakeWithSheet();
    const w = await connectSheets(fake, { config: { spreadsheetId, sheet: "Pitches" } });
    expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
    await w.patchbay.connections.configure(TENANT, w.connection.id, {
      spreadsheetId,
      sheet: "Festivals",
    });
    const result = await w.patchbay.connections.test(TENANT, w.connection.id);
    expect(result).toEqual({
      ok: false,
      message:
        'Tab "Festivals" not found in spreadsheet "Radio pitches"; tabs: "Pitches" (sheetId 0)',
    });
  });

  it("an unknown spreadsheet is a clear error, not a bare 404", async () => {
    const { fake } = fakeWithSheet();
    const w = await connectSheets(fake, {
      config: { spreadsheetId: "1NoSuchSpreadsheetAnywhere" },
    });
    const result = await w.patchbay.connections.test(TENANT, w.connection.id);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^Spreadsheet "1NoSuchSpreadsheetAnywhere" was not found, or this Google account cannot open it/,
    );
  });

  it("configure refuses something that is not a spreadsheet ID", async () => {
    const { fake } = fakeWithSheet();
    const w = await connectSheets(fake);
    await expect(
      w.patchbay.connections.configure(TENANT, w.connection.id, {
        spreadsheetId: "https://docs.google.com/x",
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
  });

  it("keeps syncing a tab chosen by sheetId after the user renames it", async () => {
    const { fake, spreadsheetId } = fakeWithSheet();
    const w = await connectSheets(fake, { config: { spreadsheetId, sheetId: 0 } });
    await w.sync();
    fake.renameSheet(spreadsheetId, 0, "Pitches 2026");
    fake.editCell(spreadsheetId, "'Pitches 2026'!C2", "Replied");
    expect(await w.sync()).toMatchObject({ status: "succeeded", updated: 1 });
  });

  it("reads a header row that is not row 1", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Q3 radio campaign"],
      rows: [[], ["Artist", "Status"], ["Bonobo", "Pitched"]],
    });
    const w = await connectSheets(fake, { config: { spreadsheetId, headerRow: 3 } });
    expect(await w.sync()).toMatchObject({ status: "succeeded", inserted: 1 });
    expect([...(await w.records()).values()]).toEqual([
      { _id: expect.any(String), Artist: "Bonobo", Status: "Pitched" },
    ]);
    expect(fake.values(spreadsheetId)[2]).toEqual(["Artist", "Status", ID]);
  });
});

describe("columns and field mapping", () => {
  it("maps host fields to the header's columns, and an unknown column is an error listing the columns", async () => {
    const { fake, spreadsheetId } = fakeWithSheet();
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    const hostSchema = z.object({ artistName: z.string(), status: z.string() });
    await w.patchbay.connections.setFieldMapping(
      TENANT,
      w.connection.id,
      "rows",
      { artistName: "Artist", status: "Status" },
      { hostSchema },
    );
    await expect(
      w.patchbay.connections.setFieldMapping(
        TENANT,
        w.connection.id,
        "rows",
        { artistName: "Artist", status: "State" },
        { hostSchema },
      ),
    ).rejects.toThrow(
      'Field mapping of "rows": unknown column "State" (for "status"); available: Artist, Station, Status',
    );

    await w.sync();
    const feed = await w.patchbay.records.changes({
      tenantId: TENANT,
      connectionId: w.connection.id,
    });
    expect(feed.changes[0]!.data).toEqual({ artistName: "Bonobo", status: "Pitched" });
  });

  it("fields follow the live header: a column the user adds can be mapped right away", async () => {
    const { fake, spreadsheetId } = fakeWithSheet();
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    fake.editCell(spreadsheetId, "D1", "Notes");
    const fields = await w.connector.models!.rows!.fields!(await w.context());
    expect(fields).toEqual(["Artist", "Station", "Status", "Notes"]);
  });

  it("duplicate header names get a suffix, so no column is lost", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({
      headers: ["Artist", "Notes", "Notes", ID],
      rows: [["Bonobo", "a", "b", newRowId()]],
    });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    await w.sync();
    expect([...(await w.records()).values()][0]).toMatchObject({
      Artist: "Bonobo",
      Notes: "a",
      "Notes (2)": "b",
    });
  });

  it("an empty header row is a clear error instead of an empty sheet (which would delete every record)", async () => {
    const fake = createGoogleSheetsFake();
    server.use(...fake.handlers);
    const { spreadsheetId } = fake.seedSpreadsheet({ headers: [], rows: [["Bonobo", "Pitched"]] });
    const w = await connectSheets(fake, { config: { spreadsheetId } });
    const run = await w.sync();
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/The header row \(row 1\) of "Sheet1" is empty/);
  });
});

describe("actions", () => {
  it("createSpreadsheet makes a spreadsheet with the header and the ID column, ready to configure and sync", async () => {
    const { fake } = fakeWithSheet();
    const w = await connectSheets(fake);
    const created = await w.connector.actions!.createSpreadsheet!.run(await w.context(), {
      title: "Radio pitches 2026",
      headers: ["Artist", "Station", "Status"],
    });
    expect(created).toMatchObject({
      sheetId: 0,
      sheet: "Sheet1",
      headers: ["Artist", "Station", "Status", ID],
    });
    const { spreadsheetId } = created as { spreadsheetId: string };
    expect(fake.values(spreadsheetId)).toEqual([["Artist", "Station", "Status", ID]]);
    await w.patchbay.connections.configure(TENANT, w.connection.id, { spreadsheetId, sheetId: 0 });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
      changes: [{ op: "create", internalId: "c1", data: { Artist: "Bonobo", Status: "Pitched" } }],
    });
    expect(results[0]!.status).toBe("applied");
    expect(fake.table(spreadsheetId)[0]!.cells).toMatchObject({
      Artist: "Bonobo",
      [ID]: results[0]!.externalId,
    });
  });

  it("createSpreadsheet rejects bad input with a TypeError naming the field", async () => {
    const { fake } = fakeWithSheet();
    const w = await connectSheets(fake);
    const run = w.connector.actions!.createSpreadsheet!.run;
    await expect(run(await w.context(), { title: "", headers: ["A"] })).rejects.toThrow(
      'createSpreadsheet: "title" Too small: expected string to have >=1 characters',
    );
    await expect(run(await w.context(), { title: "T", headers: ["A", "A"] })).rejects.toThrow(
      'createSpreadsheet: "headers.1" duplicate column "A"',
    );
  });

  it("listSheets lists the tabs in order for a tab picker", async () => {
    const { fake, spreadsheetId } = fakeWithSheet();
    const festivals = fake.addSheet(spreadsheetId, { title: "Festivals" });
    const w = await connectSheets(fake);
    const tabs = await w.connector.actions!.listSheets!.run(await w.context(), { spreadsheetId });
    expect(tabs).toEqual([
      { sheetId: 0, title: "Pitches", index: 0, rowCount: 1000, columnCount: 26, hidden: false },
      {
        sheetId: festivals,
        title: "Festivals",
        index: 1,
        rowCount: 1000,
        columnCount: 26,
        hidden: false,
      },
    ]);
    await expect(w.connector.actions!.listSheets!.run(await w.context(), {})).rejects.toThrow(
      'listSheets: "spreadsheetId" is required (no spreadsheet is configured)',
    );
  });
});
