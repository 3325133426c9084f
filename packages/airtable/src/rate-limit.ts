/**
 * Airtable limits every base to 5 requests per second, whoever calls it: two
 * connections on one base share the allowance, two bases never do. The
 * connector declares one bucket per base, keyed from the request path.
 */
import type { HttpRequest, RateLimitSpec } from "@patchbay/core";

const BASE_IN_PATH = /(?:^|\/)(app[A-Za-z0-9]{14})(?=\/|$)/;

/**
 * The rate-limit bucket of a request: `airtable:base:<baseId>` for anything
 * under a base (records, base schema, webhooks), else `airtable:account`.
 * Core consults it only when the request sets no `rateLimitKey`; the
 * connector sends whoami and the base list with a per-connection key.
 *
 * @example
 * ```ts
 * airtableRateLimitKey({ path: "appA1b2C3d4E5f6G7/tblA1b2C3d4E5f6G7" }); // "airtable:base:appA1b2C3d4E5f6G7"
 * airtableRateLimitKey({ path: "bases/appA1b2C3d4E5f6G7/webhooks" }); // "airtable:base:appA1b2C3d4E5f6G7"
 * ```
 * @see https://airtable.com/developers/web/api/rate-limits
 */
export function airtableRateLimitKey(request: Pick<HttpRequest, "path">): string {
  let path = request.path;
  try {
    if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  } catch {
    // Not a URL: use the path as given.
  }
  const match = BASE_IN_PATH.exec(path.split("?")[0] ?? "");
  return match?.[1] === undefined ? "airtable:account" : `airtable:base:${match[1]}`;
}

/**
 * The declared limit: 5 requests per second per base.
 *
 * @example
 * ```ts
 * http: { baseUrl: AIRTABLE_API_BASE_URL, rateLimits: [AIRTABLE_RATE_LIMIT] }
 * ```
 * @see https://airtable.com/developers/web/api/rate-limits
 */
export const AIRTABLE_RATE_LIMIT: RateLimitSpec = Object.freeze({
  requests: 5,
  intervalMs: 1000,
  scope: airtableRateLimitKey,
});
