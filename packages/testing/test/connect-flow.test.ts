import { ConnectError, ErrorCode, isPatchbayError } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { API, acmeWorld, REDIRECT_URI } from "./support.js";

// One MSW server per file; each test installs its own world's handlers.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world(options?: Parameters<typeof acmeWorld>[0]) {
  const w = acmeWorld(options);
  server.use(...w.handlers);
  return w;
}

async function connectError(promise: Promise<unknown>): Promise<ConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe("connect flow (OAuth 2.0 authorization code + PKCE)", () => {
  it("completes the redirect round trip with PKCE verified by the server, and the connection works", async () => {
    const w = world();
    const pb = w.patchbay();
    const { url, state } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
      data: { returnTo: "/settings" },
    });
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe(w.fake.authorizationUrl);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("state")).toBe(state);
    expect(authorize.searchParams.get("access_type")).toBe("offline");
    expect(authorize.searchParams.get("scope")).toBe("contacts.read");

    const connection = await pb.connect.finish(w.fake.approve(url), { tenantId: "tenant-a" });
    expect(connection).toMatchObject({
      tenantId: "tenant-a",
      connector: "acme",
      status: "active",
      config: { pipeline: "main" },
    });
    expect(connection.data).toEqual({ returnTo: "/settings" });
    expect(w.fake.stats.byGrant.authorization_code).toBe(1);
    expect(JSON.stringify(connection)).not.toContain("fake_at_");

    const client = await pb.connections.http("tenant-a", connection.id);
    const me = await client.get<{ name: string }>("/me");
    expect(me.data.name).toBe("Acme User");
    expect(await pb.connections.list("tenant-a")).toHaveLength(1);
  });

  it("rejects a replayed callback and stores only one connection", async () => {
    const w = world();
    const pb = w.patchbay();
    const { url } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const callback = w.fake.approve(url);
    await pb.connect.finish(callback, { tenantId: "tenant-a" });
    const error = await connectError(pb.connect.finish(callback, { tenantId: "tenant-a" }));
    expect(error.code).toBe(ErrorCode.CONNECT_STATE_INVALID);
    expect(error.message).toMatch(/start the connection again/);
    expect(await pb.connections.list("tenant-a")).toHaveLength(1);
  });

  it("rejects an authorization older than ten minutes and stores nothing", async () => {
    const w = world();
    const pb = w.patchbay();
    const { url } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const callback = w.fake.approve(url);
    w.clock.advance(10 * 60_000 + 1);
    expect((await connectError(pb.connect.finish(callback, { tenantId: "tenant-a" }))).code).toBe(
      ErrorCode.CONNECT_STATE_EXPIRED,
    );
    expect(await pb.connections.list("tenant-a")).toEqual([]);
    expect(w.fake.stats.tokenRequests).toBe(0);
  });

  it("refuses a callback finished by another tenant, which cannot burn the state either", async () => {
    const w = world();
    const pb = w.patchbay();
    const { url } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const callback = w.fake.approve(url);
    expect((await connectError(pb.connect.finish(callback, { tenantId: "tenant-b" }))).code).toBe(
      ErrorCode.CONNECT_STATE_INVALID,
    );
    expect(await pb.connections.list("tenant-b")).toEqual([]);
    const connection = await pb.connect.finish(callback, { tenantId: "tenant-a" });
    expect(connection.tenantId).toBe("tenant-a");
  });

  it("rejects a callback with an unknown or missing state", async () => {
    const w = world();
    const pb = w.patchbay();
    expect(
      (
        await connectError(
          pb.connect.finish(`${REDIRECT_URI}?code=abc&state=forged`, { tenantId: "tenant-a" }),
        )
      ).code,
    ).toBe(ErrorCode.CONNECT_STATE_INVALID);
    expect(
      (await connectError(pb.connect.finish(`${REDIRECT_URI}?code=abc`, { tenantId: "tenant-a" })))
        .code,
    ).toBe(ErrorCode.CONNECT_STATE_INVALID);
  });

  it("turns the user's refusal (error=access_denied) into CONNECT_DENIED, not a crash", async () => {
    const w = world();
    const pb = w.patchbay();
    const { url } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const error = await connectError(pb.connect.finish(w.fake.deny(url), { tenantId: "tenant-a" }));
    expect(error.code).toBe(ErrorCode.CONNECT_DENIED);
    expect(error.message).toContain("Access to Acme was not granted");
    expect(await pb.connections.list("tenant-a")).toEqual([]);
  });

  it("fails a code injected from another authorization, because its PKCE verifier does not match", async () => {
    const w = world();
    const pb = w.patchbay();
    const first = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const second = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const stolenCode = w.fake.approve(first.url).searchParams.get("code")!;
    const forged = `${REDIRECT_URI}?code=${stolenCode}&state=${second.state}`;
    const error = await connectError(pb.connect.finish(forged, { tenantId: "tenant-a" }));
    expect(error.code).toBe(ErrorCode.CONNECT_FAILED);
    expect(error.providerCode).toBe("invalid_grant");
    expect(await pb.connections.list("tenant-a")).toEqual([]);
  });

  it("stores nothing and revokes the tokens when the connector's test fails", async () => {
    const w = world({ testFails: true });
    const pb = w.patchbay();
    const { url } = await pb.connect.start({
      tenantId: "tenant-a",
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    const error = await connectError(
      pb.connect.finish(w.fake.approve(url), { tenantId: "tenant-a" }),
    );
    expect(error.code).toBe(ErrorCode.CONNECT_TEST_FAILED);
    expect(error.message).toContain("the account has no CRM seat");
    expect(await pb.connections.list("tenant-a")).toEqual([]);
    expect(w.fake.stats.revocations).toBe(1);
  });

  it("validates start() input and names the bad field", async () => {
    const w = world();
    const pb = w.patchbay();
    await expect(
      pb.connect.start({ tenantId: "", connector: "acme", redirectUri: REDIRECT_URI }),
    ).rejects.toThrow('"tenantId" must be a non-empty string');
    await expect(
      pb.connect.start({ tenantId: "t", connector: "acme", redirectUri: "/callback" }),
    ).rejects.toThrow('"redirectUri" must be an absolute URL');
    await expect(
      pb.connect.start({ tenantId: "t", connector: "nope", redirectUri: REDIRECT_URI }),
    ).rejects.toThrow('Unknown connector "nope"');
    await expect(
      pb.connect.start({ tenantId: "t", connector: "acme-keys", redirectUri: REDIRECT_URI }),
    ).rejects.toThrow(/connect it with connect.withCredentials/);
    const bad = await pb.connect
      .start({
        tenantId: "t",
        connector: "acme",
        redirectUri: REDIRECT_URI,
        config: { pipeline: 42 },
      })
      .catch((e: unknown) => e);
    expect(isPatchbayError(bad) && bad.code).toBe(ErrorCode.CONFIG_INVALID);
    expect((bad as Error).message).toContain('"config.pipeline"');
  });
});

describe("connect flow (credential forms)", () => {
  it("connects with an API key after validating the form, and sends the key on requests", async () => {
    const w = world();
    const pb = w.patchbay();
    await expect(
      pb.connect.withCredentials({ tenantId: "t", connector: "acme-keys", credentials: {} }),
    ).rejects.toThrow('"credentials.apiKey"');
    const connection = await pb.connect.withCredentials({
      tenantId: "t",
      connector: "acme-keys",
      credentials: { apiKey: "key_live_123456" },
    });
    expect(connection.status).toBe("active");
    server.use(
      http.get(`${API}/keyed`, ({ request }) =>
        request.headers.get("x-api-key") === "key_live_123456"
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({ error: "bad key" }, { status: 401 }),
      ),
    );
    const client = await pb.connections.http("t", connection.id);
    expect((await client.get("/keyed")).data).toEqual({ ok: true });
  });

  it("connects with client credentials and renews the token when it expires", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await pb.connect.withCredentials({
      tenantId: "t",
      connector: "acme-machine",
      credentials: { clientId: "acme-app", clientSecret: "acme-app-secret" },
    });
    expect(w.fake.stats.byGrant.client_credentials).toBe(1);
    w.clock.advance(2 * 3600_000);
    const client = await pb.connections.http("t", connection.id);
    expect((await client.get<{ id: string }>("/me")).status).toBe(200);
    expect(w.fake.stats.byGrant.client_credentials).toBe(2);
  });

  it("reports wrong client credentials as CONNECT_FAILED and stores nothing", async () => {
    const w = world();
    const pb = w.patchbay();
    const error = await connectError(
      pb.connect.withCredentials({
        tenantId: "t",
        connector: "acme-machine",
        credentials: { clientId: "acme-app", clientSecret: "wrong" },
      }),
    );
    expect(error.code).toBe(ErrorCode.CONNECT_FAILED);
    expect(error.message).not.toContain("wrong");
    expect(await pb.connections.list("t")).toEqual([]);
  });
});

describe("disconnect", () => {
  it("revokes the grant at the provider, destroys credentials and keeps the row as disconnected", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    expect(await pb.connections.disconnect("tenant-a", connection.id)).toEqual({ revoked: true });
    expect(w.fake.stats.revocations).toBe(1);
    const row = await w.store.getConnection("tenant-a", connection.id);
    expect(row).toMatchObject({ status: "disconnected", credentials: null });
    await expect(
      pb.tokens.getAccessToken({ tenantId: "tenant-a", id: connection.id }),
    ).rejects.toMatchObject({ code: ErrorCode.AUTH_NEEDS_REAUTH });
  });

  it("with purge, removes the connection entirely", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    await pb.connections.disconnect("tenant-a", connection.id, { purge: true });
    expect(await w.store.getConnection("tenant-a", connection.id)).toBeNull();
  });
});
