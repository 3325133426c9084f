/**
 * SerpApi's Account API: the searches left, read before each run (it is free)
 * and kept on the connection's metadata.
 */
import { type ConnectorContext, type Json, RateLimitError } from "@patchbay/core";
import { SERPAPI_PATHS } from "./endpoints.js";
import { SERPAPI_ERROR } from "./error-parser.js";
import {
  type SerpApiAccount,
  SerpApiAccountSchema,
  type SerpApiQuota,
  SerpApiQuotaSchema,
} from "./schemas.js";

/**
 * The metadata key the quota is stored under.
 *
 * @example
 * ```ts
 * const quota = connection.metadata[SERPAPI_QUOTA_METADATA_KEY];
 * ```
 * @see https://serpapi.com/account-api
 */
export const SERPAPI_QUOTA_METADATA_KEY = "serpApiQuota";

/**
 * Read the account (free: the Account API does not count against the plan).
 *
 * @example
 * ```ts
 * const account = await fetchSerpApiAccount(ctx.http); // { plan_searches_left: 4980, ... }
 * ```
 * @see https://serpapi.com/account-api
 */
export async function fetchSerpApiAccount(
  http: ConnectorContext["http"],
  signal?: AbortSignal,
): Promise<SerpApiAccount> {
  const { data } = await http.get(SERPAPI_PATHS.account, signal === undefined ? {} : { signal });
  return SerpApiAccountSchema.parse(data);
}

/**
 * The quota a host can show, from an Account API body (no key, no e-mail).
 *
 * @example
 * ```ts
 * serpApiQuotaFromAccount({ plan_searches_left: 1000, searches_per_month: 5000, this_month_usage: 4000 }, Date.now());
 * // { searchesLeft: 1000, usedPercent: 80, ... }
 * ```
 * @see https://serpapi.com/account-api
 */
export function serpApiQuotaFromAccount(account: SerpApiAccount, now: number): SerpApiQuota {
  const perMonth = account.searches_per_month ?? null;
  const used = account.this_month_usage ?? null;
  return {
    planName: account.plan_name ?? null,
    searchesPerMonth: perMonth,
    searchesLeft: account.total_searches_left ?? account.plan_searches_left,
    thisMonthUsage: used,
    accountRateLimitPerHour: account.account_rate_limit_per_hour ?? null,
    usedPercent:
      perMonth !== null && perMonth > 0 && used !== null
        ? Math.round((Math.min(used, perMonth) / perMonth) * 1000) / 10
        : null,
    observedAt: new Date(now).toISOString(),
  };
}

/**
 * The quota as connection metadata.
 *
 * @example
 * ```ts
 * return { metadata: serpApiQuotaMetadata(quota) };
 * ```
 * @see https://serpapi.com/account-api
 */
export function serpApiQuotaMetadata(quota: SerpApiQuota): Record<string, Json> {
  return { [SERPAPI_QUOTA_METADATA_KEY]: quota as unknown as Json };
}

/**
 * The quota stored on a connection, or `null` when none was read yet.
 *
 * @example
 * ```ts
 * const quota = serpApiQuotaOf(await patchbay.connections.get(tenantId, id));
 * ```
 * @see https://serpapi.com/account-api
 */
export function serpApiQuotaOf(connection: {
  metadata: Record<string, Json>;
}): SerpApiQuota | null {
  const parsed = SerpApiQuotaSchema.safeParse(connection.metadata?.[SERPAPI_QUOTA_METADATA_KEY]);
  return parsed.success ? parsed.data : null;
}

/**
 * Refuse a run the account cannot pay for: a `RateLimitError` (code
 * `INSUFFICIENT_SEARCHES`, not retryable) when fewer searches are left than
 * `needed`. Called before any search, so nothing is spent.
 *
 * @throws RateLimitError when `quota.searchesLeft < needed`.
 * @example
 * ```ts
 * assertSearchesLeft(quota, config.keywords.length * config.locations.length);
 * ```
 * @see https://serpapi.com/account-api
 */
export function assertSearchesLeft(quota: SerpApiQuota, needed: number): void {
  if (quota.searchesLeft >= needed) return;
  throw new RateLimitError(
    `SerpApi has ${quota.searchesLeft} search${quota.searchesLeft === 1 ? "" : "es"} left this month, and this run needs ${needed} (one per keyword and location); no search was made. Upgrade the SerpApi plan or track fewer keywords or locations.`,
    {
      providerCode: SERPAPI_ERROR.INSUFFICIENT_SEARCHES,
      retryable: false,
      status: undefined,
      cause: { searchesLeft: quota.searchesLeft, needed },
    },
  );
}
