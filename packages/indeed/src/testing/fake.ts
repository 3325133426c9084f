import { createHmac } from "node:crypto";
import { createFakeOAuthServer } from "@patchbay/testing";
import type { RequestHandler } from "msw";
import {
  INDEED_APPLY_ROUTE_PARAM,
  INDEED_SIGNATURE_HEADER,
  INDEED_TOKEN_URL,
} from "../endpoints.js";
import type { IndeedApplication } from "../schemas.js";
import {
  createIndeedApiHandlers,
  type FakeIndeedContext,
  type FakeRequestLogEntry,
} from "./graphql-api.js";
import {
  type FakeEmployer,
  type FakeLifecycleStatus,
  type FakePosting,
  type FakePostingInput,
  FakePostingInputSchema,
  hexId,
  renderEmployerJob,
  uuidOf,
} from "./state.js";

/**
 * The sandbox partner app: its OAuth client credentials and the Indeed
 * Apply API secret that signs deliveries. Use them as `indeed({ ... })` in
 * sandbox mode and tests.
 *
 * @example
 * ```ts
 * indeed({ ...INDEED_SANDBOX_APP });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const INDEED_SANDBOX_APP = Object.freeze({
  clientId: "6nwwcdklwgktryjw2sandbox0summit0plumbing0app00000000000000000000",
  clientSecret: "02KKpg6yLXw2v3FKsandbox0secret0000000000000000000000000000000000",
  applySecret: "sandbox-indeed-apply-secret-0000",
});

/**
 * The sandbox employer: a home-service company hiring technicians.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "indeed", credentials: { employer: INDEED_SANDBOX_EMPLOYER.id } });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const INDEED_SANDBOX_EMPLOYER: Readonly<FakeEmployer> = Object.freeze({
  id: "5f2e8c41a9d3b7e6",
  name: "Summit Plumbing",
});

/**
 * Options of {@link createIndeedFake}.
 *
 * @example
 * ```ts
 * const fake = createIndeedFake({ retryAfterSeconds: 0, notify: (r) => patchbay.handleWebhook("indeed", r) });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export interface IndeedFakeOptions {
  /** The fake's clock (epoch ms): token expiry, posting and application times. Default `Date.now`. */
  now?: () => number;
  /** The partner app. Default {@link INDEED_SANDBOX_APP}. */
  app?: { clientId: string; clientSecret: string; applySecret: string };
  /** Employers the app may act for. Default: {@link INDEED_SANDBOX_EMPLOYER} only. */
  employers?: readonly FakeEmployer[];
  /** Redirect URIs registered for the app (only the 3-legged flow uses them). */
  redirectUris?: readonly string[];
  /** `Retry-After` of the rate-limit answer, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** Access token lifetime in seconds. Default 3600, as Indeed's. */
  accessTokenTtlSeconds?: number;
  /** The most jobs one `findEmployerJobsPartner` page may ask for. Default 500. */
  maxPageSize?: number;
  /**
   * Called with each signed Indeed Apply delivery the fake makes, e.g.
   * `(r) => patchbay.handleWebhook("indeed", r)` for a sandbox. Called
   * asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * What a candidate fills in on Indeed's apply form.
 *
 * @example
 * ```ts
 * const applicant: FakeApplicantSpec = {
 *   fullName: "Rosa Diaz", email: "rosa@example.com", phoneNumber: "+1 303 555 0142",
 *   resume: { fileName: "rosa-diaz.pdf", text: "Journeyman plumber, 6 years" },
 *   answers: [{ id: "license", question: "Do you hold a journeyman license?", answer: "yes" }],
 * };
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export interface FakeApplicantSpec {
  fullName: string;
  email: string;
  phoneNumber?: string;
  coverletter?: string;
  /** A resume file; `text` is its content, sent base64-encoded as `data`. */
  resume?: { fileName: string; contentType?: string; text: string };
  answers?: Array<{ id: string; question: string; answer: unknown; type?: string }>;
}

/**
 * A posting as a user-side helper takes it (the fields Indeed shows).
 *
 * @example
 * ```ts
 * fake.createPosting({ title: "Drain Technician", cityRegionPostal: "Aurora, CO 80012" });
 * ```
 * @see https://docs.indeed.com/api/job/objects/CreateSourcedJobPostingInput
 */
export interface FakePostingSpec {
  title: string;
  description?: string;
  cityRegionPostal?: string;
  jobPostingId?: string;
  employmentType?: string;
  salary?: { currency?: string; minimumMinor: number; maximumMinor?: number; period: string };
  benefits?: string[];
  /** Indeed Apply `postUrl`; omit for a posting without Indeed Apply. */
  applyPostUrl?: string;
  lifecycleStatus?: FakeLifecycleStatus;
}

/**
 * The fake Indeed (see {@link createIndeedFake}).
 *
 * @example
 * ```ts
 * let fake: IndeedFake = createIndeedFake();
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export type IndeedFake = ReturnType<typeof createIndeedFake>;

const CONTENT_TYPES: Record<string, string> = {
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  rtf: "application/rtf",
  txt: "text/plain",
};

/**
 * A stateful fake of Indeed's Job Sync API and Indeed Apply, for tests and
 * sandbox mode: client-credentials tokens (one hour), employer-scoped tokens
 * (`scope=employer_access` plus `employer`), the app's employer list, the
 * GraphQL endpoint answering `findEmployerJobsPartner` (cursor pages),
 * `nodes`, `createSourcedJobPostings` (an upsert on `jobPostingId` +
 * `sourceName` + client, validated as Indeed's input types) and
 * `expireSourcedJobsBySourcedPostingId`; GraphQL errors with
 * `extensions.code`; 429 with `Retry-After`; and signed Indeed Apply
 * deliveries to each posting's `postUrl`.
 *
 * @example
 * ```ts
 * const fake = createIndeedFake({ notify: (r) => patchbay.handleWebhook("indeed", r) });
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox();
 * await patchbay.connect.withCredentials({ tenantId, connector: "indeed", credentials: fake.credentials });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export function createIndeedFake(options: IndeedFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const app = options.app ?? INDEED_SANDBOX_APP;
  const employerList = options.employers ?? [INDEED_SANDBOX_EMPLOYER];
  if (employerList.length === 0) throw new TypeError('"employers" must name at least one employer');
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)
    throw new TypeError('"retryAfterSeconds" must be a non-negative integer');

  const oauth = createFakeOAuthServer({
    issuer: "https://secure.indeed.com",
    endpoints: {
      token: INDEED_TOKEN_URL,
      authorization: "https://secure.indeed.com/oauth/v2/authorize",
      userinfo: "https://secure.indeed.com/v2/api/userinfo",
    },
    clients: [
      {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        redirectUris: [...(options.redirectUris ?? [])],
      },
    ],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    issueRefreshTokens: false,
    now,
  });

  let seq = 0;
  let applicationSeq = 0;
  const applications: IndeedApplication[] = [];
  const ctx: FakeIndeedContext = {
    app,
    employers: new Map(employerList.map((e) => [e.id, { ...e }])),
    postings: new Map(),
    oauth,
    forced: { rateLimited: 0 },
    retryAfterSeconds,
    maxPageSize: options.maxPageSize ?? 500,
    log: [],
    tokens: { employerTokens: 0 },
    now,
    upsert(employerId, clientId, input) {
      const existing = [...ctx.postings.values()].find(
        (p) =>
          p.employerId === employerId &&
          p.clientId === clientId &&
          p.input.metadata.jobSource.sourceName === input.metadata.jobSource.sourceName &&
          p.input.metadata.jobPostingId === input.metadata.jobPostingId,
      );
      const at = now();
      if (existing !== undefined) {
        existing.input = input;
        existing.updatedAt = at;
        if (existing.expired) {
          // Reactivation: Indeed reviews the job again.
          existing.expired = false;
          existing.lifecycleStatus = "PENDING";
        }
        return existing;
      }
      seq += 1;
      const posting: FakePosting = {
        employerJobId: `EJ${hexId(`${employerId}:ej`, seq, 20)}`,
        sourcedPostingId: uuidOf(`${employerId}:sp`, seq),
        jobKey: hexId(`${employerId}:jk`, seq, 16),
        employerId,
        clientId,
        input,
        lifecycleStatus: "PENDING",
        expired: false,
        createdAt: at,
        updatedAt: at,
      };
      ctx.postings.set(posting.employerJobId, posting);
      return posting;
    },
  };

  const firstEmployer = employerList[0]!;

  function postingOf(id: string): FakePosting {
    const posting =
      ctx.postings.get(id) ?? [...ctx.postings.values()].find((p) => p.sourcedPostingId === id);
    if (posting === undefined) throw new Error(`fake Indeed: no job posting ${id}`);
    return posting;
  }

  function inputOf(spec: FakePostingSpec, employer: FakeEmployer, n: number): FakePostingInput {
    const slug = spec.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    return FakePostingInputSchema.parse({
      body: {
        title: spec.title,
        description:
          spec.description ??
          `${employer.name} is hiring a ${spec.title}. Join a busy, family-owned home-service team: company van, tools and paid training.`,
        location: { country: "US", cityRegionPostal: spec.cityRegionPostal ?? "Denver, CO 80202" },
        benefits: spec.benefits ?? [],
        ...(spec.employmentType !== undefined && { jobTypes: [spec.employmentType] }),
        ...(spec.salary !== undefined && {
          salary: { currency: "USD", ...spec.salary },
        }),
      },
      metadata: {
        jobSource: {
          companyName: employer.name,
          sourceName: employer.name,
          sourceType: "Employer",
        },
        jobPostingId: spec.jobPostingId ?? `indeed-${n}`,
        datePublished: new Date(now()).toISOString(),
        url: `https://www.${employer.name.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example/careers/${slug}`,
      },
      ...(spec.applyPostUrl !== undefined && {
        applyMethod: { indeedApply: { postUrl: spec.applyPostUrl } },
      }),
    });
  }

  function sign(body: string, secret: string): string {
    return createHmac("sha1", secret).update(body, "utf8").digest("base64");
  }

  function deliveryTo(postUrl: string, application: IndeedApplication, forged: boolean): Request {
    const body = JSON.stringify(application);
    return new Request(postUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        [INDEED_SIGNATURE_HEADER]: sign(
          body,
          forged ? `${app.applySecret}-forged` : app.applySecret,
        ),
      },
      body,
    });
  }

  function dispatch(request: Request): void {
    if (options.notify === undefined) return;
    setTimeout(() => {
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  }

  const api = {
    /** MSW handlers: the token endpoint, app information and the GraphQL API. */
    handlers: createIndeedApiHandlers(ctx) as RequestHandler[],
    /** The fake OAuth server behind the token endpoint (expire or revoke tokens in tests). */
    oauth,
    /** The app the fake knows. */
    app,
    /** What the user chooses in the connect form: the first employer. */
    credentials: { employer: firstEmployer.id },
    /** Every GraphQL request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],
    /** Employer-scoped tokens issued so far. */
    get employerTokensIssued(): number {
      return ctx.tokens.employerTokens;
    },
    /** Every application a candidate submitted, in order. */
    applications: applications as readonly IndeedApplication[],

    /** The next `count` GraphQL requests answer 429 with `Retry-After`. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.rateLimited += count;
    },

    /** The employer's live jobs as `EmployerJob`s (what `findEmployerJobsPartner` lists). */
    employerJobs(employerId = firstEmployer.id) {
      return [...ctx.postings.values()]
        .filter((p) => p.employerId === employerId && !p.expired)
        .map(renderEmployerJob);
    },

    /** One posting's state (by employer job id or sourced posting id). */
    posting(id: string): Readonly<FakePosting> {
      return postingOf(id);
    },

    /** The employer posts a job directly on Indeed (not through the app). Returns its employer job id. */
    createPosting(spec: FakePostingSpec, employerId = firstEmployer.id): string {
      const employer = ctx.employers.get(employerId);
      if (employer === undefined) throw new Error(`fake Indeed: no employer ${employerId}`);
      const posting = ctx.upsert(employerId, null, inputOf(spec, employer, seq + 1));
      posting.lifecycleStatus = spec.lifecycleStatus ?? "ACTIVE";
      return posting.employerJobId;
    },

    /** Indeed finishes (or changes) its review of a job: `PENDING` → `ACTIVE`, for instance. */
    setPostingStatus(id: string, status: FakeLifecycleStatus): void {
      const posting = postingOf(id);
      posting.lifecycleStatus = status;
      posting.updatedAt = now();
    },

    /** The employer edits a job's title in Indeed's employer dashboard. */
    editPostingTitle(id: string, title: string): void {
      const posting = postingOf(id);
      posting.input = { ...posting.input, body: { ...posting.input.body, title } };
      posting.updatedAt = now();
    },

    /** The employer closes a job on Indeed: it expires. */
    closePosting(id: string): void {
      const posting = postingOf(id);
      posting.expired = true;
      posting.updatedAt = now();
    },

    /** The employer removes the app's access: its tokens stop working and new ones are refused. */
    revokeEmployer(employerId = firstEmployer.id): void {
      ctx.employers.delete(employerId);
      oauth.revokeGrant(`employer:${employerId}`);
    },

    /**
     * A candidate applies to a posting with Indeed Apply. The application
     * is kept in `applications` and, with `notify`, delivered signed to the
     * posting's `postUrl` asynchronously. Returns the application as sent.
     */
    applyTo(postingId: string, applicant: FakeApplicantSpec): IndeedApplication {
      const application = api.applicationFor(postingId, applicant);
      applications.push(application);
      dispatch(api.deliveryFor(application));
      return application;
    },

    /** The application payload a candidate's apply would produce (not delivered, not kept). */
    applicationFor(postingId: string, applicant: FakeApplicantSpec): IndeedApplication {
      const posting = postingOf(postingId);
      if (posting.expired) throw new Error(`fake Indeed: job ${postingId} is expired`);
      const indeedApply = posting.input.applyMethod?.indeedApply;
      if (indeedApply === undefined)
        throw new Error(`fake Indeed: job ${postingId} does not use Indeed Apply`);
      if (typeof applicant?.fullName !== "string" || typeof applicant.email !== "string")
        throw new TypeError('"applicant" needs "fullName" and "email"');
      applicationSeq += 1;
      const { body, metadata } = posting.input;
      const [firstName, ...rest] = applicant.fullName.split(" ");
      const extension = applicant.resume?.fileName.split(".").pop()?.toLowerCase() ?? "";
      return {
        id: hexId(`${posting.employerJobId}:apply`, applicationSeq, 64),
        appliedOnMillis: now(),
        locale: "en_US",
        job: {
          jobId: metadata.jobPostingId,
          jobKey: posting.jobKey,
          jobTitle: body.title,
          jobCompany: metadata.jobSource.companyName,
          jobLocation: body.location.cityRegionPostal ?? body.location.country,
          jobUrl: metadata.url,
          ...(indeedApply.jobMeta !== undefined && { jobMeta: indeedApply.jobMeta }),
        },
        applicant: {
          fullName: applicant.fullName,
          ...(firstName !== undefined && { firstName }),
          ...(rest.length > 0 && { lastName: rest.join(" ") }),
          email: applicant.email,
          ...(applicant.phoneNumber !== undefined && { phoneNumber: applicant.phoneNumber }),
          ...(applicant.coverletter !== undefined && { coverletter: applicant.coverletter }),
          verified: true,
          ...(applicant.resume !== undefined && {
            resume: {
              file: {
                contentType:
                  applicant.resume.contentType ?? CONTENT_TYPES[extension] ?? "text/plain",
                data: Buffer.from(applicant.resume.text, "utf8").toString("base64"),
                fileName: applicant.resume.fileName,
              },
            },
          }),
        },
        ...(applicant.answers !== undefined && {
          screenerQuestionsAndAnswers: {
            retrievedOnMillis: now(),
            questionsAndAnswers: applicant.answers.map((a) => ({
              question: { id: a.id, question: a.question, type: a.type ?? "text" },
              answer: a.answer,
            })),
          },
        }),
        analytics: { device: "mobile", sponsored: false },
      };
    },

    /** The signed POST Indeed makes to the posting's `postUrl` for an application (`forged`: signed with the wrong secret). */
    deliveryFor(
      application: IndeedApplication,
      deliverOptions: { forged?: boolean } = {},
    ): Request {
      const posting = [...ctx.postings.values()].find(
        (p) =>
          p.jobKey === application.job.jobKey && p.input.applyMethod?.indeedApply !== undefined,
      );
      if (posting === undefined)
        throw new Error("fake Indeed: the application's job has no Indeed Apply postUrl");
      return deliveryTo(
        posting.input.applyMethod!.indeedApply.postUrl,
        application,
        deliverOptions.forged === true,
      );
    },

    /**
     * An Indeed Apply delivery for a connection (its employer's route), as
     * the contract suite asks for; `forged` signs it with the wrong secret.
     */
    webhook(
      connection: { metadata: Record<string, unknown> },
      webhookOptions: { forged: boolean },
    ): Request {
      const employerId = String(connection.metadata.employerId ?? firstEmployer.id);
      const stored = connection.metadata.applyPostUrl;
      const postUrl =
        typeof stored === "string"
          ? stored
          : `https://app.example.com/integrations/webhooks/indeed?${INDEED_APPLY_ROUTE_PARAM}=${encodeURIComponent(employerId)}`;
      applicationSeq += 1;
      const application: IndeedApplication = {
        id: hexId(`${employerId}:webhook`, applicationSeq, 64),
        appliedOnMillis: now(),
        locale: "en_US",
        job: { jobId: "contract-job", jobTitle: "Service Plumber" },
        applicant: { fullName: "Casey Contract", email: "casey@example.com" },
      };
      return deliveryTo(postUrl, application, webhookOptions.forged);
    },

    /**
     * Demo data for a home-service employer: Summit Plumbing (the first
     * employer) hiring technicians around Denver, one job still in review.
     * With `applyPostUrl`, the jobs take Indeed Apply applications there.
     * Returns the employer job ids.
     */
    seedSandbox(seedOptions: { applyPostUrl?: string } = {}): string[] {
      const jobs: FakePostingSpec[] = [
        {
          title: "Service Plumber",
          jobPostingId: "summit-service-plumber",
          employmentType: "FULL_TIME",
          salary: { minimumMinor: 3200, maximumMinor: 4200, period: "HOUR" },
          benefits: ["Health insurance", "Company van", "Paid training"],
        },
        {
          title: "Apprentice Plumber",
          jobPostingId: "summit-apprentice-plumber",
          employmentType: "FULL_TIME",
          salary: { minimumMinor: 2000, maximumMinor: 2400, period: "HOUR" },
          cityRegionPostal: "Aurora, CO 80012",
        },
        {
          title: "Drain Cleaning Technician",
          jobPostingId: "summit-drain-technician",
          employmentType: "FULL_TIME",
          salary: { minimumMinor: 2600, maximumMinor: 3400, period: "HOUR" },
          cityRegionPostal: "Lakewood, CO 80226",
        },
        {
          title: "Water Heater Install Technician",
          jobPostingId: "summit-water-heater-tech",
          employmentType: "FULL_TIME",
          salary: { minimumMinor: 6500000, maximumMinor: 8000000, period: "YEAR" },
          lifecycleStatus: "PENDING",
        },
        {
          title: "Dispatcher / Customer Service Rep",
          jobPostingId: "summit-dispatcher",
          employmentType: "PART_TIME",
          salary: { minimumMinor: 1900, period: "HOUR" },
          cityRegionPostal: "Denver, CO 80205",
        },
      ];
      const employer = ctx.employers.get(firstEmployer.id) ?? firstEmployer;
      return jobs.map((spec) => {
        const posting = ctx.upsert(employer.id, app.clientId, {
          ...inputOf(
            {
              ...spec,
              ...(seedOptions.applyPostUrl !== undefined && {
                applyPostUrl: seedOptions.applyPostUrl,
              }),
            },
            employer,
            seq + 1,
          ),
        });
        posting.lifecycleStatus = spec.lifecycleStatus ?? "ACTIVE";
        return posting.employerJobId;
      });
    },

    /** Forget every posting, application, request and token. The app and employers stay. */
    reset(): void {
      ctx.postings.clear();
      ctx.log.length = 0;
      applications.length = 0;
      ctx.forced.rateLimited = 0;
      oauth.reset();
    },
  };
  return api;
}
