export {
  createTiktokPixelFake,
  type FakeTiktokPixel,
  type FakeTrackedEvent,
  TIKTOK_PIXEL_SANDBOX,
  type TiktokPixelFake,
  type TiktokPixelFakeOptions,
  tiktokEnvelope,
  tiktokRateLimited,
} from "./fake.js";
