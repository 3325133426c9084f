/**
 * A connected Google Business Profile world for the feature tests: the fake,
 * a Patchbay on a memory store, and a connection made through the OAuth
 * round trip.
 */
import {
  type Connection,
  createPatchbay,
  type Json,
  MemoryStore,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type GoogleBusinessProfileOptions, googleBusinessProfile } from "../src/index.js";
import {
  createGoogleBusinessProfileFake,
  GBP_SANDBOX_APP,
  GBP_SANDBOX_PUBSUB,
  GBP_SANDBOX_REDIRECT_URI,
  type GoogleBusinessProfileFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-gbp";
const VAULT_KEY = { kid: "test", key: Buffer.alloc(32, 9).toString("base64") };

export interface WorldOptions {
  fake?: GoogleBusinessProfileFakeOptions;
  connector?: Partial<GoogleBusinessProfileOptions>;
  /** `false`: no Pub/Sub (no webhooks, no lifecycle). */
  pubsub?: false;
  patchbay?: Partial<PatchbayOptions>;
  config?: Record<string, unknown>;
  /** Fill the sandbox business before connecting. Default `true`. */
  seed?: boolean;
}

export async function connectWorld(server: SetupServerApi, options: WorldOptions = {}) {
  let deliver: (request: Request) => unknown = () => undefined;
  const fake = createGoogleBusinessProfileFake({ notify: (r) => deliver(r), ...options.fake });
  if (options.seed !== false) fake.seedSandbox();
  server.use(...fake.handlers);
  const connector = googleBusinessProfile({
    ...GBP_SANDBOX_APP,
    ...(options.pubsub !== false && { pubsub: GBP_SANDBOX_PUBSUB }),
    ...options.connector,
  });
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [VAULT_KEY] }),
    tokens: { refreshRetries: 2 },
    ...options.patchbay,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "google-business-profile",
    redirectUri: GBP_SANDBOX_REDIRECT_URI,
    ...(options.config !== undefined && { config: options.config }),
  });
  const connection: Connection = await patchbay.connect.finish(fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  const deliveries: Promise<Response>[] = [];
  deliver = (request) => {
    const answer = patchbay.handleWebhook("google-business-profile", request);
    deliveries.push(answer);
    return answer;
  };
  const sync = async (model: string, mode?: "full" | "incremental") => {
    const outcome = await patchbay.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async <T = Record<string, Json>>(model: string) => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as T]));
  };
  const action = <T>(name: string, input: unknown) =>
    patchbay.actions.run<T>({ tenantId: TENANT, connectionId: connection.id, action: name, input });
  const current = () => patchbay.connections.get(TENANT, connection.id);
  /** Wait until the fake's pushes (delivered on a timer) have been handled. */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return Promise.all(deliveries.splice(0));
  };
  return { fake, connector, store, patchbay, connection, sync, stored, action, current, settle };
}

/** The fake's API requests whose URL matches, as `METHOD url`. */
export function calls(
  fake: { requests: ReadonlyArray<{ method: string; url: string }> },
  match: RegExp,
) {
  return fake.requests.map((r) => `${r.method} ${r.url}`).filter((line) => match.test(line));
}
