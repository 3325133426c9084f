import { ConfigError, createRateLimiter, RateLimitError } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalPostRecord as GbpPost } from "../src/index.js";
import { GBP_SANDBOX } from "../src/testing/index.js";
import { calls, connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const [BOULDER, LONGMONT] = GBP_SANDBOX.locationIds;

describe("replyToReview", () => {
  it("puts the reply on the review at Google and returns it", async () => {
    const w = await connectWorld(server);
    const [tom] = w.fake.reviews(BOULDER).filter((r) => r.reviewer.displayName === "Tom Becker");
    const result = await w.action<{ reviewReply: { comment: string } }>("replyToReview", {
      reviewName: tom!.name,
      comment: "Sorry about the missed window, Tom. Call us and we'll make it right.",
    });
    expect(result.reviewReply.comment).toBe(
      "Sorry about the missed window, Tom. Call us and we'll make it right.",
    );
    expect(w.fake.review(tom!.name)?.reviewReply?.comment).toBe(result.reviewReply.comment);
    expect(calls(w.fake, /reply$/)).toEqual([
      `PUT https://mybusiness.googleapis.com/v4/${tom!.name}/reply`,
    ]);
  });

  it("refuses a reply over Google's 4096 bytes before calling Google", async () => {
    const w = await connectWorld(server);
    const [review] = w.fake.reviews(BOULDER);
    const attempt = w.action("replyToReview", {
      reviewName: review!.name,
      comment: "é".repeat(2049),
    });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/"input\.comment" must be at most 4096 bytes/);
    expect(calls(w.fake, /reply$/)).toEqual([]);
  });

  it("surfaces Google's 404 for a review that no longer exists", async () => {
    const w = await connectWorld(server);
    const [review] = w.fake.reviews(BOULDER);
    w.fake.deleteReview(review!.name);
    await expect(
      w.action("replyToReview", { reviewName: review!.name, comment: "Thanks!" }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("createPost", () => {
  it("publishes a STANDARD post with a call button", async () => {
    const w = await connectWorld(server);
    const post = await w.action<GbpPost>("createPost", {
      location: `locations/${LONGMONT}`,
      summary: "Water heater acting up? Same-week tankless installs in Longmont.",
      callToAction: { actionType: "CALL" },
    });
    expect(post).toMatchObject({
      locationName: `accounts/${GBP_SANDBOX.accountId}/locations/${LONGMONT}`,
      topicType: "STANDARD",
      state: "LIVE",
      callToAction: { actionType: "CALL" },
    });
    expect(w.fake.posts(LONGMONT)[0]).toMatchObject({ name: post.name, languageCode: "en-US" });
    await w.sync("localPosts");
    expect((await w.stored<GbpPost>("localPosts")).has(post.name)).toBe(true);
  });

  it.each([
    [
      { actionType: "CALL", url: "https://example.com" },
      /"input\.callToAction\.url" must be unset for CALL/,
    ],
    [{ actionType: "BOOK" }, /"input\.callToAction\.url" is required for BOOK/],
  ])("refuses a bad button %j before calling Google", async (callToAction, message) => {
    const w = await connectWorld(server);
    await expect(
      w.action("createPost", { location: BOULDER, summary: "Hi", callToAction }),
    ).rejects.toThrow(message);
    expect(calls(w.fake, /localPosts/)).toEqual([]);
  });
});

describe("10 edits per minute per location", () => {
  it("holds the 11th edit to a location until a minute has passed, without delaying another location", async () => {
    let clock = Date.parse("2025-06-02T15:00:00.000Z");
    const limiter = createRateLimiter({
      now: () => clock,
      sleep: (ms) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            clock += ms;
            resolve();
          }),
        ),
    });
    const w = await connectWorld(server, {
      fake: { now: () => clock },
      patchbay: { rateLimiter: limiter },
    });
    const start = clock;
    const boulder = w.fake.reviews(BOULDER);
    const doneAt: Record<string, number> = {};
    await Promise.all([
      ...Array.from({ length: 11 }, (_, i) =>
        w
          .action("replyToReview", {
            reviewName: boulder[i % boulder.length]!.name,
            comment: `Thanks! #${i}`,
          })
          .then(() => {
            doneAt[`boulder-${i}`] = clock;
          }),
      ),
      w.action("createPost", { location: LONGMONT, summary: "Open Saturday" }).then(() => {
        doneAt.longmont = clock;
      }),
    ]);
    for (let i = 0; i < 10; i++) expect(doneAt[`boulder-${i}`]).toBe(start);
    expect(doneAt["boulder-10"]! - start).toBeGreaterThanOrEqual(60_000);
    expect(doneAt.longmont).toBe(start);
    // Google never had to refuse: every edit landed.
    expect(calls(w.fake, /reply$/)).toHaveLength(11);
    expect(w.fake.posts(LONGMONT)).toHaveLength(3);
  });

  it("the fake answers Google's 429 RESOURCE_EXHAUSTED to an 11th edit within a minute, for that location only", async () => {
    let clock = Date.parse("2025-06-02T15:00:00.000Z");
    const w = await connectWorld(server, { fake: { now: () => clock } });
    const token = await w.patchbay.tokens.getAccessToken({
      tenantId: w.connection.tenantId,
      id: w.connection.id,
    });
    const reply = (name: string) =>
      fetch(`https://mybusiness.googleapis.com/v4/${name}/reply`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ comment: "Thank you!" }),
      });
    const [review] = w.fake.reviews(BOULDER);
    for (let i = 0; i < 10; i++) expect((await reply(review!.name)).status).toBe(200);
    const refused = await reply(review!.name);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded" }] },
    });
    expect((await reply(w.fake.reviews(LONGMONT)[0]!.name)).status).toBe(200);
    clock += 60_001;
    expect((await reply(review!.name)).status).toBe(200);
  });

  it("an edit Google refuses with 429 is retried and lands", async () => {
    const w = await connectWorld(server);
    const [review] = w.fake.reviews(BOULDER);
    w.fake.rateLimitNext(1);
    await w.action("replyToReview", {
      reviewName: review!.name,
      comment: "Thanks for the kind words!",
    });
    expect(w.fake.review(review!.name)?.reviewReply?.comment).toBe("Thanks for the kind words!");
  });

  it("gives up with a RateLimitError when Google keeps refusing", async () => {
    const w = await connectWorld(server);
    const [review] = w.fake.reviews(BOULDER);
    w.fake.rateLimitNext(50);
    await expect(
      w.action("replyToReview", { reviewName: review!.name, comment: "Thanks!" }),
    ).rejects.toBeInstanceOf(RateLimitError);
  }, 30_000);
});
