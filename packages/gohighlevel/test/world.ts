/**
 * A host with one HighLevel connection against the fake, for the
 * provider-specific tests.
 */
import {
  type Connection,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type GoHighLevelOptions, goHighLevel } from "../src/index.js";
import {
  createGhlFake,
  GHL_SANDBOX_APP,
  GHL_SANDBOX_REDIRECT_URIS,
  GHL_SANDBOX_WEBHOOK_KEYS,
  type GhlFake,
  type GhlFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";

export interface WorldOptions {
  auth?: "oauth" | "private";
  fake?: GhlFakeOptions;
  connector?: Partial<GoHighLevelOptions>;
  patchbay?: Partial<PatchbayOptions>;
  config?: Record<string, unknown>;
  /** Before connecting (e.g. install on an agency). */
  before?: (fake: GhlFake) => void;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  const auth = options.auth ?? "oauth";
  const fake = createGhlFake({ rateLimit: { burstIntervalMs: 20 }, ...options.fake });
  server.use(...fake.handlers);
  options.before?.(fake);
  const connector = goHighLevel({
    ...(auth === "private" ? { auth: "private" } : GHL_SANDBOX_APP),
    webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey,
    ...options.connector,
  } as GoHighLevelOptions);
  const store = new MemoryStore();
  const patchbay: Patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    ...options.patchbay,
  });
  let connection: Connection;
  if (auth === "private") {
    connection = await patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "gohighlevel",
      credentials: fake.credentials,
      ...(options.config !== undefined && { config: options.config }),
    });
  } else {
    const { url } = await patchbay.connect.start({
      tenantId: TENANT,
      connector: "gohighlevel",
      redirectUri: GHL_SANDBOX_REDIRECT_URIS[1]!,
      ...(options.config !== undefined && { config: options.config }),
    });
    connection = await patchbay.connect.finish(fake.oauth!.approve(url), { tenantId: TENANT });
  }
  const sync = async (model: "contacts" | "appointments", mode?: "full" | "incremental") => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async (model: "contacts" | "appointments") => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
  };
  const action = <T>(name: string, input: unknown) =>
    patchbay.actions.run<T>({ tenantId: TENANT, connectionId: connection.id, action: name, input });
  /** The host imported a synced record under its own id. */
  const link = (model: "contacts" | "appointments", externalId: string, internalId: string) =>
    patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      externalId,
      internalId,
    });
  return { fake, connector, store, patchbay, connection, sync, stored, action, link };
}
