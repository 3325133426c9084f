/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import {
  type Connection,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type KlaviyoOptions, klaviyo } from "../src/index.js";
import {
  createKlaviyoFake,
  KLAVIYO_SANDBOX_APP,
  KLAVIYO_SANDBOX_REDIRECT_URIS,
  type KlaviyoFake,
  type KlaviyoFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";
export const REDIRECT_URI = KLAVIYO_SANDBOX_REDIRECT_URIS[1] as string;
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 9).toString("base64") }] });

export interface World {
  fake: KlaviyoFake;
  patchbay: Patchbay;
  store: MemoryStore;
}

/**
 * A fake Klaviyo account and a Patchbay wired to it (API key mode unless
 * `connector` says otherwise). Deliveries from the fake go to `handleWebhook`.
 */
export function world(
  server: SetupServerApi,
  options: {
    fake?: KlaviyoFakeOptions;
    connector?: KlaviyoOptions;
    patchbay?: Partial<PatchbayOptions>;
  } = {},
): World {
  let patchbay: Patchbay | undefined;
  const fake = createKlaviyoFake({
    notify: (request) => patchbay?.handleWebhook("klaviyo", request),
    ...options.fake,
  });
  server.use(...fake.handlers);
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [klaviyo(options.connector ?? { auth: "api_key" })],
    store,
    vault: VAULT,
    webhookBaseUrl: WEBHOOK_BASE,
    ...options.patchbay,
  });
  return { fake, patchbay, store };
}

/** Connect with the fake's private API key. */
export function connectWithKey(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "klaviyo",
    credentials: w.fake.credentials,
    ...(config === undefined ? {} : { config }),
  });
}

/** Connect through the OAuth round trip (the user clicks "Allow"). */
export async function connectWithOAuth(w: World): Promise<Connection> {
  const { url } = await w.patchbay.connect.start({
    tenantId: TENANT,
    connector: "klaviyo",
    redirectUri: REDIRECT_URI,
  });
  return w.patchbay.connect.finish(w.fake.oauth!.approve(url), { tenantId: TENANT });
}

export const OAUTH_APP = KLAVIYO_SANDBOX_APP;

/** Every stored record of a model, by external id. */
export async function stored(w: World, connectionId: string, model: string) {
  const rows = await w.store.listRecords(TENANT, { connectionId, model, limit: 5000 });
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

/** API requests the fake answered for a path. */
export function calls(w: World, path: string, method = "GET") {
  return w.fake.requests.filter((r) => r.method === method && r.path.replace(/\/$/, "") === path);
}
