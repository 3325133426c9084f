import { defineConnector, type MetadataHook, type ProviderErrorParser } from "@patchbay/core";
import { type GoogleOAuthOptions, googleOAuth, parseGoogleError } from "@patchbay/google-common";
import { googleDriveActions } from "./actions.js";
import { googleDriveDestination } from "./destination.js";
import { DRIVE_API, DRIVE_MAX_PAGE_SIZE, DRIVE_SCOPES } from "./endpoints.js";
import { filesModel } from "./files-model.js";
import { googleDriveLifecycle, googleDriveWebhooks } from "./push.js";
import { GoogleDriveConfig } from "./schemas.js";

/**
 * Options of {@link googleDrive}: the host's Google OAuth app ("Web
 * application" client), and optional tuning.
 *
 * @example
 * ```ts
 * const options: GoogleDriveOptions = { clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! };
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingcred
 */
export interface GoogleDriveOptions extends GoogleOAuthOptions {
  /**
   * Scopes asked for by default. Default `[DRIVE_SCOPES.file]`: the app sees
   * only files it created or the user opened with it. Add
   * `DRIVE_SCOPES.readonly` to mirror files the app did not create (a
   * restricted scope: Google verifies the app, with a security assessment).
   */
  scopes?: string[];
  /** Files and changes per page, 1 to 1000. Default 1000 (Drive's maximum). */
  pageSize?: number;
}

/**
 * Drive's errors, read by the shared Google parser. One Drive quirk: an
 * unverified webhook address is refused with a 401, which is not a token
 * problem, so it is reported as a provider error that says what to fix.
 */
const parseDriveError: ProviderErrorParser = (response, body) => {
  const info = parseGoogleError(response, body);
  if (info?.code === "push.webhookUrlUnauthorized") {
    return {
      ...info,
      kind: "provider",
      retryable: false,
      message: `${info.message ?? "Unauthorized WebHook callback channel"} (verify the webhook domain for this Google Cloud project; see the Google Drive docs page)`,
    };
  }
  return info;
};

/** After connecting: who the Drive account is, for the host's UI. */
const accountMetadata: MetadataHook = async ({ http }) => {
  const { data } = await http.get<{
    user?: { displayName?: string; emailAddress?: string; permissionId?: string };
  }>(`${DRIVE_API}/about`, { query: { fields: "user(displayName,emailAddress,permissionId)" } });
  return {
    emailAddress: data.user?.emailAddress ?? null,
    displayName: data.user?.displayName ?? null,
    permissionId: data.user?.permissionId ?? null,
  };
};

/**
 * The Google Drive connector: upload and replace files (CSV, XLSX, anything
 * under 5 MB) in a chosen folder, find and delete them, list or create
 * folders for a picker, receive scheduled exports (`destination`), and
 * mirror file metadata through the changes feed, with push notifications
 * when the host has a webhook URL.
 *
 * @throws TypeError naming the option when an option is invalid.
 * @example
 * ```ts
 * import { googleDrive } from "@patchbay/google-drive";
 *
 * const patchbay = createPatchbay({
 *   connectors: [googleDrive({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! })],
 *   store, vault,
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 * });
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3
 */
export function googleDrive(options: GoogleDriveOptions) {
  if (options === null || typeof options !== "object")
    throw new TypeError("googleDrive() needs { clientId, clientSecret }");
  const pageSize = options.pageSize ?? DRIVE_MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > DRIVE_MAX_PAGE_SIZE)
    throw new TypeError(`"pageSize" must be an integer from 1 to ${DRIVE_MAX_PAGE_SIZE}`);
  const scopes = options.scopes ?? [DRIVE_SCOPES.file];
  return defineConnector({
    id: "google-drive",
    name: "Google Drive",
    category: "storage",
    description:
      "Upload files and exports to a Google Drive folder, and keep a copy of file metadata from Drive's changes feed.",
    docsUrl: "https://developers.google.com/workspace/drive/api/reference/rest/v3",
    auth: googleOAuth({ clientId: options.clientId, clientSecret: options.clientSecret }, scopes, {
      metadata: accountMetadata,
    }),
    http: {
      baseUrl: DRIVE_API,
      // Well under Drive's per-user and per-project quotas, which are shared by every tenant of the host's project.
      rateLimits: [
        { requests: 10, intervalMs: 1000, scope: "connection" },
        { requests: 100, intervalMs: 1000, scope: "provider" },
      ],
      parseError: parseDriveError,
    },
    config: GoogleDriveConfig,
    test: async ({ http }) => {
      await http.get("about", { query: { fields: "user" } });
    },
    models: { files: filesModel({ pageSize }) },
    actions: googleDriveActions,
    destination: googleDriveDestination,
    webhooks: googleDriveWebhooks,
    lifecycle: googleDriveLifecycle,
  });
}
