/**
 * The vault in a running system: credentials copied into another row, read
 * with the wrong key, or tampered with at rest fail closed — no provider call
 * is made with them, and nothing secret appears in the error.
 */
import { createPatchbay, ErrorCode, Vault, VaultError } from "@patchbay/core";
import { TASKS_API_KEY } from "@patchbay/testing/example";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectOAuth } from "./support/isolation.js";
import { KEY_2, rejection, tasksWorld } from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world() {
  const w = tasksWorld({ oauth: true, seed: 3 });
  server.use(...w.oauth.handlers, ...w.fake.handlers);
  return w;
}

async function sealedOf(w: ReturnType<typeof world>, tenantId: string, id: string) {
  const row = await w.store.getConnection(tenantId, id);
  return { blob: row!.credentials!, version: row!.credentialsVersion };
}

/** The connection cannot be used: tokens refused with VAULT_OPEN_FAILED, a sync fails without calling the provider. */
async function failsClosed(w: ReturnType<typeof world>, tenantId: string, id: string) {
  const calls = { ...w.fake.stats };
  const error = await rejection(w.patchbay.tokens.getAccessToken({ tenantId, id }));
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe(ErrorCode.VAULT_OPEN_FAILED);
  const outcome = await w.patchbay.sync.run({ tenantId, connectionId: id, model: "tasks" });
  expect(outcome.status).toBe("failed");
  expect(w.fake.stats.listCalls).toBe(calls.listCalls);
  expect(w.fake.stats.changesCalls).toBe(calls.changesCalls);
  const action = await rejection(
    w.patchbay.actions.run({
      tenantId,
      connectionId: id,
      action: "countTasks",
      input: { status: "open" },
    }),
  );
  expect(action).toMatchObject({ code: ErrorCode.VAULT_OPEN_FAILED });
  return error as VaultError;
}

describe("vault in the running system", () => {
  it("credentials copied into another tenant's row do not open there", async () => {
    const w = world();
    const a = await connectOAuth(w, "tenant-a");
    const b = await connectOAuth(w, "tenant-b");
    const stolen = await sealedOf(w, "tenant-a", a.id);
    const target = await sealedOf(w, "tenant-b", b.id);
    expect(
      await w.store.swapCredentials("tenant-b", b.id, target.version, stolen.blob),
    ).not.toBeNull();
    await failsClosed(w, "tenant-b", b.id);
    // A's own row still works.
    expect(await w.patchbay.tokens.getAccessToken({ tenantId: "tenant-a", id: a.id })).toBeTruthy();
  });

  it("credentials copied between two connections of the same tenant do not open", async () => {
    const w = world();
    const one = await connectOAuth(w, "tenant-a");
    const two = await connectOAuth(w, "tenant-a");
    const blob = (await sealedOf(w, "tenant-a", one.id)).blob;
    const { version } = await sealedOf(w, "tenant-a", two.id);
    await w.store.swapCredentials("tenant-a", two.id, version, blob);
    await failsClosed(w, "tenant-a", two.id);
  });

  it("a process with the wrong key fails closed and names no secret", async () => {
    const w = world();
    const a = await connectOAuth(w, "tenant-a");
    const wrong = createPatchbay({
      connectors: [w.connector],
      store: w.store,
      vault: new Vault({ keys: [KEY_2] }),
      now: w.clock.now,
    });
    const error = await rejection(wrong.tokens.getAccessToken({ tenantId: "tenant-a", id: a.id }));
    expect(error).toMatchObject({ code: ErrorCode.VAULT_OPEN_FAILED });
    expect((error as Error).message).toContain('"k1"'); // names the missing key id, not the key
    expect((error as Error).message).not.toContain(KEY_2.key);
    const calls = w.fake.stats.listCalls;
    expect(
      (await wrong.sync.run({ tenantId: "tenant-a", connectionId: a.id, model: "tasks" })).status,
    ).toBe("failed");
    expect(w.fake.stats.listCalls).toBe(calls);
    // A keyring with the right kid but other bytes: authentication fails.
    const impostor = createPatchbay({
      connectors: [w.connector],
      store: w.store,
      vault: new Vault({ keys: [{ kid: "k1", key: KEY_2.key }] }),
    });
    await expect(
      impostor.tokens.getAccessToken({ tenantId: "tenant-a", id: a.id }),
    ).rejects.toMatchObject({ code: ErrorCode.VAULT_OPEN_FAILED });
  });

  it.each([
    ["one flipped bit in the ciphertext", (b: Uint8Array) => flip(b, b.length - 20)],
    ["one flipped bit in the tag", (b: Uint8Array) => flip(b, b.length - 1)],
    ["one flipped bit in the IV", (b: Uint8Array) => flip(b, 2 + b[1]! + 3)],
    ["a changed key id", (b: Uint8Array) => flip(b, 2)],
    ["truncated", (b: Uint8Array) => b.slice(0, 20)],
    ["empty", () => new Uint8Array(0)],
    ["extended", (b: Uint8Array) => new Uint8Array([...b, 0])],
  ])("a tampered blob (%s) fails closed", async (_name, tamper) => {
    const w = world();
    const a = await connectOAuth(w, "tenant-a");
    const { blob, version } = await sealedOf(w, "tenant-a", a.id);
    await w.store.swapCredentials("tenant-a", a.id, version, tamper(new Uint8Array(blob)));
    const error = await failsClosed(w, "tenant-a", a.id);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toMatch(
      /ey[A-Za-z0-9_-]{10,}|access_token|refresh/i,
    );
  });

  it("an API key copied into another row does not open either (credential forms)", async () => {
    const w = tasksWorld({ seed: 2 });
    server.use(...w.fake.handlers);
    const a = await w.connectWithKey("tenant-a");
    const b = await w.connectWithKey("tenant-b");
    const blob = (await w.store.getConnection("tenant-a", a.id))!.credentials!;
    const row = (await w.store.getConnection("tenant-b", b.id))!;
    await w.store.swapCredentials("tenant-b", b.id, row.credentialsVersion, blob);
    const error = await rejection(
      w.patchbay.tokens.getCredentials({ tenantId: "tenant-b", id: b.id }),
    );
    expect(error).toMatchObject({ code: ErrorCode.VAULT_OPEN_FAILED });
    expect((error as Error).message).not.toContain(TASKS_API_KEY);
    const outcome = await w.patchbay.sync.run({
      tenantId: "tenant-b",
      connectionId: b.id,
      model: "tasks",
    });
    expect(outcome.status).toBe("failed");
  });

  it("rotation reports a moved blob as failed instead of re-sealing it under the new row", async () => {
    const w = world();
    const a = await connectOAuth(w, "tenant-a");
    const b = await connectOAuth(w, "tenant-b");
    const stolen = await sealedOf(w, "tenant-a", a.id);
    const target = await sealedOf(w, "tenant-b", b.id);
    await w.store.swapCredentials("tenant-b", b.id, target.version, stolen.blob);
    const rotated = createPatchbay({
      connectors: [w.connector],
      store: w.store,
      vault: new Vault({
        keys: [KEY_2, { kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }],
      }),
    });
    const report = await rotated.rotateKeys();
    expect(report.failed).toEqual([b.id]);
    expect(report.resealed).toBe(1);
    await expect(
      rotated.tokens.getAccessToken({ tenantId: "tenant-b", id: b.id }),
    ).rejects.toMatchObject({ code: ErrorCode.VAULT_OPEN_FAILED });
  });
});

function flip(blob: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(blob);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
