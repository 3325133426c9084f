import { defineModel, type Logger } from "@patchbay/core";
import { isBusinessNotFound, type PlacesApi, type YelpCallContext } from "../places-api.js";
import { type YelpBusiness, YelpBusinessSchema, YelpConfigSchema } from "../schemas.js";
import type { TrackedBusinessResolver } from "../tracked-businesses.js";

async function fetchOrSkip(
  api: PlacesApi,
  ctx: YelpCallContext & { logger: Logger },
  id: string,
): Promise<YelpBusiness | undefined> {
  try {
    return await api.business(ctx, id);
  } catch (error) {
    if (!isBusinessNotFound(error)) throw error;
    // A business removed from Yelp: leaving it out lets a full run mark it deleted.
    ctx.logger.warn(`Yelp has no business "${id}" (BUSINESS_NOT_FOUND); skipping it`, {
      connectionId: ctx.connection.id,
    });
    return undefined;
  }
}

/**
 * The `businesses` model: each tracked business's details as Yelp returns
 * them, notably `rating` and `review_count` (their changes over time are the
 * model's change feed). One `GET /businesses/{id}` per business per run,
 * plus one match call the first time a name + address is seen.
 *
 * @example
 * ```ts
 * models: { businesses: businessesModel(api, resolver) }
 * ```
 * @see https://docs.developer.yelp.com/reference/v3_business_info
 */
export function businessesModel(api: PlacesApi, resolver: TrackedBusinessResolver) {
  return defineModel({
    description:
      "Tracked businesses (yours and competitors'): name, address, rating and review count.",
    schema: YelpBusinessSchema,
    key: "id",
    modes: ["full"],
    async *sync(ctx) {
      const config = YelpConfigSchema.parse(ctx.config);
      const ids = await resolver.ids(ctx, config.businesses);
      let page: YelpBusiness[] = [];
      for (const id of ids) {
        const business = await fetchOrSkip(api, ctx, id);
        if (business !== undefined) page.push(business);
        if (page.length >= 10) {
          yield { records: page };
          page = [];
        }
      }
      yield { records: page };
    },
    async read(ctx, externalIds) {
      const out: YelpBusiness[] = [];
      for (const id of externalIds) {
        const business = await fetchOrSkip(api, ctx, id);
        if (business !== undefined) out.push(business);
      }
      return out;
    },
  });
}
