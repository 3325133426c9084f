/**
 * `@patchbay/tiktok-ads/testing`: a stateful fake of the TikTok API for
 * Business (authorization, advertisers, integrated reports) as MSW handlers,
 * for tests and sandbox mode.
 */
export {
  createTikTokAdsFake,
  type FakeCampaign,
  type FakeCampaignDay,
  type FakeTokenRequest,
  TIKTOK_SANDBOX,
  TIKTOK_SANDBOX_APP,
  type TikTokAdsFake,
  type TikTokAdsFakeOptions,
} from "./fake.js";
