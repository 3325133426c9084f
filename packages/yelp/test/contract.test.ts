import type { Connection, Patchbay } from "@patchbay/core";
import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { yelp } from "../src/index.js";
import { createYelpFake, type YelpFake } from "../src/testing/index.js";

type Fake = ContractFake & { yelp: YelpFake };

// Yelp has no "list my businesses" call: the connection tracks configured ids,
// so the contract configures 40 ids and seeding lists businesses under them.
const IDS = Array.from({ length: 40 }, (_, i) => `contract-business-${i + 1}`);
let created = 0;

const businesses: ContractModel<Fake> = {
  seed: ({ yelp: f }, n) => {
    for (let i = 0; i < n; i++)
      f.addBusiness({ id: IDS[f.businesses().length]!, name: `Plumber ${i + 1}`, rating: 4 });
  },
  snapshot: ({ yelp: f }) => new Map(f.businesses().map((b) => [b.id, b])),
  update: ({ yelp: f }, id) => void f.addReview(id, { rating: 5, text: "Fixed it fast" }),
  create: ({ yelp: f }) =>
    f.addBusiness({ id: IDS[f.businesses().length]!, name: `New plumber ${++created}` }),
  remove: ({ yelp: f }, id) => f.removeBusiness(id),
};

/** A business with room for one more excerpt (Yelp shows at most 3), listing one when needed. */
function roomy(f: YelpFake): string {
  const open = f.businesses().find((b) => f.reviews(b.id).length < 3);
  return open?.id ?? f.addBusiness({ id: IDS[f.businesses().length]!, name: "Plumber" });
}

const reviews: ContractModel<Fake> = {
  seed: ({ yelp: f }, n) => {
    for (let i = 0; i < n; i++) f.addReview(roomy(f), { rating: 1 + (i % 5), text: `Review ${i}` });
  },
  snapshot: ({ yelp: f }) =>
    new Map(
      f
        .businesses()
        .flatMap((b) => f.reviews(b.id).map((r) => [r.id, { ...r, business_id: b.id }] as const)),
    ),
  update: ({ yelp: f }, id) => f.editReview(id, { text: "Edited: they came back and fixed it" }),
  create: ({ yelp: f }) => f.addReview(roomy(f), { rating: 5, text: "A new review" }),
  remove: ({ yelp: f }, id) => f.removeReview(id),
};

const contract = {
  connector: () => yelp({ requestsPerSecond: 1000 }),
  fake: (): Fake => {
    const f = createYelpFake();
    return {
      yelp: f,
      handlers: f.handlers,
      credentials: f.credentials,
      rateLimitNext: (n) => f.rateLimitNext(n),
    };
  },
  configure: async (patchbay: Patchbay, c: Connection) =>
    void (await patchbay.connections.configure(c.tenantId, c.id, {
      businesses: IDS.map((id) => ({ id })),
    })),
  skip: {
    "a forged webhook is rejected and applies nothing":
      "Yelp sends no webhooks: the models are polled on a schedule",
  },
} as const;

testConnectorContract<Fake>("yelp businesses", { ...contract, models: { businesses } });
testConnectorContract<Fake>("yelp reviews", { ...contract, models: { reviews } });
