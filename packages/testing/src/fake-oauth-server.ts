/**
 * A strict, stateful fake OAuth 2.0 authorization server for MSW.
 *
 * It issues and checks authorization codes, access tokens and refresh tokens
 * the way a careful real server does (RFC 6749, RFC 7636 PKCE S256, RFC 7009
 * revocation, RFC 6750 bearer tokens, RFC 7523 JWT bearer assertions), so a
 * client bug (a missing `code_verifier`, a reused code, a refresh token kept
 * after rotation, a secret in the wrong place) fails the test instead of
 * passing silently. Provider fakes build on it: they pass their own endpoint
 * URLs and quirks as options, and answer their API calls with
 * {@link FakeOAuthServer.verifyBearer}.
 *
 * Secrets are plain here on purpose: this is test code and never logs.
 */
import {
  createHash,
  createPublicKey,
  createVerify,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import type { TokenEndpointAuthMethod } from "@patchbay/core";
import { type HttpHandler, HttpResponse, http } from "msw";

// ── Public constants ─────────────────────────────────────────────────────

/**
 * The issuer used when `issuer` is not given. Endpoints hang off it:
 * `/authorize`, `/token`, `/revoke`, `/userinfo`.
 *
 * @example
 * ```ts
 * const fake = createFakeOAuthServer();
 * fake.tokenUrl === `${FAKE_OAUTH_DEFAULT_ISSUER}/token`; // true
 * ```
 */
export const FAKE_OAUTH_DEFAULT_ISSUER = "https://auth.fake-oauth.test";

/**
 * The client registered when `clients` is not given: a confidential client
 * that may authenticate with HTTP Basic or with `client_secret` in the body.
 *
 * @example
 * ```ts
 * const { clientId, clientSecret, redirectUris } = FAKE_OAUTH_DEFAULT_CLIENT;
 * const auth = oauth2({ clientId, clientSecret, scopes: ["read"], ...endpoints });
 * ```
 */
export const FAKE_OAUTH_DEFAULT_CLIENT: Readonly<FakeOAuthClient> = Object.freeze({
  clientId: "test-client",
  clientSecret: "test-secret",
  redirectUris: Object.freeze(["https://app.example.com/callback"]),
});

/**
 * The resource owner `approve()` signs in as when no `subject` is given.
 *
 * @example
 * ```ts
 * fake.approve(url);
 * fake.verifyAccessToken(token); // { valid: true, subject: FAKE_OAUTH_DEFAULT_SUBJECT, ... }
 * ```
 */
export const FAKE_OAUTH_DEFAULT_SUBJECT = "fake-user-1";

/**
 * How long an authorization code lives, on the fake's clock.
 *
 * @example
 * ```ts
 * clock += FAKE_OAUTH_CODE_TTL_SECONDS * 1000; // the code is now expired
 * ```
 */
export const FAKE_OAUTH_CODE_TTL_SECONDS = 60;

// ── Public types ─────────────────────────────────────────────────────────

/**
 * A client (an OAuth "app") registered with the fake.
 *
 * `authMethod` omitted means: `client_secret_basic` or `client_secret_post`
 * when there is a secret, `none` (a public client) when there is not.
 *
 * @example
 * ```ts
 * const spa: FakeOAuthClient = {
 *   clientId: "spa",
 *   authMethod: "none",
 *   redirectUris: ["http://localhost:3000/callback"],
 *   allowedScopes: ["openid", "email"],
 * };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export interface FakeOAuthClient {
  clientId: string;
  /** Required for `client_secret_basic` and `client_secret_post`; must be absent for `none`. */
  clientSecret?: string;
  /** Matched by exact string comparison. May be empty for a client-credentials-only client. */
  redirectUris: readonly string[];
  /** The only token-endpoint authentication method the client may use. */
  authMethod?: TokenEndpointAuthMethod;
  /** When set, requesting any other scope fails with `invalid_scope`. */
  allowedScopes?: readonly string[];
}

/**
 * A service account whose RS256-signed JWT assertions the fake verifies
 * (Google-style, RFC 7523).
 *
 * @example
 * ```ts
 * const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
 * const account: FakeServiceAccount = {
 *   clientEmail: "robot@project.iam.gserviceaccount.com",
 *   publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
 * };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
export interface FakeServiceAccount {
  /** The `iss` the assertion must carry. */
  clientEmail: string;
  /** SPKI or PKCS#1 PEM of the RSA public key. */
  publicKeyPem: string;
}

/**
 * Endpoint URLs that replace the ones derived from `issuer`, so a provider
 * fake can serve the provider's real URLs (imported from its `endpoints.ts`).
 *
 * @example
 * ```ts
 * const endpoints: FakeOAuthEndpoints = {
 *   authorization: "https://accounts.google.com/o/oauth2/v2/auth",
 *   token: "https://oauth2.googleapis.com/token",
 *   revocation: "https://oauth2.googleapis.com/revoke",
 * };
 * ```
 */
export interface FakeOAuthEndpoints {
  authorization?: string;
  token?: string;
  revocation?: string;
  userinfo?: string;
}

/**
 * Options of {@link createFakeOAuthServer}. Every option is checked; a bad
 * value throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * // QuickBooks: rotates refresh tokens and sends realmId on the callback.
 * const fake = createFakeOAuthServer({
 *   rotateRefreshTokens: true,
 *   callbackExtras: { realmId: "9130" },
 *   tokenResponseExtras: { x_refresh_token_expires_in: 8726400 },
 * });
 * ```
 */
export interface FakeOAuthServerOptions {
  /** Default {@link FAKE_OAUTH_DEFAULT_ISSUER}. Endpoints are `${issuer}/authorize`, `/token`, `/revoke`, `/userinfo`. */
  issuer?: string;
  /** Replace individual endpoint URLs (provider fakes pass the provider's real URLs). */
  endpoints?: FakeOAuthEndpoints;
  /** Default `[FAKE_OAUTH_DEFAULT_CLIENT]`. */
  clients?: readonly FakeOAuthClient[];
  /** Service accounts for the JWT bearer grant. When none are given, assertions are decoded but their signature is not checked. */
  serviceAccounts?: readonly FakeServiceAccount[];
  /** Default 3600. `0` answers `expires_in: 0` and the token never expires (Mailchimp); `null` omits `expires_in` (and the token never expires). */
  accessTokenTtlSeconds?: number | null;
  /** Default `false`. When `true` each refresh returns a new refresh token and the old one stops working at once (QuickBooks, Xero). */
  rotateRefreshTokens?: boolean;
  /** Default `true`: every authorization request needs `code_challenge` with `code_challenge_method=S256`. `plain` is never accepted. */
  requirePkce?: boolean;
  /** Default `true`: the code exchange returns a refresh token. */
  issueRefreshTokens?: boolean;
  /** Default `true`: the revocation endpoint requires client authentication. `false` also accepts a bare `token=` (Google). */
  revocationRequiresClientAuth?: boolean;
  /** How scopes are split in requests and joined in responses. Default `" "`. */
  scopeSeparator?: string;
  /** Added to every successful token response (`instance_url`, `realmId`...). May override `token_type`, `expires_in` and `scope` to mimic quirks; never the tokens. */
  tokenResponseExtras?: Record<string, unknown>;
  /** Added to the callback query on approval (QuickBooks `realmId`). */
  callbackExtras?: Record<string, string>;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Delay before the token endpoint answers, so concurrent requests overlap. Default 0. */
  latencyMs?: number;
}

/**
 * What the user chooses on the consent screen.
 *
 * @example
 * ```ts
 * fake.approve(url, { subject: "ada@example.com", scopes: ["read"] }); // grants fewer scopes than asked
 * ```
 */
export interface ApproveOptions {
  /** The scopes granted. Default: the requested ones. */
  scopes?: readonly string[];
  /** The resource owner. Default {@link FAKE_OAUTH_DEFAULT_SUBJECT}. */
  subject?: string;
}

/**
 * The verdict on an access token.
 *
 * @example
 * ```ts
 * const result = fake.verifyAccessToken(token);
 * if (!result.valid) return HttpResponse.json({ error: result.reason }, { status: 401 });
 * result.scopes.includes("read");
 * ```
 */
export type AccessTokenVerification =
  | {
      valid: true;
      scopes: string[];
      subject: string;
      clientId: string;
      /** Epoch milliseconds, or `null` when the token never expires. */
      expiresAt: number | null;
    }
  | { valid: false; reason: "unknown" | "expired" | "revoked" };

/**
 * The verdict on a request's `Authorization: Bearer` header; `missing` when
 * the request carries no bearer token at all (RFC 6750 §3.1: answer without
 * an error code).
 *
 * @example
 * ```ts
 * http.get("https://api.example.test/me", ({ request }) => {
 *   const auth = fake.verifyBearer(request);
 *   if (!auth.valid) return HttpResponse.json({ message: "Unauthorized" }, { status: 401 });
 *   return HttpResponse.json({ id: auth.subject });
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export type BearerVerification = AccessTokenVerification | { valid: false; reason: "missing" };

/**
 * Request counters. `tokenRequests` counts every POST to the token endpoint
 * (failed ones too); `byGrant` splits them by their `grant_type` parameter;
 * `revocations` counts every POST to the revocation endpoint.
 *
 * @example
 * ```ts
 * expect(fake.stats.byGrant.refresh_token).toBe(1); // one refresh, not two
 * ```
 */
export interface FakeOAuthStats {
  tokenRequests: number;
  byGrant: Record<string, number>;
  revocations: number;
}

/**
 * A canned token-endpoint answer for {@link FakeOAuthServer.failNext}. An
 * object `body` is sent as JSON, a string as is.
 *
 * @example
 * ```ts
 * const outage: FakeTokenEndpointFailure = { status: 503, body: "upstream down", headers: { "Retry-After": "1" } };
 * ```
 */
export interface FakeTokenEndpointFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Tokens minted directly by {@link FakeOAuthServer.issueTokens}.
 *
 * @example
 * ```ts
 * const { accessToken } = fake.issueTokens({ scopes: ["read"] });
 * ```
 */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
  /** As the token endpoint would answer it; `undefined` when `accessTokenTtlSeconds` is `null`. */
  expiresIn?: number;
  scopes: string[];
}

/**
 * The fake server: MSW handlers plus the test-side controls.
 *
 * @example
 * ```ts
 * const fake = createFakeOAuthServer();
 * const server = setupServer(...fake.handlers);
 * const callback = fake.approve(authorizeUrl); // the user clicks "Allow"
 * await patchbay.connect.finish(callback, { tenantId });
 * ```
 */
export interface FakeOAuthServer {
  readonly issuer: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  readonly userinfoUrl: string;
  /**
   * MSW handlers: `GET authorize` (200 consent page; 302 to the client with
   * an error for a bad request from a known client and redirect URI; 400
   * otherwise, never redirecting to an unregistered URI), `POST token`,
   * `POST revoke`, `GET userinfo`.
   */
  readonly handlers: readonly HttpHandler[];
  /**
   * The user clicks "Allow": checks the authorization request exactly as the
   * server would and returns the callback URL with `code`, `state` and
   * `callbackExtras`. Throws {@link FakeOAuthAuthorizationError} for an
   * invalid request.
   */
  approve(authorizeUrl: string | URL, options?: ApproveOptions): URL;
  /**
   * The user clicks "Deny": returns the callback URL with `error`
   * (default `access_denied`), `error_description` and `state`. Throws when
   * the client or redirect URI is invalid (the server would not redirect).
   */
  deny(authorizeUrl: string | URL, error?: string, description?: string): URL;
  /** Checks an access token this server issued. */
  verifyAccessToken(token: string): AccessTokenVerification;
  /** Checks the `Authorization: Bearer` header of a request. */
  verifyBearer(request: Pick<Request, "headers">): BearerVerification;
  /** Mints tokens for a grant without the redirect dance (seeding a connection). Not counted in `stats`. */
  issueTokens(options?: {
    clientId?: string;
    subject?: string;
    scopes?: readonly string[];
  }): IssuedTokens;
  /** A snapshot of the request counters. */
  readonly stats: FakeOAuthStats;
  /** Every access token issued so far becomes expired, as if time had passed. */
  expireAccessTokens(): void;
  /**
   * The user revoked access at the provider. Pass a subject (all of its
   * grants) or any access or refresh token (its grant). Refresh tokens then
   * fail with `invalid_grant`, access tokens verify as `revoked`. Returns the
   * number of grants revoked.
   */
  revokeGrant(subjectOrToken: string): number;
  /** The next `count` (default 1) token-endpoint requests get this answer instead. */
  failNext(response: FakeTokenEndpointFailure, count?: number): void;
  /** Forgets every code, token, grant, queued failure and counter. Options stay. */
  reset(): void;
}

/**
 * Thrown by `approve()` and `deny()` for an authorization request the
 * server would refuse. `code` is the RFC 6749 §4.1.2.1 error code.
 *
 * @example
 * ```ts
 * expect(() => fake.approve(urlWithoutPkce)).toThrow(FakeOAuthAuthorizationError);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class FakeOAuthAuthorizationError extends Error {
  override readonly name = "FakeOAuthAuthorizationError";
  /** `invalid_request`, `invalid_client`, `unsupported_response_type`, `invalid_scope`. */
  readonly code: string;
  constructor(code: string, description: string) {
    super(`${code}: ${description}`);
    this.code = code;
  }
}

// ── Internals ────────────────────────────────────────────────────────────

const CODE_TTL_MS = FAKE_OAUTH_CODE_TTL_SECONDS * 1000;
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const JWT_MAX_LIFETIME_SECONDS = 3600;
const JWT_CLOCK_SKEW_SECONDS = 60;
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const ERROR_CODE_PATTERN = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
const BEARER_PATTERN = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
const REALM = 'realm="fake-oauth"';
const CALLBACK_RESERVED = ["code", "state", "error", "error_description", "error_uri", "iss"];
const KNOWN_OPTIONS = new Set([
  "issuer",
  "endpoints",
  "clients",
  "serviceAccounts",
  "accessTokenTtlSeconds",
  "rotateRefreshTokens",
  "requirePkce",
  "issueRefreshTokens",
  "revocationRequiresClientAuth",
  "scopeSeparator",
  "tokenResponseExtras",
  "callbackExtras",
  "now",
  "latencyMs",
]);

interface ClientRecord {
  clientId: string;
  clientSecret: string | undefined;
  redirectUris: string[];
  authMethods: TokenEndpointAuthMethod[];
  allowedScopes: string[] | undefined;
}

interface ResolvedOptions {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  userinfoUrl: string;
  clients: Map<string, ClientRecord>;
  serviceAccounts: Map<string, KeyObject>;
  accessTokenTtlSeconds: number | null;
  rotateRefreshTokens: boolean;
  requirePkce: boolean;
  issueRefreshTokens: boolean;
  revocationRequiresClientAuth: boolean;
  scopeSeparator: string;
  tokenResponseExtras: Record<string, unknown>;
  callbackExtras: Record<string, string>;
  now: () => number;
  latencyMs: number;
}

interface CodeRecord {
  clientId: string;
  /** The `redirect_uri` of the authorization request; `undefined` when it was omitted. */
  boundRedirectUri: string | undefined;
  scopes: string[];
  subject: string;
  codeChallenge: string | undefined;
  issuedAt: number;
  used: boolean;
  revoked: boolean;
  /** The grant created by the first successful exchange. */
  grantId: string | undefined;
}

interface GrantRecord {
  id: string;
  clientId: string;
  subject: string;
  scopes: string[];
  revoked: boolean;
}

interface AccessTokenRecord {
  grantId: string;
  scopes: string[];
  expiresAt: number | null;
  forcedExpired: boolean;
  revoked: boolean;
}

interface RefreshTokenRecord {
  grantId: string;
  revoked: boolean;
}

type AuthorizationCheck =
  | {
      ok: true;
      client: ClientRecord;
      redirectUri: string;
      boundRedirectUri: string | undefined;
      state: string | undefined;
      scopes: string[];
      codeChallenge: string | undefined;
    }
  | {
      ok: false;
      code: string;
      description: string;
      /** Set when the error may be reported by redirecting to the client. */
      redirectUri?: string;
      state?: string;
    };

type ClientAuthentication = { ok: true; client: ClientRecord } | { ok: false; response: Response };

/** Form or query parameters: single values, empty ones treated as omitted (RFC 6749 §3.1). */
interface OAuthParams {
  values: Map<string, string>;
  duplicates: string[];
}

/**
 * Creates a fake OAuth 2.0 authorization server. Register its `handlers`
 * with MSW; drive the consent screen with `approve()` and `deny()`.
 *
 * @example
 * ```ts
 * import { setupServer } from "msw/node";
 * import { createFakeOAuthServer } from "@patchbay/testing";
 *
 * const fake = createFakeOAuthServer({ rotateRefreshTokens: true });
 * const server = setupServer(...fake.handlers);
 * beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
 * afterEach(() => { server.resetHandlers(); fake.reset(); });
 * afterAll(() => server.close());
 *
 * it("connects", async () => {
 *   const { url } = await patchbay.connect.start({ connector: "example", tenantId: "t1" });
 *   const callback = fake.approve(url);
 *   await patchbay.connect.finish(callback, { tenantId: "t1" });
 *   expect(fake.stats.byGrant.authorization_code).toBe(1);
 * });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
export function createFakeOAuthServer(options?: FakeOAuthServerOptions): FakeOAuthServer {
  const config = resolveOptions(options);
  const { now } = config;

  const codes = new Map<string, CodeRecord>();
  const grants = new Map<string, GrantRecord>();
  const accessTokens = new Map<string, AccessTokenRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const failures: Array<{ response: FakeTokenEndpointFailure; remaining: number }> = [];
  let tokenRequests = 0;
  let revocations = 0;
  const byGrant = new Map<string, number>();
  let grantCounter = 0;

  // ── Grants and tokens ──

  function createGrant(clientId: string, subject: string, scopes: string[]): GrantRecord {
    grantCounter += 1;
    const grant: GrantRecord = {
      id: `grant_${grantCounter}`,
      clientId,
      subject,
      scopes,
      revoked: false,
    };
    grants.set(grant.id, grant);
    return grant;
  }

  function issueAccessToken(grant: GrantRecord, scopes: string[]): string {
    const token = `fake_at_${randomToken()}`;
    const ttl = config.accessTokenTtlSeconds;
    accessTokens.set(token, {
      grantId: grant.id,
      scopes,
      expiresAt: ttl === null || ttl === 0 ? null : now() + ttl * 1000,
      forcedExpired: false,
      revoked: false,
    });
    return token;
  }

  function issueRefreshToken(grant: GrantRecord): string {
    const token = `fake_rt_${randomToken()}`;
    refreshTokens.set(token, { grantId: grant.id, revoked: false });
    return token;
  }

  function revokeGrantById(grantId: string): void {
    const grant = grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  function grantOf(record: { grantId: string }): GrantRecord {
    const grant = grants.get(record.grantId);
    if (!grant) throw new Error(`fake-oauth-server: grant ${record.grantId} is missing`);
    return grant;
  }

  function tokenSuccess(accessToken: string, scopes: string[], refreshToken?: string): Response {
    const body: Record<string, unknown> = { access_token: accessToken, token_type: "Bearer" };
    if (config.accessTokenTtlSeconds !== null) body.expires_in = config.accessTokenTtlSeconds;
    if (refreshToken !== undefined) body.refresh_token = refreshToken;
    if (scopes.length > 0) body.scope = scopes.join(config.scopeSeparator);
    Object.assign(body, config.tokenResponseExtras);
    return HttpResponse.json(body, { status: 200, headers: NO_STORE });
  }

  function parseScopes(raw: string | undefined): string[] {
    if (raw === undefined) return [];
    return [...new Set(raw.split(config.scopeSeparator).filter((scope) => scope.length > 0))];
  }

  // ── Authorization endpoint ──

  function checkAuthorizationRequest(url: URL): AuthorizationCheck {
    const params = readParams(url.searchParams);
    for (const name of ["client_id", "redirect_uri"]) {
      if (params.duplicates.includes(name)) {
        return {
          ok: false,
          code: "invalid_request",
          description: `"${name}" was sent more than once`,
        };
      }
    }
    const clientId = params.values.get("client_id");
    if (clientId === undefined) {
      return { ok: false, code: "invalid_request", description: "client_id is required" };
    }
    const client = config.clients.get(clientId);
    if (!client) {
      return { ok: false, code: "invalid_client", description: `unknown client_id "${clientId}"` };
    }
    const requestedRedirect = params.values.get("redirect_uri");
    let redirectUri: string;
    if (requestedRedirect === undefined) {
      // RFC 6749 §3.1.2.3: may be omitted only when exactly one URI is registered.
      const [only, ...rest] = client.redirectUris;
      if (only === undefined || rest.length > 0) {
        return {
          ok: false,
          code: "invalid_request",
          description: `redirect_uri is required: client "${clientId}" has ${client.redirectUris.length} registered redirect URIs`,
        };
      }
      redirectUri = only;
    } else if (client.redirectUris.includes(requestedRedirect)) {
      redirectUri = requestedRedirect;
    } else {
      return {
        ok: false,
        code: "invalid_request",
        description: `redirect_uri "${requestedRedirect}" is not registered for client "${clientId}" (registered: ${client.redirectUris.join(", ") || "none"})`,
      };
    }

    const state = params.values.get("state");
    const refuse = (code: string, description: string): AuthorizationCheck => ({
      ok: false,
      code,
      description,
      redirectUri,
      ...(state === undefined ? {} : { state }),
    });

    const [duplicate] = params.duplicates;
    if (duplicate !== undefined)
      return refuse("invalid_request", `"${duplicate}" was sent more than once`);
    const responseType = params.values.get("response_type");
    if (responseType === undefined) return refuse("invalid_request", "response_type is required");
    if (responseType !== "code") {
      return refuse(
        "unsupported_response_type",
        `response_type "${responseType}" is not supported; use "code"`,
      );
    }
    const scopes = parseScopes(params.values.get("scope"));
    const disallowed = disallowedScopes(client, scopes);
    if (disallowed.length > 0) {
      return refuse(
        "invalid_scope",
        `client "${clientId}" may not request ${disallowed.map((s) => `"${s}"`).join(", ")}`,
      );
    }
    const codeChallenge = params.values.get("code_challenge");
    const method = params.values.get("code_challenge_method");
    if (codeChallenge === undefined) {
      if (method !== undefined)
        return refuse("invalid_request", "code_challenge_method was sent without code_challenge");
      if (config.requirePkce) {
        return refuse(
          "invalid_request",
          "PKCE is required: send code_challenge with code_challenge_method=S256 (RFC 7636)",
        );
      }
    } else {
      if (method !== "S256") {
        return refuse(
          "invalid_request",
          method === undefined
            ? 'code_challenge_method is required: it defaults to "plain", which this server does not support; use S256'
            : `code_challenge_method "${method}" is not supported; use S256`,
        );
      }
      if (!S256_CHALLENGE_PATTERN.test(codeChallenge)) {
        return refuse(
          "invalid_request",
          "code_challenge must be the unpadded base64url SHA-256 of the code_verifier (43 characters)",
        );
      }
    }
    return {
      ok: true,
      client,
      redirectUri,
      boundRedirectUri: requestedRedirect,
      state,
      scopes,
      codeChallenge,
    };
  }

  function toAuthorizeUrl(value: string | URL): URL {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new TypeError('"authorizeUrl" must be an absolute URL');
    }
    const expected = new URL(config.authorizationUrl);
    if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
      throw new FakeOAuthAuthorizationError(
        "invalid_request",
        `the authorization request went to ${url.origin}${url.pathname}, not to this server's authorization endpoint ${config.authorizationUrl}`,
      );
    }
    return url;
  }

  function authorizeHandler(request: Request): Response {
    const check = checkAuthorizationRequest(new URL(request.url));
    if (check.ok) {
      const scopes = check.scopes.length > 0 ? check.scopes.join(", ") : "(none)";
      return HttpResponse.html(
        page(
          `Authorize ${check.client.clientId}`,
          `<p>Scopes: ${escapeHtml(scopes)}</p><p>This is a fake authorization server: call <code>approve(url)</code> or <code>deny(url)</code> in the test.</p>`,
        ),
        { status: 200, headers: { "Cache-Control": "no-store" } },
      );
    }
    if (check.redirectUri !== undefined) {
      const location = callbackUrl(check.redirectUri, {
        error: check.code,
        error_description: check.description,
        state: check.state,
      });
      return new HttpResponse(null, { status: 302, headers: { Location: location.href } });
    }
    // RFC 6749 §4.1.2.1: never redirect to an unverified URI; tell the user instead.
    return HttpResponse.html(
      page(
        "Invalid authorization request",
        `<p>${escapeHtml(`${check.code}: ${check.description}`)}</p>`,
      ),
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }

  // ── Client authentication (RFC 6749 §2.3) ──

  function authenticateClient(request: Request, form: OAuthParams): ClientAuthentication {
    const header = request.headers.get("authorization");
    let basic: { id: string; secret: string } | undefined;
    if (header !== null) {
      const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
      const decoded = match?.[1] === undefined ? undefined : decodeBasic(match[1]);
      if (!decoded)
        return invalidClient("malformed Authorization header: expected Basic credentials", true);
      basic = decoded;
    }
    const bodyId = form.values.get("client_id");
    const bodySecret = form.values.get("client_secret");
    if (basic && bodySecret !== undefined) {
      return {
        ok: false,
        response: oauthError(
          400,
          "invalid_request",
          "use one client authentication method: Basic or client_secret, not both",
        ),
      };
    }
    if (basic && bodyId !== undefined && bodyId !== basic.id) {
      return invalidClient("client_id in the body differs from the Basic credentials", true);
    }
    const clientId = basic?.id ?? bodyId;
    if (clientId === undefined) return invalidClient("client authentication is required", false);
    const client = config.clients.get(clientId);
    if (!client) return invalidClient(`unknown client "${clientId}"`, basic !== undefined);
    const used: TokenEndpointAuthMethod = basic
      ? "client_secret_basic"
      : bodySecret !== undefined
        ? "client_secret_post"
        : "none";
    if (!client.authMethods.includes(used)) {
      return invalidClient(
        `client "${clientId}" must authenticate with ${client.authMethods.join(" or ")}, not ${used}`,
        basic !== undefined,
      );
    }
    const secret = basic ? basic.secret : bodySecret;
    if (used !== "none" && secret !== client.clientSecret) {
      return invalidClient("client authentication failed", basic !== undefined);
    }
    return { ok: true, client };
  }

  // ── Token endpoint ──

  async function tokenHandler(request: Request): Promise<Response> {
    if (request.method !== "POST") return methodNotAllowed();
    const form = await readForm(request);
    tokenRequests += 1;
    const grantType = form?.values.get("grant_type");
    if (grantType !== undefined) byGrant.set(grantType, (byGrant.get(grantType) ?? 0) + 1);
    const failure = takeFailure();
    if (config.latencyMs > 0) await sleep(config.latencyMs);
    if (failure) return failureResponse(failure);

    if (!form) {
      return oauthError(
        400,
        "invalid_request",
        "the token endpoint accepts only application/x-www-form-urlencoded bodies",
      );
    }
    const [duplicate] = form.duplicates;
    if (duplicate !== undefined)
      return oauthError(400, "invalid_request", `"${duplicate}" was sent more than once`);
    if (grantType === undefined)
      return oauthError(400, "invalid_request", "grant_type is required");
    // The assertion authenticates a JWT bearer request; there is no client secret.
    if (grantType === JWT_BEARER) return jwtBearerGrant(form);

    const auth = authenticateClient(request, form);
    if (!auth.ok) return auth.response;
    switch (grantType) {
      case "authorization_code":
        return authorizationCodeGrant(auth.client, form);
      case "refresh_token":
        return refreshTokenGrant(auth.client, form);
      case "client_credentials":
        return clientCredentialsGrant(auth.client, form);
      default:
        return oauthError(
          400,
          "unsupported_grant_type",
          `grant_type "${grantType}" is not supported`,
        );
    }
  }

  function authorizationCodeGrant(client: ClientRecord, form: OAuthParams): Response {
    const code = form.values.get("code");
    if (code === undefined) return oauthError(400, "invalid_request", "code is required");
    const record = codes.get(code);
    if (!record) return oauthError(400, "invalid_grant", "unknown authorization code");
    if (record.used) {
      // RFC 6749 §4.1.2: a code used twice may have been stolen; revoke what it produced.
      if (record.grantId !== undefined) revokeGrantById(record.grantId);
      return oauthError(
        400,
        "invalid_grant",
        "authorization code was already used; the tokens issued with it have been revoked",
      );
    }
    if (record.revoked) return oauthError(400, "invalid_grant", "authorization code was revoked");
    if (record.clientId !== client.clientId) {
      return oauthError(400, "invalid_grant", "authorization code was issued to another client");
    }
    if (now() - record.issuedAt >= CODE_TTL_MS) {
      return oauthError(400, "invalid_grant", "authorization code expired");
    }
    const redirectUri = form.values.get("redirect_uri");
    if (record.boundRedirectUri !== undefined) {
      if (redirectUri === undefined) {
        return oauthError(
          400,
          "invalid_grant",
          "redirect_uri is required: the authorization request included one",
        );
      }
      if (redirectUri !== record.boundRedirectUri) {
        return oauthError(
          400,
          "invalid_grant",
          "redirect_uri does not match the authorization request",
        );
      }
    } else if (redirectUri !== undefined && !client.redirectUris.includes(redirectUri)) {
      return oauthError(400, "invalid_grant", "redirect_uri is not registered for this client");
    }
    const verifier = form.values.get("code_verifier");
    if (record.codeChallenge !== undefined) {
      if (verifier === undefined)
        return oauthError(400, "invalid_grant", "code_verifier is required (PKCE)");
      if (!VERIFIER_PATTERN.test(verifier)) {
        return oauthError(
          400,
          "invalid_grant",
          "code_verifier must be 43-128 characters of [A-Za-z0-9-._~]",
        );
      }
      if (s256(verifier) !== record.codeChallenge) {
        return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge");
      }
    } else if (verifier !== undefined) {
      // A verifier without a challenge would let an attacker strip PKCE (OAuth 2.1 §4.1.3).
      return oauthError(
        400,
        "invalid_grant",
        "code_verifier sent but the authorization request had no code_challenge",
      );
    }

    record.used = true;
    const grant = createGrant(client.clientId, record.subject, record.scopes);
    record.grantId = grant.id;
    const accessToken = issueAccessToken(grant, grant.scopes);
    const refreshToken = config.issueRefreshTokens ? issueRefreshToken(grant) : undefined;
    return tokenSuccess(accessToken, grant.scopes, refreshToken);
  }

  function refreshTokenGrant(client: ClientRecord, form: OAuthParams): Response {
    const token = form.values.get("refresh_token");
    if (token === undefined) return oauthError(400, "invalid_request", "refresh_token is required");
    const record = refreshTokens.get(token);
    if (!record) return oauthError(400, "invalid_grant", "unknown refresh token");
    const grant = grantOf(record);
    if (grant.clientId !== client.clientId) {
      return oauthError(400, "invalid_grant", "refresh token was issued to another client");
    }
    if (grant.revoked) return oauthError(400, "invalid_grant", "the grant was revoked");
    if (record.revoked) {
      return oauthError(
        400,
        "invalid_grant",
        config.rotateRefreshTokens
          ? "refresh token was already used (this server rotates refresh tokens)"
          : "refresh token was revoked",
      );
    }
    let scopes = grant.scopes;
    const requested = form.values.get("scope");
    if (requested !== undefined) {
      scopes = parseScopes(requested);
      const extra = scopes.filter((scope) => !grant.scopes.includes(scope));
      if (extra.length > 0) {
        return oauthError(
          400,
          "invalid_scope",
          `scope exceeds the original grant: ${extra.map((s) => `"${s}"`).join(", ")}`,
        );
      }
    }
    let newRefreshToken: string | undefined;
    if (config.rotateRefreshTokens) {
      record.revoked = true;
      newRefreshToken = issueRefreshToken(grant);
    }
    return tokenSuccess(issueAccessToken(grant, scopes), scopes, newRefreshToken);
  }

  function clientCredentialsGrant(client: ClientRecord, form: OAuthParams): Response {
    if (client.clientSecret === undefined) {
      return oauthError(
        400,
        "unauthorized_client",
        "public clients may not use the client_credentials grant",
      );
    }
    const requested = form.values.get("scope");
    const scopes =
      requested === undefined ? [...(client.allowedScopes ?? [])] : parseScopes(requested);
    const disallowed = disallowedScopes(client, scopes);
    if (disallowed.length > 0) {
      return oauthError(
        400,
        "invalid_scope",
        `client "${client.clientId}" may not request ${disallowed.map((s) => `"${s}"`).join(", ")}`,
      );
    }
    const grant = createGrant(client.clientId, client.clientId, scopes);
    // RFC 6749 §4.4.3: no refresh token for client credentials.
    return tokenSuccess(issueAccessToken(grant, scopes), scopes);
  }

  function jwtBearerGrant(form: OAuthParams): Response {
    const assertion = form.values.get("assertion");
    if (assertion === undefined) return oauthError(400, "invalid_request", "assertion is required");
    const parts = assertion.split(".");
    const [encodedHeader, encodedPayload, encodedSignature] = parts;
    if (
      parts.length !== 3 ||
      encodedHeader === undefined ||
      encodedPayload === undefined ||
      encodedSignature === undefined ||
      !BASE64URL_PATTERN.test(encodedSignature)
    ) {
      return oauthError(400, "invalid_grant", "assertion is not a JWS compact serialization");
    }
    const header = decodeJwtSegment(encodedHeader);
    const claims = decodeJwtSegment(encodedPayload);
    if (!header || !claims)
      return oauthError(400, "invalid_grant", "assertion header or claims are not JSON objects");
    const iss = claims.iss;
    if (typeof iss !== "string" || iss.length === 0) {
      return oauthError(400, "invalid_grant", 'assertion has no "iss" claim');
    }
    if (config.serviceAccounts.size > 0) {
      const key = config.serviceAccounts.get(iss);
      if (!key) return oauthError(400, "invalid_grant", `unknown service account "${iss}"`);
      if (header.alg !== "RS256")
        return oauthError(400, "invalid_grant", 'assertion must be signed with "RS256"');
      if (!verifyRs256(`${encodedHeader}.${encodedPayload}`, encodedSignature, key)) {
        return oauthError(400, "invalid_grant", "invalid JWT signature");
      }
    }
    const aud = claims.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(config.tokenUrl)) {
      return oauthError(
        400,
        "invalid_grant",
        `assertion "aud" must be the token endpoint ${config.tokenUrl}`,
      );
    }
    const { exp, iat } = claims;
    if (typeof exp !== "number" || typeof iat !== "number") {
      return oauthError(400, "invalid_grant", 'assertion needs numeric "exp" and "iat" claims');
    }
    const nowSeconds = now() / 1000;
    if (exp <= nowSeconds) return oauthError(400, "invalid_grant", "assertion expired");
    if (iat > nowSeconds + JWT_CLOCK_SKEW_SECONDS) {
      return oauthError(400, "invalid_grant", 'assertion "iat" is in the future');
    }
    if (exp <= iat || exp - iat > JWT_MAX_LIFETIME_SECONDS) {
      return oauthError(
        400,
        "invalid_grant",
        "assertion lifetime (exp - iat) must be between 1 and 3600 seconds",
      );
    }
    const scopeClaim = claims.scope;
    if (scopeClaim !== undefined && typeof scopeClaim !== "string") {
      return oauthError(400, "invalid_grant", 'assertion "scope" claim must be a string');
    }
    const scopes = parseScopes(scopeClaim ?? form.values.get("scope"));
    const sub = claims.sub;
    const subject = typeof sub === "string" && sub.length > 0 ? sub : iss;
    const grant = createGrant(iss, subject, scopes);
    // RFC 7523 §4: no refresh token; the client signs a new assertion instead.
    return tokenSuccess(issueAccessToken(grant, scopes), scopes);
  }

  function takeFailure(): FakeTokenEndpointFailure | undefined {
    const next = failures[0];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) failures.shift();
    return next.response;
  }

  // ── Revocation endpoint (RFC 7009) ──

  async function revocationHandler(request: Request): Promise<Response> {
    if (request.method !== "POST") return methodNotAllowed();
    revocations += 1;
    const form = await readForm(request);
    if (!form) {
      return oauthError(
        400,
        "invalid_request",
        "the revocation endpoint accepts only application/x-www-form-urlencoded bodies",
      );
    }
    const [duplicate] = form.duplicates;
    if (duplicate !== undefined)
      return oauthError(400, "invalid_request", `"${duplicate}" was sent more than once`);
    const presentsClient =
      request.headers.has("authorization") ||
      form.values.has("client_id") ||
      form.values.has("client_secret");
    let client: ClientRecord | undefined;
    if (config.revocationRequiresClientAuth || presentsClient) {
      const auth = authenticateClient(request, form);
      if (!auth.ok) return auth.response;
      client = auth.client;
    }
    const token = form.values.get("token");
    if (token === undefined) return oauthError(400, "invalid_request", "token is required");
    // token_type_hint is only a hint (§2.1): both kinds are looked up whatever it says.
    const access = accessTokens.get(token);
    const refresh = refreshTokens.get(token);
    const record = access ?? refresh;
    if (record) {
      const grant = grantOf(record);
      if (client && grant.clientId !== client.clientId) {
        return oauthError(400, "invalid_request", "the token was issued to another client");
      }
      if (access) access.revoked = true;
      // §2.1: revoking a refresh token also invalidates the access tokens of its grant.
      if (refresh) grant.revoked = true;
    }
    // Unknown or already revoked tokens get 200 too (§2.2).
    return new HttpResponse(null, { status: 200, headers: NO_STORE });
  }

  // ── Userinfo ──

  function userinfoHandler(request: Request): Response {
    const result = verifyBearer(request);
    if (!result.valid) {
      const challenge =
        result.reason === "missing"
          ? `Bearer ${REALM}`
          : `Bearer ${REALM}, error="invalid_token", error_description="the access token is ${result.reason}"`;
      return HttpResponse.json(
        result.reason === "missing"
          ? { error: "invalid_request", error_description: "no bearer token" }
          : { error: "invalid_token", error_description: `the access token is ${result.reason}` },
        { status: 401, headers: { "WWW-Authenticate": challenge, "Cache-Control": "no-store" } },
      );
    }
    const email = result.subject.includes("@")
      ? result.subject
      : `${result.subject}@fake-oauth.test`;
    return HttpResponse.json(
      { sub: result.subject, email },
      { headers: { "Cache-Control": "no-store" } },
    );
  }

  // ── Test-side controls ──

  function verifyAccessToken(token: string): AccessTokenVerification {
    const record = typeof token === "string" ? accessTokens.get(token) : undefined;
    if (!record) return { valid: false, reason: "unknown" };
    const grant = grantOf(record);
    if (record.revoked || grant.revoked) return { valid: false, reason: "revoked" };
    if (record.forcedExpired || (record.expiresAt !== null && now() >= record.expiresAt)) {
      return { valid: false, reason: "expired" };
    }
    return {
      valid: true,
      scopes: [...record.scopes],
      subject: grant.subject,
      clientId: grant.clientId,
      expiresAt: record.expiresAt,
    };
  }

  function verifyBearer(request: Pick<Request, "headers">): BearerVerification {
    const header = request.headers.get("authorization");
    if (header === null || !/^Bearer(?: |$)/i.test(header))
      return { valid: false, reason: "missing" };
    const token = BEARER_PATTERN.exec(header)?.[1];
    if (token === undefined) return { valid: false, reason: "unknown" };
    return verifyAccessToken(token);
  }

  const handlers: HttpHandler[] = [
    http.get(config.authorizationUrl, ({ request }) => authorizeHandler(request)),
    http.all(config.tokenUrl, ({ request }) => tokenHandler(request)),
    http.all(config.revocationUrl, ({ request }) => revocationHandler(request)),
    http.get(config.userinfoUrl, ({ request }) => userinfoHandler(request)),
  ];

  return {
    issuer: config.issuer,
    authorizationUrl: config.authorizationUrl,
    tokenUrl: config.tokenUrl,
    revocationUrl: config.revocationUrl,
    userinfoUrl: config.userinfoUrl,
    handlers: Object.freeze(handlers),

    approve(authorizeUrl, approveOptions) {
      const url = toAuthorizeUrl(authorizeUrl);
      const choice = readApproveOptions(approveOptions);
      const check = checkAuthorizationRequest(url);
      if (!check.ok) throw new FakeOAuthAuthorizationError(check.code, check.description);
      const scopes = choice.scopes ?? check.scopes;
      const disallowed = disallowedScopes(check.client, scopes);
      if (disallowed.length > 0) {
        throw new TypeError(
          `"options.scopes" contains ${disallowed.map((s) => `"${s}"`).join(", ")}, which client "${check.client.clientId}" may not be granted`,
        );
      }
      const code = `fake_code_${randomToken()}`;
      codes.set(code, {
        clientId: check.client.clientId,
        boundRedirectUri: check.boundRedirectUri,
        scopes,
        subject: choice.subject,
        codeChallenge: check.codeChallenge,
        issuedAt: now(),
        used: false,
        revoked: false,
        grantId: undefined,
      });
      return callbackUrl(check.redirectUri, { code, state: check.state, ...config.callbackExtras });
    },

    deny(authorizeUrl, error = "access_denied", description) {
      if (typeof error !== "string" || !ERROR_CODE_PATTERN.test(error)) {
        throw new TypeError('"error" must be a non-empty OAuth error code (RFC 6749 §4.1.2.1)');
      }
      if (description !== undefined && typeof description !== "string") {
        throw new TypeError('"description" must be a string');
      }
      const check = checkAuthorizationRequest(toAuthorizeUrl(authorizeUrl));
      if (check.redirectUri === undefined) {
        // Only a failed check lacks a redirect URI.
        const reason = check.ok ? "" : `${check.code}: ${check.description}`;
        throw new FakeOAuthAuthorizationError(
          check.ok ? "invalid_request" : check.code,
          `cannot redirect the denial: ${reason}`,
        );
      }
      return callbackUrl(check.redirectUri, {
        error,
        error_description:
          description ??
          (error === "access_denied"
            ? "The resource owner denied the request."
            : `The authorization failed: ${error}.`),
        state: check.state,
      });
    },

    verifyAccessToken,
    verifyBearer,

    issueTokens(issueOptions = {}) {
      if (!isRecord(issueOptions)) throw new TypeError('"options" must be an object');
      const clientId = issueOptions.clientId ?? firstClientId(config);
      const client = config.clients.get(clientId);
      if (!client)
        throw new TypeError(`"options.clientId" must be a registered client, got "${clientId}"`);
      const subject = issueOptions.subject ?? FAKE_OAUTH_DEFAULT_SUBJECT;
      if (typeof subject !== "string" || subject.length === 0) {
        throw new TypeError('"options.subject" must be a non-empty string');
      }
      const scopes = stringList(issueOptions.scopes ?? [], "options.scopes");
      const grant = createGrant(clientId, subject, scopes);
      const accessToken = issueAccessToken(grant, scopes);
      const refreshToken = config.issueRefreshTokens ? issueRefreshToken(grant) : undefined;
      return {
        accessToken,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...(config.accessTokenTtlSeconds === null
          ? {}
          : { expiresIn: config.accessTokenTtlSeconds }),
        scopes: [...scopes],
      };
    },

    get stats(): FakeOAuthStats {
      return { tokenRequests, byGrant: Object.fromEntries(byGrant), revocations };
    },

    expireAccessTokens() {
      for (const record of accessTokens.values()) record.forcedExpired = true;
    },

    revokeGrant(subjectOrToken) {
      if (typeof subjectOrToken !== "string" || subjectOrToken.length === 0) {
        throw new TypeError('"subjectOrToken" must be a non-empty string');
      }
      const ids = new Set<string>();
      const token = accessTokens.get(subjectOrToken) ?? refreshTokens.get(subjectOrToken);
      if (token) {
        ids.add(token.grantId);
      } else {
        for (const grant of grants.values()) {
          if (grant.subject === subjectOrToken && !grant.revoked) ids.add(grant.id);
        }
        for (const code of codes.values()) {
          if (code.subject === subjectOrToken && !code.used) code.revoked = true;
        }
      }
      for (const id of ids) revokeGrantById(id);
      return ids.size;
    },

    failNext(response, count = 1) {
      failures.push({
        response: checkFailure(response),
        remaining: positiveInteger(count, "count"),
      });
    },

    reset() {
      codes.clear();
      grants.clear();
      accessTokens.clear();
      refreshTokens.clear();
      failures.length = 0;
      tokenRequests = 0;
      revocations = 0;
      byGrant.clear();
    },
  };
}

// ── Pure helpers ─────────────────────────────────────────────────────────

function randomToken(): string {
  return randomBytes(24).toString("base64url");
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function disallowedScopes(client: ClientRecord, scopes: readonly string[]): string[] {
  const allowed = client.allowedScopes;
  return allowed === undefined ? [] : scopes.filter((scope) => !allowed.includes(scope));
}

function firstClientId(config: ResolvedOptions): string {
  const [first] = config.clients.keys();
  if (first === undefined) throw new Error("fake-oauth-server: no client is registered");
  return first;
}

function readParams(params: URLSearchParams): OAuthParams {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const [name, value] of params) {
    if (seen.has(name) && !duplicates.includes(name)) duplicates.push(name);
    seen.add(name);
    if (value !== "") values.set(name, value);
  }
  return { values, duplicates };
}

/** The parsed body, or `undefined` when it is not form-encoded. */
async function readForm(request: Request): Promise<OAuthParams | undefined> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") return undefined;
  return readParams(new URLSearchParams(await request.text()));
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before joining with ":". */
function decodeBasic(encoded: string): { id: string; secret: string } | undefined {
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    const id = decodeFormComponent(decoded.slice(0, colon));
    const secret = decodeFormComponent(decoded.slice(colon + 1));
    return id.length === 0 ? undefined : { id, secret };
  } catch {
    return undefined;
  }
}

function decodeFormComponent(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}

function decodeJwtSegment(segment: string): Record<string, unknown> | undefined {
  if (segment.length === 0 || !BASE64URL_PATTERN.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function verifyRs256(signingInput: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256")
      .update(signingInput)
      .verify(key, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return HttpResponse.json(
    { error, error_description: description },
    { status, headers: { ...NO_STORE, ...headers } },
  );
}

function invalidClient(description: string, usedBasic: boolean): ClientAuthentication {
  // RFC 6749 §5.2: a failed Basic attempt must be answered with a Basic challenge.
  const headers: Record<string, string> = usedBasic ? { "WWW-Authenticate": `Basic ${REALM}` } : {};
  return { ok: false, response: oauthError(401, "invalid_client", description, headers) };
}

function methodNotAllowed(): Response {
  return HttpResponse.json(
    { error: "invalid_request", error_description: "this endpoint accepts only POST" },
    { status: 405, headers: { ...NO_STORE, Allow: "POST" } },
  );
}

function failureResponse(failure: FakeTokenEndpointFailure): Response {
  const init = { status: failure.status, headers: { ...failure.headers } };
  if (failure.body === undefined) return new HttpResponse(null, init);
  if (typeof failure.body === "string") return new HttpResponse(failure.body, init);
  return HttpResponse.json(failure.body, init);
}

function callbackUrl(redirectUri: string, params: Record<string, string | undefined>): URL {
  // RFC 6749 §3.1.2: keep the registered URI's own query and add to it.
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text.replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

// ── Option checks ────────────────────────────────────────────────────────

function readApproveOptions(value: ApproveOptions | undefined): {
  scopes: string[] | undefined;
  subject: string;
} {
  if (value === undefined) return { scopes: undefined, subject: FAKE_OAUTH_DEFAULT_SUBJECT };
  if (!isRecord(value)) throw new TypeError('"options" must be an object');
  const subject = value.subject ?? FAKE_OAUTH_DEFAULT_SUBJECT;
  if (typeof subject !== "string" || subject.length === 0) {
    throw new TypeError('"options.subject" must be a non-empty string');
  }
  const scopes =
    value.scopes === undefined ? undefined : stringList(value.scopes, "options.scopes");
  return { scopes, subject };
}

function checkFailure(response: FakeTokenEndpointFailure): FakeTokenEndpointFailure {
  if (!isRecord(response)) throw new TypeError('"response" must be an object');
  const { status, body, headers } = response;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError('"response.status" must be an integer HTTP status from 200 to 599');
  }
  if (body !== undefined && [204, 205, 304].includes(status)) {
    throw new TypeError(`"response.body" must be omitted for status ${status}`);
  }
  if (headers !== undefined && !isStringRecord(headers)) {
    throw new TypeError('"response.headers" must be an object of strings');
  }
  return { status, body, headers: { ...headers } };
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`"${name}" must be a positive integer`);
  }
  return value;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

function stringList(value: unknown, name: string): string[] {
  if (
    !Array.isArray(value) ||
    !value.every((item) => typeof item === "string" && item.length > 0)
  ) {
    throw new TypeError(`"${name}" must be an array of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

function httpUrl(value: unknown, name: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    throw new TypeError(`"${name}" must be an absolute http(s) URL without query or fragment`);
  }
  return value as string;
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`"${name}" must be a boolean`);
  return value;
}

function resolveClient(value: unknown, index: number): ClientRecord {
  const at = `clients[${index}]`;
  if (!isRecord(value)) throw new TypeError(`"${at}" must be an object`);
  const { clientId, clientSecret, redirectUris, authMethod, allowedScopes } = value;
  if (typeof clientId !== "string" || clientId.length === 0) {
    throw new TypeError(`"${at}.clientId" must be a non-empty string`);
  }
  if (
    clientSecret !== undefined &&
    (typeof clientSecret !== "string" || clientSecret.length === 0)
  ) {
    throw new TypeError(`"${at}.clientSecret" must be a non-empty string`);
  }
  if (!Array.isArray(redirectUris))
    throw new TypeError(`"${at}.redirectUris" must be an array of URLs`);
  const uris = redirectUris.map((uri: unknown, i: number) => {
    let url: URL | undefined;
    try {
      url = typeof uri === "string" ? new URL(uri) : undefined;
    } catch {
      url = undefined;
    }
    // RFC 6749 §3.1.2: absolute, no fragment.
    if (url?.hash !== "" || (typeof uri === "string" && uri.includes("#"))) {
      throw new TypeError(`"${at}.redirectUris[${i}]" must be an absolute URL without a fragment`);
    }
    return uri as string;
  });
  let authMethods: TokenEndpointAuthMethod[];
  if (authMethod === undefined) {
    authMethods =
      clientSecret === undefined ? ["none"] : ["client_secret_basic", "client_secret_post"];
  } else if (authMethod === "client_secret_basic" || authMethod === "client_secret_post") {
    if (clientSecret === undefined) {
      throw new TypeError(`"${at}.clientSecret" is required when authMethod is "${authMethod}"`);
    }
    authMethods = [authMethod];
  } else if (authMethod === "none") {
    if (clientSecret !== undefined) {
      throw new TypeError(`"${at}.clientSecret" must be omitted when authMethod is "none"`);
    }
    authMethods = ["none"];
  } else {
    throw new TypeError(
      `"${at}.authMethod" must be "client_secret_basic", "client_secret_post" or "none"`,
    );
  }
  return {
    clientId,
    clientSecret: clientSecret as string | undefined,
    redirectUris: uris,
    authMethods,
    allowedScopes:
      allowedScopes === undefined ? undefined : stringList(allowedScopes, `${at}.allowedScopes`),
  };
}

function resolveOptions(options: FakeOAuthServerOptions | undefined): ResolvedOptions {
  if (options === undefined) return resolveOptions({});
  if (!isRecord(options)) throw new TypeError('"options" must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`Unknown option "${key}"`);
  }

  const issuer =
    options.issuer === undefined
      ? FAKE_OAUTH_DEFAULT_ISSUER
      : httpUrl(options.issuer, "issuer").replace(/\/+$/, "");
  const endpoints = options.endpoints ?? {};
  if (!isRecord(endpoints)) throw new TypeError('"endpoints" must be an object');
  for (const key of Object.keys(endpoints)) {
    if (!["authorization", "token", "revocation", "userinfo"].includes(key)) {
      throw new TypeError(`Unknown option "endpoints.${key}"`);
    }
  }
  const endpoint = (key: keyof FakeOAuthEndpoints, path: string): string =>
    endpoints[key] === undefined ? `${issuer}${path}` : httpUrl(endpoints[key], `endpoints.${key}`);
  const authorizationUrl = endpoint("authorization", "/authorize");
  const tokenUrl = endpoint("token", "/token");
  const revocationUrl = endpoint("revocation", "/revoke");
  const userinfoUrl = endpoint("userinfo", "/userinfo");
  const urls = [authorizationUrl, tokenUrl, revocationUrl, userinfoUrl];
  if (new Set(urls).size !== urls.length)
    throw new TypeError('"endpoints" must be four distinct URLs');

  const clientList = options.clients ?? [FAKE_OAUTH_DEFAULT_CLIENT];
  if (!Array.isArray(clientList) || clientList.length === 0) {
    throw new TypeError('"clients" must be a non-empty array');
  }
  const clients = new Map<string, ClientRecord>();
  clientList.forEach((value: unknown, index: number) => {
    const client = resolveClient(value, index);
    if (clients.has(client.clientId)) {
      throw new TypeError(`"clients" registers clientId "${client.clientId}" twice`);
    }
    clients.set(client.clientId, client);
  });

  const accountList = options.serviceAccounts ?? [];
  if (!Array.isArray(accountList)) throw new TypeError('"serviceAccounts" must be an array');
  const serviceAccounts = new Map<string, KeyObject>();
  accountList.forEach((value: unknown, index: number) => {
    const at = `serviceAccounts[${index}]`;
    if (!isRecord(value)) throw new TypeError(`"${at}" must be an object`);
    const { clientEmail, publicKeyPem } = value;
    if (typeof clientEmail !== "string" || clientEmail.length === 0) {
      throw new TypeError(`"${at}.clientEmail" must be a non-empty string`);
    }
    let key: KeyObject | undefined;
    try {
      key = typeof publicKeyPem === "string" ? createPublicKey(publicKeyPem) : undefined;
    } catch {
      key = undefined;
    }
    if (key?.asymmetricKeyType !== "rsa") {
      throw new TypeError(`"${at}.publicKeyPem" must be an RSA public key in PEM form`);
    }
    serviceAccounts.set(clientEmail, key);
  });

  const ttl = options.accessTokenTtlSeconds;
  if (
    ttl !== undefined &&
    ttl !== null &&
    (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0)
  ) {
    throw new TypeError('"accessTokenTtlSeconds" must be a non-negative integer or null');
  }

  const scopeSeparator = options.scopeSeparator ?? " ";
  if (typeof scopeSeparator !== "string" || scopeSeparator.length === 0) {
    throw new TypeError('"scopeSeparator" must be a non-empty string');
  }

  const tokenResponseExtras = options.tokenResponseExtras ?? {};
  if (!isRecord(tokenResponseExtras))
    throw new TypeError('"tokenResponseExtras" must be an object');
  for (const reserved of ["access_token", "refresh_token"]) {
    if (reserved in tokenResponseExtras) {
      throw new TypeError(`"tokenResponseExtras" must not set "${reserved}"`);
    }
  }

  const callbackExtras = options.callbackExtras ?? {};
  if (!isStringRecord(callbackExtras))
    throw new TypeError('"callbackExtras" must be an object of strings');
  for (const reserved of CALLBACK_RESERVED) {
    if (reserved in callbackExtras)
      throw new TypeError(`"callbackExtras" must not set "${reserved}"`);
  }

  const now = options.now ?? Date.now;
  if (typeof now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');

  const latencyMs = options.latencyMs ?? 0;
  if (typeof latencyMs !== "number" || !Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new TypeError('"latencyMs" must be a non-negative number');
  }

  return {
    issuer,
    authorizationUrl,
    tokenUrl,
    revocationUrl,
    userinfoUrl,
    clients,
    serviceAccounts,
    accessTokenTtlSeconds: ttl === undefined ? 3600 : ttl,
    rotateRefreshTokens: booleanOption(options.rotateRefreshTokens, "rotateRefreshTokens", false),
    requirePkce: booleanOption(options.requirePkce, "requirePkce", true),
    issueRefreshTokens: booleanOption(options.issueRefreshTokens, "issueRefreshTokens", true),
    revocationRequiresClientAuth: booleanOption(
      options.revocationRequiresClientAuth,
      "revocationRequiresClientAuth",
      true,
    ),
    scopeSeparator,
    tokenResponseExtras: { ...tokenResponseExtras },
    callbackExtras: { ...callbackExtras },
    now: () => now(),
    latencyMs,
  };
}
