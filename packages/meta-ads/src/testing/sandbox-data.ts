/**
 * The sandbox business on Meta: a plumbing and heating company running lead
 * campaigns on Facebook and Instagram, with 30 days of delivery.
 */
import type { MetaAdsFake } from "./fake.js";

const DAY_MS = 86_400_000;

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const PLAN = [
  {
    name: "Fall Furnace Tune-Up $89",
    objective: "OUTCOME_LEADS",
    daily_budget: "4000",
    adsets: ["Homeowners 25-65, 15 mi", "Lookalike - past customers"],
    scale: 1.2,
  },
  {
    name: "Water Heater Replacement",
    objective: "OUTCOME_LEADS",
    daily_budget: "3000",
    adsets: ["Homeowners, older homes"],
    scale: 0.9,
  },
  {
    name: "5-Star Reviews - Brand Awareness",
    objective: "OUTCOME_AWARENESS",
    daily_budget: "1500",
    adsets: ["Service area, all adults"],
    scale: 1.6,
  },
] as const;

/**
 * Fill the sandbox ad account. Days run from 30 days ago to yesterday.
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
 * @see https://developers.facebook.com/docs/marketing-api
 */
export function sandboxBusiness(fake: MetaAdsFake, now: number): void {
  const random = seeded(20261002);
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  for (const plan of PLAN) {
    const campaign = fake.addCampaign({
      name: plan.name,
      objective: plan.objective,
      daily_budget: plan.daily_budget,
    });
    for (const name of plan.adsets) {
      const adset = fake.addAdSet(campaign.id, name);
      for (let back = 30; back >= 1; back--) {
        const date = new Date(today - back * DAY_MS).toISOString().slice(0, 10);
        const impressions = Math.round(1800 * plan.scale * (0.6 + random() * 0.8));
        const clicks = Math.round(impressions * (0.01 + random() * 0.015));
        fake.recordDay({
          date,
          adset_id: adset.id,
          impressions,
          reach: Math.round(impressions * 0.78),
          clicks,
          spend: Math.round(impressions * 0.011 * 100) / 100,
          leads:
            plan.objective === "OUTCOME_LEADS" ? Math.round(clicks * (0.05 + random() * 0.08)) : 0,
        });
      }
    }
  }
  fake.addCampaign({
    name: "Spring AC Check (ended)",
    status: "PAUSED",
    objective: "OUTCOME_LEADS",
  });
}
