/**
 * The TikTok Ads connector: authorized advertisers and a daily campaign
 * report from the TikTok API for Business (Marketing API v1.3).
 *
 * @see https://business-api.tiktok.com/portal/docs
 */
import {
  type ConnectorDefinition,
  defineConnector,
  defineModel,
  type HttpClient,
  registerSecret,
} from "@patchbay/core";
import { z } from "zod";
import { callTikTok, parseTikTokHttpError, type TikTokRetry } from "./api.js";
import { tiktokOAuth } from "./auth.js";
import { ADVERTISER_GET_PATH, TIKTOK_ADS_DOCS_URL, TIKTOK_API_BASE_URL } from "./endpoints.js";
import { syncCampaignDays } from "./reports.js";
import {
  type AdvertiserRecord,
  AdvertiserRecordSchema,
  CampaignDayRecordSchema,
  TikTokAdsConfigSchema,
} from "./schemas.js";

/**
 * Options of {@link tiktokAds}: the host's TikTok for Business developer app.
 *
 * @example
 * ```ts
 * const options: TikTokAdsOptions = { appId: process.env.TIKTOK_APP_ID!, secret: process.env.TIKTOK_APP_SECRET! };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373141733378
 */
export interface TikTokAdsOptions {
  /** The developer app's App ID (the authorize URL's `app_id`). */
  appId: string;
  /** The developer app's Secret (the auth-code exchange, and listing the advertisers a token is authorized for). */
  secret: string;
  /** First wait after TikTok's rate limit (code 40100), doubling each retry. Default 1 000 ms. */
  rateLimitWaitMs?: number;
  /** Retries of a rate-limited call. Default 4. */
  rateLimitRetries?: number;
  /** The clock the report window is computed from (tests). Default `Date.now`. */
  now?: () => number;
  /** How rate-limit waits are taken (tests). Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

function checkOptions(options: TikTokAdsOptions): void {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object: tiktokAds({ appId, secret })');
  if (typeof options.appId !== "string" || !/^\d+$/.test(options.appId))
    throw new TypeError('"appId" must be the TikTok developer app id (digits)');
  if (typeof options.secret !== "string" || options.secret === "")
    throw new TypeError('"secret" must be the TikTok developer app secret');
  if (
    options.rateLimitWaitMs !== undefined &&
    (typeof options.rateLimitWaitMs !== "number" ||
      !Number.isFinite(options.rateLimitWaitMs) ||
      options.rateLimitWaitMs < 0)
  )
    throw new TypeError('"rateLimitWaitMs" must be a non-negative number of milliseconds');
  if (
    options.rateLimitRetries !== undefined &&
    (!Number.isInteger(options.rateLimitRetries) || options.rateLimitRetries < 0)
  )
    throw new TypeError('"rateLimitRetries" must be a non-negative integer');
  for (const name of ["now", "sleep"] as const)
    if (options[name] !== undefined && typeof options[name] !== "function")
      throw new TypeError(`"${name}" must be a function`);
}

/**
 * The advertisers a token is authorized for (`oauth2/advertiser/get/`).
 *
 * @example
 * ```ts
 * await listAdvertisers(ctx.http, retry, { appId, secret }); // [{ advertiser_id: "701…", advertiser_name: "Brightside" }]
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738455508553729
 */
export async function listAdvertisers(
  http: HttpClient,
  retry: TikTokRetry,
  app: { appId: string; secret: string },
  signal?: AbortSignal,
): Promise<AdvertiserRecord[]> {
  const data = await callTikTok(http, retry, {
    path: ADVERTISER_GET_PATH,
    query: { app_id: app.appId, secret: app.secret },
    ...(signal !== undefined && { signal }),
  });
  return z.object({ list: z.array(AdvertiserRecordSchema).default([]) }).parse(data ?? {}).list;
}

/**
 * The TikTok Ads connector. Connect with TikTok's advertiser authorization
 * through `connect.start` and `connect.finish` (or the host handler's
 * connect and callback routes); the token goes in TikTok's `Access-Token`
 * header and does not expire. Models `campaignDays` (spend, impressions,
 * clicks and conversions per day and campaign over a trailing window) and
 * `advertisers`. TikTok's body-level error codes become typed errors; its
 * rate limit (40100) is retried.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({ connectors: [tiktokAds({ appId: process.env.TIKTOK_APP_ID!, secret: process.env.TIKTOK_APP_SECRET! })], store, vault });
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export function tiktokAds(
  options: TikTokAdsOptions,
): ConnectorDefinition<typeof TikTokAdsConfigSchema> {
  checkOptions(options);
  // Sent in advertiser/get/'s query string and the code exchange's body: keep it out of logs and errors.
  registerSecret(options.secret);
  const now = options.now ?? Date.now;
  const retry: TikTokRetry = {
    retries: options.rateLimitRetries ?? 4,
    waitMs: options.rateLimitWaitMs ?? 1_000,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
  };
  const app = { appId: options.appId, secret: options.secret };
  return defineConnector({
    id: "tiktok-ads",
    name: "TikTok Ads",
    category: "ads",
    description:
      "Report on TikTok ad campaigns: daily spend, impressions, clicks and conversions per campaign.",
    docsUrl: TIKTOK_ADS_DOCS_URL,
    auth: tiktokOAuth(app),
    http: { baseUrl: TIKTOK_API_BASE_URL, parseError: parseTikTokHttpError },
    config: TikTokAdsConfigSchema,
    async test(ctx) {
      const advertisers = await listAdvertisers(ctx.http, retry, app, ctx.signal);
      if (advertisers.length === 0)
        return {
          ok: false,
          message: "The token is authorized for no advertiser: authorize at least one",
        };
      return undefined;
    },
    models: {
      campaignDays: defineModel({
        description:
          "Spend, impressions, clicks and conversions per day and campaign (integrated BASIC report)",
        schema: CampaignDayRecordSchema,
        key: "id",
        sync: syncCampaignDays(retry, now),
      }),
      advertisers: defineModel({
        description: "The advertisers the token is authorized for",
        schema: AdvertiserRecordSchema,
        key: "advertiser_id",
        async *sync(ctx) {
          yield { records: await listAdvertisers(ctx.http, retry, app, ctx.signal) };
        },
      }),
    },
  });
}
