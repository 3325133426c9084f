/**
 * What only the memory store can show: its injectable clock, its error
 * messages, the choices it documents where the interface is silent, and its
 * speed. The contract itself is tested by `testStore` in @patchbay/testing.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode, type Json, MemoryStore, type RecordBatch } from "../src/index.js";

function batch(extra: Partial<RecordBatch> = {}): RecordBatch {
  return {
    connectionId: "c_1",
    model: "contacts",
    runId: "run_1",
    upserts: [],
    deletes: [],
    now: new Date(),
    ...extra,
  };
}

describe("MemoryStore clock", () => {
  it("expires a lease exactly when its ttl has passed on the injected clock", async () => {
    let now = 1_000;
    const store = new MemoryStore({ now: () => now });
    expect(await store.acquireLease("sync:c_1", "a", 500)).toBe(true);
    now = 1_499;
    expect(await store.acquireLease("sync:c_1", "b", 500)).toBe(false);
    expect(await store.renewLease("sync:c_1", "a", 500)).toBe(true); // now until 1_999
    now = 1_999;
    expect(await store.acquireLease("sync:c_1", "b", 500)).toBe(true);
    expect(await store.renewLease("sync:c_1", "a", 500)).toBe(false);
  });

  it("treats an expired lease as lost for renewal even if nobody took it", async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    await store.acquireLease("k", "a", 100);
    now = 100;
    expect(await store.renewLease("k", "a", 100)).toBe(false);
    expect(await store.acquireLease("k", "a", 100)).toBe(true);
  });

  it("stamps connections with the injected clock", async () => {
    let now = Date.UTC(2024, 0, 1);
    const store = new MemoryStore({ now: () => now });
    const created = await store.createConnection({
      id: "c_1",
      tenantId: "t_1",
      connector: "acme",
      status: "pending",
      credentials: null,
    });
    expect(created.createdAt.getTime()).toBe(Date.UTC(2024, 0, 1));
    now += 5_000;
    const updated = await store.updateConnection("t_1", "c_1", { status: "active" });
    expect(updated.updatedAt.getTime()).toBe(Date.UTC(2024, 0, 1) + 5_000);
    expect(updated.createdAt.getTime()).toBe(Date.UTC(2024, 0, 1));
  });
});

describe("MemoryStore errors", () => {
  it("names the duplicate id and the missing connection", async () => {
    const store = new MemoryStore();
    const input = {
      id: "c_123",
      tenantId: "t_1",
      connector: "acme",
      status: "active",
      credentials: null,
    } as const;
    await store.createConnection(input);
    await expect(store.createConnection(input)).rejects.toMatchObject({
      code: ErrorCode.STORAGE,
      message: "connection c_123 already exists",
    });
    await expect(store.updateConnection("t_2", "c_123", {})).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: "connection c_123 not found for tenant t_2",
    });
    await expect(store.updateSyncRun("t_1", "run_9", {})).rejects.toThrow(
      "sync run run_9 not found for tenant t_1",
    );
  });

  it("rejects a batch with non-JSON data with a TypeError naming the value, writing nothing", async () => {
    const store = new MemoryStore();
    const bad = { when: new Date(0) } as unknown as Json;
    const attempt = store.applyRecordBatch(
      "t_1",
      batch({
        upserts: [
          { externalId: "a", hash: "1", data: 1 },
          { externalId: "b", hash: "1", data: { list: [1, bad] } },
        ],
        checkpoint: { cursor: "c1" },
      }),
    );
    await expect(attempt).rejects.toThrow(
      new TypeError(
        '"upserts[1].data.list[1].when" must be JSON: found a Date, not a plain object',
      ),
    );
    expect(await store.getRecord("t_1", "c_1", "contacts", "a")).toBeNull();
    expect(await store.getSyncState("t_1", "c_1", "contacts")).toBeNull();
  });

  it("rejects field mappings that are not strings with a TypeError naming the path, changing nothing", async () => {
    const store = new MemoryStore();
    const bad = { rows: { artistName: 7 } } as unknown as Record<string, Record<string, string>>;
    await expect(
      store.createConnection({
        id: "c_1",
        tenantId: "t_1",
        connector: "acme",
        status: "active",
        credentials: null,
        fieldMappings: bad,
      }),
    ).rejects.toThrow(new TypeError('"fieldMappings.rows.artistName" must be a string'));
    expect(await store.getConnection("t_1", "c_1")).toBeNull();

    await store.createConnection({
      id: "c_1",
      tenantId: "t_1",
      connector: "acme",
      status: "active",
      credentials: null,
      fieldMappings: { rows: { artistName: "Artist" } },
    });
    const notObject = { rows: ["Artist"] } as unknown as Record<string, Record<string, string>>;
    await expect(
      store.updateConnection("t_1", "c_1", { status: "error", fieldMappings: notObject }),
    ).rejects.toThrow(new TypeError('"fieldMappings.rows" must be an object of strings'));
    expect(await store.getConnection("t_1", "c_1")).toMatchObject({
      status: "active",
      fieldMappings: { rows: { artistName: "Artist" } },
    });
  });

  it("rejects a non-string findConnections value, a duplicate audit id and a fractional usage delta", async () => {
    const store = new MemoryStore();
    await expect(
      store.findConnections("acme", { realmId: 42 } as unknown as Record<string, string>),
    ).rejects.toThrow(new TypeError('"metadata.realmId" must be a string'));

    const entry = {
      id: "audit_1",
      tenantId: "t_1",
      at: new Date(),
      actor: null,
      action: "vault.rotate",
      connectionId: null,
      connector: null,
      details: {},
    } as const;
    await store.appendAudit(entry);
    await expect(store.appendAudit({ ...entry, tenantId: "t_2" })).rejects.toMatchObject({
      code: ErrorCode.STORAGE,
      message: "audit entry audit_1 already exists",
    });
    await expect(
      store.appendAudit({ ...entry, id: "audit_2", details: { when: new Date() } as never }),
    ).rejects.toThrow('"details.when" must be JSON');

    await expect(store.incrementUsage("t_1", "2026-11", { records: 1.5 })).rejects.toThrow(
      new TypeError('"delta.records" must be an integer, got 1.5'),
    );
    expect(await store.getUsage("t_1", "2026-11")).toEqual({ records: 0, runs: 0 });
  });

  it("rejects a negative or fractional limit with a TypeError", async () => {
    const store = new MemoryStore();
    await expect(store.scanConnections({ limit: -1 })).rejects.toThrow(TypeError);
    await expect(
      store.listChanges("t_1", { connectionId: "c_1", after: 0, limit: 1.5 }),
    ).rejects.toThrow('"limit" must be a non-negative integer, got 1.5');
  });
});

describe("MemoryStore choices where the interface is silent", () => {
  it("gives a silently inserted record seq 0 and feeds it from its first provider change", async () => {
    const store = new MemoryStore();
    await store.applyRecordBatch(
      "t_1",
      batch({ upserts: [{ externalId: "a", hash: "1", data: 1 }], silent: true }),
    );
    expect(await store.getRecord("t_1", "c_1", "contacts", "a")).toMatchObject({
      seq: 0,
      createdSeq: 0,
    });
    await store.applyRecordBatch(
      "t_1",
      batch({ upserts: [{ externalId: "a", hash: "2", data: 2 }] }),
    );
    const [change] = await store.listChanges("t_1", { connectionId: "c_1", after: 0, limit: 10 });
    // createdSeq 0 < seq: consumers see an update of a record the host created.
    expect(change).toMatchObject({ externalId: "a", data: 2, createdSeq: 0 });
    expect(change!.seq).toBeGreaterThan(0);
  });

  it("applies tombstones after upserts, so an id in both ends up deleted", async () => {
    const store = new MemoryStore();
    const result = await store.applyRecordBatch(
      "t_1",
      batch({ upserts: [{ externalId: "a", hash: "1", data: 1 }], deletes: ["a"] }),
    );
    expect(result).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 1 });
    const record = await store.getRecord("t_1", "c_1", "contacts", "a");
    expect(record?.deletedAt).not.toBeNull();
  });

  it("lists audit entries with the same time last appended first", async () => {
    const store = new MemoryStore();
    const at = new Date(Date.UTC(2026, 10, 1));
    for (const id of ["a", "b", "c"]) {
      await store.appendAudit({
        id,
        tenantId: "t_1",
        at,
        actor: null,
        action: "sync.trigger",
        connectionId: null,
        connector: null,
        details: {},
      });
    }
    const listed = await store.listAudit("t_1", { limit: 10 });
    expect(listed.map((e) => e.id)).toEqual(["c", "b", "a"]);
  });

  it("finds connections of every tenant for an empty metadata filter, except disconnected ones", async () => {
    const store = new MemoryStore();
    const base = { connector: "acme", credentials: null } as const;
    await store.createConnection({ ...base, id: "c_1", tenantId: "t_1", status: "active" });
    await store.createConnection({ ...base, id: "c_2", tenantId: "t_2", status: "pending" });
    await store.createConnection({ ...base, id: "c_3", tenantId: "t_1", status: "disconnected" });
    const found = await store.findConnections("acme", {});
    expect(found.map((c) => c.id)).toEqual(["c_1", "c_2"]);
  });

  it("does not move a record in the change feed when its internal id is set", async () => {
    const store = new MemoryStore();
    await store.applyRecordBatch(
      "t_1",
      batch({ upserts: [{ externalId: "a", hash: "1", data: 1 }] }),
    );
    const before = await store.getRecord("t_1", "c_1", "contacts", "a");
    await store.setInternalId("t_1", "c_1", "contacts", "a", "host_1");
    const after = await store.getRecord("t_1", "c_1", "contacts", "a");
    expect(after).toMatchObject({ internalId: "host_1", seq: before!.seq });
  });
});

describe("MemoryStore at scale", () => {
  // Speed is measured by `pnpm bench`, not asserted here.
  it("keeps 100,000 records exact across two runs: changes, deletes and paging", async () => {
    const store = new MemoryStore();
    const total = 100_000;
    for (let run = 1; run <= 2; run++) {
      // The second run changes every tenth record and sees all but the last 1,000.
      const seen = run === 1 ? total : total - 1_000;
      for (let offset = 0; offset < seen; offset += 500) {
        const upserts = Array.from({ length: Math.min(500, seen - offset) }, (_, i) => {
          const n = offset + i;
          const version = run === 2 && n % 10 === 0 ? 2 : 1;
          return {
            externalId: `rec_${String(n).padStart(6, "0")}`,
            hash: `h${n}-${version}`,
            data: { n, name: `Record ${n}`, version, tags: ["a", "b"] },
          };
        });
        await store.applyRecordBatch(
          "t_1",
          batch({ runId: `run_${run}`, upserts, checkpoint: { checkpoint: offset } }),
        );
      }
    }
    let marked = 0;
    for (;;) {
      const n = await store.markUnseenDeleted("t_1", {
        connectionId: "c_1",
        model: "contacts",
        runId: "run_2",
        limit: 500,
        now: new Date(),
      });
      marked += n;
      if (n < 500) break;
    }
    expect(marked).toBe(1_000);

    let changes = 0;
    let after = 0;
    for (;;) {
      const page = await store.listChanges("t_1", { connectionId: "c_1", after, limit: 500 });
      changes += page.length;
      if (page.length < 500) break;
      after = page[page.length - 1]!.seq;
    }
    expect(changes).toBe(total);

    let listed = 0;
    let afterExternalId: string | undefined;
    for (;;) {
      const page = await store.listRecords("t_1", {
        connectionId: "c_1",
        model: "contacts",
        limit: 500,
        ...(afterExternalId === undefined ? {} : { afterExternalId }),
      });
      listed += page.length;
      if (page.length < 500) break;
      afterExternalId = page[page.length - 1]!.externalId;
    }
    expect(listed).toBe(total - 1_000);
  });
});
