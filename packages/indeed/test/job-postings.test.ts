import { ErrorCode } from "@patchbay/core";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { INDEED_GRAPHQL_URL, INDEED_OPERATIONS, indeedGraphql } from "../src/index.js";
import { INDEED_SANDBOX_EMPLOYER } from "../src/testing/index.js";
import { hostPosting, TENANT, WEBHOOK_BASE, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ops = (w: Awaited<ReturnType<typeof world>>, name: string) =>
  w.fake.requests.filter((r) => r.operationName === name);

describe("indeed jobPostings: sync reads each posting's status", () => {
  it("imports the employer's jobs with their lifecycle status, and sees Indeed's review finish", async () => {
    const w = await world(server);
    const ids = w.fake.seedSandbox();
    await w.sync();
    const stored = await w.stored();
    expect(stored.size).toBe(5);
    expect(stored.get(ids[0]!)).toMatchObject({
      title: "Service Plumber",
      jobPostingId: "summit-service-plumber",
      employmentType: "FULL_TIME",
      salary: { currency: "USD", minimumMinor: 3200, maximumMinor: 4200, period: "HOUR" },
      location: { country: "US", cityRegionPostal: "Denver, CO 80202" },
      lifecycleStatus: "ACTIVE",
    });
    expect(stored.get(ids[3]!)?.lifecycleStatus).toBe("PENDING");

    w.fake.setPostingStatus(ids[3]!, "ACTIVE");
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", updated: 1, inserted: 0 });
    expect((await w.stored()).get(ids[3]!)?.lifecycleStatus).toBe("ACTIVE");
  });

  it("walks every findEmployerJobsPartner page", async () => {
    const w = await world(server);
    for (let i = 0; i < 230; i++)
      w.fake.createPosting({ title: `Tech ${i}`, jobPostingId: `t${i}` });
    const run = await w.sync();
    expect(run.inserted).toBe(230);
    expect(ops(w, "FindEmployerJobsPartner").map((r) => r.variables.after ?? null)).toHaveLength(3);
  });

  it("reports a job closed on Indeed as deleted", async () => {
    const w = await world(server);
    const [first] = w.fake.seedSandbox();
    await w.sync();
    w.fake.closePosting(first!);
    const run = await w.sync();
    expect(run.deleted).toBe(1);
    expect((await w.stored()).has(first!)).toBe(false);
  });
});

describe("indeed jobPostings: write-back", () => {
  it("creates a posting with Indeed's input shape, Indeed Apply pointed at the webhook", async () => {
    const w = await world(server);
    const result = await w.write([
      { op: "create", internalId: "job-1", data: hostPosting(1, { indeedApply: true }) },
    ]);
    expect(result.results[0]).toMatchObject({ status: "applied" });
    const posting = w.fake.posting(result.results[0]!.externalId!);
    expect(posting.input).toEqual({
      body: {
        title: "Service Plumber 1",
        description: hostPosting(1).description,
        descriptionFormatting: "TEXT",
        location: { country: "US", cityRegionPostal: "Denver, CO 80202" },
        benefits: ["Health insurance", "Paid time off"],
        jobTypes: ["FULL_TIME"],
        salary: { currency: "USD", minimumMinor: 3000, maximumMinor: 4000, period: "HOUR" },
      },
      metadata: {
        jobSource: {
          companyName: "Summit Plumbing",
          sourceName: "Summit Plumbing",
          sourceType: "Employer",
        },
        jobPostingId: "job-1",
        datePublished: "2025-03-01T09:00:00Z",
        url: "https://summitplumbing.example/careers/service-plumber-1",
      },
      applyMethod: {
        indeedApply: {
          postUrl: `${WEBHOOK_BASE}/indeed?employer=${INDEED_SANDBOX_EMPLOYER.id}`,
          jobMeta: "job-1",
        },
      },
    });
    const stored = (await w.stored()).get(posting.employerJobId);
    expect(stored).toMatchObject({ lifecycleStatus: "PENDING", indeedApply: true });
  });

  it("updates by upserting the same posting, and expires it on delete", async () => {
    const w = await world(server, { config: { sourceName: "Summit Plumbing Denver" } });
    const created = await w.write([{ op: "create", internalId: "job-2", data: hostPosting(2) }]);
    const id = created.results[0]!.externalId!;
    const updated = await w.write([
      { op: "update", internalId: "job-2", data: { title: "Senior Service Plumber" } },
    ]);
    expect(updated.results[0]).toMatchObject({ status: "applied", externalId: id });
    expect(w.fake.employerJobs()).toHaveLength(1);
    expect(w.fake.posting(id).input.body.title).toBe("Senior Service Plumber");
    expect(w.fake.posting(id).input.metadata.jobSource.sourceName).toBe("Summit Plumbing Denver");

    const removed = await w.write([{ op: "delete", internalId: "job-2" }]);
    expect(removed.results[0]).toMatchObject({ status: "applied" });
    expect(w.fake.posting(id).expired).toBe(true);
    expect(ops(w, "ExpireSourcedJobsBySourcedPostingId")[0]?.variables).toEqual({
      input: { jobs: [{ sourcedPostingId: id }] },
    });
    const run = await w.sync();
    expect(run).toMatchObject({ inserted: 0, deleted: 0 });
  });

  it("rejects invalid postings before sending anything, naming each field", async () => {
    const w = await world(server);
    const result = await w.write([
      {
        op: "create",
        internalId: "bad",
        data: hostPosting(3, {
          title: "x".repeat(80),
          description: "Too short",
          location: { country: "USA", cityRegionPostal: "Denver" },
          employmentType: "SOMETIMES",
          salary: { currency: "USD", minimumMinor: 0, period: "HOUR" },
        }),
      },
    ]);
    expect(result.results[0]!.status).toBe("failed");
    const error = result.results[0]!.error!;
    expect(error).toContain("title: must be at most 75 characters");
    expect(error).toContain("description: must be at least 30 characters");
    expect(error).toContain("location.country: must be an ISO 3166-1 alpha-2 country code");
    expect(error).toContain("employmentType: must be one of FULL_TIME");
    expect(error).toContain("salary.minimumMinor: must be greater than zero");
    expect(ops(w, "CreateSourcedJobPostings")).toHaveLength(0);
  });

  it("asks for a postUrl when Indeed Apply is on and the host has no webhook URL", async () => {
    const w = await world(server, { patchbay: { webhookBaseUrl: undefined } });
    const result = await w.write([
      { op: "create", internalId: "ia", data: hostPosting(4, { indeedApply: true }) },
    ]);
    expect(result.results[0]!.error).toMatch(/"indeedApply" needs a postUrl/);
    expect(ops(w, "CreateSourcedJobPostings")).toHaveLength(0);
  });

  it("turns Indeed's BAD_USER_INPUT for a posting into that change's error", async () => {
    const w = await world(server);
    server.use(
      http.post(INDEED_GRAPHQL_URL, () =>
        HttpResponse.json({
          data: { jobsIngest: { createSourcedJobPostings: { results: [{ jobPosting: null }] } } },
          errors: [
            {
              message: "description must match the job page at url",
              path: ["jobsIngest", "createSourcedJobPostings", "results", 0],
              extensions: { code: "BAD_USER_INPUT" },
            },
          ],
        }),
      ),
    );
    const result = await w.write([{ op: "create", internalId: "j5", data: hostPosting(5) }]);
    expect(result.results[0]).toMatchObject({ status: "failed" });
    expect(result.results[0]!.error).toBe(
      "Indeed CreateSourcedJobPostings: description must match the job page at url (BAD_USER_INPUT)",
    );
  });
});

describe("indeed errors", () => {
  it("throws GraphQL errors in a 200 answer as typed errors", async () => {
    const w = await world(server);
    const client = await w.patchbay.connections.http(TENANT, w.connection.id);
    const answer = (code: string) =>
      server.use(
        http.post(INDEED_GRAPHQL_URL, () =>
          HttpResponse.json({ errors: [{ message: `nope ${code}`, extensions: { code } }] }),
        ),
      );
    const call = () => indeedGraphql(client, INDEED_OPERATIONS.employerJobsByIds, { ids: ["x"] });
    answer("FORBIDDEN");
    await expect(call()).rejects.toMatchObject({
      name: "ProviderError",
      status: 403,
      providerCode: "FORBIDDEN",
      retryable: false,
    });
    answer("NOT_FOUND");
    await expect(call()).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    answer("UNAUTHENTICATED");
    await expect(call()).rejects.toMatchObject({ code: ErrorCode.AUTH_UNAUTHORIZED });
    answer("DOWNSTREAM_SERVICE_ERROR");
    await expect(call()).rejects.toMatchObject({ status: 502, retryable: true });
  });

  it("waits out 429s with Retry-After, and hands a long wait back as a RateLimitError", async () => {
    const w = await world(server);
    w.fake.seedSandbox();
    w.fake.rateLimitNext(2);
    const run = await w.sync();
    expect(run).toMatchObject({ status: "succeeded", inserted: 5 });
    expect(w.fake.requests.filter((r) => r.status === 429)).toHaveLength(2);

    server.use(
      http.post(INDEED_GRAPHQL_URL, () =>
        HttpResponse.json(
          { errors: [{ message: "Rate limit exceeded" }] },
          { status: 429, headers: { "Retry-After": "120" } },
        ),
      ),
    );
    const client = await w.patchbay.connections.http(TENANT, w.connection.id);
    await expect(
      indeedGraphql(client, INDEED_OPERATIONS.employerJobsByIds, { ids: ["x"] }),
    ).rejects.toMatchObject({ code: ErrorCode.RATE_LIMITED, retryAfterMs: 120_000 });
  });
});
