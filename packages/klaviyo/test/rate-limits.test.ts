import {
  createHttpClient,
  ErrorCode,
  RateLimitError,
  type RateLimiter,
  type RateLimitSpec,
} from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  KLAVIYO_API_ORIGIN,
  klaviyoApi,
  klaviyoOperationLimit,
  klaviyoRateLimiter,
  klaviyoRateTier,
  parseKlaviyoError,
  throttledFetch,
} from "../src/index.js";
import { KLAVIYO_SANDBOX_API_KEY } from "../src/testing/index.js";
import { connectWithKey, sync, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("declared tiers", () => {
  it("each endpoint gets its own tier from the spec: accounts and webhooks XS, profiles L, events XL", () => {
    expect(klaviyoRateTier(klaviyoOperationLimit("GET", "/api/accounts")!)).toBe("XS");
    expect(klaviyoRateTier(klaviyoOperationLimit("DELETE", "/api/webhooks/01HX/")!)).toBe("XS");
    expect(klaviyoOperationLimit("GET", "/api/profiles")).toMatchObject({
      burstPerSecond: 75,
      steadyPerMinute: 750,
    });
    expect(klaviyoRateTier(klaviyoOperationLimit("POST", "/api/events")!)).toBe("XL");
  });

  it("requests wait in per-connection, per-endpoint burst and steady buckets of core's limiter", async () => {
    const acquired: Array<{ key: string; spec: RateLimitSpec }> = [];
    const limiter: RateLimiter = {
      acquire: async (key, spec) => void acquired.push({ key, spec }),
      pause: () => undefined,
    };
    const fetch = throttledFetch(async () => new Response("{}"), limiter, "klaviyo:conn-1");
    await fetch(new Request("https://a.klaviyo.com/api/accounts"));
    expect(acquired).toEqual([
      {
        key: "klaviyo:conn-1:GET /api/accounts:steady",
        spec: { requests: 15, intervalMs: 60_000 },
      },
      { key: "klaviyo:conn-1:GET /api/accounts:burst", spec: { requests: 1, intervalMs: 1000 } },
    ]);
  });

  it("two back-to-back Get Accounts calls (XS: 1 per second) are spaced so Klaviyo never answers 429", async () => {
    // One virtual clock for the limiter and the fake, so network latency cannot move a call across Klaviyo's window.
    let clock = 1_800_000_000_000;
    const w = world(server, { fake: { now: () => clock } });
    const limiter = klaviyoRateLimiter({
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const http = createHttpClient({
      baseUrl: KLAVIYO_API_ORIGIN,
      headers: {
        authorization: `Klaviyo-API-Key ${KLAVIYO_SANDBOX_API_KEY}`,
        revision: "2026-07-15",
      },
      parseError: parseKlaviyoError,
      retry: { retries: 0 },
    });
    const api = klaviyoApi(http, { limiter, scopeKey: "klaviyo:c" });
    await api.GET("/api/accounts", {});
    await api.GET("/api/accounts", {});
    expect(w.fake.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("the fake enforces the tier itself: a second call in the same second gets 429 throttled with Retry-After", async () => {
    world(server);
    const get = () =>
      fetch("https://a.klaviyo.com/api/accounts", {
        headers: {
          authorization: `Klaviyo-API-Key ${KLAVIYO_SANDBOX_API_KEY}`,
          revision: "2026-07-15",
        },
      });
    const [first, second] = [await get(), await get()];
    // Unless the clock crossed a second boundary in between, the second is throttled.
    if (second.status !== 429) return expect(first.headers.get("ratelimit-remaining")).toBe("14");
    expect(first.headers.get("ratelimit-limit")).toBe("15");
    expect(second.headers.get("retry-after")).toBe("1");
    expect(second.headers.get("ratelimit-limit")).toBeNull();
    const body = (await second.json()) as { errors: Array<{ code: string; detail: string }> };
    expect(body.errors[0]).toMatchObject({
      code: "throttled",
      detail: expect.stringMatching(/Expected available in 1 second/),
    });
  });
});

describe("429 handling", () => {
  it("a 429 is retried after Retry-After and the sync succeeds", async () => {
    const w = world(server);
    for (let i = 0; i < 5; i++) w.fake.addProfile({ email: `r${i}@shoppers.example` });
    const c = await connectWithKey(w);
    w.fake.rateLimitNext(1, 1);
    const run = await sync(w, c.id, "profiles");
    expect(run).toMatchObject({ status: "succeeded", inserted: 5 });
    expect(w.fake.requests.filter((r) => r.path === "/api/profiles").map((r) => r.status)).toEqual([
      200, 429, 200,
    ]);
  });

  it("a Retry-After longer than a call may wait surfaces as RateLimitError with retryAfterMs", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    w.fake.rateLimitNext(1, 120);
    const error = await w.patchbay.actions
      .run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "createEvent",
        input: { metric: "Placed Order", email: "x@shoppers.example" },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      retryAfterMs: 120_000,
      providerCode: "throttled",
    });
  });

  it("without Retry-After, the wait comes from the detail's 'Expected available in N seconds'", () => {
    const info = parseKlaviyoError(new Response(null, { status: 429 }), {
      errors: [
        {
          id: "1",
          code: "throttled",
          title: "Request was throttled.",
          detail: "Request was throttled. Expected available in 7 seconds.",
          source: { pointer: "/data/" },
        },
      ],
    });
    expect(info).toMatchObject({ kind: "rate_limit", retryAfterMs: 7000, code: "throttled" });
  });
});
