import {
  createPatchbay,
  MemoryStore,
  type PatchbayOptions,
  type Store,
  Vault,
} from "@patchbay/core";
import { createTasksFake, TASKS_API_KEY, tasksConnector } from "../src/example/index.js";
import { KEY_1, manualClock } from "./support.js";

/** A store whose every call fails once `kill()` is called: a process that died mid-run. */
export function killable(
  inner: Store,
): Store & { kill(): void; onBatch?: (n: number) => "before" | "after" | undefined } {
  let dead = false;
  let batches = 0;
  let onBatch: ((n: number) => "before" | "after" | undefined) | undefined;
  const wrapper = new Proxy(inner, {
    // `onBatch` lives on the wrapper, not on the store it wraps.
    set(target, prop, value, receiver) {
      if (prop === "onBatch") {
        onBatch = value;
        return true;
      }
      return Reflect.set(target, prop, value, receiver);
    },
    get(target, prop, receiver) {
      if (prop === "onBatch") return onBatch;
      if (prop === "kill") {
        return () => {
          dead = true;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (dead) throw new Error("process killed");
        if (prop === "applyRecordBatch") {
          batches++;
          const when = onBatch?.(batches);
          if (when === "before") {
            dead = true;
            throw new Error("process killed");
          }
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (when === "after") {
            dead = true;
            throw new Error("process killed");
          }
          return result;
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return wrapper as Store & { kill(): void };
}

/** The Tasks provider, a memory store, and Patchbay instances over them. */
export function tasksWorld(
  options: { seed?: number; pageSize?: number; fullEvery?: number; maxFailures?: number } = {},
) {
  const clock = manualClock();
  const fake = createTasksFake({ now: clock.now });
  if (options.seed) fake.seed(options.seed);
  const store = new MemoryStore({ now: clock.now });
  const connector = tasksConnector({
    pageSize: options.pageSize,
    fullEvery: options.fullEvery,
    maxFailures: options.maxFailures,
  });
  function patchbay(extra: Partial<PatchbayOptions> = {}) {
    return createPatchbay({
      connectors: [connector],
      store,
      vault: new Vault({ keys: [KEY_1] }),
      now: clock.now,
      ...extra,
    });
  }
  async function connect(pb = patchbay(), tenantId = "tenant-a") {
    return pb.connect.withCredentials({
      tenantId,
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
  }
  /** Every live record in the store for a connection, as { id → data }. */
  async function stored(tenantId: string, connectionId: string, s: Store = store) {
    const out = new Map<string, Record<string, unknown>>();
    for (let after: string | undefined; ; ) {
      const page = await s.listRecords(tenantId, {
        connectionId,
        model: "tasks",
        afterExternalId: after,
        limit: 500,
      });
      for (const r of page) out.set(r.externalId, r.data as Record<string, unknown>);
      if (page.length < 500) break;
      after = page[page.length - 1]!.externalId;
    }
    return out;
  }
  /** The provider's tasks without volatile fields, by id. */
  function expected() {
    return new Map(fake.sorted().map((t) => [t.id, { ...t }]));
  }
  return { clock, fake, store, connector, patchbay, connect, stored, expected };
}

/** Drop volatile fields for comparison. */
export function stable(data: Record<string, unknown>) {
  const { fetched_at: _f, ...rest } = data;
  return rest;
}
