/**
 * Google Drive as an export destination: core renders the CSV or XLSX file,
 * this writes it to the folder, replacing the previous file in place (same
 * id and link) or adding a new one.
 */
import {
  type ConnectorContext,
  type DestinationCapability,
  type DestinationFile,
  type DestinationWriteResult,
  NotFoundError,
} from "@patchbay/core";
import { findFile, uploadBytes } from "./actions.js";
import { DRIVE_FILE_FIELDS, DRIVE_MULTIPART_MAX_BYTES } from "./endpoints.js";
import { DriveFile, type GoogleDriveConfig } from "./schemas.js";

type Context = ConnectorContext<GoogleDriveConfig>;

/** The file to replace: the one the last export wrote, if it still exists and is not in the trash. */
async function liveFile(ctx: Context, fileId: string): Promise<DriveFile | null> {
  try {
    const { data } = await ctx.http.get<unknown>(`files/${encodeURIComponent(fileId)}`, {
      query: { fields: DRIVE_FILE_FIELDS, supportsAllDrives: true },
    });
    const file = DriveFile.parse(data);
    return file.trashed ? null : file;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

async function writeFile(ctx: Context, file: DestinationFile): Promise<DestinationWriteResult> {
  const folderId = file.folderId ?? ctx.config.folderId;
  const upload = { name: file.name, mimeType: file.mimeType, bytes: file.body };
  if (file.replace) {
    // The file the last run wrote (the user may have moved or renamed it: it keeps its link),
    // else one with this name in the folder (a first run, or the previous file was deleted).
    const target =
      (file.previousFileId === null ? null : await liveFile(ctx, file.previousFileId)) ??
      (await findFile(ctx, { name: file.name, ...(folderId !== undefined && { folderId }) }));
    if (target !== null) {
      try {
        const written = await uploadBytes(ctx, { ...upload, replaceFileId: target.id });
        return { fileId: written.id, url: written.webViewLink ?? null, replaced: true };
      } catch (error) {
        // Deleted between the lookup and the upload: create it instead.
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
  }
  const created = await uploadBytes(ctx, {
    ...upload,
    ...(folderId !== undefined && { folderId }),
  });
  return { fileId: created.id, url: created.webViewLink ?? null, replaced: false };
}

/**
 * The connector's `destination` capability, used by scheduled exports
 * (`patchbay.exports`). Files go to the export's folder, else the
 * connection's configured folder, else My Drive's root, in one multipart
 * upload (at most 5 MB).
 *
 * - `replace: true`: a new revision of the previous export's file (its id
 *   and shared link stay the same), found by id, else by name in the folder;
 *   created when there is none. A file the user trashed is not written to.
 * - `replace: false`: a new file every time (dated copies).
 *
 * @example
 * ```ts
 * const { fileId, url, replaced } = await googleDriveDestination.writeFile(ctx, {
 *   folderId: "1AbC...", name: "Promo report.xlsx", mimeType, body, replace: true, previousFileId: null,
 * });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
export const googleDriveDestination: DestinationCapability<GoogleDriveConfig> = {
  maxBytes: DRIVE_MULTIPART_MAX_BYTES,
  writeFile,
};
