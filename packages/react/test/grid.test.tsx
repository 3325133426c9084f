import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IntegrationsGrid } from "../src/index.js";
import { fakeHost, json, makeConnection, makeRun } from "./fake-host.js";
import { renderWithHost } from "./render.js";

describe("IntegrationsGrid", () => {
  it("lists the catalogue under category headings, with each connector's connected state", async () => {
    const sheets = makeConnection({ connector: "google-sheets" });
    const host = fakeHost({
      connections: [sheets],
      runs: { [sheets.id]: [makeRun(sheets.id)] },
    });
    renderWithHost(<IntegrationsGrid />, host);

    expect(screen.getByText("Loading integrations…")).toHaveAttribute("role", "status");

    const spreadsheets = await screen.findByRole("region", { name: "Spreadsheets" });
    const sheetsCard = within(spreadsheets).getByRole("article", { name: "Google Sheets" });
    expect(within(sheetsCard).getByText("Connected")).toBeInTheDocument();
    expect(
      within(sheetsCard).getByRole("button", { name: "Sync Google Sheets now" }),
    ).toBeVisible();
    // The logo is decorative: the name is right next to it.
    expect(sheetsCard.querySelector("img[data-patchbay-logo]")).toHaveAttribute("alt", "");

    const email = screen.getByRole("region", { name: "Email" });
    const gmail = within(email).getByRole("article", { name: "Gmail" });
    expect(within(gmail).getByText("Not connected")).toBeInTheDocument();
    expect(within(gmail).getByRole("button", { name: "Connect Gmail" })).toBeVisible();

    expect(screen.getByRole("article", { name: "Mailchimp" })).toHaveTextContent("Not connected");
    expect(screen.getByRole("article", { name: "Airtable" })).toHaveTextContent("Not connected");
    expect(screen.getAllByRole("article")).toHaveLength(4);
    // Records synced comes from the last full run: 2 new + 1 updated + 44 unchanged.
    await waitFor(() => expect(sheetsCard).toHaveTextContent("Records synced: 47"));
    // Every card shares one load of the catalogue and the connections.
    expect(host.calls("GET", "/connectors")).toHaveLength(1);
    expect(host.calls("GET", "/connections")).toHaveLength(1);
  });

  it("filters by category with toggle buttons", async () => {
    const { user } = renderWithHost(<IntegrationsGrid />, fakeHost());
    const filters = await screen.findByRole("group", { name: "Filter by category" });
    const email = within(filters).getByRole("button", { name: "Email (1)" });
    expect(within(filters).getByRole("button", { name: "All (4)" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );

    await user.click(email);

    expect(email).toHaveAttribute("aria-pressed", "true");
    expect(
      screen.getAllByRole("article").map((a) => a.getAttribute("aria-labelledby")),
    ).toHaveLength(1);
    expect(screen.getByRole("article", { name: "Gmail" })).toBeInTheDocument();
    expect(screen.queryByRole("article", { name: "Google Sheets" })).not.toBeInTheDocument();
  });

  it("shows one card per live connection and hides disconnected ones", async () => {
    const host = fakeHost({
      connections: [
        makeConnection({
          id: "c1",
          connector: "google-sheets",
          metadata: { email: "ana@example.com" },
        }),
        makeConnection({
          id: "c2",
          connector: "google-sheets",
          metadata: { email: "bo@example.com" },
        }),
        makeConnection({ id: "c3", connector: "gmail", status: "disconnected" }),
      ],
    });
    renderWithHost(<IntegrationsGrid groupByCategory={false} filter={false} />, host);
    const cards = await screen.findAllByRole("article", { name: "Google Sheets" });
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveTextContent("Account: ana@example.com");
    expect(cards[1]).toHaveTextContent("Account: bo@example.com");
    expect(screen.getByRole("article", { name: "Gmail" })).toHaveTextContent("Not connected");
  });

  it("says why the catalogue could not load, and tries again", async () => {
    const host = fakeHost();
    let refuse = true;
    host.on("GET", "/connections", () =>
      refuse
        ? json(401, {
            error: { code: "unauthenticated", message: "Sign in to manage integrations" },
          })
        : json(200, { connections: [] }),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    expect(await screen.findByRole("alert")).toHaveTextContent("Sign in to manage integrations");

    refuse = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("article", { name: "Gmail" })).toBeInTheDocument();
  });

  it("back from the OAuth round trip: announces the connection, opens its settings and cleans the URL", async () => {
    window.history.replaceState(
      null,
      "",
      "/settings/integrations?tab=apps&patchbay=connected&connection=c9",
    );
    const host = fakeHost({
      connections: [
        makeConnection({ id: "c9", connector: "google-sheets" }, { lastSuccessAt: null }),
      ],
    });
    renderWithHost(<IntegrationsGrid />, host);

    const dialog = await screen.findByRole("dialog", { name: "Configure Google Sheets" });
    // The dialog moves focus in an effect after it renders: on a loaded machine
    // the dialog can be found a tick before that.
    await waitFor(() => expect(within(dialog).getByLabelText(/Spreadsheet ID/)).toHaveFocus());
    expect(window.location.pathname + window.location.search).toBe(
      "/settings/integrations?tab=apps",
    );
    await waitFor(() =>
      expect(document.querySelector("[data-patchbay-announcer]")).toHaveTextContent(
        "Google Sheets connected.",
      ),
    );
    expect(screen.getByRole("article", { name: "Google Sheets" })).toHaveTextContent(
      "Not synced yet",
    );
  });
});
