import { ConfigError } from "@patchbay/core";
import { describe, expect, it } from "vitest";
import {
  hashUserData,
  normalizeCity,
  normalizePhone,
  normalizeState,
  normalizeZip,
  sha256Hex,
} from "../src/index.js";

// Vectors from Meta's "Customer Information Parameters" page (Input → Expected SHA256 output)
// and the example request on "Using the API".
describe("meta-pixel: hashing as Meta specifies", () => {
  it("email: John_Smith@gmail.com hashes to Meta's documented digest", () => {
    const { userData } = hashUserData({ email: "  John_Smith@gmail.com " }, { path: "user" });
    expect(userData.em).toEqual([
      "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
    ]);
  });

  it("phone: US (650)555-1212 becomes 16505551212 with the default country code", () => {
    const { userData, phonesWithoutCountryCode } = hashUserData(
      { phone: "(650)555-1212" },
      { path: "user", defaultPhoneCountryCode: "1" },
    );
    expect(userData.ph).toEqual([
      "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
    ]);
    expect(phonesWithoutCountryCode).toBe(0);
    expect(
      hashUserData({ phone: ["+1 234 567 8901", "+1 (425) 123-4567"] }, { path: "u" }).userData.ph,
    ).toEqual([
      "254aa248acb47dd654ca3ea53f48c2c26d641d23d7e2e93a1ec56258df7674c4",
      "6f4fcb9deaeadc8f9746ae76d97ce1239e98b404efe5da3ee0b7149740f89ad6",
    ]);
  });

  it("first name: Mary, 정 and Valéry hash to Meta's documented digests (UTF-8 kept, lowercased)", () => {
    const fn = (firstName: string) => hashUserData({ firstName }, { path: "u" }).userData.fn;
    expect(fn("Mary")).toBe("6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec");
    expect(fn("정")).toBe("8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14");
    expect(fn("Valéry")).toBe("08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c");
  });

  it("phone numbers: international prefixes kept, trunk zeros dropped, missing codes counted", () => {
    expect(normalizePhone("+44 20 7946 0958").value).toBe("442079460958");
    expect(normalizePhone("0044 20 7946 0958").value).toBe("442079460958");
    expect(normalizePhone("020 7946 0958", "44").value).toBe("442079460958");
    expect(normalizePhone("650-555-1212")).toEqual({
      value: "6505551212",
      missingCountryCode: true,
    });
  });

  it("address fields: city without spaces, 2-letter state, 5-digit ZIP, lowercase country", () => {
    expect(normalizeCity("Menlo Park")).toBe("menlopark");
    expect(normalizeState("California")).toBe("ca");
    expect(normalizeState("TX")).toBe("tx");
    expect(normalizeZip("94025-1234")).toBe("94025");
    expect(normalizeZip("SW1A 1AA")).toBe("sw1a1aa");
    const { userData } = hashUserData(
      {
        city: "Menlo Park",
        state: "CA",
        zip: "94025",
        country: "US",
        gender: "Female",
        dateOfBirth: "1990-07-04",
      },
      { path: "u" },
    );
    expect(userData).toEqual({
      ct: sha256Hex("menlopark"),
      st: sha256Hex("ca"),
      zp: sha256Hex("94025"),
      country: sha256Hex("us"),
      ge: sha256Hex("f"),
      db: sha256Hex("19900704"),
    });
  });

  it("never hashes IP, user agent, fbc or fbp; passes through values that are already SHA-256", () => {
    const digest = "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F";
    const { userData } = hashUserData(
      {
        email: digest,
        externalId: "CUST-42",
        clientIpAddress: "203.0.113.7",
        clientUserAgent: "Mozilla/5.0",
        fbc: "fb.1.1554763741205.AbCd",
        fbp: "fb.1.1558571054389.1098115397",
      },
      { path: "u" },
    );
    expect(userData).toEqual({
      em: [digest.toLowerCase()],
      external_id: [sha256Hex("cust-42")],
      client_ip_address: "203.0.113.7",
      client_user_agent: "Mozilla/5.0",
      fbc: "fb.1.1554763741205.AbCd",
      fbp: "fb.1.1558571054389.1098115397",
    });
  });

  it("refuses a country that is not a 2-letter code, naming the field and not echoing the value", () => {
    const attempt = () => hashUserData({ country: "United States" }, { path: "events[2].user" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      '"events[2].user.country" must be a 2-letter ISO 3166-1 code such as US',
    );
    expect(attempt).not.toThrow(/United States/);
  });
});
