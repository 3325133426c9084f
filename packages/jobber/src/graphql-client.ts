/**
 * How the connector talks GraphQL to Jobber through core's HTTP pipeline:
 * build the request (JSON body, version header), read the answer (`data`,
 * `errors`, `extensions.cost`), wait for the cost bucket before a query
 * that would be throttled, and retry a `THROTTLED` answer after the refill
 * time it implies. HTTP-level faults (401 refresh, 429, 5xx) stay core's.
 */
import {
  type HttpClient,
  type HttpRequest,
  ProviderError,
  type ProviderErrorParser,
  RateLimitError,
} from "@patchbay/core";
import type { JobberOperation } from "./documents.js";
import { JOBBER_GRAPHQL_URL, JOBBER_GRAPHQL_VERSION_HEADER } from "./endpoints.js";
import { type QueryCostBudget, throttledWaitMs } from "./query-cost.js";
import {
  type GraphqlError,
  type GraphqlResponse,
  GraphqlResponseSchema,
  type QueryCost,
  type UserError,
  UserErrorSchema,
} from "./schemas.js";

/**
 * Provider codes the connector puts on its errors (`error.providerCode`).
 *
 * @example
 * ```ts
 * if (error.providerCode === JOBBER_ERROR.USER_ERROR) showFieldErrors(error.cause);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const JOBBER_ERROR = Object.freeze({
  /** The cost bucket did not hold enough points (GraphQL `extensions.code`). */
  THROTTLED: "THROTTLED",
  /** A mutation answered `userErrors`: Jobber refused the input. */
  USER_ERROR: "USER_ERROR",
  /** The query costs more than the bucket can ever hold: it will never run. */
  QUERY_TOO_EXPENSIVE: "QUERY_TOO_EXPENSIVE",
  /** Any other GraphQL error without a code of its own. */
  GRAPHQL_ERROR: "GRAPHQL_ERROR",
});

/**
 * How long to wait after an HTTP 429 (Jobber's DDoS guard: 2,500 requests per
 * 5 minutes per app and account) when the answer has no `Retry-After`.
 *
 * @example
 * ```ts
 * jobber({ clientId, clientSecret, rateLimitWaitMs: JOBBER_RATE_LIMIT_WAIT_MS });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits#ddos-protection-middleware
 */
export const JOBBER_RATE_LIMIT_WAIT_MS = 30_000;

/**
 * Waits `ms` (injectable so tests and the sandbox need not wait for real).
 *
 * @example
 * ```ts
 * const sleep: Sleep = async (ms) => { clock += ms };
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * What every GraphQL call shares within one connector instance.
 *
 * @example
 * ```ts
 * const runtime: JobberGraphqlRuntime = { version: "2025-04-16", budget: new QueryCostBudget(Date.now), sleep, maxThrottleRetries: 5 };
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export interface JobberGraphqlRuntime {
  /** The `X-JOBBER-GRAPHQL-VERSION` to send. */
  version: string;
  budget: QueryCostBudget;
  sleep: Sleep;
  /** `THROTTLED` answers retried per call before giving up with a `RateLimitError`. */
  maxThrottleRetries: number;
}

/**
 * Who a call is made as: an authenticated client, the bucket key (the
 * connection id) and an abort signal.
 *
 * @example
 * ```ts
 * await jobberGraphql(runtime, { http: ctx.http, bucket: ctx.connection.id }, JOBBER_OPERATIONS.account);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export interface JobberCallContext {
  http: HttpClient;
  bucket: string;
  signal?: AbortSignal | undefined;
}

/**
 * The HTTP request for one operation: `POST` JSON to the GraphQL endpoint
 * with the version header. Queries are marked idempotent (safe to retry on
 * a 5xx); mutations are not.
 *
 * @example
 * ```ts
 * await http.request(graphqlRequest(JOBBER_OPERATIONS.account, {}, "2025-04-16"));
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function graphqlRequest(
  operation: JobberOperation,
  variables: Record<string, unknown>,
  version: string,
  signal?: AbortSignal,
): HttpRequest {
  return {
    method: "POST",
    path: JOBBER_GRAPHQL_URL,
    headers: { [JOBBER_GRAPHQL_VERSION_HEADER]: version },
    json: { operationName: operation.name, query: operation.query, variables },
    idempotent: !operation.mutation,
    ...(signal !== undefined && { signal }),
  };
}

/**
 * What {@link readGraphqlResponse} makes of a body.
 *
 * @example
 * ```ts
 * if (outcome.kind === "throttled") await sleep(throttledWaitMs(outcome.cost!));
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export type GraphqlOutcome =
  | { kind: "data"; data: Record<string, unknown>; cost: QueryCost | undefined }
  | { kind: "throttled"; cost: QueryCost | undefined }
  | { kind: "error"; errors: GraphqlError[]; cost: QueryCost | undefined };

/**
 * Classify a GraphQL answer (HTTP 200): data, a `THROTTLED` refusal, or errors.
 *
 * @throws ProviderError when the body is not a GraphQL response.
 * @example
 * ```ts
 * readGraphqlResponse({ errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] }).kind; // "throttled"
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits#response-format
 */
export function readGraphqlResponse(body: unknown): GraphqlOutcome {
  const parsed = GraphqlResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProviderError("Jobber answered with something that is not a GraphQL response", {
      status: 200,
      cause: body,
    });
  }
  const response: GraphqlResponse = parsed.data;
  const cost = response.extensions?.cost;
  const errors = response.errors ?? [];
  if (errors.some((e) => e.extensions?.code === JOBBER_ERROR.THROTTLED)) {
    return { kind: "throttled", cost };
  }
  if (errors.length > 0) return { kind: "error", errors, cost };
  if (response.data === null || response.data === undefined) {
    throw new ProviderError("Jobber answered with neither data nor errors", {
      status: 200,
      cause: body,
    });
  }
  return { kind: "data", data: response.data, cost };
}

function graphqlError(operation: JobberOperation, errors: GraphqlError[]): ProviderError {
  const code = errors.find((e) => e.extensions?.code !== undefined)?.extensions?.code;
  const messages = errors.map((e) => e.message).join("; ");
  return new ProviderError(`Jobber ${operation.name}: ${messages}`, {
    status: 200,
    providerCode: code ?? JOBBER_ERROR.GRAPHQL_ERROR,
    cause: { errors },
    retryable: false,
  });
}

/**
 * Run one operation and return its `data`. Before sending, waits until the
 * account's bucket (as last reported) holds what Jobber said this operation
 * costs; on a `THROTTLED` answer, waits `(requested - available) / restoreRate`
 * seconds and tries again, up to `maxThrottleRetries` times.
 *
 * @throws RateLimitError (`providerCode: "THROTTLED"`, `retryAfterMs`) when still throttled after the retries.
 * @throws ProviderError for GraphQL errors, and (`QUERY_TOO_EXPENSIVE`) for a query above the bucket's maximum.
 * @example
 * ```ts
 * const data = await jobberGraphql(runtime, { http, bucket: connection.id }, JOBBER_OPERATIONS.clients.all, { first: 50 });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export async function jobberGraphql(
  runtime: JobberGraphqlRuntime,
  ctx: JobberCallContext,
  operation: JobberOperation,
  variables: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    const wait = runtime.budget.waitBefore(ctx.bucket, operation.name);
    if (wait > 0) await runtime.sleep(wait, ctx.signal);
    runtime.budget.reserve(ctx.bucket, operation.name);
    const { data: body } = await ctx.http.request(
      graphqlRequest(operation, variables, runtime.version, ctx.signal),
    );
    const outcome = readGraphqlResponse(body);
    if (outcome.cost !== undefined) runtime.budget.record(ctx.bucket, operation.name, outcome.cost);
    if (outcome.kind === "data") return outcome.data;
    if (outcome.kind === "error") throw graphqlError(operation, outcome.errors);

    const cost = outcome.cost;
    if (cost !== undefined && cost.requestedQueryCost > cost.throttleStatus.maximumAvailable) {
      throw new ProviderError(
        `Jobber ${operation.name} costs ${cost.requestedQueryCost} points, more than the ${cost.throttleStatus.maximumAvailable} the account's bucket can hold: ask for fewer records per page`,
        { status: 200, providerCode: JOBBER_ERROR.QUERY_TOO_EXPENSIVE, retryable: false },
      );
    }
    const retryAfterMs = cost === undefined ? 1000 : Math.max(throttledWaitMs(cost), 1);
    if (attempt >= runtime.maxThrottleRetries) {
      throw new RateLimitError(
        `Jobber ${operation.name}: still throttled after ${attempt + 1} attempts (query cost above the points available)`,
        { status: 200, providerCode: JOBBER_ERROR.THROTTLED, retryAfterMs },
      );
    }
    await runtime.sleep(retryAfterMs, ctx.signal);
  }
}

/**
 * The error for a mutation's `userErrors`: a `ProviderError` with
 * `providerCode: "USER_ERROR"` whose message names each field (its `path`)
 * and Jobber's reason; the entries are its `cause`.
 *
 * @example
 * ```ts
 * userErrorsError("clientCreate", [{ message: "Email is invalid", path: ["input", "emails", "0", "address"] }]).message;
 * // 'Jobber refused clientCreate: input.emails.0.address: Email is invalid'
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function userErrorsError(mutation: string, userErrors: UserError[]): ProviderError {
  const parts = userErrors.map((e) =>
    e.path && e.path.length > 0 ? `${e.path.join(".")}: ${e.message}` : e.message,
  );
  return new ProviderError(`Jobber refused ${mutation}: ${parts.join("; ")}`, {
    status: 200,
    providerCode: JOBBER_ERROR.USER_ERROR,
    retryable: false,
    cause: { userErrors },
  });
}

/**
 * A mutation payload's `userErrors`, validated (`[]` when absent).
 *
 * @example
 * ```ts
 * readUserErrors(data.clientCreate); // [{ message, path }]
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function readUserErrors(payload: unknown): UserError[] {
  if (payload === null || typeof payload !== "object") return [];
  const list = (payload as { userErrors?: unknown }).userErrors;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const parsed = UserErrorSchema.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * The connector's `http.parseError` for non-2xx answers: the message from a
 * GraphQL `errors` body, `{ message }` or an OAuth-style `{ error }`; a 429
 * (the DDoS guard) is a rate limit that waits `waitMs` when `Retry-After` is absent.
 *
 * @example
 * ```ts
 * http: { baseUrl: JOBBER_GRAPHQL_URL, parseError: jobberErrorParser() }
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export function jobberErrorParser(waitMs = JOBBER_RATE_LIMIT_WAIT_MS): ProviderErrorParser {
  return (response, body) => {
    let message: string | undefined;
    let code: string | undefined;
    if (body !== null && typeof body === "object") {
      const b = body as Record<string, unknown>;
      const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown>) : undefined;
      if (first && typeof first.message === "string") message = first.message;
      else if (typeof b.message === "string") message = b.message;
      else if (typeof b.error_description === "string") message = b.error_description;
      if (typeof b.error === "string") code = b.error;
      const ext = first?.extensions as Record<string, unknown> | undefined;
      if (ext && typeof ext.code === "string") code = ext.code;
    } else if (typeof body === "string" && body.trim() !== "") {
      message = body.trim();
    }
    const info = {
      ...(message !== undefined && { message }),
      ...(code !== undefined && { code }),
    };
    if (response.status === 429) {
      return { ...info, kind: "rate_limit" as const, retryable: true, retryAfterMs: waitMs };
    }
    return info;
  };
}
