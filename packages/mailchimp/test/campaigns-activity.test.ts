import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MailchimpEmailActivity, subscriberHash } from "../src/index.js";
import { connectWithKey, stored, sync, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T0 = Date.UTC(2026, 3, 6, 8, 0, 0);
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

async function setUp(config: Record<string, unknown> = {}) {
  const w = world({ fake: { now: () => T0 } });
  server.use(...w.fake.handlers);
  const audience = w.fake.seedAudience({
    name: "Music directors",
    members: [
      { email: "md@kexp.example", firstName: "Morgan" },
      { email: "pd@wfmu.example", firstName: "Pat" },
      { email: "dj@kcrw.example", firstName: "Dana" },
    ],
  });
  const connection = await connectWithKey(w, { listId: audience.id, ...config });
  return { w, listId: audience.id, connection };
}

describe("campaigns", () => {
  it("syncs every campaign, then incrementally the new ones and the drafts sent since", async () => {
    const { w, listId, connection } = await setUp();
    const draft = w.fake.draftCampaign({ listId, subject: "Single drops Friday" });
    w.fake.clock.advance(HOUR);
    const sent = w.fake.sendCampaign({ listId, subject: "Album out now" });
    const full = await sync(w, connection.id, "campaigns");
    expect(full).toMatchObject({ status: "succeeded", inserted: 2 });

    w.fake.clock.advance(DAY);
    w.fake.sendCampaign({ campaignId: draft.id }); // an old draft, sent today
    const brandNew = w.fake.draftCampaign({ listId, subject: "Tour dates" });
    const run = await sync(w, connection.id, "campaigns", "incremental");
    expect(run).toMatchObject({ mode: "incremental", inserted: 1, updated: 1 });
    const records = await stored(w, connection.id, "campaigns");
    expect(records.get(draft.id)?.data).toMatchObject({
      status: "sent",
      settings: { subject_line: "Single drops Friday" },
    });
    expect(records.has(brandNew.id)).toBe(true);
    expect(records.get(sent.id)?.data).toMatchObject({ status: "sent", emails_sent: 3 });

    const queries = w.fake.requests
      .filter((r) => r.url.pathname === "/3.0/campaigns")
      .map((r) => r.url.searchParams);
    expect(
      queries
        .slice(1)
        .map((q) => [q.get("since_create_time") !== null, q.get("since_send_time") !== null]),
    ).toEqual([
      [true, false],
      [false, true],
    ]);
  });
});

describe("emailActivity: sent pitch + opened email", () => {
  it("keeps one record per campaign and recipient, with its opens and clicks", async () => {
    const { w, connection } = await setUp();
    const pitch = w.fake.sendCampaign({ subject: "New single: add it to rotation?" });
    w.fake.clock.advance(HOUR);
    w.fake.open(pitch.id, "md@kexp.example");
    w.fake.click(pitch.id, "md@kexp.example", "https://label.example/listen");
    w.fake.bounce(pitch.id, "dj@kcrw.example", "soft");

    const run = await sync(w, connection.id, "emailActivity");
    expect(run).toMatchObject({ status: "succeeded", inserted: 3 });
    const records = await stored(w, connection.id, "emailActivity");
    const opened = records.get(`${pitch.id}:${subscriberHash("md@kexp.example")}`)
      ?.data as MailchimpEmailActivity;
    expect(opened).toMatchObject({ campaign_id: pitch.id, email_address: "md@kexp.example" });
    expect(opened.activity.map((a) => a.action)).toEqual(["open", "click"]);
    expect(opened.activity[1]).toMatchObject({ url: "https://label.example/listen" });
    // Sent but not opened: the record exists, with no activity.
    const quiet = records.get(`${pitch.id}:${subscriberHash("pd@wfmu.example")}`)
      ?.data as MailchimpEmailActivity;
    expect(quiet.activity).toEqual([]);
  });

  it("picks up a later open on the next incremental run", async () => {
    const { w, connection } = await setUp();
    const pitch = w.fake.sendCampaign({ subject: "Pitch" });
    await sync(w, connection.id, "emailActivity");
    w.fake.clock.advance(2 * DAY);
    w.fake.open(pitch.id, "pd@wfmu.example");
    const run = await sync(w, connection.id, "emailActivity", "incremental");
    expect(run).toMatchObject({ mode: "incremental", updated: 1, inserted: 0 });
    const record = (await stored(w, connection.id, "emailActivity")).get(
      `${pitch.id}:${subscriberHash("pd@wfmu.example")}`,
    );
    expect(record?.data).toMatchObject({ activity: [{ action: "open" }] });
  });

  it("re-reads on incremental runs only campaigns sent within activityWindowDays of the newest", async () => {
    const { w, connection } = await setUp({ activityWindowDays: 7 });
    const old = w.fake.sendCampaign({ subject: "Old pitch" });
    w.fake.clock.advance(30 * DAY);
    const recent = w.fake.sendCampaign({ subject: "Recent pitch" });
    await sync(w, connection.id, "emailActivity");
    w.fake.open(old.id, "md@kexp.example");
    w.fake.open(recent.id, "md@kexp.example");
    const before = w.fake.requests.length;
    const run = await sync(w, connection.id, "emailActivity", "incremental");
    expect(run.updated).toBe(1);
    const reports = w.fake.requests
      .slice(before)
      .filter((r) => r.url.pathname.includes("/reports/"));
    expect(reports.map((r) => r.url.pathname)).toEqual([
      `/3.0/reports/${recent.id}/email-activity`,
    ]);
    // A full run reads every sent campaign.
    expect((await sync(w, connection.id, "emailActivity", "full")).updated).toBe(1);
  });

  it("leaves unsent campaigns out (they have no report)", async () => {
    const { w, connection } = await setUp();
    w.fake.draftCampaign({ subject: "Draft" });
    const run = await sync(w, connection.id, "emailActivity");
    expect(run).toMatchObject({ status: "succeeded", inserted: 0 });
    expect(w.fake.requests.some((r) => r.url.pathname.includes("/reports/"))).toBe(false);
  });
});
