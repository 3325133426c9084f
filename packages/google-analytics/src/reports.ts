/**
 * The `report` model: a GA4 Data API report (date + configured dimensions
 * and metrics) over a trailing window, one record per row, keyed by date
 * and dimension values, with the property's token quota respected.
 */
import { ConfigError, defineModel, type ModelDefinition } from "@patchbay/core";
import { runReportPath } from "./endpoints.js";
import type { PropertyQuotaBook } from "./property-quota.js";
import {
  type DataApiConfig,
  DataApiConfigSchema,
  type ReportRecord,
  ReportRecordSchema,
  type RunReportResponse,
  RunReportResponseSchema,
} from "./schemas.js";

/**
 * The `runReport` body for a window of `days` days ending today (in the
 * property's time zone), page `offset`.
 *
 * @example
 * ```ts
 * reportRequest({ dimensions: ["sessionSource"], metrics: ["sessions"] }, 3, 0, 10_000);
 * // { dateRanges: [{ startDate: "2daysAgo", endDate: "today" }], dimensions: [{ name: "date" }, { name: "sessionSource" }], ... }
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport
 */
export function reportRequest(
  config: Pick<DataApiConfig, "dimensions" | "metrics">,
  days: number,
  offset: number,
  limit: number,
) {
  return {
    dateRanges: [{ startDate: days <= 1 ? "today" : `${days - 1}daysAgo`, endDate: "today" }],
    dimensions: ["date", ...config.dimensions.filter((d) => d !== "date")].map((name) => ({
      name,
    })),
    metrics: config.metrics.map((name) => ({ name })),
    orderBys: [{ dimension: { dimensionName: "date" } }],
    limit,
    offset,
    keepEmptyRows: false,
    returnPropertyQuota: true,
  };
}

/**
 * One report row as a record: `id` is the row's dimension values joined
 * with `|` (date first, as GA sends it), `date` is `YYYY-MM-DD`, then each
 * dimension and metric by name; metric values become numbers.
 *
 * @example
 * ```ts
 * toReportRecord(response, response.rows[0]); // { id: "20260327|google", date: "2026-03-27", sessionSource: "google", sessions: 42 }
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/RunReportResponse
 */
export function toReportRecord(
  response: Pick<RunReportResponse, "dimensionHeaders" | "metricHeaders">,
  row: RunReportResponse["rows"][number],
): ReportRecord {
  const dims = response.dimensionHeaders.map(
    (h, i) => [h.name, row.dimensionValues[i]?.value ?? ""] as const,
  );
  const record: ReportRecord = {
    id: dims.map(([, v]) => v).join("|"),
    date: "",
  };
  for (const [name, value] of dims) {
    record[name] =
      name === "date" && /^\d{8}$/.test(value)
        ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`
        : value;
  }
  response.metricHeaders.forEach((h, i) => {
    const raw = row.metricValues[i]?.value ?? "";
    const n = Number(raw);
    record[h.name] = raw !== "" && Number.isFinite(n) ? n : raw;
  });
  return record;
}

/**
 * Options of {@link reportModel}.
 *
 * @example
 * ```ts
 * const options: ReportModelOptions = { pageSize: 10_000, quota: new PropertyQuotaBook(100, Date.now) };
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport
 */
export interface ReportModelOptions {
  /** Rows per `runReport` page (GA allows up to 250,000). */
  pageSize: number;
  /** The shared quota book. */
  quota: PropertyQuotaBook;
}

/**
 * The `report` model: a full sync reads `lookbackDays` ending today; an
 * incremental sync re-reads the last `refreshDays` (GA keeps processing
 * recent days) and upserts by date + dimension values. Before each page the
 * property's quota is checked; a page that leaves too few tokens stops the
 * run with a `RateLimitError` after that page is kept.
 *
 * @example
 * ```ts
 * models: { report: reportModel({ pageSize: 10_000, quota: new PropertyQuotaBook(100, Date.now) }) }
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport
 */
export function reportModel(
  options: ReportModelOptions,
): ModelDefinition<typeof ReportRecordSchema, DataApiConfig> {
  return defineModel({
    description:
      "A GA4 report: one row per date and dimension values (e.g. sessions by source per day) over a trailing window.",
    schema: ReportRecordSchema,
    key: "id",
    modes: ["full", "incremental"],
    async *sync(ctx) {
      const config = DataApiConfigSchema.parse(ctx.config ?? {});
      const propertyId = config.propertyId;
      if (propertyId === undefined)
        throw new ConfigError(
          'Google Analytics: pick a property first (configure "propertyId"; the listProperties action lists them)',
        );
      const days =
        ctx.mode === "incremental"
          ? Math.min(config.refreshDays, config.lookbackDays)
          : config.lookbackDays;
      for (let offset = 0; ; ) {
        options.quota.check(propertyId);
        const { data } = await ctx.http.post(runReportPath(propertyId), {
          json: reportRequest(config, days, offset, options.pageSize),
          // A report is a read: safe to retry after a 5xx.
          idempotent: true,
          ...(ctx.signal !== undefined && { signal: ctx.signal }),
        });
        const response = RunReportResponseSchema.parse(data);
        options.quota.note(propertyId, response.propertyQuota);
        offset += response.rows.length;
        yield { records: response.rows.map((row) => toReportRecord(response, row)) };
        if (response.rows.length === 0 || offset >= response.rowCount) break;
      }
    },
  });
}
