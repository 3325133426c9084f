/**
 * The `jobPostings` model: the employer's jobs on Indeed with their status
 * (sync), and write-back that creates, upserts and expires Job Sync postings.
 */
import {
  type ConnectorContext,
  ErrorCode,
  isPatchbayError,
  type SyncContext,
  type SyncPage,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { INDEED_APPLY_ROUTE_PARAM } from "./endpoints.js";
import {
  INDEED_OPERATIONS,
  indeedGraphql,
  indeedGraphqlError,
  indeedGraphqlRaw,
} from "./graphql-client.js";
import {
  describeIssues,
  type EmployerJob,
  EmployerJobSchema,
  type IndeedConfig,
  IndeedConfigSchema,
  type JobPostingInput,
  JobPostingInputSchema,
  type JobPostingRecord,
  JobPostingRecordSchema,
} from "./schemas.js";

/**
 * Jobs per `findEmployerJobsPartner` page the connector asks for (Indeed
 * answers at most 500).
 *
 * @example
 * ```ts
 * await indeedGraphql(http, INDEED_OPERATIONS.findEmployerJobs, { first: INDEED_PAGE_SIZE });
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export const INDEED_PAGE_SIZE = 100;

/**
 * Lifecycle statuses that mean the job is gone from Indeed (expired or
 * closed): such jobs are reported deleted.
 *
 * @example
 * ```ts
 * GONE_LIFECYCLE_STATUSES.has("INACTIVE"); // true
 * ```
 * @see https://docs.indeed.com/api/job/objects/JobPostStatus
 */
export const GONE_LIFECYCLE_STATUSES: ReadonlySet<string> = new Set(["INACTIVE", "EXPIRED"]);

/**
 * The record for an `EmployerJob`: the posting's fields as Indeed holds
 * them, flattened, with `lifecycleStatus` from its first seat.
 *
 * @example
 * ```ts
 * const record = postingRecordOf(EmployerJobSchema.parse(node));
 * ```
 * @see https://docs.indeed.com/api/job/objects/EmployerJobSeat
 */
export function postingRecordOf(job: EmployerJob): JobPostingRecord {
  const d = job.jobData;
  const status = job.seats[0]?.jobPost?.status?.globalStatus;
  const [employmentType] = d.jobTypes ?? [];
  return {
    employerJobId: job.id,
    jobPostingId: d.externalPostingMetadata.jobPostingId,
    title: d.title,
    description: d.description,
    location: {
      country: d.jobLocation.countryCode,
      cityRegionPostal: d.externalPostingMetadata.rawInputLocation,
    },
    employmentType: (employmentType ?? null) as JobPostingRecord["employmentType"],
    salary:
      d.salary == null
        ? null
        : {
            currency: d.salary.currency,
            minimumMinor: d.salary.minimumMinor,
            maximumMinor: d.salary.maximumMinor ?? null,
            period: d.salary.period as NonNullable<JobPostingRecord["salary"]>["period"],
          },
    benefits: d.benefits ?? [],
    url: d.externalJobPageUrl,
    datePublished: d.datePublished,
    indeedApply: status?.isIndeedApplyActive ?? false,
    lifecycleStatus: status?.lifecycleStatus ?? null,
  };
}

function isGone(job: EmployerJob): boolean {
  const status = job.seats[0]?.jobPost?.status?.globalStatus?.lifecycleStatus;
  return typeof status === "string" && GONE_LIFECYCLE_STATUSES.has(status);
}

/**
 * Sync: every job of the employer, 100 per page, with the page cursor as the
 * checkpoint. Expired or closed jobs are reported deleted.
 *
 * @example
 * ```ts
 * for await (const page of syncJobPostings(ctx)) console.log(page.records.length);
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export async function* syncJobPostings(ctx: SyncContext): AsyncGenerator<SyncPage<unknown>> {
  let after = typeof ctx.checkpoint === "string" ? ctx.checkpoint : undefined;
  for (;;) {
    const data = await indeedGraphql(
      ctx.http,
      INDEED_OPERATIONS.findEmployerJobs,
      { first: INDEED_PAGE_SIZE, ...(after !== undefined && { after }) },
      ctx.signal,
    );
    const found = (data.findEmployerJobsPartner ?? {}) as {
      employerJobs?: unknown[];
      pageInfo?: { endCursor?: string | null; hasNextPage?: boolean };
    };
    const records: unknown[] = [];
    const deleted: string[] = [];
    for (const raw of found.employerJobs ?? []) {
      const parsed = EmployerJobSchema.safeParse(raw);
      if (!parsed.success) {
        records.push(raw); // counted as a validation failure by the engine
        continue;
      }
      if (isGone(parsed.data)) deleted.push(parsed.data.id);
      else records.push(postingRecordOf(parsed.data));
    }
    const next = found.pageInfo?.hasNextPage === true ? found.pageInfo.endCursor : undefined;
    if (typeof next !== "string" || next === "") {
      yield { records, deleted };
      return;
    }
    yield { records, deleted, checkpoint: next };
    after = next;
  }
}

/**
 * The current records of some jobs, by employer job id (missing and expired
 * ones omitted), through `nodes`.
 *
 * @example
 * ```ts
 * const [posting] = await readJobPostings(ctx, ["ej-123"]);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export async function readJobPostings(
  ctx: ConnectorContext,
  ids: string[],
): Promise<JobPostingRecord[]> {
  const out: JobPostingRecord[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const data = await indeedGraphql(
      ctx.http,
      INDEED_OPERATIONS.employerJobsByIds,
      { ids: ids.slice(i, i + 100) },
      ctx.signal,
    );
    for (const node of (data.nodes as unknown[] | undefined) ?? []) {
      const parsed = EmployerJobSchema.safeParse(node);
      if (parsed.success && !isGone(parsed.data)) out.push(postingRecordOf(parsed.data));
    }
  }
  return out;
}

/** What the posting input needs from the connection. */
interface PostingContext {
  config: IndeedConfig;
  employerName: string | undefined;
  applyPostUrl: string | undefined;
}

function postingContextOf(ctx: ConnectorContext): PostingContext {
  const config = IndeedConfigSchema.parse(ctx.config ?? {});
  const name = ctx.metadata.employerName;
  const stored = ctx.metadata.applyPostUrl;
  return {
    config,
    employerName: typeof name === "string" && name !== "" ? name : undefined,
    applyPostUrl: config.applyPostUrl ?? (typeof stored === "string" ? stored : undefined),
  };
}

/**
 * The Indeed Apply `postUrl` for an employer: the host's webhook URL with
 * the employer as a query parameter (so the delivery can be routed).
 *
 * @example
 * ```ts
 * applyPostUrlFor("https://app.example.com/webhooks/indeed", "a1b2c3");
 * // "https://app.example.com/webhooks/indeed?employer=a1b2c3"
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingIndeedApplyInput
 */
export function applyPostUrlFor(webhookUrl: string, employerId: string): string {
  const url = new URL(webhookUrl);
  url.searchParams.set(INDEED_APPLY_ROUTE_PARAM, employerId);
  return url.href;
}

/**
 * The `CreateSourcedJobPostingInput` for a validated posting: body,
 * metadata (job source from the config, defaulting to the employer's name)
 * and, with `indeedApply`, the Indeed Apply method with the `postUrl`.
 *
 * @throws TypeError when `indeedApply` is on but no `postUrl` is known.
 * @example
 * ```ts
 * const input = sourcedJobPostingInput(posting, { config, employerName: "Summit Plumbing", applyPostUrl });
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export function sourcedJobPostingInput(
  posting: Required<Pick<JobPostingInput, "jobPostingId" | "datePublished">> & JobPostingInput,
  context: PostingContext,
): Record<string, unknown> {
  const { config } = context;
  const companyName = config.companyName ?? context.employerName;
  const sourceName = config.sourceName ?? companyName;
  if (companyName === undefined || sourceName === undefined) {
    throw new TypeError(
      '"companyName" is unknown: set it (and "sourceName") in the connection config',
    );
  }
  const body: Record<string, unknown> = {
    title: posting.title,
    description: posting.description,
    descriptionFormatting: config.descriptionFormatting,
    location: posting.location,
    benefits: posting.benefits,
    ...(posting.employmentType !== null && { jobTypes: [posting.employmentType] }),
    ...(posting.salary !== null && {
      salary: {
        currency: posting.salary.currency,
        minimumMinor: posting.salary.minimumMinor,
        ...(posting.salary.maximumMinor !== null && { maximumMinor: posting.salary.maximumMinor }),
        period: posting.salary.period,
      },
    }),
  };
  const input: Record<string, unknown> = {
    body,
    metadata: {
      jobSource: { companyName, sourceName, sourceType: config.sourceType },
      jobPostingId: posting.jobPostingId,
      datePublished: posting.datePublished,
      url: posting.url,
    },
  };
  if (posting.indeedApply) {
    if (context.applyPostUrl === undefined) {
      throw new TypeError(
        '"indeedApply" needs a postUrl for applications: set createPatchbay({ webhookBaseUrl }) or "applyPostUrl" in the connection config, or send indeedApply: false',
      );
    }
    input.applyMethod = {
      indeedApply: { postUrl: context.applyPostUrl, jobMeta: posting.jobPostingId },
    };
  }
  return input;
}

function failure(error: unknown): WriteOutcome<JobPostingRecord> {
  if (isPatchbayError(error) && error.retryable) throw error;
  return {
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    ...(isPatchbayError(error) && { retryable: error.retryable }),
  };
}

async function upsert(
  ctx: ConnectorContext,
  change: Extract<WriteChange<unknown>, { op: "create" | "update" }>,
  context: PostingContext,
): Promise<WriteOutcome<JobPostingRecord>> {
  const data = { ...(change.data as Record<string, unknown>) };
  // Read-only fields of a synced record are not part of the input.
  delete data.employerJobId;
  delete data.lifecycleStatus;
  const parsed = JobPostingInputSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, error: `invalid job posting: ${describeIssues(parsed.error)}` };
  }
  const posting = {
    ...parsed.data,
    jobPostingId: parsed.data.jobPostingId ?? change.internalId,
    datePublished: parsed.data.datePublished ?? new Date().toISOString(),
  };
  let input: Record<string, unknown>;
  try {
    input = sourcedJobPostingInput(posting, context);
  } catch (error) {
    return failure(error);
  }
  const { data: result, errors } = await indeedGraphqlRaw(
    ctx.http,
    INDEED_OPERATIONS.createSourcedJobPostings,
    { input: { jobPostings: [input] } },
    ctx.signal,
  );
  const jobsIngest = (result?.jobsIngest ?? {}) as {
    createSourcedJobPostings?: {
      results?: Array<{
        jobPosting?: { sourcedPostingId?: string; employerJobId?: string } | null;
      }>;
    };
  };
  const created = jobsIngest.createSourcedJobPostings?.results?.[0]?.jobPosting;
  if (created == null || errors.length > 0) {
    if (errors.length > 0)
      return failure(indeedGraphqlError(errors, INDEED_OPERATIONS.createSourcedJobPostings.name));
    return { ok: false, error: "Indeed did not accept the job posting (no posting came back)" };
  }
  const externalId = created.employerJobId ?? created.sourcedPostingId;
  if (externalId === undefined) {
    return { ok: false, error: "Indeed returned the posting without an id" };
  }
  // Read the posting back so the stored record is exactly what the next sync sees.
  const [current] = await readJobPostings(ctx, [externalId]);
  return {
    ok: true,
    externalId,
    data:
      current ??
      JobPostingRecordSchema.parse({
        ...posting,
        employerJobId: externalId,
        lifecycleStatus: null,
      }),
  };
}

async function expire(
  ctx: ConnectorContext,
  externalId: string,
): Promise<WriteOutcome<JobPostingRecord>> {
  const { errors } = await indeedGraphqlRaw(
    ctx.http,
    INDEED_OPERATIONS.expireSourcedJobs,
    // Indeed accepts the employer job id where it asks for the sourced posting id.
    { input: { jobs: [{ sourcedPostingId: externalId }] } },
    ctx.signal,
  );
  if (errors.length > 0) {
    const error = indeedGraphqlError(errors, INDEED_OPERATIONS.expireSourcedJobs.name);
    // Already gone at Indeed: the host wanted it gone, so this is done.
    if (error.code === ErrorCode.NOT_FOUND) return { ok: true, externalId };
    return failure(error);
  }
  return { ok: true, externalId };
}

/**
 * Write-back: create and update send the whole posting with
 * `createSourcedJobPostings` (an upsert on `jobPostingId` + `sourceName`),
 * then read it back; delete expires it. Invalid input fails that change with
 * a message naming the fields; nothing is sent for it.
 *
 * @example
 * ```ts
 * await patchbay.write({ tenantId, connectionId, model: "jobPostings", changes: [{ op: "delete", internalId: "job-42" }] });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export async function writeJobPostings(
  ctx: ConnectorContext,
  changes: WriteChange<unknown>[],
): Promise<WriteOutcome<JobPostingRecord>[]> {
  const context = postingContextOf(ctx);
  const outcomes: WriteOutcome<JobPostingRecord>[] = [];
  for (const change of changes) {
    if (change.op === "delete") outcomes.push(await expire(ctx, change.externalId));
    else outcomes.push(await upsert(ctx, change, context));
  }
  return outcomes;
}
