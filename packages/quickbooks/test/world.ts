/**
 * A host with one QuickBooks connection against the fake, for the
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
import { type QuickBooksModel, type QuickBooksOptions, quickbooks } from "../src/index.js";
import {
  createQuickBooksFake,
  QUICKBOOKS_SANDBOX_APP,
  QUICKBOOKS_SANDBOX_REDIRECT_URIS,
  QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
  type QuickBooksFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";

export interface WorldOptions {
  fake?: QuickBooksFakeOptions;
  connector?: Partial<QuickBooksOptions>;
  patchbay?: Partial<PatchbayOptions>;
  /** Deliver the fake's webhooks to this world's patchbay. */
  webhooks?: boolean;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  let patchbay: Patchbay | undefined;
  const fake = createQuickBooksFake({
    ...(options.webhooks && { notify: (r: Request) => patchbay?.handleWebhook("quickbooks", r) }),
    ...options.fake,
  });
  server.use(...fake.handlers);
  const connector = quickbooks({
    ...QUICKBOOKS_SANDBOX_APP,
    environment: "sandbox",
    webhookVerifierToken: QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
    rateLimitWaitMs: 5,
    ...options.connector,
  });
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    ...options.patchbay,
  });
  const { url } = await patchbay.connect.start({
    tenantId: TENANT,
    connector: "quickbooks",
    redirectUri: QUICKBOOKS_SANDBOX_REDIRECT_URIS[1]!,
  });
  const connection: Connection = await patchbay.connect.finish(fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  const pb = patchbay;
  const sync = async (model: QuickBooksModel, mode?: "full" | "incremental") => {
    const outcome = await pb.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async (model: QuickBooksModel) => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
  };
  const http = () => pb.connections.http(TENANT, connection.id);
  return { fake, connector, store, patchbay: pb, connection, sync, stored, http };
}

/** The API requests the fake answered, as `METHOD path?query`, optionally only those matching. */
export function calls(
  fake: { requests: readonly { method: string; path: string; query: Record<string, string> }[] },
  match?: RegExp,
): string[] {
  return fake.requests
    .map((r) => {
      const q = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${q ? `?${q}` : ""}`;
    })
    .filter((line) => match === undefined || match.test(line));
}
