/**
 * Creating and updating customers at ServiceTitan (write-back of the
 * `customers` model, and the `createCustomer` action).
 */
import {
  type ConnectorContext,
  describeIssues,
  type HttpClient,
  isPatchbayError,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { z } from "zod";
import { tenantOf } from "./connection-metadata.js";
import { SERVICETITAN_PATHS } from "./endpoints.js";
import { exportRowToRecord } from "./export-feed.js";
import {
  CUSTOMER_TYPES,
  type CustomerCreateInput,
  CustomerCreateInputSchema,
  type CustomerRecord,
} from "./schemas.js";

/**
 * The body of `POST /crm/v2/tenant/{tenant}/customers`. Without `locations`,
 * one service location named after the customer at the billing address.
 *
 * @example
 * ```ts
 * customerCreateRequest(CustomerCreateInputSchema.parse({ name: "Ada", address }));
 * // { name: "Ada", type: "Residential", address, locations: [{ name: "Ada", address }] }
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export function customerCreateRequest(input: CustomerCreateInput): Record<string, unknown> {
  return {
    name: input.name,
    type: input.type,
    ...(input.doNotMail !== undefined && { doNotMail: input.doNotMail }),
    ...(input.doNotService !== undefined && { doNotService: input.doNotService }),
    address: input.address,
    locations: input.locations ?? [{ name: input.name, address: input.address }],
    ...(input.contacts !== undefined && { contacts: input.contacts }),
  };
}

/**
 * A created (or fetched) customer as the `customers` model stores it: the
 * customer's own fields, without the `locations` and `contacts` the create
 * response adds.
 *
 * @example
 * ```ts
 * customerRecordOf({ id: 1, active: true, name: "Ada", locations: [] }); // { id: 1, name: "Ada" }
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export function customerRecordOf(raw: Record<string, unknown>): CustomerRecord {
  const { locations: _locations, contacts: _contacts, ...customer } = raw;
  return exportRowToRecord(customer) as CustomerRecord;
}

/**
 * Create a customer (validated first) and return ServiceTitan's answer: the
 * customer with its new locations (whose ids a job booking needs).
 *
 * @throws the Patchbay error ServiceTitan's answer maps to (validate the input first).
 * @example
 * ```ts
 * const created = await postCustomer(ctx.http, tenant, CustomerCreateInputSchema.parse(input));
 * created.locations[0].id; // the service location to book jobs at
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export async function postCustomer(
  http: HttpClient,
  tenant: string,
  input: CustomerCreateInput,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const { data } = await http.post<Record<string, unknown>>(SERVICETITAN_PATHS.customers(tenant), {
    json: customerCreateRequest(input),
    ...(signal && { signal }),
  });
  return data;
}

/** What a customer update may change (`PATCH /customers/{id}`). */
const CustomerUpdateSchema = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "is required"),
  type: z.enum(CUSTOMER_TYPES).nullable().optional(),
  address: z
    .object({
      street: z.string().nullable().optional(),
      unit: z.string().nullable().optional(),
      city: z.string().nullable().optional(),
      state: z.string().nullable().optional(),
      zip: z.string().nullable().optional(),
      country: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  doNotMail: z.boolean().nullable().optional(),
  doNotService: z.boolean().nullable().optional(),
});

function dropNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

function failure(error: unknown): WriteOutcome<never> {
  if (isPatchbayError(error))
    return { ok: false, error: error.message, retryable: error.retryable };
  throw error;
}

/**
 * Apply host changes to customers: creates become `POST /customers` (with a
 * default service location when none is given), updates `PATCH
 * /customers/{id}` (name, type, address, do-not-mail, do-not-service).
 * ServiceTitan has no customer delete: deletes fail with the reason.
 *
 * @example
 * ```ts
 * write: (ctx, changes) => writeCustomers(ctx, changes)
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export async function writeCustomers(
  ctx: ConnectorContext<unknown>,
  changes: WriteChange<CustomerRecord>[],
): Promise<WriteOutcome<CustomerRecord>[]> {
  const tenant = tenantOf(ctx.metadata);
  const outcomes: WriteOutcome<CustomerRecord>[] = [];
  for (const change of changes) {
    if (change.op === "delete") {
      outcomes.push({
        ok: false,
        error:
          "ServiceTitan customers cannot be deleted through the API; deactivate the customer in ServiceTitan instead",
        retryable: false,
      });
      continue;
    }
    if (change.op === "create") {
      const input = CustomerCreateInputSchema.safeParse(change.data);
      if (!input.success) {
        outcomes.push({
          ok: false,
          error: `Invalid customer: ${describeIssues(input.error.issues, "customer")}`,
          retryable: false,
        });
        continue;
      }
      try {
        const created = customerRecordOf(
          await postCustomer(ctx.http, tenant, input.data, ctx.signal),
        );
        outcomes.push({ ok: true, externalId: String(created.id), data: created });
      } catch (error) {
        outcomes.push(failure(error));
      }
      continue;
    }
    const patch = CustomerUpdateSchema.safeParse(change.data);
    if (!patch.success) {
      outcomes.push({
        ok: false,
        error: `Invalid customer: ${describeIssues(patch.error.issues, "customer")}`,
        retryable: false,
      });
      continue;
    }
    try {
      const body = {
        ...dropNulls(patch.data),
        ...(patch.data.address && { address: dropNulls(patch.data.address) }),
      };
      const { data } = await ctx.http.patch<Record<string, unknown>>(
        SERVICETITAN_PATHS.customer(tenant, change.externalId),
        { json: body, ...(ctx.signal && { signal: ctx.signal }) },
      );
      const updated = customerRecordOf(data);
      outcomes.push({ ok: true, externalId: String(updated.id), data: updated });
    } catch (error) {
      outcomes.push(failure(error));
    }
  }
  return outcomes;
}
