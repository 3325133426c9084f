import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { MailchimpProblemSchema } from "./schemas.js";

/** HTTP reason phrases, for responses that carry none (HTTP/2). */
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * Read Mailchimp's `application/problem+json` error bodies
 * (`{type, title, status, detail, instance, errors?}`) into a message and a
 * code (the `title`, e.g. `"Member Exists"`, `"API Key Invalid"`). Field
 * errors are appended to the message. 429 (more than 10 simultaneous
 * connections) is a retryable rate limit; so is a 403 without a JSON body,
 * which Mailchimp sends "at exceptionally high volumes" instead of a 429.
 *
 * @example
 * ```ts
 * http: { baseUrl, parseError: parseMailchimpError }
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#throttling
 */
export const parseMailchimpError: ProviderErrorParser = (response, body) => {
  const problem = MailchimpProblemSchema.safeParse(body);
  if (!problem.success) {
    // Quirk: "At exceptionally high volumes, you may receive an HTTP 429 or 403 without a JSON body."
    if (response.status === 403 || response.status === 429) {
      return { kind: "rate_limit", retryable: true, code: "TooManyRequests" };
    }
    return undefined;
  }
  const { title, detail, errors } = problem.data;
  const fields = (errors ?? [])
    .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
    .join("; ");
  // Core already prints the status line; a title that only repeats it is dropped.
  const repeatsStatus =
    title.toLowerCase() === (response.statusText || REASONS[response.status] || "").toLowerCase();
  const head =
    detail === undefined || detail === "" ? title : repeatsStatus ? detail : `${title}: ${detail}`;
  const info: ProviderErrorInfo = {
    message: fields === "" ? head : `${head} (${fields})`,
    code: title,
  };
  if (response.status === 429) return { ...info, kind: "rate_limit", retryable: true };
  return info;
};
