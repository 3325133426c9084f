/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import { type Connection, createPatchbay, MemoryStore, type Patchbay, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type YelpOptions, yelp } from "../src/index.js";
import { createYelpFake, type YelpFake, type YelpFakeOptions } from "../src/testing/index.js";

export const TENANT = "tenant-1";
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 9).toString("base64") }] });

/** One MSW server per test file; each world adds its fake's handlers. */
export const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export interface World {
  fake: YelpFake;
  patchbay: Patchbay;
  store: MemoryStore;
  /** A clock shared by the fake and the connector; move it with `clock.now += ms`. */
  clock: { now: number };
}

export function world(
  options: { fake?: YelpFakeOptions; connector?: YelpOptions; start?: string } = {},
): World {
  const clock = { now: Date.parse(options.start ?? "2026-03-27T15:00:00Z") };
  const fake = createYelpFake({ now: () => clock.now, ...options.fake });
  server.use(...fake.handlers);
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [yelp({ requestsPerSecond: 1000, now: () => clock.now, ...options.connector })],
    store,
    vault: VAULT,
  });
  return { fake, patchbay, store, clock };
}

export function connect(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "yelp",
    credentials: w.fake.credentials,
    ...(config !== undefined && { config }),
  });
}

export async function sync(
  w: World,
  connectionId: string,
  model: string,
  mode?: "full" | "incremental",
) {
  const outcome = await w.patchbay.sync.run({ tenantId: TENANT, connectionId, model, mode });
  if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
  return outcome.run;
}

export async function stored(w: World, connectionId: string, model: string) {
  const rows = await w.store.listRecords(TENANT, { connectionId, model, limit: 1000 });
  return new Map(rows.map((r) => [r.externalId, r]));
}
