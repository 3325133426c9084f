import {
  type ConnectorDefinition,
  defineConnector,
  defineModel,
  type MetadataHook,
  type ModelDefinition,
  type OAuth2AuthSpec,
  oauth2,
  type RateLimitSpec,
} from "@patchbay/core";
import type { z } from "zod";
import { companyRequest } from "./company-api.js";
import {
  companyBaseUrl,
  QUICKBOOKS_API_HOSTS,
  QUICKBOOKS_DOCS_URL,
  QUICKBOOKS_OAUTH,
  QUICKBOOKS_PATHS,
  QUICKBOOKS_SCOPES,
  type QuickBooksEnvironment,
} from "./endpoints.js";
import { QUICKBOOKS_RATE_LIMIT_WAIT_MS, quickbooksErrorParser } from "./faults.js";
import { revenueSummaryAction } from "./revenue.js";
import {
  CompanyInfoResponseSchema,
  CustomerSchema,
  InvoiceSchema,
  ItemSchema,
  PaymentSchema,
  QUICKBOOKS_ENTITIES,
  QuickBooksConfigSchema,
  type QuickBooksEntity,
} from "./schemas.js";
import { entitySync, readEntities } from "./sync.js";
import { quickbooksWebhooks } from "./webhooks.js";
import { entityWriter } from "./write.js";

/**
 * Options of {@link quickbooks}.
 *
 * @example
 * ```ts
 * const options: QuickBooksOptions = {
 *   clientId: process.env.QUICKBOOKS_CLIENT_ID!,
 *   clientSecret: process.env.QUICKBOOKS_CLIENT_SECRET!,
 *   environment: "sandbox",
 *   webhookVerifierToken: process.env.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN,
 * };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/get-started/get-client-id-and-client-secret
 */
export interface QuickBooksOptions {
  /** The app's Client ID (Keys & credentials, development or production). */
  clientId: string;
  /** The app's Client Secret. */
  clientSecret: string;
  /**
   * `"production"` (default) for real companies, `"sandbox"` for sandbox
   * companies; development keys only work with `"sandbox"`.
   */
  environment?: QuickBooksEnvironment;
  /**
   * The app's webhook **Verifier Token** (Webhooks page of the app). Without
   * it the connector declares no webhooks and relies on scheduled syncs.
   */
  webhookVerifierToken?: string;
  /** Run a full sync every N incremental runs of a model, to catch deletes CDC cannot see. Default 24. */
  fullEvery?: number;
  /**
   * How long to wait after a throttle when Intuit sends no `Retry-After`, in
   * ms. Default 60 s (the limit is per minute); lower it only against the fake.
   */
  rateLimitWaitMs?: number;
}

/**
 * The client-side limits: 500 requests per minute per company (one
 * connection is one company), besides at most 10 in flight at once.
 *
 * @example
 * ```ts
 * http: { rateLimits: [QUICKBOOKS_RATE_LIMIT], maxConcurrent: { limit: QUICKBOOKS_MAX_CONCURRENT } }
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
 */
export const QUICKBOOKS_RATE_LIMIT: RateLimitSpec = Object.freeze({
  requests: 500,
  intervalMs: 60_000,
  scope: "connection" as const,
});

/**
 * At most this many requests in flight per company (Intuit: 10 concurrent per app and realm).
 *
 * @example
 * ```ts
 * quickbooks(options).http?.maxConcurrent; // { limit: 10, scope: "connection" }
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
 */
export const QUICKBOOKS_MAX_CONCURRENT = 10;

function checkOptions(options: unknown): QuickBooksOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError('"options" must be an object: quickbooks({ clientId, clientSecret })');
  }
  const o = options as Record<string, unknown>;
  for (const name of ["clientId", "clientSecret"] as const) {
    if (typeof o[name] !== "string" || (o[name] as string).trim() === "") {
      throw new TypeError(
        `"${name}" must be a non-empty string: copy it from your Intuit app's Keys & credentials`,
      );
    }
  }
  if (o.environment !== undefined && !(String(o.environment) in QUICKBOOKS_API_HOSTS)) {
    throw new TypeError(
      `"environment" must be "production" or "sandbox", got ${JSON.stringify(o.environment)}`,
    );
  }
  if (
    o.webhookVerifierToken !== undefined &&
    (typeof o.webhookVerifierToken !== "string" || o.webhookVerifierToken === "")
  ) {
    throw new TypeError(
      '"webhookVerifierToken" must be a non-empty string (the Verifier Token on your app\'s Webhooks page)',
    );
  }
  if (
    o.fullEvery !== undefined &&
    (!Number.isInteger(o.fullEvery) || (o.fullEvery as number) < 1)
  ) {
    throw new TypeError('"fullEvery" must be a positive integer');
  }
  if (
    o.rateLimitWaitMs !== undefined &&
    (typeof o.rateLimitWaitMs !== "number" ||
      !Number.isFinite(o.rateLimitWaitMs) ||
      o.rateLimitWaitMs < 0)
  ) {
    throw new TypeError('"rateLimitWaitMs" must be a non-negative number of milliseconds');
  }
  return options as QuickBooksOptions;
}

/**
 * Post-connect metadata: the `realmId` the callback carried (core keeps it
 * from `callbackParams`), the environment, and the company's name.
 *
 * @example
 * ```ts
 * oauth2({ ..., callbackParams: ["realmId"], metadata: learnCompany("sandbox") });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
 */
export function learnCompany(environment: QuickBooksEnvironment): MetadataHook {
  return async ({ http, callbackParams }) => {
    const realmId = callbackParams.realmId;
    if (typeof realmId !== "string" || !/^\d+$/.test(realmId)) {
      throw new Error(
        "the callback from Intuit carried no realmId (the company id): connect again and pick a company",
      );
    }
    const data = await companyRequest(http, { path: QUICKBOOKS_PATHS.companyInfo(realmId) });
    const { CompanyInfo } = CompanyInfoResponseSchema.parse(data);
    return {
      realmId,
      environment,
      companyName: CompanyInfo.CompanyName,
      ...(CompanyInfo.Country !== undefined && { country: CompanyInfo.Country }),
    };
  };
}

function authFor(options: QuickBooksOptions, environment: QuickBooksEnvironment): OAuth2AuthSpec {
  return oauth2({
    authorizationUrl: QUICKBOOKS_OAUTH.authorizationUrl,
    tokenUrl: QUICKBOOKS_OAUTH.tokenUrl,
    revocationUrl: QUICKBOOKS_OAUTH.revocationUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: [...QUICKBOOKS_SCOPES],
    // Intuit documents the plain authorization code flow (state, no PKCE).
    pkce: false,
    tokenEndpointAuthMethod: "client_secret_basic",
    // QuickBooks rotates the refresh token on every refresh: the newest one must be persisted.
    refreshTokenRotation: true,
    // The company id arrives on the callback URL, not in the token response.
    callbackParams: ["realmId"],
    metadata: learnCompany(environment),
  });
}

/**
 * The QuickBooks Online connector: customers, invoices, payments and items
 * kept in sync with change data capture, written back with `SyncToken`-safe
 * sparse updates, plus a revenue summary from the Profit and Loss report.
 *
 * - Auth: OAuth 2.0 authorization code; refresh tokens rotate on every
 *   refresh; the company (`realmId`) comes from the callback and is kept in
 *   the connection's metadata with the company name.
 * - Models `customers`, `invoices` (both writable), `payments`, `items`:
 *   full sync by query pagination (1000 per page), incremental by CDC within
 *   30 days, by `MetaData.LastUpdatedTime` queries beyond.
 * - Action `revenueSummary`.
 * - Webhooks (with `webhookVerifierToken`): legacy and CloudEvents bodies,
 *   signed with `intuit-signature`.
 * - 500 requests per minute and 10 in flight per company, client-side;
 *   faults (also inside HTTP 200) become typed errors with Intuit's code.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { quickbooks } from "@patchbay/quickbooks";
 *
 * const patchbay = createPatchbay({
 *   connectors: [quickbooks({ clientId: process.env.QUICKBOOKS_CLIENT_ID!, clientSecret: process.env.QUICKBOOKS_CLIENT_SECRET!, webhookVerifierToken: process.env.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN })],
 *   store, vault,
 * });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop
 */
export function quickbooks(
  options: QuickBooksOptions,
): ConnectorDefinition<typeof QuickBooksConfigSchema> {
  const checked = checkOptions(options);
  const environment = checked.environment ?? "production";
  const waitMs = checked.rateLimitWaitMs ?? QUICKBOOKS_RATE_LIMIT_WAIT_MS;
  const fullEvery = checked.fullEvery ?? 24;

  const model = <S extends z.ZodType<Record<string, unknown>>>(
    schema: S,
    entity: QuickBooksEntity,
    description: string,
    write?: "delete" | "deactivate",
  ) =>
    defineModel({
      description,
      schema,
      key: "Id",
      modes: ["full", "incremental"],
      fullEvery,
      updatedAt: (record) =>
        (record as { MetaData?: { LastUpdatedTime?: string } }).MetaData?.LastUpdatedTime,
      sync: entitySync(entity, { waitMs }),
      read: (ctx, ids) => readEntities(ctx, entity, ids, waitMs) as Promise<z.infer<S>[]>,
      ...(write !== undefined && {
        // The writer handles any entity's records; the schema narrows them for the host.
        write: entityWriter(entity, { onDelete: write }) as unknown as NonNullable<
          ModelDefinition<S, unknown>["write"]
        >,
      }),
    });

  return defineConnector({
    id: "quickbooks",
    name: "QuickBooks Online",
    category: "accounting",
    description:
      "Customers, invoices, payments and items from QuickBooks Online, kept current with change data capture and webhooks; create and update customers and invoices.",
    docsUrl: QUICKBOOKS_DOCS_URL,
    auth: authFor(checked, environment),
    config: QuickBooksConfigSchema,
    http: {
      // Until the callback has given the realm, only absolute URLs are used.
      baseUrl: ({ metadata }) =>
        typeof metadata.realmId === "string"
          ? companyBaseUrl(environment, metadata.realmId)
          : QUICKBOOKS_API_HOSTS[environment],
      rateLimits: [QUICKBOOKS_RATE_LIMIT],
      maxConcurrent: { limit: QUICKBOOKS_MAX_CONCURRENT, scope: "connection" },
      parseError: quickbooksErrorParser(waitMs),
    },
    async test(ctx) {
      const realmId = ctx.metadata.realmId;
      if (typeof realmId !== "string")
        return { ok: false, message: "the connection has no realmId" };
      CompanyInfoResponseSchema.parse(
        await companyRequest(ctx.http, { path: QUICKBOOKS_PATHS.companyInfo(realmId) }, waitMs),
      );
      return { ok: true };
    },
    models: {
      customers: model(
        CustomerSchema,
        QUICKBOOKS_ENTITIES.customers,
        "Active customers. Deleting one from the host makes it inactive in QuickBooks; one made inactive there is reported deleted.",
        "deactivate",
      ),
      invoices: model(
        InvoiceSchema,
        QUICKBOOKS_ENTITIES.invoices,
        "Invoices with their lines, totals and open balance.",
        "delete",
      ),
      payments: model(
        PaymentSchema,
        QUICKBOOKS_ENTITIES.payments,
        "Payments received, with the invoices they pay (read-only).",
      ),
      items: model(
        ItemSchema,
        QUICKBOOKS_ENTITIES.items,
        "Active products and services (read-only).",
      ),
    },
    actions: { revenueSummary: revenueSummaryAction },
    ...(checked.webhookVerifierToken !== undefined && {
      webhooks: quickbooksWebhooks(checked.webhookVerifierToken),
    }),
  });
}
