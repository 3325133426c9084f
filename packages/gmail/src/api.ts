/**
 * The Gmail calls the connector makes, each through core's HTTP client
 * (auth, rate limits, retries, Google error mapping) and each answer checked
 * against its wire schema. Quota units per call are noted: the per-user
 * limit is 15,000 units a minute.
 *
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
import { type HttpClient, ProviderError } from "@patchbay/core";
import type { z } from "zod";
import {
  GmailHistoryListSchema,
  type GmailMessage,
  GmailMessageListSchema,
  GmailMessageSchema,
  GmailProfileSchema,
  GmailSendResponseSchema,
  GmailThreadSchema,
  GmailWatchResponseSchema,
} from "./schemas.js";

function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      `Gmail answered ${what} with an unexpected body (${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"})`,
    );
  }
  return parsed.data;
}

/**
 * `users.getProfile` (1 unit).
 * @example
 * ```ts
 * const { emailAddress, historyId } = await getProfile(http);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function getProfile(http: HttpClient): Promise<z.infer<typeof GmailProfileSchema>> {
  const { data } = await http.get("/profile");
  return parse(GmailProfileSchema, data, "users.getProfile");
}

/**
 * `messages.get` (5 units). `metadata` with the given headers, or `full`.
 * @example
 * ```ts
 * const message = await getMessage(http, "18f3a2b4c5d6e7f8", "metadata", ["From", "Subject"]);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function getMessage(
  http: HttpClient,
  id: string,
  format: "full" | "metadata",
  metadataHeaders?: string[],
): Promise<GmailMessage> {
  const { data } = await http.get(`/messages/${encodeURIComponent(id)}`, {
    query: { format, metadataHeaders: format === "metadata" ? metadataHeaders : undefined },
  });
  return parse(GmailMessageSchema, data, "messages.get");
}

/**
 * `threads.get` (10 units): `full`, or `metadata` with the given headers.
 * @example
 * ```ts
 * const { messages } = await getThread(http, threadId);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function getThread(
  http: HttpClient,
  id: string,
  format: "full" | "metadata" = "full",
  metadataHeaders?: string[],
): Promise<z.infer<typeof GmailThreadSchema>> {
  const { data } = await http.get(`/threads/${encodeURIComponent(id)}`, {
    query: { format, metadataHeaders: format === "metadata" ? metadataHeaders : undefined },
  });
  return parse(GmailThreadSchema, data, "threads.get");
}

/**
 * `history.list` (2 units): messages added and deleted after `startHistoryId`.
 * @example
 * ```ts
 * const page = await listHistory(http, cursor, undefined);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function listHistory(
  http: HttpClient,
  startHistoryId: string,
  pageToken: string | undefined,
): Promise<z.infer<typeof GmailHistoryListSchema>> {
  const { data } = await http.get("/history", {
    query: {
      startHistoryId,
      historyTypes: ["messageAdded", "messageDeleted"],
      maxResults: 500,
      pageToken,
    },
  });
  return parse(GmailHistoryListSchema, data, "history.list");
}

/**
 * `messages.list` (5 units) with a search query, Spam and Trash included.
 * @example
 * ```ts
 * const { messages } = await listMessages(http, "from:dj@kexp.org", undefined);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function listMessages(
  http: HttpClient,
  q: string,
  pageToken: string | undefined,
): Promise<z.infer<typeof GmailMessageListSchema>> {
  const { data } = await http.get("/messages", {
    query: { q, maxResults: 100, pageToken, includeSpamTrash: true },
  });
  return parse(GmailMessageListSchema, data, "messages.list");
}

/**
 * `messages.send` (100 units). POST: retried only on 429, never after Gmail may have sent it.
 * @example
 * ```ts
 * const { id, threadId } = await sendRaw(http, encodeRaw(buildRfc2822(pitch)));
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function sendRaw(
  http: HttpClient,
  raw: string,
): Promise<z.infer<typeof GmailSendResponseSchema>> {
  const { data } = await http.post("/messages/send", { json: { raw } });
  return parse(GmailSendResponseSchema, data, "messages.send");
}

/**
 * `watch` (100 units): push notifications for INBOX changes to a Pub/Sub topic.
 * @example
 * ```ts
 * const { expiration } = await watchInbox(http, "projects/acme/topics/gmail");
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function watchInbox(
  http: HttpClient,
  topicName: string,
): Promise<z.infer<typeof GmailWatchResponseSchema>> {
  const { data } = await http.post("/watch", {
    json: { topicName, labelIds: ["INBOX"], labelFilterBehavior: "include" },
    // Watching again replaces the watch: safe to repeat.
    idempotent: true,
  });
  return parse(GmailWatchResponseSchema, data, "watch");
}

/**
 * `stop` (50 units): no more push notifications for this mailbox.
 * @example
 * ```ts
 * await stopWatch(http);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/quota
 */
export async function stopWatch(http: HttpClient): Promise<void> {
  await http.post("/stop", { idempotent: true, responseType: "text" });
}
