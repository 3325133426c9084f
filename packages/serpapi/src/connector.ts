import { apiKey, defineConnector } from "@patchbay/core";
import { z } from "zod";
import { fetchSerpApiAccount, serpApiQuotaFromAccount, serpApiQuotaMetadata } from "./account.js";
import { SERPAPI_DOCS, SERPAPI_ORIGIN } from "./endpoints.js";
import { parseSerpApiError } from "./error-parser.js";
import { rankingsModel } from "./rankings.js";
import { SerpApiConfigSchema } from "./schemas.js";

/**
 * Options of {@link serpApi}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: SerpApiOptions = { quotaRefreshMinutes: 60 };
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export interface SerpApiOptions {
  /** How often lifecycle maintenance re-reads the Account API (free) into the connection's metadata. Default 60. */
  quotaRefreshMinutes?: number;
  /** The clock (epoch ms): a ranking's date is its UTC day. Default `Date.now`. */
  now?: () => number;
}

/**
 * SerpApi connector for local rank tracking: where a business ranks in
 * Google Maps results (SerpApi's `google_maps` engine) for the keywords and
 * locations the user picks, day by day, with the competitors above it.
 *
 * - **Auth**: the user's SerpApi key, sent as the `api_key` query parameter
 *   (never logged). "Test connection" reads the Account API, which is free.
 * - **Model**: `rankings`, one record per keyword × location × day.
 * - **Quota**: every run reads the Account API first and refuses to start
 *   (`RateLimitError`, provider code `INSUFFICIENT_SEARCHES`) when fewer
 *   searches are left than it needs. The connection's metadata carries
 *   `serpApiQuota` (`searchesLeft`, `usedPercent`, ...), written at connect
 *   and by lifecycle maintenance.
 * - **Webhooks**: none; schedule the model (daily is typical).
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * createPatchbay({ connectors: [serpApi()], store, vault });
 * await patchbay.connect.withCredentials({ tenantId, connector: "serpapi", credentials: { apiKey: process.env.SERPAPI_KEY! } });
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export function serpApi(options: SerpApiOptions = {}) {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object');
  const refresh = options.quotaRefreshMinutes ?? 60;
  if (!Number.isInteger(refresh) || refresh < 1 || refresh > 24 * 60)
    throw new TypeError('"quotaRefreshMinutes" must be an integer from 1 to 1440');
  if (options.now !== undefined && typeof options.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  const now = options.now ?? Date.now;

  return defineConnector({
    id: "serpapi",
    name: "SerpApi (Google Maps rank tracking)",
    category: "marketing",
    description:
      "Track where your business ranks in Google Maps for your keywords and locations, with the competitors above it.",
    docsUrl: SERPAPI_DOCS.googleMaps,
    auth: apiKey({
      query: "api_key",
      field: z.string().min(32, "a SerpApi key is 64 hex characters").describe("SerpApi API key"),
      metadata: async ({ http }) =>
        serpApiQuotaMetadata(serpApiQuotaFromAccount(await fetchSerpApiAccount(http), now())),
    }),
    config: SerpApiConfigSchema,
    http: { baseUrl: SERPAPI_ORIGIN, parseError: parseSerpApiError },
    test: async ({ http }) => {
      await fetchSerpApiAccount(http);
      return { ok: true };
    },
    models: { rankings: rankingsModel(now) },
    lifecycle: {
      maintenance: {
        everyMinutes: refresh,
        async run(ctx) {
          const account = await fetchSerpApiAccount(ctx.http, ctx.signal);
          return { metadata: serpApiQuotaMetadata(serpApiQuotaFromAccount(account, now())) };
        },
      },
    },
  });
}
