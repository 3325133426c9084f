import { defineConnector } from "@patchbay/core";
import { mailchimpApiKey, mailchimpOAuth } from "./auth.js";
import {
  MAILCHIMP_DC_PATTERN,
  MAILCHIMP_DOCS,
  MAILCHIMP_OAUTH,
  MAILCHIMP_PATHS,
  mailchimpApiBase,
} from "./endpoints.js";
import { audiencesModel, listAudiencesAction, MAILCHIMP_MAX_COUNT } from "./models/audiences.js";
import { campaignsModel } from "./models/campaigns.js";
import { emailActivityModel } from "./models/email-activity.js";
import { membersModel } from "./models/members.js";
import { parseMailchimpError } from "./problem.js";
import { MailchimpConfigSchema } from "./schemas.js";
import { mailchimpLifecycle, mailchimpWebhooks } from "./webhooks.js";

/**
 * Options of {@link mailchimp}.
 * @example
 * ```ts
 * const options: MailchimpOptions = { auth: "api_key", pageSize: 500 };
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export interface MailchimpOptions {
  /**
   * How users connect: `"oauth"` (the host's registered Mailchimp app; the
   * default when `clientId` is given) or `"api_key"` (each user pastes a key
   * ending in its data center; the default otherwise). One connector
   * instance offers one of them; both use the connector id `mailchimp`.
   */
  auth?: "oauth" | "api_key";
  /** The OAuth app's client id (Account → Extras → Registered apps). Required for `"oauth"`. */
  clientId?: string;
  /** The OAuth app's client secret. Required for `"oauth"`. */
  clientSecret?: string;
  /** Records per page (`count`), 1 to 1000. Default 1000, Mailchimp's maximum. */
  pageSize?: number;
}

/**
 * Mailchimp Marketing API v3 connector.
 *
 * - **Auth**: OAuth 2.0 (tokens never expire, no refresh token; the data
 *   center comes from the metadata endpoint) or an API key (`…-us6`, sent as
 *   HTTP Basic; the data center is its suffix). Every API call goes to
 *   `https://<dc>.api.mailchimp.com/3.0`.
 * - **Models**: `audiences`, `members` (of the configured `listId`;
 *   incremental by `last_changed`; write-back upserts by subscriber hash,
 *   sets tags, archives on delete), `campaigns` (incremental by create and
 *   send time), `emailActivity` (per-recipient opens and clicks).
 * - **Action**: `listAudiences`, for the audience picker.
 * - **Webhooks**: one list webhook per connection with a secret in its URL,
 *   created on connect/configure and removed on disconnect.
 * - **Limits**: at most 10 requests in flight per connection (Mailchimp
 *   allows 10 simultaneous connections and answers 429 beyond); 120 s timeout.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * createPatchbay({
 *   connectors: [mailchimp({ clientId: process.env.MAILCHIMP_CLIENT_ID!, clientSecret: process.env.MAILCHIMP_CLIENT_SECRET! })],
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 *   store, vault,
 * });
 * // or, with API keys: mailchimp({ auth: "api_key" })
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export function mailchimp(options: MailchimpOptions = {}) {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object');
  const mode = options.auth ?? (options.clientId !== undefined ? "oauth" : "api_key");
  if (mode !== "oauth" && mode !== "api_key") {
    throw new TypeError(`"auth" must be "oauth" or "api_key", got ${JSON.stringify(options.auth)}`);
  }
  if (mode === "oauth") {
    for (const name of ["clientId", "clientSecret"] as const) {
      if (typeof options[name] !== "string" || options[name].trim() === "") {
        throw new TypeError(`"${name}" must be a non-empty string when "auth" is "oauth"`);
      }
    }
  }
  const pageSize = options.pageSize ?? MAILCHIMP_MAX_COUNT;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAILCHIMP_MAX_COUNT) {
    throw new TypeError(`"pageSize" must be an integer from 1 to ${MAILCHIMP_MAX_COUNT}`);
  }
  return defineConnector({
    id: "mailchimp",
    name: "Mailchimp",
    category: "marketing",
    description:
      "Audiences, members, campaigns and per-contact email activity (opens, clicks); upsert members and tags.",
    docsUrl: MAILCHIMP_DOCS.reference,
    auth:
      mode === "oauth"
        ? mailchimpOAuth({
            clientId: options.clientId as string,
            clientSecret: options.clientSecret as string,
          })
        : mailchimpApiKey(),
    config: MailchimpConfigSchema,
    http: {
      // Until the metadata hook has learned the data center, only absolute URLs are used.
      baseUrl: ({ metadata }) =>
        typeof metadata.dc === "string" && MAILCHIMP_DC_PATTERN.test(metadata.dc)
          ? mailchimpApiBase(metadata.dc)
          : new URL(MAILCHIMP_OAUTH.metadataUrl).origin,
      parseError: parseMailchimpError,
      // "The Marketing API has a 120-second timeout on API calls."
      timeoutMs: 120_000,
      // "The Marketing API has a limit of 10 simultaneous connections" (429 beyond).
      maxConcurrent: { limit: 10, scope: "connection" },
    },
    test: async ({ http }) => {
      const { data } = await http.get<{ health_status?: string }>(MAILCHIMP_PATHS.ping);
      if (typeof data?.health_status !== "string") {
        return { ok: false, message: "Mailchimp's /ping did not report a health status" };
      }
      return { ok: true };
    },
    models: {
      audiences: audiencesModel(pageSize),
      members: membersModel(pageSize),
      campaigns: campaignsModel(pageSize),
      emailActivity: emailActivityModel(pageSize),
    },
    actions: { listAudiences: listAudiencesAction(pageSize) },
    webhooks: mailchimpWebhooks,
    lifecycle: mailchimpLifecycle,
  });
}
