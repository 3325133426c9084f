import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ErrorCode, VaultError } from "./errors.js";
import { isSecretField, registerSecret } from "./redact.js";
import type { Json, Store } from "./store/types.js";

/** One key of the keyring: an id and 32 random bytes (base64 or base64url, or raw bytes). */
export interface VaultKey {
  /** Key id written into every blob it seals: letters, digits, `.`, `_`, `-`; at most 64. */
  kid: string;
  /** 32 bytes, as base64 / base64url text or a `Uint8Array`. */
  key: string | Uint8Array;
}

/**
 * What a sealed blob is bound to. The binding is authenticated (AES-GCM
 * additional data), so a blob copied into another connection's row, another
 * tenant, or another OAuth session fails to open.
 */
export type SealBinding =
  | { tenantId: string; connectionId: string }
  | { tenantId: string; oauthState: string };

/** The outcome of {@link Vault.rotate}. */
export interface RotationReport {
  /** Connections looked at. */
  scanned: number;
  /** Connections re-sealed under the newest key. */
  resealed: number;
  /** Connections already sealed under the newest key or holding no credentials. */
  current: number;
  /** Connections whose credentials could not be opened (ids only; nothing secret). */
  failed: string[];
}

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9._-]{1,64}$/;
/** The environment variable {@link Vault.fromEnv} reads by default. */
export const VAULT_KEYS_ENV = "PATCHBAY_VAULT_KEYS";
const GENERATE_HINT =
  "generate one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\"";

/**
 * Seals credentials at rest with AES-256-GCM under a keyring.
 *
 * - A random 96-bit IV per seal; the key id is written into the blob.
 * - The newest key (the first in the list) seals; every key opens.
 * - The tenant and connection (or OAuth state) are authenticated data, so a
 *   blob moved to another row fails to open.
 * - A missing or malformed key throws at construction: Patchbay never falls
 *   back to storing plaintext.
 *
 * @example
 * ```ts
 * // PATCHBAY_VAULT_KEYS="2026-11:<base64 32 bytes>,2026-01:<older key>"
 * const vault = Vault.fromEnv();
 * const blob = vault.seal({ apiKey: "..." }, { tenantId: "t1", connectionId: "c1" });
 * vault.open(blob, { tenantId: "t1", connectionId: "c1" }); // { apiKey: "..." }
 * ```
 */
export class Vault {
  readonly #keys: Map<string, Buffer>;
  readonly #currentKid: string;

  /** @param options.keys the keyring, newest first. At least one key. */
  constructor(options: { keys: VaultKey[] }) {
    const keys = options?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new VaultError(
        ErrorCode.VAULT_KEY_INVALID,
        `The vault needs at least one key: pass { keys: [{ kid, key }] } or set ${VAULT_KEYS_ENV}="kid:key"; ${GENERATE_HINT}`,
      );
    }
    this.#keys = new Map();
    for (const [index, entry] of keys.entries()) {
      const kid = entry?.kid;
      if (typeof kid !== "string" || !KID.test(kid)) {
        throw new VaultError(
          ErrorCode.VAULT_KEY_INVALID,
          `Vault key #${index + 1}: "kid" must be 1-64 letters, digits, ".", "_" or "-"`,
        );
      }
      if (this.#keys.has(kid)) {
        throw new VaultError(
          ErrorCode.VAULT_KEY_INVALID,
          `Vault key "${kid}" appears twice in the keyring`,
        );
      }
      this.#keys.set(kid, decodeKey(kid, entry.key));
    }
    this.#currentKid = keys[0]!.kid;
  }

  /**
   * Build a vault from an environment variable holding `kid:key` pairs
   * separated by commas, newest first.
   */
  static fromEnv(
    name: string = VAULT_KEYS_ENV,
    env: Record<string, string | undefined> = process.env,
  ): Vault {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") {
      throw new VaultError(
        ErrorCode.VAULT_KEY_INVALID,
        `${name} is not set: it must hold "kid:key" pairs, newest first; ${GENERATE_HINT}`,
      );
    }
    const keys = raw.split(",").map((pair, index) => {
      const at = pair.indexOf(":");
      if (at <= 0) {
        throw new VaultError(
          ErrorCode.VAULT_KEY_INVALID,
          `${name} entry #${index + 1} must look like "kid:key"`,
        );
      }
      return { kid: pair.slice(0, at).trim(), key: pair.slice(at + 1).trim() };
    });
    return new Vault({ keys });
  }

  /** A fresh random key, base64url, for `PATCHBAY_VAULT_KEYS`. */
  static generateKey(): string {
    return randomBytes(32).toString("base64url");
  }

  /** The key id new seals use. */
  get currentKid(): string {
    return this.#currentKid;
  }

  /** Seal a JSON value bound to `binding`. */
  seal(value: Json, binding: SealBinding): Uint8Array {
    registerSecrets(value);
    const kid = this.#currentKid;
    const header = encodeHeader(kid);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(kid)!, iv);
    cipher.setAAD(Buffer.concat([header, bindingBytes(binding)]));
    const plaintext = Buffer.from(JSON.stringify(value), "utf8");
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([header, iv, body, cipher.getAuthTag()]));
  }

  /**
   * Open a blob sealed for `binding`. Throws {@link VaultError} with
   * `PATCHBAY_VAULT_OPEN_FAILED` when the blob was tampered with, bound to
   * another row, or sealed with a key not in the keyring.
   */
  open<T extends Json = Json>(blob: Uint8Array, binding: SealBinding): T {
    const { kid, headerLength } = this.#parse(blob);
    const key = this.#keys.get(kid);
    if (key === undefined) {
      throw new VaultError(
        ErrorCode.VAULT_OPEN_FAILED,
        `Sealed with key "${kid}", which is not in the keyring: add it back to ${VAULT_KEYS_ENV} (older keys go after the newest)`,
      );
    }
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const iv = bytes.subarray(headerLength, headerLength + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(headerLength + IV_BYTES, bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.concat([bytes.subarray(0, headerLength), bindingBytes(binding)]));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
      const value = JSON.parse(plaintext.toString("utf8")) as T;
      registerSecrets(value);
      return value;
    } catch {
      throw new VaultError(
        ErrorCode.VAULT_OPEN_FAILED,
        "Sealed credentials failed authentication: they were altered or belong to another connection or tenant",
      );
    }
  }

  /** The key id a blob was sealed with. */
  kidOf(blob: Uint8Array): string {
    return this.#parse(blob).kid;
  }

  /** True when the blob is not sealed with the newest key. */
  needsRotation(blob: Uint8Array): boolean {
    return this.kidOf(blob) !== this.#currentKid;
  }

  /**
   * Re-seal every connection's credentials under the newest key, in pages,
   * with compare-and-swap so a concurrent token refresh is never overwritten.
   * Safe to run while the app serves traffic and safe to run again.
   * Remove an old key from the keyring only after a rotation reports no failures.
   */
  async rotate(store: Store, options: { batchSize?: number } = {}): Promise<RotationReport> {
    const batchSize = options.batchSize ?? 200;
    const report: RotationReport = { scanned: 0, resealed: 0, current: 0, failed: [] };
    let after: string | undefined;
    for (;;) {
      const page = await store.scanConnections({ after, limit: batchSize });
      for (const row of page) {
        report.scanned++;
        const outcome = await this.#resealOne(store, row.tenantId, row.id);
        if (outcome === "failed") report.failed.push(row.id);
        else report[outcome]++;
      }
      if (page.length < batchSize) break;
      after = page[page.length - 1]!.id;
    }
    return report;
  }

  async #resealOne(
    store: Store,
    tenantId: string,
    id: string,
  ): Promise<"resealed" | "current" | "failed"> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await store.getConnection(tenantId, id);
      if (row === null || row.credentials === null || !this.needsRotation(row.credentials))
        return "current";
      const binding = { tenantId, connectionId: id };
      let value: Json;
      try {
        value = this.open(row.credentials, binding);
      } catch {
        return "failed";
      }
      const swapped = await store.swapCredentials(
        tenantId,
        id,
        row.credentialsVersion,
        this.seal(value, binding),
      );
      if (swapped !== null) return "resealed";
    }
    return "failed";
  }

  #parse(blob: Uint8Array): { kid: string; headerLength: number } {
    if (
      !(blob instanceof Uint8Array) ||
      blob.length < 2 + IV_BYTES + TAG_BYTES ||
      blob[0] !== FORMAT_VERSION
    ) {
      throw new VaultError(
        ErrorCode.VAULT_OPEN_FAILED,
        "Not a Patchbay sealed blob (unknown format or truncated)",
      );
    }
    const kidLength = blob[1]!;
    const headerLength = 2 + kidLength;
    if (blob.length < headerLength + IV_BYTES + TAG_BYTES) {
      throw new VaultError(ErrorCode.VAULT_OPEN_FAILED, "Not a Patchbay sealed blob (truncated)");
    }
    return { kid: Buffer.from(blob.subarray(2, headerLength)).toString("utf8"), headerLength };
  }
}

function decodeKey(kid: string, key: string | Uint8Array): Buffer {
  let bytes: Buffer;
  if (key instanceof Uint8Array) bytes = Buffer.from(key);
  else if (typeof key === "string" && /^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) {
    bytes = Buffer.from(key.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  } else {
    throw new VaultError(
      ErrorCode.VAULT_KEY_INVALID,
      `Vault key "${kid}" must be base64 or base64url text; ${GENERATE_HINT}`,
    );
  }
  if (bytes.length !== 32) {
    throw new VaultError(
      ErrorCode.VAULT_KEY_INVALID,
      `Vault key "${kid}" must be 32 bytes (AES-256), got ${bytes.length}; ${GENERATE_HINT}`,
    );
  }
  return bytes;
}

function encodeHeader(kid: string): Buffer {
  const kidBytes = Buffer.from(kid, "utf8");
  return Buffer.concat([Buffer.from([FORMAT_VERSION, kidBytes.length]), kidBytes]);
}

function bindingBytes(binding: SealBinding): Buffer {
  if (
    binding === null ||
    typeof binding !== "object" ||
    typeof binding.tenantId !== "string" ||
    binding.tenantId === ""
  ) {
    throw new TypeError('"binding.tenantId" must be a non-empty string');
  }
  if (
    "connectionId" in binding &&
    typeof binding.connectionId === "string" &&
    binding.connectionId !== ""
  ) {
    return Buffer.from(
      `patchbay/v1\u0000tenant\u0000${binding.tenantId}\u0000connection\u0000${binding.connectionId}`,
    );
  }
  if (
    "oauthState" in binding &&
    typeof binding.oauthState === "string" &&
    binding.oauthState !== ""
  ) {
    return Buffer.from(
      `patchbay/v1\u0000tenant\u0000${binding.tenantId}\u0000oauth-state\u0000${binding.oauthState}`,
    );
  }
  throw new TypeError('"binding" must have a non-empty "connectionId" or "oauthState"');
}

/** Register every secret-named string inside a credentials value for redaction. */
function registerSecrets(value: Json, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string") {
      if (isSecretField(key)) registerSecret(v);
    } else registerSecrets(v as Json, depth + 1);
  }
}
