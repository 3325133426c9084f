import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InsightRecord } from "../src/index.js";
import { META_SANDBOX } from "../src/testing/index.js";
import { connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("meta-ads daily insights (async report runs)", () => {
  it("starts a report run, polls it to Job Completed, then reads 30 days per campaign", async () => {
    const w = await connectWorld(server);
    const run = await w.sync("dailyInsights");
    expect(run.status).toBe("succeeded");
    const calls = w.fake.requests.map(
      (r) => `${r.method} ${new URL(r.url).pathname.split("/").slice(2).join("/")}`,
    );
    const post = w.fake.requests.find((r) => r.method === "POST")!;
    expect(post.url).toContain(`/${META_SANDBOX.adAccountId}/insights`);
    expect(post.body).toMatchObject({
      level: "campaign",
      time_increment: "1",
      time_range: JSON.stringify({ since: "2026-10-01", until: "2026-10-30" }),
    });
    const runId = (calls.find((c) => c.endsWith("/insights") && c.startsWith("GET")) ?? "")
      .split(" ")[1]!
      .split("/")[0];
    // Two "running" answers, then "Job Completed" at 100%.
    expect(calls.filter((c) => c === `GET ${runId}`)).toHaveLength(3);
    expect(w.slept).toEqual([1000, 1000]);
    const records = [...(await w.stored<InsightRecord>("dailyInsights")).values()];
    expect(records).toHaveLength(3 * 30);
    const sample = records.find(
      (r) => r.date === "2026-10-15" && r.campaign_name === "Fall Furnace Tune-Up $89",
    )!;
    expect(sample.id).toBe(`2026-10-15:campaign:${sample.campaign_id}`);
    expect(sample.spend).toBeGreaterThan(0);
    expect(sample.leads).toBe(
      Number(sample.actions.find((a) => a.action_type === "lead")?.value ?? 0),
    );
  });

  it("follows the after cursor while paging.next is present (ad set level, 120 rows)", async () => {
    const w = await connectWorld(server, { config: { level: "adset" } });
    await w.sync("dailyInsights");
    const pages = w.fake.requests.filter((r) => r.url.includes("/insights?"));
    expect(pages).toHaveLength(2);
    expect(new URL(pages[1]!.url).searchParams.get("after")).toBeTruthy();
    const records = [...(await w.stored<InsightRecord>("dailyInsights")).values()];
    expect(records).toHaveLength(4 * 30);
    expect(records.every((r) => r.id === `${r.date}:adset:${r.adset_id}`)).toBe(true);
  });

  it("fails the sync with Meta's message when the report run fails", async () => {
    const w = await connectWorld(server);
    w.fake.failNextReport("Job Failed");
    const run = await w.sync("dailyInsights");
    expect(run.status).toBe("failed");
    expect(run.error).toContain('"Job Failed": Try a shorter time range.');
  });

  it("gives up on a report run that does not finish in time", async () => {
    const w = await connectWorld(server, {
      fake: { reportPolls: 1000 },
      connector: { reportTimeoutMs: 5000 },
    });
    const run = await w.sync("dailyInsights");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/did not complete within 5 s/);
  });
});
