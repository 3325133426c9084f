import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { rankingId, serpApi } from "../src/index.js";
import { createSerpApiFake, SERPAPI_SANDBOX, type SerpApiFake } from "../src/testing/index.js";

type Fake = ContractFake & { serp: SerpApiFake };

const NOW = Date.parse("2026-03-27T15:00:00Z");
const DATE = "2026-03-27";
const LL = "@30.2672,-97.7431,13z";
// Rankings come from configured keywords, not from records at the provider:
// the contract tracks 30 keywords, and seeding adds competitors that push the business around.
const KEYWORDS = Array.from({ length: 30 }, (_, i) => `plumber ${i + 1}`);
const ME = SERPAPI_SANDBOX.placeId;

const rankings: ContractModel<Fake> = {
  seed: ({ serp }, n) => {
    for (let i = 0; i < n; i++) serp.addPlace({ title: `Competitor ${i + 1}`, rating: 4 });
  },
  snapshot: ({ serp }) =>
    new Map(
      KEYWORDS.map((q) => {
        const position = serp.rankOf(ME, q);
        const onPage = position !== null && position <= 20 ? position : null;
        const above = serp.results(q).slice(0, onPage === null ? 20 : onPage - 1);
        return [
          rankingId(DATE, LL, q),
          { keyword: q, position: onPage, above: above.slice(0, 10).map((p) => p.title) },
        ];
      }),
    ),
  compare: (r) => {
    const record = r as {
      keyword: string;
      position: number | null;
      above?: string[];
      competitorsAbove?: Array<{ title: string }>;
    };
    return {
      keyword: record.keyword,
      position: record.position,
      above: record.above ?? record.competitorsAbove?.map((c) => c.title),
    };
  },
  update: ({ serp }, id) => {
    const q = id.split("|")[2]!;
    serp.setRank(ME, q, serp.rankOf(ME, q) === 1 ? 2 : 1);
  },
  create: () => {
    throw new Error("rankings are not created at the provider");
  },
  remove: () => {
    throw new Error("rankings are not deleted at the provider");
  },
};

testConnectorContract<Fake>("serpapi", {
  connector: () => serpApi({ now: () => NOW }),
  fake: () => {
    const serp = createSerpApiFake();
    serp.addPlace({ title: SERPAPI_SANDBOX.title, place_id: ME, rating: 4.4, reviews: 128 });
    return {
      serp,
      handlers: serp.handlers,
      credentials: serp.credentials,
      rateLimitNext: (n) => serp.rateLimitNext(n),
    };
  },
  configure: async (patchbay, c) =>
    void (await patchbay.connections.configure(c.tenantId, c.id, {
      business: { placeId: ME },
      keywords: KEYWORDS,
      locations: [{ ll: LL }],
    })),
  models: { rankings },
  skip: {
    "a record deleted at the provider is marked deleted after a full sync":
      "rankings are a daily history the connector derives from searches; nothing is deleted at SerpApi",
    "a forged webhook is rejected and applies nothing":
      "SerpApi sends no webhooks: rankings are polled on a schedule",
  },
});
