import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DRIVE_SCOPES, googleDrive } from "../src/index.js";
import { GOOGLE_SANDBOX_CLIENT } from "../src/testing/index.js";
import { driveWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("googleDrive()", () => {
  it("refuses bad options with a TypeError naming them", () => {
    expect(() => googleDrive({ clientId: "", clientSecret: "s" })).toThrow(
      '"clientId" must be a non-empty string',
    );
    expect(() => googleDrive({ ...GOOGLE_SANDBOX_CLIENT, pageSize: 0 })).toThrow(
      '"pageSize" must be an integer from 1 to 1000',
    );
    expect(() => googleDrive({ ...GOOGLE_SANDBOX_CLIENT, pageSize: 1001 })).toThrow(
      '"pageSize" must be an integer from 1 to 1000',
    );
  });

  it("asks Google only for drive.file, offline, with the consent screen", async () => {
    const w = await driveWorld(server);
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "google-drive",
      redirectUri: "https://app.example.com/integrations/google-drive/callback",
    });
    const params = new URL(url).searchParams;
    expect(params.get("scope")).toBe(DRIVE_SCOPES.file);
    expect(params.get("access_type")).toBe("offline");
    expect(params.get("prompt")).toBe("consent");
    expect(params.get("code_challenge_method")).toBe("S256");
  });

  it("remembers which Google account was connected", async () => {
    const w = await driveWorld(server);
    expect(w.connection.metadata).toMatchObject({
      emailAddress: "promoter@sandbox.example.com",
      displayName: "Sandbox Promoter",
    });
    expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
    expect(
      w.drive.log.filter((l) => l.method === "about.get").map((l) => l.query.fields),
    ).toContain("user");
  });

  it("offers the folder as a config field a host form can render", () => {
    const connector = googleDrive(GOOGLE_SANDBOX_CLIENT);
    const schema = z.toJSONSchema(connector.config as z.ZodType, { io: "input" }) as {
      properties: Record<string, { type: string; description: string }>;
      required?: string[];
    };
    expect(schema.properties.folderId).toMatchObject({ type: "string" });
    expect(schema.required ?? []).not.toContain("folderId");
  });

  it("refuses a config whose folder id is empty", async () => {
    const w = await driveWorld(server);
    await expect(w.configure({ folderId: "" })).rejects.toThrow(/folderId/);
  });
});
