/**
 * Google Drive API v3 addresses, scopes and limits. The connector and its fake
 * (`@patchbay/google-drive/testing`) both read these, so they cannot drift apart.
 *
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */

/**
 * The Drive API v3 base URL (metadata, listing, changes, channels).
 *
 * @example
 * ```ts
 * await http.get(`${DRIVE_API}/about`, { query: { fields: "user" } });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export const DRIVE_API = "https://www.googleapis.com/drive/v3";

/**
 * The Drive API v3 upload base URL (file content: `uploadType=media|multipart|resumable`).
 *
 * @example
 * ```ts
 * await http.post(`${DRIVE_UPLOAD_API}/files`, { query: { uploadType: "multipart" }, body, headers });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads
 */
export const DRIVE_UPLOAD_API = "https://www.googleapis.com/upload/drive/v3";

/**
 * Drive OAuth scopes. `file` is the connector's default: non-sensitive, it
 * reaches only the files this app created or the user opened with it
 * (Google Picker). `readonly` and `full` reach the whole Drive and are
 * restricted scopes (Google verification with a security assessment).
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "google-drive", redirectUri,
 *   scopes: [DRIVE_SCOPES.file, DRIVE_SCOPES.readonly] });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/api-specific-auth
 */
export const DRIVE_SCOPES = {
  /** Create files, and see or change only the files this app created or was given (recommended, non-sensitive). */
  file: "https://www.googleapis.com/auth/drive.file",
  /** See and download every file in the user's Drive (restricted). */
  readonly: "https://www.googleapis.com/auth/drive.readonly",
  /** See, change and delete every file in the user's Drive (restricted). */
  full: "https://www.googleapis.com/auth/drive",
} as const;

/**
 * The MIME type of a Drive folder.
 *
 * @example
 * ```ts
 * const q = `mimeType='${DRIVE_FOLDER_MIME_TYPE}' and trashed=false`;
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/folder
 */
export const DRIVE_FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";

/**
 * The file fields the connector asks for, as a `fields` selector, and the
 * fields of a `files` record.
 *
 * @example
 * ```ts
 * await http.get(`files/${id}`, { query: { fields: DRIVE_FILE_FIELDS } });
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/fields-parameter
 */
export const DRIVE_FILE_FIELDS =
  "id,name,mimeType,modifiedTime,parents,trashed,webViewLink,size,version";

/**
 * The largest page `files.list` and `changes.list` return; larger `pageSize` values are coerced to it.
 *
 * @example
 * ```ts
 * googleDrive({ clientId, clientSecret, pageSize: DRIVE_MAX_PAGE_SIZE });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list
 */
export const DRIVE_MAX_PAGE_SIZE = 1000;

/**
 * The largest file a `uploadType=multipart` upload should carry (5 MB); larger
 * files need a resumable upload, which this connector does not do.
 *
 * @example
 * ```ts
 * if (bytes.byteLength > DRIVE_MULTIPART_MAX_BYTES) throw new TypeError("too large");
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
export const DRIVE_MULTIPART_MAX_BYTES = 5 * 1024 * 1024;

/**
 * How long a `changes.watch` channel may live: one week. Drive stops a
 * channel at its expiration; a new one must be opened before.
 *
 * @example
 * ```ts
 * const expiration = Date.now() + DRIVE_CHANGES_CHANNEL_MAX_TTL_MS;
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/push
 */
export const DRIVE_CHANGES_CHANNEL_MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000;
