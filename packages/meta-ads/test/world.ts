/** A connected Meta Ads world for the feature tests. */
import { type Connection, createPatchbay, type Json, MemoryStore, Vault } from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type MetaAdsOptions, metaAds } from "../src/index.js";
import {
  createMetaAdsFake,
  META_SANDBOX,
  META_SANDBOX_APP,
  META_SANDBOX_REDIRECT_URI,
  type MetaAdsFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-meta";
/** 2026-10-31 08:00 UTC: the insights window ends 2026-10-30. */
export const START = Date.parse("2026-10-31T08:00:00Z");
const VAULT_KEY = { kid: "test", key: Buffer.alloc(32, 5).toString("base64") };

export async function connectWorld(
  server: SetupServerApi,
  options: {
    fake?: MetaAdsFakeOptions;
    connector?: Partial<MetaAdsOptions>;
    config?: Record<string, Json>;
    systemUser?: boolean;
  } = {},
) {
  const clock = { now: START };
  const now = () => clock.now;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock.now += ms;
  };
  const fake = createMetaAdsFake({ now, reportPolls: 2, ...options.fake });
  fake.seedSandbox();
  server.use(...fake.handlers);
  const store = new MemoryStore();
  const common = {
    webhookVerifyToken: META_SANDBOX.webhookVerifyToken,
    now,
    sleep,
    pollIntervalMs: 1000,
  };
  const connector = options.systemUser
    ? metaAds({
        auth: "system_user",
        appSecret: META_SANDBOX_APP.clientSecret,
        ...common,
        ...options.connector,
      } as MetaAdsOptions)
    : metaAds({ ...META_SANDBOX_APP, ...common, ...options.connector } as MetaAdsOptions);
  const patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    now,
    tokens: { refreshRetries: 1 },
  });
  let connection: Connection;
  if (options.systemUser) {
    connection = await patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "meta-ads",
      credentials: { accessToken: META_SANDBOX.systemUserToken },
    });
  } else {
    const { url } = await patchbay.connect.start({
      tenantId: TENANT,
      connector: "meta-ads",
      redirectUri: META_SANDBOX_REDIRECT_URI,
    });
    connection = await patchbay.connect.finish(fake.oauth.approve(url), { tenantId: TENANT });
  }
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
  const current = () => patchbay.connections.get(TENANT, connection.id);
  return { fake, store, patchbay, connection, sync, stored, current, clock, slept };
}
