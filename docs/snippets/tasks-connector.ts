// packages/tasks/src/connector.ts: a connector declares; core behaves.
import {
  apiKey,
  defineConnector,
  defineModel,
  hmac,
  timingSafeEqual,
  type WriteOutcome,
} from "@patchbay/core";
import { z } from "zod";

export const TASKS_API = "https://api.tasks.test/v1";

// Wire type: the provider's own field names.
const Task = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(["open", "done"]),
  updated_at: z.string(),
  fetched_at: z.string().optional(),
});
type Task = z.infer<typeof Task>;

/** Tasks: two-way tasks, incremental through a changes feed, signed webhooks. */
export function tasks(options: { webhookSecret: string; pageSize?: number }) {
  const pageSize = options.pageSize ?? 100;
  return defineConnector({
    id: "tasks", // equals the package folder
    name: "Tasks",
    category: "productivity",
    auth: apiKey({
      header: "x-api-key",
      // Learn who this is once, at connect time: webhooks are routed by it.
      metadata: async ({ http }) => ({
        account: (await http.get<{ id: string }>("/account")).data.id,
      }),
    }),
    http: { baseUrl: TASKS_API, rateLimits: [{ requests: 10, intervalMs: 1000 }] },
    test: async ({ http }) => void (await http.get("/tasks", { query: { limit: 1 } })),
    models: {
      tasks: defineModel({
        description: "The account's tasks.",
        schema: Task,
        key: "id",
        volatile: ["fetched_at"], // changes on every read: ignored when diffing
        updatedAt: (t) => t.updated_at, // for "newest wins" conflicts
        modes: ["full", "incremental"],
        defaultMapping: { name: "title", state: "status" },
        async *sync(ctx) {
          if (ctx.mode === "full") {
            let token = typeof ctx.checkpoint === "string" ? ctx.checkpoint : undefined;
            do {
              const { data } = await ctx.http.get<{
                tasks: unknown[];
                next_page_token: string | null;
                sync_token: string | null;
              }>("/tasks", { query: { limit: pageSize, page_token: token } });
              token = data.next_page_token ?? undefined;
              // checkpoint: where to resume; cursor (last page): where the next incremental run starts
              yield {
                records: data.tasks,
                checkpoint: token,
                cursor: data.sync_token ?? undefined,
              };
            } while (token !== undefined);
            return;
          }
          let since =
            typeof ctx.checkpoint === "string" ? ctx.checkpoint : String(ctx.cursor ?? "0");
          for (;;) {
            const { data } = await ctx.http.get<{
              changes: Array<{ task?: unknown; id?: string; deleted?: boolean }>;
              next_since: string | null;
              sync_token: string | null;
            }>("/changes", { query: { since, limit: pageSize } });
            yield {
              records: data.changes.flatMap((c) => (c.task === undefined ? [] : [c.task])),
              deleted: data.changes.flatMap((c) => (c.deleted && c.id ? [c.id] : [])), // tombstones
              checkpoint: data.next_since ?? undefined,
              cursor: data.sync_token ?? undefined,
            };
            if (data.next_since === null) return;
            since = data.next_since;
          }
        },
        async read(ctx, ids) {
          const { data } = await ctx.http.post<{ tasks: Task[] }>("/tasks:batchGet", {
            json: { ids },
          });
          return data.tasks;
        },
        async write(ctx, changes) {
          const out: WriteOutcome<Task>[] = [];
          for (const change of changes) {
            try {
              if (change.op === "delete") {
                await ctx.http.delete(`/tasks/${change.externalId}`);
                out.push({ ok: true, externalId: change.externalId });
                continue;
              }
              const json = { title: change.data.title, status: change.data.status };
              const { data } =
                change.op === "create"
                  ? await ctx.http.post<Task>("/tasks", { json })
                  : await ctx.http.patch<Task>(`/tasks/${change.externalId}`, { json });
              out.push({ ok: true, externalId: data.id, data });
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
      // `x-tasks-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
      verify: (delivery) => {
        const parts = new URLSearchParams(
          (delivery.headers.get("x-tasks-signature") ?? "").replaceAll(",", "&"),
        );
        const t = parts.get("t");
        const v1 = parts.get("v1");
        if (t === null || v1 === null) return false;
        return timingSafeEqual(
          v1,
          hmac("sha256", options.webhookSecret, `${t}.${delivery.text}`, "hex"),
        );
      },
      replay: {
        toleranceSeconds: 300,
        timestamp: (delivery) => {
          const match = /t=(\d+)/.exec(delivery.headers.get("x-tasks-signature") ?? "");
          return match ? Number(match[1]) : undefined;
        },
      },
      // Which connections a delivery is for: the metadata learnt at connect time.
      route: (delivery) => {
        const account = (delivery.payload as { account?: unknown } | undefined)?.account;
        return typeof account === "string" ? { account } : undefined;
      },
      actions: () => [{ kind: "sync", model: "tasks" }],
    },
  });
}
