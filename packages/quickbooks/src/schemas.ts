/**
 * zod schemas: the connection config, the synced records and the wire types,
 * with QuickBooks' own field names (`Id`, `SyncToken`, `MetaData`, ...).
 * Record schemas are loose: every field Intuit sends is kept.
 */
import { z } from "zod";

/**
 * The entities the connector syncs, as QuickBooks names them (case matters in queries).
 *
 * @example
 * ```ts
 * QUICKBOOKS_ENTITIES.customers; // "Customer"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export const QUICKBOOKS_ENTITIES = {
  customers: "Customer",
  invoices: "Invoice",
  payments: "Payment",
  items: "Item",
} as const;

/**
 * A model name of the connector.
 *
 * @example
 * ```ts
 * const model: QuickBooksModel = "invoices";
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 */
export type QuickBooksModel = keyof typeof QUICKBOOKS_ENTITIES;

/**
 * A QuickBooks entity name the connector syncs.
 *
 * @example
 * ```ts
 * const entity: QuickBooksEntity = "Payment";
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 */
export type QuickBooksEntity = (typeof QUICKBOOKS_ENTITIES)[QuickBooksModel];

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { accountingMethod: "Cash" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export const QuickBooksConfigSchema = z.object({
  accountingMethod: z
    .enum(["Accrual", "Cash"])
    .default("Accrual")
    .describe("Default accounting method of the revenue summary"),
});

/**
 * The validated connection config.
 *
 * @example
 * ```ts
 * const config: QuickBooksConfig = { accountingMethod: "Accrual" };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export type QuickBooksConfig = z.infer<typeof QuickBooksConfigSchema>;

/**
 * `MetaData` of every entity: creation and last-update times (ISO 8601 with an offset).
 *
 * @example
 * ```ts
 * MetaDataSchema.parse({ CreateTime: "2025-01-02T10:00:00-08:00", LastUpdatedTime: "2025-01-03T10:00:00-08:00" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export const MetaDataSchema = z.looseObject({
  CreateTime: z.string().optional(),
  LastUpdatedTime: z.string(),
});

/**
 * A reference to another entity: `{ value: "<Id>", name? }`.
 *
 * @example
 * ```ts
 * ReferenceSchema.parse({ value: "58", name: "Maria Lopez" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 */
export const ReferenceSchema = z.looseObject({ value: z.string(), name: z.string().optional() });

const entityBase = {
  Id: z.string(),
  SyncToken: z.string(),
  MetaData: MetaDataSchema,
  domain: z.string().optional(),
  sparse: z.boolean().optional(),
};

/**
 * A customer (a homeowner, a property manager): `DisplayName` is unique in the company.
 *
 * @example
 * ```ts
 * CustomerSchema.parse(response.Customer);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export const CustomerSchema = z.looseObject({
  ...entityBase,
  DisplayName: z.string(),
  GivenName: z.string().optional(),
  FamilyName: z.string().optional(),
  CompanyName: z.string().optional(),
  PrimaryEmailAddr: z.looseObject({ Address: z.string() }).optional(),
  PrimaryPhone: z.looseObject({ FreeFormNumber: z.string() }).optional(),
  Balance: z.number().optional(),
  Active: z.boolean().optional(),
});

/**
 * A customer record.
 *
 * @example
 * ```ts
 * const name = (record as QuickBooksCustomer).DisplayName;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 */
export type QuickBooksCustomer = z.infer<typeof CustomerSchema>;

/**
 * An invoice: a customer, lines, a total and an open balance.
 *
 * @example
 * ```ts
 * InvoiceSchema.parse(response.Invoice);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 */
export const InvoiceSchema = z.looseObject({
  ...entityBase,
  CustomerRef: ReferenceSchema,
  Line: z.array(z.looseObject({})),
  TotalAmt: z.number(),
  Balance: z.number().optional(),
  TxnDate: z.string(),
  DueDate: z.string().optional(),
  DocNumber: z.string().optional(),
});

/**
 * An invoice record.
 *
 * @example
 * ```ts
 * const open = (record as QuickBooksInvoice).Balance;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 */
export type QuickBooksInvoice = z.infer<typeof InvoiceSchema>;

/**
 * A payment received from a customer, usually linked to invoices in `Line[].LinkedTxn`.
 *
 * @example
 * ```ts
 * PaymentSchema.parse(response.Payment);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 */
export const PaymentSchema = z.looseObject({
  ...entityBase,
  CustomerRef: ReferenceSchema,
  TotalAmt: z.number(),
  TxnDate: z.string(),
  Line: z.array(z.looseObject({})).optional(),
});

/**
 * A payment record.
 *
 * @example
 * ```ts
 * const amount = (record as QuickBooksPayment).TotalAmt;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 */
export type QuickBooksPayment = z.infer<typeof PaymentSchema>;

/**
 * A product or service sold on invoices.
 *
 * @example
 * ```ts
 * ItemSchema.parse(response.Item);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/item
 */
export const ItemSchema = z.looseObject({
  ...entityBase,
  Name: z.string(),
  Type: z.string().optional(),
  UnitPrice: z.number().optional(),
  Active: z.boolean().optional(),
});

/**
 * An item record.
 *
 * @example
 * ```ts
 * const price = (record as QuickBooksItem).UnitPrice;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/item
 */
export type QuickBooksItem = z.infer<typeof ItemSchema>;

/**
 * One error of a fault.
 *
 * @example
 * ```ts
 * FaultErrorSchema.parse({ Message: "Stale Object Error", Detail: "…", code: "5010", element: "" });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export const FaultErrorSchema = z.looseObject({
  Message: z.string().optional(),
  Detail: z.string().optional(),
  code: z.union([z.string(), z.number()]).optional(),
  element: z.string().optional(),
});

/**
 * Intuit's error body, also sent inside some HTTP 200 answers:
 * `{ Fault: { Error: [{ Message, Detail, code, element }], type }, time }`.
 *
 * @example
 * ```ts
 * const fault = FaultResponseSchema.safeParse(body);
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export const FaultResponseSchema = z.looseObject({
  Fault: z.looseObject({
    Error: z.array(FaultErrorSchema).default([]),
    type: z.string().optional(),
  }),
  time: z.string().optional(),
});

/**
 * A fault body.
 *
 * @example
 * ```ts
 * const type = (body as QuickBooksFault).Fault.type; // "ValidationFault"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
 */
export type QuickBooksFault = z.infer<typeof FaultResponseSchema>;

/**
 * A query answer: `{ QueryResponse: { Customer: [...], startPosition, maxResults }, time }`.
 * An empty result has no entity array at all.
 *
 * @example
 * ```ts
 * QueryResponseSchema.parse(data).QueryResponse.Customer ?? [];
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export const QueryResponseSchema = z.looseObject({
  QueryResponse: z.record(z.string(), z.unknown()),
  time: z.string().optional(),
});

/**
 * A change data capture answer: one `QueryResponse` per requested entity;
 * deleted objects carry `status: "Deleted"` and only `Id` and `MetaData`.
 *
 * @example
 * ```ts
 * CdcResponseSchema.parse(data).CDCResponse[0]?.QueryResponse;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture
 */
export const CdcResponseSchema = z.looseObject({
  CDCResponse: z.array(
    z.looseObject({ QueryResponse: z.array(z.record(z.string(), z.unknown())).default([]) }),
  ),
  time: z.string().optional(),
});

/**
 * `GET companyinfo/<realmId>`: the company's name and country.
 *
 * @example
 * ```ts
 * CompanyInfoResponseSchema.parse(data).CompanyInfo.CompanyName;
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
 */
export const CompanyInfoResponseSchema = z.looseObject({
  CompanyInfo: z.looseObject({
    Id: z.string(),
    CompanyName: z.string(),
    Country: z.string().optional(),
  }),
});

/**
 * One row of a report: a section (with `Header`, nested `Rows`, `Summary`
 * and a `group` such as `Income` or `NetIncome`) or a data row (`ColData`).
 *
 * @example
 * ```ts
 * const row: ReportRow = { group: "Income", Summary: { ColData: [{ value: "Total Income" }, { value: "1200.00" }] } };
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export interface ReportRow {
  type?: string;
  group?: string;
  Header?: { ColData: Array<{ value?: string; id?: string }> };
  Rows?: { Row?: ReportRow[] };
  Summary?: { ColData: Array<{ value?: string; id?: string }> };
  ColData?: Array<{ value?: string; id?: string }>;
}

const ColDataSchema = z.array(z.looseObject({ value: z.string().optional() }));

/**
 * A report row, recursively.
 *
 * @example
 * ```ts
 * ReportRowSchema.parse({ group: "NetIncome", Summary: { ColData: [{ value: "Net Income" }, { value: "10.00" }] } });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export const ReportRowSchema: z.ZodType<ReportRow> = z.lazy(() =>
  z.looseObject({
    type: z.string().optional(),
    group: z.string().optional(),
    Header: z.looseObject({ ColData: ColDataSchema }).optional(),
    Rows: z.looseObject({ Row: z.array(ReportRowSchema).optional() }).optional(),
    Summary: z.looseObject({ ColData: ColDataSchema }).optional(),
    ColData: ColDataSchema.optional(),
  }),
);

/**
 * The Profit and Loss report.
 *
 * @example
 * ```ts
 * ProfitAndLossReportSchema.parse(data).Header.Currency; // "USD"
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/api/accounting/report-entities/profitandloss
 */
export const ProfitAndLossReportSchema = z.looseObject({
  Header: z.looseObject({
    ReportName: z.string().optional(),
    ReportBasis: z.string().optional(),
    StartPeriod: z.string().optional(),
    EndPeriod: z.string().optional(),
    Currency: z.string().optional(),
  }),
  Rows: z.looseObject({ Row: z.array(ReportRowSchema).optional() }),
});

/**
 * The legacy webhook body: per realm, the changed entities.
 *
 * @example
 * ```ts
 * LegacyWebhookSchema.parse({ eventNotifications: [{ realmId: "9130", dataChangeEvent: { entities: [] } }] });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export const LegacyWebhookSchema = z.looseObject({
  eventNotifications: z.array(
    z.looseObject({
      realmId: z.string(),
      dataChangeEvent: z.looseObject({
        entities: z.array(
          z.looseObject({
            name: z.string(),
            id: z.string(),
            operation: z.string(),
            lastUpdated: z.string().optional(),
            deletedId: z.string().optional(),
          }),
        ),
      }),
    }),
  ),
});

/**
 * A CloudEvents 1.0 webhook event (`type` like `qbo.customer.updated.v1`,
 * the realm in `intuitaccountid`, the entity id in `intuitentityid`). A
 * delivery is a JSON array of these.
 *
 * @example
 * ```ts
 * CloudEventSchema.parse({ specversion: "1.0", id: "…", type: "qbo.invoice.created.v1", intuitaccountid: "9130", intuitentityid: "130" });
 * ```
 * @see https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure
 */
export const CloudEventSchema = z.looseObject({
  specversion: z.string(),
  id: z.string(),
  source: z.string().optional(),
  type: z.string(),
  time: z.string().optional(),
  intuitentityid: z.string(),
  intuitaccountid: z.string(),
  data: z.unknown().optional(),
});

/**
 * A CloudEvents webhook event.
 *
 * @example
 * ```ts
 * const realm = (event as QuickBooksCloudEvent).intuitaccountid;
 * ```
 * @see https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure
 */
export type QuickBooksCloudEvent = z.infer<typeof CloudEventSchema>;
