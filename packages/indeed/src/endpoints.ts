/**
 * Indeed's URLs, scopes and header names, shared by the connector and the fake.
 */

/**
 * The OAuth 2.0 token endpoint (client credentials grant; tokens last one hour).
 *
 * @example
 * ```ts
 * await fetch(INDEED_TOKEN_URL, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", scope: INDEED_EMPLOYER_SCOPE }) });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const INDEED_TOKEN_URL = "https://apis.indeed.com/oauth/v2/tokens";

/**
 * The GraphQL endpoint (POST only: Indeed does not support GET).
 *
 * @example
 * ```ts
 * await http.post(INDEED_GRAPHQL_URL, { json: { operationName, query, variables } });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const INDEED_GRAPHQL_URL = "https://apis.indeed.com/graphql";

/**
 * The app information endpoint: with an `employer_access` token it lists
 * the employers the app may act for (`{ employers: [{ id, name }] }`), the
 * list an employer selection screen is built from.
 *
 * @example
 * ```ts
 * const { data } = await http.get<{ employers: { id: string; name: string }[] }>(INDEED_APPINFO_URL);
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const INDEED_APPINFO_URL = "https://secure.indeed.com/v2/api/appinfo";

/**
 * The scope that lists employers and, with the `employer` parameter, gets a
 * token that represents one employer.
 *
 * @example
 * ```ts
 * clientCredentials({ tokenUrl: INDEED_TOKEN_URL, scopes: [INDEED_EMPLOYER_SCOPE] });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export const INDEED_EMPLOYER_SCOPE = "employer_access";

/**
 * The token request parameter naming the employer a token represents (one
 * employer per token), as Indeed's own OAuth client sends it.
 *
 * @example
 * ```ts
 * form.set(INDEED_EMPLOYER_PARAM, employerId);
 * ```
 * @see https://github.com/indeedeng/oauth-client
 */
export const INDEED_EMPLOYER_PARAM = "employer";

/**
 * The token URL for one employer. Core's client-credentials grant sends
 * static token parameters only, so the per-connection `employer` rides in
 * the query string of the token URL (see the docs page's "Limits and quirks").
 *
 * @example
 * ```ts
 * indeedEmployerTokenUrl("a1b2c3"); // "https://apis.indeed.com/oauth/v2/tokens?employer=a1b2c3"
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export function indeedEmployerTokenUrl(employer: string): string {
  const url = new URL(INDEED_TOKEN_URL);
  url.searchParams.set(INDEED_EMPLOYER_PARAM, employer);
  return url.href;
}

/**
 * The header carrying the Indeed Apply signature: base64 of HMAC-SHA1 of the
 * raw body, keyed with the Indeed Apply API secret.
 *
 * @example
 * ```ts
 * delivery.headers.get(INDEED_SIGNATURE_HEADER);
 * ```
 * @see https://docs.indeed.com/indeed-apply/message-signature-generation
 */
export const INDEED_SIGNATURE_HEADER = "x-indeed-signature";

/**
 * The query parameter the connector adds to each posting's Indeed Apply
 * `postUrl`, so a delivery is routed to the connection of that employer.
 *
 * @example
 * ```ts
 * new URL(delivery.url).searchParams.get(INDEED_APPLY_ROUTE_PARAM);
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-delivery
 */
export const INDEED_APPLY_ROUTE_PARAM = "employer";

/**
 * The Job Sync API guide.
 *
 * @example
 * ```ts
 * defineConnector({ docsUrl: INDEED_DOCS_URL, ... });
 * ```
 * @see https://docs.indeed.com/job-sync-api/job-sync-api-guide
 */
export const INDEED_DOCS_URL = "https://docs.indeed.com/job-sync-api/job-sync-api-guide";

/**
 * The Indeed Apply application data reference.
 *
 * @example
 * ```ts
 * console.log(`Payload fields: ${INDEED_APPLY_DOCS_URL}`);
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export const INDEED_APPLY_DOCS_URL = "https://docs.indeed.com/indeed-apply/application-data";
