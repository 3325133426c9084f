/**
 * Test fixtures on the real servers: Redis on 127.0.0.1:6379 (a key prefix per
 * test, deleted afterwards with SCAN + DEL) and PostgreSQL on 127.0.0.1:5432
 * (a fresh schema per test through @patchbay/store-postgres, dropped afterwards).
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import {
  type ConnectorDefinition,
  createPatchbay,
  type FetchLike,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import { type PostgresStore, postgresStore } from "@patchbay/store-postgres";
import { Redis } from "ioredis";
import type pgTypes from "pg";
import {
  type BullmqScheduler,
  type BullmqSchedulerOptions,
  bullmqScheduler,
} from "../../src/index.js";

export const REDIS = {
  host: process.env.PATCHBAY_TEST_REDIS_HOST ?? "127.0.0.1",
  port: Number(process.env.PATCHBAY_TEST_REDIS_PORT ?? 6379),
};
export const DATABASE_URL =
  process.env.PATCHBAY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const VAULT_KEY = { kid: "k1", key: Buffer.alloc(32, 7).toString("base64") };

// `pg` is a dependency of @patchbay/store-postgres, not of this package: load that copy.
const requireFromStore = createRequire(
  createRequire(import.meta.url).resolve("@patchbay/store-postgres/package.json"),
);
const pg = requireFromStore("pg") as typeof pgTypes;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Redis key prefix no other test uses. */
export function uniquePrefix(): string {
  return `pbq_test_${randomBytes(5).toString("hex")}`;
}

/** Delete every key under `prefix:` (SCAN + DEL). */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS);
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return deleted;
}

/** Count the keys under `prefix:`. */
export async function countRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS);
  try {
    let count = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      count += keys.length;
    } while (cursor !== "0");
    return count;
  } finally {
    await redis.quit();
  }
}

/** A fresh schema on the test server, migrated; `drop()` removes it. */
export async function freshDatabase(): Promise<{
  schema: string;
  store: PostgresStore;
  drop(): Promise<void>;
}> {
  const schema = `pbq_${randomBytes(6).toString("hex")}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  pool.on("error", () => undefined);
  const store = postgresStore({ pool, schema });
  await store.init();
  return {
    schema,
    store,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Drop a schema from another process's test (the multi-process test's workers share one). */
export async function dropSchema(schema: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}

/** A Patchbay instance with a BullMQ scheduler: what a web or worker process runs. */
export interface Instance {
  patchbay: Patchbay;
  scheduler: BullmqScheduler;
}

/** Everything an in-process test needs; `close()` stops instances, drops the schema, deletes the keys. */
export interface World {
  prefix: string;
  store: PostgresStore;
  instances: Instance[];
  /** Start a Patchbay instance with a BullMQ scheduler on this world's prefix. */
  instance(
    scheduler?: Partial<BullmqSchedulerOptions>,
    patchbay?: Partial<PatchbayOptions>,
  ): Promise<Instance>;
  close(): Promise<void>;
}

/** The engine's run lease in tests: at most the lock duration, so a dead worker's lease has expired when its job is taken over. */
export const LEASE_TTL_MS = 5000;

/** Fast timings for tests: short locks, quick stalled checks and retries. */
export const FAST: Partial<BullmqSchedulerOptions> = {
  // No scheduled-exports job in the queue unless a test asks for it: the counts stay exact.
  exportsEveryMs: false,
  lockDurationMs: 5000,
  stalledIntervalMs: 1000,
  busyRetryMs: 200,
  backoffMs: 200,
};

export async function createWorld(options: {
  connectors: ConnectorDefinition[];
  fetch: FetchLike;
}): Promise<World> {
  const prefix = uniquePrefix();
  const db = await freshDatabase();
  const instances: Instance[] = [];
  return {
    prefix,
    store: db.store,
    instances,
    async instance(schedulerOptions = {}, patchbayOptions = {}) {
      const scheduler = bullmqScheduler({
        connection: REDIS,
        prefix,
        ...FAST,
        ...schedulerOptions,
      });
      const patchbay = createPatchbay({
        connectors: options.connectors,
        store: db.store,
        vault: new Vault({ keys: [VAULT_KEY] }),
        fetch: options.fetch,
        sync: { batchSize: 10, leaseTtlMs: LEASE_TTL_MS },
        ...patchbayOptions,
        scheduler,
      });
      patchbay.start();
      await scheduler.ready();
      const instance = { patchbay, scheduler };
      instances.push(instance);
      return instance;
    },
    async close() {
      await Promise.all(instances.map((i) => i.patchbay.stop()));
      await db.drop();
      await deleteRedisPrefix(prefix);
    },
  };
}

/** Poll `check` until it returns a value other than `undefined`/`false`, or fail after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
