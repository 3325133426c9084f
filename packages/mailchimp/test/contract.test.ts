import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { mailchimp } from "../src/index.js";
import {
  createMailchimpFake,
  MAILCHIMP_SANDBOX_APP,
  type MailchimpFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { mc: MailchimpFake; listId: string };

function fake(): Fake {
  const mc = createMailchimpFake();
  const listId = mc.seedAudience({ name: "Radio contacts" }).id;
  return {
    mc,
    listId,
    handlers: mc.handlers,
    oauth: mc.oauth,
    credentials: { apiKey: mc.apiKey },
    rateLimitNext: (n) => mc.rateLimitNext(n),
    webhook: (connection, options) => mc.webhook(connection, options),
  };
}

let created = 0;
const members: ContractModel<Fake> = {
  seed: ({ mc, listId }, n) => {
    for (let i = 1; i <= n; i++)
      mc.addMember(listId, { email: `dj${i}@station.example`, firstName: `DJ ${i}` });
  },
  snapshot: ({ mc, listId }) => new Map(mc.members(listId).map((m) => [m.id, m])),
  update: ({ mc, listId }, id) =>
    void mc.updateProfile(listId, id, { FNAME: `Edited ${id.slice(0, 6)}` }),
  create: ({ mc, listId }) => mc.subscribe(listId, `new${++created}@station.example`).id,
  remove: ({ mc, listId }, id) => mc.archive(listId, id),
  // The API also returns `stats` and `_links`, which the model does not keep.
  compare: (record) => {
    const { stats: _stats, _links, ...rest } = record as Record<string, unknown>;
    return rest;
  },
  hostRecord: (n) => ({ email: `host${n}@station.example`, status: "subscribed" }),
};

const skip = {
  "a 401 from the API triggers one token refresh and the sync succeeds":
    "Mailchimp tokens never expire and Mailchimp issues no refresh token: a 401 means the grant is gone (the invalid_grant case covers it)",
} as const;

testConnectorContract<Fake>("mailchimp (OAuth)", {
  connector: () => mailchimp({ ...MAILCHIMP_SANDBOX_APP }),
  fake,
  configure: async (patchbay, c, f) =>
    void (await patchbay.connections.configure(c.tenantId, c.id, { listId: f.listId })),
  models: { members },
  skip,
});

testConnectorContract<Fake>("mailchimp (API key)", {
  connector: () => mailchimp({ auth: "api_key" }),
  fake,
  configure: async (patchbay, c, f) =>
    void (await patchbay.connections.configure(c.tenantId, c.id, { listId: f.listId })),
  models: { members },
});
