import type { RetryPolicy } from "./types.js";

/**
 * The retry policy used when a connector declares none: 4 retries, backoff
 * from 250 ms doubling up to 30 s, and at most 60 s of `Retry-After` waited
 * inside one call.
 *
 * @example
 * ```ts
 * createHttpClient({ baseUrl, retry: { ...DEFAULT_RETRY_POLICY, retries: 2 } })
 * ```
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 4,
  minDelayMs: 250,
  maxDelayMs: 30_000,
  factor: 2,
  maxRetryAfterMs: 60_000,
});

/** The longest delay `setTimeout` accepts (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Merge a partial policy over `base` and check every field, so a typo in a
 * connector's declaration fails when the client is created rather than on the
 * first outage.
 *
 * @throws TypeError naming the offending field.
 * @example
 * ```ts
 * resolveRetryPolicy({ retries: 2 }) // { retries: 2, minDelayMs: 250, ... }
 * ```
 */
export function resolveRetryPolicy(
  partial: Partial<RetryPolicy> | undefined,
  base: Readonly<RetryPolicy> = DEFAULT_RETRY_POLICY,
): RetryPolicy {
  if (partial !== undefined && (partial === null || typeof partial !== "object")) {
    throw new TypeError('"retry" must be an object or false');
  }
  const policy: RetryPolicy = { ...base };
  for (const key of Object.keys(policy) as (keyof RetryPolicy)[]) {
    const value = partial?.[key];
    if (value !== undefined) policy[key] = value;
  }
  if (!Number.isSafeInteger(policy.retries) || policy.retries < 0) {
    throw new TypeError('"retries" must be a non-negative integer');
  }
  for (const key of ["minDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    const value = policy[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`"${key}" must be a non-negative number`);
    }
  }
  if (policy.maxDelayMs < policy.minDelayMs) {
    throw new TypeError('"maxDelayMs" must be greater than or equal to "minDelayMs"');
  }
  if (typeof policy.factor !== "number" || !Number.isFinite(policy.factor) || policy.factor < 1) {
    throw new TypeError('"factor" must be a number greater than or equal to 1');
  }
  return policy;
}

/**
 * The delay before the next retry, with "full jitter": a uniformly random
 * delay between 0 and `min(maxDelayMs, minDelayMs * factor ** attempt)`.
 * Full jitter spreads clients that failed together so they do not retry
 * together.
 *
 * @param attempt Retries already made: 0 before the first retry, 1 before the second, ...
 * @param policy Backoff bounds; defaults to {@link DEFAULT_RETRY_POLICY}.
 * @param random A source of numbers in [0, 1); injectable for tests.
 * @returns Whole milliseconds.
 * @throws TypeError when `attempt` is not a non-negative integer.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @example
 * ```ts
 * computeBackoff(0, DEFAULT_RETRY_POLICY, () => 0.5) // 125 (half of 250)
 * computeBackoff(2, DEFAULT_RETRY_POLICY, () => 0.999) // 999 (ceiling 1000)
 * ```
 */
export function computeBackoff(
  attempt: number,
  policy: Pick<RetryPolicy, "minDelayMs" | "maxDelayMs" | "factor"> = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new TypeError('"attempt" must be a non-negative integer');
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** attempt);
  const r = random();
  // A misbehaving random source must not produce a negative or oversized wait.
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(ceiling * unit);
}

const DELTA_SECONDS = /^\d+$/;
/** IMF-fixdate, obsolete RFC 850 and asctime dates all start with a day name. */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/i;

/**
 * Parse a `Retry-After` header (RFC 9110 §10.2.3) into milliseconds to wait.
 * Accepts both forms: delay-seconds (`"120"`) and an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, plus the obsolete RFC 850 and asctime
 * forms). A date in the past means "now" (0). Anything else — negative or
 * fractional numbers, epoch timestamps in other headers such as
 * `X-RateLimit-Reset`, garbage — returns `undefined`; provider-specific
 * headers belong in the connector's `parseError` (`retryAfterMs`).
 *
 * @param headerValue The raw header value, or `null`/`undefined` when absent.
 * @param now The current time in epoch milliseconds; injectable for tests.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 * @example
 * ```ts
 * parseRetryAfter("2") // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("2015-10-21T07:28:00Z")) // 30000
 * parseRetryAfter(response.headers.get("retry-after")) // undefined when absent
 * ```
 */
export function parseRetryAfter(
  headerValue: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (typeof headerValue !== "string") return undefined;
  const value = headerValue.trim();
  if (value === "") return undefined;
  if (DELTA_SECONDS.test(value)) {
    const ms = Number(value) * 1000;
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  if (!HTTP_DATE.test(value)) return undefined;
  // asctime dates carry no zone but are defined as GMT; without one Date.parse would use local time.
  const withZone = /\b(?:GMT|UTC)$/i.test(value) ? value : `${value} GMT`;
  const at = Date.parse(withZone);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Wait `ms` milliseconds, or until `signal` aborts — then reject with the
 * signal's `reason` (an `AbortError` `DOMException` unless the aborter gave
 * one). Leaves no timer or listener behind either way.
 *
 * @throws TypeError when `ms` is not a non-negative number.
 * @example
 * ```ts
 * await sleep(250, request.signal)
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0) {
    return Promise.reject(new TypeError('"ms" must be a non-negative number'));
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms === 0 && signal === undefined) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
