import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GHL_WEBHOOK_PUBLIC_KEY, goHighLevel, verifyGhlSignature } from "../src/index.js";
import { createGhlFake, GHL_SANDBOX, GHL_SANDBOX_WEBHOOK_KEYS } from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A world whose fake delivers its webhooks to the host's handleWebhook. */
async function delivering(options: Parameters<typeof world>[1] = {}) {
  let handle: (request: Request) => unknown = () => undefined;
  const w = await world(server, {
    ...options,
    fake: { ...options.fake, notify: (r) => handle(r) },
  });
  const responses: Response[] = [];
  handle = async (request) =>
    responses.push(await w.patchbay.handleWebhook("gohighlevel", request));
  return { ...w, responses };
}

describe("deliveries", () => {
  it("a contact edited in HighLevel arrives by webhook and is synced (incremental run)", async () => {
    const w = await delivering();
    const [id] = w.fake.seedContacts(3);
    await w.sync("contacts");
    w.fake.editContact(id!, { tags: ["water-heater", "vip"] });
    await vi.waitFor(
      async () =>
        expect((await w.stored("contacts")).get(id!)?.tags).toEqual(["water-heater", "vip"]),
      { timeout: 5000 },
    );
    expect(w.responses.some((r) => r.status === 202)).toBe(true);
  });

  it("a contact deleted in HighLevel is removed from the synced records", async () => {
    const w = await delivering();
    const [id] = w.fake.seedContacts(2);
    await w.sync("contacts");
    w.fake.deleteContact(id!);
    await vi.waitFor(async () => expect((await w.stored("contacts")).has(id!)).toBe(false), {
      timeout: 5000,
    });
  });

  it("an appointment booked in HighLevel is applied from the payload, without calling the API", async () => {
    const w = await delivering();
    w.fake.seedAppointments(1);
    await w.sync("appointments");
    const eventReads = () => w.fake.requests.filter((r) => r.path.startsWith("/calendars")).length;
    const before = eventReads();
    const id = w.fake.bookAppointment({
      contactId: GHL_SANDBOX.hostContactId,
      startTime: new Date(Date.now() + 5 * 24 * 3_600_000).toISOString(),
      title: "Drain cleaning",
    });
    await vi.waitFor(
      async () => expect((await w.stored("appointments")).get(id)?.title).toBe("Drain cleaning"),
      { timeout: 5000 },
    );
    expect(eventReads()).toBe(before);
    w.fake.deleteAppointment(id);
    await vi.waitFor(async () => expect((await w.stored("appointments")).has(id)).toBe(false), {
      timeout: 5000,
    });
  });
});

describe("verification", () => {
  it("refuses a delivery signed with another key (401) and applies nothing", async () => {
    const w = await world(server);
    w.fake.seedContacts(1);
    const response = await w.patchbay.handleWebhook(
      "gohighlevel",
      w.fake.webhook(w.connection, { forged: true }),
    );
    expect(response.status).toBe(401);
    expect(await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).toHaveLength(0);
  });

  it("refuses a delivery whose timestamp is outside the 5-minute window", async () => {
    const w = await world(server);
    const stale = w.fake.sign({
      type: "ContactDelete",
      locationId: GHL_SANDBOX.locationId,
      id: "c1",
      timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
      webhookId: "wh-stale",
    });
    const response = await w.patchbay.handleWebhook("gohighlevel", stale);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "stale_delivery" });
  });

  it("applies a delivery once: the same webhookId again is answered as a duplicate", async () => {
    const w = await world(server);
    const payload = {
      type: "ContactDelete",
      locationId: GHL_SANDBOX.locationId,
      id: "c1",
      timestamp: new Date().toISOString(),
      webhookId: "wh-once",
    };
    expect((await w.patchbay.handleWebhook("gohighlevel", w.fake.sign(payload))).status).toBe(202);
    const again = await w.patchbay.handleWebhook("gohighlevel", w.fake.sign(payload));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate" });
  });

  it("routes by locationId: a delivery for another location matches no connection", async () => {
    const w = await world(server);
    const response = await w.patchbay.handleWebhook(
      "gohighlevel",
      w.fake.sign({
        type: "ContactDelete",
        locationId: "SomeOtherLocation001",
        id: "c1",
        timestamp: new Date().toISOString(),
        webhookId: "wh-x",
      }),
    );
    expect(response.status).toBe(404);
  });

  it("accepts the legacy X-WH-Signature (RSA-SHA256) only when X-GHL-Signature is absent", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const fake = createGhlFake({ legacyWebhookPrivateKey: rsa.privateKey });
    const keys = {
      ed25519: createPublicKey(GHL_SANDBOX_WEBHOOK_KEYS.publicKey),
      legacyRsa: rsa.publicKey,
    };
    const delivery = fake.sign({
      type: "ContactUpdate",
      locationId: "L",
      timestamp: new Date().toISOString(),
    });
    const raw = new Uint8Array(await delivery.clone().arrayBuffer());
    const legacyOnly = new Headers(delivery.headers);
    legacyOnly.delete("x-ghl-signature");
    expect(verifyGhlSignature(raw, legacyOnly, keys)).toBe(true);
    expect(verifyGhlSignature(raw, legacyOnly, { ...keys, legacyRsa: undefined })).toBe(false);
    const badNew = new Headers(delivery.headers);
    badNew.set("x-ghl-signature", Buffer.alloc(64).toString("base64"));
    // A present X-GHL-Signature decides alone: a valid legacy header does not rescue it.
    expect(verifyGhlSignature(raw, badNew, keys)).toBe(false);
  });

  it("checks HighLevel's published key by default, so the sandbox key is refused unless injected", async () => {
    expect(createPublicKey(GHL_WEBHOOK_PUBLIC_KEY).asymmetricKeyType).toBe("ed25519");
    const w = await world(server, { connector: { webhookPublicKey: GHL_WEBHOOK_PUBLIC_KEY } });
    const response = await w.patchbay.handleWebhook("gohighlevel", w.fake.webhook(w.connection));
    expect(response.status).toBe(401);
    expect(goHighLevel({ auth: "private" }).webhooks?.secret).toBe("app");
  });
});
