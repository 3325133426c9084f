/**
 * Zod schemas of Jobber's wire types, with Jobber's own field names: the
 * records the models sync (clients, jobs, quotes, invoices), the GraphQL
 * envelope with its `extensions.cost`, mutation `userErrors` and webhook
 * payloads.
 */
import { z } from "zod";

/** A Jobber `EncodedId` (base64 of a global id such as `gid://Jobber/Client/1`). */
const EncodedId = z.string().min(1);
/** Jobber's `ISO8601DateTime` scalar. */
const DateTime = z.string().min(1);

/**
 * A client's email address.
 *
 * @example
 * ```ts
 * JobberEmailSchema.parse({ address: "ana@example.com", description: "MAIN", primary: true });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export const JobberEmailSchema = z.object({
  address: z.string(),
  description: z.string().nullable(),
  primary: z.boolean(),
});

/**
 * A client's phone number.
 *
 * @example
 * ```ts
 * JobberPhoneSchema.parse({ number: "555-0100", description: "MAIN", primary: true });
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberPhoneSchema = z.object({
  number: z.string(),
  description: z.string().nullable(),
  primary: z.boolean(),
});

/**
 * A postal address (a client's billing address).
 *
 * @example
 * ```ts
 * JobberAddressSchema.parse({ street1: "1 Elm St", street2: null, city: "Austin", province: "TX", postalCode: "78701", country: "US" });
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberAddressSchema = z.object({
  street1: z.string().nullable(),
  street2: z.string().nullable(),
  city: z.string().nullable(),
  province: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string().nullable(),
});

/** A reference to another object by id (`client { id }`). */
const Ref = z.object({ id: EncodedId });

/**
 * A client (a customer of the service business), as the `clients` model stores it.
 *
 * @example
 * ```ts
 * const client: JobberClient = JobberClientSchema.parse(node);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberClientSchema = z.object({
  id: EncodedId,
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  companyName: z.string().nullable(),
  isCompany: z.boolean(),
  name: z.string(),
  isLead: z.boolean(),
  isArchived: z.boolean(),
  emails: z.array(JobberEmailSchema),
  phones: z.array(JobberPhoneSchema),
  billingAddress: JobberAddressSchema.nullable(),
  jobberWebUri: z.string(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
/** A Jobber client. */
export type JobberClient = z.infer<typeof JobberClientSchema>;

/**
 * A job (work scheduled for a client), as the `jobs` model stores it.
 *
 * @example
 * ```ts
 * const job: JobberJob = JobberJobSchema.parse(node);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberJobSchema = z.object({
  id: EncodedId,
  jobNumber: z.number().int(),
  title: z.string().nullable(),
  jobStatus: z.string(),
  instructions: z.string().nullable(),
  startAt: DateTime.nullable(),
  endAt: DateTime.nullable(),
  completedAt: DateTime.nullable(),
  total: z.number(),
  client: Ref,
  jobberWebUri: z.string(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
/** A Jobber job. */
export type JobberJob = z.infer<typeof JobberJobSchema>;

/**
 * A quote, as the `quotes` model stores it.
 *
 * @example
 * ```ts
 * const quote: JobberQuote = JobberQuoteSchema.parse(node);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberQuoteSchema = z.object({
  id: EncodedId,
  quoteNumber: z.string(),
  title: z.string().nullable(),
  quoteStatus: z.string(),
  message: z.string().nullable(),
  amounts: z.object({ subtotal: z.number(), total: z.number() }),
  client: Ref,
  jobberWebUri: z.string(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
/** A Jobber quote. */
export type JobberQuote = z.infer<typeof JobberQuoteSchema>;

/**
 * An invoice, as the `invoices` model stores it.
 *
 * @example
 * ```ts
 * const invoice: JobberInvoice = JobberInvoiceSchema.parse(node);
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JobberInvoiceSchema = z.object({
  id: EncodedId,
  invoiceNumber: z.string(),
  subject: z.string().nullable(),
  invoiceStatus: z.string(),
  issuedDate: DateTime.nullable(),
  dueDate: DateTime.nullable(),
  amounts: z.object({ subtotal: z.number(), total: z.number(), invoiceBalance: z.number() }),
  client: Ref,
  jobberWebUri: z.string(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
/** A Jobber invoice. */
export type JobberInvoice = z.infer<typeof JobberInvoiceSchema>;

/**
 * The leaky bucket's state, as every response reports it.
 *
 * @example
 * ```ts
 * ThrottleStatusSchema.parse({ maximumAvailable: 10000, currentlyAvailable: 9953, restoreRate: 500 });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const ThrottleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number(),
});
/** `extensions.cost.throttleStatus`. */
export type ThrottleStatus = z.infer<typeof ThrottleStatusSchema>;

/**
 * `extensions.cost`: what a query was expected to cost, what it cost, and the bucket after it.
 *
 * @example
 * ```ts
 * const cost: QueryCost = QueryCostSchema.parse(body.extensions.cost);
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const QueryCostSchema = z.object({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable(),
  throttleStatus: ThrottleStatusSchema,
});
/** `extensions.cost`. */
export type QueryCost = z.infer<typeof QueryCostSchema>;

/**
 * One entry of a GraphQL `errors` array.
 *
 * @example
 * ```ts
 * GraphqlErrorSchema.parse({ message: "Throttled", extensions: { code: "THROTTLED" } });
 * ```
 * @see https://spec.graphql.org/October2021/#sec-Errors
 */
export const GraphqlErrorSchema = z
  .object({
    message: z.string(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    extensions: z.object({ code: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
/** One GraphQL error. */
export type GraphqlError = z.infer<typeof GraphqlErrorSchema>;

/**
 * The body of every GraphQL answer: `data`, `errors`, and Jobber's `extensions`
 * (`cost`, and `versioning` with the version that served the request).
 *
 * @example
 * ```ts
 * const body = GraphqlResponseSchema.parse(await response.json());
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits
 */
export const GraphqlResponseSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(GraphqlErrorSchema).optional(),
  extensions: z
    .object({
      cost: QueryCostSchema.optional(),
      versioning: z
        .object({ version: z.string().optional(), warning: z.string().optional() })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
});
/** A GraphQL response body. */
export type GraphqlResponse = z.infer<typeof GraphqlResponseSchema>;

/**
 * A Relay connection page: `nodes` plus `pageInfo`.
 *
 * @example
 * ```ts
 * const page = ConnectionPageSchema.parse(data.clients);
 * if (page.pageInfo.hasNextPage) next = page.pageInfo.endCursor;
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits#avoiding-rate-limits
 */
export const ConnectionPageSchema = z.object({
  nodes: z.array(z.unknown()),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
});
/** A Relay connection page. */
export type ConnectionPage = z.infer<typeof ConnectionPageSchema>;

/**
 * A mutation's `userErrors` entry: why Jobber refused the input, and where.
 *
 * @example
 * ```ts
 * UserErrorSchema.parse({ message: "Email is invalid", path: ["input", "emails", "0", "address"] });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export const UserErrorSchema = z.object({
  message: z.string(),
  path: z.array(z.string()).nullable().optional(),
});
/** One `userErrors` entry. */
export type UserError = z.infer<typeof UserErrorSchema>;

/**
 * The account the token belongs to (`account { id name }`).
 *
 * @example
 * ```ts
 * const { id, name } = JobberAccountSchema.parse(data.account);
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export const JobberAccountSchema = z.object({ id: EncodedId, name: z.string() });
/** A Jobber account. */
export type JobberAccount = z.infer<typeof JobberAccountSchema>;

/**
 * A webhook delivery's body. Apps created before 2023-12-08 receive the
 * timestamp as `occuredAt` (sic).
 *
 * @example
 * ```ts
 * const { topic, accountId, itemId } = WebhookPayloadSchema.parse(delivery.payload).data.webHookEvent;
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks
 */
export const WebhookPayloadSchema = z.object({
  data: z.object({
    webHookEvent: z.object({
      topic: z.string().min(1),
      appId: z.string().optional(),
      accountId: z.string().min(1),
      itemId: z.string().min(1),
      occurredAt: z.string().optional(),
      occuredAt: z.string().optional(),
    }),
  }),
});
/** A webhook delivery's body. */
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
