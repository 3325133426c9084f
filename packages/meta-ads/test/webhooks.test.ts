import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { META_SANDBOX } from "../src/testing/index.js";
import { connectWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const verification = (token: string) =>
  new Request(
    `${META_SANDBOX.webhookUrl}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
  );

describe("meta-ads webhooks", () => {
  it("echoes hub.challenge when the verify token matches, and refuses otherwise", async () => {
    const w = await connectWorld(server);
    const ok = await w.patchbay.handleWebhook(
      "meta-ads",
      verification(META_SANDBOX.webhookVerifyToken),
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await w.patchbay.handleWebhook("meta-ads", verification("guess"));
    expect(wrong.status).toBe(403);
  });

  it("a signed ad account event syncs the connection's campaigns; a forged one applies nothing", async () => {
    const w = await connectWorld(server);
    expect(w.connection.metadata.adAccountId).toBe(META_SANDBOX.adAccountId.replace("act_", ""));
    const runs = async () =>
      (await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).length;
    const forged = await w.patchbay.handleWebhook(
      "meta-ads",
      w.fake.adAccountEvent({ forged: true }),
    );
    expect([401, 403]).toContain(forged.status);
    expect(await runs()).toBe(0);
    const genuine = await w.patchbay.handleWebhook("meta-ads", w.fake.adAccountEvent());
    expect(genuine.status).toBe(202);
    expect(await runs()).toBe(1);
    expect((await w.stored("campaigns")).size).toBe(4);
  });
});
