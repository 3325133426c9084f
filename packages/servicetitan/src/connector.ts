import {
  type ConnectorDefinition,
  clientCredentials,
  defineAction,
  defineConnector,
  defineModel,
} from "@patchbay/core";
import { z } from "zod";
import { apiBaseUrlOf, tenantOf } from "./connection-metadata.js";
import { customerRecordOf, postCustomer, writeCustomers } from "./customer-write.js";
import {
  APP_KEY_HEADER,
  SERVICETITAN_DOCS_URL,
  SERVICETITAN_PATHS,
  type ServiceTitanEnvironment,
  servicetitanTokenUrl,
} from "./endpoints.js";
import { syncExportFeed } from "./export-feed.js";
import { bookJob, writeJobs } from "./job-booking.js";
import { listAll, listPage, syncListFeed } from "./list-feed.js";
import { parseServiceTitanError } from "./problem.js";
import { serviceTitanRateLimit } from "./rate-limit.js";
import {
  BookingOptionSchema,
  CustomerCreateInputSchema,
  CustomerRecordSchema,
  InvoiceRecordSchema,
  JobBookingInputSchema,
  JobRecordSchema,
  JobTypeRecordSchema,
  LocationSchema,
  ServiceTitanConfigSchema,
  serviceTitanCredentialFields,
  TechnicianRecordSchema,
} from "./schemas.js";

/**
 * Options of {@link serviceTitan}.
 *
 * @example
 * ```ts
 * const options: ServiceTitanOptions = { appKey: process.env.SERVICETITAN_APP_KEY!, environment: "integration" };
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export interface ServiceTitanOptions {
  /**
   * Your app's key (`ST-App-Key`), from the ServiceTitan developer portal.
   * It identifies your app, is the same for every tenant and works in both
   * environments. Each customer installs your app in their ServiceTitan
   * account and types the client ID and secret it generates into the
   * connect form.
   */
  appKey: string;
  /**
   * The environment the credential form offers by default: `"production"`
   * (the default) or `"integration"` (ServiceTitan's sandbox). Users can pick
   * the other one in the form.
   */
  environment?: ServiceTitanEnvironment;
  /**
   * Run a full sync of `jobTypes` every N incremental runs, to catch job
   * types removed outright (the export-backed models see deletions in every
   * run). Default 24.
   */
  fullEvery?: number;
}

function checkOptions(options: unknown): Required<Omit<ServiceTitanOptions, "fullEvery">> & {
  fullEvery: number;
} {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object: serviceTitan({ appKey })');
  }
  const o = options as Record<string, unknown>;
  if (typeof o.appKey !== "string" || o.appKey.trim() === "") {
    throw new TypeError(
      '"appKey" must be a non-empty string: your app\'s ST-App-Key from the ServiceTitan developer portal',
    );
  }
  if (
    o.environment !== undefined &&
    o.environment !== "production" &&
    o.environment !== "integration"
  ) {
    throw new TypeError(
      `"environment" must be "production" or "integration", got ${JSON.stringify(o.environment)}`,
    );
  }
  if (
    o.fullEvery !== undefined &&
    (!Number.isInteger(o.fullEvery) || (o.fullEvery as number) < 1)
  ) {
    throw new TypeError('"fullEvery" must be a positive integer');
  }
  return {
    appKey: o.appKey.trim(),
    environment: (o.environment as ServiceTitanEnvironment | undefined) ?? "production",
    fullEvery: (o.fullEvery as number | undefined) ?? 24,
  };
}

const customerGone = (row: Record<string, unknown>) =>
  row.active === false || (typeof row.mergedToId === "number" && row.mergedToId !== row.id);

/**
 * The ServiceTitan connector: customers, jobs, invoices and technicians from
 * ServiceTitan's export feeds, job types from their list, and write-back that
 * creates customers and books jobs.
 *
 * - Auth: OAuth 2.0 client credentials per tenant. The user types the client
 *   ID and secret ServiceTitan generated for your app in their account, their
 *   tenant ID and the environment; your `appKey` goes on every call as
 *   `ST-App-Key`. Tokens last 15 minutes and are renewed by core.
 * - Models `customers`, `jobs`, `invoices`, `technicians`: full and
 *   incremental, the export `continueFrom` token as the cursor, inactive or
 *   deleted rows as deletes. `jobTypes`: `modifiedOnOrAfter` lists.
 * - Write-back: `customers` creates and updates; `jobs` books new jobs.
 * - Actions: `createCustomer`, `bookJob`, `listBookingOptions`.
 * - 60 requests per second per app key and tenant; 429 answers are retried
 *   after their `Retry-After`.
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { serviceTitan } from "@patchbay/servicetitan";
 *
 * const patchbay = createPatchbay({
 *   connectors: [serviceTitan({ appKey: process.env.SERVICETITAN_APP_KEY! })],
 *   store, vault,
 * });
 * await patchbay.connect.withCredentials({
 *   tenantId: "acme",
 *   connector: "servicetitan",
 *   credentials: { clientId, clientSecret, tenantId: "1011756844", environment: "production" },
 * });
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export function serviceTitan(
  options: ServiceTitanOptions,
): ConnectorDefinition<typeof ServiceTitanConfigSchema> {
  const checked = checkOptions(options);
  const fields = serviceTitanCredentialFields(checked.environment);
  const appKey = checked.appKey;

  return defineConnector({
    id: "servicetitan",
    name: "ServiceTitan",
    category: "field-service",
    description:
      "Sync ServiceTitan customers, jobs, invoices, technicians and job types; create customers and book jobs.",
    docsUrl: SERVICETITAN_DOCS_URL,
    auth: clientCredentials({
      tokenUrl: (form: z.infer<typeof fields>) => servicetitanTokenUrl(form.environment),
      fields,
      // ServiceTitan's token endpoint reads client_id and client_secret from the form body.
      tokenEndpointAuthMethod: "client_secret_post",
      apply: (_form, request) => {
        request.headers.set(APP_KEY_HEADER, appKey);
      },
      metadata: async ({ fields: form }) => ({
        tenantId: String(form.tenantId),
        environment: String(form.environment),
      }),
    }),
    config: ServiceTitanConfigSchema,
    http: {
      baseUrl: ({ metadata }) => apiBaseUrlOf(metadata, checked.environment),
      rateLimits: [serviceTitanRateLimit(appKey)],
      parseError: parseServiceTitanError,
      // ServiceTitan's own server timeout is 100 seconds.
      timeoutMs: 100_000,
    },
    async test(ctx) {
      // A cheap read: one customer, which needs the tenant, the app key and a token to line up.
      await listPage(ctx.http, SERVICETITAN_PATHS.customers(tenantOf(ctx.metadata)), {
        page: 1,
        pageSize: 1,
      });
      return undefined;
    },
    models: {
      customers: defineModel({
        description:
          "Customers (export feed): name, type, billing address, balance, flags; deactivated or merged customers are deleted.",
        schema: CustomerRecordSchema,
        key: (record) => String(record.id),
        updatedAt: (record) => record.modifiedOn,
        modes: ["full", "incremental"],
        sync: (ctx) =>
          syncExportFeed(ctx, { path: SERVICETITAN_PATHS.customersExport, gone: customerGone }),
        async read(ctx, ids) {
          // The list takes at most 50 ids per call.
          const url = SERVICETITAN_PATHS.customers(tenantOf(ctx.metadata));
          const rows: Record<string, unknown>[] = [];
          for (let i = 0; i < ids.length; i += 50) {
            const chunk = ids.slice(i, i + 50).join(",");
            rows.push(
              ...(await listAll(ctx.http, url, { ids: chunk, active: "True", signal: ctx.signal })),
            );
          }
          return rows.map(customerRecordOf);
        },
        write: (ctx, changes) => writeCustomers(ctx, changes),
      }),
      jobs: defineModel({
        description:
          "Jobs (export feed): customer, location, status (Scheduled, Dispatched, InProgress, Hold, Completed, Canceled), job type, priority; write-back books new jobs.",
        schema: JobRecordSchema,
        key: (record) => String(record.id),
        updatedAt: (record) => record.modifiedOn,
        modes: ["full", "incremental"],
        sync: (ctx) => syncExportFeed(ctx, { path: SERVICETITAN_PATHS.jobsExport }),
        write: (ctx, changes) => writeJobs(ctx, changes),
      }),
      invoices: defineModel({
        description: "Invoices (export feed): amounts as decimal strings, customer, job, items.",
        schema: InvoiceRecordSchema,
        key: (record) => String(record.id),
        updatedAt: (record) => record.modifiedOn,
        modes: ["full", "incremental"],
        sync: (ctx) => syncExportFeed(ctx, { path: SERVICETITAN_PATHS.invoicesExport }),
      }),
      technicians: defineModel({
        description: "Technicians (export feed): name, business unit, contact details, team.",
        schema: TechnicianRecordSchema,
        key: (record) => String(record.id),
        updatedAt: (record) => record.modifiedOn,
        modes: ["full", "incremental"],
        sync: (ctx) => syncExportFeed(ctx, { path: SERVICETITAN_PATHS.techniciansExport }),
      }),
      jobTypes: defineModel({
        description:
          "Job types (list with modifiedOnOrAfter; ServiceTitan has no export feed for them): what a job booking's jobTypeId names.",
        schema: JobTypeRecordSchema,
        key: (record) => String(record.id),
        updatedAt: (record) => record.modifiedOn,
        modes: ["full", "incremental"],
        fullEvery: checked.fullEvery,
        sync: (ctx) => syncListFeed(ctx, SERVICETITAN_PATHS.jobTypes),
      }),
    },
    actions: {
      createCustomer: defineAction({
        description:
          "Create a customer with a billing address and service locations (one at the billing address when none are given). Returns the customer with its locations.",
        input: CustomerCreateInputSchema,
        async run(ctx, input) {
          const created = await postCustomer(ctx.http, tenantOf(ctx.metadata), input, ctx.signal);
          const locations = z
            .array(LocationSchema.partial({ customerId: true }))
            .catch([])
            .parse(created.locations ?? []);
          return { customer: customerRecordOf(created), locations };
        },
      }),
      bookJob: defineAction({
        description:
          "Book a job: customer, location, appointments, and business unit, job type, campaign and priority (or the connection's config defaults).",
        input: JobBookingInputSchema,
        async run(ctx, input) {
          return { job: await bookJob(ctx, input) };
        },
      }),
      listBookingOptions: defineAction({
        description:
          "The active business units, job types and campaigns, to pick a booking's ids or the config defaults.",
        input: z.object({}),
        async run(ctx) {
          const tenant = tenantOf(ctx.metadata);
          const options = z.array(BookingOptionSchema);
          const [businessUnits, jobTypes, campaigns] = await Promise.all([
            listAll(ctx.http, SERVICETITAN_PATHS.businessUnits(tenant), { active: "True" }),
            listAll(ctx.http, SERVICETITAN_PATHS.jobTypes(tenant), { active: "True" }),
            listAll(ctx.http, SERVICETITAN_PATHS.campaigns(tenant), { active: "True" }),
          ]);
          return {
            businessUnits: options.parse(businessUnits),
            jobTypes: options.parse(jobTypes),
            campaigns: options.parse(campaigns),
          };
        },
      }),
    },
  });
}
