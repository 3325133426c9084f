import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
import { describe, expect, it } from "vitest";
import { createTasksFake, TASKS_API_KEY, tasksConnector } from "../src/example/index.js";
import { KEY_1 } from "./support.js";

// The other tests use the example for sync, write-back, webhooks and the
// contract; these cover what only it adds: its in-process `fetch`, the
// paginated action and the file destination.
async function connected(seed: number) {
  const fake = createTasksFake();
  fake.seed(seed);
  const patchbay = createPatchbay({
    connectors: [tasksConnector({ pageSize: 100 })],
    store: new MemoryStore(),
    vault: new Vault({ keys: [KEY_1] }),
    fetch: fake.fetch,
  });
  const { id } = await patchbay.connect.withCredentials({
    tenantId: "t1",
    connector: "tasks",
    credentials: { apiKey: TASKS_API_KEY },
  });
  return { fake, patchbay, ref: { tenantId: "t1", connectionId: id } };
}

describe("@patchbay/testing/example", () => {
  it("serves Patchbay through `fetch` without MSW, and refuses requests it has no handler for", async () => {
    const { fake, patchbay, ref } = await connected(250);
    const before = fake.stats.listCalls;
    const outcome = await patchbay.sync.run({ ...ref, model: "tasks" });
    expect(outcome).toMatchObject({ run: { mode: "full", inserted: 250 } });
    expect(fake.stats.listCalls - before).toBe(3);
    await expect(fake.fetch("https://api.tasks.test/v1/nope")).rejects.toThrow(
      "unhandled GET https://api.tasks.test/v1/nope",
    );
  });

  it("counts tasks by status across every listing page", async () => {
    const { fake, patchbay, ref } = await connected(250);
    fake.remove("t000001");
    const count = (status: string) =>
      patchbay.actions.run({ ...ref, action: "countTasks", input: { status } });
    expect(await count("done")).toBe(83);
    expect(await count("open")).toBe(166);
  });

  it("uploads exports as files, replaces the file in place, and creates it again when it is gone", async () => {
    const { fake, patchbay, ref } = await connected(3);
    await patchbay.sync.run({ ...ref, model: "tasks" });
    const definition = await patchbay.exports.define("t1", {
      name: "weekly",
      source: { connectionId: ref.connectionId, model: "tasks" },
      format: "csv",
      schedule: { kind: "manual" },
      destination: { connectionId: ref.connectionId },
    });
    const first = await patchbay.exports.run("t1", definition.id);
    fake.update("t000002", { title: "Renamed" });
    await patchbay.sync.run({ ...ref, model: "tasks" });
    const second = await patchbay.exports.run("t1", definition.id);
    expect([first, second]).toMatchObject([
      { status: "succeeded", run: { fileId: "file_1", details: { replaced: false } } },
      { status: "succeeded", run: { fileId: "file_1", details: { replaced: true } } },
    ]);
    const file = fake.files.get("file_1")!;
    expect(file).toMatchObject({ name: "weekly.csv", revision: 2 });
    expect(file.mimeType).toContain("text/csv");
    expect(new TextDecoder().decode(file.body)).toContain("Renamed");

    fake.files.clear(); // deleted at the provider
    const third = await patchbay.exports.run("t1", definition.id);
    expect(third).toMatchObject({ run: { fileId: "file_2", details: { replaced: false } } });
    expect([...fake.files.keys()]).toEqual(["file_2"]);
  });
});
