/**
 * A connected Gmail world for the feature tests: a fake mailbox, a Patchbay
 * on a memory store, and a connection made through the OAuth round trip.
 */
import {
  type Connection,
  type ConnectorDefinition,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  type SyncRun,
  Vault,
} from "@patchbay/core";
import { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import type { SetupServerApi } from "msw/node";
import {
  addressOf,
  type GmailPubSubOptions,
  type GmailReply,
  gmail,
  type TrackedThread,
} from "../src/index.js";
import {
  createGmailFake,
  type FakeMessage,
  GMAIL_SANDBOX_PUBSUB,
  GMAIL_SANDBOX_REDIRECT_URI,
  type GmailFake,
  type GmailFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-gmail";
const VAULT_KEY = { kid: "test", key: Buffer.alloc(32, 7).toString("base64") };

export interface World {
  fake: GmailFake;
  patchbay: Patchbay;
  store: MemoryStore;
  connection: Connection;
  connector: ConnectorDefinition;
  sync(mode?: "full" | "incremental"): Promise<SyncRun>;
  /** Stored replies (not deleted), by message id. */
  replies(): Promise<Map<string, GmailReply>>;
  /** Track pitches the user sent from Gmail, for a campaign. */
  track(pitches: FakeMessage[], campaignId?: string): Promise<void>;
  /** The connection as stored now. */
  current(): Promise<Connection>;
}

export const contactOf = (message: FakeMessage): string =>
  addressOf(message.parsed.headers.find((h) => h.name.toLowerCase() === "to")!.value);

export function trackedEntry(pitch: FakeMessage, campaignId: string): TrackedThread {
  return {
    threadId: pitch.threadId,
    contactEmail: contactOf(pitch),
    campaignId,
    subject: pitch.parsed.headers.find((h) => h.name === "Subject")!.value,
    anchorMessageId: pitch.id,
    sentAt: new Date(pitch.internalDate).toISOString(),
    trackedAt: new Date(pitch.internalDate).toISOString(),
  };
}

/**
 * Mount a fresh fake on `server`, connect through the OAuth round trip, and
 * return the world.
 */
export async function connectWorld(
  server: SetupServerApi,
  options: {
    fake?: GmailFakeOptions;
    pubsub?: Partial<GmailPubSubOptions> | false;
    webhookBaseUrl?: string;
  } = {},
): Promise<World> {
  const fake = createGmailFake(options.fake);
  server.use(...fake.handlers);
  const pubsub =
    options.pubsub === false ? undefined : { ...GMAIL_SANDBOX_PUBSUB, ...options.pubsub };
  const connector = gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub });
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    tokens: { refreshRetries: 2 },
    webhookBaseUrl: options.webhookBaseUrl,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "gmail",
    redirectUri: GMAIL_SANDBOX_REDIRECT_URI,
  });
  const connection = await patchbay.connect.finish(fake.oauth.approve(url), { tenantId: TENANT });
  const current = () => patchbay.connections.get(TENANT, connection.id);
  return {
    fake,
    patchbay,
    store,
    connector,
    connection,
    current,
    async sync(mode) {
      const outcome = await patchbay.sync.run({
        tenantId: TENANT,
        connectionId: connection.id,
        model: "replies",
        mode,
      });
      if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
      return outcome.run;
    },
    async replies() {
      const rows = await store.listRecords(TENANT, {
        connectionId: connection.id,
        model: "replies",
        limit: 1000,
      });
      return new Map(rows.map((r) => [r.externalId, r.data as unknown as GmailReply]));
    },
    async track(pitches, campaignId = "cmp_1") {
      const config = (await current()).config as { trackedThreads?: TrackedThread[] };
      await patchbay.connections.configure(TENANT, connection.id, {
        ...config,
        trackedThreads: [
          ...(config.trackedThreads ?? []),
          ...pitches.map((p) => trackedEntry(p, campaignId)),
        ],
      });
    },
  };
}
