import { airtable, flattenRecord } from "@patchbay/airtable";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_CLIENT,
  createAirtableFake,
} from "@patchbay/airtable/testing";
import { MemoryStore, type Store } from "@patchbay/core";
import { pgliteStore } from "@patchbay/store-postgres";
import { createFaultInjector, fault } from "@patchbay/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectOAuth,
  expectExact,
  killable,
  mswServer,
  patchbayFor,
  quick,
  run,
  stored,
  TENANT,
} from "./support.js";

const server = mswServer();
const pglite = pgliteStore();
// PGlite compiles and migrates on first use: seconds, more on a busy machine.
beforeAll(() => pglite.init(), 90_000);
afterAll(() => pglite.close());

describe("the process killed between batches", () => {
  // PGlite starts in a few seconds: one case on it, the other on the memory store.
  it.each([
    ["after", 2, "pglite", 50],
    ["before", 4, "memory", 100],
  ] as const)(
    "killed %s committing batch %i (%s store), with a 503 on the way: a fresh Patchbay resumes and ends exact",
    async (when, batch, kind, committedBefore) => {
      const store: Store = kind === "pglite" ? pglite : new MemoryStore();
      const fake = createAirtableFake();
      fake.seedTable(250);
      const injector = createFaultInjector({ handlers: fake.handlers });
      server.use(...injector.handlers);
      injector.add({
        url: `https://api.airtable.com/v0/${AIRTABLE_SANDBOX.baseId}/*`,
        method: "GET",
        nth: 2,
        fault: fault.status(503),
      });
      const connector = quick(airtable({ ...AIRTABLE_SANDBOX_CLIENT, rateLimitWaitMs: 5 }));
      const first = patchbayFor(connector, store, { sync: { batchSize: 50 } });
      const connection = await connectOAuth(
        first,
        "airtable",
        fake.oauth!,
        "https://app.example.com/integrations/callback",
      );
      await first.connections.configure(TENANT, connection.id, {
        baseId: AIRTABLE_SANDBOX.baseId,
        tableId: AIRTABLE_SANDBOX.tableId,
      });
      // The doomed process: a short lease, so the next one may take over soon after it dies.
      const dying = killable(store, { batch, when });
      const doomed = patchbayFor(connector, dying, {
        sync: { batchSize: 50, leaseTtlMs: 300 },
      });
      // The dead process cannot record its own end: the call throws, or reports what it could.
      const outcome = await doomed.sync
        .run({ tenantId: TENANT, connectionId: connection.id, model: "records" })
        .catch((error: Error) => ({ status: "crashed", error: error.message }));
      expect(outcome).toMatchObject({ status: expect.stringMatching(/^(crashed|failed)$/) });
      expect(dying.dead()).toBe(true);
      const committed = (await stored(store, connection.id, "records")).size;
      // Batch 1 is the pass marker (no records); batches of 50 records follow.
      expect(committed).toBe(committedBefore);
      // Past the lease, and past Airtable's one-second window: the doomed
      // process's last requests (the engine reads a page ahead) count
      // against the base's 5 requests per second as well.
      await new Promise((r) => setTimeout(r, 1_100));

      const next = patchbayFor(connector, store, { sync: { batchSize: 50 } });
      const resumed = await run(next, connection.id, "records");
      expect(resumed).toMatchObject({ status: "succeeded", inserted: 250 - committed });
      const runs = await next.sync.runs(TENANT, { connectionId: connection.id, limit: 10 });
      const dead = runs.find((r) => r.id !== resumed.id);
      expect(dead).toMatchObject({
        status: "failed",
        error:
          "interrupted: the process running it stopped; a later run resumed from its last checkpoint",
      });
      expect(injector.count()).toBe(1);
      await expectExact(
        next,
        store,
        connection.id,
        "records",
        new Map(fake.records().map((r) => [r.id, flattenRecord(r)])),
      );
    },
  );
});
