export { GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
export { fileNotFound, invalidValue, parameterError } from "./errors.js";
export {
  type AddFileInput,
  createGoogleDriveFake,
  type DriveRequestLog,
  GOOGLE_DRIVE_SANDBOX_REDIRECT_URI,
  type GoogleDriveFake,
  type GoogleDriveFakeOptions,
} from "./fake.js";
export { MultipartError, type MultipartUpload, parseMultipartRelated } from "./multipart.js";
export {
  FAKE_DRIVE_ROOT_ID,
  type FakeDriveChange,
  type FakeDriveChannel,
  type FakeDriveFile,
} from "./state.js";
