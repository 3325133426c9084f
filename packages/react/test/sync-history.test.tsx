import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IntegrationsGrid, SyncHistory } from "../src/index.js";
import { fakeHost, makeConnection, makeRun } from "./fake-host.js";
import { renderWithHost } from "./render.js";

describe("SyncHistory", () => {
  it("lists runs newest first with trigger, mode, status, start, duration, counts and error", async () => {
    const connection = makeConnection({ id: "c1", connector: "google-sheets" });
    const runs = [
      makeRun("c1", {
        minutesAgo: 1,
        trigger: "manual",
        mode: "incremental",
        status: "failed",
        fetched: 10,
        inserted: 1,
        updated: 2,
        deleted: 3,
        failed: 4,
        error: "Google answered 429: quota exceeded",
      }),
      makeRun("c1", { minutesAgo: 60, trigger: "schedule", mode: "full" }),
    ];
    const host = fakeHost({ connections: [connection], runs: { c1: runs } });
    renderWithHost(<SyncHistory connectionId="c1" />, host);

    const table = await screen.findByRole("table", { name: "Sync history" });
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((h) => h.textContent);
    expect(headers).toEqual([
      "Started",
      "Data",
      "Trigger",
      "Mode",
      "Status",
      "Duration",
      "Fetched",
      "Inserted",
      "Updated",
      "Deleted",
      "Failed",
      "Error",
    ]);
    const [, newest, older] = within(table).getAllByRole("row");
    const cells = within(newest!)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(cells.slice(1)).toEqual([
      "Rows",
      "Manual",
      "Incremental",
      "✗ Failed",
      "3.2 sec",
      "10",
      "1",
      "2",
      "3",
      "4",
      "Google answered 429: quota exceeded",
    ]);
    expect(within(newest!).getByText("Failed")).toBeVisible();
    expect(newest!.querySelector("time")).toHaveAttribute("datetime", runs[0]!.startedAt);
    expect(
      within(older!)
        .getAllByRole("cell")
        .map((c) => c.textContent)
        .slice(2, 5),
    ).toEqual(["Scheduled", "Full", "✓ Succeeded"]);
    // Two runs, fewer than a page: nothing more to load.
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("loads older runs with “Load more”", async () => {
    const connection = makeConnection({ id: "c1", connector: "google-sheets" });
    const runs = Array.from({ length: 5 }, (_, i) => makeRun("c1", { minutesAgo: i * 10 }));
    const host = fakeHost({ connections: [connection], runs: { c1: runs } });
    const { user } = renderWithHost(<SyncHistory connectionId="c1" pageSize={2} />, host);

    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(5));
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(6));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(host.calls("GET", "/connections/c1/runs").map((r) => r.search.get("limit"))).toEqual([
      "2",
      "4",
      "6",
    ]);
  });

  it("says when there are no runs yet", async () => {
    const host = fakeHost({ connections: [makeConnection({ id: "c1", connector: "gmail" })] });
    renderWithHost(<SyncHistory connectionId="c1" />, host);
    expect(await screen.findByText("No syncs yet.")).toBeVisible();
  });

  it("opens from the card and shows the new run after Sync now", async () => {
    const connection = makeConnection({ id: "c1", connector: "google-sheets" });
    const host = fakeHost({
      connections: [connection],
      runs: { c1: [makeRun("c1", { minutesAgo: 30 })] },
    });
    const { user } = renderWithHost(<IntegrationsGrid />, host);
    const toggle = await screen.findByRole("button", { name: "Sync history" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const table = await screen.findByRole("table", { name: "Google Sheets sync history" });
    expect(within(table).getAllByRole("row")).toHaveLength(2);

    await user.click(screen.getByRole("button", { name: "Sync Google Sheets now" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(3));
    expect(within(within(table).getAllByRole("row")[1]!).getByText("Manual")).toBeVisible();
  });
});
