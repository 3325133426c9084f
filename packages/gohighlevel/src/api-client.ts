/**
 * The typed HighLevel client: `openapi-fetch` over the generated OpenAPI
 * types, sending every request through core's HTTP pipeline (auth, rate
 * limits, retries, typed errors).
 */
import { type HttpClient, ProviderError } from "@patchbay/core";
import createClient, { type Client } from "openapi-fetch";
import { GHL_API_BASE_URL } from "./endpoints.js";
import type { paths } from "./generated/gohighlevel.js";
import { readRateLimitHeaders } from "./rate-limit.js";

/**
 * The typed client.
 *
 * @example
 * ```ts
 * const client: GhlApiClient = ghlApiClient(ctx.http);
 * ```
 * @see https://openapi-ts.dev/openapi-fetch/
 */
export type GhlApiClient = Client<paths>;

/** The longest pause taken when a response says the burst window is spent. */
const MAX_BURST_PAUSE_MS = 10_000;

/**
 * Options of {@link ghlApiClient}.
 *
 * @example
 * ```ts
 * ghlApiClient(ctx.http, { sleep: async () => {} });
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export interface GhlApiClientOptions {
  /** How to wait when the burst window is spent. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A typed HighLevel client on a connection's pipeline. When a response says
 * the burst window is spent (`X-RateLimit-Remaining: 0`), the next request
 * waits for the window (`X-RateLimit-Interval-Milliseconds`) instead of
 * drawing a 429.
 *
 * @example
 * ```ts
 * const client = ghlApiClient(ctx.http);
 * const { data } = await client.GET("/calendars/", { params: { header: { Version: "2021-04-15" }, query: { locationId } } });
 * ```
 * @see https://openapi-ts.dev/openapi-fetch/
 */
export function ghlApiClient(http: HttpClient, options: GhlApiClientOptions = {}): GhlApiClient {
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const client = createClient<paths>({ baseUrl: GHL_API_BASE_URL, fetch: http.fetch });
  client.use({
    async onResponse({ response }) {
      const state = readRateLimitHeaders(response.headers);
      if (state.remaining === 0 && state.intervalMs !== undefined && state.intervalMs > 0) {
        await sleep(Math.min(state.intervalMs, MAX_BURST_PAUSE_MS));
      }
      return undefined;
    },
  });
  return client;
}

/**
 * The data of a successful call. Core's pipeline throws typed errors for
 * 4xx/5xx, so a missing body here means HighLevel answered 2xx with nothing.
 *
 * @example
 * ```ts
 * const { calendars } = dataOf(await client.GET("/calendars/", { params }), "GET /calendars/");
 * ```
 * @see https://openapi-ts.dev/openapi-fetch/api#fetch-options
 */
export function dataOf<T>(result: { data?: T; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new ProviderError(
      `${what}: HighLevel answered ${result.response.status} without the expected body`,
      { status: result.response.status },
    );
  }
  return result.data;
}
