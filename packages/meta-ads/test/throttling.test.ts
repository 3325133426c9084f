import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isMetaRateLimitCode, parseMetaError, readMetaUsage } from "../src/index.js";
import { connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("meta-ads throttling", () => {
  it("spaces calls out once the usage headers pass 75%", async () => {
    const w = await connectWorld(server, { config: { level: "adset" } });
    w.fake.setUsage({ percent: 90 });
    await w.sync("campaigns");
    // 90% is 15/25 of the way from 75% to 100%: 0.6 × 60 s.
    expect(w.slept).toEqual([]);
    await w.sync("campaigns");
    expect(w.slept).toContain(36_000);
  });

  it("stops with retryAfterMs when Meta says access returns only in minutes", async () => {
    const w = await connectWorld(server);
    w.fake.setUsage({ percent: 100, regainMinutes: 5 });
    await w.sync("campaigns");
    const run = await w.sync("campaigns");
    expect(run.status).toBe("failed");
    expect(run.error).toContain("access returns in about 5 min");
  });

  it("retries Meta's throttling error codes, which come on HTTP 400", async () => {
    const w = await connectWorld(server);
    w.fake.rateLimitNext(2);
    const run = await w.sync("campaigns");
    expect(run).toMatchObject({ status: "succeeded", inserted: 4 });
  });

  it("treats codes 4, 17, 32, 613 and 80000-80014 as rate limits, and 190 as auth", () => {
    for (const code of [4, 17, 32, 613, 80000, 80004, 80014])
      expect(isMetaRateLimitCode(code)).toBe(true);
    for (const code of [1, 100, 190, 80015]) expect(isMetaRateLimitCode(code)).toBe(false);
    const headers = new Headers({
      "x-business-use-case-usage": JSON.stringify({
        "1": [
          {
            type: "ads_insights",
            call_count: 100,
            total_cputime: 30,
            total_time: 40,
            estimated_time_to_regain_access: 3,
          },
        ],
      }),
    });
    expect(readMetaUsage(headers)).toEqual({ maxPercent: 100, regainAccessMs: 180_000 });
    expect(
      parseMetaError(new Response(null, { status: 400, headers }), {
        error: { code: 613, message: "Calls within one hour" },
      }),
    ).toMatchObject({
      kind: "rate_limit",
      retryAfterMs: 180_000,
      code: "613",
    });
    expect(
      parseMetaError(new Response(null, { status: 400 }), {
        error: { code: 190, error_subcode: 463 },
      }),
    ).toMatchObject({
      kind: "auth",
      code: "190/463",
    });
    expect(ErrorCode.RATE_LIMITED).toBe("PATCHBAY_RATE_LIMITED");
  });
});
