/**
 * Zod schemas: the connection config, the records, and TikTok's wire types
 * (the `{ code, message, request_id, data }` envelope, with TikTok's field names).
 *
 * @see https://business-api.tiktok.com/portal/docs
 */
import { z } from "zod";

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, { advertiserIds: ["7012345678901234567"], reportDays: 30 });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
export const TikTokAdsConfigSchema = z.object({
  advertiserIds: z
    .array(z.string().regex(/^\d+$/, "must be a TikTok advertiser id (digits)"))
    .min(1)
    .optional()
    .describe("Advertisers to report on. Default: every advertiser the token was authorized for."),
  reportDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe("How many days of the daily campaign report to keep, ending yesterday."),
});
/**
 * The validated config. The type of {@link TikTokAdsConfigSchema}.
 *
 * @example
 * ```ts
 * const value: TikTokAdsConfig = TikTokAdsConfigSchema.parse(data);
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export type TikTokAdsConfig = z.infer<typeof TikTokAdsConfigSchema>;

/**
 * An advertiser the token may act for.
 *
 * @example
 * ```ts
 * const a: AdvertiserRecord = { advertiser_id: "7012345678901234567", advertiser_name: "Brightside Plumbing" };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738455508553729
 */
export const AdvertiserRecordSchema = z.object({
  advertiser_id: z.string(),
  advertiser_name: z.string(),
});
/**
 * The type of {@link AdvertiserRecordSchema}.
 *
 * @example
 * ```ts
 * const value: AdvertiserRecord = AdvertiserRecordSchema.parse(data);
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export type AdvertiserRecord = z.infer<typeof AdvertiserRecordSchema>;

/**
 * One day of one campaign's stats, keyed `stat_time_day:campaign_id`.
 * Metrics are parsed from TikTok's strings.
 *
 * @example
 * ```ts
 * const r: CampaignDayRecord = { id: "2026-10-01:1780000000001", advertiser_id: "70123", campaign_id: "1780000000001", campaign_name: "Drain cleaning", stat_time_day: "2026-10-01", spend: 18.4, impressions: 5200, clicks: 61, conversion: 3 };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1751443956638721
 */
export const CampaignDayRecordSchema = z.object({
  id: z.string(),
  advertiser_id: z.string(),
  campaign_id: z.string(),
  campaign_name: z.string().nullable(),
  stat_time_day: z.string(),
  spend: z.number(),
  impressions: z.number(),
  clicks: z.number(),
  conversion: z.number(),
});
/**
 * The type of {@link CampaignDayRecordSchema}.
 *
 * @example
 * ```ts
 * const value: CampaignDayRecord = CampaignDayRecordSchema.parse(data);
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export type CampaignDayRecord = z.infer<typeof CampaignDayRecordSchema>;

/**
 * TikTok's response envelope: HTTP 200 with `code: 0` for success, any other
 * `code` for an error.
 *
 * @example
 * ```ts
 * TikTokEnvelopeSchema.parse({ code: 40100, message: "Too many requests", request_id: "2026…" });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1737172488964097
 */
export const TikTokEnvelopeSchema = z.object({
  code: z.number(),
  message: z.string().default(""),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});
/**
 * The type of {@link TikTokEnvelopeSchema}.
 *
 * @example
 * ```ts
 * const value: TikTokEnvelope = TikTokEnvelopeSchema.parse(data);
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export type TikTokEnvelope = z.infer<typeof TikTokEnvelopeSchema>;

/**
 * `data` of an integrated report page.
 *
 * @example
 * ```ts
 * ReportDataSchema.parse(data).page_info.total_page;
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
export const ReportDataSchema = z.object({
  list: z
    .array(
      z.object({
        dimensions: z.record(z.string(), z.unknown()),
        metrics: z.record(z.string(), z.unknown()),
      }),
    )
    .default([]),
  page_info: z.object({
    page: z.number(),
    page_size: z.number(),
    total_number: z.number(),
    total_page: z.number(),
  }),
});

/**
 * `data` of the auth-code exchange.
 *
 * @example
 * ```ts
 * AccessTokenDataSchema.parse(data).advertiser_ids; // ["7012345678901234567"]
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export const AccessTokenDataSchema = z.object({
  access_token: z.string(),
  advertiser_ids: z.array(z.string()).default([]),
  scope: z.array(z.union([z.number(), z.string()])).default([]),
});
