import { describe, expect, it } from "vitest";
import { subscriberHash } from "../src/index.js";

describe("subscriberHash", () => {
  it("matches the example in Mailchimp's docs", () => {
    // https://mailchimp.com/developer/marketing/docs/methods-parameters/ — Urist.McVankab@freddiesjokes.com
    expect(subscriberHash("urist.mcvankab@freddiesjokes.com")).toBe(
      "62eeb292278cc15f5817cb78f7790b08",
    );
  });

  it("hashes the lowercase address, so casing and stray spaces give the same member", () => {
    expect(subscriberHash("  Urist.McVankab@FreddiesJokes.com ")).toBe(
      "62eeb292278cc15f5817cb78f7790b08",
    );
    expect(subscriberHash("dj@kexp.org")).not.toBe(subscriberHash("dj2@kexp.org"));
  });

  it("names the argument when it is not an address", () => {
    expect(() => subscriberHash("")).toThrow(new TypeError('"email" must be a non-empty string'));
    expect(() => subscriberHash(undefined as unknown as string)).toThrow(
      new TypeError('"email" must be a non-empty string'),
    );
  });
});
