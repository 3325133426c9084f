/**
 * Tracked threads and reply matching: which messages are replies to a
 * tracked pitch, and the `replies` record built from one. Pure: no I/O.
 */
import { ConfigError } from "@patchbay/core";
import { addressOf, classifyReply, normalizeSubject } from "./classify.js";
import { GMAIL_WEB_URL } from "./endpoints.js";
import { decodeEntities, messageText, payloadHeader } from "./mime.js";
import {
  type GmailConfig,
  GmailConfigSchema,
  type GmailMessage,
  type GmailReply,
  MAX_TRACKED_THREADS,
  type TrackedThread,
} from "./schemas.js";

/**
 * The connection's config, validated with defaults applied (a connection
 * never configured has `{}`).
 *
 * @throws ConfigError naming the invalid field.
 * @example
 * ```ts
 * const { trackedThreads } = readGmailConfig(ctx.config);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export function readGmailConfig(raw: unknown): GmailConfig {
  const parsed = GmailConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "config";
    throw new ConfigError(`gmail config: "${path}" ${issue?.message ?? "is invalid"}`);
  }
  return parsed.data;
}

/**
 * The config with `entry` tracked: an entry for the same thread is replaced
 * (e.g. a new campaign), and past {@link MAX_TRACKED_THREADS} the oldest
 * entries (by `trackedAt`) are dropped and returned.
 *
 * @example
 * ```ts
 * const { config, dropped } = withTrackedThread(readGmailConfig(connection.config), entry);
 * await patchbay.connections.configure(tenantId, connection.id, config);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export function withTrackedThread(
  config: GmailConfig,
  entry: TrackedThread,
  max: number = MAX_TRACKED_THREADS,
): { config: GmailConfig; dropped: TrackedThread[] } {
  const others = config.trackedThreads.filter((t) => t.threadId !== entry.threadId);
  const all = [...others, entry].sort((a, b) => a.trackedAt.localeCompare(b.trackedAt));
  const dropped = all.slice(0, Math.max(0, all.length - max));
  const kept = all.slice(dropped.length);
  return { config: { ...config, trackedThreads: kept }, dropped };
}

/**
 * The config without the thread (stop tracking it). Its replies leave the
 * `replies` model at the next full sync.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, withoutTrackedThread(config, "18f3a2b4c5d6e7f8"));
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export function withoutTrackedThread(config: GmailConfig, threadId: string): GmailConfig {
  return {
    ...config,
    trackedThreads: config.trackedThreads.filter((t) => t.threadId !== threadId),
  };
}

/**
 * "Open in Gmail": the thread in Gmail's web app. With the account's address
 * the link opens that account even when several are signed in
 * (`authuser=<email>`); without it, the first signed-in account (`u/0`).
 * Gmail documents no deep-link format; this one has been stable for years.
 *
 * @example
 * ```ts
 * gmailThreadUrl("18f3a2b4c5d6e7f8", "sam@label.com");
 * // "https://mail.google.com/mail/?authuser=sam%40label.com#all/18f3a2b4c5d6e7f8"
 * ```
 * @see https://mail.google.com/
 */
export function gmailThreadUrl(threadId: string, emailAddress?: string): string {
  if (typeof threadId !== "string" || !/^[0-9a-zA-Z_-]+$/.test(threadId))
    throw new TypeError('"threadId" must be a Gmail thread id');
  return emailAddress
    ? `${GMAIL_WEB_URL}?authuser=${encodeURIComponent(emailAddress)}#all/${threadId}`
    : `${GMAIL_WEB_URL}u/0/#all/${threadId}`;
}

/** Labels of messages the mailbox owner wrote. */
const OWN_LABELS = new Set(["SENT", "DRAFT"]);

/**
 * Whether the mailbox owner wrote the message (labelled `SENT`/`DRAFT`, or
 * sent from the connected address).
 *
 * @example
 * ```ts
 * isOwnMessage({ id: "1", threadId: "1", labelIds: ["SENT"] }, "sam@label.com"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export function isOwnMessage(message: GmailMessage, me: string | undefined): boolean {
  if ((message.labelIds ?? []).some((label) => OWN_LABELS.has(label))) return true;
  const from = payloadHeader(message.payload, "From");
  return me !== undefined && from !== undefined && addressOf(from) === me.toLowerCase();
}

/** Display name of a `From` value (`"Cheryl W." <c@kexp.org>` → `Cheryl W.`), or `null`. */
function displayName(from: string): string | null {
  const match = /^\s*"?([^"<]*?)"?\s*<[^<>]+>\s*$/.exec(from);
  const name = match?.[1]?.trim();
  return name ? name : null;
}

/** Gmail `internalDate` (epoch ms string) in ms, or `NaN`. */
function receivedAt(message: GmailMessage): number {
  return message.internalDate === undefined ? Number.NaN : Number(message.internalDate);
}

/**
 * The `replies` record for a message matched to a tracked thread, or
 * `undefined` when the message is not a reply: written by the mailbox
 * owner, the pitch itself, or older than the pitch. `message` must be
 * `format=full` (classification reads the body).
 *
 * @example
 * ```ts
 * const record = replyRecord(message, entry, "thread", "sam@label.com");
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export function replyRecord(
  message: GmailMessage,
  entry: TrackedThread,
  matchedBy: GmailReply["matchedBy"],
  me: string | undefined,
): GmailReply | undefined {
  if (message.id === entry.anchorMessageId || isOwnMessage(message, me)) return undefined;
  const at = receivedAt(message);
  if (!(at > Date.parse(entry.sentAt))) return undefined;
  const headers = message.payload?.headers ?? [];
  const from = payloadHeader(message.payload, "From") ?? "";
  const { label, reason } = classifyReply({ headers, text: messageText(message.payload) });
  return {
    id: message.id,
    threadId: message.threadId,
    from: addressOf(from),
    fromName: displayName(from),
    to: payloadHeader(message.payload, "To") ?? "",
    subject: payloadHeader(message.payload, "Subject") ?? "",
    date: new Date(at).toISOString(),
    snippet: decodeEntities(message.snippet ?? ""),
    gmailUrl: gmailThreadUrl(message.threadId, me),
    contactEmail: entry.contactEmail,
    campaignId: entry.campaignId,
    classification: label,
    classificationReason: reason,
    matchedBy,
    rfc822MessageId: payloadHeader(message.payload, "Message-ID") ?? null,
  };
}

/**
 * The tracked threads indexed for matching: by thread id, and by contact
 * address for the address+subject fallback.
 *
 * @example
 * ```ts
 * const index = new TrackedIndex(config.trackedThreads);
 * index.byThread("18f3a2b4c5d6e7f8")?.campaignId;
 * index.bySubject("dj@kexp.org", "Re: New single", Date.now())?.campaignId;
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.threads
 */
export class TrackedIndex {
  readonly #byThread = new Map<string, TrackedThread>();
  readonly #byContact = new Map<string, TrackedThread[]>();

  constructor(entries: readonly TrackedThread[]) {
    for (const entry of entries) {
      this.#byThread.set(entry.threadId, entry);
      const contact = entry.contactEmail.toLowerCase();
      const list = this.#byContact.get(contact) ?? [];
      list.push(entry);
      this.#byContact.set(contact, list);
    }
    for (const list of this.#byContact.values())
      list.sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  }

  /** How many threads are tracked. */
  get size(): number {
    return this.#byThread.size;
  }

  /** Tracked threads, ordered by thread id (a stable order to resume a resync from). */
  entries(): TrackedThread[] {
    return [...this.#byThread.values()].sort((a, b) => a.threadId.localeCompare(b.threadId));
  }

  /** Contacts with tracked pitches, sorted. */
  contacts(): string[] {
    return [...this.#byContact.keys()].sort();
  }

  /** The earliest pitch to a contact (where a fallback search starts). */
  earliestSentAt(contact: string): string | undefined {
    return this.#byContact.get(contact.toLowerCase())?.at(-1)?.sentAt;
  }

  /** The entry tracking this thread. */
  byThread(threadId: string): TrackedThread | undefined {
    return this.#byThread.get(threadId);
  }

  /**
   * The fallback: the latest pitch to `from` sent before `at` whose
   * normalized subject equals the message's.
   */
  bySubject(from: string, subject: string, at: number): TrackedThread | undefined {
    const wanted = normalizeSubject(subject);
    if (wanted === "") return undefined;
    return this.#byContact
      .get(addressOf(from))
      ?.find(
        (entry) => Date.parse(entry.sentAt) < at && normalizeSubject(entry.subject) === wanted,
      );
  }
}
