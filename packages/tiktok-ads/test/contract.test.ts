import {
  type ContractFake,
  type ContractModel,
  type FakeOAuthServer,
  testConnectorContract,
} from "@patchbay/testing";
import {
  TIKTOK_ACCESS_TOKEN_URL,
  TIKTOK_AUTHORIZE_URL,
  tiktokAds,
  toCampaignDayRecord,
} from "../src/index.js";
import {
  createTikTokAdsFake,
  TIKTOK_SANDBOX,
  TIKTOK_SANDBOX_APP,
  type TikTokAdsFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { tiktok: TikTokAdsFake };
const NOW = Date.parse("2026-10-31T08:00:00Z");

/**
 * The contract drives OAuth connectors through a `FakeOAuthServer`. TikTok's
 * authorization is OAuth-shaped but not OAuth 2.0 on the wire, so its fake
 * has TikTok's consent instead: this adapter maps what the applicable cases
 * use (approve, verifyAccessToken, revokeGrant by advertiser) onto the fake.
 * The rest (token expiry, refresh grants, userinfo) do not exist at TikTok
 * and throw; the cases that need them are skipped below with the reason.
 */
function tiktokAsOAuthServer(tiktok: TikTokAdsFake): FakeOAuthServer {
  const absent = (what: string) => (): never => {
    throw new Error(`tiktok-ads fake: TikTok's authorization has no ${what}`);
  };
  return {
    issuer: "https://business-api.tiktok.com",
    authorizationUrl: TIKTOK_AUTHORIZE_URL,
    tokenUrl: TIKTOK_ACCESS_TOKEN_URL,
    revocationUrl: "",
    userinfoUrl: "",
    // The fake's own handlers serve the portal and the exchange.
    handlers: [],
    approve: (url) => tiktok.consent.approve(String(url)),
    deny: (url, error, description) => tiktok.consent.deny(String(url), error, description),
    verifyAccessToken(token) {
      const check = tiktok.verifyAccessToken(token);
      if (!check.valid) return check;
      // The subject revokeGrant takes: the advertiser (an advertiser revokes the app in TikTok).
      return {
        valid: true,
        subject: check.advertiserIds[0] ?? "",
        scopes: [],
        clientId: TIKTOK_SANDBOX_APP.appId,
        expiresAt: null,
      };
    },
    revokeGrant: (advertiserOrToken) => tiktok.revokeAuthorization(advertiserOrToken),
    verifyBearer: absent("bearer tokens (it sends Access-Token)"),
    issueTokens: absent("way to mint tokens without the authorization"),
    get stats(): never {
      return absent("token endpoint statistics")();
    },
    expireAccessTokens: absent("token expiry (advertiser tokens do not expire)"),
    failNext: absent("standard token endpoint to fail"),
    reset: absent("reset"),
  };
}

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
  redirectUri: TIKTOK_SANDBOX.redirectUri,
  fake: () => {
    const tiktok = createTikTokAdsFake({ now: () => NOW });
    return {
      tiktok,
      handlers: tiktok.handlers,
      oauth: tiktokAsOAuthServer(tiktok),
      rateLimitNext: (n) => tiktok.rateLimitNext(n),
    };
  },
  models: { campaignDays },
  skip: {
    "write-back creates at the provider, and the next sync does not echo it":
      "the connector reads reports; it writes nothing to TikTok",
    "a 401 from the API triggers one token refresh and the sync succeeds":
      "TikTok advertiser tokens do not expire and TikTok issues no refresh token: there is nothing to refresh",
    "invalid_grant marks the connection needs_reauth and the sync stops":
      "there is no refresh grant to fail with invalid_grant; TikTok answers a revoked token with HTTP 200 and body code 40105, which the connector turns into AUTH_NEEDS_REAUTH: the connection turns needs_reauth (test/reports.test.ts)",
  },
});
