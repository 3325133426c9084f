/**
 * The `files` model: a read-only mirror of file metadata. Full runs list the
 * files (`files.list`); incremental runs read the changes feed from the
 * stored start page token (`changes.list`), so a run costs one request when
 * nothing changed.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/manage-changes
 */
import { defineModel, type HttpClient, type Json, ProviderError } from "@patchbay/core";
import { DRIVE_FILE_FIELDS } from "./endpoints.js";
import { driveQuery, driveQueryString } from "./query.js";
import {
  type DriveChange,
  type DriveChangeList,
  DriveFile,
  type DriveFileList,
  type GoogleDriveConfig,
} from "./schemas.js";

/**
 * Where an interrupted run resumes. A full run keeps the changes-feed token
 * it took before listing (so changes made while it listed are read by the
 * next incremental run) and the `files.list` page token; an incremental run
 * keeps the `changes.list` page token.
 */
type FilesCheckpoint =
  | { mode: "full"; startPageToken: string; pageToken?: string }
  | { mode: "incremental"; pageToken: string };

/** `changes.list` / `files.list` parameters that let shared-drive items through (both flags are needed). */
const ALL_DRIVES = { supportsAllDrives: true, includeItemsFromAllDrives: true } as const;

/**
 * The changes feed's token for "from now on" (`changes.getStartPageToken`).
 *
 * @example
 * ```ts
 * const cursor = await startPageToken(ctx.http);
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/getStartPageToken
 */
export async function startPageToken(http: HttpClient): Promise<string> {
  const { data } = await http.get<{ startPageToken?: string }>("changes/startPageToken", {
    query: { supportsAllDrives: true },
  });
  if (typeof data.startPageToken !== "string" || data.startPageToken === "")
    throw new ProviderError("changes.getStartPageToken returned no startPageToken", {
      retryable: true,
    });
  return data.startPageToken;
}

function checkpointOf(value: Json | null): FilesCheckpoint | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const c = value as Record<string, Json>;
  if (c.mode === "full" && typeof c.startPageToken === "string")
    return {
      mode: "full",
      startPageToken: c.startPageToken,
      ...(typeof c.pageToken === "string" && { pageToken: c.pageToken }),
    };
  if (c.mode === "incremental" && typeof c.pageToken === "string")
    return { mode: "incremental", pageToken: c.pageToken };
  return null;
}

/** Whether a live file belongs to what the connection syncs. */
function inScope(file: DriveFile, folderId: string | undefined): boolean {
  return folderId === undefined || (file.parents ?? []).includes(folderId);
}

/**
 * The `files` model definition.
 *
 * @example
 * ```ts
 * await patchbay.sync.run({ tenantId, connectionId, model: "files" });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/list
 */
export function filesModel(options: { pageSize: number }) {
  const pageSize = options.pageSize;
  return defineModel<typeof DriveFile, GoogleDriveConfig>({
    description:
      "File metadata (name, type, folder, link, size, version) of the configured folder, or of every file the app can see. Read-only.",
    schema: DriveFile,
    key: "id",
    // `version` grows with every server-side change, even ones a user cannot see.
    volatile: ["version"],
    updatedAt: (file) => file.modifiedTime,
    modes: ["full", "incremental"],
    async *sync(ctx) {
      const folderId = ctx.config.folderId;
      const checkpoint = checkpointOf(ctx.checkpoint);

      if (ctx.mode === "full") {
        const start =
          checkpoint?.mode === "full" ? checkpoint.startPageToken : await startPageToken(ctx.http);
        let pageToken = checkpoint?.mode === "full" ? checkpoint.pageToken : undefined;
        const q = driveQuery([
          "trashed = false",
          folderId !== undefined && `${driveQueryString(folderId)} in parents`,
        ]);
        for (;;) {
          let data: DriveFileList;
          try {
            ({ data } = await ctx.http.get<DriveFileList>("files", {
              query: {
                q,
                pageSize,
                pageToken,
                fields: `nextPageToken,files(${DRIVE_FILE_FIELDS})`,
                ...ALL_DRIVES,
              },
            }));
          } catch (error) {
            // files.list page tokens last hours, not forever: a stale one restarts the listing.
            if (
              pageToken !== undefined &&
              error instanceof ProviderError &&
              error.status === 400 &&
              checkpoint?.mode === "full" &&
              pageToken === checkpoint.pageToken
            ) {
              ctx.logger.warn("files.list page token rejected; listing again from the start", {
                connectionId: ctx.connection.id,
              });
              pageToken = undefined;
              continue;
            }
            throw error;
          }
          const next = data.nextPageToken;
          const resume: Json | undefined =
            next === undefined
              ? undefined
              : { mode: "full", startPageToken: start, pageToken: next };
          yield {
            records: data.files ?? [],
            checkpoint: resume,
            cursor: next === undefined ? start : undefined,
          };
          if (next === undefined) return;
          pageToken = next;
        }
      }

      let pageToken =
        checkpoint?.mode === "incremental"
          ? checkpoint.pageToken
          : typeof ctx.cursor === "string"
            ? ctx.cursor
            : undefined;
      if (pageToken === undefined) {
        // Nothing to read yet: remember where "now" is in the changes feed.
        yield { records: [], cursor: await startPageToken(ctx.http) };
        return;
      }
      for (;;) {
        const { data }: { data: DriveChangeList } = await ctx.http.get<DriveChangeList>("changes", {
          query: {
            pageToken,
            pageSize,
            includeRemoved: true,
            spaces: "drive",
            fields: `nextPageToken,newStartPageToken,changes(changeType,removed,fileId,time,file(${DRIVE_FILE_FIELDS}))`,
            ...ALL_DRIVES,
          },
        });
        const records: DriveFile[] = [];
        const deleted: string[] = [];
        for (const change of data.changes ?? []) classify(change, folderId, records, deleted);
        const next: string | undefined = data.nextPageToken;
        if (next === undefined && typeof data.newStartPageToken !== "string") {
          throw new ProviderError(
            "changes.list returned neither nextPageToken nor newStartPageToken",
            { retryable: true },
          );
        }
        const resume: Json | undefined =
          next === undefined ? undefined : { mode: "incremental", pageToken: next };
        yield {
          records,
          deleted,
          checkpoint: resume,
          cursor: next === undefined ? data.newStartPageToken : undefined,
        };
        if (next === undefined) return;
        pageToken = next;
      }
    },
  });
}

/**
 * Sort one change: a live file in scope is a record; a removed, trashed or
 * out-of-scope file (moved out of the folder) is a tombstone. Shared-drive
 * changes (`changeType: "drive"`) are not files.
 */
function classify(
  change: DriveChange,
  folderId: string | undefined,
  records: unknown[],
  deleted: string[],
): void {
  if (change.changeType !== undefined && change.changeType !== "file") return;
  const id = change.fileId ?? change.file?.id;
  if (typeof id !== "string" || id === "") return;
  const file = change.file;
  if (change.removed === true || file === undefined || file.trashed === true) {
    deleted.push(id);
    return;
  }
  const parsed = DriveFile.safeParse(file);
  // A malformed file goes to the engine as is, which counts and samples the failure.
  if (parsed.success && !inScope(parsed.data, folderId)) deleted.push(id);
  else records.push(file);
}
