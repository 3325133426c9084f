/**
 * Zod schemas: the connection config, the records each model stores, and
 * the Graph API wire types (with Meta's own snake_case field names).
 *
 * @see https://developers.facebook.com/docs/marketing-api/reference
 */
import { z } from "zod";

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, { adAccountId: "act_1234567890", level: "campaign" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/insights
 */
export const MetaAdsConfigSchema = z.object({
  adAccountId: z
    .string()
    .regex(/^(act_)?\d+$/, "must be an ad account id such as act_1234567890")
    .optional()
    .describe("The ad account to report on. Default: the only one the user can read."),
  insightsDays: z
    .number()
    .int()
    .min(1)
    .max(90)
    .default(30)
    .describe("How many days of daily insights to keep, ending yesterday."),
  level: z
    .enum(["account", "campaign", "adset"])
    .default("campaign")
    .describe("The level of daily insights: one row per day and account, campaign or ad set."),
});
/**
 * The validated config. The type of {@link MetaAdsConfigSchema}.
 *
 * @example
 * ```ts
 * const value: MetaAdsConfig = MetaAdsConfigSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type MetaAdsConfig = z.infer<typeof MetaAdsConfigSchema>;

/**
 * An ad account, as the `adAccounts` model stores it (Graph's fields).
 *
 * @example
 * ```ts
 * const a: AdAccountRecord = { id: "act_123", account_id: "123", name: "Brightside Plumbing", account_status: 1, currency: "USD", timezone_name: "America/Chicago" };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-account
 */
export const AdAccountRecordSchema = z.object({
  id: z.string(),
  account_id: z.string(),
  name: z.string(),
  account_status: z.number(),
  currency: z.string(),
  timezone_name: z.string(),
});
/**
 * The type of {@link AdAccountRecordSchema}.
 *
 * @example
 * ```ts
 * const value: AdAccountRecord = AdAccountRecordSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type AdAccountRecord = z.infer<typeof AdAccountRecordSchema>;

/**
 * The campaign fields the connector asks for.
 *
 * @example
 * ```ts
 * query: { fields: CAMPAIGN_FIELDS.join(",") }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export const CAMPAIGN_FIELDS = [
  "id",
  "name",
  "status",
  "effective_status",
  "objective",
  "daily_budget",
  "lifetime_budget",
  "created_time",
  "updated_time",
] as const;

/**
 * A campaign, as the `campaigns` model stores it (Graph's fields; budgets
 * are strings in the account currency's minor unit, as Meta sends them).
 *
 * @example
 * ```ts
 * const c: CampaignRecord = { id: "120210000000001", name: "Spring AC tune-up", status: "ACTIVE", effective_status: "ACTIVE", objective: "OUTCOME_LEADS", daily_budget: "4000", updated_time: "2026-10-01T10:00:00+0000" };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group
 */
export const CampaignRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  effective_status: z.string().optional(),
  objective: z.string().optional(),
  daily_budget: z.string().optional(),
  lifetime_budget: z.string().optional(),
  created_time: z.string().optional(),
  updated_time: z.string().optional(),
});
/**
 * The type of {@link CampaignRecordSchema}.
 *
 * @example
 * ```ts
 * const value: CampaignRecord = CampaignRecordSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type CampaignRecord = z.infer<typeof CampaignRecordSchema>;

/**
 * One day of insights for one account, campaign or ad set, keyed
 * `date:level:objectId`. Numbers are parsed from Meta's strings; `leads`
 * sums the `lead` actions; `actions` keeps Meta's list.
 *
 * @example
 * ```ts
 * const r: InsightRecord = { id: "2026-10-01:campaign:1202", level: "campaign", date: "2026-10-01", account_id: "123", campaign_id: "1202", campaign_name: "Spring AC", adset_id: null, adset_name: null, spend: 41.2, impressions: 3120, clicks: 88, reach: 2400, leads: 3, actions: [{ action_type: "lead", value: "3" }] };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/adgroup/insights
 */
export const InsightRecordSchema = z.object({
  id: z.string(),
  level: z.enum(["account", "campaign", "adset"]),
  date: z.string(),
  account_id: z.string(),
  campaign_id: z.string().nullable(),
  campaign_name: z.string().nullable(),
  adset_id: z.string().nullable(),
  adset_name: z.string().nullable(),
  spend: z.number(),
  impressions: z.number(),
  clicks: z.number(),
  reach: z.number(),
  leads: z.number(),
  actions: z.array(z.object({ action_type: z.string(), value: z.string() })),
});
/**
 * The type of {@link InsightRecordSchema}.
 *
 * @example
 * ```ts
 * const value: InsightRecord = InsightRecordSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type InsightRecord = z.infer<typeof InsightRecordSchema>;

/**
 * Graph's cursor paging block.
 *
 * @example
 * ```ts
 * const paging: GraphPaging = { cursors: { before: "MAZDZD", after: "MjQZD" }, next: "https://graph.facebook.com/v25.0/act_1/campaigns?after=MjQZD" };
 * ```
 * @see https://developers.facebook.com/docs/graph-api/results
 */
export const GraphPagingSchema = z.object({
  cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
  next: z.string().optional(),
  previous: z.string().optional(),
});
/**
 * The type of {@link GraphPagingSchema}.
 *
 * @example
 * ```ts
 * const value: GraphPaging = GraphPagingSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type GraphPaging = z.infer<typeof GraphPagingSchema>;

/**
 * A page of a Graph edge: `{ data: [...], paging }`.
 *
 * @example
 * ```ts
 * GraphPageSchema.parse({ data: [{ id: "1" }] }).data.length; // 1
 * ```
 * @see https://developers.facebook.com/docs/graph-api/results
 */
export const GraphPageSchema = z.object({
  data: z.array(z.record(z.string(), z.unknown())).default([]),
  paging: GraphPagingSchema.optional(),
});

/**
 * Graph's error body.
 *
 * @example
 * ```ts
 * const e: GraphError = { message: "(#80004) There have been too many calls to this ad-account.", type: "OAuthException", code: 80004, error_subcode: 2446079, fbtrace_id: "A1b2" };
 * ```
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export const GraphErrorSchema = z.object({
  message: z.string().optional(),
  type: z.string().optional(),
  code: z.number().optional(),
  error_subcode: z.number().optional(),
  fbtrace_id: z.string().optional(),
  is_transient: z.boolean().optional(),
  error_user_title: z.string().optional(),
  error_user_msg: z.string().optional(),
});
/**
 * The type of {@link GraphErrorSchema}.
 *
 * @example
 * ```ts
 * const value: GraphError = GraphErrorSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type GraphError = z.infer<typeof GraphErrorSchema>;

/**
 * An async insights report run, as `GET /{report_run_id}` answers.
 *
 * @example
 * ```ts
 * const run: ReportRun = { id: "6012345", async_status: "Job Running", async_percent_completion: 40 };
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/insights/best-practices#asynchronous
 */
export const ReportRunSchema = z.object({
  id: z.string(),
  async_status: z.string(),
  async_percent_completion: z.number(),
  error_code: z.number().optional(),
  error_message: z.string().optional(),
  error_subcode: z.number().optional(),
  error_user_title: z.string().optional(),
  error_user_msg: z.string().optional(),
});
/**
 * The type of {@link ReportRunSchema}.
 *
 * @example
 * ```ts
 * const value: ReportRun = ReportRunSchema.parse(data);
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export type ReportRun = z.infer<typeof ReportRunSchema>;
