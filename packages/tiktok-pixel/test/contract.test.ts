import { type ConnectorDefinition, defineModel } from "@patchbay/core";
import { type ContractFake, testConnectorContract } from "@patchbay/testing";
import { z } from "zod";
import { type TiktokPixelConfigSchema, tiktokPixel } from "../src/index.js";
import { createTiktokPixelFake, type TiktokPixelFake } from "../src/testing/index.js";

type Fake = ContractFake & { tiktok: TiktokPixelFake };

// The Events API is write-only: tiktok-pixel has no models, but the suite
// needs one to exist, so it runs against the real connector plus an inert
// test-only model that no case below syncs (every sync case is skipped).
const NO_MODELS =
  "tiktok-pixel has no models: the Events API is write-only (events go out through the sendEvents action, see send-events.test.ts)";
const connector = (): ConnectorDefinition<typeof TiktokPixelConfigSchema> => ({
  ...tiktokPixel(),
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

testConnectorContract<Fake>("tiktok-pixel", {
  connector,
  fake: () => {
    const tiktok = createTiktokPixelFake();
    return {
      tiktok,
      handlers: tiktok.handlers,
      credentials: tiktok.credentials,
      rateLimitNext: (n) => tiktok.rateLimitNext(n),
    };
  },
  models: {
    contractProbe: { seed: never, snapshot: never, update: never, create: never, remove: never },
  },
  skip: {
    "a full sync imports every record exactly as the provider has it": NO_MODELS,
    "re-syncing unchanged data writes nothing": NO_MODELS,
    "a record deleted at the provider is marked deleted after a full sync": NO_MODELS,
    "the provider's rate-limit response is retried with backoff and the sync succeeds": `${NO_MODELS}; send-events.test.ts maps TikTok's 40100 to a RateLimitError`,
  },
});
