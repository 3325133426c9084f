import { ConnectError, ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SERVICETITAN_PATHS, serviceTitan } from "../src/index.js";
import { SERVICETITAN_SANDBOX_TENANT } from "../src/testing/index.js";
import { calls, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const PRODUCTION_TENANT = {
  tenantId: "2022334455",
  environment: "production" as const,
  clientId: "cid.production0rockypeak",
  clientSecret: "cs1.production0rockypeak0secret",
  name: "Rocky Peak Plumbing",
};

describe("factory options", () => {
  it("needs the app key and names it", () => {
    expect(() => serviceTitan({} as never)).toThrow(/"appKey" must be a non-empty string/);
    expect(() => serviceTitan({ appKey: "k", environment: "staging" as never })).toThrow(
      /"environment" must be "production" or "integration"/,
    );
    expect(() => serviceTitan({ appKey: "k", fullEvery: 0 })).toThrow(/"fullEvery"/);
  });
});

describe("client credentials per tenant", () => {
  it("connects with the tenant's client id and secret on the integration auth host and keeps tenant and environment as metadata", async () => {
    const w = await world(server);
    expect(w.connection).toMatchObject({
      status: "active",
      metadata: { tenantId: SERVICETITAN_SANDBOX_TENANT.tenantId, environment: "integration" },
    });
    expect(w.fake.oauthServers.integration.stats.byGrant.client_credentials).toBe(1);
    expect(w.fake.oauthServers.production.stats.tokenRequests).toBe(0);
    // "Test connection": one cheap read, scoped to the tenant, on the integration API host.
    expect(w.fake.requests).toEqual([
      expect.objectContaining({
        environment: "integration",
        method: "GET",
        path: SERVICETITAN_PATHS.customers(SERVICETITAN_SANDBOX_TENANT.tenantId),
        query: { page: "1", pageSize: "1" },
        status: 200,
      }),
    ]);
    expect(JSON.stringify(w.connection)).not.toContain(SERVICETITAN_SANDBOX_TENANT.clientSecret);
  });

  it("uses the production hosts for a production tenant, the connector's default environment", async () => {
    const w = await world(server, {
      fake: { tenants: [PRODUCTION_TENANT] },
      connector: { environment: "production" },
      credentials: {
        clientId: PRODUCTION_TENANT.clientId,
        clientSecret: PRODUCTION_TENANT.clientSecret,
        tenantId: PRODUCTION_TENANT.tenantId,
      },
    });
    expect(w.connection.metadata).toMatchObject({ environment: "production" });
    expect(w.fake.oauthServers.production.stats.byGrant.client_credentials).toBe(1);
    expect(w.fake.requests.every((r) => r.environment === "production")).toBe(true);
  });

  it("refuses a wrong client secret without storing a connection", async () => {
    await expect(
      world(server, { credentials: { ...SERVICETITAN_SANDBOX_TENANT, clientSecret: "cs1.wrong" } }),
    ).rejects.toMatchObject({ code: ErrorCode.CONNECT_FAILED });
  });

  it("names a tenant id that is not a number", async () => {
    await expect(
      world(server, { credentials: { ...SERVICETITAN_SANDBOX_TENANT, tenantId: "summit" } }),
    ).rejects.toThrow(/"credentials.tenantId" must be the numeric ServiceTitan tenant ID/);
  });

  it("fails the test when the credentials belong to another tenant than the one typed", async () => {
    const error = await world(server, {
      fake: {
        tenants: [
          SERVICETITAN_SANDBOX_TENANT,
          { ...PRODUCTION_TENANT, environment: "integration" },
        ],
      },
      credentials: { ...SERVICETITAN_SANDBOX_TENANT, tenantId: PRODUCTION_TENANT.tenantId },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    expect((error as Error).message).toMatch(/does not grant access to tenant 2022334455/);
  });

  it("sends the app key on every call; an unknown app key is refused with ServiceTitan's 401", async () => {
    const error = await world(server, { connector: { appKey: "ak1.not-registered" } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    expect((error as Error).message).toMatch(
      /401 Unauthorized: Unauthorized \(ST-App-Key: The app key is not valid\.\)/,
    );
  });

  it("reports an app uninstalled from the tenant on test connection, without a token retry loop", async () => {
    const w = await world(server);
    w.fake.tenants.get(SERVICETITAN_SANDBOX_TENANT.tenantId)!.appKeys.clear();
    const grants = w.fake.oauthServers.integration.stats.byGrant.client_credentials ?? 0;
    const result = await w.patchbay.connections.test(TENANT, w.connection.id);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /403 Forbidden: Forbidden \(ST-App-Key: The application is not connected to tenant/,
    );
    expect(w.fake.oauthServers.integration.stats.byGrant.client_credentials ?? 0).toBe(grants);
  });

  it("gets a new client-credentials token when the 15-minute token expires, and the sync succeeds", async () => {
    const w = await world(server);
    w.fake.seedCustomers(3);
    w.fake.oauthServers.integration.expireAccessTokens();
    const grants = w.fake.oauthServers.integration.stats.byGrant.client_credentials ?? 0;
    const run = await w.sync("customers");
    expect(run).toMatchObject({ status: "succeeded", inserted: 3 });
    expect((w.fake.oauthServers.integration.stats.byGrant.client_credentials ?? 0) - grants).toBe(
      1,
    );
    expect(calls(w.fake, /export\/customers/).length).toBeGreaterThanOrEqual(1);
  });
});
