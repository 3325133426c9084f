import type { AddressInfo } from "node:net";
import {
  apiKey,
  createPatchbay,
  defineConnector,
  defineModel,
  hmac,
  MemoryStore,
  type Patchbay,
  timingSafeEqual,
  Vault,
} from "@patchbay/core";
import express from "express";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { patchbayRouter } from "../src/index.js";

// A small provider so the adapter is exercised end to end: API key auth, one model, signed webhooks.
const API = "https://api.notes.test";
const KEY = "notes_key_123456";
const SECRET = "notes_webhook_secret";
const provider = setupServer(
  http.get(`${API}/notes`, ({ request }) =>
    request.headers.get("x-key") === KEY
      ? HttpResponse.json({ notes: [{ id: "n1", text: "hello" }] })
      : HttpResponse.json({ error: "bad key" }, { status: 401 }),
  ),
);
const notes = defineConnector({
  id: "notes",
  name: "Notes",
  category: "productivity",
  auth: apiKey({ header: "x-key", metadata: async () => ({ account: "acc_1" }) }),
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
  webhooks: {
    secret: "app",
    verify: (d) =>
      timingSafeEqual(d.headers.get("x-sig") ?? "", hmac("sha256", SECRET, d.rawBody, "hex")),
    route: () => ({ account: "acc_1" }),
    actions: () => [{ kind: "sync", model: "notes" }],
  },
});

let base = "";
let close: () => Promise<void> = async () => {};
let patchbay: Patchbay;

beforeAll(async () => {
  // Only the provider's host is intercepted; requests to the local Express server go through.
  provider.listen({ onUnhandledRequest: "bypass" });
  patchbay = createPatchbay({
    connectors: [notes],
    store: new MemoryStore(),
    vault: new Vault({ keys: [{ kid: "k", key: Buffer.alloc(32, 5).toString("base64") }] }),
  });
  const app = express();
  app.use(
    "/integrations",
    patchbayRouter(patchbay, {
      tenant: (req) => req.header("x-tenant") ?? null,
      cronSecret: "cron_secret_123",
    }),
  );
  app.use(express.json());
  app.post("/too-late", (_req, res) => void res.json({ ok: true }));
  const parsedFirst = express();
  parsedFirst.use(express.json());
  parsedFirst.use("/integrations", patchbayRouter(patchbay, { tenant: () => "t" }));
  const outer = express();
  outer.use("/parsed", parsedFirst);
  outer.use(app);
  const listener = outer.listen(0, "127.0.0.1");
  await new Promise((resolve) => listener.once("listening", resolve));
  base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => listener.close(() => resolve()));
});
afterEach(() => provider.resetHandlers());
afterAll(async () => {
  await close();
  provider.close();
});

const req = (path: string, init: RequestInit & { tenant?: string } = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: {
      ...(init.tenant ? { "x-tenant": init.tenant } : {}),
      ...(init.headers as Record<string, string>),
    },
  });

describe("patchbayRouter (Express)", () => {
  it("connects, syncs and reads, mounted at its path", async () => {
    const created = await req("/integrations/notes/connect", {
      method: "POST",
      tenant: "a",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ credentials: { apiKey: KEY } }),
    });
    expect(created.status).toBe(201);
    const { connection } = (await created.json()) as { connection: { id: string } };
    const sync = (await (
      await req(`/integrations/connections/${connection.id}/sync`, { method: "POST", tenant: "a" })
    ).json()) as { outcomes: Array<{ status: string }> };
    expect(sync.outcomes[0]!.status).toBe("succeeded");
    const feed = (await (
      await req(`/integrations/connections/${connection.id}/changes`, { tenant: "a" })
    ).json()) as { changes: Array<{ externalId: string }> };
    expect(feed.changes.map((c) => c.externalId)).toEqual(["n1"]);
  });

  it("keeps tenants apart (404) and refuses requests without a tenant (401)", async () => {
    const created = await req("/integrations/notes/connect", {
      method: "POST",
      tenant: "a",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ credentials: { apiKey: KEY } }),
    });
    const { connection } = (await created.json()) as { connection: { id: string } };
    expect((await req(`/integrations/connections/${connection.id}`, { tenant: "b" })).status).toBe(
      404,
    );
    expect(
      (await req(`/integrations/connections/${connection.id}`, { method: "DELETE", tenant: "b" }))
        .status,
    ).toBe(404);
    expect((await req("/integrations/connections")).status).toBe(401);
    expect((await req(`/integrations/connections/${connection.id}`, { tenant: "a" })).status).toBe(
      200,
    );
  });

  it("verifies webhooks over the raw body, and rejects forged ones", async () => {
    const body = JSON.stringify({ event: "note.changed" });
    const genuine = await req("/integrations/webhooks/notes", {
      method: "POST",
      headers: { "content-type": "application/json", "x-sig": hmac("sha256", SECRET, body, "hex") },
      body,
    });
    expect(genuine.status).toBe(202);
    const forged = await req("/integrations/webhooks/notes", {
      method: "POST",
      headers: { "content-type": "application/json", "x-sig": "0".repeat(64) },
      body,
    });
    expect(forged.status).toBe(401);
  });

  it("says clearly when a body parser ran first and ate the raw webhook body", async () => {
    const response = await req("/parsed/integrations/webhooks/notes", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "mount patchbayRouter() before express.json()",
    );
  });

  it("enforces the cron secret and the body limit", async () => {
    expect((await req("/integrations/cron", { method: "POST" })).status).toBe(401);
    expect(
      (
        await req("/integrations/cron", {
          method: "POST",
          headers: { authorization: "Bearer cron_secret_123" },
        })
      ).status,
    ).toBe(200);
    const huge = await req("/integrations/notes/connect", {
      method: "POST",
      tenant: "a",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ credentials: { apiKey: "x".repeat(100_000) } }),
    });
    expect(huge.status).toBe(413);
  });
});
