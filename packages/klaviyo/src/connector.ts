import { defineConnector } from "@patchbay/core";
import { klaviyoActions } from "./actions.js";
import { klaviyoApiKey, klaviyoOAuth } from "./auth.js";
import { bodyOf, klaviyoApi } from "./client.js";
import {
  KLAVIYO_API_ORIGIN,
  KLAVIYO_DEFAULT_REVISION,
  KLAVIYO_DOCS_URL,
  KLAVIYO_MEDIA_TYPE,
  KLAVIYO_PATHS,
  KLAVIYO_REVISION_PATTERN,
} from "./endpoints.js";
import { parseKlaviyoError } from "./errors.js";
import { listsModel } from "./models/lists.js";
import { profilesModel } from "./models/profiles.js";
import { klaviyoRateLimiter } from "./rate-limits.js";
import { KlaviyoConfigSchema } from "./schemas.js";
import { KLAVIYO_DEFAULT_WEBHOOK_TOPICS, klaviyoLifecycle, klaviyoWebhooks } from "./webhooks.js";

/**
 * Options of {@link klaviyo}.
 *
 * @example
 * ```ts
 * const oauth: KlaviyoOptions = { clientId: process.env.KLAVIYO_CLIENT_ID!, clientSecret: process.env.KLAVIYO_CLIENT_SECRET! };
 * const keys: KlaviyoOptions = { auth: "api_key", revision: "2026-07-15" };
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export interface KlaviyoOptions {
  /**
   * How users connect: `"oauth"` (the host's Klaviyo app, PKCE; the default
   * when `clientId` is given) or `"api_key"` (each user pastes a private API
   * key; the default otherwise). One instance offers one; both use the id `klaviyo`.
   */
  auth?: "oauth" | "api_key";
  /** The OAuth app's client id. Required for `"oauth"`. */
  clientId?: string;
  /** The OAuth app's client secret. Required for `"oauth"`. */
  clientSecret?: string;
  /**
   * The API revision sent in the `revision` header. Default
   * {@link KLAVIYO_DEFAULT_REVISION}, the revision the types were generated
   * from; pin another only after checking Klaviyo's changelog.
   */
  revision?: string;
  /** Webhook topics to subscribe (those the account offers). Default {@link KLAVIYO_DEFAULT_WEBHOOK_TOPICS}. */
  webhookTopics?: readonly string[];
}

/**
 * Klaviyo connector (JSON:API, dated revisions).
 *
 * - **Auth**: OAuth with PKCE, or a private API key (`Klaviyo-API-Key pk_…`).
 *   The account id is learned after connecting.
 * - **Models**: `profiles` (full and incremental by `updated`, write-back
 *   through profile import), `lists` (full).
 * - **Actions**: `createEvent`, `subscribeProfiles`, `upsertProfile`.
 * - **Webhooks**: a signed system webhook per connection (OAuth apps and CDP
 *   accounts) triggers incremental `profiles` syncs.
 * - **Limits**: each endpoint's burst and steady limits from the spec, per
 *   connection; 429 waits `Retry-After`. Errors name the JSON pointer at fault.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * createPatchbay({
 *   connectors: [klaviyo({ clientId: process.env.KLAVIYO_CLIENT_ID!, clientSecret: process.env.KLAVIYO_CLIENT_SECRET! })],
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 *   store, vault,
 * });
 * // or, with private API keys: klaviyo({ auth: "api_key" })
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export function klaviyo(options: KlaviyoOptions = {}) {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      '"options" must be an object: klaviyo({ clientId, clientSecret }) or klaviyo({ auth: "api_key" })',
    );
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
  } else if (options.clientId !== undefined || options.clientSecret !== undefined) {
    throw new TypeError(
      '"clientId" and "clientSecret" are for auth "oauth"; a private API key needs neither',
    );
  }
  const revision = options.revision ?? KLAVIYO_DEFAULT_REVISION;
  if (typeof revision !== "string" || !KLAVIYO_REVISION_PATTERN.test(revision)) {
    throw new TypeError(`"revision" must look like "2026-07-15", got ${JSON.stringify(revision)}`);
  }
  const topics = options.webhookTopics ?? KLAVIYO_DEFAULT_WEBHOOK_TOPICS;
  if (!Array.isArray(topics) || topics.some((t) => typeof t !== "string" || t === "")) {
    throw new TypeError(
      '"webhookTopics" must be an array of topic ids such as "event:klaviyo.subscribed_to_list"',
    );
  }
  const limiter = klaviyoRateLimiter();
  return defineConnector({
    id: "klaviyo",
    name: "Klaviyo",
    category: "marketing",
    description:
      "Profiles and lists from Klaviyo; upsert profiles, record events and subscribe profiles to lists.",
    docsUrl: KLAVIYO_DOCS_URL,
    auth:
      mode === "oauth"
        ? klaviyoOAuth({
            clientId: options.clientId as string,
            clientSecret: options.clientSecret as string,
          })
        : klaviyoApiKey(),
    config: KlaviyoConfigSchema,
    http: {
      baseUrl: KLAVIYO_API_ORIGIN,
      // Klaviyo requires the revision on every request; it decides the response shapes.
      headers: { revision, accept: KLAVIYO_MEDIA_TYPE },
      parseError: parseKlaviyoError,
    },
    async test(ctx) {
      // Get Accounts is tier XS (1/s, 15/m) and connecting already called it:
      // one profile from Get Profiles (tier L) proves the credentials and the profiles scope.
      const page = bodyOf(
        await klaviyoApi(ctx.http, {
          limiter,
          scopeKey: `klaviyo:${ctx.connection.id}`,
        }).GET(KLAVIYO_PATHS.profiles, {
          params: { query: { "page[size]": 1, "fields[profile]": ["email"] } },
        }),
        "GET /api/profiles",
      );
      return Array.isArray(page.data)
        ? { ok: true }
        : { ok: false, message: "Klaviyo's Get Profiles answered without a data array" };
    },
    models: { profiles: profilesModel(limiter), lists: listsModel(limiter) },
    actions: klaviyoActions(limiter),
    webhooks: klaviyoWebhooks(),
    lifecycle: klaviyoLifecycle(limiter, topics),
  });
}
