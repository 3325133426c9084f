/**
 * Daily insights as an async report run: `POST /act_{id}/insights` starts
 * the job and answers `report_run_id`; `GET /{report_run_id}` is polled
 * until `async_status` is `"Job Completed"` with `async_percent_completion`
 * 100; then `GET /{report_run_id}/insights` pages the rows.
 *
 * @see https://developers.facebook.com/docs/marketing-api/insights/best-practices#asynchronous
 */
import {
  type ConnectorContext,
  type Json,
  ProviderError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { insightsPath } from "./endpoints.js";
import { adAccountOf, graphCall, graphPages } from "./graph.js";
import { type InsightRecord, type MetaAdsConfig, ReportRunSchema } from "./schemas.js";
import type { UsageThrottle } from "./usage.js";

const DAY_MS = 86_400_000;

/**
 * The insight fields the connector asks for.
 *
 * @example
 * ```ts
 * insightsParams("campaign", range).fields === INSIGHT_FIELDS.join(","); // true
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export const INSIGHT_FIELDS = [
  "account_id",
  "campaign_id",
  "campaign_name",
  "adset_id",
  "adset_name",
  "date_start",
  "date_stop",
  "spend",
  "impressions",
  "clicks",
  "reach",
  "actions",
] as const;

/**
 * How the report run is awaited.
 *
 * @example
 * ```ts
 * const timing: ReportRunTiming = { pollIntervalMs: 2000, timeoutMs: 600_000, sleep, now: Date.now };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export interface ReportRunTiming {
  /** Between two status polls. Default 2 s. */
  pollIntervalMs: number;
  /** Give up (retryable) after this long. Default 10 min. */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

function isoDay(epoch: number): string {
  return new Date(epoch).toISOString().slice(0, 10);
}

/**
 * The trailing window: the last `days` days, ending yesterday (UTC).
 *
 * @example
 * ```ts
 * insightsWindow(30, Date.parse("2026-10-31T08:00:00Z")); // { since: "2026-10-01", until: "2026-10-30" }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/insights/parameters
 */
export function insightsWindow(days: number, now: number): { since: string; until: string } {
  const today = Date.parse(isoDay(now));
  return { since: isoDay(today - days * DAY_MS), until: isoDay(today - DAY_MS) };
}

/**
 * The parameters of the report run (one row per day: `time_increment=1`).
 *
 * @example
 * ```ts
 * insightsParams("campaign", { since: "2026-10-01", until: "2026-10-30" }).time_increment; // "1"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/insights/parameters
 */
export function insightsParams(
  level: MetaAdsConfig["level"],
  range: { since: string; until: string },
): Record<string, string> {
  return {
    level,
    fields: INSIGHT_FIELDS.join(","),
    time_increment: "1",
    time_range: JSON.stringify(range),
  };
}

/**
 * Start a report run and wait until it completes; returns its id.
 *
 * @throws ProviderError when the job fails or is skipped (retryable when
 * skipped or timed out), with Meta's `error_message`.
 * @example
 * ```ts
 * const id = await runInsightsReport(ctx, throttle, "act_1", params, timing);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-report-run
 */
export async function runInsightsReport(
  ctx: Pick<ConnectorContext, "http" | "connection" | "signal">,
  throttle: UsageThrottle,
  adAccountId: string,
  params: Record<string, string>,
  timing: ReportRunTiming,
): Promise<string> {
  const { data } = await graphCall<{ report_run_id?: string }>(ctx, throttle, {
    method: "POST",
    path: insightsPath(adAccountId),
    form: params,
  });
  const id = data?.report_run_id;
  if (typeof id !== "string")
    throw new ProviderError("meta-ads: the insights job answered no report_run_id");
  const deadline = timing.now() + timing.timeoutMs;
  for (;;) {
    const { data: status } = await graphCall(ctx, throttle, {
      path: id,
      query: {
        fields: "id,async_status,async_percent_completion,error_code,error_message,error_user_msg",
      },
    });
    const run = ReportRunSchema.parse(status);
    if (run.async_status === "Job Completed" && run.async_percent_completion === 100) return id;
    if (run.async_status === "Job Failed" || run.async_status === "Job Skipped") {
      const detail = run.error_user_msg ?? run.error_message ?? "no reason given";
      throw new ProviderError(
        `meta-ads: insights report run ${id} ended with "${run.async_status}": ${detail}`,
        {
          providerCode: run.error_code === undefined ? run.async_status : String(run.error_code),
          // A skipped job (expired in Meta's queue) can simply be run again.
          retryable: run.async_status === "Job Skipped",
        },
      );
    }
    if (timing.now() >= deadline)
      throw new ProviderError(
        `meta-ads: insights report run ${id} did not complete within ${Math.round(timing.timeoutMs / 1000)} s (${run.async_percent_completion}%)`,
        { providerCode: "report_timeout", retryable: true },
      );
    await timing.sleep(timing.pollIntervalMs);
  }
}

function num(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}
function strOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/**
 * An insights row as an {@link InsightRecord}.
 *
 * @example
 * ```ts
 * toInsightRecord("campaign", { account_id: "1", campaign_id: "2", date_start: "2026-10-01", spend: "12.50" }).id; // "2026-10-01:campaign:2"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/adgroup/insights
 */
export function toInsightRecord(
  level: MetaAdsConfig["level"],
  row: Record<string, unknown>,
): InsightRecord {
  const objectId =
    level === "adset" ? row.adset_id : level === "campaign" ? row.campaign_id : row.account_id;
  const date = String(row.date_start);
  const actions = Array.isArray(row.actions)
    ? (row.actions as Array<{ action_type?: unknown; value?: unknown }>).map((a) => ({
        action_type: String(a.action_type),
        value: String(a.value),
      }))
    : [];
  return {
    id: `${date}:${level}:${String(objectId)}`,
    level,
    date,
    account_id: String(row.account_id),
    campaign_id: level === "account" ? null : strOrNull(row.campaign_id),
    campaign_name: level === "account" ? null : strOrNull(row.campaign_name),
    adset_id: level === "adset" ? strOrNull(row.adset_id) : null,
    adset_name: level === "adset" ? strOrNull(row.adset_name) : null,
    spend: num(row.spend),
    impressions: num(row.impressions),
    clicks: num(row.clicks),
    reach: num(row.reach),
    leads: actions
      .filter((a) => a.action_type === "lead")
      .reduce((sum, a) => sum + num(a.value), 0),
    actions,
  };
}

/**
 * The `dailyInsights` sync: one async report run over the trailing window,
 * then its rows page by page.
 *
 * @example
 * ```ts
 * sync: syncDailyInsights(throttle, timing)
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/insights/best-practices#asynchronous
 */
export function syncDailyInsights(throttle: UsageThrottle, timing: ReportRunTiming) {
  return async function* sync(ctx: SyncContext): AsyncGenerator<SyncPage<InsightRecord>> {
    const { config, adAccountId } = adAccountOf(ctx);
    const range = insightsWindow(config.insightsDays, timing.now());
    const runId = await runInsightsReport(
      ctx,
      throttle,
      adAccountId,
      insightsParams(config.level, range),
      timing,
    );
    for await (const rows of graphPages(ctx, throttle, `${runId}/insights`, {}))
      yield { records: rows.map((row) => toInsightRecord(config.level, row)) };
    yield { records: [], cursor: { through: range.until } as Json };
  };
}
