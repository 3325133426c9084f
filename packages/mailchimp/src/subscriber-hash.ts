import { createHash } from "node:crypto";

/**
 * A member's id in Mailchimp: the MD5 hash of the lowercase email address
 * (surrounding spaces removed), in hex. Member URLs use it
 * (`/lists/{list_id}/members/{subscriber_hash}`), so a contact can be
 * upserted without looking it up first.
 *
 * @throws TypeError when `email` is not a non-empty string.
 * @example
 * ```ts
 * subscriberHash("Urist.McVankab@freddiesjokes.com"); // "62eeb292278cc15f5817cb78f7790b08"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/methods-parameters/#path-parameters
 */
export function subscriberHash(email: string): string {
  if (typeof email !== "string" || email.trim() === "") {
    throw new TypeError('"email" must be a non-empty string');
  }
  return createHash("md5").update(email.trim().toLowerCase(), "utf8").digest("hex");
}
