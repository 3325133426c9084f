import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { googleSheets } from "../src/index.js";
import {
  createGoogleSheetsFake,
  GOOGLE_SANDBOX_CLIENT,
  GOOGLE_SHEETS_SANDBOX_REDIRECT,
  type GoogleSheetsFake,
} from "../src/testing/index.js";

type SheetsContractFake = ContractFake & { sheets: GoogleSheetsFake; spreadsheetId: string };

const ID = "Patchbay ID";

/** The sheet as records: what the connector should have synced. */
function snapshot({ sheets, spreadsheetId }: SheetsContractFake): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const { cells } of sheets.table(spreadsheetId)) {
    const { [ID]: id, ...fields } = cells;
    if (id) out.set(id, { ...fields, _id: id });
  }
  return out;
}

const rows: ContractModel<SheetsContractFake> = {
  seed: ({ sheets, spreadsheetId }, n) => {
    for (let i = 1; i <= n; i++)
      sheets.appendRow(spreadsheetId, {
        Artist: `Artist ${i}`,
        Station: `Station ${i % 4}`,
        Status: "Pitched",
      });
  },
  snapshot,
  update: ({ sheets, spreadsheetId }, id) =>
    sheets.editCell(
      spreadsheetId,
      `C${sheets.findRow(spreadsheetId, ID, id)}`,
      "Added to rotation",
    ),
  create: ({ sheets, spreadsheetId }) => {
    sheets.appendRow(spreadsheetId, {
      Artist: "Typed by hand",
      Status: "New",
      [ID]: "r_handtyped1",
    });
    return "r_handtyped1";
  },
  remove: ({ sheets, spreadsheetId }, id) =>
    sheets.deleteRow(spreadsheetId, sheets.findRow(spreadsheetId, ID, id)!),
  hostRecord: (n) => ({ Artist: `Host artist ${n}`, Station: "KEXP", Status: "Pitched" }),
};

testConnectorContract<SheetsContractFake>("google-sheets", {
  connector: () => googleSheets(GOOGLE_SANDBOX_CLIENT),
  redirectUri: GOOGLE_SHEETS_SANDBOX_REDIRECT,
  fake: () => {
    const sheets = createGoogleSheetsFake();
    // The header has no ID column yet: the first sync adds it.
    const { spreadsheetId } = sheets.seedSpreadsheet({
      title: "Radio pitches",
      headers: ["Artist", "Station", "Status"],
    });
    return {
      sheets,
      spreadsheetId,
      handlers: sheets.handlers,
      oauth: sheets.oauth,
      rateLimitNext: (n) => sheets.rateLimitNext(n),
    };
  },
  configure: async (patchbay, connection, fake) => {
    await patchbay.connections.configure(connection.tenantId, connection.id, {
      spreadsheetId: fake.spreadsheetId,
    });
  },
  models: { rows },
});
