/**
 * The sandbox business on TikTok: a plumbing and heating company's video
 * campaigns with 30 days of stats.
 */
import type { TikTokAdsFake } from "./fake.js";

const DAY_MS = 86_400_000;

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const PLAN = [
  { name: "Drain Disasters - How We Fix Them", scale: 1.5 },
  { name: "Meet Your Plumber - Local Trust", scale: 1 },
  { name: "Furnace Season Promo", scale: 0.8 },
] as const;

/**
 * Fill the sandbox advertiser. Days run from 30 days ago to yesterday.
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
 * @see https://business-api.tiktok.com/portal/docs
 */
export function sandboxBusiness(fake: TikTokAdsFake, now: number): void {
  const random = seeded(20261003);
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  for (const plan of PLAN) {
    const campaign = fake.addCampaign(plan.name);
    for (let back = 30; back >= 1; back--) {
      const impressions = Math.round(4200 * plan.scale * (0.6 + random() * 0.8));
      const clicks = Math.round(impressions * (0.006 + random() * 0.01));
      fake.recordDay({
        date: new Date(today - back * DAY_MS).toISOString().slice(0, 10),
        campaign_id: campaign.campaign_id,
        impressions,
        clicks,
        spend: Math.round(impressions * 0.0065 * 100) / 100,
        conversion: Math.round(clicks * (0.04 + random() * 0.06)),
      });
    }
  }
}
