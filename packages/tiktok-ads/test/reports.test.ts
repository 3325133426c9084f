import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CampaignDayRecord } from "../src/index.js";
import { TIKTOK_SANDBOX } from "../src/testing/index.js";
import { connectWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const reportCalls = (fake: { requests: ReadonlyArray<{ url: string }> }) =>
  fake.requests
    .map((r) => new URL(r.url))
    .filter((u) => u.pathname.endsWith("/report/integrated/get/"));

describe("tiktok-ads daily campaign report", () => {
  it("syncs 30 days per campaign, keyed by date and campaign, with TikTok's report parameters", async () => {
    const w = await connectWorld(server);
    expect((await w.sync("campaignDays")).status).toBe("succeeded");
    const records = [...(await w.stored<CampaignDayRecord>("campaignDays")).values()];
    expect(records).toHaveLength(3 * 30);
    const one = records.find(
      (r) => r.stat_time_day === "2026-10-20" && r.campaign_name === "Furnace Season Promo",
    )!;
    expect(one).toMatchObject({
      id: `2026-10-20:${one.campaign_id}`,
      advertiser_id: TIKTOK_SANDBOX.advertiserId,
    });
    expect(one.spend).toBeGreaterThan(0);
    const [call] = reportCalls(w.fake);
    expect(Object.fromEntries(call!.searchParams)).toMatchObject({
      advertiser_id: TIKTOK_SANDBOX.advertiserId,
      report_type: "BASIC",
      data_level: "AUCTION_CAMPAIGN",
      dimensions: '["campaign_id","stat_time_day"]',
      start_date: "2026-10-01",
      end_date: "2026-10-30",
      page: "1",
      page_size: "1000",
    });
  });

  it("splits windows longer than 30 days and follows page/total_page", async () => {
    const w = await connectWorld(server, { config: { reportDays: 60 } });
    for (let i = 0; i < 40; i++) {
      const c = w.fake.addCampaign(`Clip ${i}`);
      for (let d = 1; d <= 30; d++)
        w.fake.recordDay({
          date: `2026-10-${String(d).padStart(2, "0")}`,
          campaign_id: c.campaign_id,
          spend: 1,
          impressions: 10,
          clicks: 1,
          conversion: 0,
        });
    }
    await w.sync("campaignDays");
    const calls = reportCalls(w.fake).map(
      (u) =>
        `${u.searchParams.get("start_date")}..${u.searchParams.get("end_date")} p${u.searchParams.get("page")}`,
    );
    expect(calls).toEqual([
      "2026-09-01..2026-09-30 p1",
      "2026-10-01..2026-10-30 p1",
      "2026-10-01..2026-10-30 p2",
    ]);
    expect((await w.stored("campaignDays")).size).toBe(43 * 30);
  });

  it("lists the authorized advertisers", async () => {
    const w = await connectWorld(server);
    expect(w.connection.metadata.advertiserIds).toEqual([TIKTOK_SANDBOX.advertiserId]);
    await w.sync("advertisers");
    expect([...(await w.stored("advertisers")).values()]).toEqual([
      {
        advertiser_id: TIKTOK_SANDBOX.advertiserId,
        advertiser_name: "Brightside Plumbing & Heating",
      },
    ]);
  });
});

describe("tiktok-ads body-level errors (HTTP 200, code ≠ 0)", () => {
  it("retries code 40100 with doubling waits, then succeeds", async () => {
    const w = await connectWorld(server, { connector: { rateLimitWaitMs: 500 } });
    w.fake.rateLimitNext(2);
    expect((await w.sync("campaignDays")).status).toBe("succeeded");
    expect(w.slept).toEqual([500, 1000]);
  });

  it("gives up as a rate limit after the retries", async () => {
    const w = await connectWorld(server, { connector: { rateLimitRetries: 1 } });
    w.fake.rateLimitNext(5);
    const run = await w.sync("campaignDays");
    expect(run.status).toBe("failed");
    expect(run.error).toContain("TikTok code 40100");
  });

  it("a revoked authorization (40105) fails the run and marks the connection needs_reauth", async () => {
    const w = await connectWorld(server);
    const before = w.fake.requests.length;
    // The advertiser removes the app in TikTok: every token for it stops working.
    w.fake.revokeAuthorization(TIKTOK_SANDBOX.advertiserId);
    const run = await w.sync("campaignDays");
    expect(run.status).toBe("failed");
    expect(run.error).toContain(
      "TikTok code 40105: Access token is incorrect or has been revoked.",
    );
    expect(w.fake.requests.length).toBe(before);
    // The rejection comes with HTTP 200; the connector says what it means.
    expect(await w.patchbay.connections.get(TENANT, w.connection.id)).toMatchObject({
      status: "needs_reauth",
      statusReason: expect.stringContaining("TikTok code 40105"),
    });
  });

  it("an advertiser the token may not read (40001) fails with TikTok's message", async () => {
    const w = await connectWorld(server, { config: { advertiserIds: ["7000000000000000000"] } });
    const run = await w.sync("campaignDays");
    expect(run.error).toContain(
      "TikTok code 40001: No permission to operate advertiser 7000000000000000000.",
    );
  });
});
