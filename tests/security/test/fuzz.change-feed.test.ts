/**
 * The change feed under any interleaving of provider changes, syncs and
 * host writes, against the in-memory Tasks provider (no MSW: its handlers
 * answer an injected `fetch`). A host that polls the feed at random moments
 * with its stored cursor — and applies its own writes, which the feed
 * deliberately leaves out (echo suppression) — ends up with exactly the
 * store's current records; and the feed replayed from the start reproduces
 * every record it lists.
 */
import {
  createPatchbay,
  type HostChange,
  type Json,
  MemoryStore,
  type Patchbay,
  Vault,
} from "@patchbay/core";
import { createTasksFake, TASKS_API_KEY, tasksConnector } from "@patchbay/testing/example";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RUNS } from "./support/fuzz.js";
import { KEY_1, manualClock } from "./support/world.js";

type Op =
  | { kind: "providerCreate"; done: boolean }
  | { kind: "providerUpdate"; pick: number; title: string }
  | { kind: "providerDelete"; pick: number; tombstone: boolean }
  | { kind: "sync"; mode: "full" | "incremental" }
  | { kind: "hostCreate"; title: string }
  | { kind: "hostUpdate"; pick: number; title: string }
  | { kind: "hostDelete"; pick: number }
  | { kind: "link"; pick: number }
  | { kind: "poll"; limit: number };

const title = fc.string({ minLength: 1, maxLength: 6 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("providerCreate" as const), done: fc.boolean() }),
  fc.record({ kind: fc.constant("providerUpdate" as const), pick: fc.nat(), title }),
  fc.record({
    kind: fc.constant("providerDelete" as const),
    pick: fc.nat(),
    tombstone: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("sync" as const),
    mode: fc.constantFrom("full" as const, "incremental" as const),
  }),
  fc.record({ kind: fc.constant("hostCreate" as const), title }),
  fc.record({ kind: fc.constant("hostUpdate" as const), pick: fc.nat(), title }),
  fc.record({ kind: fc.constant("hostDelete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("link" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("poll" as const), limit: fc.integer({ min: 1, max: 5 }) }),
);

const TENANT = "t";

async function liveRecords(store: MemoryStore, connectionId: string) {
  const out = new Map<string, Json>();
  const page = await store.listRecords(TENANT, { connectionId, model: "tasks", limit: 1000 });
  for (const r of page) out.set(r.externalId, r.data);
  return out;
}

/** Read the feed from `cursor` to its end, `limit` at a time, applying each change to `into`. */
async function drain(
  pb: Patchbay,
  connectionId: string,
  into: Map<string, Json>,
  cursor: string | undefined,
  limit: number,
): Promise<string> {
  let after = cursor;
  for (;;) {
    const page = await pb.records.changes({
      tenantId: TENANT,
      connectionId,
      model: "tasks",
      after,
      limit,
    });
    for (const change of page.changes) {
      if (change.kind === "deleted") into.delete(change.externalId);
      else into.set(change.externalId, change.raw);
    }
    after = page.cursor;
    if (!page.hasMore) return after;
  }
}

describe("fuzz: the change feed", () => {
  it("a polling host plus its own writes equals the store; a replay from the start reproduces what it lists", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.array(op, { maxLength: 14 }),
        async (seed, ops) => {
          const clock = manualClock();
          const fake = createTasksFake({ now: clock.now });
          fake.seed(seed);
          const store = new MemoryStore({ now: clock.now });
          const pb = createPatchbay({
            connectors: [tasksConnector({ pageSize: 3 })],
            store,
            vault: new Vault({ keys: [KEY_1] }),
            now: clock.now,
            fetch: fake.fetch,
          });
          const { id } = await pb.connect.withCredentials({
            tenantId: TENANT,
            connector: "tasks",
            credentials: { apiKey: TASKS_API_KEY },
          });
          const host = new Map<string, Json>();
          const hostIds = new Map<string, string>(); // internal → external, as the host knows them
          const hostCreated = new Set<string>();
          let cursor: string | undefined;
          let n = 0;
          const providerIds = () => fake.sorted().map((t) => t.id);
          const pickOf = <T>(list: T[], pick: number) =>
            list.length === 0 ? undefined : list[pick % list.length];

          async function write(change: HostChange) {
            const { results } = await pb.write({
              tenantId: TENANT,
              connectionId: id,
              model: "tasks",
              changes: [change],
            });
            const result = results[0]!;
            if (result.status !== "applied" || result.externalId === undefined) return;
            // The host applies its own change to its own copy: the feed leaves it out.
            const stored = await store.getRecord(TENANT, id, "tasks", result.externalId);
            if (change.op === "delete" || stored === null || stored.deletedAt !== null) {
              host.delete(result.externalId);
              hostIds.delete(change.internalId);
            } else {
              host.set(result.externalId, stored.data);
              hostIds.set(change.internalId, result.externalId);
              if (change.op === "create") hostCreated.add(result.externalId);
            }
          }

          for (const step of ops) {
            clock.advance(1000);
            switch (step.kind) {
              case "providerCreate":
                fake.create({ title: `p${n++}`, status: step.done ? "done" : "open" });
                break;
              case "providerUpdate": {
                const target = pickOf(providerIds(), step.pick);
                if (target) fake.update(target, { title: step.title });
                break;
              }
              case "providerDelete": {
                const target = pickOf(providerIds(), step.pick);
                if (target) fake.remove(target, step.tombstone);
                break;
              }
              case "sync":
                await pb.sync.run({
                  tenantId: TENANT,
                  connectionId: id,
                  model: "tasks",
                  mode: step.mode,
                });
                break;
              case "hostCreate":
                await write({
                  op: "create",
                  internalId: `h${n++}`,
                  data: { name: step.title, state: "open" },
                });
                break;
              case "hostUpdate": {
                const target = pickOf([...hostIds.keys()], step.pick);
                if (target)
                  await write({ op: "update", internalId: target, data: { name: step.title } });
                break;
              }
              case "hostDelete": {
                const target = pickOf([...hostIds.keys()], step.pick);
                if (target) await write({ op: "delete", internalId: target });
                break;
              }
              case "link": {
                const live = [...(await liveRecords(store, id)).keys()].filter(
                  (e) => ![...hostIds.values()].includes(e),
                );
                const target = pickOf(live, step.pick);
                if (target) {
                  const internalId = `l${n++}`;
                  await pb.records.setInternalId({
                    tenantId: TENANT,
                    connectionId: id,
                    model: "tasks",
                    externalId: target,
                    internalId,
                  });
                  hostIds.set(internalId, target);
                }
                break;
              }
              case "poll":
                cursor = await drain(pb, id, host, cursor, step.limit);
                break;
            }
          }
          cursor = await drain(pb, id, host, cursor, 4);
          const current = await liveRecords(store, id);

          // 1. The polling host holds exactly the store's current records.
          expect(Object.fromEntries(host)).toEqual(Object.fromEntries(current));

          // 2. A replay from the start lists only current records, as stored; what it
          //    leaves out is only what the host created itself and nobody changed since.
          const replay = new Map<string, Json>();
          await drain(pb, id, replay, undefined, 7);
          for (const [externalId, data] of replay) expect(current.get(externalId)).toEqual(data);
          for (const externalId of current.keys())
            if (!replay.has(externalId)) expect(hostCreated.has(externalId)).toBe(true);

          // 3. Nothing new after the end: the cursor is where the feed stops.
          const tail = await pb.records.changes({
            tenantId: TENANT,
            connectionId: id,
            model: "tasks",
            after: cursor,
          });
          expect(tail.changes).toEqual([]);
          expect(tail.cursor).toBe(cursor);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
