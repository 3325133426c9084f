import { createHmac } from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  KLAVIYO_WEBHOOK_HEADERS,
  klaviyoWebhookSignature,
  parseKlaviyoTimestamp,
} from "../src/index.js";
import { KLAVIYO_SANDBOX_ACCOUNT_ID } from "../src/testing/index.js";
import {
  connectWithKey,
  connectWithOAuth,
  OAUTH_APP,
  stored,
  TENANT,
  WEBHOOK_BASE,
  world,
} from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function hooked() {
  const w = world(server, { connector: { ...OAUTH_APP } });
  const connection = await connectWithOAuth(w);
  return { w, connection, handle: (r: Request) => w.patchbay.handleWebhook("klaviyo", r) };
}

describe("webhook lifecycle", () => {
  it("connecting creates a webhook at the host's URL for the wanted topics Klaviyo offers", async () => {
    const { w, connection } = await hooked();
    const [hook] = w.fake.state.webhooks.values();
    expect(hook).toMatchObject({
      endpoint_url: `${WEBHOOK_BASE}/klaviyo`,
      topics: expect.arrayContaining([
        "event:klaviyo.subscribed_to_list",
        "event:klaviyo.unsubscribed_from_email_marketing",
      ]),
    });
    expect(hook!.secret_key).toMatch(/^[0-9a-f]{64}$/);
    expect(connection.metadata).toMatchObject({
      webhookId: hook!.id,
      webhookUrl: `${WEBHOOK_BASE}/klaviyo`,
    });
    expect(JSON.stringify(connection)).not.toContain(hook!.secret_key);
  });

  it("a private key without Klaviyo CDP connects without a webhook; with CDP it gets one", async () => {
    const plain = world(server);
    const c = await connectWithKey(plain);
    expect(c.status).toBe("active");
    expect(plain.fake.state.webhooks.size).toBe(0);
    const cdp = world(server, { fake: { cdp: true } });
    expect((await connectWithKey(cdp)).metadata.webhookId).toBe(
      [...cdp.fake.state.webhooks.keys()][0],
    );
  });

  it("disconnecting deletes the webhook at Klaviyo", async () => {
    const { w, connection } = await hooked();
    await w.patchbay.connections.disconnect(TENANT, connection.id);
    expect(w.fake.state.webhooks.size).toBe(0);
  });
});

describe("deliveries", () => {
  it("a shopper signing up triggers a signed delivery and an incremental profiles sync", async () => {
    const { w, connection } = await hooked();
    const listId = w.fake.addList("Newsletter");
    const id = w.fake.signUp("maya@shoppers.example", listId);
    await vi.waitFor(
      async () => expect((await stored(w, connection.id, "profiles")).has(id)).toBe(true),
      {
        timeout: 5000,
      },
    );
    const runs = await w.patchbay.sync.runs(TENANT, { connectionId: connection.id });
    expect(runs.some((r) => r.trigger === "webhook" && r.mode === "incremental")).toBe(true);
    expect(w.fake.deliveries[0]?.meta).toMatchObject({
      klaviyo_account_id: KLAVIYO_SANDBOX_ACCOUNT_ID,
      klaviyo_webhook_id: connection.metadata.webhookId,
    });
  });

  it("a forged, altered, replayed or re-addressed delivery is refused and syncs nothing", async () => {
    const { w, connection, handle } = await hooked();
    const runs = async () =>
      (await w.patchbay.sync.runs(TENANT, { connectionId: connection.id })).length;
    const before = await runs();

    expect((await handle(w.fake.webhook(connection, { forged: true }))).status).toBe(401);

    const genuine = w.fake.webhook(connection);
    const altered = new Request(genuine.url, {
      method: "POST",
      headers: genuine.headers,
      body: (await genuine.clone().text()).replace("subscribed_to_list", "unsubscribed_from_list"),
    });
    expect((await handle(altered)).status).toBe(401);

    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    expect(
      (await handle(w.fake.webhook(connection, { timestamp: old }))).status,
    ).toBeGreaterThanOrEqual(400);

    // Signed correctly, but the header names another webhook than the body.
    const hook = [...w.fake.state.webhooks.values()][0]!;
    const body = await w.fake.webhook(connection).text();
    const timestamp = new Date().toISOString();
    const readdressed = new Request(`${WEBHOOK_BASE}/klaviyo`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [KLAVIYO_WEBHOOK_HEADERS.webhookId]: "01OTHERWEBHOOK0000000000000",
        [KLAVIYO_WEBHOOK_HEADERS.timestamp]: timestamp,
        [KLAVIYO_WEBHOOK_HEADERS.signature]: klaviyoWebhookSignature(
          hook.secret_key,
          body,
          timestamp,
        ),
      },
      body,
    });
    expect((await handle(readdressed)).status).toBe(401);
    expect(await runs()).toBe(before);

    expect((await handle(w.fake.webhook(connection))).status).toBe(202);
    expect(await runs()).toBe(before + 1);
  });

  it("signs the raw body followed by the timestamp, hex HMAC-SHA256", () => {
    // Body first, then the timestamp, no separator (third-party implementations; Klaviyo's guide shows hex).
    const expected = createHmac("sha256", "s3cret")
      .update('{"a":1}2026-07-20T10:00:00Z')
      .digest("hex");
    expect(klaviyoWebhookSignature("s3cret", '{"a":1}', "2026-07-20T10:00:00Z")).toBe(expected);
    expect(parseKlaviyoTimestamp("2026-07-20T10:00:00Z")).toBe(
      Date.parse("2026-07-20T10:00:00Z") / 1000,
    );
    expect(parseKlaviyoTimestamp("1784541600000")).toBe(1784541600);
    expect(parseKlaviyoTimestamp("yesterday")).toBeUndefined();
  });
});
