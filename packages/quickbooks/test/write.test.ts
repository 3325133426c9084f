import { ErrorCode, RateLimitError } from "@patchbay/core";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  companyRequest,
  QUICKBOOKS_API_HOSTS,
  SyncTokenConflictError,
  sparseUpdate,
} from "../src/index.js";
import { faultResponse } from "../src/testing/index.js";
import { calls, TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function withHostCustomer(options: Parameters<typeof world>[1] = {}) {
  const w = await world(server, options);
  const write = (changes: Parameters<typeof w.patchbay.write>[0]["changes"], model = "customers") =>
    w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model,
      changes,
      conflictPolicy: "host_wins",
    });
  const created = await write([
    {
      op: "create",
      internalId: "crm-1",
      data: { DisplayName: "Dana Whitfield", Notes: "gate code 4411" },
    },
  ]);
  const id = created.results[0]!.externalId!;
  return { w, write, id };
}

describe("write-back", () => {
  it("creates a customer and updates it sparsely with its SyncToken", async () => {
    const { w, write, id } = await withHostCustomer();
    expect(w.fake.state.get("Customer", id)).toMatchObject({
      DisplayName: "Dana Whitfield",
      SyncToken: "0",
    });
    const result = await write([
      {
        op: "update",
        internalId: "crm-1",
        data: { DisplayName: "Dana Whitfield", Notes: "gate code 9021" },
      },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.state.get("Customer", id)).toMatchObject({
      Notes: "gate code 9021",
      SyncToken: "1",
    });
  });

  it("refetches the SyncToken after a Stale Object Error and retries once", async () => {
    const { w, write, id } = await withHostCustomer();
    // Someone edits the customer in QuickBooks: the host's SyncToken "0" is now stale.
    w.fake.editCustomer(id, { PrimaryPhone: { FreeFormNumber: "(555) 010-4477" } });
    const before = w.fake.requests.length;
    const result = await write([
      {
        op: "update",
        internalId: "crm-1",
        data: { DisplayName: "Dana Whitfield", Notes: "new gate code" },
      },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    const tail = w.fake.requests.slice(before).filter((r) => r.path.startsWith("customer"));
    expect(tail.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST customer 400",
      `GET customer/${id} 200`,
      "POST customer 200",
    ]);
    // Sparse: the phone the user set in QuickBooks is kept.
    expect(w.fake.state.get("Customer", id)).toMatchObject({
      Notes: "new gate code",
      PrimaryPhone: { FreeFormNumber: "(555) 010-4477" },
      SyncToken: "2",
    });
  });

  it("gives up with a typed conflict error when the retry is stale too", async () => {
    const { w, id } = await withHostCustomer();
    server.use(
      http.post(`${QUICKBOOKS_API_HOSTS.sandbox}/v3/company/:realm/customer`, () =>
        faultResponse(
          400,
          "ValidationFault",
          {
            Message: "Stale Object Error",
            Detail: "Stale Object Error : You and Pat were working on this at the same time.",
            code: "5010",
          },
          Date.now(),
        ),
      ),
    );
    const error = await sparseUpdate(await w.http(), "Customer", id, { Notes: "x" }, "0").catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SyncTokenConflictError);
    expect(error).toMatchObject({
      code: ErrorCode.CONFLICT,
      providerCode: "5010",
      entity: "Customer",
      entityId: id,
      retryable: false,
    });
    expect(calls(w.fake, new RegExp(`^GET customer/${id}`))).toHaveLength(1);
  });

  it("reports Intuit's validation fault (duplicate name) as a failed change", async () => {
    const { write } = await withHostCustomer();
    const result = await write([
      { op: "create", internalId: "crm-2", data: { DisplayName: "Dana Whitfield" } },
    ]);
    expect(result.results[0]).toMatchObject({ status: "failed" });
    expect(result.results[0]!.error).toContain("Duplicate Name Exists Error");
  });

  it("deleting a customer makes it inactive; deleting an invoice deletes it", async () => {
    const { w, write, id } = await withHostCustomer();
    await write([{ op: "delete", internalId: "crm-1" }]);
    expect(w.fake.state.get("Customer", id)).toMatchObject({ Active: false });

    const invoice = await write(
      [
        {
          op: "create",
          internalId: "job-77",
          data: {
            CustomerRef: { value: w.fake.createCustomer({ DisplayName: "Lee Park" }) },
            Line: [
              {
                Amount: 240,
                DetailType: "SalesItemLineDetail",
                SalesItemLineDetail: { ItemRef: { value: "1" } },
              },
            ],
          },
        },
      ],
      "invoices",
    );
    const invoiceId = invoice.results[0]!.externalId!;
    expect(w.fake.state.get("Invoice", invoiceId)).toMatchObject({ TotalAmt: 240, Balance: 240 });
    await write([{ op: "delete", internalId: "job-77" }], "invoices");
    expect(w.fake.state.get("Invoice", invoiceId)).toBeUndefined();
    expect(calls(w.fake, /operation=delete/)).toHaveLength(1);
  });
});

describe("HTTP faults", () => {
  it("maps a 400 fault to a ProviderError carrying Intuit's code and element", async () => {
    const w = await world(server);
    const error = await sparseUpdate(await w.http(), "Customer", "999", { Notes: "x" }, "0").catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      status: 400,
      providerCode: "610",
    });
    expect(error.message).toContain("Object Not Found");
  });

  it("maps a 500 fault to a retryable ProviderError", async () => {
    const w = await world(server);
    server.use(
      http.get(`${QUICKBOOKS_API_HOSTS.sandbox}/v3/company/:realm/customer/:id`, () =>
        faultResponse(
          500,
          "SystemFault",
          {
            Message: "An application error has occurred",
            Detail: "Please try again",
            code: "10000",
          },
          Date.now(),
        ),
      ),
    );
    const error = await (await w.http()).get("customer/1", { retry: false }).catch((e) => e);
    expect(error).toMatchObject({ status: 500, providerCode: "10000", retryable: true });
  });

  it("retries a 429 ThrottleExceeded and succeeds", async () => {
    const w = await world(server);
    w.fake.seedCustomers(3);
    w.fake.rateLimitNext(2);
    expect(await w.sync("customers")).toMatchObject({ status: "succeeded", inserted: 3 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it("turns a ThrottleExceeded fault in an HTTP 200 body into a rate-limit error", async () => {
    const w = await world(server);
    w.fake.faultNext({
      type: "SERVICE",
      Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
      Detail: "The request limit was reached.",
      code: "003001",
    });
    const error = await companyRequest(await w.http(), { path: "customer/1" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 200, providerCode: "3001", retryable: true });
  });
});
