import { randomBytes } from "node:crypto";
import { type Connection, hmac } from "@patchbay/core";
import { FAKE_OAUTH_DEFAULT_SUBJECT, type FakeOAuthServer } from "@patchbay/testing";
import { HttpResponse, type RequestHandler } from "msw";
import { JOBBER_WEBHOOK_SIGNATURE_HEADER } from "../endpoints.js";
import type { WebhookPayload } from "../schemas.js";
import {
  createJobberGraphqlHandlers,
  type FakeCostBucket,
  type FakeGraphqlContext,
  type FakeGraphqlLogEntry,
} from "./graphql-api.js";
import { createJobberOAuthFake, JOBBER_SANDBOX_APP } from "./oauth.js";
import {
  encodeJobberId,
  FAKE_TYPE_NAMES,
  type FakeModel,
  JobberFakeState,
  jobberTime,
} from "./state.js";

/**
 * The sandbox Jobber account: a lawn-care and home-cleaning business.
 *
 * @example
 * ```ts
 * connection.metadata.accountId === JOBBER_SANDBOX_ACCOUNT.id; // after connecting to the fake
 * ```
 * @see https://developer.getjobber.com/docs/building_your_app/app_authorization
 */
export const JOBBER_SANDBOX_ACCOUNT = Object.freeze({
  id: encodeJobberId("Account", 4321),
  name: "Greenleaf Lawn & Home Services",
});

/**
 * The sandbox app's id, as webhook payloads carry it (`appId`).
 *
 * @example
 * ```ts
 * event.appId === JOBBER_SANDBOX_APP_ID;
 * ```
 * @see https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks#webhook-payload
 */
export const JOBBER_SANDBOX_APP_ID = "3ef22a50-072d-430c-a78f-b7646657560b";

/**
 * Options of {@link createJobberFake}.
 *
 * @example
 * ```ts
 * const fake = createJobberFake({ now: () => clock, notify: (r) => patchbay.handleWebhook("jobber", r) });
 * ```
 * @see https://developer.getjobber.com/docs
 */
export interface JobberFakeOptions {
  /** The fake's clock (epoch ms): timestamps, the cost bucket, tokens. Default `Date.now`. */
  now?: () => number;
  /** The OAuth server. Default a new `createJobberOAuthFake` on the same clock. */
  oauth?: FakeOAuthServer;
  /** Redirect URIs of the sandbox app (ignored when `oauth` is given). */
  redirectUris?: readonly string[];
  /** The cost bucket's size. Default 10,000 points. */
  maximumAvailable?: number;
  /** Points restored per second. Default 500. */
  restoreRate?: number;
  /**
   * Called with each webhook Jobber would POST to the app's webhook URL
   * (signed), e.g. `(r) => patchbay.handleWebhook("jobber", r)`. Called
   * asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
  /** The webhook URL deliveries are addressed to. Default `https://app.example.com/integrations/webhooks/jobber`. */
  webhookUrl?: string;
}

/**
 * The fake Jobber (see {@link createJobberFake}).
 *
 * @example
 * ```ts
 * let fake: JobberFake = createJobberFake();
 * ```
 * @see https://developer.getjobber.com/docs
 */
export type JobberFake = ReturnType<typeof createJobberFake>;

const FIRST_NAMES = [
  "Maria",
  "James",
  "Priya",
  "Tom",
  "Aisha",
  "Luis",
  "Hannah",
  "Kenji",
  "Grace",
  "Omar",
];
const LAST_NAMES = [
  "Garcia",
  "Whitfield",
  "Patel",
  "Okafor",
  "Nguyen",
  "Brennan",
  "Kowalski",
  "Ito",
  "Morales",
  "Haddad",
];
const STREETS = ["Maple Ave", "Oak Ridge Dr", "Birch Ln", "Cedar Ct", "Willow Way", "Elm St"];
const JOB_TITLES = [
  "Weekly lawn mowing",
  "Spring yard cleanup",
  "Hedge trimming",
  "Gutter cleaning",
  "Move-out deep clean",
  "Mulch installation",
  "Biweekly house cleaning",
  "Leaf removal",
];
const QUOTE_TITLES = [
  "Patio paver install",
  "Sprinkler system repair",
  "Tree removal",
  "Carpet shampoo",
  "Sod installation",
];
const JOB_STATUSES = [
  "upcoming",
  "today",
  "action_required",
  "late",
  "requires_invoicing",
  "archived",
];
const QUOTE_STATUSES = ["draft", "awaiting_response", "approved", "changes_requested", "converted"];
const INVOICE_STATUSES = ["draft", "awaiting_payment", "paid", "past_due"];

/**
 * A stateful fake of Jobber's GraphQL API and OAuth server, for tests and
 * sandbox mode: one account with clients, jobs, quotes and invoices; Relay
 * pagination; `updatedAt` filters and `UPDATED_AT` sort; `clientCreate` and
 * `clientEdit` with `userErrors`; `appDisconnect`; a leaky-bucket query cost
 * with `THROTTLED` answers; the DDoS guard's 429; webhooks signed with the
 * app's client secret.
 *
 * @example
 * ```ts
 * const fake = createJobberFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // a lawn & home services business
 * fake.editClient(id, { lastName: "Rivera" }); // a user edits a client in Jobber
 * ```
 * @see https://developer.getjobber.com/docs
 */
export function createJobberFake(options: JobberFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = new JobberFakeState(now);
  const oauth =
    options.oauth ??
    createJobberOAuthFake({
      now,
      ...(options.redirectUris !== undefined && { redirectUris: options.redirectUris }),
    });
  const maximumAvailable = options.maximumAvailable ?? 10_000;
  const bucket: FakeCostBucket = {
    maximumAvailable,
    restoreRate: options.restoreRate ?? 500,
    available: maximumAvailable,
    at: now(),
  };
  const webhookUrl = options.webhookUrl ?? "https://app.example.com/integrations/webhooks/jobber";
  const subjects = new Set<string>([FAKE_OAUTH_DEFAULT_SUBJECT]);
  const deliveries: WebhookPayload[] = [];
  const log: FakeGraphqlLogEntry[] = [];

  function signed(payload: WebhookPayload, secret: string): Request {
    const body = JSON.stringify(payload);
    return new Request(webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [JOBBER_WEBHOOK_SIGNATURE_HEADER]: hmac("sha256", secret, body, "base64"),
      },
      body,
    });
  }

  function event(topic: string, itemId: string): WebhookPayload {
    return {
      data: {
        webHookEvent: {
          topic,
          appId: JOBBER_SANDBOX_APP_ID,
          accountId: JOBBER_SANDBOX_ACCOUNT.id,
          itemId,
          occurredAt: jobberTime(now()),
        },
      },
    };
  }

  function emit(topic: string, itemId: string): void {
    const payload = event(topic, itemId);
    deliveries.push(payload);
    if (options.notify === undefined) return;
    const request = signed(payload, JOBBER_SANDBOX_APP.clientSecret);
    setTimeout(() => {
      Promise.resolve()
        .then(() => options.notify?.(request))
        .catch(() => undefined);
    }, 0);
  }

  const ctx: FakeGraphqlContext = {
    state,
    now,
    account: { ...JOBBER_SANDBOX_ACCOUNT },
    appName: "Patchbay Sandbox",
    bucket,
    log,
    forced: { rateLimited: 0, retryAfterSeconds: undefined, throttled: 0 },
    authenticate(request) {
      const check = oauth.verifyBearer(request);
      if (check.valid) {
        subjects.add(check.subject);
        return { subject: check.subject };
      }
      const message =
        check.reason === "revoked"
          ? "User has disconnected this app from their account. Please delete this token"
          : "invalid_request";
      return HttpResponse.json({ message }, { status: 401 });
    },
    disconnect(subject, source) {
      oauth.revokeGrant(subject);
      if (source === "jobber") emit("APP_DISCONNECT", JOBBER_SANDBOX_ACCOUNT.id);
    },
    changed(model, topic, id) {
      emit(`${FAKE_TYPE_NAMES[model].toUpperCase()}_${topic}`, id);
    },
  };

  const firstClientId = (): string =>
    [...state.records.clients.keys()][0] ??
    api.createClient({ firstName: "Walk-in", lastName: "Customer" });

  const api = {
    /** The fake's records, for assertions the helpers do not cover. */
    state,
    /** The OAuth server. */
    oauth,
    /** MSW handlers: the GraphQL API and the OAuth server's endpoints. */
    handlers: [...oauth.handlers, ...createJobberGraphqlHandlers(ctx)] as RequestHandler[],
    /** Every GraphQL request answered, in order. */
    requests: log as readonly FakeGraphqlLogEntry[],
    /** Every webhook Jobber would have sent, in order. */
    deliveries: deliveries as readonly WebhookPayload[],
    /** The account. */
    account: JOBBER_SANDBOX_ACCOUNT,

    /** The cost bucket now (restored for the time passed). */
    bucket(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } {
      const elapsed = Math.max(0, now() - bucket.at) / 1000;
      return {
        maximumAvailable: bucket.maximumAvailable,
        restoreRate: bucket.restoreRate,
        currentlyAvailable: Math.min(
          bucket.maximumAvailable,
          bucket.available + elapsed * bucket.restoreRate,
        ),
      };
    },
    /** Set the points currently available (another integration of the account spent the rest). */
    drainBucket(available = 0): void {
      bucket.available = available;
      bucket.at = now();
    },
    /** The next `count` requests answer the DDoS guard's HTTP 429, with `Retry-After` when given. */
    rateLimitNext(count = 1, rateOptions: { retryAfterSeconds?: number } = {}): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.rateLimited += count;
      ctx.forced.retryAfterSeconds =
        rateOptions.retryAfterSeconds === undefined
          ? undefined
          : String(rateOptions.retryAfterSeconds);
    },
    /** The next `count` queries answer `THROTTLED` (one second of points missing). */
    throttleNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.throttled += count;
    },

    /** A user adds a client in Jobber. Returns its id. */
    createClient(fields: Record<string, unknown>): string {
      return api.create("clients", fields);
    },
    /** A user edits a client in Jobber. */
    editClient(id: string, patch: Record<string, unknown>): void {
      api.edit("clients", id, patch);
    },
    /** A user deletes a client in Jobber. */
    deleteClient(id: string): void {
      api.remove("clients", id);
    },
    /** A user adds a record (jobs, quotes and invoices belong to the first client unless `clientId` is given). */
    create(model: FakeModel, fields: Record<string, unknown> = {}): string {
      const withClient =
        model === "clients" || typeof fields.clientId === "string"
          ? fields
          : { ...fields, clientId: firstClientId() };
      const record = state.create(model, withClient);
      ctx.changed(model, "CREATE", record.id);
      return record.id;
    },
    /** A user edits a record. */
    edit(model: FakeModel, id: string, patch: Record<string, unknown>): void {
      state.update(model, id, patch);
      ctx.changed(model, "UPDATE", id);
    },
    /** A user deletes a record. */
    remove(model: FakeModel, id: string): void {
      state.destroy(model, id);
      ctx.changed(model, "DESTROY", id);
    },
    /** A model's records as the API returns them, in creation order. */
    records(model: FakeModel): Record<string, unknown>[] {
      return [...state.records[model].values()].map((r) => state.render(model, r));
    },
    /** The admin clicks "Disconnect" in Jobber's App Marketplace: every token dies and `APP_DISCONNECT` fires. */
    disconnectApp(): void {
      for (const subject of subjects) ctx.disconnect(subject, "jobber");
    },

    /** Add `count` plausible records of a model (jobs, quotes, invoices for existing clients). Returns their ids. */
    seed(model: FakeModel, count: number): string[] {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const n = state.records[model].size + 1;
        ids.push(api.create(model, plausible(model, n)));
      }
      return ids;
    },
    /** Fill the account with a lawn & home services business: 10 clients, 8 jobs, 5 quotes, 6 invoices. */
    seedSandbox(): void {
      api.seed("clients", 10);
      const clients = [...state.records.clients.keys()];
      const pick = (i: number) => clients[i % clients.length]!;
      for (let i = 0; i < 8; i++)
        api.create("jobs", { ...plausible("jobs", i + 1), clientId: pick(i) });
      for (let i = 0; i < 5; i++)
        api.create("quotes", { ...plausible("quotes", i + 1), clientId: pick(i + 3) });
      for (let i = 0; i < 6; i++)
        api.create("invoices", { ...plausible("invoices", i + 1), clientId: pick(i) });
    },

    /**
     * The delivery Jobber sends for an event on the account (default a
     * `CLIENT_UPDATE` of the first client), signed with the app's secret;
     * `forged: true` signs it with another secret.
     */
    webhook(
      _connection?: Pick<Connection, "metadata">,
      webhookOptions: { forged?: boolean; topic?: string; itemId?: string } = {},
    ): Request {
      const itemId =
        webhookOptions.itemId ??
        [...state.records.clients.keys()][0] ??
        encodeJobberId("Client", 1);
      const secret =
        webhookOptions.forged === true
          ? randomBytes(24).toString("base64")
          : JOBBER_SANDBOX_APP.clientSecret;
      return signed(event(webhookOptions.topic ?? "CLIENT_UPDATE", itemId), secret);
    },
  };
  return api;
}

function plausible(model: FakeModel, n: number): Record<string, unknown> {
  const first = FIRST_NAMES[(n - 1) % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(n * 3) % LAST_NAMES.length]!;
  switch (model) {
    case "clients":
      return {
        firstName: first,
        lastName: last,
        companyName: n % 4 === 0 ? `${last} Property Management` : null,
        isLead: n % 5 === 0,
        emails: [
          {
            address: `${first}.${last}${n}@example.com`.toLowerCase(),
            description: "MAIN",
            primary: true,
          },
        ],
        phones: [
          { number: `512-555-${String(1000 + n).slice(-4)}`, description: "MOBILE", primary: true },
        ],
        billingAddress: {
          street1: `${100 + n * 7} ${STREETS[n % STREETS.length]}`,
          street2: null,
          city: "Austin",
          province: "TX",
          postalCode: `787${String(n % 100).padStart(2, "0")}`,
          country: "United States",
        },
      };
    case "jobs":
      return {
        title: JOB_TITLES[(n - 1) % JOB_TITLES.length],
        jobStatus: JOB_STATUSES[n % JOB_STATUSES.length],
        instructions: n % 2 === 0 ? "Gate code 4821; dog in the back yard" : null,
        startAt: `2025-06-${String((n % 27) + 1).padStart(2, "0")}T14:00:00Z`,
        endAt: `2025-06-${String((n % 27) + 1).padStart(2, "0")}T16:00:00Z`,
        completedAt: null,
        total: 75 + n * 25,
      };
    case "quotes":
      return {
        title: QUOTE_TITLES[(n - 1) % QUOTE_TITLES.length],
        quoteStatus: QUOTE_STATUSES[n % QUOTE_STATUSES.length],
        message: "Thanks for the opportunity! Pricing valid for 30 days.",
        subtotal: 400 + n * 150,
        total: Math.round((400 + n * 150) * 1.0825 * 100) / 100,
      };
    case "invoices": {
      const total = 120 + n * 45;
      const status = INVOICE_STATUSES[n % INVOICE_STATUSES.length]!;
      return {
        subject: `For services rendered (#${n})`,
        invoiceStatus: status,
        issuedDate: `2025-05-${String((n % 27) + 1).padStart(2, "0")}T00:00:00Z`,
        dueDate: `2025-06-${String((n % 27) + 1).padStart(2, "0")}T00:00:00Z`,
        subtotal: total,
        total,
        invoiceBalance: status === "paid" ? 0 : total,
      };
    }
  }
}
