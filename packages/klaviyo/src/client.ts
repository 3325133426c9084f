/**
 * The typed Klaviyo client: openapi-fetch over the generated `paths`, sending
 * every request through core's HTTP pipeline (auth, the pinned `revision`
 * header, retries, typed errors) behind the per-endpoint rate limits.
 */
import { type HttpClient, ProviderError, type RateLimiter } from "@patchbay/core";
import createClient, { type Client } from "openapi-fetch";
import { KLAVIYO_API_ORIGIN, KLAVIYO_MEDIA_TYPE } from "./endpoints.js";
import type { paths } from "./generated/klaviyo.js";
import { throttledFetch } from "./rate-limits.js";

/**
 * The typed client's type.
 *
 * @example
 * ```ts
 * const api: KlaviyoApi = klaviyoApi(ctx.http);
 * const { data } = await api.GET("/api/lists", {});
 * ```
 * @see https://openapi-ts.dev/openapi-fetch/
 */
export type KlaviyoApi = Client<paths, `${string}/${string}`>;

/**
 * A typed client for one connection. With `limiter` and `scopeKey`, each
 * request first waits for its endpoint's burst and steady allowance.
 *
 * @example
 * ```ts
 * const api = klaviyoApi(ctx.http, { limiter, scopeKey: `klaviyo:${ctx.connection.id}` });
 * const { data } = await api.GET("/api/profiles", { params: { query: { "page[size]": 100 } } });
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export function klaviyoApi(
  http: Pick<HttpClient, "fetch">,
  options: { limiter?: RateLimiter; scopeKey?: string; signal?: AbortSignal } = {},
): KlaviyoApi {
  const fetch =
    options.limiter !== undefined && options.scopeKey !== undefined
      ? throttledFetch(http.fetch, options.limiter, options.scopeKey, options.signal)
      : http.fetch;
  return createClient<paths>({
    baseUrl: KLAVIYO_API_ORIGIN,
    fetch: (request) => fetch(request),
    headers: { accept: KLAVIYO_MEDIA_TYPE, "content-type": KLAVIYO_MEDIA_TYPE },
    ...(options.signal !== undefined && { signal: options.signal }),
  }) as KlaviyoApi;
}

/**
 * The body of a successful typed call. Core's pipeline throws Patchbay errors
 * for error statuses, so a missing body means Klaviyo answered 2xx without
 * the JSON it documents.
 *
 * @throws ProviderError when the body is missing.
 * @example
 * ```ts
 * const page = bodyOf(await api.GET("/api/lists", {}), "GET /api/lists");
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview
 */
export function bodyOf<T>(result: { data?: T; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new ProviderError(`${what} → ${result.response.status}: Klaviyo sent no JSON body`, {
      status: result.response.status,
    });
  }
  return result.data;
}

/**
 * The `page[cursor]` of a JSON:API `links.next` URL, or `undefined` on the last page.
 *
 * @example
 * ```ts
 * nextCursor("https://a.klaviyo.com/api/profiles?page%5Bcursor%5D=bmV4dA"); // "bmV4dA"
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#pagination
 */
export function nextCursor(next: string | null | undefined): string | undefined {
  if (typeof next !== "string" || next === "") return undefined;
  try {
    return new URL(next).searchParams.get("page[cursor]") ?? undefined;
  } catch {
    return undefined;
  }
}
