/**
 * `@patchbay/google-ads/testing`: a stateful fake of the Google Ads REST API
 * and Google's OAuth server (MSW handlers), for tests and sandbox mode.
 */
export {
  createGoogleAdsFake,
  type FakeAdGroup,
  type FakeCampaign,
  type FakeDay,
  type FakeUploadedConversion,
  GOOGLE_ADS_SANDBOX,
  GOOGLE_ADS_SANDBOX_APP,
  GOOGLE_ADS_SANDBOX_REDIRECT_URI,
  type GoogleAdsFake,
  type GoogleAdsFakeOptions,
  googleAdsFailure,
} from "./fake.js";
export { buildRows, type GaqlData, GaqlError, type ParsedQuery, parseGaql } from "./gaql.js";
