import { ErrorCode, RateLimitError } from "@patchbay/core";
import { describe, expect, it } from "vitest";
import { YELP_ERROR, yelp, yelpErrorParser, yelpQuotaOf } from "../src/index.js";
import { YELP_SANDBOX_API_KEY, YELP_SANDBOX_BUSINESS } from "../src/testing/index.js";
import { connect, stored, sync, TENANT, world } from "./world.js";

const BRIGHT = YELP_SANDBOX_BUSINESS.id;
const BY_MATCH = {
  name: "Bright Plumbing Co.",
  address1: "2100 S Lamar Blvd",
  city: "Austin",
  state: "TX",
  country: "US",
};

describe("yelp: connecting", () => {
  it("tests the key with one read-only call and shows the quota on the connection", async () => {
    const w = world({ fake: { dailyLimit: 300 } });
    const connection = await connect(w);
    expect(w.fake.requests).toHaveLength(1);
    expect(w.fake.requests[0]).toMatchObject({ path: "/businesses/search", query: { limit: "1" } });
    const quota = yelpQuotaOf(await w.patchbay.connections.get(TENANT, connection.id));
    expect(quota).toMatchObject({
      dailyLimit: 300,
      remaining: 299,
      resetTime: "2026-03-28T00:00:00.000Z",
      exhausted: false,
    });
    expect(quota?.usedPercent).toBeCloseTo(0.3);
  });

  it("refuses a wrong key with Yelp's TOKEN_INVALID and never echoes the key", async () => {
    const w = world();
    const key = "wrong-key-0123456789abcdefghij";
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "yelp",
      credentials: { apiKey: key },
    });
    await expect(attempt).rejects.toThrow(/TOKEN_INVALID/);
    await attempt.catch((e: Error) => expect(JSON.stringify(e) + e.message).not.toContain(key));
    expect(await w.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("fake: answers Yelp's TOKEN_MISSING without a Bearer key, and quota headers with one", async () => {
    const w = world();
    w.fake.seedSandbox();
    const missing = await fetch(`https://api.yelp.com/v3/businesses/${BRIGHT}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "TOKEN_MISSING" } });
    const ok = await fetch(`https://api.yelp.com/v3/businesses/${BRIGHT}`, {
      headers: { authorization: `Bearer ${YELP_SANDBOX_API_KEY}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("RateLimit-Remaining")).toBe("4999");
    expect(ok.headers.get("RateLimit-ResetTime")).toBe("2026-03-28T00:00:00+00:00");
  });

  it("rejects bad options with a TypeError naming the option", () => {
    expect(() => yelp({ requestsPerSecond: 0 })).toThrow(
      '"requestsPerSecond" must be an integer from 1 to 1000',
    );
    expect(() => yelp({ reviewsPerBusiness: 51 })).toThrow('"reviewsPerBusiness"');
  });
});

describe("yelp: businesses", () => {
  it("tracks businesses by id, alias, or name + address (matched once)", async () => {
    const w = world();
    const { competitors } = w.fake.seedSandbox();
    const c = await connect(w, {
      businesses: [
        { match: BY_MATCH },
        { id: competitors[0]! },
        { id: "hill-country-plumbing-austin" },
      ],
    });
    const run = await sync(w, c.id, "businesses");
    expect(run).toMatchObject({ status: "succeeded", inserted: 3 });
    const rows = await stored(w, c.id, "businesses");
    expect(rows.get(BRIGHT)?.data).toMatchObject({
      name: "Bright Plumbing Co.",
      rating: 4.4,
      review_count: 128,
    });
    // The alias resolved to the business's id.
    expect(rows.has("hIlLcOuNtRyPlUmBiNg002")).toBe(true);
    await sync(w, c.id, "businesses");
    expect(w.fake.requests.filter((r) => r.path === "/businesses/matches")).toHaveLength(1);
  });

  it("records a new rating and review count when a review arrives", async () => {
    const w = world();
    const id = w.fake.addBusiness({ name: "Eastside Plumbing", rating: 5, review_count: 3 });
    const c = await connect(w, { businesses: [{ id }] });
    await sync(w, c.id, "businesses");
    w.fake.addReview(id, { rating: 1, text: "No-show twice.", userName: "Kim P." });
    const run = await sync(w, c.id, "businesses");
    expect(run).toMatchObject({ updated: 1 });
    const record = (await stored(w, c.id, "businesses")).get(id)?.data;
    expect(record).toMatchObject({ review_count: 4, rating: 4 });
  });

  it("skips a business Yelp no longer has, and still syncs the others", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { businesses: [{ id: "gone-business-id" }, { id: BRIGHT }] });
    const run = await sync(w, c.id, "businesses");
    expect(run).toMatchObject({ status: "succeeded", inserted: 1 });
  });

  it("skips a name + address Yelp cannot match", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, {
      businesses: [{ match: { ...BY_MATCH, name: "Nobody Plumbing", address1: "1 Nowhere Rd" } }],
    });
    expect(await sync(w, c.id, "businesses")).toMatchObject({ status: "succeeded", inserted: 0 });
  });
});

describe("yelp: reviews", () => {
  it("keeps excerpts that a new review pushes out of Yelp's three", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { businesses: [{ id: BRIGHT }] });
    const first = await sync(w, c.id, "reviews");
    expect(first).toMatchObject({ mode: "full", inserted: 3 });
    const newest = w.fake.addReview(BRIGHT, { rating: 5, text: "Great" });
    const next = await sync(w, c.id, "reviews");
    expect(next).toMatchObject({ mode: "incremental", inserted: 1, deleted: 0 });
    const rows = await stored(w, c.id, "reviews");
    expect(rows.size).toBe(4);
    expect(rows.get(newest)?.data).toMatchObject({ business_id: BRIGHT, rating: 5 });
    expect(w.fake.requests.at(-1)?.query).toMatchObject({ limit: "3" });
  });

  it("sends the configured locale", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { businesses: [{ id: BRIGHT }], reviewsLocale: "es_MX" });
    await sync(w, c.id, "reviews");
    expect(w.fake.requests.at(-1)?.query).toMatchObject({ locale: "es_MX" });
  });
});

describe("yelp: daily quota", () => {
  it("surfaces 'quota 80% used' on the connection after maintenance", async () => {
    const w = world({ fake: { dailyLimit: 500 } });
    w.fake.seedSandbox();
    const c = await connect(w, { businesses: [{ id: BRIGHT }] });
    w.fake.setQuota({ remaining: 101 });
    await sync(w, c.id, "businesses");
    await w.patchbay.runMaintenance();
    const quota = yelpQuotaOf(await w.patchbay.connections.get(TENANT, c.id));
    expect(quota).toMatchObject({ dailyLimit: 500, remaining: 100, usedPercent: 80 });
  });

  it("stops calling once the day's quota is used up, until the reset", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w, { businesses: [{ id: BRIGHT }] });
    w.fake.setQuota({ remaining: 0 });
    const failed = await sync(w, c.id, "businesses");
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/ACCESS_LIMIT_REACHED/);
    const calls = w.fake.requests.length;

    // Asked again the same day: no request reaches Yelp.
    const action = w.patchbay.actions.run({
      tenantId: TENANT,
      connectionId: c.id,
      action: "matchBusiness",
      input: BY_MATCH,
    });
    await expect(action).rejects.toBeInstanceOf(RateLimitError);
    await action.catch((e: RateLimitError) => {
      expect(e).toMatchObject({
        code: ErrorCode.RATE_LIMITED,
        providerCode: "ACCESS_LIMIT_REACHED",
      });
      expect(e.retryAfterMs).toBe(9 * 3600_000);
    });
    expect(w.fake.requests.length).toBe(calls);
    await w.patchbay.runMaintenance();
    expect(yelpQuotaOf(await w.patchbay.connections.get(TENANT, c.id))).toMatchObject({
      exhausted: true,
      remaining: 0,
    });

    // After midnight UTC the quota is back.
    w.clock.now = Date.parse("2026-03-28T00:00:05Z");
    expect(await sync(w, c.id, "businesses")).toMatchObject({ status: "succeeded" });
  });
});

describe("yelp: matchBusiness action", () => {
  it("returns candidates for a name and address", async () => {
    const w = world();
    w.fake.seedSandbox();
    const c = await connect(w);
    const found = await w.patchbay.actions.run<Array<{ id: string; name: string }>>({
      tenantId: TENANT,
      connectionId: c.id,
      action: "matchBusiness",
      input: { ...BY_MATCH, match_threshold: "strict" },
    });
    expect(found.map((b) => b.id)).toEqual([BRIGHT]);
    expect(w.fake.requests.at(-1)?.query).toMatchObject({
      name: "Bright Plumbing Co.",
      limit: "3",
    });
  });

  it("refuses input without a city before calling Yelp", async () => {
    const w = world();
    const c = await connect(w);
    const { city: _city, ...noCity } = BY_MATCH;
    await expect(
      w.patchbay.actions.run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "matchBusiness",
        input: noCity,
      }),
    ).rejects.toThrow(/city/);
    expect(w.fake.requests).toHaveLength(1);
  });
});

describe("yelpErrorParser", () => {
  const parse = yelpErrorParser(() => Date.parse("2026-03-27T23:00:00Z"));
  const respond = (status: number, code: string, headers: Record<string, string> = {}) => {
    const body = { error: { code, description: "..." } };
    return [new Response(JSON.stringify(body), { status, headers }), body] as const;
  };

  it("waits for the reset on ACCESS_LIMIT_REACHED", () => {
    expect(
      parse(
        ...respond(429, YELP_ERROR.ACCESS_LIMIT_REACHED, {
          "RateLimit-ResetTime": "2026-03-28T00:00:00+00:00",
        }),
      ),
    ).toMatchObject({ kind: "rate_limit", code: "ACCESS_LIMIT_REACHED", retryAfterMs: 3600_000 });
    // Without the header: the next midnight UTC.
    expect(parse(...respond(429, YELP_ERROR.ACCESS_LIMIT_REACHED))?.retryAfterMs).toBe(3600_000);
  });

  it("retries TOO_MANY_REQUESTS_PER_SECOND with backoff", () => {
    const info = parse(...respond(429, YELP_ERROR.TOO_MANY_REQUESTS_PER_SECOND));
    expect(info).toMatchObject({ kind: "rate_limit", retryable: true });
    expect(info?.retryAfterMs).toBeUndefined();
  });

  it("maps token and not-found codes", () => {
    expect(parse(...respond(401, YELP_ERROR.TOKEN_INVALID))?.kind).toBe("auth");
    expect(parse(...respond(404, YELP_ERROR.BUSINESS_NOT_FOUND))?.kind).toBe("not_found");
    expect(parse(...respond(400, YELP_ERROR.VALIDATION_ERROR))).toEqual({
      code: "VALIDATION_ERROR",
      message: "VALIDATION_ERROR: ...",
    });
  });
});
