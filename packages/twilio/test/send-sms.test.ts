import { ConfigError, ErrorCode, ProviderError, RateLimitError } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TWILIO_API_BASE_URL } from "../src/index.js";
import { TWILIO_SANDBOX, twilioRateLimited } from "../src/testing/index.js";
import { calls, WEBHOOK_URL, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TO = "+15125550111";

describe("sendSms", () => {
  it("posts a form-encoded text from the configured number with the host's webhook URL as StatusCallback", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    const bodies: { type: string | null; body: string }[] = [];
    server.events.on("request:start", async ({ request }) => {
      if (request.method === "POST")
        bodies.push({
          type: request.headers.get("content-type"),
          body: await request.clone().text(),
        });
    });
    const sent = (await w.sendSms({ to: TO, body: "Sam is on the way 🚐" })) as Record<
      string,
      unknown
    >;
    server.events.removeAllListeners();
    expect(sent).toMatchObject({
      status: "queued",
      direction: "outbound-api",
      from: TWILIO_SANDBOX.number,
      to: TO,
      body: "Sam is on the way 🚐",
      num_segments: "1",
    });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.type).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(bodies[0]!.body))).toEqual({
      To: TO,
      Body: "Sam is on the way 🚐",
      From: TWILIO_SANDBOX.number,
      StatusCallback: WEBHOOK_URL,
    });
  });

  it("sends through a Messaging Service when asked (accepted first, as Twilio does)", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    const sent = await w.sendSms({
      to: TO,
      body: "Reminder: visit tomorrow 9-11am",
      messagingServiceSid: TWILIO_SANDBOX.messagingServiceSid,
    });
    expect(sent).toMatchObject({
      status: "accepted",
      messaging_service_sid: TWILIO_SANDBOX.messagingServiceSid,
      num_segments: "0",
    });
  });

  it.each([
    [
      "a number that is not E.164",
      { to: "(512) 555-0111", body: "Hi" },
      '"input.to" must be a phone number in E.164 format, such as +15125550123',
    ],
    ["an empty body", { to: TO, body: "   " }, '"input.body" must not be empty'],
    [
      "a body over 1,600 characters",
      { to: TO, body: "x".repeat(1601) },
      '"input.body" is 1601 characters long; Twilio accepts at most 1600 (error 21617)',
    ],
    [
      "a bad sender",
      { to: TO, body: "Hi", from: "512-555-0100" },
      '"input.from" must be a phone number in E.164 format',
    ],
  ])("refuses %s with a clear error and sends nothing", async (_case, input, message) => {
    const w = await world(server);
    const before = w.fake.requests.length;
    const error = await w.sendSms(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect(w.fake.requests.length).toBe(before);
  });

  it("counts the 1,600 characters in characters, not UTF-16 units (800 emoji fit)", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    await expect(w.sendSms({ to: TO, body: "👍".repeat(1600) })).resolves.toMatchObject({
      status: "queued",
    });
  });

  it("without a sender in the input or the config, says where to set one", async () => {
    const w = await world(server, { config: null });
    await expect(w.sendSms({ to: TO, body: "Hi" })).rejects.toThrow(
      /No sender: pass "from" .* or set one in the connection's config/,
    );
  });

  it("Twilio's own error body becomes a typed error carrying the code", async () => {
    const w = await world(server);
    const error = await w
      .sendSms({ to: TO, body: "Hi", from: "+15125550999" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 400, providerCode: "21606", retryable: false });
    expect((error as Error).message).toContain("(Twilio error 21606)");
  });

  it("a 429 with code 20429 is retried (Twilio did not process it) and the text is sent once", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    w.fake.rateLimitNext(1);
    const sent = (await w.sendSms({ to: TO, body: "Hi" })) as { sid: string };
    expect(calls(w.fake, /^POST/)).toHaveLength(2);
    expect(w.fake.messages().map((m) => m.sid)).toEqual([sent.sid]);
  });

  it("a 429 that persists surfaces as a RateLimitError with Twilio's code", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    server.use(http.post(`${TWILIO_API_BASE_URL}/*`, () => twilioRateLimited()));
    const error = await w.sendSms({ to: TO, body: "Hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      providerCode: "20429",
      status: 429,
    });
    expect(w.fake.messages()).toEqual([]);
  });

  it("a 20429 code is a rate limit even under another HTTP status", async () => {
    const w = await world(server, { fake: { autoAdvance: false } });
    server.use(
      http.post(`${TWILIO_API_BASE_URL}/*`, () =>
        HttpResponse.json(
          { code: 20429, message: "Too Many Requests", status: 503 },
          { status: 503 },
        ),
      ),
    );
    await expect(w.sendSms({ to: TO, body: "Hi" })).rejects.toBeInstanceOf(RateLimitError);
  });
});
