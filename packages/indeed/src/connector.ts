import {
  type ConnectorDefinition,
  clientCredentials,
  defineConnector,
  defineModel,
} from "@patchbay/core";
import { employerMetadata, employerOf } from "./employers.js";
import {
  INDEED_DOCS_URL,
  INDEED_EMPLOYER_SCOPE,
  INDEED_GRAPHQL_URL,
  indeedEmployerTokenUrl,
} from "./endpoints.js";
import { parseIndeedError } from "./graphql-client.js";
import { indeedApplyWebhooks, syncApplicants } from "./indeed-apply.js";
import {
  applyPostUrlFor,
  readJobPostings,
  syncJobPostings,
  writeJobPostings,
} from "./job-postings.js";
import {
  IndeedApplicationSchema,
  IndeedConfigSchema,
  IndeedCredentialFieldsSchema,
  JobPostingRecordSchema,
} from "./schemas.js";

/**
 * Options of {@link indeed}: your Indeed partner app's credentials.
 *
 * @example
 * ```ts
 * const options: IndeedOptions = {
 *   clientId: process.env.INDEED_CLIENT_ID!,
 *   clientSecret: process.env.INDEED_CLIENT_SECRET!,
 *   applySecret: process.env.INDEED_APPLY_SECRET,
 * };
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export interface IndeedOptions {
  /** The app's OAuth client ID, from Indeed Partner Console. */
  clientId: string;
  /** The app's OAuth client secret, from Indeed Partner Console. */
  clientSecret: string;
  /**
   * The Indeed Apply API secret that signs application deliveries
   * (`X-Indeed-Signature`). Without it every delivery is rejected.
   */
  applySecret?: string;
}

function checkOptions(options: unknown): IndeedOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object: indeed({ clientId, clientSecret })');
  }
  const o = options as Record<string, unknown>;
  if (typeof o.clientId !== "string" || o.clientId.trim() === "") {
    throw new TypeError(
      '"clientId" must be a non-empty string: your Indeed app\'s client ID from Partner Console',
    );
  }
  if (typeof o.clientSecret !== "string" || o.clientSecret.trim() === "") {
    throw new TypeError(
      '"clientSecret" must be a non-empty string: your Indeed app\'s secret from Partner Console',
    );
  }
  if (o.applySecret !== undefined && (typeof o.applySecret !== "string" || o.applySecret === "")) {
    throw new TypeError(
      '"applySecret" must be a non-empty string: your Indeed Apply API secret, or omit it',
    );
  }
  return {
    clientId: o.clientId.trim(),
    clientSecret: o.clientSecret,
    ...(o.applySecret !== undefined && { applySecret: o.applySecret as string }),
  };
}

/**
 * The Indeed connector: Job Sync postings written from the host and read
 * back with their status, and Indeed Apply applicants delivered to the host.
 *
 * - Auth: OAuth 2.0 client credentials with your partner app's client ID
 *   and secret, one token per employer (`scope=employer_access` plus the
 *   `employer` the user picked from {@link listIndeedEmployers}). Tokens
 *   last an hour and are renewed by core.
 * - Model `jobPostings` (key `employerJobId`): full sync of the employer's
 *   jobs (`findEmployerJobsPartner`) with `lifecycleStatus`; write-back
 *   creates and updates with `createSourcedJobPostings` (an upsert on
 *   `jobPostingId` + `sourceName`) and expires on delete. Input is validated
 *   with zod; errors name the fields.
 * - Model `applicants` (key `id`): Indeed Apply deliveries, verified with
 *   `X-Indeed-Signature` (base64 HMAC-SHA1 with `applySecret`), applied
 *   directly and deduplicated by application id. Not syncable: Indeed has
 *   no list API for them.
 * - Errors: GraphQL `errors[].extensions.code` in 200 answers become typed
 *   errors; 429 is retried after `Retry-After`.
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { indeed, listIndeedEmployers } from "@patchbay/indeed";
 *
 * const patchbay = createPatchbay({
 *   connectors: [indeed({ clientId, clientSecret, applySecret })],
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 *   store, vault,
 * });
 * const [employer] = await listIndeedEmployers({ clientId, clientSecret });
 * const connection = await patchbay.connect.withCredentials({
 *   tenantId: "summit", connector: "indeed", credentials: { employer: employer.id },
 * });
 * await patchbay.write({ tenantId: "summit", connectionId: connection.id, model: "jobPostings", changes: [
 *   { op: "create", internalId: "job-42", data: { title: "Service Plumber", description, location, url, employmentType: "FULL_TIME" } },
 * ] });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export function indeed(options: IndeedOptions): ConnectorDefinition<typeof IndeedConfigSchema> {
  const checked = checkOptions(options);
  return defineConnector({
    id: "indeed",
    name: "Indeed",
    category: "other",
    description:
      "Post and expire jobs on Indeed with Job Sync, track their status, and receive Indeed Apply applicants.",
    docsUrl: INDEED_DOCS_URL,
    auth: clientCredentials({
      // Core sends static token parameters only: the employer rides in the token URL's query.
      tokenUrl: (fields: { employer: string }) => indeedEmployerTokenUrl(fields.employer),
      fields: IndeedCredentialFieldsSchema,
      clientId: checked.clientId,
      clientSecret: checked.clientSecret,
      scopes: [INDEED_EMPLOYER_SCOPE],
      // Indeed's guide sends client_id and client_secret in the form body.
      tokenEndpointAuthMethod: "client_secret_post",
      metadata: employerMetadata,
    }),
    config: IndeedConfigSchema,
    http: {
      baseUrl: INDEED_GRAPHQL_URL,
      // findEmployerJobsPartner allows 5 requests per second; writes allow more.
      rateLimits: [{ requests: 5, intervalMs: 1000, scope: "connection" }],
      // Indeed asks clients to time out after 5 seconds.
      timeoutMs: 5_000,
      parseError: parseIndeedError,
    },
    async test(ctx) {
      await employerOf(ctx.http, String(ctx.metadata.employerId ?? ""));
      return undefined;
    },
    models: {
      jobPostings: defineModel({
        description:
          "Job postings on Indeed with their lifecycle status; write-back creates, updates and expires them.",
        schema: JobPostingRecordSchema,
        key: "employerJobId",
        sync: syncJobPostings,
        read: readJobPostings,
        write: writeJobPostings,
        // Indeed recommends one job per createSourcedJobPostings request.
        writeBatchSize: 1,
      }),
      applicants: defineModel({
        description:
          "Indeed Apply applications (name, email, phone, resume, answers), delivered by Indeed to the webhook.",
        schema: IndeedApplicationSchema,
        key: "id",
        updatedAt: (a) => a.appliedOnMillis,
        sync: syncApplicants,
      }),
    },
    webhooks: indeedApplyWebhooks(checked.applySecret),
    lifecycle: {
      async setup(ctx) {
        const employerId = ctx.metadata.employerId;
        if (ctx.webhookUrl === undefined || typeof employerId !== "string") return undefined;
        return { metadata: { applyPostUrl: applyPostUrlFor(ctx.webhookUrl, employerId) } };
      },
    },
  });
}
