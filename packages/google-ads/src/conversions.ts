/**
 * Offline click conversions: `customers/{id}:uploadClickConversions` with
 * `partialFailure: true` (Google requires it), so good rows are recorded
 * and each bad row comes back with its own errors.
 *
 * @see https://developers.google.com/google-ads/api/docs/conversions/upload-clicks
 */
import type { ConnectorContext } from "@patchbay/core";
import { uploadClickConversionsPath } from "./endpoints.js";
import { findGoogleAdsFailure, googleAdsErrorCode } from "./error-parser.js";
import { customerOf } from "./reports.js";
import {
  type ClickConversionInput,
  type UploadClickConversionsInput,
  UploadClickConversionsResponseSchema,
  type UploadClickConversionsResult,
} from "./schemas.js";

/**
 * The request body for a batch of conversions: resource names completed,
 * `2026-10-03T14:05:00-05:00` written as Google's `2026-10-03 14:05:00-05:00`.
 *
 * @example
 * ```ts
 * clickConversionsBody("1234567890", { conversions: [row], validateOnly: false });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/uploadClickConversions#request-body
 */
export function clickConversionsBody(
  customerId: string,
  input: UploadClickConversionsInput,
): Record<string, unknown> {
  return {
    conversions: input.conversions.map((row: ClickConversionInput) => ({
      gclid: row.gclid,
      conversionAction: row.conversionAction.includes("/")
        ? row.conversionAction
        : `customers/${customerId}/conversionActions/${row.conversionAction}`,
      conversionDateTime: row.conversionDateTime.replace("T", " "),
      ...(row.conversionValue !== undefined && { conversionValue: row.conversionValue }),
      ...(row.currencyCode !== undefined && { currencyCode: row.currencyCode }),
      ...(row.orderId !== undefined && { orderId: row.orderId }),
    })),
    partialFailure: true,
    validateOnly: input.validateOnly,
  };
}

/**
 * Read an upload answer into one outcome per row: a row whose index appears
 * in the partial failure's `location.fieldPathElements` failed with those
 * errors; the others were recorded.
 *
 * @example
 * ```ts
 * const result = parseClickConversionsResponse(data, 3); // { uploaded: 2, failed: 1, rows: [...] }
 * ```
 * @see https://developers.google.com/google-ads/api/docs/best-practices/partial-failures
 */
export function parseClickConversionsResponse(
  data: unknown,
  count: number,
): UploadClickConversionsResult {
  const response = UploadClickConversionsResponseSchema.parse(data ?? {});
  const failures = new Map<number, Array<{ code: string; message: string }>>();
  const failure = findGoogleAdsFailure(response.partialFailureError?.details);
  for (const error of failure?.errors ?? []) {
    const element = error.location?.fieldPathElements?.find(
      (e) => e.fieldName === "conversions" && e.index !== undefined,
    );
    const index = element?.index ?? 0;
    const list = failures.get(index) ?? [];
    list.push({ code: googleAdsErrorCode(error), message: error.message ?? "" });
    failures.set(index, list);
  }
  const rows: UploadClickConversionsResult["rows"] = [];
  for (let index = 0; index < count; index++) {
    const errors = failures.get(index);
    const result = response.results[index];
    if (errors !== undefined || result?.gclid === undefined) {
      rows.push({
        index,
        ok: false,
        errors: errors ?? [
          { code: "unknown", message: "Google Ads returned no result for this row" },
        ],
      });
    } else {
      rows.push({
        index,
        ok: true,
        gclid: result.gclid,
        conversionAction: result.conversionAction ?? "",
      });
    }
  }
  const failed = rows.filter((r) => !r.ok).length;
  return { uploaded: count - failed, failed, rows };
}

/**
 * Upload offline click conversions (at most 2,000 per call). A row Google
 * rejects does not fail the others: read `rows[i].ok`.
 *
 * @example
 * ```ts
 * await uploadClickConversions(ctx, { conversions: [{ gclid, conversionAction: "987654321", conversionDateTime: "2026-10-03 14:05:00-05:00", conversionValue: 450, currencyCode: "USD" }], validateOnly: false });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/reference/rest/v26/customers/uploadClickConversions
 */
export async function uploadClickConversions(
  ctx: ConnectorContext,
  input: UploadClickConversionsInput,
): Promise<UploadClickConversionsResult> {
  const { customerId, headers } = customerOf(ctx);
  const { data } = await ctx.http.post(uploadClickConversionsPath(customerId), {
    json: clickConversionsBody(customerId, input),
    headers,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
  return parseClickConversionsResponse(data, input.conversions.length);
}
