import { describeConnector, ErrorCode } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GHL_AGENCY_SCOPES, GHL_OAUTH, GHL_SCOPES, goHighLevel } from "../src/index.js";
import {
  GHL_AUTH_CLASS_MESSAGE,
  GHL_SANDBOX,
  GHL_SANDBOX_PRIVATE_TOKEN,
} from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("OAuth (Marketplace app)", () => {
  it("authorizes at chooselocation and exchanges the code form-encoded with the secret in the body and user_type=Location", async () => {
    const bodies: URLSearchParams[] = [];
    server.events.on("request:start", async ({ request }) => {
      if (request.url === GHL_OAUTH.tokenUrl)
        bodies.push(new URLSearchParams(await request.clone().text()));
    });
    const w = await world(server);
    server.events.removeAllListeners();
    const [exchange] = bodies;
    expect(exchange?.get("grant_type")).toBe("authorization_code");
    expect(exchange?.get("client_secret")).toBe("sandbox-ghl-client-secret-0001");
    expect(exchange?.get("user_type")).toBe("Location");
    expect(exchange?.has("code_verifier")).toBe(false);
    expect(w.connection.status).toBe("active");
  });

  it("keeps the token response's locationId, companyId and userType in the connection metadata", async () => {
    const w = await world(server);
    expect(w.connection.metadata).toMatchObject({
      locationId: GHL_SANDBOX.locationId,
      companyId: GHL_SANDBOX.companyId,
      userType: "Location",
      userId: GHL_SANDBOX.userId,
    });
  });

  it("stores each rotated refresh token: two expiries in a row both refresh (the fake refuses a reused refresh token)", async () => {
    const w = await world(server);
    w.fake.seedContacts(3);
    w.fake.oauth!.expireAccessTokens();
    expect((await w.sync("contacts")).status).toBe("succeeded");
    w.fake.oauth!.expireAccessTokens();
    expect((await w.sync("contacts", "full")).status).toBe("succeeded");
    expect(w.fake.oauth!.stats.byGrant.refresh_token).toBe(2);
    expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("active");
  });

  it("an agency (Company) install without the oauth.* scopes fails the connection test, saying which scopes to add", async () => {
    const w = await world(server, { before: (fake) => fake.installAgency() }).catch(
      (e: unknown) => e,
    );
    // connect.finish runs the test (GET /oauth/installedLocations): refused with the reason.
    expect(w).toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    expect(String((w as Error).message)).toMatch(/"oauth\.readonly".*agency: true/);
  });

  it("the fake's company token gets a location token from /oauth/locationToken, and the location token reads contacts", async () => {
    const w = await world(server);
    w.fake.installAgency("agency-admin");
    const company = w.fake.oauth!.issueTokens({
      subject: "agency-admin",
      scopes: [...GHL_SCOPES, ...GHL_AGENCY_SCOPES],
    });
    const denied = await fetch("https://services.leadconnectorhq.com/contacts/search", {
      method: "POST",
      headers: {
        authorization: `Bearer ${company.accessToken}`,
        Version: "2021-07-28",
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: GHL_SANDBOX.locationId, pageLimit: 1 }),
    });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({
      statusCode: 401,
      message: GHL_AUTH_CLASS_MESSAGE,
      error: "Unauthorized",
    });
    const minted = await fetch("https://services.leadconnectorhq.com/oauth/locationToken", {
      method: "POST",
      headers: {
        authorization: `Bearer ${company.accessToken}`,
        Version: "2021-07-28",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        companyId: GHL_SANDBOX.companyId,
        locationId: GHL_SANDBOX.locationId,
      }),
    });
    const token = (await minted.json()) as {
      access_token: string;
      locationId: string;
      userType: string;
      expires_in: number;
    };
    expect(token).toMatchObject({
      locationId: GHL_SANDBOX.locationId,
      userType: "Location",
      expires_in: 86_399,
    });
    expect(w.fake.oauth!.verifyAccessToken(token.access_token)).toMatchObject({ valid: true });
    const allowed = await fetch("https://services.leadconnectorhq.com/contacts/search", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token.access_token}`,
        Version: "2021-07-28",
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: GHL_SANDBOX.locationId, pageLimit: 1 }),
    });
    expect(allowed.status).toBe(200);
    w.fake.addLocation({ id: "SbxOtherBranchLoc002", name: "Summit North" });
    const elsewhere = await fetch("https://services.leadconnectorhq.com/contacts/search", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token.access_token}`,
        Version: "2021-07-28",
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: "SbxOtherBranchLoc002", pageLimit: 1 }),
    });
    expect(elsewhere.status).toBe(403);
    expect(w.fake.stats).toMatchObject({ locationTokenRequests: 1, locationTokensIssued: 1 });
  });

  it("a refused token request (invalid_grant) marks the connection needs_reauth", async () => {
    const w = await world(server);
    server.use(
      http.post(GHL_OAUTH.tokenUrl, () =>
        HttpResponse.json(
          { error: "invalid_grant", error_description: "Invalid grant: refresh token is invalid" },
          { status: 400 },
        ),
      ),
    );
    w.fake.oauth!.expireAccessTokens();
    const run = await w.sync("contacts");
    expect(run.status).toBe("failed");
    expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("needs_reauth");
  });
});

describe("private integration tokens", () => {
  it("connects with a token and location id, passes the test and syncs that location", async () => {
    const w = await world(server, { auth: "private" });
    w.fake.seedContacts(4);
    expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
    expect(w.connection.metadata).toMatchObject({
      locationId: GHL_SANDBOX.locationId,
      userType: "Location",
    });
    expect((await w.sync("contacts")).inserted).toBe(4);
  });

  it("refuses a value that is not a private integration token, naming the field", async () => {
    const w = await world(server, { auth: "private" });
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "gohighlevel",
        credentials: { token: "sk_live_123", locationId: GHL_SANDBOX.locationId },
      }),
    ).rejects.toThrow(/token.*private integration token/);
  });

  it("a token for another location fails the connection test with HighLevel's message", async () => {
    const w = await world(server, { auth: "private" });
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "gohighlevel",
        credentials: { token: GHL_SANDBOX_PRIVATE_TOKEN, locationId: "OtherLocation0000001" },
      }),
    ).rejects.toThrow(/does not have access to this location/);
  });
});

describe("goHighLevel(options)", () => {
  it("describes its config, credential form, models and actions for host forms (JSON-safe)", () => {
    const info = describeConnector(goHighLevel({ auth: "private" }));
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
    expect(JSON.stringify(info)).toContain("Private integration token");
  });

  it("names the argument and the fix for bad options", () => {
    expect(() => goHighLevel({ clientId: "x" } as never)).toThrow(
      /"clientSecret" must be a non-empty string/,
    );
    expect(() => goHighLevel({ auth: "pat" } as never)).toThrow(
      /"auth" must be "oauth" or "private"/,
    );
    expect(() => goHighLevel({ auth: "private", clientId: "x" } as never)).toThrow(
      /need(s)? neither/,
    );
    expect(() => goHighLevel({ auth: "private", webhookPublicKey: "not a key" })).toThrow(
      /"webhookPublicKey" must be an Ed25519 public key/,
    );
  });
});
