/**
 * The Meta Ads connector: ad accounts, campaigns and daily insights (as
 * async report runs) from the Marketing API, throttled by Meta's usage
 * headers, with ad account webhooks.
 *
 * @see https://developers.facebook.com/docs/marketing-api
 */
import { type ConnectorDefinition, defineConnector, defineModel } from "@patchbay/core";
import { metaOAuth, metaSystemUser } from "./auth.js";
import {
  AD_ACCOUNTS_PATH,
  campaignsPath,
  META_ADS_DOCS_URL,
  META_GRAPH_BASE_URL,
} from "./endpoints.js";
import { parseMetaError } from "./error-parser.js";
import { adAccountOf, graphCall, graphPages } from "./graph.js";
import { syncDailyInsights } from "./insights.js";
import {
  AdAccountRecordSchema,
  CAMPAIGN_FIELDS,
  CampaignRecordSchema,
  InsightRecordSchema,
  MetaAdsConfigSchema,
} from "./schemas.js";
import { createUsageThrottle } from "./usage.js";
import { metaLifecycle, metaWebhooks } from "./webhooks.js";

/**
 * Options of {@link metaAds}: Facebook Login (default) or system-user tokens.
 *
 * @example
 * ```ts
 * const login: MetaAdsOptions = { clientId: process.env.META_APP_ID!, clientSecret: process.env.META_APP_SECRET! };
 * const systemUser: MetaAdsOptions = { auth: "system_user", appSecret: process.env.META_APP_SECRET };
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens
 */
export type MetaAdsOptions = MetaAdsOAuthOptions | MetaAdsSystemUserOptions;

/**
 * Facebook Login with the host's Meta app.
 *
 * @example
 * ```ts
 * metaAds({ clientId: "1234567890", clientSecret: "…", webhookVerifyToken: "…" });
 * ```
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 */
export interface MetaAdsOAuthOptions extends MetaAdsCommonOptions {
  auth?: "oauth";
  /** The Meta App ID. */
  clientId: string;
  /** The App Secret (also signs webhook deliveries). */
  clientSecret: string;
}

/**
 * Users paste a Business Manager system-user token.
 *
 * @example
 * ```ts
 * metaAds({ auth: "system_user", appSecret: "…" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/system-users
 */
export interface MetaAdsSystemUserOptions extends MetaAdsCommonOptions {
  auth: "system_user";
  /** The App Secret of the app the tokens belong to: adds `appsecret_proof` and enables webhooks. */
  appSecret?: string;
}

/**
 * Options both auth modes take.
 *
 * @example
 * ```ts
 * metaAds({ clientId, clientSecret, slowDownAt: 60, pollIntervalMs: 5000 });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 */
export interface MetaAdsCommonOptions {
  /** The verify token you entered in the App Dashboard's webhook settings. */
  webhookVerifyToken?: string;
  /** Usage percentage (from Meta's usage headers) from which calls are spaced out. Default 75. */
  slowDownAt?: number;
  /** The pause at 100% usage and the longest one taken inside a sync. Default 60 000 ms. */
  maxPauseMs?: number;
  /** Between two polls of an insights report run. Default 2 000 ms. */
  pollIntervalMs?: number;
  /** Give up waiting for a report run after this long (the sync fails, retryable). Default 600 000 ms. */
  reportTimeoutMs?: number;
  /** The clock (insights window, report timeout). Default `Date.now`. */
  now?: () => number;
  /** How pauses and polls wait (tests). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

function nonNegative(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0))
    throw new TypeError(`"${name}" must be a non-negative number`);
}

function checkOptions(options: MetaAdsOptions): void {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      '"options" must be an object: metaAds({ clientId, clientSecret }) or metaAds({ auth: "system_user" })',
    );
  const o = options as unknown as Record<string, unknown>;
  if (o.auth !== undefined && o.auth !== "oauth" && o.auth !== "system_user")
    throw new TypeError(`"auth" must be "oauth" or "system_user", got ${JSON.stringify(o.auth)}`);
  if (o.auth !== "system_user") {
    if (typeof o.clientId !== "string" || !/^\d+$/.test(o.clientId))
      throw new TypeError('"clientId" must be the Meta App ID (digits)');
    if (typeof o.clientSecret !== "string" || o.clientSecret === "")
      throw new TypeError('"clientSecret" must be the Meta App Secret');
  } else if (o.appSecret !== undefined && (typeof o.appSecret !== "string" || o.appSecret === "")) {
    throw new TypeError('"appSecret" must be a non-empty string, or left out');
  }
  if (
    o.slowDownAt !== undefined &&
    (typeof o.slowDownAt !== "number" || o.slowDownAt <= 0 || o.slowDownAt >= 100)
  )
    throw new TypeError('"slowDownAt" must be a percentage between 0 and 100');
  nonNegative(o.maxPauseMs, "maxPauseMs");
  nonNegative(o.pollIntervalMs, "pollIntervalMs");
  nonNegative(o.reportTimeoutMs, "reportTimeoutMs");
  for (const name of ["now", "sleep"])
    if (o[name] !== undefined && typeof o[name] !== "function")
      throw new TypeError(`"${name}" must be a function`);
}

/**
 * The Meta Ads connector (Marketing API, Graph {@link META_GRAPH_API_VERSION}).
 * Models `adAccounts`, `campaigns` and `dailyInsights` (an async report run
 * over a trailing window, one row per day and campaign). Calls slow down as
 * Meta's usage headers climb; throttling error codes (4, 17, 32, 613,
 * 80000–80014) are retried as rate limits. Webhooks: the `hub.challenge`
 * handshake and `X-Hub-Signature-256`.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({
 *   connectors: [metaAds({ clientId: process.env.META_APP_ID!, clientSecret: process.env.META_APP_SECRET!, webhookVerifyToken: process.env.META_VERIFY_TOKEN })],
 *   store, vault, webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 * });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export function metaAds(options: MetaAdsOptions): ConnectorDefinition<typeof MetaAdsConfigSchema> {
  checkOptions(options);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const throttle = createUsageThrottle({
    sleep,
    ...(options.slowDownAt !== undefined && { slowDownAt: options.slowDownAt }),
    ...(options.maxPauseMs !== undefined && { maxPauseMs: options.maxPauseMs }),
  });
  const appSecret = options.auth === "system_user" ? options.appSecret : options.clientSecret;
  return defineConnector({
    id: "meta-ads",
    name: "Meta Ads",
    category: "ads",
    description:
      "Report on Facebook and Instagram ad campaigns: ad accounts, campaigns and daily spend, reach, clicks and leads.",
    docsUrl: META_ADS_DOCS_URL,
    auth:
      options.auth === "system_user"
        ? metaSystemUser({ ...(appSecret !== undefined && { appSecret }) })
        : metaOAuth(options),
    http: { baseUrl: META_GRAPH_BASE_URL, parseError: parseMetaError },
    config: MetaAdsConfigSchema,
    async test(ctx) {
      await graphCall(ctx, throttle, { path: "me", query: { fields: "id" } });
      return undefined;
    },
    models: {
      campaigns: defineModel({
        description:
          "Campaigns of the ad account (deleted ones drop out): status, objective, budgets",
        schema: CampaignRecordSchema,
        key: "id",
        updatedAt: (c) => c.updated_time,
        async *sync(ctx) {
          const { adAccountId } = adAccountOf(ctx);
          for await (const rows of graphPages(ctx, throttle, campaignsPath(adAccountId), {
            fields: CAMPAIGN_FIELDS.join(","),
          }))
            yield { records: rows };
        },
      }),
      adAccounts: defineModel({
        description: "The ad accounts the user (or system user) can read",
        schema: AdAccountRecordSchema,
        key: "id",
        async *sync(ctx) {
          for await (const rows of graphPages(ctx, throttle, AD_ACCOUNTS_PATH, {
            fields: "id,account_id,name,account_status,currency,timezone_name",
          }))
            yield { records: rows };
        },
      }),
      dailyInsights: defineModel({
        description:
          "Spend, impressions, clicks, reach and leads per day and campaign (or account, ad set)",
        schema: InsightRecordSchema,
        key: "id",
        sync: syncDailyInsights(throttle, {
          pollIntervalMs: options.pollIntervalMs ?? 2_000,
          timeoutMs: options.reportTimeoutMs ?? 600_000,
          sleep,
          now,
        }),
      }),
    },
    ...(appSecret !== undefined && {
      webhooks: metaWebhooks({
        appSecret,
        ...(options.webhookVerifyToken !== undefined && {
          verifyToken: options.webhookVerifyToken,
        }),
      }),
    }),
    lifecycle: metaLifecycle(),
  });
}
