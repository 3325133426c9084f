import {
  type Connection,
  type ConnectorDefinition,
  createPatchbay,
  type Json,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  type Store,
  type SyncOutcome,
  type SyncRun,
  Vault,
} from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

export const TENANT = "fault-tenant";
export const VAULT_KEY = { kid: "faults", key: Buffer.alloc(32, 11).toString("base64") };

/** One MSW server per test file: faults are `server.use()`d per test, reset after each. */
export function mswServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * The connector with test-sized waits: a small client timeout and
 * millisecond backoff, so retries are checked without waiting for them.
 * `Retry-After` is still honoured as sent.
 */
export function quick<T extends ConnectorDefinition>(definition: T, timeoutMs = 2_000): T {
  return {
    ...definition,
    http: {
      ...definition.http,
      timeoutMs,
      retry: { ...definition.http?.retry, minDelayMs: 1, maxDelayMs: 10 },
    },
  };
}

export function patchbayFor(
  connector: ConnectorDefinition,
  store: Store,
  extra: Partial<PatchbayOptions> = {},
): Patchbay {
  return createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    tokens: { refreshRetries: 2 },
    ...extra,
  });
}

/** The OAuth redirect round trip against the fake authorization server. */
export async function connectOAuth(
  patchbay: Patchbay,
  connector: string,
  oauth: FakeOAuthServer,
  redirectUri: string,
): Promise<Connection> {
  const { url } = await patchbay.connect.start({ tenantId: TENANT, connector, redirectUri });
  return patchbay.connect.finish(oauth.approve(url), { tenantId: TENANT });
}

/** The subject the fake OAuth server knows the connection's grant by. */
export async function subjectOf(
  patchbay: Patchbay,
  oauth: FakeOAuthServer,
  connectionId: string,
): Promise<string> {
  const token = await patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connectionId });
  const check = oauth.verifyAccessToken(token);
  if (!check.valid) throw new Error(`the connection's token is not valid at the fake`);
  return check.subject;
}

export async function run(
  patchbay: Patchbay,
  connectionId: string,
  model: string,
  mode?: "full" | "incremental",
): Promise<SyncRun> {
  const outcome: SyncOutcome = await patchbay.sync.run({
    tenantId: TENANT,
    connectionId,
    model,
    mode,
  });
  if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
  return outcome.run;
}

/** Every live record in the store, by external id. */
export async function stored(
  store: Store,
  connectionId: string,
  model: string,
): Promise<Map<string, Json>> {
  const out = new Map<string, Json>();
  for (let after: string | undefined; ; ) {
    const page = await store.listRecords(TENANT, {
      connectionId,
      model,
      afterExternalId: after,
      limit: 500,
    });
    for (const r of page) out.set(r.externalId, r.data);
    if (page.length < 500) break;
    after = page[page.length - 1]!.externalId;
  }
  return out;
}

/**
 * The invariant every fault test ends on: the store holds exactly the
 * provider's records (same ids, same data through `compare`), the change
 * feed lists each once, no run is left `running`, and no record was
 * inserted more times than records ever existed.
 */
export async function expectExact(
  patchbay: Patchbay,
  store: Store,
  connectionId: string,
  model: string,
  expected: Map<string, unknown>,
  compare: (record: unknown) => unknown = (r) => r,
): Promise<void> {
  const got = await stored(store, connectionId, model);
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, record] of expected) expect(compare(got.get(id)), id).toEqual(compare(record));
  const feed = await patchbay.records.changes({
    tenantId: TENANT,
    connectionId,
    model,
    limit: 1000,
  });
  const ids = feed.changes.map((c) => c.externalId);
  expect(new Set(ids).size).toBe(ids.length);
  const runs = await patchbay.sync.runs(TENANT, { connectionId, limit: 100 });
  expect(runs.filter((r) => r.status === "running")).toEqual([]);
  const inserted = runs.filter((r) => r.model === model).reduce((sum, r) => sum + r.inserted, 0);
  const everCreated = new Set([
    ...expected.keys(),
    ...feed.changes.filter((c) => c.kind === "deleted").map((c) => c.externalId),
  ]).size;
  expect(inserted).toBeLessThanOrEqual(everCreated);
}

/** A store whose calls all fail after `kill()` or at a chosen batch: a process that died. */
export function killable(
  inner: Store,
  at: { batch: number; when: "before" | "after" },
): Store & { dead(): boolean } {
  let dead = false;
  let batches = 0;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "dead") return () => dead;
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (dead) throw new Error("process killed");
        const call = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop !== "applyRecordBatch") return call();
        batches++;
        if (batches === at.batch && at.when === "before") {
          dead = true;
          throw new Error("process killed");
        }
        const result = await call();
        if (batches === at.batch) {
          dead = true;
          throw new Error("process killed");
        }
        return result;
      };
    },
  }) as Store & { dead(): boolean };
}

export { MemoryStore };
