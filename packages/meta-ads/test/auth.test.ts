import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { exchangeForLongLivedToken, metaAds } from "../src/index.js";
import { META_SANDBOX, META_SANDBOX_APP } from "../src/testing/index.js";
import { connectWorld, START, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("meta-ads credentials", () => {
  it("asks Facebook Login for ads_read and keeps the ad accounts as metadata", async () => {
    const w = await connectWorld(server);
    expect(w.connection.metadata.adAccountIds).toEqual([META_SANDBOX.adAccountId]);
    const connector = metaAds({ ...META_SANDBOX_APP });
    expect(connector.auth).toMatchObject({
      scopes: ["ads_read"],
      scopeSeparator: ",",
      pkce: false,
    });
  });

  it("stores a long-lived token right after connecting, never the code's short-lived one", async () => {
    const w = await connectWorld(server);
    const token = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id });
    expect(token.startsWith("EAAlong")).toBe(true);
    expect(w.fake.oauth.verifyAccessToken(token)).toMatchObject({
      valid: true,
      expiresAt: START + 5_184_000_000,
    });
  });

  it("exchanges a short-lived token for a ~60-day token that the Graph API accepts", async () => {
    const w = await connectWorld(server);
    const { accessToken: shortLived } = w.fake.oauth.issueTokens({ scopes: ["ads_read"] });
    const long = await exchangeForLongLivedToken({
      appId: META_SANDBOX_APP.clientId,
      appSecret: META_SANDBOX_APP.clientSecret,
      accessToken: shortLived,
      now: () => START,
    });
    expect(long.expiresAt).toBe(START + 5_184_000_000);
    const me = await fetch("https://graph.facebook.com/v25.0/me?fields=id", {
      headers: { authorization: `Bearer ${long.accessToken}` },
    });
    expect(me.status).toBe(200);
    await expect(
      exchangeForLongLivedToken({
        appId: META_SANDBOX_APP.clientId,
        appSecret: "wrong",
        accessToken: shortLived,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
  });

  it("marks the connection needs_reauth when the token's lifetime runs out (no refresh token)", async () => {
    const w = await connectWorld(server);
    expect((await w.sync("campaigns")).status).toBe("succeeded");
    // Connecting trades the code's token for a long-lived one (60 days); core gives up 5 minutes before.
    w.clock.now += 86 * 60_000;
    expect((await w.sync("campaigns")).status).toBe("succeeded");
    w.clock.now += 60 * 86_400_000 - 86 * 60_000 - 4 * 60_000;
    const run = await w.sync("campaigns");
    expect(run.status).toBe("failed");
    expect((await w.current()).status).toBe("needs_reauth");
  });

  it("reports a revoked token as an auth error with Meta's code", async () => {
    const w = await connectWorld(server);
    w.fake.oauth.revokeGrant(
      await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id }),
    );
    const result = await w.patchbay.connections.test(TENANT, w.connection.id);
    expect(result.ok).toBe(false);
    const run = await w.sync("campaigns");
    expect(run.error).toContain("The user has not authorized application");
  });

  it("accepts a system-user token and signs calls with appsecret_proof", async () => {
    const w = await connectWorld(server, { systemUser: true });
    expect(w.connection.status).toBe("active");
    expect((await w.sync("campaigns")).status).toBe("succeeded");
    expect(w.fake.requests.every((r) => new URL(r.url).searchParams.has("appsecret_proof"))).toBe(
      true,
    );
  });

  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => metaAds({ clientId: "my-app", clientSecret: "x" })).toThrow(
      '"clientId" must be the Meta App ID',
    );
    expect(() => metaAds({ auth: "token" } as never)).toThrow(
      '"auth" must be "oauth" or "system_user"',
    );
    expect(() => metaAds({ ...META_SANDBOX_APP, slowDownAt: 120 })).toThrow(
      '"slowDownAt" must be a percentage',
    );
  });
});
