/**
 * Accessible customers: the Google Ads accounts the OAuth user reaches
 * directly, listed to pick `customerId` (and, for manager accounts, to know
 * which `loginCustomerId` to set).
 *
 * @see https://developers.google.com/google-ads/api/docs/account-management/listing-accounts
 */
import type { HttpClient } from "@patchbay/core";
import { LIST_ACCESSIBLE_CUSTOMERS_PATH, normalizeCustomerId } from "./endpoints.js";
import { ListAccessibleCustomersResponseSchema } from "./schemas.js";

/**
 * The customer ids (ten digits) the user can reach directly. Clients of a
 * manager account are not listed: reach them with `loginCustomerId` set to
 * the manager.
 *
 * @example
 * ```ts
 * await listAccessibleCustomers(ctx.http); // ["1234567890", "1112223333"]
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/listAccessibleCustomers
 */
export async function listAccessibleCustomers(
  http: HttpClient,
  signal?: AbortSignal,
): Promise<string[]> {
  const { data } = await http.get(LIST_ACCESSIBLE_CUSTOMERS_PATH, {
    ...(signal !== undefined && { signal }),
  });
  return ListAccessibleCustomersResponseSchema.parse(data ?? {}).resourceNames.map(
    normalizeCustomerId,
  );
}
