/**
 * A host with one Jobber connection against the fake, for the
 * provider-specific tests. The fake and the connector share one fake clock:
 * the connector's waits advance it, so cost-bucket refills happen without
 * real time passing.
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
import { type JobberOptions, jobber } from "../src/index.js";
import {
  createJobberFake,
  type FakeModel,
  JOBBER_SANDBOX_APP,
  JOBBER_SANDBOX_REDIRECT_URIS,
  type JobberFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";

export interface WorldOptions {
  fake?: JobberFakeOptions;
  connector?: Partial<JobberOptions>;
  patchbay?: Partial<PatchbayOptions>;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  const clock = { ms: Date.parse("2025-06-02T15:00:00Z") };
  const now = () => clock.ms;
  const waits: number[] = [];
  const fake = createJobberFake({ now, ...options.fake });
  server.use(...fake.handlers);
  let patchbay!: Patchbay;
  const connector = jobber({
    ...JOBBER_SANDBOX_APP,
    rateLimitWaitMs: 5,
    now,
    sleep: async (ms) => {
      waits.push(ms);
      clock.ms += ms;
    },
    ...options.connector,
  });
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    ...options.patchbay,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "jobber",
    redirectUri: JOBBER_SANDBOX_REDIRECT_URIS[1]!,
  });
  const authorizeUrl = new URL(url);
  const connection: Connection = await patchbay.connect.finish(fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  const current = () => patchbay.connections.get(TENANT, connection.id);
  const sync = async (model: FakeModel, mode?: "full" | "incremental") => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async (model: FakeModel) => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
  };
  /** Advance the shared clock (a user edits "later"). */
  const tick = (ms: number) => {
    clock.ms += ms;
  };
  return {
    fake,
    connector,
    store,
    patchbay,
    connection,
    authorizeUrl,
    current,
    sync,
    stored,
    tick,
    waits,
    clock,
  };
}

/** The operation names the fake answered, optionally only those matching. */
export function operations(
  fake: { requests: readonly { operationName: string }[] },
  match?: RegExp,
): string[] {
  return fake.requests
    .map((r) => r.operationName)
    .filter((n) => match === undefined || match.test(n));
}
