/**
 * Full re-syncs through the sync engine on PGlite and PostgreSQL: unchanged
 * records are only reported as seen (kept in `record_seen`), and delete
 * detection stays exact, also when the process dies mid-run and another one
 * resumes the pass.
 */
import { randomBytes } from "node:crypto";
import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  type Store,
  Vault,
} from "@patchbay/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type PostgresStore, pgliteStore, postgresStore } from "../src/index.js";
import { dropSchema, freshSchema, testPool } from "./support.js";

interface Item {
  id: string;
  title: string;
  n: number;
}

const PAGE = 70;
const BATCH = 50;
const KEY = { kid: "k", key: Buffer.alloc(32, 7).toString("base64") };

/** A provider whose items a test edits between runs; pages resume from `checkpoint.offset`. */
function provider() {
  const items = new Map<string, Item>();
  const connector = defineConnector({
    id: "resync",
    name: "Resync",
    category: "other",
    auth: apiKey({ header: "x-key" }),
    models: {
      items: defineModel({
        schema: z.object({ id: z.string(), title: z.string(), n: z.number() }),
        key: "id",
        async *sync(ctx) {
          const all = [...items.values()];
          const start = (ctx.checkpoint as { offset?: number } | null)?.offset ?? 0;
          for (let offset = start; offset < all.length; offset += PAGE) {
            yield {
              records: all.slice(offset, offset + PAGE).map((item) => ({ ...item })),
              checkpoint: { offset: offset + PAGE },
            };
          }
        },
      }),
    },
  });
  return { items, connector };
}

/** A store that fails every call once the `crashAt`-th batch is reached (before or after it commits). */
function dying(inner: Store, crashAt: number, when: "before" | "after"): Store {
  let dead = false;
  let batches = 0;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (dead) throw new Error("process killed");
        const call = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop !== "applyRecordBatch" || ++batches !== crashAt) return call();
        dead = true;
        if (when === "before") throw new Error("process killed");
        await call();
        throw new Error("process killed");
      };
    },
  });
}

function scenarios(name: string, open: () => Promise<PostgresStore>) {
  describe(name, () => {
    const cases = [
      { deletes: 3, crashAt: 0, when: "before" as const },
      { deletes: 3, crashAt: 4, when: "after" as const },
      { deletes: 3, crashAt: 12, when: "before" as const },
      { deletes: 180, crashAt: 0, when: "before" as const },
      { deletes: 180, crashAt: 3, when: "before" as const },
      { deletes: 180, crashAt: 9, when: "after" as const },
    ];
    it.each(
      cases.map((c) => ({
        ...c,
        crash: c.crashAt === 0 ? "no crash" : `a crash ${c.when} batch ${c.crashAt}`,
      })),
    )(
      "a full re-sync with $deletes deletes and $crash ends at exactly the provider's state",
      async ({ deletes, crashAt, when }) => {
        const store = await open();
        const { items, connector } = provider();
        for (let i = 0; i < 600; i++) {
          const id = `i${String(i).padStart(4, "0")}`;
          items.set(id, { id, title: `item ${i}`, n: i });
        }
        const instance = (s: Store) =>
          createPatchbay({
            connectors: [connector],
            store: s,
            vault: new Vault({ keys: [KEY] }),
            sync: { batchSize: BATCH, leaseTtlMs: 300 },
          });
        const pb = instance(store);
        const tenantId = `t_${randomBytes(4).toString("hex")}`;
        const c = await pb.connect.withCredentials({
          tenantId,
          connector: "resync",
          credentials: { apiKey: "k" },
        });
        const job = { tenantId, connectionId: c.id, model: "items" };
        const first = await pb.sync.run(job);
        expect(first).toMatchObject({ status: "succeeded", run: { inserted: 600 } });

        // The provider changes: deletes spread over the id range, edits, new items.
        const ids = [...items.keys()];
        const step = Math.floor(ids.length / deletes);
        for (let k = 0; k < deletes; k++) items.delete(ids[k * step + 1]!);
        for (const id of ids.slice(5, 40)) {
          const item = items.get(id);
          if (item) item.title = `${item.title} (edited)`;
        }
        for (let i = 0; i < 15; i++)
          items.set(`new${i}`, { id: `new${i}`, title: "new", n: 1000 + i });

        if (crashAt > 0) {
          const doomed = instance(dying(store, crashAt, when));
          await doomed.sync.run(job).catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 400)); // the dead holder's lease expires
        }
        const resumed = await pb.sync.run(job);
        expect(resumed.status).toBe("succeeded");

        const live = await store.listRecords(tenantId, {
          connectionId: c.id,
          model: "items",
          limit: 10_000,
        });
        expect(live.map((r) => r.externalId)).toEqual([...items.keys()].sort());
        for (const record of live) expect(record.data).toEqual(items.get(record.externalId));

        // Nothing left to do: every record is unchanged, and nothing else is deleted.
        const settle = await pb.sync.run(job);
        expect(settle).toMatchObject({
          status: "succeeded",
          run: { inserted: 0, updated: 0, deleted: 0, unchanged: items.size },
        });
        const deleted = await store.listRecords(tenantId, {
          connectionId: c.id,
          model: "items",
          limit: 10_000,
          includeDeleted: true,
        });
        expect(deleted.filter((r) => r.deletedAt !== null)).toHaveLength(deletes);
      },
    );
  });
}

let pglite: PostgresStore | undefined;
scenarios("full re-sync on PGlite", async () => {
  pglite ??= pgliteStore();
  await pglite.init();
  return pglite;
});

let pool: pg.Pool | undefined;
const schema = freshSchema("pb_resync");
beforeAll(() => {
  pool = testPool(4);
});
afterAll(async () => {
  await pglite?.close();
  if (pool) {
    await dropSchema(pool, schema);
    await pool.end();
  }
});
scenarios("full re-sync on PostgreSQL", async () => {
  const store = postgresStore({ pool: pool!, schema });
  await store.init();
  return store;
});
