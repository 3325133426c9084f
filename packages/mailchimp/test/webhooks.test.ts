import { type Connection, type LifecycleContext, silentLogger } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  MAILCHIMP_WEBHOOK_EVENTS,
  type MailchimpConfig,
  readMailchimpConfig,
  subscriberHash,
} from "../src/index.js";
import {
  connectWithKey,
  connectWithOAuth,
  OAUTH_APP,
  stored,
  sync,
  TENANT,
  WEBHOOK_BASE,
  type World,
  world,
} from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ENDPOINT = `${WEBHOOK_BASE}/mailchimp`;

async function lifecycleContext(
  w: World,
  connection: Connection,
): Promise<LifecycleContext<MailchimpConfig>> {
  const fresh = await w.patchbay.connections.get(TENANT, connection.id);
  return {
    connection: fresh,
    config: readMailchimpConfig(fresh.config),
    metadata: fresh.metadata,
    http: await w.patchbay.connections.http(TENANT, connection.id),
    logger: silentLogger,
    webhookUrl: ENDPOINT,
  };
}

describe("webhook lifecycle (hook functions called directly)", () => {
  it("creates the list webhook with a secret in its URL, for member events from every source", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience().id;
    const connection = await connectWithKey(w);
    const ctx = await lifecycleContext(w, connection);
    const result = await w.connector.lifecycle?.setup?.({
      ...ctx,
      config: readMailchimpConfig({ listId }),
    });
    const hooks = [...w.fake.state.audience(listId).webhooks.values()];
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    const url = new URL(hook.url);
    expect(url.origin + url.pathname).toBe(ENDPOINT);
    expect(result).toEqual({
      webhookSecret: url.searchParams.get("secret"),
      metadata: { listId, webhookId: hook.id },
    });
    expect(result?.webhookSecret?.length).toBeGreaterThanOrEqual(32);
    expect(hook.events).toEqual({ ...MAILCHIMP_WEBHOOK_EVENTS });
    expect(hook.sources).toEqual({ user: true, admin: true, api: true });
  });

  it("is idempotent, moves the webhook when the audience changes, and removes it on teardown", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    const first = w.fake.seedAudience({ name: "A" }).id;
    const second = w.fake.seedAudience({ name: "B" }).id;
    const connection = await connectWithKey(w);
    const setup = w.connector.lifecycle!.setup!;
    const ctx = await lifecycleContext(w, connection);
    const created = await setup({ ...ctx, config: readMailchimpConfig({ listId: first }) });
    const withMeta = { ...ctx, metadata: { ...ctx.metadata, ...created?.metadata } };
    const again = await setup({ ...withMeta, config: readMailchimpConfig({ listId: first }) });
    expect(again).toEqual(created);
    expect(w.fake.state.audience(first).webhooks.size).toBe(1);

    const moved = await setup({ ...withMeta, config: readMailchimpConfig({ listId: second }) });
    expect(w.fake.state.audience(first).webhooks.size).toBe(0);
    expect(w.fake.state.audience(second).webhooks.size).toBe(1);
    expect(moved?.metadata).toMatchObject({ listId: second });
    expect(moved?.webhookSecret).not.toBe(created?.webhookSecret);

    await w.connector.lifecycle!.teardown!({
      ...ctx,
      metadata: { ...ctx.metadata, ...moved?.metadata },
    });
    expect(w.fake.state.audience(second).webhooks.size).toBe(0);
  });

  it("creates nothing when the host has no webhook URL", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience().id;
    const connection = await connectWithKey(w);
    const ctx = await lifecycleContext(w, connection);
    expect(
      await w.connector.lifecycle!.setup!({
        ...ctx,
        config: readMailchimpConfig({ listId }),
        webhookUrl: undefined,
      }),
    ).toBeUndefined();
    expect(w.fake.state.audience(listId).webhooks.size).toBe(0);
  });
});

describe("webhooks through patchbay.handleWebhook", () => {
  async function connected() {
    const w = world();
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience({ members: 2 }).id;
    // Connecting with the audience chosen runs lifecycle.setup (core), which creates the webhook.
    const connection = await connectWithKey(w, { listId });
    return { w, listId, connection: await w.patchbay.connections.get(TENANT, connection.id) };
  }

  it("answers Mailchimp's validation GET with 200 (the webhook was created through it)", async () => {
    const { w, listId, connection } = await connected();
    expect(connection.metadata).toMatchObject({ listId });
    const [hook] = w.fake.state.audience(listId).webhooks.values();
    expect(hook).toBeDefined();
    const answer = await w.patchbay.handleWebhook("mailchimp", w.fake.validationRequest(hook!.url));
    expect(answer.status).toBe(200);
  });

  it("refuses to create the webhook when the endpoint does not answer the validation GET", async () => {
    const w = world({ fake: { webhookEndpoint: () => new Response("nope", { status: 404 }) } });
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience().id;
    const connection = await connectWithKey(w);
    const ctx = await lifecycleContext(w, connection);
    await expect(
      w.connector.lifecycle!.setup!({ ...ctx, config: readMailchimpConfig({ listId }) }),
    ).rejects.toThrow(/Invalid Resource: .*url: The URL did not return a 200/);
    expect(w.fake.state.audience(listId).webhooks.size).toBe(0);
  });

  it("routes a form-encoded delivery by data[list_id], checks the URL secret, and syncs members", async () => {
    const { w, listId, connection } = await connected();
    await sync(w, connection.id, "members");
    w.fake.subscribe(listId, "new.dj@station.example", { firstName: "New" });
    const answers = await w.fake.deliverWebhooks();
    expect(answers.map((a) => a.status)).toEqual([202]);
    const records = await stored(w, connection.id, "members");
    expect(records.has(subscriberHash("new.dj@station.example"))).toBe(true);
  });

  it("rejects a delivery whose URL secret is wrong, and applies nothing", async () => {
    const { w, listId, connection } = await connected();
    await sync(w, connection.id, "members");
    const runs = (await w.patchbay.sync.runs(TENANT, { connectionId: connection.id })).length;
    w.fake.subscribe(listId, "sneaky@station.example");
    w.fake.takeWebhookRequests();
    const forged = await w.patchbay.handleWebhook(
      "mailchimp",
      w.fake.webhook(connection, { forged: true }),
    );
    expect(forged.status).toBe(401);
    const bare = new URL(ENDPOINT);
    const noSecret = await w.patchbay.handleWebhook(
      "mailchimp",
      w.fake.deliveryRequest(bare.href, [
        ["type", "subscribe"],
        ["data[list_id]", listId],
      ]),
    );
    expect(noSecret.status).toBe(401);
    expect((await w.patchbay.sync.runs(TENANT, { connectionId: connection.id })).length).toBe(runs);
    expect(
      (await stored(w, connection.id, "members")).has(subscriberHash("sneaky@station.example")),
    ).toBe(false);
  });

  it("answers 404 for an audience no connection watches", async () => {
    const { w } = await connected();
    const other = w.fake.seedAudience({ name: "Other", members: 1 });
    const answer = await w.patchbay.handleWebhook(
      "mailchimp",
      w.fake.webhook({ config: { listId: other.id }, metadata: {} }, { forged: false }),
    );
    expect(answer.status).toBe(404);
  });

  it("drops the old address's record when a contact changes email (upemail)", async () => {
    const { w, listId, connection } = await connected();
    await sync(w, connection.id, "members");
    const old = w.fake.members(listId)[0]!;
    w.fake.changeEmail(listId, old.email_address, "moved@station.example");
    const answers = await w.fake.deliverWebhooks();
    expect(answers.map((a) => a.status)).toEqual([202]);
    const records = await stored(w, connection.id, "members");
    expect(records.has(old.id)).toBe(false);
    expect(records.has(subscriberHash("moved@station.example"))).toBe(true);
  });

  it("works the same for an OAuth connection", async () => {
    const w = world({ connector: { ...OAUTH_APP } });
    server.use(...w.fake.handlers);
    const listId = w.fake.seedAudience({ members: 1 }).id;
    const connection = await connectWithOAuth(w, { listId });
    expect((await w.patchbay.connections.get(TENANT, connection.id)).metadata).toMatchObject({
      listId,
      dc: "us6",
    });
    w.fake.unsubscribe(listId, "contact1@example.com");
    expect((await w.fake.deliverWebhooks()).map((a) => a.status)).toEqual([202]);
  });

  it("removes the webhook when the connection is disconnected", async () => {
    const { w, listId, connection } = await connected();
    expect(w.fake.state.audience(listId).webhooks.size).toBe(1);
    await w.patchbay.connections.disconnect(TENANT, connection.id);
    expect(w.fake.state.audience(listId).webhooks.size).toBe(0);
  });
});
