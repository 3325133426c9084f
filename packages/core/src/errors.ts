import { redactValue } from "./redact.js";

/**
 * Every error code Patchbay throws. Codes are stable: hosts can switch on them
 * to decide what to show a user ("reconnect Google Sheets", "upgrade your plan").
 *
 * @example
 * ```ts
 * try { await patchbay.connect.finish(url, { tenantId }) }
 * catch (e) { if (isPatchbayError(e) && e.code === ErrorCode.CONNECT_DENIED) showDenied() }
 * ```
 */
export const ErrorCode = {
  /** Host configuration or input is invalid (bad connector config, missing option). */
  CONFIG_INVALID: "PATCHBAY_CONFIG_INVALID",
  /** A vault key is missing or malformed. Raised at startup, never silently ignored. */
  VAULT_KEY_INVALID: "PATCHBAY_VAULT_KEY_INVALID",
  /** A sealed credential could not be opened (tampered, moved to another row, or key unknown). */
  VAULT_OPEN_FAILED: "PATCHBAY_VAULT_OPEN_FAILED",
  /** The provider rejected the credentials; one refresh was tried and did not help. */
  AUTH_UNAUTHORIZED: "PATCHBAY_AUTH_UNAUTHORIZED",
  /** The grant was revoked or expired (`invalid_grant`): the user must reconnect. */
  AUTH_NEEDS_REAUTH: "PATCHBAY_AUTH_NEEDS_REAUTH",
  /** Refreshing the token failed for a transient reason; it will be retried. */
  AUTH_REFRESH_FAILED: "PATCHBAY_AUTH_REFRESH_FAILED",
  /** The OAuth `state` is unknown, already used, or belongs to another tenant. */
  CONNECT_STATE_INVALID: "PATCHBAY_CONNECT_STATE_INVALID",
  /** The OAuth `state` is older than the session lifetime (10 minutes by default). */
  CONNECT_STATE_EXPIRED: "PATCHBAY_CONNECT_STATE_EXPIRED",
  /** The user declined at the provider's consent screen (`error=access_denied`). */
  CONNECT_DENIED: "PATCHBAY_CONNECT_DENIED",
  /** The provider returned another error on the callback or the code exchange. */
  CONNECT_FAILED: "PATCHBAY_CONNECT_FAILED",
  /** The connector's test-connection check failed after authorization. */
  CONNECT_TEST_FAILED: "PATCHBAY_CONNECT_TEST_FAILED",
  /** The provider answered 429 (or its own rate-limit signal). */
  RATE_LIMITED: "PATCHBAY_RATE_LIMITED",
  /** The provider answered with an error status. */
  PROVIDER_ERROR: "PATCHBAY_PROVIDER_ERROR",
  /** The requested thing does not exist (at the provider, or in the store for this tenant). */
  NOT_FOUND: "PATCHBAY_NOT_FOUND",
  /** A model's incremental cursor is no longer valid at the provider; the engine lists everything instead. */
  CURSOR_EXPIRED: "PATCHBAY_CURSOR_EXPIRED",
  /** The request never got an HTTP answer (DNS, reset, TLS). */
  NETWORK: "PATCHBAY_NETWORK",
  /** The request took longer than its timeout. */
  TIMEOUT: "PATCHBAY_TIMEOUT",
  /** The store failed (connection lost, serialization failure, constraint). */
  STORAGE: "PATCHBAY_STORAGE",
  /** A compare-and-swap lost to a concurrent writer, or the model is busy. */
  CONFLICT: "PATCHBAY_CONFLICT",
  /** The tenant's plan does not allow this (more connections, a faster schedule, more records). */
  LIMIT_EXCEEDED: "PATCHBAY_LIMIT_EXCEEDED",
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options shared by every Patchbay error. */
export interface PatchbayErrorOptions {
  /** HTTP status the provider answered with, if any. */
  status?: number;
  /** The provider's own error code (`invalid_grant`, `RATE_LIMIT_EXCEEDED`, ...). */
  providerCode?: string;
  /** The underlying error or the provider's (redacted) response body. */
  cause?: unknown;
  /** Whether retrying the same operation later can succeed. */
  retryable?: boolean;
}

/**
 * Base class of the closed Patchbay error family. Messages never contain
 * secrets; `cause` is redacted when the error is created.
 */
export class PatchbayError extends Error {
  /** Stable machine-readable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** HTTP status from the provider, when there was one. */
  readonly status: number | undefined;
  /** The provider's own error code, when it sent one. */
  readonly providerCode: string | undefined;
  /** Whether the same operation may succeed if retried later. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: PatchbayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: redactValue(options.cause) });
    this.name = "PatchbayError";
    this.code = code;
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.retryable = options.retryable ?? false;
  }

  /** A JSON shape safe to log or return to a browser: no secrets, no stack. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      providerCode: this.providerCode,
      retryable: this.retryable,
    };
  }
}

/** Invalid host input or configuration. The message names the field and the fix. */
export class ConfigError extends PatchbayError {
  constructor(message: string, options: PatchbayErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCode.CONFIG_INVALID, message, options);
    this.name = "ConfigError";
  }
}

/** A sealed credential could not be opened, or the keyring is unusable. */
export class VaultError extends PatchbayError {
  constructor(
    code: typeof ErrorCode.VAULT_KEY_INVALID | typeof ErrorCode.VAULT_OPEN_FAILED,
    message: string,
    options: PatchbayErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = "VaultError";
  }
}

/** Authentication with the provider failed or the user must reconnect. */
export class AuthError extends PatchbayError {
  constructor(
    code:
      | typeof ErrorCode.AUTH_UNAUTHORIZED
      | typeof ErrorCode.AUTH_NEEDS_REAUTH
      | typeof ErrorCode.AUTH_REFRESH_FAILED,
    message: string,
    options: PatchbayErrorOptions = {},
  ) {
    super(code, message, { retryable: code === ErrorCode.AUTH_REFRESH_FAILED, ...options });
    this.name = "AuthError";
  }
}

/** The OAuth connect flow failed: bad state, user denied, exchange or test failed. */
export class ConnectError extends PatchbayError {
  constructor(
    code:
      | typeof ErrorCode.CONNECT_STATE_INVALID
      | typeof ErrorCode.CONNECT_STATE_EXPIRED
      | typeof ErrorCode.CONNECT_DENIED
      | typeof ErrorCode.CONNECT_FAILED
      | typeof ErrorCode.CONNECT_TEST_FAILED,
    message: string,
    options: PatchbayErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = "ConnectError";
  }
}

/** The provider is rate limiting. `retryAfterMs` says how long it asked us to wait. */
export class RateLimitError extends PatchbayError {
  /** Milliseconds the provider asked to wait (from `Retry-After` or its own headers). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: PatchbayErrorOptions & { retryAfterMs?: number } = {}) {
    super(ErrorCode.RATE_LIMITED, message, { retryable: true, status: 429, ...options });
    this.name = "RateLimitError";
    this.retryAfterMs = options.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** The provider answered with an error status not covered by a narrower class. */
export class ProviderError extends PatchbayError {
  constructor(message: string, options: PatchbayErrorOptions = {}) {
    const status = options.status;
    super(ErrorCode.PROVIDER_ERROR, message, {
      retryable: status !== undefined && status >= 500,
      ...options,
    });
    this.name = "ProviderError";
  }
}

/** The thing asked for does not exist (or is not visible to this tenant). */
export class NotFoundError extends PatchbayError {
  constructor(message: string, options: PatchbayErrorOptions = {}) {
    super(ErrorCode.NOT_FOUND, message, { status: 404, ...options });
    this.name = "NotFoundError";
  }
}

/**
 * A model's `sync` throws this when its incremental cursor is no longer
 * valid at the provider (Gmail answers 404 for a history id older than
 * about a week). The engine then restarts the run as a full listing, so
 * records deleted meanwhile are detected, and keeps the new cursor the full
 * listing yields. Thrown anywhere else, it fails the run like any error.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof NotFoundError) throw new CursorExpiredError("history id out of range", { cause: error });
 *   throw error;
 * }
 * ```
 */
export class CursorExpiredError extends PatchbayError {
  constructor(message: string, options: PatchbayErrorOptions = {}) {
    super(ErrorCode.CURSOR_EXPIRED, message, { retryable: true, ...options });
    this.name = "CursorExpiredError";
  }
}

/** No HTTP answer: network failure or timeout. Always retryable. */
export class NetworkError extends PatchbayError {
  constructor(
    code: typeof ErrorCode.NETWORK | typeof ErrorCode.TIMEOUT,
    message: string,
    options: PatchbayErrorOptions = {},
  ) {
    super(code, message, { retryable: true, ...options });
    this.name = "NetworkError";
  }
}

/** The store failed. `code` is {@link ErrorCode.CONFLICT} when a compare-and-swap lost. */
export class StorageError extends PatchbayError {
  constructor(
    message: string,
    options: PatchbayErrorOptions & {
      code?: typeof ErrorCode.STORAGE | typeof ErrorCode.CONFLICT;
    } = {},
  ) {
    super(options.code ?? ErrorCode.STORAGE, message, options);
    this.name = "StorageError";
  }
}

/** The plan limits a host can set per tenant; see `createPatchbay({ limits })`. */
export type LimitName =
  | "maxConnections"
  | "allowedConnectors"
  | "minScheduleMinutes"
  | "recordsPerMonth"
  | "manualOnly";

/**
 * The tenant's plan does not allow the operation. `message` is written to be
 * shown to the end user ("Your plan syncs at most every 60 minutes…");
 * `limit` names the limit so a host can link to the right upgrade.
 */
export class LimitError extends PatchbayError {
  /** Which plan limit was hit. */
  readonly limit: LimitName;
  constructor(limit: LimitName, message: string) {
    super(ErrorCode.LIMIT_EXCEEDED, message);
    this.name = "LimitError";
    this.limit = limit;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limit: this.limit };
  }
}

/** True when `value` is any Patchbay error. */
export function isPatchbayError(value: unknown): value is PatchbayError {
  return value instanceof PatchbayError;
}
