/**
 * How to stand up each provider that sends webhooks, as its
 * test/contract.test.ts does: the connector built for the fake, the fake,
 * the redirect URI its OAuth client registers, and the configuration a
 * delivery needs to find the connection.
 */
import { airtable } from "@patchbay/airtable";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_CLIENT,
  createAirtableFake,
} from "@patchbay/airtable/testing";
import type { Connection, ConnectorDefinition, Patchbay } from "@patchbay/core";
import { gmail, type TrackedThread } from "@patchbay/gmail";
import {
  createGmailFake,
  type FakeMessage,
  GMAIL_SANDBOX_PUBSUB,
  GMAIL_SANDBOX_REDIRECT_URI,
} from "@patchbay/gmail/testing";
import { goHighLevel } from "@patchbay/gohighlevel";
import {
  createGhlFake,
  GHL_SANDBOX_APP,
  GHL_SANDBOX_WEBHOOK_KEYS,
} from "@patchbay/gohighlevel/testing";
import { googleBusinessProfile } from "@patchbay/google-business-profile";
import {
  createGoogleBusinessProfileFake,
  GBP_SANDBOX_APP,
  GBP_SANDBOX_PUBSUB,
  GBP_SANDBOX_REDIRECT_URI,
} from "@patchbay/google-business-profile/testing";
import { googleDrive } from "@patchbay/google-drive";
import {
  createGoogleDriveFake,
  GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
  GOOGLE_SANDBOX_CLIENT,
} from "@patchbay/google-drive/testing";
import { indeed } from "@patchbay/indeed";
import { createIndeedFake, INDEED_SANDBOX_APP } from "@patchbay/indeed/testing";
import { jobber } from "@patchbay/jobber";
import { createJobberFake, JOBBER_SANDBOX_APP } from "@patchbay/jobber/testing";
import { klaviyo } from "@patchbay/klaviyo";
import { createKlaviyoFake, KLAVIYO_SANDBOX_APP } from "@patchbay/klaviyo/testing";
import { mailchimp } from "@patchbay/mailchimp";
import { createMailchimpFake, MAILCHIMP_SANDBOX_APP } from "@patchbay/mailchimp/testing";
import { metaAds } from "@patchbay/meta-ads";
import {
  createMetaAdsFake,
  META_SANDBOX,
  META_SANDBOX_APP,
  META_SANDBOX_REDIRECT_URI,
} from "@patchbay/meta-ads/testing";
import { quickbooks } from "@patchbay/quickbooks";
import {
  createQuickBooksFake,
  QUICKBOOKS_SANDBOX_APP,
  QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
} from "@patchbay/quickbooks/testing";
import type { ContractFake } from "@patchbay/testing";
import { twilio } from "@patchbay/twilio";
import { createTwilioFake } from "@patchbay/twilio/testing";

export const DEFAULT_REDIRECT_URI = "https://app.example.com/integrations/callback";

export interface WebhookWorld {
  connector: () => ConnectorDefinition;
  fake: () => ContractFake;
  redirectUri?: string;
  configure?: (patchbay: Patchbay, connection: Connection, fake: ContractFake) => Promise<void>;
  /** The app's client secret, to look for in logs. */
  clientSecret?: string;
}

function trackedThread(pitch: FakeMessage): TrackedThread {
  const header = (name: string) => pitch.parsed.headers.find((h) => h.name === name)!.value;
  const to = header("To");
  return {
    threadId: pitch.threadId,
    contactEmail: /<([^>]+)>/.exec(to)?.[1] ?? to,
    campaignId: "cmp_security",
    subject: header("Subject"),
    anchorMessageId: pitch.id,
    sentAt: new Date(pitch.internalDate).toISOString(),
    trackedAt: new Date(pitch.internalDate).toISOString(),
  };
}

/** By connector id (a connector with two auth modes is stood up with one; both share `webhooks`). */
export const WEBHOOK_WORLDS: Record<string, WebhookWorld> = {
  airtable: {
    connector: () => airtable({ ...AIRTABLE_SANDBOX_CLIENT, rateLimitWaitMs: 5 }),
    fake: () => {
      const fake = createAirtableFake();
      return {
        handlers: fake.handlers,
        oauth: fake.oauth,
        rateLimitNext: (n) => fake.rateLimitNext(n),
        webhook: (c, o) => fake.webhook(c, o),
      };
    },
    configure: async (pb, c) =>
      void (await pb.connections.configure(c.tenantId, c.id, {
        baseId: AIRTABLE_SANDBOX.baseId,
        tableId: AIRTABLE_SANDBOX.tableId,
      })),
    clientSecret: AIRTABLE_SANDBOX_CLIENT.clientSecret,
  },
  gmail: {
    connector: () => gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: GMAIL_SANDBOX_PUBSUB }),
    redirectUri: GMAIL_SANDBOX_REDIRECT_URI,
    fake: () => {
      const fake = createGmailFake();
      const pitches = fake.seedPitches(3);
      return {
        pitches,
        handlers: fake.handlers,
        oauth: fake.oauth,
        rateLimitNext: (n?: number) => fake.rateLimitNext(n),
        webhook: (connection, { forged }) =>
          fake.pushNotification(String(connection.metadata.emailAddress), { forged }),
      } as ContractFake;
    },
    configure: async (pb, c, fake) => {
      const pitches = (fake as unknown as { pitches: FakeMessage[] }).pitches;
      await pb.connections.configure(c.tenantId, c.id, {
        trackedThreads: pitches.map(trackedThread),
      });
    },
    clientSecret: GOOGLE_SANDBOX_CLIENT.clientSecret,
  },
  gohighlevel: {
    connector: () =>
      goHighLevel({ ...GHL_SANDBOX_APP, webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey }),
    fake: () => createGhlFake({ rateLimit: { burstIntervalMs: 20 } }),
    clientSecret: GHL_SANDBOX_APP.clientSecret,
  },
  "google-business-profile": {
    connector: () => googleBusinessProfile({ ...GBP_SANDBOX_APP, pubsub: GBP_SANDBOX_PUBSUB }),
    redirectUri: GBP_SANDBOX_REDIRECT_URI,
    fake: () => {
      const gbp = createGoogleBusinessProfileFake();
      return {
        handlers: gbp.handlers,
        oauth: gbp.oauth,
        rateLimitNext: (n) => gbp.rateLimitNext(n),
        webhook: (_connection, { forged }) => gbp.pushNotification({ forged }),
      };
    },
    clientSecret: GBP_SANDBOX_APP.clientSecret,
  },
  "google-drive": {
    connector: () => googleDrive(GOOGLE_SANDBOX_CLIENT),
    redirectUri: GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
    fake: () => {
      const drive = createGoogleDriveFake();
      const folder = drive.addFolder({ name: "Patchbay exports" });
      drive.addFile({ name: "a.csv", mimeType: "text/csv", content: "a\n", parentId: folder.id });
      return {
        folderId: folder.id,
        handlers: drive.handlers,
        oauth: drive.oauth,
        rateLimitNext: (n?: number) => drive.rateLimitNext(n),
        webhook: (connection, { forged }) => drive.webhook(connection, { forged }),
      } as ContractFake;
    },
    configure: async (pb, c, fake) =>
      void (await pb.connections.configure(c.tenantId, c.id, {
        folderId: (fake as unknown as { folderId: string }).folderId,
      })),
    clientSecret: GOOGLE_SANDBOX_CLIENT.clientSecret,
  },
  indeed: {
    connector: () => indeed({ ...INDEED_SANDBOX_APP }),
    fake: () => {
      const f = createIndeedFake({ retryAfterSeconds: 0 });
      return {
        handlers: f.handlers,
        credentials: f.credentials,
        rateLimitNext: (n) => f.rateLimitNext(n),
        webhook: (c, o) => f.webhook(c, o),
      };
    },
  },
  jobber: {
    connector: () => jobber({ ...JOBBER_SANDBOX_APP, rateLimitWaitMs: 5, sleep: async () => {} }),
    fake: () => {
      const jb = createJobberFake();
      return {
        handlers: jb.handlers,
        oauth: jb.oauth,
        rateLimitNext: (n) => jb.rateLimitNext(n),
        webhook: (c, o) => jb.webhook(c, o),
      };
    },
    clientSecret: JOBBER_SANDBOX_APP.clientSecret,
  },
  klaviyo: {
    connector: () => klaviyo({ ...KLAVIYO_SANDBOX_APP }),
    fake: () => {
      const kl = createKlaviyoFake();
      return {
        handlers: kl.handlers,
        oauth: kl.oauth,
        rateLimitNext: (n) => kl.rateLimitNext(n),
        webhook: (c, o) => kl.webhook(c, o),
      };
    },
    clientSecret: KLAVIYO_SANDBOX_APP.clientSecret,
  },
  mailchimp: {
    connector: () => mailchimp({ ...MAILCHIMP_SANDBOX_APP }),
    fake: () => {
      const mc = createMailchimpFake();
      const listId = mc.seedAudience({ name: "Radio contacts" }).id;
      return {
        listId,
        handlers: mc.handlers,
        oauth: mc.oauth,
        rateLimitNext: (n?: number) => mc.rateLimitNext(n),
        webhook: (c, o) => mc.webhook(c, o),
      } as ContractFake;
    },
    configure: async (pb, c, fake) =>
      void (await pb.connections.configure(c.tenantId, c.id, {
        listId: (fake as unknown as { listId: string }).listId,
      })),
    clientSecret: MAILCHIMP_SANDBOX_APP.clientSecret,
  },
  "meta-ads": {
    connector: () =>
      metaAds({ ...META_SANDBOX_APP, webhookVerifyToken: META_SANDBOX.webhookVerifyToken }),
    redirectUri: META_SANDBOX_REDIRECT_URI,
    fake: () => {
      const meta = createMetaAdsFake();
      return {
        handlers: meta.handlers,
        oauth: meta.oauth,
        rateLimitNext: (n) => meta.rateLimitNext(n),
        webhook: (_connection, { forged }) => meta.adAccountEvent({ forged }),
      };
    },
    clientSecret: META_SANDBOX_APP.clientSecret,
  },
  quickbooks: {
    connector: () =>
      quickbooks({
        ...QUICKBOOKS_SANDBOX_APP,
        environment: "sandbox",
        webhookVerifierToken: QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
        rateLimitWaitMs: 5,
      }),
    fake: () => {
      const qbo = createQuickBooksFake();
      return {
        handlers: qbo.handlers,
        oauth: qbo.oauth,
        rateLimitNext: (n) => qbo.rateLimitNext(n),
        webhook: (c, o) => qbo.webhook(c, o),
      };
    },
    clientSecret: QUICKBOOKS_SANDBOX_APP.clientSecret,
  },
  twilio: {
    connector: () => twilio(),
    fake: () => {
      const fake = createTwilioFake();
      return {
        handlers: fake.handlers,
        credentials: fake.credentials,
        rateLimitNext: (n) => fake.rateLimitNext(n),
        webhook: (c, o) => fake.webhook(c, o),
      };
    },
  },
};
