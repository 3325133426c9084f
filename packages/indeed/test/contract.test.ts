import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { EmployerJobSchema, indeed, postingRecordOf } from "../src/index.js";
import { createIndeedFake, INDEED_SANDBOX_APP, type IndeedFake } from "../src/testing/index.js";
import { hostPosting } from "./world.js";

type Fake = ContractFake & { indeed: IndeedFake };

const jobPostings: ContractModel<Fake> = {
  seed: ({ indeed: f }, n) => {
    for (let i = 0; i < n; i++)
      f.createPosting({ title: `Technician ${i}`, jobPostingId: `t-${i}` });
  },
  snapshot: ({ indeed: f }) =>
    new Map(f.employerJobs().map((j) => [j.id, postingRecordOf(EmployerJobSchema.parse(j))])),
  update: ({ indeed: f }, id) => f.setPostingStatus(id, "PENDING"),
  create: ({ indeed: f }) => f.createPosting({ title: "Drain Technician" }),
  remove: ({ indeed: f }, id) => f.closePosting(id),
  hostRecord: (n) => hostPosting(n),
};

const fake = (): Fake => {
  const f = createIndeedFake({ retryAfterSeconds: 0 });
  return {
    indeed: f,
    handlers: f.handlers,
    credentials: f.credentials,
    rateLimitNext: (n) => f.rateLimitNext(n),
    webhook: (c, o) => f.webhook(c, o),
  };
};

testConnectorContract<Fake>("indeed (jobPostings)", {
  connector: () => indeed({ ...INDEED_SANDBOX_APP }),
  fake,
  models: { jobPostings },
  skip: {
    "test connection passes, and fails once the grant is revoked":
      "client credentials leave no user grant to revoke; an employer removing the app's access failing the test is covered in auth.test.ts",
    "a 401 from the API triggers one token refresh and the sync succeeds":
      "client credentials have no refresh token; a 401 gets one new employer token instead, covered in auth.test.ts",
    "invalid_grant marks the connection needs_reauth and the sync stops":
      "the grant is re-requested, not refreshed; an employer revoking access → needs_reauth is covered in auth.test.ts",
  },
});

// Applicants only arrive as Indeed Apply deliveries (no list API), so every
// case that syncs does not apply; indeed-apply.test.ts covers the model.
const PUSH_ONLY =
  "Indeed has no API to list Indeed Apply applicants; they arrive only as webhook deliveries (indeed-apply.test.ts)";
testConnectorContract<Fake>("indeed (applicants)", {
  connector: () => indeed({ ...INDEED_SANDBOX_APP }),
  fake,
  models: { applicants: { ...jobPostings, hostRecord: undefined } },
  skip: {
    "test connection passes, and fails once the grant is revoked": "covered by the jobPostings run",
    "a full sync imports every record exactly as the provider has it": PUSH_ONLY,
    "re-syncing unchanged data writes nothing": PUSH_ONLY,
    "a record deleted at the provider is marked deleted after a full sync": PUSH_ONLY,
    "the provider's rate-limit response is retried with backoff and the sync succeeds": PUSH_ONLY,
    "a forged webhook is rejected and applies nothing":
      "the case syncs the model first; forged deliveries are rejected in indeed-apply.test.ts",
  },
});
