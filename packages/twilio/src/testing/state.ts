/**
 * The fake Twilio's data: accounts (with their Auth Token, API keys, phone
 * numbers and Messaging Services) and their Message resources, rendered in
 * the REST API's shapes (the generated OpenAPI types).
 */
import { randomBytes } from "node:crypto";
import { messagePath } from "../endpoints.js";
import type { components } from "../generated/twilio-api-v2010.js";

/**
 * A Message resource as the API returns it.
 *
 * @example
 * ```ts
 * const wire: WireMessage = fake.messages()[0]!;
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-properties
 */
export type WireMessage = components["schemas"]["api.v2010.account.message"];

/**
 * An Account resource as the API returns it.
 *
 * @example
 * ```ts
 * const account: WireAccount = fake.state.renderAccount(fake.state.account(sid)!);
 * ```
 * @see https://www.twilio.com/docs/iam/api/account
 */
export type WireAccount = components["schemas"]["api.v2010.account"];

/**
 * A message status (the OpenAPI enum).
 *
 * @example
 * ```ts
 * const status: FakeMessageStatus = "delivered";
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
 */
export type FakeMessageStatus = components["schemas"]["message_enum_status"];

/**
 * One stored message.
 *
 * @example
 * ```ts
 * fake.state.message(sid)?.status; // "queued"
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export interface FakeMessage {
  sid: string;
  accountSid: string;
  /** Creation order, the tiebreak of the newest-first listing. */
  seq: number;
  from: string;
  to: string;
  body: string;
  status: FakeMessageStatus;
  direction: components["schemas"]["message_enum_direction"];
  messagingServiceSid: string | null;
  numSegments: number;
  errorCode: number | null;
  errorMessage: string | null;
  price: string | null;
  dateCreated: number;
  dateSent: number | null;
  dateUpdated: number;
  /** Where status callbacks go, as given at creation. */
  statusCallback: string | null;
}

/**
 * An API key of an account. A Standard key may not read the Account
 * resource (Twilio answers 401, error 20003); a Main key may.
 *
 * @example
 * ```ts
 * const key: FakeApiKey = { sid: "SK…", secret: "…", accountSid: "AC…", type: "standard" };
 * ```
 * @see https://www.twilio.com/docs/iam/api-keys
 */
export interface FakeApiKey {
  sid: string;
  secret: string;
  accountSid: string;
  type: "main" | "standard";
}

/**
 * One account at the fake.
 *
 * @example
 * ```ts
 * fake.state.account(TWILIO_SANDBOX_CREDENTIALS.accountSid)?.numbers; // ["+15125550100"]
 * ```
 * @see https://www.twilio.com/docs/iam/api/account
 */
export interface FakeAccount {
  sid: string;
  authToken: string;
  friendlyName: string;
  status: "active" | "suspended" | "closed";
  type: "Trial" | "Full";
  /** The account's SMS-capable numbers (valid `From` values). */
  numbers: string[];
  /** Messaging Services by SID, each with its sender pool. */
  services: Map<string, string[]>;
  /** Where inbound texts to the account's numbers are POSTed (the numbers' "A message comes in" URL). */
  smsUrl: string | null;
  dateCreated: number;
}

/** Characters of the GSM-7 default alphabet and its extension table (one segment holds 160 of them). */
const GSM7 =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€";

/**
 * How many SMS segments a body takes: GSM-7 bodies 160 characters in one
 * segment or 153 per segment; others (UCS-2) 70, or 67 per segment.
 *
 * @example
 * ```ts
 * segmentsOf("See you at 9am!"); // 1
 * ```
 * @see https://www.twilio.com/docs/glossary/what-sms-character-limit
 */
export function segmentsOf(body: string): number {
  const chars = [...body];
  const gsm = chars.every((c) => GSM7.includes(c));
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  if (chars.length <= single) return 1;
  return Math.ceil(chars.length / multi);
}

/**
 * A date as Twilio writes them: RFC 2822 in GMT, `Tue, 10 Mar 2026 22:05:00 +0000`.
 *
 * @example
 * ```ts
 * rfc2822(0); // "Thu, 01 Jan 1970 00:00:00 +0000"
 * ```
 * @see https://www.twilio.com/docs/usage/twilios-response#response-formats-dates
 */
export function rfc2822(time: number): string {
  return new Date(time).toUTCString().replace(/GMT$/, "+0000");
}

/**
 * A new SID with Twilio's shape: two letters and 32 hex digits.
 *
 * @example
 * ```ts
 * newSid("SM"); // "SM3f…"
 * ```
 * @see https://www.twilio.com/docs/glossary/what-is-a-sid
 */
export function newSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/**
 * The fake's data and how it renders (see the module comment).
 *
 * @example
 * ```ts
 * const state = new TwilioFakeState(Date.now);
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export class TwilioFakeState {
  readonly accounts = new Map<string, FakeAccount>();
  readonly apiKeys = new Map<string, FakeApiKey>();
  readonly messages = new Map<string, FakeMessage>();
  #seq = 0;

  constructor(readonly now: () => number) {}

  account(sid: string): FakeAccount | undefined {
    return this.accounts.get(sid);
  }

  addAccount(spec: Partial<FakeAccount> & { sid: string; authToken: string }): FakeAccount {
    const account: FakeAccount = {
      friendlyName: "My first Twilio account",
      status: "active",
      type: "Full",
      numbers: [],
      services: new Map(),
      smsUrl: null,
      dateCreated: this.now(),
      ...spec,
    };
    this.accounts.set(account.sid, account);
    return account;
  }

  message(sid: string): FakeMessage | undefined {
    return this.messages.get(sid);
  }

  addMessage(
    spec: Omit<FakeMessage, "seq" | "sid" | "numSegments" | "dateUpdated"> & {
      sid?: string;
      dateUpdated?: number;
    },
  ): FakeMessage {
    const message: FakeMessage = {
      ...spec,
      sid: spec.sid ?? newSid("SM"),
      seq: ++this.#seq,
      numSegments: segmentsOf(spec.body),
      dateUpdated: spec.dateUpdated ?? spec.dateCreated,
    };
    this.messages.set(message.sid, message);
    return message;
  }

  /** An account's messages, newest first (as the list endpoint orders them). */
  listed(accountSid: string): FakeMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.accountSid === accountSid)
      .sort((a, b) => b.dateCreated - a.dateCreated || b.seq - a.seq);
  }

  renderMessage(m: FakeMessage): WireMessage {
    return {
      account_sid: m.accountSid,
      api_version: "2010-04-01",
      body: m.body,
      date_created: rfc2822(m.dateCreated),
      date_sent: m.dateSent === null ? null : rfc2822(m.dateSent),
      date_updated: rfc2822(m.dateUpdated),
      direction: m.direction,
      error_code: m.errorCode,
      error_message: m.errorMessage,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: "0",
      num_segments:
        m.messagingServiceSid !== null && m.status === "accepted" ? "0" : String(m.numSegments),
      price: m.price,
      price_unit: "USD",
      sid: m.sid,
      status: m.status,
      subresource_uris: {
        media: messagePath(m.accountSid, m.sid).replace(/\.json$/, "/Media.json"),
        feedback: messagePath(m.accountSid, m.sid).replace(/\.json$/, "/Feedback.json"),
      } as unknown as Record<string, never>,
      to: m.to,
      uri: messagePath(m.accountSid, m.sid),
    };
  }

  renderAccount(a: FakeAccount): WireAccount {
    return {
      auth_token: a.authToken,
      date_created: rfc2822(a.dateCreated),
      date_updated: rfc2822(a.dateCreated),
      friendly_name: a.friendlyName,
      owner_account_sid: a.sid,
      sid: a.sid,
      status: a.status,
      subresource_uris: {
        messages: `/2010-04-01/Accounts/${a.sid}/Messages.json`,
      } as unknown as Record<string, never>,
      type: a.type,
      uri: `/2010-04-01/Accounts/${a.sid}.json`,
    };
  }
}
