/**
 * ServiceTitan's URLs. Each environment (the integration sandbox and
 * production) has its own auth and API hosts; API paths carry the module,
 * the version and the tenant: `/{module}/v2/tenant/{tenant}/...`.
 * Imported by the connector and by the fake, so both talk about the same URLs.
 */

/**
 * The two ServiceTitan environments. Client IDs and secrets are issued per
 * tenant and per environment; the app key works in both.
 *
 * @example
 * ```ts
 * const environment: ServiceTitanEnvironment = "integration";
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export type ServiceTitanEnvironment = "production" | "integration";

/**
 * Every environment name, production first.
 *
 * @example
 * ```ts
 * SERVICETITAN_ENVIRONMENTS.includes("integration"); // true
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export const SERVICETITAN_ENVIRONMENTS: readonly ServiceTitanEnvironment[] = Object.freeze([
  "production",
  "integration",
]);

/**
 * The auth and API hosts of each environment.
 *
 * @example
 * ```ts
 * SERVICETITAN_HOSTS.integration.api; // "https://api-integration.servicetitan.io"
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export const SERVICETITAN_HOSTS: Readonly<
  Record<ServiceTitanEnvironment, { readonly auth: string; readonly api: string }>
> = Object.freeze({
  production: Object.freeze({
    auth: "https://auth.servicetitan.io",
    api: "https://api.servicetitan.io",
  }),
  integration: Object.freeze({
    auth: "https://auth-integration.servicetitan.io",
    api: "https://api-integration.servicetitan.io",
  }),
});

/**
 * The API reference.
 *
 * @example
 * ```ts
 * defineConnector({ docsUrl: SERVICETITAN_DOCS_URL, ... });
 * ```
 * @see https://developer.servicetitan.io/apis/
 */
export const SERVICETITAN_DOCS_URL = "https://developer.servicetitan.io/apis/";

/**
 * The OAuth 2.0 token endpoint of an environment (client credentials grant).
 *
 * @example
 * ```ts
 * servicetitanTokenUrl("integration"); // "https://auth-integration.servicetitan.io/connect/token"
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export function servicetitanTokenUrl(environment: ServiceTitanEnvironment): string {
  return `${SERVICETITAN_HOSTS[environment].auth}/connect/token`;
}

/**
 * The API base URL of an environment.
 *
 * @example
 * ```ts
 * servicetitanApiUrl("production"); // "https://api.servicetitan.io"
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function servicetitanApiUrl(environment: ServiceTitanEnvironment): string {
  return SERVICETITAN_HOSTS[environment].api;
}

/**
 * The header carrying the app key on every API call.
 *
 * @example
 * ```ts
 * headers.set(APP_KEY_HEADER, appKey);
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export const APP_KEY_HEADER = "ST-App-Key";

function tenantPath(module: string, tenant: string | number, rest: string): string {
  return `/${module}/v2/tenant/${encodeURIComponent(String(tenant))}/${rest}`;
}

/**
 * API paths by resource, for one tenant. Export feeds (`export/...`) return
 * `{ data, hasMore, continueFrom }`; list endpoints return `{ page, pageSize,
 * hasMore, totalCount, data }`.
 *
 * @example
 * ```ts
 * SERVICETITAN_PATHS.customersExport("1011756844"); // "/crm/v2/tenant/1011756844/export/customers"
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export const SERVICETITAN_PATHS = Object.freeze({
  customers: (tenant: string | number) => tenantPath("crm", tenant, "customers"),
  customer: (tenant: string | number, id: string | number) =>
    tenantPath("crm", tenant, `customers/${encodeURIComponent(String(id))}`),
  customersExport: (tenant: string | number) => tenantPath("crm", tenant, "export/customers"),
  locations: (tenant: string | number) => tenantPath("crm", tenant, "locations"),
  jobs: (tenant: string | number) => tenantPath("jpm", tenant, "jobs"),
  jobsExport: (tenant: string | number) => tenantPath("jpm", tenant, "export/jobs"),
  jobTypes: (tenant: string | number) => tenantPath("jpm", tenant, "job-types"),
  invoicesExport: (tenant: string | number) => tenantPath("accounting", tenant, "export/invoices"),
  techniciansExport: (tenant: string | number) =>
    tenantPath("settings", tenant, "export/technicians"),
  businessUnits: (tenant: string | number) => tenantPath("settings", tenant, "business-units"),
  campaigns: (tenant: string | number) => tenantPath("marketing", tenant, "campaigns"),
});

/**
 * The tenant id in an API path, or `undefined` when the path has none.
 *
 * @example
 * ```ts
 * tenantOfPath("/crm/v2/tenant/1011756844/customers"); // "1011756844"
 * ```
 * @see https://developer.servicetitan.io/docs/get-going-first-api-call/
 */
export function tenantOfPath(path: string): string | undefined {
  let pathname = path;
  if (/^https?:\/\//i.test(path)) {
    try {
      pathname = new URL(path).pathname;
    } catch {
      return undefined;
    }
  }
  return /\/v2\/tenant\/([^/?#]+)/.exec(pathname)?.[1];
}
