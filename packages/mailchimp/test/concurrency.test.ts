import { createHttpClient } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailchimpApiBase, parseMailchimpError } from "../src/index.js";
import { connectWithKey, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("Mailchimp's limit of 10 simultaneous connections", () => {
  it("the fake answers 429 when an 11th request arrives while 10 are open", async () => {
    const w = world({ fake: { latencyMs: 25 } });
    server.use(...w.fake.handlers);
    const raw = createHttpClient({
      baseUrl: mailchimpApiBase(w.fake.dc),
      headers: { authorization: `Basic ${Buffer.from(`any:${w.fake.apiKey}`).toString("base64")}` },
      parseError: parseMailchimpError,
      retry: { retries: 0 },
    });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => raw.get("/ping")));
    expect(w.fake.stats.rejectedForConcurrency).toBeGreaterThan(0);
    const refused = results.find((r) => r.status === "rejected");
    expect(String((refused as PromiseRejectedResult).reason)).toMatch(
      /429 Too Many Requests: You have exceeded the limit of 10 simultaneous connections/,
    );
  });

  it("30 concurrent calls through a connection never put more than 10 in flight", async () => {
    const w = world({ fake: { latencyMs: 25 } });
    server.use(...w.fake.handlers);
    const connection = await connectWithKey(w);
    const http = await w.patchbay.connections.http(TENANT, connection.id);
    const before = w.fake.stats.requests;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => http.get<{ health_status: string }>("/ping")),
    );
    expect(answers.every((a) => a.data.health_status === "Everything's Chimpy!")).toBe(true);
    expect(w.fake.stats.requests - before).toBe(30);
    expect(w.fake.stats.rejectedForConcurrency).toBe(0);
    expect(w.fake.stats.peakInFlight).toBe(10);
  });

  it("declares the cap so core enforces it per connection", () => {
    expect(world().connector.http?.maxConcurrent).toEqual({ limit: 10, scope: "connection" });
  });
});
