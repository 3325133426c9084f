/**
 * The `send` and `track` actions: send a pitch, or register an existing
 * message or thread, with its contact and campaign. Each returns the tracked
 * entry and the connection's next config: store it with
 * `patchbay.connections.configure` (or use {@link gmailReplyTracking}, which
 * does both).
 *
 * @see https://developers.google.com/workspace/gmail/api/guides/sending
 */
import type { ConnectorContext } from "@patchbay/core";
import type { z } from "zod";
import { getMessage, getThread, sendRaw } from "./api.js";
import { buildRfc2822, encodeRaw, payloadHeader } from "./mime.js";
import {
  type GmailConfig,
  type GmailMessage,
  type SendInput,
  SendInputSchema,
  type TrackedThread,
  type TrackInput,
  TrackInputSchema,
} from "./schemas.js";
import { gmailThreadUrl, readGmailConfig, withTrackedThread } from "./tracking.js";

/**
 * What `track` returns: the entry, the connection's next config (store it),
 * and any entries dropped to stay within `MAX_TRACKED_THREADS`.
 *
 * @example
 * ```ts
 * const { tracked, config } = await connector.actions.track.run(ctx, input) as TrackResult;
 * await patchbay.connections.configure(tenantId, connectionId, config);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export interface TrackResult {
  tracked: TrackedThread;
  config: GmailConfig;
  dropped: TrackedThread[];
}

/**
 * What `send` returns: Gmail's answer, the "open in Gmail" link, and the
 * tracking as {@link TrackResult}.
 *
 * @example
 * ```ts
 * const { message, gmailUrl, config } = await connector.actions.send.run(ctx, pitch) as SendResult;
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export interface SendResult extends TrackResult {
  message: { id: string; threadId: string; labelIds: string[] };
  gmailUrl: string;
}

/** Validate action input; a bad field is a TypeError naming it. */
function parseInput<S extends z.ZodType>(schema: S, input: unknown, action: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join(".") || "input";
  throw new TypeError(`gmail ${action}: "${path}" is invalid (${issue?.message ?? "invalid"})`);
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
}

function connectedAddress(ctx: ConnectorContext): string | undefined {
  const address = ctx.metadata.emailAddress;
  return typeof address === "string" ? address : undefined;
}

/**
 * The pitch in a thread: its first message the owner sent (labelled `SENT`),
 * else its first message.
 */
function anchorOf(messages: GmailMessage[]): GmailMessage | undefined {
  const ordered = [...messages].sort((a, b) => Number(a.internalDate) - Number(b.internalDate));
  return ordered.find((m) => m.labelIds?.includes("SENT")) ?? ordered[0];
}

/**
 * Track a message or thread: read the pitch (`messages.get` or `threads.get`
 * in metadata format) for its thread, subject and date, and return the entry
 * and the connection's next config.
 *
 * @throws TypeError naming a bad field; NotFoundError when Gmail has no such message or thread.
 * @example
 * ```ts
 * const result = await runTrack(ctx, { threadId: "18f3a2b4c5d6e7f8", contactEmail: "dj@kexp.org", campaignId: "cmp_42" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads/get
 */
export async function runTrack(
  ctx: ConnectorContext,
  input: TrackInput | unknown,
  now: () => number = Date.now,
): Promise<TrackResult> {
  const parsed = parseInput(TrackInputSchema, input, "track");
  if ((parsed.threadId === undefined) === (parsed.messageId === undefined)) {
    throw new TypeError('gmail track: exactly one of "threadId" or "messageId" is required');
  }
  let anchor: GmailMessage | undefined;
  if (parsed.messageId !== undefined) {
    anchor = await getMessage(ctx.http, parsed.messageId, "metadata", ["Subject", "From"]);
  } else {
    const thread = await getThread(ctx.http, parsed.threadId!, "metadata", ["Subject", "From"]);
    anchor = anchorOf(thread.messages ?? []);
  }
  if (anchor === undefined) throw new TypeError('gmail track: "threadId" names an empty thread');
  const tracked: TrackedThread = {
    threadId: anchor.threadId,
    contactEmail: parsed.contactEmail.toLowerCase(),
    campaignId: parsed.campaignId,
    subject: parsed.subject ?? payloadHeader(anchor.payload, "Subject") ?? "",
    anchorMessageId: anchor.id,
    sentAt: iso(Number(anchor.internalDate)),
    trackedAt: iso(now()),
  };
  return { tracked, ...withTrackedThread(readGmailConfig(ctx.config), tracked) };
}

/**
 * Send a pitch (`messages.send` with an RFC 2822 message built here) and
 * track it from the start. The sent message is read back (`messages.get`,
 * metadata) for Gmail's timestamp.
 *
 * @throws TypeError naming a bad field.
 * @example
 * ```ts
 * const result = await runSend(ctx, { to: "dj@kexp.org", subject: "New single", text: "Hi Cheryl, …", campaignId: "cmp_42" });
 * result.gmailUrl; // open the sent pitch in Gmail
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export async function runSend(
  ctx: ConnectorContext,
  input: SendInput | unknown,
  now: () => number = Date.now,
): Promise<SendResult> {
  const parsed = parseInput(SendInputSchema, input, "send");
  const me = connectedAddress(ctx);
  const startedAt = now();
  const raw = buildRfc2822({
    from: me,
    to: parsed.to,
    subject: parsed.subject,
    text: parsed.text,
    html: parsed.html,
    date: new Date(startedAt),
  });
  const sent = await sendRaw(ctx.http, encodeRaw(raw));
  let sentAt = startedAt;
  try {
    const echo = await getMessage(ctx.http, sent.id, "metadata", ["Subject"]);
    sentAt = Number(echo.internalDate);
  } catch (error) {
    // Sent already: track it with our own clock rather than fail.
    ctx.logger.warn("gmail send: could not read the sent message back; using the local time", {
      error,
    });
  }
  const tracked: TrackedThread = {
    threadId: sent.threadId,
    contactEmail: (parsed.contactEmail ?? parsed.to).toLowerCase(),
    campaignId: parsed.campaignId,
    subject: parsed.subject,
    anchorMessageId: sent.id,
    sentAt: iso(sentAt),
    trackedAt: iso(now()),
  };
  return {
    message: { id: sent.id, threadId: sent.threadId, labelIds: sent.labelIds ?? [] },
    gmailUrl: gmailThreadUrl(sent.threadId, me),
    tracked,
    ...withTrackedThread(readGmailConfig(ctx.config), tracked),
  };
}
