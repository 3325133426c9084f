import { type ContractFake, testConnectorContract } from "@patchbay/testing";
import { tiktokPixel } from "../src/index.js";
import { createTiktokPixelFake, type TiktokPixelFake } from "../src/testing/index.js";

type Fake = ContractFake & { tiktok: TiktokPixelFake };

// The Events API is write-only: tiktok-pixel has no models, so the suite
// skips its sync cases (events go out through the sendEvents action, see
// send-events.test.ts).
testConnectorContract<Fake>("tiktok-pixel", {
  connector: () => tiktokPixel(),
  fake: () => {
    const tiktok = createTiktokPixelFake();
    return {
      tiktok,
      handlers: tiktok.handlers,
      credentials: tiktok.credentials,
      rateLimitNext: (n) => tiktok.rateLimitNext(n),
    };
  },
  models: {},
  skip: {
    "the provider's rate-limit response is retried with backoff and the sync succeeds":
      "tiktok-pixel has no models; send-events.test.ts maps TikTok's 40100 to a RateLimitError",
  },
});
