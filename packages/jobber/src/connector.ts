import {
  type ConnectorDefinition,
  sleep as coreSleep,
  defineConnector,
  defineModel,
  type MetadataHook,
  oauth2,
} from "@patchbay/core";
import { JOBBER_OPERATIONS } from "./documents.js";
import {
  JOBBER_API_ORIGIN,
  JOBBER_DEFAULT_GRAPHQL_VERSION,
  JOBBER_DOCS_URL,
  JOBBER_GRAPHQL_VERSION_HEADER,
  JOBBER_GRAPHQL_VERSION_PATTERN,
  JOBBER_OAUTH,
} from "./endpoints.js";
import {
  JOBBER_RATE_LIMIT_WAIT_MS,
  type JobberGraphqlRuntime,
  jobberErrorParser,
  jobberGraphql,
  readUserErrors,
  type Sleep,
  userErrorsError,
} from "./graphql-client.js";
import {
  DEFAULT_PAGE_SIZE,
  type ModelRuntime,
  syncJobs,
  syncUpdatedAtFiltered,
  writeClients,
} from "./models.js";
import { QueryCostBudget } from "./query-cost.js";
import {
  JobberAccountSchema,
  JobberClientSchema,
  JobberInvoiceSchema,
  JobberJobSchema,
  JobberQuoteSchema,
} from "./schemas.js";
import { jobberWebhooks } from "./webhooks.js";

/**
 * Options of {@link jobber}: the host's Jobber app (Developer Center), and
 * knobs for the API version, page size and waits.
 *
 * @example
 * ```ts
 * const options: JobberOptions = {
 *   clientId: process.env.JOBBER_CLIENT_ID!,
 *   clientSecret: process.env.JOBBER_CLIENT_SECRET!,
 * };
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export interface JobberOptions {
  /** The app's client id. */
  clientId: string;
  /** The app's client secret: authenticates the token requests and signs webhooks. */
  clientSecret: string;
  /** `X-JOBBER-GRAPHQL-VERSION` (`YYYY-MM-DD`). Default {@link JOBBER_DEFAULT_GRAPHQL_VERSION}. */
  graphqlVersion?: string;
  /** Records per page, 1 to 100. Default 50. */
  pageSize?: number;
  /** Run a full sync (which finds deleted records) every N incremental runs. Default 24. */
  fullEvery?: number;
  /** Send PKCE (S256) with the authorization request. Default `true`. */
  pkce?: boolean;
  /** Wait after an HTTP 429 without `Retry-After`, in ms. Default 30 s; lower it only against the fake. */
  rateLimitWaitMs?: number;
  /** `THROTTLED` answers retried per query. Default 5. */
  maxThrottleRetries?: number;
  /** How the connector waits for the cost bucket to refill. Default a real timer; tests inject a fake clock's. */
  sleep?: Sleep;
  /** The clock the cost bucket is tracked with (epoch ms). Default `Date.now`. */
  now?: () => number;
}

function nonNegativeInteger(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`"${name}" must be an integer from ${min} to ${max}`);
  }
}

function checkOptions(options: unknown): JobberOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object: jobber({ clientId, clientSecret })');
  }
  const o = options as Record<string, unknown>;
  for (const name of ["clientId", "clientSecret"] as const) {
    if (typeof o[name] !== "string" || (o[name] as string).trim() === "") {
      throw new TypeError(
        `"${name}" must be a non-empty string: copy it from your app in Jobber's Developer Center`,
      );
    }
  }
  if (
    o.graphqlVersion !== undefined &&
    (typeof o.graphqlVersion !== "string" || !JOBBER_GRAPHQL_VERSION_PATTERN.test(o.graphqlVersion))
  ) {
    throw new TypeError(
      `"graphqlVersion" must be a date version such as "${JOBBER_DEFAULT_GRAPHQL_VERSION}" (YYYY-MM-DD)`,
    );
  }
  nonNegativeInteger(o.pageSize, "pageSize", 1, 100);
  nonNegativeInteger(o.fullEvery, "fullEvery", 1);
  nonNegativeInteger(o.maxThrottleRetries, "maxThrottleRetries", 0, 100);
  if (
    o.rateLimitWaitMs !== undefined &&
    (typeof o.rateLimitWaitMs !== "number" ||
      !Number.isFinite(o.rateLimitWaitMs) ||
      o.rateLimitWaitMs < 0)
  ) {
    throw new TypeError('"rateLimitWaitMs" must be a non-negative number of milliseconds');
  }
  for (const name of ["sleep", "now"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      throw new TypeError(`"${name}" must be a function`);
    }
  }
  if (o.pkce !== undefined && typeof o.pkce !== "boolean") {
    throw new TypeError('"pkce" must be a boolean');
  }
  return options as JobberOptions;
}

/**
 * The Jobber connector: clients, jobs, quotes and invoices from a Jobber
 * account (a home-service business), synced in full and incrementally over
 * GraphQL, with clients written back.
 *
 * - Auth: OAuth 2.0 authorization code (PKCE S256 sent), client secret in
 *   the token request body, refresh tokens rotated on every refresh (core
 *   persists each new one before using it). Scopes are set on the app in
 *   Jobber's Developer Center, not requested here.
 * - After connecting, `account { id name }` becomes the connection's
 *   metadata `accountId` / `accountName` (webhooks are routed by it).
 * - Every request sends `X-JOBBER-GRAPHQL-VERSION`; query costs are tracked
 *   per account and a query waits for the bucket to refill rather than be
 *   throttled; `THROTTLED` answers are retried after the refill time.
 * - Disconnecting calls Jobber's `appDisconnect` mutation (Jobber has no revocation endpoint).
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { jobber } from "@patchbay/jobber";
 *
 * const patchbay = createPatchbay({
 *   connectors: [
 *     jobber({
 *       clientId: process.env.JOBBER_CLIENT_ID!,
 *       clientSecret: process.env.JOBBER_CLIENT_SECRET!,
 *     }),
 *   ],
 *   store, vault,
 * });
 * ```
 * @see https://developer.getjobber.com/docs
 */
export function jobber(options: JobberOptions): ConnectorDefinition {
  const checked = checkOptions(options);
  const version = checked.graphqlVersion ?? JOBBER_DEFAULT_GRAPHQL_VERSION;
  const graphql: JobberGraphqlRuntime = {
    version,
    budget: new QueryCostBudget(checked.now ?? Date.now),
    sleep: checked.sleep ?? coreSleep,
    maxThrottleRetries: checked.maxThrottleRetries ?? 5,
  };
  const runtime: ModelRuntime = { graphql, pageSize: checked.pageSize ?? DEFAULT_PAGE_SIZE };
  const fullEvery = checked.fullEvery ?? 24;

  const learnAccount: MetadataHook = async ({ http }) => {
    const data = await jobberGraphql(
      graphql,
      { http, bucket: `connect:${Math.random()}` },
      JOBBER_OPERATIONS.account,
    );
    const account = JobberAccountSchema.parse(data.account);
    return { accountId: account.id, accountName: account.name };
  };

  const syncFiltered = (root: "clients" | "quotes" | "invoices") =>
    async function* (ctx: Parameters<typeof syncJobs>[1]) {
      yield* syncUpdatedAtFiltered(runtime, ctx, root, JOBBER_OPERATIONS[root]);
    };

  return defineConnector({
    id: "jobber",
    name: "Jobber",
    category: "field-service",
    description:
      "Sync clients, jobs, quotes and invoices from Jobber, and create or update clients in it.",
    docsUrl: JOBBER_DOCS_URL,
    auth: oauth2({
      authorizationUrl: JOBBER_OAUTH.authorizationUrl,
      tokenUrl: JOBBER_OAUTH.tokenUrl,
      clientId: checked.clientId,
      clientSecret: checked.clientSecret,
      // Scopes are chosen on the app in the Developer Center; the authorize URL takes none.
      scopes: [],
      // Not in Jobber's docs, but honoured: an authorization request with a code_challenge
      // yields a code that only redeems with its code_verifier (NangoHQ/nango#6825).
      pkce: checked.pkce ?? true,
      // Jobber's token endpoint reads client_id and client_secret from the form body.
      tokenEndpointAuthMethod: "client_secret_post",
      // Rotation is on by default (and required for the Marketplace): an old refresh token must never be resent.
      refreshTokenRotation: true,
      metadata: learnAccount,
    }),
    http: {
      baseUrl: JOBBER_API_ORIGIN,
      headers: { [JOBBER_GRAPHQL_VERSION_HEADER]: version },
      // The DDoS guard: 2,500 requests per 5 minutes per app and account.
      rateLimits: [{ requests: 2500, intervalMs: 300_000, scope: "connection" }],
      parseError: jobberErrorParser(checked.rateLimitWaitMs ?? JOBBER_RATE_LIMIT_WAIT_MS),
    },
    async test(ctx) {
      const data = await jobberGraphql(
        graphql,
        { http: ctx.http, bucket: ctx.connection.id, signal: ctx.signal },
        JOBBER_OPERATIONS.account,
      );
      JobberAccountSchema.parse(data.account);
      return undefined;
    },
    models: {
      clients: defineModel({
        description: "Clients (customers and leads): names, emails, phones, billing address.",
        schema: JobberClientSchema,
        key: "id",
        updatedAt: (c) => c.updatedAt,
        modes: ["full", "incremental"],
        fullEvery,
        writeBatchSize: 10,
        sync: syncFiltered("clients"),
        write: (ctx, changes) => writeClients(runtime, ctx, changes),
      }),
      jobs: defineModel({
        description: "Jobs: number, title, status, schedule, total and client.",
        schema: JobberJobSchema,
        key: "id",
        updatedAt: (j) => j.updatedAt,
        modes: ["full", "incremental"],
        fullEvery,
        sync: (ctx) => syncJobs(runtime, ctx),
      }),
      quotes: defineModel({
        description: "Quotes: number, title, status, amounts and client.",
        schema: JobberQuoteSchema,
        key: "id",
        updatedAt: (q) => q.updatedAt,
        modes: ["full", "incremental"],
        fullEvery,
        sync: syncFiltered("quotes"),
      }),
      invoices: defineModel({
        description: "Invoices: number, subject, status, dates, amounts, balance and client.",
        schema: JobberInvoiceSchema,
        key: "id",
        updatedAt: (i) => i.updatedAt,
        modes: ["full", "incremental"],
        fullEvery,
        sync: syncFiltered("invoices"),
      }),
    },
    webhooks: jobberWebhooks({ clientSecret: checked.clientSecret }),
    lifecycle: {
      // Jobber has no revocation endpoint: a host-side disconnect must call appDisconnect.
      // (After APP_DISCONNECT core skips teardown: the app is already gone at Jobber.)
      async teardown(ctx) {
        const data = await jobberGraphql(
          graphql,
          { http: ctx.http, bucket: ctx.connection.id, signal: ctx.signal },
          JOBBER_OPERATIONS.appDisconnect,
        );
        const userErrors = readUserErrors(data.appDisconnect);
        if (userErrors.length > 0) throw userErrorsError("appDisconnect", userErrors);
        graphql.budget.forget(ctx.connection.id);
      },
    },
  });
}
