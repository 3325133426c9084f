import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IntegrationsGrid } from "../src/index.js";
import { fakeHost, makeConnection } from "./fake-host.js";
import { renderWithHost } from "./render.js";

function connectedHost() {
  return fakeHost({
    connections: [
      makeConnection({
        id: "c1",
        connector: "google-sheets",
        config: { spreadsheetId: "1AbCdEfGhIjKlMn" },
      }),
    ],
  });
}

describe("dialog focus", () => {
  it("focuses the first field, keeps Tab inside, closes on Escape and returns focus to the button that opened it", async () => {
    const { user } = renderWithHost(<IntegrationsGrid />, connectedHost());
    const trigger = await screen.findByRole("button", { name: "Configure Google Sheets" });
    await user.click(trigger);
    const dialog = screen.getByRole("dialog", { name: "Configure Google Sheets" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    const first = within(dialog).getByLabelText(/Spreadsheet ID/);
    const last = within(dialog).getByRole("button", { name: "Close" });
    expect(first).toHaveFocus();

    await user.tab({ shift: true });
    expect(last).toHaveFocus();
    await user.tab();
    expect(first).toHaveFocus();

    // Walk the whole dialog: focus never leaves it.
    for (let i = 0; i < 40; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(trigger).toHaveFocus());
  });

  it("the Close and Cancel buttons return focus too", async () => {
    const { user } = renderWithHost(<IntegrationsGrid />, connectedHost());
    const trigger = await screen.findByRole("button", { name: "Disconnect Google Sheets" });
    await user.click(trigger);
    const dialog = screen.getByRole("alertdialog", { name: "Disconnect Google Sheets?" });
    expect(within(dialog).getByRole("checkbox", { name: "Also delete synced data" })).toHaveFocus();
    await user.tab({ shift: true });
    expect(within(dialog).getByRole("button", { name: "Disconnect" })).toHaveFocus();
    await user.tab();
    expect(within(dialog).getByRole("checkbox", { name: "Also delete synced data" })).toHaveFocus();

    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    await waitFor(() => expect(trigger).toHaveFocus());
  });

  it("the credential form traps focus and closes on Escape", async () => {
    const { user } = renderWithHost(<IntegrationsGrid />, fakeHost());
    const trigger = await screen.findByRole("button", { name: "Connect Mailchimp" });
    trigger.focus();
    await user.keyboard("{Enter}");
    const dialog = screen.getByRole("dialog", { name: "Connect Mailchimp" });
    const key = within(dialog).getByLabelText(/API key/);
    expect(key).toHaveFocus();
    const docs = within(dialog).getByRole("link", {
      name: "Where to find them (opens in a new tab)",
    });
    await user.tab({ shift: true });
    expect(docs).toHaveFocus();
    await user.tab({ shift: true });
    expect(within(dialog).getByRole("button", { name: "Connect" })).toHaveFocus();
    await user.tab();
    expect(docs).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(trigger).toHaveFocus());
  });
});

describe("DisconnectDialog", () => {
  it("explains that synced data is kept and access revoked, and disconnects without purging", async () => {
    const host = connectedHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    await user.click(await screen.findByRole("button", { name: "Disconnect Google Sheets" }));
    const dialog = screen.getByRole("alertdialog", { name: "Disconnect Google Sheets?" });

    expect(dialog).toHaveAccessibleDescription(
      "Syncing with Google Sheets stops. Access to your Google Sheets account will be revoked at Google Sheets. Records already synced from Google Sheets are kept, with the sync history.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Disconnect" }));

    await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
    expect(host.calls("DELETE", "/connections/c1")).toHaveLength(1);
    expect(host.calls("DELETE", "/connections/c1")[0]?.search.get("purge")).toBeNull();
    const card = await screen.findByRole("article", { name: "Google Sheets" });
    await waitFor(() => expect(card).toHaveTextContent("Not connected"));
    await waitFor(() =>
      expect(document.querySelector("[data-patchbay-announcer]")).toHaveTextContent(
        "Google Sheets disconnected. Access at Google Sheets was revoked. Synced data was kept.",
      ),
    );
    // The card that replaced the connection's takes the focus.
    await waitFor(() =>
      expect(screen.getByRole("button", { name: "Connect Google Sheets" })).toHaveFocus(),
    );
  });

  it("says synced data will be deleted when asked, and sends purge=true", async () => {
    const host = connectedHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    await user.click(await screen.findByRole("button", { name: "Disconnect Google Sheets" }));
    const dialog = screen.getByRole("alertdialog", { name: "Disconnect Google Sheets?" });

    await user.click(within(dialog).getByRole("checkbox", { name: "Also delete synced data" }));
    expect(dialog).toHaveTextContent(
      "Records synced from Google Sheets and the sync history will be permanently deleted.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Disconnect and delete data" }));

    await waitFor(() => expect(host.calls("DELETE", "/connections/c1")).toHaveLength(1));
    expect(host.calls("DELETE", "/connections/c1")[0]?.search.get("purge")).toBe("true");
    await waitFor(() =>
      expect(screen.getByRole("article", { name: "Google Sheets" })).toHaveTextContent(
        "Not connected",
      ),
    );
  });

  it("for keys the user entered, says they are deleted rather than revoked", async () => {
    const host = fakeHost({ connections: [makeConnection({ id: "m1", connector: "mailchimp" })] });
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    await user.click(await screen.findByRole("button", { name: "Disconnect Mailchimp" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent(
      "The Mailchimp credentials you entered will be deleted, so this app can no longer reach Mailchimp. To revoke the key itself, delete it in your Mailchimp account.",
    );
  });
});
