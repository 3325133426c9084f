/**
 * Copied from packages/testing/test/fixtures/tasks.ts (test fixtures are not
 * exported); additions for the security suite: an injectable `fetch` for the
 * fuzzers (no MSW), a `countTasks` action and a file `destination`, so every
 * facade method has something to act on.
 *
 * "Tasks": a small provider that exists only for core's tests. Its fake is
 * stateful like a real API: paginated listing with a sync token, an
 * incremental changes feed with tombstones (hard deletes can be made
 * invisible to it, as many real incremental APIs do), batch reads, writes,
 * API-key auth, and webhooks signed HMAC-SHA256 over `t.body`.
 */
import {
  apiKey,
  defineAction,
  defineConnector,
  defineModel,
  hmac,
  type Json,
  type MetadataHook,
  oauth2,
  timingSafeEqual,
  type WriteOutcome,
} from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import { getResponse, HttpResponse, http } from "msw";
import { z } from "zod";

export const TASKS_API = "https://api.tasks.test/v1";
export const TASKS_API_KEY = "tasks_key_abcdef123456";
export const TASKS_WEBHOOK_SECRET = "whsec_tasks_0123456789";

export interface Task {
  id: string;
  title: string;
  status: "open" | "done";
  updated_at: string;
}

interface Change {
  seq: number;
  id: string;
  deleted: boolean;
}

/** The provider's state, and its MSW handlers. */
export function createTasksFake(options: { now?: () => number; oauth?: FakeOAuthServer } = {}) {
  const now = options.now ?? Date.now;
  let rateLimited = 0;
  const tasks = new Map<string, Task>();
  const log: Change[] = [];
  let seq = 0;
  let nextId = 1;
  const stats = {
    listCalls: 0,
    changesCalls: 0,
    writes: 0,
    reads: 0,
    inFlight: 0,
    peakInFlight: 0,
  };
  /** Webhook subscriptions, as a provider with per-subscription signing secrets keeps them. */
  const subscriptions = new Map<
    string,
    { id: string; url: string; secret: string; expiresAt: number }
  >();
  let nextSubscription = 1;
  /** Fault injection: answer the Nth list call with this status. */
  const faults: Array<{ onListCall: number; status: number }> = [];

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
    /** Delete; with `tombstone: false` the changes feed never reports it (a hard delete). */
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

  const unauthorized = () =>
    HttpResponse.json({ error: { code: "unauthorized", message: "bad api key" } }, { status: 401 });
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

  const handlers = [
    http.post(`${TASKS_API}/webhooks`, async ({ request }) => {
      if (!authed(request)) return unauthorized();
      const { url } = (await request.json()) as { url?: string };
      if (typeof url !== "string" || !url.startsWith("https://")) {
        return HttpResponse.json(
          { error: { code: "invalid", message: "url must be https" } },
          { status: 422 },
        );
      }
      const id = `wh_${nextSubscription++}`;
      const sub = {
        id,
        url,
        secret: `whsec_${id}_${Math.random().toString(36).slice(2, 12)}`,
        expiresAt: now() + 7 * 86_400_000,
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
      if (!sub)
        return HttpResponse.json(
          { error: { code: "not_found", message: "no such webhook" } },
          { status: 404 },
        );
      sub.expiresAt = now() + 7 * 86_400_000;
      return HttpResponse.json({ id: sub.id, expires_at: new Date(sub.expiresAt).toISOString() });
    }),
    http.delete(`${TASKS_API}/webhooks/:id`, ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      return subscriptions.delete(String(params.id))
        ? new HttpResponse(null, { status: 204 })
        : HttpResponse.json(
            { error: { code: "not_found", message: "no such webhook" } },
            { status: 404 },
          );
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
      if (fault)
        return HttpResponse.json(
          { error: { code: "internal", message: "boom" } },
          { status: fault.status },
        );
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const after = url.searchParams.get("page_token") ?? "";
      const all = api.sorted().filter((t) => t.id > after);
      const page = all.slice(0, limit);
      const more = all.length > limit;
      return HttpResponse.json({
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
      if (typeof body.title !== "string") {
        return HttpResponse.json(
          { error: { code: "invalid", message: "title is required" } },
          { status: 422 },
        );
      }
      return HttpResponse.json(
        api.create({ title: body.title, status: body.status === "done" ? "done" : "open" }),
        { status: 201 },
      );
    }),
    http.patch(`${TASKS_API}/tasks/:id`, async ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      stats.writes++;
      const id = String(params.id);
      if (!tasks.has(id))
        return HttpResponse.json(
          { error: { code: "not_found", message: "no such task" } },
          { status: 404 },
        );
      const body = (await request.json()) as Partial<Task>;
      return HttpResponse.json(api.update(id, { title: body.title, status: body.status }));
    }),
    http.delete(`${TASKS_API}/tasks/:id`, ({ request, params }) => {
      if (!authed(request)) return unauthorized();
      stats.writes++;
      const id = String(params.id);
      if (!tasks.has(id))
        return HttpResponse.json(
          { error: { code: "not_found", message: "no such task" } },
          { status: 404 },
        );
      api.remove(id);
      return new HttpResponse(null, { status: 204 });
    }),
  ];

  /** A webhook delivery as the provider sends it, signed unless `secret` is wrong. */
  function webhook(
    body: unknown,
    options: { secret?: string; timestamp?: number; deliveryId?: string } = {},
  ): Request {
    const raw = JSON.stringify(body);
    const t = options.timestamp ?? Math.floor(now() / 1000);
    const signature = hmac("sha256", options.secret ?? TASKS_WEBHOOK_SECRET, `${t}.${raw}`, "hex");
    return new Request("https://app.example.com/webhooks/tasks", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-tasks-signature": `t=${t},v1=${signature}`,
        "x-tasks-delivery": options.deliveryId ?? `dlv_${Math.random().toString(36).slice(2)}`,
      },
      body: raw,
    });
  }

  /** A `fetch` answered by the handlers in process, for `createPatchbay({ fetch })` (no MSW server). */
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await getResponse(handlers, request);
    if (response === undefined) throw new Error(`unhandled ${request.method} ${request.url}`);
    return response;
  };

  return { ...api, handlers, webhook, fetch };
}

/** Files written by the Tasks connector's destination, by tenant. */
export const writtenFiles: Array<{ connectionId: string; name: string; bytes: number }> = [];

const TaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(["open", "done"]),
  updated_at: z.string(),
  fetched_at: z.string().optional(),
});

type Checkpoint = { pageToken: string } | { since: string } | null;

/** The Tasks connector. */
export function tasksConnector(
  options: {
    pageSize?: number;
    fullEvery?: number;
    maxFailures?: number;
    oauth?: FakeOAuthServer;
  } = {},
) {
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
          clientId: "tasks-app",
          clientSecret: "tasks-app-secret",
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
    actions: {
      countTasks: defineAction({
        input: z.object({ status: z.enum(["open", "done"]) }),
        async run(ctx, input) {
          const { data } = await ctx.http.get<{ tasks: Array<{ status: string }> }>("/tasks", {
            query: { limit: 100 },
          });
          return data.tasks.filter((t) => t.status === input.status).length;
        },
      }),
    },
    destination: {
      async writeFile(ctx, file) {
        await ctx.http.get("/account");
        writtenFiles.push({
          connectionId: ctx.connection.id,
          name: file.name,
          bytes: file.body.byteLength,
        });
        return { fileId: `file_${writtenFiles.length}`, url: null, replaced: false };
      },
    },
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
              deleted: data.changes.filter((c) => c.deleted).map((c) => c.id!),
              checkpoint: resume,
              cursor: data.sync_token ?? undefined,
            };
            if (data.next_since === null) return;
            since = data.next_since;
          }
        },
        async read(ctx, ids) {
          const { data } = await ctx.http.post<{ tasks: z.infer<typeof TaskSchema>[] }>(
            "/tasks:batchGet",
            { json: { ids } },
          );
          return data.tasks;
        },
        async write(ctx, changes) {
          const out: WriteOutcome<z.infer<typeof TaskSchema>>[] = [];
          for (const change of changes) {
            try {
              if (change.op === "create") {
                const { data } = await ctx.http.post<z.infer<typeof TaskSchema>>("/tasks", {
                  json: { title: change.data.title, status: change.data.status },
                });
                out.push({ ok: true, externalId: data.id, data });
              } else if (change.op === "update") {
                const { data } = await ctx.http.patch<z.infer<typeof TaskSchema>>(
                  `/tasks/${change.externalId}`,
                  {
                    json: { title: change.data.title, status: change.data.status },
                  },
                );
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
