import { ConnectError, ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TIKTOK_API_BASE_URL, tiktokAds } from "../src/index.js";
import { TIKTOK_SANDBOX, TIKTOK_SANDBOX_APP } from "../src/testing/index.js";
import { createWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  server.events.removeAllListeners();
});
afterAll(() => server.close());

describe("tiktok-ads advertiser authorization through connect.start and connect.finish", () => {
  it("start sends the user to TikTok's portal with app_id, state and redirect_uri, without PKCE or scopes", async () => {
    const w = createWorld(server);
    const url = new URL(await w.start());
    expect(url.origin + url.pathname).toBe("https://business-api.tiktok.com/portal/auth");
    expect(url.searchParams.get("app_id")).toBe(TIKTOK_SANDBOX_APP.appId);
    expect(url.searchParams.get("redirect_uri")).toBe(TIKTOK_SANDBOX.redirectUri);
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(url.searchParams.has("code_challenge")).toBe(false);
    expect(url.searchParams.has("code_challenge_method")).toBe(false);
    expect(url.searchParams.has("scope")).toBe(false);
    // TikTok's page takes the request (the fake's portal checks app_id).
    expect((await fetch(url)).status).toBe(200);
  });

  it("finish exchanges auth_code as JSON with the app id and secret; API calls carry Access-Token and no Authorization", async () => {
    const apiCalls: Array<{
      path: string;
      accessToken: string | null;
      authorization: string | null;
    }> = [];
    server.events.on("request:start", ({ request }) => {
      if (!request.url.startsWith(TIKTOK_API_BASE_URL)) return;
      apiCalls.push({
        path: new URL(request.url).pathname,
        accessToken: request.headers.get("access-token"),
        authorization: request.headers.get("authorization"),
      });
    });
    const w = createWorld(server);
    const callback = w.fake.consent.approve(await w.start());
    const authCode = callback.searchParams.get("auth_code")!;
    expect(callback.searchParams.get("code")).toBe(authCode);

    const connection = await w.patchbay.connect.finish(callback, { tenantId: TENANT });
    expect(connection).toMatchObject({
      connector: "tiktok-ads",
      status: "active",
      metadata: { advertiserIds: [TIKTOK_SANDBOX.advertiserId] },
    });
    expect(w.fake.tokenRequests).toEqual([
      {
        contentType: "application/json",
        body: {
          app_id: TIKTOK_SANDBOX_APP.appId,
          secret: TIKTOK_SANDBOX_APP.secret,
          auth_code: authCode,
        },
      },
    ]);
    const token = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connection.id });
    expect(w.fake.verifyAccessToken(token)).toEqual({
      valid: true,
      advertiserIds: [TIKTOK_SANDBOX.advertiserId],
    });
    expect(JSON.stringify(connection)).not.toContain(token);

    const outcome = await w.patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "advertisers",
    });
    expect(outcome).toMatchObject({ status: "succeeded" });
    const authenticated = apiCalls.filter((c) => !c.path.endsWith("/oauth2/access_token/"));
    // The connection test at finish, then the sync.
    expect(authenticated.length).toBeGreaterThanOrEqual(2);
    for (const call of authenticated)
      expect(call).toMatchObject({ accessToken: token, authorization: null });
  });

  it("a reused auth_code is refused with TikTok's code, and stores nothing more", async () => {
    const w = createWorld(server);
    const first = w.fake.consent.approve(await w.start());
    await w.patchbay.connect.finish(first, { tenantId: TENANT });
    // A fresh authorization whose callback carries the first, already used code.
    const second = w.fake.consent.approve(await w.start());
    for (const name of ["auth_code", "code"])
      second.searchParams.set(name, first.searchParams.get("auth_code")!);
    await expect(w.patchbay.connect.finish(second, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_FAILED,
      providerCode: "40002",
    });
    expect(await w.patchbay.connections.list(TENANT)).toHaveLength(1);
  });

  it("a cancelled authorization is CONNECT_DENIED, with TikTok's error or with no auth_code at all", async () => {
    const w = createWorld(server);
    const denied = w.fake.consent.deny(await w.start());
    expect(denied.searchParams.get("error")).toBe("access_denied");
    await expect(w.patchbay.connect.finish(denied, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_DENIED,
    });
    const state = new URL(await w.start()).searchParams.get("state")!;
    const bare = new URL(`${TIKTOK_SANDBOX.redirectUri}?state=${state}`);
    await expect(w.patchbay.connect.finish(bare, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_DENIED,
    });
    expect(w.fake.tokenRequests).toEqual([]);
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("a wrong app secret is CONNECT_FAILED with TikTok's code, without the secret in the message", async () => {
    const secret = "not-the-sandbox-app-secret";
    const w = createWorld(server, { connector: { secret } });
    const callback = w.fake.consent.approve(await w.start());
    const error = await w.patchbay.connect
      .finish(callback, { tenantId: TENANT })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: ErrorCode.CONNECT_FAILED, providerCode: "40001" });
    expect((error as Error).message).toContain("TikTok code 40001");
    expect((error as Error).message).not.toContain(secret);
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("a replayed callback is refused by the one-time state", async () => {
    const w = createWorld(server);
    const callback = w.fake.consent.approve(await w.start());
    await w.patchbay.connect.finish(callback, { tenantId: TENANT });
    await expect(w.patchbay.connect.finish(callback, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_STATE_INVALID,
    });
    expect(w.fake.tokenRequests).toHaveLength(1);
  });

  it("an authorization that grants no advertiser fails the connection test and stores nothing", async () => {
    const w = createWorld(server);
    const callback = w.fake.authorize(await w.start(), { advertiserIds: [] });
    await expect(w.patchbay.connect.finish(callback, { tenantId: TENANT })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_TEST_FAILED,
    });
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("TikTok's page refuses an unregistered redirect URI, an unknown app and a missing state", async () => {
    const w = createWorld(server);
    const url = new URL(await w.start());
    const elsewhere = new URL(url);
    elsewhere.searchParams.set("redirect_uri", "https://evil.example/callback");
    expect(() => w.fake.consent.approve(elsewhere.href)).toThrow("is not registered for the app");
    const otherApp = new URL(url);
    otherApp.searchParams.set("app_id", "7399999999999999999");
    expect(() => w.fake.consent.deny(otherApp.href)).toThrow("unknown app_id");
    const noState = new URL(url);
    noState.searchParams.delete("state");
    expect(() => w.fake.consent.approve(noState.href)).toThrow("no state");
  });

  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => tiktokAds({ appId: "abc", secret: "x" })).toThrow(
      '"appId" must be the TikTok developer app id',
    );
    expect(() => tiktokAds({ ...TIKTOK_SANDBOX_APP, rateLimitRetries: -1 })).toThrow(
      '"rateLimitRetries" must be a non-negative integer',
    );
  });
});
