import { type ContractFake, testConnectorContract } from "@patchbay/testing";
import { metaPixel } from "../src/index.js";
import { createMetaPixelFake, type MetaPixelFake } from "../src/testing/index.js";

type Fake = ContractFake & { meta: MetaPixelFake };

// The Conversions API is write-only: meta-pixel has no models, so the suite
// skips its sync cases (events go out through the sendEvents action, see
// send-events.test.ts).
testConnectorContract<Fake>("meta-pixel", {
  connector: () => metaPixel(),
  fake: () => {
    const meta = createMetaPixelFake();
    return {
      meta,
      handlers: meta.handlers,
      credentials: meta.credentials,
      rateLimitNext: (n) => meta.rateLimitNext(n),
    };
  },
  models: {},
  skip: {
    "the provider's rate-limit response is retried with backoff and the sync succeeds":
      "meta-pixel has no models; send-events.test.ts retries Meta's code-4 throttle on sendEvents",
  },
});
