import { describe, expect, it } from "vitest";
import { apiKey } from "../src/auth/specs.js";
import { defineConnector } from "../src/connector/define.js";
import { ConnectorRegistry } from "../src/connector/registry.js";
import type { WebhookAction, WebhookDelivery } from "../src/connector/types.js";
import type { LogFields, Logger } from "../src/logger.js";
import { MemoryStore } from "../src/store/memory.js";
import type { Connection, ConnectionStatus, Json } from "../src/store/types.js";
import { createWebhookHandler, parseWebhookPayload } from "../src/webhooks/handler.js";
import { hmac, timingSafeEqual, verifyHmacSignature } from "../src/webhooks/signing.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = Math.floor(NOW / 1000);
const BASE = "https://host.test/webhooks";

// ── test connectors ─────────────────────────────────────────────────────

/** (a) Stripe-like: app secret, `x-sig: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, 300 s window, delivery id. */
const STRIPE_SECRET = "whsec_stripe_like_9f2c71ab";

function sigParts(header: string | null): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const item of (header ?? "").split(",")) {
    const at = item.indexOf("=");
    if (at > 0) parts[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return parts;
}

const stripeLike = defineConnector({
  id: "stripe-like",
  name: "Stripe-like",
  category: "other",
  auth: apiKey({ header: "x" }),
  webhooks: {
    secret: "app",
    verify: (d) => {
      const { t, v1 } = sigParts(d.headers.get("x-sig"));
      if (t === undefined) return false;
      return verifyHmacSignature({
        algorithm: "sha256",
        secret: STRIPE_SECRET,
        data: [`${t}.`, d.rawBody],
        signature: v1,
        encoding: "hex",
      });
    },
    replay: {
      timestamp: (d) => {
        const t = Number(sigParts(d.headers.get("x-sig")).t);
        return Number.isFinite(t) ? t : undefined;
      },
      toleranceSeconds: 300,
    },
    deliveryId: (d) => d.headers.get("x-delivery-id") ?? undefined,
    route: (d) => {
      const account = (d.payload as { account?: unknown } | undefined)?.account;
      return typeof account === "string" ? { accountId: account } : undefined;
    },
    actions: () => [{ kind: "sync", model: "charges" }],
  },
});

/** (b) Airtable-like: per-connection base64 MAC secret, `x-airtable-content-mac: hmac-sha256=<hex>`, routed by `baseId`. */
const airtableLike = defineConnector({
  id: "airtable-like",
  name: "Airtable-like",
  category: "spreadsheets",
  auth: apiKey({ header: "x" }),
  webhooks: {
    secret: "connection",
    verify: (d, secrets) =>
      verifyHmacSignature({
        algorithm: "sha256",
        secret:
          secrets.connection === undefined ? undefined : Buffer.from(secrets.connection, "base64"),
        data: d.rawBody,
        signature: d.headers.get("x-airtable-content-mac"),
        encoding: "hex",
        prefix: "hmac-sha256=",
      }),
    route: (d) => {
      const baseId = (d.payload as { base?: { id?: unknown } } | undefined)?.base?.id;
      return typeof baseId === "string" ? { baseId } : undefined;
    },
    actions: () => [{ kind: "sync", model: "records" }],
  },
});

/** (c) Meta-like: `hub.challenge` handshake on GET, `x-hub-signature-256: sha256=<hex>`, records in the payload. */
const META_APP_SECRET = "meta_app_secret_4d1e88";
const META_VERIFY_TOKEN = "verify-me-please";

const metaLike = defineConnector({
  id: "meta-like",
  name: "Meta-like",
  category: "ads",
  auth: apiKey({ header: "x" }),
  webhooks: {
    secret: "app",
    handshake: (_request, d) => {
      if (d.method !== "GET") return undefined;
      const q = d.url.searchParams;
      if (
        q.get("hub.mode") === "subscribe" &&
        timingSafeEqual(q.get("hub.verify_token") ?? "", META_VERIFY_TOKEN)
      ) {
        return new Response(q.get("hub.challenge") ?? "", {
          headers: { "content-type": "text/plain" },
        });
      }
      return new Response("forbidden", { status: 403 });
    },
    verify: (d) =>
      verifyHmacSignature({
        algorithm: "sha256",
        secret: META_APP_SECRET,
        data: d.rawBody,
        signature: d.headers.get("x-hub-signature-256"),
        encoding: "hex",
        prefix: "sha256=",
      }),
    route: (d) => {
      const id = (d.payload as { entry?: Array<{ id?: unknown }> } | undefined)?.entry?.[0]?.id;
      return typeof id === "string" ? { pageId: id } : undefined;
    },
    actions: (d) => {
      const entry = (d.payload as { entry: Array<{ changes: unknown[] }> }).entry[0]!;
      return [{ kind: "apply", model: "leads", records: entry.changes }];
    },
  },
});

/** Mailchimp-like: validation GET, form-encoded POST, per-connection secret in the URL. */
const mailchimpLike = defineConnector({
  id: "mailchimp-like",
  name: "Mailchimp-like",
  category: "marketing",
  auth: apiKey({ header: "x" }),
  webhooks: {
    secret: "connection",
    handshake: (_request, d) =>
      d.method === "GET" ? new Response(null, { status: 200 }) : undefined,
    verify: (d, secrets) =>
      secrets.connection !== undefined &&
      timingSafeEqual(d.url.searchParams.get("secret") ?? "", secrets.connection),
    route: (d) => {
      const listId = (d.payload as Record<string, unknown> | undefined)?.["data[list_id]"];
      return typeof listId === "string" ? { listId } : undefined;
    },
    actions: () => [{ kind: "sync", model: "members" }],
  },
});

/** Routes every delivery to `{}`, which must not mean "every connection". */
const catchAll = defineConnector({
  id: "catch-all",
  name: "Catch-all",
  category: "other",
  auth: apiKey({ header: "x" }),
  webhooks: {
    secret: "app",
    verify: () => true,
    route: () => ({}),
    actions: () => [{ kind: "sync", model: "things" }],
  },
});

const noWebhooks = defineConnector({
  id: "no-webhooks",
  name: "No webhooks",
  category: "other",
  auth: apiKey({ header: "x" }),
});

// ── harness ─────────────────────────────────────────────────────────────

interface LogEntry {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

function recordingLogger(entries: LogEntry[]): Logger {
  const at = (level: string) => (message: string, fields?: LogFields) => {
    entries.push({ level, message, fields });
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

interface Dispatched {
  connectionId: string;
  actions: WebhookAction[];
  delivery: WebhookDelivery;
  connection: Connection;
}

async function setup(options: { maxBodyBytes?: number } = {}) {
  let clock = NOW;
  const store = new MemoryStore({ now: () => clock });
  const logs: LogEntry[] = [];
  const dispatched: Dispatched[] = [];
  const secrets = new Map<string, string>();
  let failFor = new Set<string>();
  const registry = new ConnectorRegistry([
    stripeLike,
    airtableLike,
    metaLike,
    mailchimpLike,
    catchAll,
    noWebhooks,
  ]);
  const handle = createWebhookHandler({
    registry,
    store,
    logger: recordingLogger(logs),
    now: () => clock,
    connectionSecret: async (connection) => secrets.get(connection.id),
    dispatch: async (connection, actions, delivery) => {
      if (failFor.has(connection.id)) throw new Error(`queue unavailable for ${connection.id}`);
      dispatched.push({ connectionId: connection.id, actions, delivery, connection });
    },
    ...options,
  });
  let n = 0;
  const connect = async (
    connector: string,
    metadata: Record<string, Json>,
    extra: { tenantId?: string; status?: ConnectionStatus; webhookSecret?: string } = {},
  ) => {
    n += 1;
    clock += 1; // distinct createdAt: findConnections is oldest first
    const id = `conn_${n}`;
    await store.createConnection({
      id,
      tenantId: extra.tenantId ?? `tenant_${n}`,
      connector,
      status: extra.status ?? "active",
      metadata,
      credentials: new Uint8Array([1, 2, 3]),
    });
    if (extra.webhookSecret !== undefined) secrets.set(id, extra.webhookSecret);
    clock = NOW;
    return id;
  };
  return {
    store,
    logs,
    dispatched,
    handle,
    connect,
    failDispatchFor: (ids: string[]) => {
      failFor = new Set(ids);
    },
  };
}

function stripeDelivery(
  payload: unknown,
  options: { t?: number; secret?: string; id?: string; body?: string } = {},
): Request {
  const body = options.body ?? JSON.stringify(payload);
  const t = options.t ?? NOW_S;
  const v1 = hmac("sha256", options.secret ?? STRIPE_SECRET, `${t}.${body}`, "hex");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-sig": `t=${t},v1=${v1}`,
  };
  if (options.id !== undefined) headers["x-delivery-id"] = options.id;
  return new Request(`${BASE}/stripe-like`, { method: "POST", headers, body });
}

function airtableDelivery(baseId: string, macSecretBase64: string, marker = "x"): Request {
  const body = JSON.stringify({ base: { id: baseId }, webhook: { id: "ach1" }, marker });
  const mac = hmac("sha256", Buffer.from(macSecretBase64, "base64"), body, "hex");
  return new Request(`${BASE}/airtable-like`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-airtable-content-mac": `hmac-sha256=${mac}` },
    body,
  });
}

async function answer(response: Response) {
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: (await response.json()) as unknown,
  };
}

// ── tests ───────────────────────────────────────────────────────────────

describe("webhook handler: connectors", () => {
  it("answers 404 unknown_connector for an unregistered connector or one without webhooks", async () => {
    const { handle, dispatched } = await setup();
    for (const id of ["nope", "no-webhooks"]) {
      const res = await handle(id, stripeDelivery({ account: "acc_1" }));
      expect(await answer(res)).toEqual({
        status: 404,
        type: "application/json",
        body: { error: "unknown_connector" },
      });
    }
    expect(dispatched).toEqual([]);
  });
});

describe("webhook handler: app-secret deliveries (Stripe-like)", () => {
  it("dispatches the declared actions to exactly the matching connection", async () => {
    const { handle, connect, dispatched } = await setup();
    const acc1 = await connect("stripe-like", { accountId: "acc_1" });
    await connect("stripe-like", { accountId: "acc_2" });
    await connect("airtable-like", { accountId: "acc_1" });

    const res = await handle("stripe-like", stripeDelivery({ account: "acc_1", type: "charge" }));

    expect(await answer(res)).toEqual({
      status: 202,
      type: "application/json",
      body: { status: "accepted", connections: 1 },
    });
    expect(dispatched.map((d) => [d.connectionId, d.actions])).toEqual([
      [acc1, [{ kind: "sync", model: "charges" }]],
    ]);
    const { delivery, connection } = dispatched[0]!;
    expect(delivery.payload).toEqual({ account: "acc_1", type: "charge" });
    expect(delivery.text).toBe('{"account":"acc_1","type":"charge"}');
    expect(delivery.method).toBe("POST");
    // The connection handed on carries no sealed credentials.
    expect(connection).not.toHaveProperty("credentials");
  });

  it("dispatches to every connection sharing the route (two tenants on one account)", async () => {
    const { handle, connect, dispatched } = await setup();
    const a = await connect("stripe-like", { accountId: "acc_1" });
    const b = await connect("stripe-like", { accountId: "acc_1" });
    const res = await handle("stripe-like", stripeDelivery({ account: "acc_1" }));
    expect(await answer(res)).toMatchObject({ status: 202, body: { connections: 2 } });
    expect(dispatched.map((d) => d.connectionId)).toEqual([a, b]);
  });

  it("rejects a forged or missing signature with 401 and dispatches nothing", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });

    const forged = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { secret: "whsec_guessed_by_attacker" }),
    );
    expect(await answer(forged)).toEqual({
      status: 401,
      type: "application/json",
      body: { error: "invalid_signature" },
    });

    const unsigned = await handle(
      "stripe-like",
      new Request(`${BASE}/stripe-like`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ account: "acc_1" }),
      }),
    );
    expect(unsigned.status).toBe(401);
    expect(dispatched).toEqual([]);
  });

  it("rejects a body altered by one byte after signing", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });
    const genuine = stripeDelivery({ account: "acc_1", amount: 100 });
    const body = await genuine.text();
    const tampered = new Request(genuine.url, {
      method: "POST",
      headers: genuine.headers,
      body: body.replace("100", "900"),
    });
    expect(body).not.toBe(body.replace("100", "900"));
    const res = await handle("stripe-like", tampered);
    expect(await answer(res)).toMatchObject({ status: 401, body: { error: "invalid_signature" } });
    expect(dispatched).toEqual([]);
  });

  it("rejects a genuine delivery signed outside the ±300 s window as stale", async () => {
    const { handle, connect, dispatched } = await setup();
    const acc1 = await connect("stripe-like", { accountId: "acc_1" });

    for (const t of [NOW_S - 301, NOW_S + 301]) {
      const res = await handle("stripe-like", stripeDelivery({ account: "acc_1" }, { t }));
      expect(await answer(res)).toEqual({
        status: 401,
        type: "application/json",
        body: { error: "stale_delivery" },
      });
    }
    expect(dispatched).toEqual([]);

    const edge = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { t: NOW_S - 300 }),
    );
    expect(edge.status).toBe(202);
    expect(dispatched.map((d) => d.connectionId)).toEqual([acc1]);
  });

  it("applies a delivery seen twice once, and answers the repeat 200 duplicate", async () => {
    const { handle, connect, dispatched, store } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });

    const first = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_1" }),
    );
    const again = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_1" }),
    );
    const other = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_2" }),
    );

    expect(first.status).toBe(202);
    expect(await answer(again)).toEqual({
      status: 200,
      type: "application/json",
      body: { status: "duplicate" },
    });
    expect(other.status).toBe(202);
    expect(dispatched).toHaveLength(2);
    // The id is held under the documented lease key for 24 hours.
    expect(await store.acquireLease("patchbay:webhook:stripe-like:evt_1", "someone", 1000)).toBe(
      false,
    );
  });

  it("does not let a forged delivery burn a genuine delivery's id", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });
    const forged = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_9", secret: "whsec_wrong_key_000" }),
    );
    expect(forged.status).toBe(401);
    const genuine = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_9" }),
    );
    expect(genuine.status).toBe(202);
    expect(dispatched).toHaveLength(1);
  });

  it("answers 404 no_matching_connection when unroutable or nothing matches, logging the route keys", async () => {
    const { handle, connect, dispatched, logs } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });

    const noKey = await handle("stripe-like", stripeDelivery({ type: "ping" }));
    expect(await answer(noKey)).toEqual({
      status: 404,
      type: "application/json",
      body: { error: "no_matching_connection" },
    });
    const unknown = await handle("stripe-like", stripeDelivery({ account: "acc_404" }));
    expect(await answer(unknown)).toMatchObject({
      status: 404,
      body: { error: "no_matching_connection" },
    });
    expect(dispatched).toEqual([]);
    const warned = logs.filter((l) => l.fields?.outcome === "no_matching_connection");
    expect(warned).toHaveLength(2);
    expect(warned.every((l) => l.level === "warn")).toBe(true);
    expect(warned[1]!.fields).toMatchObject({
      connector: "stripe-like",
      route: { accountId: "acc_404" },
    });
  });

  it("treats an empty route as unroutable rather than matching every connection", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("catch-all", { accountId: "acc_1" });
    const res = await handle(
      "catch-all",
      new Request(`${BASE}/catch-all`, { method: "POST", body: "{}" }),
    );
    expect(res.status).toBe(404);
    expect(dispatched).toEqual([]);
  });

  it("skips connections that need reauthorization, and logs it", async () => {
    const { handle, connect, dispatched, logs } = await setup();
    const stale = await connect("stripe-like", { accountId: "acc_1" }, { status: "needs_reauth" });
    const live = await connect("stripe-like", { accountId: "acc_1" });
    const res = await handle("stripe-like", stripeDelivery({ account: "acc_1" }));
    expect(await answer(res)).toMatchObject({ status: 202, body: { connections: 1 } });
    expect(dispatched.map((d) => d.connectionId)).toEqual([live]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        fields: expect.objectContaining({ connectionId: stale, outcome: "skipped_needs_reauth" }),
      }),
    );
  });

  it("keeps dispatching to the other connections when one dispatch fails", async () => {
    const { handle, connect, dispatched, logs, failDispatchFor } = await setup();
    const broken = await connect("stripe-like", { accountId: "acc_1" });
    const ok = await connect("stripe-like", { accountId: "acc_1" });
    failDispatchFor([broken]);
    const res = await handle("stripe-like", stripeDelivery({ account: "acc_1" }, { id: "evt_p" }));
    expect(await answer(res)).toMatchObject({ status: 202, body: { connections: 1 } });
    expect(dispatched.map((d) => d.connectionId)).toEqual([ok]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        fields: expect.objectContaining({ connectionId: broken, outcome: "dispatch_failed" }),
      }),
    );
  });

  it("answers 500 when no dispatch succeeded, and accepts the provider's redelivery", async () => {
    const { handle, connect, dispatched, failDispatchFor } = await setup();
    const only = await connect("stripe-like", { accountId: "acc_1" });
    failDispatchFor([only]);
    const res = await handle("stripe-like", stripeDelivery({ account: "acc_1" }, { id: "evt_r" }));
    expect(await answer(res)).toMatchObject({ status: 500, body: { error: "dispatch_failed" } });

    failDispatchFor([]);
    const retry = await handle(
      "stripe-like",
      stripeDelivery({ account: "acc_1" }, { id: "evt_r" }),
    );
    expect(retry.status).toBe(202);
    expect(dispatched.map((d) => d.connectionId)).toEqual([only]);
  });

  it("accepts only POST when the connector declares no handshake", async () => {
    const { handle } = await setup();
    const res = await handle("stripe-like", new Request(`${BASE}/stripe-like`, { method: "GET" }));
    expect(await answer(res)).toEqual({
      status: 405,
      type: "application/json",
      body: { error: "method_not_allowed" },
    });
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("answers 400 for a body declared JSON that does not parse", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("stripe-like", { accountId: "acc_1" });
    const res = await handle("stripe-like", stripeDelivery(undefined, { body: '{"account":' }));
    expect(await answer(res)).toEqual({
      status: 400,
      type: "application/json",
      body: { error: "invalid_payload" },
    });
    expect(dispatched).toEqual([]);
  });
});

describe("webhook handler: per-connection secrets (Airtable-like)", () => {
  const SECRET_A = Buffer.from("mac-secret-of-connection-a").toString("base64");
  const SECRET_B = Buffer.from("mac-secret-of-connection-b").toString("base64");

  it("applies a delivery signed with A's secret to A only, though B shares the route", async () => {
    const { handle, connect, dispatched } = await setup();
    const a = await connect("airtable-like", { baseId: "app1" }, { webhookSecret: SECRET_A });
    const b = await connect("airtable-like", { baseId: "app1" }, { webhookSecret: SECRET_B });

    const toA = await handle("airtable-like", airtableDelivery("app1", SECRET_A));
    expect(await answer(toA)).toMatchObject({ status: 202, body: { connections: 1 } });
    const toB = await handle("airtable-like", airtableDelivery("app1", SECRET_B));
    expect(toB.status).toBe(202);

    expect(dispatched.map((d) => [d.connectionId, d.actions])).toEqual([
      [a, [{ kind: "sync", model: "records" }]],
      [b, [{ kind: "sync", model: "records" }]],
    ]);
  });

  it("answers 401 when no candidate's secret verifies, and skips connections without a secret", async () => {
    const { handle, connect, dispatched } = await setup();
    await connect("airtable-like", { baseId: "app1" }, { webhookSecret: SECRET_A });
    await connect("airtable-like", { baseId: "app1" }); // no secret stored
    const forged = Buffer.from("not-anyones-secret").toString("base64");
    const res = await handle("airtable-like", airtableDelivery("app1", forged));
    expect(await answer(res)).toEqual({
      status: 401,
      type: "application/json",
      body: { error: "invalid_signature" },
    });
    expect(dispatched).toEqual([]);
  });

  it("routes before verifying: an unknown base is 404, not 401", async () => {
    const { handle, connect } = await setup();
    await connect("airtable-like", { baseId: "app1" }, { webhookSecret: SECRET_A });
    const res = await handle("airtable-like", airtableDelivery("app999", SECRET_A));
    expect(await answer(res)).toMatchObject({
      status: 404,
      body: { error: "no_matching_connection" },
    });
  });
});

describe("webhook handler: handshakes", () => {
  const challenge = (token: string) =>
    new Request(
      `${BASE}/meta-like?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`,
    );

  it("answers Meta's hub.challenge with the handshake's own response, dispatching nothing", async () => {
    const { handle, dispatched } = await setup();
    const res = await handle("meta-like", challenge(META_VERIFY_TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("1158201444");

    const wrong = await handle("meta-like", challenge("guess"));
    expect(wrong.status).toBe(403);
    expect(dispatched).toEqual([]);
  });

  it("still verifies POSTs, and applies the records a genuine one carries", async () => {
    const { handle, connect, dispatched } = await setup();
    const page = await connect("meta-like", { pageId: "p1" });
    const body = JSON.stringify({
      object: "page",
      entry: [{ id: "p1", changes: [{ leadgen_id: "L1" }] }],
    });
    const sign = (secret: string) =>
      new Request(`${BASE}/meta-like`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": `sha256=${hmac("sha256", secret, body, "hex")}`,
        },
        body,
      });

    expect((await handle("meta-like", sign("not-the-app-secret"))).status).toBe(401);
    const res = await handle("meta-like", sign(META_APP_SECRET));
    expect(res.status).toBe(202);
    expect(dispatched.map((d) => [d.connectionId, d.actions])).toEqual([
      [page, [{ kind: "apply", model: "leads", records: [{ leadgen_id: "L1" }] }]],
    ]);
    const put = await handle("meta-like", new Request(`${BASE}/meta-like`, { method: "PUT" }));
    expect(put.status).toBe(405);
  });

  it("fits Mailchimp: validation GET, form-encoded POST, secret in the URL", async () => {
    const { handle, connect, dispatched } = await setup();
    const list = await connect(
      "mailchimp-like",
      { listId: "l1" },
      { webhookSecret: "url-secret-l1" },
    );
    await connect("mailchimp-like", { listId: "l1" }, { webhookSecret: "url-secret-other" });

    expect(
      (await handle("mailchimp-like", new Request(`${BASE}/mailchimp-like?secret=x`))).status,
    ).toBe(200);

    const post = (secret: string) =>
      new Request(`${BASE}/mailchimp-like?secret=${secret}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "type=subscribe&fired_at=2026-01-15+12%3A00%3A00&data%5Blist_id%5D=l1&data%5Bmerges%5D%5BEMAIL%5D=a%40b.test",
      });
    expect((await handle("mailchimp-like", post("guessed"))).status).toBe(401);
    expect((await handle("mailchimp-like", post("url-secret-l1"))).status).toBe(202);
    expect(dispatched.map((d) => d.connectionId)).toEqual([list]);
    expect(dispatched[0]!.delivery.payload).toEqual({
      type: "subscribe",
      fired_at: "2026-01-15 12:00:00",
      "data[list_id]": "l1",
      "data[merges][EMAIL]": "a@b.test",
    });
  });
});

describe("webhook handler: body size", () => {
  it("refuses a declared content-length over the limit with 413 without reading the body", async () => {
    const { handle, connect, dispatched } = await setup({ maxBodyBytes: 1024 });
    await connect("stripe-like", { accountId: "acc_1" });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const request = new Request(`${BASE}/stripe-like`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "2048" },
      body,
      duplex: "half",
    } as RequestInit);
    const res = await handle("stripe-like", request);
    expect(await answer(res)).toEqual({
      status: 413,
      type: "application/json",
      body: { error: "payload_too_large" },
    });
    expect(pulled).toBeLessThanOrEqual(1); // at most the stream's own eager first pull
    expect(dispatched).toEqual([]);
  });

  it("does not trust a content-length smaller than the body", async () => {
    const { handle, connect, dispatched } = await setup({ maxBodyBytes: 1024 });
    await connect("stripe-like", { accountId: "acc_1" });
    const big = JSON.stringify({ account: "acc_1", pad: "x".repeat(2000) });
    const genuine = stripeDelivery(undefined, { body: big });
    const request = new Request(genuine.url, {
      method: "POST",
      headers: { ...Object.fromEntries(genuine.headers), "content-length": "10" },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBe("10");
    expect((await handle("stripe-like", request)).status).toBe(413);
    expect(dispatched).toEqual([]);
  });

  it("stops reading a streamed body without content-length once past the limit", async () => {
    const { handle } = await setup({ maxBodyBytes: 1024 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 256;
        controller.enqueue(new Uint8Array(256).fill(0x20));
      },
    });
    const request = new Request(`${BASE}/stripe-like`, {
      method: "POST",
      body: endless,
      duplex: "half",
    } as RequestInit);
    const res = await handle("stripe-like", request);
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1024 + 2 * 256);
  });

  it("accepts a body of exactly the limit", async () => {
    const { handle, connect } = await setup({ maxBodyBytes: 1024 });
    await connect("stripe-like", { accountId: "acc_1" });
    const prefix = JSON.stringify({ account: "acc_1", pad: "" });
    const body = JSON.stringify({ account: "acc_1", pad: "x".repeat(1024 - prefix.length) });
    expect(body.length).toBe(1024);
    expect((await handle("stripe-like", stripeDelivery(undefined, { body }))).status).toBe(202);
  });
});

describe("webhook handler: logs", () => {
  it("never contain the signing secrets, the signatures or the raw body", async () => {
    const { handle, connect, logs } = await setup();
    const SECRET_A = Buffer.from("airtable-secret-for-logs").toString("base64");
    await connect("stripe-like", { accountId: "acc_1" });
    await connect("airtable-like", { baseId: "app1" }, { webhookSecret: SECRET_A });
    const MARKER = "body-marker-5be1c0";

    const requests = [
      stripeDelivery({ account: "acc_1", note: MARKER }, { id: "evt_log" }),
      stripeDelivery({ account: "acc_1", note: MARKER }, { id: "evt_log" }),
      stripeDelivery({ account: "acc_1", note: MARKER }, { secret: "whsec_forged_1234" }),
      stripeDelivery({ account: "acc_1", note: MARKER }, { t: NOW_S - 10_000 }),
      stripeDelivery({ account: "acc_nope", note: MARKER }),
      stripeDelivery(undefined, { body: `{"note":"${MARKER}",` }),
      airtableDelivery("app1", SECRET_A, MARKER),
      airtableDelivery("app1", Buffer.from("wrong").toString("base64"), MARKER),
    ];
    const signatures = requests.map(
      (r) => r.headers.get("x-sig") ?? r.headers.get("x-airtable-content-mac")!,
    );
    for (const request of requests) await handle(request.url.split("/").pop()!, request);

    const written = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(0);
    expect(written).toContain("stripe-like");
    expect(written).toContain("accepted");
    for (const forbidden of [
      STRIPE_SECRET,
      SECRET_A,
      Buffer.from(SECRET_A, "base64").toString(),
      MARKER,
      ...signatures,
      ...signatures.map((s) => s.split("=").pop()!),
    ]) {
      expect(written).not.toContain(forbidden);
    }
  });
});

describe("parseWebhookPayload", () => {
  it("parses JSON by content type, including +json and charset parameters", () => {
    expect(parseWebhookPayload("application/json; charset=utf-8", '{"a":1}')).toEqual({
      ok: true,
      payload: { a: 1 },
    });
    expect(parseWebhookPayload("application/cloudevents+json", "[1]")).toEqual({
      ok: true,
      payload: [1],
    });
    expect(parseWebhookPayload("application/json", "")).toEqual({ ok: true, payload: undefined });
    expect(parseWebhookPayload("application/json", "{oops")).toEqual({ ok: false });
  });

  it("parses a body that looks like JSON without a JSON content type, else leaves it undefined", () => {
    expect(parseWebhookPayload(null, ' {"a":1}')).toEqual({ ok: true, payload: { a: 1 } });
    expect(parseWebhookPayload("text/plain", "{not json")).toEqual({
      ok: true,
      payload: undefined,
    });
    expect(parseWebhookPayload("text/plain", "hello")).toEqual({ ok: true, payload: undefined });
  });

  it("turns form data into a flat object, repeated keys into arrays", () => {
    const parsed = parseWebhookPayload(
      "application/x-www-form-urlencoded",
      "type=profile&data[merges][EMAIL]=a%40b.test&tag=x&tag=y&tag=z&__proto__=p",
    );
    expect(parsed).toEqual({
      ok: true,
      payload: {
        type: "profile",
        "data[merges][EMAIL]": "a@b.test",
        tag: ["x", "y", "z"],
        ["__proto__"]: "p",
      },
    });
    const payload = (parsed as { payload: Record<string, unknown> }).payload;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(Object.hasOwn(payload, "__proto__")).toBe(true);
  });
});
