/**
 * Mailchimp's error responses, as the fake sends them:
 * `application/problem+json` with `{type, title, status, detail, instance, errors?}`.
 */
import { randomUUID } from "node:crypto";
import { HttpResponse } from "msw";
import { MAILCHIMP_DOCS } from "../endpoints.js";
import type { MailchimpProblem } from "../schemas.js";

/**
 * A problem+json response.
 *
 * @example
 * ```ts
 * server.use(http.get("https://us6.api.mailchimp.com/3.0/lists", () => mailchimpProblem(500, "Internal Server Error", "An unexpected internal error has occurred.")));
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export function mailchimpProblem(
  status: number,
  title: string,
  detail: string,
  errors?: Array<{ field: string; message: string }>,
): Response {
  const body = {
    type: MAILCHIMP_DOCS.errors,
    title,
    status,
    detail,
    instance: randomUUID(),
    ...(errors === undefined ? {} : { errors }),
  } satisfies MailchimpProblem;
  return new HttpResponse(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json; charset=utf-8" },
  });
}

/**
 * 429 for an 11th simultaneous connection (or `rateLimitNext`).
 *
 * @example
 * ```ts
 * server.use(http.get("https://*.api.mailchimp.com/3.0/*", () => mailchimpTooManyRequests()));
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export function mailchimpTooManyRequests(): Response {
  return mailchimpProblem(
    429,
    "Too Many Requests",
    "You have exceeded the limit of 10 simultaneous connections.",
  );
}

/**
 * 404 for an unknown list, member, campaign or webhook.
 *
 * @example
 * ```ts
 * return mailchimpNotFound();
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export function mailchimpNotFound(): Response {
  return mailchimpProblem(404, "Resource Not Found", "The requested resource could not be found.");
}

/**
 * 400 with field errors.
 *
 * @example
 * ```ts
 * return mailchimpInvalid([{ field: "status_if_new", message: "This value should not be blank." }]);
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export function mailchimpInvalid(
  errors: Array<{ field: string; message: string }>,
  detail?: string,
): Response {
  return mailchimpProblem(
    400,
    "Invalid Resource",
    detail ??
      "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
    errors,
  );
}

/**
 * 401 for a bad key or token, or a request sent to another account's data center.
 *
 * @example
 * ```ts
 * return mailchimpApiKeyInvalid();
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export function mailchimpApiKeyInvalid(): Response {
  return mailchimpProblem(
    401,
    "API Key Invalid",
    "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
  );
}
