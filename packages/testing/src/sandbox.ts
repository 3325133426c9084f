/**
 * Sandbox mode: every provider's fake serves its API inside the host's own
 * process, and a local consent page stands in for each provider's
 * authorization screen, so a host's whole integration journey (OAuth
 * redirect round trip, syncs, write-back, webhooks) works with no provider
 * accounts. The example hosts run on it by default; your own development
 * environment can too.
 */
import type { RequestHandler } from "msw";
import { setupServer } from "msw/node";

/**
 * The provider's side of the consent page: a {@link FakeOAuthServer}, or any
 * fake whose authorization is OAuth-shaped but not OAuth 2.0 on the wire
 * (TikTok's `auth_code` callback). It checks the authorization request as
 * the provider would and answers the URL the browser goes back to.
 *
 * @example
 * ```ts
 * const consent: SandboxConsent = tiktok.consent; // { approve, deny }
 * ```
 */
export interface SandboxConsent {
  /** Handlers the sandbox serves besides the provider's (a fake OAuth server's endpoints). */
  readonly handlers?: readonly RequestHandler[];
  /** The user clicks "Allow": the callback URL with the code and `state`. Throws for an invalid request. */
  approve(authorizeUrl: string, options?: { subject?: string }): URL;
  /** The user clicks "Cancel": the callback URL with the provider's denial and `state`. */
  deny(authorizeUrl: string, error?: string, description?: string): URL;
}

/**
 * One provider in the sandbox: the fake's MSW handlers and, for OAuth
 * connectors, its authorization server (the consent page approves through it).
 *
 * @example
 * ```ts
 * const sheets = createGoogleSheetsFake({ redirectUris: [`${origin}/integrations/google-sheets/callback`] });
 * const provider: SandboxProvider = { connector: "google-sheets", providerName: "Google", handlers: sheets.handlers, oauth: sheets.oauth };
 * ```
 */
export interface SandboxProvider {
  /** The connector id the fake serves, e.g. `"google-sheets"`. */
  connector: string;
  /** Whose screen the consent page imitates, e.g. `"Google"`. */
  providerName: string;
  /** The fake's MSW handlers (API and OAuth). */
  handlers: readonly RequestHandler[];
  /** The fake authorization server (or other consent fake), for OAuth connectors. */
  oauth?: SandboxConsent;
  /** Who the consent page signs in as, e.g. `"sam.promoter@example.com"`. Default: the fake's default subject. */
  account?: string;
}

/**
 * Options of {@link createSandbox}.
 *
 * @example
 * ```ts
 * const options: SandboxOptions = { providers, consentPath: "/sandbox/authorize", appName: "Pitch Tracker" };
 * ```
 */
export interface SandboxOptions {
  providers: readonly SandboxProvider[];
  /** Where the host serves {@link Sandbox.handle}'s consent page. Default `"/sandbox/authorize"`. */
  consentPath?: string;
  /** Your app's name on the consent page. Default `"This app"`. */
  appName?: string;
}

/**
 * The sandbox: MSW handlers for every fake, the consent page, and the
 * redirect that sends the browser there instead of to the provider.
 *
 * @example
 * ```ts
 * const sandbox = createSandbox({ providers });
 * sandbox.start(); // the fakes now answer this process's fetch() calls to the providers
 * app.use("/integrations", patchbayRouter(patchbay, { tenant, authorizationRedirect: sandbox.authorizationRedirect }));
 * ```
 */
export interface Sandbox {
  /** Every provider's handlers, each OAuth server once. */
  readonly handlers: RequestHandler[];
  /**
   * The browser goes to the local consent page instead of the provider's
   * authorization URL. Pass it as `authorizationRedirect` to the host handler.
   * URLs of providers not in the sandbox pass through unchanged.
   */
  authorizationRedirect(url: string, context: { connector: string }): string;
  /**
   * Serves the consent page (`GET consentPath`) and the user's decision
   * (`POST consentPath`, then a redirect to the host's OAuth callback).
   * Answers `null` for any other request, so it can sit in front of other routes.
   */
  handle(request: Request): Promise<Response | null>;
  /** Intercept this process's requests to the providers (MSW `setupServer`); other requests pass through. */
  start(): void;
  /** Stop intercepting. */
  stop(): void;
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;display:grid;place-items:center;min-height:100vh;color:#111827}
main{background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002;padding:2rem;max-width:28rem;width:100%}
.badge{display:inline-block;background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem;font-size:.8rem}
ul{padding-left:1.2rem}li{margin:.3rem 0;word-break:break-all}
.actions{display:flex;gap:.75rem;justify-content:flex-end;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid #d1d5db;background:#fff;cursor:pointer}
button[value=allow]{background:#2563eb;border-color:#2563eb;color:#fff}
</style></head><body><main>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Builds a sandbox from provider fakes. Check every option: a bad value
 * throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * import { createSandbox } from "@patchbay/testing";
 * const sandbox = createSandbox({
 *   appName: "Pitch Tracker",
 *   providers: [{ connector: "google-sheets", providerName: "Google", handlers: sheets.handlers, oauth: sheets.oauth }],
 * });
 * sandbox.start();
 * ```
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  if (options === null || typeof options !== "object" || !Array.isArray(options.providers))
    throw new TypeError('"providers" must be an array of { connector, providerName, handlers }');
  const consentPath = options.consentPath ?? "/sandbox/authorize";
  if (typeof consentPath !== "string" || !consentPath.startsWith("/"))
    throw new TypeError(
      '"consentPath" must be a path starting with "/", e.g. "/sandbox/authorize"',
    );
  const appName = options.appName ?? "This app";
  const providers = new Map<string, SandboxProvider>();
  for (const [i, provider] of options.providers.entries()) {
    if (typeof provider?.connector !== "string" || provider.connector === "")
      throw new TypeError(`"providers[${i}].connector" must be a connector id`);
    if (providers.has(provider.connector))
      throw new TypeError(`"providers[${i}].connector": "${provider.connector}" is listed twice`);
    if (!Array.isArray(provider.handlers))
      throw new TypeError(`"providers[${i}].handlers" must be the fake's MSW handlers`);
    providers.set(provider.connector, provider);
  }

  // Google's fakes share one authorization server: serve each handler once.
  const unique = new Set<RequestHandler>();
  for (const provider of providers.values()) {
    for (const h of provider.handlers) unique.add(h);
    for (const h of provider.oauth?.handlers ?? []) unique.add(h);
  }
  const handlers = [...unique];

  let server: ReturnType<typeof setupServer> | undefined;

  function consentPage(url: URL): Response {
    const connector = url.searchParams.get("connector") ?? "";
    const authorize = url.searchParams.get("authorize") ?? "";
    const provider = providers.get(connector);
    if (provider?.oauth === undefined)
      return page(
        "Unknown provider",
        `<h1>Unknown sandbox provider</h1><p>"${escapeHtml(connector)}" has no fake authorization server in this sandbox.</p>`,
        400,
      );
    let scopes: string[] = [];
    try {
      scopes = (new URL(authorize).searchParams.get("scope") ?? "").split(/[ ,]+/).filter(Boolean);
    } catch {
      return page("Bad request", "<h1>Bad authorization request</h1>", 400);
    }
    const account = provider.account ?? "the sandbox account";
    return page(
      `Sign in with ${provider.providerName} (sandbox)`,
      `<p><span class="badge">Sandbox</span></p>
<h1>${escapeHtml(appName)} wants to access your ${escapeHtml(provider.providerName)} account</h1>
<p>Signed in as <strong>${escapeHtml(account)}</strong>. Nothing leaves this machine: this page stands in for ${escapeHtml(provider.providerName)}'s consent screen.</p>
${scopes.length > 0 ? `<p>It asks for:</p><ul>${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>` : ""}
<form method="post" action="${escapeHtml(consentPath)}">
<input type="hidden" name="connector" value="${escapeHtml(connector)}">
<input type="hidden" name="authorize" value="${escapeHtml(authorize)}">
<div class="actions"><button type="submit" name="decision" value="deny">Cancel</button><button type="submit" name="decision" value="allow">Allow</button></div>
</form>`,
    );
  }

  async function decide(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const provider = providers.get(form.get("connector") ?? "");
    const authorize = form.get("authorize") ?? "";
    if (provider?.oauth === undefined)
      return page("Unknown provider", "<h1>Unknown sandbox provider</h1>", 400);
    try {
      const callback =
        form.get("decision") === "allow"
          ? provider.oauth.approve(
              authorize,
              provider.account === undefined ? {} : { subject: provider.account },
            )
          : provider.oauth.deny(
              authorize,
              "access_denied",
              "The user cancelled the sandbox consent",
            );
      return new Response(null, { status: 303, headers: { location: callback.href } });
    } catch (error) {
      // The fake checks the request exactly as the provider would (client id, redirect URI, PKCE).
      return page(
        "Authorization error",
        `<h1>${escapeHtml(provider.providerName)} (sandbox) refused the request</h1><p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`,
        400,
      );
    }
  }

  return {
    handlers,
    authorizationRedirect(url, context) {
      const provider = providers.get(context.connector);
      if (provider?.oauth === undefined) return url;
      const params = new URLSearchParams({ connector: context.connector, authorize: url });
      return `${consentPath}?${params}`;
    },
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname !== consentPath) return null;
      if (request.method === "GET") return consentPage(url);
      if (request.method === "POST") return decide(request);
      return new Response(null, { status: 405, headers: { allow: "GET, POST" } });
    },
    start() {
      if (server !== undefined) return;
      server = setupServer(...handlers);
      server.listen({ onUnhandledRequest: "bypass" });
    },
    stop() {
      server?.close();
      server = undefined;
    },
  };
}
