import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { csvField, renderExport } from "../src/exports/render.js";
import type { ExportColumn, ExportRow } from "../src/exports/types.js";

const COLUMNS: ExportColumn[] = [
  { key: "artist", header: "Artist" },
  { key: "station", header: "Station" },
  { key: "plays", header: "Spins", type: "number" },
  { key: "sentAt", header: "Sent", type: "date" },
  { key: "replied", header: "Replied", type: "boolean" },
];

const ROWS: ExportRow[] = [
  {
    artist: "Ada Lark",
    station: "WFMU",
    plays: 12,
    sentAt: new Date("2026-11-16T00:00:00Z"),
    replied: true,
  },
  {
    artist: "Ravers, The",
    station: 'KEXP "Morning"',
    plays: "7",
    sentAt: "2026-11-17T09:30:00Z",
    replied: "false",
  },
  { artist: "Émile & Zoë", station: "Line\nbreak", plays: null, replied: false },
];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function readXlsx(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) throw new Error("no sheet");
  return sheet;
}

describe("CSV", () => {
  it("writes RFC 4180: a header, CRLF line ends, quoted commas, quotes and line breaks", async () => {
    const file = await renderExport("csv", { columns: COLUMNS, rows: ROWS });
    expect(file).toMatchObject({ rows: 3, mimeType: "text/csv", extension: "csv" });
    expect(text(file.body)).toBe(
      "Artist,Station,Spins,Sent,Replied\r\n" +
        "Ada Lark,WFMU,12,2026-11-16,true\r\n" +
        '"Ravers, The","KEXP ""Morning""",7,2026-11-17T09:30:00.000Z,false\r\n' +
        'Émile & Zoë,"Line\nbreak",,,false\r\n',
    );
  });

  it("starts with a UTF-8 byte order mark only when asked, for Excel", async () => {
    const plain = await renderExport("csv", { columns: COLUMNS, rows: [] });
    expect([...plain.body.slice(0, 3)]).toEqual([0x41, 0x72, 0x74]); // "Art"
    const bom = await renderExport("csv", { columns: COLUMNS, rows: [], bom: true });
    expect([...bom.body.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text(bom.body.slice(3))).toBe("Artist,Station,Spins,Sent,Replied\r\n");
  });

  it("defuses text cells a spreadsheet would run as formulas, and leaves numbers alone", async () => {
    const file = await renderExport("csv", {
      columns: [{ key: "note" }, { key: "delta", type: "number" }],
      rows: [
        { note: '=HYPERLINK("http://evil.example","click")', delta: -5 },
        { note: "+1 555 0100", delta: "-2.5" },
        { note: "-list item", delta: 0 },
        { note: "@SUM(A1)", delta: 1 },
        { note: "\tcmd", delta: 2 },
        { note: "a=b is fine", delta: 3 },
      ],
    });
    expect(text(file.body).split("\r\n")).toEqual([
      "note,delta",
      `"'=HYPERLINK(""http://evil.example"",""click"")",-5`,
      "'+1 555 0100,-2.5",
      "'-list item,0",
      "'@SUM(A1),1",
      "'\tcmd,2",
      "a=b is fine,3",
      "",
    ]);
    expect(csvField("=1+1", false)).toBe("=1+1");
  });

  it("reads rows one by one or in pages, from async generators and arrays alike", async () => {
    async function* pages() {
      yield [{ artist: "A" }, { artist: "B" }];
      yield { artist: "C" };
      yield [];
      yield [{ artist: "D" }];
    }
    const file = await renderExport("csv", { columns: [{ key: "artist" }], rows: pages() });
    expect(file.rows).toBe(4);
    expect(text(file.body)).toBe("artist\r\nA\r\nB\r\nC\r\nD\r\n");
  });

  it("writes values that do not fit the column type as text instead of dropping them", async () => {
    const file = await renderExport("csv", {
      columns: [{ key: "n", type: "number" }, { key: "d", type: "date" }, { key: "o" }],
      rows: [{ n: "about 7", d: "last Tuesday", o: { a: [1, 2] } }],
    });
    expect(text(file.body)).toBe('n,d,o\r\nabout 7,last Tuesday,"{""a"":[1,2]}"\r\n');
  });

  it("streams a large source in bounded chunks", async () => {
    function* many() {
      for (let i = 0; i < 50_000; i++) yield { id: i, name: `row ${i}` };
    }
    const file = await renderExport("csv", {
      columns: [{ key: "id", type: "number" }, { key: "name" }],
      rows: many(),
    });
    expect(file.rows).toBe(50_000);
    const lines = text(file.body).split("\r\n");
    expect(lines[50_000]).toBe("49999,row 49999");
  });

  it("stops when the signal aborts, and rejects rows that are not objects", async () => {
    const controller = new AbortController();
    async function* rows() {
      yield { a: 1 };
      controller.abort(new Error("claim lost"));
      yield { a: 2 };
    }
    await expect(
      renderExport("csv", { columns: [{ key: "a" }], rows: rows(), signal: controller.signal }),
    ).rejects.toThrow("claim lost");
    await expect(
      renderExport("csv", { columns: [{ key: "a" }], rows: [1 as unknown as ExportRow] }),
    ).rejects.toThrow("an export row must be a plain object, got number");
  });
});

describe("XLSX", () => {
  it("writes typed cells under a bold, frozen header that exceljs reads back", async () => {
    const file = await renderExport("xlsx", {
      columns: [...COLUMNS, { key: "fee", header: "Fee", type: "number", format: "0.00" }],
      rows: ROWS.map((row, i) => ({ ...row, fee: i * 1.5 })),
      title: "Promo report: week 48/2026",
    });
    expect(file).toMatchObject({
      rows: 3,
      extension: "xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    });
    const sheet = await readXlsx(file.body);
    // Excel refuses ":" and "/" in sheet names.
    expect(sheet.name).toBe("Promo report  week 48 2026");
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "Artist",
      "Station",
      "Spins",
      "Sent",
      "Replied",
      "Fee",
    ]);
    expect(sheet.getRow(1).font).toMatchObject({ bold: true });
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });

    const second = sheet.getRow(3);
    expect(second.getCell(1).value).toBe("Ravers, The");
    expect(second.getCell(3).value).toBe(7);
    expect(second.getCell(3).type).toBe(ExcelJS.ValueType.Number);
    expect(second.getCell(4).value).toEqual(new Date("2026-11-17T09:30:00Z"));
    expect(second.getCell(4).type).toBe(ExcelJS.ValueType.Date);
    expect(second.getCell(4).numFmt).toBe("yyyy-mm-dd");
    expect(second.getCell(5).value).toBe(false);
    expect(second.getCell(5).type).toBe(ExcelJS.ValueType.Boolean);
    expect(second.getCell(6).value).toBe(1.5);
    expect(second.getCell(6).numFmt).toBe("0.00");

    const third = sheet.getRow(4);
    expect(third.getCell(1).value).toBe("Émile & Zoë");
    expect(third.getCell(3).type).toBe(ExcelJS.ValueType.Null);
    expect(sheet.rowCount).toBe(4);
  });

  it("writes text that looks like a formula as text, never as a formula", async () => {
    const file = await renderExport("xlsx", {
      columns: [{ key: "note" }],
      rows: [{ note: "=1+1" }],
    });
    const cell = (await readXlsx(file.body)).getRow(2).getCell(1);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe("=1+1");
  });

  it("names exceljs in a ConfigError when it is not installed", async () => {
    const missing = Object.assign(new Error("Cannot find package 'exceljs'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await renderExport(
      "xlsx",
      { columns: [{ key: "a" }], rows: [] },
      { importExcelJs: () => Promise.reject(missing) },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "ConfigError",
      code: "PATCHBAY_CONFIG_INVALID",
      message:
        'XLSX exports need the "exceljs" package, an optional peer dependency of @patchbay/core: install it (npm install exceljs), or choose format "csv"',
    });
    // CSV never loads it.
    await expect(
      renderExport(
        "csv",
        { columns: [{ key: "a" }], rows: [] },
        { importExcelJs: () => Promise.reject(missing) },
      ),
    ).resolves.toMatchObject({ rows: 0 });
  });

  it("refuses an unknown format, naming it", async () => {
    await expect(
      renderExport("pdf" as "csv", { columns: [{ key: "a" }], rows: [] }),
    ).rejects.toThrow('"format" must be "csv" or "xlsx", got "pdf"');
  });
});
