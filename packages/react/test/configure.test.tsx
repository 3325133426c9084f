import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IntegrationsGrid } from "../src/index.js";
import { configError, fakeHost, json, makeConnection } from "./fake-host.js";
import { renderWithHost } from "./render.js";

const SPREADSHEET = "1AbCdEfGhIjKlMnOpQ";

function sheetsHost(
  overrides: Parameters<typeof makeConnection>[0] = { connector: "google-sheets" },
) {
  return fakeHost({
    connections: [
      makeConnection({
        id: "c1",
        config: { spreadsheetId: SPREADSHEET, headerRow: 1 },
        ...overrides,
      }),
    ],
  });
}

async function openConfigure(
  user: ReturnType<typeof renderWithHost>["user"],
  name = "Google Sheets",
) {
  await user.click(await screen.findByRole("button", { name: `Configure ${name}` }));
  return screen.getByRole("dialog", { name: `Configure ${name}` });
}

describe("ConfigureDialog settings form", () => {
  it("renders the connector's JSON Schema as labelled fields with help text, defaults and required markers", async () => {
    const { user } = renderWithHost(<IntegrationsGrid />, sheetsHost());
    const dialog = await openConfigure(user);
    const form = within(dialog);

    const id = form.getByLabelText(/Spreadsheet ID/);
    expect(id).toHaveValue(SPREADSHEET);
    expect(id).toHaveAttribute("aria-required", "true");
    expect(
      id.closest("[data-patchbay-field]")?.querySelector("[data-patchbay-required]"),
    ).toHaveTextContent("*");
    expect(id).toHaveAccessibleDescription(
      "Spreadsheet ID: docs.google.com/spreadsheets/d/<this part>/edit",
    );
    expect(id).toHaveFocus();

    const headerRow = form.getByLabelText("Header row");
    expect(headerRow).toHaveAttribute("type", "number");
    expect(headerRow).toHaveValue(1);
    expect(headerRow).not.toHaveAttribute("aria-required");
    expect(form.getByLabelText("ID column")).toHaveValue("Patchbay ID");

    const render = form.getByLabelText("Value render");
    expect(render.tagName).toBe("SELECT");
    expect(
      within(render)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Formatted value", "Unformatted value"]);
    expect(render).toHaveValue("FORMATTED_VALUE");
    expect(form.getByLabelText("Sheet")).toHaveValue("");
  });

  it("shows validation messages next to the fields, and saves nothing until they pass", async () => {
    const host = sheetsHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user);
    const form = within(dialog);
    const id = form.getByLabelText(/Spreadsheet ID/);
    const headerRow = form.getByLabelText("Header row");
    const sheetId = form.getByLabelText("Sheet ID");

    await user.clear(id);
    await user.clear(headerRow);
    await user.type(headerRow, "0");
    await user.type(sheetId, "1.5");
    await user.click(form.getByRole("button", { name: "Save settings" }));

    expect(id).toHaveAttribute("aria-invalid", "true");
    expect(id).toHaveAccessibleDescription(/^Enter Spreadsheet ID\./);
    expect(headerRow).toHaveAccessibleDescription(/^Must be 1 or more\./);
    expect(sheetId).toHaveAccessibleDescription(/^Enter a whole number\./);
    expect(id).toHaveFocus();
    expect(host.calls("PUT", "/connections/c1/config")).toHaveLength(0);

    await user.type(id, "short");
    expect(id).toHaveAccessibleDescription(/^Spreadsheet ID is not in the expected format\./);
    await user.clear(id);
    await user.type(id, SPREADSHEET);
    expect(id).not.toHaveAttribute("aria-invalid");
  });

  it("submits the settings as typed JSON: numbers as numbers, empty optional fields left out", async () => {
    const host = sheetsHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user);
    const form = within(dialog);

    await user.clear(form.getByLabelText("Header row"));
    await user.type(form.getByLabelText("Header row"), "2");
    await user.selectOptions(form.getByLabelText("Value render"), "Unformatted value");
    await user.click(form.getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(form.getByText("Settings saved.")).toBeVisible());
    expect(host.calls("PUT", "/connections/c1/config")[0]?.body).toEqual({
      spreadsheetId: SPREADSHEET,
      headerRow: 2,
      idColumn: "Patchbay ID",
      valueRender: "UNFORMATTED_VALUE",
      valueInput: "RAW",
      onDelete: "delete_row",
    });
  });

  it("keeps settings the form cannot show (lists) when it saves", async () => {
    const tracked = [
      {
        threadId: "t1",
        contactEmail: "dj@example.com",
        campaignId: "camp1",
        subject: "New single",
        anchorMessageId: "m1",
        sentAt: "2026-05-01T10:00:00Z",
        trackedAt: "2026-05-01T10:00:00Z",
      },
    ];
    const host = fakeHost({
      connections: [
        makeConnection({
          id: "g1",
          connector: "gmail",
          config: { trackedThreads: tracked, matchBySubject: true },
        }),
      ],
    });
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user, "Gmail");
    const checkbox = within(dialog).getByRole("checkbox", { name: "Match by subject" });
    expect(checkbox).toBeChecked();
    expect(within(dialog).queryByLabelText("Tracked threads")).not.toBeInTheDocument();

    await user.click(checkbox);
    await user.click(within(dialog).getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(host.calls("PUT", "/connections/g1/config")).toHaveLength(1));
    expect(host.calls("PUT", "/connections/g1/config")[0]?.body).toEqual({
      trackedThreads: tracked,
      matchBySubject: false,
    });
  });

  it("shows the server's validation message next to the field it names", async () => {
    const host = sheetsHost();
    host.on("PUT", "/connections/:id/config", () =>
      configError(
        'Invalid config: "config.spreadsheetId" must be a spreadsheet ID (the part of the URL after /spreadsheets/d/)',
      ),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user);
    await user.click(within(dialog).getByRole("button", { name: "Save settings" }));

    const id = within(dialog).getByLabelText(/Spreadsheet ID/);
    await waitFor(() =>
      expect(id).toHaveAccessibleDescription(
        /^Must be a spreadsheet ID \(the part of the URL after \/spreadsheets\/d\/\)/,
      ),
    );
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
  });
});

describe("ConfigureDialog test connection", () => {
  it("shows success", async () => {
    const host = sheetsHost();
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user);
    await user.click(within(dialog).getByRole("button", { name: "Test connection" }));
    const result = dialog.querySelector("[data-patchbay-test-result]");
    await waitFor(() => expect(result).toHaveTextContent("Connection works."));
    expect(result).toHaveAttribute("role", "status");
    expect(result).toHaveAttribute("data-patchbay-test-result", "success");
    expect(host.calls("POST", "/connections/c1/test")).toHaveLength(1);
  });

  it("shows failure with the provider's (redacted) reason", async () => {
    const host = sheetsHost();
    host.on("POST", "/connections/:id/test", () =>
      json(200, { ok: false, message: "Google answered 404: Requested entity was not found." }),
    );
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const dialog = await openConfigure(user);
    await user.click(within(dialog).getByRole("button", { name: "Test connection" }));
    const result = dialog.querySelector("[data-patchbay-test-result]");
    await waitFor(() =>
      expect(result).toHaveTextContent(
        "Connection failed: Google answered 404: Requested entity was not found.",
      ),
    );
    expect(result).toHaveAttribute("data-patchbay-test-result", "failure");
  });
});

describe("Field mapping editor", () => {
  it("shows the server's unknown-field error next to the row, then offers the fields the server listed", async () => {
    const host = sheetsHost({
      connector: "google-sheets",
      fieldMappings: { rows: { artist: "Artist" } },
    });
    let first = true;
    host.on("PUT", "/connections/:id/mapping/:model", (request, [id = "", model = ""]) => {
      if (first) {
        first = false;
        return configError(
          'Field mapping of "rows": unknown column "Stauts" (for "status"); available: Artist, Station, Status, Patchbay ID',
        );
      }
      const connection = host.connections.find((c) => c.id === id)!;
      connection.fieldMappings = { [model]: request.body?.mapping as Record<string, string> };
      const { health: _h, ...rest } = connection;
      return json(200, { connection: rest });
    });
    const { user } = renderWithHost(
      <IntegrationsGrid
        mappingFields={{ "google-sheets": { rows: { host: ["artist", "station", "status"] } } }}
      />,
      host,
    );
    const dialog = await openConfigure(user);
    const editor = within(dialog.querySelector("[data-patchbay-mapping]") as HTMLElement);

    expect(editor.getByRole("heading", { name: "Field mapping" })).toBeVisible();
    expect(editor.getByRole("combobox", { name: "Your field, row 1" })).toHaveValue("artist");
    expect(editor.getByRole("textbox", { name: "Google Sheets field for artist" })).toHaveValue(
      "Artist",
    );

    await user.click(editor.getByRole("button", { name: "Add field" }));
    const newHost = editor.getByRole("combobox", { name: "Your field, row 2" });
    expect(newHost).toHaveFocus();
    await user.selectOptions(newHost, "status");
    await user.type(
      editor.getByRole("textbox", { name: "Google Sheets field for status" }),
      "Stauts",
    );
    await user.click(editor.getByRole("button", { name: "Save mapping" }));

    const message =
      'Field mapping of "rows": unknown column "Stauts" (for "status"); available: Artist, Station, Status, Patchbay ID';
    const provider = await editor.findByRole("combobox", {
      name: "Google Sheets field for status",
    });
    expect(provider).toHaveAttribute("aria-invalid", "true");
    expect(provider).toHaveAccessibleDescription(message);
    expect(provider).toHaveFocus();
    expect(provider.closest("tr")).toHaveTextContent(message);
    expect(
      within(provider)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Choose…", "Artist", "Station", "Status", "Patchbay ID", "Stauts (not found)"]);

    await user.selectOptions(provider, "Status");
    expect(provider).not.toHaveAttribute("aria-invalid");
    await user.click(editor.getByRole("button", { name: "Save mapping" }));

    await waitFor(() => expect(editor.getByText("Field mapping saved.")).toBeVisible());
    expect(host.calls("PUT", "/connections/c1/mapping/rows").map((r) => r.body)).toEqual([
      { mapping: { artist: "Artist", status: "Stauts" } },
      { mapping: { artist: "Artist", status: "Status" } },
    ]);
  });

  it("catches a row left half-filled before asking the server", async () => {
    const host = sheetsHost();
    const { user } = renderWithHost(
      <IntegrationsGrid
        mappingFields={{ "google-sheets": { rows: { host: ["artist", "status"] } } }}
      />,
      host,
    );
    const dialog = await openConfigure(user);
    const editor = within(dialog.querySelector("[data-patchbay-mapping]") as HTMLElement);
    await user.type(
      editor.getByRole("textbox", { name: "Google Sheets field for artist" }),
      "Artist",
    );
    await user.click(editor.getByRole("button", { name: "Remove status" }));
    await user.click(editor.getByRole("button", { name: "Add field" }));
    await user.type(
      editor.getByRole("textbox", { name: "Google Sheets field for row 2" }),
      "Status",
    );
    await user.click(editor.getByRole("button", { name: "Save mapping" }));

    expect(editor.getByRole("combobox", { name: "Your field, row 2" })).toHaveAccessibleDescription(
      "Choose one of your fields, or remove this row.",
    );
    expect(host.calls("PUT", "/connections/c1/mapping/rows")).toHaveLength(0);
  });
});
