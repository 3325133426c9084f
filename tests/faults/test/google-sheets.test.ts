import { ErrorCode, MemoryStore, type Store } from "@patchbay/core";
import { googleSheets } from "@patchbay/google-sheets";
import {
  createGoogleSheetsFake,
  GOOGLE_SANDBOX_CLIENT,
  GOOGLE_SHEETS_SANDBOX_REDIRECT,
  type GoogleSheetsFake,
} from "@patchbay/google-sheets/testing";
import { createFaultInjector, type FaultInjector, fault } from "@patchbay/testing";
import { describe, expect, it } from "vitest";
import {
  connectOAuth,
  expectExact,
  mswServer,
  patchbayFor,
  quick,
  run,
  stored,
  subjectOf,
  TENANT,
} from "./support.js";

const server = mswServer();
const ID = "Patchbay ID";
const SHEETS = "https://sheets.googleapis.com/v4/spreadsheets/*";
const TOKEN = "https://oauth2.googleapis.com/token";
/** Middle blocks are read with `values/<range>` GETs (the first and last come with `values:batchGet`). */
const BLOCK = /\/values\/[^?:]+\?/;

/** 35 rows read 10 at a time: 4 blocks, committed in batches of 10. */
async function world(options: { rows?: number; timeoutMs?: number; store?: Store } = {}) {
  const sheets = createGoogleSheetsFake();
  const { spreadsheetId } = sheets.seedSpreadsheet({
    title: "Radio pitches",
    headers: ["Artist", "Station", "Status"],
    // A grid just large enough: blocks are planned over the grid, not the data.
    rowCount: (options.rows ?? 35) + 1,
  });
  for (let i = 1; i <= (options.rows ?? 35); i++)
    sheets.appendRow(spreadsheetId, {
      Artist: `Artist ${i}`,
      Station: `Station ${i % 4}`,
      Status: "Pitched",
    });
  const injector = createFaultInjector({ handlers: sheets.handlers });
  server.use(...injector.handlers);
  const connector = quick(
    googleSheets({ ...GOOGLE_SANDBOX_CLIENT, blockRows: 10 }),
    options.timeoutMs,
  );
  const store = options.store ?? new MemoryStore();
  const patchbay = patchbayFor(connector, store, { sync: { batchSize: 10 } });
  const connection = await connectOAuth(
    patchbay,
    "google-sheets",
    sheets.oauth,
    GOOGLE_SHEETS_SANDBOX_REDIRECT,
  );
  await patchbay.connections.configure(TENANT, connection.id, { spreadsheetId });
  return { sheets, spreadsheetId, injector, connector, store, patchbay, connection };
}

function snapshot(sheets: GoogleSheetsFake, spreadsheetId: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const { cells } of sheets.table(spreadsheetId)) {
    const { [ID]: id, ...fields } = cells;
    if (id) out.set(id, { ...fields, _id: id });
  }
  return out;
}

type World = Awaited<ReturnType<typeof world>>;

async function exact(w: World) {
  const expected = snapshot(w.sheets, w.spreadsheetId);
  expect(expected.size).toBe(35);
  await expectExact(w.patchbay, w.store, w.connection.id, "rows", expected);
}

function blockRule(injector: FaultInjector, f: ReturnType<typeof fault.status>, times = 1) {
  injector.add({ url: (u) => BLOCK.test(u.href), method: "GET", nth: 1, times, fault: f });
}

describe("google-sheets rows under faults", () => {
  it("429 with Retry-After on a block read: waits as asked, retries, ends exact", async () => {
    const w = await world();
    blockRule(w.injector, fault.status(429, { retryAfter: 1 }));
    const started = Date.now();
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35, failed: 0, error: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(w.injector.count("status")).toBe(1);
    await exact(w);
  });

  it("429 without Retry-After, twice: backs off, retries, ends exact", async () => {
    const w = await world();
    blockRule(w.injector, fault.status(429), 2);
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    expect(w.injector.count()).toBe(2);
    await exact(w);
  });

  it.each([500, 502, 503])("%i on a block read is retried and the run ends exact", async (code) => {
    const w = await world();
    blockRule(w.injector, fault.status(code));
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    expect(w.injector.injected).toMatchObject([{ kind: "status", method: "GET" }]);
    await exact(w);
  });

  it("a connection reset is retried and the run ends exact", async () => {
    const w = await world();
    blockRule(w.injector, fault.reset());
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    expect(w.injector.count("reset")).toBe(1);
    await exact(w);
  });

  it("a request past the client timeout is abandoned, retried, and the run ends exact", async () => {
    const w = await world({ timeoutMs: 150 });
    blockRule(w.injector, fault.timeout(1_000));
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35 });
    expect(w.injector.count("timeout")).toBe(1);
    await exact(w);
  });

  it.each([
    ["truncated", () => fault.truncateJson()],
    ["malformed", () => fault.malformedJson()],
  ] as const)("a %s JSON body once is retried in the run, which ends exact", async (_, make) => {
    const w = await world();
    blockRule(w.injector, make());
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r).toMatchObject({ status: "succeeded", inserted: 35, failed: 0, error: null });
    expect(w.injector.count()).toBe(1);
    await exact(w);
  });

  it.each([
    ["truncated", () => fault.truncateJson()],
    ["malformed", () => fault.malformedJson()],
  ] as const)(
    "a %s JSON body on every try fails the run with a specific error; the next run ends exact",
    async (_, make) => {
      const w = await world();
      blockRule(w.injector, make(), Number.POSITIVE_INFINITY);
      const failed = await run(w.patchbay, w.connection.id, "rows");
      expect(failed.status).toBe("failed");
      // The user sees which call and what was wrong with it.
      expect(failed.error).toMatch(
        /^GET https:\/\/sheets\.googleapis\.com\/v4\/spreadsheets\/.+ → 200: the response is not valid JSON/,
      );
      // 1 attempt + 4 retries of the default policy.
      expect(w.injector.count()).toBe(5);
      // The first block was committed before the bad one; nothing after it.
      expect(failed.inserted).toBe(10);
      const connection = await w.patchbay.connections.get(TENANT, w.connection.id);
      expect(connection.status).toBe("error");
      w.injector.clear();
      const next = await run(w.patchbay, w.connection.id, "rows");
      expect(next).toMatchObject({ status: "succeeded", inserted: 25 });
      expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("active");
      await exact(w);
    },
  );

  it("503 on every block read: the run fails after its retries, says so, and recovers", async () => {
    const w = await world();
    blockRule(w.injector, fault.status(503), Number.POSITIVE_INFINITY);
    const failed = await run(w.patchbay, w.connection.id, "rows");
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/→ 503 Service Unavailable/);
    // 1 attempt + 4 retries of the default policy.
    expect(w.injector.count()).toBe(5);
    const health = await w.patchbay.connections.health(TENANT, w.connection.id);
    expect(health).toMatchObject({ status: "error", consecutiveFailures: 1 });
    w.injector.clear();
    const next = await run(w.patchbay, w.connection.id, "rows");
    expect(next.status).toBe("succeeded");
    expect((await w.patchbay.connections.health(TENANT, w.connection.id)).status).toBe("active");
    await exact(w);
  });

  it("a 503 from the token endpoint during refresh is retried and the sync succeeds", async () => {
    const w = await world();
    w.sheets.oauth.expireAccessTokens();
    w.injector.add({ url: TOKEN, method: "POST", fault: fault.status(503) });
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r.status).toBe("succeeded");
    expect(w.injector.count()).toBe(1);
    await exact(w);
  });

  it("invalid_grant on refresh: needs_reauth, a message that says to reconnect, nothing changed", async () => {
    const w = await world();
    await run(w.patchbay, w.connection.id, "rows");
    const before = await stored(w.store, w.connection.id, "rows");
    w.sheets.oauth.expireAccessTokens();
    w.injector.add({
      url: TOKEN,
      method: "POST",
      fault: fault.status(400, {
        body: { error: "invalid_grant", error_description: "Token has been expired or revoked." },
      }),
    });
    const failed = await run(w.patchbay, w.connection.id, "rows");
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe(
      "google-sheets: token refresh rejected: invalid_grant (Token has been expired or revoked.); the user must reconnect",
    );
    const connection = await w.patchbay.connections.get(TENANT, w.connection.id);
    expect(connection).toMatchObject({ status: "needs_reauth" });
    expect(connection.statusReason).toContain("invalid_grant");
    // No refresh storm: one refresh call, not retried.
    expect(w.injector.count()).toBe(1);
    const again = await w.patchbay.sync.run({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "rows",
    });
    expect(again).toEqual({ status: "skipped", reason: "connection_inactive" });
    expect(await stored(w.store, w.connection.id, "rows")).toEqual(before);
  });

  it("the grant revoked mid-run: committed batches stay, nothing half-applied, needs_reauth", async () => {
    const w = await world();
    const subject = await subjectOf(w.patchbay, w.sheets.oauth, w.connection.id);
    // The user removes the app's access in their Google account while block 3 is being read.
    w.injector.add({
      url: (u) => BLOCK.test(u.href),
      method: "GET",
      nth: 2,
      fault: fault.before(() => void w.sheets.oauth.revokeGrant(subject)),
    });
    const failed = await run(w.patchbay, w.connection.id, "rows");
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/invalid_grant.*the user must reconnect/);
    expect(failed.inserted).toBe(20);
    expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("needs_reauth");
    await expect(
      w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id }),
    ).rejects.toMatchObject({ code: ErrorCode.AUTH_NEEDS_REAUTH });
    // What was committed matches the provider row for row; nothing was deleted.
    const expected = snapshot(w.sheets, w.spreadsheetId);
    const got = await stored(w.store, w.connection.id, "rows");
    expect(got.size).toBe(20);
    for (const [id, data] of got) expect(data).toEqual(expected.get(id));

    // Reconnecting makes a new connection; it syncs the sheet exactly, reusing the row ids.
    const fresh = await connectOAuth(
      w.patchbay,
      "google-sheets",
      w.sheets.oauth,
      GOOGLE_SHEETS_SANDBOX_REDIRECT,
    );
    await w.patchbay.connections.configure(TENANT, fresh.id, { spreadsheetId: w.spreadsheetId });
    const next = await run(w.patchbay, fresh.id, "rows");
    expect(next).toMatchObject({ status: "succeeded", inserted: 35 });
    await expectExact(w.patchbay, w.store, fresh.id, "rows", snapshot(w.sheets, w.spreadsheetId));
  });

  it("faults at random (seeded) on every Sheets call: the run ends exact", async () => {
    const w = await world();
    w.injector.add(
      { url: SHEETS, method: "GET", probability: 0.3, times: 3, fault: fault.status(503) },
      { url: SHEETS, method: "GET", probability: 0.2, times: 2, fault: fault.reset() },
    );
    const r = await run(w.patchbay, w.connection.id, "rows");
    expect(r.status).toBe("succeeded");
    expect(w.injector.count()).toBeGreaterThan(0);
    await exact(w);
  });
});
