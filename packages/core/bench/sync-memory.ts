/**
 * Sync engine throughput on the memory store.
 *
 * Run with `pnpm bench` (or `pnpm --filter @patchbay/core bench`). Records are
 * generated in process by the model's `sync`, so the figures measure the
 * engine (validation, canonical hashing, batching, checkpoints) and the store,
 * not a network. Each scenario runs in its own child process so its peak RSS
 * is its own.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  MemoryStore,
  Vault,
} from "../src/index.js";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PAGE = 1_000;

function connector(version: { n: number }) {
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
            const records = [];
            for (let i = offset; i < Math.min(offset + PAGE, RECORDS); i++) {
              records.push({
                id: `rec_${i}`,
                name: `Contact ${i}`,
                email: `contact${i}@example.com`,
                status: (["open", "won", "lost"] as const)[i % 3],
                amount: (i * 37) % 10_000,
                tags: i % 2 === 0 ? ["radio", "pitch"] : ["press"],
                updated_at: new Date(Date.UTC(2026, 0, 1) + i * 1000 + version.n).toISOString(),
              });
            }
            yield { records, checkpoint: { offset: offset + PAGE } };
          }
        },
      }),
    },
  });
}

async function scenario(name: string): Promise<void> {
  const version = { n: 0 };
  const store = new MemoryStore();
  const pb = createPatchbay({
    connectors: [connector(version)],
    store,
    vault: new Vault({ keys: [{ kid: "b", key: Buffer.alloc(32, 1).toString("base64") }] }),
  });
  const c = await pb.connect.withCredentials({
    tenantId: "bench",
    connector: "bench",
    credentials: { apiKey: "k" },
  });
  const job = { tenantId: "bench", connectionId: c.id, model: "items" };
  const time = async () => {
    const t0 = performance.now();
    const outcome = await pb.sync.run(job);
    if (outcome.status !== "succeeded") throw new Error(`bench run ${outcome.status}`);
    return { ms: performance.now() - t0, run: outcome.run };
  };
  const first = await time();
  let measured = first;
  if (name === "resync") measured = await time();
  if (name === "resync" && measured.run.unchanged !== RECORDS)
    throw new Error("re-sync was not unchanged");
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ name, ms: measured.ms, perSecond: (RECORDS / measured.ms) * 1000, rssMb }),
  );
}

if (process.argv[2] !== undefined) {
  await scenario(process.argv[2]);
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (name: string) =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", self, name], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      }),
    ) as {
      name: string;
      ms: number;
      perSecond: number;
      rssMb: number;
    };
  const full = run("full");
  const resync = run("resync");
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(
    `\n@patchbay/core sync engine, memory store, ${fmt(RECORDS)} records, batch 500, page ${fmt(PAGE)} (node ${process.version})`,
  );
  console.log("| scenario | time | records/s | peak RSS |");
  console.log("|---|---:|---:|---:|");
  console.log(
    `| full sync (first import) | ${(full.ms / 1000).toFixed(2)} s | ${fmt(full.perSecond)} | ${fmt(full.rssMb)} MB |`,
  );
  console.log(
    `| unchanged re-sync | ${(resync.ms / 1000).toFixed(2)} s | ${fmt(resync.perSecond)} | ${fmt(resync.rssMb)} MB |`,
  );
  console.log(
    `re-sync speed-up over first sync: ${(resync.perSecond / full.perSecond).toFixed(2)}x`,
  );
  console.log(
    "(peak RSS includes the memory store itself, which keeps every record in RAM by design)",
  );
}
