import { z } from "zod";
import type {
  ClientCredentialsAuthSpec,
  CredentialsAuthSpec,
  OAuth2AuthSpec,
  ServiceAccountAuthSpec,
} from "../connector/types.js";
import { registerSecret } from "../redact.js";

function requireString(value: unknown, name: string): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`"${name}" must be a non-empty string`);
  }
}

function requireHttpsUrl(value: unknown, name: string): void {
  requireString(value, name);
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new TypeError(`"${name}" must be an absolute URL, got "${String(value)}"`);
  }
  if (url.protocol !== "https:" && url.hostname !== "localhost" && url.hostname !== "127.0.0.1") {
    throw new TypeError(
      `"${name}" must use https: (OAuth endpoints carry secrets), got "${url.protocol}"`,
    );
  }
}

function requireStringArray(value: unknown, name: string): void {
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string" || s === "")) {
    throw new TypeError(`"${name}" must be an array of non-empty strings`);
  }
}

function requireZod(value: unknown, name: string): void {
  if (!(value instanceof z.ZodType)) throw new TypeError(`"${name}" must be a zod schema`);
}

function requireStatuses(value: unknown, name: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((s) => !Number.isInteger(s) || s < 400 || s > 599)) {
    throw new TypeError(`"${name}" must be an array of HTTP error statuses (400-599)`);
  }
}

/**
 * Declare OAuth 2.0 authorization code auth with PKCE S256 and one-time state.
 *
 * @example Google
 * ```ts
 * auth: oauth2({
 *   authorizationUrl: "https://accounts.google.com/o/oauth2/v2/auth",
 *   tokenUrl: "https://oauth2.googleapis.com/token",
 *   revocationUrl: "https://oauth2.googleapis.com/revoke",
 *   clientId, clientSecret,
 *   scopes: ["https://www.googleapis.com/auth/spreadsheets"],
 *   authorizeParams: { access_type: "offline", prompt: "consent" },
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749 and https://www.rfc-editor.org/rfc/rfc7636
 */
export function oauth2(spec: Omit<OAuth2AuthSpec, "kind">): OAuth2AuthSpec {
  requireHttpsUrl(spec?.authorizationUrl, "authorizationUrl");
  requireHttpsUrl(spec.tokenUrl, "tokenUrl");
  if (spec.revocationUrl !== undefined) requireHttpsUrl(spec.revocationUrl, "revocationUrl");
  requireString(spec.clientId, "clientId");
  if (spec.clientSecret !== undefined) requireString(spec.clientSecret, "clientSecret");
  requireStringArray(spec.scopes, "scopes");
  requireStatuses(spec.expiredStatuses, "expiredStatuses");
  if (
    spec.tokenEndpointAuthMethod !== undefined &&
    spec.tokenEndpointAuthMethod !== "none" &&
    spec.clientSecret === undefined
  ) {
    throw new TypeError(
      `"clientSecret" is required when "tokenEndpointAuthMethod" is "${spec.tokenEndpointAuthMethod}"`,
    );
  }
  for (const hook of [
    "metadata",
    "afterCodeExchange",
    "exchangeCode",
    "applyToken",
    "deriveToken",
    "deriveTokenFor",
  ] as const) {
    if (spec[hook] !== undefined && typeof spec[hook] !== "function")
      throw new TypeError(`"${hook}" must be a function`);
  }
  // The app's secret must never reach a log line, whoever sends it (core or an `exchangeCode` hook).
  registerSecret(spec.clientSecret);
  return { kind: "oauth2", ...spec };
}

const CLIENT_FIELDS = z.object({
  clientId: z.string().min(1).describe("Client ID"),
  clientSecret: z.string().min(1).describe("Client secret"),
});

/**
 * Declare OAuth 2.0 client credentials auth: the user (or the host) supplies
 * a client id and secret, and Patchbay fetches and renews access tokens.
 *
 * @example
 * ```ts
 * auth: clientCredentials({ tokenUrl: "https://auth.servicetitan.io/connect/token" })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export function clientCredentials<F extends z.ZodType = typeof CLIENT_FIELDS>(
  spec: Omit<ClientCredentialsAuthSpec<F>, "kind" | "fields"> & { fields?: F },
): ClientCredentialsAuthSpec<F> {
  if (typeof spec?.tokenUrl !== "function") requireHttpsUrl(spec?.tokenUrl, "tokenUrl");
  if (spec.fields !== undefined) requireZod(spec.fields, "fields");
  if (spec.scopes !== undefined) requireStringArray(spec.scopes, "scopes");
  requireStatuses(spec.expiredStatuses, "expiredStatuses");
  return { kind: "client_credentials", ...spec, fields: (spec.fields ?? CLIENT_FIELDS) as F };
}

const SERVICE_ACCOUNT_FIELDS = z.object({
  clientEmail: z.string().email().describe("Service account email (client_email)"),
  privateKey: z.string().includes("PRIVATE KEY").describe("Private key, PKCS#8 PEM (private_key)"),
  subject: z.string().email().optional().describe("User to impersonate (domain-wide delegation)"),
  tokenUri: z.string().url().optional().describe("Token URI (token_uri)"),
});

/** The credential form of {@link serviceAccount}: fields of a Google service-account key file. */
export type ServiceAccountFields = z.infer<typeof SERVICE_ACCOUNT_FIELDS>;

/**
 * Declare service-account auth: a JWT signed with the account's private key
 * is exchanged for an access token (RFC 7523), renewed before it expires.
 *
 * @example
 * ```ts
 * auth: serviceAccount({ tokenUrl: "https://oauth2.googleapis.com/token", scopes: [SHEETS_SCOPE] })
 * ```
 * @see https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 */
export function serviceAccount(
  spec: Omit<ServiceAccountAuthSpec<typeof SERVICE_ACCOUNT_FIELDS>, "kind" | "fields">,
): ServiceAccountAuthSpec<typeof SERVICE_ACCOUNT_FIELDS> {
  if (spec?.tokenUrl !== undefined) requireHttpsUrl(spec.tokenUrl, "tokenUrl");
  requireStringArray(spec?.scopes, "scopes");
  requireStatuses(spec.expiredStatuses, "expiredStatuses");
  return { kind: "service_account", ...spec, fields: SERVICE_ACCOUNT_FIELDS };
}

/**
 * Declare API-key auth: one field the user pastes, sent as a header or query parameter.
 *
 * @example
 * ```ts
 * auth: apiKey({ header: "Authorization", prefix: "Bearer " })
 * auth: apiKey({ query: "api_key" })
 * ```
 */
export function apiKey(options: {
  /** Header to send the key in. */
  header?: string;
  /** Text before the key in the header, e.g. `"Bearer "`. */
  prefix?: string;
  /** Query parameter to send the key in, instead of a header. */
  query?: string;
  /** Label and validation of the field. Default: a non-empty string labelled "API key". */
  field?: z.ZodString;
  metadata?: CredentialsAuthSpec["metadata"];
}): CredentialsAuthSpec<z.ZodObject<{ apiKey: z.ZodString }>> {
  if (options?.header === undefined && options?.query === undefined) {
    throw new TypeError('apiKey() needs "header" or "query" to say where the key goes');
  }
  if (options.header !== undefined) requireString(options.header, "header");
  if (options.query !== undefined) requireString(options.query, "query");
  const fields = z.object({ apiKey: options.field ?? z.string().min(1).describe("API key") });
  return {
    kind: "credentials",
    style: "api_key",
    fields,
    apply: ({ apiKey: key }, request) => {
      if (options.query !== undefined) request.url.searchParams.set(options.query, key);
      else request.headers.set(options.header!, `${options.prefix ?? ""}${key}`);
    },
    metadata: options.metadata,
  };
}

/**
 * Declare HTTP Basic auth (RFC 7617) from a username and password form.
 *
 * @example
 * ```ts
 * auth: basicAuth() // sends Authorization: Basic base64(username:password)
 * ```
 */
export function basicAuth(
  options: { metadata?: CredentialsAuthSpec["metadata"] } = {},
): CredentialsAuthSpec<z.ZodObject<{ username: z.ZodString; password: z.ZodString }>> {
  const fields = z.object({
    username: z.string().min(1).describe("Username"),
    password: z.string().describe("Password"),
  });
  return {
    kind: "credentials",
    style: "basic",
    fields,
    apply: ({ username, password }, request) => {
      request.headers.set(
        "authorization",
        `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`,
      );
    },
    metadata: options.metadata,
  };
}

/**
 * Declare any other credential form: the fields are validated with zod and
 * `apply` puts them on each request.
 *
 * @example Mailchimp API key (ending in the data center, e.g. -us6)
 * ```ts
 * auth: customCredentials({
 *   fields: z.object({ apiKey: z.string().regex(/-us\d+$/, "must end with the data center, e.g. -us6") }),
 *   apply: ({ apiKey }, req) => req.headers.set("authorization", `apikey ${apiKey}`),
 * })
 * ```
 */
export function customCredentials<F extends z.ZodType>(
  spec: Omit<CredentialsAuthSpec<F>, "kind" | "style">,
): CredentialsAuthSpec<F> {
  requireZod(spec?.fields, "fields");
  if (typeof spec.apply !== "function") throw new TypeError('"apply" must be a function');
  return { kind: "credentials", style: "custom", ...spec };
}
