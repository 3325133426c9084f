import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { jobber } from "../src/index.js";
import {
  createJobberFake,
  type FakeModel,
  JOBBER_SANDBOX_APP,
  type JobberFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { jb: JobberFake };

function fake(): Fake {
  const jb = createJobberFake();
  return {
    jb,
    handlers: jb.handlers,
    oauth: jb.oauth,
    rateLimitNext: (n) => jb.rateLimitNext(n),
    webhook: (c, o) => jb.webhook(c, o),
  };
}

const EDITS: Record<FakeModel, Record<string, unknown>> = {
  clients: { lastName: "Edited in Jobber" },
  jobs: { title: "Edited in Jobber" },
  quotes: { title: "Edited in Jobber" },
  invoices: { subject: "Edited in Jobber" },
};

const driver = (model: FakeModel): ContractModel<Fake> => ({
  seed: ({ jb }, n) => void jb.seed(model, n),
  snapshot: ({ jb }) => new Map(jb.records(model).map((r) => [r.id as string, r])),
  update: ({ jb }, id) => jb.edit(model, id, EDITS[model]),
  create: ({ jb }) => jb.seed(model, 1)[0]!,
  remove: ({ jb }, id) => jb.remove(model, id),
  ...(model === "clients" && {
    hostRecord: (n: number) => ({
      firstName: `Host ${n}`,
      lastName: "Client",
      emails: [{ address: `host${n}@example.com`, description: "MAIN", primary: true }],
    }),
  }),
});

// Waits are injected: the 429 waits 5 ms instead of 30 s, cost-bucket refills return at once.
const connector = () =>
  jobber({ ...JOBBER_SANDBOX_APP, rateLimitWaitMs: 5, sleep: async () => {} });
for (const model of ["clients", "jobs", "quotes", "invoices"] as const) {
  testConnectorContract<Fake>(`jobber ${model}`, {
    connector,
    fake,
    models: { [model]: driver(model) },
  });
}
