import {
  createTasksFake,
  TASKS_API_KEY,
  TASKS_WEBHOOK_SECRET,
  tasksConnector,
} from "../src/example/index.js";
import {
  type ContractFake,
  type ContractModel,
  createFakeOAuthServer,
  testConnectorContract,
} from "../src/index.js";

// The contract suite proves itself on the in-repo Tasks provider, once with
// an API key and once over OAuth, before providers rely on it.
type TasksContractFake = ContractFake & { tasks: ReturnType<typeof createTasksFake> };

const tasksModel: ContractModel<TasksContractFake> = {
  seed: ({ tasks }, n) => tasks.seed(n),
  snapshot: ({ tasks }) => new Map(tasks.sorted().map((t) => [t.id, t])),
  update: ({ tasks }, id) => void tasks.update(id, { title: `edited ${id}` }),
  create: ({ tasks }) => tasks.create({ title: "created at the provider", status: "open" }).id,
  remove: ({ tasks }, id) => tasks.remove(id),
  compare: (record) => {
    const { fetched_at: _volatile, ...rest } = record as Record<string, unknown>;
    return rest;
  },
  hostRecord: (n) => ({ name: `Host task ${n}`, state: "open" }),
};

testConnectorContract<TasksContractFake>("tasks (API key)", {
  connector: () => tasksConnector({ pageSize: 7 }),
  fake: () => {
    const tasks = createTasksFake();
    return {
      tasks,
      handlers: tasks.handlers,
      credentials: { apiKey: TASKS_API_KEY },
      rateLimitNext: (n?: number) => tasks.rateLimitNext(n),
      webhook: (connection, { forged }) =>
        tasks.webhook(
          { account: connection.metadata.account },
          { secret: forged ? `${TASKS_WEBHOOK_SECRET}-forged` : TASKS_WEBHOOK_SECRET },
        ),
    };
  },
  models: { tasks: tasksModel },
});

const REDIRECT = "https://app.example.com/integrations/callback";
const oauth = createFakeOAuthServer({
  issuer: "https://auth.tasks.test",
  clients: [{ clientId: "tasks-app", clientSecret: "tasks-app-secret", redirectUris: [REDIRECT] }],
});
testConnectorContract<TasksContractFake>("tasks (OAuth)", {
  connector: () => tasksConnector({ pageSize: 7, oauth }),
  redirectUri: REDIRECT,
  fake: () => {
    oauth.reset();
    const tasks = createTasksFake({ oauth });
    return {
      tasks,
      handlers: [...oauth.handlers, ...tasks.handlers],
      oauth,
      rateLimitNext: (n?: number) => tasks.rateLimitNext(n),
      webhook: (connection, { forged }) =>
        tasks.webhook(
          { account: connection.metadata.account },
          { secret: forged ? "not-the-secret" : TASKS_WEBHOOK_SECRET },
        ),
    };
  },
  models: { tasks: tasksModel },
});
