import { ErrorCode, RateLimitError } from "@patchbay/core";
import { http } from "msw";
import { describe, expect, it } from "vitest";
import {
  buildEventsRequests,
  META_GRAPH_API_BASE,
  metaPixel,
  type SendEventsResult,
} from "../src/index.js";
import { graphError, META_PIXEL_SANDBOX } from "../src/testing/index.js";
import { connect, NOW_S, purchase, send, server, TENANT, world } from "./world.js";

describe("meta-pixel: connecting", () => {
  it("tests the token with a read of the pixel (no event sent) and keeps the pixel id as metadata", async () => {
    const w = world();
    const c = await connect(w);
    expect(c.status).toBe("active");
    expect(c.metadata).toEqual({ pixelId: META_PIXEL_SANDBOX.pixelId });
    expect(w.fake.requests).toEqual([
      { method: "GET", path: `/v25.0/${META_PIXEL_SANDBOX.pixelId}` },
    ]);
    expect(w.fake.events()).toEqual([]);
  });

  it("refuses a bad token with Meta's code 190, stores nothing, and never echoes the token", async () => {
    const w = world();
    const token = "EAAGwrongwrongwrongwrongwrong123";
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "meta-pixel",
      credentials: { pixelId: META_PIXEL_SANDBOX.pixelId, accessToken: token },
    });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    await attempt.catch((e: Error) => {
      expect(e.message).toMatch(/Invalid OAuth access token/);
      expect(e.message + JSON.stringify(e)).not.toContain(token);
    });
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("refuses a pixel the token cannot see (code 100/33)", async () => {
    const w = world();
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "meta-pixel",
        credentials: { pixelId: "999999999999999", accessToken: META_PIXEL_SANDBOX.accessToken },
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it("fails the test connection once the token is revoked", async () => {
    const w = world();
    const c = await connect(w);
    w.fake.revokeToken();
    const result = await w.patchbay.connections.test(TENANT, c.id);
    expect(result.ok).toBe(false);
  });

  it("the credential form has help text for both fields, and bad options throw a TypeError naming them", () => {
    const auth = metaPixel().auth;
    if (auth.kind !== "credentials") throw new Error("expected a credential form");
    const shape = (auth.fields as unknown as { shape: Record<string, { description?: string }> })
      .shape;
    expect(shape.pixelId?.description).toMatch(/Events Manager/);
    expect(shape.accessToken?.description).toMatch(/Conversions API/);
    expect(() => metaPixel({ graphApiVersion: "25" })).toThrow(
      '"graphApiVersion" must look like "v25.0"',
    );
  });
});

describe("meta-pixel: sendEvents", () => {
  it("sends hashed user data, keeps browser fields plain, and reports what Meta received", async () => {
    const w = world();
    const c = await connect(w, { defaultPhoneCountryCode: "1" });
    const result = await send<SendEventsResult>(w, c.id, { events: [purchase()] });
    expect(result).toMatchObject({ eventsReceived: 1, requests: 1, testEventCode: null });
    const [got] = w.fake.events();
    expect(got?.event).toEqual({
      event_name: "Purchase",
      event_time: NOW_S - 60,
      event_id: "order-1001",
      action_source: "website",
      event_source_url: "https://brightplumbing.example/checkout/thanks",
      user_data: {
        em: ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"],
        ph: ["e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"],
        client_ip_address: "203.0.113.7",
        client_user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15",
        fbp: "fb.1.1558571054389.1098115397",
        fbc: "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890",
      },
      custom_data: { currency: "usd", value: 249.5 },
    });
    expect(JSON.stringify(w.fake.events())).not.toMatch(/john_smith|555-1212/i);
  });

  it("deduplicates with the browser pixel: the same eventName + eventId counts once at Meta", async () => {
    const w = world();
    const c = await connect(w);
    await send(w, c.id, { events: [purchase()] });
    await send(w, c.id, { events: [purchase(), purchase({ eventId: "order-1002" })] });
    expect(w.fake.events()).toHaveLength(3);
    expect(w.fake.deduplicatedEvents().map((e) => e.event.event_id)).toEqual([
      "order-1001",
      "order-1002",
    ]);
  });

  it("refuses an event older than 7 days before sending anything (Meta would drop the whole batch)", async () => {
    const w = world();
    const c = await connect(w);
    const stale = purchase({ eventId: "order-old", eventTime: NOW_S - 8 * 86_400 });
    await expect(send(w, c.id, { events: [purchase(), stale] })).rejects.toThrow(
      '"events[1].eventTime" is 8 days old: Meta rejects the whole request when any event is more than 7 days old, so nothing was sent.',
    );
    expect(w.fake.requests.filter((r) => r.method === "POST")).toEqual([]);
    // Physical-store events may be up to 62 days old.
    await send(w, c.id, { events: [{ ...stale, actionSource: "physical_store" }] });
    expect(w.fake.events()).toHaveLength(1);
  });

  it("the fake refuses stale events the way Meta does, for hosts that bypass the check", async () => {
    const w = world();
    const response = await fetch(
      `${META_GRAPH_API_BASE}/v25.0/${META_PIXEL_SANDBOX.pixelId}/events?access_token=${META_PIXEL_SANDBOX.accessToken}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          data: [
            {
              event_name: "Lead",
              event_time: NOW_S - 8 * 86_400,
              action_source: "system_generated",
              user_data: {},
            },
          ],
        }),
      },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 100, error_subcode: 2804003, error_user_title: "Event Timestamp Too Old" },
    });
    expect(w.fake.events()).toEqual([]);
  });

  it("requires the page URL and user agent for website events", async () => {
    const w = world();
    const c = await connect(w);
    const { eventSourceUrl: _url, ...noUrl } = purchase();
    await expect(send(w, c.id, { events: [noUrl] })).rejects.toThrow(
      '"events[0].eventSourceUrl" is required for website events',
    );
  });

  it("splits more than 1000 events into batches of at most 1000", async () => {
    const w = world();
    const c = await connect(w);
    const events = Array.from({ length: 2001 }, (_, i) =>
      purchase({
        eventId: `order-${i}`,
        user: { externalId: `cust-${i}`, clientUserAgent: "Mozilla/5.0" },
      }),
    );
    const result = await send<SendEventsResult>(w, c.id, { events });
    expect(result).toMatchObject({ eventsReceived: 2001, requests: 3 });
    expect(w.fake.events()).toHaveLength(2001);
    expect(() =>
      buildEventsRequests([], {
        now: Date.now(),
        config: { actionSource: "website" },
        batchSize: 1001,
      }),
    ).toThrow('"batchSize" must be an integer from 1 to 1000');
  });

  it("sends test events with the configured test_event_code, or the one given to the call", async () => {
    const w = world();
    const c = await connect(w, { testEventCode: META_PIXEL_SANDBOX.testEventCode });
    const result = await send<SendEventsResult>(w, c.id, { events: [purchase()] });
    expect(result.testEventCode).toBe(META_PIXEL_SANDBOX.testEventCode);
    await send(w, c.id, { events: [purchase()], testEventCode: "TEST99" });
    expect(w.fake.events({ test: true }).map((e) => e.testEventCode)).toEqual([
      META_PIXEL_SANDBOX.testEventCode,
      "TEST99",
    ]);
    expect(w.fake.events({ test: false })).toEqual([]);
  });

  it("retries Meta's throttle (code 4 on an HTTP 400) and the events still arrive", async () => {
    const w = world();
    const c = await connect(w);
    w.fake.rateLimitNext(1);
    const result = await send<SendEventsResult>(w, c.id, { events: [purchase()] });
    expect(result.eventsReceived).toBe(1);
    expect(w.fake.events()).toHaveLength(1);
  });

  it("maps a persistent throttle to a typed RateLimitError with Meta's code", async () => {
    const w = world();
    const c = await connect(w);
    server.use(
      http.post(`${META_GRAPH_API_BASE}/*`, () =>
        graphError(400, {
          message: "(#17) User request limit reached",
          code: 17,
          error_subcode: 2446079,
        }),
      ),
    );
    const error = await send(w, c.id, { events: [purchase()] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ providerCode: "17/2446079", status: 400 });
  });
});
