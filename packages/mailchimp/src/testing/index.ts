export {
  createMailchimpFake,
  MAILCHIMP_SANDBOX_APP,
  MAILCHIMP_SANDBOX_REDIRECT_URIS,
  type MailchimpFake,
  type MailchimpFakeOptions,
  type MailchimpFakeStats,
  type MemberSeed,
  sandboxApiKey,
} from "./fake.js";
export {
  mailchimpApiKeyInvalid,
  mailchimpInvalid,
  mailchimpNotFound,
  mailchimpProblem,
  mailchimpTooManyRequests,
} from "./problems.js";
export {
  type FakeAudience,
  type FakeCampaign,
  type FakeChangeSource,
  type FakeMember,
  type FakeMemberStatus,
  type FakeRecipient,
  type FakeWebhookEvent,
  MailchimpFakeState,
  type WireMember,
} from "./state.js";
