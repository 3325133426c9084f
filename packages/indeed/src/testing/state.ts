/**
 * The fake Indeed's data: employers, Job Sync postings and Indeed Apply
 * applications, with Indeed's input validation (as zod mirrors of the
 * GraphQL input types) and the `EmployerJob` view the queries answer.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * An employer the fake app may act for.
 *
 * @example
 * ```ts
 * createIndeedFake({ employers: [{ id: "0a1b2c3d4e5f6a7b", name: "Peak HVAC" }] });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export interface FakeEmployer {
  id: string;
  name: string;
}

const https = z
  .string()
  .url()
  .refine((u) => {
    const url = new URL(u);
    return (
      url.protocol === "https:" || url.hostname === "localhost" || url.hostname === "127.0.0.1"
    );
  }, "must be an encoded HTTPS URL");

/**
 * `SourcedJobPostingBodyInput`, as far as the fake checks it (unknown fields
 * are refused, as GraphQL refuses them).
 *
 * @example
 * ```ts
 * FakeBodyInputSchema.parse({ title: "Plumber", description: "x".repeat(30), location: { country: "US" }, benefits: [] });
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingBodyInput
 */
export const FakeBodyInputSchema = z.strictObject({
  title: z.string().min(1).max(75),
  subtitle: z.string().optional(),
  description: z.string().min(30).max(65_000),
  descriptionFormatting: z.enum(["TEXT", "RICH_FORMATTING"]).default("TEXT"),
  salary: z
    .strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/),
      minimumMinor: z.number().int().positive(),
      maximumMinor: z.number().int().positive().optional(),
      period: z.enum(["DAY", "HOUR", "MILE", "MONTH", "WEEK", "YEAR", "TASK", "SHIFT"]),
    })
    .optional(),
  location: z.strictObject({
    country: z.string().regex(/^[A-Z]{2}$/),
    cityRegionPostal: z.string().min(1).optional(),
    streetAddress: z.string().min(1).optional(),
  }),
  benefits: z.array(z.string()),
  jobTypes: z.array(z.string()).optional(),
});

/**
 * `SourcedJobPostingMetadataInput`, as far as the fake checks it.
 *
 * @example
 * ```ts
 * FakeMetadataInputSchema.parse({ jobSource, jobPostingId: "job-1", datePublished: "2025-03-01T09:00:00Z", url });
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingJobSourceInput
 */
export const FakeMetadataInputSchema = z.strictObject({
  jobSource: z.strictObject({
    companyName: z.string().min(1),
    companyWebsite: z.string().url().optional(),
    sourceName: z.string().min(1),
    sourceType: z.enum(["Employer", "Job Board", "Staffing Agency"]),
  }),
  jobPostingId: z.string().min(1),
  jobRequisitionId: z.string().optional(),
  datePublished: z.iso.datetime({ offset: true }),
  url: z.string().url(),
});

/**
 * `SourcedJobPostingApplyMethodInput` with Indeed Apply.
 *
 * @example
 * ```ts
 * FakeApplyMethodInputSchema.parse({ indeedApply: { postUrl: "https://app.example.com/webhooks/indeed" } });
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingIndeedApplyInput
 */
export const FakeApplyMethodInputSchema = z.strictObject({
  indeedApply: z.strictObject({
    postUrl: https,
    jobMeta: z.string().optional(),
    phoneRequired: z.enum(["YES", "OPTIONAL", "NO"]).optional(),
    coverLetterRequired: z.enum(["YES", "OPTIONAL", "NO"]).optional(),
    resumeRequired: z.enum(["YES", "OPTIONAL", "NO"]).optional(),
  }),
});

/**
 * `CreateSourcedJobPostingInput`: one posting of a create/upsert.
 *
 * @example
 * ```ts
 * const posting = FakePostingInputSchema.parse(variables.input.jobPostings[0]);
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export const FakePostingInputSchema = z.strictObject({
  body: FakeBodyInputSchema,
  metadata: FakeMetadataInputSchema,
  applyMethod: FakeApplyMethodInputSchema.optional(),
});

/**
 * One validated posting input.
 *
 * @example
 * ```ts
 * const input: FakePostingInput = FakePostingInputSchema.parse(raw);
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export type FakePostingInput = z.infer<typeof FakePostingInputSchema>;

/**
 * Indeed's processing state of a job, as the fake models it (expired jobs read `INACTIVE`).
 *
 * @example
 * ```ts
 * fake.setPostingStatus(id, "ACTIVE" satisfies FakeLifecycleStatus);
 * ```
 * @see https://docs.indeed.com/api/job/objects/JobPostStatus
 */
export type FakeLifecycleStatus = "PENDING" | "ACTIVE" | "INACTIVE";

/**
 * A job posting held by the fake.
 *
 * @example
 * ```ts
 * const posting: Readonly<FakePosting> = fake.posting(employerJobId);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export interface FakePosting {
  /** The `EmployerJob` id (the connector's external id). */
  employerJobId: string;
  /** The UUID `createSourcedJobPostings` returns. */
  sourcedPostingId: string;
  /** The aggregated job key Indeed Apply sends as `job.jobKey` (16 hex). */
  jobKey: string;
  employerId: string;
  /** The OAuth client that submitted it; `null` when posted directly on Indeed. */
  clientId: string | null;
  input: FakePostingInput;
  lifecycleStatus: FakeLifecycleStatus;
  expired: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * The `EmployerJob` view of a posting, with the fields the connector selects.
 *
 * @example
 * ```ts
 * renderEmployerJob(posting).seats[0].jobPost.status.globalStatus.lifecycleStatus; // "PENDING"
 * ```
 * @see https://docs.indeed.com/api/job/objects/EmployerJobSeat
 */
export function renderEmployerJob(p: FakePosting) {
  const { body, metadata, applyMethod } = p.input;
  const location = [body.location.streetAddress, body.location.cityRegionPostal]
    .filter((s) => s !== undefined)
    .join(", ");
  return {
    __typename: "EmployerJob",
    id: p.employerJobId,
    jobData: {
      title: body.title,
      description: body.description,
      jobTypes: body.jobTypes ?? null,
      benefits: body.benefits,
      externalJobPageUrl: metadata.url,
      datePublished: metadata.datePublished,
      company: metadata.jobSource.companyName,
      salary:
        body.salary === undefined
          ? null
          : {
              currency: body.salary.currency,
              minimumMinor: body.salary.minimumMinor,
              maximumMinor: body.salary.maximumMinor ?? null,
              period: body.salary.period,
            },
      jobLocation: { countryCode: body.location.country },
      externalPostingMetadata: {
        jobPostingId: metadata.jobPostingId,
        rawInputLocation: location,
      },
    },
    seats: [
      {
        jobPost: {
          status: {
            globalStatus: {
              lifecycleStatus: p.expired ? "INACTIVE" : p.lifecycleStatus,
              isIndeedApplyActive: !p.expired && applyMethod !== undefined,
            },
          },
        },
      },
    ],
  };
}

/**
 * Deterministic hex ids from a seed and a counter.
 *
 * @example
 * ```ts
 * hexId("employer:ej", 1, 20); // the same 20 hex digits every run
 * ```
 * @see https://nodejs.org/api/crypto.html#cryptocreatehashalgorithm-options
 */
export function hexId(seed: string, n: number, length: number): string {
  return createHash("sha256").update(`${seed}:${n}`).digest("hex").slice(0, length);
}

/**
 * A deterministic UUID (v4 layout) from a seed and a counter.
 *
 * @example
 * ```ts
 * uuidOf("employer:sp", 1); // a stable sourcedPostingId
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9562
 */
export function uuidOf(seed: string, n: number): string {
  const h = hexId(seed, n, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
