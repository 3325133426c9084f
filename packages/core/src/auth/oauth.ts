import { importPKCS8, SignJWT } from "jose";
import * as oauth from "oauth4webapi";
import type {
  ClientCredentialsAuthSpec,
  OAuth2AuthSpec,
  ServiceAccountAuthSpec,
  TokenEndpointAuthMethod,
  TokenSet,
} from "../connector/types.js";
import { AuthError, ConfigError, ErrorCode, NetworkError, PatchbayError } from "../errors.js";
import type { FetchLike } from "../http/types.js";
import { isSecretField, registerSecret } from "../redact.js";
import type { Json } from "../store/types.js";
import type { ServiceAccountFields } from "./specs.js";

/** Where token requests go and how the client authenticates there. */
export interface TokenEndpoint {
  tokenUrl: string;
  authorizationUrl?: string;
  revocationUrl?: string;
  clientId: string;
  clientSecret?: string;
  authMethod?: TokenEndpointAuthMethod;
}

/** Context for token calls: injectable fetch and clock, and the connector id for messages. */
export interface TokenCallOptions {
  fetch: FetchLike;
  now: () => number;
  connector: string;
  zeroExpiresInMeansNever?: boolean;
}

function authorizationServer(endpoint: TokenEndpoint): oauth.AuthorizationServer {
  return {
    issuer: new URL(endpoint.authorizationUrl ?? endpoint.tokenUrl).origin,
    authorization_endpoint: endpoint.authorizationUrl,
    token_endpoint: endpoint.tokenUrl,
    revocation_endpoint: endpoint.revocationUrl,
  };
}

function clientAuth(endpoint: TokenEndpoint): oauth.ClientAuth {
  const method =
    endpoint.authMethod ?? (endpoint.clientSecret === undefined ? "none" : "client_secret_basic");
  if (method === "none") return oauth.None();
  if (endpoint.clientSecret === undefined) {
    throw new ConfigError(`"clientSecret" is required for token endpoint auth method "${method}"`);
  }
  registerSecret(endpoint.clientSecret);
  return method === "client_secret_post"
    ? oauth.ClientSecretPost(endpoint.clientSecret)
    : oauth.ClientSecretBasic(endpoint.clientSecret);
}

function requestOptions(options: TokenCallOptions, extra?: Record<string, string>) {
  return {
    [oauth.customFetch]: lenientTokenFetch(options.fetch) as typeof fetch,
    ...(extra === undefined ? {} : { additionalParameters: extra }),
  };
}

/**
 * Providers bend RFC 6749 §5.1 in a few common ways that a strict client
 * rejects: no `token_type` (Mailchimp), `scope: null` (Mailchimp),
 * `expires_in` as a string. Successful JSON token responses are normalised
 * before oauth4webapi checks them; error responses pass through untouched.
 */
export function normalizeTokenResponse(body: Record<string, unknown>): Record<string, unknown> {
  const out = { ...body };
  if (typeof out.access_token === "string") {
    if (typeof out.token_type !== "string" || out.token_type === "") out.token_type = "bearer";
    if (out.scope === null) delete out.scope;
    if (Array.isArray(out.scope)) out.scope = out.scope.join(" ");
    if (typeof out.expires_in === "string" && /^\d+$/.test(out.expires_in))
      out.expires_in = Number(out.expires_in);
    if (out.expires_in === null) delete out.expires_in;
    if (out.refresh_token === null) delete out.refresh_token;
  }
  return out;
}

function lenientTokenFetch(fetchImpl: FetchLike): FetchLike {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (
      !response.ok ||
      !(response.headers.get("content-type") ?? "").toLowerCase().includes("json")
    )
      return response;
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    const fixed =
      body !== null && typeof body === "object" && !Array.isArray(body)
        ? normalizeTokenResponse(body as Record<string, unknown>)
        : body;
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(JSON.stringify(fixed), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/** Turn a token endpoint response into a {@link TokenSet}. Secret fields never reach `extra`. */
export function toTokenSet(
  response: oauth.TokenEndpointResponse,
  options: Pick<TokenCallOptions, "now" | "zeroExpiresInMeansNever">,
): TokenSet {
  registerSecret(response.access_token);
  registerSecret(response.refresh_token);
  const expiresIn = response.expires_in;
  let expiresAt: number | null = null;
  if (typeof expiresIn === "number" && !(expiresIn === 0 && options.zeroExpiresInMeansNever)) {
    expiresAt = options.now() + expiresIn * 1000;
  }
  const extra: Record<string, Json> = {};
  for (const [key, value] of Object.entries(response)) {
    if (
      ["access_token", "refresh_token", "expires_in", "token_type", "scope", "id_token"].includes(
        key,
      )
    )
      continue;
    if (isSecretField(key) || value === undefined) continue;
    extra[key] = value as Json;
  }
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresAt,
    scope: response.scope,
    tokenType: response.token_type,
    extra,
  };
}

/**
 * Build the authorization URL for the code flow (PKCE S256 unless the spec
 * turns it off) and the values to keep for the callback.
 */
export async function buildAuthorizationUrl(
  spec: OAuth2AuthSpec,
  input: { redirectUri: string; scopes: string[]; state: string },
): Promise<{ url: URL; codeVerifier: string | null }> {
  const url = new URL(spec.authorizationUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", spec.clientId);
  url.searchParams.set("redirect_uri", input.redirectUri);
  if (input.scopes.length > 0)
    url.searchParams.set("scope", input.scopes.join(spec.scopeSeparator ?? " "));
  url.searchParams.set("state", input.state);
  let codeVerifier: string | null = null;
  if (spec.pkce !== false) {
    codeVerifier = oauth.generateRandomCodeVerifier();
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
  }
  for (const [key, value] of Object.entries(spec.authorizeParams ?? {}))
    url.searchParams.set(key, value);
  return { url, codeVerifier };
}

/** Validate the callback parameters against the expected state; map provider errors to {@link ConnectError}. */
export function validateCallback(
  spec: OAuth2AuthSpec,
  callback: URL,
  state: string,
): URLSearchParams {
  return oauth.validateAuthResponse(
    authorizationServer(endpointOf(spec)),
    { client_id: spec.clientId },
    callback,
    state,
  );
}

/** The token endpoint described by an OAuth2 spec. */
export function endpointOf(spec: OAuth2AuthSpec): TokenEndpoint {
  return {
    tokenUrl: spec.tokenUrl,
    authorizationUrl: spec.authorizationUrl,
    revocationUrl: spec.revocationUrl,
    clientId: spec.clientId,
    clientSecret: spec.clientSecret,
    authMethod: spec.tokenEndpointAuthMethod,
  };
}

/** Exchange an authorization code (with its PKCE verifier) for tokens. */
export async function exchangeCode(
  spec: OAuth2AuthSpec,
  input: { params: URLSearchParams; redirectUri: string; codeVerifier: string | null },
  options: TokenCallOptions,
): Promise<TokenSet> {
  const endpoint = endpointOf(spec);
  const as = authorizationServer(endpoint);
  const client = { client_id: spec.clientId };
  return callTokenEndpoint(options, "code exchange", async () => {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(endpoint),
      input.params,
      input.redirectUri,
      input.codeVerifier ?? oauth.nopkce,
      requestOptions(options, spec.tokenParams),
    );
    return oauth.processAuthorizationCodeResponse(as, client, await checkTransient(response));
  });
}

/** Use a refresh token. `invalid_grant` becomes `AuthError(PATCHBAY_AUTH_NEEDS_REAUTH)`. */
export async function refreshTokens(
  endpoint: TokenEndpoint,
  refreshToken: string,
  options: TokenCallOptions,
): Promise<TokenSet> {
  const as = authorizationServer(endpoint);
  const client = { client_id: endpoint.clientId };
  return callTokenEndpoint(options, "token refresh", async () => {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth(endpoint),
      refreshToken,
      requestOptions(options),
    );
    return oauth.processRefreshTokenResponse(as, client, await checkTransient(response));
  });
}

/** Client credentials grant. */
export async function clientCredentialsToken(
  spec: ClientCredentialsAuthSpec,
  fields: Record<string, unknown>,
  options: TokenCallOptions,
): Promise<TokenSet> {
  const clientId = spec.clientId ?? (fields.clientId as string | undefined);
  const clientSecret = spec.clientSecret ?? (fields.clientSecret as string | undefined);
  if (typeof clientId !== "string" || clientId === "") {
    throw new ConfigError(
      `${options.connector}: client credentials need "clientId" (in the form or the connector options)`,
    );
  }
  const endpoint: TokenEndpoint = {
    tokenUrl: typeof spec.tokenUrl === "function" ? spec.tokenUrl(fields) : spec.tokenUrl,
    clientId,
    clientSecret,
    authMethod: spec.tokenEndpointAuthMethod,
  };
  const as = authorizationServer(endpoint);
  const client = { client_id: clientId };
  const params: Record<string, string> = { ...spec.tokenParams };
  if (spec.scopes !== undefined && spec.scopes.length > 0)
    params.scope = spec.scopes.join(spec.scopeSeparator ?? " ");
  return callTokenEndpoint(options, "client credentials grant", async () => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      clientAuth(endpoint),
      params,
      requestOptions(options),
    );
    return oauth.processClientCredentialsResponse(as, client, await checkTransient(response));
  });
}

/** JWT bearer grant for a service account (RFC 7523), signing the assertion with RS256. */
export async function serviceAccountToken(
  spec: ServiceAccountAuthSpec,
  fields: ServiceAccountFields,
  options: TokenCallOptions,
): Promise<TokenSet> {
  const tokenUrl = spec.tokenUrl ?? fields.tokenUri;
  if (tokenUrl === undefined)
    throw new ConfigError(
      `${options.connector}: service account needs a token URL ("tokenUri" in the key file)`,
    );
  registerSecret(fields.privateKey);
  let key: CryptoKey;
  try {
    key = await importPKCS8(fields.privateKey.replace(/\\n/g, "\n"), "RS256");
  } catch {
    throw new ConfigError(
      `${options.connector}: "privateKey" is not a PKCS#8 PEM RSA key (copy "private_key" from the key file)`,
    );
  }
  const now = Math.floor(options.now() / 1000);
  const claims: Record<string, string> = { scope: spec.scopes.join(" ") };
  if (fields.subject !== undefined) claims.sub = fields.subject;
  const assertion = await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(fields.clientEmail)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
  const endpoint: TokenEndpoint = { tokenUrl, clientId: fields.clientEmail, authMethod: "none" };
  const as = authorizationServer(endpoint);
  const client = { client_id: fields.clientEmail };
  return callTokenEndpoint(options, "service account grant", async () => {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
      { assertion },
      requestOptions(options),
    );
    return oauth.processGenericTokenEndpointResponse(as, client, await checkTransient(response));
  });
}

/** Revoke a token (RFC 7009). Failures are returned, not thrown: disconnect must not depend on the provider. */
export async function revokeToken(
  endpoint: TokenEndpoint,
  token: string,
  options: TokenCallOptions,
): Promise<{ ok: true } | { ok: false; error: string }> {
  if (endpoint.revocationUrl === undefined)
    return { ok: false, error: "the provider has no revocation endpoint" };
  try {
    const as = authorizationServer(endpoint);
    const client = { client_id: endpoint.clientId };
    const response = await oauth.revocationRequest(
      as,
      client,
      clientAuth(endpoint),
      token,
      requestOptions(options),
    );
    await oauth.processRevocationResponse(response);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

class TransientTokenEndpointError extends Error {
  constructor(readonly status: number) {
    super(`token endpoint answered ${status}`);
  }
}

async function checkTransient(response: Response): Promise<Response> {
  if (response.status === 429 || response.status >= 500) {
    // Drain the body (cancel() can stay pending on some fetch implementations).
    await response.text().catch(() => "");
    throw new TransientTokenEndpointError(response.status);
  }
  return response;
}

/**
 * Run one token-endpoint call and map every failure into the Patchbay error
 * family: `invalid_grant` → needs reauth; `invalid_client` → config error;
 * 5xx, 429 and network failures → retryable refresh failure.
 */
async function callTokenEndpoint(
  options: TokenCallOptions,
  what: string,
  call: () => Promise<oauth.TokenEndpointResponse>,
): Promise<TokenSet> {
  try {
    return toTokenSet(await call(), options);
  } catch (error) {
    throw mapTokenError(error, options.connector, what);
  }
}

/** Map an oauth4webapi or network failure into a Patchbay error. */
export function mapTokenError(error: unknown, connector: string, what: string): PatchbayError {
  if (error instanceof PatchbayError) return error;
  if (error instanceof TransientTokenEndpointError) {
    return new AuthError(
      ErrorCode.AUTH_REFRESH_FAILED,
      `${connector}: ${what} failed: token endpoint answered ${error.status}`,
      {
        status: error.status,
        retryable: true,
      },
    );
  }
  if (error instanceof oauth.ResponseBodyError) {
    const detail = error.error_description ? ` (${error.error_description})` : "";
    if (error.error === "invalid_grant") {
      return new AuthError(
        ErrorCode.AUTH_NEEDS_REAUTH,
        `${connector}: ${what} rejected: invalid_grant${detail}; the user must reconnect`,
        {
          status: error.status,
          providerCode: error.error,
          cause: error.cause,
        },
      );
    }
    if (error.error === "invalid_client" || error.error === "unauthorized_client") {
      return new ConfigError(
        `${connector}: ${what} rejected the OAuth client (${error.error}${detail}): check clientId and clientSecret`,
        {
          status: error.status,
          providerCode: error.error,
          cause: error.cause,
        },
      );
    }
    return new AuthError(
      ErrorCode.AUTH_REFRESH_FAILED,
      `${connector}: ${what} failed: ${error.error}${detail}`,
      {
        status: error.status,
        providerCode: error.error,
        cause: error.cause,
        retryable: false,
      },
    );
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === "AbortError")) {
    return new NetworkError(ErrorCode.NETWORK, `${connector}: ${what} failed: ${error.message}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AuthError(ErrorCode.AUTH_REFRESH_FAILED, `${connector}: ${what} failed: ${message}`, {
    cause: error,
    retryable: false,
  });
}
