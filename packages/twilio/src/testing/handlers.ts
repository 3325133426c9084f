/**
 * MSW handlers for the fake Twilio REST API on its real origin: HTTP Basic
 * checks (the path's Account SID must be the credentials' account; API keys
 * of that account; Standard keys kept off the Account resource), form-encoded
 * writes, newest-first lists paged with `Page`/`PageSize`/`PageToken` and
 * `next_page_uri`, `DateSent` filters at day granularity, and Twilio's error
 * body `{ code, message, more_info, status }`.
 */
import { HttpResponse, http, type RequestHandler } from "msw";
import { TWILIO_API_BASE_URL } from "../endpoints.js";
import type { paths } from "../generated/twilio-api-v2010.js";
import { E164_PATTERN, MAX_BODY_CHARS, TWILIO_SID } from "../schemas.js";
import { TWILIO_ERROR } from "../twilio-error.js";
import { twilioErrorResponse } from "./responses.js";
import type { FakeAccount, FakeMessage, TwilioFakeState } from "./state.js";

type MessagesPath = paths["/2010-04-01/Accounts/{AccountSid}/Messages.json"];
type MessagePath = paths["/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"];
type ListQuery = NonNullable<MessagesPath["get"]["parameters"]["query"]>;
type ListResponse = MessagesPath["get"]["responses"][200]["content"]["application/json"];
type CreateForm = NonNullable<
  MessagesPath["post"]["requestBody"]
>["content"]["application/x-www-form-urlencoded"];
type UpdateForm = NonNullable<
  MessagePath["post"]["requestBody"]
>["content"]["application/x-www-form-urlencoded"];
type AccountResponse =
  paths["/2010-04-01/Accounts/{Sid}.json"]["get"]["responses"][200]["content"]["application/json"];

/**
 * One answered API request.
 *
 * @example
 * ```ts
 * fake.requests.map((r) => `${r.method} ${r.path} → ${r.status}`);
 * ```
 * @see https://www.twilio.com/docs/usage/requests-to-twilio
 */
export interface FakeRequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Who authenticated: an Account SID or an API Key SID, or `null`. */
  principal: string | null;
}

/**
 * What the handlers share with the fake that builds them.
 *
 * @example
 * ```ts
 * const ctx: FakeApiContext = { state, log: [], forced: { rateLimited: 0 }, onCreated: () => {} };
 * ```
 * @see https://www.twilio.com/docs/usage/api
 */
export interface FakeApiContext {
  state: TwilioFakeState;
  log: FakeRequestLogEntry[];
  forced: { rateLimited: number };
  /** Called after a message is created (the lifecycle starts). */
  onCreated(message: FakeMessage): void;
}

const ACCOUNT_ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const MESSAGES_ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE_ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const DAY = /^(\d{4}-\d{2}-\d{2})/;

function notFound(path: string): Response {
  return twilioErrorResponse(
    404,
    TWILIO_ERROR.NOT_FOUND,
    `The requested resource ${path} was not found`,
  );
}

function authenticate(): Response {
  return twilioErrorResponse(401, TWILIO_ERROR.AUTHENTICATE, "Authenticate", {
    "WWW-Authenticate": 'Basic realm="Twilio API"',
  });
}

/** The Basic credentials of a request, or `null`. */
function basic(request: Request): { user: string; password: string } | null {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A `DateSent` filter value as a day: `YYYY-MM-DD`, or any date Twilio accepts reduced to its UTC day. */
function filterDay(value: string): string | undefined {
  const day = DAY.exec(value);
  if (day !== null) return day[1];
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function readForm(request: Request, text: string): URLSearchParams {
  const type = request.headers.get("content-type") ?? "";
  // Twilio reads form-encoded bodies only: a JSON body sends no parameters.
  return /^application\/x-www-form-urlencoded\b/i.test(type)
    ? new URLSearchParams(text)
    : new URLSearchParams();
}

function pageToken(m: FakeMessage): string {
  return `PA${m.dateCreated.toString(36)}_${m.seq.toString(36)}`;
}

function afterToken(token: string): ((m: FakeMessage) => boolean) | undefined {
  const match = /^PA([0-9a-z]+)_([0-9a-z]+)$/.exec(token);
  if (match === null) return undefined;
  const created = Number.parseInt(match[1]!, 36);
  const seq = Number.parseInt(match[2]!, 36);
  return (m) => m.dateCreated < created || (m.dateCreated === created && m.seq < seq);
}

/**
 * The fake API's MSW handlers.
 *
 * @example
 * ```ts
 * setupServer(...createTwilioApiHandlers(ctx));
 * ```
 * @see https://www.twilio.com/docs/usage/api
 */
export function createTwilioApiHandlers(ctx: FakeApiContext): RequestHandler[] {
  const { state } = ctx;

  function list(account: FakeAccount, url: URL): Response {
    const query = Object.fromEntries(url.searchParams) as ListQuery & Record<string, string>;
    const pageSize = Math.min(
      Math.max(Number.parseInt(String(query.PageSize ?? 50), 10) || 50, 1),
      1000,
    );
    const page = Math.max(Number.parseInt(String(query.Page ?? 0), 10) || 0, 0);
    const exact = query.DateSent === undefined ? undefined : filterDay(query.DateSent);
    const before = query["DateSent<"] === undefined ? undefined : filterDay(query["DateSent<"]);
    const after = query["DateSent>"] === undefined ? undefined : filterDay(query["DateSent>"]);
    const byDate = exact !== undefined || before !== undefined || after !== undefined;
    let items = state.listed(account.sid).filter((m) => {
      if (query.To !== undefined && m.to !== query.To) return false;
      if (query.From !== undefined && m.from !== query.From) return false;
      if (!byDate) return true;
      if (m.dateSent === null) return false;
      const day = dayOf(m.dateSent);
      return (
        (exact === undefined || day === exact) &&
        (before === undefined || day <= before) &&
        (after === undefined || day >= after)
      );
    });
    if (query.PageToken !== undefined) {
      const keep = afterToken(query.PageToken);
      if (keep === undefined) {
        return twilioErrorResponse(400, 20001, `Invalid PageToken: ${query.PageToken}`);
      }
      items = items.filter(keep);
    } else items = items.slice(page * pageSize);
    const slice = items.slice(0, pageSize);
    const filters = new URLSearchParams();
    for (const name of ["To", "From", "DateSent", "DateSent<", "DateSent>"]) {
      const value = url.searchParams.get(name);
      if (value !== null) filters.set(name, value);
    }
    const uriFor = (p: number, token?: string) => {
      const q = new URLSearchParams(filters);
      q.set("PageSize", String(pageSize));
      q.set("Page", String(p));
      if (token !== undefined) q.set("PageToken", token);
      return `${url.pathname}?${q.toString()}`;
    };
    const last = slice.at(-1);
    const body: ListResponse = {
      messages: slice.map((m) => state.renderMessage(m)),
      start: page * pageSize,
      end: page * pageSize + Math.max(slice.length - 1, 0),
      page,
      page_size: pageSize,
      uri: uriFor(page, query.PageToken),
      first_page_uri: uriFor(0),
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      next_page_uri:
        items.length > slice.length && last !== undefined
          ? uriFor(page + 1, pageToken(last))
          : null,
    };
    return HttpResponse.json(body);
  }

  function create(account: FakeAccount, form: URLSearchParams): Response {
    const fields: CreateForm = {
      To: form.get("To") ?? "",
      ...(form.has("From") && { From: form.get("From")! }),
      ...(form.has("MessagingServiceSid") && {
        MessagingServiceSid: form.get("MessagingServiceSid")!,
      }),
      ...(form.has("Body") && { Body: form.get("Body")! }),
      ...(form.has("StatusCallback") && { StatusCallback: form.get("StatusCallback")! }),
      ...(form.has("MediaUrl") && { MediaUrl: form.getAll("MediaUrl") }),
    };
    if (fields.To === "")
      return twilioErrorResponse(400, TWILIO_ERROR.TO_REQUIRED, "A 'To' phone number is required.");
    if (fields.From === undefined && fields.MessagingServiceSid === undefined)
      return twilioErrorResponse(
        400,
        TWILIO_ERROR.FROM_REQUIRED,
        "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
      );
    if ((fields.Body ?? "") === "" && (fields.MediaUrl ?? []).length === 0)
      return twilioErrorResponse(400, TWILIO_ERROR.BODY_REQUIRED, "Message body is required.");
    if (!E164_PATTERN.test(fields.To))
      return twilioErrorResponse(
        400,
        TWILIO_ERROR.INVALID_TO,
        `Invalid 'To' Phone Number: ${fields.To}`,
      );
    if ([...(fields.Body ?? "")].length > MAX_BODY_CHARS)
      return twilioErrorResponse(
        400,
        TWILIO_ERROR.BODY_TOO_LONG,
        "The concatenated message body exceeds the 1600 character limit.",
      );
    let from = fields.From;
    const serviceSid = fields.MessagingServiceSid ?? null;
    if (serviceSid !== null) {
      const pool = TWILIO_SID.messagingService.test(serviceSid)
        ? account.services.get(serviceSid)
        : undefined;
      if (pool === undefined)
        return twilioErrorResponse(
          400,
          21701,
          `The Messaging Service Sid ${serviceSid} is invalid.`,
        );
      if (from !== undefined && !pool.includes(from))
        return twilioErrorResponse(
          400,
          TWILIO_ERROR.INVALID_FROM,
          `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
        );
      from ??= pool[0] ?? "";
    } else if (from === undefined || !account.numbers.includes(from)) {
      return twilioErrorResponse(
        400,
        TWILIO_ERROR.INVALID_FROM,
        `The From phone number ${String(from)} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    }
    if (fields.StatusCallback !== undefined) {
      let ok = false;
      try {
        const callback = new URL(fields.StatusCallback);
        ok = /^https?:$/.test(callback.protocol) && !callback.hostname.includes("_");
      } catch {
        ok = false;
      }
      if (!ok)
        return twilioErrorResponse(
          400,
          TWILIO_ERROR.INVALID_STATUS_CALLBACK,
          `Invalid StatusCallback url: ${fields.StatusCallback}`,
        );
    }
    const now = state.now();
    const message = state.addMessage({
      accountSid: account.sid,
      from: from!,
      to: fields.To,
      body: fields.Body ?? "",
      // Through a Messaging Service a message is first `accepted`, then `queued`.
      status: serviceSid !== null && fields.From === undefined ? "accepted" : "queued",
      direction: "outbound-api",
      messagingServiceSid: serviceSid,
      errorCode: null,
      errorMessage: null,
      price: null,
      dateCreated: now,
      dateSent: null,
      statusCallback: fields.StatusCallback ?? null,
    });
    ctx.onCreated(message);
    return HttpResponse.json(state.renderMessage(message), { status: 201 });
  }

  function update(message: FakeMessage, form: URLSearchParams): Response {
    const fields: UpdateForm = {
      ...(form.has("Body") && { Body: form.get("Body")! }),
      ...(form.has("Status") && { Status: form.get("Status") as UpdateForm["Status"] }),
    };
    if (fields.Status === "canceled") {
      if (message.status !== "scheduled")
        return twilioErrorResponse(400, 30409, "Message is not in a cancelable state.");
      message.status = "canceled";
    } else if (fields.Body !== undefined) {
      // Only redaction: the body can be set to "" and nothing else.
      if (fields.Body !== "")
        return twilioErrorResponse(
          400,
          21000,
          "Body can only be redacted (set to an empty string).",
        );
      if (
        !["delivered", "undelivered", "failed", "received", "sent", "canceled", "read"].includes(
          message.status,
        )
      )
        return twilioErrorResponse(
          400,
          20009,
          "Cannot redact a message that is still in progress.",
        );
      message.body = "";
    } else {
      return twilioErrorResponse(400, 21000, "Nothing to update: give Body or Status.");
    }
    message.dateUpdated = state.now();
    return HttpResponse.json(state.renderMessage(message));
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const method = request.method.toUpperCase();
    const text = method === "GET" || method === "HEAD" ? "" : await request.text();
    if (ctx.forced.rateLimited > 0) {
      ctx.forced.rateLimited -= 1;
      return twilioErrorResponse(429, TWILIO_ERROR.TOO_MANY_REQUESTS, "Too Many Requests");
    }
    const accountRoute = ACCOUNT_ROUTE.exec(path);
    const messagesRoute = MESSAGES_ROUTE.exec(path);
    const messageRoute = MESSAGE_ROUTE.exec(path);
    const pathAccount = decodeURIComponent(
      (accountRoute ?? messagesRoute ?? messageRoute)?.[1] ?? "",
    );
    if (pathAccount === "") return notFound(path);

    const creds = basic(request);
    if (creds === null) return authenticate();
    let principal: FakeAccount | undefined;
    if (creds.user.startsWith("SK")) {
      const key = state.apiKeys.get(creds.user);
      if (key === undefined || key.secret !== creds.password || key.accountSid !== pathAccount)
        return authenticate();
      // Standard keys reach everything but the Accounts and Keys resources.
      if (key.type === "standard" && accountRoute !== null) return authenticate();
      principal = state.account(key.accountSid);
    } else {
      const account = state.account(creds.user);
      if (account === undefined || account.authToken !== creds.password) return authenticate();
      principal = account;
    }
    // The credentials' account must be the one in the path.
    if (principal === undefined || principal.sid !== pathAccount) return authenticate();
    if (principal.status !== "active" && accountRoute === null) return authenticate();

    if (accountRoute !== null) {
      if (method !== "GET") return methodNotAllowed();
      const body: AccountResponse = state.renderAccount(principal);
      return HttpResponse.json(body);
    }
    if (messagesRoute !== null) {
      if (method === "GET") return list(principal, url);
      if (method === "POST") return create(principal, readForm(request, text));
      return methodNotAllowed();
    }
    const sid = decodeURIComponent(messageRoute![2]!);
    const message = state.message(sid);
    if (message === undefined || message.accountSid !== principal.sid) return notFound(path);
    if (method === "GET") return HttpResponse.json(state.renderMessage(message));
    if (method === "POST") return update(message, readForm(request, text));
    if (method === "DELETE") {
      state.messages.delete(sid);
      return new HttpResponse(null, { status: 204 });
    }
    return methodNotAllowed();
  }

  function methodNotAllowed(): Response {
    return twilioErrorResponse(405, 20004, "Method not allowed");
  }

  return [
    http.all(`${TWILIO_API_BASE_URL}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const creds = basic(request);
      const response = await route(request);
      ctx.log.push({
        method: request.method.toUpperCase(),
        path: url.pathname,
        query: url.search,
        status: response.status,
        principal: creds?.user ?? null,
      });
      return response;
    }),
  ];
}
