/**
 * The daily campaign report: `report/integrated/get/` with
 * `report_type=BASIC`, `data_level=AUCTION_CAMPAIGN` and dimensions
 * `["campaign_id","stat_time_day"]`, paged with `page`/`page_size` (at most
 * 1,000). With `stat_time_day`, one request covers at most 30 days, so
 * longer windows are split.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
import {
  ConfigError,
  type ConnectorContext,
  type Json,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { callTikTok, type TikTokRetry } from "./api.js";
import { INTEGRATED_REPORT_PATH } from "./endpoints.js";
import {
  type CampaignDayRecord,
  ReportDataSchema,
  type TikTokAdsConfig,
  TikTokAdsConfigSchema,
} from "./schemas.js";

const DAY_MS = 86_400_000;
/**
 * Rows per report page: TikTok's maximum.
 *
 * @example
 * ```ts
 * query: { page: 1, page_size: REPORT_PAGE_SIZE }
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export const REPORT_PAGE_SIZE = 1000;
/**
 * The longest range one daily report request may cover.
 *
 * @example
 * ```ts
 * reportRanges(60, Date.now()).length; // 2 requests of at most MAX_DAYS_PER_REQUEST days
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export const MAX_DAYS_PER_REQUEST = 30;
/**
 * The metrics the report asks for (`campaign_name` is an attribute metric).
 *
 * @example
 * ```ts
 * query: { metrics: JSON.stringify(REPORT_METRICS) }
 * ```
 * @see https://business-api.tiktok.com/portal/docs
 */
export const REPORT_METRICS = [
  "campaign_name",
  "spend",
  "impressions",
  "clicks",
  "conversion",
] as const;

function isoDay(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 10);
}

/**
 * The trailing window split into requests of at most 30 days, oldest first.
 *
 * @example
 * ```ts
 * reportRanges(30, Date.parse("2026-10-31T08:00:00Z")); // [{ start_date: "2026-10-01", end_date: "2026-10-30" }]
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
export function reportRanges(
  days: number,
  now: number,
): Array<{ start_date: string; end_date: string }> {
  const today = Date.parse(isoDay(now));
  const ranges: Array<{ start_date: string; end_date: string }> = [];
  for (let start = today - days * DAY_MS; start < today; start += MAX_DAYS_PER_REQUEST * DAY_MS) {
    const end = Math.min(start + (MAX_DAYS_PER_REQUEST - 1) * DAY_MS, today - DAY_MS);
    ranges.push({ start_date: isoDay(start), end_date: isoDay(end) });
  }
  return ranges;
}

/**
 * The connection's settings and advertisers: the configured ones, else all
 * the token was authorized for (metadata `advertiserIds`).
 *
 * @throws ConfigError when there is none.
 * @example
 * ```ts
 * const { advertiserIds } = advertisersOf(ctx);
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1738455508553729
 */
export function advertisersOf(ctx: Pick<ConnectorContext, "config" | "metadata">): {
  config: TikTokAdsConfig;
  advertiserIds: string[];
} {
  const config = TikTokAdsConfigSchema.parse(ctx.config ?? {});
  const known = Array.isArray(ctx.metadata.advertiserIds)
    ? ctx.metadata.advertiserIds.map(String)
    : [];
  const advertiserIds = config.advertiserIds ?? known;
  if (advertiserIds.length === 0)
    throw new ConfigError(
      'tiktok-ads: no advertiser: the token is authorized for none; set "advertiserIds" or re-authorize',
    );
  return { config, advertiserIds };
}

/**
 * A report row as a {@link CampaignDayRecord}.
 *
 * @example
 * ```ts
 * toCampaignDayRecord("701", { dimensions: { campaign_id: "178", stat_time_day: "2026-10-01 00:00:00" }, metrics: { spend: "5.00" } }).id; // "2026-10-01:178"
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1751443956638721
 */
export function toCampaignDayRecord(
  advertiserId: string,
  row: { dimensions: Record<string, unknown>; metrics: Record<string, unknown> },
): CampaignDayRecord {
  const date = String(row.dimensions.stat_time_day).slice(0, 10);
  const campaignId = String(row.dimensions.campaign_id);
  const n = (v: unknown) => {
    const x = Number(v ?? 0);
    return Number.isFinite(x) ? x : 0;
  };
  return {
    id: `${date}:${campaignId}`,
    advertiser_id: advertiserId,
    campaign_id: campaignId,
    campaign_name:
      row.metrics.campaign_name === undefined ? null : String(row.metrics.campaign_name),
    stat_time_day: date,
    spend: n(row.metrics.spend),
    impressions: n(row.metrics.impressions),
    clicks: n(row.metrics.clicks),
    conversion: n(row.metrics.conversion),
  };
}

/**
 * The `campaignDays` sync: each advertiser, each ≤30-day range, each page.
 *
 * @example
 * ```ts
 * sync: syncCampaignDays(retry, () => Date.now())
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1740302848100353
 */
export function syncCampaignDays(retry: TikTokRetry, now: () => number) {
  return async function* sync(ctx: SyncContext): AsyncGenerator<SyncPage<CampaignDayRecord>> {
    const { config, advertiserIds } = advertisersOf(ctx);
    const ranges = reportRanges(config.reportDays, now());
    for (const advertiserId of advertiserIds) {
      for (const range of ranges) {
        for (let page = 1, totalPages = 1; page <= totalPages; page++) {
          const data = ReportDataSchema.parse(
            await callTikTok(ctx.http, retry, {
              path: INTEGRATED_REPORT_PATH,
              query: {
                advertiser_id: advertiserId,
                report_type: "BASIC",
                data_level: "AUCTION_CAMPAIGN",
                dimensions: JSON.stringify(["campaign_id", "stat_time_day"]),
                metrics: JSON.stringify(REPORT_METRICS),
                ...range,
                page,
                page_size: REPORT_PAGE_SIZE,
              },
              ...(ctx.signal !== undefined && { signal: ctx.signal }),
            }),
          );
          totalPages = data.page_info.total_page;
          yield { records: data.list.map((row) => toCampaignDayRecord(advertiserId, row)) };
        }
      }
    }
    yield { records: [], cursor: { through: ranges.at(-1)?.end_date ?? null } as Json };
  };
}
