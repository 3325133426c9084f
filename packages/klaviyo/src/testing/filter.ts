/**
 * Klaviyo's filter syntax, as far as the fake needs it:
 * `op(field,value)` with `equals`, `any`, `greater-than`, `less-than`, and
 * `and(...)` of those. Values are quoted strings, unquoted ISO datetimes, or
 * `["a","b"]` lists. Each endpoint allows some fields and operators; the
 * rest is refused with Klaviyo's 400.
 */

/**
 * One parsed filter condition.
 *
 * @example
 * ```ts
 * const c: FilterCondition = { op: "greater-than", field: "updated", value: "2026-07-20T00:00:00Z" };
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#filtering
 */
export interface FilterCondition {
  op: "equals" | "any" | "greater-than" | "less-than";
  field: string;
  value: string | string[];
}

/**
 * Which operators each field of an endpoint allows (from the spec's `x-klaviyo-filters`).
 *
 * @example
 * ```ts
 * const allowed: AllowedFilters = { updated: ["greater-than"] };
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#filtering
 */
export type AllowedFilters = Record<string, ReadonlyArray<FilterCondition["op"]>>;

/**
 * Get Profiles' filters the fake supports.
 *
 * @example
 * ```ts
 * parseFilter("equals(email,\"ada@example.com\")", PROFILE_FILTERS);
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export const PROFILE_FILTERS: AllowedFilters = {
  id: ["any", "equals"],
  email: ["any", "equals"],
  phone_number: ["any", "equals"],
  external_id: ["any", "equals"],
  created: ["greater-than", "less-than"],
  updated: ["greater-than", "less-than"],
};

/**
 * Get Lists' filters the fake supports.
 *
 * @example
 * ```ts
 * parseFilter("any(id,[\"Y6nRLr\"])", LIST_FILTERS);
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_lists
 */
export const LIST_FILTERS: AllowedFilters = {
  id: ["any", "equals"],
  name: ["any", "equals"],
  created: ["greater-than"],
  updated: ["greater-than"],
};

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function parseValue(text: string): string | string[] | undefined {
  if (text.startsWith("[") && text.endsWith("]")) {
    const items = splitTop(text.slice(1, -1)).filter((i) => i !== "");
    const values = items.map(parseValue);
    return values.every((v) => typeof v === "string") ? (values as string[]) : undefined;
  }
  if (/^(["']).*\1$/.test(text)) return text.slice(1, -1);
  if (!Number.isNaN(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}/.test(text)) return text;
  return undefined;
}

/**
 * Parse a filter against an endpoint's allowed fields; a string is the
 * error detail to answer 400 with.
 *
 * @example
 * ```ts
 * parseFilter("greater-than(updated,2026-07-20T10:00:00Z)", PROFILE_FILTERS);
 * // [{ op: "greater-than", field: "updated", value: "2026-07-20T10:00:00Z" }]
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#filtering
 */
export function parseFilter(text: string, allowed: AllowedFilters): FilterCondition[] | string {
  const match = /^([a-z-]+)\((.*)\)$/s.exec(text.trim());
  if (match === null) return `Invalid filter provided: '${text}'.`;
  const [, op, inner] = match as unknown as [string, string, string];
  if (op === "and") {
    const out: FilterCondition[] = [];
    for (const part of splitTop(inner)) {
      const parsed = parseFilter(part, allowed);
      if (typeof parsed === "string") return parsed;
      out.push(...parsed);
    }
    return out;
  }
  const args = splitTop(inner);
  if (args.length !== 2) return `Invalid filter provided: '${text}'.`;
  const [field, raw] = args as [string, string];
  const ops = allowed[field];
  if (ops === undefined) return `'${field}' is not a valid field for the resource.`;
  if (!(ops as readonly string[]).includes(op)) {
    return `'${op}' operation is not allowed for field '${field}' (allowed: ${ops.join(", ")}).`;
  }
  const value = parseValue(raw);
  if (value === undefined || (op === "any") !== Array.isArray(value)) {
    return `Invalid value for '${field}': ${raw}.`;
  }
  return [{ op: op as FilterCondition["op"], field, value }];
}

/**
 * Whether a resource's attributes pass every condition.
 *
 * @example
 * ```ts
 * matchesFilter({ updated: "2026-07-21T00:00:00+00:00" }, [{ op: "greater-than", field: "updated", value: "2026-07-20T00:00:00Z" }]); // true
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#filtering
 */
export function matchesFilter(
  record: Record<string, unknown>,
  conditions: readonly FilterCondition[],
): boolean {
  return conditions.every(({ op, field, value }) => {
    const have = record[field];
    if (op === "equals") return have === value;
    if (op === "any") return (value as string[]).includes(String(have));
    if (typeof have !== "string") return false;
    const a = Date.parse(have);
    const b = Date.parse(value as string);
    return op === "greater-than" ? a > b : a < b;
  });
}
