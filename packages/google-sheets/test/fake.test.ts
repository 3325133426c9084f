import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DRIVE_API, GOOGLE_SHEETS_SCOPES, SHEETS_API } from "../src/index.js";
import {
  createGoogleSheetsFake,
  GOOGLE_SANDBOX_CLIENT,
  type GoogleSheetsFake,
} from "../src/testing/index.js";

// The fake is the contract: it must answer as Google's reference says.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let fake: GoogleSheetsFake;
let spreadsheetId: string;
let token: string;

beforeEach(() => {
  fake = createGoogleSheetsFake();
  server.use(...fake.handlers);
  ({ spreadsheetId } = fake.seedSpreadsheet({
    title: "Pitches",
    headers: ["Artist", "Station", "Status"],
    rows: [["Bonobo", "KEXP", "Pitched"], ["Caribou", "", ""], [], ["Four Tet", "NTS", 42]],
  }));
  token = fake.oauth.issueTokens({
    clientId: GOOGLE_SANDBOX_CLIENT.clientId,
    scopes: [GOOGLE_SHEETS_SCOPES.driveFile],
  }).accessToken;
});

async function call(
  path: string,
  init: { method?: string; json?: unknown; token?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? token}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(
    path.startsWith("https:") ? path : `${SHEETS_API}/${spreadsheetId}${path}`,
    {
      method: init.method ?? "GET",
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    },
  );
  return { status: response.status, body: (await response.json()) as GoogleBody };
}

/** What the tests read from Google's JSON bodies. */
interface GoogleBody {
  error?: { code?: number; message?: string; status?: string; details?: unknown[] };
  values?: unknown[][];
  [key: string]: unknown;
}

const range = (a1: string) => encodeURIComponent(a1);

describe("Google Sheets fake", () => {
  it("omits trailing empty cells and rows, keeps empty cells in the middle, and renders as asked", async () => {
    const tab = await call(`/values/${range("Sheet1!A2:Z10")}`);
    expect(tab.body).toEqual({
      range: "Sheet1!A2:Z10",
      majorDimension: "ROWS",
      values: [["Bonobo", "KEXP", "Pitched"], ["Caribou"], [], ["Four Tet", "NTS", "42"]],
    });
    const raw = await call(`/values/${range("Sheet1!C5")}?valueRenderOption=UNFORMATTED_VALUE`);
    expect(raw.body.values).toEqual([[42]]);
    const empty = await call(`/values/${range("Sheet1!A20:C30")}`);
    expect(empty.body).toEqual({ range: "Sheet1!A20:C30", majorDimension: "ROWS" });
  });

  it("answers an unknown tab with 400 and an unknown spreadsheet with 404, in Google's error shape", async () => {
    const tab = await call(`/values/${range("Nope!A1")}`);
    expect(tab).toEqual({
      status: 400,
      body: {
        error: {
          code: 400,
          message: "Unable to parse range: Nope!A1",
          errors: [
            { domain: "global", reason: "badRequest", message: "Unable to parse range: Nope!A1" },
          ],
          status: "INVALID_ARGUMENT",
        },
      },
    });
    const missing = await call(`${SHEETS_API}/1NoSuchSpreadsheet?fields=sheets.properties`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 404,
      message: "Requested entity was not found.",
      status: "NOT_FOUND",
    });
  });

  it("refuses reads and writes outside the grid", async () => {
    const read = await call(`/values/${range("Sheet1!1001:1002")}`);
    expect(read.status).toBe(400);
    expect(read.body.error?.message).toBe(
      "Range (Sheet1!1001:1002) exceeds grid limits. Max rows: 1000, max columns: 26",
    );
    const write = await call(`/values/${range("Sheet1!AA1")}?valueInputOption=RAW`, {
      method: "PUT",
      json: { values: [["x"]] },
    });
    expect(write.status).toBe(400);
    expect(write.body.error?.message).toMatch(/exceeds grid limits/);
  });

  it("requires valueInputOption on every write", async () => {
    for (const [path, method, json] of [
      [`/values/${range("Sheet1!A9")}`, "PUT", { values: [["x"]] }],
      ["/values:batchUpdate", "POST", { data: [{ range: "Sheet1!A9", values: [["x"]] }] }],
      [`/values/${range("Sheet1!A1")}:append`, "POST", { values: [["x"]] }],
    ] as const) {
      const response = await call(path, { method, json });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        message: "'valueInputOption' is required but not specified",
        status: "INVALID_ARGUMENT",
      });
    }
    expect(fake.table(spreadsheetId)).toHaveLength(3);
  });

  it("applies values:batchUpdate atomically: one bad range and nothing is written", async () => {
    const version = fake.file(spreadsheetId).version;
    const response = await call("/values:batchUpdate", {
      method: "POST",
      json: {
        valueInputOption: "RAW",
        data: [
          { range: "Sheet1!C2", values: [["Replied"]] },
          { range: "Nope!A1", values: [["x"]] },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(fake.table(spreadsheetId)[0]!.cells.Status).toBe("Pitched");
    expect(fake.file(spreadsheetId).version).toBe(version);
  });

  it("appends after the table found from the range, inserting rows, and reports what it wrote", async () => {
    const response = await call(
      `/values/${range("Sheet1!A1:C1")}:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS&includeValuesInResponse=true`,
      {
        method: "POST",
        json: { values: [["Jamie xx", "BBC 6", "7"]] },
      },
    );
    expect(response.body).toEqual({
      spreadsheetId,
      tableRange: "Sheet1!A1:C3",
      updates: {
        spreadsheetId,
        updatedRange: "Sheet1!A4:C4",
        updatedRows: 1,
        updatedColumns: 3,
        updatedCells: 3,
        updatedData: {
          range: "Sheet1!A4:C4",
          majorDimension: "ROWS",
          values: [["Jamie xx", "BBC 6", "7"]],
        },
      },
    });
    // USER_ENTERED parsed "7" as a number; the blank row 4 moved down with the inserted row.
    expect(fake.spreadsheet(spreadsheetId).sheets[0]!.cells[3]![2]).toBe(7);
    expect(fake.values(spreadsheetId)[5]).toEqual(["Four Tet", "NTS", "42"]);
    expect(fake.spreadsheet(spreadsheetId).sheets[0]!.rowCount).toBe(1001);
  });

  it("sorts and deletes rows through spreadsheets.batchUpdate, as a user would", async () => {
    const sort = await call(":batchUpdate", {
      method: "POST",
      json: {
        requests: [
          {
            sortRange: {
              range: {
                sheetId: 0,
                startRowIndex: 1,
                endRowIndex: 5,
                startColumnIndex: 0,
                endColumnIndex: 3,
              },
              sortSpecs: [{ dimensionIndex: 0, sortOrder: "DESCENDING" }],
            },
          },
          {
            deleteDimension: {
              range: { sheetId: 0, dimension: "ROWS", startIndex: 1, endIndex: 2 },
            },
          },
        ],
      },
    });
    expect(sort).toEqual({ status: 200, body: { spreadsheetId, replies: [{}, {}] } });
    // Descending, blanks last; then the first data row (Four Tet) was deleted.
    expect(fake.values(spreadsheetId)).toEqual([
      ["Artist", "Station", "Status"],
      ["Caribou"],
      ["Bonobo", "KEXP", "Pitched"],
    ]);
  });

  it("changes the Drive version and modifiedTime on every write, and honours fields", async () => {
    const before = await call(`${DRIVE_API}/files/${spreadsheetId}?fields=modifiedTime,version`);
    expect(Object.keys(before.body).sort()).toEqual(["modifiedTime", "version"]);
    fake.editCell(spreadsheetId, "C3", "Replied");
    const after = await call(`${DRIVE_API}/files/${spreadsheetId}?fields=modifiedTime,version`);
    expect(Number(after.body.version)).toBe(Number(before.body.version) + 1);
    expect(String(after.body.modifiedTime) > String(before.body.modifiedTime)).toBe(true);
    const metadata = await call(`?fields=sheets.properties`);
    expect(Object.keys(metadata.body)).toEqual(["sheets"]);
  });

  it("answers 401 without a valid token and 429 RESOURCE_EXHAUSTED when rate limited", async () => {
    const anonymous = await call("/values/A1", { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.status).toBe("UNAUTHENTICATED");
    fake.rateLimitNext(1);
    const limited = await call("/values/A1");
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({
      status: "RESOURCE_EXHAUSTED",
      details: [{ reason: "RATE_LIMIT_EXCEEDED" }],
    });
    expect((await call("/values/A1")).status).toBe(200);
  });

  it("under drive.file, hides files the app neither created nor was given", async () => {
    const { spreadsheetId: other } = fake.seedSpreadsheet({ headers: ["A"], appAccess: false });
    expect((await call(`${SHEETS_API}/${other}`)).status).toBe(403);
    expect((await call(`${DRIVE_API}/files/${other}?fields=version`)).status).toBe(404);
    const broad = fake.oauth.issueTokens({
      clientId: GOOGLE_SANDBOX_CLIENT.clientId,
      scopes: [GOOGLE_SHEETS_SCOPES.spreadsheets],
    }).accessToken;
    expect((await call(`${SHEETS_API}/${other}`, { token: broad })).status).toBe(200);
    // The spreadsheets scope is no Drive scope.
    expect(
      (await call(`${DRIVE_API}/files/${other}?fields=version`, { token: broad })).status,
    ).toBe(403);
  });
});
