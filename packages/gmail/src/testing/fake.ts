/**
 * A stateful fake of the Gmail API v1 (the parts Patchbay uses, and their
 * neighbours), served through MSW on Gmail's real URLs, with Google's OAuth
 * server, error bodies, scopes, quota and Pub/Sub push.
 *
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
import type { gmail_v1 } from "@googleapis/gmail";
import {
  createGoogleOAuthFake,
  googleError,
  googleUnauthorized,
} from "@patchbay/google-common/testing";
import type { FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, http, type RequestHandler } from "msw";
import { GMAIL_USERS_URL } from "../endpoints.js";
import {
  createMailbox,
  type FakeHistoryRecord,
  type FakeMailbox,
  type FakeMessage,
  SYSTEM_LABELS,
} from "./mailbox.js";
import { type PushTokenClaims, pushSigner } from "./pubsub.js";
import {
  type GmailPayload,
  header,
  type MimeHeader,
  parseMime,
  toGmailPayload,
  writeMessage,
} from "./rfc2822.js";

/**
 * The address of the sandbox mailbox.
 * @example
 * ```ts
 * createGmailFake().emailAddress === GMAIL_SANDBOX_ADDRESS; // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GMAIL_SANDBOX_ADDRESS = "sam.promoter@example.com";

/**
 * The sandbox Pub/Sub setup: pass it as `gmail({ pubsub })`; the fake's push
 * deliveries are addressed and signed for it.
 *
 * @example
 * ```ts
 * gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: GMAIL_SANDBOX_PUBSUB });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GMAIL_SANDBOX_PUBSUB = {
  topicName: "projects/patchbay-sandbox/topics/gmail",
  audience: "https://app.example.com/webhooks/gmail",
  serviceAccountEmail: "gmail-push@patchbay-sandbox.iam.gserviceaccount.com",
} as const;

/**
 * The redirect URI the sandbox OAuth client accepts by default.
 * @example
 * ```ts
 * await patchbay.connect.start({ tenantId, connector: "gmail", redirectUri: GMAIL_SANDBOX_REDIRECT_URI });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GMAIL_SANDBOX_REDIRECT_URI = "https://app.example.com/integrations/gmail/callback";

/**
 * Quota units per method, from Gmail's usage limits page.
 * @example
 * ```ts
 * GMAIL_QUOTA_UNITS["messages.send"]; // 100
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export const GMAIL_QUOTA_UNITS: Readonly<Record<string, number>> = {
  "users.getProfile": 1,
  "labels.list": 1,
  "history.list": 2,
  "messages.list": 5,
  "messages.get": 5,
  "messages.send": 100,
  "threads.list": 10,
  "threads.get": 10,
  "users.watch": 100,
  "users.stop": 50,
};

const SCOPE = "https://www.googleapis.com/auth/";
const READ_SCOPES = [
  "https://mail.google.com/",
  `${SCOPE}gmail.modify`,
  `${SCOPE}gmail.readonly`,
  `${SCOPE}gmail.metadata`,
];
const SEND_SCOPES = [
  "https://mail.google.com/",
  `${SCOPE}gmail.modify`,
  `${SCOPE}gmail.compose`,
  `${SCOPE}gmail.send`,
];
/** Scopes each method accepts (from the discovery document). */
const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  "users.getProfile": [...READ_SCOPES, `${SCOPE}gmail.compose`],
  "labels.list": [...READ_SCOPES, `${SCOPE}gmail.labels`],
  "history.list": READ_SCOPES,
  "messages.list": READ_SCOPES,
  "messages.get": [...READ_SCOPES, `${SCOPE}gmail.addons.current.message.readonly`],
  "messages.send": SEND_SCOPES,
  "threads.list": READ_SCOPES,
  "threads.get": READ_SCOPES,
  "users.watch": READ_SCOPES,
  "users.stop": READ_SCOPES,
};

/**
 * Options of {@link createGmailFake}.
 * @example
 * ```ts
 * const fake = createGmailFake({ historyRetention: 100, unitsPerMinute: null });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface GmailFakeOptions {
  /** Reuse an OAuth fake; default `createGoogleOAuthFake({ redirectUris })`. */
  oauth?: FakeOAuthServer;
  /** Registered redirect URIs for the default OAuth fake. Default `[GMAIL_SANDBOX_REDIRECT_URI]`. */
  redirectUris?: string[];
  /** The mailbox's address. Default {@link GMAIL_SANDBOX_ADDRESS}. */
  emailAddress?: string;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Keep only the newest N history records; older start ids answer 404. Default: keep all. */
  historyRetention?: number;
  /** Quota units per user per minute before 403 `userRateLimitExceeded`; `null` disables. Default 15,000. */
  unitsPerMinute?: number | null;
  /** Pub/Sub: where push deliveries go and who signs them. Default {@link GMAIL_SANDBOX_PUBSUB}. */
  pubsub?: { audience: string; serviceAccountEmail: string; subscription?: string };
  /** Topics `watch` accepts; default any well-formed name. */
  topics?: string[];
  /** `false`: Gmail may not publish to the topic (watch answers 403). Default `true`. */
  publishGranted?: boolean;
}

/**
 * What a mail client the user sends from puts in a message.
 *
 * @example
 * ```ts
 * fake.receiveEmail({ from: "Cheryl <cheryl@kexp.example>", subject: "Re: New single", text: "Love it" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface IncomingMail {
  from: string;
  /** Default: the mailbox address. */
  to?: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (`Auto-Submitted`, `In-Reply-To`...). */
  headers?: Record<string, string>;
  /** Join this thread (when the subject matches, as Gmail requires). */
  threadId?: string;
  /** Default `["INBOX", "UNREAD"]`. */
  labelIds?: string[];
}

/**
 * A sent message as the fake received it through `messages.send`.
 * @example
 * ```ts
 * expect(fake.sent[0]?.subject).toBe("New single");
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface FakeSentMessage {
  id: string;
  threadId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | undefined;
  headers: MimeHeader[];
}

/**
 * The active watch.
 * @example
 * ```ts
 * fake.watch?.expiration; // epoch ms
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface FakeWatch {
  topicName: string;
  labelIds: string[];
  behavior: "include" | "exclude";
  expiration: number;
}

const CONTACTS = [
  ["Cheryl Waters", "cheryl@kexp.example"],
  ["Marco Collins", "marco@kcrw.example"],
  ["Lauren Laverne", "lauren@bbc6music.example"],
  ["Iggy Pop", "iggy@bbc6music.example"],
  ["Anne Litt", "anne@kcrw.example"],
  ["John Richards", "john@kexp.example"],
  ["Mary Anne Hobbs", "maryanne@bbc6music.example"],
  ["Jason Bentley", "jason@kcrw.example"],
] as const;

const REPLY_TEXTS = [
  "Sounds great, send it over!",
  "Thanks, but it's not a fit for the show right now.",
  "Love this one. Adding it to rotation next week.",
  "Got it, will have a listen.",
  "No thanks, please remove me from this list.",
  "Would love to hear the full EP when it's ready.",
];

function base64urlDecode(value: string): string | undefined {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(value)) return undefined;
  return Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
}

function pageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString("base64url");
}

function readPageToken(token: string | null): number | undefined | "invalid" {
  if (token === null || token === "") return undefined;
  const decoded = Buffer.from(token, "base64url").toString("utf8");
  const match = /^o:(\d+)$/.exec(decoded);
  return match === null ? "invalid" : Number(match[1]);
}

function pageSize(value: string | null, fallback: number): number {
  const n = value === null ? fallback : Number(value);
  // Gmail caps maxResults at 500.
  return Number.isInteger(n) && n > 0 ? Math.min(n, 500) : fallback;
}

const invalid = (message: string) => googleError(400, "invalidArgument", message, "legacy");
const notFound = () => googleError(404, "notFound", "Requested entity was not found.", "legacy");

/**
 * What a push delivery looks like: defaults are a genuine one for this
 * mailbox; the rest bend one claim (audience, service account, expiry...).
 *
 * @example
 * ```ts
 * await fake.pushNotification({ audience: "https://evil.example/webhooks/gmail" });
 * ```
 * @see https://docs.cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
export type PushNotificationOptions = {
  emailAddress?: string;
  forged?: boolean;
  /** Where the request goes; default the Pub/Sub audience. */
  url?: string;
  /** The notification's history id; default the mailbox's current one. */
  historyId?: number;
} & Partial<Omit<PushTokenClaims, "forged">>;

/**
 * The Gmail fake: MSW handlers, state and the outside world's helpers.
 *
 * @example
 * ```ts
 * const fake: GmailFake = createGmailFake();
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export interface GmailFake {
  /** MSW handlers: Gmail, Google OAuth, Google certs. */
  readonly handlers: RequestHandler[];
  /** The Google OAuth fake (for `connect`, `expireAccessTokens`, `revokeGrant`). */
  readonly oauth: FakeOAuthServer;
  /** The mailbox state. */
  readonly mailbox: FakeMailbox;
  /** The mailbox's address, lowercased. */
  readonly emailAddress: string;
  /** Calls per method (`"history.list"`, `"threads.get"`...), counted once auth passed. */
  readonly calls: Record<string, number>;
  /** Messages received through `messages.send`. */
  readonly sent: FakeSentMessage[];
  /** The active watch, if any. */
  readonly watch: Readonly<FakeWatch> | undefined;
  /** Quota units spent in the last minute. */
  unitsLastMinute(): number;
  /** The next `count` API calls answer Gmail's rate-limit error (429 `rateLimitExceeded`, or 403 `userRateLimitExceeded`). */
  rateLimitNext(count?: number, status?: 403 | 429): void;
  /** Forget all history: any stored start id now answers 404. */
  expireHistory(): void;
  /** The user sends a message from Gmail itself (not through the API). */
  userSends(mail: { to: string; subject: string; text: string; threadId?: string }): FakeMessage;
  /** Pitches to the sandbox's radio contacts, one thread each. */
  seedPitches(count: number, subject?: string): FakeMessage[];
  /** Any incoming message. */
  receiveEmail(mail: IncomingMail): FakeMessage;
  /** The contact replies in the thread (In-Reply-To/References set, subject "Re: …", the pitch quoted). */
  receiveReply(reply: {
    threadId: string;
    from: string;
    text?: string;
    html?: string;
    subject?: string;
    headers?: Record<string, string>;
  }): FakeMessage;
  /** An out-of-office auto-reply (`Auto-Submitted: auto-replied`). */
  receiveAutoReply(reply: { threadId: string; from: string; text?: string }): FakeMessage;
  /** Gmail's delivery status notification for a failed recipient (RFC 3464 multipart/report). */
  receiveBounce(bounce: { threadId: string; recipient?: string }): FakeMessage;
  /** Permanently delete a message (a `messageDeleted` history record). */
  deleteMessage(id: string): void;
  /** Move to Trash (a label change; the message stays in its thread). */
  trashMessage(id: string): void;
  /** The user reads the message (removes UNREAD). */
  markRead(id: string): void;
  /** A message by id. */
  message(id: string): FakeMessage | undefined;
  /** A thread's messages, oldest first. */
  thread(threadId: string): FakeMessage[];
  /**
   * A Pub/Sub push delivery for this mailbox, as Google sends it to the
   * host's webhook URL: `Authorization: Bearer <OIDC token>` and the JSON
   * envelope with base64 `{ emailAddress, historyId }`. `forged` signs with
   * a key Google never published. The address may come first:
   * `pushNotification("sam@label.example", { forged: true })`.
   */
  pushNotification(
    emailAddressOrOptions?: string | PushNotificationOptions,
    options?: PushNotificationOptions,
  ): Promise<Request>;
  /** Push deliveries the active watch produced since the last call (one per matching change). */
  takePushes(): Promise<Request[]>;
}

/**
 * A stateful Gmail fake. Endpoints (under
 * `https://gmail.googleapis.com/gmail/v1/users/{me|address}`): `profile`,
 * `labels`, `messages` (list with `q`, `labelIds`, `includeSpamTrash`,
 * paging), `messages/{id}` (`format` full/metadata/minimal/raw,
 * `metadataHeaders`), `messages/send` (parses the raw RFC 2822), `threads`,
 * `threads/{id}`, `history` (`startHistoryId`, `historyTypes`, `labelId`,
 * paging; 404 below the retained window), `watch`, `stop`; plus Google's
 * OAuth server and certs. Every call checks the bearer token and its scopes
 * (`gmail.metadata` refuses `q` and `format=full`), counts quota units, and
 * answers Google's error bodies.
 *
 * @example
 * ```ts
 * const fake = createGmailFake();
 * const server = setupServer(...fake.handlers);
 * const pitch = fake.userSends({ to: "cheryl@kexp.example", subject: "New single", text: "Hi Cheryl" });
 * fake.receiveReply({ threadId: pitch.threadId, from: "cheryl@kexp.example", text: "Sounds great!" });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest
 */
export function createGmailFake(options: GmailFakeOptions = {}): GmailFake {
  const now = options.now ?? Date.now;
  const oauth =
    options.oauth ??
    createGoogleOAuthFake({ redirectUris: options.redirectUris ?? [GMAIL_SANDBOX_REDIRECT_URI] });
  const emailAddress = (options.emailAddress ?? GMAIL_SANDBOX_ADDRESS).toLowerCase();
  const mailbox: FakeMailbox = createMailbox({
    emailAddress,
    now,
    startHistoryId: 5000,
    historyRetention: options.historyRetention,
  });
  const pubsub = {
    subscription: "projects/patchbay-sandbox/subscriptions/gmail-push",
    ...GMAIL_SANDBOX_PUBSUB,
    ...options.pubsub,
  };
  const unitsPerMinute = options.unitsPerMinute === undefined ? 15_000 : options.unitsPerMinute;
  const spent: Array<{ at: number; units: number }> = [];
  const calls: Record<string, number> = {};
  const sent: FakeSentMessage[] = [];
  let rateLimited: Array<{ status: 403 | 429 }> = [];
  let watch: FakeWatch | undefined;
  const pushes = pushSigner.subscription({ ...pubsub, firstMessageId: 1_000_001, now });
  const pendingPushes: number[] = [];

  mailbox.onHistory((entry: FakeHistoryRecord) => {
    if (watch === undefined || watch.expiration <= now()) return;
    const touches = entry.message.labelIds.some((l) => watch!.labelIds.includes(l));
    const wanted =
      watch.labelIds.length === 0 || (watch.behavior === "include" ? touches : !touches);
    if (wanted) pendingPushes.push(entry.id);
  });

  /** Auth, scope, userId, rate-limit and quota checks shared by every endpoint. */
  function gate(
    request: Request,
    userId: string,
    method: string,
    extra: { needsFullAccess?: boolean } = {},
  ): Response | undefined {
    const auth = oauth.verifyBearer(request);
    if (!auth.valid) return googleUnauthorized("legacy");
    if (userId !== "me" && userId.toLowerCase() !== emailAddress)
      return googleError(403, "forbidden", `Delegation denied for ${emailAddress}`, "legacy");
    const accepted = METHOD_SCOPES[method] ?? [];
    if (!auth.scopes.some((scope) => accepted.includes(scope)))
      return googleError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        "legacy",
      );
    const fullRead = auth.scopes.some(
      (scope) => READ_SCOPES.includes(scope) && scope !== `${SCOPE}gmail.metadata`,
    );
    const metadataOnly = !fullRead && auth.scopes.includes(`${SCOPE}gmail.metadata`);
    if (extra.needsFullAccess && metadataOnly && method !== "messages.send")
      return googleError(
        403,
        "forbidden",
        "Metadata scope does not support 'q' parameter or format FULL",
        "legacy",
      );
    const fault = rateLimited.shift();
    if (fault !== undefined)
      return fault.status === 429
        ? googleError(
            429,
            "rateLimitExceeded",
            "Resource has been exhausted (e.g. check quota).",
            "legacy",
          )
        : googleError(403, "userRateLimitExceeded", "User-rate limit exceeded.", "legacy");
    const cost = GMAIL_QUOTA_UNITS[method] ?? 5;
    if (unitsPerMinute !== null) {
      const windowStart = now() - 60_000;
      while (spent.length > 0 && spent[0]!.at <= windowStart) spent.shift();
      const used = spent.reduce((sum, s) => sum + s.units, 0);
      if (used + cost > unitsPerMinute)
        return googleError(403, "userRateLimitExceeded", "User-rate limit exceeded.", "legacy");
      spent.push({ at: now(), units: cost });
    }
    calls[method] = (calls[method] ?? 0) + 1;
    return undefined;
  }

  function metadataPayload(message: FakeMessage, wanted: string[]): gmail_v1.Schema$MessagePart {
    const lower = wanted.map((h) => h.toLowerCase());
    return {
      mimeType: message.parsed.mimeType,
      headers: message.parsed.headers.filter(
        (h) => lower.length === 0 || lower.includes(h.name.toLowerCase()),
      ),
    };
  }

  function resource(
    message: FakeMessage,
    format: string,
    metadataHeaders: string[],
  ): gmail_v1.Schema$Message {
    const base = {
      id: message.id,
      threadId: message.threadId,
      labelIds: [...message.labelIds],
      snippet: mailbox.snippet(message),
      sizeEstimate: Buffer.byteLength(message.raw),
      historyId: String(message.historyId),
      internalDate: String(message.internalDate),
    } satisfies gmail_v1.Schema$Message;
    if (format === "minimal") return base;
    if (format === "raw")
      return { ...base, raw: Buffer.from(message.raw, "utf8").toString("base64url") };
    if (format === "metadata")
      return { ...base, payload: metadataPayload(message, metadataHeaders) };
    const payload: GmailPayload = toGmailPayload(message.parsed);
    return { ...base, payload: payload satisfies gmail_v1.Schema$MessagePart };
  }

  function readFormat(url: URL): string | Response {
    const format = (url.searchParams.get("format") ?? "full").toLowerCase();
    if (!["full", "metadata", "minimal", "raw"].includes(format))
      return invalid(
        `Invalid value at 'format' (type.googleapis.com/google.gmail.v1.Format), "${format}"`,
      );
    return format;
  }

  /** Gmail search, the operators Patchbay and a sandbox user need. */
  function matches(message: FakeMessage, q: string): boolean {
    const headers = message.parsed.headers;
    const tokens = q.match(/[a-zA-Z0-9_]+:(?:"[^"]*"|\([^)]*\)|\S+)|"[^"]*"|\S+/g) ?? [];
    return tokens.every((token) => {
      const colon = token.indexOf(":");
      const op = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
      const raw = colon > 0 ? token.slice(colon + 1) : token;
      const value = raw.replace(/^["(]|[")]$/g, "").toLowerCase();
      // `from:(a OR b)` matches either.
      const has = (name: string) =>
        value
          .split(/\s+or\s+/)
          .some((part) => (header(headers, name) ?? "").toLowerCase().includes(part.trim()));
      switch (op) {
        case "in":
          return (
            value === "anywhere" ||
            value === "all" ||
            message.labelIds.includes(value.toUpperCase())
          );
        case "label":
          return message.labelIds.some((l) => l.toLowerCase() === value);
        case "is":
          return message.labelIds.includes(value.toUpperCase());
        case "from":
          return has("From");
        case "to":
          return has("To") || has("Cc");
        case "subject":
          return value
            .split(/\s+/)
            .every((word) => (header(headers, "Subject") ?? "").toLowerCase().includes(word));
        case "rfc822msgid": {
          const id = (header(headers, "Message-ID") ?? "").replace(/^<|>$/g, "").toLowerCase();
          return id === value.replace(/^<|>$/g, "");
        }
        case "after":
        case "before": {
          const at = /^\d+$/.test(value)
            ? Number(value) * 1000
            : Date.parse(value.replace(/\//g, "-"));
          return op === "after" ? message.internalDate > at : message.internalDate < at;
        }
        default: {
          const haystack =
            `${header(headers, "Subject") ?? ""} ${mailbox.text(message)}`.toLowerCase();
          return haystack.includes(value);
        }
      }
    });
  }

  const base = `${GMAIL_USERS_URL}/:userId`;
  const handlers: RequestHandler[] = [
    ...oauth.handlers,
    pushSigner.certsHandler(),
    http.get(`${base}/profile`, ({ request, params }) => {
      const denied = gate(request, String(params.userId), "users.getProfile");
      if (denied) return denied;
      return HttpResponse.json({
        emailAddress,
        messagesTotal: mailbox.messages.size,
        threadsTotal: mailbox.threads.size,
        historyId: String(mailbox.historyId),
      } satisfies gmail_v1.Schema$Profile);
    }),
    http.get(`${base}/labels`, ({ request, params }) => {
      const denied = gate(request, String(params.userId), "labels.list");
      if (denied) return denied;
      return HttpResponse.json({
        labels: SYSTEM_LABELS.map((id) => ({ id, name: id, type: "system" })),
      } satisfies gmail_v1.Schema$ListLabelsResponse);
    }),
    http.get(`${base}/messages`, ({ request, params }) => {
      const url = new URL(request.url);
      const q = url.searchParams.get("q") ?? "";
      const denied = gate(request, String(params.userId), "messages.list", {
        needsFullAccess: q !== "",
      });
      if (denied) return denied;
      const offset = readPageToken(url.searchParams.get("pageToken"));
      if (offset === "invalid") return invalid("Invalid pageToken");
      const labelIds = url.searchParams.getAll("labelIds");
      const spamTrash =
        url.searchParams.get("includeSpamTrash") === "true" ||
        /\bin:(spam|trash|anywhere)\b/i.test(q);
      const all = [...mailbox.messages.values()]
        .filter((m) => spamTrash || !m.labelIds.some((l) => l === "SPAM" || l === "TRASH"))
        .filter((m) => labelIds.every((l) => m.labelIds.includes(l)))
        .filter((m) => q === "" || matches(m, q))
        .sort((a, b) => b.internalDate - a.internalDate);
      const size = pageSize(url.searchParams.get("maxResults"), 100);
      const start = offset ?? 0;
      const page = all.slice(start, start + size);
      return HttpResponse.json({
        ...(page.length > 0
          ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) }
          : {}),
        ...(start + size < all.length ? { nextPageToken: pageToken(start + size) } : {}),
        resultSizeEstimate: all.length,
      } satisfies gmail_v1.Schema$ListMessagesResponse);
    }),
    http.post(`${base}/messages/send`, async ({ request, params }) => {
      const denied = gate(request, String(params.userId), "messages.send");
      if (denied) return denied;
      const body = (await request.json().catch(() => undefined)) as
        | { raw?: unknown; threadId?: unknown }
        | undefined;
      if (typeof body?.raw !== "string" || body.raw === "")
        return invalid(
          "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        );
      const raw = base64urlDecode(body.raw);
      if (raw === undefined) return invalid("Invalid value for ByteString");
      const parsed = parseMime(raw);
      const recipients = ["To", "Cc", "Bcc"]
        .map((name) => header(parsed.headers, name) ?? "")
        .join(",")
        .split(",")
        .map((r) => r.trim())
        .filter((r) => r !== "");
      if (recipients.length === 0) return invalid("Recipient address required");
      if (!recipients.every((r) => /[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+/.test(r)))
        return invalid("Invalid To header");
      // Gmail sends as the account (or a verified alias), adds Message-ID and Date.
      const split = /\r?\n\r?\n/.exec(raw);
      const head = split === null ? raw : raw.slice(0, split.index);
      const rest = split === null ? "" : raw.slice(split.index);
      const keptHead = head
        .replace(/^From:[^\r\n]*(\r?\n[ \t][^\r\n]*)*(\r?\n|$)/im, "")
        .replace(/\r?\n$/, "");
      const stamped =
        [
          `From: ${emailAddress}`,
          ...(header(parsed.headers, "Message-ID") === undefined
            ? [
                `Message-ID: <CAPB${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}@mail.gmail.com>`,
              ]
            : []),
          ...(header(parsed.headers, "Date") === undefined
            ? [`Date: ${new Date(now()).toUTCString()}`]
            : []),
          keptHead,
        ].join("\r\n") + rest;
      const threadId =
        typeof body.threadId === "string" && mailbox.threads.has(body.threadId)
          ? body.threadId
          : undefined;
      const message = mailbox.insert(stamped, { labelIds: ["SENT"], threadId });
      const text = parseMime(stamped);
      sent.push({
        id: message.id,
        threadId: message.threadId,
        to: header(text.headers, "To") ?? "",
        from: emailAddress,
        subject: header(text.headers, "Subject") ?? "",
        text: mailbox.text(message),
        html: (() => {
          const html = text.parts.find((p) => p.mimeType === "text/html");
          return html?.content.toString("utf8");
        })(),
        headers: text.headers,
      });
      return HttpResponse.json({
        id: message.id,
        threadId: message.threadId,
        labelIds: [...message.labelIds],
      } satisfies gmail_v1.Schema$Message);
    }),
    http.get(`${base}/messages/:id`, ({ request, params }) => {
      const url = new URL(request.url);
      const format = readFormat(url);
      if (typeof format !== "string") return format;
      const denied = gate(request, String(params.userId), "messages.get", {
        needsFullAccess: format === "full" || format === "raw",
      });
      if (denied) return denied;
      const id = String(params.id);
      if (!/^[0-9a-f]{16}$/i.test(id)) return invalid("Invalid id value");
      const message = mailbox.messages.get(id);
      if (message === undefined) return notFound();
      return HttpResponse.json(
        resource(message, format, url.searchParams.getAll("metadataHeaders")),
      );
    }),
    http.get(`${base}/threads`, ({ request, params }) => {
      const url = new URL(request.url);
      const q = url.searchParams.get("q") ?? "";
      const denied = gate(request, String(params.userId), "threads.list", {
        needsFullAccess: q !== "",
      });
      if (denied) return denied;
      const offset = readPageToken(url.searchParams.get("pageToken"));
      if (offset === "invalid") return invalid("Invalid pageToken");
      const threads = [...mailbox.threads.keys()]
        .map((id) => mailbox.threadMessages(id))
        .filter((messages) => q === "" || messages.some((m) => matches(m, q)))
        .sort((a, b) => b.at(-1)!.internalDate - a.at(-1)!.internalDate);
      const size = pageSize(url.searchParams.get("maxResults"), 100);
      const start = offset ?? 0;
      const page = threads.slice(start, start + size);
      return HttpResponse.json({
        ...(page.length > 0
          ? {
              threads: page.map((messages) => ({
                id: messages[0]!.threadId,
                snippet: mailbox.snippet(messages.at(-1)!),
                historyId: String(Math.max(...messages.map((m) => m.historyId))),
              })),
            }
          : {}),
        ...(start + size < threads.length ? { nextPageToken: pageToken(start + size) } : {}),
        resultSizeEstimate: threads.length,
      } satisfies gmail_v1.Schema$ListThreadsResponse);
    }),
    http.get(`${base}/threads/:id`, ({ request, params }) => {
      const url = new URL(request.url);
      const format = readFormat(url);
      if (typeof format !== "string") return format;
      if (format === "raw")
        return invalid("Invalid value at 'format': RAW is not supported for threads");
      const denied = gate(request, String(params.userId), "threads.get", {
        needsFullAccess: format === "full",
      });
      if (denied) return denied;
      const id = String(params.id);
      if (!/^[0-9a-f]{16}$/i.test(id)) return invalid("Invalid id value");
      const messages = mailbox.threadMessages(id);
      if (messages.length === 0) return notFound();
      const headers = url.searchParams.getAll("metadataHeaders");
      return HttpResponse.json({
        id,
        historyId: String(Math.max(...messages.map((m) => m.historyId))),
        messages: messages.map((m) => resource(m, format, headers)),
      } satisfies gmail_v1.Schema$Thread);
    }),
    http.get(`${base}/history`, ({ request, params }) => {
      const denied = gate(request, String(params.userId), "history.list");
      if (denied) return denied;
      const url = new URL(request.url);
      const start = url.searchParams.get("startHistoryId");
      if (start === null || start === "") return invalid("Missing required field: startHistoryId");
      if (!/^\d+$/.test(start))
        return invalid(`Invalid value at 'start_history_id' (TYPE_UINT64), "${start}"`);
      if (Number(start) < mailbox.historyFloor) return notFound();
      const offset = readPageToken(url.searchParams.get("pageToken"));
      if (offset === "invalid") return invalid("Invalid pageToken");
      const types = url.searchParams.getAll("historyTypes");
      for (const type of types)
        if (!["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"].includes(type))
          return invalid(`Invalid value at 'history_types', "${type}"`);
      const labelId = url.searchParams.get("labelId");
      const entries = mailbox
        .historyAfter(Number(start))
        .filter((entry) => types.length === 0 || types.includes(entry.kind))
        .filter((entry) => labelId === null || entry.message.labelIds.includes(labelId));
      const size = pageSize(url.searchParams.get("maxResults"), 100);
      const from = offset ?? 0;
      const page = entries.slice(from, from + size);
      const history = page.map((entry) => {
        const message = entry.message;
        const item: gmail_v1.Schema$History = {
          id: String(entry.id),
          messages: [{ id: message.id, threadId: message.threadId }],
        };
        if (entry.kind === "messageAdded") item.messagesAdded = [{ message }];
        if (entry.kind === "messageDeleted") item.messagesDeleted = [{ message }];
        if (entry.kind === "labelAdded") item.labelsAdded = [{ message, labelIds: entry.labelIds }];
        if (entry.kind === "labelRemoved")
          item.labelsRemoved = [{ message, labelIds: entry.labelIds }];
        return item;
      });
      return HttpResponse.json({
        ...(history.length > 0 ? { history } : {}),
        ...(from + size < entries.length ? { nextPageToken: pageToken(from + size) } : {}),
        historyId: String(mailbox.historyId),
      } satisfies gmail_v1.Schema$ListHistoryResponse);
    }),
    http.post(`${base}/watch`, async ({ request, params }) => {
      const denied = gate(request, String(params.userId), "users.watch");
      if (denied) return denied;
      const body = (await request.json().catch(() => ({}))) as gmail_v1.Schema$WatchRequest;
      const topicName = body.topicName ?? "";
      if (!/^projects\/[^/\s]+\/topics\/[^/\s]+$/.test(topicName))
        return invalid("Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC");
      if (options.topics !== undefined && !options.topics.includes(topicName))
        return googleError(
          404,
          "notFound",
          `Resource not found (resource=${topicName.split("/").at(-1)}).`,
          "legacy",
        );
      if (options.publishGranted === false)
        return googleError(
          403,
          "forbidden",
          "User not authorized to perform this action.",
          "legacy",
        );
      const behavior = (
        body.labelFilterBehavior ??
        body.labelFilterAction ??
        "include"
      ).toLowerCase();
      if (behavior !== "include" && behavior !== "exclude")
        return invalid(`Invalid value at 'label_filter_behavior', "${behavior}"`);
      watch = {
        topicName,
        labelIds: body.labelIds ?? [],
        behavior,
        expiration: now() + 7 * 24 * 60 * 60 * 1000,
      };
      return HttpResponse.json({
        historyId: String(mailbox.historyId),
        expiration: String(watch.expiration),
      } satisfies gmail_v1.Schema$WatchResponse);
    }),
    http.post(`${base}/stop`, ({ request, params }) => {
      const denied = gate(request, String(params.userId), "users.stop");
      if (denied) return denied;
      watch = undefined;
      pendingPushes.length = 0;
      return new HttpResponse(null, { status: 204 });
    }),
  ];

  function lastMessage(threadId: string): FakeMessage {
    const messages = mailbox.threadMessages(threadId);
    const last = messages.at(-1);
    if (last === undefined) throw new Error(`gmail fake: no thread ${threadId}`);
    return last;
  }

  function receiveEmail(mail: IncomingMail): FakeMessage {
    const headers: Record<string, string> = {
      From: mail.from,
      To: mail.to ?? emailAddress,
      Subject: mail.subject,
      Date: new Date(now()).toUTCString(),
      "Message-ID": `<${Math.random().toString(36).slice(2)}.${Date.now().toString(36)}@mail.example>`,
      ...mail.headers,
    };
    const raw = writeMessage({ headers, text: mail.text, html: mail.html });
    return mailbox.insert(raw, {
      labelIds: mail.labelIds ?? ["INBOX", "UNREAD"],
      threadId: mail.threadId,
    });
  }

  function replyHeaders(threadId: string): { subject: string; headers: Record<string, string> } {
    const last = lastMessage(threadId);
    const first = mailbox.threadMessages(threadId)[0]!;
    const messageId = header(last.parsed.headers, "Message-ID") ?? "";
    const references = [header(last.parsed.headers, "References") ?? "", messageId]
      .join(" ")
      .trim();
    return {
      subject: header(first.parsed.headers, "Subject") ?? "",
      headers: { "In-Reply-To": messageId, References: references },
    };
  }

  const fake: GmailFake = {
    /** MSW handlers: Gmail, Google OAuth, Google certs. */
    handlers,
    /** The Google OAuth fake (for `connect`, `expireAccessTokens`, `revokeGrant`). */
    oauth,
    mailbox,
    emailAddress,
    /** Calls per method (`"history.list"`, `"threads.get"`...), counted after auth passed. */
    calls,
    /** Messages received through `messages.send`. */
    sent,
    /** The active watch, if any. */
    get watch(): Readonly<FakeWatch> | undefined {
      return watch;
    },
    /** Quota units spent in the last minute. */
    unitsLastMinute(): number {
      const windowStart = now() - 60_000;
      return spent.filter((s) => s.at > windowStart).reduce((sum, s) => sum + s.units, 0);
    },
    /** The next `count` API calls answer Gmail's rate-limit error (429 `rateLimitExceeded`, or 403 `userRateLimitExceeded`). */
    rateLimitNext(count = 1, status: 403 | 429 = 429): void {
      rateLimited = [...rateLimited, ...Array.from({ length: count }, () => ({ status }))];
    },
    /** Forget all history: any stored start id now answers 404. */
    expireHistory(): void {
      mailbox.expireHistory();
    },
    /** The user sends a message from Gmail itself (not through the API). */
    userSends(mail: { to: string; subject: string; text: string; threadId?: string }): FakeMessage {
      const raw = writeMessage({
        headers: {
          From: emailAddress,
          To: mail.to,
          Subject: mail.subject,
          Date: new Date(now()).toUTCString(),
          "Message-ID": `<CAPB${Math.random().toString(36).slice(2)}@mail.gmail.com>`,
        },
        text: mail.text,
      });
      return mailbox.insert(raw, { labelIds: ["SENT"], threadId: mail.threadId });
    },
    /** Pitches to the sandbox's radio contacts, one thread each. */
    seedPitches(
      count: number,
      subject = "New single: The Patch Bays – Signal Flow",
    ): FakeMessage[] {
      return Array.from({ length: count }, (_, i) => {
        const [name, address] = CONTACTS[i % CONTACTS.length]!;
        const to = i < CONTACTS.length ? address : address.replace("@", `+${i}@`);
        return fake.userSends({
          to: `${name} <${to}>`,
          subject: `${subject}${i < CONTACTS.length ? "" : ` (${i})`}`,
          text: `Hi ${name.split(" ")[0]},\n\nI think this one is right for your show. Stream: https://example.com/signal-flow\n\nSam`,
        });
      });
    },
    /** Any incoming message. */
    receiveEmail,
    /** The contact replies in the thread (In-Reply-To/References set, subject "Re: …"). */
    receiveReply(reply: {
      threadId: string;
      from: string;
      text?: string;
      html?: string;
      subject?: string;
      headers?: Record<string, string>;
    }): FakeMessage {
      const thread = replyHeaders(reply.threadId);
      const text = reply.text ?? REPLY_TEXTS[mailbox.messages.size % REPLY_TEXTS.length]!;
      return receiveEmail({
        from: reply.from,
        subject: reply.subject ?? `Re: ${thread.subject}`,
        text: `${text}\n\nOn ${new Date(now()).toUTCString()}, ${emailAddress} wrote:\n> ${mailbox.text(lastMessage(reply.threadId)).split("\n").join("\n> ")}`,
        html: reply.html,
        headers: { ...thread.headers, ...reply.headers },
        threadId: reply.threadId,
      });
    },
    /** An out-of-office auto-reply (`Auto-Submitted: auto-replied`). */
    receiveAutoReply(reply: { threadId: string; from: string; text?: string }): FakeMessage {
      const thread = replyHeaders(reply.threadId);
      return receiveEmail({
        from: reply.from,
        subject: `Automatic reply: ${thread.subject}`,
        text:
          reply.text ??
          "Thank you for your email. I'm away until Monday with limited access to email.",
        headers: { ...thread.headers, "Auto-Submitted": "auto-replied", "X-Autoreply": "yes" },
        threadId: reply.threadId,
      });
    },
    /** Gmail's delivery status notification for a failed recipient (RFC 3464 multipart/report). */
    receiveBounce(bounce: { threadId: string; recipient?: string }): FakeMessage {
      const original = mailbox.threadMessages(bounce.threadId)[0];
      if (original === undefined) throw new Error(`gmail fake: no thread ${bounce.threadId}`);
      const recipient =
        bounce.recipient ?? (header(original.parsed.headers, "To") ?? "").replace(/^.*<|>.*$/g, "");
      const thread = replyHeaders(bounce.threadId);
      const boundary = `0000000000009${Math.random().toString(16).slice(2, 14)}`;
      const date = new Date(now()).toUTCString();
      const originalHeaders = original.raw.split(/\r?\n\r?\n/)[0];
      const raw = [
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        `To: ${emailAddress}`,
        "Auto-Submitted: auto-replied",
        "Subject: Delivery Status Notification (Failure)",
        `In-Reply-To: ${thread.headers["In-Reply-To"]}`,
        `References: ${thread.headers.References}`,
        `X-Failed-Recipients: ${recipient}`,
        `Message-ID: <${Math.random().toString(36).slice(2)}@mx.google.com>`,
        `Date: ${date}`,
        "MIME-Version: 1.0",
        `Content-Type: multipart/report; boundary="${boundary}"; report-type=delivery-status`,
        "",
        `--${boundary}`,
        'Content-Type: text/plain; charset="UTF-8"',
        "",
        "** Address not found **",
        "",
        `Your message wasn't delivered to ${recipient} because the address couldn't be found, or is unable to receive mail.`,
        "",
        `--${boundary}`,
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; googlemail.com",
        `Arrival-Date: ${date}`,
        "",
        `Final-Recipient: rfc822; ${recipient}`,
        "Action: failed",
        "Status: 5.1.1",
        `Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.`,
        `Last-Attempt-Date: ${date}`,
        "",
        `--${boundary}`,
        "Content-Type: text/rfc822-headers",
        "",
        originalHeaders,
        "",
        `--${boundary}--`,
        "",
      ].join("\r\n");
      return mailbox.insert(raw, {
        labelIds: ["INBOX", "UNREAD"],
        threadId: bounce.threadId,
        anySubject: true,
      });
    },
    /** Permanently delete a message (a `messageDeleted` history record). */
    deleteMessage(id: string): void {
      mailbox.remove(id);
    },
    /** Move to Trash (a label change; the message stays in its thread). */
    trashMessage(id: string): void {
      mailbox.modifyLabels(id, ["TRASH"], ["INBOX"]);
    },
    /** The user reads the message (removes UNREAD). */
    markRead(id: string): void {
      mailbox.modifyLabels(id, [], ["UNREAD"]);
    },
    /** A message by id. */
    message(id: string): FakeMessage | undefined {
      return mailbox.messages.get(id);
    },
    /** A thread's messages, oldest first. */
    thread(threadId: string): FakeMessage[] {
      return mailbox.threadMessages(threadId);
    },
    /**
     * A Pub/Sub push delivery for this mailbox, as Google sends it to the
     * host's webhook URL: `Authorization: Bearer <OIDC token>` and the JSON
     * envelope with base64 `{ emailAddress, historyId }`.
     */
    async pushNotification(first, second) {
      const {
        emailAddress: address,
        historyId,
        ...overrides
      }: PushNotificationOptions = typeof first === "string"
        ? { ...second, emailAddress: first }
        : { ...first };
      return pushes.deliver(
        { emailAddress: address ?? emailAddress, historyId: historyId ?? mailbox.historyId },
        overrides,
      );
    },
    /** Push deliveries the active watch produced since the last call (one per matching change). */
    async takePushes(): Promise<Request[]> {
      const ids = pendingPushes.splice(0);
      return Promise.all(ids.map((historyId) => fake.pushNotification({ historyId })));
    },
  };
  return fake;
}
