import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { calls, connectWithKey, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("createEvent", () => {
  it("attaches the event to the profile with that email, once per unique_id", async () => {
    const w = world(server);
    const ada = w.fake.addProfile({ email: "ada@shoppers.example" });
    const c = await connectWithKey(w);
    const input = {
      metric: "Placed Order",
      email: "ada@shoppers.example",
      value: 84.5,
      value_currency: "USD",
      unique_id: "order-1001",
      properties: { ItemNames: ["Linen Throw Blanket"] },
    };
    const run = () =>
      w.patchbay.actions.run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "createEvent",
        input,
      });
    expect(await run()).toEqual({ accepted: true, unique_id: "order-1001" });
    await run(); // a retried call
    const events = w.fake.events(ada);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      metric: "Placed Order",
      value: 84.5,
      properties: { ItemNames: ["Linen Throw Blanket"] },
    });
  });

  it("creates the profile when the identifiers match none", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    await w.patchbay.actions.run({
      tenantId: TENANT,
      connectionId: c.id,
      action: "createEvent",
      input: { metric: "Viewed Product", external_id: "shopify-77", profile: { first_name: "Bo" } },
    });
    const [profile] = [...w.fake.profiles().values()];
    expect(profile).toMatchObject({ external_id: "shopify-77", first_name: "Bo" });
    expect(w.fake.events(profile!.id)[0]?.metric).toBe("Viewed Product");
  });

  it("refuses an input without any profile identifier before calling Klaviyo", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    await expect(
      w.patchbay.actions.run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "createEvent",
        input: { metric: "Placed Order" },
      }),
    ).rejects.toThrow(/email, phone_number or external_id/);
    expect(calls(w, "/api/events", "POST")).toHaveLength(0);
  });
});

describe("subscribeProfiles", () => {
  it("subscribes to email (and SMS with a phone) and adds to the configured list", async () => {
    const w = world(server);
    const listId = w.fake.addList("Newsletter");
    const c = await connectWithKey(w, { listId });
    const result = await w.patchbay.actions.run({
      tenantId: TENANT,
      connectionId: c.id,
      action: "subscribeProfiles",
      input: { profiles: [{ email: "cy@shoppers.example", phone_number: "+15035550123" }] },
    });
    expect(result).toEqual({ accepted: true, listId, count: 1 });
    const [profile] = [...w.fake.profiles().values()];
    expect(w.fake.membership(profile!.id)).toEqual({
      lists: [listId],
      consent: { email: "SUBSCRIBED", sms: "SUBSCRIBED" },
    });
  });

  it("without a list anywhere, says how to name one", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    await expect(
      w.patchbay.actions.run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "subscribeProfiles",
        input: { profiles: [{ email: "cy@shoppers.example" }] },
      }),
    ).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message: expect.stringMatching(/"listId"/),
    });
  });

  it("an unknown list answers Klaviyo's 404 naming the pointer", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    await expect(
      w.patchbay.actions.run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "subscribeProfiles",
        input: { listId: "NoSuch", profiles: [{ email: "cy@shoppers.example" }] },
      }),
    ).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("/data/relationships/list/data/id"),
    });
  });
});
