/**
 * `@patchbay/testing/example`: "Tasks", a small, complete example provider.
 * {@link createTasksFake} is a stateful fake of its API as MSW handlers, and
 * {@link tasksConnector} is the connector for it. Together they serve two
 * purposes:
 *
 * - **A reference connector.** `tasksConnector()` shows how to write one: a
 *   paginated full listing with a resumable checkpoint, an incremental
 *   changes feed with a sync token and tombstones, batch reads, write-back
 *   (create, update, delete), a default field mapping, an action, a file
 *   destination, API-key or OAuth auth, and webhooks signed HMAC-SHA256 over
 *   `t.body` with replay protection and routing. Read its source next to
 *   the "Writing a connector" guide.
 * - **A ready-made provider.** Host tests and demos get a real connector
 *   against a fake that behaves like a real API: seedable state, a changes
 *   feed where hard deletes can be invisible (as in many real incremental
 *   APIs), 429s with Retry-After, injected 5xx, per-subscription webhook
 *   secrets, call counters, and an in-process `fetch` when MSW is not
 *   wanted.
 *
 * It needs `msw` and `zod` installed (peer dependencies of `@patchbay/testing`).
 *
 * @example
 * ```ts
 * import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
 * import { createTasksFake, TASKS_API_KEY, tasksConnector } from "@patchbay/testing/example";
 *
 * const fake = createTasksFake();
 * fake.seed(3);
 * const patchbay = createPatchbay({
 *   connectors: [tasksConnector()],
 *   store: new MemoryStore(),
 *   vault: new Vault({ keys: [{ kid: "k1", key: process.env.VAULT_KEY! }] }),
 *   fetch: fake.fetch, // or register fake.handlers with an MSW server
 * });
 * const { id } = await patchbay.connect.withCredentials({
 *   tenantId: "t1",
 *   connector: "tasks",
 *   credentials: { apiKey: TASKS_API_KEY },
 * });
 * await patchbay.sync.run({ tenantId: "t1", connectionId: id, model: "tasks" });
 * ```
 *
 * @module
 */
export * from "./tasks.js";
