import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KLAVIYO_DEFAULT_REVISION, klaviyo } from "../src/index.js";
import { KLAVIYO_SANDBOX_ACCOUNT_ID } from "../src/testing/index.js";
import { calls, connectWithKey, connectWithOAuth, OAUTH_APP, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("connecting", () => {
  it("OAuth sends the user to Klaviyo's authorize page with PKCE S256 and space-separated scopes", async () => {
    const w = world(server, { connector: { ...OAUTH_APP } });
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "klaviyo",
      redirectUri: "https://app.example.com/integrations/klaviyo/callback",
    });
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe("https://www.klaviyo.com/oauth/authorize");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("scope")?.split(" ")).toContain("profiles:write");
  });

  it("OAuth and private keys both learn the account id, used to route webhooks", async () => {
    const oauth = world(server, { connector: { ...OAUTH_APP } });
    expect((await connectWithOAuth(oauth)).metadata).toMatchObject({
      accountId: KLAVIYO_SANDBOX_ACCOUNT_ID,
      accountName: "Juniper & Oak Home Goods",
    });
    const key = world(server);
    expect((await connectWithKey(key)).metadata.accountId).toBe(KLAVIYO_SANDBOX_ACCOUNT_ID);
  });

  it("a private key is checked by shape before any request", async () => {
    const w = world(server);
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "klaviyo",
        credentials: { apiKey: "not-a-key" },
      }),
    ).rejects.toThrow(/private API key \(pk_…\)/);
    expect(w.fake.requests).toHaveLength(0);
  });

  it("a revoked private key fails the connection test with Klaviyo's authentication error", async () => {
    const w = world(server);
    const connection = await connectWithKey(w);
    // The user deletes the key in Klaviyo: a fake that knows no key answers from now on.
    world(server, { fake: { apiKeys: {} } });
    const result = await w.patchbay.connections.test(TENANT, connection.id);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/Incorrect authentication credentials/);
  });

  it("test connection reads one profile, not the 1-per-second Get Accounts", async () => {
    const w = world(server);
    const connection = await connectWithKey(w);
    const before = calls(w, "/api/accounts").length;
    expect(await w.patchbay.connections.test(TENANT, connection.id)).toEqual({ ok: true });
    expect(calls(w, "/api/accounts").length).toBe(before);
    expect(calls(w, "/api/profiles").at(-1)?.query["page[size]"]).toBe("1");
  });
});

describe("options", () => {
  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => klaviyo({ auth: "oauth" })).toThrow('"clientId" must be a non-empty string');
    expect(() => klaviyo({ auth: "api_key", clientId: "x" })).toThrow(
      /"clientId" and "clientSecret" are for auth "oauth"/,
    );
    expect(() => klaviyo({ auth: "api_key", revision: "July 2026" })).toThrow(
      '"revision" must look like "2026-07-15"',
    );
    expect(() => klaviyo({ auth: "basic" as "oauth" })).toThrow(
      '"auth" must be "oauth" or "api_key"',
    );
  });

  it("pins the spec's stable revision", () => {
    expect(KLAVIYO_DEFAULT_REVISION).toBe("2026-07-15");
  });
});
