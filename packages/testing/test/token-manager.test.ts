import {
  AuthError,
  type Connection,
  connectionAuthenticator,
  ErrorCode,
  type StoredCredentials,
  Vault,
} from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { API, acmeWorld, KEY_1, KEY_2, recordingLogger } from "./support.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world(options?: Parameters<typeof acmeWorld>[0]) {
  const w = acmeWorld(options);
  server.use(...w.handlers);
  return w;
}

const HOUR = 3600_000;

async function storedCredentials(
  w: ReturnType<typeof acmeWorld>,
  c: Connection,
): Promise<StoredCredentials> {
  const row = await w.store.getConnection(c.tenantId, c.id);
  return new Vault({ keys: [KEY_1] }).open(row!.credentials!, {
    tenantId: c.tenantId,
    connectionId: c.id,
  }) as unknown as StoredCredentials;
}

describe("token manager", () => {
  it("refreshes an expired token with exactly one token request for 100 concurrent callers in two processes", async () => {
    const w = world({ oauth: { latencyMs: 30 } });
    // Two Patchbay instances on one store stand for two processes.
    const processA = w.patchbay({ tokens: { holderId: "process-a" } });
    const processB = w.patchbay({ tokens: { holderId: "process-b" } });
    const connection = await w.connect(processA);
    const before = await storedCredentials(w, connection);
    w.clock.advance(2 * HOUR);
    const refreshesBefore = w.fake.stats.byGrant.refresh_token ?? 0;
    const ref = { tenantId: connection.tenantId, id: connection.id };
    const tokens = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? processA : processB).tokens.getAccessToken(ref),
      ),
    );
    expect((w.fake.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    expect(w.fake.verifyAccessToken(tokens[0]!).valid).toBe(true);
  });

  it("persists a rotated refresh token before using it, so it is never lost (the old one is dead)", async () => {
    const w = world({ oauth: { rotateRefreshTokens: true } });
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    const ref = { tenantId: connection.tenantId, id: connection.id };
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const before = await storedCredentials(w, connection);
      seen.add(before.refreshToken!);
      w.clock.advance(2 * HOUR);
      await pb.tokens.getAccessToken(ref);
      const after = await storedCredentials(w, connection);
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(seen.has(after.refreshToken!)).toBe(false);
      // The provider rejects the previous refresh token, as QuickBooks does.
      const reuse = await fetch(w.fake.tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from("acme-app:acme-app-secret").toString("base64")}`,
        },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: before.refreshToken!,
        }),
      });
      expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    }
    // A second process reading the store continues with the latest refresh token.
    w.clock.advance(2 * HOUR);
    const other = w.patchbay({ tokens: { holderId: "other" } });
    expect(w.fake.verifyAccessToken(await other.tokens.getAccessToken(ref)).valid).toBe(true);
  });

  it("keeps the old refresh token when the refresh response carries none", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    const before = await storedCredentials(w, connection);
    w.clock.advance(2 * HOUR);
    await pb.tokens.getAccessToken({ tenantId: connection.tenantId, id: connection.id });
    const after = await storedCredentials(w, connection);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
  });

  it("marks the connection needs_reauth on invalid_grant, emits an event, and stops calling the provider", async () => {
    const w = world();
    const pb = w.patchbay();
    const events: string[] = [];
    pb.on(
      "connection.needs_reauth",
      ({ connection, reason }) => void events.push(`${connection.id}:${reason}`),
    );
    const connection = await w.connect(pb);
    const { refreshToken } = await storedCredentials(w, connection);
    w.fake.revokeGrant(refreshToken!);
    w.clock.advance(2 * HOUR);
    const ref = { tenantId: connection.tenantId, id: connection.id };
    const error = await pb.tokens.getAccessToken(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(ErrorCode.AUTH_NEEDS_REAUTH);
    expect((await pb.connections.get(connection.tenantId, connection.id)).status).toBe(
      "needs_reauth",
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toContain("invalid_grant");
    const requests = w.fake.stats.tokenRequests;
    await expect(pb.tokens.getAccessToken(ref)).rejects.toMatchObject({
      code: ErrorCode.AUTH_NEEDS_REAUTH,
    });
    expect(w.fake.stats.tokenRequests).toBe(requests);
  });

  it("answers a 401 with one refresh and one retry, shared by concurrent requests", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    const client = await pb.connections.http(connection.tenantId, connection.id);
    await client.get("/me");
    // The provider expires the token early (it still looks valid to us).
    w.fake.expireAccessTokens();
    const refreshesBefore = w.fake.stats.byGrant.refresh_token ?? 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.get<{ name: string }>("/me")),
    );
    expect(results.every((r) => r.data.name === "Acme User")).toBe(true);
    expect((w.fake.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
  });

  it("gives up after one forced refresh when the provider keeps answering 401", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    server.use(
      http.get(`${API}/me`, () => HttpResponse.json({ error: "invalid_token" }, { status: 401 })),
    );
    const client = await pb.connections.http(connection.tenantId, connection.id);
    const refreshesBefore = w.fake.stats.byGrant.refresh_token ?? 0;
    await expect(client.get("/me")).rejects.toMatchObject({
      code: ErrorCode.AUTH_UNAUTHORIZED,
      status: 401,
    });
    expect((w.fake.stats.byGrant.refresh_token ?? 0) - refreshesBefore).toBe(1);
  });

  it("retries a refresh that fails transiently (503), then succeeds", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    w.clock.advance(2 * HOUR);
    w.fake.failNext({ status: 503, body: { error: "temporarily_unavailable" } }, 2);
    const token = await pb.tokens.getAccessToken({
      tenantId: connection.tenantId,
      id: connection.id,
    });
    expect(w.fake.verifyAccessToken(token).valid).toBe(true);
    expect((await pb.connections.get(connection.tenantId, connection.id)).status).toBe("active");
  });

  it("never writes a token, refresh token or client secret to a log line or an error", async () => {
    const w = world({ oauth: { rotateRefreshTokens: true } });
    const logger = recordingLogger();
    const pb = w.patchbay({ logger });
    const connection = await w.connect(pb);
    const secrets = new Set<string>(["acme-app-secret"]);
    const first = await storedCredentials(w, connection);
    secrets.add(first.accessToken!).add(first.refreshToken!);
    w.clock.advance(2 * HOUR);
    w.fake.failNext({ status: 503, body: { error: "temporarily_unavailable" } }, 1);
    await pb.tokens.getAccessToken({ tenantId: connection.tenantId, id: connection.id });
    const second = await storedCredentials(w, connection);
    secrets.add(second.accessToken!).add(second.refreshToken!);
    // Provider errors that echo the token back must not leak it either.
    server.use(
      http.get(`${API}/me`, ({ request }) =>
        HttpResponse.json(
          { error: "server_error", detail: `bad ${request.headers.get("authorization")}` },
          { status: 500 },
        ),
      ),
    );
    const client = await pb.connections.http(connection.tenantId, connection.id);
    const error = await client.get("/me", { retry: false }).catch((e: unknown) => e);
    w.fake.revokeGrant(second.refreshToken!);
    w.clock.advance(2 * HOUR);
    const reauth = await pb.tokens
      .getAccessToken({ tenantId: connection.tenantId, id: connection.id })
      .catch((e: unknown) => e);
    const everything = [
      JSON.stringify(logger.lines),
      String(error),
      JSON.stringify(error),
      JSON.stringify((error as Error).cause ?? null),
      (error as Error).stack ?? "",
      String(reauth),
      JSON.stringify(reauth),
      JSON.stringify((reauth as Error).cause ?? null),
    ].join("\n");
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it("key rotation keeps every connection usable, then the old key can be removed", async () => {
    const w = world();
    const pb = w.patchbay();
    const connections = [
      await w.connect(pb, "tenant-a"),
      await w.connect(pb, "tenant-b"),
      await w.connect(pb, "tenant-a"),
    ];
    const rotated = w.patchbay({ vault: new Vault({ keys: [KEY_2, KEY_1] }) });
    expect(await rotated.rotateKeys()).toMatchObject({ scanned: 3, resealed: 3, failed: [] });
    const onlyNewKey = w.patchbay({ vault: new Vault({ keys: [KEY_2] }) });
    for (const c of connections) {
      const client = await onlyNewKey.connections.http(c.tenantId, c.id);
      expect((await client.get<{ name: string }>("/me")).data.name).toBe("Acme User");
    }
  });
});

describe("authenticator", () => {
  // Regression (found by the Airtable connector): the authenticator reported the
  // token it last handed out as the rejected one, so a request whose stale
  // token was rejected after another request had already refreshed forced a
  // second, needless refresh.
  it("a request rejected with a stale token takes the already refreshed one instead of refreshing again", async () => {
    const w = world();
    const pb = w.patchbay();
    const connection = await w.connect(pb);
    const authenticator = connectionAuthenticator(
      pb.connectors.get("acme"),
      { tenantId: connection.tenantId, id: connection.id },
      pb.tokens,
    );
    const first = { headers: new Headers(), url: new URL(`${API}/me`) };
    const second = { headers: new Headers(), url: new URL(`${API}/me`) };
    await authenticator.authenticate(first, { forceRefresh: false });
    await authenticator.authenticate(second, { forceRefresh: false });
    expect(second.headers.get("authorization")).toBe(first.headers.get("authorization"));
    w.fake.expireAccessTokens();
    const refreshes = w.fake.stats.byGrant.refresh_token ?? 0;
    const retryFirst = { headers: new Headers(), url: first.url };
    await authenticator.authenticate(retryFirst, { forceRefresh: true, rejected: first });
    const retrySecond = { headers: new Headers(), url: second.url };
    await authenticator.authenticate(retrySecond, { forceRefresh: true, rejected: second });
    expect((w.fake.stats.byGrant.refresh_token ?? 0) - refreshes).toBe(1);
    expect(retrySecond.headers.get("authorization")).toBe(retryFirst.headers.get("authorization"));
  });
});
