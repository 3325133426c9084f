/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import { type Connection, createPatchbay, MemoryStore, type Patchbay, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { serpApi } from "../src/index.js";
import {
  createSerpApiFake,
  type SerpApiFake,
  type SerpApiFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 5).toString("base64") }] });

export const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export interface World {
  fake: SerpApiFake;
  patchbay: Patchbay;
  store: MemoryStore;
  /** The connector's clock; move it with `clock.now = ...`. */
  clock: { now: number };
}

export function world(options: { fake?: SerpApiFakeOptions } = {}): World {
  const clock = { now: Date.parse("2026-03-27T15:00:00Z") };
  const fake = createSerpApiFake({ now: () => clock.now, ...options.fake });
  server.use(...fake.handlers);
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [serpApi({ now: () => clock.now })],
    store,
    vault: VAULT,
  });
  return { fake, patchbay, store, clock };
}

export function connect(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "serpapi",
    credentials: w.fake.credentials,
    ...(config !== undefined && { config }),
  });
}

export async function sync(w: World, connectionId: string, mode?: "full" | "incremental") {
  const outcome = await w.patchbay.sync.run({
    tenantId: TENANT,
    connectionId,
    model: "rankings",
    mode,
  });
  if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
  return outcome.run;
}

export async function rankings(w: World, connectionId: string) {
  const rows = await w.store.listRecords(TENANT, { connectionId, model: "rankings", limit: 1000 });
  return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
}
