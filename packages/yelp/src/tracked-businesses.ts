/**
 * Turning the configured businesses (ids, aliases, or name + address) into
 * Yelp business ids.
 */
import type { Logger } from "@patchbay/core";
import type { PlacesApi, YelpCallContext } from "./places-api.js";
import type { YelpMatchQuery, YelpTrackedBusiness } from "./schemas.js";

/**
 * Resolves configured businesses to Yelp ids, remembering each match per
 * connection in this process so a name + address costs one match call, not
 * one per run.
 *
 * @example
 * ```ts
 * const resolver = createTrackedBusinessResolver(api);
 * const ids = await resolver.ids(ctx, config.businesses); // ["bright-plumbing-co-austin", ...]
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export interface TrackedBusinessResolver {
  ids(
    ctx: YelpCallContext & { logger: Logger },
    businesses: readonly YelpTrackedBusiness[],
  ): Promise<string[]>;
}

function matchKey(connectionId: string, query: YelpMatchQuery): string {
  const normal = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v).trim().toLowerCase()}`)
    .join("&");
  return `${connectionId}|${normal}`;
}

/**
 * Create a {@link TrackedBusinessResolver}. A business that Yelp cannot
 * match is skipped with a warning naming it (the others still sync).
 *
 * @example
 * ```ts
 * const resolver = createTrackedBusinessResolver(createPlacesApi(book, Date.now));
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_match
 */
export function createTrackedBusinessResolver(api: PlacesApi): TrackedBusinessResolver {
  const matched = new Map<string, string>();
  return {
    async ids(ctx, businesses) {
      const out: string[] = [];
      for (const tracked of businesses) {
        if ("id" in tracked) {
          out.push(tracked.id);
          continue;
        }
        const key = matchKey(ctx.connection.id, tracked.match);
        let id = matched.get(key);
        if (id === undefined) {
          const { businesses: candidates } = await api.match(ctx, tracked.match, { limit: 1 });
          id = candidates[0]?.id;
          if (id === undefined) {
            ctx.logger.warn(
              `Yelp found no business matching "${tracked.match.name}" at ${tracked.match.address1}, ${tracked.match.city}; check the name and address, or configure its Yelp id`,
              { connectionId: ctx.connection.id },
            );
            continue;
          }
          matched.set(key, id);
        }
        out.push(id);
      }
      return [...new Set(out)];
    },
  };
}
