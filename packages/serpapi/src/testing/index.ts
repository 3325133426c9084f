export {
  createSerpApiFake,
  type FakePlace,
  type FakePlaceSeed,
  SERPAPI_SANDBOX,
  SERPAPI_SANDBOX_API_KEY,
  type SerpApiFake,
  type SerpApiFakeOptions,
  type SerpApiFakeRequest,
} from "./fake.js";
