import {
  ConfigError,
  type ConnectorDefinition,
  customCredentials,
  defineAction,
  defineConnector,
  type ProviderErrorParser,
} from "@patchbay/core";
import { googleOAuth, parseGoogleError } from "@patchbay/google-common";
import { z } from "zod";
import {
  ACCOUNT_SUMMARIES_URL,
  ANALYTICS_READONLY_SCOPE,
  DATA_API_BASE,
  GA_DOCS,
  MEASUREMENT_PROTOCOL_BASE,
  MP_COLLECT_PATH,
  MP_DEBUG_PATH,
  runReportPath,
} from "./endpoints.js";
import {
  buildMeasurementPayloads,
  parseValidationResponse,
  type SendMpEventsResult,
} from "./measurement-protocol.js";
import { nextHour, nextPacificMidnight, PropertyQuotaBook } from "./property-quota.js";
import { reportModel } from "./reports.js";
import {
  AccountSummariesResponseSchema,
  DataApiConfigSchema,
  type Ga4Property,
  MeasurementProtocolConfigSchema,
  MeasurementProtocolCredentialsSchema,
  RunReportResponseSchema,
  SendMpEventsInputSchema,
  type ValidationMessage,
} from "./schemas.js";

/**
 * Options of {@link googleAnalytics}: which GA4 API the connection uses.
 * GA4 has two: the Measurement Protocol (send events; a Measurement ID and
 * API secret pasted into a form) and the Data API (read reports; Google
 * OAuth). Core allows one auth kind per connector and the id must equal
 * the package folder, so both live under the one id `google-analytics` and
 * a host registers the mode it needs (like Airtable's `auth: "oauth" | "pat"`).
 *
 * @example
 * ```ts
 * const send: GoogleAnalyticsOptions = { mode: "measurement-protocol" };
 * const read: GoogleAnalyticsOptions = { mode: "data-api", clientId: "…apps.googleusercontent.com", clientSecret: "…" };
 * ```
 * @see https://developers.google.com/analytics
 */
export type GoogleAnalyticsOptions =
  | GoogleAnalyticsMeasurementProtocolOptions
  | GoogleAnalyticsDataApiOptions;

/**
 * Measurement Protocol mode: send events from the server.
 *
 * @example
 * ```ts
 * googleAnalytics({ mode: "measurement-protocol" });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4
 */
export interface GoogleAnalyticsMeasurementProtocolOptions {
  mode: "measurement-protocol";
  /** The clock (epoch ms), for the 72-hour backdating check. Default `Date.now`. */
  now?: () => number;
}

/**
 * Data API mode: read reports with the user's Google account.
 *
 * @example
 * ```ts
 * googleAnalytics({ mode: "data-api", clientId, clientSecret, minRemainingTokens: 500 });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1
 */
export interface GoogleAnalyticsDataApiOptions {
  mode: "data-api";
  /** The host's Google OAuth client ("Web application" in Google Cloud Console). */
  clientId: string;
  clientSecret: string;
  /** Rows per `runReport` page, 1–250,000. Default 10,000. */
  pageSize?: number;
  /**
   * Stop a sync before the property has fewer tokens than this left for
   * the hour or the day (other reports on the property need some too). Default 100.
   */
  minRemainingTokens?: number;
  /** The clock (epoch ms), for quota refill times. Default `Date.now`. */
  now?: () => number;
}

const TOKENS_EXHAUSTED = /exhausted\s+(?:property\s+)?tokens\s+per\s+(hour|day)/i;

/** Google's errors, plus "tokens exhausted" 429s that no backoff inside one call can fix. */
function dataApiErrorParser(now: () => number): ProviderErrorParser {
  return (response, body) => {
    const info = parseGoogleError(response, body);
    const window = TOKENS_EXHAUSTED.exec(info?.message ?? "")?.[1]?.toLowerCase();
    if (info === undefined || window === undefined) return info;
    const until = window === "day" ? nextPacificMidnight(now()) : nextHour(now());
    return { ...info, kind: "rate_limit", retryable: false, retryAfterMs: until - now() };
  };
}

function checkOptions(options: unknown): GoogleAnalyticsOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      '"options" must be an object: googleAnalytics({ mode: "measurement-protocol" }) or googleAnalytics({ mode: "data-api", clientId, clientSecret })',
    );
  const o = options as Record<string, unknown>;
  if (o.mode !== "measurement-protocol" && o.mode !== "data-api")
    throw new TypeError(
      `"mode" must be "measurement-protocol" or "data-api", got ${JSON.stringify(o.mode)}`,
    );
  if (o.now !== undefined && typeof o.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  if (
    o.mode === "measurement-protocol" &&
    (o.clientId !== undefined || o.clientSecret !== undefined)
  )
    throw new TypeError(
      '"clientId" and "clientSecret" are for mode "data-api"; the Measurement Protocol uses an API secret',
    );
  if (o.mode === "data-api") {
    if (typeof o.clientId !== "string" || o.clientId === "")
      throw new TypeError('"clientId" must be your Google OAuth client id (mode "data-api")');
    if (typeof o.clientSecret !== "string" || o.clientSecret === "")
      throw new TypeError(
        '"clientSecret" must be your Google OAuth client secret (mode "data-api")',
      );
    if (
      o.pageSize !== undefined &&
      (!Number.isInteger(o.pageSize) ||
        (o.pageSize as number) < 1 ||
        (o.pageSize as number) > 250_000)
    )
      throw new TypeError('"pageSize" must be an integer from 1 to 250000');
    if (
      o.minRemainingTokens !== undefined &&
      (!Number.isInteger(o.minRemainingTokens) || (o.minRemainingTokens as number) < 0)
    )
      throw new TypeError('"minRemainingTokens" must be a non-negative integer');
  }
  return options as GoogleAnalyticsOptions;
}

function measurementIdOf(metadata: Record<string, unknown>): string {
  const id = metadata.measurementId;
  if (typeof id !== "string")
    throw new TypeError("the connection has no measurementId: reconnect it");
  return id;
}

/** A sample event for "Test connection": it goes to the validation server only, so nothing is recorded. */
const CONNECTION_TEST_PAYLOAD = {
  client_id: "patchbay.connection-test",
  events: [{ name: "patchbay_connection_test", params: { engagement_time_msec: 1 } }],
};

function measurementProtocol(options: GoogleAnalyticsMeasurementProtocolOptions) {
  const now = options.now ?? Date.now;
  const messagesText = (messages: ValidationMessage[]) =>
    messages
      .map((m) => `"${m.fieldPath || "body"}" ${m.validationCode}: ${m.description}`)
      .join("; ");
  return defineConnector({
    id: "google-analytics",
    name: "Google Analytics 4 (Measurement Protocol)",
    category: "analytics",
    description:
      "Send purchases, leads and other events to a GA4 web stream from the server, checked against GA's limits first.",
    docsUrl: GA_DOCS.measurementProtocol,
    auth: customCredentials({
      fields: MeasurementProtocolCredentialsSchema,
      apply: ({ measurementId, apiSecret }, request) => {
        request.url.searchParams.set("measurement_id", measurementId);
        request.url.searchParams.set("api_secret", apiSecret);
      },
      metadata: async ({ fields }) => ({ measurementId: String(fields.measurementId) }),
    }),
    config: MeasurementProtocolConfigSchema,
    http: { baseUrl: MEASUREMENT_PROTOCOL_BASE, parseError: parseGoogleError },
    async test(ctx) {
      measurementIdOf(ctx.metadata);
      const { data } = await ctx.http.post(MP_DEBUG_PATH, { json: CONNECTION_TEST_PAYLOAD });
      const messages = parseValidationResponse(data);
      return messages.length === 0
        ? { ok: true }
        : {
            ok: false,
            message: `The validation server refused a sample event: ${messagesText(messages)}`,
          };
    },
    actions: {
      sendEvents: defineAction({
        description:
          "Send one user's events (split into requests of 25) after checking GA's limits, which the endpoint would otherwise drop silently.",
        input: SendMpEventsInputSchema,
        async run(ctx, input): Promise<SendMpEventsResult> {
          const config = MeasurementProtocolConfigSchema.parse(ctx.config ?? {});
          const payloads = buildMeasurementPayloads(input, now());
          if (config.validateWithGoogle) {
            for (const payload of payloads) {
              const { data } = await ctx.http.post(MP_DEBUG_PATH, { json: payload });
              const messages = parseValidationResponse(data);
              if (messages.length > 0)
                throw new ConfigError(
                  `Google's validation server refused the events, so nothing was sent: ${messagesText(messages)}`,
                );
            }
          }
          for (const payload of payloads)
            await ctx.http.post(MP_COLLECT_PATH, { json: payload, responseType: "text" });
          return {
            eventsSent: input.events.length,
            requests: payloads.length,
            validatedWithGoogle: config.validateWithGoogle,
          };
        },
      }),
      validateEvents: defineAction({
        description:
          "Check events with the connector's limits and Google's validation server without sending them; returns every validation message.",
        input: SendMpEventsInputSchema,
        async run(ctx, input): Promise<{ validationMessages: ValidationMessage[] }> {
          let payloads: ReturnType<typeof buildMeasurementPayloads>;
          try {
            payloads = buildMeasurementPayloads(input, now());
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            // Let Google speak for itself: send the request unchecked to the validation server.
            payloads = [
              {
                client_id: input.clientId,
                events: input.events.map((e) => ({
                  name: e.name,
                  ...(e.params !== undefined && { params: e.params }),
                })),
              },
            ];
          }
          const validationMessages: ValidationMessage[] = [];
          for (const payload of payloads) {
            const { data } = await ctx.http.post(MP_DEBUG_PATH, { json: payload });
            validationMessages.push(...parseValidationResponse(data));
          }
          return { validationMessages };
        },
      }),
    },
  });
}

function dataApi(options: GoogleAnalyticsDataApiOptions) {
  const now = options.now ?? Date.now;
  const quota = new PropertyQuotaBook(options.minRemainingTokens ?? 100, now);
  return defineConnector({
    id: "google-analytics",
    name: "Google Analytics 4",
    category: "analytics",
    description:
      "Sync GA4 reports (e.g. sessions by source per day) from the user's property, within its token quota.",
    docsUrl: GA_DOCS.dataApi,
    auth: googleOAuth({ clientId: options.clientId, clientSecret: options.clientSecret }, [
      ANALYTICS_READONLY_SCOPE,
    ]),
    config: DataApiConfigSchema,
    http: {
      baseUrl: DATA_API_BASE,
      parseError: dataApiErrorParser(now),
      // The Data API allows 10 concurrent requests per standard property.
      maxConcurrent: { limit: 10 },
    },
    async test(ctx) {
      const config = DataApiConfigSchema.parse(ctx.config ?? {});
      if (config.propertyId === undefined) {
        await ctx.http.get(ACCOUNT_SUMMARIES_URL, { query: { pageSize: 1 } });
        return { ok: true };
      }
      const { data } = await ctx.http.post(runReportPath(config.propertyId), {
        json: {
          dateRanges: [{ startDate: "yesterday", endDate: "today" }],
          metrics: [{ name: "sessions" }],
          limit: 1,
          returnPropertyQuota: true,
        },
        idempotent: true,
      });
      quota.note(config.propertyId, RunReportResponseSchema.parse(data).propertyQuota);
      return { ok: true };
    },
    models: { report: reportModel({ pageSize: options.pageSize ?? 10_000, quota }) },
    actions: {
      listProperties: defineAction({
        description:
          "The GA4 properties the user can read (Admin API accountSummaries), to pick one for the config.",
        input: z.object({}),
        async run(ctx): Promise<{ properties: Ga4Property[] }> {
          const properties: Ga4Property[] = [];
          for (let pageToken: string | undefined; ; ) {
            const { data } = await ctx.http.get(ACCOUNT_SUMMARIES_URL, {
              query: { pageSize: 200, pageToken },
            });
            const page = AccountSummariesResponseSchema.parse(data);
            for (const account of page.accountSummaries)
              for (const p of account.propertySummaries)
                properties.push({
                  propertyId: p.property.replace(/^properties\//, ""),
                  displayName: p.displayName,
                  account: account.account,
                  accountDisplayName: account.displayName,
                  propertyType: p.propertyType ?? null,
                });
            pageToken = page.nextPageToken || undefined;
            if (pageToken === undefined) break;
          }
          return { properties };
        },
      }),
      propertyQuota: defineAction({
        description:
          "The configured property's token quota as last reported by the Data API (null before any report).",
        input: z.object({}),
        async run(ctx) {
          const { propertyId } = DataApiConfigSchema.parse(ctx.config ?? {});
          return {
            propertyId: propertyId ?? null,
            quota: propertyId === undefined ? null : (quota.last(propertyId) ?? null),
          };
        },
      }),
    },
  });
}

/**
 * The Google Analytics 4 connector, in one of two modes (see
 * {@link GoogleAnalyticsOptions} for why one id has two modes):
 *
 * - **`mode: "measurement-protocol"`**: a store pastes a Measurement ID and
 *   API secret. "Test connection" sends a sample event to the validation
 *   server (`debug/mp/collect`) and reads its `validationMessages`.
 *   Action `sendEvents` checks every documented limit first (25 events per
 *   request, names ≤ 40 characters and not reserved, ≤ 25 parameters,
 *   values ≤ 100 characters, user properties, 72-hour backdating, 130 kB),
 *   because `mp/collect` answers 2xx and silently drops bad events; action
 *   `validateEvents` asks Google's validation server.
 * - **`mode: "data-api"`**: Google OAuth with `analytics.readonly`. Action
 *   `listProperties` (Admin API account summaries) picks the property; the
 *   `report` model syncs `runReport` over a trailing window, reading
 *   `propertyQuota` after every page and stopping with a typed
 *   `RateLimitError` before the property runs out of tokens.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * createPatchbay({
 *   connectors: [googleAnalytics({ mode: "data-api", clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! })],
 *   store, vault,
 * });
 * ```
 * @see https://developers.google.com/analytics
 */
export function googleAnalytics(
  options: GoogleAnalyticsMeasurementProtocolOptions,
): ConnectorDefinition<typeof MeasurementProtocolConfigSchema>;
export function googleAnalytics(
  options: GoogleAnalyticsDataApiOptions,
): ConnectorDefinition<typeof DataApiConfigSchema>;
export function googleAnalytics(
  options: GoogleAnalyticsOptions,
):
  | ConnectorDefinition<typeof MeasurementProtocolConfigSchema>
  | ConnectorDefinition<typeof DataApiConfigSchema>;
export function googleAnalytics(
  options: GoogleAnalyticsOptions,
):
  | ConnectorDefinition<typeof MeasurementProtocolConfigSchema>
  | ConnectorDefinition<typeof DataApiConfigSchema> {
  const checked = checkOptions(options);
  return checked.mode === "measurement-protocol" ? measurementProtocol(checked) : dataApi(checked);
}
