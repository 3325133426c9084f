/**
 * The fake's mailbox state: messages (stored as RFC 2822 and parsed once),
 * threads, labels and the history log Gmail's incremental sync reads.
 * History ids only grow; the log can be trimmed so an old start id answers
 * 404, as Gmail does after its retention window.
 */
import { header, type MimeEntity, parseMime, plainText, snippetOf } from "./rfc2822.js";

/**
 * System labels every Gmail mailbox has.
 * @example
 * ```ts
 * SYSTEM_LABELS.includes("INBOX"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export const SYSTEM_LABELS = [
  "INBOX",
  "SENT",
  "DRAFT",
  "SPAM",
  "TRASH",
  "UNREAD",
  "STARRED",
  "IMPORTANT",
  "CHAT",
  "CATEGORY_PERSONAL",
  "CATEGORY_SOCIAL",
  "CATEGORY_PROMOTIONS",
  "CATEGORY_UPDATES",
  "CATEGORY_FORUMS",
] as const;

/**
 * A message in the fake mailbox.
 *
 * @example
 * ```ts
 * const message: FakeMessage = fake.receiveReply({ threadId, from: "dj@kexp.example", text: "Sounds great!" });
 * message.labelIds; // ["INBOX", "UNREAD"]
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export interface FakeMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Epoch ms when the mailbox accepted it. */
  internalDate: number;
  /** The last history record that touched it. */
  historyId: number;
  /** The RFC 2822 text as stored. */
  raw: string;
  parsed: MimeEntity;
}

/**
 * One history record, as `history.list` returns it (ids as numbers here).
 * @example
 * ```ts
 * mailbox.onHistory((record: FakeHistoryRecord) => console.log(record.kind));
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export interface FakeHistoryRecord {
  id: number;
  message: { id: string; threadId: string; labelIds: string[] };
  kind: "messageAdded" | "messageDeleted" | "labelAdded" | "labelRemoved";
  labelIds?: string[];
}

/** A message reference in history records. */
function ref(message: FakeMessage): { id: string; threadId: string; labelIds: string[] } {
  return { id: message.id, threadId: message.threadId, labelIds: [...message.labelIds] };
}

/**
 * Reply and forward prefixes Gmail ignores when threading.
 * @example
 * ```ts
 * threadSubject("Re: New single"); // "new single"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export function threadSubject(subject: string): string {
  return subject
    .replace(/^\s*((re|fwd?|aw|wg|sv)\s*:\s*)+/i, "")
    .trim()
    .toLowerCase();
}

/**
 * Options of {@link createMailbox}.
 * @example
 * ```ts
 * const options: MailboxOptions = { emailAddress: "sam@label.example", now: Date.now, startHistoryId: 5000 };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export interface MailboxOptions {
  emailAddress: string;
  now: () => number;
  /** The history id of the mailbox's first record. */
  startHistoryId: number;
  /** Keep only the newest N history records (older start ids answer 404). Default: keep all. */
  historyRetention?: number;
}

/**
 * A Gmail mailbox's state.
 *
 * @example
 * ```ts
 * const box = createMailbox({ emailAddress: "sam@label.example", now: Date.now, startHistoryId: 5000 });
 * box.insert(rawMessage, { labelIds: ["INBOX", "UNREAD"] });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export function createMailbox(options: MailboxOptions) {
  const messages = new Map<string, FakeMessage>();
  const threads = new Map<string, string[]>();
  const history: FakeHistoryRecord[] = [];
  let historyId = options.startHistoryId;
  /** Start ids below this answer 404. */
  let historyFloor = options.startHistoryId;
  let retention = options.historyRetention;
  let idCounter = 0n;
  let lastInternalDate = 0;
  const listeners: Array<(record: FakeHistoryRecord) => void> = [];

  function nextId(): string {
    idCounter += 1n;
    return (0x18f3a2b400000000n + idCounter * 0x1d3n).toString(16).padStart(16, "0");
  }

  function record(entry: Omit<FakeHistoryRecord, "id">): FakeHistoryRecord {
    historyId += 1;
    const full = { ...entry, id: historyId };
    history.push(full);
    if (retention !== undefined && history.length > retention) {
      const removed = history.splice(0, history.length - retention);
      historyFloor = removed.at(-1)!.id;
    }
    for (const listener of listeners) listener(full);
    return full;
  }

  function messageIdHeader(message: FakeMessage): string | undefined {
    return header(message.parsed.headers, "Message-ID");
  }

  /** The thread a new message joins: explicit, else by References/In-Reply-To with a matching subject. */
  function threadFor(
    parsed: MimeEntity,
    requested: string | undefined,
    anySubject: boolean,
  ): string | undefined {
    const subject = threadSubject(header(parsed.headers, "Subject") ?? "");
    const candidates =
      requested !== undefined
        ? [requested]
        : [
            ...(header(parsed.headers, "References") ?? "").split(/\s+/),
            header(parsed.headers, "In-Reply-To") ?? "",
          ]
            .filter((id) => id !== "")
            .flatMap((id) =>
              [...messages.values()]
                .filter((m) => messageIdHeader(m) === id)
                .map((m) => m.threadId),
            );
    for (const threadId of candidates) {
      const first = threads.get(threadId)?.[0];
      const opener = first === undefined ? undefined : messages.get(first);
      if (opener === undefined) continue;
      if (anySubject || threadSubject(header(opener.parsed.headers, "Subject") ?? "") === subject)
        return threadId;
    }
    return undefined;
  }

  const box = {
    get emailAddress() {
      return options.emailAddress;
    },
    messages,
    threads,
    /** The mailbox's current history id. */
    get historyId() {
      return historyId;
    },
    /** Start ids below this are out of range (404). */
    get historyFloor() {
      return historyFloor;
    },
    /** Records after `startHistoryId`. */
    historyAfter(startHistoryId: number): FakeHistoryRecord[] {
      return history.filter((entry) => entry.id > startHistoryId);
    },
    /** Every history record so far is forgotten: older start ids answer 404. */
    expireHistory(): void {
      history.length = 0;
      historyFloor = historyId;
    },
    setHistoryRetention(records: number | undefined): void {
      retention = records;
    },
    onHistory(listener: (record: FakeHistoryRecord) => void): void {
      listeners.push(listener);
    },
    /**
     * Store a message. It joins `threadId` when given (and its subject
     * matches), or the thread its References/In-Reply-To point to (same
     * subject), else starts a thread whose id is its own.
     */
    insert(
      raw: string,
      insertOptions: {
        labelIds: string[];
        threadId?: string;
        /** Join `threadId` whatever the subject (Gmail threads DSNs with the bounced message). */
        anySubject?: boolean;
      },
    ): FakeMessage {
      const parsed = parseMime(raw);
      const id = nextId();
      const threadId =
        threadFor(parsed, insertOptions.threadId, insertOptions.anySubject === true) ?? id;
      lastInternalDate = Math.max(options.now(), lastInternalDate + 1);
      const message: FakeMessage = {
        id,
        threadId,
        labelIds: [...new Set(insertOptions.labelIds)],
        internalDate: lastInternalDate,
        historyId: 0,
        raw,
        parsed,
      };
      messages.set(id, message);
      threads.set(threadId, [...(threads.get(threadId) ?? []), id]);
      message.historyId = record({ kind: "messageAdded", message: ref(message) }).id;
      return message;
    },
    /** Permanently delete (not trash). */
    remove(id: string): void {
      const message = messages.get(id);
      if (message === undefined) throw new Error(`gmail fake: no message ${id}`);
      messages.delete(id);
      const rest = (threads.get(message.threadId) ?? []).filter((m) => m !== id);
      if (rest.length === 0) threads.delete(message.threadId);
      else threads.set(message.threadId, rest);
      record({ kind: "messageDeleted", message: ref(message) });
    },
    modifyLabels(id: string, add: string[], remove: string[]): FakeMessage {
      const message = messages.get(id);
      if (message === undefined) throw new Error(`gmail fake: no message ${id}`);
      const added = add.filter((l) => !message.labelIds.includes(l));
      const removed = remove.filter((l) => message.labelIds.includes(l));
      message.labelIds = [...message.labelIds.filter((l) => !removed.includes(l)), ...added];
      if (added.length > 0)
        message.historyId = record({
          kind: "labelAdded",
          message: ref(message),
          labelIds: added,
        }).id;
      if (removed.length > 0)
        message.historyId = record({
          kind: "labelRemoved",
          message: ref(message),
          labelIds: removed,
        }).id;
      return message;
    },
    /** Messages of a thread, oldest first. */
    threadMessages(threadId: string): FakeMessage[] {
      return (threads.get(threadId) ?? [])
        .map((id) => messages.get(id)!)
        .sort((a, b) => a.internalDate - b.internalDate);
    },
    /** The message's readable text. */
    text(message: FakeMessage): string {
      return plainText(message.parsed);
    },
    snippet(message: FakeMessage): string {
      return snippetOf(message.parsed);
    },
  };
  return box;
}

/**
 * A fake mailbox. See {@link createMailbox}.
 * @example
 * ```ts
 * const box: FakeMailbox = createMailbox(options);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.history/list
 */
export type FakeMailbox = ReturnType<typeof createMailbox>;
