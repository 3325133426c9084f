/**
 * TikTok's advanced matching fields: email, phone and external id are
 * normalised and SHA-256 hashed (lowercase hex) before they leave the
 * server; IP, user agent, `ttp` and `ttclid` are sent as they are. The
 * normalisation follows TikTok's own server-side GTM template
 * (tiktok/gtm-template-eapi): email trimmed and lowercased, external id
 * trimmed; phone numbers in E.164 (`+` and digits), as TikTok's docs ask.
 *
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
import { createHash } from "node:crypto";
import { ConfigError } from "@patchbay/core";
import type { TiktokUserInput, TiktokWireUser } from "./schemas.js";

const SHA256_HEX = /^[a-f0-9]{64}$/i;

/**
 * SHA-256 of the UTF-8 bytes, lowercase hex.
 *
 * @example
 * ```ts
 * sha256Hex("jane@example.com");
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * Email: trimmed and lowercased.
 *
 * @example
 * ```ts
 * normalizeEmail(" Jane@Example.com "); // "jane@example.com"
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Phone: E.164, `+` then the country code and number, digits only. A
 * number written with `+` or `00` keeps its code; a national number (a
 * leading trunk `0`, or 10 digits or fewer) gets `defaultCountryCode`;
 * without one it cannot be made E.164 and `undefined` is returned.
 *
 * @example
 * ```ts
 * normalizePhone("(650) 555-1212", "1"); // "+16505551212"
 * normalizePhone("+44 20 7946 0958");    // "+442079460958"
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function normalizePhone(value: string, defaultCountryCode?: string): string | undefined {
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D/g, "");
  const national = digits.replace(/^0+/, "");
  let e164: string | undefined;
  if (/^(\+|00)/.test(trimmed)) e164 = national;
  else if (digits.startsWith("0") || national.length <= 10)
    e164 = defaultCountryCode === undefined ? undefined : `${defaultCountryCode}${national}`;
  else e164 = national;
  return e164 !== undefined && e164.length >= 8 && e164.length <= 15 ? `+${e164}` : undefined;
}

/**
 * External id: trimmed (case kept, as TikTok's template does).
 *
 * @example
 * ```ts
 * normalizeExternalId(" CUST-42 "); // "CUST-42"
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function normalizeExternalId(value: string): string {
  return value.trim();
}

/**
 * The plain-text user as TikTok's `user` object: email, phone and external
 * id hashed (already-hashed values pass through, lowercased), the rest
 * unhashed. A phone that cannot be made E.164 throws a `ConfigError`
 * naming `path`; the value itself is never quoted.
 *
 * @example
 * ```ts
 * hashUser({ email: "Jane@Example.com", ttclid: "E.C.P.abc" }, { path: "events[0].user" });
 * // { email: "<sha256 of jane@example.com>", ttclid: "E.C.P.abc" }
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function hashUser(
  user: TiktokUserInput,
  options: { defaultPhoneCountryCode?: string; path: string },
): TiktokWireUser {
  const hash = (
    value: string,
    normalize: (v: string) => string | undefined,
    field: string,
    rule: string,
  ) => {
    if (SHA256_HEX.test(value.trim())) return value.trim().toLowerCase();
    const normalized = normalize(value);
    if (normalized === undefined || normalized === "")
      throw new ConfigError(`"${options.path}.${field}" ${rule}`);
    return sha256Hex(normalized);
  };
  const out: TiktokWireUser = {};
  if (user.email !== undefined)
    out.email = hash(user.email, normalizeEmail, "email", "must not be empty");
  if (user.phone !== undefined)
    out.phone = hash(
      user.phone,
      (v) => normalizePhone(v, options.defaultPhoneCountryCode),
      "phone",
      "must include its country code (+1 650 555 1212), or set the connection's defaultPhoneCountryCode",
    );
  if (user.externalId !== undefined)
    out.external_id = hash(user.externalId, normalizeExternalId, "externalId", "must not be empty");
  if (user.ip !== undefined) out.ip = user.ip.trim();
  if (user.userAgent !== undefined) out.user_agent = user.userAgent;
  if (user.ttp !== undefined) out.ttp = user.ttp.trim();
  if (user.ttclid !== undefined) out.ttclid = user.ttclid.trim();
  return out;
}
