import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { apiKey } from "../src/auth/specs.js";
import { defineConnector, defineModel } from "../src/connector/define.js";
import type { DestinationFile } from "../src/connector/types.js";
import { ErrorCode, ProviderError } from "../src/errors.js";
import {
  checkExportSchedule,
  defineExportSource,
  exportFileName,
  monthlySchedule,
  weeklySchedule,
} from "../src/exports/define.js";
import type { ExportInput } from "../src/exports/types.js";
import { createPatchbay } from "../src/patchbay.js";
import { MemoryStore } from "../src/store/memory.js";
import { createInProcessScheduler } from "../src/sync/in-process-scheduler.js";
import { Vault } from "../src/vault.js";

const TENANT = "label_1";
const FRIDAY = Date.parse("2026-11-20T12:00:00Z");
const MONDAY_8_LONDON = Date.parse("2026-11-23T08:00:00Z"); // GMT in November
const WEEK = 7 * 86_400_000;

/** A file store a destination connector writes to: what the user would see in their folder. */
function createShelf() {
  const files = new Map<
    string,
    { name: string; folderId: string | null; body: Uint8Array; version: number }
  >();
  const writes: DestinationFile[] = [];
  let fault: Error | null = null;
  let next = 1;
  const connector = defineConnector({
    id: "shelf",
    name: "Shelf",
    category: "storage",
    auth: apiKey({ header: "x-api-key" }),
    destination: {
      maxBytes: 200_000,
      async writeFile(_ctx, file) {
        writes.push(file);
        if (fault !== null) throw fault;
        const previous = file.previousFileId === null ? undefined : files.get(file.previousFileId);
        if (file.replace && previous !== undefined) {
          previous.body = file.body;
          previous.name = file.name;
          previous.version++;
          return {
            fileId: file.previousFileId!,
            url: `https://shelf.example/${file.previousFileId}`,
            replaced: true,
          };
        }
        const id = `f${next++}`;
        files.set(id, { name: file.name, folderId: file.folderId, body: file.body, version: 1 });
        return { fileId: id, url: `https://shelf.example/${id}`, replaced: false };
      },
    },
  });
  return {
    connector,
    files,
    writes,
    failWith(error: Error | null) {
      fault = error;
    },
  };
}

const CONTACTS = [
  { id: "c1", name: "Ada Lark", station: "WFMU", plays: 12 },
  { id: "c2", name: "=cmd|' /C calc'!A0", station: "KEXP", plays: 3 },
];

const crm = defineConnector({
  id: "tiny-crm",
  name: "Tiny CRM",
  category: "crm",
  auth: apiKey({ header: "x-api-key" }),
  models: {
    contacts: defineModel({
      schema: z.object({
        id: z.string(),
        name: z.string(),
        station: z.string(),
        plays: z.number(),
      }),
      key: "id",
      async *sync() {
        yield { records: CONTACTS };
      },
    }),
  },
});

/** The radio promoter's campaign data, as a host would read it from its own database. */
const SPINS = [
  {
    artist: "Ada Lark",
    track: "Low Tide",
    station: "WFMU",
    status: "added",
    plays: 12,
    sentAt: "2026-11-16",
  },
  {
    artist: "The Weekend Ravers",
    track: "Night Bus",
    station: "KEXP",
    status: "sent",
    plays: 0,
    sentAt: "2026-11-17",
  },
];

const campaign = defineExportSource({
  id: "campaign-contacts",
  name: "Campaign contacts",
  columns: [
    { key: "artist", header: "Artist" },
    { key: "track", header: "Track" },
    { key: "station", header: "Station" },
    { key: "status", header: "Status" },
    { key: "plays", header: "Spins", type: "number" },
    { key: "sentAt", header: "Sent", type: "date" },
  ],
  templates: {
    promo: { title: "Promo report", columns: ["artist", "track", "station", "status", "sentAt"] },
    playlist: {
      title: "Playlist report",
      columns: ["station", "artist", "track", "plays"],
      filename: "{title} {week}",
    },
  },
  params(params) {
    if (typeof params.campaignId !== "string")
      throw new TypeError('"params.campaignId" must be a string');
    return params;
  },
  async *rows({ params }) {
    if (params.campaignId === "cmp_broken")
      throw new Error("the campaigns database is unreachable");
    yield SPINS;
  },
});

async function world() {
  let clock = FRIDAY;
  const shelf = createShelf();
  const store = new MemoryStore({ now: () => clock });
  const scheduler = createInProcessScheduler({ tickMs: 3_600_000 });
  const patchbay = createPatchbay({
    connectors: [shelf.connector, crm],
    store,
    vault: new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] }),
    now: () => clock,
    scheduler,
    exports: { sources: [campaign] },
  });
  const drive = await patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "shelf",
    credentials: { apiKey: "k" },
  });
  const contacts = await patchbay.connect.withCredentials({
    tenantId: TENANT,
    connector: "tiny-crm",
    credentials: { apiKey: "k" },
  });
  const weekly: ExportInput = {
    name: "Weekly promo report",
    source: "campaign-contacts",
    template: "promo",
    params: { campaignId: "cmp_42" },
    format: "xlsx",
    schedule: weeklySchedule({ day: "monday", hour: 8, timezone: "Europe/London" }),
    destination: { connectionId: drive.id, folderId: "promo-folder" },
    mode: "replace",
  };
  return {
    patchbay,
    store,
    shelf,
    scheduler,
    drive,
    contacts,
    weekly,
    at(ms: number) {
      clock = ms;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected a rejection");
  return error;
}

async function sheetOf(body: Uint8Array): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(body) as unknown as ArrayBuffer);
  return workbook.worksheets[0]!;
}

describe("schedules and file names", () => {
  it("builds weekly and monthly cron schedules in a time zone, and names bad fields", () => {
    expect(weeklySchedule({ day: "monday", hour: 8, timezone: "Europe/London" })).toEqual({
      kind: "cron",
      expression: "0 8 * * 1",
      timezone: "Europe/London",
    });
    expect(monthlySchedule({ day: 1, hour: 7, minute: 30 })).toEqual({
      kind: "cron",
      expression: "30 7 1 * *",
    });
    expect(() => weeklySchedule({ day: "mon" as "monday" })).toThrow(
      /^"day" must be one of sunday, monday/,
    );
    expect(() => monthlySchedule({ day: 31 })).toThrow(
      '"day" must be an integer from 1 to 28 (a day every month has), got 31',
    );
    expect(() => weeklySchedule({ day: "friday", hour: 24 })).toThrow(
      '"hour" must be an integer from 0 to 23, got 24',
    );
    expect(() => weeklySchedule({ day: "friday", timezone: "Mars/Olympus" })).toThrow(
      /"schedule.timezone" must be an IANA time zone/,
    );
  });

  it("refuses export schedules faster than hourly", () => {
    expect(() => checkExportSchedule({ kind: "every", minutes: 15 })).toThrow(
      '"schedule" runs every 15 minutes; exports run at most hourly (use weeklySchedule(), monthlySchedule(), { kind: "daily" } or { kind: "hourly" })',
    );
    expect(checkExportSchedule({ kind: "hourly" })).toEqual({ kind: "hourly" });
    expect(checkExportSchedule({ kind: "manual" })).toEqual({ kind: "manual" });
  });

  it("fills file name placeholders in the schedule's time zone and strips characters file systems refuse", () => {
    // 23:30 UTC on Sunday is already Monday in Auckland.
    const at = new Date("2026-11-22T23:30:00Z");
    const names = { name: "Weekly", title: "Promo report" };
    expect(exportFileName("{title} {date}", names, "xlsx", at, "UTC")).toBe(
      "Promo report 2026-11-22.xlsx",
    );
    expect(exportFileName("{title} {date}", names, "xlsx", at, "Pacific/Auckland")).toBe(
      "Promo report 2026-11-23.xlsx",
    );
    expect(
      exportFileName("{name} {week} ({month}, {year})", names, "csv", at, "Pacific/Auckland"),
    ).toBe("Weekly 2026-W48 (2026-11, 2026).csv");
    expect(exportFileName("{week}", names, "csv", new Date("2027-01-01T12:00:00Z"), "UTC")).toBe(
      "2026-W53.csv",
    );
    expect(exportFileName("a/b: c?", names, "csv", at, "UTC")).toBe("a-b- c-.csv");
  });
});

describe("defining exports", () => {
  it("stores a definition whose first run is the next Monday 08:00 in London", async () => {
    const w = await world();
    const definition = await w.patchbay.exports.define(TENANT, w.weekly, { actor: "user_7" });
    expect(definition).toMatchObject({
      tenantId: TENANT,
      name: "Weekly promo report",
      source: { kind: "source", id: "campaign-contacts" },
      template: "promo",
      columns: null,
      format: "xlsx",
      mode: "replace",
      destination: { connectionId: w.drive.id, folderId: "promo-folder" },
      lastStatus: null,
      fileId: null,
    });
    const next = definition.nextRunAt!.getTime();
    expect(next).toBeGreaterThanOrEqual(MONDAY_8_LONDON);
    expect(next).toBeLessThanOrEqual(MONDAY_8_LONDON + 5 * 60_000); // jitter
    expect(await w.patchbay.exports.get(TENANT, definition.id)).toEqual(definition);
    expect((await w.patchbay.exports.list(TENANT)).map((e) => e.id)).toEqual([definition.id]);
    const [entry] = await w.patchbay.tenants.audit(TENANT, { action: "export.define" });
    expect(entry).toMatchObject({
      actor: "user_7",
      details: { exportId: definition.id, format: "xlsx" },
    });
  });

  it("names the field and the fix when a definition is wrong", async () => {
    const w = await world();
    const define = (patch: Partial<ExportInput>) =>
      rejection(w.patchbay.exports.define(TENANT, { ...w.weekly, ...patch }));

    expect((await define({ source: "press-clippings" })).message).toBe(
      '"source": no export source "press-clippings" (registered: campaign-contacts); pass it to createPatchbay({ exports: { sources: [...] } }), or use { connectionId, model } to export synced records',
    );
    expect((await define({ template: "press" })).message).toBe(
      '"template": Campaign contacts has no template "press" (templates: promo, playlist)',
    );
    expect((await define({ columns: ["artist", "label"] })).message).toBe(
      '"columns": unknown column "label"; available: artist, track, station, status, plays, sentAt',
    );
    expect((await define({ params: {} })).message).toBe('"params.campaignId" must be a string');
    expect((await define({ format: "pdf" as "csv" })).message).toBe(
      '"format" must be "csv" or "xlsx", got "pdf"',
    );
    expect((await define({ mode: "append" as "replace" })).message).toBe(
      '"mode" must be "replace" or "dated", got "append"',
    );
    expect((await define({ filename: "{title} {day}" })).message).toBe(
      '"filename" has an unknown placeholder {day}; use {name}, {title}, {date}, {month}, {year}, {week}',
    );
    expect((await define({ schedule: { kind: "every", minutes: 5 } })).message).toMatch(
      /^"schedule" runs every 5 minutes/,
    );
    expect((await define({ destination: { connectionId: "" } })).message).toBe(
      '"destination.connectionId" must be the id of a connection that can receive files (e.g. Google Drive)',
    );
    expect((await define({ destination: { connectionId: "conn_nope" } })).message).toBe(
      `"destination.connectionId": connection conn_nope not found for tenant ${TENANT}`,
    );
    const notADestination = await define({ destination: { connectionId: w.contacts.id } });
    expect(notADestination).toMatchObject({ name: "ConfigError", code: ErrorCode.CONFIG_INVALID });
    expect(notADestination.message).toBe(
      '"destination.connectionId": Tiny CRM connections cannot receive files (the connector has no "destination" capability); Shelf can: choose one of its connections',
    );
    // Another tenant's connection is as good as absent.
    const other = await rejection(w.patchbay.exports.define("label_2", w.weekly));
    expect(other.message).toBe(
      `"destination.connectionId": connection ${w.drive.id} not found for tenant label_2`,
    );
    expect(await w.patchbay.exports.list(TENANT)).toEqual([]);
  });

  it("checks export sources when the host registers them", () => {
    const base = { id: "s", name: "S", columns: [{ key: "a" }], rows: () => [] };
    expect(() => defineExportSource({ ...base, id: "Bad Id" })).toThrow(
      'export source "Bad Id": "id" must be lowercase kebab-case (e.g. "campaign-contacts"), got "Bad Id"',
    );
    expect(() =>
      defineExportSource({ ...base, columns: [{ key: "a", type: "money" as "number" }] }),
    ).toThrow(
      'export source "s": "columns[0]".type must be one of string, number, date, boolean; got "money"',
    );
    expect(() =>
      defineExportSource({ ...base, templates: { t: { title: "T", columns: ["b"] } } }),
    ).toThrow('export source "s" template "t": "columns": unknown column "b"; available: a');
  });

  it("lists sources and their templates for a form", async () => {
    const w = await world();
    const [source] = w.patchbay.exports.sources();
    expect(source?.templates.map((t) => [t.id, t.title, t.columns.map((c) => c.header)])).toEqual([
      ["promo", "Promo report", ["Artist", "Track", "Station", "Status", "Sent"]],
      ["playlist", "Playlist report", ["Station", "Artist", "Track", "Spins"]],
    ]);
  });
});

describe("running exports", () => {
  it("runs when due, replaces the same file each week, and records every run", async () => {
    const w = await world();
    const completed: string[] = [];
    w.patchbay.on("export.completed", ({ run }) => {
      completed.push(run.id);
    });
    const definition = await w.patchbay.exports.define(TENANT, w.weekly);

    w.at(MONDAY_8_LONDON - 60_000);
    expect(await w.patchbay.exports.runDue()).toEqual({ started: 0, outcomes: [] });

    w.at(MONDAY_8_LONDON + 10 * 60_000);
    const first = await w.patchbay.exports.runDue();
    expect(first.started).toBe(1);
    expect(first.outcomes[0]).toMatchObject({
      status: "succeeded",
      run: {
        trigger: "schedule",
        rows: 2,
        fileId: "f1",
        fileName: "Promo report.xlsx",
        fileUrl: "https://shelf.example/f1",
      },
    });
    const file = w.shelf.files.get("f1")!;
    expect(file).toMatchObject({ name: "Promo report.xlsx", folderId: "promo-folder", version: 1 });
    const sheet = await sheetOf(file.body);
    expect(sheet.name).toBe("Promo report");
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "Artist",
      "Track",
      "Station",
      "Status",
      "Sent",
    ]);
    expect(sheet.getRow(2).getCell(5).value).toEqual(new Date("2026-11-16T00:00:00Z"));

    let after = await w.patchbay.exports.get(TENANT, definition.id);
    expect(after).toMatchObject({
      lastStatus: "succeeded",
      fileId: "f1",
      consecutiveFailures: 0,
      claimedBy: null,
    });
    expect(after.nextRunAt!.getTime()).toBeGreaterThanOrEqual(MONDAY_8_LONDON + WEEK);

    // Nothing more is due this week.
    expect((await w.patchbay.exports.runDue()).started).toBe(0);

    w.at(MONDAY_8_LONDON + WEEK + 10 * 60_000);
    const second = await w.patchbay.exports.runDue();
    expect(second.outcomes[0]).toMatchObject({
      status: "succeeded",
      run: { fileId: "f1", details: { replaced: true } },
    });
    expect(w.shelf.writes[1]).toMatchObject({ replace: true, previousFileId: "f1" });
    expect(w.shelf.files.size).toBe(1);
    expect(w.shelf.files.get("f1")?.version).toBe(2);

    const runs = await w.patchbay.exports.runs(TENANT, { exportId: definition.id });
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(completed).toEqual(runs.map((r) => r.id).reverse());
    const audit = await w.patchbay.tenants.audit(TENANT, { action: "export.run" });
    expect(audit.map((a) => a.details.status)).toEqual(["succeeded", "succeeded"]);
    after = await w.patchbay.exports.get(TENANT, definition.id);
    expect(after.lastSuccessAt?.getTime()).toBe(MONDAY_8_LONDON + WEEK + 10 * 60_000);
  });

  it("adds a dated copy each run in dated mode, named in the schedule's time zone", async () => {
    const w = await world();
    const definition = await w.patchbay.exports.define(TENANT, {
      ...w.weekly,
      mode: "dated",
      format: "csv",
      bom: true,
      template: "playlist",
    });
    w.at(MONDAY_8_LONDON + 10 * 60_000);
    await w.patchbay.exports.run(TENANT, definition.id);
    w.at(MONDAY_8_LONDON + WEEK + 10 * 60_000);
    await w.patchbay.exports.run(TENANT, definition.id);
    expect([...w.shelf.files.values()].map((f) => f.name)).toEqual([
      "Playlist report 2026-W48.csv",
      "Playlist report 2026-W49.csv",
    ]);
    expect(w.shelf.writes.map((f) => [f.replace, f.previousFileId, f.mimeType])).toEqual([
      [false, null, "text/csv"],
      [false, null, "text/csv"],
    ]);
    const body = w.shelf.files.get("f2")!.body;
    expect([...body.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(body.slice(3)).split("\r\n")[0]).toBe(
      "Station,Artist,Track,Spins",
    );
  });

  it("keeps the previous file on a provider fault, retries with backoff, and recovers", async () => {
    const w = await world();
    const failed: string[] = [];
    w.patchbay.on("export.failed", ({ run }) => {
      failed.push(run.error ?? "");
    });
    const definition = await w.patchbay.exports.define(TENANT, w.weekly);
    w.at(MONDAY_8_LONDON + 10 * 60_000);
    await w.patchbay.exports.runDue();
    const good = w.shelf.files.get("f1")!.body;

    const t = MONDAY_8_LONDON + WEEK + 10 * 60_000;
    w.at(t);
    w.shelf.failWith(new ProviderError("Shelf answered 503 Service Unavailable", { status: 503 }));
    const outcome = await w.patchbay.exports.runDue();
    expect(outcome.outcomes[0]).toMatchObject({
      status: "failed",
      run: {
        error: "Shelf answered 503 Service Unavailable",
        fileId: null,
        details: { retryable: true },
      },
    });
    expect(w.shelf.files.get("f1")!.body).toBe(good);
    let state = await w.patchbay.exports.get(TENANT, definition.id);
    expect(state).toMatchObject({ lastStatus: "failed", consecutiveFailures: 1, fileId: "f1" });
    expect(state.nextRunAt?.getTime()).toBe(t + 5 * 60_000);

    w.at(t + 5 * 60_000);
    await w.patchbay.exports.runDue();
    state = await w.patchbay.exports.get(TENANT, definition.id);
    expect(state.consecutiveFailures).toBe(2);
    expect(state.nextRunAt?.getTime()).toBe(t + 15 * 60_000); // 10 minutes after the second failure

    w.shelf.failWith(null);
    w.at(t + 15 * 60_000);
    expect((await w.patchbay.exports.runDue()).outcomes[0]?.status).toBe("succeeded");
    state = await w.patchbay.exports.get(TENANT, definition.id);
    expect(state).toMatchObject({
      lastStatus: "succeeded",
      consecutiveFailures: 0,
      fileId: "f1",
      lastError: null,
    });
    expect(state.nextRunAt!.getTime()).toBeGreaterThanOrEqual(MONDAY_8_LONDON + 2 * WEEK);
    expect(failed).toHaveLength(2);
  });

  it("waits for the next scheduled run after a failure that retrying cannot fix", async () => {
    const w = await world();
    const definition = await w.patchbay.exports.define(TENANT, {
      ...w.weekly,
      params: { campaignId: "cmp_broken" },
    });
    w.at(MONDAY_8_LONDON + 10 * 60_000);
    const [outcome] = (await w.patchbay.exports.runDue()).outcomes;
    // A host error of unknown kind counts as transient...
    expect(outcome).toMatchObject({
      status: "failed",
      run: { error: "the campaigns database is unreachable" },
    });
    expect((await w.patchbay.exports.get(TENANT, definition.id)).nextRunAt?.getTime()).toBe(
      MONDAY_8_LONDON + 15 * 60_000,
    );

    // ...a destination that disappears is not: the next try is next week's run.
    await w.patchbay.exports.update(TENANT, definition.id, { params: { campaignId: "cmp_42" } });
    await w.patchbay.connections.disconnect(TENANT, w.drive.id);
    w.at(MONDAY_8_LONDON + 15 * 60_000);
    const [second] = (await w.patchbay.exports.runDue()).outcomes;
    expect(second).toMatchObject({
      status: "failed",
      run: {
        error: `Shelf connection ${w.drive.id} is disconnected: reconnect it; the export runs again on its schedule`,
      },
    });
    const state = await w.patchbay.exports.get(TENANT, definition.id);
    expect(state.nextRunAt!.getTime()).toBeGreaterThanOrEqual(MONDAY_8_LONDON + WEEK);
    expect(w.shelf.writes).toHaveLength(0);
  });

  it("refuses a file larger than the destination accepts, before writing anything", async () => {
    const w = await world();
    const big = defineExportSource({
      id: "big",
      name: "Big",
      columns: [{ key: "text" }],
      *rows() {
        for (let i = 0; i < 5000; i++) yield { text: `row ${i} ${"x".repeat(60)}` };
      },
    });
    const pb = createPatchbay({
      connectors: [w.shelf.connector],
      store: w.store,
      vault: new Vault({ keys: [{ kid: "test", key: Buffer.alloc(32, 7).toString("base64") }] }),
      exports: { sources: [big] },
    });
    const definition = await pb.exports.define(TENANT, {
      name: "Everything",
      source: "big",
      format: "csv",
      schedule: { kind: "manual" },
      destination: { connectionId: w.drive.id },
    });
    expect(definition.nextRunAt).toBeNull();
    const outcome = await pb.exports.run(TENANT, definition.id);
    expect(outcome).toMatchObject({ status: "failed" });
    expect(outcome.status === "failed" && outcome.run.error).toMatch(
      /^The CSV file is \d+ bytes; Shelf accepts at most 200000 per file \(export fewer rows or columns\)$/,
    );
    expect(w.shelf.writes).toHaveLength(0);
  });

  it("exports a synced model's records without code, with the formula guard on", async () => {
    const w = await world();
    await w.patchbay.sync.run({ tenantId: TENANT, connectionId: w.contacts.id, model: "contacts" });
    const definition = await w.patchbay.exports.define(TENANT, {
      name: "Contacts",
      source: { connectionId: w.contacts.id, model: "contacts" },
      columns: ["name", "station", { key: "plays", header: "Spins", type: "number" }],
      format: "csv",
      schedule: { kind: "daily", hour: 6 },
      destination: { connectionId: w.drive.id, folderId: null },
    });
    expect(
      (await rejection(w.patchbay.exports.update(TENANT, definition.id, { columns: ["email"] })))
        .message,
    ).toBe('"columns": unknown column "email"; available: id, name, station, plays');
    const outcome = await w.patchbay.exports.run(TENANT, definition.id, { actor: "user_7" });
    expect(outcome).toMatchObject({
      status: "succeeded",
      run: { trigger: "manual", rows: 2, fileName: "Contacts.csv" },
    });
    expect(new TextDecoder().decode(w.shelf.files.get("f1")!.body)).toBe(
      "name,station,Spins\r\nAda Lark,WFMU,12\r\n'=cmd|' /C calc'!A0,KEXP,3\r\n",
    );
    const [entry] = await w.patchbay.tenants.audit(TENANT, { action: "export.run" });
    expect(entry).toMatchObject({
      actor: "user_7",
      connectionId: w.drive.id,
      details: { status: "succeeded" },
    });
  });

  it("never runs one export twice at once, and the in-process scheduler's tick runs due exports", async () => {
    const w = await world();
    const definition = await w.patchbay.exports.define(TENANT, w.weekly);
    await w.store.claimExport(TENANT, definition.id, {
      holder: "other-worker",
      ttlMs: 60_000,
      now: new Date(FRIDAY),
    });
    expect(await w.patchbay.exports.run(TENANT, definition.id)).toEqual({
      status: "skipped",
      reason: "running",
    });

    w.at(MONDAY_8_LONDON + 10 * 60_000); // the other worker's claim has expired
    w.patchbay.start();
    try {
      expect(await w.scheduler.tick()).toBe(1);
    } finally {
      await w.patchbay.stop();
    }
    expect(w.shelf.files.get("f1")?.name).toBe("Promo report.xlsx");
  });

  it("updates, removes, and starts a new file when the destination changes", async () => {
    const w = await world();
    const definition = await w.patchbay.exports.define(TENANT, w.weekly);
    w.at(MONDAY_8_LONDON + 10 * 60_000);
    await w.patchbay.exports.run(TENANT, definition.id);
    const moved = await w.patchbay.exports.update(TENANT, definition.id, {
      destination: { connectionId: w.drive.id, folderId: "press-folder" },
      schedule: monthlySchedule({ day: 1, hour: 9 }),
    });
    expect(moved).toMatchObject({ fileId: null, destination: { folderId: "press-folder" } });
    expect(moved.nextRunAt!.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-12-01T09:00:00Z"));
    expect(
      (
        await rejection(
          w.patchbay.exports.update(TENANT, definition.id, { colour: "red" } as never),
        )
      ).message,
    ).toBe('"colour" is not a field of an export');
    expect(await w.patchbay.exports.remove(TENANT, definition.id)).toEqual({ removed: true });
    expect(await w.patchbay.exports.runs(TENANT)).toEqual([]);
    expect(await rejection(w.patchbay.exports.get(TENANT, definition.id))).toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    expect(await w.patchbay.exports.remove(TENANT, definition.id)).toEqual({ removed: false });
  });
});
