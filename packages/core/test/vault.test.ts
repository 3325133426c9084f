import { describe, expect, it } from "vitest";
import { ErrorCode, MemoryStore, Vault, VaultError } from "../src/index.js";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64url");
const binding = { tenantId: "t1", connectionId: "c1" };
const secret = { accessToken: "at_secret_value_1", refreshToken: "rt_secret_value_1" };

function vaultError(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error("expected a VaultError");
}

describe("Vault", () => {
  it("round-trips a credential and never stores it in the clear", () => {
    const vault = new Vault({ keys: [{ kid: "k1", key: KEY_A }] });
    const blob = vault.seal(secret, binding);
    expect(Buffer.from(blob).toString("latin1")).not.toContain("at_secret_value_1");
    expect(vault.open(blob, binding)).toEqual(secret);
  });

  it("uses a fresh IV for every seal", () => {
    const vault = new Vault({ keys: [{ kid: "k1", key: KEY_A }] });
    const a = Buffer.from(vault.seal(secret, binding));
    const b = Buffer.from(vault.seal(secret, binding));
    expect(a.equals(b)).toBe(false);
  });

  it("refuses to open a blob moved to another connection or tenant", () => {
    const vault = new Vault({ keys: [{ kid: "k1", key: KEY_A }] });
    const blob = vault.seal(secret, binding);
    expect(vaultError(() => vault.open(blob, { tenantId: "t1", connectionId: "c2" })).code).toBe(
      ErrorCode.VAULT_OPEN_FAILED,
    );
    expect(vaultError(() => vault.open(blob, { tenantId: "t2", connectionId: "c1" })).code).toBe(
      ErrorCode.VAULT_OPEN_FAILED,
    );
    expect(vaultError(() => vault.open(blob, { tenantId: "t1", oauthState: "c1" })).code).toBe(
      ErrorCode.VAULT_OPEN_FAILED,
    );
  });

  it("detects a single flipped bit", () => {
    const vault = new Vault({ keys: [{ kid: "k1", key: KEY_A }] });
    const blob = vault.seal(secret, binding);
    blob[blob.length - 20]! ^= 1;
    expect(vaultError(() => vault.open(blob, binding)).message).toMatch(
      /altered or belong to another connection/,
    );
  });

  it("seals with the newest key and opens with every key in the ring", () => {
    const old = new Vault({ keys: [{ kid: "2026-01", key: KEY_A }] });
    const blob = old.seal(secret, binding);
    const ring = new Vault({
      keys: [
        { kid: "2026-11", key: KEY_B },
        { kid: "2026-01", key: KEY_A },
      ],
    });
    expect(ring.open(blob, binding)).toEqual(secret);
    expect(ring.needsRotation(blob)).toBe(true);
    expect(ring.kidOf(ring.seal(secret, binding))).toBe("2026-11");
  });

  it("names the missing key when a blob was sealed with a key no longer in the ring", () => {
    const blob = new Vault({ keys: [{ kid: "gone", key: KEY_A }] }).seal(secret, binding);
    const error = vaultError(() =>
      new Vault({ keys: [{ kid: "k2", key: KEY_B }] }).open(blob, binding),
    );
    expect(error.message).toContain('"gone"');
  });

  it("refuses to start without a usable key, saying how to make one", () => {
    expect(vaultError(() => new Vault({ keys: [] })).code).toBe(ErrorCode.VAULT_KEY_INVALID);
    expect(vaultError(() => new Vault({ keys: [{ kid: "k1", key: "c2hvcnQ=" }] })).message).toMatch(
      /must be 32 bytes \(AES-256\), got 5; generate one with/,
    );
    expect(vaultError(() => new Vault({ keys: [{ kid: "bad kid", key: KEY_A }] })).message).toMatch(
      /"kid" must be/,
    );
    expect(
      vaultError(
        () =>
          new Vault({
            keys: [
              { kid: "a", key: KEY_A },
              { kid: "a", key: KEY_B },
            ],
          }),
      ).message,
    ).toMatch(/appears twice/);
    expect(vaultError(() => Vault.fromEnv("PATCHBAY_VAULT_KEYS", {})).message).toMatch(
      /PATCHBAY_VAULT_KEYS is not set/,
    );
    expect(vaultError(() => Vault.fromEnv("K", { K: "no-colon" })).message).toMatch(
      /must look like "kid:key"/,
    );
  });

  it("reads a keyring from the environment, newest first", () => {
    const vault = Vault.fromEnv("K", { K: `new:${KEY_B}, old:${KEY_A}` });
    expect(vault.currentKid).toBe("new");
    expect(Vault.generateKey()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("rotate() re-seals every connection under the newest key and keeps them usable", async () => {
    const store = new MemoryStore();
    const old = new Vault({ keys: [{ kid: "old", key: KEY_A }] });
    for (let i = 0; i < 25; i++) {
      const tenantId = `t${i % 3}`;
      await store.createConnection({
        id: `c${String(i).padStart(2, "0")}`,
        tenantId,
        connector: "x",
        status: "active",
        credentials: old.seal(
          { accessToken: `token-${i}-abcdef` },
          { tenantId, connectionId: `c${String(i).padStart(2, "0")}` },
        ),
      });
    }
    const ring = new Vault({
      keys: [
        { kid: "new", key: KEY_B },
        { kid: "old", key: KEY_A },
      ],
    });
    const report = await ring.rotate(store, { batchSize: 7 });
    expect(report).toEqual({ scanned: 25, resealed: 25, current: 0, failed: [] });
    expect((await ring.rotate(store)).resealed).toBe(0);
    // The old key can now be dropped: every connection opens with the new key alone.
    const onlyNew = new Vault({ keys: [{ kid: "new", key: KEY_B }] });
    for (let i = 0; i < 25; i++) {
      const id = `c${String(i).padStart(2, "0")}`;
      const row = await store.getConnection(`t${i % 3}`, id);
      expect(onlyNew.open(row!.credentials!, { tenantId: `t${i % 3}`, connectionId: id })).toEqual({
        accessToken: `token-${i}-abcdef`,
      });
    }
  });
});
