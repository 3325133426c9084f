/**
 * The `messages` model: an account's Message resources, newest first, paged
 * by following `next_page_uri`. Incremental runs filter with `DateSent>=`
 * (the query parameter is literally `DateSent>`), which Twilio applies at
 * day granularity, from the newest day seen minus a day of overlap, so late
 * status changes of recent messages are picked up. Deletes are found by
 * full runs (core: "not seen in a complete full run").
 */
import {
  defineModel,
  type Json,
  type ModelDefinition,
  ProviderError,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import { accountSidOf, expectData, twilioApi } from "./api-client.js";
import { messagePath, messagesPath, TWILIO_API_BASE_URL, TWILIO_PATHS } from "./endpoints.js";
import type { paths } from "./generated/twilio-api-v2010.js";
import {
  type InboundMessageWebhook,
  type TwilioConfig,
  type TwilioMessage,
  TwilioMessageSchema,
} from "./schemas.js";

/**
 * Messages per page when syncing: Twilio's maximum (the default is 50).
 *
 * @example
 * ```ts
 * twilio({ pageSize: 200 }); // smaller pages, more requests
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response#pagination
 */
export const MESSAGES_PAGE_SIZE = 1000;

/**
 * Days an incremental run looks back before the newest `date_sent` it has
 * seen: a message sent yesterday and delivered today is fetched again.
 *
 * @example
 * ```ts
 * incrementalDateSentFrom("2026-03-10"); // "2026-03-09"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
export const INCREMENTAL_LOOKBACK_DAYS = 1;

type ListQuery = NonNullable<
  paths["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["get"]["parameters"]["query"]
>;

/** Where an interrupted run resumes, and the newest day seen so far. */
interface MessagesCheckpoint {
  next: string;
  newestDay: string | null;
}

/**
 * The UTC day (`YYYY-MM-DD`) of an RFC 2822 date as Twilio writes them, or
 * `undefined` for `null` or an unreadable date.
 *
 * @example
 * ```ts
 * dateSentDay("Tue, 10 Mar 2026 22:05:00 +0000"); // "2026-03-10"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-properties
 */
export function dateSentDay(rfc2822: string | null | undefined): string | undefined {
  if (typeof rfc2822 !== "string") return undefined;
  const time = Date.parse(rfc2822);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

/**
 * The `DateSent>` value an incremental run sends for a cursor (a day):
 * {@link INCREMENTAL_LOOKBACK_DAYS} earlier.
 *
 * @example
 * ```ts
 * incrementalDateSentFrom("2026-03-01"); // "2026-02-28"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
export function incrementalDateSentFrom(cursorDay: string): string {
  const time = Date.parse(`${cursorDay}T00:00:00Z`);
  if (Number.isNaN(time))
    throw new TypeError(`"cursor" must be a day (YYYY-MM-DD), got "${cursorDay}"`);
  return new Date(time - INCREMENTAL_LOOKBACK_DAYS * 86_400_000).toISOString().slice(0, 10);
}

function newer(a: string | null, b: string | undefined): string | null {
  if (b === undefined) return a;
  return a === null || b > a ? b : a;
}

/** The query of a `next_page_uri`, checked to be the same account's Message list. */
function nextPageQuery(nextPageUri: string, accountSid: string): ListQuery {
  const url = new URL(nextPageUri, TWILIO_API_BASE_URL);
  if (url.origin !== TWILIO_API_BASE_URL || url.pathname !== messagesPath(accountSid)) {
    throw new ProviderError(
      `Twilio's next_page_uri points outside this account's Message list: ${url.pathname}`,
    );
  }
  return Object.fromEntries(url.searchParams) as unknown as ListQuery;
}

function parseCheckpoint(value: Json | null): MessagesCheckpoint | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const next = value.next;
  const newestDay = value.newestDay;
  if (typeof next !== "string") return undefined;
  return { next, newestDay: typeof newestDay === "string" ? newestDay : null };
}

/**
 * Yield an account's messages page by page (see the module comment). The
 * cursor kept after a run is the newest `date_sent` day seen (or the
 * previous cursor when the run saw none).
 *
 * @example
 * ```ts
 * for await (const page of syncMessages(ctx, { pageSize: 1000 })) console.log(page.records.length);
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
export async function* syncMessages(
  ctx: SyncContext<TwilioConfig>,
  options: { pageSize: number },
): AsyncGenerator<SyncPage<TwilioMessage>> {
  const accountSid = accountSidOf(ctx.metadata);
  const api = twilioApi(ctx.http);
  const previous = typeof ctx.cursor === "string" ? ctx.cursor : null;
  const resumed = parseCheckpoint(ctx.checkpoint);
  let newestDay = resumed?.newestDay ?? previous;
  let query: ListQuery;
  if (resumed !== undefined) query = nextPageQuery(resumed.next, accountSid);
  else {
    query = { PageSize: options.pageSize };
    if (ctx.mode === "incremental" && previous !== null)
      query["DateSent>"] = incrementalDateSentFrom(previous);
  }
  for (;;) {
    const page = expectData(
      await api.GET(TWILIO_PATHS.messages, {
        params: { path: { AccountSid: accountSid }, query },
        ...(ctx.signal && { signal: ctx.signal }),
      }),
      "List Messages",
    );
    const messages = page.messages ?? [];
    for (const message of messages) newestDay = newer(newestDay, dateSentDay(message.date_sent));
    const next = page.next_page_uri ?? null;
    if (next === null || messages.length === 0) {
      yield { records: messages, ...(newestDay !== null && { cursor: newestDay }) };
      return;
    }
    yield { records: messages, checkpoint: { next, newestDay } };
    query = nextPageQuery(next, accountSid);
  }
}

/**
 * The record an inbound-message webhook stands for, before the next sync
 * fills in Twilio's dates and price.
 *
 * @example
 * ```ts
 * inboundMessageRecord({ MessageSid: "SM…", AccountSid: "AC…", From: "+15125550123", To: "+15125550100", Body: "C" });
 * // { sid: "SM…", direction: "inbound", status: "received", body: "C", … }
 * ```
 * @see https://www.twilio.com/docs/messaging/guides/webhook-request
 */
export function inboundMessageRecord(payload: InboundMessageWebhook): TwilioMessage {
  return {
    sid: payload.MessageSid,
    account_sid: payload.AccountSid,
    messaging_service_sid: payload.MessagingServiceSid ?? null,
    from: payload.From,
    to: payload.To,
    body: payload.Body,
    status: "received",
    direction: "inbound",
    num_segments: payload.NumSegments ?? "1",
    num_media: payload.NumMedia ?? "0",
    price: null,
    price_unit: null,
    error_code: null,
    error_message: null,
    date_created: null,
    date_sent: null,
    date_updated: null,
    api_version: payload.ApiVersion ?? "2010-04-01",
    uri: messagePath(payload.AccountSid, payload.MessageSid),
  };
}

/**
 * The `messages` model (read-only: texts are sent with the `sendSms` action).
 *
 * @example
 * ```ts
 * defineConnector({ ..., models: { messages: messagesModel({ pageSize: 1000, fullEvery: 24 }) } });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export function messagesModel(options: {
  pageSize: number;
  fullEvery: number;
}): ModelDefinition<typeof TwilioMessageSchema, TwilioConfig> {
  return defineModel<typeof TwilioMessageSchema, TwilioConfig>({
    description:
      "Text messages of the account, sent and received, with their delivery status (Twilio's Message resource).",
    schema: TwilioMessageSchema,
    key: "sid",
    updatedAt: (message) => message.date_updated ?? undefined,
    modes: ["full", "incremental"],
    fullEvery: options.fullEvery,
    sync: (ctx) => syncMessages(ctx, { pageSize: options.pageSize }),
  });
}
