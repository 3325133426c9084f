/**
 * Drive push notifications for the `files` model: one `changes.watch`
 * channel per connection, opened on connect, re-opened before it expires,
 * stopped on disconnect. Drive signs nothing: a delivery is genuine when its
 * `X-Goog-Channel-Token` equals the random token the channel was opened with
 * (kept sealed as the connection's webhook secret), and it only says "something
 * changed", so each one triggers an incremental sync.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/push
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  type ConnectorLifecycle,
  type Json,
  type LifecycleContext,
  type LifecycleResult,
  NotFoundError,
  timingSafeEqual,
  type WebhookSpec,
} from "@patchbay/core";
import { DRIVE_CHANGES_CHANNEL_MAX_TTL_MS } from "./endpoints.js";
import { startPageToken } from "./files-model.js";
import type { DriveChannel, GoogleDriveConfig } from "./schemas.js";

/**
 * Re-open a channel when it has less than this left (two days). With daily maintenance
 * and week-long channels, a channel is replaced after about five days, and
 * one failed renewal still leaves a day to try again.
 *
 * @example
 * ```ts
 * const due = expiresAt - Date.now() <= DRIVE_CHANNEL_RENEW_WITHIN_MS;
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/push#renew-notification-channels
 */
export const DRIVE_CHANNEL_RENEW_WITHIN_MS = 2 * 24 * 60 * 60 * 1000;

/** Drive's default when a watch request names no expiration: one hour. */
const DEFAULT_CHANNEL_TTL_MS = 60 * 60 * 1000;

type Context = LifecycleContext<GoogleDriveConfig>;

/** The channel a connection has open, from its metadata. */
interface OpenChannel {
  channelId: string;
  resourceId: string;
  expiresAt: number;
  address: string | undefined;
}

function openChannelOf(metadata: Record<string, Json>): OpenChannel | undefined {
  const { channelId, resourceId, channelExpiresAt, channelAddress } = metadata;
  if (typeof channelId !== "string" || typeof resourceId !== "string") return undefined;
  const expiresAt =
    typeof channelExpiresAt === "string" ? Date.parse(channelExpiresAt) : Number.NaN;
  return {
    channelId,
    resourceId,
    expiresAt: Number.isNaN(expiresAt) ? 0 : expiresAt,
    address: typeof channelAddress === "string" ? channelAddress : undefined,
  };
}

/** Metadata that says "no channel" (merged over the old values). */
const NO_CHANNEL: Record<string, Json> = {
  channelId: null,
  resourceId: null,
  channelExpiresAt: null,
  channelAddress: null,
};

/** Open a changes channel to `address`, watching from the feed's current position. */
async function openChannel(ctx: Context, address: string): Promise<LifecycleResult> {
  const pageToken = await startPageToken(ctx.http);
  const token = randomBytes(32).toString("base64url");
  const id = randomUUID();
  const { data } = await ctx.http.post<DriveChannel>("changes/watch", {
    query: { pageToken, supportsAllDrives: true, includeItemsFromAllDrives: true },
    json: {
      id,
      type: "web_hook",
      address,
      token,
      expiration: String(Date.now() + DRIVE_CHANGES_CHANNEL_MAX_TTL_MS),
    },
  });
  // Drive may shorten the lifetime asked for: its answer is the truth.
  const expiration = Number(data.expiration);
  const expiresAt = Number.isFinite(expiration) ? expiration : Date.now() + DEFAULT_CHANNEL_TTL_MS;
  return {
    webhookSecret: token,
    metadata: {
      channelId: data.id ?? id,
      resourceId: data.resourceId,
      channelExpiresAt: new Date(expiresAt).toISOString(),
      channelAddress: address,
    },
  };
}

/** Stop a channel; one Drive no longer knows (expired, already stopped) is fine. */
async function stopChannel(ctx: Context, channel: OpenChannel): Promise<void> {
  try {
    await ctx.http.post("channels/stop", {
      json: { id: channel.channelId, resourceId: channel.resourceId },
      responseType: "text",
      // Stopping twice stops once.
      idempotent: true,
    });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/**
 * Make the connection's channel match the host: open one when a webhook URL
 * is set and none is open (or it expires soon, or the URL moved), and stop
 * the one that is replaced; stop it when the host no longer takes webhooks.
 */
async function ensureChannel(ctx: Context): Promise<LifecycleResult | undefined> {
  const current = openChannelOf(ctx.metadata);
  if (ctx.webhookUrl === undefined) {
    if (current === undefined) return undefined;
    await stopChannel(ctx, current);
    return { metadata: NO_CHANNEL };
  }
  if (
    current !== undefined &&
    current.address === ctx.webhookUrl &&
    current.expiresAt - Date.now() > DRIVE_CHANNEL_RENEW_WITHIN_MS
  ) {
    return undefined;
  }
  const opened = await openChannel(ctx, ctx.webhookUrl);
  if (current !== undefined) {
    // The new channel is open, so a failure here loses nothing: the old one expires on its own.
    await stopChannel(ctx, current).catch((error: unknown) =>
      ctx.logger.warn("could not stop the replaced Drive channel; it will expire on its own", {
        connectionId: ctx.connection.id,
        error,
      }),
    );
  }
  return opened;
}

/**
 * Open, renew and stop the connection's changes channel.
 *
 * @example
 * ```ts
 * // Done by Patchbay: setup after connect, maintenance daily, teardown on disconnect.
 * const result = await googleDriveLifecycle.setup?.(ctx);
 * ```
 * @see https://developers.google.com/workspace/drive/api/reference/rest/v3/changes/watch
 */
export const googleDriveLifecycle: ConnectorLifecycle<GoogleDriveConfig> = {
  setup: ensureChannel,
  async teardown(ctx) {
    const current = openChannelOf(ctx.metadata);
    if (current !== undefined) await stopChannel(ctx, current);
  },
  maintenance: { everyMinutes: 24 * 60, run: ensureChannel },
};

function header(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  return value === null || value === "" ? undefined : value;
}

/**
 * How Drive push messages are checked and routed.
 *
 * @example
 * ```ts
 * // A host's route hands every delivery to Patchbay:
 * app.post("/integrations/webhooks/:connector", (req) => patchbay.handleWebhook(req.params.connector, req));
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/push#receive-notifications
 */
export const googleDriveWebhooks: WebhookSpec = {
  // The token is per channel, so per connection.
  secret: "connection",
  // The first message on a channel says only that it is open: acknowledge it, sync nothing.
  handshake: (request) =>
    request.method.toUpperCase() === "POST" &&
    request.headers.get("x-goog-resource-state") === "sync"
      ? Response.json({ status: "sync acknowledged" }, { status: 200 })
      : undefined,
  verify: (delivery, secrets) => {
    const token = header(delivery.headers, "x-goog-channel-token");
    const secret = secrets.connection;
    return (
      token !== undefined &&
      typeof secret === "string" &&
      secret !== "" &&
      timingSafeEqual(token, secret)
    );
  },
  deliveryId: (delivery) => {
    const channel = header(delivery.headers, "x-goog-channel-id");
    const number = header(delivery.headers, "x-goog-message-number");
    // Message numbers count per channel; channel ids are UUIDs.
    return channel !== undefined && number !== undefined ? `${channel}:${number}` : undefined;
  },
  route: (delivery) => {
    const channelId = header(delivery.headers, "x-goog-channel-id");
    return channelId === undefined ? undefined : { channelId };
  },
  actions: (delivery, connection) => {
    const resourceId = header(delivery.headers, "x-goog-resource-id");
    const expected = connection.metadata.resourceId;
    if (typeof expected === "string" && resourceId !== undefined && resourceId !== expected)
      return [];
    return [{ kind: "sync", model: "files" }];
  },
};
