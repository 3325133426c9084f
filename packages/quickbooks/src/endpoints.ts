/**
 * QuickBooks Online's URLs, scopes and versions. The connector and the fake
 * both import these, so the fake always serves exactly what the connector calls.
 */

/**
 * Intuit's OAuth 2.0 endpoints (the same for sandbox and production apps).
 * Revocation takes a JSON body `{ token }` with HTTP Basic client auth.
 *
 * @example
 * ```ts
 * new URL(QUICKBOOKS_OAUTH.tokenUrl).host; // "oauth.platform.intuit.com"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 */
export const QUICKBOOKS_OAUTH = {
  authorizationUrl: "https://appcenter.intuit.com/connect/oauth2",
  tokenUrl: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
  revocationUrl: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
  userinfoUrl: "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
} as const;

/**
 * The one scope the connector asks for: read and write accounting data
 * (customers, invoices, payments, items, reports).
 *
 * @example
 * ```ts
 * quickbooks({ clientId, clientSecret }).auth; // requests QUICKBOOKS_SCOPES
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/scopes
 */
export const QUICKBOOKS_SCOPES: readonly string[] = Object.freeze([
  "com.intuit.quickbooks.accounting",
]);

/**
 * The two environments: development keys talk to sandbox companies on the
 * sandbox host, production keys to real companies.
 *
 * @example
 * ```ts
 * QUICKBOOKS_API_HOSTS.sandbox; // "https://sandbox-quickbooks.api.intuit.com"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export const QUICKBOOKS_API_HOSTS = {
  production: "https://quickbooks.api.intuit.com",
  sandbox: "https://sandbox-quickbooks.api.intuit.com",
} as const;

/**
 * An environment name.
 *
 * @example
 * ```ts
 * const env: QuickBooksEnvironment = "sandbox";
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export type QuickBooksEnvironment = keyof typeof QUICKBOOKS_API_HOSTS;

/**
 * The minor version sent on every call. Since 2025-08-01 Intuit ignores
 * minor versions 1–74 and answers with 75 by default.
 *
 * @example
 * ```ts
 * http.get("customer/1", { query: { minorversion: QUICKBOOKS_MINOR_VERSION } });
 * ```
 * @see https://blogs.intuit.com/2025/01/21/changes-to-our-accounting-api-that-may-impact-your-application
 */
export const QUICKBOOKS_MINOR_VERSION = 75;

/**
 * The company's API base: `<host>/v3/company/<realmId>`. Every path below is relative to it.
 *
 * @example
 * ```ts
 * companyBaseUrl("sandbox", "9130"); // "https://sandbox-quickbooks.api.intuit.com/v3/company/9130"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export function companyBaseUrl(environment: QuickBooksEnvironment, realmId: string): string {
  return `${QUICKBOOKS_API_HOSTS[environment]}/v3/company/${encodeURIComponent(realmId)}`;
}

/**
 * Paths under the company base.
 *
 * @example
 * ```ts
 * QUICKBOOKS_PATHS.entity("Customer"); // "customer"
 * QUICKBOOKS_PATHS.read("Invoice", "130"); // "invoice/130"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export const QUICKBOOKS_PATHS = {
  /** `GET ?query=<select statement>` (or POST with `Content-Type: application/text`). */
  query: "query",
  /** `GET ?entities=Customer,Invoice&changedSince=<ISO>`: change data capture, 30 days back. */
  cdc: "cdc",
  /** `GET`: the company's name, country and settings. */
  companyInfo: (realmId: string) => `companyinfo/${encodeURIComponent(realmId)}`,
  /** `POST`: create, or update with `Id` + `SyncToken` (+ `sparse: true`); `?operation=delete` deletes. */
  entity: (entity: string) => entity.toLowerCase(),
  /** `GET`: one entity by id. */
  read: (entity: string, id: string) => `${entity.toLowerCase()}/${encodeURIComponent(id)}`,
  /** `GET ?start_date&end_date&accounting_method`: the Profit and Loss report. */
  profitAndLoss: "reports/ProfitAndLoss",
} as const;

/**
 * The API reference, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * quickbooks({ clientId, clientSecret }).docsUrl === QUICKBOOKS_DOCS_URL; // true
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/account
 */
export const QUICKBOOKS_DOCS_URL =
  "https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/account";
