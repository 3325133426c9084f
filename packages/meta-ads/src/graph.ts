/**
 * Graph API reads through the usage throttle, and cursor pagination. Pages
 * are followed with `paging.cursors.after` on the original request while
 * `paging.next` is present (the `next` URL itself carries the access token
 * in its query, so the connector never requests it as is).
 *
 * @see https://developers.facebook.com/docs/graph-api/results
 */
import {
  ConfigError,
  type ConnectorContext,
  type HttpRequest,
  type HttpResponse,
  type QueryValue,
} from "@patchbay/core";
import { actId } from "./endpoints.js";
import { GraphPageSchema, type MetaAdsConfig, MetaAdsConfigSchema } from "./schemas.js";
import type { UsageThrottle } from "./usage.js";

/**
 * Rows per page the connector asks for (Graph's default is 25).
 *
 * @example
 * ```ts
 * query: { limit: GRAPH_PAGE_LIMIT }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api
 */
export const GRAPH_PAGE_LIMIT = 100;

/**
 * One Graph call, spaced out by the usage throttle and recording the
 * response's usage headers for the next call.
 *
 * @example
 * ```ts
 * const { data } = await graphCall(ctx, throttle, { path: "me", query: { fields: "id" } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 */
export async function graphCall<T = unknown>(
  ctx: Pick<ConnectorContext, "http" | "connection" | "signal">,
  throttle: UsageThrottle,
  request: HttpRequest,
): Promise<HttpResponse<T>> {
  const key = ctx.connection.id;
  await throttle.beforeCall(key);
  const response = await ctx.http.request<T>({
    ...request,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
  throttle.afterCall(key, response.headers);
  return response;
}

/**
 * Yield each page's `data` of a Graph edge, following `after` cursors.
 *
 * @example
 * ```ts
 * for await (const rows of graphPages(ctx, throttle, "act_1/campaigns", { fields: "id,name" })) console.log(rows);
 * ```
 * @see https://developers.facebook.com/docs/graph-api/results#cursors
 */
export async function* graphPages(
  ctx: Pick<ConnectorContext, "http" | "connection" | "signal">,
  throttle: UsageThrottle,
  path: string,
  query: Record<string, QueryValue>,
): AsyncGenerator<Array<Record<string, unknown>>> {
  let after: string | undefined;
  do {
    const { data } = await graphCall(ctx, throttle, {
      path,
      query: { limit: GRAPH_PAGE_LIMIT, ...query, ...(after !== undefined && { after }) },
    });
    const page = GraphPageSchema.parse(data ?? {});
    yield page.data;
    // A missing `next` means the last page, even when cursors are present.
    after = page.paging?.next === undefined ? undefined : page.paging.cursors?.after;
  } while (after !== undefined);
}

/**
 * The connection's settings with defaults, and the ad account to report on:
 * `adAccountId` from the config, else the only account the user can read.
 *
 * @throws ConfigError when none is configured and the user reads several.
 * @example
 * ```ts
 * const { adAccountId } = adAccountOf(ctx); // "act_1234567890"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/reference/ad-account
 */
export function adAccountOf(ctx: Pick<ConnectorContext, "config" | "metadata">): {
  config: MetaAdsConfig;
  adAccountId: string;
} {
  const config = MetaAdsConfigSchema.parse(ctx.config ?? {});
  const known = ctx.metadata.adAccountIds;
  const id =
    config.adAccountId ??
    (Array.isArray(known) && known.length === 1 ? String(known[0]) : undefined);
  if (id === undefined)
    throw new ConfigError(
      'meta-ads: set "adAccountId" in the connection config (the user can read several ad accounts; sync adAccounts to list them)',
    );
  return { config, adAccountId: actId(id) };
}
