/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import {
  type Connection,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import { type MailchimpOptions, mailchimp } from "../src/index.js";
import {
  createMailchimpFake,
  MAILCHIMP_SANDBOX_APP,
  MAILCHIMP_SANDBOX_REDIRECT_URIS,
  type MailchimpFake,
  type MailchimpFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";
export const REDIRECT_URI = MAILCHIMP_SANDBOX_REDIRECT_URIS[0] as string;
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] });

export interface World {
  fake: MailchimpFake;
  patchbay: Patchbay;
  store: MemoryStore;
  connector: ReturnType<typeof mailchimp>;
}

/**
 * A fake account and a Patchbay wired to it. The fake's webhook endpoint is
 * the Patchbay's `handleWebhook`, so validation GETs and deliveries go through core.
 */
export function world(
  options: {
    fake?: MailchimpFakeOptions;
    connector?: MailchimpOptions;
    patchbay?: Partial<PatchbayOptions>;
  } = {},
): World {
  let patchbay: Patchbay | undefined;
  const fake = createMailchimpFake({
    webhookEndpoint: (request) => {
      if (patchbay === undefined) throw new Error("patchbay is not ready");
      return patchbay.handleWebhook("mailchimp", request);
    },
    ...options.fake,
  });
  const connector = mailchimp(options.connector ?? { auth: "api_key" });
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: VAULT,
    webhookBaseUrl: WEBHOOK_BASE,
    ...options.patchbay,
  });
  return { fake, patchbay, store, connector };
}

/** Connect with the fake's API key (optionally configured). */
export function connectWithKey(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "mailchimp",
    credentials: { apiKey: w.fake.apiKey },
    ...(config === undefined ? {} : { config }),
  });
}

/** Connect through the OAuth round trip (the user clicks "Allow"). */
export async function connectWithOAuth(
  w: World,
  config?: Record<string, unknown>,
): Promise<Connection> {
  const { url } = await w.patchbay.connect.start({
    tenantId: TENANT,
    connector: "mailchimp",
    redirectUri: REDIRECT_URI,
    ...(config === undefined ? {} : { config }),
  });
  return w.patchbay.connect.finish(w.fake.oauth.approve(url), { tenantId: TENANT });
}

export const OAUTH_APP = MAILCHIMP_SANDBOX_APP;

/** Every stored record of a model, by external id. */
export async function stored(w: World, connectionId: string, model: string) {
  const rows = await w.store.listRecords(TENANT, { connectionId, model, limit: 1000 });
  return new Map(rows.map((r) => [r.externalId, r]));
}

/** Run a sync and return its run (failing the test when skipped). */
export async function sync(
  w: World,
  connectionId: string,
  model: string,
  mode?: "full" | "incremental",
) {
  const outcome = await w.patchbay.sync.run({ tenantId: TENANT, connectionId, model, mode });
  if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
  return outcome.run;
}
