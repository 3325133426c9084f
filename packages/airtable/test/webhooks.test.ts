import { parseWebhookPayload } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AIRTABLE_MAC_HEADER,
  airtable,
  verifyAirtableSignature,
  WEBHOOK_REFRESH_EVERY_MINUTES,
} from "../src/index.js";
import { AIRTABLE_SANDBOX } from "../src/testing/index.js";
import { calls, SANDBOX_CONFIG, TENANT, WEBHOOK_BASE, WEBHOOK_URL, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 24 * 3600 * 1000;
const lifecycle = airtable({ auth: "pat" }).lifecycle!;

async function rawDelivery(request: Request) {
  const rawBody = new Uint8Array(await request.arrayBuffer());
  const text = new TextDecoder().decode(rawBody);
  const parsed = parseWebhookPayload(request.headers.get("content-type"), text);
  return {
    headers: request.headers,
    url: new URL(request.url),
    method: request.method,
    rawBody,
    text,
    payload: parsed.ok ? parsed.payload : undefined,
  };
}

describe("webhook lifecycle", () => {
  it("setup creates a webhook on the configured table, pointing at the host's URL, and returns its MAC secret", async () => {
    const w = await world(server, { config: null });
    await w.patchbay.connections.configure(TENANT, w.connection.id, SANDBOX_CONFIG);
    const result = await lifecycle.setup!(await w.lifecycleContext());
    const [hook] = w.fake.webhooks();
    expect(hook).toMatchObject({
      notificationUrl: WEBHOOK_URL,
      specification: {
        options: {
          filters: { dataTypes: ["tableData"], recordChangeScope: AIRTABLE_SANDBOX.tableId },
        },
      },
    });
    expect(result).toEqual({
      metadata: {
        baseId: AIRTABLE_SANDBOX.baseId,
        webhookId: hook!.id,
        webhookTableId: AIRTABLE_SANDBOX.tableId,
        webhookNotificationUrl: WEBHOOK_URL,
        webhookExpiresAt: new Date(hook!.expiresAt!).toISOString(),
      },
      webhookSecret: hook!.macSecretBase64,
    });
  });

  it("setup does nothing before a table is chosen, or when the host has no webhook URL", async () => {
    const w = await world(server, { config: null });
    expect(await lifecycle.setup!(await w.lifecycleContext())).toBeUndefined();
    await w.patchbay.connections.configure(TENANT, w.connection.id, SANDBOX_CONFIG);
    expect(
      await lifecycle.setup!(await w.lifecycleContext({ webhookUrl: undefined })),
    ).toBeUndefined();
    expect(calls(w.fake, /webhooks/)).toEqual([]);
  });

  it("setup is idempotent: a second run refreshes the same webhook; a new table replaces it", async () => {
    let clock = Date.parse("2025-03-01T12:00:00.000Z");
    const w = await world(server, { config: null, fake: { now: () => clock, rateLimit: false } });
    await w.patchbay.connections.configure(TENANT, w.connection.id, SANDBOX_CONFIG);
    const first = await lifecycle.setup!(await w.lifecycleContext());
    const metadata = first!.metadata!;
    clock += 2 * DAY;
    const again = await lifecycle.setup!(await w.lifecycleContext({ metadata }));
    expect(again).toEqual({
      metadata: { ...metadata, webhookExpiresAt: new Date(clock + 7 * DAY).toISOString() },
    });
    expect(again).not.toHaveProperty("webhookSecret");
    expect(w.fake.webhooks()).toHaveLength(1);

    const { tableId } = w.fake.addTable(AIRTABLE_SANDBOX.baseId, { name: "Festivals" });
    const config = { ...SANDBOX_CONFIG, tableId };
    const moved = await lifecycle.setup!(await w.lifecycleContext({ metadata, config }));
    const hooks = w.fake.webhooks();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.id).not.toBe(metadata.webhookId);
    expect(moved).toMatchObject({
      metadata: { webhookId: hooks[0]!.id, webhookTableId: tableId },
      webhookSecret: hooks[0]!.macSecretBase64,
    });
  });

  it("maintenance refreshes the webhook daily, before Airtable's 7-day expiry, and recreates one that expired", async () => {
    let clock = Date.parse("2025-03-01T12:00:00.000Z");
    const w = await world(server, { config: null, fake: { now: () => clock, rateLimit: false } });
    await w.patchbay.connections.configure(TENANT, w.connection.id, SANDBOX_CONFIG);
    const { metadata } = (await lifecycle.setup!(await w.lifecycleContext()))!;
    expect(WEBHOOK_REFRESH_EVERY_MINUTES).toBe(24 * 60);
    expect(lifecycle.maintenance!.everyMinutes * 60_000).toBeLessThan(7 * DAY);

    clock += 6 * DAY;
    const refreshed = await lifecycle.maintenance!.run(await w.lifecycleContext({ metadata }));
    expect(refreshed).toMatchObject({
      metadata: {
        webhookId: metadata!.webhookId,
        webhookExpiresAt: new Date(clock + 7 * DAY).toISOString(),
      },
    });

    clock += 8 * DAY; // nobody refreshed it: Airtable disabled it
    const recreated = await lifecycle.maintenance!.run(await w.lifecycleContext({ metadata }));
    const live = w.fake.webhooks().filter((h) => h.expiresAt! > clock);
    expect(live).toHaveLength(1);
    expect(recreated).toMatchObject({
      metadata: { webhookId: live[0]!.id },
      webhookSecret: live[0]!.macSecretBase64,
    });
    expect(live[0]!.id).not.toBe(metadata!.webhookId);
  });

  it("teardown deletes the webhook", async () => {
    const w = await world(server, { config: null });
    await w.patchbay.connections.configure(TENANT, w.connection.id, SANDBOX_CONFIG);
    const { metadata } = (await lifecycle.setup!(await w.lifecycleContext()))!;
    await lifecycle.teardown!(await w.lifecycleContext({ metadata }));
    expect(w.fake.webhooks()).toEqual([]);
    // A second teardown (webhook already gone) is fine.
    await expect(
      lifecycle.teardown!(await w.lifecycleContext({ metadata })),
    ).resolves.toBeUndefined();
  });

  it("end to end: connect creates the webhook, disconnect removes it", async () => {
    const w = await world(server, { auth: "oauth", patchbay: { webhookBaseUrl: WEBHOOK_BASE } });
    const connection = await w.current();
    const [hook] = w.fake.webhooks();
    expect(hook?.notificationUrl).toBe(WEBHOOK_URL);
    expect(connection.metadata).toMatchObject({
      baseId: AIRTABLE_SANDBOX.baseId,
      webhookId: hook!.id,
    });
    expect(JSON.stringify(connection)).not.toContain(hook!.macSecretBase64);
    await w.patchbay.connections.disconnect(TENANT, connection.id);
    expect(w.fake.webhooks()).toEqual([]);
  });
  it("end to end: runMaintenance refreshes the webhook before Airtable's 7 days run out", async () => {
    let clock = Date.parse("2025-03-01T12:00:00.000Z");
    const w = await world(server, {
      fake: { now: () => clock, rateLimit: false },
      patchbay: { webhookBaseUrl: WEBHOOK_BASE, now: () => clock },
    });
    const [hook] = w.fake.webhooks();
    expect(hook!.expiresAt).toBe(clock + 7 * DAY);
    clock += 6 * DAY;
    expect(await w.patchbay.runMaintenance()).toEqual({ ran: 1, failed: [] });
    expect(w.fake.webhooks()[0]!.expiresAt).toBe(clock + 7 * DAY);
    expect((await w.current()).metadata.webhookExpiresAt).toBe(
      new Date(clock + 7 * DAY).toISOString(),
    );
  });

  it("the fake can deliver its pings itself (notify), like Airtable, and each one syncs", async () => {
    let handle: (request: Request) => Promise<Response> = async () =>
      new Response(null, { status: 503 });
    const w = await world(server, {
      patchbay: { webhookBaseUrl: WEBHOOK_BASE },
      fake: { notify: (request) => handle(request) },
    });
    handle = (request) => w.patchbay.handleWebhook("airtable", request);
    const [id] = w.fake.seedTable(1);
    await vi.waitFor(async () => expect((await w.stored()).has(id!)).toBe(true), { timeout: 5000 });
    w.fake.editRecord(id!, { Notes: "Played it twice this week" });
    await vi.waitFor(
      async () =>
        expect((await w.stored()).get(id!)?.data).toMatchObject({
          Notes: "Played it twice this week",
        }),
      { timeout: 5000 },
    );
  });
});

describe("X-Airtable-Content-MAC", () => {
  async function signed() {
    const w = await world(server, { patchbay: { webhookBaseUrl: WEBHOOK_BASE } });
    const connection = await w.current();
    const [hook] = w.fake.webhooks();
    return { w, connection, secret: hook!.macSecretBase64 };
  }

  it("accepts a genuine ping: HMAC-SHA256 of the raw body under the base64-decoded secret", async () => {
    const { w, connection, secret } = await signed();
    const request = w.fake.webhook(connection);
    expect(request.headers.get(AIRTABLE_MAC_HEADER)).toMatch(/^hmac-sha256=[0-9a-f]{64}$/);
    expect(verifyAirtableSignature(await rawDelivery(request), secret)).toBe(true);
  });

  it("rejects a forged ping, an altered body, a missing header and a missing secret", async () => {
    const { w, connection, secret } = await signed();
    expect(
      verifyAirtableSignature(
        await rawDelivery(w.fake.webhook(connection, { forged: true })),
        secret,
      ),
    ).toBe(false);
    const genuine = w.fake.webhook(connection);
    const body = (await genuine.clone().text()).replace(
      /"timestamp":"[^"]+"/,
      '"timestamp":"2030-01-01T00:00:00.000Z"',
    );
    const altered = new Request(genuine.url, { method: "POST", headers: genuine.headers, body });
    expect(verifyAirtableSignature(await rawDelivery(altered), secret)).toBe(false);
    const unsigned = new Request(genuine.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await genuine.clone().text(),
    });
    expect(verifyAirtableSignature(await rawDelivery(unsigned), secret)).toBe(false);
    expect(verifyAirtableSignature(await rawDelivery(w.fake.webhook(connection)), undefined)).toBe(
      false,
    );
    // The hex of the secret used as is (not base64-decoded) must not verify either.
    expect(
      verifyAirtableSignature(
        await rawDelivery(w.fake.webhook(connection)),
        Buffer.from(secret).toString("base64"),
      ),
    ).toBe(false);
  });

  it("through handleWebhook: a genuine ping syncs the connection (202), a forged or altered one is refused (401)", async () => {
    const { w, connection } = await signed();
    const [id] = w.fake.seedTable(3);
    await w.sync();
    w.fake.editRecord(id!, { Status: "Played" });
    const handle = (r: Request) => w.patchbay.handleWebhook("airtable", r);

    const forged = await w.fake.deliver(connection, { forged: true, to: handle });
    expect(forged.status).toBe(401);
    const genuine = w.fake.webhook(connection);
    const altered = new Request(genuine.url, {
      method: "POST",
      headers: genuine.headers,
      body: (await genuine.clone().text()).replace(
        /"timestamp":"[^"]+"/,
        '"timestamp":"2030-01-01T00:00:00.000Z"',
      ),
    });
    expect((await handle(altered)).status).toBe(401);
    expect((await w.stored()).get(id!)?.data).toMatchObject({
      Status: expect.not.stringMatching("Played"),
    });

    expect((await handle(genuine)).status).toBe(202);
    expect((await w.stored()).get(id!)?.data).toMatchObject({ Status: "Played" });
    const runs = await w.patchbay.sync.runs(TENANT, { connectionId: connection.id });
    expect(
      runs.some((r) => r.trigger === "webhook" && r.mode === "incremental" && r.updated === 1),
    ).toBe(true);
  });

  it("routes a ping by its base and webhook ids", async () => {
    const { w, connection } = await signed();
    const delivery = await rawDelivery(w.fake.webhook(connection));
    expect(airtable({ auth: "pat" }).webhooks!.route(delivery)).toEqual({
      baseId: AIRTABLE_SANDBOX.baseId,
      webhookId: connection.metadata.webhookId,
    });
  });
});

describe("incremental sync from the webhook payload log", () => {
  async function hooked() {
    const w = await world(server, { patchbay: { webhookBaseUrl: WEBHOOK_BASE } });
    const connection = await w.current();
    const hookId = String(connection.metadata.webhookId);
    return {
      w,
      hookId,
      payloadCalls: () => calls(w.fake, new RegExp(`GET bases/.*/webhooks/${hookId}/payloads`)),
    };
  }

  it("reads payloads from the stored cursor until mightHaveMore is false (50 per page)", async () => {
    const { w, hookId, payloadCalls } = await hooked();
    const ids = w.fake.seedTable(3);
    await w.sync("full");
    for (let i = 0; i < 120; i++) w.fake.editRecord(ids[i % 3]!, { Plays: 100 + i });
    const run = await w.sync("incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 3 });
    expect(payloadCalls()).toHaveLength(3); // 50 + 50 + 20
    expect((await w.stored()).get(ids[2]!)?.data).toMatchObject({ Plays: 219 });

    // The next run starts after the last payload read: one call, nothing new, no listing.
    const listings = calls(w.fake, /^GET appSandboxRadio01\/tblSandboxPitch01$/).length;
    expect(await w.sync("incremental")).toMatchObject({
      status: "succeeded",
      inserted: 0,
      updated: 0,
      deleted: 0,
    });
    expect(payloadCalls()).toHaveLength(4);
    expect(calls(w.fake, /^GET appSandboxRadio01\/tblSandboxPitch01$/)).toHaveLength(listings);
    // 3 seeded + 120 edits; the full run had already moved the cursor past the first 3.
    expect(w.fake.payloads(hookId)).toHaveLength(123);
  });

  it("turns destroyed records into tombstones without a full run, and without listing the table", async () => {
    const { w } = await hooked();
    const ids = w.fake.seedTable(4);
    await w.sync("full");
    const listings = calls(w.fake, /^GET appSandboxRadio01\/tblSandboxPitch01$/).length;
    w.fake.deleteRecord(ids[1]!);
    const run = await w.sync("incremental");
    expect(run).toMatchObject({ status: "succeeded", deleted: 1 });
    expect((await w.stored()).get(ids[1]!)?.deletedAt).not.toBeNull();
    expect(calls(w.fake, /^GET appSandboxRadio01\/tblSandboxPitch01$/)).toHaveLength(listings);
  });

  it("lists by LAST_MODIFIED_TIME when payloads report created or changed records", async () => {
    const { w } = await hooked();
    w.fake.seedTable(2);
    await w.sync("full");
    const added = w.fake.createRecord({ Name: "Added in Airtable" });
    const run = await w.sync("incremental");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1 });
    expect((await w.stored()).has(added)).toBe(true);
  });
});
