/**
 * Zod schemas: the two credential forms (Measurement Protocol) and configs,
 * the action inputs (the SDK's camelCase surface), the report record, and
 * Google's wire shapes (Google's own field names).
 */
import { z } from "zod";

/**
 * The Measurement Protocol credential form: a web stream's Measurement ID
 * and one of its Measurement Protocol API secrets.
 *
 * @example
 * ```ts
 * MeasurementProtocolCredentialsSchema.parse({ measurementId: "G-ABC123XYZ9", apiSecret: "q1W2e3R4t5Y6u7I8o9P0aS" });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export const MeasurementProtocolCredentialsSchema = z.object({
  measurementId: z
    .string()
    .trim()
    .regex(/^G-[A-Z0-9]{4,20}$/, "must be a web stream's Measurement ID such as G-ABC123XYZ9")
    .describe("Measurement ID: Admin › Data streams › your web stream (starts with G-)."),
  apiSecret: z
    .string()
    .trim()
    .min(10, "must be a Measurement Protocol API secret")
    .describe(
      "API secret: Admin › Data streams › your web stream › Measurement Protocol API secrets › Create.",
    ),
});

/**
 * What {@link MeasurementProtocolCredentialsSchema} yields.
 *
 * @example
 * ```ts
 * const value: MeasurementProtocolCredentials = MeasurementProtocolCredentialsSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type MeasurementProtocolCredentials = z.infer<typeof MeasurementProtocolCredentialsSchema>;

/**
 * Measurement Protocol connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { validateWithGoogle: true });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events
 */
export const MeasurementProtocolConfigSchema = z.object({
  validateWithGoogle: z
    .boolean()
    .default(false)
    .describe(
      "Also check each request with Google's validation server before sending it (one extra call per request).",
    ),
});

/**
 * What {@link MeasurementProtocolConfigSchema} yields.
 *
 * @example
 * ```ts
 * const value: MeasurementProtocolConfig = MeasurementProtocolConfigSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type MeasurementProtocolConfig = z.infer<typeof MeasurementProtocolConfigSchema>;

const ParamValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One Measurement Protocol event: a name and its parameters (GA's own names,
 * e.g. `transaction_id`, `value`, `currency`, `items`, `session_id`,
 * `engagement_time_msec`).
 *
 * @example
 * ```ts
 * const event: MpEventInput = { name: "purchase", params: { transaction_id: "T-1001", value: 249.5, currency: "USD" } };
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#payload_post_body
 */
export const MpEventInputSchema = z.object({
  name: z.string().describe("Event name, e.g. purchase, generate_lead"),
  params: z
    .record(z.string(), z.union([ParamValue, z.array(z.record(z.string(), ParamValue))]))
    .optional()
    .describe("Event parameters; `items` is an array of item objects"),
});

/**
 * What {@link MpEventInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: MpEventInput = MpEventInputSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type MpEventInput = z.infer<typeof MpEventInputSchema>;

/**
 * Input of the `sendEvents` action: one user's events (split into requests
 * of 25). `clientId` is the browser's GA client id (from the `_ga` cookie).
 *
 * @example
 * ```ts
 * const input: SendMpEventsInput = { clientId: "1234567890.1767225600", userId: "cust-42", events: [{ name: "purchase", params: { value: 249.5, currency: "USD", transaction_id: "T-1001" } }] };
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export const SendMpEventsInputSchema = z.object({
  clientId: z.string().min(1).describe("The browser's client id (client_id), from the _ga cookie"),
  userId: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe("Your id for the signed-in user (user_id)"),
  eventTime: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .optional()
    .describe("When the events happened (Unix ms or ISO 8601); at most 72 hours ago"),
  userProperties: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe("User properties, name → value"),
  nonPersonalizedAds: z.boolean().optional(),
  events: z.array(MpEventInputSchema).min(1),
});

/**
 * What {@link SendMpEventsInputSchema} yields.
 *
 * @example
 * ```ts
 * const value: SendMpEventsInput = SendMpEventsInputSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type SendMpEventsInput = z.infer<typeof SendMpEventsInputSchema>;

/**
 * The Measurement Protocol POST body (GA's field names).
 *
 * @example
 * ```ts
 * const body: MpPayload = { client_id: "123.456", events: [{ name: "purchase", params: { value: 1 } }] };
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference#payload_post_body
 */
export interface MpPayload {
  client_id: string;
  user_id?: string;
  timestamp_micros?: number;
  user_properties?: Record<string, { value: string | number | boolean }>;
  non_personalized_ads?: boolean;
  events: Array<{ name: string; params?: Record<string, unknown> }>;
}

/**
 * A validation message, as the validation server (and the connector's own
 * checks) report it.
 *
 * @example
 * ```ts
 * const m: ValidationMessage = { fieldPath: "events", description: "Event at index: [0] has invalid name [_bad].", validationCode: "NAME_INVALID" };
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events#validation_response
 */
export const ValidationMessageSchema = z.looseObject({
  fieldPath: z.string().default(""),
  description: z.string().default(""),
  validationCode: z.enum([
    "VALUE_INVALID",
    "VALUE_REQUIRED",
    "NAME_INVALID",
    "NAME_RESERVED",
    "VALUE_OUT_OF_BOUNDS",
    "EXCEEDED_MAX_ENTITIES",
    "NAME_DUPLICATED",
  ]),
});

/**
 * What {@link ValidationMessageSchema} yields.
 *
 * @example
 * ```ts
 * const value: ValidationMessage = ValidationMessageSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type ValidationMessage = z.infer<typeof ValidationMessageSchema>;

/**
 * The validation server's answer.
 *
 * @example
 * ```ts
 * ValidationResponseSchema.parse({ validationMessages: [] });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events#validation_response
 */
export const ValidationResponseSchema = z.looseObject({
  validationMessages: z.array(ValidationMessageSchema).default([]),
});

const NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * Data API connection settings: which property, which dimensions and
 * metrics, and how far back to read.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { propertyId: "345678901", dimensions: ["sessionSource"], metrics: ["sessions", "totalUsers"] });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema
 */
export const DataApiConfigSchema = z.object({
  propertyId: z
    .string()
    .regex(/^\d{5,15}$/, "must be the numeric GA4 property id (pick it with listProperties)")
    .optional()
    .describe("GA4 property id, e.g. 345678901 (the listProperties action lists them)."),
  dimensions: z
    .array(z.string().regex(NAME, "must be a Data API dimension name such as sessionSource"))
    .max(8)
    .default(["sessionSource"])
    .describe(
      "Dimensions besides date (date is always included), e.g. sessionSource, sessionMedium.",
    ),
  metrics: z
    .array(z.string().regex(NAME, "must be a Data API metric name such as sessions"))
    .min(1)
    .max(10)
    .default(["sessions"])
    .describe("Metrics, e.g. sessions, totalUsers, keyEvents."),
  lookbackDays: z
    .number()
    .int()
    .min(1)
    .max(400)
    .default(30)
    .describe("Days a full sync reads, ending today (older rows leave the report)."),
  refreshDays: z
    .number()
    .int()
    .min(1)
    .max(30)
    .default(3)
    .describe("Days an incremental sync re-reads: GA keeps processing recent days."),
});

/**
 * What {@link DataApiConfigSchema} yields.
 *
 * @example
 * ```ts
 * const value: DataApiConfig = DataApiConfigSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type DataApiConfig = z.infer<typeof DataApiConfigSchema>;

/**
 * A report row as the `report` model stores it: `id` (date + dimension
 * values), `date` (YYYY-MM-DD), then each dimension and metric by its Data
 * API name; metrics are numbers.
 *
 * @example
 * ```ts
 * ReportRecordSchema.parse({ id: "20260327|google", date: "2026-03-27", sessionSource: "google", sessions: 42 });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/RunReportResponse
 */
export const ReportRecordSchema = z
  .object({ id: z.string(), date: z.string() })
  .catchall(z.union([z.string(), z.number()]));

/**
 * What {@link ReportRecordSchema} yields.
 *
 * @example
 * ```ts
 * const value: ReportRecord = ReportRecordSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type ReportRecord = z.infer<typeof ReportRecordSchema>;

const QuotaStatus = z.looseObject({
  consumed: z.number().optional(),
  remaining: z.number().optional(),
});

/**
 * `propertyQuota` in a report response (`returnPropertyQuota: true`).
 *
 * @example
 * ```ts
 * PropertyQuotaSchema.parse({ tokensPerDay: { consumed: 10, remaining: 199990 }, tokensPerHour: { consumed: 10, remaining: 39990 } });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/PropertyQuota
 */
export const PropertyQuotaSchema = z.looseObject({
  tokensPerDay: QuotaStatus.optional(),
  tokensPerHour: QuotaStatus.optional(),
  concurrentRequests: QuotaStatus.optional(),
  serverErrorsPerProjectPerHour: QuotaStatus.optional(),
  potentiallyThresholdedRequestsPerHour: QuotaStatus.optional(),
  tokensPerProjectPerHour: QuotaStatus.optional(),
});

/**
 * What {@link PropertyQuotaSchema} yields.
 *
 * @example
 * ```ts
 * const value: PropertyQuota = PropertyQuotaSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type PropertyQuota = z.infer<typeof PropertyQuotaSchema>;

/**
 * The `runReport` response.
 *
 * @example
 * ```ts
 * RunReportResponseSchema.parse({ dimensionHeaders: [{ name: "date" }], metricHeaders: [{ name: "sessions", type: "TYPE_INTEGER" }], rows: [], rowCount: 0 });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/RunReportResponse
 */
export const RunReportResponseSchema = z.looseObject({
  dimensionHeaders: z.array(z.looseObject({ name: z.string() })).default([]),
  metricHeaders: z
    .array(z.looseObject({ name: z.string(), type: z.string().optional() }))
    .default([]),
  rows: z
    .array(
      z.looseObject({
        dimensionValues: z.array(z.looseObject({ value: z.string().default("") })).default([]),
        metricValues: z.array(z.looseObject({ value: z.string().default("") })).default([]),
      }),
    )
    .default([]),
  rowCount: z.number().int().default(0),
  propertyQuota: PropertyQuotaSchema.optional(),
  metadata: z
    .looseObject({ timeZone: z.string().optional(), currencyCode: z.string().optional() })
    .optional(),
  kind: z.string().optional(),
});

/**
 * What {@link RunReportResponseSchema} yields.
 *
 * @example
 * ```ts
 * const value: RunReportResponse = RunReportResponseSchema.parse(input);
 * ```
 * @see https://developers.google.com/analytics
 */
export type RunReportResponse = z.infer<typeof RunReportResponseSchema>;

/**
 * The Admin API's `accountSummaries.list` response.
 *
 * @example
 * ```ts
 * AccountSummariesResponseSchema.parse({ accountSummaries: [{ account: "accounts/1", displayName: "Shop", propertySummaries: [{ property: "properties/2", displayName: "Shop – GA4" }] }] });
 * ```
 * @see https://developers.google.com/analytics/devguides/config/admin/v1/rest/v1beta/accountSummaries/list
 */
export const AccountSummariesResponseSchema = z.looseObject({
  accountSummaries: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        account: z.string(),
        displayName: z.string().default(""),
        propertySummaries: z
          .array(
            z.looseObject({
              property: z.string(),
              displayName: z.string().default(""),
              propertyType: z.string().optional(),
              parent: z.string().optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  nextPageToken: z.string().optional(),
});

/**
 * One property the user can read, as the `listProperties` action returns it.
 *
 * @example
 * ```ts
 * const p: Ga4Property = { propertyId: "345678901", displayName: "Shop – GA4", account: "accounts/123", accountDisplayName: "Shop", propertyType: "PROPERTY_TYPE_ORDINARY" };
 * ```
 * @see https://developers.google.com/analytics/devguides/config/admin/v1/rest/v1beta/accountSummaries/list
 */
export interface Ga4Property {
  propertyId: string;
  displayName: string;
  account: string;
  accountDisplayName: string;
  propertyType: string | null;
}
