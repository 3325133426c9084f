/**
 * Host-side helpers that run the `send` and `track` actions for a
 * connection and store the result in its config, through Patchbay's public
 * API. Core has no action runner yet, and actions cannot write connection
 * state, so this is the one place the read-modify-write happens; calls for
 * one connection are serialised within this process.
 */
import { type ActorOption, type Patchbay, silentLogger } from "@patchbay/core";
import { runSend, runTrack, type SendResult, type TrackResult } from "./actions.js";
import type { GmailConfig, SendInput, TrackInput } from "./schemas.js";
import { readGmailConfig, withoutTrackedThread, withTrackedThread } from "./tracking.js";

/**
 * Which connection, and who acts (for the audit trail).
 *
 * @example
 * ```ts
 * const ref: GmailConnectionRef = { tenantId: "org_1", connectionId: "conn_9", actor: "user_7" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/sending
 */
export interface GmailConnectionRef extends ActorOption {
  tenantId: string;
  connectionId: string;
}

/**
 * Reply tracking for a host: send a tracked pitch, track an existing
 * message or thread, stop tracking a thread.
 *
 * @example
 * ```ts
 * const tracking = gmailReplyTracking(patchbay);
 * const { message, gmailUrl } = await tracking.send(
 *   { tenantId, connectionId },
 *   { to: "dj@kexp.org", subject: "New single: Hot Chip – Devotion", text: "Hi Cheryl, …", campaignId: "cmp_42" },
 * );
 * ```
 * @see https://developers.google.com/workspace/gmail/api/guides/sending
 */
export interface GmailReplyTracking {
  /** Send the pitch and track its thread. */
  send(ref: GmailConnectionRef, input: SendInput): Promise<SendResult>;
  /** Track a message or thread sent some other way. */
  track(ref: GmailConnectionRef, input: TrackInput): Promise<TrackResult>;
  /** Stop tracking a thread; returns the connection's new config. */
  untrack(ref: GmailConnectionRef, threadId: string): Promise<GmailConfig>;
}

/**
 * Build {@link GmailReplyTracking} over a Patchbay instance. Each call reads
 * the connection fresh, runs the action, merges the entry into the latest
 * config and stores it with `connections.configure`. Calls for the same
 * connection are serialised within this process; across processes the last
 * `configure` wins (see the docs page).
 *
 * @example
 * ```ts
 * const tracking = gmailReplyTracking(patchbay);
 * await tracking.track({ tenantId, connectionId }, { threadId, contactEmail: "dj@kexp.org", campaignId: "cmp_42" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export function gmailReplyTracking(patchbay: Patchbay): GmailReplyTracking {
  if (patchbay === null || typeof patchbay !== "object" || patchbay.connections === undefined)
    throw new TypeError('"patchbay" must be a Patchbay instance (createPatchbay)');
  const queues = new Map<string, Promise<unknown>>();

  function serialised<T>(ref: GmailConnectionRef, task: () => Promise<T>): Promise<T> {
    if (ref === null || typeof ref !== "object") throw new TypeError('"ref" must be an object');
    if (typeof ref.tenantId !== "string" || ref.tenantId === "")
      throw new TypeError('"tenantId" must be a non-empty string');
    if (typeof ref.connectionId !== "string" || ref.connectionId === "")
      throw new TypeError('"connectionId" must be a non-empty string');
    const key = `${ref.tenantId}\u0000${ref.connectionId}`;
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    queues.set(key, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (queues.get(key) === next) queues.delete(key);
      });
    return next;
  }

  async function context(ref: GmailConnectionRef) {
    const connection = await patchbay.connections.get(ref.tenantId, ref.connectionId);
    if (connection.connector !== "gmail")
      throw new TypeError(`"connectionId" is a ${connection.connector} connection, not gmail`);
    return {
      connection,
      config: connection.config,
      metadata: connection.metadata,
      http: await patchbay.connections.http(ref.tenantId, ref.connectionId),
      logger: silentLogger,
    };
  }

  /** Merge the entry into the latest stored config and store it. */
  async function store<R extends TrackResult>(ref: GmailConnectionRef, result: R): Promise<R> {
    const latest = await patchbay.connections.get(ref.tenantId, ref.connectionId);
    const merged = withTrackedThread(readGmailConfig(latest.config), result.tracked);
    await patchbay.connections.configure(ref.tenantId, ref.connectionId, merged.config, {
      actor: ref.actor,
    });
    return { ...result, ...merged };
  }

  return {
    send: (ref, input) =>
      serialised(ref, async () => store(ref, await runSend(await context(ref), input))),
    track: (ref, input) =>
      serialised(ref, async () => store(ref, await runTrack(await context(ref), input))),
    untrack: (ref, threadId) =>
      serialised(ref, async () => {
        if (typeof threadId !== "string" || threadId === "")
          throw new TypeError('"threadId" must be a non-empty string');
        const latest = await patchbay.connections.get(ref.tenantId, ref.connectionId);
        const config = withoutTrackedThread(readGmailConfig(latest.config), threadId);
        await patchbay.connections.configure(ref.tenantId, ref.connectionId, config, {
          actor: ref.actor,
        });
        return config;
      }),
  };
}
