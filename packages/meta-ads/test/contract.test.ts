import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { metaAds } from "../src/index.js";
import {
  createMetaAdsFake,
  META_SANDBOX,
  META_SANDBOX_APP,
  META_SANDBOX_REDIRECT_URI,
  type MetaAdsFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { meta: MetaAdsFake };

const campaigns: ContractModel<Fake> = {
  seed: ({ meta }, n) => {
    for (let i = 0; i < n; i++) meta.addCampaign({ name: `Furnace tune-up ${i}` });
  },
  snapshot: ({ meta }) =>
    new Map(meta.campaigns().map((c) => [c.id, { ...c, effective_status: c.status }])),
  update: ({ meta }, id) =>
    void meta.updateCampaign(id, { name: "Renamed in Ads Manager", status: "PAUSED" }),
  create: ({ meta }) => meta.addCampaign({ name: "New campaign" }).id,
  remove: ({ meta }, id) => meta.deleteCampaign(id),
};

testConnectorContract<Fake>("meta-ads", {
  connector: () =>
    metaAds({ ...META_SANDBOX_APP, webhookVerifyToken: META_SANDBOX.webhookVerifyToken }),
  redirectUri: META_SANDBOX_REDIRECT_URI,
  fake: () => {
    const meta = createMetaAdsFake();
    return {
      meta,
      handlers: meta.handlers,
      oauth: meta.oauth,
      rateLimitNext: (n) => meta.rateLimitNext(n),
      webhook: (_connection, { forged }) => meta.adAccountEvent({ forged }),
    };
  },
  models: { campaigns },
  skip: {
    "write-back creates at the provider, and the next sync does not echo it":
      "the connector reports on campaigns and does not create them",
    "a 401 from the API triggers one token refresh and the sync succeeds":
      "Facebook Login issues no refresh tokens: an expired token needs the user to log in again (test/auth.test.ts)",
    "invalid_grant marks the connection needs_reauth and the sync stops":
      "there is no refresh grant to fail with invalid_grant; Graph answers a revoked token with HTTP 400 code 190, which core's status-based expiredStatuses cannot tell from other 400s. needs_reauth comes from the token's expiry instead (test/auth.test.ts)",
  },
});
