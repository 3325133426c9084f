import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  TWILIO_SANDBOX,
  TWILIO_SANDBOX_API_KEY,
  TWILIO_SANDBOX_CREDENTIALS,
} from "../src/testing/index.js";
import { calls, WEBHOOK_URL, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const CUSTOMER = "+15125550111";

describe("status callbacks", () => {
  it("a sent text's status callbacks, signed by the fake, update the stored message to delivered", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    const sent = await w.sendSms({ to: CUSTOMER, body: "Sam is on the way." });
    const sid = (sent as { sid: string }).sid;
    await w.sync("full");
    expect((await w.stored()).get(sid)?.data).toMatchObject({ status: "queued" });

    await w.fake.advance(sid); // sent
    await w.fake.advance(sid); // delivered
    await w.fake.idle();

    expect(w.fake.deliveries.map((r) => r.url)).toEqual([WEBHOOK_URL, WEBHOOK_URL]);
    expect(w.responses.map((r) => r.status)).toEqual([202, 202]);
    const record = (await w.stored()).get(sid)?.data as Record<string, unknown>;
    expect(record).toMatchObject({ status: "delivered", to: CUSTOMER });
    expect(record.date_sent).not.toBeNull();
  });

  it("with autoAdvance, a text to a landline ends undelivered with Twilio's error code", async () => {
    const w = await world(server);
    const sent = (await w.sendSms({ to: "+15125550199", body: "Estimate on Friday 2pm." })) as {
      sid: string;
    };
    await w.fake.idle();
    const record = (await w.stored()).get(sent.sid)?.data;
    expect(record).toMatchObject({ status: "undelivered", error_code: 30006 });
  });

  it("a forged status callback is refused and changes nothing", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    const sent = (await w.sendSms({ to: CUSTOMER, body: "Hello" })) as { sid: string };
    await w.sync("full");
    const before = w.fake.requests.length;
    const body = new URLSearchParams({
      AccountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
      MessageSid: sent.sid,
      MessageStatus: "delivered",
    });
    const response = await w.patchbay.handleWebhook(
      "twilio",
      new Request(WEBHOOK_URL, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": w.fake.sign(WEBHOOK_URL, Object.fromEntries(body), "f".repeat(32)),
        },
        body,
      }),
    );
    expect(response.status).toBe(401);
    expect(w.fake.requests.length).toBe(before); // no sync ran
    expect((await w.stored()).get(sent.sid)?.data).toMatchObject({ status: "queued" });
  });

  it("a callback for another Twilio account reaches no connection", async () => {
    const w = await world(server);
    const other = w.fake.addAccount({ numbers: ["+15125550177"] });
    const request = w.fake.webhook({ metadata: { accountSid: other.sid } });
    const response = await w.patchbay.handleWebhook("twilio", request);
    expect(response.status).toBe(404);
    expect(await w.stored()).toEqual(new Map());
  });
});

describe("inbound texts", () => {
  it("a customer's text creates the message at once, and the next sync fills in Twilio's dates", async () => {
    const w = await world(server);
    const sid = w.fake.receiveSms({ from: CUSTOMER, body: "Can you come earlier?" });
    await w.fake.idle();
    expect(w.responses.map((r) => r.status)).toEqual([202]);
    expect(calls(w.fake, /Messages\.json/)).toEqual([]); // applied without a fetch
    expect((await w.stored()).get(sid)?.data).toMatchObject({
      sid,
      direction: "inbound",
      status: "received",
      from: CUSTOMER,
      to: TWILIO_SANDBOX.number,
      body: "Can you come earlier?",
      date_sent: null,
    });
    const run = await w.sync("incremental");
    expect(run.updated).toBe(1);
    expect((await w.stored()).get(sid)?.data).toMatchObject({ date_sent: expect.any(String) });
  });

  it("the same delivery twice is applied once", async () => {
    const w = await world(server, { notify: false });
    const request = w.fake.webhook(await w.current());
    const first = await w.patchbay.handleWebhook("twilio", request.clone());
    const second = await w.patchbay.handleWebhook("twilio", request);
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ status: "duplicate" });
  });

  it("a signed JSON delivery (bodySHA256) is verified too", async () => {
    const w = await world(server, { notify: false });
    const payload = {
      AccountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
      MessageSid: "SM0123456789abcdef0123456789abcdef",
      From: CUSTOMER,
      To: TWILIO_SANDBOX.number,
      Body: "Sent as JSON",
    };
    const genuine = w.fake.jsonWebhook(WEBHOOK_URL, payload, TWILIO_SANDBOX_CREDENTIALS.authToken);
    expect((await w.patchbay.handleWebhook("twilio", genuine)).status).toBe(202);
    const forged = w.fake.jsonWebhook(
      WEBHOOK_URL,
      { ...payload, MessageSid: `SM${"1".repeat(32)}` },
      "0".repeat(32),
    );
    expect((await w.patchbay.handleWebhook("twilio", forged)).status).toBe(401);
    expect([...(await w.stored()).keys()]).toEqual([payload.MessageSid]);
  });
});

describe("connections that cannot verify webhooks", () => {
  it("a Standard API key cannot read the Auth Token: texts go out without a StatusCallback and deliveries are refused", async () => {
    const w = await world(server, { credentials: { ...TWILIO_SANDBOX_API_KEY } });
    expect((await w.current()).metadata).toMatchObject({
      authMode: "api_key",
      webhookSigning: "unavailable",
      statusCallbackUrl: null,
    });
    const sent = (await w.sendSms({ to: CUSTOMER, body: "Hi" })) as { sid: string };
    expect(w.fake.state.message(sent.sid)?.statusCallback).toBeNull();
    const response = await w.patchbay.handleWebhook("twilio", w.fake.webhook(await w.current()));
    expect(response.status).toBe(401);
  });
});
