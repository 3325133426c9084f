import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { quickbooks } from "../src/index.js";
import {
  createQuickBooksFake,
  QUICKBOOKS_SANDBOX_APP,
  QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
  type QuickBooksFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { qbo: QuickBooksFake };

const byId = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.Id), r]));

// Customers are never deleted in QuickBooks: "remove" makes one inactive, which the connector reports as deleted.
const customers: ContractModel<Fake> = {
  seed: ({ qbo }, n) => void qbo.seedCustomers(n),
  snapshot: ({ qbo }) => byId(qbo.records("Customer")),
  update: ({ qbo }, id) => void qbo.editCustomer(id, { Notes: `edited in QuickBooks ${id}` }),
  create: ({ qbo }) => qbo.createCustomer({ DisplayName: "Added in QuickBooks" }),
  remove: ({ qbo }, id) => qbo.deactivateCustomer(id),
  hostRecord: (n) => ({
    DisplayName: `Host customer ${n}`,
    PrimaryEmailAddr: { Address: `host${n}@example.com` },
  }),
};

// The 429 case would wait a minute in real time: the connector is built with a 5 ms wait here.
testConnectorContract<Fake>("quickbooks", {
  connector: () =>
    quickbooks({
      ...QUICKBOOKS_SANDBOX_APP,
      environment: "sandbox",
      webhookVerifierToken: QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
      rateLimitWaitMs: 5,
    }),
  fake: () => {
    const qbo = createQuickBooksFake();
    return {
      qbo,
      handlers: qbo.handlers,
      oauth: qbo.oauth,
      rateLimitNext: (n) => qbo.rateLimitNext(n),
      webhook: (c, o) => qbo.webhook(c, o),
    };
  },
  models: { customers },
});
