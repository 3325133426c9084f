export {
  createJobberFake,
  JOBBER_SANDBOX_ACCOUNT,
  JOBBER_SANDBOX_APP_ID,
  type JobberFake,
  type JobberFakeOptions,
} from "./fake.js";
export {
  createJobberGraphqlHandlers,
  type FakeCostBucket,
  type FakeGraphqlContext,
  type FakeGraphqlLogEntry,
  graphqlErrorBody,
} from "./graphql-api.js";
export {
  createJobberOAuthFake,
  JOBBER_SANDBOX_APP,
  JOBBER_SANDBOX_REDIRECT_URIS,
} from "./oauth.js";
export {
  encodeJobberId,
  FAKE_TYPE_NAMES,
  type FakeModel,
  type FakeRecord,
  JobberFakeState,
  jobberTime,
} from "./state.js";
