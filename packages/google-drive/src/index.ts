export { googleDriveActions } from "./actions.js";
export { type GoogleDriveOptions, googleDrive } from "./connector.js";
export { googleDriveDestination } from "./destination.js";
export {
  DRIVE_API,
  DRIVE_CHANGES_CHANNEL_MAX_TTL_MS,
  DRIVE_FILE_FIELDS,
  DRIVE_FOLDER_MIME_TYPE,
  DRIVE_MAX_PAGE_SIZE,
  DRIVE_MULTIPART_MAX_BYTES,
  DRIVE_SCOPES,
  DRIVE_UPLOAD_API,
} from "./endpoints.js";
export { filesModel, startPageToken } from "./files-model.js";
export { buildMultipartRelated, type MultipartBody } from "./multipart.js";
export {
  DRIVE_CHANNEL_RENEW_WITHIN_MS,
  googleDriveLifecycle,
  googleDriveWebhooks,
} from "./push.js";
export { driveQuery, driveQueryString } from "./query.js";
export {
  CreateFolderInput,
  DeleteFileInput,
  type DriveChange,
  type DriveChangeList,
  type DriveChannel,
  DriveFile,
  type DriveFileList,
  FindFileInput,
  GoogleDriveConfig,
  ListFoldersInput,
  UploadFileInput,
} from "./schemas.js";
