/**
 * How one failed write becomes a write outcome: invalid data and provider
 * refusals are reported per change; lost credentials stop the whole write.
 */
import { AuthError, isPatchbayError, type WriteOutcome } from "@patchbay/core";
import type { z } from "zod";

/**
 * A zod error as one line: `email: must be an email address; phone: ...`.
 *
 * @example
 * ```ts
 * describeIssues(UpsertContactInput.safeParse({}).error!); // "email: a contact needs an email or a phone: HighLevel upserts on them"
 * ```
 * @see https://zod.dev/error-formatting
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}

/**
 * The outcome of a change whose call failed. Auth errors are thrown again:
 * the connection needs a refresh or a reconnect, not a per-record retry.
 *
 * @example
 * ```ts
 * try { outcomes.push(await writeOne(change)); } catch (error) { outcomes.push(failedWrite(error)); }
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function failedWrite<T>(error: unknown): WriteOutcome<T> {
  if (error instanceof AuthError || !isPatchbayError(error)) throw error;
  return { ok: false, error: error.message, retryable: error.retryable };
}
