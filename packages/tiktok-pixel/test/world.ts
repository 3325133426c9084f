/** Shared set-up for the provider tests: a Patchbay on the memory store, talking to the fake. */
import { type Connection, createPatchbay, MemoryStore, type Patchbay, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type TiktokPixelOptions, tiktokPixel } from "../src/index.js";
import {
  createTiktokPixelFake,
  type TiktokPixelFake,
  type TiktokPixelFakeOptions,
} from "../src/testing/index.js";

export const TENANT = "tenant-1";
const VAULT = new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 5).toString("base64") }] });

/** One MSW server per test file; each world adds its fake's handlers. */
export const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

export const START = Date.parse("2026-03-27T15:00:00Z");
export const NOW_S = Math.floor(START / 1000);

export interface World {
  fake: TiktokPixelFake;
  patchbay: Patchbay;
}

export function world(
  options: { fake?: TiktokPixelFakeOptions; connector?: TiktokPixelOptions } = {},
): World {
  const fake = createTiktokPixelFake({ now: () => START, ...options.fake });
  server.use(...fake.handlers);
  const patchbay = createPatchbay({
    connectors: [tiktokPixel({ now: () => START, requestsPerSecond: 1000, ...options.connector })],
    store: new MemoryStore(),
    vault: VAULT,
  });
  return { fake, patchbay };
}

export function connect(w: World, config?: Record<string, unknown>): Promise<Connection> {
  return w.patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "tiktok-pixel",
    credentials: w.fake.credentials,
    ...(config !== undefined && { config }),
  });
}

export function send<T = unknown>(w: World, connectionId: string, input: unknown): Promise<T> {
  return w.patchbay.actions.run<T>({ tenantId: TENANT, connectionId, action: "sendEvents", input });
}

/** A completed payment with the fields TikTok matches on. */
export function payment(overrides: Record<string, unknown> = {}) {
  return {
    event: "CompletePayment",
    eventTime: NOW_S - 30,
    eventId: "order-1001",
    user: {
      email: " John_Smith@gmail.com ",
      phone: "(650) 555-1212",
      externalId: " CUST-42 ",
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
      ttp: "2F7h37YkS1j57AYSKTI7IHhJPYH",
      ttclid: "E.C.P.CqgBsandboxclick",
    },
    page: { url: "https://brightplumbing.example/checkout/thanks" },
    properties: {
      currency: "USD",
      value: 249.5,
      contents: [{ content_id: "water-heater-flush", quantity: 1 }],
    },
    ...overrides,
  };
}
