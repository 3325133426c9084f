/**
 * Building the RFC 2822 message `messages.send` takes, and reading the text
 * out of the MIME tree `messages.get` returns. Building and parsing are apart
 * (STYLE rule 5): a recorded Gmail message can be fed to {@link messageText}.
 *
 * @see https://developers.google.com/workspace/gmail/api/guides/sending
 */
import { randomUUID } from "node:crypto";
import { headerValue } from "./classify.js";
import type { GmailMessagePart } from "./schemas.js";

/**
 * A message to send.
 *
 * @example
 * ```ts
 * const pitch: OutgoingMessage = { from: "sam@label.com", to: "dj@kexp.org", subject: "New single", text: "Hi!" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export interface OutgoingMessage {
  /** The sender; Gmail replaces it with the account's address (or a verified alias). */
  from?: string;
  to: string;
  subject: string;
  text: string;
  /** Sent as `multipart/alternative` with the text when given. */
  html?: string;
  /** Default: now. */
  date?: Date;
}

const CRLF = "\r\n";
const UNSAFE_HEADER = /[\r\n]/;

/** RFC 2047 encoded words (UTF-8, base64) for a header value that is not plain ASCII. */
function encodeHeader(value: string): string {
  // Printable ASCII without "=?" stays as is.
  if (/^[\x20-\x7E]*$/.test(value) && !value.includes("=?")) return value;
  const words: string[] = [];
  let chunk = "";
  // At most 45 bytes per word: base64 of 45 bytes is 60 chars, within the 75-char limit.
  for (const char of value) {
    if (Buffer.byteLength(chunk + char, "utf8") > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk !== "") words.push(chunk);
  return words
    .map((word) => `=?UTF-8?B?${Buffer.from(word, "utf8").toString("base64")}?=`)
    .join(`${CRLF} `);
}

function base64Body(text: string): string {
  const canonical = text.replace(/\r?\n/g, CRLF);
  const encoded = Buffer.from(canonical, "utf8").toString("base64");
  return encoded.replace(/.{76}/g, `$&${CRLF}`).replace(/\r\n$/, "");
}

/** RFC 5322 date-time in UTC: `Tue, 04 Jun 2024 09:30:00 +0000`. */
function rfc5322Date(date: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function textPart(type: "plain" | "html", body: string): string {
  return [
    `Content-Type: text/${type}; charset="UTF-8"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Body(body),
  ].join(CRLF);
}

/**
 * The message as RFC 2822 text (CRLF line ends): UTF-8 subjects as RFC 2047
 * encoded words, bodies base64-encoded, `multipart/alternative` when there is
 * HTML. Header values containing CR or LF are refused (header injection).
 *
 * @throws TypeError naming the field that is not a safe header value.
 * @example
 * ```ts
 * const raw = buildRfc2822({ to: "dj@kexp.org", subject: "Nouveau single — écoutez", text: "Salut !" });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function buildRfc2822(message: OutgoingMessage): string {
  for (const field of ["from", "to", "subject"] as const) {
    const value = message[field];
    if (value !== undefined && (typeof value !== "string" || UNSAFE_HEADER.test(value)))
      throw new TypeError(`"${field}" must be a single-line string`);
  }
  if (typeof message.text !== "string") throw new TypeError('"text" must be a string');
  if (message.html !== undefined && typeof message.html !== "string")
    throw new TypeError('"html" must be a string');
  const headers = [
    ...(message.from === undefined ? [] : [`From: ${message.from}`]),
    `To: ${message.to}`,
    `Subject: ${encodeHeader(message.subject)}`,
    `Date: ${rfc5322Date(message.date ?? new Date())}`,
    "MIME-Version: 1.0",
  ];
  if (message.html === undefined) {
    return [...headers, textPart("plain", message.text)].join(CRLF) + CRLF;
  }
  const boundary = `patchbay-${randomUUID()}`;
  return (
    [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      textPart("plain", message.text),
      `--${boundary}`,
      textPart("html", message.html),
      `--${boundary}--`,
    ].join(CRLF) + CRLF
  );
}

/**
 * `raw` for `messages.send`: the RFC 2822 text, base64url-encoded.
 *
 * @example
 * ```ts
 * await http.post("/messages/send", { json: { raw: encodeRaw(buildRfc2822(pitch)) } });
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages/send
 */
export function encodeRaw(rfc2822: string): string {
  return Buffer.from(rfc2822, "utf8").toString("base64url");
}

function decodeData(data: string | null | undefined): string {
  return data ? Buffer.from(data, "base64url").toString("utf8") : "";
}

function findPart(
  part: GmailMessagePart | undefined,
  mimeType: string,
): GmailMessagePart | undefined {
  if (part === undefined) return undefined;
  const type = part.mimeType?.toLowerCase();
  if (type === mimeType && !part.filename && part.body?.data) return part;
  for (const child of part.parts ?? []) {
    const found = findPart(child, mimeType);
    if (found !== undefined) return found;
  }
  return undefined;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/**
 * Decode the HTML character references Gmail puts in snippets and HTML bodies.
 *
 * @example
 * ```ts
 * decodeEntities("Sounds great &ndash; I&#39;m in"); // "Sounds great &ndash; I'm in"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return ENTITIES[lower] ?? whole;
  });
}

/**
 * Plain text from HTML: quoted history dropped (Gmail's `gmail_quote`,
 * `<blockquote>`, Outlook's `divRplyFwdMsg`/`appendonsend`), block elements
 * turned into line breaks, tags removed, entities decoded.
 *
 * @example
 * ```ts
 * htmlToText('<div>Sounds great!</div><div class="gmail_quote">On Mon … wrote:<blockquote>Pitch</blockquote></div>'); // "Sounds great!"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function htmlToText(html: string): string {
  let body = html.replace(/<(head|style|script)\b[\s\S]*?<\/\1>/gi, "");
  const quote = body.search(
    /<(div|span)[^>]*\b(class|id)="[^"]*\b(gmail_quote|yahoo_quoted|divRplyFwdMsg|appendonsend)\b|<blockquote\b/i,
  );
  if (quote >= 0) body = body.slice(0, quote);
  body = body
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, "\n")
    .replace(/<[^>]+>/g, "");
  return decodeEntities(body)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * The readable text of a Gmail message (`format=full` payload): the first
 * `text/plain` part, else the first `text/html` part converted to text.
 * Attachments (parts with a filename) are skipped.
 *
 * @example
 * ```ts
 * const { data } = await http.get<GmailMessage>(`/messages/${id}`, { query: { format: "full" } });
 * messageText(data.payload);
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages#MessagePart
 */
export function messageText(payload: GmailMessagePart | undefined): string {
  const plain = findPart(payload, "text/plain");
  if (plain !== undefined) return decodeData(plain.body?.data).replace(/\r\n?/g, "\n");
  const html = findPart(payload, "text/html");
  if (html !== undefined) return htmlToText(decodeData(html.body?.data));
  return "";
}

/**
 * A top-level header of a Gmail message payload, or `undefined`.
 *
 * @example
 * ```ts
 * payloadHeader(message.payload, "Message-ID"); // "<CA+abc@mail.gmail.com>"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function payloadHeader(
  payload: GmailMessagePart | undefined,
  name: string,
): string | undefined {
  return headerValue(payload?.headers ?? [], name);
}
