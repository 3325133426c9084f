/**
 * The part of Airtable's formula language the fake evaluates in
 * `filterByFormula`: exactly the forms the connector sends,
 * `IS_AFTER(LAST_MODIFIED_TIME(), '<ISO time>')` (incremental sync) and
 * `OR(RECORD_ID()='rec…', …)` (reading records by id). Anything else is refused
 * the way Airtable refuses a formula it cannot parse, so a connector change
 * that sends another formula fails its tests instead of passing silently.
 */

/**
 * A record as formulas see it.
 *
 * @example
 * ```ts
 * const record: FormulaRecord = { id: "recA1b2C3d4E5f6G7", modifiedAt: Date.now() };
 * ```
 * @see https://support.airtable.com/docs/formula-field-reference
 */
export interface FormulaRecord {
  id: string;
  /** When the record's last non-computed cell changed, epoch ms. */
  modifiedAt: number;
}

/**
 * A compiled formula, or why it was refused.
 *
 * @example
 * ```ts
 * const formula: CompiledFormula = compileFormula("");
 * formula.ok; // true: an empty formula keeps every record
 * ```
 * @see https://support.airtable.com/docs/formula-field-reference
 */
export type CompiledFormula =
  | { ok: true; test: (record: FormulaRecord) => boolean }
  | { ok: false; message: string };

const RECORD_ID_IS = /^\s*RECORD_ID\(\s*\)\s*=\s*(['"])(rec[A-Za-z0-9]+)\1\s*$/i;
const IS_AFTER_LAST_MODIFIED =
  /^\s*IS_AFTER\(\s*LAST_MODIFIED_TIME\(\s*\)\s*,\s*(['"])([^'"]+)\1\s*\)\s*$/i;

/**
 * Compile a `filterByFormula` value.
 *
 * @example
 * ```ts
 * const f = compileFormula("IS_AFTER(LAST_MODIFIED_TIME(), '2024-05-01T10:00:00.000Z')");
 * f.ok && f.test({ id: "recA1b2C3d4E5f6G7", modifiedAt: Date.parse("2024-05-02T00:00:00Z") }); // true
 * ```
 * @see https://support.airtable.com/docs/formula-field-reference
 */
export function compileFormula(formula: string): CompiledFormula {
  if (formula.trim() === "") return { ok: true, test: () => true };
  const ids = recordIds(formula);
  if (ids !== undefined) return { ok: true, test: (record) => ids.has(record.id) };
  const match = IS_AFTER_LAST_MODIFIED.exec(formula);
  if (match === null) {
    return {
      ok: false,
      message: `The formula for filtering records is invalid: this fake evaluates only IS_AFTER(LAST_MODIFIED_TIME(), '<ISO time>') and OR(RECORD_ID()='rec…', …), got ${JSON.stringify(formula)}`,
    };
  }
  const after = Date.parse(match[2]!);
  if (Number.isNaN(after)) {
    return {
      ok: false,
      message: `The formula for filtering records is invalid: ${JSON.stringify(match[2])} is not a date`,
    };
  }
  return { ok: true, test: (record) => record.modifiedAt > after };
}

/** The ids of `RECORD_ID()='rec…'` or `OR(RECORD_ID()='rec…', …)`; `undefined` for another formula. */
function recordIds(formula: string): Set<string> | undefined {
  const single = RECORD_ID_IS.exec(formula);
  if (single !== null) return new Set([single[2]!]);
  const or = /^\s*OR\((.*)\)\s*$/is.exec(formula);
  if (or === null) return undefined;
  const ids = new Set<string>();
  for (const part of or[1]!.split(",")) {
    const m = RECORD_ID_IS.exec(part);
    if (m === null) return undefined;
    ids.add(m[2]!);
  }
  return ids.size > 0 ? ids : undefined;
}
