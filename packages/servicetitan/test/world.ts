/**
 * A host with one ServiceTitan connection against the fake, for the
 * provider-specific tests.
 */
import {
  type Connection,
  createPatchbay,
  type HttpClient,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type ServiceTitanOptions, serviceTitan } from "../src/index.js";
import {
  createServiceTitanFake,
  SERVICETITAN_SANDBOX_APP,
  type ServiceTitanFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";

export interface WorldOptions {
  fake?: ServiceTitanFakeOptions;
  connector?: Partial<ServiceTitanOptions>;
  patchbay?: Partial<PatchbayOptions>;
  /** What the user types. Default: the fake's first tenant. */
  credentials?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  const fake = createServiceTitanFake({ rateLimit: { retryAfterSeconds: 0 }, ...options.fake });
  server.use(...fake.handlers);
  const connector = serviceTitan({ ...SERVICETITAN_SANDBOX_APP, ...options.connector });
  const store = new MemoryStore();
  const patchbay: Patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    ...options.patchbay,
  });
  const connection: Connection = await patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "servicetitan",
    credentials: options.credentials ?? fake.credentials,
    ...(options.config !== undefined && { config: options.config }),
  });
  const http = (): Promise<HttpClient> => patchbay.connections.http(TENANT, connection.id);
  const sync = async (model: string, mode?: "full" | "incremental") => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async (model: string) => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
  };
  const write = (model: string, changes: Parameters<Patchbay["write"]>[0]["changes"]) =>
    patchbay.write({ tenantId: TENANT, connectionId: connection.id, model, changes });
  const action = (name: string, input: Record<string, unknown>) =>
    patchbay.actions.run({ tenantId: TENANT, connectionId: connection.id, action: name, input });
  return { fake, connector, store, patchbay, connection, http, sync, stored, write, action };
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
