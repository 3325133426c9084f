import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AIRTABLE_API_BASE_URL,
  MODIFIED_OVERLAP_MS,
  modifiedAfterFormula,
  recordsPath,
} from "../src/index.js";
import {
  AIRTABLE_SANDBOX,
  AIRTABLE_SANDBOX_PAT,
  createAirtableFake,
} from "../src/testing/index.js";
import { calls, SANDBOX_CONFIG, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const RECORDS_URL = `${AIRTABLE_API_BASE_URL}/${recordsPath(AIRTABLE_SANDBOX.baseId, AIRTABLE_SANDBOX.tableId)}`;
const LISTING = /^GET appSandboxRadio01\/tblSandboxPitch01$/;

/** Watch list requests (query included) without answering them. */
function listQueries(): URLSearchParams[] {
  const seen: URLSearchParams[] = [];
  server.use(
    http.get(RECORDS_URL, ({ request }) => {
      seen.push(new URL(request.url).searchParams);
    }),
  );
  return seen;
}

describe("full sync", () => {
  it("pages through the table 100 records at a time", async () => {
    const w = await world(server);
    w.fake.seedTable(250);
    const queries = listQueries();
    const run = await w.sync("full");
    expect(run).toMatchObject({ status: "succeeded", inserted: 250 });
    expect(queries.map((q) => q.get("pageSize"))).toEqual(["100", "100", "100"]);
    expect(queries[0]!.get("offset")).toBeNull();
    expect(queries[1]!.get("offset")).toMatch(/^itr[A-Za-z0-9]{14}\/rec[A-Za-z0-9]{14}$/);
  });

  it("starts the listing over when Airtable expired the offset, and deletes nothing because of it", async () => {
    const w = await world(server);
    const ids = w.fake.seedTable(250);
    await w.sync("full");
    w.fake.deleteRecord(ids[0]!);
    let expired = false;
    server.use(
      http.get(RECORDS_URL, ({ request }) => {
        // The user walked away mid-listing: the iterator times out before page 3.
        if (
          !expired &&
          new URL(request.url).searchParams.has("offset") &&
          w.fake.requests.filter((r) => LISTING.test(`${r.method} ${r.path}`)).length >= 5
        ) {
          expired = true;
          w.fake.expireListIterators();
        }
      }),
    );
    const run = await w.sync("full");
    expect(expired).toBe(true);
    expect(w.fake.requests.some((r) => r.status === 422)).toBe(true);
    expect(run).toMatchObject({ status: "succeeded", inserted: 0, updated: 0, deleted: 1 });
    expect([...(await w.stored()).values()].filter((r) => r.deletedAt === null)).toHaveLength(249);
  });

  it("lists only the configured view", async () => {
    const w = await world(server, { config: { ...SANDBOX_CONFIG, view: "Grid view" } });
    w.fake.seedTable(2);
    const queries = listQueries();
    await w.sync("full");
    expect(queries[0]!.get("view")).toBe("Grid view");
  });
});

describe("incremental sync without a webhook", () => {
  it("asks for records modified since five minutes before the last listing started", async () => {
    const w = await world(server);
    const ids = w.fake.seedTable(5);
    const before = Date.now();
    await w.sync("full");
    w.fake.editRecord(ids[3]!, { Status: "Played" });
    const queries = listQueries();
    const run = await w.sync("incremental");
    expect(run).toMatchObject({ status: "succeeded", mode: "incremental", updated: 1 });
    const formula = queries[0]!.get("filterByFormula")!;
    const since = /IS_AFTER\(LAST_MODIFIED_TIME\(\), '([^']+)'\)/.exec(formula)?.[1];
    expect(formula).toBe(modifiedAfterFormula(since!));
    expect(Date.parse(since!)).toBeGreaterThanOrEqual(before - MODIFIED_OVERLAP_MS - 1000);
    expect(Date.parse(since!)).toBeLessThanOrEqual(Date.now() - MODIFIED_OVERLAP_MS);
  });

  it("leaves hard deletes to the periodic full run (fullEvery)", async () => {
    const w = await world(server, { connector: { fullEvery: 2 } });
    const ids = w.fake.seedTable(3);
    await w.sync();
    w.fake.deleteRecord(ids[0]!);
    expect(await w.sync()).toMatchObject({ mode: "incremental", deleted: 0 });
    expect(await w.sync()).toMatchObject({ mode: "incremental", deleted: 0 });
    expect(await w.sync()).toMatchObject({ mode: "full", deleted: 1 });
  });
});

describe("the fake validates list requests like Airtable", () => {
  const get = (query: string) =>
    fetch(`${RECORDS_URL}?${query}`, {
      headers: { authorization: `Bearer ${AIRTABLE_SANDBOX_PAT}` },
    });

  it("refuses formulas it does not implement with INVALID_FILTER_BY_FORMULA", async () => {
    server.use(...createAirtableFake({ oauth: false }).handlers);
    const response = await get(`filterByFormula=${encodeURIComponent("{Status} = 'Played'")}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { type: "INVALID_FILTER_BY_FORMULA" } });
  });

  it("refuses pageSize over 100, and offsets it did not hand out", async () => {
    server.use(...createAirtableFake({ oauth: false }).handlers);
    expect((await get("pageSize=101")).status).toBe(422);
    const bad = await get("offset=itrNotARealOffset");
    expect(await bad.json()).toMatchObject({ error: { type: "INVALID_OFFSET_VALUE" } });
  });

  it("answers 401 without a token and 403 without the scope", async () => {
    const fake = createAirtableFake({
      oauth: false,
      personalAccessTokens: { patNoScopes00000001: { scopes: ["schema.bases:read"] } },
    });
    server.use(...fake.handlers);
    expect((await fetch(RECORDS_URL)).status).toBe(401);
    const denied = await fetch(RECORDS_URL, {
      headers: { authorization: "Bearer patNoScopes00000001" },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      error: { type: "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND" },
    });
  });
});

describe("field mapping and conflicts", () => {
  it("validates a mapping against the table's fields from the meta API", async () => {
    const w = await world(server);
    await expect(
      w.patchbay.connections.setFieldMapping(TENANT, w.connection.id, "records", {
        station: "Nmae",
      }),
    ).rejects.toThrow(
      /unknown .*"Nmae".*available: Name, Email, Status, Plays, Notes, Created, id, createdTime/,
    );
    await w.patchbay.connections.setFieldMapping(
      TENANT,
      w.connection.id,
      "records",
      { station: "Name", state: "Status", airtableId: "id" },
      { hostSchema: z.object({ station: z.string(), state: z.string(), airtableId: z.string() }) },
    );
    const [id] = w.fake.seedTable(1);
    await w.sync();
    const { changes } = await w.patchbay.records.changes({
      tenantId: TENANT,
      connectionId: w.connection.id,
    });
    expect(changes[0]!.data).toEqual({ station: "KEXP #1", state: "Interested", airtableId: id });
  });

  it("reads the current records by id (one RECORD_ID() listing) and skips a host update that lost a conflict", async () => {
    const w = await world(server);
    const [id] = w.fake.seedTable(1);
    await w.sync();
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      externalId: id!,
      internalId: "h1",
    });
    w.fake.editRecord(id!, { Status: "Played" }); // changed in Airtable since the last sync
    const queries = listQueries();
    const { results } = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "records",
      changes: [{ op: "update", internalId: "h1", data: { Status: "Not interested" } }],
    });
    expect(results[0]).toMatchObject({ status: "skipped_conflict" });
    expect(queries[0]!.get("filterByFormula")).toBe(`OR(RECORD_ID()='${id}')`);
    expect(w.fake.records()[0]!.fields.Status).toBe("Played");
  });
});

describe("test, config and actions", () => {
  it("test passes on whoami, and names the missing table when the config points at one that is gone", async () => {
    const w = await world(server);
    expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
    await w.patchbay.connections.configure(TENANT, w.connection.id, {
      ...SANDBOX_CONFIG,
      tableId: "tblDoesNotExist01",
    });
    const result = await w.patchbay.connections.test(TENANT, w.connection.id);
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringContaining(
        "has no table tblDoesNotExist01 (tables: Pitches (tblSandboxPitch01))",
      ),
    });
  });

  it("a sync before a table is chosen fails with a message saying what to configure", async () => {
    const w = await world(server, { config: null });
    const run = await w.sync();
    expect(run.status).toBe("failed");
    expect(run.error).toContain(
      "Airtable: choose a base and a table first (connections.configure with { baseId, tableId })",
    );
  });

  it("refuses config that is not Airtable ids, naming the field", async () => {
    const w = await world(server, { config: null });
    await expect(
      w.patchbay.connections.configure(TENANT, w.connection.id, {
        baseId: "Radio campaigns",
        tableId: AIRTABLE_SANDBOX.tableId,
      }),
    ).rejects.toThrow(/baseId/);
  });

  it("listBases follows the offset through every page; listTables returns fields and views", async () => {
    const w = await world(server, { fake: { basesPageSize: 2 } });
    for (const name of ["A", "B", "C", "D"]) w.fake.addBase({ name });
    // Core has no facade for connector actions yet: run them with a connection context.
    const ctx = await w.lifecycleContext();
    const { bases } = (await w.connector.actions!.listBases!.run(ctx, {})) as {
      bases: Array<{ name: string }>;
    };
    expect(bases.map((b) => b.name)).toEqual(["Radio campaigns", "A", "B", "C", "D"]);
    expect(calls(w.fake, /^GET meta\/bases$/)).toHaveLength(3);
    const { tables } = (await w.connector.actions!.listTables!.run(ctx, {
      baseId: AIRTABLE_SANDBOX.baseId,
    })) as {
      tables: Array<{
        id: string;
        fields: Array<{ name: string; type: string }>;
        views: unknown[];
      }>;
    };
    expect(tables[0]).toMatchObject({
      id: AIRTABLE_SANDBOX.tableId,
      views: [{ name: "Grid view", type: "grid" }],
    });
    expect(tables[0]!.fields.map((f) => `${f.name}:${f.type}`)).toContain("Created:createdTime");
  });
});
