import { type LifecycleContext, silentLogger, type WebhookDelivery } from "@patchbay/core";
import { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import { createLocalJWKSet } from "jose";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_CERTS_URL, gmail } from "../src/index.js";
import { fakeGoogleJwks, GMAIL_SANDBOX_PUBSUB } from "../src/testing/index.js";
import { connectWorld, contactOf, TENANT, type World } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function runs(w: World): Promise<number> {
  return (await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).length;
}

/** A push request as core hands it to `webhooks.verify` and `route`. */
async function deliveryOf(push: Request): Promise<WebhookDelivery> {
  return {
    headers: push.headers,
    url: new URL(push.url),
    method: "POST",
    rawBody: new Uint8Array(),
    text: "",
    payload: JSON.parse(await push.text()),
  };
}

async function lifecycleContext(w: World): Promise<LifecycleContext> {
  const connection = await w.current();
  return {
    connection,
    config: connection.config,
    metadata: connection.metadata,
    http: await w.patchbay.connections.http(TENANT, connection.id),
    logger: silentLogger,
    webhookUrl: "https://app.example.com/webhooks/gmail",
  };
}

describe("push: Pub/Sub deliveries", () => {
  it("a genuine push (Google-signed token) syncs replies for the mailbox it names", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    await w.track([pitch!], "cmp_push");
    await w.sync();
    const reply = w.fake.receiveReply({
      threadId: pitch!.threadId,
      from: contactOf(pitch!),
      text: "Sounds great",
    });

    const response = await w.patchbay.handleWebhook("gmail", await w.fake.pushNotification());
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "accepted", connections: 1 });
    expect((await w.replies()).get(reply.id)).toMatchObject({
      campaignId: "cmp_push",
      classification: "interested",
    });
  });

  it.each<[string, Parameters<World["fake"]["pushNotification"]>[0]]>([
    ["signed with a key Google never published", { forged: true }],
    ["for another audience", { audience: "https://evil.example/webhooks/gmail" }],
    ["from another service account", { email: "attacker@evil.iam.gserviceaccount.com" }],
    ["with an unverified email", { emailVerified: false }],
    ["expired", { issuedAt: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 3600 }],
    ["from another issuer", { issuer: "https://evil.example" }],
  ])("a push %s is rejected with 401 and syncs nothing", async (_title, options) => {
    const w = await connectWorld(server);
    const before = await runs(w);
    const response = await w.patchbay.handleWebhook(
      "gmail",
      await w.fake.pushNotification(options),
    );
    expect(response.status).toBe(401);
    expect(await runs(w)).toBe(before);
  });

  it("a push without a bearer token is rejected", async () => {
    const w = await connectWorld(server);
    const genuine = await w.fake.pushNotification();
    const stripped = new Request(genuine.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await genuine.text(),
    });
    expect((await w.patchbay.handleWebhook("gmail", stripped)).status).toBe(401);
  });

  it("a push for a mailbox no connection has is answered 404", async () => {
    const w = await connectWorld(server);
    const response = await w.patchbay.handleWebhook(
      "gmail",
      await w.fake.pushNotification({ emailAddress: "someone.else@example.com" }),
    );
    expect(response.status).toBe(404);
  });

  it("Pub/Sub redelivering the same message is applied once", async () => {
    const w = await connectWorld(server);
    const push = await w.fake.pushNotification();
    const again = push.clone();
    expect((await w.patchbay.handleWebhook("gmail", push)).status).toBe(202);
    const second = await w.patchbay.handleWebhook("gmail", again);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ status: "duplicate" });
  });

  it("verifies against an injected key set without fetching Google's certs", async () => {
    const w = await connectWorld(server);
    const fetched: string[] = [];
    server.events.on("request:start", ({ request }) => void fetched.push(request.url));
    const connector = gmail({
      ...GOOGLE_SANDBOX_CLIENT,
      pubsub: { ...GMAIL_SANDBOX_PUBSUB, jwks: await fakeGoogleJwks() },
    });
    const delivery = await deliveryOf(await w.fake.pushNotification());
    expect(await connector.webhooks!.verify(delivery, {})).toBe(true);
    expect(connector.webhooks!.route(delivery)).toEqual({ emailAddress: w.fake.emailAddress });
    expect(fetched).not.toContain(GOOGLE_CERTS_URL);
    server.events.removeAllListeners();
  });

  it("verifies with a jose key resolver as pubsub.jwks", async () => {
    const w = await connectWorld(server);
    const connector = gmail({
      ...GOOGLE_SANDBOX_CLIENT,
      pubsub: { ...GMAIL_SANDBOX_PUBSUB, jwks: createLocalJWKSet(await fakeGoogleJwks()) },
    });
    const verify = connector.webhooks!.verify;
    expect(await verify(await deliveryOf(await w.fake.pushNotification()), {})).toBe(true);
    expect(
      await verify(await deliveryOf(await w.fake.pushNotification({ forged: true })), {}),
    ).toBe(false);
  });

  it("the watch's own notifications drive a sync end to end", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    await w.track([pitch!]);
    await w.sync();
    await w.fake.takePushes();
    const reply = w.fake.receiveReply({ threadId: pitch!.threadId, from: contactOf(pitch!) });
    // A sent message is not in INBOX: the INBOX watch does not notify for it.
    w.fake.userSends({ to: "someone@example.com", subject: "Other", text: "x" });
    const pushes = await w.fake.takePushes();
    expect(pushes).toHaveLength(1);
    expect((await w.patchbay.handleWebhook("gmail", pushes[0]!)).status).toBe(202);
    expect((await w.replies()).has(reply.id)).toBe(true);
  });
});

describe("push: the watch's lifecycle", () => {
  it("connecting watches INBOX on the topic and keeps the expiry and address in metadata", async () => {
    const w = await connectWorld(server);
    expect(w.fake.watch).toMatchObject({
      topicName: GMAIL_SANDBOX_PUBSUB.topicName,
      labelIds: ["INBOX"],
      behavior: "include",
    });
    expect((await w.current()).metadata).toMatchObject({
      emailAddress: w.fake.emailAddress,
      watchTopic: GMAIL_SANDBOX_PUBSUB.topicName,
      watchExpiration: new Date(w.fake.watch!.expiration).toISOString(),
    });
  });

  it("setup leaves a fresh watch alone and re-watches when the topic changes", async () => {
    const w = await connectWorld(server);
    const watches = w.fake.calls["users.watch"] ?? 0;
    await w.connector.lifecycle!.setup!(await lifecycleContext(w));
    expect(w.fake.calls["users.watch"]).toBe(watches);

    const moved = gmail({
      ...GOOGLE_SANDBOX_CLIENT,
      pubsub: { ...GMAIL_SANDBOX_PUBSUB, topicName: "projects/patchbay-sandbox/topics/gmail-v2" },
    });
    // Core hands hooks the stored config as is; the connector parses it itself.
    const result = await moved.lifecycle!.setup!((await lifecycleContext(w)) as never);
    expect(w.fake.calls["users.watch"]).toBe(watches + 1);
    expect(result).toMatchObject({
      metadata: { watchTopic: "projects/patchbay-sandbox/topics/gmail-v2" },
    });
  });

  it("maintenance renews the watch daily", async () => {
    let clock = Date.now();
    const w = await connectWorld(server, { fake: { now: () => clock } });
    expect(w.connector.lifecycle!.maintenance!.everyMinutes).toBe(1440);
    const first = w.fake.watch!.expiration;
    clock += 24 * 60 * 60 * 1000;
    const result = await w.connector.lifecycle!.maintenance!.run(await lifecycleContext(w));
    expect(w.fake.watch!.expiration).toBe(first + 24 * 60 * 60 * 1000);
    expect(result).toEqual({
      metadata: {
        watchTopic: GMAIL_SANDBOX_PUBSUB.topicName,
        watchExpiration: new Date(first + 24 * 60 * 60 * 1000).toISOString(),
      },
    });
  });

  it("patchbay.runMaintenance renews the watch and stores the new expiry", async () => {
    let clock = Date.now();
    const w = await connectWorld(server, { fake: { now: () => clock } });
    const watches = w.fake.calls["users.watch"] ?? 0;
    clock += 60 * 60 * 1000;
    const report = await w.patchbay.runMaintenance();
    expect(report).toEqual({ ran: 1, failed: [] });
    expect(w.fake.calls["users.watch"]).toBe(watches + 1);
    expect((await w.current()).metadata.watchExpiration).toBe(
      new Date(w.fake.watch!.expiration).toISOString(),
    );
  });

  it("disconnecting stops the watch", async () => {
    const w = await connectWorld(server);
    expect(w.fake.watch).toBeDefined();
    await w.patchbay.connections.disconnect(TENANT, w.connection.id);
    expect(w.fake.watch).toBeUndefined();
    expect(w.fake.calls["users.stop"]).toBe(1);
  });

  it("a topic Gmail may not publish to fails setup without losing the connection", async () => {
    const w = await connectWorld(server, { fake: { publishGranted: false } });
    expect(w.fake.watch).toBeUndefined();
    expect((await w.current()).status).toBe("active");
    await expect(w.connector.lifecycle!.setup!(await lifecycleContext(w))).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("User not authorized"),
    });
  });

  it("without pubsub there are no webhooks and no watch", async () => {
    const w = await connectWorld(server, { pubsub: false });
    expect(w.connector.webhooks).toBeUndefined();
    expect(w.connector.lifecycle).toBeUndefined();
    expect(w.fake.watch).toBeUndefined();
  });

  it.each<[string, object, string]>([
    [
      "a topic name",
      { topicName: "gmail" },
      '"pubsub.topicName" must look like projects/<project>/topics/<topic>',
    ],
    [
      "an audience",
      { audience: "" },
      '"pubsub.audience" must be the push subscription\'s audience',
    ],
    [
      "a service account",
      { serviceAccountEmail: "nobody" },
      '"pubsub.serviceAccountEmail" must be a service account email',
    ],
    [
      "keys",
      { jwks: { nope: true } },
      '"pubsub.jwks" must be a JSON Web Key Set or a jose key resolver',
    ],
  ])("names a bad %s", (_what, patch, message) => {
    expect(() =>
      gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: { ...GMAIL_SANDBOX_PUBSUB, ...patch } as never }),
    ).toThrow(new TypeError(message));
  });
});
