/**
 * ServiceTitan's error bodies, read into core's error family.
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { type ServiceTitanProblem, ServiceTitanProblemSchema } from "./schemas.js";

/** Field errors quoted in a message, at most. */
const MAX_FIELD_ERRORS = 5;

/**
 * The field errors of a problem body as one line:
 * `name: The Name field is required.; locations: …`.
 *
 * @example
 * ```ts
 * problemFieldErrors({ title: "One or more validation errors occurred.", errors: { name: ["The Name field is required."] } });
 * // "name: The Name field is required."
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export function problemFieldErrors(problem: Pick<ServiceTitanProblem, "errors">): string {
  return Object.entries(problem.errors ?? {})
    .slice(0, MAX_FIELD_ERRORS)
    .map(([field, messages]) =>
      field === "" ? messages.join(" ") : `${field}: ${messages.join(" ")}`,
    )
    .join("; ");
}

/**
 * Reads ServiceTitan's `ApiErrorResponse` (`{type, title, status, traceId,
 * errors}`) into a message (the title, then the field errors) and a code (the
 * title). 429 is a retryable rate limit (core honours `Retry-After`); 403
 * (the app is not installed for the tenant, or the token belongs to another
 * tenant) is an auth error that no token refresh can fix.
 *
 * @example
 * ```ts
 * http: { baseUrl, parseError: parseServiceTitanError }
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export const parseServiceTitanError: ProviderErrorParser = (response, body) => {
  const parsed = ServiceTitanProblemSchema.safeParse(body);
  const info: ProviderErrorInfo = {};
  if (parsed.success) {
    const fields = problemFieldErrors(parsed.data);
    info.message = fields === "" ? parsed.data.title : `${parsed.data.title} (${fields})`;
    info.code = parsed.data.title;
  }
  if (response.status === 429) return { ...info, kind: "rate_limit", retryable: true };
  if (response.status === 403) return { ...info, kind: "auth", retryable: false };
  return parsed.success ? info : undefined;
};
