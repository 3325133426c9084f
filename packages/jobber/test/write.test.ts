import { ErrorCode, ProviderError } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOBBER_ERROR, userErrorsError } from "../src/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("jobber client write-back", () => {
  it("creates a client with clientCreate and updates it with clientEdit", async () => {
    const w = await world(server);
    const write = (changes: Parameters<typeof w.patchbay.write>[0]["changes"]) =>
      w.patchbay.write({
        tenantId: TENANT,
        connectionId: w.connection.id,
        model: "clients",
        changes,
      });
    const created = await write([
      {
        op: "create",
        internalId: "host-1",
        data: {
          firstName: "Rosa",
          lastName: "Delgado",
          emails: [{ address: "rosa@example.com", description: "MAIN", primary: true }],
          billingAddress: {
            street1: "12 Juniper Rd",
            city: "Austin",
            province: "TX",
            postalCode: "78704",
            country: "United States",
          },
        },
      },
    ]);
    expect(created.results[0]).toMatchObject({ status: "applied" });
    const id = created.results[0]!.externalId!;
    expect(w.fake.records("clients").find((c) => c.id === id)).toMatchObject({
      name: "Rosa Delgado",
      emails: [{ address: "rosa@example.com", primary: true }],
      billingAddress: { city: "Austin", street2: null },
    });

    const stored = (await w.stored("clients")).get(id)!;
    const updated = await write([
      {
        op: "update",
        internalId: "host-1",
        data: { ...stored, lastName: "Delgado-Ruiz" },
      },
    ]);
    expect(updated.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.records("clients").find((c) => c.id === id)).toMatchObject({
      name: "Rosa Delgado-Ruiz",
    });
    expect(w.fake.requests.map((r) => r.operationName)).toEqual(
      expect.arrayContaining(["ClientCreate", "ClientEdit"]),
    );
  });

  it("surfaces userErrors as a failed change naming the field", async () => {
    const w = await world(server);
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "clients",
      changes: [
        {
          op: "create",
          internalId: "bad-1",
          data: { firstName: "Lee", emails: [{ address: "not-an-email", primary: true }] },
        },
        { op: "create", internalId: "bad-2", data: { emails: [] } },
      ],
    });
    expect(result.results[0]).toMatchObject({ status: "failed" });
    expect(result.results[0]!.error).toBe(
      "Jobber refused clientCreate: input.emails.0.address: Email address is invalid",
    );
    expect(result.results[1]!.error).toMatch(/input\.firstName: Client must have a first name/);
    expect(w.fake.records("clients")).toHaveLength(0);
  });

  it("refuses deletes: Jobber's API cannot delete clients", async () => {
    const w = await world(server);
    const id = w.fake.seed("clients", 1)[0]!;
    await w.sync("clients");
    await w.patchbay.records.setInternalId({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "clients",
      externalId: id,
      internalId: "x",
    });
    const result = await w.patchbay.write({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model: "clients",
      changes: [{ op: "delete", internalId: "x" }],
    });
    expect(result.results[0]!.error).toMatch(/cannot delete clients/);
    expect(w.fake.records("clients")).toHaveLength(1);
  });

  it("userErrorsError is a non-retryable ProviderError with code USER_ERROR", () => {
    const error = userErrorsError("clientEdit", [
      { message: "Client not found", path: ["clientId"] },
    ]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      providerCode: JOBBER_ERROR.USER_ERROR,
      retryable: false,
      message: "Jobber refused clientEdit: clientId: Client not found",
    });
  });
});
