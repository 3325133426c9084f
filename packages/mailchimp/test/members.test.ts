import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { subscriberHash } from "../src/index.js";
import { connectWithKey, stored, sync, TENANT, type World, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MINUTE = 60_000;

async function setUp(options: { pageSize?: number } = {}) {
  const w = world({ fake: { now: () => T0 }, connector: { auth: "api_key", ...options } });
  server.use(...w.fake.handlers);
  const audience = w.fake.seedAudience({ name: "College radio" });
  const connection = await connectWithKey(w, { listId: audience.id });
  return { w, listId: audience.id, connection };
}

function memberRequests(w: World) {
  return w.fake.requests
    .filter((r) => r.method === "GET" && /\/members$/.test(r.url.pathname))
    .map((r) => r.url);
}

describe("members: sync", () => {
  it("pages with count and offset until total_items", async () => {
    const { w, listId, connection } = await setUp({ pageSize: 7 });
    for (let i = 1; i <= 25; i++) w.fake.addMember(listId, { email: `dj${i}@station.example` });
    const run = await sync(w, connection.id, "members");
    expect(run).toMatchObject({ status: "succeeded", inserted: 25 });
    const pages = memberRequests(w).map((u) => [
      u.searchParams.get("count"),
      u.searchParams.get("offset"),
    ]);
    expect(pages).toEqual([
      ["7", "0"],
      ["7", "7"],
      ["7", "14"],
      ["7", "21"],
    ]);
    expect(
      (await stored(w, connection.id, "members")).has(subscriberHash("dj25@station.example")),
    ).toBe(true);
  });

  it("reads only members changed since the last run (since_last_changed, oldest first)", async () => {
    const { w, listId, connection } = await setUp();
    for (let i = 1; i <= 3; i++) w.fake.addMember(listId, { email: `early${i}@station.example` });
    w.fake.clock.advance(60 * MINUTE);
    for (let i = 1; i <= 2; i++) w.fake.addMember(listId, { email: `late${i}@station.example` });
    const lastChanged = w.fake.members(listId).at(-1)?.last_changed as string;
    await sync(w, connection.id, "members");

    w.fake.clock.advance(60 * MINUTE);
    w.fake.updateProfile(listId, "early2@station.example", { FNAME: "Renamed" });
    const run = await sync(w, connection.id, "members", "incremental");

    const [, incremental] = memberRequests(w);
    expect(incremental?.searchParams.get("sort_field")).toBe("last_changed");
    expect(incremental?.searchParams.get("sort_dir")).toBe("ASC");
    // The newest change seen, minus one second: Mailchimp's filter means "after".
    expect(incremental?.searchParams.get("since_last_changed")).toBe(
      new Date(Date.parse(lastChanged) - 1000).toISOString().replace(".000Z", "+00:00"),
    );
    // The two members of the cursor's own second come back unchanged; the edited one is updated.
    expect(run).toMatchObject({ mode: "incremental", fetched: 3, updated: 1, inserted: 0 });
    const record = (await stored(w, connection.id, "members")).get(
      subscriberHash("early2@station.example"),
    );
    expect(record?.data).toMatchObject({ merge_fields: { FNAME: "Renamed" } });
  });

  it("deletes, on an incremental run, members archived since (they vanish from ordinary listings)", async () => {
    const { w, listId, connection } = await setUp();
    for (let i = 1; i <= 4; i++) w.fake.addMember(listId, { email: `dj${i}@station.example` });
    await sync(w, connection.id, "members");
    w.fake.clock.advance(MINUTE);
    w.fake.archive(listId, "dj3@station.example");
    const run = await sync(w, connection.id, "members", "incremental");
    expect(run).toMatchObject({ mode: "incremental", deleted: 1 });
    expect(
      (await stored(w, connection.id, "members")).has(subscriberHash("dj3@station.example")),
    ).toBe(false);
    const archivedQuery = memberRequests(w).find(
      (u) => u.searchParams.get("status") === "archived",
    );
    expect(archivedQuery?.searchParams.get("since_last_changed")).not.toBeNull();
  });

  it("says how to choose an audience when none is configured", async () => {
    const w = world();
    server.use(...w.fake.handlers);
    w.fake.seedAudience({ members: 1 });
    const connection = await connectWithKey(w);
    const run = await sync(w, connection.id, "members");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/choose an audience first/);
  });
});

describe("members: write-back", () => {
  it("creates by subscriber hash with status_if_new and the host's tags", async () => {
    const { w, listId, connection } = await setUp();
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [
        {
          op: "create",
          internalId: "contact-1",
          data: {
            email: "DJ@KEXP.org",
            mergeFields: { FNAME: "John" },
            tags: ["radio", "seattle"],
          },
        },
      ],
    });
    const hash = subscriberHash("dj@kexp.org");
    expect(results[0]).toMatchObject({ status: "applied", externalId: hash });
    const put = w.fake.requests.find((r) => r.method === "PUT");
    expect(put?.url.pathname).toBe(`/3.0/lists/${listId}/members/${hash}`);
    const member = w.fake.members(listId).find((m) => m.id === hash);
    expect(member).toMatchObject({ status: "subscribed", merge_fields: { FNAME: "John" } });
    expect(member?.tags?.map((t) => t.name).sort()).toEqual(["radio", "seattle"]);
    // Echo suppression: what was written is what the next sync reads.
    expect(await sync(w, connection.id, "members", "full")).toMatchObject({
      inserted: 0,
      updated: 0,
    });
  });

  it("does not resubscribe an existing contact who unsubscribed when the host 'creates' them", async () => {
    const { w, listId, connection } = await setUp();
    w.fake.addMember(listId, { email: "gone@station.example", status: "unsubscribed" });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [
        {
          op: "create",
          internalId: "c-2",
          data: { email: "gone@station.example", status: "subscribed" },
        },
      ],
    });
    expect(results[0]?.status).toBe("applied");
    expect(
      w.fake.members(listId).find((m) => m.email_address === "gone@station.example")?.status,
    ).toBe("unsubscribed");
  });

  it("updates merge fields and makes the tags exactly the host's", async () => {
    const { w, listId, connection } = await setUp();
    w.fake.addMember(listId, {
      email: "pd@station.example",
      firstName: "Pat",
      tags: ["old", "keep"],
    });
    await sync(w, connection.id, "members");
    const hash = subscriberHash("pd@station.example");
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      externalId: hash,
      internalId: "pd",
    });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [
        {
          op: "update",
          internalId: "pd",
          data: { mergeFields: { FNAME: "Patricia" }, tags: ["keep", "new"] },
        },
      ],
    });
    expect(results[0]).toMatchObject({ status: "applied", externalId: hash });
    const member = w.fake.members(listId).find((m) => m.id === hash);
    expect(member?.merge_fields).toMatchObject({ FNAME: "Patricia" });
    expect(member?.tags?.map((t) => t.name).sort()).toEqual(["keep", "new"]);
    const tagCall = w.fake.requests.find(
      (r) => r.method === "POST" && r.url.pathname.endsWith("/tags"),
    );
    expect(tagCall?.url.pathname).toBe(`/3.0/lists/${listId}/members/${hash}/tags`);
  });

  it("archives on delete: the contact leaves the audience but keeps its history", async () => {
    const { w, listId, connection } = await setUp();
    w.fake.addMember(listId, { email: "bye@station.example" });
    await sync(w, connection.id, "members");
    const hash = subscriberHash("bye@station.example");
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      externalId: hash,
      internalId: "bye",
    });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [{ op: "delete", internalId: "bye" }],
    });
    expect(results[0]).toMatchObject({ status: "applied" });
    expect(
      w.fake.requests.some(
        (r) => r.method === "DELETE" && r.url.pathname.endsWith(`/members/${hash}`),
      ),
    ).toBe(true);
    expect(w.fake.members(listId)).toEqual([]);
    expect(w.fake.members(listId, { includeArchived: true })[0]?.status).toBe("archived");
  });

  it("skips a host update to a contact changed in Mailchimp since the last sync (read → conflict)", async () => {
    const { w, listId, connection } = await setUp();
    w.fake.addMember(listId, { email: "both@station.example", firstName: "A" });
    await sync(w, connection.id, "members");
    const hash = subscriberHash("both@station.example");
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      externalId: hash,
      internalId: "both",
    });
    w.fake.clock.advance(MINUTE);
    w.fake.updateProfile(listId, hash, { FNAME: "Changed in Mailchimp" });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [
        { op: "update", internalId: "both", data: { mergeFields: { FNAME: "Changed by host" } } },
      ],
    });
    expect(results[0]).toMatchObject({
      status: "skipped_conflict",
      conflict: { winner: "provider" },
    });
    expect(w.fake.members(listId)[0]?.merge_fields).toMatchObject({
      FNAME: "Changed in Mailchimp",
    });
  });

  it("reports Mailchimp's field errors per change and applies the others", async () => {
    const { w, connection } = await setUp();
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: connection.id,
      model: "members",
      changes: [
        { op: "create", internalId: "bad", data: { email: "not-an-address" } },
        { op: "create", internalId: "good", data: { email: "ok@station.example" } },
      ],
    });
    expect(results[0]).toMatchObject({ status: "failed" });
    expect(results[0]?.error).toMatch(/Invalid Resource: Please provide a valid email address/);
    expect(results[1]).toMatchObject({ status: "applied" });
  });
});
