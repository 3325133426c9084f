/**
 * The Google Ads connector: campaigns, ad groups and daily metrics through
 * GAQL reports, the accessible-customers list, and offline click conversion
 * uploads.
 *
 * @see https://developers.google.com/google-ads/api/docs/start
 */
import {
  type ConnectorDefinition,
  defineAction,
  defineConnector,
  defineModel,
  type Json,
} from "@patchbay/core";
import { type GoogleOAuthOptions, googleOAuth } from "@patchbay/google-common";
import { z } from "zod";
import { uploadClickConversions } from "./conversions.js";
import { listAccessibleCustomers } from "./customers.js";
import { GOOGLE_ADS_API_BASE_URL, GOOGLE_ADS_DOCS_URL, GOOGLE_ADS_SCOPE } from "./endpoints.js";
import { parseGoogleAdsError } from "./error-parser.js";
import {
  customerOf,
  searchPages,
  syncAdGroups,
  syncCampaigns,
  syncDailyMetrics,
} from "./reports.js";
import {
  AdGroupRecordSchema,
  CampaignRecordSchema,
  DailyMetricRecordSchema,
  GoogleAdsConfigSchema,
  UploadClickConversionsInputSchema,
} from "./schemas.js";

/**
 * Options of {@link googleAds}: the host's Google OAuth app (a Web client in
 * the Google Cloud project that holds the Google Ads API access level) and,
 * for code that still has one, the developer token.
 *
 * @example
 * ```ts
 * const options: GoogleAdsOptions = { clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! };
 * ```
 * @see https://developers.google.com/google-ads/api/docs/api-policy/developer-token
 */
export interface GoogleAdsOptions extends GoogleOAuthOptions {
  /**
   * The 22-character developer token, sent as the `developer-token` header.
   * Google sunset developer tokens on 2026-09-09: access levels now belong to
   * the Cloud project of the OAuth client and the header is optional and
   * ignored (a future major version will reject it). Leave it out for new
   * apps.
   */
  developerToken?: string;
  /** The clock the metrics window is computed from (tests). Default `Date.now`. */
  now?: () => number;
}

function checkOptions(options: GoogleAdsOptions): void {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object: googleAds({ clientId, clientSecret })');
  if (typeof options.clientId !== "string" || options.clientId === "")
    throw new TypeError('"clientId" must be a non-empty string (the Google OAuth client id)');
  if (typeof options.clientSecret !== "string" || options.clientSecret === "")
    throw new TypeError(
      '"clientSecret" must be a non-empty string (the Google OAuth client secret)',
    );
  if (
    options.developerToken !== undefined &&
    (typeof options.developerToken !== "string" ||
      !/^[A-Za-z0-9_-]{10,}$/.test(options.developerToken))
  )
    throw new TypeError(
      '"developerToken" must be the developer token string from the API Center, or left out (Google no longer requires one)',
    );
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
}

/**
 * The Google Ads connector. Scope `adwords`; API version pinned to
 * {@link GOOGLE_ADS_API_VERSION}. Models `campaigns`, `adGroups` and
 * `dailyMetrics` (a trailing window of days, per campaign or ad group);
 * actions `listAccessibleCustomers` and `uploadClickConversions` (partial
 * failures reported per row). Quota errors wait Google's `retryDelay`.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({
 *   connectors: [googleAds({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! })],
 *   store, vault,
 * });
 * await patchbay.connections.configure(tenantId, connectionId, { customerId: "123-456-7890" });
 * ```
 * @see https://developers.google.com/google-ads/api/docs/start
 */
export function googleAds(
  options: GoogleAdsOptions,
): ConnectorDefinition<typeof GoogleAdsConfigSchema> {
  checkOptions(options);
  return defineConnector({
    id: "google-ads",
    name: "Google Ads",
    category: "ads",
    description:
      "Report on Google Ads campaigns, ad groups and daily spend, clicks and conversions, and send offline conversions (booked jobs) back to Google Ads.",
    docsUrl: GOOGLE_ADS_DOCS_URL,
    auth: googleOAuth(
      { clientId: options.clientId, clientSecret: options.clientSecret },
      [GOOGLE_ADS_SCOPE],
      {
        // Kept so a user with one account needs no configuration.
        metadata: async ({ http }): Promise<Record<string, Json>> => ({
          accessibleCustomerIds: await listAccessibleCustomers(http),
        }),
      },
    ),
    http: {
      baseUrl: GOOGLE_ADS_API_BASE_URL,
      ...(options.developerToken !== undefined && {
        headers: { "developer-token": options.developerToken },
      }),
      parseError: parseGoogleAdsError,
    },
    config: GoogleAdsConfigSchema,
    async test(ctx) {
      const customers = await listAccessibleCustomers(ctx.http, ctx.signal);
      if (customers.length === 0)
        return { ok: false, message: "This Google user has no Google Ads account" };
      const config = GoogleAdsConfigSchema.safeParse(ctx.config ?? {});
      if (config.success && config.data.customerId !== undefined) {
        const { customerId, headers } = customerOf(ctx);
        for await (const _ of searchPages(
          ctx.http,
          customerId,
          "SELECT customer.id FROM customer LIMIT 1",
          headers,
          ctx.signal,
        ))
          break;
      }
      return undefined;
    },
    models: {
      campaigns: defineModel({
        description: "Campaigns that are not removed: name, status, channel and daily budget",
        schema: CampaignRecordSchema,
        key: "id",
        sync: syncCampaigns,
      }),
      adGroups: defineModel({
        description: "Ad groups that are not removed, with their campaign and default CPC bid",
        schema: AdGroupRecordSchema,
        key: "id",
        sync: syncAdGroups,
      }),
      dailyMetrics: defineModel({
        description:
          "Impressions, clicks, cost, conversions and conversion value per day and campaign (or ad group), over a trailing window",
        schema: DailyMetricRecordSchema,
        key: "id",
        sync: syncDailyMetrics(options.now),
      }),
    },
    actions: {
      listAccessibleCustomers: defineAction({
        description:
          "The Google Ads accounts the user reaches directly, to pick customerId (clients of a manager account need loginCustomerId)",
        input: z.object({}),
        run: async (ctx) => ({ customerIds: await listAccessibleCustomers(ctx.http, ctx.signal) }),
      }),
      uploadClickConversions: defineAction({
        description:
          "Send offline conversions (e.g. booked jobs) for Google click ids; each row succeeds or fails on its own",
        input: UploadClickConversionsInputSchema,
        run: (ctx, input) => uploadClickConversions(ctx, input),
      }),
    },
  });
}
