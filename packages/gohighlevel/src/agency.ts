/**
 * Agency installs. When a user installs the app at agency level, HighLevel
 * issues an agency (Company) token, which cannot read a sub-account's
 * contacts or calendars. The connector trades it for the configured
 * sub-account's (Location) token at `POST /oauth/locationToken` (core's
 * `deriveToken` hook, cached until it expires), and lists the sub-accounts
 * the app is installed on with `GET /oauth/installedLocations`.
 */
import {
  AuthError,
  ConfigError,
  type DerivedToken,
  ErrorCode,
  type FetchLike,
  type Json,
  NetworkError,
  ProviderError,
  RateLimitError,
} from "@patchbay/core";
import { z } from "zod";
import { dataOf, type GhlApiClient } from "./api-client.js";
import {
  GHL_API_BASE_URL,
  GHL_API_VERSION,
  INSTALLED_LOCATIONS_PATH,
  LOCATION_TOKEN_PATH,
} from "./endpoints.js";
import { ghlErrorMessage } from "./error-parser.js";
import { configuredLocation, isAgencyConnection } from "./location.js";
import { rateLimitWaitMs } from "./rate-limit.js";

/** The absolute URL core's `deriveToken` context fetches (it has no base URL). */
const LOCATION_TOKEN_URL = `${GHL_API_BASE_URL}${LOCATION_TOKEN_PATH}`;

/** How long the location token request may take. */
const LOCATION_TOKEN_TIMEOUT_MS = 30_000;

/**
 * The answer of `POST /oauth/locationToken` (`GetLocationAccessTokenSuccessfulResponseDto`
 * in HighLevel's `apps/oauth.json`; HighLevel also sends `userType` and
 * `companyId`, and may send a `refresh_token`, which is not needed: a new
 * location token is asked for when this one expires).
 *
 * @example
 * ```ts
 * GhlLocationTokenSchema.parse({ access_token: "eyJ…", token_type: "Bearer", expires_in: 86399, locationId: "ve9EPM428h8vShlRW1KT" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export const GhlLocationTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
  locationId: z.string().optional(),
  userType: z.string().optional(),
  companyId: z.string().optional(),
  userId: z.string().optional(),
});

/**
 * What `POST /oauth/locationToken` answers.
 *
 * @example
 * ```ts
 * const token: GhlLocationToken = { access_token: "eyJ…", expires_in: 86399 };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export type GhlLocationToken = z.infer<typeof GhlLocationTokenSchema>;

/**
 * What the connection's `deriveToken` hook receives from core.
 *
 * @example
 * ```ts
 * const context: GhlDeriveContext = { connection: { id, config: { locationId }, metadata: { userType: "Company", companyId } }, fetch, now: Date.now };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export interface GhlDeriveContext {
  connection: { id: string; config: Record<string, Json>; metadata: Record<string, Json> };
  fetch: FetchLike;
  now: () => number;
}

/**
 * The connector's `deriveToken`: for an agency (Company) connection with a
 * `locationId` configured, that sub-account's token from
 * `POST /oauth/locationToken` (form-encoded `companyId`, `locationId`;
 * `Authorization: Bearer <agency token>`, `Version: 2021-07-28`), valid for
 * `expires_in` seconds (about a day). `null` (use the connection's own
 * token) for sub-account connections and for agency connections without a
 * location, whose sub-account calls then stop at a `ConfigError` before
 * any request.
 *
 * @throws ConfigError when HighLevel refuses the location (400, 403, 404,
 *   422: typically the app is not installed on that sub-account) or the
 *   connection has no `companyId`; AuthError (401) when the agency token is
 *   refused (expired, uninstalled, or without the `oauth.write` scope);
 *   RateLimitError (429), a retryable ProviderError (5xx) or NetworkError.
 * @example
 * ```ts
 * oauth2({ ...spec, deriveToken: deriveLocationToken });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-location-access-token
 */
export async function deriveLocationToken(
  agencyToken: string,
  context: GhlDeriveContext,
): Promise<DerivedToken | null> {
  const { metadata, config } = context.connection;
  if (!isAgencyConnection(metadata)) return null;
  const locationId = configuredLocation(config);
  if (locationId === undefined) return null;
  const companyId = metadata.companyId;
  if (typeof companyId !== "string" || companyId === "") {
    throw new ConfigError(
      "This HighLevel agency connection has no companyId (HighLevel's token response lacked it): reconnect HighLevel at agency level.",
    );
  }
  const where = `POST ${LOCATION_TOKEN_URL}`;
  let response: Response;
  try {
    response = await context.fetch(LOCATION_TOKEN_URL, {
      method: "POST",
      headers: {
        authorization: `Bearer ${agencyToken}`,
        version: GHL_API_VERSION.oauth,
        accept: "application/json",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ companyId, locationId }).toString(),
      signal: AbortSignal.timeout(LOCATION_TOKEN_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error | undefined)?.name === "TimeoutError";
    throw new NetworkError(
      timedOut ? ErrorCode.TIMEOUT : ErrorCode.NETWORK,
      timedOut
        ? `${where} timed out after ${LOCATION_TOKEN_TIMEOUT_MS} ms`
        : `${where} failed before a response: ${(error as Error | undefined)?.message ?? String(error)}`,
    );
  }
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) throw locationTokenError(response, body, locationId, context.now());
  const parsed = GhlLocationTokenSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProviderError(
      `${where} → ${response.status}: HighLevel's answer has no location token (access_token)`,
      { status: response.status, retryable: false },
    );
  }
  if (parsed.data.locationId !== undefined && parsed.data.locationId !== locationId) {
    throw new ProviderError(
      `${where} → ${response.status}: HighLevel issued a token for location ${parsed.data.locationId}, not ${locationId}`,
      { status: response.status, retryable: false },
    );
  }
  const expiresIn = parsed.data.expires_in;
  return {
    accessToken: parsed.data.access_token,
    expiresAt: expiresIn === undefined ? null : context.now() + expiresIn * 1000,
  };
}

/** The error a refused `POST /oauth/locationToken` becomes, with what to do about it. */
function locationTokenError(
  response: Response,
  body: unknown,
  locationId: string,
  now: number,
): Error {
  const status = response.status;
  const said = ghlErrorMessage(body);
  const detail = `${status}${said === undefined ? "" : `: ${said}`}`;
  const where = `POST ${LOCATION_TOKEN_URL}`;
  if (status === 401) {
    return new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      `HighLevel refused this connection's agency token when asked for sub-account ${locationId}'s token (${detail}). Reconnect HighLevel at agency level; the Marketplace app needs the "oauth.write" and "oauth.readonly" scopes (goHighLevel({ agency: true }) asks for them).`,
      { status },
    );
  }
  if (status === 400 || status === 403 || status === 404 || status === 422) {
    // HighLevel does not document its answer for a sub-account without the
    // app; the fake answers 400 "The app is not installed on this location."
    return new ConfigError(
      `HighLevel would not issue a token for sub-account ${locationId} (${detail}): the app is probably not installed on it. Choose another sub-account in the config field "locationId" (the listLocations action lists those the app is installed on), or install the app on this one in HighLevel.`,
      { status },
    );
  }
  if (status === 429) {
    return new RateLimitError(`${where} → 429: ${said ?? "Too Many Requests"}`, {
      retryAfterMs: rateLimitWaitMs(response.headers, now),
    });
  }
  return new ProviderError(`${where} → ${detail}`, { status });
}

/**
 * One sub-account the app is installed on, for a location picker.
 *
 * @example
 * ```ts
 * const location: GhlInstalledLocation = { id: "ve9EPM428h8vShlRW1KT", name: "Summit Heating & Plumbing", address: "1420 Larimer St, Denver, CO", isInstalled: true };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-installed-location
 */
export interface GhlInstalledLocation {
  /** The location id: the value of the config field `locationId`. */
  id: string;
  name: string | null;
  address: string | null;
  isInstalled: boolean;
}

/** Page size of `GET /oauth/installedLocations` (HighLevel's default is 20). */
const INSTALLED_PAGE = 100;
/** A stop for a misbehaving `skip`: 100 pages. */
const MAX_INSTALLED_PAGES = 100;

/**
 * The agency's sub-accounts the app is installed on:
 * `GET /oauth/installedLocations?companyId&appId&isInstalled=true`, paged
 * with `skip`/`limit`. Needs the agency token (scope `oauth.readonly`).
 *
 * @example
 * ```ts
 * const locations = await listInstalledLocations(ghlApiClient(ctx.http), { companyId, appId });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/ghl/oauth/get-installed-location
 */
export async function listInstalledLocations(
  client: GhlApiClient,
  input: { companyId: string; appId: string; limit?: number },
): Promise<{ locations: GhlInstalledLocation[]; installToFutureLocations: boolean | null }> {
  const locations: GhlInstalledLocation[] = [];
  let installToFutureLocations: boolean | null = null;
  const pageSize = Math.min(input.limit ?? INSTALLED_PAGE, INSTALLED_PAGE);
  for (let page = 0; page < MAX_INSTALLED_PAGES; page++) {
    const result = await client
      .GET(INSTALLED_LOCATIONS_PATH, {
        params: {
          header: { Version: GHL_API_VERSION.oauth },
          query: {
            companyId: input.companyId,
            appId: input.appId,
            isInstalled: true,
            skip: String(page * pageSize),
            limit: String(pageSize),
          },
        },
      })
      .catch((error: unknown) => {
        if (!(error instanceof AuthError)) throw error;
        throw new AuthError(
          ErrorCode.AUTH_UNAUTHORIZED,
          `${error.message}. Listing an agency's sub-accounts needs its agency token with the "oauth.readonly" scope: add "oauth.readonly" and "oauth.write" to the Marketplace app's scopes, pass goHighLevel({ agency: true }) and reconnect.`,
          { status: error.status, cause: error.cause },
        );
      });
    const data = dataOf(result, `GET ${INSTALLED_LOCATIONS_PATH}`);
    installToFutureLocations = data.installToFutureLocations ?? installToFutureLocations;
    const batch = data.locations ?? [];
    for (const l of batch) {
      if (l.isInstalled === false || typeof l._id !== "string" || l._id === "") continue;
      locations.push({
        id: l._id,
        name: l.name ?? null,
        address: l.address ?? null,
        isInstalled: l.isInstalled ?? true,
      });
    }
    const enough = input.limit !== undefined && locations.length >= input.limit;
    if (enough || batch.length < pageSize) break;
  }
  return { locations, installToFutureLocations };
}
