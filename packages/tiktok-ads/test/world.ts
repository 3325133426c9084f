/** A TikTok Ads world for the feature tests: the fake, a Patchbay, and a connection through TikTok's authorization. */
import { createPatchbay, type Json, MemoryStore, Vault } from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type TikTokAdsOptions, tiktokAds } from "../src/index.js";
import { createTikTokAdsFake, TIKTOK_SANDBOX, TIKTOK_SANDBOX_APP } from "../src/testing/index.js";

export const TENANT = "tenant-tiktok";
export const NOW = Date.parse("2026-10-31T08:00:00Z");
const VAULT_KEY = { kid: "test", key: Buffer.alloc(32, 3).toString("base64") };

/** The fake and a Patchbay with the connector, nothing connected yet. */
export function createWorld(
  server: SetupServerApi,
  options: { connector?: Partial<TikTokAdsOptions>; seed?: boolean } = {},
) {
  const fake = createTikTokAdsFake({ now: () => NOW });
  if (options.seed !== false) fake.seedSandbox();
  server.use(...fake.handlers);
  const slept: number[] = [];
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [
      tiktokAds({
        ...TIKTOK_SANDBOX_APP,
        now: () => NOW,
        sleep: async (ms) => {
          slept.push(ms);
        },
        ...options.connector,
      }),
    ],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
  });
  /** `connect.start` for the sandbox callback URL: the authorization URL to send the user to. */
  const start = async () =>
    (
      await patchbay.connect.start({
        tenantId: TENANT,
        connector: "tiktok-ads",
        redirectUri: TIKTOK_SANDBOX.redirectUri,
      })
    ).url;
  return { fake, store, patchbay, slept, start };
}

/** A world with an active connection: `connect.start` → TikTok's consent → `connect.finish`. */
export async function connectWorld(
  server: SetupServerApi,
  options: {
    connector?: Partial<TikTokAdsOptions>;
    config?: Record<string, Json>;
    seed?: boolean;
  } = {},
) {
  const world = createWorld(server, options);
  const { fake, store, patchbay } = world;
  const callback = fake.consent.approve(await world.start());
  const connection = await patchbay.connect.finish(callback, { tenantId: TENANT });
  if (options.config !== undefined)
    await patchbay.connections.configure(TENANT, connection.id, options.config);
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
  return { ...world, connection, sync, stored };
}
