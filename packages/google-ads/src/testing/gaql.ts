/**
 * A small GAQL interpreter for the fake: the resources, fields and
 * conditions the connector uses (and Google's errors for the rest).
 * `SELECT f1, f2 FROM resource [WHERE c1 AND c2] [ORDER BY f [ASC|DESC]] [LIMIT n]`
 * with conditions `f = 'v'`, `f != 'v'` and `segments.date BETWEEN 'a' AND 'b'`.
 *
 * @see https://developers.google.com/google-ads/api/docs/query/grammar
 */
import type { FakeAdGroup, FakeCampaign, FakeDay } from "./fake.js";

/**
 * A GAQL error with Google's `queryError` code.
 *
 * @example
 * ```ts
 * throw new GaqlError("UNRECOGNIZED_FIELD", "Unrecognized field in the query.");
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export class GaqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "GaqlError";
  }
}

/**
 * A parsed query.
 *
 * @example
 * ```ts
 * const query: ParsedQuery = parseGaql("SELECT campaign.id FROM campaign");
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface ParsedQuery {
  fields: string[];
  resource: string;
  conditions: Array<{ field: string; op: "=" | "!=" | "BETWEEN"; value: string; to?: string }>;
  orderBy?: { field: string; desc: boolean };
  limit?: number;
}

const METRICS = [
  "metrics.impressions",
  "metrics.clicks",
  "metrics.cost_micros",
  "metrics.conversions",
  "metrics.conversions_value",
];
const FIELDS: Record<string, string[]> = {
  customer: [
    "customer.id",
    "customer.descriptive_name",
    "customer.currency_code",
    "customer.time_zone",
  ],
  campaign: [
    "campaign.resource_name",
    "campaign.id",
    "campaign.name",
    "campaign.status",
    "campaign.advertising_channel_type",
    "campaign_budget.amount_micros",
    "segments.date",
    ...METRICS,
  ],
  ad_group: [
    "ad_group.resource_name",
    "ad_group.id",
    "ad_group.name",
    "ad_group.status",
    "ad_group.type",
    "ad_group.cpc_bid_micros",
    "campaign.id",
    "campaign.name",
    "campaign.status",
    "segments.date",
    ...METRICS,
  ],
};
/** int64 fields: JSON strings on the wire. */
const INT64 = new Set([
  "customer.id",
  "campaign.id",
  "ad_group.id",
  "campaign_budget.amount_micros",
  "ad_group.cpc_bid_micros",
  "metrics.impressions",
  "metrics.clicks",
  "metrics.cost_micros",
]);

/**
 * Parse a GAQL query, checking the resource and every field.
 *
 * @throws GaqlError with Google's `queryError` code.
 * @example
 * ```ts
 * parseGaql("SELECT campaign.id FROM campaign").resource; // "campaign"
 * ```
 * @see https://developers.google.com/google-ads/api/docs/query/grammar
 */
export function parseGaql(query: string): ParsedQuery {
  const text = query.trim().replace(/\s+/g, " ");
  const m =
    /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: ORDER BY ([\w.]+)(?: (ASC|DESC))?)?(?: LIMIT (\d+))?$/i.exec(
      text,
    );
  if (m === null)
    throw new GaqlError("UNEXPECTED_END_OF_QUERY", `Error in query: unexpected input ${text}.`);
  const resource = m[2]!;
  const allowed = FIELDS[resource];
  if (allowed === undefined)
    throw new GaqlError(
      "INVALID_RESOURCE_NAME",
      `Error in query: unrecognized resource name '${resource}'.`,
    );
  const fields = m[1]!.split(",").map((f) => f.trim());
  for (const field of fields) {
    if (!allowed.includes(field))
      throw new GaqlError(
        "UNRECOGNIZED_FIELD",
        `Error in SELECT clause: unrecognized field '${field}'.`,
      );
  }
  const conditions: ParsedQuery["conditions"] = [];
  if (m[3] !== undefined) {
    const pattern =
      /([\w.]+) (=|!=) '([^']*)'|segments\.date BETWEEN '(\d{4}-\d{2}-\d{2})' AND '(\d{4}-\d{2}-\d{2})'/y;
    let rest = m[3];
    while (rest.length > 0) {
      pattern.lastIndex = 0;
      const c = pattern.exec(rest);
      if (c === null)
        throw new GaqlError("UNEXPECTED_INPUT", `Error in WHERE clause: unexpected input ${rest}.`);
      if (c[4] !== undefined)
        conditions.push({ field: "segments.date", op: "BETWEEN", value: c[4], to: c[5]! });
      else {
        if (!allowed.includes(c[1]!))
          throw new GaqlError(
            "UNRECOGNIZED_FIELD",
            `Error in WHERE clause: unrecognized field '${c[1]}'.`,
          );
        conditions.push({ field: c[1]!, op: c[2] as "=" | "!=", value: c[3]! });
      }
      rest = rest.slice(c[0].length).replace(/^ AND /i, "");
    }
  }
  const hasMetrics = fields.some((f) => f.startsWith("metrics.") || f === "segments.date");
  if (fields.includes("segments.date") && !conditions.some((c) => c.field === "segments.date"))
    throw new GaqlError(
      "EXPECTED_FILTERS_ON_DATE_RANGE",
      "Filters on date segments are required when segments.date is selected.",
    );
  if (hasMetrics && resource === "customer")
    throw new GaqlError(
      "PROHIBITED_FIELD_IN_SELECT_CLAUSE",
      "Metrics are not supported on this resource here.",
    );
  return {
    fields,
    resource,
    conditions,
    ...(m[4] !== undefined && {
      orderBy: { field: m[4], desc: (m[5] ?? "").toUpperCase() === "DESC" },
    }),
    ...(m[6] !== undefined && { limit: Number(m[6]) }),
  };
}

/**
 * What a query can read.
 *
 * @example
 * ```ts
 * buildRows(query, { customer, campaigns: fake.campaigns(), adGroups: fake.adGroups(), days: fake.days() });
 * ```
 * @see https://developers.google.com/google-ads/api/rest/overview
 */
export interface GaqlData {
  customer: { id: string; descriptive_name: string; currency_code: string; time_zone: string };
  campaigns: FakeCampaign[];
  adGroups: FakeAdGroup[];
  days: FakeDay[];
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * Evaluate a parsed query: rows as Google's REST JSON (nested camelCase
 * objects with only the selected fields, int64 values as strings). Rows
 * segmented by date are left out when they have no impressions, as Google does.
 *
 * @example
 * ```ts
 * buildRows(parseGaql("SELECT campaign.id FROM campaign"), data); // [{ campaign: { id: "1001" } }]
 * ```
 * @see https://developers.google.com/google-ads/api/docs/reporting/zero-metrics
 */
export function buildRows(query: ParsedQuery, data: GaqlData): Array<Record<string, unknown>> {
  const cid = data.customer.id;
  const campaignValues = (c: FakeCampaign): Record<string, unknown> => ({
    "campaign.resource_name": `customers/${cid}/campaigns/${c.id}`,
    "campaign.id": c.id,
    "campaign.name": c.name,
    "campaign.status": c.status,
    "campaign.advertising_channel_type": c.advertising_channel_type,
    "campaign_budget.amount_micros": c.budget_micros,
  });
  const groupValues = (g: FakeAdGroup): Record<string, unknown> => {
    const c = data.campaigns.find((x) => x.id === g.campaign_id);
    return {
      "ad_group.resource_name": `customers/${cid}/adGroups/${g.id}`,
      "ad_group.id": g.id,
      "ad_group.name": g.name,
      "ad_group.status": g.status,
      "ad_group.type": g.type,
      "ad_group.cpc_bid_micros": g.cpc_bid_micros,
      "campaign.id": g.campaign_id,
      "campaign.name": c?.name,
      "campaign.status": c?.status,
    };
  };
  const segmented = query.fields.some((f) => f.startsWith("metrics.") || f === "segments.date");
  let flat: Array<Record<string, unknown>> = [];
  if (query.resource === "customer") {
    flat = [
      Object.fromEntries(Object.entries(data.customer).map(([k, v]) => [`customer.${k}`, v])),
    ];
  } else if (!segmented) {
    flat =
      query.resource === "campaign"
        ? data.campaigns.map(campaignValues)
        : data.adGroups.map(groupValues);
  } else {
    const range = query.conditions.find((c) => c.field === "segments.date");
    const sums = new Map<string, Record<string, unknown>>();
    for (const day of data.days) {
      if (range !== undefined && (day.date < range.value || day.date > range.to!)) continue;
      const group = data.adGroups.find((g) => g.id === day.ad_group_id);
      const campaign = data.campaigns.find((c) => c.id === day.campaign_id);
      if (group === undefined || campaign === undefined) continue;
      const key = `${day.date}:${query.resource === "campaign" ? campaign.id : group.id}`;
      const base =
        sums.get(key) ??
        ({
          ...(query.resource === "campaign" ? campaignValues(campaign) : groupValues(group)),
          "segments.date": day.date,
          "metrics.impressions": 0,
          "metrics.clicks": 0,
          "metrics.cost_micros": 0,
          "metrics.conversions": 0,
          "metrics.conversions_value": 0,
        } as Record<string, unknown>);
      base["metrics.impressions"] = (base["metrics.impressions"] as number) + day.impressions;
      base["metrics.clicks"] = (base["metrics.clicks"] as number) + day.clicks;
      base["metrics.cost_micros"] = (base["metrics.cost_micros"] as number) + day.cost_micros;
      base["metrics.conversions"] = (base["metrics.conversions"] as number) + day.conversions;
      base["metrics.conversions_value"] =
        (base["metrics.conversions_value"] as number) + day.conversions_value;
      sums.set(key, base);
    }
    flat = [...sums.values()].filter((row) => (row["metrics.impressions"] as number) > 0);
  }
  for (const c of query.conditions) {
    if (c.op === "BETWEEN") continue;
    flat = flat.filter((row) =>
      c.op === "=" ? String(row[c.field]) === c.value : String(row[c.field]) !== c.value,
    );
  }
  const order = query.orderBy;
  if (order !== undefined) {
    flat.sort((a, b) => {
      const x = a[order.field];
      const y = b[order.field];
      const cmp =
        typeof x === "number" || INT64.has(order.field)
          ? Number(x) - Number(y)
          : String(x).localeCompare(String(y));
      return order.desc ? -cmp : cmp;
    });
  } else if (segmented) {
    flat.sort((a, b) => String(a["segments.date"]).localeCompare(String(b["segments.date"])));
  }
  if (query.limit !== undefined) flat = flat.slice(0, query.limit);
  return flat.map((row) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const field of query.fields) {
      const [resource, name] = field.split(".") as [string, string];
      const value = row[field];
      if (value === undefined) continue;
      out[camel(resource)] ??= {};
      out[camel(resource)]![camel(name)] = INT64.has(field) ? String(value) : value;
    }
    return out;
  });
}
