/**
 * A1 notation, as the Sheets API reads and writes it: `'My tab'!A2:F1001`,
 * `Sheet1!2:1001` (whole rows), `Sheet1!K2:K` (a column from row 2 down).
 * Shared by the connector (building ranges) and the fake (parsing them).
 *
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */

/**
 * A parsed A1 range. Rows are 1-based, columns 0-based; `null` means
 * unbounded (to the grid's edge).
 *
 * @example
 * ```ts
 * const range: A1Range = { sheet: "Sheet1", startRow: 2, endRow: 1001, startColumn: null, endColumn: null };
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export interface A1Range {
  /** The tab title, or `null` when the range names none (then the first tab). */
  sheet: string | null;
  startRow: number | null;
  endRow: number | null;
  startColumn: number | null;
  endColumn: number | null;
}

/**
 * Column letters of a 0-based column index.
 *
 * @example
 * ```ts
 * columnLetter(0) // "A"
 * columnLetter(27) // "AB"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function columnLetter(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new TypeError(`"index" must be a non-negative integer, got ${index}`);
  }
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/**
 * The 0-based index of column letters.
 *
 * @example
 * ```ts
 * columnIndex("A") // 0
 * columnIndex("ab") // 27
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function columnIndex(letters: string): number {
  if (typeof letters !== "string" || !/^[A-Za-z]+$/.test(letters)) {
    throw new TypeError(`"letters" must be column letters such as "A" or "AB", got "${letters}"`);
  }
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * A tab title quoted for A1 notation (always quoted; `'` doubled), safe for
 * any title.
 *
 * @example
 * ```ts
 * quoteSheetTitle("Bob's list") // "'Bob''s list'"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function quoteSheetTitle(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/**
 * A tab title as Google writes it in responses: bare when it is a plain
 * name, quoted otherwise.
 *
 * @example
 * ```ts
 * displaySheetTitle("Sheet1") // "Sheet1"
 * displaySheetTitle("My tab") // "'My tab'"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function displaySheetTitle(title: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !/^[A-Za-z]{1,3}\d+$/.test(title);
  return plain ? title : quoteSheetTitle(title);
}

/**
 * Build an A1 range on a tab. Omitted columns make whole-row ranges
 * (`'Tab'!2:1001`); an omitted `endRow` runs to the bottom (`'Tab'!K2:K`).
 *
 * @example
 * ```ts
 * a1("Pitches", { startRow: 2, endRow: 1001 }) // "'Pitches'!2:1001"
 * a1("Pitches", { startRow: 2, startColumn: 10, endColumn: 10 }) // "'Pitches'!K2:K"
 * a1("Pitches", { startRow: 5, startColumn: 1, endColumn: 1, endRow: 5 }) // "'Pitches'!B5"
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function a1(
  title: string,
  range: { startRow: number; endRow?: number; startColumn?: number; endColumn?: number },
  quote: (title: string) => string = quoteSheetTitle,
): string {
  const sheet = quote(title);
  const { startRow, endRow, startColumn, endColumn } = range;
  if (startColumn === undefined) return `${sheet}!${startRow}:${endRow ?? startRow}`;
  const start = `${columnLetter(startColumn)}${startRow}`;
  const endCol = columnLetter(endColumn ?? startColumn);
  if (endRow === startRow && (endColumn ?? startColumn) === startColumn) return `${sheet}!${start}`;
  return `${sheet}!${start}:${endCol}${endRow ?? ""}`;
}

const ENDPOINT = /^([A-Za-z]{0,3})(\d*)$/;

/**
 * Parse an A1 range (`Sheet1!A2:F1001`, `'My tab'!2:5`, `A:C`, `Sheet1`).
 * A bare name that is not a cell reference is a whole tab.
 *
 * @throws TypeError when the text is not A1 notation.
 * @example
 * ```ts
 * parseA1("'My tab'!A2:F") // { sheet: "My tab", startRow: 2, endRow: null, startColumn: 0, endColumn: 5 }
 * ```
 * @see https://developers.google.com/workspace/sheets/api/guides/concepts#cell
 */
export function parseA1(text: string): A1Range {
  if (typeof text !== "string" || text.trim() === "") {
    throw new TypeError('"range" must be a non-empty A1 string');
  }
  let sheet: string | null = null;
  let rest = text.trim();
  if (rest.startsWith("'")) {
    let i = 1;
    let title = "";
    for (; i < rest.length; i++) {
      if (rest[i] === "'") {
        if (rest[i + 1] === "'") {
          title += "'";
          i++;
          continue;
        }
        break;
      }
      title += rest[i];
    }
    if (i >= rest.length) throw new TypeError(`Unable to parse range: ${text}`);
    sheet = title;
    rest = rest.slice(i + 1);
    if (rest === "") return whole(sheet);
    if (!rest.startsWith("!")) throw new TypeError(`Unable to parse range: ${text}`);
    rest = rest.slice(1);
  } else {
    const bang = rest.indexOf("!");
    if (bang !== -1) {
      sheet = rest.slice(0, bang);
      rest = rest.slice(bang + 1);
    } else if (!looksLikeRange(rest)) {
      return whole(rest);
    }
  }
  if (rest === "") return whole(sheet ?? "");
  const parts = rest.split(":");
  if (parts.length > 2) throw new TypeError(`Unable to parse range: ${text}`);
  const start = ENDPOINT.exec(parts[0] ?? "");
  const end = parts.length === 2 ? ENDPOINT.exec(parts[1] ?? "") : start;
  if (!start || !end || parts[0] === "" || (parts.length === 2 && parts[1] === "")) {
    throw new TypeError(`Unable to parse range: ${text}`);
  }
  const [, sc = "", sr = ""] = start;
  const [, ec = "", er = ""] = end;
  const range: A1Range = {
    sheet,
    startColumn: sc === "" ? null : columnIndex(sc),
    startRow: sr === "" ? null : Number(sr),
    endColumn: ec === "" ? null : columnIndex(ec),
    endRow: er === "" ? null : Number(er),
  };
  if (range.startRow === 0 || range.endRow === 0)
    throw new TypeError(`Unable to parse range: ${text}`);
  return range;
}

function looksLikeRange(text: string): boolean {
  return text.split(":").every((part) => ENDPOINT.test(part) && part !== "") && /[:\d]/.test(text);
}

function whole(sheet: string): A1Range {
  return { sheet, startRow: null, endRow: null, startColumn: null, endColumn: null };
}
