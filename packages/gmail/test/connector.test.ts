import { describeConnector } from "@patchbay/core";
import { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import { describe, expect, it } from "vitest";
import { GMAIL_SCOPES, gmail } from "../src/index.js";
import { GMAIL_SANDBOX_PUBSUB } from "../src/testing/index.js";

describe("gmail()", () => {
  it("describes itself for a catalogue: scopes, config form, read-only incremental model, actions, webhooks", () => {
    const info = describeConnector(
      gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: GMAIL_SANDBOX_PUBSUB }),
    );
    expect(info).toMatchObject({
      id: "gmail",
      category: "email",
      auth: { kind: "oauth2", scopes: [...GMAIL_SCOPES] },
      models: [{ name: "replies", writable: false, modes: ["full", "incremental"] }],
      webhooks: true,
    });
    expect(info.actions.map((a) => a.name)).toEqual(["send", "track"]);
    expect(info.config).toMatchObject({
      type: "object",
      properties: {
        trackedThreads: { type: "array", maxItems: 1000 },
        matchBySubject: { type: "boolean" },
      },
    });
    expect(info.actions[0]?.input).toMatchObject({
      required: expect.arrayContaining(["to", "subject", "text", "campaignId"]),
    });
  });

  it.each<[string, unknown, string]>([
    ["no options", undefined, '"options" must be an object with clientId and clientSecret'],
    ["no client id", { clientSecret: "s" }, '"clientId" must be a non-empty string'],
    ["no client secret", { clientId: "c" }, '"clientSecret" must be a non-empty string'],
  ])("names a bad argument: %s", (_title, options, message) => {
    expect(() => gmail(options as never)).toThrow(new TypeError(message));
  });
});
