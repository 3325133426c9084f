/**
 * Business Profile errors come in Google's two shapes: the v1 APIs send
 * One Platform errors (`details: [google.rpc.BadRequest { fieldViolations }]`
 * for bad input), the v4 API sends `details: [google.mybusiness.v4.ValidationError
 * { errorDetails }]` (and, through some front ends, a legacy `errors[]`).
 * The shared Google parser classifies them; this one adds the field that was
 * wrong to the message, which Google's top-level message never names.
 */
import type { ProviderErrorParser } from "@patchbay/core";
import { parseGoogleError } from "@patchbay/google-common";

interface Detail {
  "@type"?: string;
  fieldViolations?: Array<{ field?: string; description?: string }>;
  errorDetails?: Array<{ code?: number; field?: string; message?: string }>;
}

/**
 * Parse a Business Profile error body: the shared Google classification
 * (rate limits, auth) with the offending field named in the message.
 *
 * @example
 * ```ts
 * http: { parseError: parseBusinessProfileError }
 * ```
 * @see https://developers.google.com/my-business/content/error-codes
 */
export const parseBusinessProfileError: ProviderErrorParser = (response, body) => {
  const info = parseGoogleError(response, body);
  if (info === undefined) return undefined;
  const details = (body as { error?: { details?: Detail[] } }).error?.details ?? [];
  const fields: string[] = [];
  for (const detail of details) {
    for (const v of detail.fieldViolations ?? [])
      fields.push(`${v.field ?? "?"}: ${v.description ?? "invalid"}`);
    for (const e of detail.errorDetails ?? [])
      fields.push(`${e.field ?? "?"}: ${e.message ?? "invalid"}`);
  }
  return fields.length === 0
    ? info
    : { ...info, message: `${info.message ?? "Invalid argument"} (${fields.join("; ")})` };
};
