import {
  AuthError,
  ConnectError,
  createPatchbay,
  defineConnector,
  ErrorCode,
  MemoryStore,
  oauth2,
  Vault,
} from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createFakeOAuthServer } from "../src/index.js";
import { API, KEY_1, manualClock, REDIRECT_URI } from "./support.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("OAuth spec hooks: exchangeCode and applyToken (a provider that bends RFC 6749)", () => {
  /** TikTok-shaped: `auth_code` in the callback, a JSON token request, a wrapped answer, an `Access-Token` header. */
  function bentWorld() {
    const codes = new Set(["code-one-time-1"]);
    const received: unknown[] = [];
    const seenHeaders: Array<{ accessToken: string | null; authorization: string | null }> = [];
    server.use(
      http.post("https://auth.bent.test/token/", async ({ request }) => {
        const body = (await request.json()) as Record<string, string>;
        received.push(body);
        if (body.secret !== "bent-secret")
          return HttpResponse.json({ code: 40001, message: "bad secret" });
        if (!codes.delete(body.auth_code ?? ""))
          return HttpResponse.json({ code: 40002, message: "auth_code is invalid" });
        return HttpResponse.json({
          code: 0,
          message: "OK",
          data: { access_token: "bent-token-abcdefgh", advertiser_ids: ["7001"] },
        });
      }),
      http.get(`${API}/bent/me`, ({ request }) => {
        seenHeaders.push({
          accessToken: request.headers.get("access-token"),
          authorization: request.headers.get("authorization"),
        });
        return request.headers.get("access-token") === "bent-token-abcdefgh"
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({ message: "no" }, { status: 401 });
      }),
    );
    const connector = defineConnector({
      id: "bent",
      name: "Bent",
      category: "ads",
      auth: oauth2({
        authorizationUrl: "https://auth.bent.test/portal/auth",
        tokenUrl: "https://auth.bent.test/token/",
        clientId: "7000",
        clientSecret: "bent-secret",
        scopes: [],
        pkce: false,
        authorizeParams: { app_id: "7000" },
        tokenResponseMetadata: ["advertiser_ids"],
        async exchangeCode({ callback }, { fetch }) {
          const authCode = callback.get("auth_code");
          if (authCode === null)
            throw new ConnectError(ErrorCode.CONNECT_DENIED, "bent: the user did not authorize");
          const response = await fetch("https://auth.bent.test/token/", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ app_id: "7000", secret: "bent-secret", auth_code: authCode }),
          });
          const answer = (await response.json()) as {
            code: number;
            message: string;
            data?: { access_token: string; advertiser_ids: string[] };
          };
          if (answer.code !== 0 || answer.data === undefined)
            throw new ConnectError(ErrorCode.CONNECT_FAILED, `bent: ${answer.message}`, {
              providerCode: String(answer.code),
            });
          return {
            accessToken: answer.data.access_token,
            expiresAt: null,
            tokenType: "bearer",
            extra: { advertiser_ids: answer.data.advertiser_ids },
          };
        },
        applyToken: (token, request) => request.headers.set("Access-Token", token),
      }),
      http: { baseUrl: API },
      test: async ({ http: client }) => void (await client.get("/bent/me")),
    });
    const pb = createPatchbay({
      connectors: [connector],
      store: new MemoryStore(),
      vault: new Vault({ keys: [KEY_1] }),
    });
    const callbackFor = (url: string, code = "code-one-time-1") => {
      const state = new URL(url).searchParams.get("state")!;
      return `${REDIRECT_URI}?auth_code=${code}&code=${code}&state=${state}`;
    };
    return { pb, received, seenHeaders, callbackFor };
  }

  it("exchanges the callback's auth_code with the connector's own request and sends the token where the provider wants it", async () => {
    const w = bentWorld();
    const { url } = await w.pb.connect.start({
      tenantId: "t1",
      connector: "bent",
      redirectUri: REDIRECT_URI,
    });
    const authorize = new URL(url);
    expect(authorize.searchParams.get("app_id")).toBe("7000");
    expect(authorize.searchParams.has("code_challenge")).toBe(false);
    const connection = await w.pb.connect.finish(w.callbackFor(url), { tenantId: "t1" });
    expect(connection).toMatchObject({ status: "active", metadata: { advertiser_ids: ["7001"] } });
    expect(w.received).toEqual([
      { app_id: "7000", secret: "bent-secret", auth_code: "code-one-time-1" },
    ]);
    const client = await w.pb.connections.http("t1", connection.id);
    await client.get("/bent/me");
    // The connection test and this call: both with Access-Token, neither with a bearer header.
    expect(w.seenHeaders).toEqual([
      { accessToken: "bent-token-abcdefgh", authorization: null },
      { accessToken: "bent-token-abcdefgh", authorization: null },
    ]);
  });

  it("fails the connection with the hook's error and stores nothing when the exchange is refused", async () => {
    const w = bentWorld();
    const { url } = await w.pb.connect.start({
      tenantId: "t1",
      connector: "bent",
      redirectUri: REDIRECT_URI,
    });
    const error = await w.pb.connect
      .finish(w.callbackFor(url, "stolen-code"), { tenantId: "t1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: ErrorCode.CONNECT_FAILED, providerCode: "40002" });
    expect((error as Error).message).toContain("auth_code is invalid");
    expect(await w.pb.connections.list("t1")).toEqual([]);
  });
});

describe("OAuth spec hooks: deriveToken (an agency token traded for a per-site token)", () => {
  function agencyWorld() {
    const clock = manualClock();
    const fake = createFakeOAuthServer({
      issuer: "https://auth.agency.test",
      clients: [
        { clientId: "agency-app", clientSecret: "agency-secret", redirectUris: [REDIRECT_URI] },
      ],
      // The agency token outlives the site tokens (a day against an hour).
      accessTokenTtlSeconds: 86_400,
      now: clock.now,
    });
    const provider = {
      derives: 0,
      /** The valid site token per site. */
      siteTokens: new Map<string, string>(),
      /** The derive endpoint rejects every base token (as if it were revoked there). */
      rejectBase: false,
    };
    server.use(
      ...fake.handlers,
      http.post(`${API}/derive`, async ({ request }) => {
        const base = fake.verifyBearer(request);
        if (!base.valid || provider.rejectBase) {
          provider.rejectBase = false;
          return HttpResponse.json({ message: "bad agency token" }, { status: 401 });
        }
        const { site } = (await request.json()) as { site: string };
        provider.derives++;
        const token = `site-${site}-${provider.derives}-xxxxxxxx`;
        provider.siteTokens.set(site, token);
        return HttpResponse.json({ access_token: token, expires_in: 3600 });
      }),
      http.get(`${API}/agency/me`, ({ request }) =>
        fake.verifyBearer(request).valid
          ? HttpResponse.json({ agency: true })
          : HttpResponse.json({ message: "agency token required" }, { status: 401 }),
      ),
      http.get(`${API}/sites/:site/me`, ({ request, params }) => {
        const site = String(params.site);
        const sent = request.headers.get("authorization");
        return sent === `Bearer ${provider.siteTokens.get(site)}`
          ? HttpResponse.json({ site })
          : HttpResponse.json({ message: "site token rejected" }, { status: 401 });
      }),
    );
    const connector = defineConnector({
      id: "agency",
      name: "Agency",
      category: "crm",
      config: z.object({ site: z.string().optional() }),
      auth: oauth2({
        authorizationUrl: fake.authorizationUrl,
        tokenUrl: fake.tokenUrl,
        clientId: "agency-app",
        clientSecret: "agency-secret",
        scopes: ["sites"],
        deriveTokenFor: ({ url }) => !url.pathname.includes("/agency/"),
        async deriveToken(token, { connection, fetch, now }) {
          const site = connection.config.site;
          if (typeof site !== "string") return null;
          const response = await fetch(`${API}/derive`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ site }),
          });
          if (response.status === 401)
            throw new AuthError(
              ErrorCode.AUTH_UNAUTHORIZED,
              "agency: the agency token was rejected",
            );
          const body = (await response.json()) as { access_token: string; expires_in: number };
          return { accessToken: body.access_token, expiresAt: now() + body.expires_in * 1000 };
        },
      }),
      http: { baseUrl: API },
    });
    const pb = createPatchbay({
      connectors: [connector],
      store: new MemoryStore({ now: clock.now }),
      vault: new Vault({ keys: [KEY_1] }),
      now: clock.now,
    });
    async function connect() {
      const { url } = await pb.connect.start({
        tenantId: "t1",
        connector: "agency",
        redirectUri: REDIRECT_URI,
      });
      return pb.connect.finish(fake.approve(url), { tenantId: "t1" });
    }
    return { clock, fake, provider, pb, connect };
  }

  it("derives once per site and reuses the token until it nears expiry", async () => {
    const w = agencyWorld();
    const c = await w.connect();
    expect(w.provider.derives).toBe(0); // no site chosen: nothing to derive
    await w.pb.connections.configure("t1", c.id, { site: "north" });
    const client = await w.pb.connections.http("t1", c.id);
    expect((await client.get("/sites/north/me")).data).toEqual({ site: "north" });
    await (await w.pb.connections.http("t1", c.id)).get("/sites/north/me");
    expect(w.provider.derives).toBe(1);

    w.clock.advance(3600_000 - 60_000); // within the refresh margin of the site token's expiry
    await (await w.pb.connections.http("t1", c.id)).get("/sites/north/me");
    expect(w.provider.derives).toBe(2);

    // Another site: another derivation, with the new config.
    await w.pb.connections.configure("t1", c.id, { site: "south" });
    await (await w.pb.connections.http("t1", c.id)).get("/sites/south/me");
    expect(w.provider.derives).toBe(3);
    expect(w.fake.stats.byGrant.refresh_token ?? 0).toBe(0);
  });

  it("sends the connection's own token to the requests deriveTokenFor leaves out", async () => {
    const w = agencyWorld();
    const c = await w.connect();
    await w.pb.connections.configure("t1", c.id, { site: "north" });
    const client = await w.pb.connections.http("t1", c.id);
    expect((await client.get("/agency/me")).data).toEqual({ agency: true });
    expect(w.provider.derives).toBe(0);
    expect((await client.get("/sites/north/me")).data).toEqual({ site: "north" });
    expect(w.provider.derives).toBe(1);
  });

  it("derives again when the provider rejects the site token, without refreshing the connection's own token", async () => {
    const w = agencyWorld();
    const c = await w.connect();
    await w.pb.connections.configure("t1", c.id, { site: "north" });
    await (await w.pb.connections.http("t1", c.id)).get("/sites/north/me");
    w.provider.siteTokens.set("north", "revoked-at-the-provider");
    expect((await (await w.pb.connections.http("t1", c.id)).get("/sites/north/me")).data).toEqual({
      site: "north",
    });
    expect(w.provider.derives).toBe(2);
    expect(w.fake.stats.byGrant.refresh_token ?? 0).toBe(0);
  });

  it("refreshes the connection's own token once when the derivation rejects it, then derives", async () => {
    const w = agencyWorld();
    const c = await w.connect();
    await w.pb.connections.configure("t1", c.id, { site: "north" });
    w.provider.rejectBase = true;
    expect((await (await w.pb.connections.http("t1", c.id)).get("/sites/north/me")).data).toEqual({
      site: "north",
    });
    expect(w.fake.stats.byGrant.refresh_token).toBe(1);
    expect(w.provider.derives).toBe(1);
  });
});
