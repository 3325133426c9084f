import { ErrorCode, RateLimitError } from "@patchbay/core";
import { describe, expect, it } from "vitest";
import {
  type Ga4Property,
  googleAnalytics,
  nextPacificMidnight,
  PropertyQuotaBook,
} from "../src/index.js";
import { GA_SANDBOX_CLIENT, GA_SANDBOX_PROPERTY } from "../src/testing/index.js";
import { action, connectData, dataWorld, START, sync, TENANT } from "./world.js";

const PID = GA_SANDBOX_PROPERTY.propertyId;

async function records(w: ReturnType<typeof dataWorld>, connectionId: string) {
  const { changes } = await w.patchbay.records.changes({
    tenantId: TENANT,
    connectionId,
    limit: 1000,
  });
  return new Map(
    changes
      .filter((c) => c.deletedAt === null)
      .map((c) => [c.externalId, c.data as Record<string, unknown>]),
  );
}

describe("google-analytics (data api): connecting and picking a property", () => {
  it("asks only for analytics.readonly, and lists every readable property across account pages", async () => {
    const w = dataWorld({ fake: { accountSummariesPageSize: 1 } });
    w.fake.seedSandbox();
    w.fake.addProperty({
      propertyId: "987654321",
      displayName: "Other shop – GA4",
      account: "accounts/99",
      accountDisplayName: "Other shop",
    });
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "google-analytics",
      redirectUri: "https://app.example.com/integrations/google-analytics/callback",
    });
    expect(new URL(url).searchParams.get("scope")).toBe(
      "https://www.googleapis.com/auth/analytics.readonly",
    );
    const c = await w.patchbay.connect.finish(w.fake.oauth.approve(url), { tenantId: TENANT });
    const { properties } = await action<{ properties: Ga4Property[] }>(w, c.id, "listProperties");
    expect(properties.map((p) => [p.propertyId, p.accountDisplayName])).toEqual([
      [PID, "Bright Plumbing Co."],
      ["345678902", "Bright Plumbing Co."],
      ["987654321", "Other shop"],
    ]);
  });

  it("tests a configured connection with a one-row report of that property", async () => {
    const w = dataWorld();
    w.fake.seedSandbox();
    const c = await connectData(w);
    expect(await w.patchbay.connections.test(TENANT, c.id)).toEqual({ ok: true });
    expect(w.fake.reportRequests.at(-1)?.body).toMatchObject({
      limit: 1,
      returnPropertyQuota: true,
    });
  });

  it("rejects data-api options without the OAuth client, naming the option", () => {
    expect(() => googleAnalytics({ mode: "data-api", clientId: "x" } as never)).toThrow(
      '"clientSecret" must be your Google OAuth client secret',
    );
    expect(() => googleAnalytics({ mode: "data-api", ...GA_SANDBOX_CLIENT, pageSize: 0 })).toThrow(
      '"pageSize" must be an integer from 1 to 250000',
    );
  });
});

describe("google-analytics (data api): the report model", () => {
  it("syncs 30 days of sessions by source, keyed by date + source, with the quota requested", async () => {
    const w = dataWorld();
    w.fake.seedSandbox();
    const c = await connectData(w);
    const run = await sync(w, c.id);
    // 6 sources (google organic + cpc add up) × 30 days.
    expect(run).toMatchObject({ status: "succeeded", inserted: 180 });
    const stored = await records(w, c.id);
    const expected = w.fake.report(PID, {
      dimensions: ["date", "sessionSource"],
      metrics: ["sessions"],
      days: 30,
    });
    const google = expected.rows.find(
      (r) => r.dimensionValues[0]?.value === "20260327" && r.dimensionValues[1]?.value === "google",
    );
    expect(stored.get("20260327|google")).toEqual({
      id: "20260327|google",
      date: "2026-03-27",
      sessionSource: "google",
      sessions: Number(google?.metricValues[0]?.value),
    });
    expect(w.fake.reportRequests.at(-1)?.body).toMatchObject({
      dateRanges: [{ startDate: "29daysAgo", endDate: "today" }],
      dimensions: [{ name: "date" }, { name: "sessionSource" }],
      metrics: [{ name: "sessions" }],
      returnPropertyQuota: true,
    });
  });

  it("uses the configured dimensions and metrics, and pages with limit/offset", async () => {
    const w = dataWorld({ connector: { pageSize: 50 } });
    w.fake.seedSandbox();
    const c = await connectData(w, {
      propertyId: PID,
      dimensions: ["sessionSource", "sessionMedium"],
      metrics: ["sessions", "totalUsers"],
      lookbackDays: 7,
    });
    const run = await sync(w, c.id);
    expect(run).toMatchObject({ status: "succeeded", inserted: 7 * 7 });
    expect(w.fake.reportRequests.map((r) => r.body.offset)).toEqual([0]);
    const stored = await records(w, c.id);
    expect(stored.get("20260327|google|cpc")).toMatchObject({
      sessionSource: "google",
      sessionMedium: "cpc",
      sessions: expect.any(Number),
      totalUsers: expect.any(Number),
    });
    const big = dataWorld({ connector: { pageSize: 50 } });
    big.fake.seedSandbox();
    const c2 = await connectData(big, {
      propertyId: PID,
      dimensions: ["sessionSource", "sessionMedium"],
    });
    await sync(big, c2.id);
    expect(
      big.fake.reportRequests.filter((r) => r.body.limit === 50).map((r) => r.body.offset),
    ).toEqual([0, 50, 100, 150, 200]);
  });

  it("an incremental sync re-reads only the last refreshDays and upserts what GA reprocessed", async () => {
    const w = dataWorld();
    w.fake.seedSandbox();
    const c = await connectData(w);
    await sync(w, c.id);
    w.fake.setMetric(PID, "2026-03-26", { sessionSource: "yelp.com" }, "sessions", 77);
    const run = await sync(w, c.id, "incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 1, deleted: 0 });
    expect(w.fake.reportRequests.at(-1)?.body).toMatchObject({
      dateRanges: [{ startDate: "2daysAgo", endDate: "today" }],
    });
    expect((await records(w, c.id)).get("20260326|yelp.com")?.sessions).toBe(77);
  });

  it("stops before the property runs out of tokens, makes no call until the refill, then completes", async () => {
    // 35 tokens an hour, 10 per report: three pages leave 5, under the 10 the connector keeps in reserve.
    const w = dataWorld({
      fake: { tokensPerHour: 35, tokensPerRequest: 10 },
      connector: { pageSize: 50, minRemainingTokens: 10 },
    });
    w.fake.seedSandbox();
    const c = await connectData(w);
    const run = await sync(w, c.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/nearly out of Data API tokens \(5 left this hour/);
    expect(w.fake.reportRequests).toHaveLength(3);
    expect(w.fake.usage(PID).hourUsed).toBe(30);
    // Still the same hour: no call at all.
    const again = await sync(w, c.id);
    expect(again.status).toBe("failed");
    expect(w.fake.reportRequests).toHaveLength(3);
    // The hour turns (15:20 → 16:00) and tokens refill; a one-page report (7 days) now goes through.
    w.clock.now = Date.parse("2026-03-27T16:00:01Z");
    await w.patchbay.connections.configure(TENANT, c.id, { propertyId: PID, lookbackDays: 7 });
    const later = await sync(w, c.id);
    expect(later).toMatchObject({ status: "succeeded", error: null });
    expect(w.fake.reportRequests).toHaveLength(4);
  });

  it("a quota stop is a typed RateLimitError with retryAfterMs until the refill", () => {
    const book = new PropertyQuotaBook(100, () => START);
    book.note(PID, {
      tokensPerHour: { consumed: 10, remaining: 50 },
      tokensPerDay: { consumed: 10, remaining: 5000 },
    });
    const error = (() => {
      try {
        book.check(PID);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      retryAfterMs: 40 * 60_000,
      providerCode: "PROPERTY_TOKENS_LOW",
    });
    book.note(PID, { tokensPerHour: { remaining: 5000 }, tokensPerDay: { remaining: 50 } });
    expect(() => book.check(PID)).toThrow(RateLimitError);
    expect(nextPacificMidnight(START)).toBe(Date.parse("2026-03-28T07:00:00Z"));
  });

  it("Google's 'Exhausted property tokens per hour' 429 is not retried and says when to come back", async () => {
    const w = dataWorld({ fake: { tokensPerHour: 5, tokensPerRequest: 10 } });
    w.fake.seedSandbox();
    const c = await connectData(w);
    const run = await sync(w, c.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/Exhausted property tokens per hour/);
    expect(w.fake.reportRequests).toHaveLength(1);
  });

  it("explains a missing property and an unknown dimension", async () => {
    const w = dataWorld();
    w.fake.seedSandbox();
    const c = await connectData(w, { dimensions: ["sessionSource"] });
    expect((await sync(w, c.id)).error).toMatch(/pick a property first/);
    await w.patchbay.connections.configure(TENANT, c.id, {
      propertyId: PID,
      dimensions: ["plumbingJob"],
    });
    expect((await sync(w, c.id)).error).toMatch(/Field plumbingJob is not a valid dimension/);
  });
});
