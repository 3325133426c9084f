// packages/tasks/test/contract.test.ts: the same cases every connector passes.
import { type ContractFake, testConnectorContract } from "@patchbay/testing";
import { tasks } from "./tasks-connector.js";
import { createTasksFake, TASKS_SANDBOX } from "./tasks-fake.js";

type TasksFake = ContractFake & { api: ReturnType<typeof createTasksFake> };

testConnectorContract<TasksFake>("tasks", {
  connector: () => tasks({ webhookSecret: TASKS_SANDBOX.webhookSecret, pageSize: 7 }),
  fake: () => {
    const api = createTasksFake();
    return {
      api,
      handlers: api.handlers,
      credentials: { apiKey: TASKS_SANDBOX.apiKey }, // what the user pastes
      rateLimitNext: (n) => api.rateLimitNext(n),
      webhook: (connection, { forged }) =>
        api.webhook({ account: connection.metadata.account }, forged ? "wrong" : undefined),
    };
  },
  // OAuth-only cases (revocation, 401 → refresh, invalid_grant) skip themselves, with the reason,
  // for a credential-form connector.
  models: {
    tasks: {
      seed: ({ api }, n) => {
        for (let i = 0; i < n; i++) api.create(`Task ${i + 1}`);
      },
      snapshot: ({ api }) => new Map(api.tasks),
      update: ({ api }, id) => void api.update(id, { title: `edited ${id}` }),
      create: ({ api }) => api.create("created at the provider").id,
      remove: ({ api }, id) => api.remove(id),
      hostRecord: (n) => ({ name: `Host task ${n}`, state: "open" }), // host field names
    },
  },
});
