/**
 * `@patchbay/google-business-profile/testing`: a stateful fake of the
 * Business Profile APIs (MSW handlers), Google's OAuth server and signing
 * keys, and Pub/Sub push deliveries, for tests and sandbox mode.
 */
export {
  type CustomerReview,
  createGoogleBusinessProfileFake,
  type FakeReview,
  GBP_SANDBOX,
  GBP_SANDBOX_APP,
  GBP_SANDBOX_PUBSUB,
  GBP_SANDBOX_REDIRECT_URI,
  type GoogleBusinessProfileFake,
  type GoogleBusinessProfileFakeOptions,
  type PushNotificationOptions,
} from "./fake.js";
export {
  FAKE_GOOGLE_KEY_ID,
  fakeGoogleJwks,
  type PushTokenClaims,
  signPushToken,
} from "./push-token.js";
