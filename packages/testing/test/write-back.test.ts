import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TASKS_WEBHOOK_SECRET } from "../src/example/index.js";
import { tasksWorld } from "./sync-world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function synced(options?: Parameters<typeof tasksWorld>[0]) {
  const w = tasksWorld(options);
  server.use(...w.fake.handlers);
  const pb = w.patchbay();
  const c = await w.connect(pb);
  await pb.sync.run({ tenantId: "tenant-a", connectionId: c.id, model: "tasks" });
  const { cursor } = await pb.records.changes({
    tenantId: "tenant-a",
    connectionId: c.id,
    limit: 1000,
  });
  const ref = { tenantId: "tenant-a", connectionId: c.id, model: "tasks" };
  return { w, pb, c, ref, cursor };
}

describe("write-back (two-way sync)", () => {
  it("creates, updates and deletes at the provider by host id, and keeps the id mapping", async () => {
    const { w, pb, c, ref } = await synced({ seed: 5 });
    await pb.records.setInternalId({ ...ref, externalId: "t000002", internalId: "host-2" });
    await pb.records.setInternalId({ ...ref, externalId: "t000003", internalId: "host-3" });
    const result = await pb.write({
      ...ref,
      changes: [
        { op: "create", internalId: "host-new", data: { name: "Pitch to KEXP", state: "open" } },
        { op: "update", internalId: "host-2", data: { state: "done" } },
        { op: "delete", internalId: "host-3" },
      ],
    });
    expect(result.results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    const newId = result.results[0]!.externalId!;
    expect(w.fake.tasks.get(newId)).toMatchObject({ title: "Pitch to KEXP", status: "open" });
    expect(w.fake.tasks.get("t000002")!.status).toBe("done");
    expect(w.fake.tasks.has("t000003")).toBe(false);
    expect(await pb.records.get({ ...ref, internalId: "host-new" })).toMatchObject({
      externalId: newId,
      data: { name: "Pitch to KEXP", state: "open" },
    });
    expect(result.run).toMatchObject({
      trigger: "write",
      status: "succeeded",
      inserted: 1,
      updated: 1,
      deleted: 1,
    });
    expect((await pb.sync.runs("tenant-a", { connectionId: c.id, limit: 1 }))[0]!.trigger).toBe(
      "write",
    );
  });

  it("does not echo the host's own changes back: the next sync reports nothing", async () => {
    const { pb, ref, cursor } = await synced({ seed: 5 });
    await pb.records.setInternalId({ ...ref, externalId: "t000001", internalId: "host-1" });
    const { cursor: afterMapping } = await pb.records.changes({ ...ref, after: cursor });
    await pb.write({
      ...ref,
      changes: [
        { op: "create", internalId: "host-9", data: { name: "From the host", state: "open" } },
        { op: "update", internalId: "host-1", data: { name: "Renamed by host" } },
      ],
    });
    // The write itself is not in the feed: the host made it.
    expect((await pb.records.changes({ ...ref, after: afterMapping })).changes).toEqual([]);
    for (const mode of ["incremental", "full"] as const) {
      const outcome = await pb.sync.run({ ...ref, mode });
      expect(outcome).toMatchObject({
        status: "succeeded",
        run: { inserted: 0, updated: 0, deleted: 0 },
      });
    }
    expect((await pb.records.changes({ ...ref, after: afterMapping })).changes).toEqual([]);
  });

  it("reports per-change failures without losing the others", async () => {
    const { pb, ref } = await synced({ seed: 3 });
    const result = await pb.write({
      ...ref,
      changes: [
        { op: "update", internalId: "never-mapped", data: { state: "done" } },
        { op: "create", internalId: "host-ok", data: { name: "Fine", state: "open" } },
        { op: "create", internalId: "host-bad", data: { state: "open" } }, // the provider requires a title
      ],
    });
    expect(result.results.map((r) => r.status)).toEqual(["failed", "applied", "failed"]);
    expect(result.results[0]!.error).toContain(
      'no live record is mapped to internal id "never-mapped"',
    );
    expect(result.results[2]!.error).toContain("422");
    expect(result.run).toMatchObject({ status: "failed", failed: 2, inserted: 1 });
  });

  it("refuses a host field the mapping does not know, naming it", async () => {
    const { pb, ref } = await synced({ seed: 1 });
    await expect(
      pb.write({ ...ref, changes: [{ op: "create", internalId: "h", data: { nmae: "typo" } }] }),
    ).rejects.toThrow('field "nmae" is not mapped (mapped fields: name, state, changedAt)');
  });
});

describe("conflicts (changed on both sides since the last sync)", () => {
  async function conflicted(
    policy: "provider_wins" | "host_wins" | "newest_wins",
    hostIsNewer = false,
  ) {
    const s = await synced({ seed: 3 });
    await s.pb.records.setInternalId({ ...s.ref, externalId: "t000001", internalId: "host-1" });
    const { cursor } = await s.pb.records.changes({ ...s.ref, after: s.cursor });
    // The provider side changed (a VA edited the sheet) ...
    const providerTime = new Date(s.w.clock.now() + 60_000).toISOString();
    s.w.fake.update("t000001", { title: "Provider edit" }, providerTime);
    // ... and so did the host, without a sync in between.
    const hostTime = new Date(s.w.clock.now() + (hostIsNewer ? 120_000 : 30_000));
    const result = await s.pb.write({
      ...s.ref,
      conflictPolicy: policy,
      changes: [
        { op: "update", internalId: "host-1", data: { name: "Host edit" }, updatedAt: hostTime },
      ],
    });
    return { ...s, result, cursor };
  }

  it("provider wins: the host change is skipped and the provider's version arrives in the feed", async () => {
    const { w, pb, ref, result, cursor } = await conflicted("provider_wins");
    expect(result.results[0]).toMatchObject({
      status: "skipped_conflict",
      conflict: { policy: "provider_wins", winner: "provider" },
    });
    expect(w.fake.tasks.get("t000001")!.title).toBe("Provider edit");
    const feed = await pb.records.changes({ ...ref, after: cursor });
    expect(feed.changes).toMatchObject([
      { externalId: "t000001", kind: "updated", data: { name: "Provider edit" } },
    ]);
    expect(result.run.details.conflicts).toEqual([
      { internalId: "host-1", externalId: "t000001", policy: "provider_wins", winner: "provider" },
    ]);
  });

  it("host wins: the host change is written over the provider's", async () => {
    const { w, result } = await conflicted("host_wins");
    expect(result.results[0]).toMatchObject({ status: "applied", conflict: { winner: "host" } });
    expect(w.fake.tasks.get("t000001")!.title).toBe("Host edit");
    expect(result.run.details.conflicts).toHaveLength(1);
  });

  it("newest wins: decided by the provider's modified time against the change's time", async () => {
    const older = await conflicted("newest_wins", false);
    expect(older.result.results[0]).toMatchObject({
      status: "skipped_conflict",
      conflict: { winner: "provider" },
    });
    expect(older.w.fake.tasks.get("t000001")!.title).toBe("Provider edit");
    const newer = await conflicted("newest_wins", true);
    expect(newer.result.results[0]).toMatchObject({
      status: "applied",
      conflict: { winner: "host" },
    });
    expect(newer.w.fake.tasks.get("t000001")!.title).toBe("Host edit");
  });

  it("no conflict when only the host changed", async () => {
    const s = await synced({ seed: 2 });
    await s.pb.records.setInternalId({ ...s.ref, externalId: "t000002", internalId: "host-2" });
    const result = await s.pb.write({
      ...s.ref,
      changes: [{ op: "update", internalId: "host-2", data: { state: "done" } }],
    });
    expect(result.results[0]).toMatchObject({ status: "applied" });
    expect(result.results[0]!.conflict).toBeUndefined();
  });
});

describe("field mapping", () => {
  it("validates a mapping against both schemas, naming the unknown field", async () => {
    const { pb, c, ref } = await synced({ seed: 2 });
    const hostSchema = z.object({ artistName: z.string(), status: z.string() });
    await expect(
      pb.connections.setFieldMapping(
        "tenant-a",
        c.id,
        "tasks",
        { artistName: "Title" },
        { hostSchema },
      ),
    ).rejects.toThrow(
      'Field mapping of "tasks": unknown field "Title" (for "artistName"); available: id, title, status, updated_at, fetched_at',
    );
    await expect(
      pb.connections.setFieldMapping(
        "tenant-a",
        c.id,
        "tasks",
        { artist: "title" },
        { hostSchema },
      ),
    ).rejects.toThrow('unknown host field "artist"; your schema has: artistName, status');
    await expect(
      pb.connections.setFieldMapping("tenant-a", c.id, "tasks", {
        artistName: "title",
        status: "title",
      }),
    ).rejects.toThrow('field "title" is mapped twice');
    await pb.connections.setFieldMapping(
      "tenant-a",
      c.id,
      "tasks",
      { artistName: "title", status: "status" },
      { hostSchema },
    );
    const record = await pb.records.get({ ...ref, externalId: "t000001" });
    expect(record!.data).toEqual({ artistName: "Task 1", status: "done" });
    const written = await pb.write({
      ...ref,
      changes: [{ op: "create", internalId: "h1", data: { artistName: "Mapped", status: "open" } }],
    });
    expect(written.results[0]!.status).toBe("applied");
  });
});

describe("webhooks", () => {
  it("a genuine delivery triggers an incremental sync of the matching connection", async () => {
    const { w, pb, ref, cursor } = await synced({ seed: 4 });
    w.fake.update("t000002", { title: "Changed at the provider" });
    const response = await pb.handleWebhook(
      "tasks",
      w.fake.webhook({ account: "acct_1", type: "task.changed" }),
    );
    expect(response.status).toBe(202);
    const feed = await pb.records.changes({ ...ref, after: cursor });
    expect(feed.changes).toMatchObject([
      { externalId: "t000002", data: { name: "Changed at the provider" } },
    ]);
    const [run] = await pb.sync.runs("tenant-a", { connectionId: ref.connectionId, limit: 1 });
    expect(run).toMatchObject({ trigger: "webhook", mode: "incremental", updated: 1 });
  });

  it("applies a record carried in the payload directly", async () => {
    const { w, pb, ref } = await synced({ seed: 2 });
    const task = {
      id: "t000001",
      title: "Pushed",
      status: "open",
      updated_at: new Date().toISOString(),
    };
    const response = await pb.handleWebhook(
      "tasks",
      w.fake.webhook({ account: "acct_1", type: "task.upserted", task }),
    );
    expect(response.status).toBe(202);
    expect((await pb.records.get({ ...ref, externalId: "t000001" }))!.raw).toMatchObject({
      title: "Pushed",
    });
  });

  it("rejects a forged, replayed or unroutable delivery and applies nothing", async () => {
    const { w, pb, ref, cursor } = await synced({ seed: 2 });
    const runsBefore = (await pb.sync.runs("tenant-a", { connectionId: ref.connectionId })).length;
    const forged = await pb.handleWebhook(
      "tasks",
      w.fake.webhook({ account: "acct_1" }, { secret: `${TASKS_WEBHOOK_SECRET}x` }),
    );
    expect(forged.status).toBe(401);
    const stale = await pb.handleWebhook(
      "tasks",
      w.fake.webhook({ account: "acct_1" }, { timestamp: Math.floor(w.clock.now() / 1000) - 3600 }),
    );
    expect(stale.status).toBe(401);
    const unroutable = await pb.handleWebhook("tasks", w.fake.webhook({ account: "acct_404" }));
    expect(unroutable.status).toBe(404);
    const once = w.fake.webhook({ account: "acct_1" }, { deliveryId: "dlv_same" });
    const twice = w.fake.webhook({ account: "acct_1" }, { deliveryId: "dlv_same" });
    expect((await pb.handleWebhook("tasks", once)).status).toBe(202);
    expect((await pb.handleWebhook("tasks", twice)).status).toBe(200);
    expect((await pb.sync.runs("tenant-a", { connectionId: ref.connectionId })).length).toBe(
      runsBefore + 1,
    );
    expect((await pb.records.changes({ ...ref, after: cursor })).changes).toEqual([]);
  });
});

describe("write-back input errors", () => {
  it("names the bad argument", async () => {
    const { pb, ref } = await synced({ seed: 1 });
    await expect(pb.write({ ...ref, changes: [] })).rejects.toThrow(
      '"changes" must be a non-empty array',
    );
    await expect(
      pb.write({ ...ref, changes: [{ op: "upsert" as "create", internalId: "x", data: {} }] }),
    ).rejects.toThrow('"changes[0].op" must be');
    await expect(
      pb.write({ ...ref, connectionId: "nope", changes: [{ op: "delete", internalId: "x" }] }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });
});
