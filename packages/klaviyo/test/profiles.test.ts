import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { klaviyoErrorSource } from "../src/index.js";
import { KLAVIYO_SANDBOX_API_KEY } from "../src/testing/index.js";
import { calls, connectWithKey, stored, sync, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function direct(path: string, headers: Record<string, string> = {}) {
  return fetch(`https://a.klaviyo.com${path}`, {
    headers: {
      authorization: `Klaviyo-API-Key ${KLAVIYO_SANDBOX_API_KEY}`,
      revision: "2026-07-15",
      ...headers,
    },
  });
}

describe("profiles sync", () => {
  it("pages through 250 profiles 100 at a time by following links.next", async () => {
    const w = world(server);
    for (let i = 0; i < 250; i++) w.fake.addProfile({ email: `p${i}@shoppers.example` });
    const c = await connectWithKey(w);
    const run = await sync(w, c.id, "profiles");
    expect(run).toMatchObject({ status: "succeeded", inserted: 250 });
    const pages = calls(w, "/api/profiles").filter((r) => r.query["page[size]"] === "100");
    expect(pages).toHaveLength(3);
    expect(pages[0]!.query["page[cursor]"]).toBeUndefined();
    expect(pages[1]!.query["page[cursor]"]).toBeTruthy();
    expect(pages.every((p) => p.revision === "2026-07-15")).toBe(true);
  });

  it("an incremental run asks only for profiles updated since the last run, sorted by updated", async () => {
    const w = world(server);
    const ids = Array.from({ length: 30 }, (_, i) =>
      w.fake.addProfile({ email: `s${i}@shoppers.example` }),
    );
    const c = await connectWithKey(w);
    await sync(w, c.id, "profiles");
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s overlap
    w.fake.editProfile(ids[7]!, { first_name: "Maya", properties: { vip: true } });
    const run = await sync(w, c.id, "profiles", "incremental");
    expect(run).toMatchObject({ status: "succeeded", updated: 1, inserted: 0 });
    const last = calls(w, "/api/profiles").at(-1)!;
    expect(last.query.sort).toBe("updated");
    expect(last.query.filter).toMatch(/^greater-than\(updated,\d{4}-\d{2}-\d{2}T[\d:.]+Z\)$/);
    expect((await stored(w, c.id, "profiles")).get(ids[7]!)?.data).toMatchObject({
      first_name: "Maya",
      properties: { vip: true },
    });
  });

  it("the lists model reads 10 lists per page, Klaviyo's maximum", async () => {
    const w = world(server);
    for (let i = 0; i < 23; i++) w.fake.addList(`Campaign list ${i}`);
    const c = await connectWithKey(w);
    const run = await sync(w, c.id, "lists");
    expect(run).toMatchObject({ status: "succeeded", inserted: 23 });
    expect(calls(w, "/api/lists").map((r) => r.query["page[size]"])).toEqual(["10", "10", "10"]);
  });
});

describe("profile write-back (profile import)", () => {
  it("a host record whose email already exists updates that profile instead of duplicating it", async () => {
    const w = world(server);
    const existing = w.fake.addProfile({ email: "ada@shoppers.example", first_name: "Ada" });
    const c = await connectWithKey(w);
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: c.id,
      model: "profiles",
      changes: [
        {
          op: "create",
          internalId: "u-1",
          data: { email: "ADA@shoppers.example", lastName: "Lovelace" },
        },
      ],
    });
    expect(result.results[0]).toMatchObject({ status: "applied", externalId: existing });
    expect(w.fake.profiles().size).toBe(1);
    expect(w.fake.profiles().get(existing)).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
    });
  });

  it("an invalid phone number fails the change with a message naming the JSON pointer", async () => {
    const w = world(server);
    const c = await connectWithKey(w);
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: c.id,
      model: "profiles",
      changes: [
        {
          op: "create",
          internalId: "u-2",
          data: { email: "bo@shoppers.example", phone: "555-0100" },
        },
      ],
    });
    expect(result.results[0]).toMatchObject({ status: "failed" });
    expect(JSON.stringify(result.results[0])).toContain("/data/attributes/phone_number");
    expect(w.fake.profiles().size).toBe(0);
  });

  it("identifiers of two different profiles answer 409 duplicate_profile, kept as the error's provider code", async () => {
    const w = world(server);
    w.fake.addProfile({ email: "cy@shoppers.example" });
    w.fake.addProfile({ external_id: "shopify-1" });
    const c = await connectWithKey(w);
    const error = await w.patchbay.actions
      .run({
        tenantId: TENANT,
        connectionId: c.id,
        action: "upsertProfile",
        input: { email: "cy@shoppers.example", external_id: "shopify-1" },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      status: 409,
      providerCode: "duplicate_profile",
    });
    expect(klaviyoErrorSource(error)).toEqual({ pointer: "/data/attributes" });
  });

  it("deleting is refused: Klaviyo's API has no single-profile delete", async () => {
    const w = world(server);
    const id = w.fake.addProfile({ email: "dee@shoppers.example" });
    const c = await connectWithKey(w);
    await sync(w, c.id, "profiles");
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: c.id,
      model: "profiles",
      externalId: id,
      internalId: "h-1",
    });
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: c.id,
      model: "profiles",
      changes: [{ op: "delete", internalId: "h-1" }],
    });
    expect(JSON.stringify(result.results[0])).toMatch(/does not delete single profiles/);
    expect(result.results[0]).toMatchObject({ status: "failed" });
    expect(w.fake.profiles().has(id)).toBe(true);
  });
});

describe("the fake follows Klaviyo's request rules", () => {
  it("a request without the revision header gets Klaviyo's 400 naming the parameter", async () => {
    world(server);
    const response = await fetch("https://a.klaviyo.com/api/profiles", {
      headers: { authorization: `Klaviyo-API-Key ${KLAVIYO_SANDBOX_API_KEY}` },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ code: string; source: unknown }> };
    expect(body.errors[0]).toMatchObject({ code: "invalid", source: { parameter: "revision" } });
  });

  it("an unsupported filter or a page size above 100 is refused with 400", async () => {
    world(server);
    const filter = await direct(
      `/api/profiles?filter=${encodeURIComponent("contains(first_name,'Ma')")}`,
    );
    expect(filter.status).toBe(400);
    expect(
      ((await filter.json()) as { errors: Array<{ source: unknown }> }).errors[0]!.source,
    ).toEqual({ parameter: "filter" });
    expect((await direct("/api/profiles?page%5Bsize%5D=101")).status).toBe(400);
    expect(
      (await direct(`/api/profiles?filter=${encodeURIComponent("greater-than(email,'a')")}`))
        .status,
    ).toBe(400);
  });
});
