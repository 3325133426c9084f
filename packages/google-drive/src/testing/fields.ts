/**
 * Drive's `fields` selector (partial responses): `nextPageToken,files(id,name)`,
 * `user(emailAddress)`, `*`. The fake validates names against the resource
 * (an unknown one is Drive's 400 "Invalid field selection") and returns only
 * what was asked for.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/fields-parameter
 */
import type { drive_v3 } from "@googleapis/drive";

/** A parsed selector: each name maps to `true` (whole value) or a nested selector. */
export type FieldSelector = Map<string, FieldSelector | true>;

/** What a resource may be asked for; nested resources by field name. */
export interface ResourceShape {
  fields: ReadonlySet<string>;
  nested?: Readonly<Record<string, ResourceShape>>;
}

/** Why a selector was refused, in Drive's words. */
export class FieldSelectionError extends Error {
  override readonly name = "FieldSelectionError";
}

const FILE_FIELDS = [
  "appProperties",
  "capabilities",
  "contentHints",
  "contentRestrictions",
  "copyRequiresWriterPermission",
  "createdTime",
  "description",
  "driveId",
  "explicitlyTrashed",
  "exportLinks",
  "fileExtension",
  "folderColorRgb",
  "fullFileExtension",
  "hasThumbnail",
  "headRevisionId",
  "iconLink",
  "id",
  "isAppAuthorized",
  "kind",
  "lastModifyingUser",
  "md5Checksum",
  "mimeType",
  "modifiedByMe",
  "modifiedByMeTime",
  "modifiedTime",
  "name",
  "originalFilename",
  "ownedByMe",
  "owners",
  "parents",
  "permissionIds",
  "properties",
  "quotaBytesUsed",
  "resourceKey",
  "shared",
  "size",
  "spaces",
  "starred",
  "thumbnailLink",
  "trashed",
  "trashedTime",
  "version",
  "viewedByMe",
  "viewedByMeTime",
  "webContentLink",
  "webViewLink",
  "writersCanShare",
] as const satisfies ReadonlyArray<keyof drive_v3.Schema$File>;

/** A Drive `File`. */
export const FILE_SHAPE: ResourceShape = { fields: new Set(FILE_FIELDS) };

/** A `FileList` page. */
export const FILE_LIST_SHAPE: ResourceShape = {
  fields: new Set(["kind", "nextPageToken", "incompleteSearch", "files"] satisfies ReadonlyArray<
    keyof drive_v3.Schema$FileList
  >),
  nested: { files: FILE_SHAPE },
};

/** A `ChangeList` page. */
export const CHANGE_LIST_SHAPE: ResourceShape = {
  fields: new Set(["kind", "nextPageToken", "newStartPageToken", "changes"] satisfies ReadonlyArray<
    keyof drive_v3.Schema$ChangeList
  >),
  nested: {
    changes: {
      fields: new Set([
        "kind",
        "changeType",
        "time",
        "removed",
        "fileId",
        "file",
        "driveId",
        "drive",
        "teamDriveId",
        "teamDrive",
        "type",
      ] satisfies ReadonlyArray<keyof drive_v3.Schema$Change>),
      nested: { file: FILE_SHAPE },
    },
  },
};

/** The `About` resource. */
export const ABOUT_SHAPE: ResourceShape = {
  fields: new Set([
    "kind",
    "user",
    "storageQuota",
    "maxUploadSize",
    "appInstalled",
    "canCreateDrives",
    "exportFormats",
    "importFormats",
  ] satisfies ReadonlyArray<keyof drive_v3.Schema$About>),
  nested: {
    user: {
      fields: new Set([
        "kind",
        "displayName",
        "emailAddress",
        "me",
        "permissionId",
        "photoLink",
      ] satisfies ReadonlyArray<keyof drive_v3.Schema$User>),
    },
  },
};

/**
 * Parse a selector. `a/b` is read as `a(b)`.
 *
 * @throws FieldSelectionError for a malformed selector.
 */
export function parseFieldSelector(text: string): FieldSelector {
  let i = 0;
  const fail = (): never => {
    throw new FieldSelectionError(`Invalid field selection ${text}`);
  };
  const list = (): FieldSelector => {
    const out: FieldSelector = new Map();
    for (;;) {
      item(out);
      while (text[i] === " ") i++;
      if (text[i] !== ",") return out;
      i++;
    }
  };
  const item = (into: FieldSelector): void => {
    while (text[i] === " ") i++;
    const start = i;
    while (i < text.length && /[A-Za-z0-9_*]/.test(text[i] as string)) i++;
    const name = text.slice(start, i);
    if (name === "") fail();
    let value: FieldSelector | true = true;
    if (text[i] === "/") {
      i++;
      const sub: FieldSelector = new Map();
      item(sub);
      value = sub;
    } else if (text[i] === "(") {
      i++;
      value = list();
      if (text[i] !== ")") fail();
      i++;
    }
    const previous = into.get(name);
    if (previous instanceof Map && value instanceof Map) {
      for (const [k, v] of value) previous.set(k, v);
    } else if (previous !== true) into.set(name, value);
  };
  const parsed = list();
  if (i !== text.length) fail();
  return parsed;
}

/**
 * Check every name against the resource.
 *
 * @throws FieldSelectionError naming the first unknown field.
 */
export function checkFieldSelector(selector: FieldSelector, shape: ResourceShape): void {
  for (const [name, value] of selector) {
    if (name === "*") continue;
    if (!shape.fields.has(name)) throw new FieldSelectionError(`Invalid field selection ${name}`);
    if (value instanceof Map) {
      const nested = shape.nested?.[name];
      // Sub-selecting a scalar is refused too.
      if (nested === undefined) throw new FieldSelectionError(`Invalid field selection ${name}`);
      checkFieldSelector(value, nested);
    }
  }
}

/** Keep only the selected fields of a resource (arrays of resources are projected item by item). */
export function selectFields(value: unknown, selector: FieldSelector): unknown {
  if (Array.isArray(value)) return value.map((item) => selectFields(item, selector));
  if (value === null || typeof value !== "object") return value;
  if (selector.has("*")) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selector) {
    if (source[name] === undefined) continue;
    out[name] = sub === true ? source[name] : selectFields(source[name], sub);
  }
  return out;
}
