import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DailyMetricRecord, LocalPostRecord, LocationRecord } from "../src/index.js";
import { GBP_SANDBOX } from "../src/testing/index.js";
import { calls, connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const [BOULDER, LONGMONT] = GBP_SANDBOX.locationIds;
const DAY = 86_400_000;
const day = (daysAgo: number) =>
  new Date(Date.parse(new Date().toISOString().slice(0, 10)) - daysAgo * DAY)
    .toISOString()
    .slice(0, 10);

describe("locations", () => {
  it("imports both locations with the fields of the read mask", async () => {
    const w = await connectWorld(server);
    const run = await w.sync("locations");
    expect(run.inserted).toBe(2);
    const boulder = (await w.stored<LocationRecord>("locations")).get(`locations/${BOULDER}`);
    expect(boulder).toMatchObject({
      title: "Summit Plumbing & Drain — Boulder",
      accountName: `accounts/${GBP_SANDBOX.accountId}`,
      phoneNumbers: { primaryPhone: "(303) 555-0142" },
      storefrontAddress: { locality: "Boulder", postalCode: "80301" },
    });
    const [request] = calls(w.fake, /mybusinessbusinessinformation.*readMask=name%2Ctitle/);
    expect(request).toBeDefined();
  });
});

describe("localPosts", () => {
  it("imports every location's posts, and a post the owner published in Google since", async () => {
    const w = await connectWorld(server);
    expect((await w.sync("localPosts")).inserted).toBe(5);
    const name = w.fake.postInGoogle(LONGMONT, "Closed Monday for the holiday.");
    expect((await w.sync("localPosts")).inserted).toBe(1);
    expect((await w.stored<LocalPostRecord>("localPosts")).get(name)).toMatchObject({
      summary: "Closed Monday for the holiday.",
      locationName: `accounts/${GBP_SANDBOX.accountId}/locations/${LONGMONT}`,
    });
  });
});

describe("dailyMetrics", () => {
  it("imports one record per location, day and metric for the last 30 days", async () => {
    const w = await connectWorld(server);
    const run = await w.sync("dailyMetrics");
    expect(run.inserted).toBe(2 * 7 * 30);
    const metrics = await w.stored<DailyMetricRecord>("dailyMetrics");
    const calls1 = metrics.get(`${BOULDER}:${day(1)}:CALL_CLICKS`);
    expect(calls1).toMatchObject({
      location: `locations/${BOULDER}`,
      date: day(1),
      metric: "CALL_CLICKS",
    });
    expect(calls1!.value).toBeGreaterThan(0);
    expect(metrics.has(`${BOULDER}:${day(31)}:CALL_CLICKS`)).toBe(false);
    expect(metrics.has(`${BOULDER}:${day(0)}:CALL_CLICKS`)).toBe(false);
  });

  it("stores a day Google reports no value for as 0, and picks up a revised recent day incrementally", async () => {
    const w = await connectWorld(server, { config: { metrics: ["CALL_CLICKS"], metricsDays: 7 } });
    w.fake.setMetric(BOULDER, day(5), "CALL_CLICKS", 0);
    w.fake.setMetric(BOULDER, day(2), "CALL_CLICKS", 4);
    expect((await w.sync("dailyMetrics")).inserted).toBe(2 * 7);
    expect(
      (await w.stored<DailyMetricRecord>("dailyMetrics")).get(`${BOULDER}:${day(5)}:CALL_CLICKS`)
        ?.value,
    ).toBe(0);

    w.fake.setMetric(BOULDER, day(2), "CALL_CLICKS", 6);
    const run = await w.sync("dailyMetrics", "incremental");
    expect(run).toMatchObject({ mode: "incremental", updated: 1, inserted: 0 });
    expect(
      (await w.stored<DailyMetricRecord>("dailyMetrics")).get(`${BOULDER}:${day(2)}:CALL_CLICKS`)
        ?.value,
    ).toBe(6);
    const last = calls(w.fake, /fetchMultiDailyMetricsTimeSeries/).at(-1)!;
    expect(last).toContain("dailyMetrics=CALL_CLICKS");
    expect(last).toContain(`dailyRange.start_date.day=${Number(day(4).slice(8))}`);
  });
});
