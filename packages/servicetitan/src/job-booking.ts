/**
 * Booking jobs at ServiceTitan (write-back of the `jobs` model, and the
 * `bookJob` action). A booking needs the customer, one of the customer's
 * locations, a business unit, a job type, a priority, a campaign and at least
 * one appointment; the business unit, job type, campaign and priority may
 * come from the connection's config defaults.
 */
import {
  ConfigError,
  type ConnectorContext,
  type HttpClient,
  isPatchbayError,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import type { z } from "zod";
import { tenantOf } from "./connection-metadata.js";
import { SERVICETITAN_PATHS } from "./endpoints.js";
import { exportRowToRecord } from "./export-feed.js";
import {
  type JobCreateInput,
  JobCreateInputSchema,
  type JobRecord,
  type ServiceTitanConfig,
  ServiceTitanConfigSchema,
} from "./schemas.js";

/** Booking fields a connection's config can default, and the config key of each. */
const DEFAULTS = {
  businessUnitId: "defaultBusinessUnitId",
  jobTypeId: "defaultJobTypeId",
  campaignId: "defaultCampaignId",
  priority: "defaultPriority",
} as const satisfies Record<string, keyof ServiceTitanConfig>;

function describeBookingIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const path = ["job", ...issue.path.map(String)].join(".");
      const field = issue.path[0] as keyof typeof DEFAULTS;
      const hint =
        issue.path.length === 1 && issue.message === "is required" && field in DEFAULTS
          ? ` (or set "${DEFAULTS[field]}" in the connection config)`
          : "";
      return `"${path}" ${issue.message}${hint}`;
    })
    .join("; ");
}

/**
 * Check a booking, filling the business unit, job type, campaign and priority
 * from the config defaults where the booking names none.
 *
 * @returns the request body, or the message naming every missing or invalid field.
 * @example
 * ```ts
 * const checked = checkBooking({ customerId: 2001, locationId: 2101, appointments }, { defaultBusinessUnitId: 101, defaultJobTypeId: 201, defaultCampaignId: 301, defaultPriority: "Normal" });
 * if (checked.ok) await http.post(SERVICETITAN_PATHS.jobs(tenant), { json: checked.job });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export function checkBooking(
  booking: unknown,
  config: unknown,
): { ok: true; job: JobCreateInput } | { ok: false; error: string } {
  const defaults = ServiceTitanConfigSchema.safeParse(config ?? {});
  const merged: Record<string, unknown> =
    booking !== null && typeof booking === "object" ? { ...booking } : {};
  if (defaults.success) {
    for (const [field, key] of Object.entries(DEFAULTS)) {
      if (merged[field] === undefined || merged[field] === null) merged[field] = defaults.data[key];
    }
  }
  const parsed = JobCreateInputSchema.safeParse(merged);
  if (parsed.success) return { ok: true, job: parsed.data };
  return { ok: false, error: `Invalid job booking: ${describeBookingIssues(parsed.error.issues)}` };
}

/**
 * Book a checked job and return ServiceTitan's job.
 *
 * @example
 * ```ts
 * const job = await postJob(ctx.http, tenant, checked.job);
 * job.jobStatus; // "Scheduled"
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export async function postJob(
  http: HttpClient,
  tenant: string,
  job: JobCreateInput,
  signal?: AbortSignal,
): Promise<JobRecord> {
  const { data } = await http.post<Record<string, unknown>>(SERVICETITAN_PATHS.jobs(tenant), {
    json: job,
    ...(signal && { signal }),
  });
  return exportRowToRecord(data) as JobRecord;
}

/**
 * Book a job for the `bookJob` action: like {@link checkBooking} then
 * {@link postJob}, throwing a `ConfigError` that names the missing fields.
 *
 * @throws ConfigError naming every missing or invalid field.
 * @example
 * ```ts
 * await bookJob(ctx, { customerId: 2001, locationId: 2101, appointments });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export async function bookJob(
  ctx: ConnectorContext<unknown>,
  booking: unknown,
): Promise<JobRecord> {
  const checked = checkBooking(booking, ctx.config);
  if (!checked.ok) throw new ConfigError(checked.error);
  return postJob(ctx.http, tenantOf(ctx.metadata), checked.job, ctx.signal);
}

/**
 * Apply host changes to jobs: creates book a job (the record carries the
 * booking fields, `appointments` included). Jobs change state in ServiceTitan
 * through dispatch (hold, cancel, complete), not through field edits: updates
 * and deletes fail with the reason.
 *
 * @example
 * ```ts
 * write: (ctx, changes) => writeJobs(ctx, changes)
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export async function writeJobs(
  ctx: ConnectorContext<unknown>,
  changes: WriteChange<JobRecord>[],
): Promise<WriteOutcome<JobRecord>[]> {
  const tenant = tenantOf(ctx.metadata);
  const outcomes: WriteOutcome<JobRecord>[] = [];
  for (const change of changes) {
    if (change.op !== "create") {
      outcomes.push({
        ok: false,
        error: `ServiceTitan jobs cannot be ${change.op === "update" ? "edited" : "deleted"} through write-back; only new bookings are sent`,
        retryable: false,
      });
      continue;
    }
    const checked = checkBooking(change.data, ctx.config);
    if (!checked.ok) {
      outcomes.push({ ok: false, error: checked.error, retryable: false });
      continue;
    }
    try {
      const job = await postJob(ctx.http, tenant, checked.job, ctx.signal);
      outcomes.push({ ok: true, externalId: String(job.id), data: job });
    } catch (error) {
      if (!isPatchbayError(error)) throw error;
      outcomes.push({ ok: false, error: error.message, retryable: error.retryable });
    }
  }
  return outcomes;
}
