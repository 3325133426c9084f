import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectWithKey, stored, sync, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("seedSandbox", () => {
  it("fills a home-goods store's marketing lists and customers, which sync as Klaviyo has them", async () => {
    const w = world(server);
    const { listIds, profileIds } = w.fake.seedSandbox();
    expect(profileIds).toHaveLength(24);
    const c = await connectWithKey(w);
    expect(await sync(w, c.id, "profiles")).toMatchObject({ status: "succeeded", inserted: 24 });
    expect(await sync(w, c.id, "lists")).toMatchObject({ status: "succeeded", inserted: 3 });
    const lists = await stored(w, c.id, "lists");
    expect(lists.get(listIds.newsletter)?.data).toMatchObject({
      name: "Newsletter",
      opt_in_process: "double_opt_in",
    });
    const profile = (await stored(w, c.id, "profiles")).get(profileIds[1]!)?.data;
    expect(profile).toMatchObject({
      external_id: "shopify-10401",
      location: { country: "United States" },
    });
    expect(w.fake.membership(profileIds[0]!).lists).toContain(listIds.newsletter);
    expect(
      w.fake.events().some((e) => e.metric === "Placed Order" && e.value_currency === "USD"),
    ).toBe(true);
  });
});
