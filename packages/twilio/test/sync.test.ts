import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dateSentDay, incrementalDateSentFrom } from "../src/index.js";
import { calls, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 86_400_000;

describe("messages sync", () => {
  it("pages through next_page_uri until it is null, keeping every message once", async () => {
    const w = await world(server, { connector: { pageSize: 4 } });
    w.fake.seedMessages(10);
    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 10 });
    const lists = calls(w.fake, /Messages\.json/);
    expect(lists).toHaveLength(3);
    expect(lists[0]).toMatch(/\?PageSize=4$/);
    expect(lists[1]).toMatch(/PageSize=4&Page=1&PageToken=PA/);
    expect(lists[2]).toMatch(/Page=2&PageToken=PA/);
    expect([...(await w.stored()).keys()].sort()).toEqual(
      w.fake
        .messages()
        .map((m) => m.sid)
        .sort(),
    );
  });

  it("seedSandbox gives two weeks of a home-service business's texts, both directions", async () => {
    const w = await world(server);
    const sids = w.fake.seedSandbox();
    await w.sync("full");
    const stored = [...(await w.stored()).values()].map((r) => r.data as Record<string, unknown>);
    expect(stored).toHaveLength(sids.length);
    expect(new Set(stored.map((m) => m.direction))).toEqual(new Set(["inbound", "outbound-api"]));
    expect(stored.some((m) => m.status === "undelivered" && m.error_code === 30006)).toBe(true);
  });

  it("an incremental run filters with DateSent> (i.e. DateSent>=) from the day before the newest date_sent", async () => {
    let clock = Date.parse("2026-03-10T15:00:00Z");
    const w = await world(server, { fake: { now: () => clock } });
    w.fake.seedMessages(3);
    await w.sync("full");
    clock += 2 * DAY;
    const sid = w.fake.receiveSms({ from: "+15125550142", body: "New!" });
    await w.fake.idle();
    const run = await w.sync("incremental");
    expect(run).toMatchObject({ status: "succeeded", mode: "incremental" });
    const last = calls(w.fake, /Messages\.json/).at(-1)!;
    expect(decodeURIComponent(last)).toContain("DateSent>=2026-03-09");
    expect((await w.stored()).get(sid)?.data).toMatchObject({ date_sent: expect.any(String) });
  });

  it("a message deleted at Twilio is marked deleted by the next full run", async () => {
    const w = await world(server);
    const [first] = w.fake.seedMessages(5);
    await w.sync("full");
    w.fake.deleteMessage(first!);
    const run = await w.sync("full");
    expect(run.deleted).toBe(1);
    expect((await w.stored()).has(first!)).toBe(false);
  });

  it("a 429 mid-sync is retried and the run completes", async () => {
    const w = await world(server, { connector: { pageSize: 2 } });
    w.fake.seedMessages(5);
    w.fake.rateLimitNext(1);
    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 5 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });
});

describe("sync cursor helpers", () => {
  it("reads Twilio's RFC 2822 dates as UTC days and looks back one day", () => {
    expect(dateSentDay("Tue, 10 Mar 2026 23:59:59 +0000")).toBe("2026-03-10");
    expect(dateSentDay("Tue, 10 Mar 2026 20:00:00 -0500")).toBe("2026-03-11");
    expect(dateSentDay(null)).toBeUndefined();
    expect(incrementalDateSentFrom("2026-03-01")).toBe("2026-02-28");
    expect(() => incrementalDateSentFrom("yesterday")).toThrow(
      '"cursor" must be a day (YYYY-MM-DD)',
    );
  });
});
