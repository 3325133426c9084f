import { type ConnectorDefinition, defineModel } from "@patchbay/core";
import { type ContractFake, testConnectorContract } from "@patchbay/testing";
import { z } from "zod";
import { type MetaPixelConfigSchema, metaPixel } from "../src/index.js";
import { createMetaPixelFake, type MetaPixelFake } from "../src/testing/index.js";

type Fake = ContractFake & { meta: MetaPixelFake };

// The Conversions API is write-only: meta-pixel has no models, but the suite
// needs one to exist, so it runs against the real connector plus an inert
// test-only model that no case below syncs (every sync case is skipped).
const NO_MODELS =
  "meta-pixel has no models: the Conversions API is write-only (events go out through the sendEvents action, see send-events.test.ts)";
const connector = (): ConnectorDefinition<typeof MetaPixelConfigSchema> => ({
  ...metaPixel(),
  models: {
    contractProbe: defineModel({
      schema: z.object({ id: z.string() }),
      key: "id",
      async *sync() {},
    }),
  },
});
const never = () => {
  throw new Error("not used: every sync case is skipped");
};

testConnectorContract<Fake>("meta-pixel", {
  connector,
  fake: () => {
    const meta = createMetaPixelFake();
    return {
      meta,
      handlers: meta.handlers,
      credentials: meta.credentials,
      rateLimitNext: (n) => meta.rateLimitNext(n),
    };
  },
  models: {
    contractProbe: { seed: never, snapshot: never, update: never, create: never, remove: never },
  },
  skip: {
    "a full sync imports every record exactly as the provider has it": NO_MODELS,
    "re-syncing unchanged data writes nothing": NO_MODELS,
    "a record deleted at the provider is marked deleted after a full sync": NO_MODELS,
    "the provider's rate-limit response is retried with backoff and the sync succeeds": `${NO_MODELS}; send-events.test.ts retries Meta's code-4 throttle on sendEvents`,
  },
});
