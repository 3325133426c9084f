/**
 * A host with one Airtable connection against the fake, for the
 * provider-specific tests.
 */
import {
  type Connection,
  createPatchbay,
  type HttpClient,
  type LifecycleContext,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  silentLogger,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type AirtableConfig, type AirtableOptions, airtable } from "../src/index.js";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_CLIENT,
  AIRTABLE_SANDBOX_REDIRECT_URIS,
  type AirtableFakeOptions,
  createAirtableFake,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";
export const WEBHOOK_URL = `${WEBHOOK_BASE}/airtable`;
export const SANDBOX_CONFIG: AirtableConfig = {
  baseId: AIRTABLE_SANDBOX.baseId,
  tableId: AIRTABLE_SANDBOX.tableId,
};

export interface WorldOptions {
  auth?: "oauth" | "pat";
  fake?: AirtableFakeOptions;
  connector?: Partial<AirtableOptions>;
  patchbay?: Partial<PatchbayOptions>;
  /** Config given at connect time (so lifecycle setup sees it). Default: the sandbox table. `null`: none. */
  config?: Record<string, unknown> | null;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  const auth = options.auth ?? "pat";
  const fake = createAirtableFake({ ...(auth === "pat" && { oauth: false }), ...options.fake });
  server.use(...fake.handlers);
  const connector = airtable(
    (auth === "pat"
      ? { auth: "pat", rateLimitWaitMs: 5, ...options.connector }
      : {
          ...AIRTABLE_SANDBOX_CLIENT,
          rateLimitWaitMs: 5,
          ...options.connector,
        }) as AirtableOptions,
  );
  const store = new MemoryStore();
  const patchbay: Patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    ...options.patchbay,
  });
  const config = options.config === null ? undefined : (options.config ?? SANDBOX_CONFIG);
  let connection: Connection;
  if (auth === "pat") {
    connection = await patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "airtable",
      credentials: fake.credentials,
      ...(config !== undefined && { config }),
    });
  } else {
    const { url } = await patchbay.connect.start({
      tenantId: TENANT,
      connector: "airtable",
      redirectUri: AIRTABLE_SANDBOX_REDIRECT_URIS[1]!,
      ...(config !== undefined && { config }),
    });
    connection = await patchbay.connect.finish(fake.oauth!.approve(url), { tenantId: TENANT });
  }
  const current = () => patchbay.connections.get(TENANT, connection.id);
  const http = (): Promise<HttpClient> => patchbay.connections.http(TENANT, connection.id);
  /** A lifecycle context for calling the connector's hooks directly. */
  const lifecycleContext = async (
    overrides: Partial<LifecycleContext<AirtableConfig>> = {},
  ): Promise<LifecycleContext<AirtableConfig>> => {
    const c = await current();
    return {
      connection: c,
      config: c.config as AirtableConfig,
      metadata: c.metadata,
      http: await http(),
      logger: silentLogger,
      webhookUrl: WEBHOOK_URL,
      ...overrides,
    };
  };
  const sync = async (mode?: "full" | "incremental") => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "records",
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async () => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model: "records",
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r]));
  };
  return {
    fake,
    connector,
    store,
    patchbay,
    connection,
    current,
    http,
    lifecycleContext,
    sync,
    stored,
  };
}

/** The API requests the fake answered, as `METHOD path`, optionally only those matching. */
export function calls(
  fake: { requests: readonly { method: string; path: string }[] },
  match?: RegExp,
): string[] {
  return fake.requests
    .map((r) => `${r.method} ${r.path}`)
    .filter((line) => match === undefined || match.test(line));
}
