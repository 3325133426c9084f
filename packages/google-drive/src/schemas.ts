/**
 * Zod schemas and wire types of the Google Drive connector, with Drive's own
 * field names (`mimeType`, `modifiedTime`, `webViewLink`...).
 *
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files
 */
import { z } from "zod";

/**
 * A connection's settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, { folderId: "1AbC..." });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/folder
 */
export const GoogleDriveConfig = z.object({
  folderId: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Folder that uploads and exports go to, and that the files model syncs (default: the whole Drive the app can see)",
    ),
});
/** {@link GoogleDriveConfig} as a type. */
export type GoogleDriveConfig = z.infer<typeof GoogleDriveConfig>;

/**
 * A record of the `files` model: a Drive file's metadata, as Drive names it.
 * `size` is absent for folders and Google Docs editor files without a size;
 * `version` is a decimal string that grows with every change, visible or not.
 *
 * @example
 * ```ts
 * const file: DriveFile = DriveFile.parse(data);
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files#File
 */
export const DriveFile = z.object({
  id: z.string().min(1),
  name: z.string(),
  mimeType: z.string(),
  modifiedTime: z.string(),
  parents: z.array(z.string()).optional(),
  trashed: z.boolean(),
  webViewLink: z.string().optional(),
  size: z.string().optional(),
  version: z.string(),
});
/** {@link DriveFile} as a type. */
export type DriveFile = z.infer<typeof DriveFile>;

/**
 * One entry of the changes feed (`changes.list`), with the fields the connector asks for.
 *
 * @example
 * ```ts
 * const gone = change.removed || change.file?.trashed === true;
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes#Change
 */
export interface DriveChange {
  changeType?: "file" | "drive" | string;
  removed?: boolean;
  fileId?: string;
  time?: string;
  file?: DriveFile;
}

/**
 * A page of `changes.list`: `nextPageToken` while more pages follow, then
 * `newStartPageToken` on the last page (never both).
 *
 * @example
 * ```ts
 * const cursor = page.nextPageToken === undefined ? page.newStartPageToken : undefined;
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/list
 */
export interface DriveChangeList {
  changes?: DriveChange[];
  nextPageToken?: string;
  newStartPageToken?: string;
}

/**
 * A page of `files.list`.
 *
 * @example
 * ```ts
 * const next = page.nextPageToken;
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list
 */
export interface DriveFileList {
  files?: DriveFile[];
  nextPageToken?: string;
  incompleteSearch?: boolean;
}

/**
 * A notification channel, as `changes.watch` returns it. `expiration` is
 * epoch milliseconds as a decimal string.
 *
 * @example
 * ```ts
 * const expiresAt = new Date(Number(channel.expiration));
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/channels
 */
export interface DriveChannel {
  kind?: string;
  id: string;
  resourceId: string;
  resourceUri?: string;
  token?: string;
  expiration?: string;
}

/**
 * Input of the `uploadFile` action. `content` is the file's bytes, base64
 * encoded (standard alphabet, padded). With `replaceFileId` the file keeps
 * its id and link and gets a new revision; `folderId` is then ignored.
 *
 * @example
 * ```ts
 * const input: UploadFileInput = {
 *   name: "pitches.csv",
 *   mimeType: "text/csv",
 *   content: Buffer.from("artist,status\nAda,sent\n").toString("base64"),
 * };
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
export const UploadFileInput = z.object({
  name: z.string().min(1).max(32_767).describe("File name, with its extension"),
  mimeType: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "must be a MIME type such as text/csv")
    .describe("MIME type of the content"),
  content: z.base64().describe("The file's bytes, base64-encoded"),
  folderId: z.string().min(1).optional().describe("Folder to create the file in"),
  replaceFileId: z.string().min(1).optional().describe("File whose content to replace"),
});
/** {@link UploadFileInput} as a type. */
export type UploadFileInput = z.infer<typeof UploadFileInput>;

/**
 * Input of the `findFile` action: a file by exact name in a folder (the
 * configured folder, else My Drive's root).
 *
 * @example
 * ```ts
 * const input: FindFileInput = { name: "pitches.csv", folderId: "1AbC..." };
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/search-files
 */
export const FindFileInput = z.object({
  name: z.string().min(1),
  folderId: z.string().min(1).optional(),
});
/** {@link FindFileInput} as a type. */
export type FindFileInput = z.infer<typeof FindFileInput>;

/**
 * Input of the `deleteFile` action (permanent delete, not trash).
 *
 * @example
 * ```ts
 * const input: DeleteFileInput = { fileId: "1AbC..." };
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files/delete
 */
export const DeleteFileInput = z.object({ fileId: z.string().min(1) });
/** {@link DeleteFileInput} as a type. */
export type DeleteFileInput = z.infer<typeof DeleteFileInput>;

/**
 * Input of the `listFolders` action: folders under `parentId`, or every folder the app can see.
 *
 * @example
 * ```ts
 * const input: ListFoldersInput = { parentId: "root" };
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/search-files
 */
export const ListFoldersInput = z.object({ parentId: z.string().min(1).optional() });
/** {@link ListFoldersInput} as a type. */
export type ListFoldersInput = z.infer<typeof ListFoldersInput>;

/**
 * Input of the `createFolder` action (in `parentId`, else My Drive's root).
 *
 * @example
 * ```ts
 * const input: CreateFolderInput = { name: "Patchbay exports" };
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/folder
 */
export const CreateFolderInput = z.object({
  name: z.string().min(1),
  parentId: z.string().min(1).optional(),
});
/** {@link CreateFolderInput} as a type. */
export type CreateFolderInput = z.infer<typeof CreateFolderInput>;
