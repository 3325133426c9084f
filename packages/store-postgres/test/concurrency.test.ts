import { randomBytes } from "node:crypto";
import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  oauth2,
  type Patchbay,
  type Store,
  Vault,
} from "@patchbay/core";
import { createFakeOAuthServer } from "@patchbay/testing";
import { setupServer } from "msw/node";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createPostgresStore,
  LATEST_MIGRATION,
  listMigrations,
  migrate,
  type PostgresStore,
  postgresStore,
  type Queryable,
  toQueryable,
} from "../src/index.js";
import { dropSchema, freshSchema, testPool } from "./support.js";

// Several independent pools against the real server, each standing for a
// process: leases, syncs and token refreshes must be single-flight across them.

const WORKERS = 5;
const server = setupServer();
const schema = freshSchema("pb_conc");
let admin: pg.Pool;
let pools: pg.Pool[] = [];
let stores: PostgresStore[] = [];

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  admin = testPool(2);
  await migrate(admin, { schema });
  pools = Array.from({ length: WORKERS }, () => testPool(4));
  stores = pools.map((pool) => postgresStore({ pool, schema }));
  await Promise.all(stores.map((store) => store.init()));
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  await Promise.all(pools.map((pool) => pool.end()));
  await dropSchema(admin, schema);
  await admin.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const VAULT_KEY = { kid: "k1", key: Buffer.alloc(32, 7).toString("base64") };

describe("leases across pools", () => {
  it("let exactly one of five workers hold a sync lease, and one other take over after the holder stops renewing", async () => {
    const key = `patchbay:sync:t_${randomBytes(4).toString("hex")}:c_1:contacts`;
    const ttlMs = 400;
    const acquireAll = (workers: number[]) =>
      Promise.all(workers.map((i) => stores[i]!.acquireLease(key, `worker-${i}`, ttlMs)));

    // Timestamps are taken before the call that sets the expiry: elapsed time
    // measured from them is a lower bound however slow the answers are.
    let holders = [0, 1, 2, 3, 4];
    let acquiredAt = Date.now();
    const first = await acquireAll(holders);
    expect(first.filter(Boolean)).toHaveLength(1);
    let holder = first.indexOf(true);

    for (let round = 0; round < 3; round++) {
      // While the lease is live, nobody else gets it.
      const others = holders.filter((i) => i !== holder);
      expect((await acquireAll(others)).some(Boolean)).toBe(false);
      // The holder "crashes": it stops renewing. The others poll until one takes over.
      let next = -1;
      while (next === -1) {
        await sleep(25);
        const results = await acquireAll(others);
        expect(results.filter(Boolean).length).toBeLessThanOrEqual(1);
        next = results.indexOf(true) === -1 ? -1 : others[results.indexOf(true)]!;
      }
      // Not before the lease expired (same machine, so the database clock is ours).
      expect(Date.now() - acquiredAt).toBeGreaterThanOrEqual(ttlMs);
      expect(await stores[holder]!.renewLease(key, `worker-${holder}`, ttlMs)).toBe(false);
      holders = others;
      holder = next;
      // The new holder can renew; the others still cannot acquire.
      acquiredAt = Date.now();
      expect(await stores[holder]!.renewLease(key, `worker-${holder}`, ttlMs)).toBe(true);
    }
  });

  it("hand a lease whose holder process was killed to exactly one other worker once it expires", async () => {
    const key = `patchbay:token-refresh:t_${randomBytes(4).toString("hex")}:c_1`;
    const ttlMs = 300;
    const doomedPool = testPool(1);
    const doomed = postgresStore({ pool: doomedPool, schema });
    const acquiredAt = Date.now();
    expect(await doomed.acquireLease(key, "doomed", ttlMs)).toBe(true);
    await doomedPool.end(); // the process dies: its connections close, nothing is released
    let winners: number[] = [];
    while (winners.length === 0) {
      const results = await Promise.all(
        stores.map((store, i) => store.acquireLease(key, `worker-${i}`, 60_000)),
      );
      winners = results.flatMap((ok, i) => (ok ? [i] : []));
      expect(winners.length).toBeLessThanOrEqual(1);
      if (winners.length === 0) await sleep(25);
    }
    expect(Date.now() - acquiredAt).toBeGreaterThanOrEqual(ttlMs);
  });
});

describe("the change feed across pools", () => {
  it("never lets a reader skip a change that commits after a later seq was drawn", async () => {
    const tenantId = `t_${randomBytes(4).toString("hex")}`;
    // Writer A holds its transaction open for 300 ms after drawing its seq.
    const slowPool = testPool(1);
    const delayed = toQueryable(slowPool);
    const slowCommits: Queryable = {
      query: (text, params) => delayed.query(text, params),
      transaction: (run) =>
        delayed.transaction(async (tx) => {
          const result = await run(tx);
          await sleep(300);
          return result;
        }),
    };
    const writerA = createPostgresStore({ client: slowCommits, schema, migrate: false });
    const writerB = stores[1]!;
    const reader = stores[2]!;
    const batch = (model: string, id: string) => ({
      connectionId: "c_feed",
      model,
      runId: "run_1",
      upserts: [{ externalId: id, hash: id, data: { id } }],
      deletes: [],
      now: new Date(),
    });
    try {
      const a = writerA.applyRecordBatch(tenantId, batch("contacts", "a"));
      await sleep(100); // A has drawn its seq and waits before COMMIT
      const b = writerB.applyRecordBatch(tenantId, batch("deals", "b"));
      let done = false;
      void Promise.allSettled([a, b]).then(() => {
        done = true;
      });
      // A reader paging the feed the whole time, as a host polling records.changes().
      const seen: string[] = [];
      let after = 0;
      for (let last = false; !last; ) {
        last = done;
        const page = await reader.listChanges(tenantId, {
          connectionId: "c_feed",
          after,
          limit: 100,
        });
        seen.push(...page.map((r) => r.externalId));
        if (page.length > 0) after = page[page.length - 1]!.seq;
        await sleep(10);
      }
      await Promise.all([a, b]);
      expect(seen.sort()).toEqual(["a", "b"]);
    } finally {
      await slowPool.end();
    }
  });
});

describe("the sync engine across pools", () => {
  it("runs one sync of a connection's model when five instances start it at once; the others are skipped", async () => {
    // The winner's sync does not finish before every instance has tried the
    // lease, however slow the machine: the overlap is certain, not timed.
    let attempts = 0;
    const counting = (store: PostgresStore): Store =>
      new Proxy(store, {
        get(target, property, receiver) {
          if (property === "acquireLease") {
            return (key: string, holder: string, ttlMs: number) => {
              if (key.startsWith("patchbay:sync:")) attempts++;
              return target.acquireLease(key, holder, ttlMs);
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const slow = defineConnector({
      id: "slow",
      name: "Slow",
      category: "other",
      auth: apiKey({ header: "x-key" }),
      models: {
        items: defineModel({
          schema: z.object({ id: z.string(), n: z.number() }),
          key: "id",
          async *sync() {
            for (let waited = 0; attempts < WORKERS && waited < 20_000; waited += 10) {
              await sleep(10);
            }
            for (let page = 0; page < 5; page++) {
              yield {
                records: Array.from({ length: 20 }, (_, i) => ({ id: `r${page}_${i}`, n: i })),
              };
            }
          },
        }),
      },
    });
    const instances = stores.map((store) =>
      createPatchbay({
        connectors: [slow],
        store: counting(store),
        vault: new Vault({ keys: [VAULT_KEY] }),
      }),
    );
    const tenantId = `t_${randomBytes(4).toString("hex")}`;
    const connection = await instances[0]!.connect.withCredentials({
      tenantId,
      connector: "slow",
      credentials: { apiKey: "k" },
    });
    const job = { tenantId, connectionId: connection.id, model: "items" };

    const outcomes = await Promise.all(instances.map((pb) => pb.sync.run(job)));
    expect(attempts).toBe(WORKERS);

    const statuses = outcomes.map((o) =>
      o.status === "skipped" ? `skipped:${o.reason}` : o.status,
    );
    expect(statuses.filter((s) => s === "succeeded")).toHaveLength(1);
    expect(statuses.filter((s) => s === "skipped:running")).toHaveLength(WORKERS - 1);
    const won = outcomes.find((o) => o.status === "succeeded");
    expect(won?.status === "succeeded" && won.run.inserted).toBe(100);
    const runs = await stores[0]!.listSyncRuns(tenantId, {
      connectionId: connection.id,
      limit: 10,
    });
    expect(runs).toHaveLength(1);
  });
});

describe("token refresh across pools", () => {
  it("refreshes an expired token with exactly one refresh_token grant for 5 instances x 20 concurrent callers", async () => {
    const REDIRECT_URI = "https://app.example.com/integrations/acme/callback";
    let now = Date.UTC(2026, 10, 22, 12);
    const clock = () => now;
    const fake = createFakeOAuthServer({
      issuer: "https://auth.acme.test",
      clients: [
        { clientId: "acme-app", clientSecret: "acme-app-secret", redirectUris: [REDIRECT_URI] },
      ],
      now: clock,
      latencyMs: 30,
    });
    server.use(...fake.handlers);
    const acme = defineConnector({
      id: "acme",
      name: "Acme",
      category: "crm",
      auth: oauth2({
        authorizationUrl: fake.authorizationUrl,
        tokenUrl: fake.tokenUrl,
        clientId: "acme-app",
        clientSecret: "acme-app-secret",
        scopes: ["contacts.read"],
      }),
    });
    const instances: Patchbay[] = stores.map((store, i) =>
      createPatchbay({
        connectors: [acme],
        store,
        vault: new Vault({ keys: [VAULT_KEY] }),
        now: clock,
        tokens: { holderId: `process-${i}` },
      }),
    );
    const tenantId = `t_${randomBytes(4).toString("hex")}`;
    const { url } = await instances[0]!.connect.start({
      tenantId,
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const connection = await instances[0]!.connect.finish(fake.approve(url), { tenantId });
    const ref = { tenantId, id: connection.id };
    const before = await instances[1]!.tokens.getAccessToken(ref);

    now += 2 * 3_600_000; // the access token has expired
    const refreshesBefore = fake.stats.byGrant.refresh_token ?? 0;
    const tokens = await Promise.all(
      Array.from({ length: WORKERS * 20 }, (_, i) =>
        instances[i % WORKERS]!.tokens.getAccessToken(ref),
      ),
    );

    expect((fake.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before);
    expect(fake.verifyAccessToken(tokens[0]!).valid).toBe(true);
    const row = await stores[0]!.getConnection(tenantId, connection.id);
    expect(row?.credentialsVersion).toBe(2);
  });
});

describe("migrations across pools", () => {
  it("apply once when five processes migrate a fresh schema at once, leaving one set of tables", async () => {
    const fresh = freshSchema("pb_migr");
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, { schema: fresh })));
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect(results.every((r) => r.version === LATEST_MIGRATION)).toBe(true);
      const { rows: versions } = await admin.query(
        `SELECT version FROM "${fresh}".migrations ORDER BY version`,
      );
      expect(versions).toEqual(listMigrations().map((m) => ({ version: m.version })));
      const { rows: tables } = await admin.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [fresh],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        "audit_entries",
        "connections",
        "export_runs",
        "exports",
        "leases",
        "migrations",
        "oauth_sessions",
        "record_seen",
        "records",
        "sync_runs",
        "sync_states",
        "usage_counters",
      ]);
      // Once more, from every pool: nothing to do.
      const again = await Promise.all(pools.map((pool) => migrate(pool, { schema: fresh })));
      expect(again.every((r) => r.applied.length === 0)).toBe(true);
    } finally {
      await dropSchema(admin, fresh);
    }
  });
});
