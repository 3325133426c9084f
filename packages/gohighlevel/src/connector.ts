import type { KeyObject } from "node:crypto";
import {
  type AuthSpec,
  ConfigError,
  type ConnectorDefinition,
  customCredentials,
  defineAction,
  defineConnector,
  defineModel,
  oauth2,
} from "@patchbay/core";
import { z } from "zod";
import {
  deriveLocationToken,
  type GhlInstalledLocation,
  listInstalledLocations,
} from "./agency.js";
import { dataOf, ghlApiClient } from "./api-client.js";
import {
  bookAppointment,
  type GhlCalendarSummary,
  listCalendars,
  readAppointments,
  syncAppointments,
  writeAppointments,
} from "./appointments.js";
import { readContacts, syncContacts, upsertContact, writeContacts } from "./contacts.js";
import {
  CONTACTS_SEARCH_PATH,
  GHL_AGENCY_SCOPES,
  GHL_API_BASE_URL,
  GHL_API_VERSION,
  GHL_DOCS_URL,
  GHL_OAUTH,
  GHL_SCOPES,
} from "./endpoints.js";
import { ghlErrorParser } from "./error-parser.js";
import { configuredLocation, isAgencyConnection, locationOf } from "./location.js";
import { GHL_RATE_LIMITS } from "./rate-limit.js";
import {
  BookAppointmentInput,
  GhlAppointmentSchema,
  type GhlConfig,
  GhlConfigSchema,
  GhlContactSchema,
  UpsertContactInput,
} from "./schemas.js";
import {
  GHL_LEGACY_WEBHOOK_PUBLIC_KEY,
  GHL_WEBHOOK_PUBLIC_KEY,
  ghlWebhooks,
  publicKeyOption,
} from "./webhooks.js";

/**
 * Options of {@link goHighLevel}: a Marketplace app's OAuth (the default), or
 * `auth: "private"` for users who paste a sub-account's private integration
 * token. Register one or the other: both use the id `gohighlevel`.
 *
 * @example
 * ```ts
 * const oauth: GoHighLevelOptions = { clientId: process.env.GHL_CLIENT_ID!, clientSecret: process.env.GHL_CLIENT_SECRET! };
 * const pit: GoHighLevelOptions = { auth: "private" };
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export type GoHighLevelOptions = GoHighLevelOAuthOptions | GoHighLevelPrivateOptions;

/**
 * OAuth: the Marketplace app's client id and secret. The connector asks for
 * sub-account (Location) tokens; HighLevel rotates the refresh token on every
 * refresh. A user who installs at agency level gets an agency (Company)
 * token: the connection then works in the sub-account its config
 * `locationId` names, with that sub-account's token from
 * `POST /oauth/locationToken`.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId: "65f0…-lx1", clientSecret: "…" });
 * goHighLevel({ clientId: "65f0…-lx1", clientSecret: "…", agency: true }); // agency installs too
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export interface GoHighLevelOAuthOptions extends GoHighLevelCommonOptions {
  auth?: "oauth";
  /** The Marketplace app's client id. */
  clientId: string;
  /** The Marketplace app's client secret (sent in the token request's form body). */
  clientSecret: string;
  /**
   * `true`: also ask for the scopes agency installs need (`oauth.readonly`
   * to list the agency's sub-accounts, `oauth.write` to get a sub-account's
   * token; `GHL_AGENCY_SCOPES`). Add them to the Marketplace app's scopes
   * first. Default `false`.
   */
  agency?: boolean;
  /**
   * The Marketplace app's id, which `GET /oauth/installedLocations` filters
   * by (the `listLocations` action, the agency connection test). Default
   * the client id's part before its first `-`: HighLevel's client ids read
   * `<app id>-<suffix>` (as seen in the Marketplace; not documented, so pass
   * it when yours differs: it is in the app's URL on the Marketplace).
   */
  appId?: string;
}

/**
 * Private integration tokens: each user pastes a token created in the
 * sub-account's Settings → Private Integrations, and that sub-account's location id.
 *
 * @example
 * ```ts
 * goHighLevel({ auth: "private" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/PrivateIntegrationsToken
 */
export interface GoHighLevelPrivateOptions extends GoHighLevelCommonOptions {
  auth: "private";
}

/**
 * Options both auth modes take.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId, clientSecret, legacyWebhookPublicKey: false });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export interface GoHighLevelCommonOptions {
  /**
   * The Ed25519 public key `X-GHL-Signature` is checked with. Default
   * HighLevel's published key; pass the fake's key for tests and sandboxes.
   */
  webhookPublicKey?: string | KeyObject;
  /**
   * The RSA public key the legacy `X-WH-Signature` is checked with, used
   * only when a delivery has no `X-GHL-Signature`. Default HighLevel's
   * published key; `false` accepts Ed25519 signatures only (HighLevel stops
   * sending the legacy header on 2026-07-01).
   */
  legacyWebhookPublicKey?: string | KeyObject | false;
}

/**
 * The private integration form: the token (`pit-…`) and the sub-account's location id.
 *
 * @example
 * ```ts
 * GHL_PRIVATE_INTEGRATION_FIELDS.parse({ token: "pit-1b2c…", locationId: "ve9EPM428h8vShlRW1KT" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/PrivateIntegrationsToken
 */
export const GHL_PRIVATE_INTEGRATION_FIELDS = z.object({
  token: z
    .string()
    .trim()
    .regex(/^pit-[0-9a-f-]{8,}$/i, "must be a private integration token (pit-…)")
    .describe("Private integration token"),
  locationId: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9]{10,40}$/,
      "must be the sub-account's location id (Settings → Business Profile)",
    )
    .describe("Location id"),
});

function checkOptions(options: unknown): GoHighLevelOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      '"options" must be an object: goHighLevel({ clientId, clientSecret }) or goHighLevel({ auth: "private" })',
    );
  }
  const o = options as Record<string, unknown>;
  if (o.auth !== undefined && o.auth !== "oauth" && o.auth !== "private") {
    throw new TypeError(`"auth" must be "oauth" or "private", got ${JSON.stringify(o.auth)}`);
  }
  if (o.auth === "private") {
    if (o.clientId !== undefined || o.clientSecret !== undefined) {
      throw new TypeError(
        '"clientId" and "clientSecret" are for auth "oauth"; a private integration token needs neither',
      );
    }
  } else {
    if (o.agency !== undefined && typeof o.agency !== "boolean") {
      throw new TypeError(`"agency" must be true or false, got ${JSON.stringify(o.agency)}`);
    }
    if (o.appId !== undefined && (typeof o.appId !== "string" || o.appId.trim() === "")) {
      throw new TypeError(
        '"appId" must be a non-empty string (the Marketplace app\'s id), or left out to read it from the client id',
      );
    }
    for (const name of ["clientId", "clientSecret"]) {
      if (typeof o[name] !== "string" || (o[name] as string).trim() === "") {
        throw new TypeError(
          `"${name}" must be a non-empty string (your Marketplace app's ${name === "clientId" ? "client id" : "client secret"}), or pass auth: "private"`,
        );
      }
    }
  }
  return options as GoHighLevelOptions;
}

function authFor(options: GoHighLevelOptions): AuthSpec {
  if (options.auth === "private") {
    return customCredentials({
      fields: GHL_PRIVATE_INTEGRATION_FIELDS,
      apply: ({ token }, request) => request.headers.set("authorization", `Bearer ${token}`),
      metadata: async ({ fields }) => ({
        locationId: String(fields.locationId),
        userType: "Location",
      }),
    });
  }
  return oauth2({
    authorizationUrl: GHL_OAUTH.authorizationUrl,
    tokenUrl: GHL_OAUTH.tokenUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: options.agency === true ? [...GHL_SCOPES, ...GHL_AGENCY_SCOPES] : [...GHL_SCOPES],
    // HighLevel documents no PKCE; the secret goes in the form body.
    pkce: false,
    tokenEndpointAuthMethod: "client_secret_post",
    tokenParams: { user_type: "Location" },
    // HighLevel returns a new refresh token on every refresh; the old one stops working.
    refreshTokenRotation: true,
    tokenResponseMetadata: ["userType", "locationId", "companyId", "userId"],
    // Agency (Company) tokens cannot call sub-account endpoints: with a
    // `locationId` configured, core sends that sub-account's token instead,
    // asked for at POST /oauth/locationToken and cached until it expires.
    deriveToken: deriveLocationToken,
    // Agency-level calls (installed locations, the location-token exchange) take the agency token.
    deriveTokenFor: ({ url }) => !url.pathname.startsWith("/oauth/"),
  });
}

/** The Marketplace app's id: the option, else the client id's part before its first "-". */
function appIdOf(options: GoHighLevelOptions): string | undefined {
  if (options.auth === "private") return undefined;
  return options.appId?.trim() ?? options.clientId.split("-")[0];
}

/** The agency connection's company id, or a ConfigError saying to reconnect. */
function companyOf(metadata: Record<string, unknown>): string {
  const companyId = metadata.companyId;
  if (typeof companyId !== "string" || companyId === "") {
    throw new ConfigError(
      "This HighLevel agency connection has no companyId (HighLevel's token response lacked it): reconnect HighLevel at agency level.",
    );
  }
  return companyId;
}

const listCalendarsAction = defineAction({
  description: "The location's calendars, to pick the ones whose appointments sync.",
  input: z.object({}),
  async run(ctx): Promise<{ calendars: GhlCalendarSummary[] }> {
    const calendars = await listCalendars(
      ghlApiClient(ctx.http),
      locationOf(ctx.metadata, ctx.config),
    );
    return { calendars };
  },
});

function listLocationsAction(appId: string | undefined) {
  return defineAction({
    description:
      "The sub-accounts (locations) this connection can work in, to pick the config field locationId: for an agency install, the agency's sub-accounts the app is installed on (GET /oauth/installedLocations); for a sub-account install, its own location.",
    input: z.object({}),
    async run(
      ctx,
    ): Promise<{ locations: GhlInstalledLocation[]; installToFutureLocations: boolean | null }> {
      if (!isAgencyConnection(ctx.metadata)) {
        const id = locationOf(ctx.metadata, ctx.config);
        return {
          locations: [{ id, name: null, address: null, isInstalled: true }],
          installToFutureLocations: null,
        };
      }
      if (appId === undefined) {
        throw new ConfigError(
          "listLocations needs the Marketplace app id: pass goHighLevel({ appId }).",
        );
      }
      return listInstalledLocations(ghlApiClient(ctx.http), {
        companyId: companyOf(ctx.metadata),
        appId,
      });
    },
  });
}

/**
 * The HighLevel (LeadConnector API v2) connector for a home-service CRM:
 * contacts and appointments in, contact upserts and bookings out, with
 * webhooks signed by HighLevel.
 *
 * - Auth: Marketplace OAuth (sub-account tokens, rotating refresh tokens;
 *   agency installs work in the sub-account config `locationId` names, with
 *   its token from `POST /oauth/locationToken`), or `auth: "private"` for
 *   private integration tokens.
 * - Config: `locationId` for agency installs (pick with `listLocations`),
 *   `calendarIds` (pick with `listCalendars`), the appointment window.
 * - Model `contacts`: full and incremental sync (`dateUpdated`), write-back
 *   (upsert on create).
 * - Model `appointments`: full sync over the window, write-back (booking).
 * - Actions: `listLocations`, `listCalendars`, `upsertContact`, `bookAppointment`.
 * - 100 requests per 10 s and 200,000 per day per location.
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { goHighLevel } from "@patchbay/gohighlevel";
 *
 * const patchbay = createPatchbay({
 *   connectors: [goHighLevel({ clientId: process.env.GHL_CLIENT_ID!, clientSecret: process.env.GHL_CLIENT_SECRET! })],
 *   store, vault,
 * });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function goHighLevel(
  options: GoHighLevelOptions,
): ConnectorDefinition<typeof GhlConfigSchema> {
  const checked = checkOptions(options);
  const appId = appIdOf(checked);
  const keys = {
    ed25519: publicKeyOption(
      checked.webhookPublicKey ?? GHL_WEBHOOK_PUBLIC_KEY,
      "ed25519",
      "webhookPublicKey",
    ),
    legacyRsa:
      checked.legacyWebhookPublicKey === false
        ? undefined
        : publicKeyOption(
            checked.legacyWebhookPublicKey ?? GHL_LEGACY_WEBHOOK_PUBLIC_KEY,
            "rsa",
            "legacyWebhookPublicKey",
          ),
  };

  return defineConnector({
    id: "gohighlevel",
    name: "HighLevel",
    category: "crm",
    description:
      "Sync HighLevel contacts and appointments both ways: contacts upserted, appointments booked, changes pushed by HighLevel's webhooks.",
    docsUrl: GHL_DOCS_URL,
    auth: authFor(checked),
    config: GhlConfigSchema,
    http: {
      baseUrl: GHL_API_BASE_URL,
      rateLimits: [...GHL_RATE_LIMITS],
      parseError: ghlErrorParser(),
    },
    async test(ctx) {
      if (isAgencyConnection(ctx.metadata) && configuredLocation(ctx.config) === undefined) {
        // An agency token cannot search contacts: list a page of the agency's
        // sub-accounts instead (proves the token and the oauth.readonly scope).
        if (appId === undefined) return undefined;
        await listInstalledLocations(ghlApiClient(ctx.http), {
          companyId: companyOf(ctx.metadata),
          appId,
          limit: 20,
        });
        return undefined;
      }
      // With a sub-account configured on an agency connection, this request
      // carries the sub-account's token (deriveToken): it proves the exchange too.
      const locationId = locationOf(ctx.metadata, ctx.config);
      // A one-contact search: read-only and cheap, and it proves the contacts scope.
      const result = await ghlApiClient(ctx.http).POST(CONTACTS_SEARCH_PATH, {
        params: { header: { Version: GHL_API_VERSION.contacts } },
        body: { locationId, pageLimit: 1 },
      });
      dataOf(result, `POST ${CONTACTS_SEARCH_PATH}`);
      return undefined;
    },
    models: {
      contacts: defineModel<typeof GhlContactSchema, GhlConfig>({
        description:
          "The location's contacts with HighLevel's fields (names, email, phone, address, tags, custom fields).",
        schema: GhlContactSchema,
        key: "id",
        updatedAt: (contact) => contact.dateUpdated,
        modes: ["full", "incremental"],
        fullEvery: 24,
        sync: syncContacts,
        read: readContacts,
        write: writeContacts,
      }),
      appointments: defineModel<typeof GhlAppointmentSchema, GhlConfig>({
        description:
          "Appointments of the configured calendars whose start falls in the configured window.",
        schema: GhlAppointmentSchema,
        key: "id",
        updatedAt: (appointment) => appointment.dateUpdated ?? undefined,
        modes: ["full"],
        sync: syncAppointments,
        read: readAppointments,
        write: writeAppointments,
      }),
    },
    actions: {
      listLocations: listLocationsAction(appId),
      listCalendars: listCalendarsAction,
      upsertContact: defineAction({
        description:
          "Create a contact, or update the one HighLevel matches by email or phone. Returns whether it was new.",
        input: UpsertContactInput,
        async run(ctx, input) {
          return upsertContact(ghlApiClient(ctx.http), locationOf(ctx.metadata, ctx.config), input);
        },
      }),
      bookAppointment: defineAction({
        description: "Book an appointment for a contact in one of the location's calendars.",
        input: BookAppointmentInput,
        async run(ctx, input) {
          return bookAppointment(
            ghlApiClient(ctx.http),
            locationOf(ctx.metadata, ctx.config),
            input,
          );
        },
      }),
    },
    webhooks: ghlWebhooks(keys),
    lifecycle: {
      // Webhooks route by metadata.locationId. An agency connection has no
      // location of its own: mirror the configured sub-account there (null
      // when none), after connecting and after every configure.
      async setup(ctx) {
        if (!isAgencyConnection(ctx.metadata)) return undefined;
        const locationId = configuredLocation(ctx.config) ?? null;
        if ((ctx.metadata.locationId ?? null) === locationId) return undefined;
        return { metadata: { locationId } };
      },
    },
  });
}
