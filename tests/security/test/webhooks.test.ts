/**
 * Forged, replayed and stale webhooks, for every provider that sends them.
 * The provider list is the registry's; a connector declaring `webhooks`
 * without a world in support/webhook-worlds.ts fails the suite.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  type Connection,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  redactValue,
  Vault,
} from "@patchbay/core";
import { FakeOAuthAuthorizationError } from "@patchbay/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONNECTORS } from "./support/connectors.js";
import {
  DEFAULT_REDIRECT_URI,
  WEBHOOK_WORLDS,
  type WebhookWorld,
} from "./support/webhook-worlds.js";
import { KEY_1, recordingLogger } from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TENANT = "webhook-tenant";

function connectorSource(id: string): string {
  const file = new URL(`../../../packages/${id}/src/connector.ts`, import.meta.url);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/**
 * Connectors whose genuine deliveries cannot be deduplicated, with the
 * provider's reason. Their deliveries carry no data, only "something changed".
 */
const NO_DELIVERY_ID: Record<string, string> = {
  "meta-ads":
    "Meta's ad account webhooks carry no delivery id and sign no timestamp (X-Hub-Signature-256 covers the body only); a delivery only triggers an incremental campaigns sync, which is idempotent",
};

async function world(entry: WebhookWorld) {
  let skewMs = 0;
  const logger = recordingLogger();
  const fake = entry.fake();
  server.use(...fake.handlers);
  const definition = entry.connector();
  const patchbay: Patchbay = createPatchbay({
    connectors: [definition],
    store: new MemoryStore(),
    vault: new Vault({ keys: [KEY_1] }),
    now: () => Date.now() + skewMs,
    logger,
    tokens: { refreshRetries: 2 },
    // Connectors with per-connection secrets create their webhook (and its secret) on setup.
    webhookBaseUrl: "https://app.example.com/integrations/webhooks",
  });
  let connection: Connection;
  if (definition.auth.kind === "oauth2") {
    const { url } = await patchbay.connect.start({
      tenantId: TENANT,
      connector: definition.id,
      redirectUri: entry.redirectUri ?? DEFAULT_REDIRECT_URI,
    });
    connection = await patchbay.connect.finish(fake.oauth!.approve(url), { tenantId: TENANT });
  } else {
    connection = await patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: definition.id,
      credentials: fake.credentials!,
    });
  }
  await entry.configure?.(patchbay, connection, fake);
  connection = await patchbay.connections.get(TENANT, connection.id);
  const runs = async () =>
    (await patchbay.sync.runs(TENANT, { connectionId: connection.id })).length;
  const deliver = (request: Request) => patchbay.handleWebhook(definition.id, request);
  const delivery = async (forged: boolean) => fake.webhook!(connection, { forged });
  return {
    definition,
    patchbay,
    fake,
    logger,
    connection,
    runs,
    deliver,
    delivery,
    skew: (ms: number) => {
      skewMs = ms;
    },
  };
}

describe("webhooks: every provider that signs", () => {
  it("every connector that declares webhooks has a world here, and verifies signatures", () => {
    // Some connectors declare webhooks only when built with their signing option
    // (GoHighLevel's public key, QuickBooks' verifier token): the worlds build them so.
    const ids = new Set(CONNECTORS.map((e) => e.connector.id));
    const declaring = CONNECTORS.filter((e) => e.connector.webhooks).map((e) => e.connector.id);
    expect(declaring.filter((id) => WEBHOOK_WORLDS[id] === undefined)).toEqual([]);
    expect(Object.keys(WEBHOOK_WORLDS).filter((id) => !ids.has(id))).toEqual([]);
    for (const [id, entry] of Object.entries(WEBHOOK_WORLDS)) {
      const webhooks = entry.connector().webhooks;
      expect(webhooks, `${id} declares webhooks`).toBeDefined();
      expect(typeof webhooks!.verify, id).toBe("function");
    }
    // Every connector package whose source declares webhooks has a world.
    const withWebhooks = CONNECTORS.map((e) => e.connector.id).filter((id) =>
      /\bwebhooks\s*[:?]/.test(connectorSource(id)),
    );
    expect(withWebhooks.filter((id) => WEBHOOK_WORLDS[id] === undefined)).toEqual([]);
  });

  describe.each(Object.entries(WEBHOOK_WORLDS))("%s", (id, entry) => {
    // One connected world per provider; each case counts runs relative to its start.
    let shared: Awaited<ReturnType<typeof world>> | undefined;
    const sharedWorld = async () => {
      shared ??= await world(entry);
      server.use(...shared.fake.handlers);
      shared.skew(0);
      return shared;
    };

    it("rejects a forged delivery (401) and applies nothing", async () => {
      const w = await sharedWorld();
      const before = await w.runs();
      const response = await w.deliver(await w.delivery(true));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "invalid_signature" });
      expect(await w.runs()).toBe(before);
    });

    it("accepts a genuine delivery once; its replay is a duplicate and applies nothing", async () => {
      const w = await sharedWorld();
      const genuine = await w.delivery(false);
      const replay = genuine.clone();
      const first = await w.deliver(genuine);
      expect(first.status, await first.clone().text()).toBe(202);
      const after = await w.runs();
      const second = await w.deliver(replay);
      if (NO_DELIVERY_ID[id] !== undefined) {
        expect(w.definition.webhooks!.deliveryId).toBeUndefined();
        expect(second.status).toBe(202);
        return;
      }
      expect(w.definition.webhooks!.deliveryId).toBeTypeOf("function");
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual({ status: "duplicate" });
      expect(await w.runs()).toBe(after);
    });

    const replay = entry.connector().webhooks!.replay;
    it.runIf(replay !== undefined)(
      `rejects a genuine delivery older than the replay window (${replay?.toleranceSeconds} s) as stale`,
      async () => {
        const w = await sharedWorld();
        const before = await w.runs();
        const genuine = await w.delivery(false);
        w.skew((replay!.toleranceSeconds + 60) * 1000);
        const late = await w.deliver(genuine.clone());
        expect(late.status).toBe(401);
        expect(await late.json()).toEqual({ error: "stale_delivery" });
        // Also from the future (a sender clock far ahead).
        w.skew(-(replay!.toleranceSeconds + 60) * 1000);
        expect((await w.deliver(genuine.clone())).status).toBe(401);
        expect(await w.runs()).toBe(before);
        // In the window, the same delivery is genuine.
        w.skew(0);
        expect((await w.deliver(genuine)).status).toBe(202);
      },
    );

    it("logs no signature, body or secret while rejecting and accepting", async () => {
      const w = await sharedWorld();
      w.logger.lines.length = 0;
      const forged = await w.delivery(true);
      const genuine = await w.delivery(false);
      const signatures = [...forged.headers, ...genuine.headers]
        .filter(([name]) => /sig|token|auth|hmac|mac|hash/i.test(name))
        .map(([, value]) => value)
        .filter((value) => value.length >= 16);
      const bodies = [await forged.clone().text(), await genuine.clone().text()].filter(
        (b) => b.length >= 16,
      );
      await w.deliver(forged);
      await w.deliver(genuine);
      const text = JSON.stringify(redactValue(w.logger.lines));
      const raw = JSON.stringify(w.logger.lines);
      for (const value of [...signatures, ...bodies]) expect(raw).not.toContain(value);
      if (entry.clientSecret) expect(text + raw).not.toContain(entry.clientSecret);
    });

    it.runIf(entry.connector().auth.kind === "oauth2")(
      "its fake OAuth server refuses a redirect URI the app did not register",
      async () => {
        const fake = entry.fake();
        const definition = entry.connector();
        const patchbay = createPatchbay({
          connectors: [definition],
          store: new MemoryStore(),
          vault: new Vault({ keys: [KEY_1] }),
        });
        const { url } = await patchbay.connect.start({
          tenantId: TENANT,
          connector: definition.id,
          redirectUri: "https://evil.example/integrations/callback",
        });
        expect(() => fake.oauth!.approve(url)).toThrow(FakeOAuthAuthorizationError);
        const good = await patchbay.connect.start({
          tenantId: TENANT,
          connector: definition.id,
          redirectUri: entry.redirectUri ?? DEFAULT_REDIRECT_URI,
        });
        expect(fake.oauth!.approve(good.url).searchParams.get("code")).toBeTruthy();
      },
    );
  });
});
