import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { exportRowToRecord, serviceTitan } from "../src/index.js";
import {
  createServiceTitanFake,
  SERVICETITAN_SANDBOX_APP,
  type ServiceTitanFake,
} from "../src/testing/index.js";

type Fake = ContractFake & { st: ServiceTitanFake };

const byId = (rows: Record<string, unknown>[]) =>
  new Map(rows.map((r) => [String(r.id), exportRowToRecord(r)]));
const address = { street: "1450 Larimer St", city: "Denver", state: "CO", zip: "80202" };

const customers: ContractModel<Fake> = {
  seed: ({ st }, n) => void st.seedCustomers(n),
  snapshot: ({ st }) => byId(st.customers()),
  update: ({ st }, id) => st.editCustomer(Number(id), { doNotMail: true, name: `Renamed ${id}` }),
  create: ({ st }) => String(st.createCustomer({ name: "Walk-in Customer" }).customerId),
  remove: ({ st }, id) => st.deactivateCustomer(Number(id)),
  hostRecord: (n) => ({ name: `Host Customer ${n}`, type: "Residential", address }),
};

// Ids are deterministic in a fresh fake: the first customer, its location and
// the business unit, job type and campaign createJob() adds on first use.
const jobs: ContractModel<Fake> = {
  seed: ({ st }, n) => {
    const [customerId] = st.seedCustomers(1);
    for (let i = 0; i < n; i++) st.createJob({ customerId: customerId!, summary: `Job ${i}` });
  },
  snapshot: ({ st }) => byId(st.jobs()),
  update: ({ st }, id) => st.setJobStatus(Number(id), "Dispatched"),
  create: ({ st }) => String(st.createJob({ customerId: st.seedCustomers(1)[0]! })),
  remove: ({ st }, id) => st.deleteJob(Number(id)),
  hostRecord: () => ({
    customerId: 100_001,
    locationId: 200_001,
    businessUnitId: 1001,
    jobTypeId: 2001,
    campaignId: 3001,
    priority: "High",
    summary: "No heat upstairs",
    appointments: [{ start: "2030-01-15T15:00:00Z", end: "2030-01-15T17:00:00Z" }],
  }),
};

const jobTypes: ContractModel<Fake> = {
  seed: ({ st }, n) => {
    for (let i = 0; i < n; i++) st.addJobType({ name: `Job type ${i}` });
  },
  snapshot: ({ st }) => byId(st.jobTypes()),
  update: ({ st }, id) => st.editJobType(Number(id), { name: `Renamed job type ${id}` }),
  create: ({ st }) => String(st.addJobType({ name: "Duct Cleaning" })),
  remove: ({ st }, id) => st.deactivateJobType(Number(id)),
};

const skip = {
  "test connection passes, and fails once the grant is revoked":
    "client credentials leave no user grant to revoke; a wrong secret, another tenant's token or an uninstalled app failing the test is covered in auth.test.ts",
  "a 401 from the API triggers one token refresh and the sync succeeds":
    "client credentials have no refresh token; a 401 gets one new client-credentials grant instead, covered in auth.test.ts",
  "invalid_grant marks the connection needs_reauth and the sync stops":
    "the client credentials grant has no refresh token to become invalid_grant",
  "a forged webhook is rejected and applies nothing":
    "ServiceTitan's V2 webhooks are in beta and their signature header and encoding are unpublished, so the connector polls the export feeds instead",
} as const;

// Invoices and technicians read their export feeds with the same code as
// customers and jobs; sync.test.ts covers them (full sync, incremental deletes).
const models = { customers, jobs, jobTypes };
for (const [name, driver] of Object.entries(models)) {
  // Retry-After: 0 keeps the 429 case quick; rate-limit.test.ts pins the real header.
  testConnectorContract<Fake>(`servicetitan (${name})`, {
    connector: () => serviceTitan({ ...SERVICETITAN_SANDBOX_APP }),
    fake: () => {
      const st = createServiceTitanFake({
        exportPageSize: 10,
        rateLimit: { retryAfterSeconds: 0 },
      });
      return {
        st,
        handlers: st.handlers,
        credentials: st.credentials,
        rateLimitNext: (n) => st.rateLimitNext(n),
      };
    },
    models: { [name]: driver },
    skip,
  });
}
