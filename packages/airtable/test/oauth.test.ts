import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AIRTABLE_OAUTH, AIRTABLE_SCOPES, airtable } from "../src/index.js";
import {
  AIRTABLE_SANDBOX_CLIENT,
  AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID,
  AIRTABLE_SANDBOX_REDIRECT_URIS,
  createAirtableFake,
} from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("OAuth", () => {
  it("sends the user to Airtable's authorize URL with PKCE S256 and the four scopes", async () => {
    const fake = createAirtableFake();
    server.use(...fake.handlers);
    const patchbay = createPatchbay({
      connectors: [airtable(AIRTABLE_SANDBOX_CLIENT)],
      store: new MemoryStore(),
      vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 1).toString("base64") }] }),
    });
    const { url } = await patchbay.connect.start({
      tenantId: TENANT,
      connector: "airtable",
      redirectUri: AIRTABLE_SANDBOX_REDIRECT_URIS[1]!,
    });
    const authorize = new URL(url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(AIRTABLE_OAUTH.authorizationUrl);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: AIRTABLE_SANDBOX_CLIENT.clientId,
      response_type: "code",
      code_challenge_method: "S256",
      scope: "data.records:read data.records:write schema.bases:read webhook:manage",
    });
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(AIRTABLE_SCOPES).toEqual([
      "data.records:read",
      "data.records:write",
      "schema.bases:read",
      "webhook:manage",
    ]);
  });

  it("authenticates a confidential client with HTTP Basic at the token endpoint", async () => {
    const tokenRequests: Request[] = [];
    const spy = ({ request }: { request: Request }) => {
      if (request.url === AIRTABLE_OAUTH.tokenUrl) tokenRequests.push(request.clone());
    };
    server.events.on("request:start", spy);
    try {
      const w = await world(server, { auth: "oauth" });
      expect(w.connection.status).toBe("active");
    } finally {
      server.events.removeListener("request:start", spy);
    }
    const [exchange] = tokenRequests;
    // RFC 6749 §2.3.1: id and secret are form-urlencoded, joined by ":", then base64.
    // (Core's encoder also escapes "-" as %2D; Airtable's own example sends them raw. See the package docs.)
    const basic = /^Basic (.+)$/.exec(exchange!.headers.get("authorization") ?? "")?.[1];
    const [id, secret] = Buffer.from(basic!, "base64")
      .toString("utf8")
      .split(":")
      .map(decodeURIComponent);
    expect({ id, secret }).toEqual({
      id: AIRTABLE_SANDBOX_CLIENT.clientId,
      secret: AIRTABLE_SANDBOX_CLIENT.clientSecret,
    });
    const body = new URLSearchParams(await exchange!.text());
    expect(body.get("client_secret")).toBeNull();
    expect(body.get("grant_type")).toBe("authorization_code");
    expect(body.get("code_verifier")).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
  });

  it("connects a public client (no secret) with PKCE alone", async () => {
    const w = await world(server, {
      auth: "oauth",
      connector: { clientId: AIRTABLE_SANDBOX_PUBLIC_CLIENT_ID, clientSecret: undefined },
    });
    expect(w.connection.status).toBe("active");
  });

  it("declares refresh-token rotation, and never loses a rotated refresh token", async () => {
    const w = await world(server, { auth: "oauth" });
    expect(w.connector.auth).toMatchObject({
      kind: "oauth2",
      refreshTokenRotation: true,
      pkce: true,
      tokenEndpointAuthMethod: "client_secret_basic",
    });
    w.fake.seedTable(2);
    const refreshes = () => w.fake.oauth!.stats.byGrant.refresh_token ?? 0;
    for (let round = 1; round <= 3; round++) {
      w.fake.oauth!.expireAccessTokens();
      const before = refreshes();
      // Ten calls at once after expiry: every one succeeds with a refreshed token.
      const http = await w.http();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => http.get("meta/whoami")),
      );
      expect(results.every((r) => r.status === "fulfilled")).toBe(true);
      // At least one refresh. (Core may refresh twice here: see the report on connectionAuthenticator's shared "current" token.)
      expect(refreshes()).toBeGreaterThan(before);
      expect(await w.sync()).toMatchObject({ status: "succeeded" });
    }
    // Each refresh used the latest refresh token: the fake refuses a rotated one (invalid_grant → needs_reauth).
    expect((await w.current()).status).toBe("active");
  });

  it("Airtable refuses a refresh token that was already rotated", async () => {
    const fake = createAirtableFake();
    server.use(...fake.handlers);
    const issued = fake.oauth!.issueTokens({
      clientId: AIRTABLE_SANDBOX_CLIENT.clientId,
      scopes: [...AIRTABLE_SCOPES],
    });
    const refresh = (token: string) =>
      fetch(AIRTABLE_OAUTH.tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${AIRTABLE_SANDBOX_CLIENT.clientId}:${AIRTABLE_SANDBOX_CLIENT.clientSecret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }),
      });
    const first = await refresh(issued.refreshToken!);
    const body = (await first.json()) as { refresh_token: string; refresh_expires_in: number };
    expect(body.refresh_token).not.toBe(issued.refreshToken);
    expect(body.refresh_expires_in).toBe(60 * 24 * 3600);
    const reused = await refresh(issued.refreshToken!);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("a 401 from the API refreshes once and retries", async () => {
    const w = await world(server, { auth: "oauth" });
    let rejected = false;
    server.use(
      http.get("https://api.airtable.com/v0/meta/whoami", () => {
        if (rejected) return undefined;
        rejected = true;
        return HttpResponse.json(
          { error: { type: "UNAUTHORIZED", message: "Invalid authentication token" } },
          { status: 401 },
        );
      }),
    );
    const http2 = await w.http();
    await expect(http2.get("meta/whoami")).resolves.toMatchObject({ status: 200 });
    expect(w.fake.oauth!.stats.byGrant.refresh_token).toBe(1);
  });
});

describe("factory options", () => {
  it("names the bad argument", () => {
    expect(() => airtable(undefined as never)).toThrow(
      new TypeError(
        '"options" must be an object: airtable({ clientId }) or airtable({ auth: "pat" })',
      ),
    );
    expect(() => airtable({ auth: "token" } as never)).toThrow(
      new TypeError('"auth" must be "oauth" or "pat", got "token"'),
    );
    expect(() => airtable({ clientId: "" })).toThrow(
      new TypeError('"clientId" must be a non-empty string'),
    );
    expect(() => airtable({ auth: "pat", clientId: "x" } as never)).toThrow(
      new TypeError(
        '"clientId" and "clientSecret" are for auth "oauth"; a personal access token needs neither',
      ),
    );
    expect(() => airtable({ auth: "pat", fullEvery: 0 })).toThrow(
      new TypeError('"fullEvery" must be a positive integer'),
    );
  });

  it("both auth modes are the one connector id, airtable", () => {
    expect(airtable({ auth: "pat" }).id).toBe("airtable");
    expect(airtable(AIRTABLE_SANDBOX_CLIENT).id).toBe("airtable");
    expect(airtable({ auth: "pat" }).auth).toMatchObject({ kind: "credentials", style: "api_key" });
  });

  it("refuses a personal access token that does not look like one", async () => {
    const fake = createAirtableFake({ oauth: false });
    server.use(...fake.handlers);
    const patchbay = createPatchbay({
      connectors: [airtable({ auth: "pat" })],
      store: new MemoryStore(),
      vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 1).toString("base64") }] }),
    });
    await expect(
      patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "airtable",
        credentials: { apiKey: "keyLegacyApiKey123" },
      }),
    ).rejects.toThrow(/personal access token/);
  });
});
