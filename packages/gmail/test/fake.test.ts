import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GMAIL_USERS_URL } from "../src/index.js";
import { createGmailFake, type GmailFake } from "../src/testing/index.js";

// The fake is the contract: these pin the Gmail behaviour the connector relies on.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const FULL = [
  "https://www.googleapis.com/auth/gmail.readonly",
  "https://www.googleapis.com/auth/gmail.send",
];

function setup(options: Parameters<typeof createGmailFake>[0] = {}, scopes = FULL) {
  const fake = createGmailFake(options);
  server.use(...fake.handlers);
  const { accessToken } = fake.oauth.issueTokens({
    clientId: "sandbox-google-client.apps.googleusercontent.com",
    scopes,
  });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${GMAIL_USERS_URL}/me${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });
  return { fake, call };
}

async function errorOf(response: Response) {
  return { status: response.status, body: await response.json() };
}

describe("Gmail fake", () => {
  it("answers history.list below the retained window with Google's 404", async () => {
    const { fake, call } = setup();
    const start = fake.mailbox.historyId;
    fake.seedPitches(2);
    expect((await call(`/history?startHistoryId=${start}`)).status).toBe(200);
    fake.expireHistory();
    expect(await errorOf(await call(`/history?startHistoryId=${start}`))).toEqual({
      status: 404,
      body: {
        error: {
          code: 404,
          message: "Requested entity was not found.",
          errors: [
            { domain: "global", reason: "notFound", message: "Requested entity was not found." },
          ],
          status: "NOT_FOUND",
        },
      },
    });
  });

  it("retains a bounded history when asked to", async () => {
    const { fake, call } = setup({ historyRetention: 3 });
    const start = fake.mailbox.historyId;
    fake.seedPitches(5);
    expect((await call(`/history?startHistoryId=${start}`)).status).toBe(404);
    expect((await call(`/history?startHistoryId=${fake.mailbox.historyId - 2}`)).status).toBe(200);
  });

  it("pages history and filters by type", async () => {
    const { fake, call } = setup();
    const start = fake.mailbox.historyId;
    const [pitch] = fake.seedPitches(3);
    fake.markRead(pitch!.id);
    const first = (await (
      await call(`/history?startHistoryId=${start}&maxResults=2&historyTypes=messageAdded`)
    ).json()) as {
      history: Array<{ id: string; messagesAdded?: unknown[] }>;
      nextPageToken?: string;
      historyId: string;
    };
    expect(first.history).toHaveLength(2);
    expect(first.history.every((h) => h.messagesAdded?.length === 1)).toBe(true);
    expect(first.historyId).toBe(String(fake.mailbox.historyId));
    const second = (await (
      await call(
        `/history?startHistoryId=${start}&maxResults=2&historyTypes=messageAdded&pageToken=${first.nextPageToken}`,
      )
    ).json()) as {
      history: unknown[];
      nextPageToken?: string;
    };
    expect(second.history).toHaveLength(1);
    expect(second.nextPageToken).toBeUndefined();
  });

  it("serves messages in full, metadata and minimal formats", async () => {
    const { fake, call } = setup();
    const [pitch] = fake.seedPitches(1);
    const full = (await (await call(`/messages/${pitch!.id}?format=full`)).json()) as {
      payload: { body: { data: string } };
    };
    expect(Buffer.from(full.payload.body.data, "base64url").toString()).toContain(
      "I think this one is right for your show",
    );
    const meta = (await (
      await call(`/messages/${pitch!.id}?format=metadata&metadataHeaders=Subject`)
    ).json()) as {
      payload: { headers: Array<{ name: string; value: string }> };
      snippet: string;
    };
    expect(meta.payload.headers).toEqual([
      { name: "Subject", value: "New single: The Patch Bays – Signal Flow" },
    ]);
    expect(meta.snippet).toMatch(/^Hi Cheryl, I think this one/);
    const minimal = (await (await call(`/messages/${pitch!.id}?format=minimal`)).json()) as Record<
      string,
      unknown
    >;
    expect(minimal.payload).toBeUndefined();
  });

  it("validates ids and answers unknown ones 404", async () => {
    const { call } = setup();
    expect((await errorOf(await call("/messages/not-an-id"))).status).toBe(400);
    expect((await call("/messages/18f3a2b4ffffffff")).status).toBe(404);
    expect((await call("/threads/18f3a2b4ffffffff")).status).toBe(404);
  });

  it("searches with from:(a OR b), after: and rfc822msgid:", async () => {
    const { fake, call } = setup();
    const [pitch] = fake.seedPitches(1);
    const a = fake.receiveEmail({ from: "A <a@radio.example>", subject: "x", text: "1" });
    fake.receiveEmail({ from: "c@radio.example", subject: "y", text: "2" });
    const b = fake.receiveEmail({ from: "b@radio.example", subject: "z", text: "3" });
    const list = async (q: string) =>
      (
        (await (await call(`/messages?q=${encodeURIComponent(q)}`)).json()) as {
          messages?: Array<{ id: string }>;
        }
      ).messages?.map((m) => m.id) ?? [];
    expect(await list("from:(a@radio.example OR b@radio.example)")).toEqual([b.id, a.id]);
    expect(
      await list(`from:a@radio.example after:${Math.floor(a.internalDate / 1000) + 3600}`),
    ).toEqual([]);
    const messageId = pitch!.parsed.headers.find((h) => h.name === "Message-ID")!.value;
    expect(await list(`rfc822msgid:${messageId}`)).toEqual([pitch!.id]);
  });

  it("refuses q and format=full under the gmail.metadata scope (why the connector asks for readonly)", async () => {
    const { fake, call } = setup({}, ["https://www.googleapis.com/auth/gmail.metadata"]);
    const [pitch] = fake.seedPitches(1);
    expect((await call(`/messages/${pitch!.id}?format=metadata`)).status).toBe(200);
    const full = await errorOf(await call(`/messages/${pitch!.id}?format=full`));
    expect(full.status).toBe(403);
    expect((await call("/messages?q=from:x")).status).toBe(403);
  });

  it("refuses a send-only token for reads, with insufficientPermissions", async () => {
    const { call } = setup({}, ["https://www.googleapis.com/auth/gmail.send"]);
    expect(await errorOf(await call("/profile"))).toMatchObject({
      status: 403,
      body: { error: { errors: [{ reason: "insufficientPermissions" }] } },
    });
  });

  it("answers another user's mailbox with delegation denied", async () => {
    const fake = createGmailFake();
    server.use(...fake.handlers);
    const { accessToken } = fake.oauth.issueTokens({ scopes: FULL });
    const response = await fetch(`${GMAIL_USERS_URL}/boss@example.com/profile`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(403);
  });

  it("enforces the per-user quota in units", async () => {
    const { call } = setup({ unitsPerMinute: 12 });
    for (let i = 0; i < 6; i++)
      expect((await call("/history?startHistoryId=5000")).status).toBe(200);
    expect(await errorOf(await call("/history?startHistoryId=5000"))).toMatchObject({
      status: 403,
      body: { error: { errors: [{ reason: "userRateLimitExceeded" }] } },
    });
  });

  it("rejects a send without recipients and a watch on a malformed topic", async () => {
    const { call } = setup();
    const raw = Buffer.from("Subject: hi\r\n\r\nbody").toString("base64url");
    expect(
      await errorOf(
        await call("/messages/send", { method: "POST", body: JSON.stringify({ raw }) }),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: { message: "Recipient address required" } },
    });
    expect(
      (await call("/watch", { method: "POST", body: JSON.stringify({ topicName: "gmail" }) }))
        .status,
    ).toBe(400);
  });

  it("threads a reply under its pitch and a bounce too", async () => {
    const { fake } = setup();
    const [pitch] = fake.seedPitches(1) as [ReturnType<GmailFake["userSends"]>];
    const reply = fake.receiveReply({
      threadId: pitch.threadId,
      from: "cheryl@kexp.example",
      text: "ok",
    });
    const bounce = fake.receiveBounce({ threadId: pitch.threadId });
    expect(fake.thread(pitch.threadId).map((m) => m.id)).toEqual([pitch.id, reply.id, bounce.id]);
    expect(bounce.parsed.mimeType).toBe("multipart/report");
    expect(bounce.parsed.parts.map((p) => p.mimeType)).toEqual([
      "text/plain",
      "message/delivery-status",
      "text/rfc822-headers",
    ]);
  });
});
