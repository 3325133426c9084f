import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  IndeedApplicationSchema,
  indeedApplyAnswers,
  verifyIndeedApplySignature,
} from "../src/index.js";
import { hostPosting, TENANT, WEBHOOK_BASE, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const rosa = {
  fullName: "Rosa Diaz",
  email: "rosa.diaz@example.com",
  phoneNumber: "+1 303 555 0142",
  coverletter: "Six years on residential service calls.",
  resume: { fileName: "rosa-diaz.pdf", text: "Journeyman plumber, Denver" },
  answers: [{ id: "license", question: "Do you hold a journeyman license?", answer: "yes" }],
};

async function postedJob(w: Awaited<ReturnType<typeof world>>): Promise<string> {
  const result = await w.write([
    { op: "create", internalId: "job-ia", data: hostPosting(1, { indeedApply: true }) },
  ]);
  return result.results[0]!.externalId!;
}

describe("indeed applicants (Indeed Apply)", () => {
  it("stores a candidate's application, delivered signed to the posting's postUrl", async () => {
    const w = await world(server);
    const jobId = await postedJob(w);
    const sent = w.fake.applyTo(jobId, rosa);
    const [answer] = await w.settle();
    expect(answer!.status).toBe(202);
    const stored = (await w.stored("applicants")).get(sent.id);
    const app = IndeedApplicationSchema.parse(stored);
    expect(app.applicant).toMatchObject({
      fullName: "Rosa Diaz",
      email: "rosa.diaz@example.com",
      phoneNumber: "+1 303 555 0142",
    });
    expect(app.job).toMatchObject({
      jobId: "job-ia",
      jobTitle: "Service Plumber 1",
      jobMeta: "job-ia",
    });
    expect(Buffer.from(app.applicant.resume!.file!.data, "base64").toString("utf8")).toBe(
      "Journeyman plumber, Denver",
    );
    expect(app.applicant.resume!.file!.contentType).toBe("application/pdf");
    expect(indeedApplyAnswers(app)).toEqual([
      {
        id: "license",
        question: "Do you hold a journeyman license?",
        answer: "yes",
        demographic: false,
      },
    ]);
  });

  it("applies an application delivered twice once", async () => {
    const w = await world(server, { deliver: false });
    const jobId = await postedJob(w);
    const application = w.fake.applicationFor(jobId, rosa);
    const first = await w.patchbay.handleWebhook("indeed", w.fake.deliveryFor(application));
    const again = await w.patchbay.handleWebhook("indeed", w.fake.deliveryFor(application));
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(await again.json()).toEqual({ status: "duplicate" });
    const { changes } = await w.patchbay.records.changes({
      tenantId: TENANT,
      connectionId: w.connection.id,
    });
    expect(changes.filter((c) => c.model === "applicants")).toHaveLength(1);
  });

  it("rejects a delivery not signed with the Indeed Apply secret, and one for no employer", async () => {
    const w = await world(server, { deliver: false });
    const jobId = await postedJob(w);
    const application = w.fake.applicationFor(jobId, rosa);
    const forged = await w.patchbay.handleWebhook(
      "indeed",
      w.fake.deliveryFor(application, { forged: true }),
    );
    expect(forged.status).toBe(401);
    const signed = w.fake.deliveryFor(application);
    const unroutable = new Request(`${WEBHOOK_BASE}/indeed`, {
      method: "POST",
      headers: signed.headers,
      body: await signed.text(),
    });
    expect((await w.patchbay.handleWebhook("indeed", unroutable)).status).toBe(404);
    expect((await w.stored("applicants")).size).toBe(0);
  });

  it("verifies Indeed's published signature example (base64 HMAC-SHA1)", () => {
    // The sample message, secret and signature of Indeed's signature reference.
    const message =
      "{'locale':'en_US','applicant':{'fullName':'John Doe','email':'john.doe@example.com'}}";
    const delivery = (body: string, signature: string) => ({
      rawBody: new TextEncoder().encode(body),
      headers: new Headers({ "X-Indeed-Signature": signature }),
    });
    const secret = "Y0ur api secret key not shared &$%@";
    expect(
      verifyIndeedApplySignature(delivery(message, "SGadPKocf3HD1LYXm3xGObB6hzk="), secret),
    ).toBe(true);
    expect(
      verifyIndeedApplySignature(delivery(`${message} `, "SGadPKocf3HD1LYXm3xGObB6hzk="), secret),
    ).toBe(false);
    expect(
      verifyIndeedApplySignature(delivery(message, "SGadPKocf3HD1LYXm3xGObB6hzk="), undefined),
    ).toBe(false);
  });

  it("refuses to sync applicants, which Indeed cannot list", async () => {
    const w = await world(server);
    const run = await w.sync("applicants");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/no API to list Indeed Apply applicants/);
  });
});
