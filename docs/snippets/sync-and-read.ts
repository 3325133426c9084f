// After the user clicked "Connect Google Sheets" (GET /integrations/google-sheets/connect)
// and came back through the callback, the connection is active.
import { patchbay } from "./patchbay.js";

const tenantId = "org_1";
const [connection] = await patchbay.connections.list(tenantId, { connector: "google-sheets" });
if (connection === undefined) throw new Error("connect Google Sheets first");

// Which spreadsheet and tab to sync (the React configure dialog does this for users).
await patchbay.connections.configure(tenantId, connection.id, {
  spreadsheetId: "1AbC...",
  sheet: "Pitches",
});

// Sync now, and every 15 minutes from now on.
const outcome = await patchbay.sync.run({ tenantId, connectionId: connection.id, model: "rows" });
if (outcome.status === "succeeded") console.log(`${outcome.run.inserted} new rows`);
await patchbay.sync.schedule({
  tenantId,
  connectionId: connection.id,
  model: "rows",
  schedule: { kind: "every", minutes: 15 },
});

// Read what changed since last time: keep the cursor, pass it next time.
let cursor: string | undefined; // load it from your database
for (;;) {
  const page = await patchbay.records.changes({
    tenantId,
    connectionId: connection.id,
    after: cursor,
  });
  for (const change of page.changes) console.log(change);
  cursor = page.cursor; // save it
  if (!page.hasMore) break;
}
