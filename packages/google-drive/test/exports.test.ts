/**
 * Scheduled exports into Google Drive, end to end: core renders the XLSX,
 * the connector's `destination` writes it to the fake Drive, and the files
 * are read back from the fake's state.
 */
import { createRequire } from "node:module";
import {
  defineExportSource,
  ErrorCode,
  type ExportInput,
  type ExportRow,
  weeklySchedule,
} from "@patchbay/core";
import { googleError } from "@patchbay/google-common/testing";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DRIVE_UPLOAD_API } from "../src/index.js";
import { driveWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

// exceljs is an optional peer of @patchbay/core (its dev dependency), not a
// dependency of this package: read the files back with core's copy.
const requireFromCore = createRequire(new URL("../../core/package.json", import.meta.url));
interface Sheet {
  name: string;
  rowCount: number;
  getRow(n: number): { values: unknown[]; getCell(n: number): { value: unknown; type: number } };
}
const ExcelJS = requireFromCore("exceljs") as {
  Workbook: new () => { xlsx: { load(data: unknown): Promise<unknown> }; worksheets: Sheet[] };
  ValueType: { Number: number; Date: number; String: number };
};

async function sheetOf(bytes: Uint8Array): Promise<Sheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes));
  return workbook.worksheets[0]!;
}

const FRIDAY = Date.parse("2026-11-20T12:00:00Z");
const MONDAY_8 = Date.parse("2026-11-23T08:00:00Z"); // 08:00 in London (GMT in November)
const WEEK = 7 * 86_400_000;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The promoter's campaign, as the host's database holds it; tests change it between runs. */
let spins: ExportRow[] = [];

const campaign = defineExportSource({
  id: "campaign-contacts",
  name: "Campaign contacts",
  columns: [
    { key: "artist", header: "Artist" },
    { key: "track", header: "Track" },
    { key: "station", header: "Station" },
    { key: "plays", header: "Spins", type: "number" },
    { key: "sentAt", header: "Sent", type: "date" },
  ],
  templates: {
    promo: { title: "Promo report", columns: ["artist", "track", "station", "sentAt"] },
    playlist: { title: "Playlist report", columns: ["station", "artist", "track", "plays"] },
  },
  async *rows() {
    yield spins;
  },
});

async function world(mode: "replace" | "dated" = "replace") {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(FRIDAY);
  const w = await driveWorld(server, { exports: { sources: [campaign] } });
  const folder = w.drive.addFolder({ name: "Promo reports" });
  const input: ExportInput = {
    name: "Weekly playlist report",
    source: "campaign-contacts",
    template: "playlist",
    format: "xlsx",
    schedule: weeklySchedule({ day: "monday", hour: 8, timezone: "Europe/London" }),
    destination: { connectionId: w.connection.id, folderId: folder.id },
    mode,
  };
  const definition = await w.patchbay.exports.define(TENANT, input);
  /** The non-trashed files in the folder, by name. */
  const inFolder = () =>
    [...w.drive.state.files.values()]
      .filter((f) => f.parents.includes(folder.id) && !f.trashed)
      .map((f) => ({ id: f.id, name: f.name, mimeType: f.mimeType, version: f.version }));
  const runDue = async (at: number) => {
    vi.setSystemTime(at);
    return w.patchbay.exports.runDue();
  };
  return { ...w, folder, definition, inFolder, runDue };
}

beforeEach(() => {
  spins = [
    { artist: "Ada Lark", track: "Low Tide", station: "WFMU", plays: 12, sentAt: "2026-11-16" },
    {
      artist: "The Weekend Ravers",
      track: "Night Bus",
      station: "KEXP",
      plays: 3,
      sentAt: "2026-11-17",
    },
  ];
});

describe("scheduled exports to Google Drive", () => {
  it("writes a weekly XLSX into the folder when due, then replaces the same file the next week", async () => {
    const w = await world("replace");
    expect((await w.runDue(FRIDAY + 60_000)).started).toBe(0);
    expect(w.inFolder()).toEqual([]);

    const first = await w.runDue(MONDAY_8 + 10 * 60_000);
    expect(first.outcomes).toHaveLength(1);
    const [file] = w.inFolder();
    expect(file).toMatchObject({ name: "Playlist report.xlsx", mimeType: XLSX });
    expect(first.outcomes[0]).toMatchObject({
      status: "succeeded",
      run: {
        rows: 2,
        fileId: file!.id,
        fileName: "Playlist report.xlsx",
        fileUrl: `https://drive.google.com/file/d/${file!.id}/view?usp=drivesdk`,
        details: { replaced: false },
      },
    });
    let sheet = await sheetOf(w.drive.bytes(file!.id));
    expect(sheet.name).toBe("Playlist report");
    expect(sheet.getRow(1).values).toEqual([undefined, "Station", "Artist", "Track", "Spins"]);
    expect(sheet.getRow(2).values).toEqual([undefined, "WFMU", "Ada Lark", "Low Tide", 12]);
    expect(sheet.getRow(3).getCell(4).type).toBe(ExcelJS.ValueType.Number);

    // A week of promotion later: new spins, same file (same id, same shared link).
    spins = [...spins, { artist: "Nova Tapes", track: "Static", station: "BBC 6 Music", plays: 5 }];
    spins[0] = { ...spins[0], plays: 20 };
    const second = await w.runDue(MONDAY_8 + WEEK + 10 * 60_000);
    expect(second.outcomes[0]).toMatchObject({
      status: "succeeded",
      run: { fileId: file!.id, rows: 3, details: { replaced: true } },
    });
    expect(w.inFolder()).toEqual([{ ...file, version: file!.version + 1 }]);
    sheet = await sheetOf(w.drive.bytes(file!.id));
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(4).value).toBe(20);
    expect(sheet.getRow(4).values).toEqual([undefined, "BBC 6 Music", "Nova Tapes", "Static", 5]);
    expect(await w.patchbay.exports.get(TENANT, w.definition.id)).toMatchObject({
      fileId: file!.id,
      lastStatus: "succeeded",
    });
  });

  it("adds a dated copy each week in dated mode", async () => {
    const w = await world("dated");
    await w.runDue(MONDAY_8 + 10 * 60_000);
    await w.runDue(MONDAY_8 + WEEK + 10 * 60_000);
    const files = w.inFolder();
    expect(files.map((f) => f.name).sort()).toEqual([
      "Playlist report 2026-11-23.xlsx",
      "Playlist report 2026-11-30.xlsx",
    ]);
    expect(new Set(files.map((f) => f.id)).size).toBe(2);
    expect(files.every((f) => f.version === files[0]!.version)).toBe(true);
  });

  it("creates the file again when the user deleted the previous export", async () => {
    const w = await world("replace");
    await w.runDue(MONDAY_8 + 10 * 60_000);
    const [first] = w.inFolder();
    w.drive.deleteFile(first!.id);
    const next = await w.runDue(MONDAY_8 + WEEK + 10 * 60_000);
    expect(next.outcomes[0]).toMatchObject({
      status: "succeeded",
      run: { details: { replaced: false } },
    });
    const [second] = w.inFolder();
    expect(second).toMatchObject({ name: "Playlist report.xlsx" });
    expect(second!.id).not.toBe(first!.id);
  });

  it("keeps the previous file when Drive answers 503, records a failed run and retries soon", async () => {
    const w = await world("replace");
    await w.runDue(MONDAY_8 + 10 * 60_000);
    const [file] = w.inFolder();
    const before = Buffer.from(w.drive.bytes(file!.id));

    let down = true;
    server.use(
      http.patch(`${DRIVE_UPLOAD_API}/files/:fileId`, () =>
        down ? googleError(503, "backendError", "Backend Error", "legacy") : undefined,
      ),
    );
    spins = [{ artist: "Changed", track: "x", station: "y", plays: 1 }];
    const at = MONDAY_8 + WEEK + 10 * 60_000;
    const failed = await w.runDue(at);
    expect(failed.outcomes[0]).toMatchObject({
      status: "failed",
      run: { fileId: null, details: { retryable: true } },
    });
    expect(failed.outcomes[0]?.status === "failed" && failed.outcomes[0].run.error).toMatch(
      /Backend Error/,
    );
    expect(Buffer.from(w.drive.bytes(file!.id)).equals(before)).toBe(true);
    expect(w.inFolder()).toEqual([file]);
    const state = await w.patchbay.exports.get(TENANT, w.definition.id);
    expect(state).toMatchObject({ lastStatus: "failed", consecutiveFailures: 1, fileId: file!.id });
    expect(state.nextRunAt!.getTime()).toBeLessThan(at + 6 * 60_000);

    down = false;
    const retried = await w.runDue(state.nextRunAt!.getTime());
    expect(retried.outcomes[0]).toMatchObject({ status: "succeeded", run: { fileId: file!.id } });
    expect((await sheetOf(w.drive.bytes(file!.id))).getRow(2).getCell(2).value).toBe("Changed");
    const runs = await w.patchbay.exports.runs(TENANT, { exportId: w.definition.id });
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded"]);
  });

  it("keeps the previous file when the user revoked access: the connection needs reauth and the export waits", async () => {
    const w = await world("replace");
    await w.runDue(MONDAY_8 + 10 * 60_000);
    const [file] = w.inFolder();
    const before = Buffer.from(w.drive.bytes(file!.id));
    const reauth: string[] = [];
    w.patchbay.on("connection.needs_reauth", ({ connection }) => {
      reauth.push(connection.id);
    });

    const token = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id });
    expect(w.drive.oauth.revokeGrant(token)).toBe(1);
    const at = MONDAY_8 + WEEK + 10 * 60_000;
    const failed = await w.runDue(at);
    expect(failed.outcomes[0]).toMatchObject({
      status: "failed",
      run: { details: { retryable: false } },
    });
    expect(Buffer.from(w.drive.bytes(file!.id)).equals(before)).toBe(true);
    expect((await w.current()).status).toBe("needs_reauth");
    expect(reauth).toEqual([w.connection.id]);
    const state = await w.patchbay.exports.get(TENANT, w.definition.id);
    expect(state.lastStatus).toBe("failed");
    // Not retried every few minutes against a revoked grant: the next try is next week's run.
    expect(state.nextRunAt!.getTime()).toBeGreaterThanOrEqual(MONDAY_8 + 2 * WEEK);

    // While it needs reauth, the export fails fast without calling Drive, saying what to do.
    const next = await w.runDue(state.nextRunAt!.getTime());
    expect(next.outcomes[0]).toMatchObject({
      status: "failed",
      run: {
        error: `Google Drive connection ${w.connection.id} is needs_reauth: reconnect it; the export runs again on its schedule`,
      },
    });
  });

  it("declares the destination capability in the catalogue, and checks the destination connection", async () => {
    const w = await world();
    expect(w.patchbay.catalogue()[0]).toMatchObject({ id: "google-drive", destination: true });
    const error = await w.patchbay.exports
      .define(TENANT, {
        name: "Press report",
        source: "campaign-contacts",
        format: "csv",
        schedule: { kind: "manual" },
        destination: { connectionId: "conn_missing" },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message: `"destination.connectionId": connection conn_missing not found for tenant ${TENANT}`,
    });
  });
});
