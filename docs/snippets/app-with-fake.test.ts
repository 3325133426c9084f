// Your app's integration test, against the Google Sheets fake: no network, no account.
import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
import { googleSheets } from "@patchbay/google-sheets";
import {
  createGoogleSheetsFake,
  GOOGLE_SANDBOX_CLIENT,
  GOOGLE_SHEETS_SANDBOX_REDIRECT,
} from "@patchbay/google-sheets/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";

const sheets = createGoogleSheetsFake(); // Sheets, Drive and Google's OAuth server, stateful
const server = setupServer(...sheets.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

it("imports the pitches sheet and writes a status back", async () => {
  const patchbay = createPatchbay({
    connectors: [googleSheets(GOOGLE_SANDBOX_CLIENT)],
    store: new MemoryStore(),
    vault: new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] }),
  });
  const tenantId = "org_1";

  // The OAuth round trip: the fake's authorization server approves as a user would.
  const { url } = await patchbay.connect.start({
    tenantId,
    connector: "google-sheets",
    redirectUri: GOOGLE_SHEETS_SANDBOX_REDIRECT,
  });
  const connection = await patchbay.connect.finish(sheets.oauth.approve(url), { tenantId });

  const { spreadsheetId } = sheets.seedSpreadsheet({
    title: "Pitches",
    headers: ["Artist", "Status"],
    rows: [{ Artist: "Bonobo", Status: "Pitched" }],
  });
  await patchbay.connections.configure(tenantId, connection.id, { spreadsheetId });

  const outcome = await patchbay.sync.run({ tenantId, connectionId: connection.id, model: "rows" });
  expect(outcome.status).toBe("succeeded");
  const { changes } = await patchbay.records.changes({ tenantId, connectionId: connection.id });
  expect(changes.map((c) => c.data)).toMatchObject([{ Artist: "Bonobo", Status: "Pitched" }]);

  // Link the row to your app's record, then change it from your app.
  const [row] = changes;
  if (row === undefined) throw new Error("no row synced");
  await patchbay.records.setInternalId({
    tenantId,
    connectionId: connection.id,
    model: "rows",
    externalId: row.externalId,
    internalId: "pitch_1",
  });
  const { results } = await patchbay.write({
    tenantId,
    connectionId: connection.id,
    model: "rows",
    changes: [{ op: "update", internalId: "pitch_1", data: { Status: "Booked" } }],
  });
  expect(results).toMatchObject([{ status: "applied" }]);
  expect(sheets.table(spreadsheetId)).toMatchObject([
    { cells: { Artist: "Bonobo", Status: "Booked" } },
  ]);
});
