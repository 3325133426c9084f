import { AuthError, ErrorCode, ProviderError, RateLimitError } from "@patchbay/core";
import { describe, expect, it } from "vitest";
import {
  hashUser,
  normalizePhone,
  parseTrackResponse,
  type SendEventsResult,
  tiktokPixel,
} from "../src/index.js";
import { TIKTOK_PIXEL_SANDBOX } from "../src/testing/index.js";
import { connect, NOW_S, payment, send, TENANT, world } from "./world.js";

describe("tiktok-pixel: connecting", () => {
  it("tests the token with one test event that stays out of live data, and keeps the pixel code", async () => {
    const w = world();
    const c = await connect(w);
    expect(c.metadata).toEqual({ pixelCode: TIKTOK_PIXEL_SANDBOX.pixelCode });
    expect(w.fake.events({ test: false })).toEqual([]);
    expect(w.fake.events({ test: true })).toHaveLength(1);
    expect(w.fake.requests[0]?.testEventCode).toBe("TEST_PATCHBAY");
  });

  it("uses the connection's own test event code for the check when one is configured", async () => {
    const w = world();
    await connect(w, { testEventCode: TIKTOK_PIXEL_SANDBOX.testEventCode });
    expect(w.fake.requests[0]?.testEventCode).toBe(TIKTOK_PIXEL_SANDBOX.testEventCode);
  });

  it("refuses a bad token (TikTok 40105 on an HTTP 200), stores nothing, never echoes the token", async () => {
    const w = world();
    const token = "wrong0token0wrong0token0wrong0token0000";
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "tiktok-pixel",
      credentials: { pixelCode: TIKTOK_PIXEL_SANDBOX.pixelCode, accessToken: token },
    });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    await attempt.catch((e: Error) => {
      expect(e.message).toMatch(/TikTok code 40105/);
      expect(e.message + JSON.stringify(e)).not.toContain(token);
    });
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("refuses a pixel code the token was not generated for (40001)", async () => {
    const w = world();
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "tiktok-pixel",
        credentials: {
          pixelCode: "COTHERPIXEL000000001",
          accessToken: TIKTOK_PIXEL_SANDBOX.accessToken,
        },
      }),
    ).rejects.toThrow(/No permission to operate pixel code/);
  });

  it("the credential form has help text, and bad options throw a TypeError naming them", () => {
    const auth = tiktokPixel().auth;
    if (auth.kind !== "credentials") throw new Error("expected a credential form");
    const shape = (auth.fields as unknown as { shape: Record<string, { description?: string }> })
      .shape;
    expect(shape.pixelCode?.description).toMatch(/Events Manager/);
    expect(shape.accessToken?.description).toMatch(/Events API/);
    expect(() => tiktokPixel({ requestsPerSecond: 0 })).toThrow(
      '"requestsPerSecond" must be an integer from 1 to 1000',
    );
  });
});

describe("tiktok-pixel: hashing as TikTok specifies", () => {
  it("hashes email (trimmed, lowercased), phone (E.164) and external id (trimmed); the rest stays plain", () => {
    expect(hashUser(payment().user, { path: "u", defaultPhoneCountryCode: "1" })).toEqual({
      email: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
      phone: "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8",
      external_id: "6fd6ebd11fef5dc85e566ceb1db68632fedb601ac5ef53554960d7114c653b94",
      ip: "203.0.113.7",
      user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
      ttp: "2F7h37YkS1j57AYSKTI7IHhJPYH",
      ttclid: "E.C.P.CqgBsandboxclick",
    });
  });

  it("puts phone numbers in E.164, and refuses a national number when no country code is configured", () => {
    expect(normalizePhone("+1 (650) 555-1212")).toBe("+16505551212");
    expect(normalizePhone("0044 20 7946 0958")).toBe("+442079460958");
    expect(normalizePhone("020 7946 0958", "44")).toBe("+442079460958");
    expect(() => hashUser({ phone: "650-555-1212" }, { path: "events[0].user" })).toThrow(
      '"events[0].user.phone" must include its country code',
    );
  });
});

describe("tiktok-pixel: sendEvents", () => {
  it("sends Events API 2.0 bodies: web source, the pixel code, hashed user, page and properties", async () => {
    const w = world();
    const c = await connect(w, { defaultPhoneCountryCode: "1" });
    const result = await send<SendEventsResult>(w, c.id, { events: [payment()] });
    expect(result).toMatchObject({ eventsSent: 1, requests: 1, testEventCode: null });
    expect(result.requestIds).toHaveLength(1);
    const [got] = w.fake.events({ test: false });
    expect(got).toMatchObject({ pixelCode: TIKTOK_PIXEL_SANDBOX.pixelCode, testEventCode: null });
    expect(got?.event).toMatchObject({
      event: "CompletePayment",
      event_time: NOW_S - 30,
      event_id: "order-1001",
      user: {
        email: "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ip: "203.0.113.7",
      },
      page: { url: "https://brightplumbing.example/checkout/thanks" },
      properties: { currency: "USD", value: 249.5 },
    });
    expect(JSON.stringify(w.fake.events())).not.toMatch(/john_smith|555/i);
  });

  it("deduplicates with the browser pixel: the same event + eventId counts once", async () => {
    const w = world();
    const c = await connect(w, { defaultPhoneCountryCode: "1" });
    await send(w, c.id, { events: [payment(), payment(), payment({ eventId: "order-1002" })] });
    expect(w.fake.deduplicatedEvents().map((e) => e.event.event_id)).toEqual([
      "order-1001",
      "order-1002",
    ]);
  });

  it("sends test events with the configured test_event_code or the one given to the call", async () => {
    const w = world();
    const c = await connect(w, {
      testEventCode: TIKTOK_PIXEL_SANDBOX.testEventCode,
      defaultPhoneCountryCode: "1",
    });
    await send(w, c.id, { events: [payment()] });
    await send(w, c.id, { events: [payment()], testEventCode: "TEST777" });
    expect(w.fake.events({ test: false })).toEqual([]);
    expect(w.fake.events({ test: true }).map((e) => e.testEventCode)).toEqual([
      TIKTOK_PIXEL_SANDBOX.testEventCode, // the connection check
      TIKTOK_PIXEL_SANDBOX.testEventCode,
      "TEST777",
    ]);
  });

  it("splits large sends into batches of at most 1000", async () => {
    const w = world();
    const c = await connect(w);
    const events = Array.from({ length: 1500 }, (_, i) => ({
      event: "ViewContent",
      eventTime: NOW_S,
      eventId: `v-${i}`,
    }));
    const result = await send<SendEventsResult>(w, c.id, { events });
    expect(result).toMatchObject({ eventsSent: 1500, requests: 2 });
  });

  it("maps TikTok's 40100 (on an HTTP 200) to a RateLimitError, and nothing is counted as sent", async () => {
    const w = world();
    const c = await connect(w, { defaultPhoneCountryCode: "1" });
    w.fake.rateLimitNext(1);
    const error = await send(w, c.id, { events: [payment()] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ providerCode: "40100", retryAfterMs: 1000, retryable: true });
    expect(w.fake.events({ test: false })).toEqual([]);
    // The next attempt goes through.
    await send(w, c.id, { events: [payment()] });
    expect(w.fake.events({ test: false })).toHaveLength(1);
  });

  it("maps a token deleted in Events Manager to an AuthError, and bad parameters to a ProviderError", async () => {
    const w = world();
    const c = await connect(w);
    w.fake.revokeToken();
    await expect(send(w, c.id, { events: [payment({ user: {} })] })).rejects.toBeInstanceOf(
      AuthError,
    );
    expect(() =>
      parseTrackResponse({
        code: 40002,
        message: "data[0].event: field is required",
        request_id: "r9",
      }),
    ).toThrow(ProviderError);
    expect(() => parseTrackResponse({ code: 40002, message: "x", request_id: "r9" })).toThrow(
      /request_id r9/,
    );
  });
});
