/**
 * "Tasks": a small example provider, its stateful fake (MSW handlers) and its
 * connector, published as `@patchbay/testing/example`. The module comment
 * and the overview are in `./index.ts`.
 */
import {
  apiKey,
  type ConnectorDefinition,
  defineAction,
  defineConnector,
  defineModel,
  type FetchLike,
  hmac,
  type Json,
  type MetadataHook,
  NotFoundError,
  oauth2,
  timingSafeEqual,
  type WriteOutcome,
} from "@patchbay/core";
import { getResponse, type HttpHandler, HttpResponse, http } from "msw";
import { z } from "zod";
import type { FakeOAuthServer } from "../fake-oauth-server.js";

/**
 * The Tasks API's base URL. The fake answers under it; the connector calls it.
 *
 * @example
 * ```ts
 * server.use(http.get(`${TASKS_API}/account`, () => HttpResponse.json({}, { status: 503 })));
 * ```
 */
export const TASKS_API = "https://api.tasks.test/v1";

/**
 * The one API key the fake accepts (header `x-api-key`): what a user pastes
 * when connecting with the API-key form.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId: "t1", connector: "tasks", credentials: { apiKey: TASKS_API_KEY } });
 * ```
 */
export const TASKS_API_KEY = "tasks_key_abcdef123456";

/**
 * The app-wide webhook signing secret: {@link tasksConnector} verifies
 * deliveries with it, and {@link TasksFake.webhook} signs with it unless told
 * otherwise.
 *
 * @example
 * ```ts
 * const forged = fake.webhook({ account: "acct_1" }, { secret: "not-" + TASKS_WEBHOOK_SECRET });
 * expect((await patchbay.handleWebhook("tasks", forged)).status).toBe(401);
 * ```
 */
export const TASKS_WEBHOOK_SECRET = "whsec_tasks_0123456789";

/**
 * The OAuth client {@link tasksConnector} uses when given `oauth`: register it
 * with the fake authorization server.
 *
 * @example
 * ```ts
 * const oauth = createFakeOAuthServer({
 *   issuer: "https://auth.tasks.test",
 *   clients: [{ ...TASKS_OAUTH_CLIENT, redirectUris: ["https://app.example.com/integrations/callback"] }],
 * });
 * const connector = tasksConnector({ oauth });
 * ```
 */
export const TASKS_OAUTH_CLIENT: Readonly<{ clientId: string; clientSecret: string }> =
  Object.freeze({ clientId: "tasks-app", clientSecret: "tasks-app-secret" });

/**
 * A task as the provider stores and returns it (the listing adds a volatile
 * `fetched_at`).
 *
 * @example
 * ```ts
 * const task: Task = fake.create({ title: "Book the venue", status: "open" });
 * ```
 */
export interface Task {
  /** `t000001`, `t000002`, …: ids sort in creation order. */
  id: string;
  title: string;
  status: "open" | "done";
  /** ISO 8601; moves on every change. */
  updated_at: string;
}

/**
 * A file the connector's destination uploaded (a scheduled export).
 *
 * @example
 * ```ts
 * const [file] = fake.files.values();
 * expect(new TextDecoder().decode(file!.body)).toContain("Task 1");
 * ```
 */
export interface TasksFile {
  /** `file_1`, `file_2`, … */
  id: string;
  name: string;
  /** The upload's `content-type`. */
  mimeType: string;
  /** The folder the upload named, else `null`. */
  folderId: string | null;
  /** The file's bytes, as last written. */
  body: Uint8Array;
  /** 1 when created; +1 each time it is replaced in place. */
  revision: number;
}

/**
 * A webhook subscription (`POST /webhooks`): each has its own signing secret
 * and expires unless refreshed, as many providers' do. For a connector that
 * registers a webhook per connection in its lifecycle `setup` (and seals the
 * secret with `webhooks.secret: "connection"`); {@link tasksConnector}
 * itself verifies with the app-wide {@link TASKS_WEBHOOK_SECRET}.
 *
 * @example
 * ```ts
 * const [sub] = fake.subscriptions.values();
 * expect(sub!.url).toBe("https://app.example.com/integrations/webhooks/tasks");
 * expect(connection.metadata.webhookId).toBe(sub!.id);
 * ```
 */
export interface TasksWebhookSubscription {
  /** `wh_1`, `wh_2`, … */
  id: string;
  /** Where deliveries go (`https://` only). */
  url: string;
  /** This subscription's signing secret. */
  secret: string;
  /** Epoch milliseconds; seven days after creation or the last refresh. */
  expiresAt: number;
}

/**
 * A fault to inject: answer the listing call number `onListCall` (1-based,
 * counted by {@link TasksFakeStats.listCalls}) with `status`.
 *
 * @example
 * ```ts
 * fake.faults.push({ onListCall: fake.stats.listCalls + 1, status: 503 });
 * ```
 */
export interface TasksListFault {
  onListCall: number;
  status: number;
}

/**
 * What the fake has been asked, for assertions.
 *
 * @example
 * ```ts
 * await patchbay.sync.run({ tenantId, connectionId, model: "tasks" });
 * expect(fake.stats).toMatchObject({ listCalls: 1, changesCalls: 0 });
 * ```
 */
export interface TasksFakeStats {
  /** `GET /tasks` calls that got past auth and rate limiting. */
  listCalls: number;
  /** `GET /changes` calls. */
  changesCalls: number;
  /** Task writes: create, update, delete. */
  writes: number;
  /** `POST /tasks:batchGet` calls. */
  reads: number;
  /** `GET /slow` calls being answered right now. */
  inFlight: number;
  /** The most `GET /slow` calls answered at once (checks a concurrency limit). */
  peakInFlight: number;
}

/**
 * Options for {@link createTasksFake}.
 *
 * @example
 * ```ts
 * const fake = createTasksFake({ now: clock.now, oauth });
 * ```
 */
export interface TasksFakeOptions {
  /** The clock for `updated_at`, webhook timestamps and expiries. Default `Date.now`. */
  now?: () => number;
  /**
   * A fake authorization server whose access tokens the API also accepts
   * (`Authorization: Bearer`), for {@link tasksConnector} with `oauth`.
   * The API key is accepted either way.
   */
  oauth?: FakeOAuthServer;
}

/**
 * Options for {@link TasksFake.webhook}.
 *
 * @example
 * ```ts
 * const stale = fake.webhook({ account: "acct_1" }, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
 * const replayed = fake.webhook({ account: "acct_1" }, { deliveryId: "dlv_1" });
 * ```
 */
export interface TasksWebhookOptions {
  /** The signing secret. Default {@link TASKS_WEBHOOK_SECRET}; anything else forges the delivery. */
  secret?: string;
  /** Unix seconds in the signature. Default: the fake's clock. */
  timestamp?: number;
  /** The `x-tasks-delivery` id. Default: a random one. */
  deliveryId?: string;
}

/**
 * The fake Tasks provider: its state, helpers that change it as the
 * provider's own UI would, and its MSW handlers.
 *
 * Endpoints (all need `x-api-key: TASKS_API_KEY` or a bearer token from
 * `oauth`; a 401 otherwise): `GET /account`; `GET /tasks?limit&page_token`
 * (sorted by id, `next_page_token`, and a `sync_token` on the last page);
 * `GET /changes?since&limit` (the latest change per task after `since`, a
 * tombstone `{ id, deleted: true }` for deleted ones); `POST /tasks:batchGet`;
 * `POST /tasks`, `PATCH /tasks/:id`, `DELETE /tasks/:id`; `POST /files?name&folder`
 * and `PUT /files/:id` (raw bytes); `POST /webhooks`,
 * `POST /webhooks/:id/refresh`, `DELETE /webhooks/:id`; and `GET /slow`
 * (answers after 15 ms, for concurrency limits).
 *
 * @example
 * ```ts
 * const fake = createTasksFake();
 * const server = setupServer(...fake.handlers);
 * fake.seed(10);
 * fake.update("t000001", { status: "done" });
 * fake.remove("t000002", false); // a hard delete the changes feed never reports
 * fake.rateLimitNext(2); // the next two listing calls get 429 with Retry-After
 * ```
 */
export interface TasksFake {
  /** Every live task, by id. */
  tasks: Map<string, Task>;
  /** Call counters. */
  stats: TasksFakeStats;
  /** Webhook subscriptions, by id. */
  subscriptions: Map<string, TasksWebhookSubscription>;
  /** Files the destination uploaded, by id. */
  files: Map<string, TasksFile>;
  /** Faults to inject on listing calls; push to add one. */
  faults: TasksListFault[];
  /** Create `count` tasks, `Task 1`, `Task 2`, …; every third one (from the first) is done. */
  seed(count: number): void;
  /** Create a task, as a user of the provider would. */
  create(input: { title: string; status: Task["status"] }): Task;
  /**
   * Change a task, as a user of the provider would. `at` sets `updated_at`
   * (to test conflicts); by default it is the fake's clock. Throws for an
   * unknown id.
   */
  update(id: string, patch: Partial<Pick<Task, "title" | "status">>, at?: string): Task;
  /** Delete a task; with `tombstone: false` the changes feed never reports it (a hard delete). */
  remove(id: string, tombstone?: boolean): void;
  /** Answer the next `count` listing calls with 429 and `Retry-After: 1`. Default 1. */
  rateLimitNext(count?: number): void;
  /** Every live task, sorted by id. */
  sorted(): Task[];
  /** The API as MSW request handlers. */
  handlers: HttpHandler[];
  /**
   * A `fetch` the handlers answer in process, for `createPatchbay({ fetch })`
   * without an MSW server. Throws for a request no handler answers.
   */
  fetch: FetchLike;
  /**
   * A webhook delivery as the provider sends it, signed with
   * {@link TASKS_WEBHOOK_SECRET} unless `options.secret` says otherwise.
   */
  webhook(body: unknown, options?: TasksWebhookOptions): Request;
}

interface Change {
  seq: number;
  id: string;
  deleted: boolean;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Creates a fake Tasks provider: empty until seeded, with its own state per
 * call. Register its `handlers` with MSW, or pass its `fetch` to
 * `createPatchbay`.
 *
 * @example
 * ```ts
 * import { setupServer } from "msw/node";
 * import { createTasksFake } from "@patchbay/testing/example";
 *
 * const fake = createTasksFake();
 * const server = setupServer(...fake.handlers);
 * beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
 * afterAll(() => server.close());
 *
 * it("syncs the provider's tasks", async () => {
 *   fake.seed(5);
 *   await patchbay.sync.run({ tenantId, connectionId, model: "tasks" });
 *   expect(fake.stats.listCalls).toBe(1);
 * });
 * ```
 */
export function createTasksFake(options: TasksFakeOptions = {}): TasksFake {
  const now = options.now ?? Date.now;
  let rateLimited = 0;
  const tasks = new Map<string, Task>();
  const log: Change[] = [];
  let seq = 0;
  let nextId = 1;
  const stats: TasksFakeStats = {
    listCalls: 0,
    changesCalls: 0,
    writes: 0,
    reads: 0,
    inFlight: 0,
    peakInFlight: 0,
  };
  const subscriptions = new Map<string, TasksWebhookSubscription>();
  let nextSubscription = 1;
  const files = new Map<string, TasksFile>();
  let nextFile = 1;
  const faults: TasksListFault[] = [];

  function touch(id: string, deleted: boolean, visible = true) {
    seq++;
    if (visible) log.push({ seq, id, deleted });
  }
  function stamp(): string {
    return new Date(now() + seq).toISOString();
  }

  const api = {
    tasks,
    stats,
    subscriptions,
    files,
    faults,
    seed(count: number) {
      for (let i = 0; i < count; i++)
        api.create({ title: `Task ${i + 1}`, status: i % 3 === 0 ? "done" : "open" });
    },
    create(input: { title: string; status: Task["status"] }): Task {
      const id = `t${String(nextId++).padStart(6, "0")}`;
      const task: Task = { id, ...input, updated_at: "" };
      touch(id, false);
      task.updated_at = stamp();
      tasks.set(id, task);
      return task;
    },
    update(id: string, patch: Partial<Pick<Task, "title" | "status">>, at?: string): Task {
      const task = tasks.get(id);
      if (!task) throw new Error(`no task ${id}`);
      Object.assign(task, patch);
      touch(id, false);
      task.updated_at = at ?? stamp();
      return task;
    },
    remove(id: string, tombstone = true) {
      tasks.delete(id);
      touch(id, true, tombstone);
    },
    rateLimitNext(count = 1) {
      rateLimited += count;
    },
    sorted(): Task[] {
      return [...tasks.values()].sort((a, b) => a.id.localeCompare(b.id));
    },
  };

  const error = (status: number, code: string, message: string) =>
    HttpResponse.json({ error: { code, message } }, { status });
  const unauthorized = () => error(401, "unauthorized", "bad api key");
  const authed = (request: Request) =>
    request.headers.get("x-api-key") === TASKS_API_KEY ||
    options.oauth?.verifyBearer(request).valid === true;
  /** Answers 429 with Retry-After while `rateLimitNext` has budget. */
  const limited = () => {
    if (rateLimited <= 0) return undefined;
    rateLimited--;
    return HttpResponse.json(
      { error: { code: "rate_limited", message: "slow down" } },
      { status: 429, headers: { "retry-after": "1" } },
    );
  };
  const fileJson = (file: TasksFile) => ({
    id: file.id,
    name: file.name,
    size: file.body.byteLength,
    revision: file.revision,
    url: `https://app.tasks.test/files/${file.id}`,
  });

  const handlers: HttpHandler[] = [
    http.post(`${TASKS_API}/webhooks`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      const { url } = (await request.json()) as { url?: string };
      if (typeof url !== "string" || !url.startsWith("https://"))
        return error(422, "invalid", "url must be https");
      const id = `wh_${nextSubscription++}`;
      const sub: TasksWebhookSubscription = {
        id,
        url,
        secret: `whsec_${id}_${Math.random().toString(36).slice(2, 12)}`,
        expiresAt: now() + WEEK_MS,
      };
      subscriptions.set(id, sub);
      return HttpResponse.json(
        { ...sub, expires_at: new Date(sub.expiresAt).toISOString() },
        { status: 201 },
      );
    }),
    http.post(`${TASKS_API}/webhooks/:id/refresh`, ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      const sub = subscriptions.get(String(params.id));
      if (!sub) return error(404, "not_found", "no such webhook");
      sub.expiresAt = now() + WEEK_MS;
      return HttpResponse.json({ id: sub.id, expires_at: new Date(sub.expiresAt).toISOString() });
    }),
    http.delete(`${TASKS_API}/webhooks/:id`, ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      return subscriptions.delete(String(params.id))
        ? new HttpResponse(null, { status: 204 })
        : error(404, "not_found", "no such webhook");
    }),
    http.get(`${TASKS_API}/slow`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
      await new Promise((r) => setTimeout(r, 15));
      stats.inFlight--;
      return HttpResponse.json({ ok: true });
    }),
    http.get(`${TASKS_API}/account`, ({ request }) =>
      authed(request)
        ? HttpResponse.json({ id: "acct_1", name: "Acme Promotions" })
        : unauthorized(),
    ),
    http.get(`${TASKS_API}/tasks`, ({ request }) => {
      if (!authed(request)) return unauthorized();
      const slowDown = limited();
      if (slowDown) return slowDown;
      stats.listCalls++;
      const fault = faults.find((f) => f.onListCall === stats.listCalls);
      if (fault) return error(fault.status, "internal", "boom");
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const after = url.searchParams.get("page_token") ?? "";
      const all = api.sorted().filter((t) => t.id > after);
      const page = all.slice(0, limit);
      const more = all.length > limit;
      return HttpResponse.json({
        // `fetched_at` changes on every read: the connector declares it volatile.
        tasks: page.map((t) => ({ ...t, fetched_at: new Date().toISOString() })),
        next_page_token: more ? page[page.length - 1]!.id : null,
        sync_token: more ? null : String(seq),
      });
    }),
    http.get(`${TASKS_API}/changes`, ({ request }) => {
      if (!authed(request)) return unauthorized();
      stats.changesCalls++;
      const url = new URL(request.url);
      const since = Number(url.searchParams.get("since") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      // Latest change per id after `since`, in seq order.
      const latest = new Map<string, Change>();
      for (const c of log) if (c.seq > since) latest.set(c.id, c);
      const ordered = [...latest.values()].sort((a, b) => a.seq - b.seq);
      const page = ordered.slice(0, limit);
      const more = ordered.length > limit;
      return HttpResponse.json({
        changes: page.map((c) =>
          c.deleted || !tasks.has(c.id) ? { id: c.id, deleted: true } : { task: tasks.get(c.id) },
        ),
        next_since: more ? String(page[page.length - 1]!.seq) : null,
        sync_token: more ? null : String(seq),
      });
    }),
    http.post(`${TASKS_API}/tasks:batchGet`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      stats.reads++;
      const { ids } = (await request.json()) as { ids: string[] };
      return HttpResponse.json({ tasks: ids.map((id) => tasks.get(id)).filter(Boolean) });
    }),
    http.post(`${TASKS_API}/tasks`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      stats.writes++;
      const body = (await request.json()) as { title?: unknown; status?: unknown };
      if (typeof body.title !== "string") return error(422, "invalid", "title is required");
      return HttpResponse.json(
        api.create({ title: body.title, status: body.status === "done" ? "done" : "open" }),
        { status: 201 },
      );
    }),
    http.patch(`${TASKS_API}/tasks/:id`, async ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      stats.writes++;
      const id = String(params.id);
      if (!tasks.has(id)) return error(404, "not_found", "no such task");
      const body = (await request.json()) as Partial<Task>;
      return HttpResponse.json(api.update(id, { title: body.title, status: body.status }));
    }),
    http.delete(`${TASKS_API}/tasks/:id`, ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      stats.writes++;
      const id = String(params.id);
      if (!tasks.has(id)) return error(404, "not_found", "no such task");
      api.remove(id);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${TASKS_API}/files`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      const url = new URL(request.url);
      const name = url.searchParams.get("name");
      if (!name) return error(422, "invalid", "name is required");
      const file: TasksFile = {
        id: `file_${nextFile++}`,
        name,
        mimeType: request.headers.get("content-type") ?? "application/octet-stream",
        folderId: url.searchParams.get("folder"),
        body: new Uint8Array(await request.arrayBuffer()),
        revision: 1,
      };
      files.set(file.id, file);
      return HttpResponse.json(fileJson(file), { status: 201 });
    }),
    http.put(`${TASKS_API}/files/:id`, async ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      const file = files.get(String(params.id));
      if (!file) return error(404, "not_found", "no such file");
      file.body = new Uint8Array(await request.arrayBuffer());
      file.mimeType = request.headers.get("content-type") ?? file.mimeType;
      file.revision++;
      return HttpResponse.json(fileJson(file));
    }),
  ];

  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const response = await getResponse(handlers, request);
    if (response === undefined) throw new Error(`unhandled ${request.method} ${request.url}`);
    return response;
  };

  function webhook(body: unknown, webhookOptions: TasksWebhookOptions = {}): Request {
    const raw = JSON.stringify(body);
    const t = webhookOptions.timestamp ?? Math.floor(now() / 1000);
    const secret = webhookOptions.secret ?? TASKS_WEBHOOK_SECRET;
    const signature = hmac("sha256", secret, `${t}.${raw}`, "hex");
    return new Request("https://app.example.com/webhooks/tasks", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-tasks-signature": `t=${t},v1=${signature}`,
        "x-tasks-delivery":
          webhookOptions.deliveryId ?? `dlv_${Math.random().toString(36).slice(2)}`,
      },
      body: raw,
    });
  }

  return { ...api, handlers, fetch, webhook };
}

/** The record schema, with the provider's field names. */
const TaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(["open", "done"]),
  updated_at: z.string(),
  fetched_at: z.string().optional(),
});
type TaskRecord = z.infer<typeof TaskSchema>;

/** Where an interrupted run resumes: a listing page, or a position in the changes feed. */
type Checkpoint = { pageToken: string } | { since: string } | null;

/**
 * Options for {@link tasksConnector}.
 *
 * @example
 * ```ts
 * const connector = tasksConnector({ pageSize: 7, fullEvery: 24, oauth });
 * ```
 */
export interface TasksConnectorOptions {
  /** Tasks per listing or changes page. Default 100. */
  pageSize?: number;
  /** The model's `fullEvery`: every Nth run is a full listing (detects invisible deletes). */
  fullEvery?: number;
  /** The model's `maxFailures`: records failing the schema a run tolerates. */
  maxFailures?: number;
  /**
   * Connect with OAuth 2.0 through this fake authorization server (client
   * {@link TASKS_OAUTH_CLIENT}, scope `tasks`) instead of an API key. Pass
   * the same server to {@link createTasksFake} so the API accepts its tokens.
   */
  oauth?: FakeOAuthServer;
}

/**
 * The Tasks connector (id `tasks`), written as a reference for your own:
 *
 * - **auth**: an API key in `x-api-key`, or OAuth 2.0 with `oauth`; both
 *   learn the account id at connect time (`metadata`), which webhooks are
 *   routed by.
 * - **model `tasks`**: a full listing paged by `page_token` whose checkpoint
 *   resumes an interrupted run; an incremental run reads the changes feed
 *   from the last `sync_token` (the cursor) and reports tombstones as
 *   `deleted`; `fetched_at` is volatile; `read` fetches by id in one batch;
 *   `write` creates, updates and deletes, reporting each outcome; the
 *   default field mapping is `name` ← `title`, `state` ← `status`,
 *   `changedAt` ← `updated_at`.
 * - **action `countTasks`**: `{ status: "open" | "done" }` → how many tasks have it.
 * - **destination**: exports are uploaded as files, replaced in place when
 *   asked to (see {@link TasksFake.files}).
 * - **webhooks**: signed `x-tasks-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
 *   with {@link TASKS_WEBHOOK_SECRET}, 5 minutes' replay tolerance,
 *   deduplicated by `x-tasks-delivery`, routed by `account`; a
 *   `task.upserted` delivery applies its task, anything else starts a sync.
 *
 * HTTP retries use millisecond waits, so tests do not sleep.
 *
 * @example
 * ```ts
 * import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
 * import { createTasksFake, TASKS_API_KEY, tasksConnector } from "@patchbay/testing/example";
 *
 * const fake = createTasksFake();
 * fake.seed(250);
 * const patchbay = createPatchbay({
 *   connectors: [tasksConnector({ pageSize: 100 })],
 *   store: new MemoryStore(),
 *   vault: new Vault({ keys: [{ kid: "k1", key: process.env.VAULT_KEY! }] }),
 *   fetch: fake.fetch,
 * });
 * const { id } = await patchbay.connect.withCredentials({
 *   tenantId: "t1",
 *   connector: "tasks",
 *   credentials: { apiKey: TASKS_API_KEY },
 * });
 * await patchbay.sync.run({ tenantId: "t1", connectionId: id, model: "tasks" }); // 3 pages
 * fake.remove("t000001");
 * await patchbay.sync.run({ tenantId: "t1", connectionId: id, model: "tasks" }); // 1 tombstone
 * ```
 */
export function tasksConnector(options: TasksConnectorOptions = {}): ConnectorDefinition {
  const pageSize = options.pageSize ?? 100;
  const metadata: MetadataHook = async ({ http: client }) => ({
    account: (await client.get<{ id: string }>("/account")).data.id,
  });
  const auth =
    options.oauth === undefined
      ? apiKey({ header: "x-api-key", metadata })
      : oauth2({
          authorizationUrl: options.oauth.authorizationUrl,
          tokenUrl: options.oauth.tokenUrl,
          revocationUrl: options.oauth.revocationUrl,
          clientId: TASKS_OAUTH_CLIENT.clientId,
          clientSecret: TASKS_OAUTH_CLIENT.clientSecret,
          scopes: ["tasks"],
          metadata,
        });
  return defineConnector({
    id: "tasks",
    name: "Tasks",
    category: "productivity",
    auth,
    http: { baseUrl: TASKS_API, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } },
    test: async ({ http: client }) => void (await client.get("/tasks", { query: { limit: 1 } })),
    models: {
      tasks: defineModel({
        schema: TaskSchema,
        key: "id",
        volatile: ["fetched_at"],
        updatedAt: (t) => t.updated_at,
        modes: ["full", "incremental"],
        fullEvery: options.fullEvery,
        maxFailures: options.maxFailures,
        defaultMapping: { name: "title", state: "status", changedAt: "updated_at" },
        async *sync(ctx) {
          const checkpoint = ctx.checkpoint as Checkpoint;
          if (ctx.mode === "full") {
            // Every page: its records, where to resume (checkpoint) and, on the
            // last page, where the next incremental run starts (cursor).
            let token =
              checkpoint !== null && "pageToken" in checkpoint ? checkpoint.pageToken : undefined;
            for (;;) {
              const { data } = await ctx.http.get<{
                tasks: unknown[];
                next_page_token: string | null;
                sync_token: string | null;
              }>("/tasks", {
                query: { limit: pageSize, page_token: token },
              });
              token = data.next_page_token ?? undefined;
              const resume: Json | undefined =
                token === undefined ? undefined : { pageToken: token };
              yield {
                records: data.tasks,
                checkpoint: resume,
                cursor: data.sync_token ?? undefined,
              };
              if (token === undefined) return;
            }
          }
          let since =
            checkpoint !== null && "since" in checkpoint
              ? checkpoint.since
              : String(ctx.cursor ?? "0");
          for (;;) {
            const { data } = await ctx.http.get<{
              changes: Array<{ task?: unknown; id?: string; deleted?: boolean }>;
              next_since: string | null;
              sync_token: string | null;
            }>("/changes", { query: { since, limit: pageSize } });
            const resume: Json | undefined =
              data.next_since === null ? undefined : { since: data.next_since };
            yield {
              records: data.changes.filter((c) => c.task !== undefined).map((c) => c.task),
              // Tombstones: tasks deleted at the provider since the cursor.
              deleted: data.changes.filter((c) => c.deleted).map((c) => c.id!),
              checkpoint: resume,
              cursor: data.sync_token ?? undefined,
            };
            if (data.next_since === null) return;
            since = data.next_since;
          }
        },
        async read(ctx, ids) {
          const { data } = await ctx.http.post<{ tasks: TaskRecord[] }>("/tasks:batchGet", {
            json: { ids },
          });
          return data.tasks;
        },
        async write(ctx, changes) {
          // One outcome per change, in order: a failed change does not fail the others.
          const out: WriteOutcome<TaskRecord>[] = [];
          for (const change of changes) {
            try {
              if (change.op === "create") {
                const { data } = await ctx.http.post<TaskRecord>("/tasks", {
                  json: { title: change.data.title, status: change.data.status },
                });
                out.push({ ok: true, externalId: data.id, data });
              } else if (change.op === "update") {
                const { data } = await ctx.http.patch<TaskRecord>(`/tasks/${change.externalId}`, {
                  json: { title: change.data.title, status: change.data.status },
                });
                out.push({ ok: true, externalId: data.id, data });
              } else {
                await ctx.http.delete(`/tasks/${change.externalId}`);
                out.push({ ok: true, externalId: change.externalId });
              }
            } catch (error) {
              out.push({ ok: false, error: (error as Error).message });
            }
          }
          return out;
        },
      }),
    },
    actions: {
      countTasks: defineAction({
        description: "How many tasks have a status.",
        input: z.object({ status: z.enum(["open", "done"]) }),
        async run(ctx, input) {
          let count = 0;
          let token: string | undefined;
          do {
            const { data } = await ctx.http.get<{
              tasks: Array<{ status: string }>;
              next_page_token: string | null;
            }>("/tasks", { query: { limit: pageSize, page_token: token } });
            count += data.tasks.filter((t) => t.status === input.status).length;
            token = data.next_page_token ?? undefined;
          } while (token !== undefined);
          return count;
        },
      }),
    },
    destination: {
      maxBytes: 10 * 1024 * 1024,
      async writeFile(ctx, file) {
        // A copy, typed `Uint8Array<ArrayBuffer>` as `BodyInit` wants it.
        const upload = {
          body: new Uint8Array(file.body),
          headers: { "content-type": file.mimeType },
        };
        if (file.replace && file.previousFileId !== null) {
          try {
            const { data } = await ctx.http.put<{ id: string; url: string }>(
              `/files/${encodeURIComponent(file.previousFileId)}`,
              upload,
            );
            return { fileId: data.id, url: data.url, replaced: true };
          } catch (error) {
            // Deleted at the provider since the last export: create it again.
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
        const { data } = await ctx.http.post<{ id: string; url: string }>("/files", {
          ...upload,
          query: { name: file.name, folder: file.folderId ?? undefined },
        });
        return { fileId: data.id, url: data.url, replaced: false };
      },
    },
    webhooks: {
      secret: "app",
      verify: (delivery) => {
        const header = delivery.headers.get("x-tasks-signature") ?? "";
        const parts = Object.fromEntries(
          header.split(",").map((kv) => kv.split("=") as [string, string]),
        );
        if (!parts.t || !parts.v1) return false;
        return timingSafeEqual(
          parts.v1,
          hmac("sha256", TASKS_WEBHOOK_SECRET, `${parts.t}.${delivery.text}`, "hex"),
        );
      },
      replay: {
        toleranceSeconds: 300,
        timestamp: (delivery) => {
          const match = /t=(\d+)/.exec(delivery.headers.get("x-tasks-signature") ?? "");
          return match ? Number(match[1]) : undefined;
        },
      },
      deliveryId: (delivery) => delivery.headers.get("x-tasks-delivery") ?? undefined,
      route: (delivery) => {
        const account = (delivery.payload as { account?: unknown } | undefined)?.account;
        return typeof account === "string" ? { account } : undefined;
      },
      actions: (delivery) => {
        const payload = delivery.payload as { type?: string; task?: unknown };
        if (payload.type === "task.upserted" && payload.task !== undefined)
          return [{ kind: "apply", model: "tasks", records: [payload.task] }];
        return [{ kind: "sync", model: "tasks" }];
      },
    },
  });
}
