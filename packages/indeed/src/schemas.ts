import { z } from "zod";

// ── Connection config and credentials ─────────────────────────────────────

/**
 * Per-connection settings. Every field is optional: the company and source
 * names default to the employer's name on Indeed.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, connectionId, { sourceName: "Summit Plumbing", companyName: "Summit Plumbing" });
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingJobSourceInput
 */
export const IndeedConfigSchema = z.object({
  sourceName: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Source name: the organization whose jobs are managed together (unique per employer). Default: the employer's name on Indeed.",
    ),
  companyName: z
    .string()
    .min(1)
    .optional()
    .describe("Company name shown on the postings. Default: the employer's name on Indeed."),
  sourceType: z
    .enum(["Employer", "Staffing Agency", "Job Board"])
    .default("Employer")
    .describe("Organization type of the source."),
  descriptionFormatting: z
    .enum(["TEXT", "RICH_FORMATTING"])
    .default("TEXT")
    .describe("How descriptions are written: plain text, or HTML (RICH_FORMATTING)."),
  applyPostUrl: z
    .string()
    .url()
    .optional()
    .describe(
      "Where Indeed Apply POSTs applications. Default: this connector's webhook URL (createPatchbay({ webhookBaseUrl })).",
    ),
});

/**
 * The validated config of an Indeed connection.
 *
 * @example
 * ```ts
 * const config: IndeedConfig = IndeedConfigSchema.parse(connection.config);
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingJobSourceInput
 */
export type IndeedConfig = z.infer<typeof IndeedConfigSchema>;

/**
 * What the user chooses when connecting: the employer the connection acts
 * for, from the app's employer list (see `listIndeedEmployers`).
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "indeed", credentials: { employer: "a1b2c3d4e5f6" } });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const IndeedCredentialFieldsSchema = z.object({
  employer: z
    .string()
    .trim()
    .min(1, "choose an employer from the app's employer list")
    .describe("Indeed employer ID (from the app's employer list)"),
});

/**
 * What the user chooses when connecting.
 *
 * @example
 * ```ts
 * const fields: IndeedCredentialFields = { employer: "5f2e8c41a9d3b7e6" };
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export type IndeedCredentialFields = z.infer<typeof IndeedCredentialFieldsSchema>;

/**
 * The app information answer: the employers the app may act for.
 *
 * @example
 * ```ts
 * const { employers } = AppInfoSchema.parse(await response.json());
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const AppInfoSchema = z.looseObject({
  employers: z.array(z.looseObject({ id: z.string(), name: z.string().optional() })).default([]),
});

/**
 * One employer of the app's employer list.
 *
 * @example
 * ```ts
 * const summit: IndeedEmployer = { id: "5f2e8c41a9d3b7e6", name: "Summit Plumbing" };
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export type IndeedEmployer = { id: string; name: string };

// ── Job postings ──────────────────────────────────────────────────────────

/**
 * Employment types the connector accepts. Sent as the posting body's
 * `jobTypes` (the Job Sync schema's exact field for this is not published
 * openly; see the docs page).
 *
 * @example
 * ```ts
 * EMPLOYMENT_TYPES.includes("FULL_TIME"); // true
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingBodyInput
 */
export const EMPLOYMENT_TYPES = [
  "FULL_TIME",
  "PART_TIME",
  "CONTRACT",
  "TEMPORARY",
  "INTERNSHIP",
] as const;

/**
 * Salary periods. `TASK` is left out: it needs task details the record does
 * not carry.
 *
 * @example
 * ```ts
 * SALARY_PERIODS.includes("HOUR"); // true
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingSalaryInput
 */
export const SALARY_PERIODS = ["HOUR", "DAY", "WEEK", "MONTH", "YEAR", "SHIFT", "MILE"] as const;

/**
 * Structured salary, in minor currency units ($28.50 → 2850).
 *
 * @example
 * ```ts
 * SalarySchema.parse({ currency: "USD", minimumMinor: 2800, maximumMinor: 3600, period: "HOUR" });
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingSalaryInput
 */
export const SalarySchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 currency code such as USD"),
    minimumMinor: z
      .number()
      .int("must be a whole number of minor units (cents)")
      .positive("must be greater than zero"),
    maximumMinor: z
      .number()
      .int("must be a whole number of minor units (cents)")
      .positive("must be greater than zero")
      .nullable()
      .default(null),
    period: z.enum(SALARY_PERIODS, { message: `must be one of ${SALARY_PERIODS.join(", ")}` }),
  })
  .refine((s) => s.maximumMinor === null || s.maximumMinor >= s.minimumMinor, {
    message: "must not be less than minimumMinor",
    path: ["maximumMinor"],
  });

/**
 * Structured salary, in minor currency units.
 *
 * @example
 * ```ts
 * const pay: Salary = { currency: "USD", minimumMinor: 2800, maximumMinor: null, period: "HOUR" };
 * ```
 * @see https://docs.indeed.com/api/job/objects/SourcedJobPostingSalaryInput
 */
export type Salary = z.infer<typeof SalarySchema>;

/**
 * Where the job is: a country and a city, region and postal code.
 *
 * @example
 * ```ts
 * JobLocationSchema.parse({ country: "US", cityRegionPostal: "Denver, CO 80202" });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const JobLocationSchema = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as US"),
  cityRegionPostal: z
    .string()
    .trim()
    .min(1, "must name the city, region and postal code (e.g. Denver, CO 80202)"),
});

const postingFields = {
  jobPostingId: z
    .string()
    .trim()
    .min(1, "must be the job's reference number in your system")
    .max(256, "must be at most 256 characters"),
  title: z
    .string()
    .trim()
    .min(1, "is required")
    .max(75, "must be at most 75 characters (the job title only)"),
  description: z
    .string()
    .trim()
    .min(30, "must be at least 30 characters")
    .max(20_000, "must be at most 20,000 characters"),
  location: JobLocationSchema,
  employmentType: z
    .enum(EMPLOYMENT_TYPES, { message: `must be one of ${EMPLOYMENT_TYPES.join(", ")}` })
    .nullable()
    .default(null),
  salary: SalarySchema.nullable().default(null),
  benefits: z.array(z.string().trim().min(1, "must not be empty")).default([]),
  url: z
    .string()
    .url("must be the absolute URL of the job on your careers site")
    .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  datePublished: z.iso.datetime({
    offset: true,
    message: "must be an ISO 8601 date-time such as 2025-03-01T09:00:00Z",
  }),
  indeedApply: z
    .boolean()
    .default(true)
    .describe("Receive applications through Indeed Apply (delivered to the webhook URL)."),
};

/**
 * A job posting as the host writes it. Validated before anything is sent;
 * errors name the field (`salary.minimumMinor: must be greater than zero`).
 * `jobPostingId` defaults to the host's internal id, `datePublished` to now.
 *
 * @example
 * ```ts
 * JobPostingInputSchema.parse({
 *   title: "Service Plumber", description: "Diagnose and repair residential plumbing...",
 *   location: { country: "US", cityRegionPostal: "Denver, CO 80202" },
 *   employmentType: "FULL_TIME", url: "https://summitplumbing.example/careers/service-plumber",
 *   datePublished: "2025-03-01T09:00:00Z",
 * });
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export const JobPostingInputSchema = z.object({
  ...postingFields,
  jobPostingId: postingFields.jobPostingId.optional(),
  datePublished: postingFields.datePublished.optional(),
});

/**
 * A job posting as the host writes it.
 *
 * @example
 * ```ts
 * const input: JobPostingInput = JobPostingInputSchema.parse(data);
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export type JobPostingInput = z.infer<typeof JobPostingInputSchema>;

/**
 * A job posting as synced: the posting's fields as Indeed holds them, its
 * Indeed ids and its status. `employerJobId` is the external id.
 *
 * @example
 * ```ts
 * const posting: JobPostingRecord = JobPostingRecordSchema.parse(stored.data);
 * if (posting.lifecycleStatus === "ACTIVE") showLive(posting);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const JobPostingRecordSchema = z.object({
  employerJobId: z.string().min(1),
  ...postingFields,
  /** Indeed's processing state of the job (`PENDING`, `ACTIVE`, ...); `null` when Indeed reports none yet. */
  lifecycleStatus: z.string().nullable().default(null),
});

/**
 * A job posting as synced.
 *
 * @example
 * ```ts
 * const posting: JobPostingRecord = JobPostingRecordSchema.parse(stored.data);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export type JobPostingRecord = z.infer<typeof JobPostingRecordSchema>;

// ── GraphQL wire types ────────────────────────────────────────────────────

/**
 * One GraphQL error, as Indeed sends it (codes in `extensions.code`:
 * `UNAUTHENTICATED`, `FORBIDDEN`, `BAD_USER_INPUT`, `NOT_FOUND`,
 * `DOWNSTREAM_SERVICE_ERROR`, `INTERNAL_SERVER_ERROR`).
 *
 * @example
 * ```ts
 * GraphqlErrorSchema.parse({ message: "title is required", extensions: { code: "BAD_USER_INPUT" } });
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export const GraphqlErrorSchema = z.looseObject({
  message: z.string().default("GraphQL error"),
  path: z.array(z.union([z.string(), z.number()])).optional(),
  extensions: z.looseObject({ code: z.string().optional() }).optional(),
});

/**
 * One GraphQL error.
 *
 * @example
 * ```ts
 * const error: GraphqlError = { message: "title is required", extensions: { code: "BAD_USER_INPUT" } };
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export type GraphqlError = z.infer<typeof GraphqlErrorSchema>;

/**
 * A GraphQL answer: `data`, `errors`, or both (a rejected posting comes back
 * as a `null` result with an error).
 *
 * @example
 * ```ts
 * const body = GraphqlResponseSchema.parse(await response.json());
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const GraphqlResponseSchema = z.looseObject({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(GraphqlErrorSchema).optional(),
});

/**
 * A GraphQL answer.
 *
 * @example
 * ```ts
 * const body: GraphqlResponse = GraphqlResponseSchema.parse(json);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export type GraphqlResponse = z.infer<typeof GraphqlResponseSchema>;

/**
 * An `EmployerJob` as the connector's queries select it
 * (`findEmployerJobsPartner`, `nodes`).
 *
 * @example
 * ```ts
 * const job = EmployerJobSchema.parse(node);
 * job.seats[0]?.jobPost?.status?.globalStatus?.lifecycleStatus;
 * ```
 * @see https://docs.indeed.com/api/job/objects/EmployerJobSeat
 */
export const EmployerJobSchema = z.looseObject({
  id: z.string(),
  jobData: z.looseObject({
    title: z.string(),
    description: z.string(),
    jobTypes: z.array(z.string()).nullable().optional(),
    benefits: z.array(z.string()).nullable().optional(),
    externalJobPageUrl: z.string(),
    datePublished: z.string(),
    salary: z
      .looseObject({
        currency: z.string(),
        minimumMinor: z.number(),
        maximumMinor: z.number().nullable().optional(),
        period: z.string(),
      })
      .nullable()
      .optional(),
    jobLocation: z.looseObject({ countryCode: z.string() }),
    externalPostingMetadata: z.looseObject({
      jobPostingId: z.string(),
      rawInputLocation: z.string(),
    }),
  }),
  seats: z
    .array(
      z.looseObject({
        jobPost: z
          .looseObject({
            status: z
              .looseObject({
                globalStatus: z
                  .looseObject({
                    lifecycleStatus: z.string().nullable().optional(),
                    isIndeedApplyActive: z.boolean().optional(),
                  })
                  .nullable()
                  .optional(),
              })
              .nullable()
              .optional(),
          })
          .nullable()
          .optional(),
      }),
    )
    .default([]),
});

/**
 * An `EmployerJob` as the connector selects it.
 *
 * @example
 * ```ts
 * const job: EmployerJob = EmployerJobSchema.parse(node);
 * ```
 * @see https://docs.indeed.com/api/job/objects/EmployerJobSeat
 */
export type EmployerJob = z.infer<typeof EmployerJobSchema>;

// ── Indeed Apply ──────────────────────────────────────────────────────────

/**
 * A resume file: its bytes base64-encoded in `data`.
 *
 * @example
 * ```ts
 * Buffer.from(application.applicant.resume?.file?.data ?? "", "base64");
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export const IndeedApplyResumeFileSchema = z.looseObject({
  contentType: z.string(),
  data: z.string(),
  fileName: z.string(),
});

/**
 * One screener question with the applicant's answer.
 *
 * @example
 * ```ts
 * IndeedApplyQuestionAnswerSchema.parse({ question: { id: "q1", question: "Licensed?", type: "select" }, answer: "yes" });
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export const IndeedApplyQuestionAnswerSchema = z.looseObject({
  question: z.looseObject({
    id: z.string(),
    question: z.string().optional(),
    type: z.string().optional(),
  }),
  answer: z.unknown(),
});

/**
 * The questions an applicant answered: where they came from and the answers.
 *
 * @example
 * ```ts
 * IndeedApplyQuestionsSchema.parse({ questionsAndAnswers: [] });
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export const IndeedApplyQuestionsSchema = z.looseObject({
  url: z.string().optional(),
  retrievedOnMillis: z.number().optional(),
  questionsAndAnswers: z.array(IndeedApplyQuestionAnswerSchema).default([]),
});

/**
 * An Indeed Apply application, as Indeed POSTs it to the job's `postUrl`
 * (the `applicants` record; `id` is the key). Unknown fields are kept.
 *
 * @example
 * ```ts
 * const app = IndeedApplicationSchema.parse(JSON.parse(body));
 * console.log(app.applicant.fullName, app.job.jobId);
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export const IndeedApplicationSchema = z.looseObject({
  id: z.string().min(1),
  appliedOnMillis: z.number().int(),
  locale: z.string().optional(),
  job: z.looseObject({
    jobId: z.string().optional(),
    jobKey: z.string().optional(),
    jobTitle: z.string().optional(),
    jobCompany: z.string().optional(),
    jobLocation: z.string().optional(),
    jobUrl: z.string().optional(),
    jobMeta: z.string().optional(),
  }),
  applicant: z.looseObject({
    fullName: z.string(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string(),
    phoneNumber: z.string().optional(),
    coverletter: z.string().optional(),
    verified: z.boolean().optional(),
    resume: z
      .looseObject({
        file: IndeedApplyResumeFileSchema.optional(),
        text: z.string().optional(),
        html: z.string().optional(),
      })
      .optional(),
  }),
  questions: IndeedApplyQuestionsSchema.optional(),
  screenerQuestionsAndAnswers: IndeedApplyQuestionsSchema.optional(),
  demographicQuestionsAndAnswers: IndeedApplyQuestionsSchema.optional(),
  analytics: z.record(z.string(), z.unknown()).optional(),
});

/**
 * An Indeed Apply application.
 *
 * @example
 * ```ts
 * const app: IndeedApplication = IndeedApplicationSchema.parse(record);
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export type IndeedApplication = z.infer<typeof IndeedApplicationSchema>;

/**
 * `"a.b[0].c: message; ..."` for a failed zod parse: the field paths and
 * what is wrong with each.
 *
 * @example
 * ```ts
 * const parsed = JobPostingInputSchema.safeParse(data);
 * if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
 * ```
 * @see https://zod.dev/error-formatting
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
      return `${path === "" ? "(record)" : path}: ${issue.message}`;
    })
    .join("; ");
}
