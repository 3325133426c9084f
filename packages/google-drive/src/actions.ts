/**
 * The connector's one-off operations: upload or replace a file, find one by
 * name, delete one, and list or create folders (for a host's folder picker).
 */
import {
  type ActionDefinition,
  type ConnectorContext,
  NotFoundError,
  paginateCursor,
} from "@patchbay/core";
import { parseActionInput } from "./action-input.js";
import {
  DRIVE_FILE_FIELDS,
  DRIVE_FOLDER_MIME_TYPE,
  DRIVE_MAX_PAGE_SIZE,
  DRIVE_MULTIPART_MAX_BYTES,
  DRIVE_UPLOAD_API,
} from "./endpoints.js";
import { buildMultipartRelated } from "./multipart.js";
import { driveQuery, driveQueryString } from "./query.js";
import {
  CreateFolderInput,
  DeleteFileInput,
  DriveFile,
  type DriveFileList,
  FindFileInput,
  type GoogleDriveConfig,
  ListFoldersInput,
  UploadFileInput,
} from "./schemas.js";

type Context = ConnectorContext<GoogleDriveConfig>;
type DriveAction<I extends import("zod").ZodType, O> = ActionDefinition<I, O, GoogleDriveConfig>;

/** Query parameters every file request carries: the fields a record needs, and shared drives allowed. */
const FILE_QUERY = { fields: DRIVE_FILE_FIELDS, supportsAllDrives: true } as const;

/**
 * Upload a file with one `uploadType=multipart` request (metadata and bytes
 * together): a new file in `folderId` (else the configured folder, else My
 * Drive's root), or, with `replaceFileId`, a new revision of an existing file
 * that keeps its id and link.
 */
async function uploadFile(ctx: Context, raw: UploadFileInput): Promise<DriveFile> {
  const input = parseActionInput("uploadFile", UploadFileInput, raw);
  const bytes = new Uint8Array(Buffer.from(input.content, "base64"));
  if (bytes.byteLength > DRIVE_MULTIPART_MAX_BYTES) {
    throw new TypeError(
      `uploadFile: "content" is ${bytes.byteLength} bytes; a multipart upload carries at most ${DRIVE_MULTIPART_MAX_BYTES} bytes (5 MB)`,
    );
  }
  return uploadBytes(ctx, { ...input, bytes });
}

/**
 * The upload itself, on bytes already checked: shared by `uploadFile` and the
 * export destination (which hands over bytes, not base64).
 */
export async function uploadBytes(
  ctx: Context,
  input: {
    name: string;
    mimeType: string;
    bytes: Uint8Array;
    folderId?: string;
    replaceFileId?: string;
  },
): Promise<DriveFile> {
  const { bytes } = input;
  if (input.replaceFileId !== undefined) {
    // Drive refuses `parents` in an update's metadata (fieldNotWritable): the file stays where it is.
    const { contentType, body } = buildMultipartRelated(
      { name: input.name, mimeType: input.mimeType },
      input.mimeType,
      bytes,
    );
    const { data } = await ctx.http.patch<unknown>(
      `${DRIVE_UPLOAD_API}/files/${encodeURIComponent(input.replaceFileId)}`,
      {
        query: { uploadType: "multipart", ...FILE_QUERY },
        headers: { "content-type": contentType },
        body,
        // The same bytes twice make the same file: safe to retry.
        idempotent: true,
      },
    );
    return DriveFile.parse(data);
  }
  const folderId = input.folderId ?? ctx.config.folderId;
  const { contentType, body } = buildMultipartRelated(
    {
      name: input.name,
      mimeType: input.mimeType,
      ...(folderId !== undefined && { parents: [folderId] }),
    },
    input.mimeType,
    bytes,
  );
  const { data } = await ctx.http.post<unknown>(`${DRIVE_UPLOAD_API}/files`, {
    query: { uploadType: "multipart", ...FILE_QUERY },
    headers: { "content-type": contentType },
    body,
  });
  return DriveFile.parse(data);
}

/** The newest non-trashed file named exactly `name` in the folder, or `null`. */
export async function findFile(ctx: Context, raw: FindFileInput): Promise<DriveFile | null> {
  const input = parseActionInput("findFile", FindFileInput, raw);
  const folderId = input.folderId ?? ctx.config.folderId ?? "root";
  const { data } = await ctx.http.get<DriveFileList>("files", {
    query: {
      q: driveQuery([
        `name = ${driveQueryString(input.name)}`,
        `${driveQueryString(folderId)} in parents`,
        "trashed = false",
      ]),
      orderBy: "modifiedTime desc",
      pageSize: 1,
      fields: `files(${DRIVE_FILE_FIELDS})`,
      supportsAllDrives: true,
      includeItemsFromAllDrives: true,
    },
  });
  const [file] = data.files ?? [];
  return file === undefined ? null : DriveFile.parse(file);
}

/** Delete a file for good (not to the trash). `deleted: false` when it was already gone. */
async function deleteFile(
  ctx: Context,
  raw: { fileId: string },
): Promise<{ fileId: string; deleted: boolean }> {
  const input = parseActionInput("deleteFile", DeleteFileInput, raw);
  try {
    await ctx.http.delete(`files/${encodeURIComponent(input.fileId)}`, {
      query: { supportsAllDrives: true },
      responseType: "text",
    });
    return { fileId: input.fileId, deleted: true };
  } catch (error) {
    if (error instanceof NotFoundError) return { fileId: input.fileId, deleted: false };
    throw error;
  }
}

/** Folders under `parentId` (or every folder the app can see), by name. */
async function listFolders(
  ctx: Context,
  raw: { parentId?: string },
): Promise<{ folders: DriveFile[] }> {
  const input = parseActionInput("listFolders", ListFoldersInput, raw);
  const folders: DriveFile[] = [];
  const pages = paginateCursor<unknown, DriveFileList>(
    ctx.http,
    {
      path: "files",
      query: {
        q: driveQuery([
          `mimeType = ${driveQueryString(DRIVE_FOLDER_MIME_TYPE)}`,
          "trashed = false",
          input.parentId !== undefined && `${driveQueryString(input.parentId)} in parents`,
        ]),
        orderBy: "name",
        pageSize: DRIVE_MAX_PAGE_SIZE,
        fields: `nextPageToken,files(${DRIVE_FILE_FIELDS})`,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
      },
    },
    { items: (page) => page.files ?? [], next: (page) => page.nextPageToken, param: "pageToken" },
  );
  for await (const page of pages) for (const f of page) folders.push(DriveFile.parse(f));
  return { folders };
}

/** Create a folder in `parentId`, else My Drive's root. */
async function createFolder(
  ctx: Context,
  raw: { name: string; parentId?: string },
): Promise<DriveFile> {
  const input = parseActionInput("createFolder", CreateFolderInput, raw);
  const { data } = await ctx.http.post<unknown>("files", {
    query: FILE_QUERY,
    json: {
      name: input.name,
      mimeType: DRIVE_FOLDER_MIME_TYPE,
      ...(input.parentId !== undefined && { parents: [input.parentId] }),
    },
  });
  return DriveFile.parse(data);
}

/**
 * The connector's actions, keyed by name.
 *
 * @example
 * ```ts
 * const file = await connector.actions.uploadFile.run(ctx, { name: "a.csv", mimeType: "text/csv", content });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files
 */
export const googleDriveActions = {
  uploadFile: {
    description:
      "Upload a file (base64 content) to the configured folder, or replace the content of an existing file keeping its id and link.",
    input: UploadFileInput,
    run: uploadFile,
  } satisfies DriveAction<typeof UploadFileInput, DriveFile>,
  findFile: {
    description: "Find the newest non-trashed file with this exact name in a folder.",
    input: FindFileInput,
    run: findFile,
  } satisfies DriveAction<typeof FindFileInput, DriveFile | null>,
  deleteFile: {
    description: "Delete a file permanently (not to the trash).",
    input: DeleteFileInput,
    run: deleteFile,
  } satisfies DriveAction<typeof DeleteFileInput, { fileId: string; deleted: boolean }>,
  listFolders: {
    description:
      "List the folders the app can see, optionally under one parent, for a folder picker.",
    input: ListFoldersInput,
    run: listFolders,
  } satisfies DriveAction<typeof ListFoldersInput, { folders: DriveFile[] }>,
  createFolder: {
    description: "Create a folder (for exports and uploads).",
    input: CreateFolderInput,
    run: createFolder,
  } satisfies DriveAction<typeof CreateFolderInput, DriveFile>,
};
