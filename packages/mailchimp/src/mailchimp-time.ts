/**
 * Mailchimp timestamps are ISO 8601 with whole seconds and an offset
 * (`2015-10-21T15:41:36+00:00`); the `since_*` filters take the same form.
 */

/**
 * Format epoch milliseconds as Mailchimp does (whole seconds, `+00:00`).
 *
 * @example
 * ```ts
 * formatMailchimpTime(Date.UTC(2015, 9, 21, 15, 41, 36)); // "2015-10-21T15:41:36+00:00"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/methods-parameters/
 */
export function formatMailchimpTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/**
 * The later of two Mailchimp timestamps (either may be missing or empty).
 *
 * @example
 * ```ts
 * laterOf("2015-10-21T15:41:36+00:00", null); // "2015-10-21T15:41:36+00:00"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/methods-parameters/
 */
export function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  const ta = a ? Date.parse(a) : Number.NaN;
  const tb = b ? Date.parse(b) : Number.NaN;
  if (Number.isNaN(ta)) return Number.isNaN(tb) ? null : (b as string);
  if (Number.isNaN(tb)) return a as string;
  return tb > ta ? (b as string) : (a as string);
}

/**
 * A `since_*` bound that re-reads the cursor's own second: Mailchimp's
 * filters mean "after", and timestamps have whole seconds, so a change made
 * later in the same second as the newest one seen would otherwise be missed.
 * Records read twice are unchanged and cost nothing.
 *
 * @example
 * ```ts
 * sinceWithOverlap("2015-10-21T15:41:36+00:00"); // "2015-10-21T15:41:35+00:00"
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 */
export function sinceWithOverlap(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms))
    throw new TypeError(`"timestamp" must be an ISO 8601 time, got "${timestamp}"`);
  return formatMailchimpTime(ms - 1000);
}
