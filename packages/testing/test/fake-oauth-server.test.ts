import {
  createHash,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createFakeOAuthServer,
  FAKE_OAUTH_CODE_TTL_SECONDS,
  FAKE_OAUTH_DEFAULT_SUBJECT,
  FakeOAuthAuthorizationError,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "../src/fake-oauth-server.js";

const REDIRECT_URI = "https://app.example.com/callback";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const fake = createFakeOAuthServer();
const server = setupServer(...fake.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  fake.reset();
});
afterAll(() => server.close());

/** A fake with other options, served ahead of the default one until the test ends. */
function useFake(options: FakeOAuthServerOptions): FakeOAuthServer {
  const custom = createFakeOAuthServer(options);
  server.use(...custom.handlers);
  return custom;
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An authorization request URL as a client would build it; `undefined` drops a parameter. */
function authorizationRequest(
  target: FakeOAuthServer = fake,
  overrides: Record<string, string | undefined> = {},
): { url: string; verifier: string } {
  const { verifier, challenge } = pkcePair();
  const params: Record<string, string | undefined> = {
    response_type: "code",
    client_id: "test-client",
    redirect_uri: REDIRECT_URI,
    scope: "read write",
    state: "state-123",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...overrides,
  };
  const url = new URL(target.authorizationUrl);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return { url: url.href, verifier };
}

/** HTTP Basic per RFC 6749 §2.3.1: each part form-urlencoded first. */
function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

const AS_TEST_CLIENT = { authorization: basicAuth("test-client", "test-secret") };

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params) });
  const text = await response.text();
  const body: unknown = text === "" ? {} : JSON.parse(text);
  return {
    status: response.status,
    headers: response.headers,
    body: body as Record<string, unknown>,
  };
}

/** Authorize, approve and exchange the code: the whole connect flow. */
async function connect(target: FakeOAuthServer = fake): Promise<{
  accessToken: string;
  refreshToken: string;
  answer: Answer;
  code: string;
  verifier: string;
}> {
  const { url, verifier } = authorizationRequest(target);
  const code = target.approve(url).searchParams.get("code") ?? "";
  const answer = await postForm(
    target.tokenUrl,
    { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    AS_TEST_CLIENT,
  );
  expect(answer.status).toBe(200);
  return {
    accessToken: String(answer.body.access_token),
    refreshToken: String(answer.body.refresh_token),
    answer,
    code,
    verifier,
  };
}

function refresh(
  target: FakeOAuthServer,
  refreshToken: string,
  extra: Record<string, string> = {},
) {
  return postForm(
    target.tokenUrl,
    { grant_type: "refresh_token", refresh_token: refreshToken, ...extra },
    AS_TEST_CLIENT,
  );
}

describe("authorization code flow", () => {
  it("shows a consent page, then exchanges the approved code for tokens when the PKCE verifier matches", async () => {
    const { url, verifier } = authorizationRequest();
    const consent = await fetch(url);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("test-client");

    const callback = fake.approve(url);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe("state-123");
    const code = callback.searchParams.get("code") ?? "";

    const answer = await postForm(
      fake.tokenUrl,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      AS_TEST_CLIENT,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^fake_at_/),
      refresh_token: expect.stringMatching(/^fake_rt_/),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read write",
    });
    expect(fake.verifyAccessToken(String(answer.body.access_token))).toMatchObject({
      valid: true,
      scopes: ["read", "write"],
      subject: FAKE_OAUTH_DEFAULT_SUBJECT,
      clientId: "test-client",
    });

    const me = await fetch(fake.userinfoUrl, {
      headers: { authorization: `Bearer ${answer.body.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      sub: FAKE_OAUTH_DEFAULT_SUBJECT,
      email: `${FAKE_OAUTH_DEFAULT_SUBJECT}@fake-oauth.test`,
    });
  });

  it("rejects a wrong or missing code_verifier with invalid_grant", async () => {
    const { url } = authorizationRequest();
    const code = fake.approve(url).searchParams.get("code") ?? "";
    const base = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI };

    const wrong = await postForm(
      fake.tokenUrl,
      { ...base, code_verifier: pkcePair().verifier },
      AS_TEST_CLIENT,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringContaining("code_verifier"),
    });

    const missing = await postForm(fake.tokenUrl, base, AS_TEST_CLIENT);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_grant");
  });

  it("refuses a reused code and revokes the tokens the first exchange produced", async () => {
    const first = await connect();
    const replay = await postForm(
      fake.tokenUrl,
      {
        grant_type: "authorization_code",
        code: first.code,
        redirect_uri: REDIRECT_URI,
        code_verifier: first.verifier,
      },
      AS_TEST_CLIENT,
    );
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    expect(fake.verifyAccessToken(first.accessToken)).toEqual({ valid: false, reason: "revoked" });
    expect((await refresh(fake, first.refreshToken)).body.error).toBe("invalid_grant");
  });

  it("rejects a code exchange whose redirect_uri differs from the authorization request", async () => {
    const { url, verifier } = authorizationRequest();
    const code = fake.approve(url).searchParams.get("code") ?? "";
    const answer = await postForm(
      fake.tokenUrl,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: "https://app.example.com/other",
        code_verifier: verifier,
      },
      AS_TEST_CLIENT,
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringContaining("redirect_uri"),
    });
  });

  it("never redirects to an unregistered redirect_uri", async () => {
    const { url } = authorizationRequest(fake, { redirect_uri: "https://evil.example/steal" });
    expect(() => fake.approve(url)).toThrow(FakeOAuthAuthorizationError);
    expect(() => fake.approve(url)).toThrow(
      /redirect_uri "https:\/\/evil\.example\/steal" is not registered/,
    );
    expect(() => fake.deny(url)).toThrow(/cannot redirect/);

    const page = await fetch(url, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
  });

  it("requires an S256 code_challenge, reporting the error to the client's redirect URI", async () => {
    const noPkce = authorizationRequest(fake, {
      code_challenge: undefined,
      code_challenge_method: undefined,
    });
    expect(() => fake.approve(noPkce.url)).toThrow(/PKCE is required/);
    const plain = authorizationRequest(fake, { code_challenge_method: "plain" });
    expect(() => fake.approve(plain.url)).toThrow(/"plain" is not supported/);

    const page = await fetch(noPkce.url, { redirect: "manual" });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("state")).toBe("state-123");
  });

  it("expires an unused code after 60 seconds on the fake clock", async () => {
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const clocked = useFake({ now: () => clock });
    const { url, verifier } = authorizationRequest(clocked);
    const code = clocked.approve(url).searchParams.get("code") ?? "";
    clock += FAKE_OAUTH_CODE_TTL_SECONDS * 1000;
    const answer = await postForm(
      clocked.tokenUrl,
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      AS_TEST_CLIENT,
    );
    expect(answer.body).toMatchObject({
      error: "invalid_grant",
      error_description: "authorization code expired",
    });
  });

  it("lets a public client exchange a code with PKCE and no secret", async () => {
    const publicFake = useFake({
      clients: [{ clientId: "spa", authMethod: "none", redirectUris: [REDIRECT_URI] }],
    });
    const { url, verifier } = authorizationRequest(publicFake, { client_id: "spa" });
    const code = publicFake.approve(url).searchParams.get("code") ?? "";
    const answer = await postForm(publicFake.tokenUrl, {
      grant_type: "authorization_code",
      client_id: "spa",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(answer.status).toBe(200);
  });
});

describe("token endpoint requests and client authentication", () => {
  it("rejects a JSON body with invalid_request", async () => {
    const response = await fetch(fake.tokenUrl, {
      method: "POST",
      headers: { ...AS_TEST_CLIENT, "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("answers a wrong Basic secret with 401 invalid_client and a Basic challenge", async () => {
    const answer = await postForm(
      fake.tokenUrl,
      { grant_type: "client_credentials" },
      { authorization: basicAuth("test-client", "wrong-secret") },
    );
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("invalid_client");
    expect(answer.headers.get("www-authenticate")).toMatch(/^Basic /);
  });

  it("holds a client to its registered auth method and form-decodes Basic credentials", async () => {
    const secret = "p@ss+word:with/odd é chars";
    const strict = useFake({
      clients: [
        {
          clientId: "basic-only",
          clientSecret: secret,
          authMethod: "client_secret_basic",
          redirectUris: [REDIRECT_URI],
        },
      ],
    });
    const viaPost = await postForm(strict.tokenUrl, {
      grant_type: "client_credentials",
      client_id: "basic-only",
      client_secret: secret,
    });
    expect(viaPost.status).toBe(401);
    expect(viaPost.body.error).toBe("invalid_client");

    const viaBasic = await postForm(
      strict.tokenUrl,
      { grant_type: "client_credentials" },
      { authorization: basicAuth("basic-only", secret) },
    );
    expect(viaBasic.status).toBe(200);

    // Basic without the RFC 6749 §2.3.1 form-encoding: "+" decodes to a space, so the secret differs.
    const raw = `Basic ${Buffer.from(`basic-only:${secret}`).toString("base64")}`;
    const unencoded = await postForm(
      strict.tokenUrl,
      { grant_type: "client_credentials" },
      { authorization: raw },
    );
    expect(unencoded.status).toBe(401);
  });

  it("accepts client_secret_post for the default client", async () => {
    const answer = await postForm(fake.tokenUrl, {
      grant_type: "client_credentials",
      client_id: "test-client",
      client_secret: "test-secret",
    });
    expect(answer.status).toBe(200);
  });
});

describe("refresh tokens", () => {
  it("refreshes, keeps the refresh token valid, and counts each grant in stats", async () => {
    const { refreshToken, accessToken } = await connect();
    const first = await refresh(fake, refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.access_token).not.toBe(accessToken);
    expect(first.body.refresh_token).toBeUndefined();
    const narrowed = await refresh(fake, refreshToken, { scope: "read" });
    expect(narrowed.body.scope).toBe("read");
    const widened = await refresh(fake, refreshToken, { scope: "read admin" });
    expect(widened.body.error).toBe("invalid_scope");

    expect(fake.stats).toEqual({
      tokenRequests: 4,
      byGrant: { authorization_code: 1, refresh_token: 3 },
      revocations: 0,
    });
  });

  it("with rotation, rejects the old refresh token after one use and accepts the new one", async () => {
    const rotating = useFake({ rotateRefreshTokens: true });
    const { refreshToken } = await connect(rotating);
    const first = await refresh(rotating, refreshToken);
    const rotated = String(first.body.refresh_token);
    expect(rotated).toMatch(/^fake_rt_/);
    expect(rotated).not.toBe(refreshToken);

    const reused = await refresh(rotating, refreshToken);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");
    expect((await refresh(rotating, rotated)).status).toBe(200);
  });

  it("with rotation and latency, lets only one of two concurrent refreshes win", async () => {
    const slow = useFake({ rotateRefreshTokens: true, latencyMs: 30 });
    const { refreshToken } = await connect(slow);
    const answers = await Promise.all([refresh(slow, refreshToken), refresh(slow, refreshToken)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(slow.stats.byGrant.refresh_token).toBe(2);
  });

  it("after the user revokes access, refresh fails with invalid_grant and access tokens are revoked", async () => {
    const { refreshToken, accessToken } = await connect();
    expect(fake.revokeGrant(FAKE_OAUTH_DEFAULT_SUBJECT)).toBe(1);
    const answer = await refresh(fake, refreshToken);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
    expect(fake.verifyAccessToken(accessToken)).toEqual({ valid: false, reason: "revoked" });
  });

  it("revocation endpoint: a revoked refresh token takes its access tokens with it; unknown tokens get 200", async () => {
    const { refreshToken, accessToken } = await connect();
    const revoked = await postForm(
      fake.revocationUrl,
      { token: refreshToken, token_type_hint: "refresh_token" },
      AS_TEST_CLIENT,
    );
    expect(revoked.status).toBe(200);
    expect(fake.verifyAccessToken(accessToken)).toEqual({ valid: false, reason: "revoked" });
    expect((await refresh(fake, refreshToken)).body.error).toBe("invalid_grant");

    const unknown = await postForm(fake.revocationUrl, { token: "fake_at_nope" }, AS_TEST_CLIENT);
    expect(unknown.status).toBe(200);
    const anonymous = await postForm(fake.revocationUrl, { token: "fake_at_nope" });
    expect(anonymous.status).toBe(401);
    expect(fake.stats.revocations).toBe(3);
  });
});

describe("faults, expiry and bearer checks", () => {
  it("answers the queued failure once, then serves the next request normally", async () => {
    const { refreshToken } = await connect();
    fake.failNext({ status: 503, body: "upstream unavailable", headers: { "retry-after": "1" } });
    const failed = await fetch(fake.tokenUrl, {
      method: "POST",
      headers: AS_TEST_CLIENT,
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
    });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(await failed.text()).toBe("upstream unavailable");

    fake.failNext({ status: 400, body: { error: "invalid_grant" } }, 2);
    expect((await refresh(fake, refreshToken)).body).toEqual({ error: "invalid_grant" });
    expect((await refresh(fake, refreshToken)).body).toEqual({ error: "invalid_grant" });
    expect((await refresh(fake, refreshToken)).status).toBe(200);
    expect(fake.stats.byGrant.refresh_token).toBe(4);
  });

  it("answers expires_in 0 for never-expiring tokens (Mailchimp style)", async () => {
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const forever = useFake({ accessTokenTtlSeconds: 0, now: () => clock });
    const { answer, accessToken } = await connect(forever);
    expect(answer.body.expires_in).toBe(0);
    clock += 365 * 24 * 3600 * 1000;
    expect(forever.verifyAccessToken(accessToken)).toMatchObject({ valid: true, expiresAt: null });
  });

  it("omits expires_in when accessTokenTtlSeconds is null", async () => {
    const silent = useFake({ accessTokenTtlSeconds: null });
    const { answer } = await connect(silent);
    expect(answer.body).not.toHaveProperty("expires_in");
  });

  it("verifyBearer tells valid, expired, revoked, unknown and missing tokens apart", async () => {
    let clock = Date.parse("2025-01-01T00:00:00Z");
    const clocked = useFake({ now: () => clock, accessTokenTtlSeconds: 60 });
    const bearer = (token?: string) =>
      clocked.verifyBearer(
        new Request(
          "https://api.example.test/me",
          token ? { headers: { authorization: `Bearer ${token}` } } : {},
        ),
      );

    const first = await connect(clocked);
    expect(bearer(first.accessToken)).toMatchObject({ valid: true, clientId: "test-client" });
    clock += 60_000;
    expect(bearer(first.accessToken)).toEqual({ valid: false, reason: "expired" });

    const second = await connect(clocked);
    clocked.expireAccessTokens();
    expect(bearer(second.accessToken)).toEqual({ valid: false, reason: "expired" });

    const third = await connect(clocked);
    clocked.revokeGrant(third.refreshToken);
    expect(bearer(third.accessToken)).toEqual({ valid: false, reason: "revoked" });

    expect(bearer("fake_at_made_up")).toEqual({ valid: false, reason: "unknown" });
    expect(bearer()).toEqual({ valid: false, reason: "missing" });

    const me = await fetch(clocked.userinfoUrl, {
      headers: { authorization: `Bearer ${third.accessToken}` },
    });
    expect(me.status).toBe(401);
    expect(me.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("serves provider URLs and quirks: custom endpoints, callback and token-response extras", async () => {
    const quickbooks = useFake({
      endpoints: {
        authorization: "https://appcenter.intuit.test/connect/oauth2",
        token: "https://oauth.platform.intuit.test/oauth2/v1/tokens/bearer",
      },
      callbackExtras: { realmId: "9130" },
      tokenResponseExtras: { x_refresh_token_expires_in: 8726400 },
    });
    expect(quickbooks.revocationUrl).toBe("https://auth.fake-oauth.test/revoke");
    const { url, verifier } = authorizationRequest(quickbooks);
    const callback = quickbooks.approve(url);
    expect(callback.searchParams.get("realmId")).toBe("9130");
    const answer = await postForm(
      quickbooks.tokenUrl,
      {
        grant_type: "authorization_code",
        code: callback.searchParams.get("code") ?? "",
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      AS_TEST_CLIENT,
    );
    expect(answer.body.x_refresh_token_expires_in).toBe(8726400);
    expect(() => fake.approve(url)).toThrow(/not to this server's authorization endpoint/);
  });
});

describe("client credentials grant", () => {
  it("issues an access token without a refresh token, limited to the allowed scopes", async () => {
    const machine = useFake({
      clients: [
        {
          clientId: "m2m",
          clientSecret: "m2m-secret",
          redirectUris: [],
          allowedScopes: ["reports.read", "reports.write"],
        },
      ],
    });
    const auth = { authorization: basicAuth("m2m", "m2m-secret") };
    const answer = await postForm(
      machine.tokenUrl,
      { grant_type: "client_credentials", scope: "reports.read" },
      auth,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty("refresh_token");
    expect(answer.body.scope).toBe("reports.read");
    expect(machine.verifyAccessToken(String(answer.body.access_token))).toMatchObject({
      valid: true,
      subject: "m2m",
    });

    const tooMuch = await postForm(
      machine.tokenUrl,
      { grant_type: "client_credentials", scope: "admin" },
      auth,
    );
    expect(tooMuch.body.error).toBe("invalid_scope");
  });

  it("refuses client credentials for a public client", async () => {
    const publicFake = useFake({ clients: [{ clientId: "spa", redirectUris: [REDIRECT_URI] }] });
    const answer = await postForm(publicFake.tokenUrl, {
      grant_type: "client_credentials",
      client_id: "spa",
    });
    expect(answer.body.error).toBe("unauthorized_client");
  });
});

describe("JWT bearer grant (service accounts)", () => {
  const CLIENT_EMAIL = "robot@project.iam.gserviceaccount.test";
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const otherKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });

  function assertion(claims: Record<string, unknown>, key: KeyObject = keys.privateKey): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(key, "base64url")}`;
  }

  function serviceAccountFake(): FakeOAuthServer {
    return useFake({
      serviceAccounts: [
        {
          clientEmail: CLIENT_EMAIL,
          publicKeyPem: keys.publicKey.export({ type: "spki", format: "pem" }).toString(),
        },
      ],
    });
  }

  function claims(target: FakeOAuthServer, overrides: Record<string, unknown> = {}) {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: CLIENT_EMAIL,
      aud: target.tokenUrl,
      scope: "sheets",
      iat,
      exp: iat + 3600,
      ...overrides,
    };
  }

  it("exchanges a correctly signed assertion for an access token without a refresh token", async () => {
    const google = serviceAccountFake();
    const answer = await postForm(google.tokenUrl, {
      grant_type: JWT_BEARER,
      assertion: assertion(claims(google, { sub: "ada@example.com" })),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty("refresh_token");
    expect(google.verifyAccessToken(String(answer.body.access_token))).toMatchObject({
      valid: true,
      scopes: ["sheets"],
      subject: "ada@example.com",
      clientId: CLIENT_EMAIL,
    });
    expect(google.stats.byGrant[JWT_BEARER]).toBe(1);
  });

  it("rejects a bad signature, a wrong audience and an expired assertion with invalid_grant", async () => {
    const google = serviceAccountFake();
    const tryAssertion = (jwt: string) =>
      postForm(google.tokenUrl, { grant_type: JWT_BEARER, assertion: jwt });

    const forged = await tryAssertion(assertion(claims(google), otherKeys.privateKey));
    expect(forged.body).toEqual({
      error: "invalid_grant",
      error_description: "invalid JWT signature",
    });
    const wrongAudience = await tryAssertion(
      assertion(claims(google, { aud: "https://elsewhere.test/token" })),
    );
    expect(wrongAudience.body.error).toBe("invalid_grant");
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await tryAssertion(assertion(claims(google, { iat: past, exp: past + 3600 })));
    expect(expired.body).toMatchObject({
      error: "invalid_grant",
      error_description: "assertion expired",
    });
  });
});

describe("seeding", () => {
  it("issueTokens mints a working grant without touching the token endpoint", async () => {
    const seeded = fake.issueTokens({ subject: "ada@example.com", scopes: ["read"] });
    const me = await fetch(fake.userinfoUrl, {
      headers: { authorization: `Bearer ${seeded.accessToken}` },
    });
    expect(await me.json()).toEqual({ sub: "ada@example.com", email: "ada@example.com" });
    expect((await refresh(fake, seeded.refreshToken ?? "")).status).toBe(200);
    expect(fake.stats.byGrant).toEqual({ refresh_token: 1 });
  });
});

describe("consent denial", () => {
  it("redirects with error=access_denied, a description and the state", () => {
    const { url } = authorizationRequest();
    const callback = fake.deny(url);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("error_description")).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("state-123");
    expect(callback.searchParams.has("code")).toBe(false);
  });
});

describe("options", () => {
  it("throws a TypeError naming the bad option", () => {
    expect(() => createFakeOAuthServer({ accessTokenTtlSeconds: -1 })).toThrow(
      new TypeError('"accessTokenTtlSeconds" must be a non-negative integer or null'),
    );
    expect(() => createFakeOAuthServer({ issuer: "not a url" })).toThrow(/"issuer"/);
    expect(() =>
      createFakeOAuthServer({
        clients: [{ clientId: "c", authMethod: "client_secret_basic", redirectUris: [] }],
      }),
    ).toThrow('"clients[0].clientSecret" is required when authMethod is "client_secret_basic"');
    expect(() =>
      createFakeOAuthServer({
        clients: [{ clientId: "c", redirectUris: ["https://app.example.com/cb#frag"] }],
      }),
    ).toThrow(/"clients\[0\]\.redirectUris\[0\]"/);
    expect(() => createFakeOAuthServer({ callbackExtras: { state: "x" } })).toThrow(
      /"callbackExtras"/,
    );
    expect(() =>
      createFakeOAuthServer({ serviceAccounts: [{ clientEmail: "a", publicKeyPem: "nope" }] }),
    ).toThrow(/"serviceAccounts\[0\]\.publicKeyPem"/);
    expect(() => fake.failNext({ status: 503 }, 0)).toThrow('"count" must be a positive integer');
    // A typo must not silently fall back to the default behaviour.
    expect(() =>
      createFakeOAuthServer({ rotateRefreshToken: true } as FakeOAuthServerOptions),
    ).toThrow('Unknown option "rotateRefreshToken"');
  });
});
