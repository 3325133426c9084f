import { googleError } from "@patchbay/google-common/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DRIVE_API, DRIVE_SCOPES } from "../src/index.js";
import { driveWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const calls = (w: { drive: { log: Array<{ method: string }> } }, method: string) =>
  w.drive.log.filter((l) => l.method === method).length;

/** Fail the `nth` call (1-based) of a GET endpoint with a non-retryable Drive 403, once. */
function failNthCall(url: string, nth: number) {
  let seen = 0;
  server.use(
    http.get(url, () => {
      seen++;
      if (seen === nth) return googleError(403, "forbidden", "Forbidden", "legacy");
      return undefined;
    }),
  );
}

async function folderWorld(options: Parameters<typeof driveWorld>[1] = {}) {
  const w = await driveWorld(server, options);
  const folder = w.drive.addFolder({ name: "Exports" });
  await w.configure({ folderId: folder.id });
  return { ...w, folder };
}

describe("files model: full sync", () => {
  it("mirrors the configured folder's files and nothing outside it", async () => {
    const w = await folderWorld();
    const a = w.drive.addFile({
      name: "a.csv",
      mimeType: "text/csv",
      content: "x\n",
      parentId: w.folder.id,
    });
    const b = w.drive.addFile({
      name: "b.pdf",
      mimeType: "application/pdf",
      parentId: w.folder.id,
    });
    w.drive.addFile({ name: "at the root.txt" });
    w.drive.trashFile(w.drive.addFile({ name: "trashed.txt", parentId: w.folder.id }).id);

    const run = await w.sync();

    expect(run).toMatchObject({ status: "succeeded", mode: "full", inserted: 2 });
    const stored = await w.stored();
    expect([...stored.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(stored.get(a.id)).toMatchObject({
      name: "a.csv",
      mimeType: "text/csv",
      parents: [w.folder.id],
      size: "2",
      trashed: false,
      webViewLink: `https://drive.google.com/file/d/${a.id}/view?usp=drivesdk`,
    });
  });

  it("without a folder, mirrors every file and folder the app can see", async () => {
    const w = await driveWorld(server);
    const folder = w.drive.addFolder({ name: "Campaigns" });
    const file = w.drive.addFile({ name: "notes.txt", parentId: folder.id });
    await w.sync();
    expect([...(await w.stored()).keys()].sort()).toEqual([folder.id, file.id].sort());
  });

  it("with only drive.file, a file the user made in Drive's UI stays invisible until they open it with the app", async () => {
    const w = await driveWorld(server);
    const mine = w.drive.addFile({ name: "made by the app.csv" });
    const theirs = w.drive.addFile({ name: "made in Drive.csv", visibleToApp: false });
    await w.sync();
    expect([...(await w.stored()).keys()]).toEqual([mine.id]);

    w.drive.grantAccess(theirs.id); // the user picks it with Google Picker
    const run = await w.sync("incremental");
    expect(run.inserted).toBe(1);
    expect((await w.stored()).has(theirs.id)).toBe(true);
  });

  it("with drive.readonly granted too, files the app did not create are mirrored", async () => {
    const w = await driveWorld(server, { scopes: [DRIVE_SCOPES.file, DRIVE_SCOPES.readonly] });
    const theirs = w.drive.addFile({ name: "made in Drive.csv", visibleToApp: false });
    await w.sync();
    expect((await w.stored()).has(theirs.id)).toBe(true);
  });
});

describe("files model: incremental sync through the changes feed", () => {
  it("a sync with nothing changed reads one changes page and no file listing", async () => {
    const w = await folderWorld();
    w.drive.addFile({ name: "a.csv", parentId: w.folder.id });
    await w.sync();
    const lists = calls(w, "files.list");
    const run = await w.sync();
    expect(run).toMatchObject({ mode: "incremental", inserted: 0, updated: 0, deleted: 0 });
    expect(calls(w, "files.list")).toBe(lists);
    expect(calls(w, "changes.list")).toBe(1);
  });

  it("a file renamed at Drive is one updated record", async () => {
    const w = await folderWorld();
    const a = w.drive.addFile({ name: "a.csv", parentId: w.folder.id });
    w.drive.addFile({ name: "b.csv", parentId: w.folder.id });
    await w.sync();

    w.drive.renameFile(a.id, "a (final).csv");
    const run = await w.sync();

    expect(run).toMatchObject({ mode: "incremental", inserted: 0, updated: 1, deleted: 0 });
    expect((await w.stored()).get(a.id)).toMatchObject({ name: "a (final).csv", version: "2" });
  });

  it("trashed, deleted for good, and moved out of the folder all leave the mirror", async () => {
    const w = await folderWorld();
    const other = w.drive.addFolder({ name: "Archive" });
    const [trashed, deleted, moved, kept] = ["t", "d", "m", "k"].map(
      (n) => w.drive.addFile({ name: `${n}.csv`, parentId: w.folder.id }).id,
    ) as [string, string, string, string];
    await w.sync();

    w.drive.trashFile(trashed);
    w.drive.deleteFile(deleted);
    w.drive.moveFile(moved, other.id);
    const run = await w.sync();

    expect(run).toMatchObject({ mode: "incremental", deleted: 3, updated: 0 });
    expect([...(await w.stored()).keys()]).toEqual([kept]);
    // The feed reported them: no full listing was needed to notice.
    expect(calls(w, "files.list")).toBe(1);
  });

  it("files added to the folder, or moved into it, appear; changes elsewhere are ignored", async () => {
    const w = await folderWorld();
    const outside = w.drive.addFile({ name: "outside.csv" });
    await w.sync();

    const added = w.drive.addFile({ name: "new.csv", parentId: w.folder.id });
    w.drive.moveFile(outside.id, w.folder.id);
    w.drive.addFile({ name: "still outside.csv" });
    const run = await w.sync();

    expect(run).toMatchObject({ inserted: 2, deleted: 0 });
    expect([...(await w.stored()).keys()].sort()).toEqual([added.id, outside.id].sort());
  });

  it("follows nextPageToken across pages and keeps newStartPageToken as the next cursor", async () => {
    const w = await folderWorld({ connector: { pageSize: 2 } });
    const ids = [1, 2, 3, 4, 5].map(
      (i) => w.drive.addFile({ name: `${i}.csv`, parentId: w.folder.id }).id,
    );
    await w.sync();
    for (const id of ids) w.drive.renameFile(id, `renamed ${id}`);

    const run = await w.sync();

    expect(run).toMatchObject({ mode: "incremental", updated: 5 });
    const tokens = w.drive.log
      .filter((l) => l.method === "changes.list")
      .map((l) => l.query.pageToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(3);
    const [state] = await w.patchbay.sync.status(TENANT, w.connection.id);
    expect(state?.cursor).toBe(w.drive.state.startPageToken());
  });

  it("a forced incremental run on a new connection only notes where the feed is", async () => {
    const w = await folderWorld();
    w.drive.addFile({ name: "already there.csv", parentId: w.folder.id });
    const first = await w.sync("incremental");
    expect(first).toMatchObject({ status: "succeeded", inserted: 0 });
    expect(calls(w, "changes.getStartPageToken")).toBe(1);

    const later = w.drive.addFile({ name: "later.csv", parentId: w.folder.id });
    const next = await w.sync("incremental");
    expect(next.inserted).toBe(1);
    expect([...(await w.stored()).keys()]).toEqual([later.id]);
  });
});

describe("files model: resuming interrupted runs", () => {
  // Pages of 2 committed one at a time, so a failure on page 2 keeps page 1.
  const paged = { connector: { pageSize: 2 }, batchSize: 2 };

  it("an incremental run that fails on page 2 resumes from that page's token", async () => {
    const w = await folderWorld(paged);
    const ids = [1, 2, 3, 4, 5].map(
      (i) => w.drive.addFile({ name: `${i}.csv`, parentId: w.folder.id }).id,
    );
    await w.sync();
    for (const id of ids) w.drive.renameFile(id, `renamed ${id}`);

    failNthCall(`${DRIVE_API}/changes`, 2);
    const failed = await w.sync();
    expect(failed).toMatchObject({ status: "failed", updated: 2 });
    const [firstPage, secondPage] = w.drive.log
      .filter((l) => l.method === "changes.list")
      .map((l) => l.query.pageToken);

    w.drive.log.length = 0;
    const resumed = await w.sync();

    expect(resumed).toMatchObject({ status: "succeeded", mode: "incremental", updated: 3 });
    const tokens = w.drive.log
      .filter((l) => l.method === "changes.list")
      .map((l) => l.query.pageToken);
    // The failed call never reached the fake's log; the resume starts where page 1 ended.
    expect(secondPage).toBeUndefined();
    expect(tokens[0]).not.toBe(firstPage);
    expect(tokens).toHaveLength(2);
    const stored = await w.stored();
    for (const id of ids) expect(stored.get(id)?.name).toBe(`renamed ${id}`);
  });

  it("a full run that fails mid-listing resumes from its files.list page token and keeps its changes-feed start", async () => {
    const w = await folderWorld(paged);
    const ids = [1, 2, 3, 4, 5].map(
      (i) => w.drive.addFile({ name: `${i}.csv`, parentId: w.folder.id }).id,
    );

    failNthCall(`${DRIVE_API}/files`, 2);
    expect(await w.sync()).toMatchObject({ status: "failed", inserted: 2 });
    // Renamed between the failed attempt and the resume: page 1 was already read.
    w.drive.renameFile(ids[0] as string, "renamed while syncing.csv");

    w.drive.log.length = 0;
    const resumed = await w.sync();
    expect(resumed).toMatchObject({ status: "succeeded", mode: "full", inserted: 3 });
    const first = w.drive.log.find((l) => l.method === "files.list");
    expect(first?.query.pageToken).toEqual(expect.any(String));

    // The next incremental run reads the feed from before the listing began, so it sees the rename.
    const next = await w.sync("incremental");
    expect(next.updated).toBe(1);
    expect((await w.stored()).get(ids[0] as string)?.name).toBe("renamed while syncing.csv");
  });

  it("a stale files.list page token restarts the listing instead of failing", async () => {
    const w = await folderWorld(paged);
    for (const i of [1, 2, 3, 4, 5]) w.drive.addFile({ name: `${i}.csv`, parentId: w.folder.id });
    failNthCall(`${DRIVE_API}/files`, 2);
    await w.sync();

    w.drive.expireListPageTokens();
    const resumed = await w.sync();

    expect(resumed).toMatchObject({ status: "succeeded", mode: "full", inserted: 3 });
    expect((await w.stored()).size).toBe(5);
  });
});

describe("files model: Drive's rate limits", () => {
  it("Drive's 403 userRateLimitExceeded is backed off and retried like a 429", async () => {
    const w = await folderWorld();
    w.drive.addFile({ name: "a.csv", parentId: w.folder.id });
    w.drive.rateLimitNext(2, { status: 403 });
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", inserted: 1 });
  });

  it("a request Drive refuses for good fails the run with Drive's message", async () => {
    const w = await folderWorld();
    server.use(
      http.get(`${DRIVE_API}/changes/startPageToken`, () =>
        HttpResponse.json(
          {
            error: {
              code: 403,
              message: "Daily Limit Exceeded",
              errors: [
                {
                  domain: "usageLimits",
                  reason: "dailyLimitExceeded",
                  message: "Daily Limit Exceeded",
                },
              ],
            },
          },
          { status: 403 },
        ),
      ),
    );
    const run = await w.sync();
    expect(run.status).toBe("failed");
    expect(run.error).toContain("Daily Limit Exceeded");
  });
});
