/**
 * Zod schemas: the connection config, the records each model stores, the
 * conversion-upload input, and the Google Ads REST wire types (with Google's
 * own camelCase JSON field names).
 *
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
import { z } from "zod";

const CUSTOMER_ID = /^(customers\/)?\d{3}-?\d{3}-?\d{4}$/;

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, { customerId: "123-456-7890", loginCustomerId: "111-222-3333" });
 * ```
 * @see https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid
 */
export const GoogleAdsConfigSchema = z.object({
  customerId: z
    .string()
    .regex(CUSTOMER_ID, "must be a Google Ads customer id such as 123-456-7890")
    .optional()
    .describe(
      "The Google Ads account to report on. Default: the only account the user can reach (pick one with listAccessibleCustomers when there are several).",
    ),
  loginCustomerId: z
    .string()
    .regex(CUSTOMER_ID, "must be a manager account id such as 111-222-3333")
    .optional()
    .describe(
      "The manager (MCC) account the user reaches the customer through; sent as the login-customer-id header.",
    ),
  metricsDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe("How many days of daily metrics to keep, ending yesterday."),
  metricsLevel: z
    .enum(["campaign", "ad_group"])
    .default("campaign")
    .describe("Daily metrics per campaign, or per ad group."),
});

/**
 * The validated config. The type of {@link GoogleAdsConfigSchema}.
 *
 * @example
 * ```ts
 * const value: GoogleAdsConfig = GoogleAdsConfigSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type GoogleAdsConfig = z.infer<typeof GoogleAdsConfigSchema>;

/**
 * A campaign, as the `campaigns` model stores it.
 *
 * @example
 * ```ts
 * const c: CampaignRecord = { resourceName: "customers/1/campaigns/2", id: "2", name: "Emergency plumbing", status: "ENABLED", advertisingChannelType: "SEARCH", budgetAmountMicros: 50000000 };
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/campaign
 */
export const CampaignRecordSchema = z.object({
  resourceName: z.string(),
  id: z.string(),
  name: z.string(),
  status: z.string(),
  advertisingChannelType: z.string().nullable(),
  budgetAmountMicros: z.number().nullable(),
});
/**
 * The type of {@link CampaignRecordSchema}.
 *
 * @example
 * ```ts
 * const value: CampaignRecord = CampaignRecordSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type CampaignRecord = z.infer<typeof CampaignRecordSchema>;

/**
 * An ad group, as the `adGroups` model stores it.
 *
 * @example
 * ```ts
 * const g: AdGroupRecord = { resourceName: "customers/1/adGroups/3", id: "3", name: "Water heaters", status: "ENABLED", type: "SEARCH_STANDARD", campaignId: "2", cpcBidMicros: 2500000 };
 * ```
 * @see https://developers.google.com/google-ads/api/fields/v26/ad_group
 */
export const AdGroupRecordSchema = z.object({
  resourceName: z.string(),
  id: z.string(),
  name: z.string(),
  status: z.string(),
  type: z.string().nullable(),
  campaignId: z.string(),
  cpcBidMicros: z.number().nullable(),
});
/**
 * The type of {@link AdGroupRecordSchema}.
 *
 * @example
 * ```ts
 * const value: AdGroupRecord = AdGroupRecordSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type AdGroupRecord = z.infer<typeof AdGroupRecordSchema>;

/**
 * One day of metrics for one campaign (or ad group), keyed by date and id.
 *
 * @example
 * ```ts
 * const m: DailyMetricRecord = { id: "2026-10-01:campaign:2", date: "2026-10-01", level: "campaign", campaignId: "2", campaignName: "Emergency plumbing", adGroupId: null, adGroupName: null, impressions: 812, clicks: 41, costMicros: 63120000, conversions: 4, conversionsValue: 1800 };
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/segmentation#date_segments
 */
export const DailyMetricRecordSchema = z.object({
  id: z.string(),
  date: z.string(),
  level: z.enum(["campaign", "ad_group"]),
  campaignId: z.string(),
  campaignName: z.string().nullable(),
  adGroupId: z.string().nullable(),
  adGroupName: z.string().nullable(),
  impressions: z.number(),
  clicks: z.number(),
  costMicros: z.number(),
  conversions: z.number(),
  conversionsValue: z.number(),
});
/**
 * The type of {@link DailyMetricRecordSchema}.
 *
 * @example
 * ```ts
 * const value: DailyMetricRecord = DailyMetricRecordSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type DailyMetricRecord = z.infer<typeof DailyMetricRecordSchema>;

/** Google's date-time with an offset: `yyyy-mm-dd hh:mm:ss+|-hh:mm`. */
const GOOGLE_DATE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/**
 * One offline click conversion.
 *
 * @example
 * ```ts
 * const row: ClickConversionInput = { gclid: "Cj0KCQjw...", conversionAction: "987654321", conversionDateTime: "2026-10-03 14:05:00-05:00", conversionValue: 450, currencyCode: "USD" };
 * ```
 * @see https://developers.google.com/google-ads/api/docs/conversions/upload-clicks
 */
export const ClickConversionInputSchema = z.object({
  gclid: z.string().min(1).describe("The Google click id captured on the landing page"),
  conversionAction: z
    .string()
    .regex(
      /^(customers\/\d+\/conversionActions\/)?\d+$/,
      "must be a conversion action id or resource name (customers/{id}/conversionActions/{id})",
    )
    .describe("Conversion action id, or its resource name"),
  conversionDateTime: z
    .string()
    .regex(
      GOOGLE_DATE_TIME,
      "must be a date time with a timezone offset, e.g. 2026-10-03 14:05:00-05:00",
    )
    .describe("When the conversion happened, with the timezone offset"),
  conversionValue: z.number().nonnegative().optional(),
  currencyCode: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")
    .optional(),
  orderId: z.string().optional().describe("Deduplicates uploads of the same conversion"),
});
/**
 * The type of {@link ClickConversionInputSchema}.
 *
 * @example
 * ```ts
 * const value: ClickConversionInput = ClickConversionInputSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type ClickConversionInput = z.infer<typeof ClickConversionInputSchema>;

/**
 * Input of the `uploadClickConversions` action.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "uploadClickConversions", input: { conversions: [row] } });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/uploadClickConversions
 */
export const UploadClickConversionsInputSchema = z.object({
  conversions: z.array(ClickConversionInputSchema).min(1).max(2000),
  /** Check the rows without recording them. */
  validateOnly: z.boolean().default(false),
});
/**
 * The type of {@link UploadClickConversionsInputSchema}.
 *
 * @example
 * ```ts
 * const value: UploadClickConversionsInput = UploadClickConversionsInputSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type UploadClickConversionsInput = z.infer<typeof UploadClickConversionsInputSchema>;

/**
 * What the upload action answers: one entry per input row, in order.
 *
 * @example
 * ```ts
 * result.rows.filter((r) => !r.ok); // [{ index: 1, ok: false, errors: [{ code: "conversionUploadError.EVENT_NOT_FOUND", message: "..." }] }]
 * ```
 * @see https://developers.google.com/google-ads/api/docs/best-practices/partial-failures
 */
export interface UploadClickConversionsResult {
  uploaded: number;
  failed: number;
  rows: Array<
    | { index: number; ok: true; gclid: string; conversionAction: string }
    | { index: number; ok: false; errors: Array<{ code: string; message: string }> }
  >;
}

/**
 * One error of a `GoogleAdsFailure` (error details and partial failures).
 *
 * @example
 * ```ts
 * const e: GoogleAdsError = { errorCode: { quotaError: "RESOURCE_TEMPORARILY_EXHAUSTED" }, message: "Too many requests.", details: { quotaErrorDetails: { rateScope: "ACCOUNT", rateName: "Requests", retryDelay: "30s" } } };
 * ```
 * @see https://developers.google.com/google-ads/api/reference/rpc/v26/GoogleAdsError
 */
export const GoogleAdsErrorSchema = z.object({
  errorCode: z.record(z.string(), z.string()),
  message: z.string().optional(),
  trigger: z.record(z.string(), z.unknown()).optional(),
  location: z
    .object({
      fieldPathElements: z
        .array(z.object({ fieldName: z.string(), index: z.number().optional() }))
        .optional(),
    })
    .optional(),
  details: z
    .object({
      quotaErrorDetails: z
        .object({
          rateScope: z.string().optional(),
          rateName: z.string().optional(),
          retryDelay: z.string().optional(),
        })
        .optional(),
    })
    .passthrough()
    .optional(),
});
/**
 * The type of {@link GoogleAdsErrorSchema}.
 *
 * @example
 * ```ts
 * const value: GoogleAdsError = GoogleAdsErrorSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type GoogleAdsError = z.infer<typeof GoogleAdsErrorSchema>;

/**
 * `GoogleAdsFailure`, found in `error.details[]` and in `partialFailureError.details[]`.
 *
 * @example
 * ```ts
 * GoogleAdsFailureSchema.parse(detail).errors[0].errorCode; // { queryError: "UNRECOGNIZED_FIELD" }
 * ```
 * @see https://developers.google.com/google-ads/api/reference/rpc/v26/GoogleAdsFailure
 */
export const GoogleAdsFailureSchema = z.object({
  "@type": z.string(),
  errors: z.array(GoogleAdsErrorSchema),
  requestId: z.string().optional(),
});
/**
 * The type of {@link GoogleAdsFailureSchema}.
 *
 * @example
 * ```ts
 * const value: GoogleAdsFailure = GoogleAdsFailureSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type GoogleAdsFailure = z.infer<typeof GoogleAdsFailureSchema>;

/**
 * The answer of `customers:listAccessibleCustomers`.
 *
 * @example
 * ```ts
 * ListAccessibleCustomersResponseSchema.parse(data).resourceNames; // ["customers/1234567890"]
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/listAccessibleCustomers
 */
export const ListAccessibleCustomersResponseSchema = z.object({
  resourceNames: z.array(z.string()).default([]),
});

/**
 * One page of `googleAds:search`: rows as nested objects with camelCase
 * fields (`{ campaign: { id: "1" }, metrics: { costMicros: "10" } }`);
 * 64-bit numbers arrive as strings.
 *
 * @example
 * ```ts
 * const page = SearchResponseSchema.parse(data); // { results: [...], nextPageToken: "..." }
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers.googleAds/search#response-body
 */
export const SearchResponseSchema = z.object({
  results: z.array(z.record(z.string(), z.record(z.string(), z.unknown()))).default([]),
  nextPageToken: z.string().optional(),
  fieldMask: z.string().optional(),
});
/**
 * The type of {@link SearchResponseSchema}.
 *
 * @example
 * ```ts
 * const value: SearchResponse = SearchResponseSchema.parse(data);
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

/**
 * The answer of `customers:uploadClickConversions`: a result per row (empty
 * for failed rows) and, with partial failure, the rows' errors.
 *
 * @example
 * ```ts
 * UploadClickConversionsResponseSchema.parse(data).partialFailureError?.details;
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/uploadClickConversions#response-body
 */
export const UploadClickConversionsResponseSchema = z.object({
  results: z
    .array(
      z.object({
        gclid: z.string().optional(),
        conversionAction: z.string().optional(),
        conversionDateTime: z.string().optional(),
      }),
    )
    .default([]),
  partialFailureError: z
    .object({
      code: z.number().optional(),
      message: z.string().optional(),
      details: z.array(z.record(z.string(), z.unknown())).default([]),
    })
    .optional(),
  jobId: z.string().optional(),
});
