export {
  createYelpFake,
  type FakeBusinessSeed,
  type FakeReview,
  type FakeReviewSeed,
  YELP_SANDBOX_API_KEY,
  YELP_SANDBOX_BUSINESS,
  type YelpFake,
  type YelpFakeOptions,
  type YelpFakeRequest,
} from "./fake.js";
