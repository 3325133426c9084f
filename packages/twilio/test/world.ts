/**
 * A host with one Twilio connection against the fake, for the
 * provider-specific tests.
 */
import {
  type Connection,
  createPatchbay,
  MemoryStore,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import type { SetupServerApi } from "msw/node";
import { type TwilioOptions, twilio } from "../src/index.js";
import {
  createTwilioFake,
  TWILIO_SANDBOX,
  TWILIO_SANDBOX_CREDENTIALS,
  type TwilioFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";
export const WEBHOOK_URL = `${WEBHOOK_BASE}/twilio`;

export interface WorldOptions {
  fake?: TwilioFakeOptions;
  connector?: TwilioOptions;
  patchbay?: Partial<PatchbayOptions>;
  credentials?: Record<string, unknown>;
  config?: Record<string, unknown> | null;
  /** Deliver the fake's webhooks to the host. Default `true`. */
  notify?: boolean;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  let patchbay: Patchbay | undefined;
  const responses: Response[] = [];
  const fake = createTwilioFake({
    smsUrl: WEBHOOK_URL,
    ...(options.notify !== false && {
      notify: async (request: Request) => {
        const response = await patchbay!.handleWebhook("twilio", request);
        responses.push(response);
        return response;
      },
    }),
    ...options.fake,
  });
  server.use(...fake.handlers);
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [twilio(options.connector)],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    webhookBaseUrl: WEBHOOK_BASE,
    ...options.patchbay,
  });
  const config =
    options.config === null ? undefined : (options.config ?? { from: TWILIO_SANDBOX.number });
  const connection: Connection = await patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "twilio",
    credentials: options.credentials ?? { ...TWILIO_SANDBOX_CREDENTIALS },
    ...(config !== undefined && { config }),
  });
  const current = () => patchbay!.connections.get(TENANT, connection.id);
  const sync = async (mode?: "full" | "incremental") => {
    const outcome = await patchbay!.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "messages",
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async () => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model: "messages",
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r]));
  };
  const sendSms = (input: Record<string, unknown>) =>
    patchbay!.actions.run({
      tenantId: TENANT,
      connectionId: connection.id,
      action: "sendSms",
      input,
    });
  return { fake, store, patchbay, connection, current, sync, stored, sendSms, responses };
}

/** The API requests the fake answered, as `METHOD path?query`, optionally only those matching. */
export function calls(
  fake: { requests: readonly { method: string; path: string; query: string }[] },
  match?: RegExp,
): string[] {
  return fake.requests
    .map((r) => `${r.method} ${r.path}${r.query}`)
    .filter((line) => match === undefined || match.test(line));
}
