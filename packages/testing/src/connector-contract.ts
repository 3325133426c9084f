import {
  type Connection,
  type ConnectorDefinition,
  createPatchbay,
  ErrorCode,
  type Json,
  MemoryStore,
  type Patchbay,
  type Store,
  type SyncOutcome,
  type SyncRun,
  Vault,
} from "@patchbay/core";
import type { RequestHandler } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeOAuthServer } from "./fake-oauth-server.js";

/**
 * A provider fake as the contract suite drives it: MSW handlers for the API
 * (and its OAuth server), plus the knobs every provider has.
 */
export interface ContractFake {
  /** MSW handlers: the provider API, and for OAuth providers `oauth.handlers` too. */
  handlers: RequestHandler[];
  /** The fake authorization server, for OAuth connectors. */
  oauth?: FakeOAuthServer;
  /** What the user types, for credential-form connectors (API key, client credentials...). */
  credentials?: Record<string, unknown>;
  /** Make the next `count` API requests answer the provider's own rate-limit response (429 or its equivalent). */
  rateLimitNext(count?: number): void;
  /**
   * A delivery as the provider would send it to `handleWebhook`, for the
   * given connection. `forged: true` signs it wrong (or omits the secret).
   */
  webhook?(connection: Connection, options: { forged: boolean }): Request | Promise<Request>;
}

/** How the suite reads and changes one model's data at the fake provider. */
export interface ContractModel<F extends ContractFake> {
  /** Put `count` records at the provider, ready for a first sync. */
  seed(fake: F, count: number): void | Promise<void>;
  /** The provider's records now, by external id (compared to what was synced, through `compare`). */
  snapshot(fake: F): Map<string, unknown> | Promise<Map<string, unknown>>;
  /** Change one record at the provider (as a user would in its UI). */
  update(fake: F, externalId: string): void | Promise<void>;
  /** Create one record at the provider; returns its external id. */
  create(fake: F): string | Promise<string>;
  /** Delete one record at the provider. */
  remove(fake: F, externalId: string): void | Promise<void>;
  /** Project a stored or provider record to what must match (drop volatile fields). Default: identity. */
  compare?(record: unknown): unknown;
  /** A record the host creates through write-back (host field names). Omit for read-only models. */
  hostRecord?(n: number): Record<string, unknown>;
  /** Models whose incremental mode needs no extra setup run incremental cases; default from the model's `modes`. */
  incremental?: boolean;
}

/** Options of {@link testConnectorContract}. */
export interface ConnectorContractOptions<F extends ContractFake> {
  /** The connector, built with sandbox app credentials matching the fake. */
  connector: () => ConnectorDefinition;
  /** A fresh fake provider per case. */
  fake: () => F;
  /** Where the host's OAuth callback lives (must be registered with the fake OAuth client). */
  redirectUri?: string;
  /** After connecting: pick the spreadsheet, base, list... (`connections.configure`, field mapping). */
  configure?: (patchbay: Patchbay, connection: Connection, fake: F) => Promise<void>;
  /**
   * The models to exercise, with how to drive their data at the fake. `{}`
   * for a connector without models (it only runs actions, like a
   * conversions API): the sync cases are skipped, saying why.
   */
  models: Record<string, ContractModel<F>>;
  /** Cases to skip, by title, each with the reason. */
  skip?: Partial<Record<ConnectorContractCase, string>>;
}

/** The contract's case titles. */
export const CONNECTOR_CONTRACT_CASES = [
  "connects (OAuth round trip or credential form) and stores an active connection",
  "test connection passes, and fails once the grant is revoked",
  "a full sync imports every record exactly as the provider has it",
  "an incremental sync picks up a change made at the provider",
  "re-syncing unchanged data writes nothing",
  "a record deleted at the provider is marked deleted after a full sync",
  "write-back creates at the provider, and the next sync does not echo it",
  "a 401 from the API triggers one token refresh and the sync succeeds",
  "the provider's rate-limit response is retried with backoff and the sync succeeds",
  "invalid_grant marks the connection needs_reauth and the sync stops",
  "a forged webhook is rejected and applies nothing",
] as const;

/** One of {@link CONNECTOR_CONTRACT_CASES}. */
export type ConnectorContractCase = (typeof CONNECTOR_CONTRACT_CASES)[number];

const TENANT = "contract-tenant";
const VAULT_KEY = { kid: "contract", key: Buffer.alloc(32, 42).toString("base64") };

interface World<F extends ContractFake> {
  fake: F;
  store: Store;
  patchbay: Patchbay;
  connection: Connection;
}

/**
 * The connector contract: the same cases for every connector and its fake
 * — auth round trip, test connection, full and incremental sync, idempotent
 * re-sync, delete detection, write-back with echo suppression, 401 → refresh,
 * 429 → backoff, `invalid_grant` → needs_reauth, forged webhook rejected.
 * Registers a vitest `describe` block; cases that do not apply are skipped
 * with a written reason.
 *
 * @example
 * ```ts
 * testConnectorContract("airtable", {
 *   connector: () => airtable({ clientId: "sandbox", clientSecret: "sandbox" }),
 *   fake: () => createAirtableFake(),
 *   configure: (pb, c) => pb.connections.configure(c.tenantId, c.id, { baseId: "app1", tableId: "tbl1" }).then(() => {}),
 *   models: { records: { seed, snapshot, update, create, remove, hostRecord } },
 * });
 * ```
 */
export function testConnectorContract<F extends ContractFake>(
  name: string,
  options: ConnectorContractOptions<F>,
): void {
  for (const [title, reason] of Object.entries(options.skip ?? {})) {
    if (!(CONNECTOR_CONTRACT_CASES as readonly string[]).includes(title))
      throw new TypeError(`skip: unknown case "${title}"`);
    if (typeof reason !== "string" || reason.trim() === "")
      throw new TypeError(`skip: case "${title}" needs a written reason`);
  }
  const definition = options.connector();
  const isOAuth = definition.auth.kind === "oauth2";
  const hasTokens = definition.auth.kind !== "credentials";
  const redirectUri = options.redirectUri ?? "https://app.example.com/integrations/callback";
  const server = setupServer();

  const modelEntries = Object.entries(options.models ?? {});
  const declared = Object.keys(definition.models ?? {});
  if (modelEntries.length === 0 && declared.length > 0)
    throw new TypeError(
      `"models" must name at least one model to exercise (connector "${definition.id}" has ${declared.join(", ")})`,
    );
  for (const [model] of modelEntries) {
    if (definition.models?.[model] === undefined)
      throw new TypeError(`"models.${model}": connector "${definition.id}" has no such model`);
  }
  // An actions-only connector: the cases below that sync are skipped.
  const hasModels = modelEntries.length > 0;
  const NO_MODELS = "the connector has no models (it only runs actions)";
  const [firstModel, firstDriver] = (modelEntries[0] ?? ["", undefined]) as [
    string,
    ContractModel<F>,
  ];
  const modes = definition.models?.[firstModel]?.modes ?? ["full"];
  const supportsIncremental = firstDriver?.incremental ?? modes.includes("incremental");
  const writable =
    definition.models?.[firstModel]?.write !== undefined && firstDriver?.hostRecord !== undefined;

  async function world(): Promise<World<F>> {
    const fake = options.fake();
    server.use(...fake.handlers);
    const store = new MemoryStore();
    const patchbay = createPatchbay({
      connectors: [options.connector()],
      store,
      vault: new Vault({ keys: [VAULT_KEY] }),
      // Keep retries quick: the suite checks that they happen, not how long they wait.
      tokens: { refreshRetries: 2 },
    });
    let connection: Connection;
    if (isOAuth) {
      if (fake.oauth === undefined)
        throw new TypeError(
          `${name}: an OAuth connector's fake must expose "oauth" (createFakeOAuthServer)`,
        );
      const { url } = await patchbay.connect.start({
        tenantId: TENANT,
        connector: definition.id,
        redirectUri,
      });
      connection = await patchbay.connect.finish(fake.oauth.approve(url), { tenantId: TENANT });
    } else {
      if (fake.credentials === undefined)
        throw new TypeError(
          `${name}: a credential-form connector's fake must expose "credentials"`,
        );
      connection = await patchbay.connect.withCredentials({
        tenantId: TENANT,
        connector: definition.id,
        credentials: fake.credentials,
      });
    }
    await options.configure?.(patchbay, connection, fake);
    return {
      fake,
      store,
      patchbay,
      connection: await patchbay.connections.get(TENANT, connection.id),
    };
  }

  async function sync(w: World<F>, model: string, mode?: "full" | "incremental"): Promise<SyncRun> {
    const outcome: SyncOutcome = await w.patchbay.sync.run({
      tenantId: TENANT,
      connectionId: w.connection.id,
      model,
      mode,
    });
    if (outcome.status === "skipped")
      throw new Error(`${name}: sync of ${model} was skipped (${outcome.reason})`);
    return outcome.run;
  }

  async function stored(w: World<F>, model: string): Promise<Map<string, Json>> {
    const out = new Map<string, Json>();
    for (let after: string | undefined; ; ) {
      const page = await w.store.listRecords(TENANT, {
        connectionId: w.connection.id,
        model,
        afterExternalId: after,
        limit: 500,
      });
      for (const r of page) out.set(r.externalId, r.data);
      if (page.length < 500) break;
      after = page[page.length - 1]!.externalId;
    }
    return out;
  }

  /** Cases after the first two sync a model. */
  const syncs = (title: ConnectorContractCase) => CONNECTOR_CONTRACT_CASES.indexOf(title) >= 2;

  function caseIt(
    title: ConnectorContractCase,
    applies: boolean,
    why: string,
    body: () => Promise<void>,
  ): void {
    const reason =
      options.skip?.[title] ?? (!hasModels && syncs(title) ? NO_MODELS : applies ? undefined : why);
    if (reason !== undefined) it.skip(`${title} — skipped: ${reason}`, body);
    else it(title, body);
  }

  describe(`${name}: connector contract`, () => {
    beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());

    caseIt(CONNECTOR_CONTRACT_CASES[0], true, "", async () => {
      const w = await world();
      expect(w.connection).toMatchObject({
        tenantId: TENANT,
        connector: definition.id,
        status: "active",
      });
      expect(JSON.stringify(w.connection)).not.toMatch(/access_token|refresh_token|"credentials"/);
    });

    caseIt(
      CONNECTOR_CONTRACT_CASES[1],
      definition.test !== undefined && isOAuth,
      definition.test === undefined
        ? "the connector declares no test"
        : "revocation applies to OAuth grants",
      async () => {
        const w = await world();
        expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
        const revokedAll = w.fake.oauth!.revokeGrant(await subjectOf(w));
        expect(revokedAll).toBeGreaterThan(0);
        const result = await w.patchbay.connections.test(TENANT, w.connection.id);
        expect(result.ok).toBe(false);
      },
    );

    caseIt(CONNECTOR_CONTRACT_CASES[2], true, "", async () => {
      const w = await world();
      const driver = firstDriver;
      await driver.seed(w.fake, 25);
      const run = await sync(w, firstModel);
      expect(run.status).toBe("succeeded");
      const expected = await driver.snapshot(w.fake);
      expect(run.inserted).toBe(expected.size);
      const got = await stored(w, firstModel);
      const compare = driver.compare ?? ((r: unknown) => r);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [id, record] of expected) expect(compare(got.get(id))).toEqual(compare(record));
    });

    caseIt(
      CONNECTOR_CONTRACT_CASES[3],
      supportsIncremental,
      "the model has no incremental mode",
      async () => {
        const w = await world();
        await firstDriver.seed(w.fake, 10);
        await sync(w, firstModel);
        const [id] = [...(await firstDriver.snapshot(w.fake)).keys()];
        await firstDriver.update(w.fake, id!);
        const run = await sync(w, firstModel, "incremental");
        expect(run).toMatchObject({ status: "succeeded", mode: "incremental" });
        expect(run.updated).toBeGreaterThanOrEqual(1);
        const compare = firstDriver.compare ?? ((r: unknown) => r);
        expect(compare((await stored(w, firstModel)).get(id!))).toEqual(
          compare((await firstDriver.snapshot(w.fake)).get(id!)),
        );
      },
    );

    caseIt(CONNECTOR_CONTRACT_CASES[4], true, "", async () => {
      const w = await world();
      await firstDriver.seed(w.fake, 15);
      await sync(w, firstModel);
      const again = await sync(w, firstModel, "full");
      expect(again).toMatchObject({ status: "succeeded", inserted: 0, updated: 0, deleted: 0 });
    });

    caseIt(CONNECTOR_CONTRACT_CASES[5], true, "", async () => {
      const w = await world();
      await firstDriver.seed(w.fake, 12);
      await sync(w, firstModel);
      const [id] = [...(await firstDriver.snapshot(w.fake)).keys()];
      await firstDriver.remove(w.fake, id!);
      const run = await sync(w, firstModel, "full");
      expect(run).toMatchObject({ status: "succeeded" });
      expect(run.deleted).toBeGreaterThanOrEqual(1);
      expect((await stored(w, firstModel)).has(id!)).toBe(false);
    });

    caseIt(CONNECTOR_CONTRACT_CASES[6], writable, "the model is read-only", async () => {
      const w = await world();
      await firstDriver.seed(w.fake, 5);
      await sync(w, firstModel);
      const before = await firstDriver.snapshot(w.fake);
      const result = await w.patchbay.write({
        tenantId: TENANT,
        connectionId: w.connection.id,
        model: firstModel,
        changes: [
          { op: "create", internalId: "contract-host-1", data: firstDriver.hostRecord!(1) },
        ],
      });
      expect(result.results[0]).toMatchObject({ status: "applied" });
      const externalId = result.results[0]!.externalId!;
      const after = await firstDriver.snapshot(w.fake);
      expect(after.size).toBe(before.size + 1);
      expect(after.has(externalId)).toBe(true);
      const { cursor } = await w.patchbay.records.changes({
        tenantId: TENANT,
        connectionId: w.connection.id,
        limit: 1000,
      });
      const next = await sync(w, firstModel, "full");
      expect(next).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
      expect(
        (
          await w.patchbay.records.changes({
            tenantId: TENANT,
            connectionId: w.connection.id,
            after: cursor,
          })
        ).changes,
      ).toEqual([]);
    });

    caseIt(
      CONNECTOR_CONTRACT_CASES[7],
      hasTokens && isOAuth,
      "the connector's credentials do not expire",
      async () => {
        const w = await world();
        await firstDriver.seed(w.fake, 5);
        w.fake.oauth!.expireAccessTokens();
        const refreshes = w.fake.oauth!.stats.byGrant.refresh_token ?? 0;
        const run = await sync(w, firstModel);
        expect(run.status).toBe("succeeded");
        expect((w.fake.oauth!.stats.byGrant.refresh_token ?? 0) - refreshes).toBe(1);
      },
    );

    caseIt(CONNECTOR_CONTRACT_CASES[8], true, "", async () => {
      const w = await world();
      await firstDriver.seed(w.fake, 5);
      w.fake.rateLimitNext(1);
      const run = await sync(w, firstModel);
      expect(run.status).toBe("succeeded");
      expect(run.inserted).toBe((await firstDriver.snapshot(w.fake)).size);
    });

    caseIt(
      CONNECTOR_CONTRACT_CASES[9],
      isOAuth,
      "only OAuth grants can be revoked into invalid_grant",
      async () => {
        const w = await world();
        await firstDriver.seed(w.fake, 3);
        w.fake.oauth!.revokeGrant(await subjectOf(w));
        w.fake.oauth!.expireAccessTokens();
        const run = await sync(w, firstModel);
        expect(run.status).toBe("failed");
        expect((await w.patchbay.connections.get(TENANT, w.connection.id)).status).toBe(
          "needs_reauth",
        );
        const next = await w.patchbay.sync.run({
          tenantId: TENANT,
          connectionId: w.connection.id,
          model: firstModel,
        });
        expect(next).toEqual({ status: "skipped", reason: "connection_inactive" });
        await expect(
          w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id }),
        ).rejects.toMatchObject({ code: ErrorCode.AUTH_NEEDS_REAUTH });
      },
    );

    caseIt(
      CONNECTOR_CONTRACT_CASES[10],
      definition.webhooks !== undefined,
      "the provider sends no webhooks",
      async () => {
        const w = await world();
        await firstDriver.seed(w.fake, 3);
        await sync(w, firstModel);
        if (w.fake.webhook === undefined)
          throw new TypeError(`${name}: a connector with webhooks needs fake.webhook()`);
        const runs = (await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).length;
        const response = await w.patchbay.handleWebhook(
          definition.id,
          await w.fake.webhook(w.connection, { forged: true }),
        );
        expect([401, 403, 404]).toContain(response.status);
        expect((await w.patchbay.sync.runs(TENANT, { connectionId: w.connection.id })).length).toBe(
          runs,
        );
      },
    );
  });

  /** The fake OAuth subject of the current connection: the access token's subject. */
  async function subjectOf(w: World<F>): Promise<string> {
    const token = await w.patchbay.tokens.getAccessToken({ tenantId: TENANT, id: w.connection.id });
    const check = w.fake.oauth!.verifyAccessToken(token);
    if (!check.valid)
      throw new Error(
        `${name}: the connection's access token is not valid at the fake (${check.reason})`,
      );
    return check.subject;
  }
}
