/**
 * Every provider the demo lists works in sandbox mode, through the app's own
 * routes: OAuth providers through the consent page round trip (state cookie,
 * PKCE, code exchange at the fake), credential-form providers with the
 * sandbox credentials; then "Test connection" passes and a first sync of
 * each model that needs no configuration runs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Demo } from "@patchbay/example-demo-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

let server: Server;
let origin: string;
let demo: Demo;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "patchbay-express-sandbox-"));
  let handler: (req: never, res: never) => void = () => undefined;
  server = createServer((req, res) => handler(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const built = await createApp({ origin, dataDir, env: { PATCHBAY_SANDBOX: "1" } });
  handler = built.app as never;
  demo = built.demo;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await demo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The browser's side of the OAuth round trip, with the state cookie. */
async function connectWithConsent(connector: string): Promise<Response> {
  const start = await fetch(`${origin}/integrations/${connector}/connect`, { redirect: "manual" });
  expect(start.status, await start.clone().text()).toBe(302);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const consent = new URL(start.headers.get("location") ?? "", origin);
  expect(consent.pathname).toBe("/sandbox/authorize");
  const page = await fetch(consent);
  expect(await page.text()).toContain("wants to access your");
  const decided = await fetch(consent, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      connector,
      authorize: consent.searchParams.get("authorize") ?? "",
      decision: "allow",
    }),
  });
  expect(decided.status, await decided.clone().text()).toBe(303);
  return fetch(decided.headers.get("location") ?? "", { headers: { cookie } });
}

describe("every demo provider in sandbox mode", () => {
  it("lists them all in the catalogue", async () => {
    const { connectors } = (await (await fetch(`${origin}/integrations/connectors`)).json()) as {
      connectors: Array<{ id: string }>;
    };
    expect(connectors.map((c) => c.id).sort()).toEqual([...demo.sandboxed].sort());
    expect(demo.sandboxed).toEqual(
      expect.arrayContaining([
        "google-sheets",
        "gmail",
        "quickbooks",
        "jobber",
        "servicetitan",
        "yelp",
        "serpapi",
      ]),
    );
  });

  it.each([
    "google-sheets",
    "gmail",
    "google-drive",
    "google-business-profile",
    "airtable",
    "mailchimp",
    "jobber",
    "quickbooks",
    "klaviyo",
    "gohighlevel",
    "google-analytics",
    "google-ads",
    "meta-ads",
    "tiktok-ads",
  ])("%s connects through the consent page and tests green", async (connector) => {
    const done = await connectWithConsent(connector);
    expect(done.status, await done.clone().text()).toBeLessThan(400);
    const [connection] = await demo.patchbay.connections.list(demo.tenantId, { connector });
    expect(connection?.status).toBe("active");
    const test = await fetch(`${origin}/integrations/connections/${connection?.id}/test`, {
      method: "POST",
    });
    expect(await test.json()).toMatchObject({ ok: true });
  });

  it.each(["servicetitan", "yelp", "serpapi", "twilio", "meta-pixel", "tiktok-pixel", "indeed"])(
    "%s connects with the sandbox credentials shown on the console",
    async (connector) => {
      const console = await (await fetch(`${origin}/sandbox`)).text();
      expect(console).toContain("Sandbox credentials");
      const credentials = demo.sandboxCredentials[connector];
      expect(credentials, `sandbox credentials of ${connector}`).toBeDefined();
      for (const value of Object.values(credentials ?? {}))
        expect(console).toContain(String(value));
      const response = await fetch(`${origin}/integrations/${connector}/connect`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ credentials }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
    },
  );

  it("syncs the models that need no settings, from the fakes' sandbox data", async () => {
    const syncs: Array<[string, string]> = [
      ["quickbooks", "customers"],
      ["jobber", "clients"],
      ["servicetitan", "customers"],
      ["mailchimp", "audiences"],
      ["tiktok-ads", "campaignDays"],
    ];
    for (const [connector, model] of syncs) {
      const [connection] = await demo.patchbay.connections.list(demo.tenantId, { connector });
      const outcome = await demo.patchbay.sync.run({
        tenantId: demo.tenantId,
        connectionId: connection?.id ?? "",
        model,
      });
      expect(outcome.status, `${connector}/${model}: ${JSON.stringify(outcome)}`).toBe("succeeded");
      const { records } = await demo.patchbay.records.list({
        tenantId: demo.tenantId,
        connectionId: connection?.id ?? "",
        model,
      });
      expect(records.length, `${connector}/${model}`).toBeGreaterThan(0);
    }
  });
});
