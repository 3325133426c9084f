/**
 * GAQL reports through `googleAds:search`: the `campaigns`, `adGroups` and
 * `dailyMetrics` models. Pages are fixed at 10,000 rows by Google (since
 * v17 a `pageSize` in the request fails with `PAGE_SIZE_NOT_SUPPORTED`), so
 * the loop follows `nextPageToken` only.
 *
 * @see https://developers.google.com/google-ads/api/docs/reporting/paging
 */
import {
  ConfigError,
  type ConnectorContext,
  type HttpClient,
  type Json,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { normalizeCustomerId, searchPath } from "./endpoints.js";
import {
  type AdGroupRecord,
  type CampaignRecord,
  type DailyMetricRecord,
  type GoogleAdsConfig,
  GoogleAdsConfigSchema,
  SearchResponseSchema,
} from "./schemas.js";

const DAY_MS = 86_400_000;
type Row = Record<string, Record<string, unknown>>;

/**
 * The connection's settings with defaults, and the customer to query:
 * `customerId` from the config, else the user's only accessible customer.
 *
 * @throws ConfigError when no customer is configured and the user reaches several.
 * @example
 * ```ts
 * const { customerId, headers } = customerOf(ctx); // "1234567890", { "login-customer-id": "1112223333" }
 * ```
 * @see https://developers.google.com/google-ads/api/docs/concepts/call-structure#login-customer-id
 */
export function customerOf(ctx: Pick<ConnectorContext, "config" | "metadata">): {
  config: GoogleAdsConfig;
  customerId: string;
  headers: Record<string, string>;
} {
  const config = GoogleAdsConfigSchema.parse(ctx.config ?? {});
  const accessible = ctx.metadata.accessibleCustomerIds;
  let customerId = config.customerId;
  if (customerId === undefined && Array.isArray(accessible) && accessible.length === 1)
    customerId = String(accessible[0]);
  if (customerId === undefined) {
    throw new ConfigError(
      'google-ads: set "customerId" in the connection config (the user can reach several Google Ads accounts; list them with the listAccessibleCustomers action)',
    );
  }
  const headers: Record<string, string> = {};
  if (config.loginCustomerId !== undefined)
    headers["login-customer-id"] = normalizeCustomerId(config.loginCustomerId);
  return { config, customerId: normalizeCustomerId(customerId), headers };
}

/**
 * Run a GAQL query and yield each page's rows, following `nextPageToken`.
 *
 * @example
 * ```ts
 * for await (const rows of searchPages(http, "1234567890", "SELECT campaign.id FROM campaign", {})) console.log(rows.length);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.googleAds/search
 */
export async function* searchPages(
  http: HttpClient,
  customerId: string,
  query: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): AsyncGenerator<Row[]> {
  let pageToken: string | undefined;
  do {
    const { data } = await http.post(searchPath(customerId), {
      json: pageToken === undefined ? { query } : { query, pageToken },
      headers,
      // A search reads only: safe to repeat after a 5xx.
      idempotent: true,
      ...(signal !== undefined && { signal }),
    });
    const page = SearchResponseSchema.parse(data ?? {});
    yield page.results as Row[];
    pageToken = page.nextPageToken === "" ? undefined : page.nextPageToken;
  } while (pageToken !== undefined);
}

function str(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}
function num(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}
function numOrNull(value: unknown): number | null {
  return value === undefined || value === null ? null : num(value);
}

/**
 * The GAQL query of the `campaigns` model: every campaign not removed.
 *
 * @example
 * ```ts
 * CAMPAIGNS_QUERY.startsWith("SELECT campaign.resource_name"); // true
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/campaign
 */
export const CAMPAIGNS_QUERY =
  "SELECT campaign.resource_name, campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, campaign_budget.amount_micros FROM campaign WHERE campaign.status != 'REMOVED' ORDER BY campaign.id";

/**
 * The GAQL query of the `adGroups` model: every ad group not removed.
 *
 * @example
 * ```ts
 * AD_GROUPS_QUERY.includes("FROM ad_group"); // true
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/ad_group
 */
export const AD_GROUPS_QUERY =
  "SELECT ad_group.resource_name, ad_group.id, ad_group.name, ad_group.status, ad_group.type, ad_group.cpc_bid_micros, campaign.id FROM ad_group WHERE ad_group.status != 'REMOVED' ORDER BY ad_group.id";

/**
 * The GAQL query of `dailyMetrics` for a date range (both ends included).
 *
 * @example
 * ```ts
 * dailyMetricsQuery("campaign", "2026-09-01", "2026-09-30");
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/segmentation#date_segments
 */
export function dailyMetricsQuery(
  level: "campaign" | "ad_group",
  start: string,
  end: string,
): string {
  const ids =
    level === "ad_group"
      ? "campaign.id, campaign.name, ad_group.id, ad_group.name"
      : "campaign.id, campaign.name";
  return `SELECT segments.date, ${ids}, metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value FROM ${level} WHERE segments.date BETWEEN '${start}' AND '${end}'`;
}

/**
 * A `campaign` search row as a {@link CampaignRecord}.
 *
 * @example
 * ```ts
 * toCampaignRecord({ campaign: { resourceName: "customers/1/campaigns/2", id: "2", name: "A", status: "ENABLED" } });
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/campaign
 */
export function toCampaignRecord(row: Row): CampaignRecord {
  const c = row.campaign ?? {};
  return {
    resourceName: String(c.resourceName),
    id: String(c.id),
    name: String(c.name ?? ""),
    status: String(c.status ?? "UNSPECIFIED"),
    advertisingChannelType: str(c.advertisingChannelType),
    budgetAmountMicros: numOrNull(row.campaignBudget?.amountMicros),
  };
}

/**
 * An `ad_group` search row as an {@link AdGroupRecord}.
 *
 * @example
 * ```ts
 * toAdGroupRecord({ adGroup: { resourceName: "customers/1/adGroups/3", id: "3", name: "B", status: "PAUSED" }, campaign: { id: "2" } });
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/ad_group
 */
export function toAdGroupRecord(row: Row): AdGroupRecord {
  const g = row.adGroup ?? {};
  return {
    resourceName: String(g.resourceName),
    id: String(g.id),
    name: String(g.name ?? ""),
    status: String(g.status ?? "UNSPECIFIED"),
    type: str(g.type),
    campaignId: String(row.campaign?.id ?? ""),
    cpcBidMicros: numOrNull(g.cpcBidMicros),
  };
}

/**
 * A daily metrics row as a {@link DailyMetricRecord}, keyed `date:level:id`.
 *
 * @example
 * ```ts
 * toDailyMetricRecord("campaign", { segments: { date: "2026-10-01" }, campaign: { id: "2" }, metrics: { clicks: "4" } }).id; // "2026-10-01:campaign:2"
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/segmentation
 */
export function toDailyMetricRecord(level: "campaign" | "ad_group", row: Row): DailyMetricRecord {
  const date = String(row.segments?.date);
  const campaignId = String(row.campaign?.id);
  const adGroupId = level === "ad_group" ? String(row.adGroup?.id) : null;
  const m = row.metrics ?? {};
  return {
    id: `${date}:${level}:${adGroupId ?? campaignId}`,
    date,
    level,
    campaignId,
    campaignName: str(row.campaign?.name),
    adGroupId,
    adGroupName: level === "ad_group" ? str(row.adGroup?.name) : null,
    impressions: num(m.impressions),
    clicks: num(m.clicks),
    costMicros: num(m.costMicros),
    conversions: num(m.conversions),
    conversionsValue: num(m.conversionsValue),
  };
}

/**
 * The `campaigns` sync: every campaign that is not removed (a removed one
 * disappears, so a full run marks it deleted).
 *
 * @example
 * ```ts
 * models: { campaigns: defineModel({ schema: CampaignRecordSchema, key: "id", sync: syncCampaigns }) }
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/campaign
 */
export async function* syncCampaigns(ctx: SyncContext): AsyncGenerator<SyncPage<CampaignRecord>> {
  const { customerId, headers } = customerOf(ctx);
  for await (const rows of searchPages(ctx.http, customerId, CAMPAIGNS_QUERY, headers, ctx.signal))
    yield { records: rows.map(toCampaignRecord) };
}

/**
 * The `adGroups` sync: every ad group that is not removed.
 *
 * @example
 * ```ts
 * models: { adGroups: defineModel({ schema: AdGroupRecordSchema, key: "id", sync: syncAdGroups }) }
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/ad_group
 */
export async function* syncAdGroups(ctx: SyncContext): AsyncGenerator<SyncPage<AdGroupRecord>> {
  const { customerId, headers } = customerOf(ctx);
  for await (const rows of searchPages(ctx.http, customerId, AD_GROUPS_QUERY, headers, ctx.signal))
    yield { records: rows.map(toAdGroupRecord) };
}

function isoDay(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 10);
}

/**
 * The trailing window of `dailyMetrics`: the last `days` days, ending yesterday (UTC).
 *
 * @example
 * ```ts
 * metricsWindow(30, Date.parse("2026-10-31T08:00:00Z")); // { start: "2026-10-01", end: "2026-10-30" }
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/segmentation#date_segments
 */
export function metricsWindow(days: number, now: number): { start: string; end: string } {
  const today = Date.parse(isoDay(now));
  return { start: isoDay(today - days * DAY_MS), end: isoDay(today - DAY_MS) };
}

/**
 * The `dailyMetrics` sync: the whole trailing window on every run (recent
 * days keep changing as conversions are attributed), so days that leave the
 * window are marked deleted by the full run.
 *
 * @example
 * ```ts
 * models: { dailyMetrics: defineModel({ schema: DailyMetricRecordSchema, key: "id", sync: syncDailyMetrics(() => Date.now()) }) }
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/segmentation#date_segments
 */
export function syncDailyMetrics(now: () => number = Date.now) {
  return async function* sync(ctx: SyncContext): AsyncGenerator<SyncPage<DailyMetricRecord>> {
    const { config, customerId, headers } = customerOf(ctx);
    const { start, end } = metricsWindow(config.metricsDays, now());
    const query = dailyMetricsQuery(config.metricsLevel, start, end);
    for await (const rows of searchPages(ctx.http, customerId, query, headers, ctx.signal))
      yield { records: rows.map((row) => toDailyMetricRecord(config.metricsLevel, row)) };
    yield { records: [], cursor: { through: end } as Json };
  };
}
