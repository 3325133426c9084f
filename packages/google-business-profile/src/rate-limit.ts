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

let exempt = 0;

/**
 * The declared limits: 300 requests per minute per API (shared by every
 * connection in this process: the quota is the host's project's), and 10
 * edits per minute per location (shared by every connection editing it).
 *
 * Core applies every declared limit to every request. A read must not spend
 * one of a location's 10 edits, so reads get a bucket of their own in the
 * edit limit (a fresh key each, dropped by the limiter once its minute is
 * over) — a workaround until core lets a limit skip a request.
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
      scope: (request) => {
        const location = editedLocation(request);
        if (location !== undefined) return `google-business-profile:edits:location:${location}`;
        exempt = (exempt + 1) % Number.MAX_SAFE_INTEGER;
        return `google-business-profile:not-an-edit:${exempt}`;
      },
    },
  ];
}
