import { AuthError, ConfigError, ConnectError, createHttpClient, ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  dataCenterOfApiKey,
  learnOAuthDataCenter,
  MAILCHIMP_OAUTH,
  mailchimp,
  mailchimpApiBase,
  parseMailchimpError,
} from "../src/index.js";
import { sandboxApiKey } from "../src/testing/index.js";
import { connectWithKey, connectWithOAuth, OAUTH_APP, sync, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("the factory", () => {
  it("names the missing OAuth app credential", () => {
    expect(() => mailchimp({ auth: "oauth" })).toThrow(
      new TypeError('"clientId" must be a non-empty string when "auth" is "oauth"'),
    );
    expect(() => mailchimp({ auth: "oauth", clientId: "id" })).toThrow(
      new TypeError('"clientSecret" must be a non-empty string when "auth" is "oauth"'),
    );
  });

  it("rejects a page size Mailchimp would refuse", () => {
    expect(() => mailchimp({ auth: "api_key", pageSize: 1001 })).toThrow(
      new TypeError('"pageSize" must be an integer from 1 to 1000'),
    );
  });

  it("offers OAuth when given an app, API keys otherwise, under the one id", () => {
    expect(mailchimp({ ...OAUTH_APP }).auth.kind).toBe("oauth2");
    expect(mailchimp().auth.kind).toBe("credentials");
    expect(mailchimp().id).toBe("mailchimp");
  });
});

describe("API keys", () => {
  it("refuses a key without its data center, saying what a key looks like", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "mailchimp",
      credentials: { apiKey: "0123456789abcdef0123456789abcdef" },
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/32 hexadecimal characters, a dash and the data center/);
    expect(w.fake.stats.requests).toBe(0);
  });

  it("takes the data center from the key's suffix and calls that host", async () => {
    const w = world({ fake: { dc: "us21" } });
    server.use(...w.fake.handlers);
    expect(w.fake.apiKey).toBe(sandboxApiKey("us21"));
    const connection = await connectWithKey(w, { listId: w.fake.seedAudience({ members: 3 }).id });
    expect(connection.metadata).toMatchObject({
      dc: "us21",
      api_endpoint: "https://us21.api.mailchimp.com",
    });
    await sync(w, connection.id, "members");
    const hosts = new Set(w.fake.requests.map((r) => r.url.host));
    expect(hosts).toEqual(new Set(["us21.api.mailchimp.com"]));
  });

  it("is refused at another data center, with Mailchimp's own explanation", async () => {
    const w = world({ fake: { dc: "us21" } });
    server.use(...w.fake.handlers);
    const client = createHttpClient({
      baseUrl: mailchimpApiBase("us6"),
      parseError: parseMailchimpError,
      headers: { authorization: `Basic ${Buffer.from(`any:${w.fake.apiKey}`).toString("base64")}` },
    });
    const failure = client.get("/ping");
    await expect(failure).rejects.toBeInstanceOf(AuthError);
    await expect(failure).rejects.toThrow(/API Key Invalid: .*wrong datacenter/);
  });

  it("fails the connection test once the key is deleted in Mailchimp", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    const connection = await connectWithKey(w);
    expect(await w.patchbay.connections.test(TENANT, connection.id)).toEqual({ ok: true });
    w.fake.disableApiKey();
    const result = await w.patchbay.connections.test(TENANT, connection.id);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/API Key Invalid/);
  });

  it("reads the data center of a key", () => {
    expect(dataCenterOfApiKey("0123456789abcdef0123456789abcdef-us19")).toBe("us19");
    expect(() => dataCenterOfApiKey("no-dc-here")).toThrow(
      new TypeError('"apiKey" must end with its data center, e.g. "-us6"'),
    );
  });
});

describe("OAuth", () => {
  it("learns the data center from the metadata endpoint and calls that host", async () => {
    const w = world({
      fake: { dc: "us19", accountName: "KEXP Promotions" },
      connector: { ...OAUTH_APP },
    });
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience({ members: 2 }).id;
    const connection = await connectWithOAuth(w, { listId });
    expect(connection.metadata).toMatchObject({
      dc: "us19",
      api_endpoint: "https://us19.api.mailchimp.com",
      accountName: "KEXP Promotions",
    });
    const run = await sync(w, connection.id, "members");
    expect(run).toMatchObject({ status: "succeeded", inserted: 2 });
    expect(new Set(w.fake.requests.map((r) => r.url.host))).toEqual(
      new Set(["us19.api.mailchimp.com"]),
    );
  });

  it("sends no PKCE and no scope, as Mailchimp supports neither", async () => {
    const w = world({ connector: { ...OAUTH_APP } });
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "mailchimp",
      redirectUri: "https://app.example.com/integrations/mailchimp/callback",
    });
    const params = new URL(url).searchParams;
    expect(new URL(url).origin + new URL(url).pathname).toBe(MAILCHIMP_OAUTH.authorizationUrl);
    expect(params.has("code_challenge")).toBe(false);
    expect(params.has("scope")).toBe(false);
    expect(params.get("response_type")).toBe("code");
  });

  it("treats the metadata endpoint's 200 {error:'invalid_token'} as a rejected token", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    // The quirk itself: a bad token gets 200, not 401.
    const raw = await fetch(MAILCHIMP_OAUTH.metadataUrl, {
      headers: { authorization: "OAuth not-a-token" },
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ error: "invalid_token" });
    const http = createHttpClient({ headers: { authorization: "Bearer not-a-token" } });
    const learning = learnOAuthDataCenter({ http, tokenExtra: {}, callbackParams: {}, fields: {} });
    await expect(learning).rejects.toBeInstanceOf(AuthError);
    await expect(learning).rejects.toThrow(/rejected the access token \(invalid_token\)/);
  });

  it("never refreshes a token Mailchimp issued with expires_in: 0, however long it is used", async () => {
    let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
    const w = world({
      connector: { ...OAUTH_APP },
      fake: { now: () => clock },
      patchbay: { now: () => clock },
    });
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience({ members: 2 }).id;
    const connection = await connectWithOAuth(w, { listId });
    const first = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connection.id });
    clock += 5 * 365 * 24 * 60 * 60 * 1000; // five years later
    const later = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connection.id });
    expect(later).toBe(first);
    expect((await sync(w, connection.id, "members")).status).toBe("succeeded");
    expect(w.fake.oauth.stats.byGrant.refresh_token ?? 0).toBe(0);
    expect((await w.patchbay.connections.get(TENANT, connection.id)).status).toBe("active");
  });

  it("marks the connection needs_reauth when the user removes the app (a 401 cannot be refreshed)", async () => {
    const w = world({ connector: { ...OAUTH_APP } });
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience({ members: 1 }).id;
    const connection = await connectWithOAuth(w, { listId });
    w.fake.oauth.revokeGrant(
      await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connection.id }),
    );
    const run = await sync(w, connection.id, "members");
    expect(run.status).toBe("failed");
    expect((await w.patchbay.connections.get(TENANT, connection.id)).status).toBe("needs_reauth");
    await expect(
      w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: connection.id }),
    ).rejects.toMatchObject({ code: ErrorCode.AUTH_NEEDS_REAUTH });
  });

  // Regression: Mailchimp's real token response is
  // `{"access_token":"…","expires_in":0,"scope":null}` — no `token_type`, and a
  // null `scope` — which a strict OAuth client rejects; core normalises it.
  it("connects against Mailchimp's exact token response (no token_type, scope: null)", async () => {
    const w = world({ connector: { ...OAUTH_APP }, fake: { tokenResponse: "mailchimp" } });
    server.use(...w.fake.handlers);
    const connection = await connectWithOAuth(w);
    expect(connection.status).toBe("active");
  });

  it("stores nothing when the code exchange fails", async () => {
    const w = world({ connector: { ...OAUTH_APP } });
    server.use(...w.fake.handlers);
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "mailchimp",
      redirectUri: "https://app.example.com/integrations/mailchimp/callback",
    });
    const callback = w.fake.oauth.approve(url);
    w.fake.oauth.failNext({
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid authorization code" },
    });
    await expect(w.patchbay.connect.finish(callback, { tenantId: TENANT })).rejects.toBeInstanceOf(
      ConnectError,
    );
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });
});
