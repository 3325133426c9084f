/**
 * The fake follows Drive's reference where the connector's correctness
 * depends on it: paging, the changes feed, error bodies, uploads, channels.
 * Driven with plain `fetch`, as any client would call Drive.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DRIVE_API, DRIVE_SCOPES, DRIVE_UPLOAD_API } from "../src/index.js";
import { createGoogleDriveFake, type GoogleDriveFake } from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

type Json = Record<string, unknown> & {
  error?: { code: number; message: string; errors: Array<Record<string, string>> };
};

function setup(scopes: string[] = [DRIVE_SCOPES.file]) {
  const drive = createGoogleDriveFake();
  server.use(...drive.handlers);
  const { accessToken } = drive.oauth.issueTokens({ scopes });
  const call = async (path: string, init: RequestInit & { base?: string } = {}) => {
    const response = await fetch(`${init.base ?? DRIVE_API}/${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(init.headers as Record<string, string>),
      },
    });
    const type = response.headers.get("content-type") ?? "";
    const body = type.includes("json") ? ((await response.json()) as Json) : await response.text();
    return { status: response.status, body: body as Json, response };
  };
  return { drive, call };
}

const errorOf = (body: Json) => ({
  code: body.error?.code,
  message: body.error?.message,
  ...body.error?.errors[0],
});

describe("fake Drive: requests and errors", () => {
  it("answers an unknown id with Drive's 404 naming the fileId parameter", async () => {
    const { call } = setup();
    const { status, body } = await call("files/1nope?fields=id");
    expect(status).toBe(404);
    expect(errorOf(body)).toEqual({
      code: 404,
      message: "File not found: 1nope.",
      domain: "global",
      reason: "notFound",
      location: "fileId",
      locationType: "parameter",
    });
  });

  it("refuses a request without a valid bearer token with Google's 401", async () => {
    const { drive } = setup();
    const response = await fetch(`${DRIVE_API}/files`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(drive.log).toEqual([]);
  });

  it("refuses a query term it cannot read with 400 Invalid Value on q", async () => {
    const { drive, call } = setup();
    const { status, body } = await call(`files?q=${encodeURIComponent("name contains 'pitch'")}`);
    expect(status).toBe(400);
    expect(errorOf(body)).toMatchObject({
      message: "Invalid Value",
      reason: "invalid",
      location: "q",
    });
    expect(drive.lastInvalidQuery?.reason).toBe('"name contains" is not supported by the fake');
  });

  it("requires fields on about.get, and refuses unknown field names", async () => {
    const { call } = setup();
    expect(errorOf((await call("about")).body)).toMatchObject({
      code: 400,
      message: "The 'fields' parameter is required for this method.",
      reason: "required",
      location: "fields",
    });
    expect(errorOf((await call("files?fields=files(id,colour)")).body)).toMatchObject({
      code: 400,
      message: "Invalid field selection colour",
      location: "fields",
    });
    const about = await call("about?fields=user(emailAddress)");
    expect(about.body).toEqual({ user: { emailAddress: "promoter@sandbox.example.com" } });
  });

  it("with drive.file, files the user made in Drive are not there at all", async () => {
    const { drive, call } = setup();
    const hidden = drive.addFile({ name: "private.txt", visibleToApp: false });
    expect((await call(`files/${hidden.id}`)).status).toBe(404);
    expect((await call("files")).body.files).toEqual([]);
  });
});

describe("fake Drive: files.list paging", () => {
  it("pages with nextPageToken, absent on the last page, and coerces pageSize to 1000", async () => {
    const { drive, call } = setup();
    for (let i = 0; i < 5; i++) drive.addFile({ name: `f${i}` });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { body } = await call(
        `files?pageSize=2${token ? `&pageToken=${encodeURIComponent(token)}` : ""}&fields=nextPageToken,files(name)`,
      );
      pages++;
      for (const f of body.files as Array<{ name: string }>) seen.push(f.name);
      token = body.nextPageToken as string | undefined;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    const big = await call("files?pageSize=5000");
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({ kind: "drive#fileList", incompleteSearch: false });
    expect((await call("files?pageSize=0")).status).toBe(400);
  });

  it("refuses a page token used with another query", async () => {
    const { drive, call } = setup();
    for (let i = 0; i < 3; i++) drive.addFile({ name: `f${i}` });
    const first = await call("files?pageSize=1&q=trashed%3Dfalse");
    const token = encodeURIComponent(first.body.nextPageToken as string);
    expect((await call(`files?pageSize=1&pageToken=${token}`)).status).toBe(400);
  });
});

describe("fake Drive: the changes feed", () => {
  it("lists one entry per file, pages with nextPageToken, and ends with newStartPageToken", async () => {
    const { drive, call } = setup();
    const { body: start } = await call("changes/startPageToken");
    expect(start).toEqual({
      kind: "drive#startPageToken",
      startPageToken: expect.stringMatching(/^\d+$/),
    });
    const a = drive.addFile({ name: "a" });
    const b = drive.addFile({ name: "b" });
    drive.renameFile(a.id, "a2");
    drive.renameFile(a.id, "a3");
    const c = drive.addFile({ name: "c" });
    drive.deleteFile(c.id);

    const first = await call(`changes?pageToken=${start.startPageToken}&pageSize=2&fields=*`);
    expect(first.body.newStartPageToken).toBeUndefined();
    const second = await call(`changes?pageToken=${first.body.nextPageToken}&pageSize=2&fields=*`);
    expect(second.body.nextPageToken).toBeUndefined();
    expect(second.body.newStartPageToken).toBe(drive.state.startPageToken());

    const entries = [...(first.body.changes as Json[]), ...(second.body.changes as Json[])];
    expect(entries.map((e) => [e.fileId, e.removed, (e.file as Json | undefined)?.name])).toEqual([
      [b.id, false, "b"],
      [a.id, false, "a3"],
      [c.id, true, undefined],
    ]);
    expect(entries[0]).toMatchObject({
      kind: "drive#change",
      changeType: "file",
      time: expect.any(String),
    });
  });

  it("needs a pageToken, and refuses one from the future", async () => {
    const { call } = setup();
    expect(errorOf((await call("changes")).body)).toMatchObject({
      reason: "required",
      location: "pageToken",
    });
    expect((await call("changes?pageToken=999999999")).status).toBe(400);
  });
});

describe("fake Drive: uploads and downloads", () => {
  async function upload(
    call: ReturnType<typeof setup>["call"],
    body: BodyInit,
    query: string,
    type: string,
    method = "POST",
    path = "files",
  ) {
    return call(`${path}?${query}`, {
      base: DRIVE_UPLOAD_API,
      method,
      body,
      headers: { "content-type": type },
    });
  }

  it("takes a media upload, serves it back with alt=media, and replaces it with a media PATCH", async () => {
    const { call } = setup();
    const created = await upload(
      call,
      "v1",
      "uploadType=media&fields=id,name,mimeType,version",
      "text/plain",
    );
    expect(created.body).toMatchObject({ name: "Untitled", mimeType: "text/plain", version: "1" });
    const id = created.body.id as string;
    await upload(call, "version two", "uploadType=media", "text/plain", "PATCH", `files/${id}`);
    const download = await call(`files/${id}?alt=media`);
    expect(download.body).toBe("version two");
    expect(download.response.headers.get("content-type")).toBe("text/plain");
  });

  it("refuses parents in an update's metadata, as Drive does", async () => {
    const { drive, call } = setup();
    const file = drive.addFile({ name: "a.txt" });
    const { status, body } = await call(`files/${file.id}`, {
      method: "PATCH",
      body: JSON.stringify({ parents: ["x"] }),
      headers: { "content-type": "application/json" },
    });
    expect(status).toBe(403);
    expect(errorOf(body)).toMatchObject({ reason: "fieldNotWritable" });
  });

  it("refuses a malformed multipart body and an unsupported upload type", async () => {
    const { call } = setup();
    const broken = await upload(
      call,
      "--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--",
      "uploadType=multipart",
      "multipart/related; boundary=x",
    );
    expect(broken.status).toBe(400);
    expect((await upload(call, "x", "uploadType=resumable", "text/plain")).status).toBe(400);
  });

  it("does not download Docs editor files", async () => {
    const { drive, call } = setup();
    const doc = drive.addFile({ name: "Notes", mimeType: "application/vnd.google-apps.document" });
    expect(errorOf((await call(`files/${doc.id}?alt=media`)).body)).toMatchObject({
      code: 403,
      reason: "fileNotDownloadable",
    });
  });
});

describe("fake Drive: channels", () => {
  const watch = (
    call: ReturnType<typeof setup>["call"],
    channel: Record<string, unknown>,
    token = "4100",
  ) =>
    call(`changes/watch?pageToken=${token}`, {
      method: "POST",
      body: JSON.stringify({ type: "web_hook", ...channel }),
      headers: { "content-type": "application/json" },
    });

  it("opens a channel for at most a week, refuses http addresses and reused ids, and stops it once", async () => {
    const { drive, call } = setup();
    const token = drive.state.startPageToken();
    const tooLong = Date.now() + 30 * 24 * 3600_000;
    const opened = await watch(
      call,
      { id: "ch-1", address: "https://app.example.com/hook", expiration: String(tooLong) },
      token,
    );
    expect(opened.body).toMatchObject({
      kind: "api#channel",
      id: "ch-1",
      resourceId: expect.any(String),
    });
    expect(Number(opened.body.expiration)).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);

    expect(
      errorOf(
        (await watch(call, { id: "ch-1", address: "https://app.example.com/hook" }, token)).body,
      ),
    ).toMatchObject({
      reason: "channelIdNotUnique",
    });
    expect(
      errorOf(
        (await watch(call, { id: "ch-2", address: "http://app.example.com/hook" }, token)).body,
      ),
    ).toMatchObject({
      code: 400,
      reason: "push.webhookUrlNotHttps",
    });

    const stop = () =>
      call("channels/stop", {
        method: "POST",
        body: JSON.stringify({ id: "ch-1", resourceId: opened.body.resourceId }),
        headers: { "content-type": "application/json" },
      });
    expect((await stop()).status).toBe(204);
    expect(errorOf((await stop()).body)).toMatchObject({ code: 404, reason: "notFound" });
  });

  it("builds push messages with Drive's X-Goog headers and no body", async () => {
    const { drive, call } = setup();
    const opened = await watch(
      call,
      { id: "ch-9", address: "https://app.example.com/hook", token: "s3cret" },
      drive.state.startPageToken(),
    );
    const connection = { metadata: { channelId: "ch-9" } };
    const sync = drive.webhook(connection, { state: "sync" });
    const change = drive.webhook(connection);
    expect(Object.fromEntries(change.headers)).toMatchObject({
      "x-goog-channel-id": "ch-9",
      "x-goog-channel-token": "s3cret",
      "x-goog-resource-id": opened.body.resourceId,
      "x-goog-resource-state": "change",
      "x-goog-message-number": "2",
      "x-goog-channel-expiration": expect.stringMatching(/GMT$/),
    });
    expect(sync.headers.get("x-goog-message-number")).toBe("1");
    expect(
      drive.webhook(connection, { forged: true }).headers.get("x-goog-channel-token"),
    ).not.toBe("s3cret");
    expect(await change.text()).toBe("");
    expect(change.url).toBe("https://app.example.com/hook");
  });
});

describe("fake Drive: the user's side", () => {
  it("trashing a folder trashes what is in it, and restoring brings it back", () => {
    const drive: GoogleDriveFake = createGoogleDriveFake();
    const folder = drive.addFolder({ name: "Campaigns" });
    const file = drive.addFile({ name: "a.csv", parentId: folder.id });
    drive.trashFile(folder.id);
    expect(drive.file(file.id)?.trashed).toBe(true);
    expect(drive.records().has(file.id)).toBe(false);
    drive.restoreFile(folder.id);
    expect(drive.records().has(file.id)).toBe(true);
    const before = drive.file(file.id)?.version ?? 0;
    drive.editFile(file.id, "new");
    expect(drive.file(file.id)?.version).toBe(before + 1);
  });

  it("seeds a plausible sandbox Drive", () => {
    const drive = createGoogleDriveFake();
    const folder = drive.seedSample();
    expect([...drive.records({ folderId: folder.id }).values()].map((r) => r.name)).toEqual([
      "Pitch list - week 12.csv",
    ]);
    expect(drive.records().size).toBe(4);
  });
});
