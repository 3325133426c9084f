/**
 * Local posts (My Business API v4): the sync and the create action.
 *
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts
 */
import {
  type ConnectorContext,
  paginateCursor,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { connectionAccount, connectionLocations } from "./account.js";
import { MY_BUSINESS_V4_API, v4LocationName } from "./endpoints.js";
import type { CreatePostInput, GoogleBusinessProfileConfig, LocalPostRecord } from "./schemas.js";
import { settingsOf } from "./settings.js";

/** Google's maximum `pageSize` for local posts. */
const POSTS_PAGE_SIZE = 100;

type WirePost = { name: string; [field: string]: unknown };

/**
 * A local post as the connector stores it (`locationName` added).
 *
 * @example
 * ```ts
 * toLocalPostRecord(wire).locationName; // "accounts/1/locations/2"
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts#LocalPost
 */
export function toLocalPostRecord(post: WirePost): LocalPostRecord {
  return {
    ...post,
    locationName: post.name.replace(/\/localPosts\/[^/]+$/, ""),
  } as LocalPostRecord;
}

/**
 * The `localPosts` sync: every post of every location (full only: the list
 * has no change filter).
 *
 * @example
 * ```ts
 * models: { localPosts: defineModel({ schema: LocalPostRecordSchema, key: "name", sync: syncLocalPosts }) }
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/list
 */
export async function* syncLocalPosts(
  ctx: SyncContext<GoogleBusinessProfileConfig>,
): AsyncGenerator<SyncPage<LocalPostRecord>> {
  const config = settingsOf(ctx.config);
  const accountId = await connectionAccount({ ...ctx, config });
  for (const location of await connectionLocations({ ...ctx, config }, accountId)) {
    const parent = v4LocationName(accountId, location);
    for await (const page of paginateCursor(
      ctx.http,
      {
        path: `${MY_BUSINESS_V4_API}/${parent}/localPosts`,
        query: { pageSize: POSTS_PAGE_SIZE },
        signal: ctx.signal,
      },
      {
        items: (data: { localPosts?: WirePost[]; nextPageToken?: string }) =>
          data?.localPosts ?? [],
        next: (data) => data?.nextPageToken,
        param: "pageToken",
      },
    )) {
      if (page.length > 0) yield { records: page.map(toLocalPostRecord) };
    }
  }
}

/**
 * Publish a STANDARD post on a location: `POST …/localPosts`. Counts against
 * the location's 10 edits per minute.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "createPost", input: { location: "locations/456", summary: "Same-day drain cleaning this week", callToAction: { actionType: "CALL" } } });
 * ```
 * @see https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/create
 */
export async function createPost(
  ctx: ConnectorContext<GoogleBusinessProfileConfig>,
  input: CreatePostInput,
): Promise<LocalPostRecord> {
  const config = settingsOf(ctx.config);
  const accountId = /^accounts\//.test(input.location)
    ? input.location.split("/")[1]!
    : await connectionAccount({ ...ctx, config });
  const parent = v4LocationName(accountId, input.location);
  const { data } = await ctx.http.post<WirePost>(`${MY_BUSINESS_V4_API}/${parent}/localPosts`, {
    json: {
      languageCode: input.languageCode,
      summary: input.summary,
      topicType: "STANDARD",
      ...(input.callToAction !== undefined && { callToAction: input.callToAction }),
    },
    signal: ctx.signal,
  });
  return toLocalPostRecord(data);
}
