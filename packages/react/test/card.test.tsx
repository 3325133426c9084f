import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IntegrationCard, IntegrationsGrid, type WireSyncOutcome } from "../src/index.js";
import { CATALOGUE } from "./catalogue.js";
import { fakeHost, json, limitError, makeConnection, makeRun } from "./fake-host.js";
import { deferred, renderWithHost } from "./render.js";

const sheets = CATALOGUE.find((c) => c.id === "google-sheets")!;

function card(name: string) {
  return screen.getByRole("article", { name });
}

describe("IntegrationCard status", () => {
  it.each([
    [
      "an active connection",
      "Connected",
      "connected",
      makeConnection({ connector: "google-sheets" }),
    ],
    [
      "a connection in error",
      "Needs attention",
      "attention",
      makeConnection(
        { connector: "google-sheets", status: "error", statusReason: "Google answered 503" },
        { lastError: "Google answered 503" },
      ),
    ],
    [
      "an active connection whose syncs keep failing",
      "Needs attention",
      "attention",
      makeConnection(
        { connector: "google-sheets" },
        { consecutiveFailures: 3, lastError: 'Header "Artist" is missing from the tab' },
      ),
    ],
    [
      "a revoked grant",
      "Reconnect needed",
      "reauth",
      makeConnection(
        { connector: "google-sheets", status: "needs_reauth", statusReason: "invalid_grant" },
        { lastError: null },
      ),
    ],
    ["no connection", "Not connected", "not_connected", null],
  ])("shows %s as “%s” in words", async (_what, label, status, connection) => {
    renderWithHost(
      <IntegrationCard connector={sheets} connection={connection} />,
      fakeHost({
        connections: connection === null ? [] : [connection],
      }),
    );
    const article = card("Google Sheets");
    const badge = article.querySelector("[data-patchbay-badge]");
    expect(badge).toHaveTextContent(label);
    expect(badge).toHaveAttribute("data-patchbay-status", status);
    // The icon is decoration; the words carry the status.
    expect(badge?.querySelector("[aria-hidden='true']")).not.toBeNull();
  });

  it("shows the last error and offers Reconnect when access was revoked", async () => {
    const connection = makeConnection(
      {
        connector: "google-sheets",
        status: "needs_reauth",
        statusReason: "Token has been expired or revoked.",
      },
      { lastError: null },
    );
    renderWithHost(
      <IntegrationCard connector={sheets} connection={connection} />,
      fakeHost({
        connections: [connection],
      }),
    );
    const article = card("Google Sheets");
    expect(article).toHaveTextContent(
      "Google Sheets access expired or was revoked. Last error: Token has been expired or revoked.",
    );
    expect(within(article).getByRole("button", { name: "Reconnect Google Sheets" })).toBeVisible();
    expect(within(article).queryByRole("button", { name: /now$/ })).not.toBeInTheDocument();
    expect(within(article).getByRole("button", { name: "Disconnect Google Sheets" })).toBeVisible();
  });
});

describe("IntegrationCard last synced", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("says “Last synced 2 minutes ago” and keeps it current", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-05-01T10:00:00Z"));
    const connection = makeConnection(
      { connector: "google-sheets" },
      { lastSuccessAt: "2026-05-01T09:58:00.000Z" },
    );
    renderWithHost(
      <IntegrationCard connector={sheets} connection={connection} />,
      fakeHost({
        connections: [connection],
      }),
    );
    const line = card("Google Sheets").querySelector("[data-patchbay-last-synced]");
    expect(line).toHaveTextContent("Last synced 2 minutes ago");
    expect(line?.querySelector("time")).toHaveAttribute("datetime", "2026-05-01T09:58:00.000Z");

    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(line).toHaveTextContent("Last synced 3 minutes ago");

    act(() => {
      vi.advanceTimersByTime(2 * 60 * 60_000);
    });
    expect(line).toHaveTextContent("Last synced 2 hours ago");
  });

  it("says “Not synced yet” before the first sync", () => {
    const connection = makeConnection({ connector: "google-sheets" }, { lastSuccessAt: null });
    renderWithHost(
      <IntegrationCard connector={sheets} connection={connection} />,
      fakeHost({
        connections: [connection],
      }),
    );
    expect(card("Google Sheets")).toHaveTextContent("Not synced yet");
  });
});

describe("Connect", () => {
  it("sends the browser to the OAuth connect route, returning to the current page", async () => {
    window.history.replaceState(null, "", "/settings/integrations?tab=apps");
    const navigate = vi.fn();
    const { user } = renderWithHost(<IntegrationsGrid />, fakeHost(), { navigate });

    await user.click(await screen.findByRole("button", { name: "Connect Google Sheets" }));

    expect(navigate).toHaveBeenCalledWith(
      `/integrations/google-sheets/connect?returnTo=${encodeURIComponent("/settings/integrations?tab=apps")}`,
    );
    // OAuth needs no form.
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("opens a credential form for an API-key connector, with the key in a password input, and posts it", async () => {
    const host = fakeHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host, { configureAfterConnect: false });

    await user.click(await screen.findByRole("button", { name: "Connect Mailchimp" }));
    const dialog = screen.getByRole("dialog", { name: "Connect Mailchimp" });
    const key = within(dialog).getByLabelText(/API key/);
    expect(key).toHaveAttribute("type", "password");
    expect(key).toHaveAttribute("aria-required", "true");
    expect(key).toHaveFocus();
    expect(key).toHaveAccessibleDescription("API key (ends with the data center, e.g. -us6)");

    await user.click(within(dialog).getByRole("button", { name: "Connect" }));
    expect(key).toHaveAccessibleDescription(/Enter API key\./);
    expect(key).toHaveAttribute("aria-invalid", "true");
    expect(host.calls("POST", "/mailchimp/connect")).toHaveLength(0);

    await user.type(key, "not-a-key");
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));
    expect(within(dialog).getByText("API key is not in the expected format.")).toBeVisible();

    await user.clear(key);
    await user.type(key, "0123456789abcdef0123456789abcdef-us6");
    expect(
      within(dialog).queryByText("API key is not in the expected format."),
    ).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(host.calls("POST", "/mailchimp/connect")[0]?.body).toEqual({
      credentials: { apiKey: "0123456789abcdef0123456789abcdef-us6" },
    });
    const mailchimp = await screen.findByRole("article", { name: "Mailchimp" });
    await waitFor(() => expect(mailchimp).toHaveTextContent("Connected"));
  });

  it("shows the server's reason when the credentials are refused, next to the field", async () => {
    const host = fakeHost();
    host.on("POST", "/mailchimp/connect", () =>
      json(400, {
        error: {
          name: "ConfigError",
          code: "PATCHBAY_CONFIG_INVALID",
          message:
            'Invalid credentials: "credentials.apiKey" must be a Mailchimp API key: 32 hexadecimal characters, a dash and the data center',
          retryable: false,
        },
      }),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    await user.click(await screen.findByRole("button", { name: "Connect Mailchimp" }));
    const dialog = screen.getByRole("dialog", { name: "Connect Mailchimp" });
    await user.type(
      within(dialog).getByLabelText(/API key/),
      "0123456789abcdef0123456789abcdef-us6",
    );
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    const key = within(dialog).getByLabelText(/API key/);
    await waitFor(() =>
      expect(key).toHaveAccessibleDescription(
        /Must be a Mailchimp API key: 32 hexadecimal characters, a dash and the data center/,
      ),
    );
    expect(key).toHaveFocus();
  });

  it("shows the plan-limit message the server wrote for the user", async () => {
    const host = fakeHost();
    host.on("POST", "/mailchimp/connect", () =>
      limitError(
        "maxConnections",
        "Your plan allows 1 connection. Disconnect one or upgrade to add more.",
      ),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host, { upgradeUrl: "/billing" });
    await user.click(await screen.findByRole("button", { name: "Connect Mailchimp" }));
    const dialog = screen.getByRole("dialog", { name: "Connect Mailchimp" });
    await user.type(
      within(dialog).getByLabelText(/API key/),
      "0123456789abcdef0123456789abcdef-us6",
    );
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent(
      "Your plan allows 1 connection. Disconnect one or upgrade to add more.",
    );
    expect(within(alert).getByRole("link", { name: "Upgrade your plan" })).toHaveAttribute(
      "href",
      "/billing",
    );
  });
});

describe("Sync now", () => {
  it("is unavailable while running, shows progress, then announces the result", async () => {
    const connection = makeConnection({ connector: "google-sheets" });
    const host = fakeHost({ connections: [connection] });
    const gate = deferred<void>();
    const run = makeRun(connection.id, {
      trigger: "manual",
      fetched: 47,
      inserted: 3,
      updated: 2,
      deleted: 1,
      unchanged: 41,
      minutesAgo: 0,
    });
    host.on("POST", "/connections/:id/sync", async () => {
      await gate.promise;
      const outcome: WireSyncOutcome = { status: "succeeded", run };
      return json(200, { outcomes: [outcome] });
    });
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const button = await screen.findByRole("button", { name: "Sync Google Sheets now" });
    const article = card("Google Sheets");
    const status = article.querySelector("[data-patchbay-sync-status]") as HTMLElement;
    expect(status).toHaveAttribute("role", "status");

    await user.click(button);

    expect(button).toHaveAttribute("aria-disabled", "true");
    expect(button).toHaveTextContent("Syncing…");
    expect(button).toHaveFocus();
    expect(
      within(article).getByRole("progressbar", { name: "Syncing Google Sheets" }),
    ).toBeVisible();
    expect(status).toHaveTextContent("Syncing Google Sheets…");
    // A second press while running does not start a second sync.
    await user.click(button);
    expect(host.calls("POST", `/connections/${connection.id}/sync`)).toHaveLength(1);

    gate.resolve();

    await waitFor(() =>
      expect(status).toHaveTextContent(
        "Sync finished: 47 records fetched, 3 new, 2 updated, 1 deleted.",
      ),
    );
    expect(button).not.toHaveAttribute("aria-disabled");
    expect(button).toHaveTextContent("Sync now");
    expect(within(article).queryByRole("progressbar")).not.toBeInTheDocument();
    expect(host.calls("POST", `/connections/${connection.id}/sync`)[0]?.body).toEqual({});
  });

  it("announces a failed run with its error", async () => {
    const connection = makeConnection({ connector: "google-sheets" });
    const host = fakeHost({ connections: [connection] });
    host.on("POST", "/connections/:id/sync", () => {
      const run = makeRun(connection.id, {
        status: "failed",
        error: "Google answered 403: the caller does not have permission",
      });
      const outcome: WireSyncOutcome = { status: "failed", run };
      return json(200, { outcomes: [outcome] });
    });
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    await user.click(await screen.findByRole("button", { name: "Sync Google Sheets now" }));
    const status = card("Google Sheets").querySelector("[data-patchbay-sync-status]");
    await waitFor(() =>
      expect(status).toHaveTextContent(
        "Sync failed: Google answered 403: the caller does not have permission",
      ),
    );
  });

  it("shows the server's upgrade message when the plan's records are used up", async () => {
    const connection = makeConnection({ connector: "google-sheets" });
    const host = fakeHost({ connections: [connection] });
    host.on("POST", "/connections/:id/sync", () =>
      limitError(
        "recordsPerMonth",
        "Your plan includes 1,000 synced records per month, and this month's are used up. Upgrade to keep syncing.",
      ),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host, { upgradeUrl: "/billing" });
    await user.click(await screen.findByRole("button", { name: "Sync Google Sheets now" }));

    const alert = await within(card("Google Sheets")).findByRole("alert");
    expect(alert).toHaveTextContent(
      "Your plan includes 1,000 synced records per month, and this month's are used up. Upgrade to keep syncing.",
    );
    expect(within(alert).getByRole("link", { name: "Upgrade your plan" })).toBeVisible();
  });
});
