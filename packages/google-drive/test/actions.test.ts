import { NotFoundError } from "@patchbay/core";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DRIVE_FOLDER_MIME_TYPE,
  DRIVE_SCOPES,
  DRIVE_UPLOAD_API,
  type DriveFile,
} from "../src/index.js";
import { parseMultipartRelated } from "../src/testing/index.js";
import { driveWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const CSV = 'artist,station,status\nAda Lark,WFMU,replied\n"Ravers, The",KEXP,sent\n';
const base64 = (content: string | Uint8Array) => Buffer.from(content).toString("base64");

/** Bytes a text-minded upload would break: NUL, CR/LF pairs, a fake boundary, invalid UTF-8. */
const BINARY = new Uint8Array([
  0x50,
  0x4b,
  0x03,
  0x04,
  0x00,
  0x00,
  0xff,
  0xfe,
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  ...Buffer.from("\r\n--patchbay_boundary--\r\n"),
  0x80,
  0x81,
  0xc3,
  0x28,
  0x00,
]);

describe("uploadFile", () => {
  it("creates a CSV in the configured folder with exactly the bytes sent", async () => {
    const w = await driveWorld(server);
    const folder = w.drive.addFolder({ name: "Exports" });
    await w.configure({ folderId: folder.id });

    const file = (await w.action("uploadFile", {
      name: "pitches.csv",
      mimeType: "text/csv",
      content: base64(CSV),
    })) as DriveFile;

    expect(w.drive.text(file.id)).toBe(CSV);
    expect(file).toMatchObject({
      name: "pitches.csv",
      mimeType: "text/csv",
      parents: [folder.id],
      version: "1",
      size: String(Buffer.byteLength(CSV)),
      webViewLink: `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
    });
    expect(file.modifiedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("uploads binary content (an XLSX-like buffer) byte for byte", async () => {
    const w = await driveWorld(server);
    const file = (await w.action("uploadFile", {
      name: "report.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      content: base64(BINARY),
    })) as DriveFile;
    expect(Buffer.from(w.drive.bytes(file.id)).equals(Buffer.from(BINARY))).toBe(true);
    expect(file.parents).toEqual([w.drive.rootId]);
  });

  it("sends one multipart/related request: JSON metadata first, then the media", async () => {
    const w = await driveWorld(server);
    const folder = w.drive.addFolder({ name: "Exports" });
    const seen: Array<{ query: string | null; type: string | null; body: Uint8Array }> = [];
    server.use(
      http.post(`${DRIVE_UPLOAD_API}/files`, async ({ request }) => {
        const copy = request.clone();
        seen.push({
          query: new URL(request.url).searchParams.get("uploadType"),
          type: request.headers.get("content-type"),
          body: new Uint8Array(await copy.arrayBuffer()),
        });
        return undefined;
      }),
    );
    await w.action("uploadFile", {
      name: "a.csv",
      mimeType: "text/csv",
      content: base64(CSV),
      folderId: folder.id,
    });

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.query).toBe("multipart");
    expect(request?.type).toMatch(/^multipart\/related; boundary=/);
    const parts = parseMultipartRelated(request?.type ?? null, request?.body ?? new Uint8Array());
    expect(parts.metadata).toEqual({ name: "a.csv", mimeType: "text/csv", parents: [folder.id] });
    expect(parts.media.contentType).toBe("text/csv");
    expect(new TextDecoder().decode(parts.media.bytes)).toBe(CSV);
  });

  it("replacing keeps the file's id and link, bumps its version and swaps the content", async () => {
    const w = await driveWorld(server);
    const first = (await w.action("uploadFile", {
      name: "pitches.csv",
      mimeType: "text/csv",
      content: base64("week 1\n"),
    })) as DriveFile;

    const second = (await w.action("uploadFile", {
      name: "pitches.csv",
      mimeType: "text/csv",
      content: base64("week 2\n"),
      replaceFileId: first.id,
      folderId: "ignored-on-replace",
    })) as DriveFile;

    expect(second.id).toBe(first.id);
    expect(second.webViewLink).toBe(first.webViewLink);
    expect(Number(second.version)).toBeGreaterThan(Number(first.version));
    expect(w.drive.text(first.id)).toBe("week 2\n");
    expect(w.drive.state.files.size).toBe(1);
  });

  it("replacing a file that no longer exists is a NotFoundError", async () => {
    const w = await driveWorld(server);
    await expect(
      w.action("uploadFile", {
        name: "a.csv",
        mimeType: "text/csv",
        content: "",
        replaceFileId: "1gone",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an upload is one request, so a 429 is retried and the file is created once", async () => {
    const w = await driveWorld(server);
    w.drive.rateLimitNext(1);
    const file = (await w.action("uploadFile", {
      name: "a.csv",
      mimeType: "text/csv",
      content: base64(CSV),
    })) as DriveFile;
    expect(w.drive.text(file.id)).toBe(CSV);
    expect(w.drive.state.files.size).toBe(1);
  });

  it("refuses bad input with a TypeError naming the field", async () => {
    const w = await driveWorld(server);
    await expect(
      w.action("uploadFile", { name: "a.csv", mimeType: "text/csv", content: "not base64!" }),
    ).rejects.toThrow('uploadFile: "content": Invalid base64-encoded string');
    await expect(
      w.action("uploadFile", { name: "", mimeType: "text/csv", content: "" }),
    ).rejects.toThrow('uploadFile: "name"');
    await expect(
      w.action("uploadFile", { name: "a", mimeType: "csv", content: "" }),
    ).rejects.toThrow('uploadFile: "mimeType": must be a MIME type such as text/csv');
    const big = Buffer.alloc(5 * 1024 * 1024 + 1).toString("base64");
    await expect(
      w.action("uploadFile", {
        name: "big.bin",
        mimeType: "application/octet-stream",
        content: big,
      }),
    ).rejects.toThrow(
      'uploadFile: "content" is 5242881 bytes; a multipart upload carries at most 5242880 bytes (5 MB)',
    );
    expect(w.drive.state.files.size).toBe(0);
  });

  it("with only drive.readonly, Drive refuses the upload for insufficient scopes", async () => {
    const w = await driveWorld(server, { scopes: [DRIVE_SCOPES.readonly] });
    await expect(
      w.action("uploadFile", { name: "a.csv", mimeType: "text/csv", content: "" }),
    ).rejects.toThrow(/insufficient authentication scopes/);
  });
});

describe("through Patchbay", () => {
  it("uploadFile runs through patchbay.actions.run, with core checking the input", async (context) => {
    const w = await driveWorld(server);
    // patchbay.actions is being added to core; until it lands this test has nothing to drive.
    const run = (
      w.patchbay as unknown as { actions?: { run?: (input: object) => Promise<unknown> } }
    ).actions?.run;
    if (run === undefined) return context.skip("core has no patchbay.actions.run yet");
    const file = (await run({
      tenantId: w.connection.tenantId,
      connectionId: w.connection.id,
      action: "uploadFile",
      input: { name: "a.csv", mimeType: "text/csv", content: base64(CSV) },
    })) as DriveFile;
    expect(w.drive.text(file.id)).toBe(CSV);
    await expect(
      run({
        tenantId: w.connection.tenantId,
        connectionId: w.connection.id,
        action: "uploadFile",
        input: { name: "a.csv", mimeType: "text/csv", content: "not base64!" },
      }),
    ).rejects.toThrow(/content/);
  });
});

describe("findFile and deleteFile", () => {
  it("finds the previous export by exact name in the folder, newest first, ignoring the trash", async () => {
    // A clock that moves a second per change, so "newest" means something.
    let clock = Date.now();
    const w = await driveWorld(server, { fake: { now: () => (clock += 1000) } });
    const folder = w.drive.addFolder({ name: "Exports" });
    await w.configure({ folderId: folder.id });
    w.drive.addFile({ name: "O'Brien's pitches.csv" }); // same name, other folder
    const newer = w.drive.addFile({ name: "O'Brien's pitches.csv", parentId: folder.id });
    const older = w.drive.addFile({ name: "O'Brien's pitches.csv", parentId: folder.id });
    w.drive.editFile(newer.id, "edited last\n");
    w.drive.trashFile(w.drive.addFile({ name: "O'Brien's pitches.csv", parentId: folder.id }).id);

    const found = (await w.action("findFile", { name: "O'Brien's pitches.csv" })) as DriveFile;
    expect(found.id).toBe(newer.id);
    expect(found.id).not.toBe(older.id);
    expect(await w.action("findFile", { name: "nothing.csv" })).toBeNull();
    expect(
      await w.action("findFile", { name: "O'Brien's pitches.csv", folderId: "root" }),
    ).toMatchObject({
      parents: [w.drive.rootId],
    });
  });

  it("deleteFile deletes for good, and says so; a file already gone is not an error", async () => {
    const w = await driveWorld(server);
    const file = w.drive.addFile({ name: "old export.csv" });
    expect(await w.action("deleteFile", { fileId: file.id })).toEqual({
      fileId: file.id,
      deleted: true,
    });
    expect(w.drive.file(file.id)).toBeUndefined();
    expect(await w.action("deleteFile", { fileId: file.id })).toEqual({
      fileId: file.id,
      deleted: false,
    });
  });
});

describe("folders", () => {
  it("createFolder makes a folder a host can then pick and upload into", async () => {
    const w = await driveWorld(server);
    const parent = (await w.action("createFolder", { name: "Patchbay" })) as DriveFile;
    const child = (await w.action("createFolder", {
      name: "Exports",
      parentId: parent.id,
    })) as DriveFile;
    expect(child).toMatchObject({ mimeType: DRIVE_FOLDER_MIME_TYPE, parents: [parent.id] });
    expect(child.webViewLink).toBe(`https://drive.google.com/drive/folders/${child.id}`);

    const file = (await w.action("uploadFile", {
      name: "a.csv",
      mimeType: "text/csv",
      content: "",
      folderId: child.id,
    })) as DriveFile;
    expect(file.parents).toEqual([child.id]);
  });

  it("listFolders lists folders by name, under a parent when given, without files or trashed ones", async () => {
    const w = await driveWorld(server, { connector: { pageSize: 2 } });
    const music = w.drive.addFolder({ name: "Music" });
    const campaigns = w.drive.addFolder({ name: "Campaigns" });
    const exports = w.drive.addFolder({ name: "Exports", parentId: campaigns.id });
    const archive = w.drive.addFolder({ name: "Archive", parentId: campaigns.id });
    w.drive.trashFile(w.drive.addFolder({ name: "Old" }).id);
    w.drive.addFile({ name: "not a folder.txt" });
    w.drive.addFolder({ name: "Made in Drive", visibleToApp: false });

    const all = (await w.action("listFolders", {})) as { folders: DriveFile[] };
    expect(all.folders.map((f) => f.name)).toEqual(["Archive", "Campaigns", "Exports", "Music"]);
    const under = (await w.action("listFolders", { parentId: campaigns.id })) as {
      folders: DriveFile[];
    };
    expect(under.folders.map((f) => f.id)).toEqual([archive.id, exports.id]);
    expect(all.folders.map((f) => f.id)).toContain(music.id);
  });
});
