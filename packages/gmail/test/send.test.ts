import { NotFoundError, silentLogger } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildRfc2822,
  GMAIL_SCOPES,
  type GmailConfig,
  gmailReplyTracking,
  readGmailConfig,
  runSend,
  runTrack,
  type TrackedThread,
  withTrackedThread,
} from "../src/index.js";
import { connectWorld, contactOf, TENANT, type World } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function context(w: World) {
  const connection = await w.current();
  return {
    connection,
    config: connection.config,
    metadata: connection.metadata,
    http: await w.patchbay.connections.http(TENANT, connection.id),
    logger: silentLogger,
  };
}

describe("send", () => {
  it("sends an RFC 2822 message Gmail can read, with UTF-8 subject and an HTML alternative", async () => {
    const w = await connectWorld(server);
    const result = await runSend(await context(w), {
      to: "cheryl@kexp.example",
      subject: "Nouveau single — « Signal Flow » 🎧",
      text: "Hi Cheryl,\nHere it is.\n",
      html: "<p>Hi Cheryl,</p><p>Here it is.</p>",
      campaignId: "cmp_42",
    });

    const [sent] = w.fake.sent;
    expect(sent).toMatchObject({
      id: result.message.id,
      from: w.fake.emailAddress,
      to: "cheryl@kexp.example",
      subject: "Nouveau single — « Signal Flow » 🎧",
      text: "Hi Cheryl,\r\nHere it is.\r\n",
      html: "<p>Hi Cheryl,</p><p>Here it is.</p>",
    });
    expect(w.fake.message(result.message.id)!.labelIds).toEqual(["SENT"]);
    expect(result.gmailUrl).toBe(
      `https://mail.google.com/mail/?authuser=${encodeURIComponent(w.fake.emailAddress)}#all/${result.message.threadId}`,
    );
    expect(result.tracked).toEqual({
      threadId: result.message.threadId,
      contactEmail: "cheryl@kexp.example",
      campaignId: "cmp_42",
      subject: "Nouveau single — « Signal Flow » 🎧",
      anchorMessageId: result.message.id,
      sentAt: new Date(w.fake.message(result.message.id)!.internalDate).toISOString(),
      trackedAt: expect.any(String),
    });
    expect(result.config.trackedThreads).toEqual([result.tracked]);
  });

  it("send → tracked → the DJ replies → a reply record with campaign, contact and the Gmail link", async () => {
    const w = await connectWorld(server);
    const tracking = gmailReplyTracking(w.patchbay);
    const { message } = await tracking.send(
      { tenantId: TENANT, connectionId: w.connection.id, actor: "user_7" },
      {
        to: "marco@kcrw.example",
        subject: "New single: Signal Flow",
        text: "Hi Marco",
        campaignId: "cmp_fall",
        contactEmail: "Marco@KCRW.example",
      },
    );
    await w.sync();
    const reply = w.fake.receiveReply({
      threadId: message.threadId,
      from: "Marco <marco@kcrw.example>",
      text: "We'll play it Friday.",
    });
    await w.sync();

    const { changes } = await w.patchbay.records.changes({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "replies",
    });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: "created",
      externalId: reply.id,
      data: {
        campaignId: "cmp_fall",
        contactEmail: "marco@kcrw.example",
        classification: "interested",
        classificationReason: 'phrase "we\'ll play"',
        gmailUrl: `https://mail.google.com/mail/?authuser=${encodeURIComponent(w.fake.emailAddress)}#all/${message.threadId}`,
        matchedBy: "thread",
      },
    });
    expect(
      (await w.patchbay.tenants.audit(TENANT, { action: "connection.configure" }))[0],
    ).toMatchObject({ actor: "user_7" });
  });

  it.each<[string, object, string]>([
    ["to", { to: "not-an-address" }, '"to" is invalid'],
    [
      "subject",
      { subject: "Hi\r\nBcc: everyone@example.com" },
      '"subject" is invalid (subject must be a single line)',
    ],
    ["campaignId", { campaignId: "" }, '"campaignId" is invalid'],
  ])("names a bad %s and sends nothing", async (_field, patch, message) => {
    const w = await connectWorld(server);
    await expect(
      runSend(await context(w), {
        to: "dj@kexp.example",
        subject: "Hi",
        text: "x",
        campaignId: "c",
        ...patch,
      }),
    ).rejects.toThrow(new RegExp(`^gmail send: ${message.replace(/[()]/g, "\\$&")}`));
    expect(w.fake.sent).toHaveLength(0);
  });

  it("buildRfc2822 refuses header injection", () => {
    expect(() =>
      buildRfc2822({ to: "a@b.example\r\nBcc: x@y.example", subject: "s", text: "t" }),
    ).toThrow(new TypeError('"to" must be a single-line string'));
  });
});

describe("track", () => {
  it("tracks a message sent from Gmail by its id, reading the subject and date", async () => {
    const w = await connectWorld(server);
    const [pitch] = w.fake.seedPitches(1);
    const { tracked } = await runTrack(await context(w), {
      messageId: pitch!.id,
      contactEmail: contactOf(pitch!),
      campaignId: "cmp_9",
    });
    expect(tracked).toMatchObject({
      threadId: pitch!.threadId,
      anchorMessageId: pitch!.id,
      subject: "New single: The Patch Bays – Signal Flow",
      sentAt: new Date(pitch!.internalDate).toISOString(),
    });
  });

  it("tracks a thread from its first sent message, so earlier contact mail is not a reply", async () => {
    const w = await connectWorld(server);
    const first = w.fake.receiveEmail({
      from: "dj@kexp.example",
      subject: "Demo policy",
      text: "Send links only",
    });
    const mine = w.fake.userSends({
      to: "dj@kexp.example",
      subject: "Re: Demo policy",
      text: "Here's a link",
      threadId: first.threadId,
    });
    const { tracked } = await runTrack(await context(w), {
      threadId: first.threadId,
      contactEmail: "dj@kexp.example",
      campaignId: "c",
    });
    expect(tracked.anchorMessageId).toBe(mine.id);
  });

  it("needs exactly one of threadId and messageId, and names it", async () => {
    const w = await connectWorld(server);
    await expect(
      runTrack(await context(w), { contactEmail: "dj@kexp.example", campaignId: "c" }),
    ).rejects.toThrow(
      new TypeError('gmail track: exactly one of "threadId" or "messageId" is required'),
    );
    await expect(
      runTrack(await context(w), {
        threadId: "18f3a2b400000001",
        messageId: "18f3a2b400000001",
        contactEmail: "dj@kexp.example",
        campaignId: "c",
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      runTrack(await context(w), { messageId: "x", contactEmail: "nope", campaignId: "c" }),
    ).rejects.toThrow(/^gmail track: "contactEmail" is invalid/);
  });

  it("an unknown message is Gmail's 404", async () => {
    const w = await connectWorld(server);
    await expect(
      runTrack(await context(w), {
        messageId: "18f3a2b4ffffffff",
        contactEmail: "dj@kexp.example",
        campaignId: "c",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("untracking a thread removes its replies at the next full sync", async () => {
    const w = await connectWorld(server);
    const tracking = gmailReplyTracking(w.patchbay);
    const ref = { tenantId: TENANT, connectionId: w.connection.id };
    const [a, b] = w.fake.seedPitches(2);
    await tracking.track(ref, { messageId: a!.id, contactEmail: contactOf(a!), campaignId: "c" });
    await tracking.track(ref, { messageId: b!.id, contactEmail: contactOf(b!), campaignId: "c" });
    w.fake.receiveReply({ threadId: a!.threadId, from: contactOf(a!) });
    const kept = w.fake.receiveReply({ threadId: b!.threadId, from: contactOf(b!) });
    await w.sync();
    expect((await w.replies()).size).toBe(2);

    const config = await tracking.untrack(ref, a!.threadId);
    expect(config.trackedThreads.map((t) => t.threadId)).toEqual([b!.threadId]);
    const run = await w.sync("full");
    expect(run.deleted).toBe(1);
    expect([...(await w.replies()).keys()]).toEqual([kept.id]);
  });

  it("concurrent tracking calls on one connection all land in the config", async () => {
    const w = await connectWorld(server);
    const tracking = gmailReplyTracking(w.patchbay);
    const pitches = w.fake.seedPitches(5);
    await Promise.all(
      pitches.map((p) =>
        tracking.track(
          { tenantId: TENANT, connectionId: w.connection.id },
          { messageId: p.id, contactEmail: contactOf(p), campaignId: "c" },
        ),
      ),
    );
    const stored = readGmailConfig((await w.current()).config);
    expect(stored.trackedThreads.map((t) => t.threadId).sort()).toEqual(
      pitches.map((p) => p.threadId).sort(),
    );
  });
});

describe("the tracked-thread bound", () => {
  const entry = (n: number, campaignId = "c"): TrackedThread => ({
    threadId: `18f3a2b40000000${n}`,
    contactEmail: `dj${n}@radio.example`,
    campaignId,
    subject: "New single",
    anchorMessageId: `18f3a2b40000000${n}`,
    sentAt: new Date(Date.UTC(2024, 5, n)).toISOString(),
    trackedAt: new Date(Date.UTC(2024, 5, n)).toISOString(),
  });
  const empty: GmailConfig = { trackedThreads: [], matchBySubject: true };

  it("drops the oldest entries past the limit and says which", () => {
    let config = empty;
    for (const n of [1, 2, 3]) config = withTrackedThread(config, entry(n), 3).config;
    const { config: next, dropped } = withTrackedThread(config, entry(4), 3);
    expect(next.trackedThreads.map((t) => t.threadId)).toEqual([
      entry(2).threadId,
      entry(3).threadId,
      entry(4).threadId,
    ]);
    expect(dropped).toEqual([entry(1)]);
  });

  it("re-tracking a thread replaces its entry (e.g. a new campaign)", () => {
    const { config } = withTrackedThread(
      withTrackedThread(empty, entry(1)).config,
      entry(1, "cmp_new"),
    );
    expect(config.trackedThreads).toEqual([entry(1, "cmp_new")]);
  });
});

describe("OAuth", () => {
  it("asks for gmail.send and gmail.readonly only, offline with consent", async () => {
    const w = await connectWorld(server);
    const { url } = await w.patchbay.connect.start({
      tenantId: TENANT,
      connector: "gmail",
      redirectUri: "https://app.example.com/integrations/gmail/callback",
    });
    const params = new URL(url).searchParams;
    expect(params.get("scope")?.split(" ")).toEqual([...GMAIL_SCOPES]);
    expect(params.get("access_type")).toBe("offline");
    expect(params.get("prompt")).toBe("consent");
    expect(params.get("code_challenge_method")).toBe("S256");
  });
});
