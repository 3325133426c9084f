/**
 * The four synced models and the client write-back. Lists are Relay
 * connections read `first` records at a time, following
 * `pageInfo.endCursor` while `hasNextPage`. Incremental runs ask for records
 * updated after the previous run's newest `updatedAt` (less one second, as
 * Jobber's timestamps have one-second precision); jobs, which Jobber cannot
 * filter by `updatedAt`, are read newest-updated first until an older one.
 * Deletes are never listed: a full run (every `fullEvery` runs) finds them
 * by absence, and `*_DESTROY` webhooks report them at once.
 */
import {
  type ConnectorContext,
  isPatchbayError,
  type Json,
  type SyncContext,
  type SyncPage,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { JOBBER_OPERATIONS, type JobberOperation } from "./documents.js";
import {
  type JobberGraphqlRuntime,
  jobberGraphql,
  readUserErrors,
  userErrorsError,
} from "./graphql-client.js";
import {
  type ConnectionPage,
  ConnectionPageSchema,
  type JobberClient,
  JobberClientSchema,
} from "./schemas.js";

/**
 * How far before the cursor an incremental run starts: Jobber's timestamps
 * have one-second precision and its `after` filter is strict, so an edit in
 * the same second as the cursor would otherwise be missed.
 *
 * @example
 * ```ts
 * new Date(Date.parse(cursor) - UPDATED_AT_OVERLAP_MS).toISOString();
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const UPDATED_AT_OVERLAP_MS = 1000;

/**
 * Records per page by default: 50 clients cost about 1,500 of the 10,000 points.
 *
 * @example
 * ```ts
 * jobber({ clientId, clientSecret, pageSize: DEFAULT_PAGE_SIZE });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits#connection-fields
 */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The models' incremental cursor: the newest `updatedAt` seen so far.
 *
 * @example
 * ```ts
 * const cursor: JobberSyncCursor = { updatedAfter: "2025-05-01T12:00:00Z" };
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface JobberSyncCursor {
  updatedAfter: string;
}

interface Checkpoint {
  after: string;
  since: string | null;
  newest: string | null;
}

/**
 * What a model's sync needs besides core's context.
 *
 * @example
 * ```ts
 * const runtime: ModelRuntime = { graphql, pageSize: 50 };
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface ModelRuntime {
  graphql: JobberGraphqlRuntime;
  pageSize: number;
}

function readCursor(value: Json | null): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const at = (value as Record<string, Json>).updatedAfter;
  return typeof at === "string" && !Number.isNaN(Date.parse(at)) ? at : null;
}

function readCheckpoint(value: Json | null): Checkpoint | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const c = value as Record<string, Json>;
  if (typeof c.after !== "string") return null;
  return {
    after: c.after,
    since: typeof c.since === "string" ? c.since : null,
    newest: typeof c.newest === "string" ? c.newest : null,
  };
}

function newer(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function updatedAtOf(node: unknown): string | null {
  const value = (node as { updatedAt?: unknown } | null)?.updatedAt;
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : null;
}

function startOf(since: string): string {
  return new Date(Date.parse(since) - UPDATED_AT_OVERLAP_MS).toISOString();
}

async function fetchPage(
  runtime: ModelRuntime,
  ctx: SyncContext<unknown>,
  root: string,
  operation: JobberOperation,
  variables: Record<string, unknown>,
): Promise<ConnectionPage> {
  const data = await jobberGraphql(
    runtime.graphql,
    { http: ctx.http, bucket: ctx.connection.id, signal: ctx.signal },
    operation,
    { first: runtime.pageSize, ...variables },
  );
  return ConnectionPageSchema.parse(data[root]);
}

/**
 * Sync a connection that Jobber filters by `updatedAt` (clients, quotes,
 * invoices): every record in a full run, those updated since the cursor in
 * an incremental one. Checkpoints after each page; the last page carries the
 * next cursor.
 *
 * @example
 * ```ts
 * async *sync(ctx) { yield* syncUpdatedAtFiltered(runtime, ctx, "clients", JOBBER_OPERATIONS.clients) }
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits#avoiding-rate-limits
 */
export async function* syncUpdatedAtFiltered(
  runtime: ModelRuntime,
  ctx: SyncContext<unknown>,
  root: string,
  operations: { all: JobberOperation; updatedAfter: JobberOperation },
): AsyncGenerator<SyncPage<unknown>> {
  const resumed = readCheckpoint(ctx.checkpoint);
  const previous = readCursor(ctx.cursor);
  const since = resumed ? resumed.since : ctx.mode === "incremental" ? previous : null;
  let after: string | null = resumed?.after ?? null;
  let newest: string | null = newer(previous, resumed?.newest ?? null);
  for (;;) {
    const page = await fetchPage(
      runtime,
      ctx,
      root,
      since === null ? operations.all : operations.updatedAfter,
      { after, ...(since !== null && { updatedAfter: startOf(since) }) },
    );
    for (const node of page.nodes) newest = newer(newest, updatedAtOf(node));
    const more = page.pageInfo.hasNextPage && page.pageInfo.endCursor !== null;
    if (!more) {
      yield { records: page.nodes, ...(newest !== null && { cursor: { updatedAfter: newest } }) };
      return;
    }
    after = page.pageInfo.endCursor;
    yield { records: page.nodes, checkpoint: { after, since, newest } };
  }
}

/**
 * Sync jobs. Full runs read every job; incremental runs read jobs sorted by
 * `UPDATED_AT` descending and stop at the first one not updated since the
 * cursor (Jobber's job filter has no `updatedAt`).
 *
 * @example
 * ```ts
 * async *sync(ctx) { yield* syncJobs(runtime, ctx) }
 * ```
 * @see https://developer.getjobber.com/docs
 */
export async function* syncJobs(
  runtime: ModelRuntime,
  ctx: SyncContext<unknown>,
): AsyncGenerator<SyncPage<unknown>> {
  const previous = readCursor(ctx.cursor);
  if (ctx.mode !== "incremental" || previous === null) {
    yield* syncUpdatedAtFiltered(runtime, ctx, "jobs", {
      all: JOBBER_OPERATIONS.jobs.all,
      updatedAfter: JOBBER_OPERATIONS.jobs.all,
    });
    return;
  }
  // Newest first: a restart re-reads from the top, so no mid-run checkpoint.
  const threshold = Date.parse(startOf(previous));
  let newest: string | null = previous;
  let after: string | null = null;
  for (;;) {
    const page = await fetchPage(runtime, ctx, "jobs", JOBBER_OPERATIONS.jobs.recentlyUpdated, {
      after,
    });
    const fresh = page.nodes.filter((node) => {
      const at = updatedAtOf(node);
      return at !== null && Date.parse(at) > threshold;
    });
    for (const node of fresh) newest = newer(newest, updatedAtOf(node));
    const reachedOlder = fresh.length < page.nodes.length;
    const more = page.pageInfo.hasNextPage && page.pageInfo.endCursor !== null && !reachedOlder;
    if (!more) {
      yield { records: fresh, ...(newest !== null && { cursor: { updatedAfter: newest } }) };
      return;
    }
    after = page.pageInfo.endCursor;
    yield { records: fresh };
  }
}

function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}

function addressInput(address: unknown): Record<string, unknown> | undefined {
  if (address === null || typeof address !== "object") return undefined;
  const a = address as Record<string, unknown>;
  const out = compact({
    street1: a.street1,
    street2: a.street2,
    city: a.city,
    province: a.province,
    postalCode: a.postalCode,
    country: a.country,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The `ClientCreateInput` for a client record (Jobber field names): names,
 * company, emails and phones (description `MAIN` unless given), billing address.
 *
 * @example
 * ```ts
 * clientCreateInput({ firstName: "Ana", emails: [{ address: "ana@example.com", primary: true }] });
 * // { firstName: "Ana", emails: [{ description: "MAIN", primary: true, address: "ana@example.com" }] }
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function clientCreateInput(data: Partial<JobberClient>): Record<string, unknown> {
  const list = <T>(value: unknown): T[] | undefined => (Array.isArray(value) ? value : undefined);
  const emails = list<Record<string, unknown>>(data.emails)?.map((e) => ({
    description: e.description ?? "MAIN",
    primary: e.primary === true,
    address: e.address,
  }));
  const phones = list<Record<string, unknown>>(data.phones)?.map((p) => ({
    description: p.description ?? "MAIN",
    primary: p.primary === true,
    number: p.number,
  }));
  return compact({
    firstName: data.firstName,
    lastName: data.lastName,
    companyName: data.companyName,
    emails,
    phones,
    billingAddress: addressInput(data.billingAddress),
  });
}

/**
 * The `ClientEditInput` for an updated client: names, company and billing
 * address. Emails and phones are not edited (see the docs page's quirks).
 *
 * @example
 * ```ts
 * clientEditInput({ firstName: "Ana", lastName: "Silva" }); // { firstName: "Ana", lastName: "Silva" }
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export function clientEditInput(data: Partial<JobberClient>): Record<string, unknown> {
  return compact({
    firstName: data.firstName,
    lastName: data.lastName,
    companyName: data.companyName,
    billingAddress: addressInput(data.billingAddress),
  });
}

async function writeClient(
  runtime: ModelRuntime,
  ctx: ConnectorContext<unknown>,
  change: WriteChange<JobberClient>,
): Promise<WriteOutcome<JobberClient>> {
  if (change.op === "delete") {
    return {
      ok: false,
      error:
        "Jobber's API cannot delete clients: archive or delete the client in Jobber, and the next full sync removes it",
      retryable: false,
    };
  }
  const call = { http: ctx.http, bucket: ctx.connection.id, signal: ctx.signal };
  const [operation, root, variables] =
    change.op === "create"
      ? ([
          JOBBER_OPERATIONS.clientCreate,
          "clientCreate",
          { input: clientCreateInput(change.data) },
        ] as const)
      : ([
          JOBBER_OPERATIONS.clientEdit,
          "clientEdit",
          { clientId: change.externalId, input: clientEditInput(change.data) },
        ] as const);
  try {
    const data = await jobberGraphql(runtime.graphql, call, operation, variables);
    const payload = data[root];
    const userErrors = readUserErrors(payload);
    if (userErrors.length > 0) {
      return { ok: false, error: userErrorsError(root, userErrors).message, retryable: false };
    }
    const client = JobberClientSchema.parse((payload as { client?: unknown }).client);
    return { ok: true, externalId: client.id, data: client };
  } catch (error) {
    if (!isPatchbayError(error)) throw error;
    return { ok: false, error: error.message, retryable: error.retryable };
  }
}

/**
 * Apply host changes to clients, one mutation each: `clientCreate`,
 * `clientEdit`; deletes are refused (Jobber's API has no client delete).
 * `userErrors` become failed outcomes naming the field.
 *
 * @example
 * ```ts
 * write: (ctx, changes) => writeClients(runtime, ctx, changes)
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export async function writeClients(
  runtime: ModelRuntime,
  ctx: ConnectorContext<unknown>,
  changes: WriteChange<JobberClient>[],
): Promise<WriteOutcome<JobberClient>[]> {
  const outcomes: WriteOutcome<JobberClient>[] = [];
  for (const change of changes) outcomes.push(await writeClient(runtime, ctx, change));
  return outcomes;
}
