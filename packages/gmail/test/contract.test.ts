import { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import { type ContractFake, type ContractModel, testConnectorContract } from "@patchbay/testing";
import { addressOf, gmail, type TrackedThread } from "../src/index.js";
import {
  createGmailFake,
  type FakeMessage,
  GMAIL_SANDBOX_PUBSUB,
  GMAIL_SANDBOX_REDIRECT_URI,
  type GmailFake,
} from "../src/testing/index.js";

// Every contract fake starts with ten pitches the host tracks for one campaign.
type GmailContractFake = ContractFake & { gmail: GmailFake; pitches: FakeMessage[] };

const contactOf = (pitch: FakeMessage) =>
  addressOf(pitch.parsed.headers.find((h) => h.name === "To")!.value);

function tracked(pitch: FakeMessage): TrackedThread {
  return {
    threadId: pitch.threadId,
    contactEmail: contactOf(pitch),
    campaignId: "cmp_contract",
    subject: pitch.parsed.headers.find((h) => h.name === "Subject")!.value,
    anchorMessageId: pitch.id,
    sentAt: new Date(pitch.internalDate).toISOString(),
    trackedAt: new Date(pitch.internalDate).toISOString(),
  };
}

/** What must match between Gmail and the stored record (classification has its own tests). */
const project = (r: unknown) => {
  const { id, threadId, from, contactEmail, campaignId, matchedBy } = r as Record<string, unknown>;
  return { id, threadId, from, contactEmail, campaignId, matchedBy };
};

const replies: ContractModel<GmailContractFake> = {
  seed: ({ gmail: fake, pitches }, n) => {
    for (let i = 0; i < n; i++) {
      const pitch = pitches[i % pitches.length]!;
      fake.receiveReply({ threadId: pitch.threadId, from: contactOf(pitch) });
    }
  },
  snapshot: ({ gmail: fake, pitches }) =>
    new Map(
      pitches.flatMap((pitch) =>
        fake
          .thread(pitch.threadId)
          .filter((m) => !m.labelIds.includes("SENT"))
          .map((m) => [
            m.id,
            {
              id: m.id,
              threadId: m.threadId,
              from: contactOf(pitch),
              contactEmail: contactOf(pitch),
              campaignId: "cmp_contract",
              matchedBy: "thread",
            },
          ]),
      ),
    ),
  update: ({ gmail: fake }, id) => fake.markRead(id),
  create: ({ gmail: fake, pitches }) =>
    fake.receiveReply({ threadId: pitches[0]!.threadId, from: contactOf(pitches[0]!) }).id,
  remove: ({ gmail: fake }, id) => fake.deleteMessage(id),
  compare: project,
};

testConnectorContract<GmailContractFake>("gmail", {
  connector: () => gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: GMAIL_SANDBOX_PUBSUB }),
  redirectUri: GMAIL_SANDBOX_REDIRECT_URI,
  fake: () => {
    const fake = createGmailFake();
    return {
      gmail: fake,
      pitches: fake.seedPitches(10),
      handlers: fake.handlers,
      oauth: fake.oauth,
      rateLimitNext: (n?: number) => fake.rateLimitNext(n),
      webhook: (connection, { forged }) =>
        fake.pushNotification(String(connection.metadata.emailAddress), { forged }),
    };
  },
  configure: async (patchbay, connection, { pitches }) => {
    await patchbay.connections.configure(connection.tenantId, connection.id, {
      trackedThreads: pitches.map(tracked),
    });
  },
  models: { replies },
  skip: {
    "an incremental sync picks up a change made at the provider":
      "Gmail messages are immutable: a reply is never edited after it arrives (new replies and deletions through history.list are covered in test/replies.test.ts)",
    "write-back creates at the provider, and the next sync does not echo it":
      "replies are read-only: pitches go out through the send action, not write-back",
  },
});
