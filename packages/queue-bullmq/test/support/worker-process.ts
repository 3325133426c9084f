/**
 * A Patchbay worker process for the multi-process test (and the bench): a
 * BullMQ scheduler in the "worker" role on the test's Redis prefix and
 * PostgreSQL schema. Provider calls go to the fake server in the parent
 * process. Tells the parent `{ ready: true }` over IPC once it takes jobs; a
 * SIGTERM stops it gracefully; it exits when the parent goes away.
 *
 * Run as `node --conditions=dev-source --import tsx test/support/worker-process.ts`
 * with PBQ_PREFIX, PBQ_SCHEMA, PBQ_FAKE_URL and optionally PBQ_CONCURRENCY,
 * PBQ_PAGE_SIZE, PBQ_BATCH_SIZE.
 */
import { createPatchbay, type Logger, Vault } from "@patchbay/core";
import { postgresStore } from "@patchbay/store-postgres";
import { bullmqScheduler } from "../../src/index.js";
import { forwardingFetch } from "./fake-http.js";
import { multiProcessConnectors } from "./multi-process-world.js";
import { DATABASE_URL, FAST, LEASE_TTL_MS, REDIS, VAULT_KEY } from "./world.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is required`);
  return value;
};

const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error(message, fields) {
    process.stderr.write(`[worker ${process.pid}] ${message} ${safeJson(fields)}\n`);
  },
};

const store = postgresStore({ connectionString: DATABASE_URL, schema: env("PBQ_SCHEMA"), max: 4 });
await store.init();
const scheduler = bullmqScheduler({
  connection: REDIS,
  prefix: env("PBQ_PREFIX"),
  role: "worker",
  ...FAST,
  concurrency: Number(process.env.PBQ_CONCURRENCY ?? 2),
});
const patchbay = createPatchbay({
  connectors: multiProcessConnectors({ pageSize: Number(process.env.PBQ_PAGE_SIZE ?? 10) }),
  store,
  vault: new Vault({ keys: [VAULT_KEY] }),
  scheduler,
  fetch: forwardingFetch(env("PBQ_FAKE_URL")),
  logger,
  sync: { batchSize: Number(process.env.PBQ_BATCH_SIZE ?? 10), leaseTtlMs: LEASE_TTL_MS },
  tokens: { holderId: `worker-${process.pid}` },
});
patchbay.start();
await scheduler.ready();
process.send?.({ ready: true, pid: process.pid });

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await patchbay.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown(0));
process.on("disconnect", () => void shutdown(1));

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return "";
  }
}
