/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import { type Connection, createPatchbay, MemoryStore, type Patchbay, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type GoogleAnalyticsDataApiOptions, googleAnalytics } from "../src/index.js";
import {
  createGoogleAnalyticsFake,
  GA_SANDBOX_CLIENT,
  GA_SANDBOX_PROPERTY,
  type GoogleAnalyticsFake,
  type GoogleAnalyticsFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
export const REDIRECT = "https://app.example.com/integrations/google-analytics/callback";
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 3).toString("base64") }] });

/** One MSW server per test file; each world adds its fake's handlers. */
export const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export const START = Date.parse("2026-03-27T15:20:00Z");

export interface World {
  fake: GoogleAnalyticsFake;
  patchbay: Patchbay;
  clock: { now: number };
}

function make(
  connector: ReturnType<typeof googleAnalytics>,
  fakeOptions: GoogleAnalyticsFakeOptions,
  clock: { now: number },
): World {
  const fake = createGoogleAnalyticsFake({
    now: () => clock.now,
    redirectUris: [REDIRECT],
    ...fakeOptions,
  });
  server.use(...fake.handlers);
  const patchbay = createPatchbay({
    connectors: [connector],
    store: new MemoryStore(),
    vault: VAULT,
  });
  return { fake, patchbay, clock };
}

export function mpWorld(fake: GoogleAnalyticsFakeOptions = {}): World {
  const clock = { now: START };
  return make(googleAnalytics({ mode: "measurement-protocol", now: () => clock.now }), fake, clock);
}

export function dataWorld(
  options: {
    fake?: GoogleAnalyticsFakeOptions;
    connector?: Partial<GoogleAnalyticsDataApiOptions>;
  } = {},
): World {
  const clock = { now: START };
  return make(
    googleAnalytics({
      mode: "data-api",
      ...GA_SANDBOX_CLIENT,
      now: () => clock.now,
      ...options.connector,
    }),
    options.fake ?? {},
    clock,
  );
}

export function connectMp(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "google-analytics",
    credentials: w.fake.credentials,
    ...(config !== undefined && { config }),
  });
}

/** The OAuth round trip, then the property (and report settings) configured. */
export async function connectData(
  w: World,
  config: Record<string, unknown> = { propertyId: GA_SANDBOX_PROPERTY.propertyId },
): Promise<Connection> {
  const { url } = await w.patchbay.connect.start({
    tenantId: TENANT,
    connector: "google-analytics",
    redirectUri: REDIRECT,
  });
  const connection = await w.patchbay.connect.finish(w.fake.oauth.approve(url), {
    tenantId: TENANT,
  });
  await w.patchbay.connections.configure(TENANT, connection.id, config);
  return w.patchbay.connections.get(TENANT, connection.id);
}

export function action<T = unknown>(
  w: World,
  connectionId: string,
  name: string,
  input: unknown = {},
): Promise<T> {
  return w.patchbay.actions.run<T>({ tenantId: TENANT, connectionId, action: name, input });
}

export async function sync(w: World, connectionId: string, mode?: "full" | "incremental") {
  const outcome = await w.patchbay.sync.run({
    tenantId: TENANT,
    connectionId,
    model: "report",
    mode,
  });
  if (outcome.status === "skipped") throw new Error(`sync skipped: ${outcome.reason}`);
  return outcome.run;
}
