/**
 * Cloud Pub/Sub authenticated push, as Google's connectors (Gmail watch,
 * Business Profile notifications) receive it: Pub/Sub POSTs each message to
 * the host's webhook URL with `Authorization: Bearer <OIDC token>`, a JWT
 * RS256-signed by one of Google's published keys, issued by
 * `accounts.google.com` for the subscription's audience and naming the
 * service account the subscription authenticates as. The body is the push
 * envelope `{ message: { data (base64), messageId, publishTime, attributes },
 * subscription }`.
 *
 * Implemented on `node:crypto`: no JOSE dependency. Key resolvers made with
 * `jose` (`createLocalJWKSet`, `createRemoteJWKSet`) are accepted as `jwks`.
 *
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
import { createPublicKey, type JsonWebKey, KeyObject, verify, type webcrypto } from "node:crypto";
import type { WebhookDelivery, WebhookSpec } from "@patchbay/core";

/**
 * Google's OAuth 2.0 signing keys as a JSON Web Key Set: Pub/Sub push tokens
 * are signed with them.
 *
 * @example
 * ```ts
 * const jwks: JsonWebKeySet = await (await fetch(GOOGLE_CERTS_URL)).json();
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export const GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v3/certs";

/**
 * The `iss` values of Google-signed OIDC tokens (Pub/Sub push sends the first).
 *
 * @example
 * ```ts
 * GOOGLE_ISSUERS.includes("https://accounts.google.com"); // true
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"] as const;

/**
 * A JSON Web Key Set (`{ keys: [...] }`), as Google serves at {@link GOOGLE_CERTS_URL}.
 *
 * @example
 * ```ts
 * const jwks: JsonWebKeySet = { keys: [{ kty: "RSA", kid: "k1", alg: "RS256", n: "...", e: "AQAB" }] };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export interface JsonWebKeySet {
  keys: Array<JsonWebKey & { kid?: string; alg?: string; use?: string }>;
}

/**
 * A push token's protected header, as handed to a {@link PubSubKeyResolver}.
 *
 * @example
 * ```ts
 * const header: PubSubTokenHeader = { alg: "RS256", kid: "a1b2c3", typ: "JWT" };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export interface PubSubTokenHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

/**
 * Finds the key a push token was signed with, from its (not yet verified)
 * header. Return a `KeyObject`, a `CryptoKey` or a public JWK, or
 * `undefined` (or throw) when there is none. A `jose` resolver
 * (`createLocalJWKSet(...)`, `createRemoteJWKSet(...)`) fits as is, and so
 * does {@link googleKeySource}.
 *
 * @example
 * ```ts
 * const resolver: PubSubKeyResolver = (header) => keysById.get(header.kid ?? "");
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export type PubSubKeyResolver = (
  header: PubSubTokenHeader,
  token: { protected: string; payload: string; signature: string },
) => unknown;

/**
 * What a push must be to be accepted.
 *
 * @example
 * ```ts
 * const options: PubSubPushOptions = {
 *   audience: "https://app.example.com/webhooks/gmail",
 *   serviceAccountEmail: "gmail-push@acme.iam.gserviceaccount.com",
 * };
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export interface PubSubPushOptions {
  /** The audience set on the push subscription (by default Google uses the push endpoint URL). */
  audience: string;
  /** The service account the push subscription authenticates as. */
  serviceAccountEmail: string;
  /**
   * Keys to verify push tokens with: a key set or a key resolver. Default:
   * Google's published keys ({@link GOOGLE_CERTS_URL}), fetched and cached
   * (see {@link googleKeySource}).
   */
  jwks?: JsonWebKeySet | PubSubKeyResolver;
  /** How Google's keys are fetched when `jwks` is not given. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock (epoch ms) `exp` and `iat` are checked against. Default: `Date.now`. */
  now?: () => number;
  /** Clock skew allowed on `exp`, `iat` and `nbf`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
}

/**
 * The claims of a verified push token.
 *
 * @example
 * ```ts
 * const { email, aud } = (await verifyPubSubPush(request, options)).claims;
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#jwt_format
 */
export interface PubSubPushClaims {
  iss: string;
  aud: string | string[];
  email: string;
  email_verified: true;
  /** Epoch seconds. */
  exp: number;
  /** Epoch seconds. */
  iat: number;
  sub?: string;
  azp?: string;
  [claim: string]: unknown;
}

/**
 * A decoded push envelope.
 *
 * @example
 * ```ts
 * const push: PubSubPushMessage = decodePubSubPush(await request.json());
 * JSON.parse(push.text); // Gmail: { emailAddress, historyId }
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
export interface PubSubPushMessage {
  /** `message.data` decoded from base64: the bytes the publisher sent. */
  data: Uint8Array;
  /** `data` as UTF-8 text (Google's publishers send JSON). */
  text: string;
  /** `message.messageId` (or its alias `message_id`); unique per topic. */
  messageId: string | undefined;
  /** `message.publishTime` (or `publish_time`), RFC 3339. */
  publishTime: string | undefined;
  /** `message.attributes`; `{}` when absent. */
  attributes: Record<string, string>;
  /** The push subscription, `projects/<project>/subscriptions/<name>`. */
  subscription: string | undefined;
  /**
   * `<subscription>:<messageId>`, the key to deduplicate redeliveries with
   * (Pub/Sub delivers at least once); `undefined` without a message id.
   */
  deliveryId: string | undefined;
}

/**
 * A push whose token verified, with its decoded envelope.
 *
 * @example
 * ```ts
 * const { message, claims } = await verifyPubSubPush(request, options);
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export interface VerifiedPubSubPush {
  message: PubSubPushMessage;
  claims: PubSubPushClaims;
}

/**
 * Why a push was refused.
 *
 * @example
 * ```ts
 * if (error instanceof PubSubPushError && error.code === "wrong_audience") reconfigure();
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export type PubSubPushErrorCode =
  | "missing_token"
  | "malformed_token"
  | "unsupported_algorithm"
  | "unknown_key"
  | "keys_unavailable"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid"
  | "wrong_service_account"
  | "email_not_verified"
  | "malformed_envelope";

/**
 * A push that is not a genuine Pub/Sub delivery for the configured
 * subscription. `code` says why, `field` names the header, claim or envelope
 * field at fault, and the message says what to fix. Messages never contain
 * the token.
 *
 * @example
 * ```ts
 * try {
 *   await verifyPubSubPush(request, options);
 * } catch (error) {
 *   if (error instanceof PubSubPushError) return new Response(error.code, { status: 401 });
 *   throw error;
 * }
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export class PubSubPushError extends Error {
  override readonly name = "PubSubPushError";
  readonly code: PubSubPushErrorCode;
  /** `"Authorization"`, `"token.header"`, `"token.aud"`, `"message.data"`... */
  readonly field: string;

  constructor(code: PubSubPushErrorCode, field: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.field = field;
  }
}

/** A claim or envelope value quoted for an error message: JSON, at most 80 characters. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * Check the host's Pub/Sub setup for a Google push source: the topic Google
 * publishes to, and what its push subscription's tokens must say.
 *
 * @throws TypeError naming the bad field (`"pubsub.topicName"`, ...).
 * @example
 * ```ts
 * checkGooglePubSubOptions({ topicName: "gmail", audience: "x", serviceAccountEmail: "y" }); // throws: "pubsub.topicName" ...
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export function checkGooglePubSubOptions<
  T extends { topicName: string; audience: string; serviceAccountEmail: string; jwks?: unknown },
>(options: T): T {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      '"pubsub" must be an object with topicName, audience and serviceAccountEmail',
    );
  if (
    typeof options.topicName !== "string" ||
    !/^projects\/[^/\s]+\/topics\/[^/\s]+$/.test(options.topicName)
  )
    throw new TypeError('"pubsub.topicName" must look like projects/<project>/topics/<topic>');
  if (typeof options.audience !== "string" || options.audience === "")
    throw new TypeError('"pubsub.audience" must be the push subscription\'s audience');
  if (
    typeof options.serviceAccountEmail !== "string" ||
    !/^[^@\s]+@[^@\s]+$/.test(options.serviceAccountEmail)
  )
    throw new TypeError('"pubsub.serviceAccountEmail" must be a service account email');
  if (
    options.jwks !== undefined &&
    typeof options.jwks !== "function" &&
    !Array.isArray((options.jwks as JsonWebKeySet | null)?.keys)
  )
    throw new TypeError('"pubsub.jwks" must be a JSON Web Key Set or a jose key resolver');
  return options;
}

/**
 * Where verification keys come from: a fixed set (tests), or Google's certs
 * URL fetched and cached (by `Cache-Control: max-age`, refetched at most once
 * a minute when a token names an unknown key id). Only RSA keys with a `kid`
 * are kept. The result is a {@link PubSubKeyResolver}, and can be looked up
 * by key id directly.
 *
 * @throws Error from the lookup when Google's certs cannot be fetched.
 * @example
 * ```ts
 * const keys = googleKeySource(); // Google's published keys
 * const fixed = googleKeySource({ keys: [jwk] });
 * await fixed("patchbay-key-1"); // KeyObject | undefined
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export function googleKeySource(
  jwks?: JsonWebKeySet,
  fetchKeys: typeof fetch = (input, init) => globalThis.fetch(input, init),
  now: () => number = Date.now,
): (kid: string | PubSubTokenHeader) => Promise<KeyObject | undefined> {
  let cache: { keys: Map<string, KeyObject>; expiresAt: number; fetchedAt: number } | undefined;
  const index = (set: JsonWebKeySet) => {
    const keys = new Map<string, KeyObject>();
    for (const jwk of set?.keys ?? []) {
      if (typeof jwk?.kid !== "string" || jwk.kty !== "RSA") continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
      } catch {
        // A key Node cannot read is no key.
      }
    }
    return keys;
  };
  const fixed = jwks === undefined ? undefined : index(jwks);
  const load = async () => {
    const response = await fetchKeys(GOOGLE_CERTS_URL);
    if (!response.ok)
      throw new Error(`Google certs (${GOOGLE_CERTS_URL}): HTTP ${response.status}`);
    const maxAge = /max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1];
    const at = now();
    cache = {
      keys: index((await response.json()) as JsonWebKeySet),
      fetchedAt: at,
      expiresAt: at + (maxAge === undefined ? 3_600_000 : Number(maxAge) * 1000),
    };
  };
  return async (kidOrHeader) => {
    const kid = typeof kidOrHeader === "string" ? kidOrHeader : kidOrHeader?.kid;
    if (typeof kid !== "string") return undefined;
    if (fixed !== undefined) return fixed.get(kid);
    if (cache === undefined || cache.expiresAt <= now()) await load();
    let key = cache?.keys.get(kid);
    if (key === undefined && cache !== undefined && now() - cache.fetchedAt >= 60_000) {
      await load();
      key = cache?.keys.get(kid);
    }
    return key;
  };
}

/** Google's keys, fetched once per process per `fetch` function when no `jwks` is given. */
const defaultSources = new WeakMap<object, PubSubKeyResolver>();
const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

function resolverFor(options: PubSubPushOptions): PubSubKeyResolver {
  const { jwks } = options;
  if (typeof jwks === "function") return jwks;
  const owner: object = jwks ?? options.fetch ?? globalFetch;
  let source = defaultSources.get(owner);
  if (source === undefined) {
    source = googleKeySource(jwks, options.fetch ?? globalFetch);
    defaultSources.set(owner, source);
  }
  return source;
}

/** A resolver's answer as a Node public key, or `undefined`. */
function toKeyObject(key: unknown): KeyObject | undefined {
  if (key instanceof KeyObject) return key.type === "private" ? createPublicKey(key) : key;
  if (typeof CryptoKey === "function" && key instanceof CryptoKey)
    return KeyObject.from(key as webcrypto.CryptoKey);
  if (key !== null && typeof key === "object" && "kty" in key)
    return createPublicKey({ key: key as JsonWebKey, format: "jwk" });
  return undefined;
}

/** A token segment's JSON object; throws naming the segment when it is not one. */
function decodeSegment(segment: string, field: "header" | "payload"): Record<string, unknown> {
  let value: unknown;
  try {
    if (/^[A-Za-z0-9_-]*$/.test(segment))
      value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    // Reported below.
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new PubSubPushError(
      "malformed_token",
      `token.${field}`,
      `Push token ${field} is not base64url JSON: the token was altered or is not from Pub/Sub`,
    );
  return value as Record<string, unknown>;
}

/**
 * Verify a Pub/Sub push token (the JWT after `Bearer `): RS256 by a key in
 * `jwks` (default Google's), issuer `accounts.google.com`, the configured
 * audience, within `exp`/`iat` (± `clockToleranceSeconds`), `email` the
 * configured service account (case-insensitive) and `email_verified: true`.
 *
 * @throws PubSubPushError naming the defect (`code`, `field`) and the fix.
 * @example
 * ```ts
 * const claims = await verifyPubSubPushToken(token, { audience, serviceAccountEmail });
 * claims.email; // "gmail-push@acme.iam.gserviceaccount.com"
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export async function verifyPubSubPushToken(
  token: string,
  options: PubSubPushOptions,
): Promise<PubSubPushClaims> {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3)
    throw new PubSubPushError(
      "malformed_token",
      "token",
      'Push token is not a JWT (three base64url parts separated by dots): pass the value after "Bearer " in the Authorization header, as Pub/Sub sent it',
    );
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h, "header");
  const claims = decodeSegment(p, "payload");
  if (header.alg !== "RS256")
    throw new PubSubPushError(
      "unsupported_algorithm",
      "token.alg",
      `Push token "alg" is ${quote(header.alg)}, expected "RS256": Google signs push tokens with RS256 only, so this token is not Google's`,
    );
  if (header.crit !== undefined)
    throw new PubSubPushError(
      "malformed_token",
      "token.crit",
      'Push token has a "crit" header Google never sets: the token is not Google\'s',
    );

  let raw: unknown;
  try {
    raw = await resolverFor(options)(header as PubSubTokenHeader, {
      protected: h,
      payload: p,
      signature: s,
    });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== "ERR_JWKS_NO_MATCHING_KEY")
      throw new PubSubPushError(
        "keys_unavailable",
        "jwks",
        `Could not load the keys to verify the push token (${(error as Error)?.message ?? error}): check that ${GOOGLE_CERTS_URL} is reachable, or pass "jwks"`,
        { cause: error },
      );
  }
  let key: KeyObject | undefined;
  try {
    key = toKeyObject(raw);
  } catch (error) {
    throw new PubSubPushError(
      "unknown_key",
      "jwks",
      `The key for push token "kid" ${quote(header.kid)} is not a usable RSA public key: check "jwks"`,
      { cause: error },
    );
  }
  if (key === undefined)
    throw new PubSubPushError(
      "unknown_key",
      "token.kid",
      `Push token "kid" ${quote(header.kid)} is not one of the verification keys: the token was not signed by Google (forged), or "jwks" is not Google's key set (${GOOGLE_CERTS_URL})`,
    );
  if (key.asymmetricKeyType !== "rsa")
    throw new PubSubPushError(
      "unknown_key",
      "jwks",
      `The key for push token "kid" ${quote(header.kid)} is ${quote(key.asymmetricKeyType)}, not RSA: "jwks" must hold Google's RSA signing keys`,
    );
  if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url")))
    throw new PubSubPushError(
      "bad_signature",
      "token.signature",
      `Push token signature does not verify with key ${quote(header.kid)}: the token was forged or altered; a genuine push is signed by Google`,
    );

  const nowSeconds = (options.now ?? Date.now)() / 1000;
  const skew = options.clockToleranceSeconds ?? 60;
  if (!(GOOGLE_ISSUERS as readonly unknown[]).includes(claims.iss))
    throw new PubSubPushError(
      "wrong_issuer",
      "token.iss",
      `Push token "iss" is ${quote(claims.iss)}, expected "https://accounts.google.com": only Google-issued tokens are accepted`,
    );
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience))
    throw new PubSubPushError(
      "wrong_audience",
      "token.aud",
      `Push token "aud" is ${quote(claims.aud)}, expected ${quote(options.audience)}: set the push subscription's audience (--push-auth-token-audience) to the "audience" option, or the option to the subscription's`,
    );
  if (typeof claims.exp !== "number" || typeof claims.iat !== "number")
    throw new PubSubPushError(
      "malformed_token",
      typeof claims.exp !== "number" ? "token.exp" : "token.iat",
      'Push token lacks a numeric "exp" or "iat": Google always sets both, so the token is not Google\'s',
    );
  if (claims.exp + skew <= nowSeconds)
    throw new PubSubPushError(
      "expired",
      "token.exp",
      `Push token expired at ${iso(claims.exp)} (now ${iso(nowSeconds)}, ${skew}s tolerance): a replayed or long-delayed delivery; if genuine pushes fail this way, check the server clock`,
    );
  if (
    claims.iat - skew > nowSeconds ||
    (typeof claims.nbf === "number" && claims.nbf - skew > nowSeconds)
  )
    throw new PubSubPushError(
      "not_yet_valid",
      typeof claims.nbf === "number" && claims.nbf - skew > nowSeconds ? "token.nbf" : "token.iat",
      `Push token is issued for the future (iat ${iso(claims.iat)}, now ${iso(nowSeconds)}, ${skew}s tolerance): check the server clock`,
    );
  if (
    typeof claims.email !== "string" ||
    claims.email.toLowerCase() !== options.serviceAccountEmail.toLowerCase()
  )
    throw new PubSubPushError(
      "wrong_service_account",
      "token.email",
      `Push token "email" is ${quote(claims.email)}, expected ${quote(options.serviceAccountEmail)}: the push subscription must authenticate as that service account (--push-auth-service-account), or set "serviceAccountEmail" to the one it uses`,
    );
  if (claims.email_verified !== true)
    throw new PubSubPushError(
      "email_not_verified",
      "token.email_verified",
      'Push token "email_verified" is not true: Google sets it for service accounts, so the token is not a genuine push',
    );
  return claims as PubSubPushClaims;
}

const malformed = (field: string, expected: string) =>
  new PubSubPushError(
    "malformed_envelope",
    field,
    `Push body "${field}" must be ${expected}: a Pub/Sub push body is { message: { data, messageId, publishTime, attributes }, subscription }; check the subscription pushes wrapped messages (not --push-no-wrapper) to this URL`,
  );

/**
 * Decode a push envelope (the parsed JSON body).
 *
 * @throws PubSubPushError (`code: "malformed_envelope"`) naming the bad field.
 * @example
 * ```ts
 * const push = decodePubSubPush({ message: { data: "eyJhIjoxfQ==", messageId: "7" }, subscription: "projects/p/subscriptions/s" });
 * push.text; // '{"a":1}'
 * push.deliveryId; // "projects/p/subscriptions/s:7"
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
export function decodePubSubPush(payload: unknown): PubSubPushMessage {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload))
    throw malformed("body", "a JSON object");
  const body = payload as Record<string, unknown>;
  const message = body.message as Record<string, unknown> | null | undefined;
  if (message === null || typeof message !== "object" || Array.isArray(message))
    throw malformed("message", "an object");
  if (typeof message.data !== "string") throw malformed("message.data", "a base64 string");
  const optionalString = (field: string, value: unknown): string | undefined => {
    if (value !== undefined && typeof value !== "string") throw malformed(field, "a string");
    return value;
  };
  const ids = [
    optionalString("message.messageId", message.messageId),
    optionalString("message.message_id", message.message_id),
  ];
  const times = [
    optionalString("message.publishTime", message.publishTime),
    optionalString("message.publish_time", message.publish_time),
  ];
  const subscription = optionalString("subscription", body.subscription);
  const attributes = message.attributes === undefined ? {} : message.attributes;
  if (
    attributes === null ||
    typeof attributes !== "object" ||
    Array.isArray(attributes) ||
    Object.values(attributes).some((v) => typeof v !== "string")
  )
    throw malformed("message.attributes", "an object of strings");
  const messageId = ids[0] ?? ids[1];
  const data = Buffer.from(message.data, "base64");
  return {
    data: new Uint8Array(data),
    text: data.toString("utf8"),
    messageId,
    publishTime: times[0] ?? times[1],
    attributes: { ...(attributes as Record<string, string>) },
    subscription,
    deliveryId: messageId === undefined ? undefined : `${subscription ?? ""}:${messageId}`,
  };
}

/**
 * The JSON a push carries in `message.data`, or `undefined` when the body is
 * not a push envelope or the data is not JSON. For webhook routing, where a
 * malformed delivery is simply unroutable.
 *
 * @example
 * ```ts
 * readPubSubPushJson(delivery.payload); // { emailAddress: "sam@example.com", historyId: 9876 }
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/push#receive_push
 */
export function readPubSubPushJson(payload: unknown): unknown {
  try {
    return JSON.parse(decodePubSubPush(payload).text) as unknown;
  } catch {
    return undefined;
  }
}

function bearerToken(headers: Headers): string {
  const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (match === null)
    throw new PubSubPushError(
      "missing_token",
      "Authorization",
      'No "Authorization: Bearer <token>" header: Pub/Sub sends one only from a push subscription with authentication enabled (--push-auth-service-account); enable it, or this request is not from Pub/Sub',
    );
  return match[1]!;
}

/**
 * Verify a Pub/Sub push delivery and decode it: the bearer token as
 * {@link verifyPubSubPushToken} checks it, then the envelope as
 * {@link decodePubSubPush} reads it. Takes a `Request` (its body is read)
 * or anything with `headers` and the parsed `payload` (a Patchbay
 * `WebhookDelivery`). Without `jwks`, Google's keys are fetched once and
 * cached for the process.
 *
 * @throws PubSubPushError with `code` and `field` naming the defect and the fix.
 * @example
 * ```ts
 * const { message, claims } = await verifyPubSubPush(request, {
 *   audience: "https://app.example.com/webhooks/gmail",
 *   serviceAccountEmail: "gmail-push@acme.iam.gserviceaccount.com",
 * });
 * const notification = JSON.parse(message.text);
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export async function verifyPubSubPush(
  request: Request | Pick<WebhookDelivery, "headers" | "payload">,
  options: PubSubPushOptions,
): Promise<VerifiedPubSubPush> {
  const claims = await verifyPubSubPushToken(bearerToken(request.headers), options);
  let payload: unknown;
  if (request instanceof Request) {
    try {
      payload = await request.json();
    } catch {
      throw malformed("body", "JSON");
    }
  } else payload = request.payload;
  return { message: decodePubSubPush(payload), claims };
}

/**
 * The Pub/Sub half of a connector's `WebhookSpec`: `secret: "app"`,
 * `verify` (the bearer token, as {@link verifyPubSubPushToken} checks it;
 * `false` for any defect, never throws) and `deliveryId`
 * (`<subscription>:<messageId>`, so redeliveries apply once). Keys are
 * resolved and cached per spec. Add `route` and `actions`.
 *
 * @example
 * ```ts
 * webhooks: {
 *   ...pubSubPushWebhook({ audience, serviceAccountEmail }),
 *   route: (delivery) => ({ emailAddress: readPubSubPushJson(delivery.payload)?.emailAddress }),
 *   actions: () => [{ kind: "sync", model: "replies" }],
 * }
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions#validate_tokens
 */
export function pubSubPushWebhook(
  options: PubSubPushOptions,
): Pick<WebhookSpec, "secret" | "verify" | "deliveryId"> {
  const verifyOptions: PubSubPushOptions = {
    ...options,
    jwks:
      typeof options.jwks === "function"
        ? options.jwks
        : googleKeySource(options.jwks, options.fetch ?? globalFetch),
  };
  return {
    secret: "app",
    verify: async (delivery) => {
      try {
        await verifyPubSubPushToken(bearerToken(delivery.headers), verifyOptions);
        return true;
      } catch {
        return false;
      }
    },
    deliveryId: (delivery) => {
      try {
        return decodePubSubPush(delivery.payload).deliveryId;
      } catch {
        return undefined;
      }
    },
  };
}
