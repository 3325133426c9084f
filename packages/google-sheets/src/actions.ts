/**
 * One-off operations a host UI needs around the sync: create a spreadsheet
 * ready to sync, and list a spreadsheet's tabs for a tab picker.
 */
import type { ActionDefinition, ConnectorContext } from "@patchbay/core";
import type { z } from "zod";
import { a1 } from "./a1.js";
import { SHEETS_API, spreadsheetUrl } from "./endpoints.js";
import {
  type CreatedSpreadsheet,
  CreateSpreadsheetInput,
  type GoogleSheetsSettings,
  ListSheetsInput,
  type SheetTab,
} from "./schemas.js";
import { readMetadata } from "./sheet-layout.js";

/** Parse action input; a bad argument is a `TypeError` naming it. */
function parseInput<S extends z.ZodType>(action: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") || "input";
  throw new TypeError(`${action}: "${path}" ${issue?.message ?? "is invalid"}`);
}

interface CreatedWire {
  spreadsheetId?: string;
  spreadsheetUrl?: string;
  sheets?: Array<{ properties?: { sheetId?: number; title?: string } }>;
}

/**
 * `createSpreadsheet({ title, headers, sheet?, idColumn? })`: creates a
 * spreadsheet with one tab, the header row frozen and written (the given
 * headers, then the ID column). Under the `drive.file` scope a spreadsheet
 * the app created is one it may always open.
 *
 * @example
 * ```ts
 * const ctx = { connection, config: connection.config, metadata: connection.metadata, http: await patchbay.connections.http(tenantId, connection.id), logger };
 * const created = await connector.actions!.createSpreadsheet!.run(ctx, { title: "Radio pitches", headers: ["Artist", "Station", "Status"] });
 * await patchbay.connections.configure(tenantId, connection.id, { spreadsheetId: created.spreadsheetId, sheetId: created.sheetId });
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/create
 */
export const createSpreadsheet: ActionDefinition<
  typeof CreateSpreadsheetInput,
  CreatedSpreadsheet,
  GoogleSheetsSettings
> = {
  description: "Create a spreadsheet with a header row, ready to sync",
  input: CreateSpreadsheetInput,
  async run(ctx: ConnectorContext<GoogleSheetsSettings>, input) {
    const { title, headers, sheet, idColumn } = parseInput(
      "createSpreadsheet",
      CreateSpreadsheetInput,
      input,
    );
    const row = [...headers, idColumn];
    const { data } = await ctx.http.post<CreatedWire>(SHEETS_API, {
      json: {
        properties: { title },
        sheets: [
          {
            properties: {
              title: sheet,
              gridProperties: {
                rowCount: 1000,
                columnCount: Math.max(26, row.length),
                frozenRowCount: 1,
              },
            },
          },
        ],
      },
      signal: ctx.signal,
    });
    const spreadsheetId = data.spreadsheetId;
    const tab = data.sheets?.[0]?.properties;
    if (typeof spreadsheetId !== "string" || tab === undefined) {
      throw new TypeError("createSpreadsheet: Google returned no spreadsheet id");
    }
    const tabTitle = tab.title ?? sheet;
    await ctx.http.put(
      `${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(a1(tabTitle, { startRow: 1, endRow: 1, startColumn: 0, endColumn: row.length - 1 }))}`,
      {
        query: { valueInputOption: "RAW" },
        json: { majorDimension: "ROWS", values: [row] },
        signal: ctx.signal,
      },
    );
    return {
      spreadsheetId,
      spreadsheetUrl: data.spreadsheetUrl ?? spreadsheetUrl(spreadsheetId),
      sheetId: tab.sheetId ?? 0,
      sheet: tabTitle,
      headers: row,
    };
  },
};

/**
 * `listSheets({ spreadsheetId? })`: the spreadsheet's tabs in order, for a
 * tab picker. Without `spreadsheetId`, the configured spreadsheet.
 *
 * @example
 * ```ts
 * const tabs = await connector.actions!.listSheets!.run(ctx, { spreadsheetId: "1AbCdEfGhIj" });
 * // [{ sheetId: 0, title: "Sheet1", index: 0, rowCount: 1000, columnCount: 26, hidden: false }]
 * ```
 * @see https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/get
 */
export const listSheets: ActionDefinition<
  typeof ListSheetsInput,
  SheetTab[],
  GoogleSheetsSettings
> = {
  description: "List a spreadsheet's tabs",
  input: ListSheetsInput,
  async run(ctx: ConnectorContext<GoogleSheetsSettings>, input) {
    const parsed = parseInput("listSheets", ListSheetsInput, input);
    const configured = (ctx.config as Partial<GoogleSheetsSettings> | undefined)?.spreadsheetId;
    const spreadsheetId = parsed.spreadsheetId ?? configured;
    if (spreadsheetId === undefined) {
      throw new TypeError('listSheets: "spreadsheetId" is required (no spreadsheet is configured)');
    }
    const metadata = await readMetadata(ctx.http, spreadsheetId, ctx.signal);
    return (metadata.sheets ?? [])
      .map((s) => s.properties ?? {})
      .map((p) => ({
        sheetId: p.sheetId ?? 0,
        title: p.title ?? "",
        index: p.index ?? 0,
        rowCount: p.gridProperties?.rowCount ?? 0,
        columnCount: p.gridProperties?.columnCount ?? 0,
        hidden: p.hidden === true,
      }))
      .sort((a, b) => a.index - b.index);
  },
};
