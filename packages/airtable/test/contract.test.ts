import type { Patchbay } from "@patchbay/core";
import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { airtable, flattenRecord } from "../src/index.js";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_CLIENT,
  type AirtableFake,
  createAirtableFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { airtable: AirtableFake };

const records: ContractModel<Fake> = {
  seed: ({ airtable: fake }, n) => void fake.seedTable(n),
  snapshot: ({ airtable: fake }) => new Map(fake.records().map((r) => [r.id, flattenRecord(r)])),
  update: ({ airtable: fake }, id) => fake.editRecord(id, { Notes: `edited in Airtable ${id}` }),
  create: ({ airtable: fake }) =>
    fake.createRecord({ Name: "Added in Airtable", Status: "Pitched" }),
  remove: ({ airtable: fake }, id) => fake.deleteRecord(id),
  hostRecord: (n) => ({
    Name: `Host pitch ${n}`,
    Email: `host${n}@example.com`,
    Status: "Interested",
  }),
};

const configure = async (patchbay: Patchbay, connection: { tenantId: string; id: string }) => {
  await patchbay.connections.configure(connection.tenantId, connection.id, {
    baseId: AIRTABLE_SANDBOX.baseId,
    tableId: AIRTABLE_SANDBOX.tableId,
  });
};

// The 429 case would wait Airtable's 30 s in real time: the connector is built
// with a 5 ms wait here; rate-limit.test.ts pins the 30 s default.
testConnectorContract<Fake>("airtable (OAuth)", {
  connector: () => airtable({ ...AIRTABLE_SANDBOX_CLIENT, rateLimitWaitMs: 5 }),
  fake: () => {
    const fake = createAirtableFake();
    return {
      airtable: fake,
      handlers: fake.handlers,
      oauth: fake.oauth,
      rateLimitNext: (n) => fake.rateLimitNext(n),
      webhook: (c, o) => fake.webhook(c, o),
    };
  },
  configure,
  models: { records },
});

testConnectorContract<Fake>("airtable (personal access token)", {
  connector: () => airtable({ auth: "pat", rateLimitWaitMs: 5 }),
  fake: () => {
    const fake = createAirtableFake({ oauth: false });
    return {
      airtable: fake,
      handlers: fake.handlers,
      credentials: fake.credentials,
      rateLimitNext: (n) => fake.rateLimitNext(n),
      webhook: (c, o) => fake.webhook(c, o),
    };
  },
  configure,
  models: { records },
});
