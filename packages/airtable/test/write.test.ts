import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AIRTABLE_SANDBOX } from "../src/testing/index.js";
import { calls, SANDBOX_CONFIG, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const RECORDS = new RegExp(`^\\w+ ${AIRTABLE_SANDBOX.baseId}/${AIRTABLE_SANDBOX.tableId}$`);

describe("write-back", () => {
  it("sends 25 host creates as 3 requests of at most 10 records", async () => {
    const w = await world(server);
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: Array.from({ length: 25 }, (_, i) => ({
        op: "create" as const,
        internalId: `host-${i}`,
        data: { Name: `Host pitch ${i}`, Status: "Pitched" },
      })),
    });
    expect(results.every((r) => r.status === "applied")).toBe(true);
    const creates = w.fake.requests.filter(
      (r) => r.method === "POST" && RECORDS.test(`POST ${r.path}`),
    );
    expect(creates.map((r) => r.records)).toEqual([10, 10, 5]);
    expect(w.fake.records()).toHaveLength(25);
    // Each host record is linked to the Airtable record it created.
    const ids = new Set(w.fake.records().map((r) => r.id));
    expect(results.every((r) => ids.has(r.externalId!))).toBe(true);
  });

  it("imports host records with performUpsert on mergeOn, without duplicating the ones Airtable has", async () => {
    const w = await world(server, { config: { ...SANDBOX_CONFIG, mergeOn: ["Email"] } });
    const kexp = w.fake.createRecord({
      Name: "KEXP",
      Email: "music@kexp.example",
      Status: "Pitched",
    });
    const wfmu = w.fake.createRecord({
      Name: "WFMU",
      Email: "music@wfmu.example",
      Status: "Pitched",
    });
    expect((await w.sync()).inserted).toBe(2);

    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: [
        {
          op: "create",
          internalId: "contact-kexp",
          data: { Email: "music@kexp.example", Status: "Interested" },
        },
        {
          op: "create",
          internalId: "contact-wfmu",
          data: { Email: "music@wfmu.example", Status: "Played" },
        },
        {
          op: "create",
          internalId: "contact-nts",
          data: { Name: "NTS", Email: "music@nts.example" },
        },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(results[0]!.externalId).toBe(kexp);
    expect(results[1]!.externalId).toBe(wfmu);
    // One upsert request; the two existing records were updated in place, one was added.
    const writes = w.fake.requests.filter(
      (r) => RECORDS.test(`${r.method} ${r.path}`) && r.method !== "GET",
    );
    expect(writes.map((r) => [r.method, r.records, r.upsert])).toEqual([["PATCH", 3, true]]);
    const emails = w.fake.records().map((r) => r.fields.Email);
    expect(emails.sort()).toEqual([
      "music@kexp.example",
      "music@nts.example",
      "music@wfmu.example",
    ]);
    expect(w.fake.records().find((r) => r.id === kexp)?.fields).toMatchObject({
      Name: "KEXP",
      Status: "Interested",
    });
    // The imported records are linked to the host's ids, and nothing echoes back.
    const linked = await w.patchbay.records.get({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      internalId: "contact-kexp",
    });
    expect(linked?.externalId).toBe(kexp);
    expect(await w.sync("full")).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it("updates only what Airtable lets a client write: no id, createdTime or computed fields", async () => {
    const w = await world(server);
    const [id] = w.fake.seedTable(1);
    await w.sync();
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      externalId: id!,
      internalId: "host-1",
    });
    const updated = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: [{ op: "update", internalId: "host-1", data: { Status: "Played", Plays: 40 } }],
    });
    expect(updated.results[0]).toMatchObject({ status: "applied", externalId: id });
    const record = w.fake.records().find((r) => r.id === id)!;
    expect(record.fields).toMatchObject({ Status: "Played", Plays: 40 });
    // The stored copy is Airtable's record after the write, so the next sync echoes nothing.
    expect(await w.sync("full")).toMatchObject({ inserted: 0, updated: 0 });
  });

  it("retries a failed batch record by record, so one bad record does not fail the others", async () => {
    const w = await world(server);
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: [
        { op: "create", internalId: "ok-1", data: { Name: "Fine" } },
        { op: "create", internalId: "bad", data: { Name: "Typo", Stauts: "Pitched" } },
        { op: "create", internalId: "ok-2", data: { Name: "Also fine" } },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(["applied", "failed", "applied"]);
    expect(results[1]!.error).toMatch(/Unknown field name: "Stauts"/);
    expect(w.fake.records().map((r) => r.fields.Name)).toEqual(["Fine", "Also fine"]);
  });

  it("deletes up to 10 records per DELETE ?records[]= request", async () => {
    const w = await world(server);
    const ids = w.fake.seedTable(12);
    await w.sync();
    for (const [i, id] of ids.entries()) {
      await w.patchbay.records.setInternalId({
        tenantId: TENANT,
        connectionId: w.connection.id,
        model: "records",
        externalId: id,
        internalId: `h${i}`,
      });
    }
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: ids.map((_, i) => ({ op: "delete" as const, internalId: `h${i}` })),
    });
    expect(results.every((r) => r.status === "applied")).toBe(true);
    const deletes = w.fake.requests.filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => r.records)).toEqual([10, 2]);
    expect(w.fake.records()).toEqual([]);
  });

  it("the fake refuses 11 records in one request with Airtable's 422", async () => {
    const w = await world(server);
    const http = await w.http();
    const error = await http
      .post(`${AIRTABLE_SANDBOX.baseId}/${AIRTABLE_SANDBOX.tableId}`, {
        json: { records: Array.from({ length: 11 }, (_, i) => ({ fields: { Name: `r${i}` } })) },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      providerCode: "INVALID_RECORDS",
      message: expect.stringContaining(
        "A maximum of 10 records can be created per request but you have provided 11.",
      ),
    });
    expect(calls(w.fake, /^POST/)).toHaveLength(1);
  });
});
