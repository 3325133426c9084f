/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import { type Connection, createPatchbay, MemoryStore, type Patchbay, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type MetaPixelOptions, metaPixel } from "../src/index.js";
import {
  createMetaPixelFake,
  type MetaPixelFake,
  type MetaPixelFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] });

/** One MSW server per test file; each world adds its fake's handlers. */
export const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export interface World {
  fake: MetaPixelFake;
  patchbay: Patchbay;
  /** Shared by the fake and the connector. */
  clock: { now: number };
}

export const START = Date.parse("2026-03-27T15:00:00Z");
export const NOW_S = Math.floor(START / 1000);

export function world(
  options: { fake?: MetaPixelFakeOptions; connector?: MetaPixelOptions } = {},
): World {
  const clock = { now: START };
  const fake = createMetaPixelFake({ now: () => clock.now, ...options.fake });
  server.use(...fake.handlers);
  const patchbay = createPatchbay({
    connectors: [metaPixel({ now: () => clock.now, ...options.connector })],
    store: new MemoryStore(),
    vault: VAULT,
  });
  return { fake, patchbay, clock };
}

export function connect(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "meta-pixel",
    credentials: w.fake.credentials,
    ...(config !== undefined && { config }),
  });
}

export function send<T = unknown>(w: World, connectionId: string, input: unknown): Promise<T> {
  return w.patchbay.actions.run<T>({ tenantId: TENANT, connectionId, action: "sendEvents", input });
}

/** A website event with everything Meta requires. */
export function purchase(overrides: Record<string, unknown> = {}) {
  return {
    eventName: "Purchase",
    eventTime: NOW_S - 60,
    eventId: "order-1001",
    eventSourceUrl: "https://brightplumbing.example/checkout/thanks",
    user: {
      email: " John_Smith@gmail.com ",
      phone: "(650)555-1212",
      clientIpAddress: "203.0.113.7",
      clientUserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15",
      fbp: "fb.1.1558571054389.1098115397",
      fbc: "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890",
    },
    customData: { currency: "usd", value: 249.5 },
    ...overrides,
  };
}
