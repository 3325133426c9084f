/**
 * The fake Drive's state: files with their bytes, a change log the changes
 * feed reads, and notification channels. Every mutation bumps the file's
 * `version`, stamps `modifiedTime` and appends to the change log, as Drive does.
 */
import { createHash } from "node:crypto";
import type { drive_v3 } from "@googleapis/drive";
import { DRIVE_FOLDER_MIME_TYPE } from "../endpoints.js";

/**
 * A file as the fake keeps it.
 *
 * @example
 * ```ts
 * const file: FakeDriveFile = drive.addFile({ name: "a.csv" });
 * file.version; // 1
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files#File
 */
export interface FakeDriveFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  content: Uint8Array;
  createdTime: number;
  modifiedTime: number;
  /** Grows by one with every change. */
  version: number;
  trashed: boolean;
  explicitlyTrashed: boolean;
  /**
   * Whether an app holding only `drive.file` can see it: files the app
   * created, or the user opened with it (Google Picker). A file the user made
   * in Drive's own UI is invisible to such an app.
   */
  visibleToApp: boolean;
}

/**
 * One entry of the change log.
 *
 * @example
 * ```ts
 * const last: FakeDriveChange | undefined = drive.state.changes.at(-1);
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes#Change
 */
export interface FakeDriveChange {
  /** Position in the log; page tokens are positions. */
  id: number;
  fileId: string;
  time: number;
  /** The file was deleted for good. */
  removed: boolean;
  /** Whether a `drive.file` app could see the file when the change was made. */
  visibleToApp: boolean;
}

/**
 * An open (or stopped) notification channel on the changes feed.
 *
 * @example
 * ```ts
 * const [channel]: FakeDriveChannel[] = drive.activeChannels();
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/channels
 */
export interface FakeDriveChannel {
  id: string;
  resourceId: string;
  resourceUri: string;
  token: string | undefined;
  address: string;
  /** Epoch milliseconds. */
  expiration: number;
  /** The changes-feed position the channel watches from. */
  pageToken: string;
  /** Messages sent so far (the `sync` message is number 1). */
  messageNumber: number;
  stopped: boolean;
}

/**
 * My Drive's root folder id in the fake (what `'root'` stands for). Real root ids end in `Uk9PVA` too.
 *
 * @example
 * ```ts
 * expect(file.parents).toEqual([FAKE_DRIVE_ROOT_ID]);
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/about-files
 */
export const FAKE_DRIVE_ROOT_ID = "0AFakeDriveRootUk9PVA";

const GOOGLE_APPS = "application/vnd.google-apps.";

/** A link Drive would give for opening the file in a browser. */
export function webViewLinkOf(file: Pick<FakeDriveFile, "id" | "mimeType">): string {
  switch (file.mimeType) {
    case DRIVE_FOLDER_MIME_TYPE:
      return `https://drive.google.com/drive/folders/${file.id}`;
    case `${GOOGLE_APPS}spreadsheet`:
      return `https://docs.google.com/spreadsheets/d/${file.id}/edit?usp=drivesdk`;
    case `${GOOGLE_APPS}document`:
      return `https://docs.google.com/document/d/${file.id}/edit?usp=drivesdk`;
    default:
      return `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`;
  }
}

/** Whether Drive stores bytes for the file (not a folder, not a Docs editor file). */
export function hasBinaryContent(file: Pick<FakeDriveFile, "mimeType">): boolean {
  return !file.mimeType.startsWith(GOOGLE_APPS);
}

/** The file as Drive's `File` resource, every field the fake knows. */
export function renderFile(file: FakeDriveFile) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const binary = hasBinaryContent(file);
  const dot = file.name.lastIndexOf(".");
  const extension = binary && dot > 0 ? file.name.slice(dot + 1) : undefined;
  // Typed by the SDK's own schema, so drift fails the build; not exposed in the public types.
  return {
    kind: "drive#file",
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    parents: [...file.parents],
    trashed: file.trashed,
    explicitlyTrashed: file.explicitlyTrashed,
    createdTime: iso(file.createdTime),
    modifiedTime: iso(file.modifiedTime),
    modifiedByMeTime: iso(file.modifiedTime),
    version: String(file.version),
    webViewLink: webViewLinkOf(file),
    ownedByMe: true,
    starred: false,
    shared: false,
    spaces: ["drive"],
    ...(binary && {
      size: String(file.content.byteLength),
      quotaBytesUsed: String(file.content.byteLength),
      md5Checksum: createHash("md5").update(file.content).digest("hex"),
      originalFilename: file.name,
      headRevisionId: `0B${file.id.slice(1, 12)}v${file.version}`,
      webContentLink: `https://drive.google.com/uc?id=${file.id}&export=download`,
      ...(extension !== undefined && { fileExtension: extension, fullFileExtension: extension }),
    }),
  } satisfies drive_v3.Schema$File;
}

/** Options of {@link createDriveState}. */
export interface DriveStateOptions {
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The fake Drive's data and the operations that change it. */
export function createDriveState(options: DriveStateOptions = {}) {
  const now = options.now ?? Date.now;
  const files = new Map<string, FakeDriveFile>();
  const changes: FakeDriveChange[] = [];
  const channels = new Map<string, FakeDriveChannel>();
  let nextFile = 1;
  let nextResource = 1;
  // Drive's change ids are plain decimal numbers; start somewhere plausible.
  let lastChange = 4100;

  function logChange(file: FakeDriveFile, removed: boolean): void {
    lastChange++;
    changes.push({
      id: lastChange,
      fileId: file.id,
      time: now(),
      removed,
      visibleToApp: file.visibleToApp,
    });
  }

  function touch(file: FakeDriveFile): void {
    file.version++;
    file.modifiedTime = now();
    logChange(file, false);
  }

  function get(id: string): FakeDriveFile {
    const file = files.get(id);
    if (file === undefined) throw new Error(`fake Drive: no file ${id}`);
    return file;
  }

  function descendants(id: string): FakeDriveFile[] {
    const out: FakeDriveFile[] = [];
    for (const file of files.values()) {
      if (file.parents.includes(id)) out.push(file, ...descendants(file.id));
    }
    return out;
  }

  return {
    files,
    changes,
    channels,
    rootId: FAKE_DRIVE_ROOT_ID,
    now,

    /** A new id shaped like Drive's (33 characters). */
    newFileId(): string {
      const n = nextFile++;
      return `1Fk${String(n).padStart(6, "0")}${"DrvSandboxFileIdAbCdEfGhIj".slice(0, 24)}`;
    },

    newResourceId(): string {
      return `fakeResource${String(nextResource++).padStart(4, "0")}-Dr1v3Ch4ng3s`;
    },

    /** The token `changes.getStartPageToken` answers: the next change's position. */
    startPageToken(): string {
      return String(lastChange + 1);
    },

    lastChangeId(): number {
      return lastChange;
    },

    get,

    create(input: {
      name: string;
      mimeType: string;
      parents?: string[];
      content?: Uint8Array;
      visibleToApp?: boolean;
      id?: string;
    }): FakeDriveFile {
      const at = now();
      const file: FakeDriveFile = {
        id: input.id ?? this.newFileId(),
        name: input.name,
        mimeType: input.mimeType,
        parents:
          input.parents !== undefined && input.parents.length > 0
            ? [...input.parents]
            : [FAKE_DRIVE_ROOT_ID],
        content: input.content ?? new Uint8Array(0),
        createdTime: at,
        modifiedTime: at,
        version: 1,
        trashed: false,
        explicitlyTrashed: false,
        visibleToApp: input.visibleToApp ?? true,
      };
      files.set(file.id, file);
      logChange(file, false);
      return file;
    },

    update(
      id: string,
      patch: { name?: string; mimeType?: string; content?: Uint8Array; parents?: string[] },
    ): FakeDriveFile {
      const file = get(id);
      if (patch.name !== undefined) file.name = patch.name;
      if (patch.mimeType !== undefined) file.mimeType = patch.mimeType;
      if (patch.content !== undefined) file.content = patch.content;
      if (patch.parents !== undefined) file.parents = [...patch.parents];
      touch(file);
      return file;
    },

    /** Trash (or restore) a file; a folder's contents follow it, as in Drive. */
    setTrashed(id: string, trashed: boolean): FakeDriveFile {
      const file = get(id);
      file.trashed = trashed;
      file.explicitlyTrashed = trashed;
      touch(file);
      for (const child of descendants(id)) {
        if (child.explicitlyTrashed) continue;
        child.trashed = trashed;
        touch(child);
      }
      return file;
    },

    /** Delete for good; a folder takes its contents with it. */
    remove(id: string): void {
      const file = get(id);
      for (const gone of [file, ...descendants(id)]) {
        files.delete(gone.id);
        logChange(gone, true);
      }
    },

    /** The user opened the file with the app (Google Picker): `drive.file` now reaches it. */
    grant(id: string): FakeDriveFile {
      const file = get(id);
      if (!file.visibleToApp) {
        file.visibleToApp = true;
        touch(file);
      }
      return file;
    },
  };
}

/** The fake Drive's state, as {@link createDriveState} returns it. */
export type DriveState = ReturnType<typeof createDriveState>;
