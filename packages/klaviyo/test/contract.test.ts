import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { klaviyo } from "../src/index.js";
import { createKlaviyoFake, KLAVIYO_SANDBOX_APP, type KlaviyoFake } from "../src/testing/index.js";

type Fake = ContractFake & { kl: KlaviyoFake };

function fake(): Fake {
  const kl = createKlaviyoFake();
  return {
    kl,
    handlers: kl.handlers,
    oauth: kl.oauth,
    credentials: kl.credentials,
    rateLimitNext: (n) => kl.rateLimitNext(n),
    webhook: (connection, options) => kl.webhook(connection, options),
  };
}

let created = 0;
const profiles: ContractModel<Fake> = {
  seed: ({ kl }, n) => {
    for (let i = 1; i <= n; i++)
      kl.addProfile({ email: `shopper${i}@shoppers.example`, first_name: `Shopper ${i}` });
  },
  snapshot: ({ kl }) => kl.profiles(),
  update: ({ kl }, id) => kl.editProfile(id, { first_name: `Edited ${id.slice(-4)}` }),
  create: ({ kl }) => kl.addProfile({ email: `new${++created}@shoppers.example` }),
  remove: ({ kl }, id) => kl.deleteProfile(id),
  // Host field names, through the default mapping (firstName → first_name).
  hostRecord: (n) => ({ email: `host${n}@shoppers.example`, firstName: `Host ${n}` }),
};

testConnectorContract<Fake>("klaviyo (OAuth)", {
  connector: () => klaviyo({ ...KLAVIYO_SANDBOX_APP }),
  fake,
  models: { profiles },
});

testConnectorContract<Fake>("klaviyo (private API key)", {
  connector: () => klaviyo({ auth: "api_key" }),
  fake,
  models: { profiles },
});
