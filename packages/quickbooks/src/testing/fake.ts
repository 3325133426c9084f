import { randomUUID } from "node:crypto";
import { type Connection, hmac } from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import type { RequestHandler } from "msw";
import type { QuickBooksEntity } from "../schemas.js";
import { QUICKBOOKS_SIGNATURE_HEADER } from "../webhooks.js";
import {
  createQuickBooksApiHandlers,
  type FakeApiContext,
  type FakeFaultSpec,
  type FakeRequestLogEntry,
} from "./handlers.js";
import { createQuickBooksOAuthFake, QUICKBOOKS_SANDBOX_REALM_ID } from "./oauth.js";
import { type FakeChange, QuickBooksFakeState } from "./state.js";

/**
 * The sandbox app's webhook verifier token.
 *
 * @example
 * ```ts
 * quickbooks({ ...QUICKBOOKS_SANDBOX_APP, environment: "sandbox", webhookVerifierToken: QUICKBOOKS_SANDBOX_VERIFIER_TOKEN });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/managing-webhooks-notifications
 */
export const QUICKBOOKS_SANDBOX_VERIFIER_TOKEN = "sandbox-verifier-token-5f2b7c1e";

/**
 * A webhook body format: Intuit's legacy `eventNotifications`, or CloudEvents.
 *
 * @example
 * ```ts
 * createQuickBooksFake({ webhookFormat: "legacy" });
 * ```
 * @see https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure
 */
export type QuickBooksWebhookFormat = "legacy" | "cloudevents";

/**
 * Options of {@link createQuickBooksFake}.
 *
 * @example
 * ```ts
 * const fake = createQuickBooksFake({ now: () => clock, limits: false });
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export interface QuickBooksFakeOptions {
  /** The fake's clock (epoch ms): record times, the CDC window, throttling. Default `Date.now`. */
  now?: () => number;
  /** The company id. Default {@link QUICKBOOKS_SANDBOX_REALM_ID}. */
  realmId?: string;
  /** Redirect URIs of the sandbox app (e.g. `http://localhost:<port>/integrations/quickbooks/callback`). */
  redirectUris?: readonly string[];
  /** The OAuth server; default a new {@link createQuickBooksOAuthFake} with this fake's realm and clock. */
  oauth?: FakeOAuthServer;
  /** Server-side limits per realm (default 500 per minute, 10 in flight); `false` turns them off. */
  limits?: { perMinute?: number; concurrent?: number } | false;
  /** Delay before each API answer, in ms, so concurrent requests overlap. Default 0. */
  latencyMs?: number;
  /** The app's webhook verifier token. Default {@link QUICKBOOKS_SANDBOX_VERIFIER_TOKEN}. */
  verifierToken?: string;
  /** The body format of deliveries. Default `"cloudevents"`. */
  webhookFormat?: QuickBooksWebhookFormat;
  /** Where deliveries are addressed. Default `https://app.example.com/integrations/webhooks/quickbooks`. */
  webhookUrl?: string;
  /**
   * Called with each signed delivery Intuit would POST for the changes in
   * the company (batched per tick), e.g. `(r) => patchbay.handleWebhook("quickbooks", r)`.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * The fake QuickBooks Online (see {@link createQuickBooksFake}).
 *
 * @example
 * ```ts
 * let fake: QuickBooksFake = createQuickBooksFake();
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export type QuickBooksFake = ReturnType<typeof createQuickBooksFake>;

const FIRST_NAMES = [
  "Maria",
  "James",
  "Aisha",
  "Tom",
  "Priya",
  "Carlos",
  "Emma",
  "Wei",
  "Olivia",
  "Noah",
];
const LAST_NAMES = [
  "Lopez",
  "Carter",
  "Khan",
  "Nguyen",
  "Patel",
  "Rivera",
  "Schmidt",
  "Chen",
  "Brooks",
  "Okafor",
];
const STREETS = ["Oak St", "Maple Ave", "Pine Rd", "Cedar Ln", "Elm Dr", "Birch Ct"];
const SERVICES: ReadonlyArray<{ Name: string; UnitPrice: number; Description: string }> = [
  { Name: "Service call", UnitPrice: 89, Description: "Diagnostic visit, first hour" },
  { Name: "Drain cleaning", UnitPrice: 179, Description: "Main line drain cleaning" },
  {
    Name: "Water heater install",
    UnitPrice: 1450,
    Description: "50 gal gas water heater, installed",
  },
  { Name: "HVAC tune-up", UnitPrice: 129, Description: "Seasonal furnace / AC maintenance" },
  { Name: "Leak repair", UnitPrice: 240, Description: "Pipe leak repair, parts included" },
  { Name: "Labor (hourly)", UnitPrice: 95, Description: "Technician labor per hour" },
];

/**
 * A stateful fake of the QuickBooks Online Accounting API and Intuit's
 * OAuth server, for tests and sandbox mode: customers, invoices, payments
 * and items with `SyncToken` checks; the query language subset the
 * connector uses; change data capture with its 30-day window and 1000-object
 * cap; the Profit and Loss report; Intuit's fault bodies (also inside HTTP
 * 200, on demand); throttling; and signed webhooks in both formats.
 *
 * @example
 * ```ts
 * const fake = createQuickBooksFake({ notify: (r) => patchbay.handleWebhook("quickbooks", r) });
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // a plumbing & HVAC company with customers, services, invoices, payments
 * fake.editCustomer(id, { PrimaryPhone: { FreeFormNumber: "(555) 010-0199" } }); // a user edits in QuickBooks
 * ```
 * @see https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export function createQuickBooksFake(options: QuickBooksFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const realmId = options.realmId ?? QUICKBOOKS_SANDBOX_REALM_ID;
  const state = new QuickBooksFakeState(now, realmId);
  const oauth =
    options.oauth ??
    createQuickBooksOAuthFake({
      realmId,
      now,
      ...(options.redirectUris !== undefined && { redirectUris: options.redirectUris }),
    });
  const verifierToken = options.verifierToken ?? QUICKBOOKS_SANDBOX_VERIFIER_TOKEN;
  const webhookUrl =
    options.webhookUrl ?? "https://app.example.com/integrations/webhooks/quickbooks";
  const ctx: FakeApiContext = {
    state,
    oauth,
    log: [],
    forced: { rateLimited: 0, faultsIn200: [] },
    limits:
      options.limits === false
        ? false
        : {
            perMinute: options.limits?.perMinute ?? 500,
            concurrent: options.limits?.concurrent ?? 10,
          },
    arrivals: [],
    inFlight: { now: 0, max: 0 },
    latencyMs: options.latencyMs ?? 0,
    cdcLookbackMs: 30 * 24 * 3600 * 1000,
  };

  let pending: FakeChange[] = [];
  const deliveries: Request[] = [];
  state.onChange = (change) => {
    if (options.notify === undefined) return;
    pending.push(change);
    if (pending.length > 1) return;
    setTimeout(() => {
      const batch = pending;
      pending = [];
      const request = signedDelivery(batch, options.webhookFormat ?? "cloudevents", verifierToken);
      deliveries.push(request.clone());
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  };

  function body(changes: FakeChange[], format: QuickBooksWebhookFormat, realm: string): unknown {
    if (format === "legacy") {
      return {
        eventNotifications: [
          {
            realmId: realm,
            dataChangeEvent: {
              entities: changes.map((c) => ({
                name: c.entity,
                id: c.id,
                operation: c.operation,
                lastUpdated: new Date(c.at).toISOString(),
              })),
            },
          },
        ],
      };
    }
    const past: Record<FakeChange["operation"], string> = {
      Create: "created",
      Update: "updated",
      Delete: "deleted",
      Void: "voided",
    };
    return changes.map((c) => ({
      specversion: "1.0",
      id: randomUUID(),
      source: `intuit.${Buffer.from(realm).toString("base64")}`,
      type: `qbo.${c.entity.toLowerCase()}.${past[c.operation]}.v1`,
      datacontenttype: "application/json",
      time: new Date(c.at).toISOString(),
      intuitentityid: c.id,
      intuitaccountid: realm,
      data: {},
    }));
  }

  function signedDelivery(
    changes: FakeChange[],
    format: QuickBooksWebhookFormat,
    secret: string,
    realm: string = realmId,
  ): Request {
    const text = JSON.stringify(body(changes, format, realm));
    return new Request(webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [QUICKBOOKS_SIGNATURE_HEADER]: hmac("sha256", secret, text, "base64"),
      },
      body: text,
    });
  }

  function required(entity: QuickBooksEntity, id: string): Record<string, unknown> {
    const row = state.get(entity, id);
    if (row === undefined) throw new Error(`fake QuickBooks: no ${entity} ${id}`);
    return row;
  }

  function edit(entity: QuickBooksEntity, id: string, fields: Record<string, unknown>) {
    const row = required(entity, id);
    return state.update(entity, id, fields, { syncToken: String(row.SyncToken), sparse: true });
  }

  const api = {
    /** The company's data, for assertions the helpers do not cover. */
    state,
    /** The OAuth server. */
    oauth,
    /** The company id. */
    realmId,
    /** MSW handlers: the Accounting API on both hosts, and the OAuth server's. */
    handlers: [...oauth.handlers, ...createQuickBooksApiHandlers(ctx)] as RequestHandler[],
    /** Every API request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],
    /** Every webhook delivery sent to `notify` (clones). */
    deliveries: deliveries as readonly Request[],
    /** The most API requests that were in flight at once. */
    get maxInFlight(): number {
      return ctx.inFlight.max;
    },

    /** The next `count` API requests answer 429 `ThrottleExceeded`. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.rateLimited += count;
    },

    /** The next API request answers HTTP 200 with this Fault in the body (as Intuit sometimes does). */
    faultNext(
      fault: FakeFaultSpec = {
        type: "ValidationFault",
        Message: "A business validation error has occurred while processing your request",
        Detail: "Business Validation Error: Unexpected Internal Error. (-30035)",
        code: "6000",
      },
    ): void {
      ctx.forced.faultsIn200.push(fault);
    },

    /**
     * Fill the company with plausible data for a plumbing & HVAC contractor:
     * 6 services, 8 homeowner customers, 10 invoices and 5 payments.
     */
    seedSandbox(): {
      customers: string[];
      items: string[];
      invoices: string[];
      payments: string[];
    } {
      const items = SERVICES.map((s) =>
        String(
          state.create("Item", {
            ...s,
            Type: "Service",
            IncomeAccountRef: { value: "79", name: "Services" },
          }).Id,
        ),
      );
      const customers = api.seedCustomers(8);
      const invoices: string[] = [];
      for (let i = 0; i < 10; i++) {
        const service = SERVICES[i % SERVICES.length]!;
        const qty = 1 + (i % 3);
        invoices.push(
          api.createInvoice(customers[i % customers.length]!, [
            { itemId: items[i % items.length]!, qty, unitPrice: service.UnitPrice },
            ...(i % 2 === 0
              ? [{ itemId: items[5]!, qty: 2, unitPrice: SERVICES[5]!.UnitPrice }]
              : []),
          ]),
        );
      }
      const payments = invoices.slice(0, 5).map((id) => {
        const invoice = required("Invoice", id);
        return api.receivePayment(id, Number(invoice.TotalAmt));
      });
      return { customers, items, invoices, payments };
    },

    /** Add `count` homeowner customers (as a user would in QuickBooks). Returns their ids. */
    seedCustomers(count: number): string[] {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      const start = state.table("Customer").size;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const n = start + i + 1;
        const given = FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!;
        const family = LAST_NAMES[Math.floor((n - 1) / FIRST_NAMES.length) % LAST_NAMES.length]!;
        ids.push(
          api.createCustomer({
            DisplayName: `${given} ${family}${n > 100 ? ` ${n}` : ""}`,
            GivenName: given,
            FamilyName: family,
            PrimaryEmailAddr: { Address: `${given}.${family}${n}@example.com`.toLowerCase() },
            PrimaryPhone: {
              FreeFormNumber: `(555) 01${String(n % 100).padStart(2, "0")}-${String(1000 + n).slice(-4)}`,
            },
            BillAddr: {
              Line1: `${100 + n} ${STREETS[n % STREETS.length]}`,
              City: "Springfield",
              CountrySubDivisionCode: "IL",
              PostalCode: "62701",
            },
          }),
        );
      }
      return ids;
    },

    /** A user adds a customer. Returns its id. */
    createCustomer(fields: Record<string, unknown>): string {
      return String(state.create("Customer", fields).Id);
    },
    /** A user edits a customer (the `SyncToken` moves on). */
    editCustomer(id: string, fields: Record<string, unknown>): Record<string, unknown> {
      return edit("Customer", id, fields);
    },
    /** A user "deletes" a customer: QuickBooks makes it inactive. */
    deactivateCustomer(id: string): void {
      edit("Customer", id, { Active: false });
    },
    /** A user adds a service or product. Returns its id. */
    createItem(fields: Record<string, unknown>): string {
      return String(state.create("Item", fields).Id);
    },
    /** A user edits an item. */
    editItem(id: string, fields: Record<string, unknown>): Record<string, unknown> {
      return edit("Item", id, fields);
    },
    /** A user invoices a customer for items. Returns the invoice id. */
    createInvoice(
      customerId: string,
      lines: ReadonlyArray<{ itemId: string; qty: number; unitPrice: number }>,
      extra: Record<string, unknown> = {},
    ): string {
      return String(
        state.create("Invoice", {
          CustomerRef: { value: customerId },
          Line: lines.map((l, i) => ({
            LineNum: i + 1,
            Amount: Math.round(l.qty * l.unitPrice * 100) / 100,
            DetailType: "SalesItemLineDetail",
            SalesItemLineDetail: {
              ItemRef: { value: l.itemId },
              Qty: l.qty,
              UnitPrice: l.unitPrice,
            },
          })),
          ...extra,
        }).Id,
      );
    },
    /** A user edits an invoice. */
    editInvoice(id: string, fields: Record<string, unknown>): Record<string, unknown> {
      return edit("Invoice", id, fields);
    },
    /** A user deletes an invoice. */
    deleteInvoice(id: string): void {
      state.remove("Invoice", id);
    },
    /** A user records a payment against an invoice. Returns the payment id. */
    receivePayment(invoiceId: string, amount: number): string {
      const invoice = required("Invoice", invoiceId);
      return String(
        state.create("Payment", {
          CustomerRef: { value: (invoice.CustomerRef as { value: string }).value },
          TotalAmt: amount,
          Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: "Invoice" }] }],
        }).Id,
      );
    },

    /** The entities QuickBooks has now, as the API returns them (customers and items: active only). */
    records(entity: QuickBooksEntity): Record<string, unknown>[] {
      return state
        .list(entity)
        .filter((r) => !((entity === "Customer" || entity === "Item") && r.Active === false));
    },

    /**
     * A delivery as Intuit would send it for a connection's company, signed
     * with the verifier token (`forged: true` signs it with another one).
     * Default: one `Update` of customer 1.
     */
    webhook(
      connection: Pick<Connection, "metadata">,
      webhookOptions: {
        forged?: boolean;
        format?: QuickBooksWebhookFormat;
        changes?: ReadonlyArray<Omit<FakeChange, "at"> & { at?: number }>;
      } = {},
    ): Request {
      const realm =
        typeof connection.metadata.realmId === "string" ? connection.metadata.realmId : realmId;
      const changes = (
        webhookOptions.changes ?? [{ entity: "Customer", id: "1", operation: "Update" }]
      ).map((c) => ({ ...c, at: c.at ?? now() }));
      return signedDelivery(
        changes,
        webhookOptions.format ?? options.webhookFormat ?? "cloudevents",
        webhookOptions.forged === true ? `${verifierToken}-forged` : verifierToken,
        realm,
      );
    },
  };
  return api;
}
