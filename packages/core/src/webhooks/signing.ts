/**
 * Signature helpers for a connector's `webhooks.verify`. Core reads the raw
 * body and calls `verify`; these make the check itself short and constant-time.
 */
import { createHmac, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

/** Hash algorithms {@link hmac} accepts. */
export type HmacAlgorithm = "sha1" | "sha256" | "sha512";
/** Text encodings of a digest. `base64url` is unpadded. */
export type DigestEncoding = "hex" | "base64" | "base64url";
/**
 * Bytes to sign. An array is signed as its parts concatenated, so a signed
 * prefix can be joined to the raw body without decoding it as text:
 * `[`${timestamp}.`, delivery.rawBody]`.
 */
export type SignedData = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

const ALGORITHMS: ReadonlySet<string> = new Set<HmacAlgorithm>(["sha1", "sha256", "sha512"]);
const ENCODINGS: ReadonlySet<string> = new Set<DigestEncoding>(["hex", "base64", "base64url"]);
const utf8 = new TextEncoder();

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8.encode(value) : value;
}

/** A non-empty key: with an empty one, anyone can compute the signature. */
function isUsableSecret(secret: unknown): secret is string | Uint8Array {
  return (
    (typeof secret === "string" && secret !== "") ||
    (secret instanceof Uint8Array && secret.byteLength > 0)
  );
}

/**
 * Compare two secrets or signatures in constant time. Strings are compared as
 * UTF-8 bytes. Values of different lengths are unequal; the time taken then
 * depends on the first value's length only, never on where they differ.
 *
 * @example
 * ```ts
 * verify: (delivery) =>
 *   timingSafeEqual(delivery.url.searchParams.get("secret") ?? "", options.webhookSecret),
 * ```
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a !== "string" && !(a instanceof Uint8Array))
    throw new TypeError('"a" must be a string or a Uint8Array');
  if (typeof b !== "string" && !(b instanceof Uint8Array))
    throw new TypeError('"b" must be a string or a Uint8Array');
  const left = toBytes(a);
  const right = toBytes(b);
  if (left.byteLength !== right.byteLength) {
    // Same work as a real comparison of `a`, so the answer takes no shortcut.
    nodeTimingSafeEqual(left, left);
    return false;
  }
  return nodeTimingSafeEqual(left, right);
}

/**
 * The HMAC of `data` under `secret`, as text. A string secret is used as its
 * UTF-8 bytes; pass bytes when the provider hands out an encoded key (Airtable's
 * `macSecretBase64` must be base64-decoded first).
 *
 * @example
 * ```ts
 * // Airtable: X-Airtable-Content-MAC: hmac-sha256=<hex>
 * hmac("sha256", Buffer.from(macSecretBase64, "base64"), delivery.rawBody, "hex");
 * // Stripe-style: the timestamp joined to the raw body
 * hmac("sha256", signingSecret, [`${t}.`, delivery.rawBody], "hex");
 * ```
 */
export function hmac(
  algorithm: HmacAlgorithm,
  secret: string | Uint8Array,
  data: SignedData,
  encoding: DigestEncoding,
): string {
  if (!ALGORITHMS.has(algorithm))
    throw new TypeError(`"algorithm" must be sha1, sha256 or sha512; got ${String(algorithm)}`);
  if (!ENCODINGS.has(encoding))
    throw new TypeError(`"encoding" must be hex, base64 or base64url; got ${String(encoding)}`);
  if (typeof secret !== "string" && !(secret instanceof Uint8Array))
    throw new TypeError('"secret" must be a string or a Uint8Array');
  const mac = createHmac(algorithm, secret);
  const parts = typeof data === "string" || data instanceof Uint8Array ? [data] : data;
  if (!Array.isArray(parts))
    throw new TypeError('"data" must be a string, a Uint8Array or an array of them');
  for (const part of parts) {
    if (typeof part !== "string" && !(part instanceof Uint8Array))
      throw new TypeError('"data" must be a string, a Uint8Array or an array of them');
    mac.update(part);
  }
  return mac.digest(encoding);
}

/** What {@link verifyHmacSignature} checks. */
export interface HmacSignatureCheck {
  algorithm: HmacAlgorithm;
  /** The signing secret (a string is used as UTF-8; pass bytes for decoded keys). Missing or empty → `false`. */
  secret: string | Uint8Array | null | undefined;
  /** The signed bytes, usually `delivery.rawBody`. */
  data: SignedData;
  /** The signature as received, e.g. `delivery.headers.get("x-hub-signature-256")`. Missing → `false`. */
  signature: string | null | undefined;
  encoding: DigestEncoding;
  /** Text the provider puts before the digest (`"sha256="` for Meta and GitHub, `"hmac-sha256="` for Airtable). Required when given. */
  prefix?: string;
}

/**
 * Check a received HMAC signature in constant time. Returns `false` for a
 * missing, mis-prefixed or wrong signature, and for a missing or empty secret
 * (anyone can sign with an empty key). Hex is compared case-insensitively;
 * base64 padding is optional. Throws `TypeError` only for a bad `algorithm`
 * or `encoding`, which are programming mistakes.
 *
 * @example
 * ```ts
 * // Meta: X-Hub-Signature-256: sha256=<hex of HMAC-SHA256(app secret, raw body)>
 * verify: (delivery) =>
 *   verifyHmacSignature({
 *     algorithm: "sha256",
 *     secret: options.appSecret,
 *     data: delivery.rawBody,
 *     signature: delivery.headers.get("x-hub-signature-256"),
 *     encoding: "hex",
 *     prefix: "sha256=",
 *   }),
 * ```
 */
export function verifyHmacSignature(check: HmacSignatureCheck): boolean {
  const { signature, secret, prefix = "", encoding } = check;
  if (!isUsableSecret(secret)) return false;
  if (typeof signature !== "string" || !signature.startsWith(prefix)) return false;
  const expected = hmac(check.algorithm, secret, check.data, encoding);
  let received = signature.slice(prefix.length).trim();
  if (encoding === "hex") received = received.toLowerCase();
  else received = received.replace(/=+$/, "");
  return timingSafeEqual(received, expected.replace(/=+$/, ""));
}
