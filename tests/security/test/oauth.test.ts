/**
 * OAuth: PKCE on every connector whose provider allows it, the state's
 * one-time, expiring, tenant-bound use through the HTTP handler, and redirect
 * URIs the host builds itself (never taken from a request).
 */

import { readFileSync } from "node:fs";
import {
  createPatchbay,
  createPatchbayHandler,
  ErrorCode,
  MemoryStore,
  Vault,
} from "@patchbay/core";
import { FakeOAuthAuthorizationError } from "@patchbay/testing";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONNECTORS } from "./support/connectors.js";
import { APP, CALLBACK, KEY_1, tasksWorld } from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** OAuth connectors without PKCE, with the reason their package gives. */
const PKCE_EXCEPTIONS: Record<string, string> = {
  gohighlevel: "HighLevel documents no PKCE; the secret goes in the form body",
  mailchimp:
    "no PKCE (not supported); the client secret goes in the form body (mailchimp/src/auth.ts)",
  "meta-ads":
    "Facebook Login: the app secret in the code exchange's body, no PKCE (meta-ads/src/auth.ts)",
  quickbooks: "Intuit documents the plain authorization code flow (state, no PKCE)",
  "tiktok-ads": "TikTok's advertiser authorization documents no PKCE",
};

const OAUTH = CONNECTORS.filter((e) => e.connector.auth.kind === "oauth2");

describe("PKCE", () => {
  it("every connector without PKCE is a listed exception", () => {
    const without = OAUTH.filter(
      (e) => e.connector.auth.kind === "oauth2" && e.connector.auth.pkce === false,
    ).map((e) => e.connector.id);
    expect(without.sort()).toEqual(Object.keys(PKCE_EXCEPTIONS).sort());
  });

  // Regression: the generated pages labelled every OAuth connector "(PKCE)",
  // promising PKCE these connectors do not send.
  it("the generated provider pages do not claim PKCE for the exceptions", () => {
    for (const id of Object.keys(PKCE_EXCEPTIONS)) {
      const page = readFileSync(
        new URL(`../../../docs/providers/generated/${id}.md`, import.meta.url),
        "utf8",
      );
      expect(page, id).not.toContain("(PKCE)");
    }
  });

  it.each(OAUTH.map((e) => [e.connector.id, e] as const))(
    "%s: the authorization request carries S256 PKCE unless listed, and a fresh state",
    async (id, entry) => {
      const patchbay = createPatchbay({
        connectors: [entry.connector],
        store: new MemoryStore(),
        vault: new Vault({ keys: [KEY_1] }),
      });
      const start = () =>
        patchbay.connect.start({ tenantId: "t", connector: id, redirectUri: CALLBACK });
      const one = new URL((await start()).url);
      const two = new URL((await start()).url);
      expect(one.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(one.searchParams.get("state")).not.toBe(two.searchParams.get("state"));
      expect(one.searchParams.get("redirect_uri")).toBe(CALLBACK);
      if (PKCE_EXCEPTIONS[id] !== undefined) {
        expect(one.searchParams.get("code_challenge")).toBeNull();
        return;
      }
      expect(one.searchParams.get("code_challenge_method")).toBe("S256");
      expect(one.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(one.searchParams.get("code_challenge")).not.toBe(
        two.searchParams.get("code_challenge"),
      );
    },
  );
});

describe("OAuth state through the host handler", () => {
  function setup() {
    const w = tasksWorld({ oauth: true, seed: 2 });
    server.use(...w.oauth.handlers, ...w.fake.handlers);
    const send = (path: string, tenant: string, cookie?: string) =>
      w.handle(
        new Request(`${APP}${path}`, {
          headers: { "x-tenant": tenant, ...(cookie ? { cookie } : {}) },
        }),
      );
    async function begin(tenant = "tenant-a") {
      const start = await send("/integrations/tasks/connect", tenant);
      expect(start.status).toBe(302);
      const cookie = start.headers.get("set-cookie")!.split(";")[0]!;
      const callback = w.oauth.approve(start.headers.get("location")!);
      return { cookie, path: `${callback.pathname}${callback.search}`, callback };
    }
    return { w, send, begin };
  }

  async function code(response: Response): Promise<string> {
    return ((await response.json()) as { error: { code: string } }).error.code;
  }

  it("a replayed callback is refused, even with the cookie, and stores one connection", async () => {
    const { w, send, begin } = setup();
    const { cookie, path } = await begin();
    expect((await send(path, "tenant-a", cookie)).status).toBe(201);
    const replay = await send(path, "tenant-a", cookie);
    expect(replay.status).toBe(400);
    expect(await code(replay)).toBe(ErrorCode.CONNECT_STATE_INVALID);
    expect(await w.patchbay.connections.list("tenant-a")).toHaveLength(1);
  });

  it("a callback after ten minutes is refused as expired and stores nothing", async () => {
    const { w, send, begin } = setup();
    const { cookie, path } = await begin();
    w.clock.advance(10 * 60_000 + 1);
    const late = await send(path, "tenant-a", cookie);
    expect(late.status).toBe(400);
    expect(await code(late)).toBe(ErrorCode.CONNECT_STATE_EXPIRED);
    expect(await w.patchbay.connections.list("tenant-a")).toEqual([]);
  });

  it("another tenant's callback, or another authorization's cookie, is refused", async () => {
    const { w, send, begin } = setup();
    const a = await begin("tenant-a");
    const b = await begin("tenant-b");
    // B's browser with A's callback and A's cookie: the session is A's.
    const cross = await send(a.path, "tenant-b", a.cookie);
    expect(cross.status).toBe(400);
    expect(await code(cross)).toBe(ErrorCode.CONNECT_STATE_INVALID);
    // A's callback with B's cookie (a login-CSRF attempt): the cookie does not match.
    expect((await send(a.path, "tenant-a", b.cookie)).status).toBe(400);
    // A state swapped into another callback: the code is bound to its own authorization.
    const swapped = new URL(a.callback);
    swapped.searchParams.set("state", new URL(b.callback).searchParams.get("state")!);
    const mixed = await send(`${swapped.pathname}${swapped.search}`, "tenant-b", b.cookie);
    expect(mixed.status).toBe(400);
    expect(await code(mixed)).toBe(ErrorCode.CONNECT_FAILED);
    expect(await w.patchbay.connections.list("tenant-b")).toEqual([]);
    // Nothing above burned A's authorization.
    expect((await send(a.path, "tenant-a", a.cookie)).status).toBe(201);
  });
});

describe("redirect URIs", () => {
  it("the handler builds the redirect URI from its base path, ignoring redirect parameters in the request", async () => {
    const w = tasksWorld({ oauth: true });
    server.use(...w.oauth.handlers);
    for (const query of [
      "redirectUri=https%3A%2F%2Fevil.example%2Fcb",
      "redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
      "returnTo=%2Fsettings&redirect_uri=%2F%2Fevil.example",
    ]) {
      const response = await w.handle(
        new Request(`${APP}/integrations/tasks/connect?${query}`, {
          headers: { "x-tenant": "t" },
        }),
      );
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location")!);
      expect(location.searchParams.getAll("redirect_uri")).toEqual([CALLBACK]);
    }
  });

  it("behind a proxy, publicUrl wins over a forged Host; without it the provider refuses the foreign origin", async () => {
    const w = tasksWorld({ oauth: true });
    server.use(...w.oauth.handlers);
    const proxied = createPatchbayHandler(w.patchbay, {
      basePath: "/integrations",
      tenant: () => "t",
      publicUrl: APP,
    });
    const viaEvilHost = await proxied(
      new Request("https://evil.example/integrations/tasks/connect"),
    );
    const location = new URL(viaEvilHost.headers.get("location")!);
    expect(location.searchParams.get("redirect_uri")).toBe(CALLBACK);
    // Without publicUrl the origin comes from the request; the provider's allow-list refuses it.
    const direct = await w.handle(
      new Request("https://evil.example/integrations/tasks/connect", {
        headers: { "x-tenant": "t" },
      }),
    );
    const foreign = direct.headers.get("location")!;
    expect(new URL(foreign).searchParams.get("redirect_uri")).toBe(
      "https://evil.example/integrations/tasks/callback",
    );
    expect(() => w.oauth.approve(foreign)).toThrow(FakeOAuthAuthorizationError);
  });

  it("the token exchange uses the redirect URI stored with the state, not the callback's", async () => {
    const w = tasksWorld({ oauth: true });
    server.use(...w.oauth.handlers, ...w.fake.handlers);
    const { url } = await w.patchbay.connect.start({
      tenantId: "t",
      connector: "tasks",
      redirectUri: CALLBACK,
    });
    const callback = w.oauth.approve(url);
    // The same code and state arriving at another origin's URL.
    const elsewhere = new URL(`https://evil.example/cb${callback.search}`);
    const connection = await w.patchbay.connect.finish(elsewhere, { tenantId: "t" });
    expect(connection.status).toBe("active");
  });
});
