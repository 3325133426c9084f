// packages/tasks/src/testing/fake.ts: a stateful fake of the Tasks API, as MSW handlers.
import { hmac } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { TASKS_API } from "./tasks-connector.js";

export const TASKS_SANDBOX = { apiKey: "tasks_key_sandbox", webhookSecret: "whsec_tasks_sandbox" };

interface Task {
  id: string;
  title: string;
  status: "open" | "done";
  updated_at: string;
}

export function createTasksFake() {
  const tasks = new Map<string, Task>();
  const log: Array<{ seq: number; id: string }> = []; // the changes feed
  let seq = 0;
  let nextId = 1;
  let rateLimited = 0;

  const touch = (id: string) => log.push({ seq: ++seq, id });
  const create = (title: string, status: Task["status"] = "open"): Task => {
    const task = { id: `t${nextId++}`, title, status, updated_at: new Date().toISOString() };
    tasks.set(task.id, task);
    touch(task.id);
    return task;
  };
  const update = (id: string, patch: Partial<Task>): Task => {
    const task = Object.assign(tasks.get(id) ?? create("?"), patch, {
      updated_at: new Date().toISOString(),
    });
    touch(id);
    return task;
  };
  const remove = (id: string) => {
    tasks.delete(id);
    touch(id);
  };

  // Every handler checks the key, and answers 429 while `rateLimitNext` has budget.
  const guard = (request: Request) => {
    if (request.headers.get("x-api-key") !== TASKS_SANDBOX.apiKey)
      return HttpResponse.json({ error: "unauthorized" }, { status: 401 });
    if (rateLimited > 0) {
      rateLimited--;
      return HttpResponse.json(
        { error: "rate_limited" },
        { status: 429, headers: { "retry-after": "1" } },
      );
    }
    return undefined;
  };

  const handlers = [
    http.get(
      `${TASKS_API}/account`,
      ({ request }) => guard(request) ?? HttpResponse.json({ id: "acct_1" }),
    ),
    http.get(`${TASKS_API}/tasks`, ({ request }) => {
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const after = url.searchParams.get("page_token") ?? "";
      const all = [...tasks.values()]
        .sort((a, b) => a.id.localeCompare(b.id))
        .filter((t) => t.id > after);
      const page = all.slice(0, limit);
      const more = all.length > limit;
      return (
        guard(request) ??
        HttpResponse.json({
          tasks: page,
          next_page_token: more ? (page.at(-1)?.id ?? null) : null,
          sync_token: more ? null : String(seq),
        })
      );
    }),
    http.get(`${TASKS_API}/changes`, ({ request }) => {
      const since = Number(new URL(request.url).searchParams.get("since") ?? 0);
      const ids = [...new Set(log.filter((c) => c.seq > since).map((c) => c.id))];
      return (
        guard(request) ??
        HttpResponse.json({
          changes: ids.map((id) =>
            tasks.has(id) ? { task: tasks.get(id) } : { id, deleted: true },
          ),
          next_since: null,
          sync_token: String(seq),
        })
      );
    }),
    http.post(`${TASKS_API}/tasks:batchGet`, async ({ request }) => {
      const { ids } = (await request.json()) as { ids: string[] };
      return (
        guard(request) ?? HttpResponse.json({ tasks: ids.flatMap((id) => tasks.get(id) ?? []) })
      );
    }),
    http.post(`${TASKS_API}/tasks`, async ({ request }) => {
      const body = (await request.json()) as { title: string; status?: Task["status"] };
      return guard(request) ?? HttpResponse.json(create(body.title, body.status), { status: 201 });
    }),
    http.patch(`${TASKS_API}/tasks/:id`, async ({ request, params }) => {
      const body = (await request.json()) as Partial<Task>;
      return guard(request) ?? HttpResponse.json(update(String(params.id), body));
    }),
    http.delete(`${TASKS_API}/tasks/:id`, ({ request, params }) => {
      remove(String(params.id));
      return guard(request) ?? new HttpResponse(null, { status: 204 });
    }),
  ];

  /** A delivery as Tasks sends it; `secret` other than the app's forges it. */
  function webhook(body: unknown, secret = TASKS_SANDBOX.webhookSecret): Request {
    const raw = JSON.stringify(body);
    const t = Math.floor(Date.now() / 1000);
    return new Request("https://app.example.com/integrations/webhooks/tasks", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-tasks-signature": `t=${t},v1=${hmac("sha256", secret, `${t}.${raw}`, "hex")}`,
      },
      body: raw,
    });
  }

  return {
    tasks,
    handlers,
    create,
    update,
    remove,
    webhook,
    rateLimitNext: (count = 1) => {
      rateLimited += count;
    },
  };
}
