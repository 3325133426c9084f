import {
  createPatchbay,
  defineConnector,
  ErrorCode,
  MemoryStore,
  RateLimitError,
  Vault,
} from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { googleOAuth, parseGoogleError } from "../src/index.js";
import {
  createGoogleOAuthFake,
  GOOGLE_SANDBOX_CLIENT,
  googleError,
  googleRateLimited,
  googleUnauthorized,
} from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const REDIRECT = "https://app.example.com/integrations/google/callback";

describe("googleOAuth", () => {
  it("asks Google for offline access with consent and PKCE, and connects against Google's endpoints", async () => {
    const oauth = createGoogleOAuthFake({ redirectUris: [REDIRECT] });
    server.use(
      ...oauth.handlers,
      http.get("https://www.googleapis.com/test/me", ({ request }) =>
        oauth.verifyBearer(request).valid ? HttpResponse.json({ ok: true }) : googleUnauthorized(),
      ),
    );
    const connector = defineConnector({
      id: "google-test",
      name: "Google Test",
      category: "other",
      auth: googleOAuth(GOOGLE_SANDBOX_CLIENT, ["https://www.googleapis.com/auth/spreadsheets"]),
      http: { baseUrl: "https://www.googleapis.com/test", parseError: parseGoogleError },
      test: async ({ http: client }) => void (await client.get("/me")),
    });
    const pb = createPatchbay({
      connectors: [connector],
      store: new MemoryStore(),
      vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 3).toString("base64") }] }),
    });
    const { url } = await pb.connect.start({
      tenantId: "t",
      connector: "google-test",
      redirectUri: REDIRECT,
    });
    const authorize = new URL(url);
    expect(authorize.origin + authorize.pathname).toBe(
      "https://accounts.google.com/o/oauth2/v2/auth",
    );
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      access_type: "offline",
      prompt: "consent",
      include_granted_scopes: "true",
      code_challenge_method: "S256",
    });
    const connection = await pb.connect.finish(oauth.approve(url), { tenantId: "t" });
    expect(connection.status).toBe("active");
  });
});

describe("parseGoogleError", () => {
  async function classify(response: Response) {
    server.use(http.get("https://www.googleapis.com/x", () => response));
    const connector = defineConnector({
      id: "g",
      name: "G",
      category: "other",
      auth: {
        kind: "credentials",
        style: "custom",
        fields: (await import("zod")).z.object({}),
        apply: () => {},
      },
      http: {
        baseUrl: "https://www.googleapis.com",
        parseError: parseGoogleError,
        retry: { retries: 0 },
      },
    });
    const pb = createPatchbay({
      connectors: [connector],
      store: new MemoryStore(),
      vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 3).toString("base64") }] }),
    });
    const c = await pb.connect.withCredentials({ tenantId: "t", connector: "g", credentials: {} });
    return (await pb.connections.http("t", c.id)).get("/x").catch((e: unknown) => e);
  }

  it("treats 429 and 403 rate-limit reasons as rate limits, in both error shapes", async () => {
    expect(await classify(googleRateLimited("rpc"))).toBeInstanceOf(RateLimitError);
    expect(await classify(googleRateLimited("legacy"))).toBeInstanceOf(RateLimitError);
    const forbidden = await classify(
      googleError(403, "userRateLimitExceeded", "User Rate Limit Exceeded", "legacy"),
    );
    expect(forbidden).toBeInstanceOf(RateLimitError);
    expect((forbidden as RateLimitError).providerCode).toBe("userRateLimitExceeded");
  });

  it("keeps Google's message and reason on other errors", async () => {
    const error = await classify(
      googleError(400, "badRequest", "Invalid range: Sheet9!A1", "legacy"),
    );
    expect(error).toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      status: 400,
      providerCode: "badRequest",
    });
    expect((error as Error).message).toContain("Invalid range: Sheet9!A1");
    const daily = await classify(
      googleError(403, "dailyLimitExceeded", "Daily Limit Exceeded", "legacy"),
    );
    expect(daily).toMatchObject({ code: ErrorCode.RATE_LIMITED, retryable: false });
  });
});
