import type { Connection } from "@patchbay/core";
import type { RequestHandler } from "msw";
import {
  TWILIO_SIGNATURE_HEADER,
  type TwilioSignedParams,
  twilioBodyHash,
  twilioSignature,
} from "../webhook-signature.js";
import {
  createTwilioApiHandlers,
  type FakeApiContext,
  type FakeRequestLogEntry,
} from "./handlers.js";
import {
  type FakeAccount,
  type FakeApiKey,
  type FakeMessage,
  type FakeMessageStatus,
  newSid,
  TwilioFakeState,
  type WireMessage,
} from "./state.js";

/**
 * What a user types to connect the sandbox account: its Account SID and Auth Token.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "twilio", credentials: TWILIO_SANDBOX_CREDENTIALS });
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export const TWILIO_SANDBOX_CREDENTIALS = Object.freeze({
  accountSid: "AC5a7d0b1c2e3f405162738495a6b7c8d9",
  authToken: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
});

/**
 * A Standard API key of the sandbox account (it may not read the Account
 * resource, as at Twilio).
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "twilio", credentials: TWILIO_SANDBOX_API_KEY });
 * ```
 * @see https://www.twilio.com/docs/iam/api-keys
 */
export const TWILIO_SANDBOX_API_KEY = Object.freeze({
  accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
  keySid: "SK1b2c3d4e5f60718293a4b5c6d7e8f901",
  keySecret: "sandboxStandardKeySecret0123456789",
});

/**
 * A Main API key of the sandbox account (full access, like the Auth Token).
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "twilio", credentials: TWILIO_SANDBOX_MAIN_API_KEY });
 * ```
 * @see https://www.twilio.com/docs/iam/api-keys
 */
export const TWILIO_SANDBOX_MAIN_API_KEY = Object.freeze({
  accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
  keySid: "SK9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  keySecret: "sandboxMainKeySecret9876543210abcd",
});

/**
 * The sandbox business's Twilio number and Messaging Service.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { from: TWILIO_SANDBOX.number });
 * ```
 * @see https://www.twilio.com/docs/phone-numbers
 */
export const TWILIO_SANDBOX = Object.freeze({
  businessName: "Lone Star Plumbing & Air",
  number: "+15125550100",
  messagingServiceSid: "MG0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  /** Where inbound texts go by default: the example host's webhook URL for this connector. */
  smsUrl: "https://app.example.com/integrations/webhooks/twilio",
});

/**
 * Options of {@link createTwilioFake}.
 *
 * @example
 * ```ts
 * const fake = createTwilioFake({ notify: (r) => patchbay.handleWebhook("twilio", r), autoAdvance: false });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export interface TwilioFakeOptions {
  /** The fake's clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Start with the sandbox account, its number, Messaging Service and API keys. Default `true`. */
  sandbox?: boolean;
  /** Where inbound texts are POSTed (the number's "A message comes in" URL). Default {@link TWILIO_SANDBOX}.smsUrl. */
  smsUrl?: string;
  /**
   * Move sent texts through `queued → sent → delivered` by themselves
   * (asynchronously, a tick per step), sending status callbacks. Default
   * `true`; with `false`, call `advance(sid)`.
   */
  autoAdvance?: boolean;
  /** Recipients whose carrier rejects texts: they end `undelivered` with error 30006 (landline). */
  undeliverable?: string[];
  /**
   * Called with each signed request Twilio would POST to a webhook URL
   * (status callbacks and inbound texts), e.g. `(r) => patchbay.handleWebhook("twilio", r)`.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * The fake Twilio (see {@link createTwilioFake}).
 *
 * @example
 * ```ts
 * let fake: TwilioFake = createTwilioFake();
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export type TwilioFake = ReturnType<typeof createTwilioFake>;

const CUSTOMERS = [
  { name: "Maria Gonzalez", phone: "+15125550111", job: "water heater install" },
  { name: "James Whitfield", phone: "+15125550112", job: "AC tune-up" },
  { name: "Priya Raman", phone: "+15125550113", job: "kitchen drain clearing" },
  { name: "Tom Becker", phone: "+15125550114", job: "furnace inspection" },
  { name: "Aisha Johnson", phone: "+15125550115", job: "leak repair under the sink" },
  { name: "Luis Ortega", phone: "+15125550116", job: "thermostat replacement" },
  { name: "Karen Liu", phone: "+15125550117", job: "sewer line camera inspection" },
  { name: "Derek Shaw", phone: "+15125550118", job: "ductless mini-split quote" },
];
const TECHS = ["Sam", "Rosa", "Eli", "Jordan"];
const LANDLINE = "+15125550199";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A stateful fake of Twilio's Messaging REST API (2010-04-01) as MSW
 * handlers on `https://api.twilio.com`, for tests and sandbox mode:
 * accounts with Auth Tokens and API keys (Main and Standard), phone numbers
 * and a Messaging Service, Message resources with their lifecycle
 * (`queued → sent → delivered`, or `undelivered`), signed status callbacks
 * and inbound texts, paging with `next_page_uri`, `DateSent` filters, and
 * Twilio's errors (20003, 20404, 21211, 21617, 20429...).
 *
 * @example
 * ```ts
 * const fake = createTwilioFake({ notify: (r) => patchbay.handleWebhook("twilio", r) });
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // two weeks of a plumbing business's texts
 * fake.receiveSms({ from: "+15125550111", body: "Can you come earlier?" });
 * await fake.idle();
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export function createTwilioFake(options: TwilioFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = new TwilioFakeState(now);
  const autoAdvance = options.autoAdvance ?? true;
  const undeliverable = new Set([LANDLINE, ...(options.undeliverable ?? [])]);
  const pending = new Set<Promise<unknown>>();
  const deliveries: Request[] = [];

  if (options.sandbox !== false) {
    state.addAccount({
      sid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
      authToken: TWILIO_SANDBOX_CREDENTIALS.authToken,
      friendlyName: TWILIO_SANDBOX.businessName,
      numbers: [TWILIO_SANDBOX.number],
      services: new Map([[TWILIO_SANDBOX.messagingServiceSid, [TWILIO_SANDBOX.number]]]),
      smsUrl: options.smsUrl ?? TWILIO_SANDBOX.smsUrl,
      dateCreated: now() - 400 * DAY,
    });
    for (const [key, type] of [
      [TWILIO_SANDBOX_API_KEY, "standard"],
      [TWILIO_SANDBOX_MAIN_API_KEY, "main"],
    ] as const) {
      state.apiKeys.set(key.keySid, {
        sid: key.keySid,
        secret: key.keySecret,
        accountSid: key.accountSid,
        type,
      });
    }
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => pending.delete(tracked));
    pending.add(tracked);
    return tracked;
  }

  /** A signed form POST, as Twilio sends webhooks. */
  function signedForm(url: string, params: Record<string, string>, authToken: string): Request {
    return new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "user-agent": "TwilioProxy/1.1",
        [TWILIO_SIGNATURE_HEADER]: twilioSignature(authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  }

  function deliver(request: Request): Promise<unknown> {
    deliveries.push(request.clone());
    if (options.notify === undefined) return Promise.resolve(undefined);
    return track(
      new Promise((resolve) => setTimeout(resolve, 0))
        .then(() => options.notify?.(request))
        .catch(() => undefined),
    );
  }

  function accountOf(message: FakeMessage): FakeAccount {
    const account = state.account(message.accountSid);
    if (account === undefined) throw new Error(`fake Twilio: no account ${message.accountSid}`);
    return account;
  }

  function statusCallback(message: FakeMessage): Promise<unknown> {
    if (message.statusCallback === null) return Promise.resolve(undefined);
    const params: Record<string, string> = {
      AccountSid: message.accountSid,
      ApiVersion: "2010-04-01",
      From: message.from,
      MessageSid: message.sid,
      MessageStatus: message.status,
      SmsSid: message.sid,
      SmsStatus: message.status,
      To: message.to,
    };
    if (message.messagingServiceSid !== null)
      params.MessagingServiceSid = message.messagingServiceSid;
    if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
    return deliver(signedForm(message.statusCallback, params, accountOf(message).authToken));
  }

  /** The next status of an outbound message, or `undefined` when it is final. */
  function nextStatus(message: FakeMessage): FakeMessageStatus | undefined {
    switch (message.status) {
      case "accepted":
        return "queued";
      case "queued":
        return "sent";
      case "sent":
        return undeliverable.has(message.to) ? "undelivered" : "delivered";
      default:
        return undefined;
    }
  }

  function setStatus(message: FakeMessage, status: FakeMessageStatus, errorCode?: number) {
    message.status = status;
    message.dateUpdated = now();
    if (status === "sent" && message.dateSent === null) {
      message.dateSent = now();
      message.price = (-0.0079 * message.numSegments).toFixed(5);
    }
    if (status === "undelivered" || status === "failed") {
      message.errorCode = errorCode ?? 30006;
      message.errorMessage =
        message.errorCode === 30006 ? "Landline or unreachable carrier" : "Message delivery failed";
    }
  }

  async function runLifecycle(message: FakeMessage): Promise<void> {
    for (let status = nextStatus(message); status !== undefined; status = nextStatus(message)) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!state.messages.has(message.sid)) return;
      setStatus(message, status);
      await statusCallback(message);
    }
  }

  const ctx: FakeApiContext = {
    state,
    log: [],
    forced: { rateLimited: 0 },
    onCreated: (message) => {
      if (autoAdvance) void track(runLifecycle(message));
    },
  };

  function sandboxAccount(): FakeAccount {
    const account =
      state.account(TWILIO_SANDBOX_CREDENTIALS.accountSid) ?? [...state.accounts.values()][0];
    if (account === undefined)
      throw new Error("fake Twilio: no account (created with sandbox: false?)");
    return account;
  }

  function inboundParams(account: FakeAccount, message: FakeMessage): Record<string, string> {
    return {
      AccountSid: account.sid,
      ApiVersion: "2010-04-01",
      Body: message.body,
      From: message.from,
      FromCity: "AUSTIN",
      FromCountry: "US",
      FromState: "TX",
      FromZip: "78701",
      MessageSid: message.sid,
      NumMedia: "0",
      NumSegments: String(message.numSegments),
      SmsMessageSid: message.sid,
      SmsSid: message.sid,
      SmsStatus: "received",
      To: message.to,
      ToCity: "AUSTIN",
      ToCountry: "US",
      ToState: "TX",
      ToZip: "78701",
    };
  }

  function history(
    account: FakeAccount,
    at: number,
    spec: {
      direction: "inbound" | "outbound-api";
      customer: string;
      body: string;
      status?: FakeMessageStatus;
    },
  ): FakeMessage {
    const inbound = spec.direction === "inbound";
    const status = spec.status ?? (inbound ? "received" : "delivered");
    const failed = status === "undelivered" || status === "failed";
    const message = state.addMessage({
      accountSid: account.sid,
      from: inbound ? spec.customer : account.numbers[0]!,
      to: inbound ? account.numbers[0]! : spec.customer,
      body: spec.body,
      status,
      direction: spec.direction,
      messagingServiceSid: null,
      errorCode: failed ? 30006 : null,
      errorMessage: failed ? "Landline or unreachable carrier" : null,
      price: null,
      dateCreated: at,
      dateSent: at + 1000,
      dateUpdated: at + (inbound ? 1000 : 8000),
      statusCallback: null,
    });
    message.price = (-0.0079 * message.numSegments).toFixed(5);
    return message;
  }

  const api = {
    /** The fake's data, for assertions the helpers do not cover. */
    state,
    /** MSW handlers for `https://api.twilio.com`. */
    handlers: createTwilioApiHandlers(ctx) as RequestHandler[],
    /** What a user types to connect the sandbox account (Account SID + Auth Token). */
    credentials: { ...TWILIO_SANDBOX_CREDENTIALS } as Record<string, unknown>,
    /** Every API request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],
    /** Every webhook request Twilio would have sent (status callbacks, inbound texts), in order. */
    deliveries: deliveries as readonly Request[],

    /** The next `count` API requests answer 429 with Twilio error 20429. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.rateLimited += count;
    },

    /** Wait until every pending lifecycle step and webhook delivery has finished. */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    /** Add another account (for cross-account checks). */
    addAccount(
      spec: {
        sid?: string;
        authToken?: string;
        numbers?: string[];
        status?: FakeAccount["status"];
      } = {},
    ): FakeAccount {
      return state.addAccount({
        sid: spec.sid ?? newSid("AC"),
        authToken: spec.authToken ?? newSid("").slice(0, 32),
        numbers: spec.numbers ?? [],
        ...(spec.status !== undefined && { status: spec.status }),
      });
    },

    /** Add an API key to an account. */
    addApiKey(spec: Partial<FakeApiKey> & { accountSid: string }): FakeApiKey {
      const key: FakeApiKey = {
        sid: spec.sid ?? newSid("SK"),
        secret: spec.secret ?? newSid("").slice(0, 32),
        accountSid: spec.accountSid,
        type: spec.type ?? "standard",
      };
      state.apiKeys.set(key.sid, key);
      return key;
    },

    /** Messages as the API returns them, newest first (default: the sandbox account's). */
    messages(accountSid?: string): WireMessage[] {
      const sid = accountSid ?? sandboxAccount().sid;
      return state.listed(sid).map((m) => clone(state.renderMessage(m)));
    },

    /** One message as the API returns it. */
    message(sid: string): WireMessage | undefined {
      const found = state.message(sid);
      return found === undefined ? undefined : clone(state.renderMessage(found));
    },

    /**
     * Fill the sandbox account with `count` plausible sent texts (delivered,
     * sent over the last hours), newest last. Returns their SIDs.
     */
    seedMessages(count: number): string[] {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      const account = sandboxAccount();
      const start = now() - count * 60_000;
      const sids: string[] = [];
      for (let i = 0; i < count; i++) {
        const customer = CUSTOMERS[i % CUSTOMERS.length]!;
        sids.push(
          history(account, start + i * 60_000, {
            direction: "outbound-api",
            customer: customer.phone,
            body: `Hi ${customer.name.split(" ")[0]}, reminder #${i + 1}: your ${customer.job} is booked. Reply C to confirm.`,
          }).sid,
        );
      }
      return sids;
    },

    /**
     * Two weeks of a home-service business's texting: booking confirmations,
     * customers' replies, "technician on the way" notices, invoices and
     * review requests, one text to a landline that was not delivered.
     * Returns the SIDs, oldest first.
     */
    seedSandbox(): string[] {
      const account = sandboxAccount();
      const sids: string[] = [];
      const base = now() - 14 * DAY;
      CUSTOMERS.forEach((customer, i) => {
        const first = customer.name.split(" ")[0];
        const tech = TECHS[i % TECHS.length]!;
        const day = base + i * 1.5 * DAY + 9 * HOUR;
        const add = (offset: number, direction: "inbound" | "outbound-api", body: string) =>
          sids.push(
            history(account, day + offset, { direction, customer: customer.phone, body }).sid,
          );
        add(
          0,
          "outbound-api",
          `Hi ${first}, this is ${TWILIO_SANDBOX.businessName}. Your ${customer.job} is booked for tomorrow between 9 and 11am. Reply C to confirm or R to reschedule.`,
        );
        add(
          25 * 60_000,
          "inbound",
          i % 3 === 1 ? "R - can we do Thursday afternoon instead?" : "C",
        );
        if (i % 3 === 1)
          add(
            40 * 60_000,
            "outbound-api",
            `No problem ${first}, you're moved to Thursday 1-3pm. See you then!`,
          );
        add(
          DAY,
          "outbound-api",
          `${tech} from ${TWILIO_SANDBOX.businessName} is on the way and should arrive in about 20 minutes.`,
        );
        add(
          DAY + 3 * HOUR,
          "outbound-api",
          `Thanks ${first}! Your invoice for the ${customer.job}: https://pay.example.com/inv/${1040 + i}. Questions? Just reply here.`,
        );
        if (i % 2 === 0)
          add(
            DAY + 5 * HOUR,
            "outbound-api",
            `How did ${tech} do today? A quick review helps a lot: https://g.page/r/lonestar-plumbing/review`,
          );
        if (i === 4) add(DAY + 5 * HOUR + 10 * 60_000, "inbound", "5 stars, thank you!");
      });
      sids.push(
        history(account, now() - 2 * DAY, {
          direction: "outbound-api",
          customer: LANDLINE,
          body: "Hi, this is Lone Star Plumbing & Air confirming your estimate visit on Friday at 2pm.",
          status: "undelivered",
        }).sid,
      );
      return sids;
    },

    /**
     * A customer texts the business: an inbound message is created and
     * Twilio's signed webhook is delivered (to `notify`) at the account's
     * SMS URL. Returns the message SID.
     */
    receiveSms(input: { from: string; body: string; to?: string; accountSid?: string }): string {
      const account =
        input.accountSid === undefined ? sandboxAccount() : state.account(input.accountSid);
      if (account === undefined) throw new Error(`fake Twilio: no account ${input.accountSid}`);
      const to = input.to ?? account.numbers[0];
      if (to === undefined) throw new Error("fake Twilio: the account has no phone number");
      const at = now();
      const message = state.addMessage({
        accountSid: account.sid,
        from: input.from,
        to,
        body: input.body,
        status: "received",
        direction: "inbound",
        messagingServiceSid: null,
        errorCode: null,
        errorMessage: null,
        price: null,
        dateCreated: at,
        dateSent: at,
        statusCallback: null,
      });
      message.price = (-0.0079 * message.numSegments).toFixed(5);
      if (account.smsUrl !== null)
        void deliver(
          signedForm(account.smsUrl, inboundParams(account, message), account.authToken),
        );
      return message.sid;
    },

    /**
     * The carrier moves a sent text to its next status (`queued → sent →
     * delivered`, or `undelivered` for an unreachable number), or to
     * `status`, and Twilio sends the status callback. Resolves after the
     * callback was handled.
     */
    async advance(
      sid: string,
      status?: FakeMessageStatus,
      errorCode?: number,
    ): Promise<WireMessage> {
      const message = state.message(sid);
      if (message === undefined) throw new Error(`fake Twilio: no message ${sid}`);
      const next = status ?? nextStatus(message);
      if (next === undefined)
        throw new Error(`fake Twilio: message ${sid} is already ${message.status}`);
      setStatus(message, next, errorCode);
      await statusCallback(message);
      return clone(state.renderMessage(message));
    },

    /** A user redacts a message's body (Console or `POST …/Messages/{Sid}.json` with `Body=""`). */
    redactMessage(sid: string): void {
      const message = state.message(sid);
      if (message === undefined) throw new Error(`fake Twilio: no message ${sid}`);
      message.body = "";
      message.dateUpdated = now();
    },

    /** A user deletes a message (Console or `DELETE …/Messages/{Sid}.json`). */
    deleteMessage(sid: string): void {
      if (!state.messages.delete(sid)) throw new Error(`fake Twilio: no message ${sid}`);
    },

    /**
     * An inbound-text webhook for a connection's account, signed with the
     * account's Auth Token (`forged: true` signs it with another token), to
     * `url` (default: the account's SMS URL). Nothing is stored.
     */
    webhook(
      connection: Pick<Connection, "metadata">,
      webhookOptions: { forged?: boolean; url?: string; from?: string; body?: string } = {},
    ): Request {
      const sid = String(connection.metadata.accountSid ?? sandboxAccount().sid);
      const account = state.account(sid) ?? sandboxAccount();
      const message = {
        sid: newSid("SM"),
        from: webhookOptions.from ?? CUSTOMERS[0]!.phone,
        to: account.numbers[0] ?? TWILIO_SANDBOX.number,
        body: webhookOptions.body ?? "Is Tuesday still good?",
        numSegments: 1,
      } as FakeMessage;
      const token = webhookOptions.forged === true ? newSid("").slice(0, 32) : account.authToken;
      return signedForm(
        webhookOptions.url ?? account.smsUrl ?? TWILIO_SANDBOX.smsUrl,
        inboundParams(account, message),
        token,
      );
    },

    /**
     * A JSON webhook signed the way Twilio signs JSON bodies: `bodySHA256`
     * (hex SHA-256 of the body) added to the URL, the signature over that
     * URL alone.
     */
    jsonWebhook(url: string, payload: unknown, authToken: string): Request {
      const body = JSON.stringify(payload);
      const signedUrl = new URL(url);
      signedUrl.searchParams.set("bodySHA256", twilioBodyHash(body));
      return new Request(signedUrl.href, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [TWILIO_SIGNATURE_HEADER]: twilioSignature(authToken, signedUrl.href),
        },
        body,
      });
    },

    /** Sign form parameters for a URL with an account's Auth Token (default: the sandbox account). */
    sign(url: string, params: TwilioSignedParams, authToken?: string): string {
      return twilioSignature(authToken ?? sandboxAccount().authToken, url, params);
    },
  };
  return api;
}
