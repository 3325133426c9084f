import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { googleBusinessProfile, toReviewRecord } from "../src/index.js";
import {
  createGoogleBusinessProfileFake,
  GBP_SANDBOX_APP,
  GBP_SANDBOX_PUBSUB,
  GBP_SANDBOX_REDIRECT_URI,
  type GoogleBusinessProfileFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { gbp: GoogleBusinessProfileFake };

/** Reviews across both sandbox locations, as the connector stores them. */
const reviews: ContractModel<Fake> = {
  seed: ({ gbp }, n) => {
    for (let i = 0; i < n; i++)
      gbp.leaveReview({
        location: i % 2 === 0 ? undefined : "4815162342109",
        rating: (i % 5) + 1,
        comment: `Visit ${i}`,
      });
  },
  snapshot: ({ gbp }) =>
    new Map(
      [...gbp.reviews(), ...gbp.reviews("4815162342109")].map((r) => [r.name, toReviewRecord(r)]),
    ),
  update: ({ gbp }, name) => void gbp.editReview(name, { rating: 1, comment: "Changed my mind" }),
  create: ({ gbp }) => gbp.leaveReview({ rating: 4, comment: "New one" }).name,
  remove: ({ gbp }, name) => gbp.deleteReview(name),
};

testConnectorContract<Fake>("google-business-profile", {
  connector: () => googleBusinessProfile({ ...GBP_SANDBOX_APP, pubsub: GBP_SANDBOX_PUBSUB }),
  redirectUri: GBP_SANDBOX_REDIRECT_URI,
  fake: () => {
    const gbp = createGoogleBusinessProfileFake();
    return {
      gbp,
      handlers: gbp.handlers,
      oauth: gbp.oauth,
      rateLimitNext: (n) => gbp.rateLimitNext(n),
      webhook: (_connection, { forged }) => gbp.pushNotification({ forged }),
    };
  },
  models: { reviews },
  skip: {
    "write-back creates at the provider, and the next sync does not echo it":
      "reviews are written by customers, not by the business: the owner's side is the replyToReview action (test/actions.test.ts)",
  },
});
