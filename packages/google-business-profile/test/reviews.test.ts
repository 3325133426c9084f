import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ReviewRecord, starRatingValue } from "../src/index.js";
import { GBP_SANDBOX } from "../src/testing/index.js";
import { calls, connectWorld } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const [BOULDER, LONGMONT] = GBP_SANDBOX.locationIds;

describe("reviews", () => {
  it("imports the sandbox's reviews with ratings as numbers and the owner's replies", async () => {
    const w = await connectWorld(server);
    const run = await w.sync("reviews");
    expect(run).toMatchObject({ status: "succeeded", inserted: 13 });
    const reviews = await w.stored<ReviewRecord>("reviews");
    const maria = [...reviews.values()].find((r) => r.reviewer.displayName === "Maria Rodriguez")!;
    expect(maria).toMatchObject({
      starRating: "FIVE",
      rating: 5,
      locationName: `accounts/${GBP_SANDBOX.accountId}/locations/${BOULDER}`,
      reviewReply: { comment: "Thanks Maria! Glad we could get there fast." },
    });
    const ratingOnly = [...reviews.values()].find((r) => r.reviewer.displayName === "Lena Park")!;
    expect(ratingOnly).toMatchObject({ rating: 5, comment: null, reviewReply: null });
  });

  it("maps ONE..FIVE to 1..5 and STAR_RATING_UNSPECIFIED to null", async () => {
    const w = await connectWorld(server, { seed: false });
    const names = (["ONE", "TWO", "THREE", "FOUR", "FIVE", "STAR_RATING_UNSPECIFIED"] as const).map(
      (rating) => w.fake.leaveReview({ rating, comment: rating }).name,
    );
    await w.sync("reviews");
    const reviews = await w.stored<ReviewRecord>("reviews");
    expect(names.map((n) => reviews.get(n)?.rating)).toEqual([1, 2, 3, 4, 5, null]);
    expect(starRatingValue(undefined)).toBeNull();
  });

  it("pages through a busy location 50 reviews at a time, newest change first", async () => {
    const w = await connectWorld(server, { seed: false });
    for (let i = 0; i < 120; i++) w.fake.leaveReview({ location: BOULDER, rating: 4 });
    const run = await w.sync("reviews");
    expect(run.inserted).toBe(120);
    const pages = calls(w.fake, new RegExp(`locations/${BOULDER}/reviews`));
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page).toContain("pageSize=50");
      expect(page).toContain("orderBy=updateTime+desc");
    }
  });

  it("an incremental run reads only what changed since the last one, and stops at the watermark", async () => {
    const w = await connectWorld(server, { seed: false });
    const written = Array.from({ length: 120 }, () => w.fake.leaveReview({ location: BOULDER }));
    await w.sync("reviews");
    const before = calls(w.fake, /reviews/).length;
    w.fake.editReview(written[3]!.name, { rating: 1, comment: "The fix didn't hold." });
    const fresh = w.fake.leaveReview({ location: LONGMONT, rating: 2, comment: "No show" });

    const run = await w.sync("reviews", "incremental");
    expect(run).toMatchObject({
      status: "succeeded",
      mode: "incremental",
      inserted: 1,
      updated: 1,
    });
    // One page per location: the first page already reaches the watermark.
    expect(calls(w.fake, /reviews/).length - before).toBe(2);
    const reviews = await w.stored<ReviewRecord>("reviews");
    expect(reviews.get(written[3]!.name)).toMatchObject({
      rating: 1,
      comment: "The fix didn't hold.",
    });
    expect(reviews.get(fresh.name)).toMatchObject({ rating: 2 });
  });

  it("a reply made in Google's UI and a deleted review show up on the next full run", async () => {
    const w = await connectWorld(server);
    await w.sync("reviews");
    const [tom] = w.fake.reviews(BOULDER).filter((r) => r.reviewer.displayName === "Tom Becker");
    const [omar] = w.fake.reviews(BOULDER).filter((r) => r.reviewer.displayName === "Omar Haddad");
    w.fake.replyInGoogle(tom!.name, "Sorry Tom, we've changed how we confirm windows.");
    w.fake.deleteReview(omar!.name);
    const run = await w.sync("reviews", "full");
    expect(run).toMatchObject({ updated: 1, deleted: 1 });
    const reviews = await w.stored<ReviewRecord>("reviews");
    expect(reviews.get(tom!.name)?.reviewReply?.comment).toBe(
      "Sorry Tom, we've changed how we confirm windows.",
    );
    expect(reviews.has(omar!.name)).toBe(false);
  });

  it("only syncs the locations the config names", async () => {
    const w = await connectWorld(server, { config: { locationIds: [`locations/${LONGMONT}`] } });
    const run = await w.sync("reviews");
    expect(run.inserted).toBe(5);
    expect(calls(w.fake, new RegExp(`locations/${BOULDER}/reviews`))).toEqual([]);
  });
});
