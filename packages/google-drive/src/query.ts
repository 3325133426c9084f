/**
 * Building Drive search queries (`q`). Values are single-quoted strings in
 * which `\` and `'` must be escaped with a backslash.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/search-files
 */

/**
 * A value as a Drive query string literal: `O'Brien` → `'O\'Brien'`.
 *
 * @example
 * ```ts
 * const q = `name = ${driveQueryString(name)} and trashed = false`;
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/ref-search-terms
 */
export function driveQueryString(value: string): string {
  if (typeof value !== "string") throw new TypeError('"value" must be a string');
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Clauses joined with `and`, leaving out `undefined` ones.
 *
 * @example
 * ```ts
 * driveQuery(["trashed = false", folderId && `${driveQueryString(folderId)} in parents`]);
 * // "trashed = false and '1AbC' in parents"
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/search-files
 */
export function driveQuery(clauses: ReadonlyArray<string | undefined | false>): string {
  return clauses.filter((c): c is string => typeof c === "string" && c !== "").join(" and ");
}
