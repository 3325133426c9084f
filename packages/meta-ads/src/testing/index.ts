/**
 * `@patchbay/meta-ads/testing`: a stateful fake of the Marketing API (Graph)
 * and Facebook Login as MSW handlers, for tests and sandbox mode.
 */
export {
  createMetaAdsFake,
  type FakeAdSet,
  type FakeCampaign,
  type FakeInsightDay,
  META_SANDBOX,
  META_SANDBOX_APP,
  META_SANDBOX_REDIRECT_URI,
  type MetaAdsFake,
  type MetaAdsFakeOptions,
} from "./fake.js";
