import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { quickbooks } from "../src/index.js";
import { QUICKBOOKS_SANDBOX_APP, QUICKBOOKS_SANDBOX_REALM_ID } from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("connecting", () => {
  it("keeps the realmId from the callback, the environment and the company name as metadata", async () => {
    const w = await world(server);
    expect(w.connection.metadata).toMatchObject({
      realmId: QUICKBOOKS_SANDBOX_REALM_ID,
      environment: "sandbox",
      companyName: "Sandbox Plumbing & HVAC",
    });
    expect(w.fake.requests[0]).toMatchObject({
      host: "https://sandbox-quickbooks.api.intuit.com",
      path: `companyinfo/${QUICKBOOKS_SANDBOX_REALM_ID}`,
    });
  });

  it("asks for the accounting scope, without PKCE, at Intuit's authorize URL", async () => {
    const w = await world(server);
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "quickbooks",
      redirectUri: "https://app.example.com/integrations/quickbooks/callback",
    });
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe(
      "https://appcenter.intuit.com/connect/oauth2",
    );
    expect(authorize.searchParams.get("scope")).toBe("com.intuit.quickbooks.accounting");
    expect(authorize.searchParams.has("code_challenge")).toBe(false);
  });

  it("talks to the production host by default", async () => {
    const w = await world(server, { connector: { environment: undefined } });
    w.fake.seedCustomers(2);
    await w.sync("customers");
    expect(new Set(w.fake.requests.map((r) => r.host))).toEqual(
      new Set(["https://quickbooks.api.intuit.com"]),
    );
    expect(w.connection.metadata.environment).toBe("production");
  });

  it("refuses a callback without a realmId", async () => {
    const w = await world(server);
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "quickbooks",
      redirectUri: "https://app.example.com/integrations/quickbooks/callback",
    });
    const callback = w.fake.oauth.approve(url);
    callback.searchParams.delete("realmId");
    await expect(w.patchbay.connect.finish(callback, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_FAILED,
      message: expect.stringContaining("realmId"),
    });
  });

  it("persists each rotated refresh token: two refreshes in a row both work", async () => {
    const w = await world(server);
    w.fake.seedCustomers(3);
    w.fake.oauth.expireAccessTokens();
    expect((await w.sync("customers")).status).toBe("succeeded");
    w.fake.oauth.expireAccessTokens();
    // The fake rejects a refresh token used once already: this refresh works only with the rotated one.
    expect((await w.sync("customers", "full")).status).toBe("succeeded");
    expect(w.fake.oauth.stats.byGrant.refresh_token).toBe(2);
  });

  it("sends minorversion=75 on every API call", async () => {
    const w = await world(server);
    w.fake.seedSandbox();
    await w.sync("invoices");
    await w.sync("invoices", "incremental");
    expect(w.fake.requests.length).toBeGreaterThan(2);
    expect(w.fake.requests.every((r) => r.query.minorversion === "75")).toBe(true);
  });
});

describe("options", () => {
  it("names the bad option and the fix", () => {
    expect(() => quickbooks({ clientId: "", clientSecret: "x" })).toThrow(
      /"clientId" must be a non-empty string: copy it from your Intuit app's Keys & credentials/,
    );
    expect(() =>
      quickbooks({ ...QUICKBOOKS_SANDBOX_APP, environment: "staging" as "sandbox" }),
    ).toThrow('"environment" must be "production" or "sandbox", got "staging"');
    expect(() => quickbooks({ ...QUICKBOOKS_SANDBOX_APP, fullEvery: 0 })).toThrow(
      '"fullEvery" must be a positive integer',
    );
  });

  it("declares webhooks only with a verifier token", () => {
    expect(quickbooks({ ...QUICKBOOKS_SANDBOX_APP }).webhooks).toBeUndefined();
    expect(
      quickbooks({ ...QUICKBOOKS_SANDBOX_APP, webhookVerifierToken: "t" }).webhooks?.secret,
    ).toBe("app");
  });
});
