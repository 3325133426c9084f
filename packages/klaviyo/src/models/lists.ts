/**
 * The `lists` model: the account's lists (name, opt-in process, times),
 * ten per page, Klaviyo's maximum for Get Lists. Full sync only: lists are
 * few, and a full run also notices deleted ones.
 */
import { defineModel, type RateLimiter } from "@patchbay/core";
import { bodyOf, klaviyoApi, nextCursor } from "../client.js";
import { KLAVIYO_PATHS } from "../endpoints.js";
import { type KlaviyoConfig, type KlaviyoList, KlaviyoListSchema } from "../schemas.js";

/**
 * Lists per page: Get Lists allows at most 10.
 *
 * @example
 * ```ts
 * query: { "page[size]": LISTS_PAGE_SIZE }
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export const LISTS_PAGE_SIZE = 10;

/**
 * The `lists` model, throttled per endpoint by `limiter`.
 *
 * @example
 * ```ts
 * models: { lists: listsModel(klaviyoRateLimiter()) }
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export function listsModel(limiter: RateLimiter) {
  return defineModel<typeof KlaviyoListSchema, KlaviyoConfig>({
    description: "The account's lists: name, opt-in process, created and updated times.",
    schema: KlaviyoListSchema,
    key: "id",
    modes: ["full"],
    updatedAt: (list) => list.updated ?? undefined,
    async *sync(ctx) {
      const api = klaviyoApi(ctx.http, {
        limiter,
        scopeKey: `klaviyo:${ctx.connection.id}`,
        ...(ctx.signal !== undefined && { signal: ctx.signal }),
      });
      let pageCursor: string | undefined =
        typeof ctx.checkpoint === "string" ? ctx.checkpoint : undefined;
      for (;;) {
        const page = bodyOf(
          await api.GET(KLAVIYO_PATHS.lists, {
            params: {
              query: {
                "page[size]": LISTS_PAGE_SIZE,
                sort: "created",
                ...(pageCursor !== undefined && { "page[cursor]": pageCursor }),
              },
            },
          }),
          "GET /api/lists",
        );
        const records: KlaviyoList[] = page.data.map((list) => ({
          ...list.attributes,
          id: list.id,
        }));
        pageCursor = nextCursor(page.links?.next);
        if (pageCursor === undefined) {
          yield { records };
          return;
        }
        yield { records, checkpoint: pageCursor };
      }
    },
  });
}
