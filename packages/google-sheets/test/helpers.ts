import {
  type Connection,
  type ConnectorContext,
  createPatchbay,
  type Json,
  MemoryStore,
  type Patchbay,
  type SyncRun,
  Vault,
} from "@patchbay/core";
import { type GoogleSheetsOptions, googleSheets } from "../src/index.js";
import {
  GOOGLE_SANDBOX_CLIENT,
  GOOGLE_SHEETS_SANDBOX_REDIRECT,
  type GoogleSheetsFake,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const ID = "Patchbay ID";

const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] });

/** A host with one Google Sheets connection to the fake, configured when `config` is given. */
export async function connectSheets(
  fake: GoogleSheetsFake,
  options: {
    config?: Record<string, unknown>;
    connector?: Partial<GoogleSheetsOptions>;
    conflictPolicy?: "provider_wins" | "host_wins" | "newest_wins";
  } = {},
) {
  const connector = googleSheets({ ...GOOGLE_SANDBOX_CLIENT, ...options.connector });
  const patchbay: Patchbay = createPatchbay({
    connectors: [connector],
    store: new MemoryStore(),
    vault: VAULT,
    conflictPolicy: options.conflictPolicy,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "google-sheets",
    redirectUri: GOOGLE_SHEETS_SANDBOX_REDIRECT,
  });
  let connection: Connection = await patchbay.connect.finish(fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  if (options.config !== undefined) {
    connection = await patchbay.connections.configure(TENANT, connection.id, options.config);
  }
  const id = connection.id;

  return {
    patchbay,
    connector,
    connection,
    /** Run a sync and return the run (throws if skipped). */
    async sync(mode?: "full" | "incremental"): Promise<SyncRun> {
      const outcome = await patchbay.sync.run({
        tenantId: TENANT,
        connectionId: id,
        model: "rows",
        mode,
      });
      if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
      return outcome.run;
    },
    /** Live stored records, by external id. */
    async records(): Promise<Map<string, Record<string, Json>>> {
      const out = new Map<string, Record<string, Json>>();
      for (let after: string | undefined; ; ) {
        const page = await patchbay.records.list({
          tenantId: TENANT,
          connectionId: id,
          model: "rows",
          after,
          limit: 500,
        });
        for (const r of page.records) out.set(r.externalId, r.raw as Record<string, Json>);
        if (page.next === null) break;
        after = page.next;
      }
      return out;
    },
    /** A context for calling the connector's functions directly (actions, model functions). */
    async context(): Promise<ConnectorContext<never>> {
      const current = await patchbay.connections.get(TENANT, id);
      return {
        connection: current,
        config: current.config as never,
        metadata: current.metadata,
        http: await patchbay.connections.http(TENANT, id),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      };
    },
  };
}

/** Rows of the fake's sheet as `{ id → Artist }`. */
export function idsByArtist(fake: GoogleSheetsFake, spreadsheetId: string): Map<string, string> {
  return new Map(
    fake.table(spreadsheetId).map(({ cells }) => [cells.Artist ?? "", cells[ID] ?? ""]),
  );
}

/** The operations the fake served since the last `clearRequests()`. */
export function operations(fake: GoogleSheetsFake): string[] {
  return fake.requests.map((r) => r.operation);
}
