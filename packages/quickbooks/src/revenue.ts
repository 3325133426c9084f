/**
 * The revenue summary action: QuickBooks' own Profit and Loss report for a
 * date range, reduced to the totals a dashboard shows.
 */
import { defineAction, type HttpClient } from "@patchbay/core";
import { z } from "zod";
import { companyRequest } from "./company-api.js";
import { QUICKBOOKS_PATHS } from "./endpoints.js";
import {
  ProfitAndLossReportSchema,
  type QuickBooksConfig,
  QuickBooksConfigSchema,
  type ReportRow,
} from "./schemas.js";

/**
 * Input of the `revenueSummary` action.
 *
 * @example
 * ```ts
 * RevenueSummaryInputSchema.parse({ startDate: "2025-01-01", endDate: "2025-03-31" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export const RevenueSummaryInputSchema = z.object({
  startDate: z.iso.date().describe("First day, YYYY-MM-DD"),
  endDate: z.iso.date().describe("Last day, YYYY-MM-DD (inclusive)"),
  accountingMethod: z
    .enum(["Accrual", "Cash"])
    .optional()
    .describe("Accrual (invoiced) or Cash (paid); default from the connection config"),
});

/**
 * What `revenueSummary` returns. Amounts are numbers in the company's home currency.
 *
 * @example
 * ```ts
 * const { totalIncome, netIncome }: RevenueSummary = await patchbay.actions.run({ ..., action: "revenueSummary", input });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export interface RevenueSummary {
  startDate: string;
  endDate: string;
  accountingMethod: "Accrual" | "Cash";
  currency: string | null;
  totalIncome: number;
  grossProfit: number | null;
  totalExpenses: number;
  netIncome: number;
}

function findGroup(rows: ReportRow[] | undefined, group: string): ReportRow | undefined {
  for (const row of rows ?? []) {
    if (row.group === group) return row;
    const nested = findGroup(row.Rows?.Row, group);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function summaryAmount(row: ReportRow | undefined): number | null {
  const value = row?.Summary?.ColData?.[1]?.value;
  if (value === undefined || value === "") return null;
  const amount = Number(value);
  return Number.isFinite(amount) ? amount : null;
}

/**
 * Run the Profit and Loss report and read its totals: `Income`,
 * `GrossProfit`, `Expenses` and `NetIncome` sections (a missing section is 0,
 * or `null` for gross profit, which only companies with cost of goods show).
 *
 * @throws TypeError when `endDate` is before `startDate`.
 * @example
 * ```ts
 * await revenueSummary(http, { startDate: "2025-01-01", endDate: "2025-01-31", accountingMethod: "Cash" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export async function revenueSummary(
  http: HttpClient,
  input: { startDate: string; endDate: string; accountingMethod: "Accrual" | "Cash" },
): Promise<RevenueSummary> {
  if (input.endDate < input.startDate) {
    throw new TypeError(
      `"endDate" (${input.endDate}) must not be before "startDate" (${input.startDate})`,
    );
  }
  const data = await companyRequest(http, {
    path: QUICKBOOKS_PATHS.profitAndLoss,
    query: {
      start_date: input.startDate,
      end_date: input.endDate,
      accounting_method: input.accountingMethod,
    },
  });
  const report = ProfitAndLossReportSchema.parse(data);
  const rows = report.Rows.Row;
  return {
    startDate: report.Header.StartPeriod ?? input.startDate,
    endDate: report.Header.EndPeriod ?? input.endDate,
    accountingMethod: input.accountingMethod,
    currency: report.Header.Currency ?? null,
    totalIncome: summaryAmount(findGroup(rows, "Income")) ?? 0,
    grossProfit: summaryAmount(findGroup(rows, "GrossProfit")),
    totalExpenses: summaryAmount(findGroup(rows, "Expenses")) ?? 0,
    netIncome: summaryAmount(findGroup(rows, "NetIncome")) ?? 0,
  };
}

/**
 * The `revenueSummary` action: income, expenses and net income for a date range.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "revenueSummary", input: { startDate: "2025-01-01", endDate: "2025-03-31" } });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export const revenueSummaryAction = defineAction({
  description:
    "Income, expenses and net income for a date range, from QuickBooks' Profit and Loss report.",
  input: RevenueSummaryInputSchema,
  async run(ctx, input): Promise<RevenueSummary> {
    const config: QuickBooksConfig = QuickBooksConfigSchema.parse(ctx.config ?? {});
    return revenueSummary(ctx.http, {
      startDate: input.startDate,
      endDate: input.endDate,
      accountingMethod: input.accountingMethod ?? config.accountingMethod,
    });
  },
});
