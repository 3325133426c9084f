/**
 * ServiceTitan counts requests per app key and tenant: every connection to
 * one tenant made with one app key shares the allowance, whichever process
 * makes the call.
 */
import { createHash } from "node:crypto";
import type { HttpRequest, RateLimitSpec } from "@patchbay/core";
import { tenantOfPath } from "./endpoints.js";

/**
 * Requests per second per app key and tenant.
 *
 * @example
 * ```ts
 * SERVICETITAN_REQUESTS_PER_SECOND; // 60
 * ```
 * @see https://help.servicetitan.com/problem-solution/what-are-the-default-api-rate-limits-in-servicetitan-for-regular-apis-and
 */
export const SERVICETITAN_REQUESTS_PER_SECOND = 60;

/**
 * A short, non-reversible label for an app key, so rate-limit bucket names
 * (which may be logged) never carry the key itself.
 *
 * @example
 * ```ts
 * appKeyLabel("ak1.abc"); // "3c2f…" (12 hex characters)
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function appKeyLabel(appKey: string): string {
  return createHash("sha256").update(appKey).digest("hex").slice(0, 12);
}

/**
 * The declared limit for one app key: 60 requests per second, one bucket per
 * tenant (read from the request path), shared by every connection of that
 * tenant.
 *
 * @example
 * ```ts
 * http: { baseUrl, rateLimits: [serviceTitanRateLimit(options.appKey)] }
 * ```
 * @see https://help.servicetitan.com/problem-solution/what-are-the-default-api-rate-limits-in-servicetitan-for-regular-apis-and
 */
export function serviceTitanRateLimit(appKey: string): RateLimitSpec {
  const app = appKeyLabel(appKey);
  return Object.freeze({
    requests: SERVICETITAN_REQUESTS_PER_SECOND,
    intervalMs: 1000,
    scope: (request: HttpRequest) =>
      `servicetitan:app:${app}:tenant:${tenantOfPath(request.path) ?? "none"}`,
  });
}
