/**
 * Cheap change detection: the spreadsheet file's Drive `version` (bumped by
 * every change to the file, even invisible ones) and `modifiedTime`.
 */
import {
  type ConnectorContext,
  NotFoundError,
  PatchbayError,
  RateLimitError,
} from "@patchbay/core";
import { DRIVE_API } from "./endpoints.js";
import type { DriveFileVersion } from "./schemas.js";

/** A spreadsheet file's version, as Drive reports it. */
export interface FileVersion {
  modifiedTime: string;
  version: string;
}

/**
 * The file's version, or `null` when Drive will not say: the file was not
 * opened with this app (the `spreadsheets` scope reaches it but `drive.file`
 * does not), or the API is disabled. Then the caller reads the sheet in full.
 *
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files/get
 */
export async function fileVersion(
  ctx: Pick<ConnectorContext, "http" | "logger" | "signal">,
  spreadsheetId: string,
): Promise<FileVersion | null> {
  try {
    const { data } = await ctx.http.get<DriveFileVersion>(
      `${DRIVE_API}/files/${encodeURIComponent(spreadsheetId)}`,
      { query: { fields: "modifiedTime,version", supportsAllDrives: true }, signal: ctx.signal },
    );
    if (typeof data?.version !== "string" || typeof data.modifiedTime !== "string") return null;
    return { modifiedTime: data.modifiedTime, version: data.version };
  } catch (error) {
    const unseen =
      error instanceof NotFoundError ||
      (error instanceof PatchbayError &&
        !(error instanceof RateLimitError) &&
        error.status === 403);
    if (!unseen) throw error;
    ctx.logger.info(
      "google-sheets: Drive does not show this spreadsheet's version (not opened with the app under drive.file); reading it in full",
      { status: error.status },
    );
    return null;
  }
}
