import { ConfigError, ErrorCode } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  googleAnalytics,
  MEASUREMENT_PROTOCOL_BASE,
  MP_DEBUG_PATH,
  type SendMpEventsResult,
  type ValidationMessage,
} from "../src/index.js";
import { GA_SANDBOX_STREAM } from "../src/testing/index.js";
import { action, connectMp, mpWorld, START, server, TENANT } from "./world.js";

const purchase = (params: Record<string, unknown> = {}) => ({
  name: "purchase",
  params: {
    transaction_id: "T-1001",
    value: 249.5,
    currency: "USD",
    engagement_time_msec: 1,
    ...params,
  },
});

describe("google-analytics (measurement protocol): connecting", () => {
  it("tests the credentials with a sample event on the validation server only, and keeps the measurement id", async () => {
    const w = mpWorld();
    const c = await connectMp(w);
    expect(c).toMatchObject({
      status: "active",
      metadata: { measurementId: GA_SANDBOX_STREAM.measurementId },
    });
    expect(w.fake.events()).toEqual([]);
    expect(w.fake.dropped()).toEqual([]);
  });

  it("fails the connection when the validation server returns validationMessages, quoting their codes", async () => {
    const w = mpWorld();
    server.use(
      http.post(`${MEASUREMENT_PROTOCOL_BASE}/${MP_DEBUG_PATH}`, () =>
        HttpResponse.json({
          validationMessages: [
            {
              fieldPath: "measurement_id",
              description: "Measurement ID is not valid.",
              validationCode: "VALUE_INVALID",
            },
          ],
        }),
      ),
    );
    const attempt = connectMp(w);
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    await expect(attempt).rejects.toThrow(
      /"measurement_id" VALUE_INVALID: Measurement ID is not valid/,
    );
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("rejects bad options and credential fields with messages that name them", async () => {
    expect(() => googleAnalytics({} as never)).toThrow(
      '"mode" must be "measurement-protocol" or "data-api"',
    );
    expect(() => googleAnalytics({ mode: "measurement-protocol", clientId: "x" } as never)).toThrow(
      /"clientId" and "clientSecret" are for mode "data-api"/,
    );
    const w = mpWorld();
    await expect(
      w.patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: "google-analytics",
        credentials: { measurementId: "UA-12345-1", apiSecret: GA_SANDBOX_STREAM.apiSecret },
      }),
    ).rejects.toThrow(/measurementId.*Measurement ID such as G-/);
  });
});

describe("google-analytics (measurement protocol): sendEvents", () => {
  it("sends one user's events with client_id, user_id and user properties, 25 per request", async () => {
    const w = mpWorld();
    const c = await connectMp(w);
    const events = Array.from({ length: 30 }, (_, i) => purchase({ transaction_id: `T-${i}` }));
    const result = await action<SendMpEventsResult>(w, c.id, "sendEvents", {
      clientId: "1234567890.1774620000",
      userId: "cust-42",
      userProperties: { plan: "gold" },
      events,
    });
    expect(result).toEqual({ eventsSent: 30, requests: 2, validatedWithGoogle: false });
    expect(w.fake.events()).toHaveLength(30);
    expect(w.fake.events()[0]).toMatchObject({
      measurementId: GA_SANDBOX_STREAM.measurementId,
      clientId: "1234567890.1774620000",
      userId: "cust-42",
      userProperties: { plan: { value: "gold" } },
      event: { name: "purchase", params: { transaction_id: "T-0", value: 249.5 } },
    });
  });

  it("refuses, before sending anything, events GA would silently drop, listing GA's validation codes", async () => {
    const w = mpWorld();
    const c = await connectMp(w);
    const tooMany = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, i]));
    const attempt = action(w, c.id, "sendEvents", {
      clientId: "1.2",
      userProperties: { user_id: "x", a_very_long_user_property_name: 1, tier: "x".repeat(37) },
      events: [
        { name: "session_start" },
        { name: "add-to-cart" },
        { name: "a".repeat(41) },
        purchase({ coupon: "c".repeat(101) }),
        { name: "lead", params: tooMany },
        { name: "lead", params: { google_thing: 1 } },
      ],
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    const message = await attempt.catch((e: Error) => e.message);
    for (const expected of [
      '"events[0].name" NAME_RESERVED',
      '"events[1].name" NAME_INVALID',
      '"events[2].name" VALUE_OUT_OF_BOUNDS',
      '"events[3].params.coupon" VALUE_OUT_OF_BOUNDS',
      '"events[4].params" EXCEEDED_MAX_ENTITIES',
      '"events[5].params.google_thing" NAME_RESERVED',
      '"user_properties.user_id" NAME_RESERVED',
      '"user_properties.a_very_long_user_property_name" VALUE_OUT_OF_BOUNDS',
    ])
      expect(message).toContain(expected);
    expect(w.fake.events()).toEqual([]);
    expect(w.fake.dropped()).toEqual([]);
  });

  it("the fake shows why the check matters: mp/collect answers 204 and drops a bad event", async () => {
    mpWorld();
    const url = `${MEASUREMENT_PROTOCOL_BASE}/mp/collect?measurement_id=${GA_SANDBOX_STREAM.measurementId}&api_secret=${GA_SANDBOX_STREAM.apiSecret}`;
    const response = await fetch(url, {
      method: "POST",
      body: JSON.stringify({ client_id: "1.2", events: [{ name: "session_start" }] }),
    });
    expect(response.status).toBe(204);
  });

  it("refuses events backdated more than 72 hours", async () => {
    const w = mpWorld();
    const c = await connectMp(w);
    await expect(
      action(w, c.id, "sendEvents", {
        clientId: "1.2",
        eventTime: START - 73 * 3_600_000,
        events: [purchase()],
      }),
    ).rejects.toThrow(
      '"timestamp_micros" VALUE_OUT_OF_BOUNDS: Events can be backdated by at most 72 hours.',
    );
    await action(w, c.id, "sendEvents", {
      clientId: "1.2",
      eventTime: START - 71 * 3_600_000,
      events: [purchase()],
    });
    expect(w.fake.events()).toHaveLength(1);
  });

  it("with validateWithGoogle, asks the validation server first and sends nothing it refuses", async () => {
    const w = mpWorld();
    const c = await connectMp(w, { validateWithGoogle: true });
    server.use(
      http.post(`${MEASUREMENT_PROTOCOL_BASE}/${MP_DEBUG_PATH}`, () =>
        HttpResponse.json({
          validationMessages: [
            {
              fieldPath: "events[0].params.currency",
              description: "Currency is not a valid ISO 4217 code.",
              validationCode: "VALUE_INVALID",
            },
          ],
        }),
      ),
    );
    await expect(
      action(w, c.id, "sendEvents", {
        clientId: "1.2",
        events: [purchase({ currency: "DOLLARS" })],
      }),
    ).rejects.toThrow(/Google's validation server refused the events.*VALUE_INVALID/);
    expect(w.fake.events()).toEqual([]);
  });

  it("validateEvents returns Google's validation messages without recording anything", async () => {
    const w = mpWorld();
    const c = await connectMp(w);
    const { validationMessages } = await action<{ validationMessages: ValidationMessage[] }>(
      w,
      c.id,
      "validateEvents",
      {
        clientId: "1.2",
        events: [{ name: "_internal" }, purchase()],
      },
    );
    expect(validationMessages).toEqual([
      expect.objectContaining({ fieldPath: "events", validationCode: "NAME_RESERVED" }),
    ]);
    expect(w.fake.events()).toEqual([]);
  });

  it("quirk pinned: the validation server ignores the API secret, so a wrong secret connects and its events vanish", async () => {
    const w = mpWorld();
    const c = await w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "google-analytics",
      credentials: {
        measurementId: GA_SANDBOX_STREAM.measurementId,
        apiSecret: "not-the-right-secret",
      },
    });
    await action(w, c.id, "sendEvents", { clientId: "1.2", events: [purchase()] });
    expect(w.fake.events()).toEqual([]);
    expect(w.fake.dropped().map((d) => d.reason)).toEqual(["invalid api_secret"]);
  });
});
