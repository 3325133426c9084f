/**
 * Daily performance metrics (Business Profile Performance API): one record
 * per location, date and metric.
 *
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries
 */
import type { Json, SyncContext, SyncPage } from "@patchbay/core";
import { connectionAccount, connectionLocations } from "./account.js";
import { PERFORMANCE_API } from "./endpoints.js";
import type { DailyMetricRecord, GoogleBusinessProfileConfig } from "./schemas.js";
import { settingsOf } from "./settings.js";

const DAY_MS = 86_400_000;
/** Days re-read on each incremental run: Google revises recent days as data settles. */
const SETTLING_DAYS = 3;

interface GoogleDate {
  year: number;
  month: number;
  day: number;
}

interface MetricsResponse {
  multiDailyMetricTimeSeries?: Array<{
    dailyMetricTimeSeries?: Array<{
      dailyMetric?: string;
      timeSeries?: { datedValues?: Array<{ date?: GoogleDate; value?: string | number }> };
    }>;
  }>;
}

/** `YYYY-MM-DD` of a UTC epoch. */
function isoDay(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The query of `fetchMultiDailyMetricsTimeSeries` for a date range
 * (`YYYY-MM-DD`, both ends included).
 *
 * @example
 * ```ts
 * dailyRangeQuery(["CALL_CLICKS"], "2025-05-01", "2025-05-30")["dailyRange.start_date.day"]; // 1
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries
 */
export function dailyRangeQuery(
  metrics: readonly string[],
  start: string,
  end: string,
): Record<string, string[] | number> {
  const [sy, sm, sd] = start.split("-").map(Number) as [number, number, number];
  const [ey, em, ed] = end.split("-").map(Number) as [number, number, number];
  return {
    dailyMetrics: [...metrics],
    "dailyRange.start_date.year": sy,
    "dailyRange.start_date.month": sm,
    "dailyRange.start_date.day": sd,
    "dailyRange.end_date.year": ey,
    "dailyRange.end_date.month": em,
    "dailyRange.end_date.day": ed,
  };
}

/**
 * Records of one response: one per dated value. A day without a `value`
 * counts as 0 (Google omits zero counts).
 *
 * @example
 * ```ts
 * toDailyMetricRecords("locations/456", response).length; // metrics × days
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries#response-body
 */
export function toDailyMetricRecords(
  location: string,
  response: MetricsResponse,
): DailyMetricRecord[] {
  const out: DailyMetricRecord[] = [];
  const locationId = location.replace(/^locations\//, "");
  for (const multi of response?.multiDailyMetricTimeSeries ?? []) {
    for (const series of multi.dailyMetricTimeSeries ?? []) {
      for (const point of series.timeSeries?.datedValues ?? []) {
        if (point.date === undefined || series.dailyMetric === undefined) continue;
        const date = `${point.date.year}-${pad(point.date.month)}-${pad(point.date.day)}`;
        out.push({
          id: `${locationId}:${date}:${series.dailyMetric}`,
          location: `locations/${locationId}`,
          date,
          metric: series.dailyMetric as DailyMetricRecord["metric"],
          value: point.value === undefined ? 0 : Number(point.value),
        });
      }
    }
  }
  return out;
}

/**
 * The `dailyMetrics` sync. A full run reads the last `metricsDays` days up to
 * yesterday (so days older than that are dropped); an incremental run reads
 * from a few days before the last day synced, as recent days still change.
 *
 * @example
 * ```ts
 * models: { dailyMetrics: defineModel({ schema: DailyMetricRecordSchema, key: "id", sync: syncDailyMetrics() }) }
 * ```
 * @see https://developers.google.com/my-business/reference/performance/rest/v1/locations/fetchMultiDailyMetricsTimeSeries
 */
export function syncDailyMetrics(now: () => number = Date.now) {
  return async function* sync(
    ctx: SyncContext<GoogleBusinessProfileConfig>,
  ): AsyncGenerator<SyncPage<DailyMetricRecord>> {
    const config = settingsOf(ctx.config);
    const today = Date.parse(isoDay(now()));
    const end = isoDay(today - DAY_MS);
    const windowStart = isoDay(today - config.metricsDays * DAY_MS);
    const through = (ctx.cursor as { through?: string } | null)?.through;
    const start =
      ctx.mode === "incremental" && typeof through === "string"
        ? isoDay(Math.max(Date.parse(windowStart), Date.parse(through) - SETTLING_DAYS * DAY_MS))
        : windowStart;
    const accountId = await connectionAccount({ ...ctx, config });
    for (const location of await connectionLocations({ ...ctx, config }, accountId)) {
      const { data } = await ctx.http.get<MetricsResponse>(
        `${PERFORMANCE_API}/locations/${location}:fetchMultiDailyMetricsTimeSeries`,
        { query: dailyRangeQuery(config.metrics, start, end), signal: ctx.signal },
      );
      const records = toDailyMetricRecords(location, data);
      if (records.length > 0) yield { records };
    }
    yield { records: [], cursor: { through: end } as Json };
  };
}
