import { describe, expect, it } from "vitest";
import { hmac, timingSafeEqual, verifyHmacSignature } from "../src/webhooks/signing.js";

// RFC 2202 / RFC 4231 test case 2.
const KEY = "Jefe";
const DATA = "what do ya want for nothing?";
const SHA1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
const SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
const SHA512 =
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("hmac", () => {
  it("matches the RFC test vectors for each algorithm", () => {
    expect(hmac("sha1", KEY, DATA, "hex")).toBe(SHA1);
    expect(hmac("sha256", KEY, DATA, "hex")).toBe(SHA256);
    expect(hmac("sha512", KEY, DATA, "hex")).toBe(SHA512);
  });

  it("encodes the same digest as base64 and unpadded base64url", () => {
    const digest = Buffer.from(SHA256, "hex");
    expect(hmac("sha256", KEY, DATA, "base64")).toBe(digest.toString("base64"));
    expect(hmac("sha256", KEY, DATA, "base64url")).toBe(digest.toString("base64url"));
    expect(hmac("sha256", KEY, DATA, "base64url")).not.toContain("=");
  });

  it("treats string and byte inputs alike, and signs an array as its concatenation", () => {
    expect(hmac("sha256", bytes(KEY), bytes(DATA), "hex")).toBe(SHA256);
    expect(hmac("sha256", KEY, ["what do ya ", bytes("want for nothing?")], "hex")).toBe(SHA256);
  });

  it("names the bad argument", () => {
    expect(() => hmac("md5" as "sha1", KEY, DATA, "hex")).toThrow(
      '"algorithm" must be sha1, sha256 or sha512; got md5',
    );
    expect(() => hmac("sha256", KEY, DATA, "latin1" as "hex")).toThrow(
      '"encoding" must be hex, base64 or base64url; got latin1',
    );
    expect(() => hmac("sha256", 42 as unknown as string, DATA, "hex")).toThrow(
      '"secret" must be a string or a Uint8Array',
    );
    expect(() => hmac("sha256", KEY, [1] as unknown as string[], "hex")).toThrow(
      '"data" must be a string, a Uint8Array or an array of them',
    );
  });
});

describe("timingSafeEqual", () => {
  it("is true only for identical values", () => {
    expect(timingSafeEqual("s3cret-value", "s3cret-value")).toBe(true);
    expect(timingSafeEqual("s3cret-value", "s3cret-valuf")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("returns false for different lengths instead of throwing like node:crypto", () => {
    expect(timingSafeEqual("short", "longer-value")).toBe(false);
    expect(timingSafeEqual("abc", "")).toBe(false);
    expect(timingSafeEqual(new Uint8Array(4), new Uint8Array(5))).toBe(false);
  });

  it("compares strings as UTF-8 bytes, so a string equals its own bytes", () => {
    expect(timingSafeEqual("héllo", bytes("héllo"))).toBe(true);
    // Same number of UTF-16 units, different bytes.
    expect(timingSafeEqual("é", "e")).toBe(false);
  });
});

describe("verifyHmacSignature", () => {
  const body = bytes('{"object":"page","entry":[{"id":"p1"}]}');
  const secret = "meta-app-secret-123";
  const signature = `sha256=${hmac("sha256", secret, body, "hex")}`;
  const check = {
    algorithm: "sha256" as const,
    secret,
    data: body,
    encoding: "hex" as const,
    prefix: "sha256=",
  };

  it("accepts a genuine prefixed signature (Meta, GitHub)", () => {
    expect(verifyHmacSignature({ ...check, signature })).toBe(true);
    expect(
      verifyHmacSignature({
        ...check,
        signature: signature.toUpperCase().replace("SHA256=", "sha256="),
      }),
    ).toBe(true);
  });

  it("rejects a missing, unprefixed or wrong signature, and a one-byte change of the body", () => {
    expect(verifyHmacSignature({ ...check, signature: null })).toBe(false);
    expect(verifyHmacSignature({ ...check, signature: undefined })).toBe(false);
    expect(verifyHmacSignature({ ...check, signature: signature.slice("sha256=".length) })).toBe(
      false,
    );
    expect(verifyHmacSignature({ ...check, signature: `sha1=${signature.slice(7)}` })).toBe(false);
    const last = signature.endsWith("0") ? "1" : "0";
    expect(verifyHmacSignature({ ...check, signature: `${signature.slice(0, -1)}${last}` })).toBe(
      false,
    );
    const altered = body.slice();
    altered[10] = altered[10]! ^ 1;
    expect(verifyHmacSignature({ ...check, data: altered, signature })).toBe(false);
    expect(verifyHmacSignature({ ...check, secret: "another-secret", signature })).toBe(false);
  });

  it("refuses to verify with an empty or missing secret, which anyone could sign with", () => {
    const forged = `sha256=${hmac("sha256", "", body, "hex")}`;
    expect(verifyHmacSignature({ ...check, secret: "", signature: forged })).toBe(false);
    expect(verifyHmacSignature({ ...check, secret: new Uint8Array(0), signature: forged })).toBe(
      false,
    );
    expect(verifyHmacSignature({ ...check, secret: undefined, signature: forged })).toBe(false);
  });

  it("checks Airtable's MAC: a base64-decoded key, hex, `hmac-sha256=` prefix", () => {
    const macSecretBase64 = Buffer.from("airtable-mac-key-bytes").toString("base64");
    const key = Buffer.from(macSecretBase64, "base64");
    const header = `hmac-sha256=${hmac("sha256", key, body, "hex")}`;
    const airtable = { algorithm: "sha256" as const, data: body, encoding: "hex" as const };
    expect(
      verifyHmacSignature({ ...airtable, secret: key, signature: header, prefix: "hmac-sha256=" }),
    ).toBe(true);
    // The base64 text itself is not the key.
    expect(
      verifyHmacSignature({
        ...airtable,
        secret: macSecretBase64,
        signature: header,
        prefix: "hmac-sha256=",
      }),
    ).toBe(false);
  });

  it("accepts base64 signatures with or without padding", () => {
    const sig = hmac("sha1", "indeed-secret", body, "base64");
    expect(sig.endsWith("=")).toBe(true);
    const base = { algorithm: "sha1" as const, secret: "indeed-secret", data: body };
    expect(verifyHmacSignature({ ...base, encoding: "base64", signature: sig })).toBe(true);
    expect(
      verifyHmacSignature({ ...base, encoding: "base64", signature: sig.replace(/=+$/, "") }),
    ).toBe(true);
    const url = hmac("sha1", "indeed-secret", body, "base64url");
    expect(verifyHmacSignature({ ...base, encoding: "base64url", signature: url })).toBe(true);
  });
});
