/**
 * The sandbox business: a plumbing and heating company running search and
 * local services campaigns, with 30 days of metrics and a few ad clicks to
 * upload conversions for.
 */
import type { GoogleAdsFake } from "./fake.js";

const DAY_MS = 86_400_000;

/** Deterministic pseudo-random numbers, so the demo data is the same every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const PLAN = [
  {
    campaign: {
      name: "Emergency Plumbing - Search",
      advertising_channel_type: "SEARCH",
      budget_micros: 60_000_000,
    },
    groups: [
      { name: "Burst pipes & leaks", cpc_bid_micros: 9_500_000 },
      { name: "Drain cleaning", cpc_bid_micros: 6_000_000 },
    ],
    scale: 1.4,
  },
  {
    campaign: {
      name: "Water Heater Install",
      advertising_channel_type: "SEARCH",
      budget_micros: 35_000_000,
    },
    groups: [
      { name: "Tankless water heaters", cpc_bid_micros: 7_200_000 },
      { name: "Water heater repair", cpc_bid_micros: 5_400_000 },
    ],
    scale: 0.9,
  },
  {
    campaign: {
      name: "Furnace Tune-Up - Fall Promo",
      advertising_channel_type: "PERFORMANCE_MAX",
      budget_micros: 25_000_000,
    },
    groups: [{ name: "Furnace maintenance", cpc_bid_micros: 3_800_000 }],
    scale: 0.7,
  },
] as const;

/**
 * Fill the fake's sandbox account. Days run from 30 days ago to yesterday.
 *
 * @example
 * ```ts
 * sandboxBusiness(fake, Date.now());
 * ```
 *
 * @example
 * ```ts
 * sandboxBusiness(fake, Date.now());
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export function sandboxBusiness(fake: GoogleAdsFake, now: number): void {
  const random = seeded(20261001);
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  for (const plan of PLAN) {
    const campaign = fake.addCampaign({ ...plan.campaign, status: "ENABLED" });
    for (const g of plan.groups) {
      const group = fake.addAdGroup({
        campaign_id: campaign.id,
        name: g.name,
        cpc_bid_micros: g.cpc_bid_micros,
      });
      for (let back = 30; back >= 1; back--) {
        const date = new Date(today - back * DAY_MS).toISOString().slice(0, 10);
        const weekend = [0, 6].includes(new Date(today - back * DAY_MS).getUTCDay());
        const impressions = Math.round((weekend ? 140 : 260) * plan.scale * (0.7 + random() * 0.6));
        const clicks = Math.round(impressions * (0.04 + random() * 0.04));
        const conversions = Math.round(clicks * (0.08 + random() * 0.1));
        fake.recordDay({
          date,
          campaign_id: campaign.id,
          ad_group_id: group.id,
          impressions,
          clicks,
          cost_micros: Math.round(clicks * g.cpc_bid_micros * (0.6 + random() * 0.3)),
          conversions,
          conversions_value: conversions * 325,
        });
      }
    }
  }
  fake.addCampaign({
    name: "Spring AC Check (ended)",
    status: "PAUSED",
    budget_micros: 15_000_000,
  });
  for (let i = 0; i < 5; i++) fake.recordClick({ at: now - (i + 1) * 2 * 3_600_000 });
}
