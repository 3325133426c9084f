import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseBusinessProfileError } from "../src/index.js";
import { createGoogleBusinessProfileFake, GBP_SANDBOX } from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function world() {
  const fake = createGoogleBusinessProfileFake();
  fake.seedSandbox();
  server.use(...fake.handlers);
  const { accessToken } = fake.oauth.issueTokens({
    scopes: ["https://www.googleapis.com/auth/business.manage"],
  }) as {
    accessToken: string;
  };
  const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  return { fake, get };
}

const V4 = `https://mybusiness.googleapis.com/v4/accounts/${GBP_SANDBOX.accountId}/locations/${GBP_SANDBOX.locationIds[0]}`;
const BI = `https://mybusinessbusinessinformation.googleapis.com/v1/accounts/${GBP_SANDBOX.accountId}/locations`;

describe("the fake answers like Google", () => {
  it("requires a readMask on locations, with a One Platform field violation the parser names", async () => {
    const { get } = world();
    const response = await get(BI);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.details[0]).toEqual({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      fieldViolations: [{ field: "read_mask", description: "Field is required" }],
    });
    expect(parseBusinessProfileError(response, body)?.message).toBe(
      "Request contains an invalid argument. (read_mask: Field is required)",
    );
  });

  it("caps reviews at 50 per page and accepts only Google's orders, with v4 validation errors", async () => {
    const { get } = world();
    const tooBig = await get(`${V4}/reviews?pageSize=51`);
    expect(tooBig.status).toBe(400);
    expect((await tooBig.json()).error.details[0]["@type"]).toBe(
      "type.googleapis.com/google.mybusiness.v4.ValidationError",
    );
    expect((await get(`${V4}/reviews?orderBy=createTime`)).status).toBe(400);
    const byRating = await (await get(`${V4}/reviews?orderBy=rating&pageSize=3`)).json();
    expect(byRating.reviews.map((r: { starRating: string }) => r.starRating)).toEqual([
      "ONE",
      "TWO",
      "THREE",
    ]);
    expect(byRating).toMatchObject({ totalReviewCount: 8, nextPageToken: expect.any(String) });
    const next = await (
      await get(`${V4}/reviews?orderBy=rating&pageSize=3&pageToken=${byRating.nextPageToken}`)
    ).json();
    expect(next.reviews).toHaveLength(3);
  });

  it("answers 401 without a token, and 429 RESOURCE_EXHAUSTED when told to", async () => {
    const { fake, get } = world();
    expect((await fetch(`${V4}/reviews`)).status).toBe(401);
    fake.rateLimitNext(1);
    const limited = await get(`${V4}/reviews`);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.status).toBe("RESOURCE_EXHAUSTED");
    expect((await get(`${V4}/reviews`)).status).toBe(200);
  });

  it("refuses a metrics request without metrics or with an inverted range", async () => {
    const { get } = world();
    const base = `https://businessprofileperformance.googleapis.com/v1/locations/${GBP_SANDBOX.locationIds[0]}:fetchMultiDailyMetricsTimeSeries`;
    const range =
      "dailyRange.start_date.year=2025&dailyRange.start_date.month=5&dailyRange.start_date.day=10&dailyRange.end_date.year=2025&dailyRange.end_date.month=5&dailyRange.end_date.day=1";
    expect((await get(`${base}?${range}`)).status).toBe(400);
    expect((await get(`${base}?dailyMetrics=CALL_CLICKS&${range}`)).status).toBe(400);
  });
});
