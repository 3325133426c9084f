/**
 * The subset of QuickBooks' query language the fake understands:
 * `select * | count(*) from <Entity> [where <prop> <op> <value> [and ...]]
 * [ORDERBY <prop> [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS m]`, with the
 * operators `=, <, >, <=, >=, IN, LIKE` (`%` only). Keywords and property
 * names are case-insensitive; entity names are not.
 */
import { FakeFaultError } from "./state.js";

/**
 * A parsed select statement.
 *
 * @example
 * ```ts
 * parseQuery("select * from Customer STARTPOSITION 1 MAXRESULTS 10").maxResults; // 10
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Array<{ property: string; operator: string; value: unknown }>;
  orderBy: { property: string; descending: boolean } | undefined;
  startPosition: number;
  maxResults: number;
}

/** The default page when MAXRESULTS is omitted, and the cap. */
const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_CAP = 1000;

const STATEMENT =
  /^\s*select\s+(\*|count\(\*\))\s+from\s+(\w+)(?:\s+where\s+(.+?))?(?:\s+orderby\s+([\w.]+)(?:\s+(asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$/i;
const CONDITION = /^([\w.]+)\s*(<=|>=|=|<|>|\s+in\s+|\s+like\s+)\s*(.+)$/i;

function parseError(detail: string): FakeFaultError {
  return new FakeFaultError(400, "ValidationFault", {
    Message: "Error parsing query",
    Detail: `QueryParserError: ${detail}`,
    code: "4000",
    element: "",
  });
}

function parseValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("(") && t.endsWith(")")) {
    return t
      .slice(1, -1)
      .split(",")
      .map((part) => parseValue(part));
  }
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2)
    return t.slice(1, -1).replace(/\\'/g, "'");
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw parseError(`Encountered " <VALUE> "${t}" "`);
}

/**
 * Parse a statement of the supported subset.
 *
 * @throws FakeFaultError (400, code 4000 "Error parsing query") for anything else.
 * @example
 * ```ts
 * parseQuery("select * from Invoice where MetaData.LastUpdatedTime > '2025-06-01T00:00:00Z'");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function parseQuery(statement: string): ParsedQuery {
  const match = STATEMENT.exec(statement);
  if (match === null) throw parseError(`Encountered an unexpected token in "${statement}"`);
  const [, what, entity, whereText, orderProperty, direction, start, max] = match;
  const where = (whereText === undefined ? [] : whereText.split(/\s+and\s+/i)).map((clause) => {
    const cond = CONDITION.exec(clause.trim());
    if (cond === null) throw parseError(`Encountered an invalid condition "${clause}"`);
    return {
      property: cond[1]!,
      operator: cond[2]!.trim().toUpperCase(),
      value: parseValue(cond[3]!),
    };
  });
  const maxResults = max === undefined ? DEFAULT_MAX_RESULTS : Number(max);
  return {
    count: what!.toLowerCase() !== "*",
    entity: entity!,
    where,
    orderBy:
      orderProperty === undefined
        ? undefined
        : { property: orderProperty, descending: direction?.toLowerCase() === "desc" },
    startPosition: Math.max(1, start === undefined ? 1 : Number(start)),
    // Intuit returns at most 1000 rows whatever MAXRESULTS asks for.
    maxResults: Math.min(Math.max(1, maxResults), MAX_RESULTS_CAP),
  };
}

/**
 * A (dotted) property of a row, matched case-insensitively as Intuit does.
 *
 * @example
 * ```ts
 * propertyOf({ MetaData: { LastUpdatedTime: "2025-06-01T09:00:00-08:00" } }, "Metadata.LastUpdatedTime");
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function propertyOf(row: Record<string, unknown>, path: string): unknown {
  let value: unknown = row;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    const key = Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : (value as Record<string, unknown>)[key];
  }
  return value;
}

function comparable(property: string, value: unknown): number | string | boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (/time$/i.test(property) && typeof value === "string") return Date.parse(value);
  if (/^id$/i.test(property) && /^\d+$/.test(String(value))) return Number(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}

function matches(row: Record<string, unknown>, condition: ParsedQuery["where"][number]): boolean {
  const left = comparable(condition.property, propertyOf(row, condition.property));
  if (condition.operator === "IN") {
    const list = Array.isArray(condition.value) ? condition.value : [condition.value];
    return list.some((v) => comparable(condition.property, v) === left);
  }
  if (condition.operator === "LIKE") {
    const pattern = new RegExp(
      `^${String(condition.value)
        .split("%")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
      "i",
    );
    return left !== undefined && pattern.test(String(left));
  }
  const right = comparable(condition.property, condition.value);
  if (left === undefined || right === undefined) return false;
  switch (condition.operator) {
    case "=":
      return left === right;
    case "<":
      return left < right;
    case ">":
      return left > right;
    case "<=":
      return left <= right;
    default:
      return left >= right;
  }
}

/**
 * Run a parsed query over rows: filter (customers and items are active only
 * unless the statement names `Active`), order (default by `Id`), page.
 *
 * @example
 * ```ts
 * evaluateQuery(parseQuery("select * from Customer MAXRESULTS 2"), rows, true);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function evaluateQuery(
  query: ParsedQuery,
  rows: Record<string, unknown>[],
  activeByDefault: boolean,
): { page: Record<string, unknown>[]; total: number } {
  const namesActive = query.where.some((c) => c.property.toLowerCase() === "active");
  const filtered = rows.filter(
    (row) =>
      (!activeByDefault || namesActive || row.Active !== false) &&
      query.where.every((c) => matches(row, c)),
  );
  const order = query.orderBy ?? { property: "Id", descending: false };
  filtered.sort((a, b) => {
    const x = comparable(order.property, propertyOf(a, order.property));
    const y = comparable(order.property, propertyOf(b, order.property));
    const by =
      x === y
        ? Number(a.Id) - Number(b.Id)
        : x === undefined
          ? -1
          : y === undefined
            ? 1
            : x < y
              ? -1
              : 1;
    return order.descending ? -by : by;
  });
  return {
    page: filtered.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults),
    total: filtered.length,
  };
}
