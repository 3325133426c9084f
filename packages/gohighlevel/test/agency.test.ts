import { AuthError, ConfigError, ErrorCode, ProviderError, RateLimitError } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CONTACTS_SEARCH_PATH,
  deriveLocationToken,
  GHL_AGENCY_SCOPES,
  type GhlDeriveContext,
  type GhlInstalledLocation,
  goHighLevel,
  LOCATION_TOKEN_PATH,
} from "../src/index.js";
import { GHL_SANDBOX, GHL_SANDBOX_APP, type GhlFake } from "../src/testing/index.js";
import { TENANT, type WorldOptions, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const NORTH = "SbxNorthBranchLoc002";
const NO_APP = "SbxSouthNoAppLoc0003";

/** The sandbox agency with three sub-accounts; the app is installed on two of them. */
function agencyWorld(options: WorldOptions = {}) {
  let handle: (request: Request) => unknown = () => undefined;
  const built = world(server, {
    ...options,
    connector: { agency: true, ...options.connector },
    fake: { agency: true, notify: (r) => handle(r), ...options.fake },
    before: (fake) => {
      fake.addLocation({ id: NORTH, name: "Summit North", address: "9 North Rd, Boulder, CO" });
      fake.addLocation({ id: NO_APP, name: "Summit South", appInstalled: false });
      options.before?.(fake);
    },
  });
  return built.then((w) => {
    handle = (request) => w.patchbay.handleWebhook("gohighlevel", request);
    const configure = (config: Record<string, unknown>) =>
      w.patchbay.connections.configure(TENANT, w.connection.id, config);
    return { ...w, configure };
  });
}

const requestsTo = (fake: GhlFake, path: string) => fake.requests.filter((r) => r.path === path);

describe("agency (Company) installs", () => {
  it("connects at agency level: the test lists installed locations, and listLocations offers the sub-accounts with the app", async () => {
    const w = await agencyWorld();
    expect(w.connection.status).toBe("active");
    expect(w.connection.metadata).toMatchObject({
      userType: "Company",
      companyId: GHL_SANDBOX.companyId,
    });
    // The connection test used an endpoint an agency token may call.
    expect(w.fake.stats.installedLocationsRequests).toBe(1);
    expect(requestsTo(w.fake, CONTACTS_SEARCH_PATH)).toHaveLength(0);

    const { locations } = await w.action<{ locations: GhlInstalledLocation[] }>(
      "listLocations",
      {},
    );
    expect(locations).toEqual([
      {
        id: GHL_SANDBOX.locationId,
        name: GHL_SANDBOX.locationName,
        address: "1420 Larimer St, Denver, CO 80202",
        isInstalled: true,
      },
      { id: NORTH, name: "Summit North", address: "9 North Rd, Boulder, CO", isInstalled: true },
    ]);
    // The authorize URL asked for the agency scopes.
    expect(w.fake.stats.locationTokenRequests).toBe(0);
  });

  it("with locationId configured, contacts sync with a location token derived once for two runs", async () => {
    const w = await agencyWorld();
    w.fake.seedContacts(4);
    w.fake.seedContacts(2, NORTH);
    await w.configure({ locationId: GHL_SANDBOX.locationId });

    const first = await w.sync("contacts");
    expect(first.status).toBe("succeeded");
    expect(first.inserted).toBe(4);
    const second = await w.sync("contacts", "full");
    expect(second.status).toBe("succeeded");
    expect(second.unchanged).toBe(4);
    expect(w.fake.stats).toMatchObject({ locationTokenRequests: 1, locationTokensIssued: 1 });
    // No request was refused: the fake answers an agency token on /contacts/search with a 401.
    expect(w.fake.requests.filter((r) => r.status === 401)).toEqual([]);

    // Switching sub-accounts derives a token for the new one.
    await w.configure({ locationId: NORTH });
    const north = await w.sync("contacts", "full");
    expect(north.status).toBe("succeeded");
    expect(w.fake.stats.locationTokensIssued).toBe(2);
    expect([...(await w.stored("contacts")).values()].map((c) => c.locationId)).toContain(NORTH);
  });

  it("an expired location token is derived again after HighLevel's 401, and the run succeeds", async () => {
    const w = await agencyWorld();
    w.fake.seedContacts(3);
    await w.configure({ locationId: GHL_SANDBOX.locationId });
    expect((await w.sync("contacts")).status).toBe("succeeded");
    expect(w.fake.stats.locationTokensIssued).toBe(1);

    w.fake.expireLocationTokens();
    w.fake.editContact(w.fake.contacts()[0]!.id, { tags: ["vip"] });
    const run = await w.sync("contacts", "full");
    expect(run.status).toBe("succeeded");
    expect(run.updated).toBe(1);
    expect(w.fake.stats.locationTokensIssued).toBe(2);
    const searches = requestsTo(w.fake, CONTACTS_SEARCH_PATH).map((r) => r.status);
    expect(searches).toContain(401);
    expect(searches.at(-1)).toBe(200);
    // The agency token itself was not refreshed.
    expect(w.fake.oauth!.stats.byGrant.refresh_token ?? 0).toBe(0);
  });

  it("a sub-account without the app: the run fails with a ConfigError saying to choose another locationId", async () => {
    const w = await agencyWorld();
    await w.configure({ locationId: NO_APP });
    const run = await w.sync("contacts");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/sub-account SbxSouthNoAppLoc0003/);
    expect(run.error).toMatch(/not installed/);
    expect(run.error).toMatch(/"locationId".*listLocations/);
    expect(requestsTo(w.fake, CONTACTS_SEARCH_PATH)).toHaveLength(0);
    await expect(w.action("upsertContact", { email: "rosa@example.com" })).rejects.toBeInstanceOf(
      ConfigError,
    );
    // A configuration problem: the connection itself stays usable.
    expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("active");
  });

  it("without locationId, syncing fails with a ConfigError telling the user to choose a sub-account (no provider 401)", async () => {
    const w = await agencyWorld();
    w.fake.seedContacts(2);
    const run = await w.sync("contacts");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/agency level.*choose the sub-account.*"locationId"/);
    expect((await w.sync("appointments")).error).toMatch(/"locationId"/);
    await expect(w.action("listCalendars", {})).rejects.toBeInstanceOf(ConfigError);
    await expect(w.action("upsertContact", { email: "rosa@example.com" })).rejects.toThrow(
      /choose the sub-account/,
    );
    expect(w.fake.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(w.fake.stats.locationTokenRequests).toBe(0);
    expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe("active");
  });

  it("a locationId given at connect time: the connection test reads that sub-account's contacts with its token", async () => {
    const w = await agencyWorld({ config: { locationId: NORTH } });
    expect(w.connection.status).toBe("active");
    expect(w.fake.stats.locationTokensIssued).toBe(1);
    expect(requestsTo(w.fake, CONTACTS_SEARCH_PATH).map((r) => r.status)).toEqual([200]);
    // Webhooks route by metadata.locationId: the configured sub-account is mirrored there.
    expect(w.connection.metadata.locationId).toBe(NORTH);
  });

  it("a contact edited in the configured sub-account arrives by webhook and syncs with the location token", async () => {
    const w = await agencyWorld();
    const [id] = w.fake.seedContacts(2);
    const configured = await w.configure({ locationId: GHL_SANDBOX.locationId });
    expect(configured.metadata.locationId).toBe(GHL_SANDBOX.locationId);
    await w.sync("contacts");
    w.fake.editContact(id!, { tags: ["furnace-repair", "vip"] });
    await vi.waitFor(
      async () =>
        expect((await w.stored("contacts")).get(id!)?.tags).toEqual(["furnace-repair", "vip"]),
      { timeout: 5000 },
    );
    // Cleared again: deliveries for the old sub-account no longer route here.
    const cleared = await w.configure({});
    expect(cleared.metadata.locationId).toBeNull();
  });

  it("listLocations still lists the agency's sub-accounts once one is configured (agency endpoints keep the agency token)", async () => {
    const w = await agencyWorld();
    await w.configure({ locationId: GHL_SANDBOX.locationId });
    expect((await w.sync("contacts")).status).toBe("succeeded");
    const derived = w.fake.stats.locationTokenRequests;
    expect(derived).toBe(1);
    const { locations } = await w.action<{ locations: GhlInstalledLocation[] }>(
      "listLocations",
      {},
    );
    expect(locations.map((l) => l.id)).toEqual([GHL_SANDBOX.locationId, NORTH]);
    // The sub-account's token stays cached for the location endpoints.
    expect((await w.sync("contacts")).status).toBe("succeeded");
    expect(w.fake.stats.locationTokenRequests).toBe(derived);
  });
});

describe("sub-account (Location) installs are unchanged", () => {
  it("derive nothing, list their own location, and accept only their own locationId", async () => {
    const w = await world(server);
    w.fake.seedContacts(3);
    expect((await w.sync("contacts")).inserted).toBe(3);
    expect(w.fake.stats.locationTokenRequests).toBe(0);
    expect(await w.action("listLocations", {})).toEqual({
      locations: [{ id: GHL_SANDBOX.locationId, name: null, address: null, isInstalled: true }],
      installToFutureLocations: null,
    });
    await w.patchbay.connections.configure(TENANT, w.connection.id, {
      locationId: GHL_SANDBOX.locationId,
    });
    expect((await w.sync("contacts", "full")).status).toBe("succeeded");
    await w.patchbay.connections.configure(TENANT, w.connection.id, { locationId: NORTH });
    const run = await w.sync("contacts", "full");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/config "locationId" is SbxNorthBranchLoc002.*remove "locationId"/);
    const connection = await w.patchbay.connections.get(TENANT, w.connection.id);
    expect(connection.metadata.locationId).toBe(GHL_SANDBOX.locationId);
  });
});

describe("deriveLocationToken", () => {
  const agency = (locationId?: string): GhlDeriveContext["connection"] => ({
    id: "conn_1",
    config: locationId === undefined ? {} : { locationId },
    metadata: { userType: "Company", companyId: GHL_SANDBOX.companyId },
  });
  const answer =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    async () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", ...headers },
      });
  const now = () => 1_700_000_000_000;

  it("posts the form with the agency token and Version, and returns the token with its expiry", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const token = await deriveLocationToken("agency-token", {
      connection: agency(NORTH),
      now,
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init ?? {} });
        return answer(200, {
          access_token: "location-token",
          token_type: "Bearer",
          expires_in: 86_399,
          locationId: NORTH,
          userType: "Location",
        })();
      },
    });
    expect(token).toEqual({ accessToken: "location-token", expiresAt: now() + 86_399_000 });
    const [call] = seen;
    expect(call?.url).toBe(`https://services.leadconnectorhq.com${LOCATION_TOKEN_PATH}`);
    expect(call?.init.method).toBe("POST");
    const headers = new Headers(call?.init.headers);
    expect(headers.get("authorization")).toBe("Bearer agency-token");
    expect(headers.get("version")).toBe("2021-07-28");
    expect(headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(String(call?.init.body)))).toEqual({
      companyId: GHL_SANDBOX.companyId,
      locationId: NORTH,
    });
  });

  it("is null for sub-account connections and for agency connections without a location", async () => {
    const fetch = async () => {
      throw new Error("no request expected");
    };
    expect(await deriveLocationToken("t", { connection: agency(), fetch, now })).toBeNull();
    expect(
      await deriveLocationToken("t", {
        connection: { id: "c", config: {}, metadata: { userType: "Location", locationId: NORTH } },
        fetch,
        now,
      }),
    ).toBeNull();
  });

  it("maps refusals to errors that say what to do, and outages to retryable errors", async () => {
    const derive = (fetch: () => Promise<Response>) =>
      deriveLocationToken("t", { connection: agency(NORTH), fetch, now }).catch((e: unknown) => e);
    const notInstalled = await derive(
      answer(400, { statusCode: 400, message: "The app is not installed on this location." }),
    );
    expect(notInstalled).toBeInstanceOf(ConfigError);
    expect(String(notInstalled)).toMatch(/not installed on this location.*"locationId"/);

    const refused = await derive(
      answer(401, { statusCode: 401, message: "The token is not authorized for this scope." }),
    );
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({ code: ErrorCode.AUTH_UNAUTHORIZED });
    expect(String(refused)).toMatch(/Reconnect HighLevel at agency level.*oauth\.write/);

    const down = await derive(answer(503, { statusCode: 503, message: "Service Unavailable" }));
    expect(down).toBeInstanceOf(ProviderError);
    expect(down).toMatchObject({ retryable: true, status: 503 });

    const limited = await derive(
      answer(429, { statusCode: 429 }, { "X-RateLimit-Interval-Milliseconds": "10000" }),
    );
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 10_000 });

    const garbage = await derive(answer(200, { token: "nope" }));
    expect(garbage).toBeInstanceOf(ProviderError);
    expect(garbage).toMatchObject({ retryable: false });

    const offline = await derive(async () => {
      throw new TypeError("fetch failed");
    });
    expect(offline).toMatchObject({ code: ErrorCode.NETWORK, retryable: true });
  });
});

describe("goHighLevel({ agency, appId })", () => {
  it("asks for the agency scopes only with agency: true, and checks the options", () => {
    const scopes = (options: object) => {
      const auth = goHighLevel({ ...GHL_SANDBOX_APP, ...options }).auth;
      return auth.kind === "oauth2" ? auth.scopes : [];
    };
    expect(scopes({})).not.toContain("oauth.write");
    expect(scopes({ agency: true })).toEqual(expect.arrayContaining([...GHL_AGENCY_SCOPES]));
    expect(() => goHighLevel({ ...GHL_SANDBOX_APP, agency: "yes" } as never)).toThrow(
      /"agency" must be true or false/,
    );
    expect(() => goHighLevel({ ...GHL_SANDBOX_APP, appId: " " })).toThrow(
      /"appId" must be a non-empty string/,
    );
  });

  it("lists installed locations with the appId option instead of the client id's prefix", async () => {
    const w = await agencyWorld({ connector: { appId: "someOtherAppId000000001" } });
    // Another app's id: none of the agency's sub-accounts has that app.
    expect(await w.action("listLocations", {})).toMatchObject({ locations: [] });
  });
});
