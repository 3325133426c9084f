import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { googleAnalytics, toReportRecord } from "../src/index.js";
import {
  createGoogleAnalyticsFake,
  GA_SANDBOX_CLIENT,
  GA_SANDBOX_PROPERTY,
  type GoogleAnalyticsFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { ga: GoogleAnalyticsFake };

const PID = GA_SANDBOX_PROPERTY.propertyId;
const DAY = 86_400_000;
const day = (ago: number) => new Date(Date.now() - ago * DAY).toISOString().slice(0, 10);
let created = 0;

const report: ContractModel<Fake> = {
  seed: ({ ga }, n) => {
    for (let i = 0; i < n; i++)
      ga.addRow(PID, {
        date: day(i % 30),
        dimensions: { sessionSource: `source-${i}` },
        metrics: { sessions: 10 + i },
      });
  },
  // Newest first, so the incremental case edits a day inside the 3-day refresh window.
  snapshot: ({ ga }) => {
    const response = ga.report(PID, {
      dimensions: ["date", "sessionSource"],
      metrics: ["sessions"],
      days: 30,
    });
    const records = response.rows.map((row) => toReportRecord(response, row));
    records.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    return new Map(records.map((r) => [r.id, r]));
  },
  update: ({ ga }, id) => {
    const [date, source] = id.split("|");
    ga.setMetric(PID, date!, { sessionSource: source! }, "sessions", 999);
  },
  create: ({ ga }) => {
    const source = `new-source-${++created}`;
    ga.addRow(PID, {
      date: day(0),
      dimensions: { sessionSource: source },
      metrics: { sessions: 1 },
    });
    return `${day(0).replaceAll("-", "")}|${source}`;
  },
  remove: ({ ga }, id) => {
    const [date, source] = id.split("|");
    ga.removeRows(PID, date!, { sessionSource: source! });
  },
};

testConnectorContract<Fake>("google-analytics (data-api)", {
  connector: () => googleAnalytics({ mode: "data-api", ...GA_SANDBOX_CLIENT }),
  fake: () => {
    const ga = createGoogleAnalyticsFake();
    ga.addProperty(GA_SANDBOX_PROPERTY);
    return {
      ga,
      handlers: ga.handlers,
      oauth: ga.oauth,
      rateLimitNext: (n) => ga.rateLimitNext(n),
    };
  },
  configure: async (patchbay, c) =>
    void (await patchbay.connections.configure(c.tenantId, c.id, {
      propertyId: PID,
      dimensions: ["sessionSource"],
      metrics: ["sessions"],
      lookbackDays: 30,
      refreshDays: 3,
    })),
  models: { report },
});

// Measurement Protocol mode sends events only: no models, so the suite skips
// its sync cases (events go out through sendEvents, see
// measurement-protocol.test.ts).
testConnectorContract<Fake>("google-analytics (measurement-protocol)", {
  connector: () => googleAnalytics({ mode: "measurement-protocol" }),
  fake: () => {
    const ga = createGoogleAnalyticsFake();
    return {
      ga,
      handlers: ga.handlers,
      credentials: ga.credentials,
      rateLimitNext: (n) => ga.rateLimitNext(n),
    };
  },
  models: {},
  skip: {
    "the provider's rate-limit response is retried with backoff and the sync succeeds":
      "measurement-protocol mode has no models; the Measurement Protocol never answers with a rate limit",
  },
});
