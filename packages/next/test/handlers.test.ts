import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  MemoryStore,
  Vault,
} from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { patchbayHandlers } from "../src/index.js";

const API = "https://api.notes.test";
const KEY = "notes_key_123456";
const provider = setupServer(
  http.get(`${API}/notes`, ({ request }) =>
    request.headers.get("x-key") === KEY
      ? HttpResponse.json({ notes: [{ id: "n1", text: "hi" }] })
      : HttpResponse.json({}, { status: 401 }),
  ),
);
beforeAll(() => provider.listen({ onUnhandledRequest: "error" }));
afterAll(() => provider.close());

const notes = defineConnector({
  id: "notes",
  name: "Notes",
  category: "productivity",
  auth: apiKey({ header: "x-key" }),
  http: { baseUrl: API },
  models: {
    notes: defineModel({
      schema: z.object({ id: z.string(), text: z.string() }),
      key: "id",
      async *sync(ctx) {
        yield { records: (await ctx.http.get<{ notes: unknown[] }>("/notes")).data.notes };
      },
    }),
  },
});

// As in app/api/integrations/[...patchbay]/route.ts; the tenant comes from the session (a header here).
const { GET, POST, PUT, DELETE } = patchbayHandlers(
  createPatchbay({
    connectors: [notes],
    store: new MemoryStore(),
    vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 8).toString("base64") }] }),
  }),
  {
    basePath: "/api/integrations",
    tenant: (request) => request.headers.get("x-tenant"),
    cronSecret: "cron_secret_123",
  },
);
const url = (path: string) => `https://app.example.com/api/integrations${path}`;
const as = (tenant: string | null, init: RequestInit = {}) => ({
  ...init,
  headers: {
    ...(tenant ? { "x-tenant": tenant } : {}),
    ...(init.headers as Record<string, string>),
  },
});

describe("patchbayHandlers (Next.js App Router)", () => {
  it("serves every route through the exported GET/POST/PUT/DELETE handlers", async () => {
    const created = await POST(
      new Request(
        url("/notes/connect"),
        as("a", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ credentials: { apiKey: KEY } }),
        }),
      ),
    );
    expect(created.status).toBe(201);
    const { connection } = (await created.json()) as { connection: { id: string } };
    const mapped = await PUT(
      new Request(
        url(`/connections/${connection.id}/mapping/notes`),
        as("a", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ body: "text" }),
        }),
      ),
    );
    expect(mapped.status).toBe(200);
    const synced = (await (
      await POST(
        new Request(url(`/connections/${connection.id}/sync`), as("a", { method: "POST" })),
      )
    ).json()) as { outcomes: Array<{ status: string }> };
    expect(synced.outcomes[0]!.status).toBe("succeeded");
    const feed = (await (
      await GET(new Request(url(`/connections/${connection.id}/changes`), as("a")))
    ).json()) as { changes: Array<{ data: unknown }> };
    expect(feed.changes[0]!.data).toEqual({ body: "hi" });
    expect(
      (
        await DELETE(
          new Request(url(`/connections/${connection.id}`), as("b", { method: "DELETE" })),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await DELETE(
          new Request(url(`/connections/${connection.id}`), as("a", { method: "DELETE" })),
        )
      ).status,
    ).toBe(200);
  });

  it("refuses without a tenant and guards cron with the secret", async () => {
    expect((await GET(new Request(url("/connections"), as(null)))).status).toBe(401);
    expect((await POST(new Request(url("/cron"), { method: "POST" }))).status).toBe(401);
    expect(
      (
        await POST(
          new Request(url("/cron"), {
            method: "POST",
            headers: { authorization: "Bearer cron_secret_123" },
          }),
        )
      ).status,
    ).toBe(200);
  });

  it("rejects malformed bodies with 400 and stores nothing", async () => {
    const bad = await POST(
      new Request(
        url("/notes/connect"),
        as("c", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      ),
    );
    expect(bad.status).toBe(400);
    expect(
      (
        (await (await GET(new Request(url("/connections"), as("c")))).json()) as {
          connections: unknown[];
        }
      ).connections,
    ).toEqual([]);
  });
});
