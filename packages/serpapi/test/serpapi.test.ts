import { ErrorCode, RateLimitError } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  assertSearchesLeft,
  parseSerpApiError,
  SERPAPI_ERROR,
  serpApi,
  serpApiQuotaOf,
} from "../src/index.js";
import { SERPAPI_SANDBOX, SERPAPI_SANDBOX_API_KEY } from "../src/testing/index.js";
import { connect, rankings, server, sync, TENANT, world } from "./world.js";

const AUSTIN = { label: "Austin", ll: SERPAPI_SANDBOX.ll };
const CONFIG = {
  business: { placeId: SERPAPI_SANDBOX.placeId },
  keywords: [...SERPAPI_SANDBOX.keywords],
  locations: [AUSTIN],
};

describe("serpapi: connecting", () => {
  it("checks the key on the free Account API and shows the searches left", async () => {
    const w = world({ fake: { searchesPerMonth: 5000 } });
    w.fake.setSearchesLeft(1000);
    const c = await connect(w);
    expect(w.fake.searches).toHaveLength(0);
    const quota = serpApiQuotaOf(await w.patchbay.connections.get(TENANT, c.id));
    expect(quota).toMatchObject({
      planName: "Developer Plan",
      searchesPerMonth: 5000,
      searchesLeft: 1000,
      usedPercent: 80,
    });
    // The Account API echoes the key; it must not end up on the connection.
    expect(JSON.stringify(c)).not.toContain(SERPAPI_SANDBOX_API_KEY);
    expect(JSON.stringify(c)).not.toContain("owner@brightplumbing.example");
  });

  it("refuses a wrong key with SerpApi's message, without echoing the key", async () => {
    const w = world();
    const key = "f".repeat(64);
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "serpapi",
      credentials: { apiKey: key },
    });
    await expect(attempt).rejects.toThrow(/Invalid API key/);
    await attempt.catch((e: Error) => expect(e.message).not.toContain(key));
  });

  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => serpApi({ quotaRefreshMinutes: 0 })).toThrow(
      '"quotaRefreshMinutes" must be an integer from 1 to 1440',
    );
  });
});

describe("serpapi: rankings", () => {
  it("records the position and the competitors above it, one search per keyword", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, CONFIG);
    const run = await sync(w, c.id);
    expect(run).toMatchObject({ status: "succeeded", inserted: 4 });
    expect(w.fake.searches).toHaveLength(4);
    expect(w.fake.searches[0]?.params).toMatchObject({
      engine: "google_maps",
      type: "search",
      q: "plumber",
      ll: SERPAPI_SANDBOX.ll,
      hl: "en",
    });
    const rows = await rankings(w, c.id);
    const plumber = rows.get("2026-03-27|Austin|plumber");
    expect(plumber).toMatchObject({
      date: "2026-03-27",
      keyword: "plumber",
      location: "Austin",
      position: 4,
      business: { title: "Bright Plumbing Co.", rating: 4.4, reviews: 128 },
    });
    const above = plumber?.competitorsAbove as Array<{ title: string; position: number }>;
    expect(above.map((a) => a.position)).toEqual([1, 2, 3]);
    expect(above.map((a) => a.title)).toEqual(
      w.fake
        .results("plumber")
        .slice(0, 3)
        .map((p) => p.title),
    );
    expect(rows.get("2026-03-27|Austin|water heater repair")?.position).toBe(12);
    // 25th: not on the first page, so not found; the top 10 are kept as competitors.
    const drain = rows.get("2026-03-27|Austin|drain cleaning");
    expect(drain).toMatchObject({ position: null, business: null, resultsChecked: 20 });
    expect(drain?.competitorsAbove).toHaveLength(10);
  });

  it("looks through more pages when asked, one search per page", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { ...CONFIG, keywords: ["drain cleaning"], pages: 2 });
    await sync(w, c.id);
    expect(w.fake.searches.map((s) => s.params.start)).toEqual([undefined, "20"]);
    expect((await rankings(w, c.id)).get("2026-03-27|Austin|drain cleaning")?.position).toBe(25);
  });

  it("keeps yesterday's rank and records today's after the business moves up", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { ...CONFIG, keywords: ["plumber"] });
    await sync(w, c.id);
    w.fake.moveUp(SERPAPI_SANDBOX.placeId, "plumber");
    w.clock.now = Date.parse("2026-03-28T15:00:00Z");
    const next = await sync(w, c.id);
    expect(next).toMatchObject({ mode: "incremental", inserted: 1, deleted: 0 });
    const rows = await rankings(w, c.id);
    expect(rows.get("2026-03-27|Austin|plumber")?.position).toBe(4);
    expect(rows.get("2026-03-28|Austin|plumber")?.position).toBe(3);
    expect(rows.get("2026-03-28|Austin|plumber")?.competitorsAbove).toHaveLength(2);
    // A forced full run lists only today, and still keeps yesterday (deleteMissing: false).
    const full = await sync(w, c.id, "full");
    expect(full).toMatchObject({ mode: "full", deleted: 0 });
    expect((await rankings(w, c.id)).get("2026-03-27|Austin|plumber")?.position).toBe(4);
  });

  it("a second run the same day replaces that day's record", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { ...CONFIG, keywords: ["plumber"] });
    await sync(w, c.id);
    expect(await sync(w, c.id)).toMatchObject({ inserted: 0, updated: 0 });
    w.fake.moveUp(SERPAPI_SANDBOX.placeId, "plumber", 3);
    expect(await sync(w, c.id)).toMatchObject({ inserted: 0, updated: 1 });
    expect((await rankings(w, c.id)).get("2026-03-27|Austin|plumber")?.position).toBe(1);
  });

  it("recognises the business by data_id or by title", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, {
      ...CONFIG,
      keywords: ["plumber"],
      locations: [AUSTIN, { location: "Austin, TX", z: 12 }],
      business: { title: "bright plumbing co" },
    });
    await sync(w, c.id);
    const rows = await rankings(w, c.id);
    expect(rows.get("2026-03-27|Austin|plumber")?.position).toBe(4);
    expect(rows.get("2026-03-27|Austin, TX|plumber")?.position).toBe(4);
    expect(w.fake.searches[1]?.params).toMatchObject({ location: "Austin, TX", z: "12" });
    const byDataId = world();
    byDataId.fake.seedSandbox();
    const c2 = await connect(byDataId, { ...CONFIG, business: { dataId: SERPAPI_SANDBOX.dataId } });
    await sync(byDataId, c2.id);
    expect(
      (await rankings(byDataId, c2.id)).get("2026-03-27|Austin|emergency plumber")?.position,
    ).toBe(7);
  });

  it("fails with a clear message until the config names the business and keywords", async () => {
    const w = world();
    const c = await connect(w);
    const run = await sync(w, c.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/needs "business", "keywords" and "locations"/);
    expect(w.fake.searches).toHaveLength(0);
  });
});

describe("serpapi: quota", () => {
  it("stops before searching when fewer searches are left than keywords to check", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, {
      ...CONFIG,
      locations: [AUSTIN, { location: "Round Rock, TX", z: 13 }],
    });
    w.fake.setSearchesLeft(7);
    const run = await sync(w, c.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/SerpApi has 7 searches left this month, and this run needs 8/);
    expect(w.fake.searches).toHaveLength(0);
    const health = await w.patchbay.connections.health(TENANT, c.id);
    expect(health.lastError).toMatch(/searches left/);
  });

  it("does not retry when SerpApi says the account ran out of searches mid-run", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, CONFIG);
    server.use(
      http.get("https://serpapi.com/search.json", () =>
        HttpResponse.json({ error: "Your account has run out of searches." }, { status: 429 }),
      ),
    );
    const run = await sync(w, c.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/run out of searches/);
  });

  it("retries the hourly throughput 429 and succeeds", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { ...CONFIG, keywords: ["plumber"] });
    w.fake.rateLimitNext(1);
    expect(await sync(w, c.id)).toMatchObject({ status: "succeeded", inserted: 1 });
    expect(w.fake.searches.map((s) => s.status)).toEqual([429, 200]);
  });

  it("refreshes the quota on the connection during maintenance", async () => {
    const w = world({ fake: { searchesPerMonth: 250 } });
    w.fake.seedSandbox();
    const c = await connect(w, CONFIG);
    await sync(w, c.id);
    await w.patchbay.runMaintenance();
    expect(serpApiQuotaOf(await w.patchbay.connections.get(TENANT, c.id))).toMatchObject({
      searchesLeft: 246,
      thisMonthUsage: 4,
      usedPercent: 1.6,
    });
  });
});

describe("serpapi fake: request validation", () => {
  const key = SERPAPI_SANDBOX_API_KEY;
  const get = (query: string) => fetch(`https://serpapi.com/search.json?api_key=${key}&${query}`);

  it("answers SerpApi's error bodies for bad parameters", async () => {
    world();
    const cases: Array<[string, RegExp]> = [
      ["engine=google_maps&type=search", /Missing query `q`/],
      ["engine=google_maps&q=plumber&ll=30.2,-97.7", /Invalid `ll`/],
      ["engine=google_maps&q=plumber&location=Austin", /`z` or `m`/],
      ["engine=google_maps&q=plumber&start=20", /required when using pagination/],
      ["engine=bing&q=plumber", /Unsupported `bing`/],
    ];
    for (const [query, message] of cases) {
      const response = await get(query);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });
});

describe("parseSerpApiError", () => {
  const parse = (status: number, error: string) =>
    parseSerpApiError(new Response(JSON.stringify({ error }), { status }), { error });

  it("tells an exhausted account from the hourly throughput limit", () => {
    expect(parse(429, "Your account has run out of searches.")).toMatchObject({
      kind: "rate_limit",
      retryable: false,
      code: SERPAPI_ERROR.OUT_OF_SEARCHES,
    });
    expect(parse(429, "Hourly throughput exceeded")).toMatchObject({
      kind: "rate_limit",
      retryable: true,
      code: SERPAPI_ERROR.THROUGHPUT_EXCEEDED,
    });
    expect(parse(401, "Invalid API key.")).toMatchObject({ kind: "auth" });
  });

  it("refuses a run the account cannot pay for with a typed, non-retryable error", () => {
    const quota = {
      planName: "Free Plan",
      searchesPerMonth: 250,
      searchesLeft: 2,
      thisMonthUsage: 248,
      accountRateLimitPerHour: 50,
      usedPercent: 99.2,
      observedAt: "2026-03-27T15:00:00.000Z",
    };
    expect(() => assertSearchesLeft(quota, 2)).not.toThrow();
    let thrown: unknown;
    try {
      assertSearchesLeft(quota, 3);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RateLimitError);
    expect(thrown).toMatchObject({
      code: ErrorCode.RATE_LIMITED,
      providerCode: SERPAPI_ERROR.INSUFFICIENT_SEARCHES,
      retryable: false,
    });
  });
});
