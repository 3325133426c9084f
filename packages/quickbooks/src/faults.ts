/**
 * Intuit's faults, read into core's error family. A fault looks like
 * `{ Fault: { Error: [{ Message, Detail, code, element }], type }, time }`
 * and comes with HTTP 400/401/403/429/500, and sometimes with HTTP 200: the
 * status alone never says a call succeeded.
 */
import {
  AuthError,
  ErrorCode,
  PatchbayError,
  type PatchbayErrorOptions,
  ProviderError,
  type ProviderErrorInfo,
  type ProviderErrorParser,
  RateLimitError,
} from "@patchbay/core";
import { FaultResponseSchema, type QuickBooksFault } from "./schemas.js";

/**
 * Fault codes the connector reacts to.
 *
 * @example
 * ```ts
 * if (error.providerCode === QUICKBOOKS_FAULT.STALE_OBJECT) refetchAndRetry();
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export const QUICKBOOKS_FAULT = {
  /** "Stale Object Error": the `SyncToken` sent is not the entity's current one. */
  STALE_OBJECT: "5010",
  /** "ThrottleExceeded" (`message=ThrottleExceeded; errorCode=003001; statusCode=429`). */
  THROTTLE_EXCEEDED: "3001",
  /** "AuthenticationFailed" (`errorCode=003200; statusCode=401`). */
  AUTHENTICATION_FAILED: "3200",
  /** "Duplicate Name Exists Error": a customer's `DisplayName` is taken. */
  DUPLICATE_NAME: "6240",
  /** "Object Not Found". */
  OBJECT_NOT_FOUND: "610",
} as const;

/**
 * How long to wait after a throttle when Intuit sends no `Retry-After`:
 * the limit is per minute, so a minute always clears it.
 *
 * @example
 * ```ts
 * quickbooks({ clientId, clientSecret, rateLimitWaitMs: QUICKBOOKS_RATE_LIMIT_WAIT_MS });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
 */
export const QUICKBOOKS_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * The fault in a body, or `undefined` when the body is not one.
 *
 * @example
 * ```ts
 * faultOf({ Fault: { Error: [{ Message: "Stale Object Error", code: "5010" }], type: "ValidationFault" } })?.code; // "5010"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function faultOf(
  body: unknown,
): { type?: string; code?: string; message: string; element?: string } | undefined {
  const parsed = FaultResponseSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const fault: QuickBooksFault["Fault"] = parsed.data.Fault;
  const first = fault.Error[0];
  const message = first?.Message ?? fault.type ?? "Fault";
  const detail = first?.Detail;
  return {
    ...(fault.type !== undefined && { type: fault.type }),
    ...(first?.code !== undefined && { code: normaliseCode(String(first.code)) }),
    ...(first?.element !== undefined && first.element !== "" && { element: first.element }),
    message:
      detail === undefined || detail === "" || detail.startsWith(message)
        ? (detail ?? message)
        : `${message}: ${detail}`,
  };
}

/** "003001" and "3001" are the same fault. */
function normaliseCode(code: string): string {
  return /^\d+$/.test(code) ? String(Number(code)) : code;
}

function isThrottle(fault: { code?: string; message: string } | undefined, text: string): boolean {
  return (
    fault?.code === QUICKBOOKS_FAULT.THROTTLE_EXCEEDED ||
    /ThrottleExceeded/i.test(fault?.message ?? "") ||
    /ThrottleExceeded/i.test(text)
  );
}

/**
 * Builds the connector's `http.parseError`: the fault's code becomes the
 * error's `providerCode` (with `element` appended to the message), and a 429
 * or a `ThrottleExceeded` fault (Intuit has also sent it with 403, and as XML)
 * a rate-limit error that waits `waitMs` unless `Retry-After` says otherwise.
 *
 * @example
 * ```ts
 * http: { baseUrl, parseError: quickbooksErrorParser() }
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function quickbooksErrorParser(
  waitMs: number = QUICKBOOKS_RATE_LIMIT_WAIT_MS,
): ProviderErrorParser {
  return (response, body) => {
    const fault = faultOf(body);
    const text = typeof body === "string" ? body : "";
    const info: ProviderErrorInfo = fault
      ? {
          message: fault.element ? `${fault.message} (element ${fault.element})` : fault.message,
          ...(fault.code !== undefined && { code: fault.code }),
        }
      : {};
    if (response.status === 429 || isThrottle(fault, text)) {
      return {
        ...info,
        code: info.code ?? QUICKBOOKS_FAULT.THROTTLE_EXCEEDED,
        kind: "rate_limit",
        retryable: true,
        retryAfterMs: waitMs,
      };
    }
    return fault ? info : undefined;
  };
}

/**
 * Throw the typed error for a fault that came with HTTP 200 (Intuit does
 * this, e.g. for some query and batch failures); do nothing for a normal body.
 *
 * @throws RateLimitError for `ThrottleExceeded`, AuthError for an
 *   `AuthenticationFault`, ProviderError (with the fault code as
 *   `providerCode`) for anything else.
 * @example
 * ```ts
 * const { data } = await http.get("query", { query: { query } });
 * throwIfFault(data, "GET query");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function throwIfFault(body: unknown, what: string, waitMs?: number): void {
  const fault = faultOf(body);
  if (fault === undefined) return;
  const message = `${what} → 200 with a Fault (${fault.type ?? "unknown type"}): ${fault.message}`;
  const options: PatchbayErrorOptions = {
    status: 200,
    cause: body,
    ...(fault.code !== undefined && { providerCode: fault.code }),
  };
  if (isThrottle(fault, "")) {
    throw new RateLimitError(message, {
      ...options,
      retryAfterMs: waitMs ?? QUICKBOOKS_RATE_LIMIT_WAIT_MS,
    });
  }
  if (fault.type === "AuthenticationFault" || fault.code === QUICKBOOKS_FAULT.AUTHENTICATION_FAILED)
    throw new AuthError(ErrorCode.AUTH_UNAUTHORIZED, message, options);
  throw new ProviderError(message, { ...options, retryable: false });
}

/**
 * Whether an error is Intuit's "Stale Object Error" (the `SyncToken` sent is out of date).
 *
 * @example
 * ```ts
 * try { await update() } catch (e) { if (isStaleObjectError(e)) refetch() }
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export function isStaleObjectError(error: unknown): boolean {
  return error instanceof PatchbayError && error.providerCode === QUICKBOOKS_FAULT.STALE_OBJECT;
}

/**
 * An update lost to a concurrent change twice in a row: the entity's
 * `SyncToken` moved again after it was refetched. `code` is core's
 * `PATCHBAY_CONFLICT`, `providerCode` Intuit's `5010`; not retryable as is
 * (read the entity again and decide what to write).
 *
 * @example
 * ```ts
 * if (error instanceof SyncTokenConflictError) showConflict(error.entity, error.entityId);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/best-practices
 */
export class SyncTokenConflictError extends PatchbayError {
  /** The entity type, e.g. `Customer`. */
  readonly entity: string;
  /** The entity's `Id`. */
  readonly entityId: string;
  constructor(entity: string, entityId: string, options: PatchbayErrorOptions = {}) {
    super(
      ErrorCode.CONFLICT,
      `QuickBooks ${entity} ${entityId} changed again while it was being updated (Stale Object Error 5010 after a refetch): read it again and retry`,
      { status: 400, providerCode: QUICKBOOKS_FAULT.STALE_OBJECT, retryable: false, ...options },
    );
    this.name = "SyncTokenConflictError";
    this.entity = entity;
    this.entityId = entityId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, entityId: this.entityId };
  }
}
