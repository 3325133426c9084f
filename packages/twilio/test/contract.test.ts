import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { twilio } from "../src/index.js";
import { createTwilioFake, type TwilioFake } from "../src/testing/index.js";

type Fake = ContractFake & { twilio: TwilioFake };

const messages: ContractModel<Fake> = {
  seed: ({ twilio: fake }, n) => void fake.seedMessages(n),
  snapshot: ({ twilio: fake }) => new Map(fake.messages().map((m) => [m.sid!, m])),
  // A user redacts a text's body in the Twilio Console.
  update: ({ twilio: fake }, sid) => fake.redactMessage(sid),
  create: ({ twilio: fake }) => fake.receiveSms({ from: "+15125550142", body: "Is Tuesday ok?" }),
  remove: ({ twilio: fake }, sid) => fake.deleteMessage(sid),
};

// Write-back, 401 → refresh and invalid_grant are skipped by the suite itself:
// `messages` is read-only (texts are sent with the sendSms action) and Twilio
// credentials are static (no tokens to refresh or revoke). Test-connection is
// covered in auth.test.ts, since the suite's version revokes an OAuth grant.
testConnectorContract<Fake>("twilio", {
  connector: () => twilio(),
  fake: () => {
    const fake = createTwilioFake();
    return {
      twilio: fake,
      handlers: fake.handlers,
      credentials: fake.credentials,
      rateLimitNext: (n) => fake.rateLimitNext(n),
      webhook: (connection, options) => fake.webhook(connection, options),
    };
  },
  models: { messages },
});
