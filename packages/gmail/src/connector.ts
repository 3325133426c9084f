/**
 * The Gmail connector: send pitches, track replies, classify them.
 *
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
import { type ConnectorDefinition, defineConnector, defineModel } from "@patchbay/core";
import { type GoogleOAuthOptions, googleOAuth, parseGoogleError } from "@patchbay/google-common";
import { runSend, runTrack } from "./actions.js";
import { getProfile } from "./api.js";
import { GMAIL_API_BASE, GMAIL_SCOPES } from "./endpoints.js";
import { type GmailPubSubOptions, gmailPushWebhooks, gmailWatchLifecycle } from "./push.js";
import { syncReplies } from "./replies.js";
import {
  GmailConfigSchema,
  GmailReplySchema,
  SendInputSchema,
  TrackInputSchema,
} from "./schemas.js";

/**
 * Options of {@link gmail}: the host's Google OAuth app, and optionally its
 * Pub/Sub setup for push notifications.
 *
 * @example
 * ```ts
 * const options: GmailOptions = { clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface GmailOptions extends GoogleOAuthOptions {
  /** Push notifications through Cloud Pub/Sub. Without it, replies are found by scheduled syncs only. */
  pubsub?: GmailPubSubOptions;
}

/**
 * Requests per minute per connection. Gmail allows 15,000 quota units per
 * user per minute and the costliest call the connector makes (send, watch)
 * is 100 units, so 120 requests stay under 12,000 units whatever the mix.
 */
const REQUESTS_PER_MINUTE = 120;

/**
 * The Gmail connector. Scopes: `gmail.send` and `gmail.readonly` (see
 * `GMAIL_SCOPES` for why). Model `replies` (read-only, incremental through
 * `history.list`); actions `send` and `track`; push through Pub/Sub when
 * `pubsub` is given.
 *
 * @example
 * ```ts
 * const patchbay = createPatchbay({
 *   connectors: [gmail({ clientId, clientSecret, pubsub: { topicName, audience, serviceAccountEmail } })],
 *   store, vault,
 * });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export function gmail(options: GmailOptions): ConnectorDefinition<typeof GmailConfigSchema> {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object with clientId and clientSecret');
  if (typeof options.clientId !== "string" || options.clientId === "")
    throw new TypeError('"clientId" must be a non-empty string');
  if (typeof options.clientSecret !== "string" || options.clientSecret === "")
    throw new TypeError('"clientSecret" must be a non-empty string');
  const push = options.pubsub;
  return defineConnector({
    id: "gmail",
    name: "Gmail",
    category: "email",
    description:
      "Send pitches from the user's Gmail and track the replies: interested, not interested, out of office, bounced.",
    docsUrl: "https://developers.google.com/workspace/gmail/api/reference/rest",
    auth: googleOAuth(options, [...GMAIL_SCOPES], {
      // Push notifications name the mailbox by address: keep it for routing.
      metadata: async ({ http }) => ({
        emailAddress: (await getProfile(http)).emailAddress.toLowerCase(),
      }),
    }),
    http: {
      baseUrl: GMAIL_API_BASE,
      parseError: parseGoogleError,
      rateLimits: [{ requests: REQUESTS_PER_MINUTE, intervalMs: 60_000 }],
      // Gmail answers 429 "Too many concurrent requests for user" past an undocumented cap.
      maxConcurrent: { limit: 10 },
    },
    config: GmailConfigSchema,
    test: async ({ http }) => {
      await getProfile(http);
    },
    models: {
      replies: defineModel({
        description:
          "Replies to tracked pitches, classified (interested, not_interested, out_of_office, bounce, other)",
        schema: GmailReplySchema,
        key: "id",
        updatedAt: (reply) => reply.date,
        modes: ["full", "incremental"],
        // A daily full resync at a 15-minute schedule catches deletions a
        // history gap hid and drops replies of threads no longer tracked.
        fullEvery: 96,
        sync: syncReplies,
      }),
    },
    actions: {
      send: {
        description:
          "Send a pitch from the connected Gmail account and track its replies. Returns the next config to store.",
        input: SendInputSchema,
        run: (ctx, input) => runSend(ctx, input),
      },
      track: {
        description:
          "Track replies to a message or thread sent some other way. Returns the next config to store.",
        input: TrackInputSchema,
        run: (ctx, input) => runTrack(ctx, input),
      },
    },
    ...(push === undefined
      ? {}
      : { webhooks: gmailPushWebhooks(push), lifecycle: gmailWatchLifecycle(push) }),
  });
}
