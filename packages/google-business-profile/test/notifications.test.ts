import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { googleBusinessProfile, type ReviewRecord, readNotification } from "../src/index.js";
import {
  GBP_SANDBOX,
  GBP_SANDBOX_APP,
  GBP_SANDBOX_PUBSUB,
  type PushNotificationOptions,
} from "../src/testing/index.js";
import { connectWorld, TENANT } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const [BOULDER] = GBP_SANDBOX.locationIds;

describe("notification setting lifecycle", () => {
  it("connecting points the account's notifications at the host's topic, and remembers the account", async () => {
    const w = await connectWorld(server, {
      config: { notificationTypes: ["NEW_REVIEW", "UPDATED_REVIEW", "GOOGLE_UPDATE"] },
    });
    expect(w.fake.notificationSetting()).toEqual({
      pubsubTopic: GBP_SANDBOX_PUBSUB.topicName,
      notificationTypes: ["GOOGLE_UPDATE", "NEW_REVIEW", "UPDATED_REVIEW"],
    });
    expect((await w.current()).metadata).toMatchObject({
      accountId: GBP_SANDBOX.accountId,
      notificationTopic: GBP_SANDBOX_PUBSUB.topicName,
    });
  });

  it("disconnecting clears the setting, but leaves another tool's topic alone", async () => {
    const w = await connectWorld(server);
    await w.patchbay.connections.disconnect(TENANT, w.connection.id);
    expect(w.fake.notificationSetting()).toEqual({ pubsubTopic: "", notificationTypes: [] });

    const other = await connectWorld(server);
    const token = await other.patchbay.tokens.getAccessToken({
      tenantId: TENANT,
      id: other.connection.id,
    });
    await fetch(
      `https://mybusinessnotifications.googleapis.com/v1/accounts/${GBP_SANDBOX.accountId}/notificationSetting?updateMask=pubsubTopic`,
      {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ pubsubTopic: "projects/reviews-vendor/topics/all" }),
      },
    );
    await other.patchbay.connections.disconnect(TENANT, other.connection.id);
    expect(other.fake.notificationSetting().pubsubTopic).toBe("projects/reviews-vendor/topics/all");
  });
});

describe("push deliveries", () => {
  it("a customer's new review reaches the host through Pub/Sub and is synced", async () => {
    const w = await connectWorld(server);
    await w.sync("reviews");
    const review = w.fake.leaveReview({
      location: BOULDER,
      rating: 1,
      comment: "Flooded basement, nobody came.",
    });
    const [answer] = await w.settle();
    expect(answer?.status).toBe(202);
    const stored = await w.stored<ReviewRecord>("reviews");
    expect(stored.get(review.name)).toMatchObject({
      rating: 1,
      comment: "Flooded basement, nobody came.",
    });
    const runs = await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id });
    expect(runs[0]).toMatchObject({ model: "reviews", mode: "incremental", trigger: "webhook" });
  });

  it("an edited review arrives the same way", async () => {
    const w = await connectWorld(server);
    await w.sync("reviews");
    const [review] = w.fake.reviews(BOULDER);
    w.fake.editReview(review!.name, { rating: 3, comment: "Update: had to call them back." });
    await w.settle();
    expect((await w.stored<ReviewRecord>("reviews")).get(review!.name)).toMatchObject({
      rating: 3,
    });
  });

  it.each<[string, PushNotificationOptions]>([
    ["signed with a key Google never published", { forged: true }],
    ["for another audience", { audience: "https://evil.example/webhooks" }],
    ["from another service account", { email: "attacker@evil.iam.gserviceaccount.com" }],
    ["with an unverified email", { emailVerified: false }],
    ["expired", { issuedAt: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 3600 }],
    ["from another issuer", { issuer: "https://evil.example" }],
  ])("a push %s is rejected with 401 and syncs nothing", async (_title, options) => {
    const w = await connectWorld(server);
    const response = await w.patchbay.handleWebhook(
      "google-business-profile",
      w.fake.pushNotification(options),
    );
    expect(response.status).toBe(401);
    expect(await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).toEqual([]);
  });

  it("a push for an account no connection manages is answered 404", async () => {
    const w = await connectWorld(server);
    const response = await w.patchbay.handleWebhook(
      "google-business-profile",
      w.fake.pushNotification({
        locationName: "accounts/555/locations/777",
        reviewName: "accounts/555/locations/777/reviews/x",
      }),
    );
    expect(response.status).toBe(404);
  });

  it("a media notification is acknowledged and syncs nothing", async () => {
    const w = await connectWorld(server);
    const response = await w.patchbay.handleWebhook(
      "google-business-profile",
      w.fake.pushNotification({ type: "NEW_CUSTOMER_MEDIA" }),
    );
    expect(response.status).toBeLessThan(300);
    expect(await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).toEqual([]);
  });

  it("reads the documented field names and the other spellings seen in the wild", () => {
    const envelope = (data: object) => ({
      payload: {
        message: { data: Buffer.from(JSON.stringify(data)).toString("base64"), messageId: "1" },
      },
    });
    const review = "accounts/1/locations/2/reviews/3";
    expect(
      readNotification(
        envelope({
          notificationType: "NEW_REVIEW",
          locationName: "accounts/1/locations/2",
          reviewName: review,
        }),
      ),
    ).toEqual({
      type: "NEW_REVIEW",
      accountId: "1",
      locationName: "accounts/1/locations/2",
      reviewName: review,
    });
    expect(
      readNotification(
        envelope({ type: "UPDATED_REVIEW", location: "accounts/1/locations/2", review }),
      ),
    ).toMatchObject({
      type: "UPDATED_REVIEW",
      accountId: "1",
    });
    expect(readNotification({ payload: { message: { data: "not base64 json" } } })).toBeUndefined();
  });

  it("bad Pub/Sub options fail when the connector is built, naming the field", () => {
    expect(() =>
      googleBusinessProfile({
        ...GBP_SANDBOX_APP,
        pubsub: { ...GBP_SANDBOX_PUBSUB, topicName: "gbp" },
      }),
    ).toThrow(new TypeError('"pubsub.topicName" must look like projects/<project>/topics/<topic>'));
    expect(() => googleBusinessProfile({ ...GBP_SANDBOX_APP, clientId: "" })).toThrow(
      new TypeError('"clientId" must be a non-empty string'),
    );
  });
});
