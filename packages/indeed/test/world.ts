/**
 * A host with one Indeed connection against the fake, for the
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
import { type IndeedOptions, indeed } from "../src/index.js";
import {
  createIndeedFake,
  INDEED_SANDBOX_APP,
  type IndeedFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const WEBHOOK_BASE = "https://app.example.com/integrations/webhooks";

export interface WorldOptions {
  fake?: IndeedFakeOptions;
  connector?: Partial<IndeedOptions>;
  patchbay?: Partial<PatchbayOptions>;
  config?: Record<string, unknown>;
  /** Deliver Indeed Apply applications to the host (`notify`). Default true. */
  deliver?: boolean;
}

export async function world(server: SetupServerApi, options: WorldOptions = {}) {
  let patchbay: Patchbay | undefined;
  const deliveries: Promise<Response>[] = [];
  const fake = createIndeedFake({
    retryAfterSeconds: 0,
    ...(options.deliver !== false && {
      notify: (request: Request) => {
        const answer = patchbay!.handleWebhook("indeed", request);
        deliveries.push(answer);
        return answer;
      },
    }),
    ...options.fake,
  });
  server.use(...fake.handlers);
  const connector = indeed({ ...INDEED_SANDBOX_APP, ...options.connector });
  const store = new MemoryStore();
  patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
    webhookBaseUrl: WEBHOOK_BASE,
    ...options.patchbay,
  });
  const connection: Connection = await patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "indeed",
    credentials: fake.credentials,
    ...(options.config !== undefined && { config: options.config }),
  });
  const pb = patchbay;
  const current = () => pb.connections.get(TENANT, connection.id);
  const sync = async (model = "jobPostings", mode?: "full" | "incremental") => {
    const outcome = await pb.sync.run({
      tenantId: TENANT,
      connectionId: connection.id,
      model,
      ...(mode !== undefined && { mode }),
    });
    if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
    return outcome.run;
  };
  const stored = async (model = "jobPostings") => {
    const rows = await store.listRecords(TENANT, {
      connectionId: connection.id,
      model,
      limit: 10_000,
    });
    return new Map(rows.map((r) => [r.externalId, r.data as Record<string, unknown>]));
  };
  const write = (changes: Parameters<Patchbay["write"]>[0]["changes"], model = "jobPostings") =>
    pb.write({ tenantId: TENANT, connectionId: connection.id, model, changes });
  /** Wait until every delivery made so far was answered. */
  const settle = async (): Promise<Response[]> => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return Promise.all(deliveries);
  };
  return { fake, connector, store, patchbay: pb, connection, current, sync, stored, write, settle };
}

/** A valid posting as the host writes it. */
export function hostPosting(n: number, overrides: Record<string, unknown> = {}) {
  return {
    title: `Service Plumber ${n}`,
    description:
      "Diagnose and repair residential plumbing: leaks, fixtures, water heaters and drains. Company van provided.",
    location: { country: "US", cityRegionPostal: "Denver, CO 80202" },
    employmentType: "FULL_TIME",
    salary: { currency: "USD", minimumMinor: 3000, maximumMinor: 4000, period: "HOUR" },
    benefits: ["Health insurance", "Paid time off"],
    url: `https://summitplumbing.example/careers/service-plumber-${n}`,
    datePublished: "2025-03-01T09:00:00Z",
    indeedApply: false,
    ...overrides,
  };
}
