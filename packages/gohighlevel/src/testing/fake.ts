import {
  createPrivateKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import type { Connection } from "@patchbay/core";
import { FAKE_OAUTH_DEFAULT_SUBJECT } from "@patchbay/testing";
import type { RequestHandler } from "msw";
import { INSTALLED_LOCATIONS_PATH, LOCATION_TOKEN_PATH } from "../endpoints.js";
import { GHL_SIGNATURE_HEADERS } from "../webhooks.js";
import {
  createGhlApiHandlers,
  type FakeApiContext,
  type FakePrivateIntegration,
  type FakeRateLimitOptions,
  type FakeRequestLogEntry,
  renderContact,
} from "./handlers.js";
import { createGhlOAuthFake, type GhlOAuthFake } from "./oauth.js";
import {
  type FakeAppointment,
  type FakeChangeEvent,
  type FakeContact,
  type FakeLocation,
  GhlFakeState,
} from "./state.js";

/**
 * The sandbox sub-account the fake starts with: "Summit Heating & Plumbing",
 * a home-service business, with a "Service visits" and an "Estimates"
 * calendar. `hostContactId` is a contact `seedAppointments` always creates.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { calendarIds: [GHL_SANDBOX.calendarId] });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export const GHL_SANDBOX = Object.freeze({
  locationId: "SbxHomeServiceLoc001",
  locationName: "Summit Heating & Plumbing",
  companyId: "SbxAgencyCompany0001",
  userId: "SbxUserOwner00000001",
  calendarId: "SbxCalServiceVisit01",
  estimatesCalendarId: "SbxCalEstimates00001",
  hostContactId: "SbxContactHost000001",
});

/**
 * The sandbox private integration token (for `goHighLevel({ auth: "private" })`),
 * valid for the sandbox location.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "gohighlevel", credentials: { token: GHL_SANDBOX_PRIVATE_TOKEN, locationId: GHL_SANDBOX.locationId } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/Authorization/PrivateIntegrationsToken
 */
export const GHL_SANDBOX_PRIVATE_TOKEN = "pit-5f2b6c1e-0d3a-4e8f-9b7c-2a1d0e9f8c70";

/**
 * The Ed25519 key pair the fake signs `X-GHL-Signature` with (test only:
 * never HighLevel's). Give the public key to the connector:
 * `goHighLevel({ ..., webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey })`.
 *
 * @example
 * ```ts
 * goHighLevel({ ...GHL_SANDBOX_APP, webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 */
export const GHL_SANDBOX_WEBHOOK_KEYS = Object.freeze({
  publicKey: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA0o/lEihj9D9iLZ3I4/hFPUF6MAeXAbODCs4HSMeT84c=
-----END PUBLIC KEY-----
`,
  privateKey: `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIH7T8ZwEvo/LCIVMF0CkZPvJdoauCieEb75ExpiQRyfu
-----END PRIVATE KEY-----
`,
});

/**
 * Options of {@link createGhlFake}.
 *
 * @example
 * ```ts
 * const fake = createGhlFake({ rateLimit: { burstMax: 100, burstIntervalMs: 50, dailyLimit: 200_000 } });
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export interface GhlFakeOptions {
  /** The fake's clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Redirect URIs registered for the sandbox app. */
  redirectUris?: readonly string[];
  /** The OAuth server; default a new one whose default installation is the sandbox location. `false` for PIT-only fakes. */
  oauth?: GhlOAuthFake | false;
  /**
   * `true`: users install the app at agency level, so the code exchange
   * issues an agency (Company) token for the sandbox company instead of a
   * sub-account token (ignored with your own `oauth`). Same as calling
   * `installAgency()` before connecting.
   */
  agency?: boolean;
  /** Private integration tokens accepted. Default {@link GHL_SANDBOX_PRIVATE_TOKEN} for the sandbox location. */
  privateIntegrations?: Record<string, FakePrivateIntegration>;
  /** Burst and daily limits per location; `false` turns them off (forced 429s still work). */
  rateLimit?: Partial<FakeRateLimitOptions> | false;
  /** The Ed25519 private key deliveries are signed with. Default {@link GHL_SANDBOX_WEBHOOK_KEYS}. */
  webhookPrivateKey?: string | KeyObject;
  /** Also sign the legacy `X-WH-Signature` (RSA-SHA256) with this RSA private key. */
  legacyWebhookPrivateKey?: string | KeyObject;
  /** Where deliveries are addressed. Default `https://app.example.com/integrations/webhooks/gohighlevel`. */
  webhookUrl?: string;
  /**
   * Called with each signed delivery HighLevel would POST to the app's
   * webhook URL, e.g. `(r) => patchbay.handleWebhook("gohighlevel", r)`.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * The fake HighLevel (see {@link createGhlFake}).
 *
 * @example
 * ```ts
 * let fake: GhlFake = createGhlFake();
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export type GhlFake = ReturnType<typeof createGhlFake>;

const FIRST = [
  "Maria",
  "James",
  "Priya",
  "Tom",
  "Aisha",
  "Carlos",
  "Linda",
  "Kenji",
  "Fatima",
  "Owen",
];
const LAST = [
  "Garcia",
  "Walsh",
  "Patel",
  "Nguyen",
  "Okafor",
  "Silva",
  "Brooks",
  "Tanaka",
  "Haddad",
  "Reilly",
];
const STREETS = ["Maple Ave", "Oak St", "Cedar Ln", "Birch Rd", "Elm Ct", "Willow Way"];
const JOBS = [
  { tag: "furnace-repair", title: "Furnace repair" },
  { tag: "ac-tune-up", title: "AC tune-up" },
  { tag: "water-heater", title: "Water heater install" },
  { tag: "drain-cleaning", title: "Drain cleaning" },
  { tag: "boiler-service", title: "Boiler service" },
];
const DAY_MS = 24 * 60 * 60_000;

function keyOf(value: string | KeyObject, name: string): KeyObject {
  if (typeof value === "string") return createPrivateKey(value);
  if (value.type !== "private") throw new TypeError(`"${name}" must be a private key`);
  return value;
}

/**
 * A stateful fake of HighLevel's API v2 and OAuth server for tests and
 * sandbox mode: sub-accounts with contacts, calendars and appointments;
 * contacts search with `searchAfter` paging and `dateUpdated` filters;
 * upserts matching email then phone; bookings with slot checks; Location and
 * Company tokens (agency installs: `/oauth/locationToken`,
 * `/oauth/installedLocations`, sub-accounts with or without the app); the `Version` header required
 * per endpoint family; burst and daily limits with `X-RateLimit-*` headers;
 * webhook deliveries signed with Ed25519. Errors come in HighLevel's shapes.
 *
 * @example
 * ```ts
 * const fake = createGhlFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // Summit Heating & Plumbing's customers and bookings
 * fake.editContact(id, { tags: ["vip"] }); // a user edits a contact in HighLevel
 * ```
 * @see https://marketplace.gohighlevel.com/docs/
 */
export function createGhlFake(options: GhlFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = new GhlFakeState(now);
  const oauth =
    options.oauth === false
      ? undefined
      : (options.oauth ??
        createGhlOAuthFake({
          now,
          ...(options.redirectUris !== undefined && { redirectUris: options.redirectUris }),
          defaultInstallation:
            options.agency === true
              ? {
                  userType: "Company",
                  companyId: GHL_SANDBOX.companyId,
                  userId: GHL_SANDBOX.userId,
                  approvedLocations: [GHL_SANDBOX.locationId],
                }
              : {
                  userType: "Location",
                  locationId: GHL_SANDBOX.locationId,
                  companyId: GHL_SANDBOX.companyId,
                  userId: GHL_SANDBOX.userId,
                },
        }));
  const privateIntegrations = new Map(
    Object.entries(
      options.privateIntegrations ?? {
        [GHL_SANDBOX_PRIVATE_TOKEN]: { locationId: GHL_SANDBOX.locationId },
      },
    ),
  );
  const ctx: FakeApiContext = {
    state,
    oauth,
    locationTokens: new Map(),
    privateIntegrations,
    rateLimit:
      options.rateLimit === false
        ? false
        : {
            burstMax: options.rateLimit?.burstMax ?? 100,
            burstIntervalMs: options.rateLimit?.burstIntervalMs ?? 10_000,
            dailyLimit: options.rateLimit?.dailyLimit ?? 200_000,
          },
    now,
    log: [],
    forced: { rateLimited: 0 },
    windows: new Map(),
  };
  const signingKey = keyOf(
    options.webhookPrivateKey ?? GHL_SANDBOX_WEBHOOK_KEYS.privateKey,
    "webhookPrivateKey",
  );
  const legacyKey =
    options.legacyWebhookPrivateKey === undefined
      ? undefined
      : keyOf(options.legacyWebhookPrivateKey, "legacyWebhookPrivateKey");
  const webhookUrl =
    options.webhookUrl ?? "https://app.example.com/integrations/webhooks/gohighlevel";
  const deliveries: Record<string, unknown>[] = [];

  const sandbox = state.addLocation({
    id: GHL_SANDBOX.locationId,
    name: GHL_SANDBOX.locationName,
    companyId: GHL_SANDBOX.companyId,
    address: "1420 Larimer St, Denver, CO 80202",
  });
  state.addCalendar(sandbox, {
    id: GHL_SANDBOX.calendarId,
    name: "Service visits",
    calendarType: "service_booking",
    slotDuration: 120,
    groupId: "SbxCalGroupField0001",
    isActive: true,
  });
  state.addCalendar(sandbox, {
    id: GHL_SANDBOX.estimatesCalendarId,
    name: "Estimates",
    calendarType: "event",
    slotDuration: 60,
    groupId: "SbxCalGroupField0001",
    isActive: true,
  });

  function payloadOf(locationId: string, event: FakeChangeEvent): Record<string, unknown> {
    const envelope = {
      type: event.type,
      locationId,
      timestamp: new Date(now()).toISOString(),
      webhookId: state.newId(),
    };
    if ("contact" in event) {
      const { dateUpdated: _updated, ...contact } = renderContact(event.contact as FakeContact);
      return { ...contact, ...envelope };
    }
    const a = event.appointment;
    return {
      ...envelope,
      appointment: {
        id: a.id,
        address: a.address,
        title: a.title,
        calendarId: a.calendarId,
        contactId: a.contactId,
        groupId: a.groupId,
        appointmentStatus: a.appointmentStatus,
        assignedUserId: a.assignedUserId,
        users: a.users,
        notes: a.notes,
        source: "booking_widget",
        startTime: a.startTime,
        endTime: a.endTime,
        dateAdded: a.dateAdded,
        dateUpdated: a.dateUpdated,
      },
    };
  }

  function signed(payload: Record<string, unknown>, key: KeyObject = signingKey): Request {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      [GHL_SIGNATURE_HEADERS.ed25519]: sign(null, Buffer.from(body), key).toString("base64"),
    };
    if (legacyKey !== undefined) {
      headers[GHL_SIGNATURE_HEADERS.legacyRsa] = createSign("RSA-SHA256")
        .update(body)
        .sign(legacyKey)
        .toString("base64");
    }
    return new Request(webhookUrl, { method: "POST", headers, body });
  }

  state.onChange = (locationId, event) => {
    const payload = payloadOf(locationId, event);
    deliveries.push(payload);
    if (options.notify === undefined) return;
    const request = signed(payload);
    setTimeout(() => {
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  };

  function where(locationId: string = GHL_SANDBOX.locationId): FakeLocation {
    return state.location(locationId);
  }

  function person(n: number): Partial<FakeContact> {
    const first = FIRST[n % FIRST.length]!;
    const last = LAST[Math.floor(n / FIRST.length) % LAST.length]!;
    const job = JOBS[n % JOBS.length]!;
    return {
      firstName: first,
      lastName: last,
      email: `${first}.${last}${n}@example.com`.toLowerCase(),
      phone: `+1303555${String(1000 + (n % 9000)).padStart(4, "0")}`,
      address1: `${100 + n} ${STREETS[n % STREETS.length]}`,
      city: "Denver",
      state: "CO",
      postalCode: `802${String(n % 100).padStart(2, "0")}`,
      country: "US",
      timezone: "America/Denver",
      source: n % 3 === 0 ? "Google Business Profile" : n % 3 === 1 ? "Website form" : "Referral",
      tags: [job.tag, ...(n % 4 === 0 ? ["annual-plan"] : [])],
      dnd: false,
      customFields: [],
    };
  }

  let seeded = 0;
  const api = {
    /** The fake's data, for assertions the helpers do not cover. */
    state,
    /** The OAuth server (absent with `oauth: false`). */
    oauth,
    /** MSW handlers: the API, and the OAuth server's. */
    handlers: [...(oauth?.handlers ?? []), ...createGhlApiHandlers(ctx)] as RequestHandler[],
    /** What a user types for `goHighLevel({ auth: "private" })`: the sandbox token and location. */
    credentials: { token: GHL_SANDBOX_PRIVATE_TOKEN, locationId: GHL_SANDBOX.locationId },
    /** Every API request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],
    /** Every delivery HighLevel would have sent (payloads), in order. */
    deliveries: deliveries as readonly Record<string, unknown>[],
    /** The public key of the signing key, for `goHighLevel({ webhookPublicKey })`. */
    webhookPublicKey: GHL_SANDBOX_WEBHOOK_KEYS.publicKey,

    /** The next `count` API requests answer HighLevel's 429 with spent `X-RateLimit-*` headers. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0) {
        throw new TypeError('"count" must be a non-negative integer');
      }
      ctx.forced.rateLimited += count;
    },

    /**
     * Add a sub-account of the sandbox agency (or of `companyId`), with the
     * app installed unless `appInstalled: false` (then an agency token gets
     * no location token for it).
     */
    addLocation(spec: {
      id: string;
      name: string;
      companyId?: string;
      address?: string;
      appInstalled?: boolean;
    }): FakeLocation {
      return state.addLocation({ companyId: GHL_SANDBOX.companyId, ...spec });
    },

    /** Install (`true`) or uninstall the app on a sub-account, as an agency admin would. */
    setAppInstalled(locationId: string, installed: boolean): void {
      where(locationId).appInstalled = installed;
    },

    /**
     * A user installs the app on the sandbox agency instead (Company token)
     * when `subject` approves. `approvedLocations` is what the token
     * response lists; default the agency's sub-accounts that have the app.
     */
    installAgency(
      subject: string = FAKE_OAUTH_DEFAULT_SUBJECT,
      approvedLocations?: string[],
    ): void {
      if (oauth === undefined) throw new TypeError("the fake was created with oauth: false");
      oauth.install(subject, {
        userType: "Company",
        companyId: GHL_SANDBOX.companyId,
        userId: GHL_SANDBOX.userId,
        approvedLocations:
          approvedLocations ??
          [...state.locations.values()]
            .filter((l) => l.companyId === GHL_SANDBOX.companyId && l.appInstalled)
            .map((l) => l.id),
      });
    },

    /**
     * Every location token `POST /oauth/locationToken` issued so far stops
     * working (401 `Invalid JWT`), as if its day had passed; agency and
     * sub-account OAuth tokens are untouched (`oauth.expireAccessTokens()`
     * expires every token).
     */
    expireLocationTokens(): void {
      for (const token of ctx.locationTokens.values()) token.expired = true;
    },

    /**
     * Counters of the agency endpoints: every request to
     * `POST /oauth/locationToken` (answered or refused), the location tokens
     * it issued, and the requests to `GET /oauth/installedLocations`.
     */
    get stats(): {
      locationTokenRequests: number;
      locationTokensIssued: number;
      installedLocationsRequests: number;
    } {
      const at = (path: string) => ctx.log.filter((entry) => entry.path === path);
      return {
        locationTokenRequests: at(LOCATION_TOKEN_PATH).length,
        locationTokensIssued: at(LOCATION_TOKEN_PATH).filter((e) => e.status === 200).length,
        installedLocationsRequests: at(INSTALLED_LOCATIONS_PATH).length,
      };
    },

    /** A user adds a contact in HighLevel. Returns its id. */
    createContact(fields: Partial<FakeContact>, locationId?: string): string {
      return state.createContact(where(locationId), fields).id;
    },

    /** A user edits a contact in HighLevel. */
    editContact(contactId: string, fields: Partial<FakeContact>): void {
      const found = state.findContact(contactId);
      if (found === undefined) throw new Error(`fake HighLevel: no contact ${contactId}`);
      state.updateContact(found.location, contactId, fields);
    },

    /** A user deletes a contact in HighLevel. */
    deleteContact(contactId: string): void {
      const found = state.findContact(contactId);
      if (found === undefined) throw new Error(`fake HighLevel: no contact ${contactId}`);
      state.deleteContact(found.location, contactId);
    },

    /** `count` plausible homeowners (a CSV import). Returns their ids. */
    seedContacts(count: number, locationId?: string): string[] {
      if (!Number.isInteger(count) || count < 0) {
        throw new TypeError('"count" must be a non-negative integer');
      }
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(api.createContact(person(seeded++), locationId));
      return ids;
    },

    /** A user books an appointment in HighLevel's calendar. Returns its id. */
    bookAppointment(
      spec: Pick<FakeAppointment, "contactId" | "startTime"> & Partial<FakeAppointment>,
      locationId?: string,
    ): string {
      const location = where(locationId);
      const calendarId = spec.calendarId ?? GHL_SANDBOX.calendarId;
      const calendar = location.calendars.get(calendarId);
      const endTime =
        spec.endTime ??
        new Date(
          Date.parse(spec.startTime) + (calendar?.slotDuration ?? 60) * 60_000,
        ).toISOString();
      return state.createAppointment(location, { ...spec, calendarId, endTime }).id;
    },

    /** A user edits an appointment (reschedules, marks it showed...). */
    editAppointment(eventId: string, fields: Partial<FakeAppointment>): void {
      const found = state.findAppointment(eventId);
      if (found === undefined) throw new Error(`fake HighLevel: no appointment ${eventId}`);
      state.updateAppointment(found.location, eventId, fields);
    },

    /** A user deletes an appointment. */
    deleteAppointment(eventId: string): void {
      const found = state.findAppointment(eventId);
      if (found === undefined) throw new Error(`fake HighLevel: no appointment ${eventId}`);
      state.deleteAppointment(found.location, eventId);
    },

    /**
     * `count` service visits over the coming days in the sandbox "Service
     * visits" calendar, for new homeowners (and the host contact
     * `GHL_SANDBOX.hostContactId`). Returns the appointment ids.
     */
    seedAppointments(count: number): string[] {
      if (!sandbox.contacts.has(GHL_SANDBOX.hostContactId)) {
        state.createContact(sandbox, { ...person(9999), id: GHL_SANDBOX.hostContactId });
      }
      const contacts = api.seedContacts(count);
      const day0 = Math.floor(now() / DAY_MS) * DAY_MS;
      return contacts.map((contactId, i) => {
        const job = JOBS[i % JOBS.length]!;
        const start = day0 + (1 + Math.floor(i / 4)) * DAY_MS + (15 + (i % 4) * 2) * 3_600_000;
        return api.bookAppointment({
          contactId,
          startTime: new Date(start).toISOString(),
          title: job.title,
          address: `${100 + i} ${STREETS[i % STREETS.length]}, Denver, CO`,
        });
      });
    },

    /** Summit Heating & Plumbing's demo CRM: 24 customers, 10 upcoming visits and 3 estimates. */
    seedSandbox(): void {
      const visits = api.seedAppointments(10);
      const customers = api.seedContacts(14);
      const day0 = Math.floor(now() / DAY_MS) * DAY_MS;
      customers.slice(0, 3).forEach((contactId, i) => {
        api.bookAppointment({
          contactId,
          calendarId: GHL_SANDBOX.estimatesCalendarId,
          startTime: new Date(day0 + (2 + i) * DAY_MS + 16 * 3_600_000).toISOString(),
          title: "Estimate: HVAC replacement",
        });
      });
      const past = visits[0];
      if (past !== undefined) api.editAppointment(past, { appointmentStatus: "showed" });
    },

    /** The contacts of a location as the API returns them. */
    contacts(locationId?: string): FakeContact[] {
      return [...where(locationId).contacts.values()].map((c) => structuredClone(c));
    },

    /** The appointments of a location as the API returns them. */
    appointments(locationId?: string): FakeAppointment[] {
      return [...where(locationId).appointments.values()].map((a) => structuredClone(a));
    },

    /**
     * A signed delivery for a connection's location: `ContactUpdate` of its
     * first contact by default. `forged: true` signs with another key.
     */
    webhook(
      connection: Pick<Connection, "metadata">,
      webhookOptions: { forged?: boolean; event?: Record<string, unknown> } = {},
    ): Request {
      const locationId = String(connection.metadata.locationId ?? GHL_SANDBOX.locationId);
      const location = state.locations.get(locationId);
      const contact = location === undefined ? undefined : [...location.contacts.values()][0];
      const payload = {
        type: "ContactUpdate",
        locationId,
        ...(contact === undefined ? { id: state.newId() } : renderContact(contact)),
        ...webhookOptions.event,
        timestamp: new Date(now()).toISOString(),
        webhookId: state.newId(),
      };
      const key =
        webhookOptions.forged === true ? generateKeyPairSync("ed25519").privateKey : signingKey;
      return signed(payload, key);
    },

    /** Sign any payload as HighLevel would (replays, custom events). */
    sign(payload: Record<string, unknown>): Request {
      return signed(payload);
    },
  };
  return api;
}
