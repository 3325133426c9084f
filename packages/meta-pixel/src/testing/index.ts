export {
  createMetaPixelFake,
  type FakePixel,
  type FakeReceivedEvent,
  graphError,
  graphRateLimited,
  META_PIXEL_SANDBOX,
  type MetaPixelFake,
  type MetaPixelFakeOptions,
} from "./fake.js";
