import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { subscriberHash } from "../src/index.js";
import { createMailchimpFake } from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The fake follows Mailchimp's reference where a connector bug would otherwise pass silently. */
describe("the Mailchimp fake", () => {
  function setUp() {
    const fake = createMailchimpFake();
    server.use(...fake.handlers);
    const auth = { authorization: `Basic ${Buffer.from(`any:${fake.apiKey}`).toString("base64")}` };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`https://us6.api.mailchimp.com/3.0${path}`, {
        ...init,
        headers: { ...auth, ...init.headers },
      });
    return { fake, api };
  }

  it("requires status_if_new on a PUT upsert, answering problem+json", async () => {
    const { fake, api } = setUp();
    const listId = fake.seedAudience().id;
    const response = await api(`/lists/${listId}/members/${subscriberHash("a@b.example")}`, {
      method: "PUT",
      body: JSON.stringify({ email_address: "a@b.example" }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      title: "Invalid Resource",
      status: 400,
      errors: [{ field: "status_if_new" }],
    });
  });

  it("refuses a count above 1000 and an unknown audience", async () => {
    const { fake, api } = setUp();
    const listId = fake.seedAudience().id;
    expect((await api(`/lists/${listId}/members?count=1001`)).status).toBe(400);
    const missing = await api("/lists/nope/members");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ title: "Resource Not Found" });
  });

  it("hides archived members unless status=archived is asked for", async () => {
    const { fake, api } = setUp();
    const listId = fake.seedAudience({ members: 3 }).id;
    fake.archive(listId, "contact2@example.com");
    const listed = (await (await api(`/lists/${listId}/members`)).json()) as {
      total_items: number;
    };
    expect(listed.total_items).toBe(2);
    const archived = (await (await api(`/lists/${listId}/members?status=archived`)).json()) as {
      members: Array<{ email_address: string }>;
    };
    expect(archived.members.map((m) => m.email_address)).toEqual(["contact2@example.com"]);
  });

  it("refuses requests without a key", async () => {
    const fake = createMailchimpFake();
    server.use(...fake.handlers);
    const response = await fetch("https://us6.api.mailchimp.com/3.0/ping");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ title: "API Key Missing" });
  });

  it("seeds a sandbox a person can click around in", () => {
    const fake = createMailchimpFake();
    const { audience, campaigns } = fake.seedSandbox();
    expect(fake.members(audience.id)).toHaveLength(8);
    expect(campaigns.map((c) => c.status)).toEqual(["sent", "save"]);
    expect(campaigns[0]?.report_summary).toMatchObject({
      unique_opens: 2,
      opens: 3,
      subscriber_clicks: 1,
    });
  });
});
