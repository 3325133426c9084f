import { ErrorCode, RateLimitError } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GHL_RATE_LIMITS, ghlErrorParser, rateLimitWaitMs } from "../src/index.js";
import { world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("rate limits", () => {
  it("declares 100 requests per 10 seconds and 200,000 per day", () => {
    expect(GHL_RATE_LIMITS.map((l) => [l.requests, l.intervalMs])).toEqual([
      [100, 10_000],
      [200_000, 86_400_000],
    ]);
  });

  it("after a 429 waits the burst window from X-RateLimit-Interval-Milliseconds and the sync succeeds", async () => {
    const w = await world(server);
    w.fake.seedContacts(5);
    w.fake.rateLimitNext(2);
    const run = await w.sync("contacts");
    expect(run).toMatchObject({ status: "succeeded", inserted: 5 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it("pauses when X-RateLimit-Remaining reaches 0 instead of drawing 429s", async () => {
    const w = await world(server, { fake: { rateLimit: { burstMax: 3, burstIntervalMs: 30 } } });
    w.fake.seedContacts(650);
    const run = await w.sync("contacts");
    expect(run).toMatchObject({ status: "succeeded", inserted: 650 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
  });

  it("a spent daily quota is thrown as RateLimitError to retry after midnight UTC, not waited for in the call", async () => {
    const w = await world(server);
    server.use(
      http.post("https://services.leadconnectorhq.com/contacts/search", () =>
        HttpResponse.json(
          { statusCode: 429, message: "Too Many Requests", error: "Too Many Requests" },
          {
            status: 429,
            headers: {
              "X-RateLimit-Daily-Remaining": "0",
              "X-RateLimit-Limit-Daily": "200000",
              "X-RateLimit-Interval-Milliseconds": "10000",
              "X-RateLimit-Remaining": "0",
              "X-RateLimit-Max": "100",
            },
          },
        ),
      ),
    );
    const run = await w.sync("contacts");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/Too Many Requests/);
  });

  it("reads the wait from the headers: one burst window, or until the next UTC midnight", () => {
    const now = Date.parse("2025-05-01T22:00:00Z");
    expect(
      rateLimitWaitMs(new Headers({ "X-RateLimit-Interval-Milliseconds": "10000" }), now),
    ).toBe(10_000);
    expect(rateLimitWaitMs(new Headers({ "X-RateLimit-Daily-Remaining": "0" }), now)).toBe(
      2 * 3_600_000,
    );
    const info = ghlErrorParser(() => now)(new Response(null, { status: 422 }), {
      statusCode: 422,
      message: ["email must be an email", "phone is invalid"],
    });
    expect(info?.message).toBe("email must be an email; phone is invalid");
    expect(new RateLimitError("x").code).toBe(ErrorCode.RATE_LIMITED);
  });
});
