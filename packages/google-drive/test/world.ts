/**
 * A Patchbay host connected to the fake Drive over OAuth, for the
 * provider-specific tests. Actions run the way a host would call them once
 * core exposes actions: input checked by the action's schema, a context with
 * the connection's authenticated HTTP client.
 */
import {
  type Connection,
  type ConnectorContext,
  createPatchbay,
  type ExportsOptions,
  type Json,
  MemoryStore,
  type Patchbay,
  type SyncRun,
  silentLogger,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type GoogleDriveConfig, type GoogleDriveOptions, googleDrive } from "../src/index.js";
import {
  createGoogleDriveFake,
  GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
  GOOGLE_SANDBOX_CLIENT,
  type GoogleDriveFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";

export async function driveWorld(
  server: SetupServerApi,
  options: {
    connector?: Partial<GoogleDriveOptions>;
    scopes?: string[];
    webhookBaseUrl?: string;
    config?: GoogleDriveConfig;
    /** Records per committed batch (commits per page when it equals the page size). */
    batchSize?: number;
    fake?: GoogleDriveFakeOptions;
    /** Export sources, for the scheduled-export tests. */
    exports?: ExportsOptions;
  } = {},
) {
  const drive = createGoogleDriveFake(options.fake);
  server.use(...drive.handlers);
  const connector = googleDrive({ ...GOOGLE_SANDBOX_CLIENT, ...options.connector });
  // Read the clock on every call, so tests that move it (vi.setSystemTime) move Patchbay's too.
  const now = () => Date.now();
  const store = new MemoryStore({ now });
  const patchbay: Patchbay = createPatchbay({
    now,
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] }),
    webhookBaseUrl: options.webhookBaseUrl,
    tokens: { refreshRetries: 1 },
    sync: { batchSize: options.batchSize },
    exports: options.exports,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "google-drive",
    redirectUri: GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
    scopes: options.scopes,
  });
  let connection: Connection = await patchbay.connect.finish(drive.oauth.approve(url), {
    tenantId: TENANT,
  });
  if (options.config !== undefined)
    connection = await patchbay.connections.configure(TENANT, connection.id, options.config);

  const current = () => patchbay.connections.get(TENANT, connection.id);

  async function context(): Promise<ConnectorContext<GoogleDriveConfig>> {
    const c = await current();
    return {
      connection: c,
      config: c.config as GoogleDriveConfig,
      metadata: c.metadata,
      http: await patchbay.connections.http(TENANT, c.id),
      logger: silentLogger,
    };
  }

  return {
    drive,
    patchbay,
    store,
    connector,
    connection,
    current,
    context,
    async configure(config: GoogleDriveConfig) {
      connection = await patchbay.connections.configure(TENANT, connection.id, config);
      return connection;
    },
    async sync(mode?: "full" | "incremental"): Promise<SyncRun> {
      const outcome = await patchbay.sync.run({
        tenantId: TENANT,
        connectionId: connection.id,
        model: "files",
        mode,
      });
      if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
      return outcome.run;
    },
    /** The stored `files` records, by Drive id. */
    async stored(): Promise<Map<string, Record<string, Json>>> {
      const rows = await store.listRecords(TENANT, {
        connectionId: connection.id,
        model: "files",
        limit: 10_000,
      });
      return new Map(rows.map((r) => [r.externalId, r.data as Record<string, Json>]));
    },
    /** Run one of the connector's actions as a host would. */
    async action(name: string, input: unknown): Promise<unknown> {
      const action = connector.actions?.[name];
      if (action === undefined) throw new Error(`no action ${name}`);
      return action.run(await context(), input);
    },
  };
}

export type DriveWorld = Awaited<ReturnType<typeof driveWorld>>;
