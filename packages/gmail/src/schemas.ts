/**
 * Schemas: the connection's config (tracked threads), the `replies` record,
 * the actions' inputs, and the Gmail wire types the connector reads (with
 * Gmail's own field names).
 *
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
import { z } from "zod";
import { REPLY_LABELS } from "./classify.js";

/**
 * The most threads one connection tracks. Tracking more drops the oldest
 * (by `trackedAt`); their replies then leave the `replies` model at the next
 * full sync. It bounds the config's size and the cost of a full resync
 * (one `threads.get`, 10 quota units, per tracked thread).
 *
 * @example
 * ```ts
 * if (config.trackedThreads.length === MAX_TRACKED_THREADS) warnUser();
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const MAX_TRACKED_THREADS = 1000;

/**
 * A thread whose replies are tracked: which contact and campaign it belongs
 * to, and the pitch ("anchor") replies must come after.
 *
 * @example
 * ```ts
 * const entry: TrackedThread = {
 *   threadId: "18f3a2b4c5d6e7f8", contactEmail: "dj@kexp.org", campaignId: "cmp_42",
 *   subject: "New single: Hot Chip – Devotion", anchorMessageId: "18f3a2b4c5d6e7f8",
 *   sentAt: "2024-06-04T09:30:00.000Z", trackedAt: "2024-06-04T09:30:01.000Z",
 * };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const TrackedThreadSchema = z.object({
  /** Gmail thread id. */
  threadId: z.string().min(1),
  /** The contact the pitch went to, lowercased. */
  contactEmail: z.email(),
  /** The host's campaign id. */
  campaignId: z.string().min(1),
  /** The pitch's subject (as sent), for the address+subject fallback. */
  subject: z.string(),
  /** The pitch message; replies are messages after it. */
  anchorMessageId: z.string().min(1),
  /** When the pitch was sent (Gmail `internalDate`), ISO 8601. */
  sentAt: z.iso.datetime(),
  /** When tracking started, ISO 8601; the oldest are dropped past {@link MAX_TRACKED_THREADS}. */
  trackedAt: z.iso.datetime(),
});

/**
 * A tracked thread. See {@link TrackedThreadSchema}.
 * @example
 * ```ts
 * const entries: TrackedThread[] = readGmailConfig(connection.config).trackedThreads;
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type TrackedThread = z.infer<typeof TrackedThreadSchema>;

/**
 * The connection's settings. Tracked threads live here because it is the
 * one per-connection place a host can write (`connections.configure`) and
 * every sync reads; see the docs page for the trade-offs.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { trackedThreads: [entry], matchBySubject: true });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GmailConfigSchema = z.object({
  trackedThreads: z
    .array(TrackedThreadSchema)
    .max(MAX_TRACKED_THREADS)
    .default([])
    .describe("Threads whose replies are tracked (written by the send and track actions)"),
  matchBySubject: z
    .boolean()
    .default(true)
    .describe(
      "Also match replies that start a new thread, by the contact's address and the pitch's subject",
    ),
});

/**
 * The connection's validated settings. See {@link GmailConfigSchema}.
 * @example
 * ```ts
 * const config: GmailConfig = { trackedThreads: [], matchBySubject: true };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type GmailConfig = z.infer<typeof GmailConfigSchema>;

/**
 * A reply to a tracked pitch: one record of the `replies` model, keyed by
 * the Gmail message id.
 *
 * @example
 * ```ts
 * const reply: GmailReply = {
 *   id: "18f3a2b4c5d6e7f9", threadId: "18f3a2b4c5d6e7f8", from: "dj@kexp.org", fromName: "Cheryl",
 *   to: "sam@label.com", subject: "Re: New single", date: "2024-06-04T11:02:00.000Z",
 *   snippet: "Sounds great, send it over!", gmailUrl: "https://mail.google.com/mail/?authuser=sam%40label.com#all/18f3a2b4c5d6e7f8",
 *   contactEmail: "dj@kexp.org", campaignId: "cmp_42", classification: "interested",
 *   classificationReason: 'phrase "send it over"', matchedBy: "thread", rfc822MessageId: "<CA+x@mail.gmail.com>",
 * };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GmailReplySchema = z.object({
  /** Gmail message id (the record key). */
  id: z.string(),
  threadId: z.string(),
  /** The sender's address, lowercased. */
  from: z.string(),
  /** The sender's display name, when the From header has one. */
  fromName: z.string().nullable(),
  /** The To header as sent. */
  to: z.string(),
  subject: z.string(),
  /** Gmail's `internalDate` (when Gmail accepted the message), ISO 8601. */
  date: z.string(),
  /** Gmail's preview text, entities decoded. */
  snippet: z.string(),
  /** "Open in Gmail": the thread in Gmail's web app, for the connected account. */
  gmailUrl: z.string(),
  /** From the tracked thread. */
  contactEmail: z.string(),
  /** From the tracked thread. */
  campaignId: z.string(),
  classification: z.enum(REPLY_LABELS),
  /** Which rule chose the label (`header Auto-Submitted: auto-replied`, `phrase "no thanks"`). */
  classificationReason: z.string(),
  /** `thread`: in a tracked thread; `address+subject`: a new thread from the contact with the pitch's subject. */
  matchedBy: z.enum(["thread", "address+subject"]),
  /** The RFC 2822 `Message-ID`, when present. */
  rfc822MessageId: z.string().nullable(),
});

/**
 * A record of the `replies` model. See {@link GmailReplySchema}.
 * @example
 * ```ts
 * const interested = replies.filter((r: GmailReply) => r.classification === "interested");
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type GmailReply = z.infer<typeof GmailReplySchema>;

/**
 * Input of the `track` action: exactly one of `threadId` or `messageId`.
 *
 * @example
 * ```ts
 * const input: TrackInput = { messageId: "18f3a2b4c5d6e7f8", contactEmail: "dj@kexp.org", campaignId: "cmp_42" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const TrackInputSchema = z.object({
  threadId: z.string().min(1).optional(),
  messageId: z.string().min(1).optional(),
  contactEmail: z.email(),
  campaignId: z.string().min(1),
  /** The pitch's subject; read from the message when omitted. */
  subject: z.string().optional(),
});

/**
 * Input of the `track` action. See {@link TrackInputSchema}.
 * @example
 * ```ts
 * const input: TrackInput = { threadId: "18f3a2b4c5d6e7f8", contactEmail: "dj@kexp.org", campaignId: "cmp_42" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type TrackInput = z.infer<typeof TrackInputSchema>;

const singleLine = (what: string) =>
  z.string().refine((value) => !/[\r\n]/.test(value), `${what} must be a single line`);

/**
 * Input of the `send` action.
 *
 * @example
 * ```ts
 * const input: SendInput = { to: "dj@kexp.org", subject: "New single", text: "Hi Cheryl, …", campaignId: "cmp_42" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const SendInputSchema = z.object({
  to: z.email(),
  subject: singleLine("subject").pipe(z.string().min(1)),
  text: z.string(),
  html: z.string().optional(),
  campaignId: z.string().min(1),
  /** Default: `to`. */
  contactEmail: z.email().optional(),
});

/**
 * Input of the `send` action. See {@link SendInputSchema}.
 * @example
 * ```ts
 * const input: SendInput = { to: "dj@kexp.org", subject: "New single", text: "Hi", campaignId: "cmp_42" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type SendInput = z.infer<typeof SendInputSchema>;

// ── Gmail wire types (Gmail's field names; loose: unknown fields kept) ─────

/**
 * `users.getProfile`.
 *
 * @example
 * ```ts
 * GmailProfileSchema.parse({ emailAddress: "sam@label.com", messagesTotal: 10, threadsTotal: 8, historyId: "5001" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile
 */
export const GmailProfileSchema = z.looseObject({
  emailAddress: z.string(),
  messagesTotal: z.number().optional(),
  threadsTotal: z.number().optional(),
  historyId: z.string(),
});

/** A message header. */
const HeaderSchema = z.object({ name: z.string(), value: z.string() });

/**
 * A MIME part of a message (`payload`).
 *
 * @example
 * ```ts
 * const part: GmailMessagePart = { mimeType: "text/plain", headers: [], body: { size: 3, data: "SGkh" } };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages#MessagePart
 */
export interface GmailMessagePart {
  partId?: string;
  mimeType?: string;
  filename?: string;
  headers?: Array<{ name: string; value: string }>;
  body?: { size?: number; data?: string; attachmentId?: string };
  parts?: GmailMessagePart[];
}

/**
 * Zod schema of {@link GmailMessagePart} (recursive).
 *
 * @example
 * ```ts
 * GmailMessagePartSchema.parse(message.payload);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GmailMessagePartSchema: z.ZodType<GmailMessagePart> = z.lazy(() =>
  z.looseObject({
    partId: z.string().optional(),
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    headers: z.array(HeaderSchema).optional(),
    body: z
      .looseObject({
        size: z.number().optional(),
        data: z.string().optional(),
        attachmentId: z.string().optional(),
      })
      .optional(),
    parts: z.array(GmailMessagePartSchema).optional(),
  }),
);

/**
 * A message (`messages.get`, inside `threads.get`).
 *
 * @example
 * ```ts
 * GmailMessageSchema.parse((await http.get(`/messages/${id}`)).data);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages#Message
 */
export const GmailMessageSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
  snippet: z.string().optional(),
  historyId: z.string().optional(),
  internalDate: z.string().optional(),
  sizeEstimate: z.number().optional(),
  payload: GmailMessagePartSchema.optional(),
});

/**
 * A message. See {@link GmailMessageSchema}.
 * @example
 * ```ts
 * const message: GmailMessage = GmailMessageSchema.parse(data);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export type GmailMessage = z.infer<typeof GmailMessageSchema>;

/**
 * A thread (`threads.get`).
 *
 * @example
 * ```ts
 * GmailThreadSchema.parse((await http.get(`/threads/${id}`)).data).messages;
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads#Thread
 */
export const GmailThreadSchema = z.looseObject({
  id: z.string(),
  historyId: z.string().optional(),
  messages: z.array(GmailMessageSchema).optional(),
});

const MessageRefSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
});

/**
 * `history.list`.
 *
 * @example
 * ```ts
 * GmailHistoryListSchema.parse((await http.get("/history", { query: { startHistoryId } })).data);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export const GmailHistoryListSchema = z.looseObject({
  history: z
    .array(
      z.looseObject({
        id: z.string(),
        messages: z.array(MessageRefSchema).optional(),
        messagesAdded: z.array(z.looseObject({ message: MessageRefSchema })).optional(),
        messagesDeleted: z.array(z.looseObject({ message: MessageRefSchema })).optional(),
      }),
    )
    .optional(),
  nextPageToken: z.string().optional(),
  historyId: z.string(),
});

/**
 * `messages.list`.
 *
 * @example
 * ```ts
 * GmailMessageListSchema.parse((await http.get("/messages", { query: { q: "from:dj@kexp.org" } })).data);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/list
 */
export const GmailMessageListSchema = z.looseObject({
  messages: z.array(MessageRefSchema.partial({ labelIds: true })).optional(),
  nextPageToken: z.string().optional(),
  resultSizeEstimate: z.number().optional(),
});

/**
 * `watch`: the mailbox's history id and when the watch ends (epoch ms, as a string).
 *
 * @example
 * ```ts
 * GmailWatchResponseSchema.parse({ historyId: "5001", expiration: "1718000000000" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
 */
export const GmailWatchResponseSchema = z.looseObject({
  historyId: z.string(),
  expiration: z.string(),
});

/**
 * `messages.send`.
 *
 * @example
 * ```ts
 * GmailSendResponseSchema.parse({ id: "18f3", threadId: "18f3", labelIds: ["SENT"] });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export const GmailSendResponseSchema = z.looseObject({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
});

/**
 * The JSON inside a Gmail push notification's `message.data`.
 *
 * @example
 * ```ts
 * GmailPushDataSchema.parse({ emailAddress: "sam@label.com", historyId: 9876543210 });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/push#receiving_notifications
 */
export const GmailPushDataSchema = z.looseObject({
  emailAddress: z.string(),
  historyId: z.union([z.string(), z.number()]),
});
