import type { Patchbay } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyJobberSignature } from "../src/index.js";
import { JOBBER_SANDBOX_APP } from "../src/testing/index.js";
import { TENANT, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function delivery(request: Request) {
  const rawBody = new Uint8Array(await request.clone().arrayBuffer());
  return { headers: request.headers, rawBody };
}

describe("jobber webhooks", () => {
  it("verifies X-Jobber-Hmac-SHA256 with the app's client secret", async () => {
    const w = await world(server);
    const genuine = await delivery(w.fake.webhook());
    expect(verifyJobberSignature(genuine, JOBBER_SANDBOX_APP.clientSecret)).toBe(true);
    expect(verifyJobberSignature(genuine, "another-secret")).toBe(false);
    expect(
      verifyJobberSignature(
        await delivery(w.fake.webhook(undefined, { forged: true })),
        JOBBER_SANDBOX_APP.clientSecret,
      ),
    ).toBe(false);
    const tampered = {
      ...genuine,
      rawBody: new TextEncoder().encode(
        new TextDecoder().decode(genuine.rawBody).replace("CLIENT_UPDATE", "CLIENT_DESTROY"),
      ),
    };
    expect(verifyJobberSignature(tampered, JOBBER_SANDBOX_APP.clientSecret)).toBe(false);
  });

  it("a change in Jobber is delivered through notify and syncs the model", async () => {
    let patchbay: Patchbay | undefined;
    const w = await world(server, {
      fake: { notify: (r) => patchbay?.handleWebhook("jobber", r) },
    });
    patchbay = w.patchbay;
    const id = w.fake.seed("clients", 1)[0]!;
    await vi.waitFor(async () => expect((await w.stored("clients")).has(id)).toBe(true));
    const runs = await w.patchbay.sync.runs(TENANT, {
      connectionId: w.connection.id,
      model: "clients",
    });
    expect(runs[0]).toMatchObject({ trigger: "webhook", status: "succeeded" });
  });

  it("*_DESTROY deletes the record at once, without a sync", async () => {
    const w = await world(server);
    const ids = w.fake.seed("jobs", 3);
    await w.sync("jobs");
    w.fake.remove("jobs", ids[0]!);
    const response = await w.patchbay.handleWebhook(
      "jobber",
      w.fake.webhook(undefined, { topic: "JOB_DESTROY", itemId: ids[0]! }),
    );
    expect(response.status).toBe(202);
    expect((await w.stored("jobs")).has(ids[0]!)).toBe(false);
    expect((await w.stored("jobs")).size).toBe(2);
    // Only the first full sync read jobs: the delete came from the payload.
    expect(operations(w.fake, /^Jobs/)).toHaveLength(1);
  });

  it("a repeated delivery is applied once (Jobber delivers at least once)", async () => {
    const w = await world(server);
    w.fake.seed("quotes", 1);
    const request = w.fake.webhook(undefined, {
      topic: "QUOTE_UPDATE",
      itemId: w.fake.records("quotes")[0]!.id as string,
    });
    expect((await w.patchbay.handleWebhook("jobber", request.clone())).status).toBe(202);
    const again = await w.patchbay.handleWebhook("jobber", request);
    expect(await again.json()).toEqual({ status: "duplicate" });
  });

  it("a forged delivery is rejected and applies nothing", async () => {
    const w = await world(server);
    const ids = w.fake.seed("clients", 1);
    await w.sync("clients");
    const response = await w.patchbay.handleWebhook(
      "jobber",
      w.fake.webhook(undefined, { forged: true, topic: "CLIENT_DESTROY", itemId: ids[0]! }),
    );
    expect(response.status).toBe(401);
    expect((await w.stored("clients")).has(ids[0]!)).toBe(true);
  });

  it("APP_DISCONNECT marks the connection disconnected without calling appDisconnect back", async () => {
    let patchbay: Patchbay | undefined;
    const w = await world(server, {
      fake: { notify: (r) => patchbay?.handleWebhook("jobber", r) },
    });
    patchbay = w.patchbay;
    w.fake.disconnectApp();
    await vi.waitFor(async () => expect((await w.current()).status).toBe("disconnected"));
    expect((await w.current()).statusReason).toBe("The app was disconnected in Jobber");
    // The app is already gone at Jobber: no appDisconnect mutation, no teardown call.
    expect(operations(w.fake, /AppDisconnect/)).toEqual([]);
  });

  it("a host-side disconnect calls Jobber's appDisconnect mutation", async () => {
    const w = await world(server);
    const { revoked } = await w.patchbay.connections.disconnect(TENANT, w.connection.id);
    expect(revoked).toBe(false);
    expect(operations(w.fake, /AppDisconnect/)).toEqual(["AppDisconnect"]);
    expect((await w.current()).status).toBe("disconnected");
  });
});

function operations(
  fake: { requests: readonly { operationName: string; outcome: unknown }[] },
  match: RegExp,
) {
  return fake.requests
    .filter((r) => r.outcome === "data" && match.test(r.operationName))
    .map((r) => r.operationName);
}
