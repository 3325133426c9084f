import { randomBytes } from "node:crypto";
import { type Connection, hmac } from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import type { RequestHandler } from "msw";
import { AIRTABLE_SCOPES } from "../endpoints.js";
import type { AirtableRecord, WebhookPayload, WebhookPing } from "../schemas.js";
import { AIRTABLE_MAC_HEADER } from "../webhooks.js";
import {
  createAirtableApiHandlers,
  type FakeApiContext,
  type FakePersonalAccessToken,
  type FakeRateLimitOptions,
  type FakeRequestLogEntry,
  type ListIterator,
} from "./handlers.js";
import { createAirtableOAuthFake } from "./oauth.js";
import {
  AirtableFakeState,
  type ChangeActor,
  type FakeBase,
  type FakeFieldSpec,
  type FakeTable,
  type FakeWebhook,
} from "./state.js";

/**
 * The sandbox base and table the fake starts with: "Radio campaigns" /
 * "Pitches", whose fields are Name (primary), Email, Status (single select),
 * Plays (number), Notes (long text) and Created (created time, computed).
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { baseId: AIRTABLE_SANDBOX.baseId, tableId: AIRTABLE_SANDBOX.tableId });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export const AIRTABLE_SANDBOX = Object.freeze({
  baseId: "appSandboxRadio01",
  baseName: "Radio campaigns",
  tableId: "tblSandboxPitch01",
  tableName: "Pitches",
});

/**
 * The sandbox personal access token the fake accepts, with every scope the connector needs.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "airtable", credentials: { apiKey: AIRTABLE_SANDBOX_PAT } });
 * ```
 * @see https://airtable.com/developers/web/guides/personal-access-tokens
 */
export const AIRTABLE_SANDBOX_PAT =
  "patSandboxToken01.0000000000000000000000000000000000000000000000000000000000000000";

/**
 * The fields of the sandbox "Pitches" table.
 *
 * @example
 * ```ts
 * fake.addTable(baseId, { name: "Pitches", fields: PITCHES_FIELDS });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export const PITCHES_FIELDS: readonly FakeFieldSpec[] = Object.freeze([
  { name: "Name", type: "singleLineText" },
  { name: "Email", type: "email" },
  {
    name: "Status",
    type: "singleSelect",
    options: {
      choices: [
        { name: "Pitched" },
        { name: "Interested" },
        { name: "Not interested" },
        { name: "Played" },
      ],
    },
  },
  { name: "Plays", type: "number", options: { precision: 0 } },
  { name: "Notes", type: "multilineText" },
  { name: "Created", type: "createdTime" },
]);

const STATIONS = [
  "KEXP",
  "WFMU",
  "KCRW",
  "BBC 6 Music",
  "Radio X",
  "FIP",
  "NTS",
  "Triple J",
  "CBC Music",
  "WXPN",
];
const STATUSES = ["Pitched", "Interested", "Not interested", "Played"];

/**
 * Options of {@link createAirtableFake}.
 *
 * @example
 * ```ts
 * const fake = createAirtableFake({ rateLimit: false, now: () => clock });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface AirtableFakeOptions {
  /** The fake's clock (epoch ms): record times, webhook expiry, iterator timeouts. Default `Date.now`. */
  now?: () => number;
  /** The OAuth server; default a new {@link createAirtableOAuthFake}. `false` for PAT-only fakes. */
  oauth?: FakeOAuthServer | false;
  /** Personal access tokens accepted, with their scopes. Default: {@link AIRTABLE_SANDBOX_PAT} with every scope. */
  personalAccessTokens?: Record<string, Partial<FakePersonalAccessToken>>;
  /** Start with the sandbox base and its empty "Pitches" table. Default `true`. */
  sandbox?: boolean;
  /** Rate limiting per base (default 5 per second, then 30 seconds of 429s); `false` turns it off. */
  rateLimit?: FakeRateLimitOptions | false;
  /** How long a list-records offset lives without use. Default 5 minutes. */
  iteratorTtlMs?: number;
  /** Bases per `meta/bases` page. Default 1000. */
  basesPageSize?: number;
  /**
   * Called with each ping Airtable would POST to a webhook's notification URL
   * (signed), e.g. `(r) => patchbay.handleWebhook("airtable", r)` for a sandbox.
   * Called asynchronously, like a real delivery; errors are ignored.
   */
  notify?: (request: Request) => unknown;
}

/**
 * Where a helper acts: a base and a table. Default: the sandbox table.
 *
 * @example
 * ```ts
 * fake.seedTable(5, { baseId: "appA1b2C3d4E5f6G7", tableId: "tblA1b2C3d4E5f6G7" });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface FakeTableRef {
  baseId?: string;
  tableId?: string;
}

/**
 * The fake Airtable (see {@link createAirtableFake}).
 *
 * @example
 * ```ts
 * let fake: AirtableFake = createAirtableFake();
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export type AirtableFake = ReturnType<typeof createAirtableFake>;

const UI_USER: ChangeActor = {
  source: "client",
  user: {
    id: "usrSandboxEditor1",
    email: "editor@example.com",
    name: "Sandbox Editor",
    permissionLevel: "create",
  },
};

/**
 * A stateful fake of Airtable's Web API and OAuth server, for tests and
 * sandbox mode: bases, tables and records; list-records pagination with
 * expiring offsets; `filterByFormula` for `IS_AFTER(LAST_MODIFIED_TIME(), …)`;
 * writes of at most 10 records with upserts; 5 requests per second per base;
 * webhooks with payload logs, expiry, refresh and signed pings. Errors come
 * in Airtable's own shapes.
 *
 * @example
 * ```ts
 * const fake = createAirtableFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedTable(25); // 25 pitches in the sandbox table
 * fake.editRecord(id, { Status: "Played" }); // a user edits a cell in Airtable
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export function createAirtableFake(options: AirtableFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = new AirtableFakeState(now);
  const oauth =
    options.oauth === false ? undefined : (options.oauth ?? createAirtableOAuthFake({ now }));
  const pats = new Map<string, FakePersonalAccessToken>();
  for (const [token, spec] of Object.entries(
    options.personalAccessTokens ?? { [AIRTABLE_SANDBOX_PAT]: {} },
  )) {
    pats.set(token, {
      userId: spec.userId ?? "usrSandboxPatUser",
      scopes: spec.scopes ?? [...AIRTABLE_SCOPES],
    });
  }
  const rateLimit =
    options.rateLimit === false
      ? false
      : {
          requestsPerSecond: options.rateLimit?.requestsPerSecond ?? 5,
          penaltyMs: options.rateLimit?.penaltyMs ?? 30_000,
          toleranceMs: options.rateLimit?.toleranceMs ?? 250,
        };
  const ctx: FakeApiContext = {
    state,
    oauth,
    pats,
    rateLimit,
    iteratorTtlMs: options.iteratorTtlMs ?? 5 * 60_000,
    basesPageSize: options.basesPageSize ?? 1000,
    log: [],
    forced: { rateLimited: 0 },
    iterators: new Map<string, ListIterator>(),
    arrivals: new Map(),
    penalties: new Map(),
  };
  const pings: WebhookPing[] = [];
  state.onPing = (base, hook, timestamp) => {
    const ping: WebhookPing = { base: { id: base.id }, webhook: { id: hook.id }, timestamp };
    pings.push(ping);
    if (options.notify !== undefined) {
      const request = signedPing(hook, ping, hook.macSecretBase64);
      setTimeout(() => {
        Promise.resolve()
          .then(() => options.notify?.(request))
          .catch(() => undefined);
      }, 0);
    }
  };

  if (options.sandbox !== false) {
    state.addBase({ id: AIRTABLE_SANDBOX.baseId, name: AIRTABLE_SANDBOX.baseName });
    state.addTable(AIRTABLE_SANDBOX.baseId, {
      id: AIRTABLE_SANDBOX.tableId,
      name: AIRTABLE_SANDBOX.tableName,
      fields: [...PITCHES_FIELDS],
    });
  }

  function where(ref: FakeTableRef = {}): { base: FakeBase; table: FakeTable } {
    const baseId = ref.baseId ?? AIRTABLE_SANDBOX.baseId;
    const base = state.bases.get(baseId);
    if (base === undefined) throw new Error(`fake Airtable: no base ${baseId}`);
    const tableId =
      ref.tableId ??
      (ref.baseId === undefined ? AIRTABLE_SANDBOX.tableId : [...base.tables.keys()][0]);
    const table = tableId === undefined ? undefined : state.table(base, tableId);
    if (table === undefined)
      throw new Error(`fake Airtable: no table ${String(tableId)} in base ${baseId}`);
    return { base, table };
  }

  function cellsOrThrow(table: FakeTable, fields: Record<string, unknown>): Map<string, unknown> {
    const checked = state.cells(table, fields, { typecast: true });
    if (!checked.ok) throw new Error(`fake Airtable: ${checked.type}: ${checked.message}`);
    return checked.cells;
  }

  function findHook(connection: Pick<Connection, "metadata" | "config">): FakeWebhook | undefined {
    const id = connection.metadata.webhookId;
    for (const base of state.bases.values()) {
      if (typeof id === "string" && base.webhooks.has(id)) return base.webhooks.get(id);
    }
    const baseId = (connection.metadata.baseId ?? connection.config.baseId) as string | undefined;
    const base = baseId === undefined ? undefined : state.bases.get(baseId);
    return base === undefined ? undefined : [...base.webhooks.values()].at(-1);
  }

  function signedPing(
    hook: Pick<FakeWebhook, "notificationUrl">,
    ping: WebhookPing,
    secretBase64: string,
  ): Request {
    const body = JSON.stringify(ping);
    const mac = hmac("sha256", new Uint8Array(Buffer.from(secretBase64, "base64")), body, "hex");
    return new Request(
      hook.notificationUrl ?? "https://app.example.com/integrations/webhooks/airtable",
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [AIRTABLE_MAC_HEADER]: `hmac-sha256=${mac}`,
        },
        body,
      },
    );
  }

  const api = {
    /** The fake's data, for assertions the helpers do not cover. */
    state,
    /** The OAuth server (absent with `oauth: false`). */
    oauth,
    /** MSW handlers: the Web API, and the OAuth server's. */
    handlers: [...(oauth?.handlers ?? []), ...createAirtableApiHandlers(ctx)] as RequestHandler[],
    /** What a user types for `airtable({ auth: "pat" })`: the sandbox token. */
    credentials: { apiKey: AIRTABLE_SANDBOX_PAT },
    /** Every API request answered, in order. */
    requests: ctx.log as readonly FakeRequestLogEntry[],
    /** Every ping Airtable would have sent. */
    pings: pings as readonly WebhookPing[],

    /** The next `count` API requests answer Airtable's 429 (`RATE_LIMIT_REACHED`). */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      ctx.forced.rateLimited += count;
    },

    /** Every list-records offset handed out so far stops working (`LIST_RECORDS_ITERATOR_NOT_AVAILABLE`). */
    expireListIterators(): void {
      ctx.iterators.clear();
    },

    /** Add a base (as a user creating one in Airtable). */
    addBase(spec: { name: string; id?: string; permissionLevel?: string }): { baseId: string } {
      return { baseId: state.addBase(spec).id };
    },

    /** Add a table to a base; the first field is the primary one. */
    addTable(
      baseId: string,
      spec: { name: string; id?: string; fields?: readonly FakeFieldSpec[] },
    ): { tableId: string } {
      return {
        tableId: state.addTable(baseId, { ...spec, fields: [...(spec.fields ?? PITCHES_FIELDS)] })
          .id,
      };
    },

    /**
     * Fill a table with `count` plausible pitches (a user importing a CSV:
     * one transaction per record). Returns the new record ids.
     */
    seedTable(count: number, ref: FakeTableRef = {}): string[] {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      const { table } = where(ref);
      const start = table.records.size;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const n = start + i + 1;
        const station = STATIONS[(n - 1) % STATIONS.length]!;
        const fields: Record<string, unknown> = {};
        if (table.fields.some((f) => f.name === "Name")) fields.Name = `${station} #${n}`;
        if (table.fields.some((f) => f.name === "Email"))
          fields.Email = `music${n}@${station.toLowerCase().replace(/[^a-z0-9]/g, "")}.example`;
        if (table.fields.some((f) => f.name === "Status"))
          fields.Status = STATUSES[n % STATUSES.length];
        if (table.fields.some((f) => f.name === "Plays")) fields.Plays = (n * 7) % 23;
        ids.push(api.createRecord(fields, ref));
      }
      return ids;
    },

    /** A user adds a record in the Airtable UI. Returns its id. */
    createRecord(fields: Record<string, unknown>, ref: FakeTableRef = {}): string {
      const { base, table } = where(ref);
      const [record] = state.create(base, table, [cellsOrThrow(table, fields)], UI_USER);
      return record!.id;
    },

    /** A user edits cells of a record in the Airtable UI (`null` clears a cell). */
    editRecord(recordId: string, fields: Record<string, unknown>): void {
      const found = state.locate(recordId);
      if (found === undefined) throw new Error(`fake Airtable: no record ${recordId}`);
      state.update(
        found.base,
        found.table,
        [{ record: found.record, cells: cellsOrThrow(found.table, fields) }],
        UI_USER,
      );
    },

    /** A user deletes a record in the Airtable UI. */
    deleteRecord(recordId: string): void {
      const found = state.locate(recordId);
      if (found === undefined) throw new Error(`fake Airtable: no record ${recordId}`);
      state.destroy(found.base, found.table, [recordId], UI_USER);
    },

    /** A table's records as the API returns them, in creation order. */
    records(ref: FakeTableRef = {}): AirtableRecord[] {
      const { table } = where(ref);
      return [...table.records.values()].map((r) => state.render(table, r));
    },

    /** A base's webhooks (all owners). */
    webhooks(baseId: string = AIRTABLE_SANDBOX.baseId): FakeWebhook[] {
      const base = state.bases.get(baseId);
      return base === undefined ? [] : [...base.webhooks.values()];
    },

    /** A webhook's payload log. */
    payloads(webhookId: string): WebhookPayload[] {
      for (const base of state.bases.values()) {
        const hook = base.webhooks.get(webhookId);
        if (hook !== undefined) return hook.payloads.map((p) => structuredClone(p.body));
      }
      return [];
    },

    /**
     * The ping Airtable sends for a connection's webhook, signed with the
     * webhook's MAC secret (`forged: true` signs it with another secret).
     * Without a webhook at the fake, a ping for an unknown webhook of the
     * connection's base.
     */
    webhook(
      connection: Pick<Connection, "metadata" | "config">,
      webhookOptions: { forged?: boolean; timestamp?: string } = {},
    ): Request {
      const hook = findHook(connection);
      const baseId =
        hook?.baseId ??
        String(connection.metadata.baseId ?? connection.config.baseId ?? AIRTABLE_SANDBOX.baseId);
      const ping: WebhookPing = {
        base: { id: baseId },
        webhook: { id: hook?.id ?? String(connection.metadata.webhookId ?? state.newId("ach")) },
        timestamp: webhookOptions.timestamp ?? new Date(now()).toISOString(),
      };
      const secret =
        webhookOptions.forged === true || hook === undefined
          ? randomBytes(32).toString("base64")
          : hook.macSecretBase64;
      return signedPing(hook ?? { notificationUrl: null }, ping, secret);
    },

    /**
     * Send the ping Airtable would send for a connection's webhook (see
     * `webhook`) to `to`, or to the fake's `notify` option, and return the answer.
     *
     * @throws TypeError when neither `to` nor `notify` says where to send it.
     */
    async deliver(
      connection: Pick<Connection, "metadata" | "config">,
      deliverOptions: {
        forged?: boolean;
        to?: (request: Request) => Response | Promise<Response>;
      } = {},
    ): Promise<Response> {
      const to =
        deliverOptions.to ??
        (options.notify as ((request: Request) => Response | Promise<Response>) | undefined);
      if (to === undefined) {
        throw new TypeError('"to" is required when the fake was created without "notify"');
      }
      return to(api.webhook(connection, { forged: deliverOptions.forged === true }));
    },
  };
  return api;
}
