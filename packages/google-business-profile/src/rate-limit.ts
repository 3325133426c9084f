/**
 * Business Profile quotas: 300 requests per minute per API per Google Cloud
 * project, and 10 edits per minute per Business Profile (location), a limit
 * Google will not raise. Every connection of the host shares the project's
 * quota, and every connection managing one location shares its edits.
 *
 * @see https://developers.google.com/my-business/content/limits
 */
import type { HttpRequest, RateLimitSpec } from "@patchbay/core";

/**
 * Requests per minute per API for the whole project (Google's default).
 *
 * @example
 * ```ts
 * GBP_REQUESTS_PER_MINUTE; // 300
 * ```
 * @see https://developers.google.com/my-business/content/limits
 */
export const GBP_REQUESTS_PER_MINUTE = 300;

/**
 * Edits per minute per Business Profile; "this limit cannot be increased".
 *
 * @example
 * ```ts
 * GBP_EDITS_PER_MINUTE; // 10
 * ```
 * @see https://developers.google.com/my-business/content/limits
 */
export const GBP_EDITS_PER_MINUTE = 10;

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Writes that edit a profile: review replies, local posts, location fields. */
const EDIT_PATH =
  /^https:\/\/(?:mybusiness\.googleapis\.com\/v4\/accounts\/[^/]+|mybusinessbusinessinformation\.googleapis\.com\/v1)\/locations\/([^/:?]+)/;

/**
 * The location a request edits, or `undefined` for a read (or an account-level
 * write such as the notification setting).
 *
 * @example
 * ```ts
 * editedLocation({ method: "PUT", path: "https://mybusiness.googleapis.com/v4/accounts/1/locations/456/reviews/r1/reply" }); // "456"
 * editedLocation({ path: "https://mybusiness.googleapis.com/v4/accounts/1/locations/456/reviews" }); // undefined
 * ```
 * @see https://developers.google.com/my-business/content/limits
 */
export function editedLocation(request: Pick<HttpRequest, "method" | "path">): string | undefined {
  if (!WRITE_METHODS.has((request.method ?? "GET").toUpperCase())) return undefined;
  return EDIT_PATH.exec(request.path)?.[1];
}

/** The API a request goes to (its host), for the per-API project quota. */
function apiOf(request: Pick<HttpRequest, "path">): string {
  return /^https:\/\/([^/]+)/.exec(request.path)?.[1] ?? "default";
}

/**
 * The declared limits: 300 requests per minute per API (shared by every
 * connection in this process: the quota is the host's project's), and 10
 * edits per minute per location (shared by every connection editing it),
 * which only edits count (`appliesTo`): a read never spends one.
 *
 * @example
 * ```ts
 * http: { rateLimits: googleBusinessProfileRateLimits() }
 * ```
 * @see https://developers.google.com/my-business/content/limits
 */
export function googleBusinessProfileRateLimits(): RateLimitSpec[] {
  return [
    {
      requests: GBP_REQUESTS_PER_MINUTE,
      intervalMs: 60_000,
      scope: (request) => `google-business-profile:api:${apiOf(request)}`,
    },
    {
      requests: GBP_EDITS_PER_MINUTE,
      intervalMs: 60_000,
      appliesTo: (request) => editedLocation(request) !== undefined,
      scope: (request) => `google-business-profile:edits:location:${editedLocation(request)}`,
    },
  ];
}
