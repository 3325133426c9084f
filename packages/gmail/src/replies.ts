/**
 * The `replies` model: replies to tracked pitches, found incrementally
 * through `history.list` from the stored history id, or by a bounded resync
 * of the tracked threads (the first run, full runs, and when Gmail answers
 * 404 because the stored history id is out of range).
 *
 * @see https://developers.google.com/workspace/gmail/api/guides/sync
 */
import {
  CursorExpiredError,
  type HttpClient,
  type Json,
  type Logger,
  NotFoundError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { getMessage, getProfile, getThread, listHistory, listMessages } from "./api.js";
import type { GmailConfig, GmailMessage, GmailReply } from "./schemas.js";
import { isOwnMessage, readGmailConfig, replyRecord, TrackedIndex } from "./tracking.js";

/** Tracked threads read per committed page of a resync. */
const THREADS_PER_PAGE = 10;
/** Contacts per `from:(a OR b ...)` search of the address+subject fallback. */
const CONTACTS_PER_SEARCH = 20;
/** `messages.list` pages (of 100) read per search. */
const PAGES_PER_SEARCH = 5;
/** Slack on the incremental search's `after:` bound (delivery delays, clock skew). */
const SEARCH_SLACK_MS = 24 * 60 * 60 * 1000;

/** Where a run resumes. History runs resume from the last history record they committed. */
type Checkpoint =
  | { phase: "history"; startHistoryId: string }
  | { phase: "threads"; startHistoryId: string; afterThreadId: string }
  | { phase: "fallback"; startHistoryId: string; afterContact: string };

interface Run {
  http: HttpClient;
  logger: Logger;
  config: GmailConfig;
  index: TrackedIndex;
  /** The connected address, lowercased. */
  me: string | undefined;
  /** Epoch ms of the last successful run, if any. */
  lastSyncedAt: number | undefined;
}

/**
 * Yield reply pages for the engine. Incremental runs read history from the
 * cursor (a Gmail history id); full runs and out-of-range history ids resync
 * the tracked threads, then set the cursor to the history id read from
 * `getProfile` before the resync began (so nothing in between is missed).
 *
 * @example
 * ```ts
 * models: { replies: defineModel({ schema: GmailReplySchema, key: "id", modes: ["full", "incremental"], sync: syncReplies }) }
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/sync#partial_synchronization
 */
export async function* syncReplies(ctx: SyncContext): AsyncGenerator<SyncPage<GmailReply>> {
  const config = readGmailConfig(ctx.config);
  const run: Run = {
    http: ctx.http,
    logger: ctx.logger,
    config,
    index: new TrackedIndex(config.trackedThreads),
    me: typeof ctx.metadata.emailAddress === "string" ? ctx.metadata.emailAddress : undefined,
    lastSyncedAt: ctx.lastSyncedAt?.getTime(),
  };
  const checkpoint = ctx.checkpoint as Checkpoint | null;
  const cursor = typeof ctx.cursor === "string" ? ctx.cursor : null;
  if (
    ctx.mode === "incremental" &&
    cursor !== null &&
    checkpoint?.phase !== "threads" &&
    checkpoint?.phase !== "fallback"
  ) {
    try {
      yield* fromHistory(run, checkpoint?.startHistoryId ?? cursor);
      return;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Gmail keeps history for about a week, sometimes only hours: 404 means
      // the stored id is out of range. The engine restarts the run as a full
      // listing (the bounded resync of the tracked threads), so replies
      // deleted meanwhile are detected.
      throw new CursorExpiredError(
        `gmail: history id ${checkpoint?.startHistoryId ?? cursor} is out of range; resyncing tracked threads (${run.index.size})`,
        { cause: error, status: 404 },
      );
    }
  }
  yield* resync(run, checkpoint?.phase === "history" ? null : checkpoint);
}

async function* fromHistory(
  run: Run,
  startHistoryId: string,
): AsyncGenerator<SyncPage<GmailReply>> {
  let pageToken: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await listHistory(run.http, startHistoryId, pageToken);
    const records: GmailReply[] = [];
    const deleted: string[] = [];
    const outside: string[] = [];
    for (const entry of page.history ?? []) {
      for (const { message } of entry.messagesAdded ?? []) {
        if (seen.has(message.id)) continue;
        seen.add(message.id);
        const labels = message.labelIds ?? [];
        if (labels.includes("SENT") || labels.includes("DRAFT")) continue;
        const tracked = run.index.byThread(message.threadId);
        if (tracked === undefined) {
          outside.push(message.id);
          continue;
        }
        const full = await fetchMessage(run, message.id, "full");
        const reply = full && replyRecord(full, tracked, "thread", run.me);
        if (reply !== undefined) records.push(reply);
      }
      for (const { message } of entry.messagesDeleted ?? []) deleted.push(message.id);
    }
    records.push(...(await fallbackReplies(run, outside)));
    const last = page.history?.at(-1)?.id;
    pageToken = page.nextPageToken;
    if (pageToken === undefined) {
      yield { records, deleted, cursor: page.historyId };
      return;
    }
    const checkpoint: Json | undefined =
      last === undefined ? undefined : { phase: "history", startHistoryId: last };
    yield { records, deleted, checkpoint };
  }
}

/** Tracked contacts in groups, one `from:(a OR b ...)` search each. */
function contactGroups(run: Run): string[][] {
  const contacts = run.index.contacts();
  const groups: string[][] = [];
  for (let i = 0; i < contacts.length; i += CONTACTS_PER_SEARCH)
    groups.push(contacts.slice(i, i + CONTACTS_PER_SEARCH));
  return groups;
}

function searchQuery(contacts: string[], afterMs: number | undefined): string {
  const after =
    afterMs === undefined || !Number.isFinite(afterMs)
      ? ""
      : ` after:${Math.floor(afterMs / 1000)}`;
  return `from:(${contacts.join(" OR ")})${after}`;
}

/** A search's results; `complete` is false when it had more pages than we read. */
async function search(
  run: Run,
  q: string,
): Promise<{ refs: Array<{ id: string; threadId: string }>; complete: boolean }> {
  const refs: Array<{ id: string; threadId: string }> = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < PAGES_PER_SEARCH; pages++) {
    const list = await listMessages(run.http, q, pageToken);
    refs.push(...(list.messages ?? []));
    pageToken = list.nextPageToken;
    if (pageToken === undefined) return { refs, complete: true };
  }
  return { refs, complete: false };
}

/**
 * The address+subject fallback for new messages outside the tracked
 * threads. Each candidate costs a `messages.get` (metadata); when there are
 * more candidates than contact searches, the searches (`from:(...)` since
 * the last run) pick out the few from tracked contacts first.
 */
async function fallbackReplies(run: Run, candidates: string[]): Promise<GmailReply[]> {
  if (candidates.length === 0 || !run.config.matchBySubject || run.index.size === 0) return [];
  let checked = candidates;
  const groups = contactGroups(run);
  if (candidates.length > groups.length && run.lastSyncedAt !== undefined) {
    const fromContacts = new Set<string>();
    let complete = true;
    for (const group of groups) {
      const found = await search(run, searchQuery(group, run.lastSyncedAt - SEARCH_SLACK_MS));
      if (!found.complete) {
        complete = false;
        break;
      }
      for (const ref of found.refs) fromContacts.add(ref.id);
    }
    if (complete) checked = candidates.filter((id) => fromContacts.has(id));
  }
  const replies: GmailReply[] = [];
  for (const id of checked) {
    const reply = await fallbackReply(run, id);
    if (reply !== undefined) replies.push(reply);
  }
  return replies;
}

/** A message, or `undefined` when it is gone (deleted since it was listed). */
async function fetchMessage(
  run: Run,
  id: string,
  format: "full" | "metadata",
): Promise<GmailMessage | undefined> {
  try {
    return await getMessage(run.http, id, format, ["From", "Subject"]);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The address+subject fallback for a message outside the tracked threads. */
async function fallbackReply(run: Run, id: string): Promise<GmailReply | undefined> {
  const meta = await fetchMessage(run, id, "metadata");
  if (meta === undefined || meta.labelIds?.includes("SPAM") || isOwnMessage(meta, run.me))
    return undefined;
  const headers = meta.payload?.headers ?? [];
  const from = headers.find((h) => h.name.toLowerCase() === "from")?.value;
  const subject = headers.find((h) => h.name.toLowerCase() === "subject")?.value;
  if (from === undefined || subject === undefined) return undefined;
  const entry = run.index.bySubject(from, subject, Number(meta.internalDate));
  if (entry === undefined) return undefined;
  const message = await fetchMessage(run, id, "full");
  return message && replyRecord(message, entry, "address+subject", run.me);
}

async function* resync(
  run: Run,
  checkpoint: Exclude<Checkpoint, { phase: "history" }> | null,
): AsyncGenerator<SyncPage<GmailReply>> {
  const startHistoryId = checkpoint?.startHistoryId ?? (await getProfile(run.http)).historyId;
  if (checkpoint === null || checkpoint.phase === "threads") {
    const after = checkpoint?.afterThreadId ?? "";
    const entries = run.index.entries().filter((entry) => entry.threadId > after);
    for (let i = 0; i < entries.length; i += THREADS_PER_PAGE) {
      const batch = entries.slice(i, i + THREADS_PER_PAGE);
      const records: GmailReply[] = [];
      for (const entry of batch) {
        let messages: GmailMessage[];
        try {
          messages = (await getThread(run.http, entry.threadId)).messages ?? [];
        } catch (error) {
          // A thread deleted in Gmail has no replies left.
          if (error instanceof NotFoundError) continue;
          throw error;
        }
        for (const message of messages) {
          const reply = replyRecord(message, entry, "thread", run.me);
          if (reply !== undefined) records.push(reply);
        }
      }
      yield {
        records,
        checkpoint: { phase: "threads", startHistoryId, afterThreadId: batch.at(-1)!.threadId },
      };
    }
  }
  if (run.config.matchBySubject) {
    const after = checkpoint?.phase === "fallback" ? checkpoint.afterContact : "";
    for (const group of contactGroups(run)) {
      const last = group.at(-1)!;
      if (last <= after) continue;
      const records = await fallbackForContacts(run, group);
      yield { records, checkpoint: { phase: "fallback", startHistoryId, afterContact: last } };
    }
  }
  yield { records: [], cursor: startHistoryId };
}

/** Replies from these contacts outside the tracked threads, since the earliest pitch to them. */
async function fallbackForContacts(run: Run, contacts: string[]): Promise<GmailReply[]> {
  const since = Math.min(...contacts.map((c) => Date.parse(run.index.earliestSentAt(c) ?? "")));
  const { refs } = await search(run, searchQuery(contacts, since));
  const records: GmailReply[] = [];
  for (const ref of refs) {
    if (run.index.byThread(ref.threadId) !== undefined) continue;
    const reply = await fallbackReply(run, ref.id);
    if (reply !== undefined) records.push(reply);
  }
  return records;
}
