/**
 * Gmail and Google endpoints the connector calls and the fake serves.
 *
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */

/**
 * The Gmail API base for the signed-in user (`userId` = `me`).
 *
 * @example
 * ```ts
 * `${GMAIL_API_BASE}/profile`; // users.getProfile
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
 */
export const GMAIL_API_BASE = "https://gmail.googleapis.com/gmail/v1/users/me";

/**
 * The Gmail API users collection (`/{userId}/...`), for fakes that answer any `userId`.
 *
 * @example
 * ```ts
 * http.get(`${GMAIL_USERS_URL}/:userId/profile`, handler);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users
 */
export const GMAIL_USERS_URL = "https://gmail.googleapis.com/gmail/v1/users";

/**
 * The OAuth scopes the connector asks for, and why (least privilege):
 *
 * - `gmail.send` (sensitive) sends the pitch. It cannot read anything.
 * - `gmail.readonly` (restricted) reads replies: headers, snippet and body
 *   (classification needs the text), `history.list`, `threads.get`, `watch`
 *   and the `q` search the address+subject fallback uses. `gmail.metadata`
 *   is restricted too, so it saves no verification work, and it forbids both
 *   bodies (`format=full`) and `q`. `gmail.modify` would add write access the
 *   connector never uses.
 *
 * @example
 * ```ts
 * googleOAuth(app, [...GMAIL_SCOPES]);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/auth/scopes
 */
export const GMAIL_SCOPES = [
  "https://www.googleapis.com/auth/gmail.send",
  "https://www.googleapis.com/auth/gmail.readonly",
] as const;

// Google's signing keys (`GOOGLE_CERTS_URL`) and token issuers (`GOOGLE_ISSUERS`)
// for Pub/Sub push tokens live in `@patchbay/google-common`, shared by the
// Google connectors; re-exported here for compatibility.
export { GOOGLE_CERTS_URL, GOOGLE_ISSUERS } from "@patchbay/google-common";

/**
 * The service account Gmail publishes push notifications as: grant it
 * "Pub/Sub Publisher" on the topic.
 *
 * @example
 * ```sh
 * gcloud pubsub topics add-iam-policy-binding gmail --member=serviceAccount:gmail-api-push@system.gserviceaccount.com --role=roles/pubsub.publisher
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/push
 */
export const GMAIL_PUSH_PUBLISHER = "gmail-api-push@system.gserviceaccount.com";

/**
 * Gmail's web app. Thread links are `#all/<threadId>` under it: an
 * undocumented but long-stable URL form (Google documents no deep link).
 *
 * @example
 * ```ts
 * `${GMAIL_WEB_URL}u/0/#all/${threadId}`;
 * ```
 * @see https://mail.google.com/
 */
export const GMAIL_WEB_URL = "https://mail.google.com/mail/";
