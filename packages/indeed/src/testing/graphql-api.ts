/**
 * The fake's MSW handlers: Indeed's token endpoint with employer-scoped
 * tokens, the app information endpoint, and the GraphQL endpoint answering
 * exactly the operations the connector sends.
 */
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import { z } from "zod";
import {
  INDEED_APPINFO_URL,
  INDEED_EMPLOYER_PARAM,
  INDEED_EMPLOYER_SCOPE,
  INDEED_GRAPHQL_URL,
  INDEED_TOKEN_URL,
} from "../endpoints.js";
import {
  type FakeEmployer,
  type FakePosting,
  type FakePostingInput,
  FakePostingInputSchema,
  renderEmployerJob,
} from "./state.js";

/**
 * One GraphQL request the fake answered.
 *
 * @example
 * ```ts
 * expect(fake.requests.map((r: FakeRequestLogEntry) => r.operationName)).toContain("CreateSourcedJobPostings");
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export interface FakeRequestLogEntry {
  operationName: string;
  variables: Record<string, unknown>;
  status: number;
}

/**
 * What the handlers share with the fake (built by `createIndeedFake`).
 *
 * @example
 * ```ts
 * const handlers = createIndeedApiHandlers(ctx satisfies FakeIndeedContext);
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export interface FakeIndeedContext {
  app: { clientId: string; clientSecret: string };
  employers: Map<string, FakeEmployer>;
  postings: Map<string, FakePosting>;
  oauth: FakeOAuthServer;
  forced: { rateLimited: number };
  retryAfterSeconds: number;
  maxPageSize: number;
  log: FakeRequestLogEntry[];
  tokens: { employerTokens: number };
  now: () => number;
  upsert(employerId: string, clientId: string | null, input: FakePostingInput): FakePosting;
}

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

type GqlError = { message: string; path?: (string | number)[]; extensions: { code: string } };

function gqlError(code: string, message: string, path?: (string | number)[]): GqlError {
  return { message, ...(path !== undefined && { path }), extensions: { code } };
}

function errorsOnly(status: number, errors: GqlError[], headers?: Record<string, string>) {
  return HttpResponse.json({ errors }, { status, ...(headers !== undefined && { headers }) });
}

function zodMessage(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].join(".");
      return `Invalid value at "${path}": ${issue.message}`;
    })
    .join("; ");
}

function parseBasic(header: string | null): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const at = decoded.indexOf(":");
  if (at < 0) return undefined;
  return {
    id: decodeURIComponent(decoded.slice(0, at)),
    secret: decodeURIComponent(decoded.slice(at + 1)),
  };
}

const CreateVariablesSchema = z.object({
  input: z.object({ jobPostings: z.array(z.unknown()).min(1).max(100) }),
});
const ExpireVariablesSchema = z.object({
  input: z.strictObject({
    jobs: z
      .array(z.strictObject({ sourcedPostingId: z.string().min(1) }))
      .min(1)
      .max(100),
  }),
});
const NodesVariablesSchema = z.object({ ids: z.array(z.string().min(1)).min(1).max(100) });

/** The operations the fake answers: operation name → the root field its document must select. */
const OPERATIONS: Record<string, string> = {
  FindEmployerJobsPartner: "findEmployerJobsPartner",
  EmployerJobsByIds: "nodes",
  CreateSourcedJobPostings: "createSourcedJobPostings",
  ExpireSourcedJobsBySourcedPostingId: "expireSourcedJobsBySourcedPostingId",
};

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, "utf8").toString("base64");
}

function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  const match = /^offset:(\d+)$/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * MSW handlers for Indeed's token, app information and GraphQL endpoints
 * over the fake's state.
 *
 * @example
 * ```ts
 * server.use(...createIndeedApiHandlers(ctx));
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export function createIndeedApiHandlers(ctx: FakeIndeedContext): HttpHandler[] {
  function findPosting(employerId: string, id: string): FakePosting | undefined {
    const direct = ctx.postings.get(id);
    if (direct !== undefined) return direct.employerId === employerId ? direct : undefined;
    for (const p of ctx.postings.values()) {
      if (p.sourcedPostingId === id && p.employerId === employerId) return p;
    }
    return undefined;
  }

  function employerPostings(employerId: string): FakePosting[] {
    return [...ctx.postings.values()]
      .filter((p) => p.employerId === employerId && !p.expired)
      .sort((a, b) => a.createdAt - b.createdAt || a.employerJobId.localeCompare(b.employerJobId));
  }

  const operations: Record<
    string,
    (employerId: string, variables: Record<string, unknown>) => Response
  > = {
    FindEmployerJobsPartner(employerId, variables) {
      const first = variables.first;
      if (typeof first !== "number" || !Number.isInteger(first) || first < 1) {
        return errorsOnly(200, [
          gqlError("BAD_USER_INPUT", 'Variable "$first" must be a positive Int'),
        ]);
      }
      if (first > ctx.maxPageSize) {
        return errorsOnly(200, [
          gqlError("BAD_USER_INPUT", `"first" must be at most ${ctx.maxPageSize}`),
        ]);
      }
      let offset = 0;
      if (variables.after !== undefined && variables.after !== null) {
        const decoded =
          typeof variables.after === "string" ? decodeCursor(variables.after) : undefined;
        if (decoded === undefined) {
          return errorsOnly(200, [
            gqlError("BAD_USER_INPUT", 'Variable "$after" is not a cursor this API returned'),
          ]);
        }
        offset = decoded;
      }
      const all = employerPostings(employerId);
      const page = all.slice(offset, offset + first);
      const end = offset + page.length;
      return HttpResponse.json({
        data: {
          findEmployerJobsPartner: {
            employerJobs: page.map(renderEmployerJob),
            pageInfo: {
              endCursor: page.length > 0 ? encodeCursor(end) : null,
              hasNextPage: end < all.length,
            },
          },
        },
      });
    },

    EmployerJobsByIds(employerId, variables) {
      const parsed = NodesVariablesSchema.safeParse(variables);
      if (!parsed.success) {
        return errorsOnly(200, [gqlError("BAD_USER_INPUT", zodMessage(parsed.error, "$ids"))]);
      }
      return HttpResponse.json({
        data: {
          nodes: parsed.data.ids.map((id) => {
            const p = findPosting(employerId, id);
            return p === undefined ? null : renderEmployerJob(p);
          }),
        },
      });
    },

    CreateSourcedJobPostings(employerId, variables) {
      const parsed = CreateVariablesSchema.safeParse(variables);
      if (!parsed.success) {
        return errorsOnly(200, [gqlError("BAD_USER_INPUT", zodMessage(parsed.error, "$input"))]);
      }
      const results: Array<{ jobPosting: Record<string, string> | null }> = [];
      const errors: GqlError[] = [];
      for (const [i, raw] of parsed.data.input.jobPostings.entries()) {
        const posting = FakePostingInputSchema.safeParse(raw);
        if (!posting.success) {
          results.push({ jobPosting: null });
          errors.push(
            gqlError("BAD_USER_INPUT", zodMessage(posting.error, `jobPostings[${i}]`), [
              "jobsIngest",
              "createSourcedJobPostings",
              "results",
              i,
            ]),
          );
          continue;
        }
        const saved = ctx.upsert(employerId, ctx.app.clientId, posting.data);
        results.push({
          jobPosting: {
            sourcedPostingId: saved.sourcedPostingId,
            employerJobId: saved.employerJobId,
          },
        });
      }
      return HttpResponse.json({
        data: { jobsIngest: { createSourcedJobPostings: { results } } },
        ...(errors.length > 0 && { errors }),
      });
    },

    ExpireSourcedJobsBySourcedPostingId(employerId, variables) {
      const parsed = ExpireVariablesSchema.safeParse(variables);
      if (!parsed.success) {
        return errorsOnly(200, [gqlError("BAD_USER_INPUT", zodMessage(parsed.error, "$input"))]);
      }
      const results: Array<{ trackingKey: string } | null> = [];
      const errors: GqlError[] = [];
      for (const [i, job] of parsed.data.input.jobs.entries()) {
        const p = findPosting(employerId, job.sourcedPostingId);
        if (p === undefined || p.clientId === null) {
          results.push(null);
          errors.push(
            gqlError(
              "NOT_FOUND",
              `No job posting with sourcedPostingId "${job.sourcedPostingId}" from this client`,
              ["jobsIngest", "expireSourcedJobsBySourcedPostingId", "results", i],
            ),
          );
          continue;
        }
        p.expired = true;
        p.updatedAt = ctx.now();
        results.push({ trackingKey: `expire-${p.sourcedPostingId}` });
      }
      return HttpResponse.json({
        data: { jobsIngest: { expireSourcedJobsBySourcedPostingId: { results } } },
        ...(errors.length > 0 && { errors }),
      });
    },
  };

  return [
    // Employer-scoped tokens. App tokens (no `employer`) and bad client
    // credentials fall through to the generic OAuth server below.
    http.post(INDEED_TOKEN_URL, async ({ request }) => {
      const form = new URLSearchParams(await request.clone().text());
      const employer =
        new URL(request.url).searchParams.get(INDEED_EMPLOYER_PARAM) ??
        form.get(INDEED_EMPLOYER_PARAM);
      if (employer === null) return undefined;
      const basic = parseBasic(request.headers.get("authorization"));
      const clientId = basic?.id ?? form.get("client_id");
      const secret = basic?.secret ?? form.get("client_secret");
      if (
        form.get("grant_type") !== "client_credentials" ||
        clientId !== ctx.app.clientId ||
        secret !== ctx.app.clientSecret
      ) {
        return undefined;
      }
      const scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
      if (!scopes.includes(INDEED_EMPLOYER_SCOPE)) {
        return HttpResponse.json(
          {
            error: "invalid_scope",
            error_description: `a token for an employer needs scope=${INDEED_EMPLOYER_SCOPE}`,
          },
          { status: 400, headers: NO_STORE },
        );
      }
      if (!ctx.employers.has(employer)) {
        return HttpResponse.json(
          {
            error: "invalid_grant",
            error_description: `the app is not authorized to act for employer "${employer}"`,
          },
          { status: 400, headers: NO_STORE },
        );
      }
      ctx.tokens.employerTokens += 1;
      const issued = ctx.oauth.issueTokens({
        clientId,
        subject: `employer:${employer}`,
        scopes,
      });
      return HttpResponse.json(
        {
          access_token: issued.accessToken,
          token_type: "Bearer",
          expires_in: issued.expiresIn,
          scope: scopes.join(" "),
        },
        { headers: NO_STORE },
      );
    }),
    ...ctx.oauth.handlers,

    http.get(INDEED_APPINFO_URL, ({ request }) => {
      const auth = ctx.oauth.verifyBearer(request);
      if (!auth.valid) {
        return HttpResponse.json(
          { error: "invalid_token", error_description: "the access token is missing or invalid" },
          { status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } },
        );
      }
      if (!auth.scopes.includes(INDEED_EMPLOYER_SCOPE)) {
        return HttpResponse.json(
          { error: "insufficient_scope", error_description: `needs ${INDEED_EMPLOYER_SCOPE}` },
          { status: 403 },
        );
      }
      return HttpResponse.json({
        employers: [...ctx.employers.values()].map((e) => ({ id: e.id, name: e.name })),
      });
    }),

    http.all(INDEED_GRAPHQL_URL, async ({ request }) => {
      if (request.method !== "POST") {
        return errorsOnly(405, [gqlError("METHOD_NOT_ALLOWED", "Use POST for every query")], {
          Allow: "POST",
        });
      }
      const auth = ctx.oauth.verifyBearer(request);
      if (!auth.valid) {
        return errorsOnly(401, [gqlError("UNAUTHENTICATED", `The access token is ${auth.reason}`)]);
      }
      let body: { query?: unknown; operationName?: unknown; variables?: unknown };
      try {
        body = (await request.json()) as typeof body;
      } catch {
        return errorsOnly(400, [gqlError("BAD_REQUEST", "The body must be JSON")]);
      }
      const name = typeof body?.operationName === "string" ? body.operationName : "";
      const variables =
        body?.variables !== null && typeof body?.variables === "object"
          ? (body.variables as Record<string, unknown>)
          : {};
      const log = (status: number) => ctx.log.push({ operationName: name, variables, status });
      if (ctx.forced.rateLimited > 0) {
        ctx.forced.rateLimited -= 1;
        log(429);
        return errorsOnly(429, [gqlError("TOO_MANY_REQUESTS", "Rate limit exceeded")], {
          "Retry-After": String(ctx.retryAfterSeconds),
        });
      }
      const field = OPERATIONS[name];
      const handler = operations[name];
      if (
        field === undefined ||
        handler === undefined ||
        typeof body.query !== "string" ||
        !body.query.includes(field)
      ) {
        log(400);
        return errorsOnly(400, [
          gqlError(
            "GRAPHQL_VALIDATION_FAILED",
            `Unknown operation "${name}" or its document does not select ${field ?? "a known field"}`,
          ),
        ]);
      }
      if (!auth.subject.startsWith("employer:")) {
        log(200);
        return errorsOnly(200, [
          gqlError(
            "FORBIDDEN",
            "The access token does not represent an employer: get one with the employer parameter",
          ),
        ]);
      }
      const employerId = auth.subject.slice("employer:".length);
      if (!ctx.employers.has(employerId)) {
        log(200);
        return errorsOnly(200, [
          gqlError("FORBIDDEN", "You are missing permissions for this action"),
        ]);
      }
      const response = handler(employerId, variables);
      log(response.status);
      return response;
    }),
  ];
}
