import type { LimitName } from "@patchbay/core";
import type { ApiErrorBody } from "./types.js";

/**
 * The `code` of a {@link PatchbayApiError} when the request never got an answer.
 *
 * @example
 * ```ts
 * if (error.code === NETWORK_ERROR_CODE) showOfflineBanner();
 * ```
 */
export const NETWORK_ERROR_CODE = "network_error";
/**
 * The `code` of a {@link PatchbayApiError} when the answer was not the routes' JSON
 * (a proxy's error page, a route that is not mounted).
 *
 * @example
 * ```ts
 * if (error.code === UNEXPECTED_RESPONSE_CODE) console.warn("Are the Patchbay routes mounted at baseUrl?");
 * ```
 */
export const UNEXPECTED_RESPONSE_CODE = "unexpected_response";
const LIMIT_EXCEEDED = "PATCHBAY_LIMIT_EXCEEDED";

/**
 * A Patchbay route answered with an error (or could not be reached). The
 * `message` is the server's, written to be shown to the user; `code`,
 * `status` and `limit` let you decide what else to show (an upgrade link
 * for plan limits, a sign-in link for `unauthenticated`).
 *
 * @example
 * ```ts
 * try {
 *   await client.syncNow(connectionId);
 * } catch (error) {
 *   if (error instanceof PatchbayApiError && error.isPlanLimit) showUpgrade(error.message);
 * }
 * ```
 */
export class PatchbayApiError extends Error {
  /** The route's error code: a Patchbay code (`PATCHBAY_…`) or a route code (`not_found`, `unauthenticated`). */
  readonly code: string;
  /** The HTTP status; `0` when the request never got an answer. */
  readonly status: number;
  /** Which plan limit was hit, when `code` is `PATCHBAY_LIMIT_EXCEEDED`. */
  readonly limit: LimitName | undefined;
  /** Whether the server said retrying later may succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { code: string; status: number; limit?: LimitName; retryable?: boolean },
  ) {
    super(message);
    this.name = "PatchbayApiError";
    this.code = options.code;
    this.status = options.status;
    this.limit = options.limit;
    this.retryable = options.retryable ?? false;
  }

  /** True when the tenant's plan does not allow the operation (HTTP 402). */
  get isPlanLimit(): boolean {
    return this.code === LIMIT_EXCEEDED || this.status === 402;
  }

  /**
   * Build the error from a route's JSON error body.
   *
   * @example
   * ```ts
   * PatchbayApiError.fromBody(402, { error: { code: "PATCHBAY_LIMIT_EXCEEDED", message: "Upgrade…", limit: "maxConnections" } });
   * ```
   */
  static fromBody(status: number, body: ApiErrorBody): PatchbayApiError {
    const { code, message, limit, retryable } = body.error;
    return new PatchbayApiError(message, { code, status, limit, retryable });
  }
}

/**
 * True when `value` is a {@link PatchbayApiError}.
 *
 * @example
 * ```ts
 * catch (error) { if (isPatchbayApiError(error) && error.status === 401) redirectToSignIn(); }
 * ```
 */
export function isPatchbayApiError(value: unknown): value is PatchbayApiError {
  return value instanceof PatchbayApiError;
}

/** Turn anything thrown into a message fit for the user. */
export function messageOf(error: unknown): string {
  if (error instanceof PatchbayApiError) return error.message;
  return "Something went wrong. Try again.";
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (value === null || typeof value !== "object") return false;
  const error = (value as { error?: unknown }).error;
  return (
    error !== null &&
    typeof error === "object" &&
    typeof (error as { message?: unknown }).message === "string" &&
    typeof (error as { code?: unknown }).code === "string"
  );
}
