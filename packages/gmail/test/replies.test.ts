import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectWorld, contactOf, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("replies: detection through history", () => {
  it("the first run reads the tracked threads and starts history at getProfile's id", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    const early = w.fake.receiveReply({
      threadId: pitch!.threadId,
      from: contactOf(pitch!),
      text: "Sounds great!",
    });
    await w.track([pitch!], "cmp_spring");

    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", mode: "full", inserted: 1 });
    expect([...(await w.replies()).keys()]).toEqual([early.id]);
    const [state] = await w.patchbay.sync.status(TENANT, w.connection.id);
    expect(state?.cursor).toBe(String(w.fake.mailbox.historyId));
  });

  it("a reply arriving later is picked up by an incremental run, classified, with campaign, contact and link", async () => {
    const w = await connectWorld(server);
    const pitches = w.fake.seedPitches(3);
    await w.track(pitches, "cmp_spring");
    await w.sync();
    const callsBefore = { ...w.fake.calls };

    const reply = w.fake.receiveReply({
      threadId: pitches[1]!.threadId,
      from: `Marco Collins <${contactOf(pitches[1]!)}>`,
      text: "Love this one — send it over and I'll add it to rotation.",
    });
    const run = await w.sync();

    expect(run).toMatchObject({ status: "succeeded", mode: "incremental", inserted: 1 });
    expect((await w.replies()).get(reply.id)).toEqual({
      id: reply.id,
      threadId: pitches[1]!.threadId,
      from: contactOf(pitches[1]!),
      fromName: "Marco Collins",
      to: w.fake.emailAddress,
      subject: "Re: New single: The Patch Bays – Signal Flow",
      date: new Date(reply.internalDate).toISOString(),
      snippet: expect.stringContaining("Love this one — send it over and I'll add it to rotation."),
      gmailUrl: `https://mail.google.com/mail/?authuser=${encodeURIComponent(w.fake.emailAddress)}#all/${pitches[1]!.threadId}`,
      contactEmail: contactOf(pitches[1]!),
      campaignId: "cmp_spring",
      classification: "interested",
      classificationReason: 'phrase "send it over"',
      matchedBy: "thread",
      rfc822MessageId: expect.stringMatching(/^<.+>$/),
    });
    // Incremental: one history page and one message read, no thread scans.
    expect((w.fake.calls["history.list"] ?? 0) - (callsBefore["history.list"] ?? 0)).toBe(1);
    expect((w.fake.calls["threads.get"] ?? 0) - (callsBefore["threads.get"] ?? 0)).toBe(0);
  });

  it("auto-replies and bounces are labelled by their headers", async () => {
    const w = await connectWorld(server);
    const [a, b] = w.fake.seedPitches(2);
    await w.track([a!, b!]);
    await w.sync();
    const away = w.fake.receiveAutoReply({ threadId: a!.threadId, from: contactOf(a!) });
    const bounce = w.fake.receiveBounce({ threadId: b!.threadId });
    await w.sync();

    const stored = await w.replies();
    expect(stored.get(away.id)).toMatchObject({
      classification: "out_of_office",
      classificationReason: "header Auto-Submitted: auto-replied",
      subject: expect.stringMatching(/^Automatic reply: /),
    });
    expect(stored.get(bounce.id)).toMatchObject({
      classification: "bounce",
      classificationReason: "header Content-Type: multipart/report; report-type=delivery-status",
      from: "mailer-daemon@googlemail.com",
      contactEmail: contactOf(b!),
    });
  });

  it("ignores the user's own follow-ups, untracked threads, and messages before the pitch", async () => {
    const w = await connectWorld(server);
    const [tracked, untracked] = w.fake.seedPitches(2);
    const before = w.fake.receiveEmail({
      from: contactOf(tracked!),
      subject: "Hello",
      text: "Earlier mail",
    });
    await w.track([tracked!]);
    await w.sync();
    w.fake.userSends({
      to: contactOf(tracked!),
      subject: "Re: New single: The Patch Bays – Signal Flow",
      text: "Following up",
      threadId: tracked!.threadId,
    });
    w.fake.receiveReply({
      threadId: untracked!.threadId,
      from: contactOf(untracked!),
      text: "Sounds great",
    });
    const run = await w.sync();
    expect(run.inserted).toBe(0);
    expect((await w.replies()).has(before.id)).toBe(false);
  });

  it("a reply deleted in Gmail is deleted from the feed through history", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    await w.track([pitch!]);
    const reply = w.fake.receiveReply({ threadId: pitch!.threadId, from: contactOf(pitch!) });
    await w.sync();
    w.fake.deleteMessage(reply.id);
    const run = await w.sync();
    expect(run).toMatchObject({ mode: "incremental", deleted: 1 });
    expect((await w.replies()).size).toBe(0);
  });

  it("follows history pages (Gmail pages history by 500 at most)", async () => {
    const w = await connectWorld(server);
    const pitches = w.fake.seedPitches(4);
    await w.track(pitches);
    await w.sync();
    // 520 unrelated messages and 4 replies: two history pages.
    for (let i = 0; i < 520; i++)
      w.fake.receiveEmail({ from: `news${i}@shop.example`, subject: `Deal ${i}`, text: "Buy" });
    for (const pitch of pitches)
      w.fake.receiveReply({ threadId: pitch.threadId, from: contactOf(pitch) });
    const calls = w.fake.calls["history.list"] ?? 0;
    const run = await w.sync();
    expect(run.inserted).toBe(4);
    expect((w.fake.calls["history.list"] ?? 0) - calls).toBe(2);
  });
});

describe("replies: history out of range", () => {
  it("404 on history.list falls back to a bounded resync of the tracked threads, then resumes history", async () => {
    const w = await connectWorld(server);
    const pitches = w.fake.seedPitches(12);
    await w.track(pitches.slice(0, 10));
    await w.sync();
    const missed = w.fake.receiveReply({
      threadId: pitches[3]!.threadId,
      from: contactOf(pitches[3]!),
    });
    // 50 messages in untracked threads: the resync must not read them.
    for (let i = 0; i < 50; i++)
      w.fake.receiveReply({ threadId: pitches[11]!.threadId, from: contactOf(pitches[11]!) });
    w.fake.expireHistory();
    const threadReads = w.fake.calls["threads.get"] ?? 0;

    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", mode: "incremental", inserted: 1 });
    expect((await w.replies()).has(missed.id)).toBe(true);
    // Bounded: one threads.get per tracked thread, nothing else.
    expect((w.fake.calls["threads.get"] ?? 0) - threadReads).toBe(10);

    // The cursor moved to a fresh history id: the next run is incremental again.
    const next = w.fake.receiveReply({
      threadId: pitches[0]!.threadId,
      from: contactOf(pitches[0]!),
    });
    const after = await w.sync();
    expect(after).toMatchObject({ mode: "incremental", inserted: 1 });
    expect((await w.replies()).has(next.id)).toBe(true);
    expect((w.fake.calls["threads.get"] ?? 0) - threadReads).toBe(10);
  });

  it("the resync stays within Gmail's per-user quota", async () => {
    const w = await connectWorld(server);
    const pitches = w.fake.seedPitches(40);
    await w.track(pitches);
    for (const pitch of pitches)
      w.fake.receiveReply({ threadId: pitch.threadId, from: contactOf(pitch) });
    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 40 });
    expect(w.fake.unitsLastMinute()).toBeLessThan(15_000);
  });
});

describe("replies: matching by address and subject", () => {
  it("a reply that starts a new thread matches the contact's pitch by normalized subject", async () => {
    const w = await connectWorld(server);
    const [pitch, other] = w.fake.seedPitches(2);
    await w.track([pitch!], "cmp_fallback");
    await w.sync();

    // The DJ answered from a client that broke threading: new thread, "RE: Fwd:" prefixes.
    const stray = w.fake.receiveEmail({
      from: `Cheryl Waters <${contactOf(pitch!).toUpperCase()}>`,
      subject: "RE: Fwd:  New single: The Patch Bays – Signal Flow",
      text: "Not a fit for the show, sorry.",
    });
    // Same subject from someone else, and a different subject from the contact: no match.
    w.fake.receiveEmail({
      from: contactOf(other!),
      subject: "Re: New single: The Patch Bays – Signal Flow",
      text: "Hi",
    });
    w.fake.receiveEmail({ from: contactOf(pitch!), subject: "Station news", text: "Hi" });
    await w.sync();

    const stored = await w.replies();
    expect(stray.threadId).not.toBe(pitch!.threadId);
    expect([...stored.keys()]).toEqual([stray.id]);
    expect(stored.get(stray.id)).toMatchObject({
      matchedBy: "address+subject",
      campaignId: "cmp_fallback",
      contactEmail: contactOf(pitch!),
      classification: "not_interested",
      gmailUrl: expect.stringContaining(`#all/${stray.threadId}`),
    });

    // A full resync finds it again (by search), so it is not reported deleted.
    const full = await w.sync("full");
    expect(full).toMatchObject({ status: "succeeded", inserted: 0, updated: 0, deleted: 0 });
  });

  it("can be switched off (matchBySubject: false)", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    await w.track([pitch!]);
    const config = (await w.current()).config;
    await w.patchbay.connections.configure(TENANT, w.connection.id, {
      ...config,
      matchBySubject: false,
    });
    await w.sync();
    w.fake.receiveEmail({
      from: contactOf(pitch!),
      subject: "Re: New single: The Patch Bays – Signal Flow",
      text: "Yes",
    });
    const gets = w.fake.calls["messages.get"] ?? 0;
    const run = await w.sync();
    expect(run.inserted).toBe(0);
    // Without the fallback, messages outside tracked threads are never read.
    expect((w.fake.calls["messages.get"] ?? 0) - gets).toBe(0);
  });
});
