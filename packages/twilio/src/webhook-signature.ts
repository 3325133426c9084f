/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed
 * with the account's Auth Token, over the full URL Twilio requested followed
 * by each POST parameter (sorted by name) as `name` + `value`. For JSON
 * bodies Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the URL, signs
 * the URL alone, and the body hash is checked separately.
 *
 * Checked against the official `twilio` SDK's `validateRequest` /
 * `validateRequestWithBody` in this package's tests.
 */
import { createHash } from "node:crypto";
import { hmac, timingSafeEqual, type WebhookDelivery } from "@patchbay/core";

/**
 * The header carrying the signature (lowercase, as `Headers` reads it).
 *
 * @example
 * ```ts
 * delivery.headers.get(TWILIO_SIGNATURE_HEADER);
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

/**
 * POST parameters as signed: a repeated name (`MediaUrl0`… never repeat, but
 * `StatusCallbackEvent` can) is an array of its values.
 *
 * @example
 * ```ts
 * const params: TwilioSignedParams = { From: "+15125550123", Body: "C" };
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export type TwilioSignedParams = Record<string, string | readonly string[]>;

/**
 * The signature Twilio sends for a request: base64(HMAC-SHA1(authToken,
 * url + sorted `name` + `value` pairs)). A repeated name contributes its
 * distinct values in sorted order, as the official SDK does.
 *
 * @example
 * ```ts
 * twilioSignature(authToken, "https://app.example.com/integrations/webhooks/twilio", { Body: "C", From: "+15125550123" });
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security#validating-signatures-from-twilio
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: TwilioSignedParams = {},
): string {
  if (typeof authToken !== "string" || authToken === "")
    throw new TypeError('"authToken" must be a non-empty string');
  if (typeof url !== "string" || url === "") throw new TypeError('"url" must be the full URL');
  const parts: string[] = [url];
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (typeof value === "string") parts.push(name, value);
    else for (const item of [...new Set(value)].sort()) parts.push(name, item);
  }
  return hmac("sha1", authToken, parts.join(""), "base64");
}

/**
 * The hex SHA-256 of a JSON body, which Twilio puts in the URL as `bodySHA256`.
 *
 * @example
 * ```ts
 * const url = `${webhookUrl}?bodySHA256=${twilioBodyHash(body)}`;
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security#validating-requests-with-a-json-body
 */
export function twilioBodyHash(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

/**
 * The URL as received and with its port added or removed: Twilio may sign
 * either form (the official SDK tries both).
 */
function urlVariants(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (match === null) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf("@");
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const defaultPort = scheme.toLowerCase() === "https://" ? ":443" : ":80";
  const withoutPort = `${scheme}${userInfo}${host}${rest}`;
  const withPort = colon === -1 ? `${scheme}${userInfo}${host}${defaultPort}${rest}` : url;
  return [...new Set([url, withoutPort, withPort])];
}

/**
 * Check an `X-Twilio-Signature` for a URL and parameters, in constant time,
 * trying the URL with and without its port. `false` for a missing signature
 * or Auth Token.
 *
 * @example
 * ```ts
 * verifyTwilioSignature({ authToken, url, params: { Body: "C", From: "+15125550123" }, signature });
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security#validating-signatures-from-twilio
 */
export function verifyTwilioSignature(check: {
  authToken: string | null | undefined;
  url: string;
  params?: TwilioSignedParams;
  signature: string | null | undefined;
}): boolean {
  const { authToken, signature } = check;
  if (typeof authToken !== "string" || authToken === "") return false;
  if (typeof signature !== "string" || signature === "") return false;
  let ok = false;
  // Every variant is computed, so the time taken does not say which one matched.
  for (const url of urlVariants(check.url)) {
    if (timingSafeEqual(signature, twilioSignature(authToken, url, check.params ?? {}))) ok = true;
  }
  return ok;
}

/**
 * A form body's parameters as signed: a repeated name becomes an array.
 *
 * @example
 * ```ts
 * formParams("Body=Hi&MediaUrl=a&MediaUrl=b"); // { Body: "Hi", MediaUrl: ["a", "b"] }
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function formParams(text: string): TwilioSignedParams {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (typeof seen === "string") out[name] = [seen, value];
    else seen.push(value);
  }
  return out;
}

/**
 * Check a webhook delivery the way Twilio signs it. A URL carrying
 * `bodySHA256` (JSON bodies): the signature covers the URL alone and the
 * body's SHA-256 must equal `bodySHA256`. Otherwise: the URL plus the
 * form-encoded POST parameters. Constant-time; `false` without a token.
 *
 * @example
 * ```ts
 * webhooks: { secret: "connection", verify: (delivery, secrets) => verifyTwilioRequest(delivery, secrets.connection) }
 * ```
 * @see https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function verifyTwilioRequest(
  delivery: Pick<WebhookDelivery, "headers" | "url" | "rawBody" | "text">,
  authToken: string | null | undefined,
): boolean {
  const signature = delivery.headers.get(TWILIO_SIGNATURE_HEADER);
  const url = delivery.url.href;
  const bodyHash = delivery.url.searchParams.get("bodySHA256");
  if (bodyHash !== null) {
    const signed = verifyTwilioSignature({ authToken, url, signature });
    const hashOk = timingSafeEqual(bodyHash.toLowerCase(), twilioBodyHash(delivery.rawBody));
    return signed && hashOk;
  }
  const type = delivery.headers.get("content-type") ?? "";
  const params = /^application\/x-www-form-urlencoded\b/i.test(type)
    ? formParams(delivery.text)
    : {};
  return verifyTwilioSignature({ authToken, url, params, signature });
}
