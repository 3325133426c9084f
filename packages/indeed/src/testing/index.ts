export {
  createIndeedFake,
  type FakeApplicantSpec,
  type FakePostingSpec,
  INDEED_SANDBOX_APP,
  INDEED_SANDBOX_EMPLOYER,
  type IndeedFake,
  type IndeedFakeOptions,
} from "./fake.js";
export {
  createIndeedApiHandlers,
  type FakeIndeedContext,
  type FakeRequestLogEntry,
} from "./graphql-api.js";
export {
  FakeApplyMethodInputSchema,
  FakeBodyInputSchema,
  type FakeEmployer,
  type FakeLifecycleStatus,
  FakeMetadataInputSchema,
  type FakePosting,
  type FakePostingInput,
  FakePostingInputSchema,
  hexId,
  renderEmployerJob,
  uuidOf,
} from "./state.js";
