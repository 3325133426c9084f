/**
 * Meta's customer information parameters: each contact field normalised the
 * way Meta specifies, then SHA-256 hashed (lowercase hex). Browser fields
 * (IP, user agent, `fbc`, `fbp`) are sent as they are.
 *
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
import { createHash } from "node:crypto";
import { ConfigError } from "@patchbay/core";
import type { MetaUserData, MetaUserInput } from "./schemas.js";

const SHA256_HEX = /^[a-f0-9]{64}$/i;

/**
 * SHA-256 of the UTF-8 bytes, lowercase hex.
 *
 * @example
 * ```ts
 * sha256Hex("john_smith@gmail.com"); // "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * Whether a value is already a SHA-256 hex digest (then it is sent as is,
 * lowercased, as Meta's SDK does).
 *
 * @example
 * ```ts
 * isSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"); // true
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value.trim());
}

/**
 * `em`: trim, lowercase.
 *
 * @example
 * ```ts
 * normalizeEmail(" John_Smith@gmail.com "); // "john_smith@gmail.com"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * `ph`: digits only, no leading zeros, with the country code. A number
 * written with `+` or an international `00` prefix keeps its own code; a
 * national number (a leading trunk `0`, or 10 digits or fewer) gets
 * `defaultCountryCode` when one is configured, else it is sent as digits
 * and `missingCountryCode` is set.
 *
 * @example
 * ```ts
 * normalizePhone("(650)555-1212", "1").value; // "16505551212"
 * normalizePhone("+44 20 7946 0958").value;   // "442079460958"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizePhone(
  value: string,
  defaultCountryCode?: string,
): { value: string; missingCountryCode: boolean } {
  const trimmed = value.trim();
  const international = /^(\+|00)/.test(trimmed);
  const digits = trimmed.replace(/\D/g, "");
  const national = digits.replace(/^0+/, "");
  if (international) return { value: national, missingCountryCode: false };
  const looksNational = digits.startsWith("0") || national.length <= 10;
  if (looksNational && defaultCountryCode !== undefined)
    return { value: `${defaultCountryCode}${national}`, missingCountryCode: false };
  return { value: national, missingCountryCode: looksNational };
}

/**
 * `fn`, `ln`: lowercase, no punctuation or symbols, whitespace collapsed;
 * letters outside a-z are kept (UTF-8), as Meta's examples show (`Valéry` → `valéry`).
 *
 * @example
 * ```ts
 * normalizeName("  O'Brien "); // "obrien"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeName(value: string): string {
  return value
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * `ct`: lowercase letters only: no spaces, digits or punctuation.
 *
 * @example
 * ```ts
 * normalizeCity("Menlo Park"); // "menlopark"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeCity(value: string): string {
  return value.toLowerCase().replace(/[^\p{L}\p{M}]/gu, "");
}

const US_STATES: Record<string, string> = {
  alabama: "al",
  alaska: "ak",
  arizona: "az",
  arkansas: "ar",
  california: "ca",
  colorado: "co",
  connecticut: "ct",
  delaware: "de",
  districtofcolumbia: "dc",
  florida: "fl",
  georgia: "ga",
  hawaii: "hi",
  idaho: "id",
  illinois: "il",
  indiana: "in",
  iowa: "ia",
  kansas: "ks",
  kentucky: "ky",
  louisiana: "la",
  maine: "me",
  maryland: "md",
  massachusetts: "ma",
  michigan: "mi",
  minnesota: "mn",
  mississippi: "ms",
  missouri: "mo",
  montana: "mt",
  nebraska: "ne",
  nevada: "nv",
  newhampshire: "nh",
  newjersey: "nj",
  newmexico: "nm",
  newyork: "ny",
  northcarolina: "nc",
  northdakota: "nd",
  ohio: "oh",
  oklahoma: "ok",
  oregon: "or",
  pennsylvania: "pa",
  rhodeisland: "ri",
  southcarolina: "sc",
  southdakota: "sd",
  tennessee: "tn",
  texas: "tx",
  utah: "ut",
  vermont: "vt",
  virginia: "va",
  washington: "wa",
  westvirginia: "wv",
  wisconsin: "wi",
  wyoming: "wy",
};

/**
 * `st`: the 2-letter code in lowercase for US states (a full US state name
 * is converted); elsewhere lowercase letters only, no spaces or punctuation.
 *
 * @example
 * ```ts
 * normalizeState("CA");         // "ca"
 * normalizeState("California"); // "ca"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeState(value: string): string {
  const letters = value.toLowerCase().replace(/[^\p{L}\p{M}]/gu, "");
  return US_STATES[letters] ?? letters;
}

/**
 * `zp`: lowercase, no spaces or dashes; a US ZIP+4 keeps its first 5 digits.
 *
 * @example
 * ```ts
 * normalizeZip("94025-1234"); // "94025"
 * normalizeZip("SW1A 1AA");   // "sw1a1aa"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeZip(value: string): string {
  const trimmed = value.trim().toLowerCase();
  const zipPlus4 = /^(\d{5})[\s-]?\d{4}$/.exec(trimmed);
  if (zipPlus4) return zipPlus4[1]!;
  return trimmed.replace(/[\s-]/g, "");
}

/**
 * `country`: the ISO 3166-1 alpha-2 code, lowercase; anything else is refused.
 *
 * @example
 * ```ts
 * normalizeCountry("US"); // "us"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeCountry(value: string): string | undefined {
  const code = value.trim().toLowerCase();
  return /^[a-z]{2}$/.test(code) ? code : undefined;
}

/**
 * `ge`: `f` or `m`.
 *
 * @example
 * ```ts
 * normalizeGender("Female"); // "f"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeGender(value: string): string | undefined {
  const g = value.trim().toLowerCase();
  if (g === "f" || g === "female") return "f";
  if (g === "m" || g === "male") return "m";
  return undefined;
}

/**
 * `db`: `YYYYMMDD`.
 *
 * @example
 * ```ts
 * normalizeDateOfBirth("1990-07-04"); // "19900704"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeDateOfBirth(value: string): string | undefined {
  const digits = value.replace(/\D/g, "");
  return /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(digits) ? digits : undefined;
}

/**
 * `external_id`: trimmed and lowercased before hashing, as Meta's SDK does.
 *
 * @example
 * ```ts
 * normalizeExternalId(" CUST-42 "); // "cust-42"
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function normalizeExternalId(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * What {@link hashUserData} reports besides the wire object.
 *
 * @example
 * ```ts
 * const { userData, phonesWithoutCountryCode }: HashedUserData = hashUserData(user, { path: "user" });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export interface HashedUserData {
  userData: MetaUserData;
  /** Phone numbers sent without a country code (set `defaultPhoneCountryCode`). */
  phonesWithoutCountryCode: number;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/**
 * Turn the plain-text user into Meta's `user_data`: contact fields
 * normalised and SHA-256 hashed (already-hashed values pass through),
 * browser fields unhashed. A value that cannot be normalised (a country
 * that is not a 2-letter code, a date of birth that is not a date) throws a
 * `ConfigError` naming `path`; the value itself is never quoted.
 *
 * @example
 * ```ts
 * hashUserData({ email: "John_Smith@gmail.com", phone: "(650)555-1212" }, { defaultPhoneCountryCode: "1", path: "events[0].user" }).userData;
 * // { em: ["62a14e44..."], ph: ["e323ec62..."] }
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
 */
export function hashUserData(
  user: MetaUserInput,
  options: { defaultPhoneCountryCode?: string; path: string },
): HashedUserData {
  const out: MetaUserData = {};
  let phonesWithoutCountryCode = 0;
  const fail = (field: string, rule: string): never => {
    throw new ConfigError(`"${options.path}.${field}" ${rule}`);
  };
  const hash = (
    value: string,
    normalize: (v: string) => string | undefined,
    field: string,
    rule: string,
  ) => {
    if (isSha256Hex(value)) return value.trim().toLowerCase();
    const normalized = normalize(value);
    if (normalized === undefined || normalized === "") return fail(field, rule);
    return sha256Hex(normalized);
  };

  const emails = list(user.email).map((v) => hash(v, normalizeEmail, "email", "must not be empty"));
  if (emails.length > 0) out.em = emails;
  const phones = list(user.phone).map((v) =>
    hash(
      v,
      (raw) => {
        const phone = normalizePhone(raw, options.defaultPhoneCountryCode);
        if (phone.missingCountryCode) phonesWithoutCountryCode++;
        return phone.value.length >= 7 && phone.value.length <= 15 ? phone.value : undefined;
      },
      "phone",
      "must be a phone number of 7 to 15 digits with its country code",
    ),
  );
  if (phones.length > 0) out.ph = phones;
  if (user.firstName !== undefined)
    out.fn = hash(user.firstName, normalizeName, "firstName", "must contain letters");
  if (user.lastName !== undefined)
    out.ln = hash(user.lastName, normalizeName, "lastName", "must contain letters");
  if (user.gender !== undefined)
    out.ge = hash(user.gender, normalizeGender, "gender", 'must be "f" or "m"');
  if (user.dateOfBirth !== undefined)
    out.db = hash(
      user.dateOfBirth,
      normalizeDateOfBirth,
      "dateOfBirth",
      "must be a date, YYYYMMDD or YYYY-MM-DD",
    );
  if (user.city !== undefined)
    out.ct = hash(user.city, normalizeCity, "city", "must contain letters");
  if (user.state !== undefined)
    out.st = hash(user.state, normalizeState, "state", "must contain letters");
  if (user.zip !== undefined) out.zp = hash(user.zip, normalizeZip, "zip", "must not be empty");
  if (user.country !== undefined)
    out.country = hash(
      user.country,
      normalizeCountry,
      "country",
      "must be a 2-letter ISO 3166-1 code such as US",
    );
  const externalIds = list(user.externalId).map((v) =>
    hash(v, normalizeExternalId, "externalId", "must not be empty"),
  );
  if (externalIds.length > 0) out.external_id = externalIds;
  // Never hashed: Meta needs these as the browser sent them.
  if (user.clientIpAddress !== undefined) out.client_ip_address = user.clientIpAddress.trim();
  if (user.clientUserAgent !== undefined) out.client_user_agent = user.clientUserAgent;
  if (user.fbc !== undefined) out.fbc = user.fbc.trim();
  if (user.fbp !== undefined) out.fbp = user.fbp.trim();
  return { userData: out, phonesWithoutCountryCode };
}
