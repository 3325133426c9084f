/**
 * `@patchbay/gmail/testing`: a stateful fake of the Gmail API (MSW
 * handlers), Google's OAuth server and signing keys, and Pub/Sub push
 * deliveries, for tests and sandbox mode.
 */
export {
  createGmailFake,
  type FakeSentMessage,
  type FakeWatch,
  GMAIL_QUOTA_UNITS,
  GMAIL_SANDBOX_ADDRESS,
  GMAIL_SANDBOX_PUBSUB,
  GMAIL_SANDBOX_REDIRECT_URI,
  type GmailFake,
  type GmailFakeOptions,
  type IncomingMail,
  type PushNotificationOptions,
} from "./fake.js";
export { type FakeHistoryRecord, type FakeMessage, SYSTEM_LABELS } from "./mailbox.js";
export {
  FAKE_GOOGLE_KEY_ID,
  fakeGoogleJwks,
  type PushTokenClaims,
  signPushToken,
} from "./pubsub.js";
