import { createHmac } from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  quickbooksNotifications,
  verifyQuickBooksSignature,
  webhookActions,
} from "../src/index.js";
import { QUICKBOOKS_SANDBOX_VERIFIER_TOKEN } from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const handle = (w: Awaited<ReturnType<typeof world>>, request: Request) =>
  w.patchbay.handleWebhook("quickbooks", request);

describe("webhooks", () => {
  it.each(["legacy", "cloudevents"] as const)(
    "a signed %s notification syncs the changed model",
    async (format) => {
      const w = await world(server);
      const [id] = w.fake.seedCustomers(3);
      await w.sync("customers");
      w.fake.editCustomer(id!, { Notes: `edited, ${format}` });
      const response = await handle(
        w,
        w.fake.webhook(w.connection, {
          format,
          changes: [{ entity: "Customer", id: id!, operation: "Update" }],
        }),
      );
      expect(response.status).toBe(202);
      expect((await w.stored("customers")).get(id!)).toMatchObject({ Notes: `edited, ${format}` });
      const runs = await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id });
      expect(
        runs.some((r) => r.trigger === "webhook" && r.mode === "incremental" && r.updated === 1),
      ).toBe(true);
    },
  );

  it("applies a delete from a CloudEvents notification directly", async () => {
    const w = await world(server);
    const { invoices } = w.fake.seedSandbox();
    await w.sync("invoices");
    w.fake.deleteInvoice(invoices[4]!);
    const response = await handle(
      w,
      w.fake.webhook(w.connection, {
        changes: [{ entity: "Invoice", id: invoices[4]!, operation: "Delete" }],
      }),
    );
    expect(response.status).toBe(202);
    expect((await w.stored("invoices")).has(invoices[4]!)).toBe(false);
    expect(w.fake.requests.filter((r) => r.path === "cdc")).toEqual([]);
  });

  it("the fake's notify option delivers signed notifications when a user edits", async () => {
    const w = await world(server, { webhooks: true });
    await w.sync("invoices");
    const { invoices } = w.fake.seedSandbox();
    await vi.waitFor(async () => expect((await w.stored("invoices")).size).toBe(invoices.length), {
      timeout: 5000,
    });
    expect(w.fake.deliveries.length).toBeGreaterThan(0);
  });

  it("rejects a forged or altered notification (401) and one for another company (404)", async () => {
    const w = await world(server);
    w.fake.seedCustomers(1);
    expect((await handle(w, w.fake.webhook(w.connection, { forged: true }))).status).toBe(401);
    const genuine = w.fake.webhook(w.connection, { format: "legacy" });
    const altered = new Request(genuine.url, {
      method: "POST",
      headers: genuine.headers,
      body: (await genuine.clone().text()).replace('"Update"', '"Delete"'),
    });
    expect((await handle(w, altered)).status).toBe(401);
    const other = w.fake.webhook({ metadata: { realmId: "123145" } });
    expect((await handle(w, other)).status).toBe(404);
    expect(await w.stored("customers")).toHaveProperty("size", 0);
  });

  it("verifies intuit-signature as base64 HMAC-SHA256 of the raw body under the verifier token", () => {
    const body = '{"eventNotifications":[]}';
    const signature = createHmac("sha256", QUICKBOOKS_SANDBOX_VERIFIER_TOKEN)
      .update(body)
      .digest("base64");
    const delivery = (sig: string) => ({
      headers: new Headers({ "intuit-signature": sig }),
      rawBody: new TextEncoder().encode(body),
    });
    expect(verifyQuickBooksSignature(delivery(signature), QUICKBOOKS_SANDBOX_VERIFIER_TOKEN)).toBe(
      true,
    );
    expect(verifyQuickBooksSignature(delivery(signature), "another-token")).toBe(false);
    expect(verifyQuickBooksSignature(delivery(signature), undefined)).toBe(false);
  });

  it("reads both body formats into the same notifications and actions", () => {
    const legacy = quickbooksNotifications({
      eventNotifications: [
        {
          realmId: "9130",
          dataChangeEvent: {
            entities: [
              {
                name: "Customer",
                id: "7",
                operation: "Merge",
                deletedId: "8",
                lastUpdated: "2025-06-01T10:00:00.000Z",
              },
              {
                name: "Vendor",
                id: "3",
                operation: "Update",
                lastUpdated: "2025-06-01T10:00:00.000Z",
              },
            ],
          },
        },
      ],
    });
    const cloud = quickbooksNotifications([
      {
        specversion: "1.0",
        id: "e1",
        source: "intuit.x",
        type: "qbo.payment.created.v1",
        intuitaccountid: "9130",
        intuitentityid: "41",
        data: {},
      },
      {
        specversion: "1.0",
        id: "e2",
        source: "intuit.x",
        type: "qbo.invoice.deleted.v1",
        intuitaccountid: "9130",
        intuitentityid: "130",
        data: {},
      },
    ]);
    expect(cloud).toEqual([
      { realmId: "9130", entity: "Payment", id: "41", operation: "create" },
      { realmId: "9130", entity: "Invoice", id: "130", operation: "delete" },
    ]);
    expect(webhookActions([...legacy, ...cloud], "9130")).toEqual([
      { kind: "apply", model: "customers", deleted: ["8"] },
      { kind: "apply", model: "invoices", deleted: ["130"] },
      { kind: "sync", model: "customers" },
      { kind: "sync", model: "payments" },
    ]);
    expect(webhookActions(cloud, "other-realm")).toEqual([]);
  });
});
