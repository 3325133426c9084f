/**
 * A stateful fake of Google Analytics 4 for MSW, on Google's real URLs:
 *
 * - **Measurement Protocol**: `mp/collect` answers 204 to anything, as GA
 *   does, and keeps only events from a known stream with a valid API
 *   secret that pass GA's checks (the rest are listed as dropped);
 *   `debug/mp/collect` answers `{ validationMessages }` with GA's
 *   validation codes and records nothing (and, like GA's, ignores the API secret).
 * - **Data API** `properties/{id}:runReport`: sessions facts per property,
 *   aggregated by the requested dimensions and metrics over `dateRanges`
 *   (`today`, `yesterday`, `NdaysAgo`, `YYYY-MM-DD`), `limit`/`offset`
 *   paging with `rowCount`, `propertyQuota` with per-property hourly and
 *   daily tokens (429 "Exhausted property tokens per hour" past them),
 *   Google's error bodies, 429 on demand.
 * - **Admin API** `accountSummaries` with `pageSize`/`pageToken`.
 * - **OAuth**: Google's authorization server (`createGoogleOAuthFake`).
 *
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/validating-events
 */
import {
  createGoogleOAuthFake,
  googleError,
  googleRateLimited,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import {
  ACCOUNT_SUMMARIES_URL,
  ANALYTICS_READONLY_SCOPE,
  DATA_API_BASE,
  MEASUREMENT_PROTOCOL_BASE,
  MP_COLLECT_PATH,
  MP_DEBUG_PATH,
  MP_RESERVED_EVENT_NAMES,
} from "../endpoints.js";
import type { MpPayload, ValidationMessage } from "../schemas.js";

/**
 * The sandbox web stream the fake accepts (Measurement Protocol).
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "google-analytics", credentials: { measurementId: GA_SANDBOX_STREAM.measurementId, apiSecret: GA_SANDBOX_STREAM.apiSecret } });
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export const GA_SANDBOX_STREAM = Object.freeze({
  measurementId: "G-SANDBOX42PB",
  apiSecret: "sandbox-mp-api-secret-0123",
});

/**
 * The sandbox account and property `seedSandbox()` fills: a plumbing
 * company's website property.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { propertyId: GA_SANDBOX_PROPERTY.propertyId });
 * ```
 * @see https://developers.google.com/analytics/devguides/config/admin/v1/rest/v1beta/accountSummaries/list
 */
export const GA_SANDBOX_PROPERTY = Object.freeze({
  account: "accounts/204060801",
  accountDisplayName: "Bright Plumbing Co.",
  propertyId: "345678901",
  displayName: "brightplumbing.example – GA4",
});

/**
 * The sandbox Google OAuth client the fake accepts (Data API mode).
 *
 * @example
 * ```ts
 * googleAnalytics({ mode: "data-api", ...GA_SANDBOX_CLIENT });
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/web-server
 */
export { GOOGLE_SANDBOX_CLIENT as GA_SANDBOX_CLIENT } from "@patchbay/google-common/testing";

/**
 * A day of one traffic slice at the fake: dimension values and metric counts.
 *
 * @example
 * ```ts
 * fake.addRow(GA_SANDBOX_PROPERTY.propertyId, { date: "2026-03-27", dimensions: { sessionSource: "google" }, metrics: { sessions: 12 } });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema
 */
export interface FakeReportRow {
  /** `YYYY-MM-DD` or `YYYYMMDD`. */
  date: string;
  dimensions: Record<string, string>;
  metrics: Record<string, number>;
}

/**
 * One event the fake recorded (or dropped) at `mp/collect`.
 *
 * @example
 * ```ts
 * const [first]: FakeCollectedEvent[] = fake.events();
 * first.event.name; // "purchase"
 * ```
 * @see https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 */
export interface FakeCollectedEvent {
  measurementId: string;
  clientId: string;
  userId: string | null;
  event: { name: string; params?: Record<string, unknown> };
  userProperties: Record<string, unknown>;
  receivedAt: number;
}

/**
 * Options of {@link createGoogleAnalyticsFake}. Every option is optional.
 *
 * @example
 * ```ts
 * const fake = createGoogleAnalyticsFake({ redirectUris: ["http://localhost:3000/integrations/google-analytics/callback"], tokensPerHour: 100 });
 * ```
 * @see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas
 */
export interface GoogleAnalyticsFakeOptions {
  /** Redirect URIs registered for the sandbox OAuth client. */
  redirectUris?: string[];
  /** The OAuth server; default a new Google OAuth fake. */
  oauth?: FakeOAuthServer;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Web streams and their API secrets. Default: {@link GA_SANDBOX_STREAM}. */
  streams?: Array<{ measurementId: string; apiSecrets: string[] }>;
  /** Property tokens per hour. Default 40,000 (a standard property). */
  tokensPerHour?: number;
  /** Property tokens per day. Default 200,000. */
  tokensPerDay?: number;
  /** Tokens one `runReport` costs. Default 10. */
  tokensPerRequest?: number;
  /** Account summaries per `accountSummaries` page at most. Default 50. */
  accountSummariesPageSize?: number;
}

/**
 * The fake (see {@link createGoogleAnalyticsFake}).
 *
 * @example
 * ```ts
 * let fake: GoogleAnalyticsFake = createGoogleAnalyticsFake();
 * ```
 * @see https://developers.google.com/analytics
 */
export type GoogleAnalyticsFake = ReturnType<typeof createGoogleAnalyticsFake>;

const DIMENSIONS = new Set([
  "date",
  "sessionSource",
  "sessionMedium",
  "sessionSourceMedium",
  "sessionDefaultChannelGroup",
  "sessionCampaignName",
  "deviceCategory",
  "country",
  "city",
  "landingPage",
]);
const METRICS = new Set([
  "sessions",
  "totalUsers",
  "newUsers",
  "activeUsers",
  "screenPageViews",
  "engagedSessions",
  "keyEvents",
]);
const DAY_MS = 86_400_000;
const NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
const compact = (date: string) => date.replaceAll("-", "");

/**
 * A stateful fake of GA4's Measurement Protocol, Data API and Admin API
 * account summaries, with Google's OAuth server.
 *
 * @example
 * ```ts
 * const fake = createGoogleAnalyticsFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // 30 days of sessions by source for the sandbox property
 * ```
 * @see https://developers.google.com/analytics
 */
export function createGoogleAnalyticsFake(options: GoogleAnalyticsFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({
      redirectUris: options.redirectUris ?? [
        "https://app.example.com/integrations/callback",
        "https://app.example.com/integrations/google-analytics/callback",
      ],
      now,
    });
  const streams = new Map<string, string[]>();
  for (const s of options.streams ?? [
    { measurementId: GA_SANDBOX_STREAM.measurementId, apiSecrets: [GA_SANDBOX_STREAM.apiSecret] },
  ])
    streams.set(s.measurementId, [...s.apiSecrets]);
  const tokensPerHour = options.tokensPerHour ?? 40_000;
  const tokensPerDay = options.tokensPerDay ?? 200_000;
  const cost = options.tokensPerRequest ?? 10;
  const summariesPageSize = options.accountSummariesPageSize ?? 50;

  interface FakeProperty {
    propertyId: string;
    displayName: string;
    account: string;
    accountDisplayName: string;
    rows: Array<{
      date: string;
      dimensions: Record<string, string>;
      metrics: Record<string, number>;
    }>;
    usage: { hour: number; hourUsed: number; day: string; dayUsed: number };
  }
  const properties = new Map<string, FakeProperty>();
  const collected: FakeCollectedEvent[] = [];
  const dropped: Array<{ reason: string; payload: unknown }> = [];
  const reportRequests: Array<{ propertyId: string; body: Record<string, unknown> }> = [];
  let rateLimited = 0;

  // ---------- Measurement Protocol ----------

  /** GA's validation server, as documented: paths, descriptions and validation codes. */
  const validate = (body: Partial<MpPayload> & Record<string, unknown>): ValidationMessage[] => {
    const out: ValidationMessage[] = [];
    if (typeof body.client_id !== "string" || body.client_id === "")
      out.push({
        fieldPath: "client_id",
        description: "client_id is required.",
        validationCode: "VALUE_REQUIRED",
      });
    const events = Array.isArray(body.events) ? body.events : [];
    if (events.length === 0)
      out.push({
        fieldPath: "events",
        description: "At least one event is required.",
        validationCode: "VALUE_REQUIRED",
      });
    if (events.length > 25)
      out.push({
        fieldPath: "events",
        description: `A maximum of 25 events per request. Found ${events.length}.`,
        validationCode: "EXCEEDED_MAX_ENTITIES",
      });
    events.forEach((e, i) => {
      const name = String((e as { name?: unknown }).name ?? "");
      if (MP_RESERVED_EVENT_NAMES.has(name) || /^(_|ga_|google_|firebase_)/.test(name))
        out.push({
          fieldPath: "events",
          description: `Event at index: [${i}] has name [${name}] which is reserved.`,
          validationCode: "NAME_RESERVED",
        });
      else if (!NAME.test(name) || name.length > 40)
        out.push({
          fieldPath: "events",
          description: `Event at index: [${i}] has invalid name [${name}]. Names must start with an alphabetic character.`,
          validationCode: "NAME_INVALID",
        });
      const params = Object.entries(
        ((e as { params?: unknown }).params ?? {}) as Record<string, unknown>,
      );
      if (params.length > 25)
        out.push({
          fieldPath: `events[${i}].params`,
          description: `Event at index: [${i}] has more than 25 params.`,
          validationCode: "EXCEEDED_MAX_ENTITIES",
        });
      for (const [k, v] of params) {
        if (!NAME.test(k) || k.length > 40)
          out.push({
            fieldPath: `events[${i}].params`,
            description: `Event param [${k}] has invalid name.`,
            validationCode: "NAME_INVALID",
          });
        const max =
          k === "page_location"
            ? 1000
            : k === "page_referrer"
              ? 420
              : k === "page_title"
                ? 300
                : 100;
        if (typeof v === "string" && v.length > max)
          out.push({
            fieldPath: `events[${i}].params.${k}`,
            description: `Event param [${k}] has value [${v.slice(0, 20)}…] which is too long.`,
            validationCode: "VALUE_OUT_OF_BOUNDS",
          });
      }
    });
    const props = Object.entries(
      (body.user_properties ?? {}) as Record<string, { value?: unknown }>,
    );
    for (const [k, v] of props) {
      if (!NAME.test(k) || k.length > 24)
        out.push({
          fieldPath: "user_properties",
          description: `User property [${k}] has invalid name.`,
          validationCode: "NAME_INVALID",
        });
      if (typeof v?.value === "string" && v.value.length > 36)
        out.push({
          fieldPath: `user_properties.${k}`,
          description: `User property [${k}] has a value which is too long.`,
          validationCode: "VALUE_OUT_OF_BOUNDS",
        });
    }
    return out;
  };

  const readJson = async (request: Request): Promise<Record<string, unknown> | undefined> => {
    try {
      const body = (await request.json()) as unknown;
      return body !== null && typeof body === "object"
        ? (body as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };

  // ---------- Data API ----------

  const resolveDate = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    const today = now();
    if (value === "today") return ymd(today);
    if (value === "yesterday") return ymd(today - DAY_MS);
    const ago = /^(\d+)daysAgo$/.exec(value);
    if (ago) return ymd(today - Number(ago[1]) * DAY_MS);
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? compact(value) : undefined;
  };

  const bearer = (request: Request): Response | undefined => {
    const check = oauth.verifyBearer(request);
    if (!check.valid) return googleUnauthorized();
    if (
      !check.scopes.includes(ANALYTICS_READONLY_SCOPE) &&
      !check.scopes.includes("https://www.googleapis.com/auth/analytics")
    )
      return googleError(
        403,
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "Request had insufficient authentication scopes.",
      );
    return undefined;
  };

  const spend = (p: FakeProperty): Response | undefined => {
    const t = now();
    const hour = Math.floor(t / 3_600_000);
    if (p.usage.hour !== hour) p.usage = { ...p.usage, hour, hourUsed: 0 };
    if (p.usage.day !== ymd(t)) p.usage = { ...p.usage, day: ymd(t), dayUsed: 0 };
    if (p.usage.dayUsed + cost > tokensPerDay)
      return googleError(
        429,
        "RATE_LIMIT_EXCEEDED",
        "Exhausted property tokens per day for this property. Retry after the daily quota resets.",
      );
    if (p.usage.hourUsed + cost > tokensPerHour)
      return googleError(
        429,
        "RATE_LIMIT_EXCEEDED",
        "Exhausted property tokens per hour for this property. Retry after the hourly quota resets.",
      );
    p.usage.hourUsed += cost;
    p.usage.dayUsed += cost;
    return undefined;
  };

  const quotaOf = (p: FakeProperty) => ({
    tokensPerDay: { consumed: cost, remaining: tokensPerDay - p.usage.dayUsed },
    tokensPerHour: { consumed: cost, remaining: tokensPerHour - p.usage.hourUsed },
    concurrentRequests: { consumed: 0, remaining: 10 },
    serverErrorsPerProjectPerHour: { consumed: 0, remaining: 10 },
    potentiallyThresholdedRequestsPerHour: { consumed: 0, remaining: 120 },
    tokensPerProjectPerHour: {
      consumed: cost,
      remaining: Math.floor(tokensPerHour * 0.35) - p.usage.hourUsed,
    },
  });

  /** The report GA would compute: rows grouped by `dimensions`, metrics summed, sorted by dimension values. */
  const aggregate = (
    p: FakeProperty,
    start: string,
    end: string,
    dimensions: string[],
    metrics: string[],
  ) => {
    const groups = new Map<string, { dims: string[]; sums: number[] }>();
    for (const row of p.rows) {
      if (row.date < start || row.date > end) continue;
      const dims = dimensions.map((d) =>
        d === "date" ? row.date : (row.dimensions[d] ?? "(not set)"),
      );
      const key = JSON.stringify(dims);
      const group = groups.get(key) ?? { dims, sums: metrics.map(() => 0) };
      metrics.forEach((m, i) => {
        group.sums[i]! += row.metrics[m] ?? 0;
      });
      groups.set(key, group);
    }
    return [...groups.values()]
      .filter((g) => g.sums.some((s) => s !== 0))
      .sort((a, b) => (JSON.stringify(a.dims) < JSON.stringify(b.dims) ? -1 : 1));
  };

  const handlers: HttpHandler[] = [
    ...oauth.handlers,
    http.post(`${MEASUREMENT_PROTOCOL_BASE}/${MP_DEBUG_PATH}`, async ({ request }) => {
      const body = await readJson(request);
      if (body === undefined)
        return HttpResponse.json({
          validationMessages: [
            {
              fieldPath: "",
              description: "Unable to parse the request body as JSON.",
              validationCode: "VALUE_INVALID",
            },
          ],
        });
      const url = new URL(request.url);
      const messages = validate(body);
      if (!url.searchParams.get("measurement_id") && !url.searchParams.get("firebase_app_id"))
        messages.unshift({
          fieldPath: "measurement_id",
          description: "Measurement ID is required.",
          validationCode: "VALUE_REQUIRED",
        });
      return HttpResponse.json({ validationMessages: messages });
    }),
    http.post(`${MEASUREMENT_PROTOCOL_BASE}/${MP_COLLECT_PATH}`, async ({ request }) => {
      // GA answers 2xx whatever happens; what it drops is only visible in reports.
      const url = new URL(request.url);
      const body = await readJson(request);
      const measurementId = url.searchParams.get("measurement_id") ?? "";
      const secret = url.searchParams.get("api_secret") ?? "";
      const reason =
        body === undefined
          ? "body is not JSON"
          : !streams.has(measurementId)
            ? "unknown measurement_id"
            : !streams.get(measurementId)!.includes(secret)
              ? "invalid api_secret"
              : validate(body)
                  .map((m) => `${m.validationCode} ${m.fieldPath}`)
                  .join(", ") || undefined;
      if (reason !== undefined) dropped.push({ reason, payload: body });
      else {
        const payload = body as unknown as MpPayload;
        for (const event of payload.events)
          collected.push({
            measurementId,
            clientId: payload.client_id,
            userId: payload.user_id ?? null,
            event,
            userProperties: payload.user_properties ?? {},
            receivedAt: now(),
          });
      }
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${DATA_API_BASE}/properties/:target`, async ({ request, params }) => {
      const target = String(params.target);
      const match = /^(\d+):runReport$/.exec(target);
      if (!match) return googleError(404, "NOT_FOUND", `Method not found: ${target}`);
      if (rateLimited > 0) {
        rateLimited--;
        return googleRateLimited();
      }
      const refused = bearer(request);
      if (refused) return refused;
      const property = properties.get(match[1]!);
      if (property === undefined)
        return googleError(
          403,
          "PERMISSION_DENIED",
          "User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.",
        );
      const body = await readJson(request);
      if (body === undefined)
        return googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
      reportRequests.push({ propertyId: property.propertyId, body });
      const ranges = Array.isArray(body.dateRanges)
        ? (body.dateRanges as Array<Record<string, unknown>>)
        : [];
      if (ranges.length === 0)
        return googleError(400, "INVALID_ARGUMENT", "Must specify at least one date range.");
      const start = resolveDate(ranges[0]!.startDate);
      const end = resolveDate(ranges[0]!.endDate);
      if (start === undefined || end === undefined || start > end)
        return googleError(
          400,
          "INVALID_ARGUMENT",
          "Invalid date range: startDate must be on or before endDate, in YYYY-MM-DD, NdaysAgo, yesterday or today.",
        );
      const names = (list: unknown) =>
        Array.isArray(list) ? list.map((d) => String((d as { name?: unknown }).name)) : [];
      const dimensions = names(body.dimensions);
      const metrics = names(body.metrics);
      for (const d of dimensions)
        if (!DIMENSIONS.has(d))
          return googleError(
            400,
            "INVALID_ARGUMENT",
            `Field ${d} is not a valid dimension. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema`,
          );
      if (metrics.length === 0)
        return googleError(400, "INVALID_ARGUMENT", "Must specify at least one metric.");
      for (const m of metrics)
        if (!METRICS.has(m))
          return googleError(
            400,
            "INVALID_ARGUMENT",
            `Field ${m} is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema`,
          );
      const exhausted = spend(property);
      if (exhausted) return exhausted;
      const limit = body.limit === undefined ? 10_000 : Number(body.limit);
      const offset = body.offset === undefined ? 0 : Number(body.offset);
      if (
        !Number.isInteger(limit) ||
        limit < 1 ||
        limit > 250_000 ||
        !Number.isInteger(offset) ||
        offset < 0
      )
        return googleError(
          400,
          "INVALID_ARGUMENT",
          "limit must be between 1 and 250000 and offset non-negative.",
        );
      const all = aggregate(property, start, end, dimensions, metrics);
      const page = all.slice(offset, offset + limit);
      return HttpResponse.json({
        dimensionHeaders: dimensions.map((name) => ({ name })),
        metricHeaders: metrics.map((name) => ({ name, type: "TYPE_INTEGER" })),
        ...(page.length > 0 && {
          rows: page.map((g) => ({
            dimensionValues: g.dims.map((value) => ({ value })),
            metricValues: g.sums.map((s) => ({ value: String(s) })),
          })),
        }),
        rowCount: all.length,
        metadata: { currencyCode: "USD", timeZone: "Etc/UTC" },
        ...(body.returnPropertyQuota === true && { propertyQuota: quotaOf(property) }),
        kind: "analyticsData#runReport",
      });
    }),
    http.get(ACCOUNT_SUMMARIES_URL, ({ request }) => {
      if (rateLimited > 0) {
        rateLimited--;
        return googleRateLimited();
      }
      const refused = bearer(request);
      if (refused) return refused;
      const url = new URL(request.url);
      const pageSize = Math.min(
        Number(url.searchParams.get("pageSize") ?? 50) || 50,
        200,
        summariesPageSize,
      );
      const start = Number(url.searchParams.get("pageToken") ?? 0);
      const accounts = new Map<
        string,
        { account: string; displayName: string; props: FakeProperty[] }
      >();
      for (const p of properties.values()) {
        const a = accounts.get(p.account) ?? {
          account: p.account,
          displayName: p.accountDisplayName,
          props: [],
        };
        a.props.push(p);
        accounts.set(p.account, a);
      }
      const list = [...accounts.values()];
      const page = list.slice(start, start + pageSize);
      return HttpResponse.json({
        accountSummaries: page.map((a) => ({
          name: `accountSummaries/${a.account.split("/")[1]}`,
          account: a.account,
          displayName: a.displayName,
          propertySummaries: a.props.map((p) => ({
            property: `properties/${p.propertyId}`,
            displayName: p.displayName,
            propertyType: "PROPERTY_TYPE_ORDINARY",
            parent: a.account,
          })),
        })),
        ...(start + pageSize < list.length && { nextPageToken: String(start + pageSize) }),
      });
    }),
  ];

  const requireProperty = (propertyId: string): FakeProperty => {
    const p = properties.get(propertyId);
    if (p === undefined)
      throw new Error(`the fake has no property ${propertyId}: addProperty() first`);
    return p;
  };
  const sameSlice = (
    row: { date: string; dimensions: Record<string, string> },
    date: string,
    dims: Record<string, string>,
  ) =>
    row.date === compact(date) && Object.entries(dims).every(([k, v]) => row.dimensions[k] === v);

  return {
    handlers,
    oauth,
    /** What a store types into the Measurement Protocol form for the sandbox stream. */
    credentials: {
      measurementId: GA_SANDBOX_STREAM.measurementId,
      apiSecret: GA_SANDBOX_STREAM.apiSecret,
    },
    /** Events GA recorded at `mp/collect` (valid, known stream, right secret), oldest first. */
    events(filter: { measurementId?: string } = {}): FakeCollectedEvent[] {
      return collected.filter(
        (e) => filter.measurementId === undefined || e.measurementId === filter.measurementId,
      );
    },
    /** Requests `mp/collect` answered 204 to but dropped, with why (GA would never say). */
    dropped(): Array<{ reason: string; payload: unknown }> {
      return [...dropped];
    },
    /** The `runReport` bodies received, in order. */
    reportRequests,
    /** The next `count` Data or Admin API requests get Google's 429 RESOURCE_EXHAUSTED. */
    rateLimitNext(count = 1): void {
      rateLimited += count;
    },
    /** A property the user can read (as creating one in GA's admin). */
    addProperty(p: {
      propertyId: string;
      displayName: string;
      account?: string;
      accountDisplayName?: string;
    }): void {
      properties.set(p.propertyId, {
        account: p.account ?? GA_SANDBOX_PROPERTY.account,
        accountDisplayName: p.accountDisplayName ?? GA_SANDBOX_PROPERTY.accountDisplayName,
        ...p,
        rows: [],
        usage: { hour: -1, hourUsed: 0, day: "", dayUsed: 0 },
      });
    },
    /** Record traffic: adds the metrics to the day's slice with these dimension values. */
    addRow(propertyId: string, row: FakeReportRow): void {
      const p = requireProperty(propertyId);
      const existing = p.rows.find(
        (r) =>
          sameSlice(r, row.date, row.dimensions) &&
          Object.keys(r.dimensions).length === Object.keys(row.dimensions).length,
      );
      if (existing === undefined)
        p.rows.push({
          date: compact(row.date),
          dimensions: { ...row.dimensions },
          metrics: { ...row.metrics },
        });
      else
        for (const [m, v] of Object.entries(row.metrics))
          existing.metrics[m] = (existing.metrics[m] ?? 0) + v;
    },
    /** GA reprocessed a day: set a metric on every slice matching the date and dimension values (first slice gets `value`, others 0). */
    setMetric(
      propertyId: string,
      date: string,
      dimensions: Record<string, string>,
      metric: string,
      value: number,
    ): void {
      const rows = requireProperty(propertyId).rows.filter((r) => sameSlice(r, date, dimensions));
      if (rows.length === 0)
        throw new Error(`no rows on ${date} for ${JSON.stringify(dimensions)}`);
      rows.forEach((r, i) => {
        r.metrics[metric] = i === 0 ? value : 0;
      });
    },
    /** Remove the slices matching the date and dimension values (GA dropped them, e.g. spam filtering). */
    removeRows(propertyId: string, date: string, dimensions: Record<string, string>): void {
      const p = requireProperty(propertyId);
      p.rows = p.rows.filter((r) => !sameSlice(r, date, dimensions));
    },
    /**
     * The report GA would answer for the last `days` days (ending today),
     * shaped like a `runReport` response, without spending tokens: what a
     * test compares synced records with.
     */
    report(propertyId: string, request: { dimensions: string[]; metrics: string[]; days: number }) {
      const p = requireProperty(propertyId);
      const rows = aggregate(
        p,
        ymd(now() - (request.days - 1) * DAY_MS),
        ymd(now()),
        request.dimensions,
        request.metrics,
      );
      return {
        dimensionHeaders: request.dimensions.map((name) => ({ name })),
        metricHeaders: request.metrics.map((name) => ({ name, type: "TYPE_INTEGER" })),
        rows: rows.map((g) => ({
          dimensionValues: g.dims.map((value) => ({ value })),
          metricValues: g.sums.map((s) => ({ value: String(s) })),
        })),
        rowCount: rows.length,
      };
    },
    /** The property's tokens used this hour and today. */
    usage(propertyId: string): { hourUsed: number; dayUsed: number } {
      const { hourUsed, dayUsed } = requireProperty(propertyId).usage;
      return { hourUsed, dayUsed };
    },
    /**
     * Demo data: the sandbox property with 30 days (ending today) of
     * sessions, users and key events by source and medium for a plumbing
     * company, plus a second, empty property to pick from.
     */
    seedSandbox(): { propertyId: string; days: number; sources: string[] } {
      if (!properties.has(GA_SANDBOX_PROPERTY.propertyId)) this.addProperty(GA_SANDBOX_PROPERTY);
      if (!properties.has("345678902"))
        this.addProperty({
          propertyId: "345678902",
          displayName: "Bright Plumbing booking app – GA4",
        });
      const sources: Array<[string, string, number]> = [
        ["google", "organic", 48],
        ["(direct)", "(none)", 22],
        ["google", "cpc", 17],
        ["facebook.com", "referral", 9],
        ["yelp.com", "referral", 7],
        ["nextdoor.com", "referral", 4],
        ["bing", "organic", 3],
      ];
      let seed = 20260327;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      for (let d = 29; d >= 0; d--) {
        const day = now() - d * DAY_MS;
        const weekend = [0, 6].includes(new Date(day).getUTCDay());
        for (const [source, medium, base] of sources) {
          const sessions = Math.max(
            1,
            Math.round(base * (weekend ? 0.6 : 1) * (0.7 + random() * 0.6)),
          );
          this.addRow(GA_SANDBOX_PROPERTY.propertyId, {
            date: ymd(day),
            dimensions: {
              sessionSource: source,
              sessionMedium: medium,
              deviceCategory: random() < 0.62 ? "mobile" : "desktop",
            },
            metrics: {
              sessions,
              totalUsers: Math.max(1, Math.round(sessions * 0.85)),
              newUsers: Math.round(sessions * 0.55),
              screenPageViews: Math.round(sessions * 2.4),
              engagedSessions: Math.round(sessions * 0.6),
              keyEvents: Math.round(sessions * 0.08),
            },
          });
        }
      }
      return {
        propertyId: GA_SANDBOX_PROPERTY.propertyId,
        days: 30,
        sources: [...new Set(sources.map(([s]) => s))],
      };
    },
  };
}
