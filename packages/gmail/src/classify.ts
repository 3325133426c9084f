/**
 * Reply classification: pure functions, no I/O. A reply is labelled
 * `bounce`, `out_of_office`, `not_interested`, `interested` or `other` by the
 * first rule that matches, in this order (the order is the precedence):
 *
 * 1. **bounce** — a delivery status notification: `Content-Type:
 *    multipart/report; report-type=delivery-status` (RFC 3464), an
 *    `X-Failed-Recipients` header, a sender whose local part is
 *    `mailer-daemon` or `postmaster`, or a DSN subject ("Delivery Status
 *    Notification", "Undeliverable:", "Undelivered Mail Returned to Sender",
 *    "Mail delivery failed", "Returned mail:", "failure notice"). First,
 *    because DSNs also carry `Auto-Submitted: auto-replied`.
 * 2. **out_of_office by header** — `Auto-Submitted` with any value but `no`
 *    (RFC 3834), `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply |
 *    bulk | junk`, or `X-Auto-Response-Suppress` (Exchange sets it on its
 *    automatic replies). Headers beat phrases: they are set by software.
 * 3. **out_of_office by phrase** — {@link OUT_OF_OFFICE_PHRASES} in the
 *    subject or in the new text ("I'm out of office; happy to listen when I'm
 *    back" is an auto-reply, not interest).
 * 4. **not_interested** — {@link NOT_INTERESTED_PHRASES} in the new text.
 *    Checked before interest, so "not interested" or "no thanks, sounds great
 *    though" is a no.
 * 5. **interested** — {@link INTERESTED_PHRASES} in the new text.
 * 6. **other** — nothing matched.
 *
 * "New text" is the reply with quoted text removed ({@link stripQuotedText}):
 * the pitch quoted below "On … wrote:" must not classify the answer. Phrases
 * match whole words, case- and accent-insensitively, with any whitespace
 * between words.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3834 (Auto-Submitted)
 * @see https://www.rfc-editor.org/rfc/rfc3464 (delivery status notifications)
 */

/**
 * The labels a reply can get, in precedence order.
 * @example
 * ```ts
 * REPLY_LABELS.includes("bounce"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export const REPLY_LABELS = [
  "bounce",
  "out_of_office",
  "not_interested",
  "interested",
  "other",
] as const;

/**
 * One of {@link REPLY_LABELS}.
 *
 * @example
 * ```ts
 * const label: ReplyLabel = "interested";
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export type ReplyLabel = (typeof REPLY_LABELS)[number];

/**
 * A label and the rule that chose it, for humans (`header Auto-Submitted:
 * auto-replied`, `phrase "sounds great"`, `no rule matched`).
 *
 * @example
 * ```ts
 * const verdict: ReplyClassification = { label: "out_of_office", reason: "header Auto-Submitted: auto-replied" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export interface ReplyClassification {
  label: ReplyLabel;
  reason: string;
}

/**
 * Message headers: Gmail's `payload.headers` (`[{ name, value }]`) or a plain
 * record. Names are matched case-insensitively; the first occurrence wins.
 *
 * @example
 * ```ts
 * const headers: ReplyHeaders = [{ name: "Auto-Submitted", value: "auto-replied" }];
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export type ReplyHeaders =
  | ReadonlyArray<{ name?: string | null; value?: string | null }>
  | Readonly<Record<string, string | undefined>>;

/**
 * What {@link classifyReply} reads.
 *
 * @example
 * ```ts
 * const reply: ClassifiableReply = { headers: { From: "dj@kexp.org", Subject: "Re: New single" }, text: "Sounds great!" };
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export interface ClassifiableReply {
  /** Top-level headers (`From`, `Subject`, `Content-Type`, `Auto-Submitted`, ...). */
  headers: ReplyHeaders;
  /** The plain text of the reply; quoted text is removed here, you need not. */
  text: string;
}

/**
 * Out-of-office phrases, in English, German, French, Spanish, Italian, Dutch
 * and Portuguese. Matched in the subject and the new text.
 *
 * @example
 * ```ts
 * OUT_OF_OFFICE_PHRASES.includes("out of office"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export const OUT_OF_OFFICE_PHRASES: readonly string[] = [
  "out of office",
  "out of the office",
  "automatic reply",
  "auto-reply",
  "autoreply",
  "auto reply",
  "on vacation",
  "on holiday",
  "on annual leave",
  "on parental leave",
  "away until",
  "currently away",
  "away from the office",
  "limited access to email",
  "abwesenheitsnotiz",
  "nicht im büro",
  "automatische antwort",
  "im urlaub",
  "absent du bureau",
  "réponse automatique",
  "en congé",
  "en vacances",
  "fuera de la oficina",
  "respuesta automática",
  "de vacaciones",
  "fuori ufficio",
  "risposta automatica",
  "in ferie",
  "afwezigheidsmelding",
  "automatisch antwoord",
  "niet op kantoor",
  "met vakantie",
  "fora do escritório",
  "resposta automática",
  "de férias",
];

/**
 * Phrases saying no. They beat {@link INTERESTED_PHRASES}.
 *
 * @example
 * ```ts
 * NOT_INTERESTED_PHRASES.includes("no thanks"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export const NOT_INTERESTED_PHRASES: readonly string[] = [
  "not a fit",
  "not a good fit",
  "not the right fit",
  "not for us",
  "not for me",
  "not for our",
  "not interested",
  "not right for",
  "not quite right",
  "doesn't fit",
  "does not fit",
  "no thanks",
  "no thank you",
  "unsubscribe",
  "please remove",
  "remove me",
  "take me off",
  "stop sending",
  "stop emailing",
  "don't send me",
  "do not send me",
  "do not contact",
  "we'll pass",
  "i'll pass",
  "going to pass",
  "pass on this",
  "not going to play",
  "won't be playing",
  "can't use this",
  "cannot use this",
];

/**
 * Phrases saying yes, or asking for more.
 *
 * @example
 * ```ts
 * INTERESTED_PHRASES.includes("send it over"); // true
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export const INTERESTED_PHRASES: readonly string[] = [
  "love to hear",
  "send it over",
  "send over",
  "sounds great",
  "sounds good",
  "i'm interested",
  "i am interested",
  "we're interested",
  "we are interested",
  "very interested",
  "would love",
  "i'd love",
  "we'd love",
  "love this",
  "love it",
  "love the track",
  "great track",
  "happy to play",
  "happy to spin",
  "will play",
  "i'll play",
  "we'll play",
  "will spin",
  "add it to",
  "added it to",
  "adding it to",
  "into rotation",
  "on rotation",
  "in rotation",
  "can you send",
  "could you send",
  "please send",
  "send me",
  "count me in",
  "let's do it",
  "yes please",
  "keen to",
];

const AUTO_PRECEDENCE = new Set(["auto_reply", "bulk", "junk"]);
const BOUNCE_SENDERS = new Set(["mailer-daemon", "postmaster"]);
const BOUNCE_SUBJECTS: ReadonlyArray<RegExp> = [
  /delivery status notification/i,
  /^undeliverable\b/i,
  /undelivered mail returned to sender/i,
  /^mail delivery failed/i,
  /^returned mail\b/i,
  /^failure notice$/i,
];

/** Lowercase, accents folded, curly quotes straightened, whitespace collapsed. */
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/[\u2018\u2019\u02BC]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, " ");
}

function phraseMatcher(phrases: readonly string[]): (text: string) => string | undefined {
  const compiled = phrases.map((phrase) => {
    const body = fold(phrase)
      .trim()
      .split(" ")
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\s+");
    return { phrase, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, "u") };
  });
  return (text) => {
    const folded = fold(text);
    return compiled.find(({ pattern }) => pattern.test(folded))?.phrase;
  };
}

const matchOutOfOffice = phraseMatcher(OUT_OF_OFFICE_PHRASES);
const matchNotInterested = phraseMatcher(NOT_INTERESTED_PHRASES);
const matchInterested = phraseMatcher(INTERESTED_PHRASES);

/**
 * A header value by name (case-insensitive), or `undefined`.
 *
 * @example
 * ```ts
 * headerValue([{ name: "Subject", value: "Hi" }], "subject"); // "Hi"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function headerValue(headers: ReplyHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (Array.isArray(headers)) {
    for (const header of headers as ReadonlyArray<{
      name?: string | null;
      value?: string | null;
    }>) {
      if (header.name?.toLowerCase() === wanted) return header.value ?? "";
    }
    return undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | undefined>)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The address in a `From`-style header value, lowercased (`"DJ <Dj@KEXP.org>"`
 * → `dj@kexp.org`), or the trimmed value when it has no angle brackets.
 *
 * @example
 * ```ts
 * addressOf('"Cheryl W." <cheryl@kexp.org>'); // "cheryl@kexp.org"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function addressOf(value: string): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(value);
  return (bracketed?.[1] ?? value)
    .trim()
    .replace(/^mailto:/i, "")
    .toLowerCase();
}

/**
 * Reply and forward prefixes, in the languages mail clients use: Re, Fwd,
 * Fw, AW, WG, SV, VS, Antw, TR, RV, R, RIF, Réf, optionally numbered
 * (`Re[2]:`), and auto-reply prefixes ("Automatic reply:", "Out of Office:",
 * "Abwesenheitsnotiz:", "Réponse automatique :"...).
 */
const SUBJECT_PREFIX =
  /^\s*(?:(?:re|fwd?|fw|aw|wg|sv|vs|antw|tr|rv|r|rif|ref|réf)\s*(?:\[\d+\]|\(\d+\))?|automatic reply|auto-?reply|out of (?:the )?office|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica|automatisch antwoord)\s*:\s*/iu;

/**
 * A subject without reply, forward and auto-reply prefixes, whitespace
 * collapsed and lowercased: what the address+subject fallback compares.
 *
 * @example
 * ```ts
 * normalizeSubject("RE: Fwd: AW:  New single — Hot Chip"); // "new single — hot chip"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function normalizeSubject(subject: string): string {
  let rest = subject.normalize("NFC");
  for (;;) {
    const next = rest.replace(SUBJECT_PREFIX, "");
    if (next === rest) break;
    rest = next;
  }
  return rest.replace(/\s+/g, " ").trim().toLowerCase();
}

/** Lines that start the quoted original (cut there). */
const QUOTE_MARKERS: ReadonlyArray<RegExp> = [
  /^On\s[^\n]{0,300}(?:\n[^\n]{0,300})?wrote:\s*$/im,
  /^Am\s[^\n]{0,300}(?:\n[^\n]{0,300})?schrieb[^\n]*:\s*$/im,
  /^Le\s[^\n]{0,300}(?:\n[^\n]{0,300})?a écrit\s*:\s*$/im,
  /^El\s[^\n]{0,300}(?:\n[^\n]{0,300})?escribió\s*:\s*$/im,
  /^Il\s[^\n]{0,300}(?:\n[^\n]{0,300})?ha scritto\s*:\s*$/im,
  /^Op\s[^\n]{0,300}(?:\n[^\n]{0,300})?schreef[^\n]*:\s*$/im,
  /^-{2,}\s*Original Message\s*-{2,}/im,
  /^-{2,}\s*Forwarded message\s*-{2,}/im,
  /^_{10,}\s*$/m,
  /^From:\s[^\n]*\n(?:Sent|Date):\s/im,
  /^--\s*$/m,
];

/**
 * The new text of a reply: quoted lines (`> ...`) dropped, and everything
 * from the first quote marker on cut ("On … wrote:" in English, German,
 * French, Spanish, Italian and Dutch, "-----Original Message-----", Outlook's
 * underscore rule and `From:/Sent:` block, and the `-- ` signature
 * delimiter, so a newsletter footer's "unsubscribe" is not read as a no).
 *
 * @example
 * ```ts
 * stripQuotedText("Sounds great!\n\nOn Mon, 3 Jun 2024, Sam <sam@x.com> wrote:\n> Not a fit?"); // "Sounds great!"
 * ```
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users.messages
 */
export function stripQuotedText(text: string): string {
  let body = text.replace(/\r\n?/g, "\n");
  let cut = body.length;
  for (const marker of QUOTE_MARKERS) {
    const match = marker.exec(body);
    if (match !== null && match.index < cut) cut = match.index;
  }
  body = body.slice(0, cut);
  return body
    .split("\n")
    .filter((line) => !/^\s*>/.test(line))
    .join("\n")
    .trim();
}

/**
 * Classify a reply to a pitch by the documented rules (see the module
 * comment for the order). Pure and deterministic: the same message always
 * gets the same label and reason.
 *
 * @example
 * ```ts
 * classifyReply({ headers: [{ name: "Auto-Submitted", value: "auto-replied" }], text: "I'm away" });
 * // { label: "out_of_office", reason: "header Auto-Submitted: auto-replied" }
 * classifyReply({ headers: {}, text: "Sounds great, send it over!" });
 * // { label: "interested", reason: 'phrase "send it over"' }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc3834#section-5
 */
export function classifyReply(reply: ClassifiableReply): ReplyClassification {
  if (reply === null || typeof reply !== "object")
    throw new TypeError('"reply" must be an object with "headers" and "text"');
  if (reply.headers === null || typeof reply.headers !== "object")
    throw new TypeError('"reply.headers" must be an array of { name, value } or a record');
  if (typeof reply.text !== "string") throw new TypeError('"reply.text" must be a string');
  const { headers } = reply;
  const subject = headerValue(headers, "Subject") ?? "";
  const from = headerValue(headers, "From") ?? "";

  // 1. Bounces.
  const contentType = headerValue(headers, "Content-Type");
  if (contentType !== undefined && isDeliveryReport(contentType)) {
    return {
      label: "bounce",
      reason: "header Content-Type: multipart/report; report-type=delivery-status",
    };
  }
  const failed = headerValue(headers, "X-Failed-Recipients");
  if (failed !== undefined && failed.trim() !== "") {
    return { label: "bounce", reason: `header X-Failed-Recipients: ${failed.trim()}` };
  }
  const sender = addressOf(from);
  if (BOUNCE_SENDERS.has(sender.split("@")[0] ?? "")) {
    return { label: "bounce", reason: `sender ${sender}` };
  }
  const cleanSubject = subject.trim();
  if (BOUNCE_SUBJECTS.some((pattern) => pattern.test(cleanSubject))) {
    return { label: "bounce", reason: `subject "${cleanSubject}"` };
  }

  // 2. Auto-reply headers.
  const autoSubmitted = headerValue(headers, "Auto-Submitted");
  if (autoSubmitted !== undefined) {
    const keyword = autoSubmitted.split(";")[0]!.trim().toLowerCase();
    if (keyword !== "no" && keyword !== "") {
      return { label: "out_of_office", reason: `header Auto-Submitted: ${keyword}` };
    }
  }
  for (const name of ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"]) {
    const value = headerValue(headers, name);
    if (value !== undefined && value.trim() !== "") {
      return { label: "out_of_office", reason: `header ${name}: ${value.trim()}` };
    }
  }
  const precedence = headerValue(headers, "Precedence")?.trim().toLowerCase();
  if (precedence !== undefined && AUTO_PRECEDENCE.has(precedence)) {
    return { label: "out_of_office", reason: `header Precedence: ${precedence}` };
  }

  // 3-5. Phrases.
  const text = stripQuotedText(reply.text);
  const subjectPhrase = matchOutOfOffice(subject);
  if (subjectPhrase !== undefined)
    return { label: "out_of_office", reason: `subject phrase "${subjectPhrase}"` };
  const away = matchOutOfOffice(text);
  if (away !== undefined) return { label: "out_of_office", reason: `phrase "${away}"` };
  const no = matchNotInterested(text);
  if (no !== undefined) return { label: "not_interested", reason: `phrase "${no}"` };
  const yes = matchInterested(text);
  if (yes !== undefined) return { label: "interested", reason: `phrase "${yes}"` };
  return { label: "other", reason: "no rule matched" };
}

/** `multipart/report` with `report-type=delivery-status` (parameters in any order, quoted or not). */
function isDeliveryReport(contentType: string): boolean {
  const [type, ...params] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "multipart/report") return false;
  return params.some((param) => {
    const [name, ...value] = param.split("=");
    return (
      name?.trim().toLowerCase() === "report-type" &&
      value.join("=").trim().replace(/^"|"$/g, "").toLowerCase() === "delivery-status"
    );
  });
}
