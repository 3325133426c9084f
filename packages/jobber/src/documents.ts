/**
 * The GraphQL documents the connector sends, one named operation each. The
 * fake answers exactly these operation names, so a document renamed here
 * without the fake learning it fails the tests instead of passing silently.
 */

/**
 * Fields of a client, as the `clients` model stores them.
 *
 * @example
 * ```ts
 * `{ clients(first: 50) { nodes { ${CLIENT_FIELDS} } } }`;
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const CLIENT_FIELDS =
  "id firstName lastName companyName isCompany name isLead isArchived emails { address description primary } phones { number description primary } billingAddress { street1 street2 city province postalCode country } jobberWebUri createdAt updatedAt";
/**
 * Fields of a job, as the `jobs` model stores them.
 *
 * @example
 * ```ts
 * `{ jobs(first: 50) { nodes { ${JOB_FIELDS} } } }`;
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const JOB_FIELDS =
  "id jobNumber title jobStatus instructions startAt endAt completedAt total client { id } jobberWebUri createdAt updatedAt";
/**
 * Fields of a quote, as the `quotes` model stores them.
 *
 * @example
 * ```ts
 * `{ quotes(first: 50) { nodes { ${QUOTE_FIELDS} } } }`;
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const QUOTE_FIELDS =
  "id quoteNumber title quoteStatus message amounts { subtotal total } client { id } jobberWebUri createdAt updatedAt";
/**
 * Fields of an invoice, as the `invoices` model stores them.
 *
 * @example
 * ```ts
 * `{ invoices(first: 50) { nodes { ${INVOICE_FIELDS} } } }`;
 * ```
 * @see https://developer.getjobber.com/docs
 */
export const INVOICE_FIELDS =
  "id invoiceNumber subject invoiceStatus issuedDate dueDate amounts { subtotal total invoiceBalance } client { id } jobberWebUri createdAt updatedAt";

const PAGE_INFO = "pageInfo { hasNextPage endCursor }";

/**
 * A named GraphQL document.
 *
 * @example
 * ```ts
 * const op: JobberOperation = JOBBER_OPERATIONS.account; // { name: "Account", query, mutation: false }
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface JobberOperation {
  /** The operation name (what the fake and logs go by). */
  name: string;
  /** The document text. */
  query: string;
  /** A mutation: not retried on 5xx. */
  mutation: boolean;
}

function operation(name: string, query: string, mutation = false): JobberOperation {
  return Object.freeze({ name, query: query.replace(/\s+/g, " ").trim(), mutation });
}

function listOperations(root: string, fields: string, typeName: string) {
  return {
    /** Every record, oldest first. */
    all: operation(
      `${typeName}Page`,
      `query ${typeName}Page($first: Int!, $after: String) {
        ${root}(first: $first, after: $after) { nodes { ${fields} } ${PAGE_INFO} }
      }`,
    ),
    /** Records updated after `$updatedAfter` (Jobber's `filter: { updatedAt: { after } }`). */
    updatedAfter: operation(
      `${typeName}UpdatedAfterPage`,
      `query ${typeName}UpdatedAfterPage($first: Int!, $after: String, $updatedAfter: ISO8601DateTime!) {
        ${root}(first: $first, after: $after, filter: { updatedAt: { after: $updatedAfter } }) { nodes { ${fields} } ${PAGE_INFO} }
      }`,
    ),
  };
}

/**
 * Every document the connector sends, by purpose.
 *
 * Jobs have no `updatedAt` filter (`JobFilterAttributes` filters on creation
 * and scheduling times only), so incremental job syncs read jobs sorted by
 * `UPDATED_AT` descending and stop at the first one older than the cursor.
 *
 * @example
 * ```ts
 * await jobberGraphql(ctx, JOBBER_OPERATIONS.clients.all, { first: 50 });
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/api_queries_and_mutations
 */
export const JOBBER_OPERATIONS = Object.freeze({
  account: operation("Account", "query Account { account { id name } }"),
  clients: listOperations("clients", CLIENT_FIELDS, "Clients"),
  jobs: {
    all: operation(
      "JobsPage",
      `query JobsPage($first: Int!, $after: String) {
        jobs(first: $first, after: $after) { nodes { ${JOB_FIELDS} } ${PAGE_INFO} }
      }`,
    ),
    recentlyUpdated: operation(
      "JobsRecentlyUpdatedPage",
      `query JobsRecentlyUpdatedPage($first: Int!, $after: String) {
        jobs(first: $first, after: $after, sort: { key: UPDATED_AT, direction: DESCENDING }) { nodes { ${JOB_FIELDS} } ${PAGE_INFO} }
      }`,
    ),
  },
  quotes: listOperations("quotes", QUOTE_FIELDS, "Quotes"),
  invoices: listOperations("invoices", INVOICE_FIELDS, "Invoices"),
  clientCreate: operation(
    "ClientCreate",
    `mutation ClientCreate($input: ClientCreateInput!) {
      clientCreate(input: $input) { client { ${CLIENT_FIELDS} } userErrors { message path } }
    }`,
    true,
  ),
  clientEdit: operation(
    "ClientEdit",
    `mutation ClientEdit($clientId: EncodedId!, $input: ClientEditInput!) {
      clientEdit(clientId: $clientId, input: $input) { client { ${CLIENT_FIELDS} } userErrors { message path } }
    }`,
    true,
  ),
  appDisconnect: operation(
    "AppDisconnect",
    "mutation AppDisconnect { appDisconnect { app { name } userErrors { message path } } }",
    true,
  ),
});
