/**
 * HighLevel's error bodies, read into core's error family. HighLevel answers
 * `{"statusCode": 400, "message": "...", "error": "Bad Request"}`; a 422 has
 * `message` as an array of strings (one per invalid field).
 */
import type { ProviderErrorInfo, ProviderErrorParser } from "@patchbay/core";
import { rateLimitWaitMs } from "./rate-limit.js";
import type { GhlErrorBody } from "./schemas.js";

/**
 * The message of a HighLevel error body, its array form joined with "; ";
 * `undefined` when the body is not one.
 *
 * @example
 * ```ts
 * ghlErrorMessage({ statusCode: 422, message: ["email must be an email", "phone is invalid"] });
 * // "email must be an email; phone is invalid"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function ghlErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const { message, error } = body as GhlErrorBody;
  if (Array.isArray(message)) {
    const parts = message.filter((m): m is string => typeof m === "string" && m.trim() !== "");
    if (parts.length > 0) return parts.join("; ");
  }
  if (typeof message === "string" && message.trim() !== "") return message.trim();
  return typeof error === "string" && error.trim() !== "" ? error.trim() : undefined;
}

/**
 * The connector's `parseError`: HighLevel's message, and after a 429 the wait
 * its `X-RateLimit-*` headers imply (it sends no `Retry-After`).
 *
 * @example
 * ```ts
 * defineConnector({ ...definition, http: { baseUrl, parseError: ghlErrorParser() } });
 * ```
 * @see https://help.gohighlevel.com/support/solutions/articles/48001060529-highlevel-api
 */
export function ghlErrorParser(now: () => number = Date.now): ProviderErrorParser {
  return (response, body): ProviderErrorInfo => {
    const info: ProviderErrorInfo = {};
    const message = ghlErrorMessage(body);
    if (message !== undefined) info.message = message;
    if (response.status === 429) {
      info.kind = "rate_limit";
      info.retryAfterMs = rateLimitWaitMs(response.headers, now());
    }
    return info;
  };
}
