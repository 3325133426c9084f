import { FAKE_OAUTH_DEFAULT_SUBJECT } from "@patchbay/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOBBER_DEFAULT_GRAPHQL_VERSION, JOBBER_OAUTH, jobber } from "../src/index.js";
import { JOBBER_SANDBOX_ACCOUNT, JOBBER_SANDBOX_APP } from "../src/testing/index.js";
import { world } from "./world.js";

const server = setupServer();
const appForm = {
  client_id: JOBBER_SANDBOX_APP.clientId,
  client_secret: JOBBER_SANDBOX_APP.clientSecret,
};
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("jobber auth", () => {
  it("sends the user to Jobber's authorize URL with PKCE and no scope, and learns the account", async () => {
    const w = await world(server);
    expect(w.authorizeUrl.origin + w.authorizeUrl.pathname).toBe(JOBBER_OAUTH.authorizationUrl);
    expect(w.authorizeUrl.searchParams.get("client_id")).toBe(JOBBER_SANDBOX_APP.clientId);
    expect(w.authorizeUrl.searchParams.get("response_type")).toBe("code");
    expect(w.authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(w.authorizeUrl.searchParams.has("scope")).toBe(false);
    expect(w.connection.status).toBe("active");
    expect(w.connection.metadata).toMatchObject({
      accountId: JOBBER_SANDBOX_ACCOUNT.id,
      accountName: JOBBER_SANDBOX_ACCOUNT.name,
    });
  });

  it("rotates refresh tokens: three refreshes in a row each send the newest refresh token", async () => {
    const w = await world(server);
    w.fake.seed("clients", 2);
    const first = await w.patchbay.tokens.getAccessToken({
      tenantId: w.connection.tenantId,
      id: w.connection.id,
    });
    for (let round = 1; round <= 3; round++) {
      w.fake.oauth.expireAccessTokens();
      expect((await w.sync("clients")).status).toBe("succeeded");
    }
    // Three refreshes in a row succeed only if each sent the refresh token the previous one returned.
    expect(w.fake.oauth.stats.byGrant.refresh_token).toBe(3);
    expect(
      await w.patchbay.tokens.getAccessToken({
        tenantId: w.connection.tenantId,
        id: w.connection.id,
      }),
    ).not.toBe(first);
    expect((await w.current()).status).toBe("active");
  });

  it("the fake refuses a refresh token that was already redeemed (rotation on)", async () => {
    const w = await world(server);
    const { refreshToken } = w.fake.oauth.issueTokens({ clientId: JOBBER_SANDBOX_APP.clientId });
    const redeem = (token: string) =>
      fetch(JOBBER_OAUTH.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          ...appForm,
          grant_type: "refresh_token",
          refresh_token: token,
        }),
      });
    const firstAnswer = await redeem(refreshToken!);
    expect(firstAnswer.status).toBe(200);
    const rotated = ((await firstAnswer.json()) as { refresh_token: string }).refresh_token;
    expect(rotated).not.toBe(refreshToken);
    const reuse = await redeem(refreshToken!);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    expect((await redeem(rotated)).status).toBe(200);
  });

  it("marks the connection needs_reauth when Jobber refuses the refresh token", async () => {
    const w = await world(server);
    w.fake.oauth.revokeGrant(FAKE_OAUTH_DEFAULT_SUBJECT);
    w.fake.oauth.expireAccessTokens();
    expect((await w.sync("clients")).status).toBe("failed");
    expect((await w.current()).status).toBe("needs_reauth");
  });

  it("sends X-JOBBER-GRAPHQL-VERSION on every request, defaulting to the pinned version", async () => {
    const w = await world(server);
    w.fake.seed("clients", 3);
    await w.sync("clients");
    expect(w.fake.requests.length).toBeGreaterThan(1);
    expect(new Set(w.fake.requests.map((r) => r.version))).toEqual(
      new Set([JOBBER_DEFAULT_GRAPHQL_VERSION]),
    );

    const pinned = await world(server, { connector: { graphqlVersion: "2025-01-20" } });
    await pinned.sync("clients");
    expect(new Set(pinned.fake.requests.map((r) => r.version))).toEqual(new Set(["2025-01-20"]));
  });

  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => jobber({ ...JOBBER_SANDBOX_APP, graphqlVersion: "v2" })).toThrow(
      /"graphqlVersion" must be a date version such as "2025-04-16"/,
    );
    expect(() => jobber({ clientId: "x", clientSecret: "" })).toThrow(
      /"clientSecret" must be a non-empty string/,
    );
    expect(() => jobber({ ...JOBBER_SANDBOX_APP, pageSize: 500 })).toThrow(
      /"pageSize" must be an integer from 1 to 100/,
    );
  });
});
