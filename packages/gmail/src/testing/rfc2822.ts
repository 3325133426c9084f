/**
 * The fake's own RFC 2822 / MIME reader and writer: it parses what
 * `messages.send` receives into Gmail's `payload` tree, and writes the mail
 * the outside world sends (replies, auto-replies, bounces). Written apart
 * from the connector's builder on purpose, so a bug in one is caught by the
 * other.
 */
import { randomUUID } from "node:crypto";

/**
 * A header as Gmail returns it: name as written, value decoded.
 * @example
 * ```ts
 * const subject: MimeHeader = { name: "Subject", value: "Hi" };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export interface MimeHeader {
  name: string;
  value: string;
}

/**
 * A parsed MIME entity. Leaves carry their decoded bytes.
 * @example
 * ```ts
 * const entity: MimeEntity = parseMime(raw);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export interface MimeEntity {
  headers: MimeHeader[];
  mimeType: string;
  filename: string;
  /** Decoded content (transfer encoding removed); empty for multiparts. */
  content: Buffer;
  parts: MimeEntity[];
}

/**
 * Gmail's `MessagePart` shape (the fake's responses).
 * @example
 * ```ts
 * const payload: GmailPayload = toGmailPayload(parseMime(raw));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export interface GmailPayload {
  partId: string;
  mimeType: string;
  filename: string;
  headers: MimeHeader[];
  body: { size: number; data?: string };
  parts?: GmailPayload[];
}

function splitHead(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (match === null) return { head: raw, body: "" };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

/**
 * RFC 2047 encoded words, B and Q, any charset Node knows (else UTF-8).
 * @example
 * ```ts
 * decodeEncodedWords("=?UTF-8?B?w6l0w6k=?="); // "été"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, "$1")
    .replace(
      /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
      (_whole, charset: string, kind: string, text: string) => {
        const bytes =
          kind.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : Buffer.from(
                text
                  .replace(/_/g, " ")
                  .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                    String.fromCharCode(Number.parseInt(hex, 16)),
                  ),
                "latin1",
              );
        const label = charset.toLowerCase();
        const encoding = label === "iso-8859-1" || label === "latin1" ? "latin1" : "utf8";
        return bytes.toString(encoding);
      },
    );
}

function parseHeaders(head: string): MimeHeader[] {
  const headers: MimeHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers.map((h) => ({ name: h.name, value: decodeEncodedWords(h.value) }));
}

/**
 * A header value by name, case-insensitively.
 * @example
 * ```ts
 * header(entity.headers, "subject");
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function header(headers: readonly MimeHeader[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === wanted)?.value;
}

/**
 * `type/subtype` and parameters of a Content-Type or Content-Disposition value.
 * @example
 * ```ts
 * parseParams('multipart/mixed; boundary="b"').params.boundary; // "b"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function parseParams(value: string | undefined): {
  value: string;
  params: Record<string, string>;
} {
  if (value === undefined) return { value: "", params: {} };
  const [first, ...rest] = value.split(";");
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, "");
  }
  return { value: (first ?? "").trim().toLowerCase(), params };
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i]!;
    if (char === "=" && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/**
 * Parse an RFC 2822 message (or MIME entity): headers unfolded and decoded,
 * multiparts split by boundary, leaves decoded (base64, quoted-printable,
 * 7bit/8bit).
 *
 * @example
 * ```ts
 * parseMime("Subject: Hi\r\nContent-Type: text/plain\r\n\r\nHello").content.toString(); // "Hello"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function parseMime(raw: string): MimeEntity {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const type = parseParams(header(headers, "Content-Type") ?? "text/plain");
  const disposition = parseParams(header(headers, "Content-Disposition"));
  const filename = disposition.params.filename ?? type.params.name ?? "";
  if (type.value.startsWith("multipart/") && type.params.boundary) {
    const boundary = type.params.boundary;
    const parts: MimeEntity[] = [];
    const sections = body.split(
      new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    // sections[0] is the preamble; a section starting with "--" is the epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith("--")) break;
      parts.push(parseMime(section.replace(/^[ \t]*\r?\n/, "")));
    }
    return { headers, mimeType: type.value, filename, content: Buffer.alloc(0), parts };
  }
  const encoding = (header(headers, "Content-Transfer-Encoding") ?? "7bit").trim().toLowerCase();
  const content =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, "utf8");
  return { headers, mimeType: type.value || "text/plain", filename, content, parts: [] };
}

/**
 * Gmail's `payload` for a parsed message: part ids `""`, `"0"`, `"1"`,
 * `"1.0"`...; leaves carry `body.data` (base64url) and `body.size`.
 *
 * @example
 * ```ts
 * toGmailPayload(parseMime(raw)).parts?.[0]?.body.data;
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function toGmailPayload(entity: MimeEntity, partId = ""): GmailPayload {
  const payload: GmailPayload = {
    partId,
    mimeType: entity.mimeType,
    filename: entity.filename,
    headers: entity.headers,
    body:
      entity.parts.length > 0
        ? { size: 0 }
        : { size: entity.content.length, data: entity.content.toString("base64url") },
  };
  if (entity.parts.length > 0) {
    payload.parts = entity.parts.map((part, i) =>
      toGmailPayload(part, partId === "" ? String(i) : `${partId}.${i}`),
    );
  }
  return payload;
}

/**
 * The first leaf of a type, depth first (attachments skipped).
 * @example
 * ```ts
 * firstLeaf(entity, "text/plain")?.content.toString();
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function firstLeaf(entity: MimeEntity, mimeType: string): MimeEntity | undefined {
  if (entity.parts.length === 0)
    return entity.mimeType === mimeType && entity.filename === "" ? entity : undefined;
  for (const part of entity.parts) {
    const found = firstLeaf(part, mimeType);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The readable text of a message, as Gmail builds snippets and search from it.
 * @example
 * ```ts
 * plainText(parseMime(raw));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function plainText(entity: MimeEntity): string {
  const plain = firstLeaf(entity, "text/plain");
  if (plain !== undefined) return plain.content.toString("utf8");
  const html = firstLeaf(entity, "text/html");
  if (html === undefined) return "";
  return html.content
    .toString("utf8")
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1>/gi, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}

/**
 * Gmail-style snippet: the start of the text, whitespace collapsed, HTML-escaped.
 * @example
 * ```ts
 * snippetOf(parseMime(raw)); // "Hi Cheryl, I think&#39;s..."
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function snippetOf(entity: MimeEntity): string {
  const text = plainText(entity).replace(/\s+/g, " ").trim().slice(0, 200);
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function encodeWord(value: string): string {
  return /^[\x20-\x7E]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value).toString("base64")}?=`;
}

/**
 * Write a message the way an ordinary mail client would: quoted-printable
 * text, `multipart/alternative` when there is HTML.
 *
 * @example
 * ```ts
 * writeMessage({ headers: { From: "dj@kexp.example", Subject: "Re: New single" }, text: "Sounds great!" });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2822
 */
export function writeMessage(message: {
  headers: Record<string, string>;
  text: string;
  html?: string;
}): string {
  const lines = Object.entries(message.headers).map(
    ([name, value]) => `${name}: ${name.toLowerCase() === "subject" ? encodeWord(value) : value}`,
  );
  const qp = (text: string) =>
    Buffer.from(text.replace(/\r?\n/g, "\r\n"), "utf8")
      .toString("latin1")
      .replace(
        /[=\x80-\xff]/g,
        (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
      );
  lines.push("MIME-Version: 1.0");
  if (message.html === undefined) {
    lines.push(
      'Content-Type: text/plain; charset="UTF-8"',
      "Content-Transfer-Encoding: quoted-printable",
      "",
      qp(message.text),
    );
    return lines.join("\r\n");
  }
  const boundary = `000000000000${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  lines.push(
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    'Content-Type: text/plain; charset="UTF-8"',
    "Content-Transfer-Encoding: quoted-printable",
    "",
    qp(message.text),
    `--${boundary}`,
    'Content-Type: text/html; charset="UTF-8"',
    "Content-Transfer-Encoding: quoted-printable",
    "",
    qp(message.html),
    `--${boundary}--`,
    "",
  );
  return lines.join("\r\n");
}
