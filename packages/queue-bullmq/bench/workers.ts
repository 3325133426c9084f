/**
 * Scale-out: syncs completed per minute by 1 and by 3 worker processes on the
 * same workload, side by side.
 *
 * Run with `pnpm bench` (or `pnpm --filter @patchbay/queue-bullmq bench`).
 * Needs Redis on 127.0.0.1:6379 and PostgreSQL at PATCHBAY_BENCH_DATABASE_URL,
 * else PATCHBAY_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test.
 *
 * The workload: BENCH_CONNECTIONS connections (default 60), each with
 * BENCH_ITEMS records (default 100) served by a fake provider in this process
 * in pages of 20 with BENCH_LATENCY_MS per page (default 40: a provider API
 * is mostly waiting). Every connection is enqueued at once ("sync now"); the
 * clock runs from the enqueue until the last run succeeded. Each worker
 * process runs BENCH_CONCURRENCY syncs at once (default 2). Workers are
 * started and ready before the clock starts; every scenario gets a fresh
 * schema and Redis prefix, removed afterwards.
 */
import { randomBytes } from "node:crypto";
import { createPatchbay, Vault } from "@patchbay/core";
import { bullmqScheduler } from "../src/index.js";
import { handlerFetch, startFakeHttpServer } from "../test/support/fake-http.js";
import { createItemsFake } from "../test/support/items-fake.js";
import {
  createItemsOAuth,
  multiProcessConnectors,
  startWorker,
  stopWorker,
} from "../test/support/multi-process-world.js";
import {
  deleteRedisPrefix,
  freshDatabase,
  REDIS,
  sleep,
  uniquePrefix,
  VAULT_KEY,
} from "../test/support/world.js";

if (process.env.PATCHBAY_BENCH_DATABASE_URL !== undefined) {
  process.env.PATCHBAY_TEST_DATABASE_URL = process.env.PATCHBAY_BENCH_DATABASE_URL;
}
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 60);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const PAGE_SIZE = 20;

interface Result {
  workers: number;
  ms: number;
  syncs: number;
  records: number;
  pids: number;
}

async function scenario(workerCount: number): Promise<Result> {
  const oauth = createItemsOAuth();
  const fake = createItemsFake({ oauth, pageSize: PAGE_SIZE });
  const handlers = () => [...fake.handlers, ...oauth.handlers];
  const prefix = uniquePrefix();
  const db = await freshDatabase();
  const server = await startFakeHttpServer(handlers);
  const scheduler = bullmqScheduler({ connection: REDIS, prefix, role: "scheduler" });
  const web = createPatchbay({
    connectors: multiProcessConnectors({ oauth, pageSize: PAGE_SIZE }),
    store: db.store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    scheduler,
    fetch: handlerFetch(handlers),
  });
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () =>
      startWorker({
        PBQ_PREFIX: prefix,
        PBQ_SCHEMA: db.schema,
        PBQ_FAKE_URL: server.url,
        PBQ_CONCURRENCY: String(CONCURRENCY),
        PBQ_PAGE_SIZE: String(PAGE_SIZE),
        PBQ_BATCH_SIZE: "100",
      }),
    ),
  );
  try {
    const tenantId = `t_${randomBytes(4).toString("hex")}`;
    const connections: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const key = `key_${randomBytes(5).toString("hex")}`;
      fake.addAccount(key, { items: ITEMS }, 0);
      const c = await web.connect.withCredentials({
        tenantId,
        connector: "items",
        credentials: { apiKey: key },
      });
      fake.setLatency(key, LATENCY_MS);
      connections.push(c.id);
    }
    web.start();
    await scheduler.ready();
    const started = performance.now();
    await Promise.all(
      connections.map((connectionId) =>
        web.sync.enqueue({ tenantId, connectionId, model: "items", trigger: "manual" }),
      ),
    );
    let done = 0;
    while (done < CONNECTIONS) {
      await sleep(25);
      const runs = await db.store.listSyncRuns(tenantId, { limit: CONNECTIONS * 2 });
      done = runs.filter((r) => r.status === "succeeded").length;
      if (performance.now() - started > 300_000)
        throw new Error("the workload did not finish in 5 minutes");
    }
    const ms = performance.now() - started;
    return {
      workers: workerCount,
      ms,
      syncs: CONNECTIONS,
      records: CONNECTIONS * ITEMS,
      pids: fake.stats.pids.size,
    };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await web.stop();
    await server.close();
    await db.drop();
    await deleteRedisPrefix(prefix);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const results: Result[] = [];
for (const workers of [1, 3]) results.push(await scenario(workers));
const base = results[0]!;

console.log(
  `\n@patchbay/queue-bullmq: ${CONNECTIONS} connections x ${ITEMS} records, pages of ${PAGE_SIZE} at ${LATENCY_MS} ms each, ${CONCURRENCY} syncs at once per worker process\n`,
);
console.log("| worker processes | syncs | time | syncs/min | records/s | vs 1 worker |");
console.log("|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  const perMinute = (r.syncs / r.ms) * 60_000;
  const basePerMinute = (base.syncs / base.ms) * 60_000;
  console.log(
    `| ${r.workers} | ${r.syncs} | ${(r.ms / 1000).toFixed(1)} s | ${fmt(perMinute)} | ${fmt((r.records / r.ms) * 1000)} | ${(perMinute / basePerMinute).toFixed(2)}x |`,
  );
}
const partial = results.find((r) => r.pids !== r.workers);
if (partial !== undefined) {
  console.log(`\nnote: with ${partial.workers} workers, ${partial.pids} took part`);
}
