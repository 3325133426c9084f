import {
  apiKey,
  clientCredentials,
  createPatchbay,
  defineConnector,
  type Logger,
  MemoryStore,
  oauth2,
  type Patchbay,
  type PatchbayOptions,
  Vault,
} from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { z } from "zod";
import { createFakeOAuthServer, type FakeOAuthServerOptions } from "../src/index.js";

export const REDIRECT_URI = "https://app.example.com/integrations/acme/callback";
export const API = "https://api.acme.test/v1";
export const KEY_1 = { kid: "k1", key: Buffer.alloc(32, 7).toString("base64") };
export const KEY_2 = { kid: "k2", key: Buffer.alloc(32, 9).toString("base64") };

/** A clock tests move by hand; the fake server and Patchbay share it. */
export function manualClock(start = Date.UTC(2026, 10, 22, 12)) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A logger that keeps every line, to assert that none carries a secret. */
export function recordingLogger(): Logger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const log = (level: string) => (message: string, fields?: unknown) =>
    void lines.push({ level, message, fields });
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/**
 * A small provider ("Acme") on the fake OAuth server: an API whose `/me`
 * answers 401 the RFC 6750 way unless the bearer token is valid.
 */
export function acmeWorld(options: { oauth?: FakeOAuthServerOptions; testFails?: boolean } = {}) {
  const clock = manualClock();
  const fake = createFakeOAuthServer({
    issuer: "https://auth.acme.test",
    clients: [
      { clientId: "acme-app", clientSecret: "acme-app-secret", redirectUris: [REDIRECT_URI] },
    ],
    now: clock.now,
    ...options.oauth,
  });
  const apiCalls: string[] = [];
  const handlers = [
    ...fake.handlers,
    http.get(`${API}/me`, ({ request }) => {
      apiCalls.push(request.headers.get("authorization") ?? "");
      const check = fake.verifyBearer(request);
      if (!check.valid) {
        return HttpResponse.json(
          { error: "invalid_token" },
          { status: 401, headers: { "www-authenticate": `Bearer error="invalid_token"` } },
        );
      }
      return HttpResponse.json({ id: check.subject, name: "Acme User" });
    }),
  ];
  const acme = defineConnector({
    id: "acme",
    name: "Acme",
    category: "crm",
    auth: oauth2({
      authorizationUrl: fake.authorizationUrl,
      tokenUrl: fake.tokenUrl,
      revocationUrl: fake.revocationUrl,
      clientId: "acme-app",
      clientSecret: "acme-app-secret",
      scopes: ["contacts.read"],
      authorizeParams: { access_type: "offline" },
    }),
    http: { baseUrl: API },
    config: z.object({ pipeline: z.string().default("main") }),
    test: async ({ http: client }) => {
      if (options.testFails) return { ok: false, message: "the account has no CRM seat" };
      await client.get("/me");
    },
  });
  const acmeKeys = defineConnector({
    id: "acme-keys",
    name: "Acme (API key)",
    category: "crm",
    auth: apiKey({ header: "x-api-key" }),
    http: { baseUrl: API },
  });
  const acmeMachine = defineConnector({
    id: "acme-machine",
    name: "Acme (machine)",
    category: "crm",
    auth: clientCredentials({ tokenUrl: fake.tokenUrl }),
    http: { baseUrl: API },
    test: async ({ http: client }) => void (await client.get("/me")),
  });
  const store = new MemoryStore({ now: clock.now });
  function patchbay(extra: Partial<PatchbayOptions> = {}): Patchbay {
    return createPatchbay({
      connectors: [acme, acmeKeys, acmeMachine],
      store,
      vault: new Vault({ keys: [KEY_1] }),
      now: clock.now,
      ...extra,
    });
  }
  /** Run the whole redirect round trip for a tenant. */
  async function connect(pb: Patchbay, tenantId = "tenant-a") {
    const { url } = await pb.connect.start({
      tenantId,
      connector: "acme",
      redirectUri: REDIRECT_URI,
    });
    return pb.connect.finish(fake.approve(url), { tenantId });
  }
  return { clock, fake, handlers, store, patchbay, connect, apiCalls };
}
