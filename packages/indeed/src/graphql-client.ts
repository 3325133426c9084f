/**
 * How the connector talks GraphQL to Indeed through core's HTTP pipeline:
 * the operation documents, the request (POST JSON with `operationName`), and
 * the answer (`errors[].extensions.code` in a 200 body → typed errors).
 * HTTP-level faults (401 → new token, 429 → `Retry-After`, 5xx) stay core's.
 */
import {
  AuthError,
  ErrorCode,
  type HttpClient,
  type HttpRequest,
  NotFoundError,
  type PatchbayError,
  ProviderError,
  type ProviderErrorParser,
} from "@patchbay/core";
import { INDEED_GRAPHQL_URL } from "./endpoints.js";
import { type GraphqlError, type GraphqlResponse, GraphqlResponseSchema } from "./schemas.js";

/**
 * One GraphQL operation the connector sends: its name (sent as
 * `operationName`, which the fake matches on), document and kind.
 *
 * @example
 * ```ts
 * const op: IndeedOperation = INDEED_OPERATIONS.employerJobsByIds;
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export interface IndeedOperation {
  name: string;
  query: string;
  mutation: boolean;
}

const EMPLOYER_JOB_FIELDS = `
  id
  jobData {
    title
    description
    jobTypes
    benefits
    externalJobPageUrl
    datePublished
    salary { currency minimumMinor maximumMinor period }
    jobLocation { countryCode }
    externalPostingMetadata { jobPostingId rawInputLocation }
  }
  seats { jobPost { status { globalStatus { lifecycleStatus isIndeedApplyActive } } } }
`;

/**
 * The operations the connector sends, and nothing else.
 *
 * - `findEmployerJobsPartner`: the employer's jobs, cursor-paginated (sync).
 * - `nodes`: jobs by id (read-back after a write, conflict checks).
 * - `jobsIngest.createSourcedJobPostings`: create, or upsert on the same
 *   `jobPostingId` + `sourceName` (write-back create and update).
 * - `jobsIngest.expireSourcedJobsBySourcedPostingId`: expire (write-back delete).
 *
 * @example
 * ```ts
 * await indeedGraphql(ctx.http, INDEED_OPERATIONS.findEmployerJobs, { first: 100 });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const INDEED_OPERATIONS = Object.freeze({
  findEmployerJobs: {
    name: "FindEmployerJobsPartner",
    mutation: false,
    query: `query FindEmployerJobsPartner($first: Int!, $after: String) {
  findEmployerJobsPartner(first: $first, after: $after) {
    employerJobs {${EMPLOYER_JOB_FIELDS}}
    pageInfo { endCursor hasNextPage }
  }
}`,
  },
  employerJobsByIds: {
    name: "EmployerJobsByIds",
    mutation: false,
    query: `query EmployerJobsByIds($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on EmployerJob {${EMPLOYER_JOB_FIELDS}}
  }
}`,
  },
  createSourcedJobPostings: {
    name: "CreateSourcedJobPostings",
    mutation: true,
    query: `mutation CreateSourcedJobPostings($input: CreateSourcedJobPostingsInput!) {
  jobsIngest {
    createSourcedJobPostings(input: $input) {
      results { jobPosting { sourcedPostingId employerJobId } }
    }
  }
}`,
  },
  expireSourcedJobs: {
    name: "ExpireSourcedJobsBySourcedPostingId",
    mutation: true,
    query: `mutation ExpireSourcedJobsBySourcedPostingId($input: ExpireSourcedJobsBySourcedPostingIdInput!) {
  jobsIngest {
    expireSourcedJobsBySourcedPostingId(input: $input) {
      results { trackingKey }
    }
  }
}`,
  },
} satisfies Record<string, IndeedOperation>);

/**
 * Indeed's GraphQL error codes (`errors[].extensions.code`).
 *
 * @example
 * ```ts
 * if (error.providerCode === INDEED_ERROR_CODES.BAD_USER_INPUT) showFieldErrors(error.message);
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export const INDEED_ERROR_CODES = Object.freeze({
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  DOWNSTREAM_SERVICE_ERROR: "DOWNSTREAM_SERVICE_ERROR",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
});

/**
 * The HTTP request for one operation: POST JSON `{ operationName, query,
 * variables }`. Queries are idempotent (retried on a 5xx); mutations are
 * not (retried only on 429, when nothing was applied). Indeed recommends a
 * 5-second client timeout.
 *
 * @example
 * ```ts
 * await http.request(indeedGraphqlRequest(INDEED_OPERATIONS.findEmployerJobs, { first: 100 }));
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export function indeedGraphqlRequest(
  operation: IndeedOperation,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): HttpRequest {
  return {
    method: "POST",
    path: INDEED_GRAPHQL_URL,
    json: { operationName: operation.name, query: operation.query, variables },
    idempotent: !operation.mutation,
    ...(signal !== undefined && { signal }),
  };
}

/**
 * A GraphQL error as the matching Patchbay error: `UNAUTHENTICATED` →
 * `AuthError`, `NOT_FOUND` → `NotFoundError`, `FORBIDDEN` and
 * `BAD_USER_INPUT` → non-retryable `ProviderError` (403, 400), downstream
 * and internal errors → retryable `ProviderError` (502, 500). The Indeed
 * code is `providerCode`; the messages are joined into the message.
 *
 * @example
 * ```ts
 * throw indeedGraphqlError(body.errors!, "CreateSourcedJobPostings");
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export function indeedGraphqlError(errors: GraphqlError[], operation: string): PatchbayError {
  const code = errors.find((e) => e.extensions?.code !== undefined)?.extensions?.code;
  const detail = errors.map((e) => e.message).join("; ");
  const message = `Indeed ${operation}: ${detail}${code === undefined ? "" : ` (${code})`}`;
  const options = { providerCode: code, cause: { errors } };
  switch (code) {
    case INDEED_ERROR_CODES.UNAUTHENTICATED:
      return new AuthError(ErrorCode.AUTH_UNAUTHORIZED, message, { ...options, status: 401 });
    case INDEED_ERROR_CODES.NOT_FOUND:
      return new NotFoundError(message, options);
    case INDEED_ERROR_CODES.FORBIDDEN:
      return new ProviderError(message, { ...options, status: 403 });
    case INDEED_ERROR_CODES.BAD_USER_INPUT:
      return new ProviderError(message, { ...options, status: 400 });
    case INDEED_ERROR_CODES.DOWNSTREAM_SERVICE_ERROR:
      return new ProviderError(message, { ...options, status: 502, retryable: true });
    case INDEED_ERROR_CODES.INTERNAL_SERVER_ERROR:
      return new ProviderError(message, { ...options, status: 500, retryable: true });
    default:
      return new ProviderError(message, { ...options, status: 200 });
  }
}

/**
 * Read a GraphQL body. Returns `data` and `errors` as sent (a mutation can
 * answer both: rejected postings are `null` results with an error).
 *
 * @throws ProviderError when the body is not a GraphQL response.
 * @example
 * ```ts
 * const { data, errors } = readIndeedGraphql(await response.json(), "EmployerJobsByIds");
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export function readIndeedGraphql(
  body: unknown,
  operation: string,
): { data: Record<string, unknown> | null; errors: GraphqlError[] } {
  const parsed = GraphqlResponseSchema.safeParse(body);
  if (!parsed.success || (parsed.data.data == null && parsed.data.errors === undefined)) {
    throw new ProviderError(`Indeed ${operation}: the answer is not a GraphQL response`, {
      status: 200,
      cause: body,
    });
  }
  const response: GraphqlResponse = parsed.data;
  return { data: response.data ?? null, errors: response.errors ?? [] };
}

/**
 * Send one operation and return its `data`. Any GraphQL error in the answer
 * is thrown as a typed error (see {@link indeedGraphqlError}); use
 * {@link indeedGraphqlRaw} when partial results matter.
 *
 * @example
 * ```ts
 * const data = await indeedGraphql(ctx.http, INDEED_OPERATIONS.employerJobsByIds, { ids });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export async function indeedGraphql(
  http: HttpClient,
  operation: IndeedOperation,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const { data, errors } = await indeedGraphqlRaw(http, operation, variables, signal);
  if (errors.length > 0) throw indeedGraphqlError(errors, operation.name);
  return data ?? {};
}

/**
 * Send one operation and return `data` and `errors` as they came.
 *
 * @example
 * ```ts
 * const { data, errors } = await indeedGraphqlRaw(ctx.http, INDEED_OPERATIONS.createSourcedJobPostings, { input });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export async function indeedGraphqlRaw(
  http: HttpClient,
  operation: IndeedOperation,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<{ data: Record<string, unknown> | null; errors: GraphqlError[] }> {
  const response = await http.request(indeedGraphqlRequest(operation, variables, signal));
  return readIndeedGraphql(response.data, operation.name);
}

/**
 * Core's error parser for Indeed's non-2xx answers: the GraphQL `errors`
 * message and code; `UNAUTHENTICATED` is an auth failure (core gets a new
 * token once), a token-endpoint style `{ error, error_description }` too.
 *
 * @example
 * ```ts
 * defineConnector({ http: { baseUrl: INDEED_GRAPHQL_URL, parseError: parseIndeedError }, ... });
 * ```
 * @see https://docs.indeed.com/job-update-api/job-update-api-guide
 */
export const parseIndeedError: ProviderErrorParser = (_response, body) => {
  const parsed = GraphqlResponseSchema.safeParse(body);
  if (parsed.success && parsed.data.errors !== undefined && parsed.data.errors.length > 0) {
    const [first] = parsed.data.errors;
    const code = first?.extensions?.code;
    return {
      message: parsed.data.errors.map((e) => e.message).join("; "),
      code,
      ...(code === INDEED_ERROR_CODES.UNAUTHENTICATED && { kind: "auth" as const }),
      ...(code === INDEED_ERROR_CODES.NOT_FOUND && { kind: "not_found" as const }),
    };
  }
  if (body !== null && typeof body === "object" && "error" in body) {
    const b = body as { error?: unknown; error_description?: unknown };
    return {
      code: typeof b.error === "string" ? b.error : undefined,
      message: typeof b.error_description === "string" ? b.error_description : undefined,
    };
  }
  return undefined;
};
