/**
 * Sandbox mode: the host handler sends the browser to the local consent page
 * instead of the provider, and the page's decision completes the real
 * redirect round trip (state cookie, PKCE, code exchange) against the fake.
 */
import { createPatchbayHandler } from "@patchbay/core";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../src/index.js";
import { acmeWorld } from "./support.js";

const ORIGIN = "https://app.example.com";

function setup() {
  const world = acmeWorld();
  const sandbox = createSandbox({
    appName: "Pitch Tracker",
    providers: [
      {
        connector: "acme",
        providerName: "Acme",
        handlers: world.handlers,
        oauth: world.fake,
        account: "ada@acme.test",
      },
    ],
  });
  sandbox.start();
  const patchbay = world.patchbay();
  const handle = createPatchbayHandler(patchbay, {
    basePath: "/integrations",
    tenant: () => "tenant-a",
    authorizationRedirect: sandbox.authorizationRedirect,
  });
  return { world, sandbox, patchbay, handle };
}

let current: Sandbox | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

/** Follows the browser: connect → consent page → decision → callback. */
async function roundTrip(s: ReturnType<typeof setup>, decision: "allow" | "deny") {
  const start = await s.handle(
    new Request(`${ORIGIN}/integrations/acme/connect?returnTo=/settings`),
  );
  expect(start.status).toBe(302);
  const consentUrl = new URL(start.headers.get("location") ?? "", ORIGIN);
  expect(consentUrl.pathname).toBe("/sandbox/authorize");
  const cookies = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

  const page = await s.sandbox.handle(new Request(consentUrl));
  expect(page?.status).toBe(200);
  const html = (await page?.text()) ?? "";
  expect(html).toContain("Pitch Tracker wants to access your Acme account");
  expect(html).toContain("ada@acme.test");
  expect(html).toContain("contacts.read");

  const form = new URLSearchParams({
    connector: consentUrl.searchParams.get("connector") ?? "",
    authorize: consentUrl.searchParams.get("authorize") ?? "",
    decision,
  });
  const decided = await s.sandbox.handle(
    new Request(consentUrl, {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
  );
  expect(decided?.status).toBe(303);
  const callback = new URL(decided?.headers.get("location") ?? "");
  expect(callback.origin + callback.pathname).toBe(`${ORIGIN}/integrations/acme/callback`);
  return s.handle(new Request(callback, { headers: { cookie: cookies } }));
}

describe("createSandbox", () => {
  it("Allow on the consent page completes the OAuth round trip and stores an active connection", async () => {
    const s = setup();
    current = s.sandbox;
    const done = await roundTrip(s, "allow");
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toMatch(/^\/settings\?patchbay=connected/);
    const [connection] = await s.patchbay.connections.list("tenant-a");
    expect(connection?.status).toBe("active");
    // The code was exchanged at the fake's token endpoint, with PKCE.
    expect(s.world.fake.stats.byGrant.authorization_code).toBe(1);
  });

  it("Cancel sends the user back with the provider's access_denied and stores nothing", async () => {
    const s = setup();
    current = s.sandbox;
    const done = await roundTrip(s, "deny");
    expect(done.headers.get("location")).toMatch(/patchbay=error/);
    expect(await s.patchbay.connections.list("tenant-a")).toEqual([]);
  });

  it("leaves other providers' URLs alone and ignores other paths", async () => {
    const s = setup();
    current = s.sandbox;
    const url = "https://real.example/authorize?client_id=x";
    expect(s.sandbox.authorizationRedirect(url, { connector: "real" })).toBe(url);
    expect(await s.sandbox.handle(new Request(`${ORIGIN}/elsewhere`))).toBeNull();
    const unknown = await s.sandbox.handle(
      new Request(`${ORIGIN}/sandbox/authorize?connector=nope&authorize=x`),
    );
    expect(unknown?.status).toBe(400);
  });

  it("refuses a tampered authorization request, as the provider would", async () => {
    const s = setup();
    current = s.sandbox;
    const form = new URLSearchParams({
      connector: "acme",
      authorize: `${s.world.fake.authorizationUrl}?client_id=acme-app&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&state=x`,
      decision: "allow",
    });
    const decided = await s.sandbox.handle(
      new Request(`${ORIGIN}/sandbox/authorize`, { method: "POST", body: form }),
    );
    expect(decided?.status).toBe(400);
    expect(await decided?.text()).toContain("refused the request");
  });

  it("names the bad option", () => {
    expect(() =>
      createSandbox({ providers: [{ connector: "", providerName: "X", handlers: [] }] }),
    ).toThrow('"providers[0].connector" must be a connector id');
    expect(() => createSandbox({ providers: [], consentPath: "sandbox" })).toThrow(
      '"consentPath" must be a path',
    );
  });
});
