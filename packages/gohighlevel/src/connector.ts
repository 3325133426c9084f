import type { KeyObject } from "node:crypto";
import {
  type AuthSpec,
  type ConnectorDefinition,
  customCredentials,
  defineAction,
  defineConnector,
  defineModel,
  oauth2,
} from "@patchbay/core";
import { z } from "zod";
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
  GHL_API_BASE_URL,
  GHL_API_VERSION,
  GHL_DOCS_URL,
  GHL_OAUTH,
  GHL_SCOPES,
} from "./endpoints.js";
import { ghlErrorParser } from "./error-parser.js";
import { locationOf } from "./location.js";
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
 * refresh.
 *
 * @example
 * ```ts
 * goHighLevel({ clientId: "65f0…-lx1", clientSecret: "…" });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/OAuth2.0
 */
export interface GoHighLevelOAuthOptions extends GoHighLevelCommonOptions {
  auth?: "oauth";
  /** The Marketplace app's client id. */
  clientId: string;
  /** The Marketplace app's client secret (sent in the token request's form body). */
  clientSecret: string;
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
    scopes: [...GHL_SCOPES],
    // HighLevel documents no PKCE; the secret goes in the form body.
    pkce: false,
    tokenEndpointAuthMethod: "client_secret_post",
    tokenParams: { user_type: "Location" },
    // HighLevel returns a new refresh token on every refresh; the old one stops working.
    refreshTokenRotation: true,
    tokenResponseMetadata: ["userType", "locationId", "companyId", "userId"],
  });
}

const listCalendarsAction = defineAction({
  description: "The location's calendars, to pick the ones whose appointments sync.",
  input: z.object({}),
  async run(ctx): Promise<{ calendars: GhlCalendarSummary[] }> {
    const calendars = await listCalendars(ghlApiClient(ctx.http), locationOf(ctx.metadata));
    return { calendars };
  },
});

/**
 * The HighLevel (LeadConnector API v2) connector for a home-service CRM:
 * contacts and appointments in, contact upserts and bookings out, with
 * webhooks signed by HighLevel.
 *
 * - Auth: Marketplace OAuth (sub-account tokens, rotating refresh tokens), or
 *   `auth: "private"` for private integration tokens.
 * - Config: `calendarIds` (pick with `listCalendars`), the appointment window.
 * - Model `contacts`: full and incremental sync (`dateUpdated`), write-back
 *   (upsert on create).
 * - Model `appointments`: full sync over the window, write-back (booking).
 * - Actions: `listCalendars`, `upsertContact`, `bookAppointment`.
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
      const locationId = locationOf(ctx.metadata);
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
      listCalendars: listCalendarsAction,
      upsertContact: defineAction({
        description:
          "Create a contact, or update the one HighLevel matches by email or phone. Returns whether it was new.",
        input: UpsertContactInput,
        async run(ctx, input) {
          return upsertContact(ghlApiClient(ctx.http), locationOf(ctx.metadata), input);
        },
      }),
      bookAppointment: defineAction({
        description: "Book an appointment for a contact in one of the location's calendars.",
        input: BookAppointmentInput,
        async run(ctx, input) {
          return bookAppointment(ghlApiClient(ctx.http), locationOf(ctx.metadata), input);
        },
      }),
    },
    webhooks: ghlWebhooks(keys),
  });
}
