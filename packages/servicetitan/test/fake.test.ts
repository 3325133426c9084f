import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SERVICETITAN_HOSTS, SERVICETITAN_PATHS } from "../src/index.js";
import {
  createServiceTitanFake,
  SERVICETITAN_SANDBOX_APP,
  SERVICETITAN_SANDBOX_TENANT,
} from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const T = SERVICETITAN_SANDBOX_TENANT.tenantId;
const API = SERVICETITAN_HOSTS.integration.api;

function setup(options: Parameters<typeof createServiceTitanFake>[0] = {}) {
  const fake = createServiceTitanFake(options);
  server.use(...fake.handlers);
  // A fresh token per call: tests move the fake's clock past the 15-minute lifetime.
  const token = () =>
    fake.oauthServers.integration.issueTokens({ clientId: SERVICETITAN_SANDBOX_TENANT.clientId })
      .accessToken;
  const get = (path: string, headers: Record<string, string> = {}, host = API) =>
    fetch(`${host}${path}`, {
      headers: {
        authorization: `Bearer ${token()}`,
        "ST-App-Key": SERVICETITAN_SANDBOX_APP.appKey,
        ...headers,
      },
    });
  return { fake, get };
}

describe("the fake answers like ServiceTitan", () => {
  it("refuses a call without ST-App-Key with its problem body", async () => {
    const { get } = setup();
    const response = await get(SERVICETITAN_PATHS.customers(T), { "ST-App-Key": "" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(await response.json()).toEqual({
      type: expect.any(String),
      title: "Unauthorized",
      status: 401,
      traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/),
      errors: { "ST-App-Key": ["The ST-App-Key header is required."] },
      data: {},
    });
  });

  it("accepts an integration token only on the integration host", async () => {
    const { get } = setup();
    expect((await get(SERVICETITAN_PATHS.customers(T))).status).toBe(200);
    expect(
      (await get(SERVICETITAN_PATHS.customers(T), {}, SERVICETITAN_HOSTS.production.api)).status,
    ).toBe(401);
  });

  it("holds back the last 15 minutes of changes unless includeRecentChanges=true", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const { fake, get } = setup({ now: () => clock });
    fake.seedCustomers(2);
    clock += 20 * 60_000;
    fake.seedCustomers(1);
    const path = SERVICETITAN_PATHS.customersExport(T);
    const held = (await (await get(path)).json()) as {
      data: unknown[];
      hasMore: boolean;
      continueFrom: string;
    };
    expect(held.data).toHaveLength(2);
    expect(held.hasMore).toBe(false);
    const all = (await (await get(`${path}?includeRecentChanges=true`)).json()) as {
      data: unknown[];
    };
    expect(all.data).toHaveLength(3);
    const next = (await (
      await get(`${path}?from=${held.continueFrom}&includeRecentChanges=true`)
    ).json()) as {
      data: Array<{ name: string }>;
    };
    expect(next.data).toHaveLength(1);
  });

  it("takes a date as from (rows modified on or after it) and refuses garbage", async () => {
    let clock = Date.parse("2024-05-01T10:00:00Z");
    const { fake, get } = setup({ now: () => clock });
    fake.seedCustomers(2);
    clock += 60_000;
    fake.seedCustomers(1);
    const path = SERVICETITAN_PATHS.customersExport(T);
    const since = (await (
      await get(`${path}?from=2024-05-01T10:01:00Z&includeRecentChanges=true`)
    ).json()) as {
      data: unknown[];
    };
    expect(since.data).toHaveLength(1);
    const bad = await get(`${path}?from=not-a-token`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      title: "One or more validation errors occurred.",
      errors: { from: ["The value 'not-a-token' is not a valid continuation token or date."] },
    });
    const jobsToken = new URL(
      `${API}?x=${((await (await get(SERVICETITAN_PATHS.jobsExport(T))).json()) as { continueFrom: string }).continueFrom}`,
    ).searchParams.get("x");
    expect((await get(`${path}?from=${jobsToken}`)).status).toBe(400);
  });

  it("validates list paging the documented way", async () => {
    const { fake, get } = setup();
    fake.seedCustomers(3);
    const path = SERVICETITAN_PATHS.customers(T);
    expect((await get(`${path}?pageSize=5001`)).status).toBe(400);
    expect((await get(`${path}?page=0`)).status).toBe(400);
    const ids = Array.from({ length: 51 }, (_, i) => i + 1).join(",");
    expect(await (await get(`${path}?ids=${ids}`)).json()).toMatchObject({
      errors: { ids: ["No more than 50 ids may be given."] },
    });
    expect(await (await get(`${path}?page=2&pageSize=2&includeTotal=true`)).json()).toMatchObject({
      page: 2,
      pageSize: 2,
      hasMore: false,
      totalCount: 3,
      data: [expect.objectContaining({ active: true })],
    });
  });

  it("answers unknown endpoints with a 404 problem", async () => {
    const { get } = setup();
    const response = await get(`/crm/v2/tenant/${T}/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ title: "Not Found", status: 404 });
  });
});
