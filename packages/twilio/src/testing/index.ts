export {
  createTwilioFake,
  TWILIO_SANDBOX,
  TWILIO_SANDBOX_API_KEY,
  TWILIO_SANDBOX_CREDENTIALS,
  TWILIO_SANDBOX_MAIN_API_KEY,
  type TwilioFake,
  type TwilioFakeOptions,
} from "./fake.js";
export {
  createTwilioApiHandlers,
  type FakeApiContext,
  type FakeRequestLogEntry,
} from "./handlers.js";
export { twilioErrorResponse, twilioRateLimited } from "./responses.js";
export {
  type FakeAccount,
  type FakeApiKey,
  type FakeMessage,
  type FakeMessageStatus,
  newSid,
  rfc2822,
  segmentsOf,
  TwilioFakeState,
  type WireAccount,
  type WireMessage,
} from "./state.js";
