/**
 * A stateful fake of the Google Drive API v3 for MSW, built from the API
 * reference: files (list with a `q` subset, get, `alt=media`, create, update,
 * delete), multipart and media uploads, the changes feed with Drive's page
 * tokens, notification channels, `about`, partial responses (`fields`),
 * Drive's error bodies and rate-limit answers, and Google's OAuth server.
 * It also plays the user: adding, renaming, editing, moving and trashing
 * files as they would in Drive's own UI.
 */
import { randomUUID } from "node:crypto";
import type { drive_v3 } from "@googleapis/drive";
import type { Connection } from "@patchbay/core";
import {
  createGoogleOAuthFake,
  googleError,
  googleRateLimited,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import {
  DRIVE_API,
  DRIVE_CHANGES_CHANNEL_MAX_TTL_MS,
  DRIVE_FILE_FIELDS,
  DRIVE_FOLDER_MIME_TYPE,
  DRIVE_MAX_PAGE_SIZE,
  DRIVE_SCOPES,
  DRIVE_UPLOAD_API,
} from "../endpoints.js";
import { fileNotFound, invalidValue, parameterError } from "./errors.js";
import {
  ABOUT_SHAPE,
  CHANGE_LIST_SHAPE,
  checkFieldSelector,
  FILE_LIST_SHAPE,
  FILE_SHAPE,
  FieldSelectionError,
  parseFieldSelector,
  type ResourceShape,
  selectFields,
} from "./fields.js";
import { MultipartError, parseMultipartRelated } from "./multipart.js";
import { DriveQueryError, type FileQuery, parseDriveQuery } from "./query.js";
import {
  createDriveState,
  type FakeDriveChannel,
  type FakeDriveFile,
  hasBinaryContent,
  renderFile,
} from "./state.js";

/**
 * The redirect URI the fake's OAuth client accepts by default: register the
 * same path in a sandbox host.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "google-drive", redirectUri: GOOGLE_DRIVE_SANDBOX_REDIRECT_URI });
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#uri-validation
 */
export const GOOGLE_DRIVE_SANDBOX_REDIRECT_URI =
  "https://app.example.com/integrations/google-drive/callback";

/** Where {@link GoogleDriveFake.webhook} delivers when the channel is unknown. */
const DEFAULT_WEBHOOK_ADDRESS = "https://app.example.com/integrations/webhooks/google-drive";

/** The Cloud project number Drive names in channel errors. */
const PROJECT_NUMBER = "123456789012";

/**
 * Options of {@link createGoogleDriveFake}.
 *
 * @example
 * ```ts
 * const drive = createGoogleDriveFake({ now: () => clock, verifiedDomains: ["example.com"] });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export interface GoogleDriveFakeOptions {
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Redirect URIs registered with the fake OAuth client. Default: {@link GOOGLE_DRIVE_SANDBOX_REDIRECT_URI}. */
  redirectUris?: string[];
  /** Share one Google OAuth fake between several Google fakes. Default: a new one. */
  oauth?: FakeOAuthServer;
  /** The Drive user `about.get` describes. */
  user?: { displayName: string; emailAddress: string };
  /**
   * Domains verified for webhook addresses. When set, `changes.watch` to any
   * other host is refused with Drive's 401 `push.webhookUrlUnauthorized`.
   * Default: every https address is accepted.
   */
  verifiedDomains?: string[];
}

/**
 * What the user adds to their Drive.
 *
 * @example
 * ```ts
 * drive.addFile({ name: "Made in Drive.csv", mimeType: "text/csv", content: "a,b\n", visibleToApp: false });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/api-specific-auth
 */
export interface AddFileInput {
  name: string;
  /** Default `text/plain`. */
  mimeType?: string;
  /** Text (UTF-8) or bytes. Default empty. */
  content?: string | Uint8Array;
  /** Default: My Drive's root. */
  parentId?: string;
  /**
   * Whether an app with only `drive.file` sees it. Default `true`: the app
   * created it, or the user opened it with the app (Google Picker). `false`
   * is a file the user made in Drive's UI, which such an app cannot see.
   */
  visibleToApp?: boolean;
}

/**
 * One request the fake answered, for assertions.
 *
 * @example
 * ```ts
 * const tokens = drive.log.filter((l) => l.method === "changes.list").map((l) => l.query.pageToken);
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export interface DriveRequestLog {
  /** Drive's method name: `files.list`, `changes.list`, `files.create`... */
  method: string;
  query: Record<string, string>;
}

type Access = { scopes: string[]; readAll: boolean; writeAll: boolean };

const encoder = new TextEncoder();

function bytesOf(content: string | Uint8Array | undefined): Uint8Array {
  if (content === undefined) return new Uint8Array(0);
  return typeof content === "string" ? encoder.encode(content) : new Uint8Array(content);
}

function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

function parsePageSize(value: string | null): number | "invalid" | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) return "invalid";
  // Drive coerces values above its maximum.
  return Math.min(n, DRIVE_MAX_PAGE_SIZE);
}

/**
 * Create a fake Google Drive.
 *
 * @example
 * ```ts
 * const drive = createGoogleDriveFake();
 * const server = setupServer(...drive.handlers);
 * const folder = drive.addFolder({ name: "Exports" });
 * drive.addFile({ name: "pitches.csv", mimeType: "text/csv", content: "artist\nAda\n", parentId: folder.id });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export function createGoogleDriveFake(options: GoogleDriveFakeOptions = {}) {
  const state = createDriveState({ now: options.now });
  const now = state.now;
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({
      redirectUris: options.redirectUris ?? [GOOGLE_DRIVE_SANDBOX_REDIRECT_URI],
      now: options.now,
    });
  const user = options.user ?? {
    displayName: "Sandbox Promoter",
    emailAddress: "promoter@sandbox.example.com",
  };
  const log: DriveRequestLog[] = [];
  let rateLimited: Array<429 | 403> = [];
  /** files.list page tokens carry this; bump it to make outstanding tokens stale. */
  let listTokenEpoch = 1;

  // ── access ─────────────────────────────────────────────────────────────

  /** Check the bearer token, the rate limit and the scopes; a Response means "answer this". */
  function admit(request: Request, method: string, need: "read" | "write"): Access | Response {
    const auth = oauth.verifyBearer(request);
    if (!auth.valid) return googleUnauthorized("legacy");
    const limited = rateLimited.shift();
    if (limited === 429) return googleRateLimited("legacy");
    if (limited === 403)
      return googleError(403, "userRateLimitExceeded", "User rate limit exceeded.", "legacy");
    const scopes = auth.scopes;
    const has = (s: string) => scopes.includes(s);
    const canWrite = has(DRIVE_SCOPES.file) || has(DRIVE_SCOPES.full);
    const canRead = canWrite || has(DRIVE_SCOPES.readonly);
    if (need === "write" ? !canWrite : !canRead) {
      return googleError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        "legacy",
      );
    }
    const url = new URL(request.url);
    log.push({ method, query: queryOf(url) });
    return {
      scopes,
      readAll: has(DRIVE_SCOPES.full) || has(DRIVE_SCOPES.readonly),
      writeAll: has(DRIVE_SCOPES.full),
    };
  }

  const visible = (file: FakeDriveFile, access: Access) => access.readAll || file.visibleToApp;
  const writable = (file: FakeDriveFile, access: Access) => access.writeAll || file.visibleToApp;

  /** A file the caller may read, or Drive's 404. */
  function readable(id: string, access: Access): FakeDriveFile | Response {
    const file = state.files.get(id === "root" ? state.rootId : id);
    if (file === undefined || !visible(file, access)) return fileNotFound(id);
    return file;
  }

  /** A file the caller may change, or Drive's 404 / 403 appNotAuthorizedToFile. */
  function changeable(id: string, access: Access): FakeDriveFile | Response {
    const file = readable(id, access);
    if (file instanceof Response) return file;
    if (!writable(file, access)) {
      return googleError(
        403,
        "appNotAuthorizedToFile",
        `The user has not granted the app ${PROJECT_NUMBER} write access to the file ${id}.`,
        "legacy",
      );
    }
    return file;
  }

  /** Whether a new file may go into `parentId` (My Drive's root always takes files). */
  function parentFor(id: string | undefined, access: Access): string | Response {
    if (id === undefined || id === "root" || id === state.rootId) return state.rootId;
    const parent = changeable(id, access);
    if (parent instanceof Response) return parent;
    if (parent.mimeType !== DRIVE_FOLDER_MIME_TYPE)
      return parameterError(400, "invalid", "The specified parent is not a folder.", "parents");
    return parent.id;
  }

  // ── partial responses ──────────────────────────────────────────────────

  /** The resource with only the fields asked for (or Drive's defaults), or Drive's 400. */
  function project(
    url: URL,
    resource: unknown,
    shape: ResourceShape,
    defaults: string,
    init?: ResponseInit,
  ): Response {
    const asked = url.searchParams.get("fields");
    try {
      const selector = parseFieldSelector(asked ?? defaults);
      if (asked !== null) checkFieldSelector(selector, shape);
      return HttpResponse.json(selectFields(resource, selector) as Record<string, unknown>, init);
    } catch (error) {
      if (error instanceof FieldSelectionError)
        return parameterError(400, "invalidParameter", error.message, "fields");
      throw error;
    }
  }
  const FILE_DEFAULT = "kind,id,name,mimeType";
  const fileResponse = (url: URL, file: FakeDriveFile, init?: ResponseInit) =>
    project(url, renderFile(file) satisfies drive_v3.Schema$File, FILE_SHAPE, FILE_DEFAULT, init);

  // ── files.list ─────────────────────────────────────────────────────────

  const ORDER_KEYS: Record<string, (a: FakeDriveFile, b: FakeDriveFile) => number> = {
    createdTime: (a, b) => a.createdTime - b.createdTime,
    modifiedTime: (a, b) => a.modifiedTime - b.modifiedTime,
    name: (a, b) => a.name.localeCompare(b.name),
    folder: (a, b) =>
      Number(b.mimeType === DRIVE_FOLDER_MIME_TYPE) - Number(a.mimeType === DRIVE_FOLDER_MIME_TYPE),
  };

  function orderBy(spec: string | null): ((a: FakeDriveFile, b: FakeDriveFile) => number) | null {
    if (spec === null || spec.trim() === "") return () => 0;
    const keys: Array<(a: FakeDriveFile, b: FakeDriveFile) => number> = [];
    for (const part of spec.split(",")) {
      const [key, direction, extra] = part.trim().split(/\s+/);
      const compare = ORDER_KEYS[key ?? ""];
      if (compare === undefined || extra !== undefined) return null;
      if (direction !== undefined && direction !== "desc" && direction !== "asc") return null;
      keys.push(direction === "desc" ? (a, b) => compare(b, a) : compare);
    }
    return (a, b) => {
      for (const k of keys) {
        const d = k(a, b);
        if (d !== 0) return d;
      }
      return 0;
    };
  }

  function listFiles(request: Request): Response {
    const access = admit(request, "files.list", "read");
    if (access instanceof Response) return access;
    const url = new URL(request.url);
    const q = url.searchParams.get("q") ?? "";
    let query: FileQuery;
    try {
      query = parseDriveQuery(q);
    } catch (error) {
      if (error instanceof DriveQueryError) {
        fake.lastInvalidQuery = { q, reason: error.message };
        return invalidValue("q");
      }
      throw error;
    }
    const size = parsePageSize(url.searchParams.get("pageSize"));
    if (size === "invalid") return invalidValue("pageSize");
    const compare = orderBy(url.searchParams.get("orderBy"));
    if (compare === null) return invalidValue("orderBy");
    let offset = 0;
    const token = url.searchParams.get("pageToken");
    if (token !== null) {
      const decoded = decodeListToken(token);
      if (decoded === undefined || decoded.q !== q || decoded.e !== listTokenEpoch)
        return invalidValue("pageToken");
      offset = decoded.o;
    }
    const matches = [...state.files.values()]
      .filter((f) => visible(f, access) && query(f, state.rootId))
      .sort(compare);
    // Without pageSize Drive returns the whole list for My Drive (the reference's words).
    const pageSize = size ?? matches.length;
    const page = matches.slice(offset, offset + pageSize);
    const more = offset + page.length < matches.length;
    const body: drive_v3.Schema$FileList = {
      kind: "drive#fileList",
      incompleteSearch: false,
      ...(more && {
        nextPageToken: encodeListToken({ o: offset + page.length, q, e: listTokenEpoch }),
      }),
      files: page.map(renderFile),
    };
    return project(
      url,
      body,
      FILE_LIST_SHAPE,
      "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)",
    );
  }

  function encodeListToken(token: { o: number; q: string; e: number }): string {
    return `~!!~${Buffer.from(JSON.stringify(token)).toString("base64url")}`;
  }

  function decodeListToken(token: string): { o: number; q: string; e: number } | undefined {
    if (!token.startsWith("~!!~")) return undefined;
    try {
      const value = JSON.parse(Buffer.from(token.slice(4), "base64url").toString("utf8"));
      if (
        typeof value?.o === "number" &&
        typeof value.q === "string" &&
        typeof value.e === "number"
      )
        return value;
    } catch {
      // not ours
    }
    return undefined;
  }

  // ── changes ────────────────────────────────────────────────────────────

  function listChanges(request: Request): Response {
    const access = admit(request, "changes.list", "read");
    if (access instanceof Response) return access;
    const url = new URL(request.url);
    const token = url.searchParams.get("pageToken");
    if (token === null)
      return parameterError(400, "required", "Required parameter: pageToken", "pageToken");
    const from = Number(token);
    if (!/^\d+$/.test(token) || from < 1 || from > state.lastChangeId() + 1)
      return invalidValue("pageToken");
    const size = parsePageSize(url.searchParams.get("pageSize"));
    if (size === "invalid") return invalidValue("pageSize");
    const pageSize = size ?? 100;
    const includeRemoved = url.searchParams.get("includeRemoved") !== "false";
    // One entry per file: its latest change since the token, in log order.
    const latest = new Map<string, (typeof state.changes)[number]>();
    for (const change of state.changes) if (change.id >= from) latest.set(change.fileId, change);
    const entries = [...latest.values()]
      .filter((c) => {
        if (c.removed) return includeRemoved && (access.readAll || c.visibleToApp);
        const file = state.files.get(c.fileId);
        return file !== undefined && visible(file, access);
      })
      .sort((a, b) => a.id - b.id);
    const page = entries.slice(0, pageSize);
    const more = entries.length > page.length;
    const body: drive_v3.Schema$ChangeList = {
      kind: "drive#changeList",
      ...(more
        ? { nextPageToken: String((page[page.length - 1]?.id ?? from) + 1) }
        : { newStartPageToken: state.startPageToken() }),
      changes: page.map((c): drive_v3.Schema$Change => {
        const file = c.removed ? undefined : state.files.get(c.fileId);
        return {
          kind: "drive#change",
          changeType: "file",
          time: new Date(c.time).toISOString(),
          removed: c.removed,
          fileId: c.fileId,
          ...(file !== undefined && { file: renderFile(file) }),
        };
      }),
    };
    return project(
      url,
      body,
      CHANGE_LIST_SHAPE,
      "kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,file(kind,id,name,mimeType))",
    );
  }

  async function watchChanges(request: Request): Promise<Response> {
    const access = admit(request, "changes.watch", "read");
    if (access instanceof Response) return access;
    const url = new URL(request.url);
    const token = url.searchParams.get("pageToken");
    if (token === null)
      return parameterError(400, "required", "Required parameter: pageToken", "pageToken");
    if (!/^\d+$/.test(token) || Number(token) > state.lastChangeId() + 1)
      return invalidValue("pageToken");
    let body: drive_v3.Schema$Channel;
    try {
      body = (await request.json()) as drive_v3.Schema$Channel;
    } catch {
      return googleError(400, "parseError", "Parse Error", "legacy");
    }
    if (typeof body?.id !== "string" || body.id === "")
      return parameterError(400, "required", "Required", "resource.id");
    if (body.type !== "web_hook" && body.type !== "webhook")
      return parameterError(400, "invalid", "Invalid Value", "resource.type");
    const address = typeof body.address === "string" ? body.address : "";
    let target: URL | undefined;
    try {
      target = new URL(address);
    } catch {
      target = undefined;
    }
    if (target === undefined || target.protocol !== "https:")
      return googleError(
        400,
        "push.webhookUrlNotHttps",
        `WebHook callback must be HTTPS: ${address}`,
        "legacy",
      );
    if (
      options.verifiedDomains !== undefined &&
      !options.verifiedDomains.some(
        (d) => target.hostname === d || target.hostname.endsWith(`.${d}`),
      )
    ) {
      return googleError(
        401,
        "push.webhookUrlUnauthorized",
        `Unauthorized WebHook callback channel: ${address}`,
        "legacy",
      );
    }
    const existing = state.channels.get(body.id);
    if (existing !== undefined && !existing.stopped)
      return googleError(400, "channelIdNotUnique", `Channel id ${body.id} not unique`, "legacy");
    if (body.token !== undefined && body.token !== null && body.token.length > 256)
      return parameterError(400, "invalid", "Invalid Value", "resource.token");
    const at = now();
    const requested = body.expiration === undefined ? Number.NaN : Number(body.expiration);
    // No expiration: Drive's default hour. Longer than a week: cut to a week.
    const expiration = Number.isFinite(requested)
      ? Math.min(requested, at + DRIVE_CHANGES_CHANNEL_MAX_TTL_MS)
      : at + 60 * 60 * 1000;
    const channel: FakeDriveChannel = {
      id: body.id,
      resourceId: state.newResourceId(),
      resourceUri: `${DRIVE_API}/changes?alt=json&pageToken=${token}`,
      token: body.token ?? undefined,
      address,
      expiration,
      pageToken: token,
      messageNumber: 1,
      stopped: false,
    };
    state.channels.set(channel.id, channel);
    return HttpResponse.json({
      kind: "api#channel",
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      ...(channel.token !== undefined && { token: channel.token }),
      expiration: String(channel.expiration),
    } satisfies drive_v3.Schema$Channel);
  }

  async function stopChannel(request: Request): Promise<Response> {
    const access = admit(request, "channels.stop", "read");
    if (access instanceof Response) return access;
    const body = (await request.json().catch(() => ({}))) as drive_v3.Schema$Channel;
    const channel = typeof body.id === "string" ? state.channels.get(body.id) : undefined;
    if (channel === undefined || channel.stopped || channel.resourceId !== body.resourceId) {
      return googleError(
        404,
        "notFound",
        `Channel '${String(body.id)}' not found for project '${PROJECT_NUMBER}'`,
        "legacy",
      );
    }
    channel.stopped = true;
    return new HttpResponse(null, { status: 204 });
  }

  // ── uploads and writes ─────────────────────────────────────────────────

  /** The metadata and bytes of an upload, or Drive's 400. */
  async function readUpload(
    request: Request,
    url: URL,
  ): Promise<{ metadata: Record<string, unknown>; bytes: Uint8Array; type?: string } | Response> {
    const uploadType = url.searchParams.get("uploadType");
    const raw = new Uint8Array(await request.arrayBuffer());
    if (uploadType === "media") {
      const type = request.headers.get("content-type") ?? undefined;
      return { metadata: {}, bytes: raw, ...(type !== undefined && { type }) };
    }
    if (uploadType === "multipart") {
      try {
        const { metadata, media } = parseMultipartRelated(request.headers.get("content-type"), raw);
        return {
          metadata,
          bytes: media.bytes,
          ...(media.contentType !== undefined && { type: media.contentType }),
        };
      } catch (error) {
        // Drive's wording for a broken body is not documented; the shape is.
        if (error instanceof MultipartError)
          return googleError(400, "badContent", `Bad multipart body: ${error.message}`, "legacy");
        throw error;
      }
    }
    // `resumable` is real Drive, but not part of this fake.
    return invalidValue("uploadType");
  }

  function metadataError(metadata: Record<string, unknown>): Response | undefined {
    for (const key of ["name", "mimeType"] as const) {
      if (metadata[key] !== undefined && typeof metadata[key] !== "string")
        return invalidValue(key);
    }
    return undefined;
  }

  async function createFile(request: Request, upload: boolean): Promise<Response> {
    const access = admit(request, "files.create", "write");
    if (access instanceof Response) return access;
    const url = new URL(request.url);
    let metadata: Record<string, unknown>;
    let bytes: Uint8Array = new Uint8Array(0);
    let mediaType: string | undefined;
    if (upload) {
      const read = await readUpload(request, url);
      if (read instanceof Response) return read;
      ({ metadata, bytes } = read);
      mediaType = read.type;
    } else {
      const text = await request.text();
      try {
        metadata = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        return googleError(400, "parseError", "Parse Error", "legacy");
      }
    }
    const bad = metadataError(metadata);
    if (bad !== undefined) return bad;
    const parents = metadata.parents;
    if (
      parents !== undefined &&
      (!Array.isArray(parents) || parents.length > 1 || typeof parents[0] !== "string")
    )
      return invalidValue("parents");
    const parent = parentFor(parents?.[0] as string | undefined, access);
    if (parent instanceof Response) return parent;
    const file = state.create({
      name: (metadata.name as string | undefined) ?? "Untitled",
      mimeType:
        (metadata.mimeType as string | undefined) ??
        mediaType?.split(";")[0]?.trim() ??
        "application/octet-stream",
      parents: [parent],
      content: bytes,
      visibleToApp: true,
    });
    return fileResponse(url, file);
  }

  async function updateFile(request: Request, fileId: string, upload: boolean): Promise<Response> {
    const access = admit(request, "files.update", "write");
    if (access instanceof Response) return access;
    const url = new URL(request.url);
    const file = changeable(fileId, access);
    if (file instanceof Response) return file;
    let metadata: Record<string, unknown> = {};
    let content: Uint8Array | undefined;
    if (upload) {
      const read = await readUpload(request, url);
      if (read instanceof Response) return read;
      metadata = read.metadata;
      content = read.bytes;
    } else {
      const text = await request.text();
      try {
        metadata = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        return googleError(400, "parseError", "Parse Error", "legacy");
      }
    }
    if ("parents" in metadata) {
      return googleError(
        403,
        "fieldNotWritable",
        "The parents field is not directly writable in update requests. Use the addParents and removeParents parameters instead.",
        "legacy",
      );
    }
    const bad = metadataError(metadata);
    if (bad !== undefined) return bad;
    let parents = file.parents;
    const add = url.searchParams.get("addParents");
    const remove = url.searchParams.get("removeParents");
    if (add !== null || remove !== null) {
      const removed = new Set((remove ?? "").split(",").filter(Boolean));
      parents = parents.filter((p) => !removed.has(p));
      for (const id of (add ?? "").split(",").filter(Boolean)) {
        const parent = parentFor(id, access);
        if (parent instanceof Response) return parent;
        if (!parents.includes(parent)) parents = [...parents, parent];
      }
    }
    if (typeof metadata.trashed === "boolean" && metadata.trashed !== file.trashed)
      state.setTrashed(file.id, metadata.trashed);
    state.update(file.id, {
      ...(typeof metadata.name === "string" && { name: metadata.name }),
      ...(typeof metadata.mimeType === "string" && { mimeType: metadata.mimeType }),
      ...(content !== undefined && { content }),
      parents,
    });
    return fileResponse(url, file);
  }

  // ── handlers ───────────────────────────────────────────────────────────

  const handlers: HttpHandler[] = [
    http.get(`${DRIVE_API}/about`, ({ request }) => {
      const access = admit(request, "about.get", "read");
      if (access instanceof Response) return access;
      const url = new URL(request.url);
      if (!url.searchParams.get("fields"))
        return parameterError(
          400,
          "required",
          "The 'fields' parameter is required for this method.",
          "fields",
        );
      const used = [...state.files.values()].reduce((n, f) => n + f.content.byteLength, 0);
      const about: drive_v3.Schema$About = {
        kind: "drive#about",
        user: {
          kind: "drive#user",
          displayName: user.displayName,
          emailAddress: user.emailAddress,
          me: true,
          permissionId: "01234567890123456789",
          photoLink: "https://lh3.googleusercontent.com/a/default-user=s64",
        },
        storageQuota: {
          limit: String(15 * 1024 ** 3),
          usage: String(used),
          usageInDrive: String(used),
          usageInDriveTrash: "0",
        },
        maxUploadSize: String(5 * 1024 ** 4),
        appInstalled: true,
        canCreateDrives: false,
      };
      return project(url, about, ABOUT_SHAPE, "");
    }),
    http.get(`${DRIVE_API}/files`, ({ request }) => listFiles(request)),
    http.post(`${DRIVE_API}/files`, ({ request }) => createFile(request, false)),
    http.get(`${DRIVE_API}/files/:fileId`, ({ request, params }) => {
      const access = admit(request, "files.get", "read");
      if (access instanceof Response) return access;
      const url = new URL(request.url);
      const file = readable(String(params.fileId), access);
      if (file instanceof Response) return file;
      if (url.searchParams.get("alt") === "media") {
        if (!hasBinaryContent(file))
          return googleError(
            403,
            "fileNotDownloadable",
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            "legacy",
          );
        return new HttpResponse(new Uint8Array(file.content), {
          headers: { "content-type": file.mimeType },
        });
      }
      return fileResponse(url, file);
    }),
    http.patch(`${DRIVE_API}/files/:fileId`, ({ request, params }) =>
      updateFile(request, String(params.fileId), false),
    ),
    http.delete(`${DRIVE_API}/files/:fileId`, ({ request, params }) => {
      const access = admit(request, "files.delete", "write");
      if (access instanceof Response) return access;
      const file = changeable(String(params.fileId), access);
      if (file instanceof Response) return file;
      state.remove(file.id);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${DRIVE_UPLOAD_API}/files`, ({ request }) => createFile(request, true)),
    http.patch(`${DRIVE_UPLOAD_API}/files/:fileId`, ({ request, params }) =>
      updateFile(request, String(params.fileId), true),
    ),
    http.get(`${DRIVE_API}/changes/startPageToken`, ({ request }) => {
      const access = admit(request, "changes.getStartPageToken", "read");
      if (access instanceof Response) return access;
      return HttpResponse.json({
        kind: "drive#startPageToken",
        startPageToken: state.startPageToken(),
      } satisfies drive_v3.Schema$StartPageToken);
    }),
    http.get(`${DRIVE_API}/changes`, ({ request }) => listChanges(request)),
    http.post(`${DRIVE_API}/changes/watch`, ({ request }) => watchChanges(request)),
    http.post(`${DRIVE_API}/channels/stop`, ({ request }) => stopChannel(request)),
  ];

  // ── push messages ──────────────────────────────────────────────────────

  /** A push message for a channel, with the X-Goog-* headers Drive sends and no body. */
  function message(
    channel: FakeDriveChannel | undefined,
    channelId: string,
    state_: "sync" | "change",
    token: string | undefined,
  ): Request {
    const headers: Record<string, string> = {
      "x-goog-channel-id": channelId,
      "x-goog-resource-id": channel?.resourceId ?? "unknownResource-Dr1v3",
      "x-goog-resource-uri": channel?.resourceUri ?? `${DRIVE_API}/changes?alt=json&pageToken=1`,
      "x-goog-resource-state": state_,
      "x-goog-message-number": String(
        channel === undefined ? 1 : state_ === "sync" ? 1 : ++channel.messageNumber,
      ),
      "content-length": "0",
    };
    if (channel !== undefined)
      headers["x-goog-channel-expiration"] = new Date(channel.expiration).toUTCString();
    if (token !== undefined) headers["x-goog-channel-token"] = token;
    return new Request(channel?.address ?? DEFAULT_WEBHOOK_ADDRESS, { method: "POST", headers });
  }

  const fake = {
    /** Google's OAuth server (the contract suite drives it). */
    oauth,
    /** MSW handlers: the Drive API and Google's OAuth endpoints. */
    handlers: [...oauth.handlers, ...handlers] as HttpHandler[],
    /** The raw state: files, change log, channels. */
    state,
    /** My Drive's root folder id (`'root'` in queries). */
    rootId: state.rootId,
    /** Every API request the fake answered (after auth), oldest first. */
    log,
    /** The last `q` refused, and why (the response itself says only "Invalid Value", as Drive's does). */
    lastInvalidQuery: undefined as { q: string; reason: string } | undefined,

    /**
     * Answer the next `count` API requests with a rate-limit error: Drive's
     * 429 (`rateLimitExceeded`), or with `status: 403` its
     * `userRateLimitExceeded`.
     */
    rateLimitNext(count = 1, limit: { status?: 429 | 403 } = {}): void {
      rateLimited = [...rateLimited, ...Array.from({ length: count }, () => limit.status ?? 429)];
    },

    /** Make every outstanding `files.list` page token stale (Drive's last only hours). */
    expireListPageTokens(): void {
      listTokenEpoch++;
    },

    // ── acting as the user ───────────────────────────────────────────────

    /** The user adds a file (see {@link AddFileInput.visibleToApp}). */
    addFile(input: AddFileInput): FakeDriveFile {
      if (typeof input?.name !== "string" || input.name === "")
        throw new TypeError('"name" must be a non-empty string');
      if (input.parentId !== undefined) state.get(input.parentId);
      return state.create({
        name: input.name,
        mimeType: input.mimeType ?? "text/plain",
        parents: input.parentId === undefined ? undefined : [input.parentId],
        content: bytesOf(input.content),
        visibleToApp: input.visibleToApp,
      });
    },

    /** The user makes a folder. */
    addFolder(input: { name: string; parentId?: string; visibleToApp?: boolean }): FakeDriveFile {
      return fake.addFile({ ...input, mimeType: DRIVE_FOLDER_MIME_TYPE });
    },

    /** The user renames a file. */
    renameFile(id: string, name: string): FakeDriveFile {
      return state.update(id, { name });
    },

    /** The user edits a file's content. */
    editFile(id: string, content: string | Uint8Array): FakeDriveFile {
      return state.update(id, { content: bytesOf(content) });
    },

    /** The user moves a file to another folder. */
    moveFile(id: string, parentId: string): FakeDriveFile {
      state.get(parentId);
      return state.update(id, { parents: [parentId] });
    },

    /** The user moves a file to the trash (a folder's contents follow). */
    trashFile(id: string): FakeDriveFile {
      return state.setTrashed(id, true);
    },

    /** The user restores a file from the trash. */
    restoreFile(id: string): FakeDriveFile {
      return state.setTrashed(id, false);
    },

    /** The user deletes a file for good (empties it from the trash). */
    deleteFile(id: string): void {
      state.remove(id);
    },

    /** The user opens the file with the app through Google Picker: `drive.file` now reaches it. */
    grantAccess(id: string): FakeDriveFile {
      return state.grant(id);
    },

    /**
     * A plausible Drive for a sandbox: an "Exports" folder and a few files a
     * radio promoter would keep. Returns the folder.
     */
    seedSample(): FakeDriveFile {
      const folder = fake.addFolder({ name: "Patchbay exports" });
      fake.addFile({
        name: "Pitch list - week 12.csv",
        mimeType: "text/csv",
        content: "artist,station,status\nThe Weekend Ravers,KEXP,sent\nAda Lark,WFMU,replied\n",
        parentId: folder.id,
      });
      fake.addFile({
        name: "Press kit.pdf",
        mimeType: "application/pdf",
        content: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a]),
      });
      fake.addFile({ name: "Tour notes.txt", content: "Load-in 5pm. Bring the DI boxes.\n" });
      return folder;
    },

    // ── reading the state ────────────────────────────────────────────────

    /** A file, or `undefined` once deleted. */
    file(id: string): FakeDriveFile | undefined {
      return state.files.get(id);
    },

    /** A file's bytes. */
    bytes(id: string): Uint8Array {
      return state.get(id).content;
    },

    /** A file's content as UTF-8 text. */
    text(id: string): string {
      return new TextDecoder().decode(state.get(id).content);
    },

    /**
     * The files a `drive.file` app sees (non-trashed), in `folderId` or
     * anywhere, as Drive returns them with `fields=${DRIVE_FILE_FIELDS}`,
     * by id. What a full sync of the `files` model must store.
     */
    records(filter: { folderId?: string } = {}): Map<string, Record<string, unknown>> {
      const selector = parseFieldSelector(DRIVE_FILE_FIELDS);
      const out = new Map<string, Record<string, unknown>>();
      for (const file of state.files.values()) {
        if (!file.visibleToApp || file.trashed) continue;
        if (filter.folderId !== undefined && !file.parents.includes(filter.folderId)) continue;
        out.set(file.id, selectFields(renderFile(file), selector) as Record<string, unknown>);
      }
      return out;
    },

    /** Channels that are open and not expired. */
    activeChannels(): FakeDriveChannel[] {
      return [...state.channels.values()].filter((c) => !c.stopped && c.expiration > now());
    },

    /**
     * A push message as Drive would POST it for the connection's channel
     * (`metadata.channelId`), with the channel's token. `forged: true` sends
     * a wrong token; `state: "sync"` is the message Drive sends when a
     * channel opens. A connection without a channel gets a message for an
     * unknown channel.
     */
    webhook(
      connection: Pick<Connection, "metadata">,
      opts: { forged?: boolean; state?: "sync" | "change"; channelId?: string } = {},
    ): Request {
      const channelId =
        opts.channelId ??
        (typeof connection.metadata.channelId === "string"
          ? connection.metadata.channelId
          : randomUUID());
      const channel = state.channels.get(channelId);
      const token = opts.forged
        ? `forged-${randomUUID()}`
        : (channel?.token ?? `unknown-${channelId}`);
      return message(channel, channelId, opts.state ?? "change", token);
    },

    /**
     * The messages Drive owes: one `change` message per open channel whose
     * watched position is behind the changes feed (then caught up). For a
     * sandbox that relays them to the host's webhook route.
     */
    pendingNotifications(): Request[] {
      const out: Request[] = [];
      for (const channel of fake.activeChannels()) {
        if (Number(channel.pageToken) > state.lastChangeId()) continue;
        channel.pageToken = state.startPageToken();
        out.push(message(channel, channel.id, "change", channel.token));
      }
      return out;
    },
  };
  return fake;
}

/**
 * A fake Drive, as {@link createGoogleDriveFake} returns it.
 *
 * @example
 * ```ts
 * function seed(drive: GoogleDriveFake) { drive.seedSample(); }
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export type GoogleDriveFake = ReturnType<typeof createGoogleDriveFake>;
