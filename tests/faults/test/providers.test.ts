import { airtable, flattenRecord } from "@patchbay/airtable";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_CLIENT,
  createAirtableFake,
} from "@patchbay/airtable/testing";
import { MemoryStore } from "@patchbay/core";
import { addressOf, gmail, type TrackedThread } from "@patchbay/gmail";
import {
  createGmailFake,
  type FakeMessage,
  GMAIL_SANDBOX_PUBSUB,
  GMAIL_SANDBOX_REDIRECT_URI,
} from "@patchbay/gmail/testing";
import { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-sheets/testing";
import { mailchimp } from "@patchbay/mailchimp";
import { createMailchimpFake } from "@patchbay/mailchimp/testing";
import { quickbooks } from "@patchbay/quickbooks";
import { createQuickBooksFake, QUICKBOOKS_SANDBOX_APP } from "@patchbay/quickbooks/testing";
import { createFaultInjector, fault } from "@patchbay/testing";
import { describe, expect, it } from "vitest";
import {
  connectOAuth,
  expectExact,
  mswServer,
  patchbayFor,
  quick,
  run,
  stored,
  TENANT,
} from "./support.js";

const server = mswServer();

describe("airtable records under faults", () => {
  const LIST = `https://api.airtable.com/v0/${AIRTABLE_SANDBOX.baseId}/${AIRTABLE_SANDBOX.tableId}`;

  async function world() {
    const fake = createAirtableFake();
    fake.seedTable(250); // three pages of 100
    const injector = createFaultInjector({ handlers: fake.handlers });
    server.use(...injector.handlers);
    const store = new MemoryStore();
    const patchbay = patchbayFor(
      quick(airtable({ ...AIRTABLE_SANDBOX_CLIENT, rateLimitWaitMs: 5 })),
      store,
      { sync: { batchSize: 100 } },
    );
    const connection = await connectOAuth(
      patchbay,
      "airtable",
      fake.oauth!,
      "https://app.example.com/integrations/callback",
    );
    await patchbay.connections.configure(TENANT, connection.id, {
      baseId: AIRTABLE_SANDBOX.baseId,
      tableId: AIRTABLE_SANDBOX.tableId,
    });
    const exact = async () => {
      const expected = new Map(fake.records().map((r) => [r.id, flattenRecord(r)]));
      expect(expected.size).toBe(250);
      await expectExact(patchbay, store, connection.id, "records", expected);
    };
    return { fake, injector, store, patchbay, connection, exact };
  }

  it("a page repeated: its records are stored once and the run ends exact", async () => {
    const w = await world();
    w.injector.add({ url: LIST, method: "GET", nth: 3, fault: fault.repeatPage() });
    const r = await run(w.patchbay, w.connection.id, "records");
    expect(r).toMatchObject({ status: "succeeded", fetched: 350, inserted: 250 });
    expect(w.injector.count("repeatPage")).toBe(1);
    await w.exact();
  });

  it("an empty page in the middle of the listing: the listing goes on and ends exact", async () => {
    const w = await world();
    w.injector.add({
      url: LIST,
      method: "GET",
      nth: 2,
      fault: fault.emptyPage({
        items: "records",
        rewind: { request: "offset", response: "offset" },
      }),
    });
    const r = await run(w.patchbay, w.connection.id, "records");
    expect(r).toMatchObject({ status: "succeeded", inserted: 250 });
    expect(w.injector.count("emptyPage")).toBe(1);
    await w.exact();
  });

  it("the list offset expires mid-run (LIST_RECORDS_ITERATOR_NOT_AVAILABLE): the listing restarts and ends exact", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "records");
    for (const r of w.fake.records().slice(0, 5)) w.fake.editRecord(r.id, { Notes: "edited" });
    w.injector.add({
      url: LIST,
      method: "GET",
      nth: 3,
      fault: fault.before(() => w.fake.expireListIterators()),
    });
    const r = await run(w.patchbay, w.connection.id, "records", "full");
    expect(r).toMatchObject({ status: "succeeded", updated: 5, deleted: 0, inserted: 0 });
    await w.exact();
  });

  it("502 then a reset on list pages: retried within the run, ends exact", async () => {
    const w = await world();
    w.injector.add(
      { url: LIST, method: "GET", nth: 2, fault: fault.status(502) },
      { url: LIST, method: "GET", nth: 4, fault: fault.reset() },
    );
    const r = await run(w.patchbay, w.connection.id, "records");
    expect(r).toMatchObject({ status: "succeeded", inserted: 250 });
    expect(w.injector.injected.map((f) => f.kind)).toEqual(["status", "reset"]);
    await w.exact();
  });
});

describe("mailchimp members under faults", () => {
  async function world() {
    const mc = createMailchimpFake();
    const listId = mc.seedAudience({ name: "Radio contacts" }).id;
    for (let i = 1; i <= 35; i++)
      mc.addMember(listId, { email: `dj${i}@station.example`, firstName: `DJ ${i}` });
    const injector = createFaultInjector({ handlers: mc.handlers });
    server.use(...injector.handlers);
    const store = new MemoryStore();
    const patchbay = patchbayFor(quick(mailchimp({ auth: "api_key", pageSize: 10 })), store, {
      sync: { batchSize: 10 },
    });
    const connection = await patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "mailchimp",
      credentials: { apiKey: mc.apiKey },
    });
    await patchbay.connections.configure(TENANT, connection.id, { listId });
    const members = (u: URL) => u.pathname.endsWith(`/lists/${listId}/members`);
    const compare = (record: unknown) => {
      const { stats: _stats, _links, ...rest } = record as Record<string, unknown>;
      return rest;
    };
    const exact = () =>
      expectExact(
        patchbay,
        store,
        connection.id,
        "members",
        new Map(mc.members(listId).map((m) => [m.id, m])),
        compare,
      );
    return { mc, listId, injector, store, patchbay, connection, members, exact };
  }

  it("503s and resets at random (seeded): retried, the run ends exact", async () => {
    const w = await world();
    w.injector.add(
      { url: w.members, probability: 0.4, times: 2, fault: fault.status(503) },
      { url: w.members, probability: 0.3, times: 1, fault: fault.reset() },
    );
    const r = await run(w.patchbay, w.connection.id, "members");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    await w.exact();
  });

  // Regression (found here): `paginateOffset` ended the listing at the first empty
  // page even when `total_items` said members remained, so a full run "succeeded"
  // and delete detection marked every member after that page deleted.
  it("an empty page mid-listing fails the full run retryably and deletes nothing", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "members");
    w.injector.add({ url: w.members, nth: 2, fault: fault.emptyPage({ items: "members" }) });
    const r = await run(w.patchbay, w.connection.id, "members", "full");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/empty page after 10 of 35 items; the listing is incomplete/);
    expect((await stored(w.store, w.connection.id, "members")).size).toBe(35);
    w.injector.clear();
    await run(w.patchbay, w.connection.id, "members", "full");
    await w.exact();
  });

  it("a truncated members page is retried in the run, which ends exact", async () => {
    const w = await world();
    w.injector.add({ url: w.members, nth: 3, fault: fault.truncateJson() });
    const r = await run(w.patchbay, w.connection.id, "members");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    expect(w.injector.count()).toBe(1);
    await w.exact();
  });
});

describe("gmail replies: history id out of range (404)", () => {
  const contactOf = (pitch: FakeMessage) =>
    addressOf(pitch.parsed.headers.find((h) => h.name === "To")!.value);
  const tracked = (pitch: FakeMessage): TrackedThread => ({
    threadId: pitch.threadId,
    contactEmail: contactOf(pitch),
    campaignId: "cmp_faults",
    subject: pitch.parsed.headers.find((h) => h.name === "Subject")!.value,
    anchorMessageId: pitch.id,
    sentAt: new Date(pitch.internalDate).toISOString(),
    trackedAt: new Date(pitch.internalDate).toISOString(),
  });

  async function world() {
    const fake = createGmailFake();
    const pitches = fake.seedPitches(12);
    for (const pitch of pitches.slice(0, 8))
      fake.receiveReply({ threadId: pitch.threadId, from: contactOf(pitch) });
    const injector = createFaultInjector({ handlers: fake.handlers });
    server.use(...injector.handlers);
    const store = new MemoryStore();
    const patchbay = patchbayFor(
      quick(gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: GMAIL_SANDBOX_PUBSUB })),
      store,
    );
    const connection = await connectOAuth(
      patchbay,
      "gmail",
      fake.oauth,
      GMAIL_SANDBOX_REDIRECT_URI,
    );
    await patchbay.connections.configure(TENANT, connection.id, {
      trackedThreads: pitches.map(tracked),
    });
    const expected = () =>
      new Map(
        pitches.flatMap((pitch) =>
          fake
            .thread(pitch.threadId)
            .filter((m) => !m.labelIds.includes("SENT"))
            .map((m) => [m.id, { id: m.id, threadId: m.threadId }]),
        ),
      );
    const project = (r: unknown) => {
      const { id, threadId } = r as Record<string, unknown>;
      return { id, threadId };
    };
    return { fake, pitches, injector, store, patchbay, connection, expected, project };
  }

  it("new replies while history expired: the bounded resync picks them up and the cursor moves on", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "replies");
    for (const pitch of w.pitches.slice(8))
      w.fake.receiveReply({ threadId: pitch.threadId, from: contactOf(pitch) });
    w.fake.expireHistory();
    const r = await run(w.patchbay, w.connection.id, "replies");
    expect(r).toMatchObject({ status: "succeeded", mode: "incremental", inserted: 4 });
    expect(w.injector.count()).toBe(0);
    // The next incremental run reads history again from the new cursor: no 404, nothing new.
    const again = await run(w.patchbay, w.connection.id, "replies");
    expect(again).toMatchObject({ status: "succeeded", inserted: 0, updated: 0, deleted: 0 });
    await expectExact(w.patchbay, w.store, w.connection.id, "replies", w.expected(), w.project);
  });

  it("the same through an injected 404 on history.list (Google's notFound body)", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "replies");
    w.fake.receiveReply({ threadId: w.pitches[9]!.threadId, from: contactOf(w.pitches[9]!) });
    w.injector.add({
      url: "https://gmail.googleapis.com/gmail/v1/users/me/history",
      fault: fault.status(404, {
        body: {
          error: {
            code: 404,
            message: "Requested entity was not found.",
            errors: [{ reason: "notFound", message: "Requested entity was not found." }],
            status: "NOT_FOUND",
          },
        },
      }),
    });
    const r = await run(w.patchbay, w.connection.id, "replies");
    expect(r).toMatchObject({ status: "succeeded", inserted: 1 });
    expect(w.injector.count("status")).toBe(1);
    await expectExact(w.patchbay, w.store, w.connection.id, "replies", w.expected(), w.project);
  });

  // Regression: a reply deleted while the history id was out of range stayed
  // stored until the next full run; the connector now throws
  // CursorExpiredError and the engine lists everything in the same run.
  it("a reply deleted while history expired is gone after the resync", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "replies");
    const gone = [...w.expected().keys()][0]!;
    w.fake.deleteMessage(gone);
    w.fake.expireHistory();
    const r = await run(w.patchbay, w.connection.id, "replies");
    expect(r).toMatchObject({ status: "succeeded", deleted: 1 });
    await expectExact(w.patchbay, w.store, w.connection.id, "replies", w.expected(), w.project);
  });
});

describe("quickbooks customers under faults", () => {
  async function world() {
    const qbo = createQuickBooksFake();
    qbo.seedCustomers(30);
    const injector = createFaultInjector({ handlers: qbo.handlers });
    server.use(...injector.handlers);
    const store = new MemoryStore();
    const patchbay = patchbayFor(
      quick(quickbooks({ ...QUICKBOOKS_SANDBOX_APP, environment: "sandbox", rateLimitWaitMs: 5 })),
      store,
    );
    const connection = await connectOAuth(
      patchbay,
      "quickbooks",
      qbo.oauth,
      "https://app.example.com/integrations/callback",
    );
    const exact = () =>
      expectExact(
        patchbay,
        store,
        connection.id,
        "customers",
        new Map(qbo.records("Customer").map((r) => [String(r.Id), r])),
      );
    return { qbo, injector, store, patchbay, connection, exact };
  }

  it("a Fault in an HTTP 200 answer fails the run and names the fault; the next run ends exact", async () => {
    const w = await world();
    w.qbo.faultNext();
    const failed = await run(w.patchbay, w.connection.id, "customers");
    expect(failed).toMatchObject({ status: "failed", inserted: 0 });
    expect(failed.error).toMatch(
      /→ 200 with a Fault \(ValidationFault\): A business validation error has occurred while processing your request: Business Validation Error: Unexpected Internal Error\. \(-30035\)/,
    );
    const next = await run(w.patchbay, w.connection.id, "customers");
    expect(next).toMatchObject({ status: "succeeded", inserted: 30 });
    await w.exact();
  });

  it("a stale SyncToken on write-back (customer edited in QuickBooks meanwhile) is refetched and applied", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "customers");
    const [customer] = w.qbo.records("Customer");
    const id = String(customer!.Id);
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "customers",
      externalId: id,
      internalId: "host-1",
    });
    // The bookkeeper edits the customer just as the host's update goes out.
    w.injector.add({
      url: (u) => u.pathname.endsWith("/customer"),
      method: "POST",
      nth: 1,
      fault: fault.before(() => void w.qbo.editCustomer(id, { Notes: "edited in QuickBooks" })),
    });
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "customers",
      changes: [{ op: "update", internalId: "host-1", data: { CompanyName: "Host Co" } }],
      conflictPolicy: "host_wins",
    });
    expect(results[0]).toMatchObject({ status: "applied", externalId: id });
    const now = w.qbo.records("Customer").find((r) => String(r.Id) === id)!;
    expect(now).toMatchObject({ CompanyName: "Host Co", Notes: "edited in QuickBooks" });
    await run(w.patchbay, w.connection.id, "customers", "full");
    await w.exact();
  });
});
