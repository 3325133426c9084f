/**
 * Airtable's error responses, in the shapes Airtable sends them.
 */
import { HttpResponse } from "msw";

/**
 * An error in Airtable's usual shape: `{"error": {"type", "message"}}`.
 *
 * @example
 * ```ts
 * return airtableError(422, "INVALID_RECORDS", "A maximum of 10 records can be created per request but you have provided 11.");
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export function airtableError(status: number, type: string, message?: string): Response {
  return HttpResponse.json(
    { error: { type, ...(message !== undefined && { message }) } },
    { status },
  );
}

/**
 * A 404 in Airtable's short shape: `{"error": "NOT_FOUND"}`.
 *
 * @example
 * ```ts
 * return airtableNotFound();
 * ```
 * @see https://airtable.com/developers/web/api/errors
 */
export function airtableNotFound(): Response {
  return HttpResponse.json({ error: "NOT_FOUND" }, { status: 404 });
}

/**
 * The 429 Airtable answers over 5 requests per second per base:
 * `{"errors": [{"error": "RATE_LIMIT_REACHED", ...}]}`, no `Retry-After` (the
 * wait is a documented 30 seconds).
 *
 * @example
 * ```ts
 * server.use(http.get("https://api.airtable.com/v0/*", () => airtableRateLimited(), { once: true }));
 * ```
 * @see https://airtable.com/developers/web/api/rate-limits
 */
export function airtableRateLimited(): Response {
  return HttpResponse.json(
    {
      errors: [
        { error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded. Please try again later" },
      ],
    },
    { status: 429 },
  );
}
