import { ErrorCode } from "@patchbay/core";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_ADS_API_BASE_URL } from "../src/endpoints.js";
import { type DailyMetricRecord, googleAds, searchPath } from "../src/index.js";
import {
  GOOGLE_ADS_SANDBOX,
  GOOGLE_ADS_SANDBOX_APP,
  googleAdsFailure,
} from "../src/testing/index.js";
import { connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const searches = (fake: { requests: ReadonlyArray<{ url: string; body: unknown }> }) =>
  fake.requests.filter((r) => r.url.endsWith("googleAds:search"));

describe("google-ads reports", () => {
  it("syncs 30 days of metrics per day and campaign, following nextPageToken without pageSize", async () => {
    const w = await connectWorld(server, { fake: { pageSize: 25 } });
    const run = await w.sync("dailyMetrics");
    expect(run.status).toBe("succeeded");
    const records = [...(await w.stored<DailyMetricRecord>("dailyMetrics")).values()];
    // 3 campaigns with traffic × 30 days (the paused campaign has none).
    expect(records).toHaveLength(90);
    expect(new Set(records.map((r) => r.date)).size).toBe(30);
    expect(records.map((r) => r.date).sort()[0]).toBe("2026-10-01");
    expect(
      records
        .map((r) => r.date)
        .sort()
        .at(-1),
    ).toBe("2026-10-30");
    const one = records.find((r) => r.date === "2026-10-15")!;
    expect(one.id).toBe(`2026-10-15:campaign:${one.campaignId}`);
    expect(one.costMicros).toBeGreaterThan(0);
    const calls = searches(w.fake).filter((r) =>
      String((r.body as { query: string }).query).includes("segments.date"),
    );
    expect(calls.length).toBe(4); // 90 rows at 25 a page
    for (const call of calls) expect(call.body).not.toHaveProperty("pageSize");
    expect((calls[1]!.body as { pageToken?: string }).pageToken).toBeTruthy();
  });

  it("keys ad group metrics by date and ad group when metricsLevel is ad_group", async () => {
    const w = await connectWorld(server, { config: { metricsLevel: "ad_group", metricsDays: 7 } });
    await w.sync("dailyMetrics");
    const records = [...(await w.stored<DailyMetricRecord>("dailyMetrics")).values()];
    expect(records).toHaveLength(5 * 7);
    expect(
      records.every((r) => r.id === `${r.date}:ad_group:${r.adGroupId}` && r.adGroupName),
    ).toBe(true);
  });

  it("syncs ad groups with their campaign", async () => {
    const w = await connectWorld(server);
    await w.sync("adGroups");
    const groups = [...(await w.stored<{ name: string; campaignId: string }>("adGroups")).values()];
    expect(groups.map((g) => g.name)).toContain("Tankless water heaters");
    expect(groups.every((g) => /^\d+$/.test(g.campaignId))).toBe(true);
  });

  it("reaches a manager's client only with login-customer-id, and says how to fix it otherwise", async () => {
    const without = await connectWorld(server, {
      config: { customerId: GOOGLE_ADS_SANDBOX.clientCustomerId },
    });
    const failed = await without.sync("campaigns");
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("set loginCustomerId");
    server.resetHandlers();
    const withLogin = await connectWorld(server, {
      config: { customerId: "415-555-0188", loginCustomerId: "999-888-7776" },
    });
    expect((await withLogin.sync("campaigns")).status).toBe("succeeded");
    expect(searches(withLogin.fake).at(-1)?.url).toContain(
      `customers/${GOOGLE_ADS_SANDBOX.clientCustomerId}/`,
    );
    expect(withLogin.fake.requests.at(-1)?.loginCustomerId).toBe(GOOGLE_ADS_SANDBOX.managerId);
  });

  it("asks for customerId when the user reaches several accounts", async () => {
    const w = await connectWorld(server, { config: null });
    expect(w.connection.metadata.accessibleCustomerIds).toEqual([
      GOOGLE_ADS_SANDBOX.customerId,
      GOOGLE_ADS_SANDBOX.managerId,
    ]);
    const run = await w.sync("campaigns");
    expect(run.error).toContain('set "customerId"');
    expect(await w.action("listAccessibleCustomers", {})).toEqual({
      customerIds: [GOOGLE_ADS_SANDBOX.customerId, GOOGLE_ADS_SANDBOX.managerId],
    });
  });

  it("sends the developer-token header only when one is configured", async () => {
    const plain = await connectWorld(server);
    await plain.sync("campaigns");
    expect(plain.fake.requests.every((r) => r.developerToken === null)).toBe(true);
    server.resetHandlers();
    const legacy = await connectWorld(server, {
      connector: { developerToken: "abcDEF1234567890ghIJkl" },
    });
    await legacy.sync("campaigns");
    expect(legacy.fake.requests.every((r) => r.developerToken === "abcDEF1234567890ghIJkl")).toBe(
      true,
    );
  });
});

describe("google-ads errors", () => {
  it("waits Google's retryDelay after a quota error and succeeds", async () => {
    const w = await connectWorld(server);
    w.fake.rateLimitNext(2);
    const run = await w.sync("campaigns");
    expect(run.status).toBe("succeeded");
    expect(run.inserted).toBe(4);
  });

  it("gives up on the daily operations quota with retryAfterMs from retryDelay", async () => {
    const w = await connectWorld(server);
    w.fake.rateLimitNext(1, { daily: true });
    const error = await w.action("listAccessibleCustomers", {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      providerCode: "quotaError.RESOURCE_EXHAUSTED",
      retryAfterMs: 86_400_000,
    });
  });

  it("maps a GoogleAdsFailure to a typed error naming Google's error code", async () => {
    const w = await connectWorld(server);
    server.use(
      http.post(`${GOOGLE_ADS_API_BASE_URL}/${searchPath(GOOGLE_ADS_SANDBOX.customerId)}`, () =>
        googleAdsFailure(
          403,
          { authorizationError: "CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION" },
          "The Google Cloud project is not approved for production access.",
        ),
      ),
    );
    const run = await w.sync("campaigns");
    expect(run.status).toBe("failed");
    expect(run.error).toContain("apply for the Explorer level");
  });

  it("a pageSize in the request is refused with Google's PAGE_SIZE_NOT_SUPPORTED", async () => {
    const w = await connectWorld(server);
    const response = await fetch(
      `${GOOGLE_ADS_API_BASE_URL}/${searchPath(GOOGLE_ADS_SANDBOX.customerId)}`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${w.fake.oauth.issueTokens({ scopes: ["https://www.googleapis.com/auth/adwords"] }).accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ query: "SELECT campaign.colour FROM campaign", pageSize: 100 }),
      },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: Array<{ errors: unknown[] }> } };
    expect(body.error.details[0]!.errors[0]).toMatchObject({
      errorCode: { requestError: "PAGE_SIZE_NOT_SUPPORTED" },
    });
  });
});

describe("googleAds() options", () => {
  it("rejects bad arguments with a TypeError naming them", () => {
    expect(() => googleAds({ clientId: "", clientSecret: "x" })).toThrow(
      '"clientId" must be a non-empty string',
    );
    expect(() =>
      googleAds({ ...GOOGLE_ADS_SANDBOX_APP, developerToken: "no spaces allowed" }),
    ).toThrow('"developerToken" must be the developer token string');
  });

  it("pins the API version and asks for the adwords scope with offline access", async () => {
    const connector = googleAds({ ...GOOGLE_ADS_SANDBOX_APP });
    expect(connector.http?.baseUrl).toBe("https://googleads.googleapis.com/v26");
    expect(connector.auth).toMatchObject({
      scopes: ["https://www.googleapis.com/auth/adwords"],
      authorizeParams: { access_type: "offline", prompt: "consent" },
    });
  });
});
