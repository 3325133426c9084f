import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { tiktokAds, toCampaignDayRecord } from "../src/index.js";
import {
  createTikTokAdsFake,
  TIKTOK_SANDBOX,
  TIKTOK_SANDBOX_APP,
  type TikTokAdsFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { tiktok: TikTokAdsFake };
const NOW = Date.parse("2026-10-31T08:00:00Z");

/** Each seeded record is one campaign's stats for one day of the window. */
const campaignDays: ContractModel<Fake> = {
  seed: ({ tiktok }, n) => {
    for (let i = 0; i < n; i++) {
      const c = tiktok.addCampaign(`Video ${i}`);
      tiktok.recordDay({
        date: `2026-10-${String((i % 28) + 1).padStart(2, "0")}`,
        campaign_id: c.campaign_id,
        spend: 10 + i,
        impressions: 1000 + i,
        clicks: 20,
        conversion: 1,
      });
    }
  },
  snapshot: ({ tiktok }) => {
    const names = new Map(tiktok.campaigns().map((c) => [c.campaign_id, c.campaign_name]));
    return new Map(
      tiktok.days().map((d) => {
        const record = toCampaignDayRecord(TIKTOK_SANDBOX.advertiserId, {
          dimensions: { campaign_id: d.campaign_id, stat_time_day: `${d.date} 00:00:00` },
          metrics: {
            campaign_name: names.get(d.campaign_id),
            spend: d.spend.toFixed(2),
            impressions: d.impressions,
            clicks: d.clicks,
            conversion: d.conversion,
          },
        });
        return [record.id, record];
      }),
    );
  },
  update: ({ tiktok }, id) => {
    const [date, campaign] = id.split(":") as [string, string];
    const day = tiktok.days().find((d) => d.date === date && d.campaign_id === campaign)!;
    tiktok.recordDay({ ...day, spend: day.spend + 5, clicks: day.clicks + 3 });
  },
  create: ({ tiktok }) => {
    const c = tiktok.addCampaign("New video");
    tiktok.recordDay({
      date: "2026-10-29",
      campaign_id: c.campaign_id,
      spend: 3,
      impressions: 300,
      clicks: 2,
      conversion: 0,
    });
    return `2026-10-29:${c.campaign_id}`;
  },
  remove: ({ tiktok }, id) => {
    const [date, campaign] = id.split(":") as [string, string];
    tiktok.deleteDay(date, campaign);
  },
};

testConnectorContract<Fake>("tiktok-ads", {
  connector: () => tiktokAds({ ...TIKTOK_SANDBOX_APP, now: () => NOW, rateLimitWaitMs: 1 }),
  fake: () => {
    const tiktok = createTikTokAdsFake({ now: () => NOW });
    return {
      tiktok,
      handlers: tiktok.handlers,
      credentials: tiktok.credentials,
      rateLimitNext: (n) => tiktok.rateLimitNext(n),
    };
  },
  models: { campaignDays },
  skip: {
    "write-back creates at the provider, and the next sync does not echo it":
      "the connector reads reports; it writes nothing to TikTok",
  },
});
