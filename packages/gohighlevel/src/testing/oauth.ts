/**
 * HighLevel's authorization server, faked on HighLevel's own URLs: the
 * "choose location" page, a form-encoded token endpoint with the client
 * secret in the body, no PKCE, access tokens for a day, and refresh tokens
 * rotated on every refresh. Token responses carry the installation's
 * `userType`, `locationId` and `companyId`, as HighLevel's do.
 */
import {
  createFakeOAuthServer,
  FAKE_OAUTH_DEFAULT_SUBJECT,
  type FakeOAuthServer,
  type FakeOAuthServerOptions,
} from "@patchbay/testing";
import { HttpResponse, http } from "msw";
import { GHL_OAUTH, GHL_SCOPES } from "../endpoints.js";
import type { components } from "../generated/gohighlevel.js";

type TokenResponse = components["schemas"]["GetAccessCodeSuccessfulResponseDto"];

/**
 * The sandbox Marketplace app the fake knows (a confidential client that
 * sends its secret in the token request's body).
 *
 * @example
 * ```ts
 * goHighLevel({ ...GHL_SANDBOX_APP });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export const GHL_SANDBOX_APP = Object.freeze({
  clientId: "66a1b2c3d4e5f6a7b8c9d0e1-lz0sandbox",
  clientSecret: "sandbox-ghl-client-secret-0001",
});

/**
 * Redirect URIs registered for the sandbox app: the contract suite's default
 * and the documented `https://<your app>/integrations/gohighlevel/callback`.
 *
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "gohighlevel", redirectUri: GHL_SANDBOX_REDIRECT_URIS[1] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export const GHL_SANDBOX_REDIRECT_URIS: readonly string[] = Object.freeze([
  "https://app.example.com/integrations/callback",
  "https://app.example.com/integrations/gohighlevel/callback",
]);

/**
 * What a user installed the app on: a sub-account (Location token) or an
 * agency (Company token).
 *
 * @example
 * ```ts
 * const install: GhlInstallation = { userType: "Location", locationId: "SbxHomeServiceLoc001", companyId: "SbxAgencyCompany0001", userId: "SbxUserOwner00000001" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export interface GhlInstallation {
  userType: "Location" | "Company";
  /** The sub-account, for Location installs. */
  locationId?: string;
  companyId: string;
  userId: string;
  /** For Company installs: what the token response lists as `approvedLocations`. */
  approvedLocations?: string[];
}

/**
 * The fake authorization server, plus the installations behind its grants.
 *
 * @example
 * ```ts
 * const oauth = createGhlOAuthFake({ defaultInstallation });
 * oauth.install("agency-owner", { userType: "Company", companyId: "Co1", userId: "U1", approvedLocations: ["Loc1"] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export interface GhlOAuthFake extends FakeOAuthServer {
  /** Who installed for a subject (the consent screen's user). */
  installation(subject: string): GhlInstallation;
  /** Record what `subject` installs the app on when it approves. */
  install(subject: string, installation: GhlInstallation): void;
}

/**
 * Options of {@link createGhlOAuthFake}.
 *
 * @example
 * ```ts
 * createGhlOAuthFake({ defaultInstallation, redirectUris: ["http://localhost:3000/integrations/gohighlevel/callback"] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export interface GhlOAuthFakeOptions
  extends Pick<FakeOAuthServerOptions, "now" | "accessTokenTtlSeconds" | "latencyMs"> {
  redirectUris?: readonly string[];
  /** What a subject without its own installation installed on. */
  defaultInstallation: GhlInstallation;
}

/**
 * The fake of HighLevel's authorization server.
 *
 * @example
 * ```ts
 * const oauth = createGhlOAuthFake({ defaultInstallation: { userType: "Location", locationId: "Loc1", companyId: "Co1", userId: "U1" } });
 * const callback = oauth.approve(authorizeUrl); // the user picks the sub-account and clicks "Allow"
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export function createGhlOAuthFake(options: GhlOAuthFakeOptions): GhlOAuthFake {
  const installations = new Map<string, GhlInstallation>();
  const inner = createFakeOAuthServer({
    issuer: "https://marketplace.gohighlevel.com",
    endpoints: {
      authorization: GHL_OAUTH.authorizationUrl,
      token: GHL_OAUTH.tokenUrl,
      // HighLevel documents no revocation or userinfo endpoint; these exist only inside the fake.
      revocation: "https://services.leadconnectorhq.com/__fake__/oauth/revoke",
      userinfo: "https://services.leadconnectorhq.com/__fake__/oauth/userinfo",
    },
    clients: [
      {
        ...GHL_SANDBOX_APP,
        authMethod: "client_secret_post",
        redirectUris: options.redirectUris ?? GHL_SANDBOX_REDIRECT_URIS,
        allowedScopes: [...GHL_SCOPES, "locations.readonly", "oauth.write", "oauth.readonly"],
      },
    ],
    requirePkce: false,
    rotateRefreshTokens: true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 86_399,
    ...(options.now !== undefined && { now: options.now }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
  const [authorize, innerToken, ...rest] = inner.handlers;
  if (authorize === undefined || innerToken === undefined) {
    throw new Error("fake HighLevel: the OAuth server has no token handler");
  }
  const installation = (subject: string) =>
    installations.get(subject) ?? options.defaultInstallation;

  const token = http.all(GHL_OAUTH.tokenUrl, async ({ request, requestId }) => {
    const form = new URLSearchParams(await request.clone().text());
    const userType = form.get("user_type");
    if (userType !== null && userType !== "Location" && userType !== "Company") {
      return HttpResponse.json(
        {
          statusCode: 422,
          message: ["user_type must be one of the following values: Company, Location"],
          error: "Unprocessable Entity",
        },
        { status: 422 },
      );
    }
    const result = await innerToken.run({ request: request.clone(), requestId });
    const response = result?.response;
    if (response === undefined || response.status !== 200) return response;
    const body = (await response.json()) as TokenResponse & { access_token: string };
    const check = inner.verifyAccessToken(body.access_token);
    const install = installation(check.valid ? check.subject : FAKE_OAUTH_DEFAULT_SUBJECT);
    const extended: TokenResponse = {
      ...body,
      userType: install.userType,
      companyId: install.companyId,
      userId: install.userId,
      isBulkInstallation: false,
      ...(install.userType === "Location"
        ? { locationId: install.locationId }
        : { approvedLocations: [...(install.approvedLocations ?? [])] }),
    };
    return HttpResponse.json(extended, { status: 200, headers: response.headers });
  });

  const handlers = Object.freeze([authorize, token, ...rest]);
  return {
    issuer: inner.issuer,
    authorizationUrl: inner.authorizationUrl,
    tokenUrl: inner.tokenUrl,
    revocationUrl: inner.revocationUrl,
    userinfoUrl: inner.userinfoUrl,
    handlers,
    approve: (url, approveOptions) => inner.approve(url, approveOptions),
    deny: (url, error, description) => inner.deny(url, error, description),
    verifyAccessToken: (value) => inner.verifyAccessToken(value),
    verifyBearer: (request) => inner.verifyBearer(request),
    issueTokens: (issueOptions) => inner.issueTokens(issueOptions),
    get stats() {
      return inner.stats;
    },
    expireAccessTokens: () => inner.expireAccessTokens(),
    revokeGrant: (subjectOrToken) => inner.revokeGrant(subjectOrToken),
    failNext: (response, count) => inner.failNext(response, count),
    reset() {
      inner.reset();
      installations.clear();
    },
    installation,
    install(subject, value) {
      installations.set(subject, { ...value });
    },
  };
}
