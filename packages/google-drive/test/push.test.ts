import type { LifecycleContext } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  DRIVE_CHANGES_CHANNEL_MAX_TTL_MS,
  type GoogleDriveConfig,
  googleDriveLifecycle,
} from "../src/index.js";
import { driveWorld, TENANT, WEBHOOK_BASE } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

const DAY = 24 * 60 * 60 * 1000;
const ADDRESS = `${WEBHOOK_BASE}/google-drive`;

async function pushWorld(options: Parameters<typeof driveWorld>[1] = {}) {
  const w = await driveWorld(server, { webhookBaseUrl: WEBHOOK_BASE, ...options });
  const runs = async () => w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id });
  const deliver = (request: Request) => w.patchbay.handleWebhook("google-drive", request);
  const lifecycleContext = async (webhookUrl: string | undefined) =>
    ({ ...(await w.context()), webhookUrl }) satisfies LifecycleContext<GoogleDriveConfig>;
  return { ...w, runs, deliver, lifecycleContext };
}

describe("changes channel lifecycle", () => {
  it("without a webhook URL, connecting opens no channel", async () => {
    const w = await driveWorld(server);
    expect(w.drive.state.channels.size).toBe(0);
    expect(w.connection.metadata.channelId).toBeUndefined();
  });

  it("on connect, opens a week-long changes channel to <webhookBaseUrl>/google-drive with a sealed random token", async () => {
    const before = Date.now();
    const w = await pushWorld();
    const [channel, ...others] = w.drive.activeChannels();
    expect(others).toEqual([]);
    expect(channel?.address).toBe(ADDRESS);
    expect(channel?.token).toMatch(/^[\w-]{43}$/);
    expect(channel?.expiration).toBeGreaterThanOrEqual(before + DRIVE_CHANGES_CHANNEL_MAX_TTL_MS);

    const connection = await w.current();
    expect(connection.metadata).toMatchObject({
      channelId: channel?.id,
      resourceId: channel?.resourceId,
      channelAddress: ADDRESS,
      channelExpiresAt: new Date(channel?.expiration ?? 0).toISOString(),
    });
    expect(JSON.stringify(connection)).not.toContain(channel?.token);
  });

  it("setup again with a live channel opens nothing", async () => {
    const w = await pushWorld();
    expect(await googleDriveLifecycle.setup?.(await w.lifecycleContext(ADDRESS))).toBeUndefined();
    expect(w.drive.state.channels.size).toBe(1);
  });

  it("setup after the host's webhook URL moved opens a channel there and stops the old one", async () => {
    const w = await pushWorld();
    const [old] = w.drive.activeChannels();
    const moved = "https://hooks.example.com/patchbay/google-drive";
    const result = await googleDriveLifecycle.setup?.(await w.lifecycleContext(moved));
    expect(result?.metadata).toMatchObject({ channelAddress: moved });
    expect(result?.webhookSecret).not.toBe(old?.token);
    expect(w.drive.activeChannels().map((c) => c.address)).toEqual([moved]);
    expect(old?.stopped).toBe(true);
  });

  it("daily maintenance leaves a fresh channel alone and replaces one about to expire", async () => {
    const w = await pushWorld();
    w.drive.addFile({ name: "a.csv" });
    await w.sync();
    const [first] = w.drive.activeChannels();
    expect(await w.patchbay.runMaintenance()).toEqual({ ran: 1, failed: [] });
    expect((await w.current()).metadata.channelId).toBe(first?.id);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 6 * DAY); // one day of the week left
    expect(await w.patchbay.runMaintenance()).toEqual({ ran: 1, failed: [] });

    const [second, ...others] = w.drive.activeChannels();
    expect(others).toEqual([]);
    expect(second?.id).not.toBe(first?.id);
    expect(first?.stopped).toBe(true);
    const connection = await w.current();
    expect(connection.metadata.channelId).toBe(second?.id);
    // The new channel's token is the one now sealed: its messages verify, the old channel's route nowhere.
    expect((await w.deliver(w.drive.webhook(connection))).status).toBe(202);
    expect((await w.deliver(w.drive.webhook(connection, { channelId: first?.id }))).status).toBe(
      404,
    );
  });

  it("disconnecting stops the channel", async () => {
    const w = await pushWorld();
    const [channel] = w.drive.activeChannels();
    await w.patchbay.connections.disconnect(TENANT, w.connection.id);
    expect(channel?.stopped).toBe(true);
    expect(w.drive.activeChannels()).toEqual([]);
  });

  it("maintenance after the host dropped its webhook URL stops the channel and forgets it", async () => {
    const w = await pushWorld();
    const [channel] = w.drive.activeChannels();
    const result = await googleDriveLifecycle.maintenance?.run(await w.lifecycleContext(undefined));
    expect(result?.metadata).toMatchObject({ channelId: null, resourceId: null });
    expect(channel?.stopped).toBe(true);
  });

  it("a webhook address on a domain Drive has not verified is reported clearly; the connection stays active", async () => {
    const failures: string[] = [];
    const w = await driveWorld(server, {
      webhookBaseUrl: WEBHOOK_BASE,
      fake: { verifiedDomains: ["hooks.example.org"] },
    });
    // The hook failed during connect: run it again to see the error it gives.
    w.patchbay.on("connection.lifecycle_failed", ({ error }) => void failures.push(error));
    await w.patchbay.runMaintenance();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("Unauthorized WebHook callback channel");
    expect(failures[0]).toContain("verify the webhook domain");
    expect((await w.current()).status).toBe("active");
    expect(w.drive.state.channels.size).toBe(0);
  });
});

describe("push messages", () => {
  it("a genuine message runs an incremental sync that picks up the change", async () => {
    const w = await pushWorld();
    const file = w.drive.addFile({ name: "a.csv" });
    await w.sync();
    w.drive.renameFile(file.id, "b.csv");

    const response = await w.deliver(w.drive.webhook(await w.current()));

    expect(response.status).toBe(202);
    const [latest] = await w.runs();
    expect(latest).toMatchObject({ trigger: "webhook", mode: "incremental", updated: 1 });
    expect((await w.stored()).get(file.id)?.name).toBe("b.csv");
  });

  it("the sync message Drive sends when a channel opens is acknowledged and syncs nothing", async () => {
    const w = await pushWorld();
    const response = await w.deliver(w.drive.webhook(await w.current(), { state: "sync" }));
    expect(response.status).toBe(200);
    expect(await w.runs()).toEqual([]);
    expect(
      w.drive.log.filter((l) => l.method.startsWith("files.") || l.method === "changes.list"),
    ).toEqual([]);
  });

  it("a message with a forged channel token is rejected and syncs nothing", async () => {
    const w = await pushWorld();
    const response = await w.deliver(w.drive.webhook(await w.current(), { forged: true }));
    expect(response.status).toBe(401);
    expect(await w.runs()).toEqual([]);
  });

  it("a message for a channel no connection owns matches nothing", async () => {
    const w = await pushWorld();
    const response = await w.deliver(w.drive.webhook(await w.current(), { channelId: "not-ours" }));
    expect(response.status).toBe(404);
    expect(await w.runs()).toEqual([]);
  });

  it("a message delivered twice (same channel and message number) is applied once", async () => {
    const w = await pushWorld();
    await w.sync();
    const message = w.drive.webhook(await w.current());
    expect((await w.deliver(message.clone())).status).toBe(202);
    const again = await w.deliver(message);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect((await w.runs()).filter((r) => r.trigger === "webhook")).toHaveLength(1);
  });

  it("pending notifications reach the host for each change batch, as Drive would send them", async () => {
    const w = await pushWorld();
    await w.sync();
    expect(w.drive.pendingNotifications()).toEqual([]);
    const file = w.drive.addFile({ name: "new.csv" });
    const [notification, ...more] = w.drive.pendingNotifications();
    expect(more).toEqual([]);
    expect((await w.deliver(notification as Request)).status).toBe(202);
    expect((await w.stored()).has(file.id)).toBe(true);
  });
});
