/**
 * Sync engine throughput on PostgreSQL and PGlite, beside a baseline.
 *
 * Run with `pnpm bench` (or `pnpm --filter @patchbay/store-postgres bench`).
 * Records are generated in process by the model's `sync` (the same generator
 * as the memory-store bench), so the figures measure the engine (validation,
 * canonical hashing, batching, checkpoints) and the store, not a network.
 *
 * The baseline writes the same 100,000 rows, in the same batches of 500, the
 * plain way: one multi-row `INSERT ... ON CONFLICT DO UPDATE` per batch
 * (tenant, connection, model, external id, hash, jsonb data) into a scratch
 * table with the same key. Its time includes generating the rows,
 * `JSON.stringify` and a SHA-256 per row, but no validation.
 *
 * Every scenario runs in its own child process (so its peak RSS is its own)
 * in a fresh schema that is dropped afterwards. PostgreSQL is the server at
 * PATCHBAY_BENCH_DATABASE_URL, else PATCHBAY_TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test.
 */
import { execFileSync } from "node:child_process";
import { hash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  type Store,
  Vault,
} from "@patchbay/core";
import pg from "pg";
import { z } from "zod";
import {
  createPostgresStore,
  type PostgresStore,
  pgliteQueryable,
  postgresStore,
  type Queryable,
} from "../src/index.js";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PAGE = 1_000;
const BATCH = 500;
const DATABASE_URL =
  process.env.PATCHBAY_BENCH_DATABASE_URL ??
  process.env.PATCHBAY_TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

type Engine = "postgres" | "pglite";
type Scenario = "baseline" | "full" | "resync";

interface Measurement {
  ms: number;
  perSecond: number;
  rssMb: number;
  /** Milliseconds spent waiting on the store (engine runs only). */
  storeMs?: number;
  /** Size of the records table and its indexes per record, after the run (engine runs only). */
  bytesPerRecord?: { heap: number; indexes: number };
}

/** The record generator of the memory-store bench. */
function generate(offset: number, version: number) {
  const records = [];
  for (let i = offset; i < Math.min(offset + PAGE, RECORDS); i++) {
    records.push({
      id: `rec_${i}`,
      name: `Contact ${i}`,
      email: `contact${i}@example.com`,
      status: (["open", "won", "lost"] as const)[i % 3],
      amount: (i * 37) % 10_000,
      tags: i % 2 === 0 ? ["radio", "pitch"] : ["press"],
      updated_at: new Date(Date.UTC(2026, 0, 1) + i * 1000 + version).toISOString(),
    });
  }
  return records;
}

function connector() {
  return defineConnector({
    id: "bench",
    name: "Bench",
    category: "other",
    auth: apiKey({ header: "x-key" }),
    models: {
      items: defineModel({
        schema: z.object({
          id: z.string(),
          name: z.string(),
          email: z.string(),
          status: z.enum(["open", "won", "lost"]),
          amount: z.number(),
          tags: z.array(z.string()),
          updated_at: z.string(),
        }),
        key: "id",
        async *sync() {
          for (let offset = 0; offset < RECORDS; offset += PAGE) {
            yield { records: generate(offset, 0), checkpoint: { offset: offset + PAGE } };
          }
        },
      }),
    },
  });
}

/** A store whose calls are timed, to split a run's time between engine and store. */
function timed(store: Store): { store: Store; ms: () => number } {
  let total = 0;
  const byMethod = new Map<string, number>();
  if (process.env.BENCH_DEBUG) {
    process.on("exit", () => {
      for (const [name, ms] of byMethod) process.stderr.write(`${name}: ${ms.toFixed(0)} ms\n`);
    });
  }
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          const ms = performance.now() - t0;
          total += ms;
          byMethod.set(String(property), (byMethod.get(String(property)) ?? 0) + ms);
        }
      };
    },
  });
  return { store: proxy, ms: () => total };
}

async function open(engine: Engine, schema: string) {
  if (engine === "postgres") {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    pool.on("error", () => undefined);
    return {
      store: postgresStore({ pool, schema }),
      baseline: (text: string, params: unknown[]) => pool.query(text, params),
      close: async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    };
  }
  const db = new PGlite();
  await db.waitReady;
  const queryable: Queryable = pgliteQueryable(db);
  return {
    // As pgliteStore() does: PGlite runs no autovacuum.
    store: createPostgresStore({ client: queryable, schema, maintainStatistics: true }),
    baseline: (text: string, params: unknown[]) => db.query(text, params),
    close: () => db.close(),
  };
}

async function runScenario(engine: Engine, scenario: Scenario): Promise<Measurement> {
  const schema = `pb_bench_${randomBytes(5).toString("hex")}`;
  const db = await open(engine, schema);
  // Interrupted (Ctrl-C, a timeout): drop the schema anyway.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      db.close().finally(() => process.exit(130));
    });
  }
  try {
    if (scenario === "baseline") return await baseline(db.baseline, schema);
    return await engineRun(db.store, db.baseline, scenario);
  } finally {
    await db.close();
  }
}

async function engineRun(
  store: PostgresStore,
  query: (text: string, params: unknown[]) => Promise<unknown>,
  scenario: Scenario,
): Promise<Measurement> {
  await store.init();
  const clock = timed(store);
  const pb = createPatchbay({
    connectors: [connector()],
    store: clock.store,
    vault: new Vault({ keys: [{ kid: "b", key: Buffer.alloc(32, 1).toString("base64") }] }),
  });
  const c = await pb.connect.withCredentials({
    tenantId: "bench",
    connector: "bench",
    credentials: { apiKey: "k" },
  });
  const job = { tenantId: "bench", connectionId: c.id, model: "items" };
  const time = async () => {
    const storeBefore = clock.ms();
    const t0 = performance.now();
    const outcome = await pb.sync.run(job);
    if (outcome.status !== "succeeded") throw new Error(`bench run ${outcome.status}`);
    return { ms: performance.now() - t0, storeMs: clock.ms() - storeBefore, run: outcome.run };
  };
  let measured = await time();
  if (measured.run.inserted !== RECORDS)
    throw new Error("the first sync did not insert everything");
  if (scenario === "resync") {
    measured = await time();
    if (measured.run.unchanged !== RECORDS) throw new Error("re-sync was not unchanged");
  }
  const size = (await query(
    `SELECT pg_table_size('"${store.schema}".records')::float8 AS heap,
            pg_indexes_size('"${store.schema}".records')::float8 AS indexes`,
    [],
  )) as { rows: { heap: number; indexes: number }[] };
  return {
    ms: measured.ms,
    storeMs: measured.storeMs,
    bytesPerRecord: {
      heap: size.rows[0]!.heap / RECORDS,
      indexes: size.rows[0]!.indexes / RECORDS,
    },
    perSecond: (RECORDS / measured.ms) * 1000,
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
}

async function baseline(
  query: (text: string, params: unknown[]) => Promise<unknown>,
  schema: string,
): Promise<Measurement> {
  await query(`CREATE SCHEMA "${schema}"`, []);
  await query(
    `CREATE TABLE "${schema}".scratch (
       tenant_id text COLLATE "C" NOT NULL,
       connection_id text COLLATE "C" NOT NULL,
       model text COLLATE "C" NOT NULL,
       external_id text COLLATE "C" NOT NULL,
       hash text NOT NULL,
       data jsonb NOT NULL,
       PRIMARY KEY (tenant_id, connection_id, model, external_id)
     )`,
    [],
  );
  const statement = (rows: number) => {
    const values = [];
    for (let r = 0; r < rows; r++) {
      const p = r * 6;
      values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb)`);
    }
    return `INSERT INTO "${schema}".scratch (tenant_id, connection_id, model, external_id, hash, data)
      VALUES ${values.join(", ")}
      ON CONFLICT (tenant_id, connection_id, model, external_id)
      DO UPDATE SET hash = EXCLUDED.hash, data = EXCLUDED.data`;
  };
  const full = statement(BATCH);
  const t0 = performance.now();
  let params: unknown[] = [];
  const flush = async () => {
    if (params.length === 0) return;
    await query(params.length === BATCH * 6 ? full : statement(params.length / 6), params);
    params = [];
  };
  for (let offset = 0; offset < RECORDS; offset += PAGE) {
    for (const record of generate(offset, 0)) {
      const json = JSON.stringify(record);
      params.push("bench", "conn_1", "items", record.id, hash("sha256", json), json);
      if (params.length === BATCH * 6) await flush();
    }
  }
  await flush();
  const ms = performance.now() - t0;
  return { ms, perSecond: (RECORDS / ms) * 1000, rssMb: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[2] !== undefined) {
  const [engine, scenario] = process.argv[2].split(":") as [Engine, Scenario];
  process.stdout.write(JSON.stringify(await runScenario(engine, scenario)));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (name: string): Measurement | Error => {
    try {
      return JSON.parse(
        execFileSync(process.execPath, ["--conditions=dev-source", "--import", "tsx", self, name], {
          encoding: "utf8",
          env: { ...process.env, NODE_OPTIONS: "" },
          stdio: ["ignore", "pipe", "pipe"],
        }),
      ) as Measurement;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      return new Error(stderr.trim().split("\n").slice(-3).join(" "));
    }
  };
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const server = await serverVersion();
  console.log(
    `\n@patchbay/store-postgres sync engine, ${fmt(RECORDS)} records, batch ${BATCH}, page ${fmt(PAGE)} (node ${process.version}; ${server}; PGlite in memory)`,
  );
  console.log("| scenario | time | records/s | in store | peak RSS | vs baseline |");
  console.log("|---|---:|---:|---:|---:|---:|");
  let failed = false;
  const summaries: string[] = [];
  const sizes: string[] = [];
  for (const engine of ["postgres", "pglite"] as const) {
    const label = engine === "postgres" ? "PostgreSQL" : "PGlite";
    const base = run(`${engine}:baseline`);
    const full = run(`${engine}:full`);
    const resync = run(`${engine}:resync`);
    const row = (name: string, m: Measurement | Error) => {
      if (m instanceof Error) {
        failed = true;
        console.log(`| ${name} | failed: ${m.message} | | | | |`);
        return;
      }
      const ratio = base instanceof Error ? "" : `${(m.perSecond / base.perSecond).toFixed(2)}x`;
      const inStore = m.storeMs === undefined ? "" : `${(m.storeMs / 1000).toFixed(2)} s`;
      console.log(
        `| ${name} | ${(m.ms / 1000).toFixed(2)} s | ${fmt(m.perSecond)} | ${inStore} | ${fmt(m.rssMb)} MB | ${ratio} |`,
      );
    };
    row(`${label}: baseline, multi-row INSERT ... ON CONFLICT DO UPDATE`, base);
    row(`${label}: full sync (first import)`, full);
    row(`${label}: unchanged re-sync`, resync);
    if (!(full instanceof Error) && full.bytesPerRecord) {
      sizes.push(
        `${label}: records table after the first sync: ${fmt(full.bytesPerRecord.heap)} bytes per record, indexes ${fmt(full.bytesPerRecord.indexes)} bytes per record`,
      );
    }
    if (!(base instanceof Error) && !(full instanceof Error) && !(resync instanceof Error)) {
      const ratio = full.perSecond / base.perSecond;
      const speedup = resync.perSecond / full.perSecond;
      summaries.push(
        `${label}: full sync at ${(ratio * 100).toFixed(0)}% of the baseline's throughput (target >= 60%: ${ratio >= 0.6 ? "met" : "not met"}); unchanged re-sync ${speedup.toFixed(2)}x faster than the first sync (target >= 3x: ${speedup >= 3 ? "met" : "not met"})`,
      );
    }
  }
  for (const line of summaries) console.log(line);
  for (const line of sizes) console.log(line);
  console.log(
    '("in store": time the engine spent waiting on the store; the rest is the engine itself: validation, canonical JSON, hashing, batching.)',
  );
  if (failed) process.exitCode = 1;
}

async function serverVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    return `PostgreSQL ${rows[0]?.v.split(" ")[0]} at ${client.host}:${client.port}`;
  } catch (error) {
    return `PostgreSQL unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
