/**
 * ServiceTitan's error responses, as the fake sends them: `ApiErrorResponse`
 * bodies (`{type, title, status, traceId, errors, data}`, after RFC 7807).
 */
import { randomBytes } from "node:crypto";
import { HttpResponse } from "msw";
import type { ServiceTitanProblem } from "../schemas.js";

const TYPES: Record<number, string> = {
  400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
  401: "https://tools.ietf.org/html/rfc7235#section-3.1",
  403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
  404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
  429: "https://tools.ietf.org/html/rfc6585#section-4",
  500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
};

function traceId(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-00`;
}

/**
 * An error response in ServiceTitan's shape.
 *
 * @example
 * ```ts
 * server.use(http.get(`${SERVICETITAN_HOSTS.integration.api}/*`, () => serviceTitanProblem(500, "An unexpected error occurred.")));
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export function serviceTitanProblem(
  status: number,
  title: string,
  errors: Record<string, string[]> = {},
  headers: Record<string, string> = {},
): Response {
  const body: ServiceTitanProblem = {
    type: TYPES[status] ?? "about:blank",
    title,
    status,
    traceId: traceId(),
    errors,
    data: {},
  };
  return new HttpResponse(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json; charset=utf-8", ...headers },
  });
}

/**
 * 400 with field errors, as ASP.NET model validation answers.
 *
 * @example
 * ```ts
 * serviceTitanValidationProblem({ name: ["The Name field is required."] });
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export function serviceTitanValidationProblem(errors: Record<string, string[]>): Response {
  return serviceTitanProblem(400, "One or more validation errors occurred.", errors);
}

/**
 * 429 over the per-app, per-tenant limit, with `Retry-After` in seconds.
 *
 * @example
 * ```ts
 * server.use(http.get(url, () => serviceTitanTooManyRequests(2)));
 * ```
 * @see https://help.servicetitan.com/problem-solution/what-are-the-default-api-rate-limits-in-servicetitan-for-regular-apis-and
 */
export function serviceTitanTooManyRequests(retryAfterSeconds = 1): Response {
  return serviceTitanProblem(
    429,
    "Too Many Requests",
    { "": ["Rate limit exceeded: 60 requests per second per application per tenant."] },
    { "Retry-After": String(retryAfterSeconds) },
  );
}
