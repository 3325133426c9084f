import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTikTokState,
  exchangeTikTokAuthCode,
  finishTikTokConnect,
  tiktokAds,
  tiktokAuthorizeUrl,
} from "../src/index.js";
import { TIKTOK_SANDBOX, TIKTOK_SANDBOX_APP } from "../src/testing/index.js";
import { connectWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("tiktok-ads advertiser authorization", () => {
  it("builds TikTok's authorize URL with app_id, state and redirect_uri", () => {
    const url = tiktokAuthorizeUrl({
      appId: "7300000000000000001",
      redirectUri: TIKTOK_SANDBOX.redirectUri,
      state: "s".repeat(20),
    });
    expect(url.origin + url.pathname).toBe("https://business-api.tiktok.com/portal/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app_id: "7300000000000000001",
      state: "s".repeat(20),
      redirect_uri: TIKTOK_SANDBOX.redirectUri,
    });
    expect(() =>
      tiktokAuthorizeUrl({ appId: "1", redirectUri: TIKTOK_SANDBOX.redirectUri, state: "short" }),
    ).toThrow('"state" must be a random string of at least 16 characters');
  });

  it("exchanges auth_code (not code) and connects with the token, listing the advertisers", async () => {
    const w = await connectWorld(server);
    expect(w.connection).toMatchObject({ connector: "tiktok-ads", status: "active" });
    expect(w.connection.metadata.advertiserIds).toEqual([TIKTOK_SANDBOX.advertiserId]);
    // Every API call carries TikTok's Access-Token header (checked by the fake): a sync works.
    expect((await w.sync("advertisers")).status).toBe("succeeded");
  });

  it("refuses a callback whose state does not match, and a cancelled authorization", async () => {
    const w = await connectWorld(server);
    const state = createTikTokState();
    const callback = w.fake.authorize(
      tiktokAuthorizeUrl({
        appId: TIKTOK_SANDBOX_APP.appId,
        redirectUri: TIKTOK_SANDBOX.redirectUri,
        state,
      }),
    );
    await expect(
      finishTikTokConnect(w.patchbay, {
        callbackUrl: callback,
        expectedState: createTikTokState(),
        tenantId: TENANT,
        ...TIKTOK_SANDBOX_APP,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CONNECT_STATE_INVALID });
    const cancelled = new URL(`${TIKTOK_SANDBOX.redirectUri}?state=${state}`);
    await expect(
      finishTikTokConnect(w.patchbay, {
        callbackUrl: cancelled,
        expectedState: state,
        tenantId: TENANT,
        ...TIKTOK_SANDBOX_APP,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CONNECT_DENIED });
  });

  it("reports TikTok's body error when an auth_code is reused", async () => {
    const w = await connectWorld(server);
    const state = createTikTokState();
    const callback = w.fake.authorize(
      tiktokAuthorizeUrl({
        appId: TIKTOK_SANDBOX_APP.appId,
        redirectUri: TIKTOK_SANDBOX.redirectUri,
        state,
      }),
    );
    const authCode = callback.searchParams.get("auth_code")!;
    const first = await exchangeTikTokAuthCode({ ...TIKTOK_SANDBOX_APP, authCode });
    expect(first.advertiserIds).toEqual([TIKTOK_SANDBOX.advertiserId]);
    await expect(exchangeTikTokAuthCode({ ...TIKTOK_SANDBOX_APP, authCode })).rejects.toMatchObject(
      {
        code: ErrorCode.CONNECT_FAILED,
        providerCode: "40002",
      },
    );
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
