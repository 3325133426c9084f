/** A connected Google Ads world for the feature tests. */
import { type Connection, createPatchbay, type Json, MemoryStore, Vault } from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type GoogleAdsOptions, googleAds } from "../src/index.js";
import {
  createGoogleAdsFake,
  GOOGLE_ADS_SANDBOX,
  GOOGLE_ADS_SANDBOX_APP,
  GOOGLE_ADS_SANDBOX_REDIRECT_URI,
  type GoogleAdsFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-ads";
/** 2026-10-31 08:00 UTC: the metrics window ends 2026-10-30. */
export const NOW = Date.parse("2026-10-31T08:00:00Z");
const VAULT_KEY = { kid: "test", key: Buffer.alloc(32, 7).toString("base64") };

export async function connectWorld(
  server: SetupServerApi,
  options: {
    fake?: GoogleAdsFakeOptions;
    connector?: Partial<GoogleAdsOptions>;
    config?: Record<string, Json> | null;
  } = {},
) {
  const fake = createGoogleAdsFake({ now: () => NOW, quotaRetryDelay: "0.01s", ...options.fake });
  fake.seedSandbox();
  server.use(...fake.handlers);
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [googleAds({ ...GOOGLE_ADS_SANDBOX_APP, now: () => NOW, ...options.connector })],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    tokens: { refreshRetries: 1 },
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "google-ads",
    redirectUri: GOOGLE_ADS_SANDBOX_REDIRECT_URI,
  });
  const connection: Connection = await patchbay.connect.finish(fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  if (options.config !== null)
    await patchbay.connections.configure(TENANT, connection.id, {
      customerId: GOOGLE_ADS_SANDBOX.customerId,
      ...options.config,
    });
  const sync = async (model: string) => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async <T = Record<string, Json>>(model: string) => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as T]));
  };
  const action = <T>(name: string, input: unknown) =>
    patchbay.actions.run<T>({ tenantId: TENANT, connectionId: connection.id, action: name, input });
  return { fake, store, patchbay, connection, sync, stored, action };
}
