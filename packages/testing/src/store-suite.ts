import {
  type AuditEntry,
  ErrorCode,
  type ExportDefinition,
  type ExportRun,
  type Json,
  type NewConnection,
  type OAuthSession,
  type RecordBatch,
  type RecordUpsert,
  type Store,
  type StoredConnection,
  type StoredRecord,
  type SyncRun,
  type SyncState,
} from "@patchbay/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** What each conformance case gets: the store under test and fresh ids. */
interface CaseContext {
  readonly store: Store;
  /** A tenant id no other case, and no other run of the suite, uses. */
  tenant(): string;
  /** A fresh id: `prefix` followed by random lowercase hex. */
  id(prefix: string): string;
  /** Let at least `ms` milliseconds pass on the store's clock. */
  advanceTime(ms: number): Promise<void>;
}

type StoreCase = (ctx: CaseContext) => Promise<void>;

// ── fixtures ──────────────────────────────────────────────────────────────

function randomHex(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

function connectionInput(tenantId: string, id: string, extra: Partial<NewConnection> = {}) {
  return {
    id,
    tenantId,
    connector: "acme",
    status: "active",
    credentials: Uint8Array.from([1, 2, 3]),
    ...extra,
  } satisfies NewConnection;
}

/**
 * A connection whose "contacts" hold a, b, d, e live and c deleted (each
 * record's data `{ x }`, so its hash is that JSON) and whose "deals" hold z.
 */
async function seedHashedRecords(ctx: CaseContext): Promise<{ tenantId: string; id: string }> {
  const tenantId = ctx.tenant();
  const { id } = await addConnection(ctx, tenantId);
  await ctx.store.applyRecordBatch(
    tenantId,
    batch(
      id,
      ["d", "b", "e", "a", "c"].map((x) => upsert(x, { x })),
      { deletes: ["c"] },
    ),
  );
  await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("z", 1)], { model: "deals" }));
  return { tenantId, id };
}

function addConnection(
  ctx: CaseContext,
  tenantId: string,
  extra: Partial<NewConnection> = {},
): Promise<StoredConnection> {
  return ctx.store.createConnection(connectionInput(tenantId, ctx.id("c_"), extra));
}

function oauthSession(
  tenantId: string,
  state: string,
  extra: Partial<OAuthSession> = {},
): OAuthSession {
  const createdAt = new Date();
  return {
    state,
    tenantId,
    connector: "acme",
    sealedVerifier: Uint8Array.from([0, 1, 2, 127, 128, 254, 255]),
    redirectUri: "https://app.example/patchbay/callback",
    scopes: ["contacts.read", "deals.write"],
    data: { returnTo: "/settings/integrations", attempt: 1, flags: [true, null] },
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 10 * 60_000),
    ...extra,
  };
}

function syncState(
  tenantId: string,
  connectionId: string,
  model: string,
  extra: Partial<SyncState> = {},
): SyncState {
  return {
    tenantId,
    connectionId,
    model,
    cursor: null,
    checkpoint: null,
    activeRunId: null,
    schedule: null,
    nextRunAt: null,
    lastRunAt: null,
    lastSuccessAt: null,
    lastStatus: null,
    lastError: null,
    consecutiveFailures: 0,
    runsSinceFull: 0,
    updatedAt: new Date(),
    ...extra,
  };
}

function syncRun(
  tenantId: string,
  connectionId: string,
  id: string,
  extra: Partial<SyncRun> = {},
): SyncRun {
  return {
    id,
    tenantId,
    connectionId,
    model: "contacts",
    trigger: "manual",
    mode: "full",
    status: "running",
    startedAt: new Date(),
    finishedAt: null,
    fetched: 0,
    inserted: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    failed: 0,
    error: null,
    details: {},
    ...extra,
  };
}

function auditEntry(
  tenantId: string,
  id: string,
  at: Date,
  extra: Partial<AuditEntry> = {},
): AuditEntry {
  return {
    id,
    tenantId,
    at,
    actor: "user_1",
    action: "sync.trigger",
    connectionId: null,
    connector: null,
    details: {},
    ...extra,
  };
}

function exportDefinition(
  tenantId: string,
  id: string,
  connectionId: string,
  extra: Partial<ExportDefinition> = {},
): ExportDefinition {
  const createdAt = new Date();
  return {
    id,
    tenantId,
    name: "Weekly promo report",
    source: { kind: "source", id: "campaign-contacts" },
    params: { campaignId: "cmp_1", stations: ["KEXP", "WFMU"] },
    template: "promo",
    columns: [
      { key: "artist", header: "Artist" },
      { key: "plays", type: "number" },
    ],
    format: "xlsx",
    bom: false,
    schedule: { kind: "cron", expression: "0 8 * * 1", timezone: "Europe/London" },
    destination: { connectionId, folderId: "folder_1" },
    mode: "replace",
    filename: "{title} {date}",
    nextRunAt: null,
    lastRunAt: null,
    lastSuccessAt: null,
    lastStatus: null,
    lastError: null,
    consecutiveFailures: 0,
    fileId: null,
    fileUrl: null,
    claimedBy: null,
    claimedUntil: null,
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

function exportRun(
  tenantId: string,
  exportId: string,
  id: string,
  extra: Partial<ExportRun> = {},
): ExportRun {
  return {
    id,
    tenantId,
    exportId,
    trigger: "schedule",
    status: "running",
    startedAt: new Date(),
    finishedAt: null,
    rows: 0,
    bytes: 0,
    fileId: null,
    fileName: null,
    fileUrl: null,
    error: null,
    details: { format: "xlsx" },
    ...extra,
  };
}

/** A random instant in the 1970s, so due exports of other runs sharing a database are rare. */
function seventies(): number {
  return Date.UTC(1970, 1, 1) + Math.floor(Math.random() * 3_000_000) * 100_000;
}

/** An upsert whose hash is derived from its data, as the sync engine does. */
function upsert(externalId: string, data: Json, extra: Partial<RecordUpsert> = {}): RecordUpsert {
  return { externalId, hash: JSON.stringify(data), data, ...extra };
}

function batch(
  connectionId: string,
  upserts: RecordUpsert[],
  extra: Partial<RecordBatch> = {},
): RecordBatch {
  return {
    connectionId,
    model: "contacts",
    runId: "run_1",
    upserts,
    deletes: [],
    now: new Date(),
    ...extra,
  };
}

/**
 * Normalise a value for comparison: Dates become ISO strings and byte arrays
 * plain number arrays, so drivers returning `Buffer` or fresh `Date`s compare equal.
 */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

function bytes(value: Uint8Array | null | undefined): number[] | null {
  if (value === undefined) throw new Error("expected bytes, got undefined");
  return value === null ? null : Array.from(value);
}

async function mustGetConnection(
  store: Store,
  tenantId: string,
  id: string,
): Promise<StoredConnection> {
  const connection = await store.getConnection(tenantId, id);
  if (!connection) throw new Error(`expected connection ${id} to exist`);
  return connection;
}

async function mustGetRecord(
  store: Store,
  tenantId: string,
  connectionId: string,
  externalId: string,
  model = "contacts",
): Promise<StoredRecord> {
  const record = await store.getRecord(tenantId, connectionId, model, externalId);
  if (!record) throw new Error(`expected record ${model}/${externalId} to exist`);
  return record;
}

/** Page through the whole change feed from `after`, `limit` at a time. */
async function allChanges(
  store: Store,
  tenantId: string,
  connectionId: string,
  options: { after?: number; limit?: number; model?: string } = {},
): Promise<StoredRecord[]> {
  const limit = options.limit ?? 100;
  let after = options.after ?? 0;
  const out: StoredRecord[] = [];
  for (;;) {
    const page = await store.listChanges(tenantId, {
      connectionId,
      after,
      limit,
      ...(options.model === undefined ? {} : { model: options.model }),
    });
    out.push(...page);
    if (page.length < limit) return out;
    after = page[page.length - 1]!.seq;
  }
}

function expectStrictlyIncreasing(values: number[]): void {
  for (let i = 1; i < values.length; i++) {
    expect(values[i]!, `value ${i} of ${values.join(", ")}`).toBeGreaterThan(values[i - 1]!);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

// ── the cases ─────────────────────────────────────────────────────────────

const CASES = {
  // connections
  "createConnection returns the connection with version 1, defaults and timestamps": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const id = ctx.id("c_");
    const created = await ctx.store.createConnection({
      id,
      tenantId,
      connector: "acme",
      status: "pending",
      credentials: Uint8Array.from([9, 8, 7]),
    });
    expect(plain(created)).toMatchObject({
      id,
      tenantId,
      connector: "acme",
      status: "pending",
      statusReason: null,
      config: {},
      metadata: {},
      credentialsVersion: 1,
      credentials: [9, 8, 7],
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.updatedAt).toBeInstanceOf(Date);
    expect(created.updatedAt.getTime()).toBeGreaterThanOrEqual(created.createdAt.getTime());
  },

  "getConnection returns every field, and credential bytes exactly as written": async (ctx) => {
    const tenantId = ctx.tenant();
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const created = await addConnection(ctx, tenantId, {
      status: "error",
      statusReason: "provider said 503",
      config: { sheet: { id: "1AbC", ranges: ["A1:B2", "C3"] }, ratio: 1.5, on: true, none: null },
      metadata: { accountId: "acct_9", region: "eu" },
      credentials: everyByte,
    });
    const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
    expect(plain(fetched)).toEqual(plain(created));
    expect(fetched.credentials).toBeInstanceOf(Uint8Array);
    expect(bytes(fetched.credentials)).toEqual(Array.from(everyByte));

    const withoutCredentials = await addConnection(ctx, tenantId, { credentials: null });
    const fetchedWithout = await mustGetConnection(ctx.store, tenantId, withoutCredentials.id);
    expect(fetchedWithout.credentials).toBeNull();
    expect(await ctx.store.getConnection(tenantId, ctx.id("c_missing_"))).toBeNull();
  },

  "createConnection rejects a duplicate id with a StorageError and keeps the original": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const original = await addConnection(ctx, tenantId, { connector: "first" });
    const error = await rejection(
      ctx.store.createConnection(connectionInput(tenantId, original.id, { connector: "second" })),
    );
    expect(error).toMatchObject({ code: ErrorCode.STORAGE });
    const fetched = await mustGetConnection(ctx.store, tenantId, original.id);
    expect(fetched.connector).toBe("first");
  },

  "listConnections returns the tenant's connections oldest first, filtered by connector and status":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const a = await addConnection(ctx, tenantId, { connector: "acme", status: "active" });
      const b = await addConnection(ctx, tenantId, { connector: "globex", status: "active" });
      const c = await addConnection(ctx, tenantId, { connector: "acme", status: "error" });
      const ids = async (filter?: Parameters<Store["listConnections"]>[1]) =>
        (await ctx.store.listConnections(tenantId, filter)).map((x) => x.id).sort();

      const all = await ctx.store.listConnections(tenantId);
      expect(all.map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
      const times = all.map((x) => x.createdAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));

      expect(await ids({ connector: "acme" })).toEqual([a.id, c.id].sort());
      expect(await ids({ status: ["error"] })).toEqual([c.id]);
      expect(await ids({ status: ["active", "error"] })).toEqual([a.id, b.id, c.id].sort());
      expect(await ids({ connector: "acme", status: ["active"] })).toEqual([a.id]);
      expect(await ids({ connector: "initech" })).toEqual([]);
    },

  "updateConnection applies the patch and leaves other fields alone": async (ctx) => {
    const tenantId = ctx.tenant();
    const created = await addConnection(ctx, tenantId, {
      config: { sheet: "A" },
      metadata: { accountId: "acct_1" },
    });
    const updated = await ctx.store.updateConnection(tenantId, created.id, {
      status: "error",
      statusReason: "rate limited",
      config: { sheet: "B", extra: [1, 2] },
    });
    expect(plain(updated)).toMatchObject({
      id: created.id,
      tenantId,
      connector: "acme",
      status: "error",
      statusReason: "rate limited",
      config: { sheet: "B", extra: [1, 2] },
      metadata: { accountId: "acct_1" },
      credentialsVersion: 1,
      credentials: [1, 2, 3],
      createdAt: created.createdAt.toISOString(),
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(plain(await ctx.store.getConnection(tenantId, created.id))).toEqual(plain(updated));

    const cleared = await ctx.store.updateConnection(tenantId, created.id, { statusReason: null });
    expect(cleared.statusReason).toBeNull();
    expect(cleared.status).toBe("error");
    expect(cleared.config).toEqual({ sheet: "B", extra: [1, 2] });
  },

  "updateConnection throws NotFoundError for a connection that does not exist": async (ctx) => {
    const tenantId = ctx.tenant();
    const error = await rejection(
      ctx.store.updateConnection(tenantId, ctx.id("c_missing_"), { status: "active" }),
    );
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND });
  },

  "deleteConnection removes the connection and returns false the second time": async (ctx) => {
    const tenantId = ctx.tenant();
    const kept = await addConnection(ctx, tenantId);
    const removed = await addConnection(ctx, tenantId);
    expect(await ctx.store.deleteConnection(tenantId, removed.id)).toBe(true);
    expect(await ctx.store.getConnection(tenantId, removed.id)).toBeNull();
    expect((await ctx.store.listConnections(tenantId)).map((c) => c.id)).toEqual([kept.id]);
    expect(await ctx.store.deleteConnection(tenantId, removed.id)).toBe(false);
    expect(await ctx.store.getConnection(tenantId, kept.id)).not.toBeNull();
  },

  "scanConnections pages across tenants in id order": async (ctx) => {
    // Lowercase letters and digits only, so any collation orders them like the suite does.
    const prefix = `s${randomHex()}`;
    const ids = [0, 1, 2, 3, 4].map((i) => `${prefix}n${i}`);
    const tenants = [ctx.tenant(), ctx.tenant()];
    for (const i of [3, 0, 4, 1, 2]) {
      await ctx.store.createConnection(connectionInput(tenants[i % 2]!, ids[i]!));
    }
    const seen: StoredConnection[] = [];
    let after = prefix;
    for (let pages = 0; pages < 10; pages++) {
      const page = await ctx.store.scanConnections({ after, limit: 2 });
      expect(page.length).toBeLessThanOrEqual(2);
      const ours = page.filter((c) => c.id.startsWith(prefix));
      seen.push(...ours);
      if (page.length < 2 || ours.length < page.length) break;
      after = page[page.length - 1]!.id;
    }
    expect(seen.map((c) => c.id)).toEqual(ids);
    expect(seen.map((c) => c.tenantId)).toEqual(ids.map((_, i) => tenants[i % 2]));
    const first = await ctx.store.scanConnections({ after: prefix, limit: 1 });
    expect(first.map((c) => c.id)).toEqual([ids[0]]);
  },

  "returned connections are copies: changing them or the input does not change the store": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const config = { nested: { value: 1 }, list: [1, 2] };
    const credentials = Uint8Array.from([1, 2, 3]);
    const created = await ctx.store.createConnection(
      connectionInput(tenantId, ctx.id("c_"), { config, credentials }),
    );
    config.nested.value = 99;
    config.list.push(3);
    credentials[0] = 99;
    created.status = "disconnected";
    created.config.added = true;
    created.credentials![1] = 99;
    created.createdAt.setTime(0);

    const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
    expect(fetched.status).toBe("active");
    expect(fetched.config).toEqual({ nested: { value: 1 }, list: [1, 2] });
    expect(bytes(fetched.credentials)).toEqual([1, 2, 3]);
    expect(fetched.createdAt.getTime()).not.toBe(0);

    (fetched.config.nested as { value: number }).value = 5;
    fetched.credentials![2] = 5;
    const [listed] = await ctx.store.listConnections(tenantId);
    listed!.metadata.added = "x";
    const again = await mustGetConnection(ctx.store, tenantId, created.id);
    expect(again.config).toEqual({ nested: { value: 1 }, list: [1, 2] });
    expect(again.metadata).toEqual({});
    expect(bytes(again.credentials)).toEqual([1, 2, 3]);
  },

  // credentials
  "swapCredentials replaces the credentials and bumps the version when the expected version matches":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const created = await addConnection(ctx, tenantId);
      const swapped = await ctx.store.swapCredentials(
        tenantId,
        created.id,
        1,
        Uint8Array.from([4, 5]),
      );
      expect(swapped?.credentialsVersion).toBe(2);
      expect(bytes(swapped?.credentials)).toEqual([4, 5]);
      const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
      expect(fetched.credentialsVersion).toBe(2);
      expect(bytes(fetched.credentials)).toEqual([4, 5]);

      const destroyed = await ctx.store.swapCredentials(tenantId, created.id, 2, null);
      expect(destroyed?.credentialsVersion).toBe(3);
      expect(destroyed?.credentials).toBeNull();
      expect((await mustGetConnection(ctx.store, tenantId, created.id)).credentials).toBeNull();
    },

  "swapCredentials returns null and changes nothing for a stale version or a missing connection":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const created = await addConnection(ctx, tenantId);
      await ctx.store.swapCredentials(tenantId, created.id, 1, Uint8Array.from([4]));
      expect(
        await ctx.store.swapCredentials(tenantId, created.id, 1, Uint8Array.from([6])),
      ).toBeNull();
      const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
      expect(fetched.credentialsVersion).toBe(2);
      expect(bytes(fetched.credentials)).toEqual([4]);
      expect(
        await ctx.store.swapCredentials(tenantId, ctx.id("c_missing_"), 1, Uint8Array.from([6])),
      ).toBeNull();
    },

  "concurrent swapCredentials calls with the same expected version let exactly one win": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const created = await addConnection(ctx, tenantId);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ctx.store.swapCredentials(tenantId, created.id, 1, Uint8Array.from([100 + i])),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
    expect(fetched.credentialsVersion).toBe(2);
    expect(bytes(fetched.credentials)).toEqual(bytes(winners[0]!.credentials));
  },

  // OAuth sessions
  "takeOAuthSession returns the stored session with every field": async (ctx) => {
    const tenantId = ctx.tenant();
    const session = oauthSession(tenantId, ctx.id("state_"));
    await ctx.store.createOAuthSession(session);
    const taken = await ctx.store.takeOAuthSession(tenantId, session.state);
    expect(plain(taken)).toEqual(plain(session));
    expect(taken?.sealedVerifier).toBeInstanceOf(Uint8Array);
  },

  "a second takeOAuthSession for the same state returns null": async (ctx) => {
    const tenantId = ctx.tenant();
    const session = oauthSession(tenantId, ctx.id("state_"));
    await ctx.store.createOAuthSession(session);
    expect(await ctx.store.takeOAuthSession(tenantId, session.state)).not.toBeNull();
    expect(await ctx.store.takeOAuthSession(tenantId, session.state)).toBeNull();
    expect(await ctx.store.takeOAuthSession(tenantId, ctx.id("state_unknown_"))).toBeNull();
  },

  "concurrent takeOAuthSession calls for one state give the session to exactly one caller": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const session = oauthSession(tenantId, ctx.id("state_"));
    await ctx.store.createOAuthSession(session);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ctx.store.takeOAuthSession(tenantId, session.state)),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  },

  "deleteExpiredOAuthSessions removes sessions that expired before now and keeps the others":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const now = Date.now();
      const expired = [1, 2].map((i) =>
        oauthSession(tenantId, ctx.id("state_old_"), {
          createdAt: new Date(now - 20 * 60_000),
          expiresAt: new Date(now - i * 60_000),
        }),
      );
      const live = oauthSession(tenantId, ctx.id("state_live_"), {
        expiresAt: new Date(now + 60 * 60_000),
      });
      for (const session of [...expired, live]) await ctx.store.createOAuthSession(session);
      // Other tenants' expired sessions in a shared database count too: at least ours.
      expect(await ctx.store.deleteExpiredOAuthSessions(new Date(now))).toBeGreaterThanOrEqual(2);
      for (const session of expired) {
        expect(await ctx.store.takeOAuthSession(tenantId, session.state)).toBeNull();
      }
      expect(await ctx.store.takeOAuthSession(tenantId, live.state)).not.toBeNull();
    },

  // sync state
  "putSyncState stores a state that getSyncState returns, and getSyncState is null when absent":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const connection = await addConnection(ctx, tenantId);
      expect(await ctx.store.getSyncState(tenantId, connection.id, "contacts")).toBeNull();
      const state = syncState(tenantId, connection.id, "contacts", {
        cursor: { updatedSince: "2024-01-01T00:00:00Z", page: 3 },
        checkpoint: ["a", 1],
        activeRunId: "run_7",
        schedule: { kind: "daily", hour: 3, minute: 30 },
        nextRunAt: new Date(Date.now() + 3_600_000),
        lastRunAt: new Date(Date.now() - 60_000),
        lastSuccessAt: new Date(Date.now() - 120_000),
        lastStatus: "failed",
        lastError: "provider said 500",
        consecutiveFailures: 2,
        runsSinceFull: 5,
      });
      await ctx.store.putSyncState(state);
      const fetched = await ctx.store.getSyncState(tenantId, connection.id, "contacts");
      expect(plain(fetched)).toEqual(plain(state));
      expect(await ctx.store.getSyncState(tenantId, connection.id, "deals")).toBeNull();
    },

  "putSyncState replaces the state of the same connection and model": async (ctx) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);
    await ctx.store.putSyncState(
      syncState(tenantId, connection.id, "contacts", {
        cursor: "old",
        schedule: { kind: "hourly" },
        consecutiveFailures: 3,
      }),
    );
    const replacement = syncState(tenantId, connection.id, "contacts", {
      cursor: "new",
      schedule: { kind: "every", minutes: 15 },
    });
    await ctx.store.putSyncState(replacement);
    const fetched = await ctx.store.getSyncState(tenantId, connection.id, "contacts");
    expect(plain(fetched)).toEqual(plain(replacement));
    expect(await ctx.store.listSyncStates(tenantId, connection.id)).toHaveLength(1);
  },

  "listSyncStates returns the state of every model of the connection and no other": async (ctx) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);
    const other = await addConnection(ctx, tenantId);
    for (const model of ["deals", "contacts", "notes"]) {
      await ctx.store.putSyncState(syncState(tenantId, connection.id, model, { cursor: model }));
    }
    await ctx.store.putSyncState(syncState(tenantId, other.id, "contacts"));
    const states = await ctx.store.listSyncStates(tenantId, connection.id);
    expect(states.map((s) => [s.model, s.cursor]).sort()).toEqual([
      ["contacts", "contacts"],
      ["deals", "deals"],
      ["notes", "notes"],
    ]);
    expect(await ctx.store.listSyncStates(tenantId, ctx.id("c_missing_"))).toEqual([]);
  },

  "listDueSyncStates returns due states of every tenant soonest first, within the limit": async (
    ctx,
  ) => {
    // A random instant in the 1980s, so due states of other runs sharing a database are rare.
    const at = Date.UTC(1980, 0, 1) + Math.floor(Math.random() * 3_000_000) * 100_000;
    const minute = 60_000;
    const [tenantA, tenantB] = [ctx.tenant(), ctx.tenant()];
    const a = await addConnection(ctx, tenantA);
    const b = await addConnection(ctx, tenantB);
    const put = (tenantId: string, connectionId: string, model: string, next: number | null) =>
      ctx.store.putSyncState(
        syncState(tenantId, connectionId, model, {
          nextRunAt: next === null ? null : new Date(at + next),
          schedule: next === null ? null : { kind: "hourly" },
        }),
      );
    await put(tenantA, a.id, "second", -2 * minute);
    await put(tenantA, a.id, "now", 0);
    await put(tenantA, a.id, "first", -3 * minute);
    await put(tenantA, a.id, "later", minute);
    await put(tenantA, a.id, "unscheduled", null);
    await put(tenantB, b.id, "between", -1.5 * minute);

    const due = await ctx.store.listDueSyncStates(new Date(at), 1000);
    const times = due.map((s) => s.nextRunAt?.getTime() ?? Number.NaN);
    expect(times.every((t) => t <= at)).toBe(true);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const ours = due.filter((s) => s.tenantId === tenantA || s.tenantId === tenantB);
    expect(ours.map((s) => `${s.tenantId === tenantA ? "A" : "B"}:${s.model}`)).toEqual([
      "A:first",
      "A:second",
      "B:between",
      "A:now",
    ]);

    const limited = await ctx.store.listDueSyncStates(new Date(at), 2);
    expect(limited.map((s) => s.nextRunAt?.getTime())).toEqual(times.slice(0, 2));
  },

  "returned sync states, OAuth sessions and sync runs are copies": async (ctx) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);

    const cursor = { page: 1, seen: ["a"] };
    const state = syncState(tenantId, connection.id, "contacts", {
      cursor,
      schedule: { kind: "every", minutes: 5 },
    });
    await ctx.store.putSyncState(state);
    cursor.seen.push("b");
    state.consecutiveFailures = 9;
    const fetchedState = (await ctx.store.getSyncState(tenantId, connection.id, "contacts"))!;
    (fetchedState.cursor as { page: number }).page = 2;
    fetchedState.schedule = { kind: "manual" };
    fetchedState.updatedAt.setTime(0);
    const [listedState] = await ctx.store.listSyncStates(tenantId, connection.id);
    (listedState!.cursor as { seen: string[] }).seen.push("c");
    const stateAgain = await ctx.store.getSyncState(tenantId, connection.id, "contacts");
    expect(stateAgain?.cursor).toEqual({ page: 1, seen: ["a"] });
    expect(stateAgain?.schedule).toEqual({ kind: "every", minutes: 5 });
    expect(stateAgain?.consecutiveFailures).toBe(0);
    expect(stateAgain?.updatedAt.getTime()).not.toBe(0);

    const session = oauthSession(tenantId, ctx.id("state_"));
    const verifier = session.sealedVerifier;
    await ctx.store.createOAuthSession(session);
    verifier[0] = 42;
    session.scopes.push("admin");
    session.data.returnTo = "/elsewhere";
    const taken = await ctx.store.takeOAuthSession(tenantId, session.state);
    expect(bytes(taken?.sealedVerifier)).toEqual([0, 1, 2, 127, 128, 254, 255]);
    expect(taken?.scopes).toEqual(["contacts.read", "deals.write"]);
    expect(taken?.data.returnTo).toBe("/settings/integrations");

    const details = { warnings: ["slow"] };
    const run = syncRun(tenantId, connection.id, ctx.id("run_"), { details });
    await ctx.store.createSyncRun(run);
    details.warnings.push("mutated");
    run.status = "failed";
    const fetchedRun = (await ctx.store.getSyncRun(tenantId, run.id))!;
    (fetchedRun.details.warnings as string[]).push("again");
    fetchedRun.startedAt.setTime(0);
    const [listedRun] = await ctx.store.listSyncRuns(tenantId, { limit: 10 });
    listedRun!.inserted = 1000;
    const runAgain = await ctx.store.getSyncRun(tenantId, run.id);
    expect(runAgain?.details).toEqual({ warnings: ["slow"] });
    expect(runAgain?.status).toBe("running");
    expect(runAgain?.inserted).toBe(0);
    expect(runAgain?.startedAt.getTime()).not.toBe(0);
  },

  // records
  "applyRecordBatch counts inserted, updated, unchanged and deleted records": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", { n: 1 }), upsert("b", { n: 1 }), upsert("c", { n: 1 })]),
      ),
    ).toEqual({ inserted: 3, updated: 0, unchanged: 0, deleted: 0 });
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", { n: 1 }), upsert("b", { n: 2 }), upsert("d", { n: 1 })], {
          deletes: ["c"],
        }),
      ),
    ).toEqual({ inserted: 1, updated: 1, unchanged: 1, deleted: 1 });
    const b = await mustGetRecord(ctx.store, tenantId, id, "b");
    expect(plain(b)).toMatchObject({
      tenantId,
      connectionId: id,
      model: "contacts",
      externalId: "b",
      hash: JSON.stringify({ n: 2 }),
      data: { n: 2 },
      deletedAt: null,
      internalId: null,
      seenRunId: "run_1",
      providerUpdatedAt: null,
    });
    expect((await mustGetRecord(ctx.store, tenantId, id, "c")).deletedAt).not.toBeNull();
  },

  "every change gives the record a seq higher than any seq before it": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", 1), upsert("b", 1), upsert("c", 1)]),
    );
    const first = await Promise.all(
      ["a", "b", "c"].map((x) => mustGetRecord(ctx.store, tenantId, id, x)),
    );
    for (const record of first) {
      expect(record.seq).toBeGreaterThan(0);
      expect(record.createdSeq).toBe(record.seq);
    }
    expect(new Set(first.map((r) => r.seq)).size).toBe(3);
    const highest = Math.max(...first.map((r) => r.seq));

    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("b", 2), upsert("d", 1)], { deletes: ["c"] }),
    );
    const [b, c, d] = await Promise.all(
      ["b", "c", "d"].map((x) => mustGetRecord(ctx.store, tenantId, id, x)),
    );
    for (const record of [b!, c!, d!]) expect(record.seq).toBeGreaterThan(highest);
    expect(b!.createdSeq).toBe(first[1]!.seq);
    expect(new Set([b!.seq, c!.seq, d!.seq]).size).toBe(3);

    // The counter is store-wide: another tenant's later write gets a higher seq still.
    const otherTenant = ctx.tenant();
    const other = await addConnection(ctx, otherTenant);
    await ctx.store.applyRecordBatch(otherTenant, batch(other.id, [upsert("z", 1)]));
    const z = await mustGetRecord(ctx.store, otherTenant, other.id, "z");
    expect(z.seq).toBeGreaterThan(Math.max(b!.seq, c!.seq, d!.seq));
  },

  "re-applying an unchanged record only marks it seen by the run and keeps its seq": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", { v: 1 })]));
    const before = await mustGetRecord(ctx.store, tenantId, id, "a");
    const result = await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", { v: 1 })], { runId: "run_2" }),
    );
    expect(result).toEqual({ inserted: 0, updated: 0, unchanged: 1, deleted: 0 });
    const after = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(after.seenRunId).toBe("run_2");
    expect(after.seq).toBe(before.seq);
    expect(after.createdSeq).toBe(before.createdSeq);
    expect(after.data).toEqual({ v: 1 });
    expect(
      await ctx.store.listChanges(tenantId, { connectionId: id, after: before.seq, limit: 10 }),
    ).toEqual([]);
  },

  "duplicate external ids in one batch count once and the last one wins": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", { v: 1 }), upsert("b", { v: 1 }), upsert("a", { v: 2 })]),
      ),
    ).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    expect((await mustGetRecord(ctx.store, tenantId, id, "a")).data).toEqual({ v: 2 });
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", { v: 3 }), upsert("a", { v: 4 })]),
      ),
    ).toEqual({ inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
    const a = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(a.data).toEqual({ v: 4 });
    expect(a.hash).toBe(JSON.stringify({ v: 4 }));
    const changes = await allChanges(ctx.store, tenantId, id);
    expect(changes.map((r) => r.externalId).sort()).toEqual(["a", "b"]);
  },

  "a silent batch updates records without adding them to the change feed": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 1), upsert("b", 1)]));
    const feedBefore = await allChanges(ctx.store, tenantId, id);
    const cursor = Math.max(...feedBefore.map((r) => r.seq));
    const aBefore = await mustGetRecord(ctx.store, tenantId, id, "a");

    const result = await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", 2), upsert("c", 1)], { silent: true, runId: "run_host" }),
    );
    expect(result).toEqual({ inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
    const a = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(a.data).toBe(2);
    expect(a.hash).toBe(JSON.stringify(2));
    expect(a.seenRunId).toBe("run_host");
    expect(a.seq).toBe(aBefore.seq);
    expect((await mustGetRecord(ctx.store, tenantId, id, "c")).data).toBe(1);
    expect(
      await ctx.store.listChanges(tenantId, { connectionId: id, after: cursor, limit: 10 }),
    ).toEqual([]);
    // Nor from the start of the feed: the silently inserted record is not in it.
    const feed = await allChanges(ctx.store, tenantId, id);
    expect(feed.map((r) => r.externalId).sort()).toEqual(["a", "b"]);

    // A later provider change to the same record is in the feed again.
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 3)]));
    const next = await ctx.store.listChanges(tenantId, {
      connectionId: id,
      after: cursor,
      limit: 10,
    });
    expect(next.map((r) => [r.externalId, r.data])).toEqual([["a", 3]]);
  },

  "applyRecordBatch saves the checkpoint with the batch, creating the sync state if missing":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const { id } = await addConnection(ctx, tenantId);
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", 1)], {
          checkpoint: { cursor: { since: "t1" }, checkpoint: { page: 2 }, activeRunId: "run_1" },
        }),
      );
      expect(plain(await ctx.store.getSyncState(tenantId, id, "contacts"))).toMatchObject({
        tenantId,
        connectionId: id,
        model: "contacts",
        cursor: { since: "t1" },
        checkpoint: { page: 2 },
        activeRunId: "run_1",
        schedule: null,
        nextRunAt: null,
        lastRunAt: null,
        lastSuccessAt: null,
        lastStatus: null,
        lastError: null,
        consecutiveFailures: 0,
        runsSinceFull: 0,
      });

      const nextRunAt = new Date(Date.now() + 3_600_000);
      await ctx.store.putSyncState(
        syncState(tenantId, id, "deals", {
          cursor: "kept",
          schedule: { kind: "hourly" },
          nextRunAt,
          runsSinceFull: 4,
        }),
      );
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [], { model: "deals", checkpoint: { checkpoint: "page-9", activeRunId: null } }),
      );
      expect(plain(await ctx.store.getSyncState(tenantId, id, "deals"))).toMatchObject({
        cursor: "kept",
        checkpoint: "page-9",
        activeRunId: null,
        schedule: { kind: "hourly" },
        nextRunAt: nextRunAt.toISOString(),
        runsSinceFull: 4,
      });
    },

  "a tombstone marks the record deleted once and unknown ids are ignored": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 1), upsert("b", 1)]));
    const now = new Date(Date.UTC(2024, 4, 1, 12));
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [], { deletes: ["a", "unknown", "a"], now }),
      ),
    ).toEqual({ inserted: 0, updated: 0, unchanged: 0, deleted: 1 });
    const a = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(a.deletedAt?.getTime()).toBe(now.getTime());
    expect(a.data).toBe(1);
    expect(await ctx.store.getRecord(tenantId, id, "contacts", "unknown")).toBeNull();
    expect((await mustGetRecord(ctx.store, tenantId, id, "b")).deletedAt).toBeNull();

    expect(await ctx.store.applyRecordBatch(tenantId, batch(id, [], { deletes: ["a"] }))).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
    });
    const again = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(again.seq).toBe(a.seq);
    expect(again.deletedAt?.getTime()).toBe(now.getTime());
    const feed = await allChanges(ctx.store, tenantId, id);
    expect(feed.find((r) => r.externalId === "a")?.deletedAt?.getTime()).toBe(now.getTime());
  },

  "a deleted record that comes back counts as inserted and gets a new createdSeq": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", { v: 1 })]));
    await ctx.store.applyRecordBatch(tenantId, batch(id, [], { deletes: ["a"] }));
    const deleted = await mustGetRecord(ctx.store, tenantId, id, "a");
    // Same data as before the delete: it still comes back.
    expect(await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", { v: 1 })]))).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
      deleted: 0,
    });
    const back = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(back.deletedAt).toBeNull();
    expect(back.seq).toBeGreaterThan(deleted.seq);
    expect(back.createdSeq).toBe(back.seq);
  },

  "a batch that fails part-way changes nothing": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", { v: 1 }), upsert("gone", 1)], { checkpoint: { cursor: "c1" } }),
    );
    const before = await mustGetRecord(ctx.store, tenantId, id, "a");
    const feedBefore = await allChanges(ctx.store, tenantId, id);
    // A BigInt is not JSON: every store must reject the batch it sits in.
    const notJson = { big: BigInt(1) } as unknown as Json;
    await rejection(
      ctx.store.applyRecordBatch(
        tenantId,
        batch(
          id,
          [upsert("a", { v: 2 }), upsert("b", 1), { externalId: "c", hash: "h", data: notJson }],
          {
            deletes: ["gone"],
            checkpoint: { cursor: "c2" },
          },
        ),
      ),
    );
    const after = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(plain(after)).toEqual(plain(before));
    expect(await ctx.store.getRecord(tenantId, id, "contacts", "b")).toBeNull();
    expect(await ctx.store.getRecord(tenantId, id, "contacts", "c")).toBeNull();
    expect((await mustGetRecord(ctx.store, tenantId, id, "gone")).deletedAt).toBeNull();
    expect((await ctx.store.getSyncState(tenantId, id, "contacts"))?.cursor).toBe("c1");
    expect(plain(await allChanges(ctx.store, tenantId, id))).toEqual(plain(feedBefore));
  },

  "internal ids set in a batch or with setInternalId are found by getRecordByInternalId": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const find = (internalId: string) =>
      ctx.store.getRecordByInternalId(tenantId, id, "contacts", internalId);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", 1, { internalId: "host_1" }), upsert("b", 1)]),
    );
    expect((await find("host_1"))?.externalId).toBe("a");

    expect(await ctx.store.setInternalId(tenantId, id, "contacts", "b", "host_2")).toBe(true);
    expect((await find("host_2"))?.externalId).toBe("b");
    expect((await mustGetRecord(ctx.store, tenantId, id, "b")).internalId).toBe("host_2");

    // An upsert without internalId keeps it; one with a new internalId replaces it.
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("b", 2)]));
    expect((await mustGetRecord(ctx.store, tenantId, id, "b")).internalId).toBe("host_2");
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", 2, { internalId: "host_3" })]),
    );
    expect(await find("host_1")).toBeNull();
    expect((await find("host_3"))?.externalId).toBe("a");

    expect(await ctx.store.setInternalId(tenantId, id, "contacts", "b", null)).toBe(true);
    expect(await find("host_2")).toBeNull();
    expect((await mustGetRecord(ctx.store, tenantId, id, "b")).internalId).toBeNull();
    expect(await ctx.store.getRecordByInternalId(tenantId, id, "deals", "host_3")).toBeNull();
  },

  "setInternalId returns false for a record that does not exist": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 1)]));
    expect(await ctx.store.setInternalId(tenantId, id, "contacts", "missing", "host_1")).toBe(
      false,
    );
    expect(await ctx.store.setInternalId(tenantId, id, "deals", "a", "host_1")).toBe(false);
    expect(await ctx.store.getRecordByInternalId(tenantId, id, "contacts", "host_1")).toBeNull();
  },

  "listRecords pages in external-id order and includes deleted records only when asked": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(
        id,
        ["r04", "r02", "r05", "r01", "r03"].map((x) => upsert(x, x)),
      ),
    );
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("other", 1)], { model: "deals" }));
    await ctx.store.applyRecordBatch(tenantId, batch(id, [], { deletes: ["r03"] }));

    const page = async (afterExternalId: string | undefined, includeDeleted?: boolean) =>
      (
        await ctx.store.listRecords(tenantId, {
          connectionId: id,
          model: "contacts",
          limit: 2,
          ...(afterExternalId === undefined ? {} : { afterExternalId }),
          ...(includeDeleted === undefined ? {} : { includeDeleted }),
        })
      ).map((r) => r.externalId);

    expect(await page(undefined)).toEqual(["r01", "r02"]);
    expect(await page("r02")).toEqual(["r04", "r05"]);
    expect(await page("r05")).toEqual([]);
    expect(await page(undefined, true)).toEqual(["r01", "r02"]);
    expect(await page("r02", true)).toEqual(["r03", "r04"]);
    expect(await page("r04", true)).toEqual(["r05"]);
    const records = await ctx.store.listRecords(tenantId, {
      connectionId: id,
      model: "contacts",
      limit: 10,
    });
    expect(records.map((r) => [r.externalId, r.data])).toEqual([
      ["r01", "r01"],
      ["r02", "r02"],
      ["r04", "r04"],
      ["r05", "r05"],
    ]);
  },

  "listChanges pages by seq and yields each changed record exactly once, in its latest state":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const { id } = await addConnection(ctx, tenantId);
      const ids = ["a", "b", "c", "d", "e", "f", "g"];
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(
          id,
          ids.map((x) => upsert(x, 1)),
        ),
      );
      await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("b", 2), upsert("e", 2)]));
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("b", 3), upsert("h", 1)], { deletes: ["f"] }),
      );

      const seen: StoredRecord[] = [];
      let after = 0;
      for (let pages = 0; pages < 20; pages++) {
        const page = await ctx.store.listChanges(tenantId, { connectionId: id, after, limit: 3 });
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page);
        if (page.length < 3) break;
        after = page[page.length - 1]!.seq;
      }
      expect(seen.map((r) => r.externalId).sort()).toEqual([...ids, "h"].sort());
      expectStrictlyIncreasing(seen.map((r) => r.seq));
      const latest = new Map(seen.map((r) => [r.externalId, r]));
      expect(latest.get("b")?.data).toBe(3);
      expect(latest.get("e")?.data).toBe(2);
      expect(latest.get("a")?.data).toBe(1);
      expect(latest.get("f")?.deletedAt).not.toBeNull();
      // The records the last batch changed come last.
      expect(
        seen
          .slice(-3)
          .map((r) => r.externalId)
          .sort(),
      ).toEqual(["b", "f", "h"]);

      const cursor = seen[seen.length - 1]!.seq;
      await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 2), upsert("c", 1)]));
      const next = await ctx.store.listChanges(tenantId, {
        connectionId: id,
        after: cursor,
        limit: 3,
      });
      expect(next.map((r) => [r.externalId, r.data])).toEqual([["a", 2]]);
      expect(next[0]!.seq).toBeGreaterThan(cursor);
    },

  "listChanges returns only the given model when one is given": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const other = await addConnection(ctx, tenantId);
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("c1", 1)]));
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("d1", 1)], { model: "deals" }));
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("c2", 1)]));
    await ctx.store.applyRecordBatch(tenantId, batch(other.id, [upsert("x", 1)]));
    await ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("c1", 2)]));

    const contacts = await allChanges(ctx.store, tenantId, id, { model: "contacts", limit: 1 });
    expect(contacts.map((r) => r.externalId)).toEqual(["c2", "c1"]);
    expect(contacts.every((r) => r.model === "contacts")).toBe(true);
    const deals = await allChanges(ctx.store, tenantId, id, { model: "deals" });
    expect(deals.map((r) => r.externalId)).toEqual(["d1"]);
    const all = await allChanges(ctx.store, tenantId, id, { limit: 2 });
    expect(all.map((r) => `${r.model}/${r.externalId}`)).toEqual([
      "deals/d1",
      "contacts/c2",
      "contacts/c1",
    ]);
    expectStrictlyIncreasing(all.map((r) => r.seq));
    expect(await allChanges(ctx.store, tenantId, id, { model: "notes" })).toEqual([]);
  },

  "markUnseenDeleted deletes the live records the run did not see, limit at a time": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const all = ["a", "b", "c", "d", "e", "f", "g"];
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(
        id,
        all.map((x) => upsert(x, 1)),
        { runId: "run_1" },
      ),
    );
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("x", 1)], { runId: "run_1", model: "deals" }),
    );
    await ctx.store.applyRecordBatch(tenantId, batch(id, [], { deletes: ["g"] }));
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert("a", 1), upsert("b", 2)], { runId: "run_2" }),
    );
    const before = new Map(
      (await allChanges(ctx.store, tenantId, id)).map((r) => [r.externalId, r.seq]),
    );
    const highest = Math.max(...before.values());

    const now = new Date(Date.UTC(2024, 5, 1));
    const mark = () =>
      ctx.store.markUnseenDeleted(tenantId, {
        connectionId: id,
        model: "contacts",
        runId: "run_2",
        limit: 3,
        now,
      });
    // c, d, e, f were not seen by run_2; g was already deleted.
    expect(await mark()).toBe(3);
    expect(await mark()).toBe(1);
    expect(await mark()).toBe(0);

    for (const externalId of ["c", "d", "e", "f"]) {
      const record = await mustGetRecord(ctx.store, tenantId, id, externalId);
      expect(record.deletedAt?.getTime()).toBe(now.getTime());
      expect(record.seq).toBeGreaterThan(highest);
    }
    for (const externalId of ["a", "b"]) {
      expect((await mustGetRecord(ctx.store, tenantId, id, externalId)).deletedAt).toBeNull();
    }
    const g = await mustGetRecord(ctx.store, tenantId, id, "g");
    expect(g.seq).toBe(before.get("g"));
    expect(g.deletedAt?.getTime()).not.toBe(now.getTime());
    expect((await mustGetRecord(ctx.store, tenantId, id, "x", "deals")).deletedAt).toBeNull();
  },

  "listRecordHashes pages the live records' hashes in external-id order": async (ctx) => {
    const { tenantId, id } = await seedHashedRecords(ctx);
    const other = ctx.tenant();
    const otherConnection = await addConnection(ctx, other);
    await ctx.store.applyRecordBatch(other, batch(otherConnection.id, [upsert("aa", 1)]));
    await ctx.store.applyRecordBatch(other, batch(id, [upsert("ab", 1)]));

    const list = (afterExternalId: string | undefined, limit: number) =>
      ctx.store.listRecordHashes(tenantId, {
        connectionId: id,
        model: "contacts",
        afterExternalId,
        limit,
      });
    const hashOf = (x: string) => ({ externalId: x, hash: JSON.stringify({ x }) });
    expect(await list(undefined, 10)).toEqual(["a", "b", "d", "e"].map(hashOf));
    expect(await list(undefined, 2)).toEqual(["a", "b"].map(hashOf));
    expect(await list("b", 2)).toEqual(["d", "e"].map(hashOf));
    expect(await list("c", 10)).toEqual(["d", "e"].map(hashOf));
    expect(await list("e", 10)).toEqual([]);
    expect(await list(undefined, 0)).toEqual([]);
    expect(
      await ctx.store.listRecordHashes(other, { connectionId: id, model: "contacts", limit: 10 }),
    ).toEqual([{ externalId: "ab", hash: "1" }]);
  },

  "getRecordHashes answers the hashes of the live records asked for, and only this tenant's":
    async (ctx) => {
      const { tenantId, id } = await seedHashedRecords(ctx);
      const other = ctx.tenant();
      await ctx.store.applyRecordBatch(other, batch(id, [upsert("a", 2)]));

      const get = async (externalIds: string[], tenant = tenantId, model = "contacts") =>
        (await ctx.store.getRecordHashes(tenant, { connectionId: id, model, externalIds })).sort(
          (x, y) => x.externalId.localeCompare(y.externalId),
        );
      const hashOf = (x: string) => ({ externalId: x, hash: JSON.stringify({ x }) });
      // Deleted (c), unknown (q) and other models' (z) ids are left out; a repeated id answers once.
      expect(await get(["e", "c", "a", "q", "z", "a"])).toEqual(["a", "e"].map(hashOf));
      expect(await get([])).toEqual([]);
      expect(await get(["z"], tenantId, "deals")).toEqual([{ externalId: "z", hash: "1" }]);
      expect(await get(["a", "b"], other)).toEqual([{ externalId: "a", hash: "2" }]);
      await expect(
        ctx.store.getRecordHashes(tenantId, {
          connectionId: id,
          model: "contacts",
          externalIds: [1 as unknown as string],
        }),
      ).rejects.toThrow('"externalIds" must be an array of strings');
    },

  "seen ids of a batch keep their records from that run's delete detection only": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const all = ["a", "b", "c", "d", "e", "f", "g"];
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(
        id,
        all.map((x) => upsert(x, 1)),
      ),
    );
    await ctx.store.applyRecordBatch(tenantId, batch(id, [], { deletes: ["g"] }));
    const before = await mustGetRecord(ctx.store, tenantId, id, "b");
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [upsert("a", 2)], {
          runId: "run_2",
          seen: ["b", "c", "unknown", "g"],
          checkpoint: { activeRunId: "run_2", checkpoint: { page: 1 } },
        }),
      ),
    ).toEqual({ inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
    expect(
      await ctx.store.applyRecordBatch(
        tenantId,
        batch(id, [], { runId: "run_2", seen: ["d"], checkpoint: { checkpoint: { page: 2 } } }),
      ),
    ).toEqual({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
    expect((await ctx.store.getSyncState(tenantId, id, "contacts"))?.checkpoint).toEqual({
      page: 2,
    });
    // Another tenant's marks for the same connection id and run count for nothing.
    const intruder = ctx.tenant();
    await ctx.store.applyRecordBatch(intruder, batch(id, [], { runId: "run_2", seen: ["e"] }));

    // Seen ids are neither written nor created nor revived.
    const b = await mustGetRecord(ctx.store, tenantId, id, "b");
    expect(b.seq).toBe(before.seq);
    expect(b.data).toBe(1);
    expect(await ctx.store.getRecord(tenantId, id, "contacts", "unknown")).toBeNull();
    expect((await mustGetRecord(ctx.store, tenantId, id, "g")).deletedAt).not.toBeNull();

    const mark = (runId: string) =>
      ctx.store.markUnseenDeleted(tenantId, {
        connectionId: id,
        model: "contacts",
        runId,
        limit: 10,
        now: new Date(),
      });
    expect(await mark("run_2")).toBe(2);
    for (const x of ["e", "f"]) {
      expect((await mustGetRecord(ctx.store, tenantId, id, x)).deletedAt).not.toBeNull();
    }
    for (const x of ["a", "b", "c", "d"]) {
      expect((await mustGetRecord(ctx.store, tenantId, id, x)).deletedAt).toBeNull();
    }
    // Asked again (a resumed pass), the same run still spares them.
    expect(await mark("run_2")).toBe(0);
    // Another run's delete detection does not count run_2's marks.
    expect(await mark("run_3")).toBe(4);
  },

  "markUnseenDeleted with many seen ids and many deletes marks them limit at a time": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const ids = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(
        id,
        ids.map((x) => upsert(x, 1)),
      ),
    );
    // run_2 sees every third record: some by upsert, most as seen ids in several batches.
    const kept = ids.filter((_, i) => i % 3 === 0);
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert(kept[0]!, 1)], { runId: "run_2", seen: kept.slice(1, 5) }),
    );
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [], { runId: "run_2", seen: kept.slice(5, 9) }),
    );
    await ctx.store.applyRecordBatch(
      tenantId,
      batch(id, [upsert(kept[9]!, 2)], { runId: "run_2", seen: kept.slice(10) }),
    );
    let total = 0;
    for (let calls = 0; calls < 20; calls++) {
      const n = await ctx.store.markUnseenDeleted(tenantId, {
        connectionId: id,
        model: "contacts",
        runId: "run_2",
        limit: 4,
        now: new Date(),
      });
      total += n;
      if (n < 4) break;
    }
    expect(total).toBe(ids.length - kept.length);
    const live = await ctx.store.listRecords(tenantId, {
      connectionId: id,
      model: "contacts",
      limit: 100,
    });
    expect(live.map((r) => r.externalId)).toEqual(kept);
  },

  "applyRecordBatch rejects seen ids that are not strings, writing nothing": async (ctx) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    for (const seen of [[""], [1], "a"] as unknown as string[][]) {
      const error = await rejection(
        ctx.store.applyRecordBatch(tenantId, batch(id, [upsert("a", 1)], { seen })),
      );
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/seen/);
    }
    expect(await ctx.store.getRecord(tenantId, id, "contacts", "a")).toBeNull();
  },

  "returned records are copies: changing them or the batch does not change the store": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const { id } = await addConnection(ctx, tenantId);
    const data = { name: "Ada", tags: ["x"], address: { city: "London" } };
    const providerUpdatedAt = new Date(Date.UTC(2024, 0, 1));
    const input = upsert("a", data, { providerUpdatedAt });
    await ctx.store.applyRecordBatch(tenantId, batch(id, [input]));
    data.tags.push("mutated");
    data.address.city = "Paris";
    providerUpdatedAt.setTime(0);
    input.hash = "changed";

    const expected = { name: "Ada", tags: ["x"], address: { city: "London" } };
    const fetched = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(fetched.data).toEqual(expected);
    expect(fetched.hash).toBe(JSON.stringify(expected));
    expect(fetched.providerUpdatedAt?.getTime()).toBe(Date.UTC(2024, 0, 1));

    (fetched.data as { tags: string[] }).tags.push("y");
    fetched.updatedAt.setTime(0);
    const [listed] = await ctx.store.listRecords(tenantId, {
      connectionId: id,
      model: "contacts",
      limit: 10,
    });
    (listed!.data as { name: string }).name = "Grace";
    const [changed] = await ctx.store.listChanges(tenantId, {
      connectionId: id,
      after: 0,
      limit: 10,
    });
    (changed!.data as { address: { city: string } }).address.city = "Rome";
    changed!.providerUpdatedAt!.setTime(0);

    const again = await mustGetRecord(ctx.store, tenantId, id, "a");
    expect(again.data).toEqual(expected);
    expect(again.updatedAt.getTime()).not.toBe(0);
    expect(again.providerUpdatedAt?.getTime()).toBe(Date.UTC(2024, 0, 1));
  },

  // sync runs
  "createSyncRun stores a run that getSyncRun returns with every field": async (ctx) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);
    const run = syncRun(tenantId, connection.id, ctx.id("run_"), {
      model: "deals",
      trigger: "webhook",
      mode: "incremental",
      status: "failed",
      finishedAt: new Date(),
      fetched: 10,
      inserted: 1,
      updated: 2,
      deleted: 3,
      unchanged: 4,
      failed: 5,
      error: "provider said 500",
      details: { failures: [{ id: "x", reason: "bad email" }], conflicts: 0 },
    });
    await ctx.store.createSyncRun(run);
    expect(plain(await ctx.store.getSyncRun(tenantId, run.id))).toEqual(plain(run));
    expect(await ctx.store.getSyncRun(tenantId, ctx.id("run_missing_"))).toBeNull();
  },

  "updateSyncRun applies the patch, and throws NotFoundError for a missing run": async (ctx) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);
    const run = syncRun(tenantId, connection.id, ctx.id("run_"), { fetched: 7 });
    await ctx.store.createSyncRun(run);
    const finishedAt = new Date();
    const updated = await ctx.store.updateSyncRun(tenantId, run.id, {
      status: "succeeded",
      finishedAt,
      inserted: 5,
      details: { warnings: ["slow"] },
    });
    const expected = plain({
      ...run,
      status: "succeeded",
      finishedAt,
      inserted: 5,
      details: { warnings: ["slow"] },
    });
    expect(plain(updated)).toEqual(expected);
    expect(plain(await ctx.store.getSyncRun(tenantId, run.id))).toEqual(expected);

    const error = await rejection(
      ctx.store.updateSyncRun(tenantId, ctx.id("run_missing_"), { status: "failed" }),
    );
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND });
  },

  "listSyncRuns returns runs newest first, within the limit, filtered by connection and model":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const one = await addConnection(ctx, tenantId);
      const two = await addConnection(ctx, tenantId);
      const start = Date.now() - 60_000;
      const runs = [
        syncRun(tenantId, one.id, ctx.id("run_"), {
          model: "contacts",
          startedAt: new Date(start + 3000),
        }),
        syncRun(tenantId, one.id, ctx.id("run_"), {
          model: "deals",
          startedAt: new Date(start + 1000),
        }),
        syncRun(tenantId, two.id, ctx.id("run_"), {
          model: "contacts",
          startedAt: new Date(start + 4000),
        }),
        syncRun(tenantId, one.id, ctx.id("run_"), {
          model: "contacts",
          startedAt: new Date(start + 2000),
        }),
      ];
      for (const run of runs) await ctx.store.createSyncRun(run);
      const [r0, r1, r2, r3] = runs.map((r) => r.id);
      const list = async (options: Parameters<Store["listSyncRuns"]>[1]) =>
        (await ctx.store.listSyncRuns(tenantId, options)).map((r) => r.id);

      expect(await list({ limit: 10 })).toEqual([r2, r0, r3, r1]);
      expect(await list({ limit: 2 })).toEqual([r2, r0]);
      expect(await list({ connectionId: one.id, limit: 10 })).toEqual([r0, r3, r1]);
      expect(await list({ model: "contacts", limit: 10 })).toEqual([r2, r0, r3]);
      expect(await list({ connectionId: one.id, model: "contacts", limit: 1 })).toEqual([r0]);
      expect(await list({ connectionId: ctx.id("c_missing_"), limit: 10 })).toEqual([]);
    },

  // field mappings
  "fieldMappings default to {} and round-trip on createConnection": async (ctx) => {
    const tenantId = ctx.tenant();
    const plainConnection = await addConnection(ctx, tenantId);
    expect(plainConnection.fieldMappings).toEqual({});
    expect(
      (await mustGetConnection(ctx.store, tenantId, plainConnection.id)).fieldMappings,
    ).toEqual({});

    const fieldMappings = {
      rows: { artistName: "Artist", releaseYear: "Year (released)" },
      contacts: { email: "E-mail" },
      empty: {},
    };
    const mapped = await addConnection(ctx, tenantId, { fieldMappings });
    expect(mapped.fieldMappings).toEqual(fieldMappings);
    expect((await mustGetConnection(ctx.store, tenantId, mapped.id)).fieldMappings).toEqual(
      fieldMappings,
    );
    const listed = await ctx.store.listConnections(tenantId);
    expect(listed.find((c) => c.id === mapped.id)?.fieldMappings).toEqual(fieldMappings);
    expect(listed.find((c) => c.id === plainConnection.id)?.fieldMappings).toEqual({});
  },

  "updateConnection replaces fieldMappings as a whole and keeps them when the patch has none":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const created = await addConnection(ctx, tenantId, {
        fieldMappings: { rows: { artistName: "Artist", title: "Title" }, deals: { amount: "Sum" } },
      });
      const replaced = await ctx.store.updateConnection(tenantId, created.id, {
        fieldMappings: { rows: { artistName: "Performer" } },
      });
      // Replaced, not merged: `rows.title` and `deals` are gone.
      expect(replaced.fieldMappings).toEqual({ rows: { artistName: "Performer" } });
      expect((await mustGetConnection(ctx.store, tenantId, created.id)).fieldMappings).toEqual({
        rows: { artistName: "Performer" },
      });

      const statusOnly = await ctx.store.updateConnection(tenantId, created.id, {
        status: "error",
      });
      expect(statusOnly.fieldMappings).toEqual({ rows: { artistName: "Performer" } });

      const cleared = await ctx.store.updateConnection(tenantId, created.id, { fieldMappings: {} });
      expect(cleared.fieldMappings).toEqual({});
      expect((await mustGetConnection(ctx.store, tenantId, created.id)).fieldMappings).toEqual({});
    },

  "returned fieldMappings are copies: changing them or the input does not change the store": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const fieldMappings: Record<string, Record<string, string>> = {
      rows: { artistName: "Artist" },
    };
    const created = await addConnection(ctx, tenantId, { fieldMappings });
    fieldMappings.rows!.artistName = "Changed";
    fieldMappings.deals = { amount: "Sum" };
    created.fieldMappings.rows!.added = "x";

    const fetched = await mustGetConnection(ctx.store, tenantId, created.id);
    expect(fetched.fieldMappings).toEqual({ rows: { artistName: "Artist" } });
    fetched.fieldMappings.rows!.artistName = "Mutated";
    const [listed] = await ctx.store.listConnections(tenantId);
    listed!.fieldMappings.other = {};

    const patch: Record<string, Record<string, string>> = { rows: { title: "Title" } };
    const updated = await ctx.store.updateConnection(tenantId, created.id, {
      fieldMappings: patch,
    });
    patch.rows!.title = "Changed";
    updated.fieldMappings.rows!.title = "Mutated";
    expect((await mustGetConnection(ctx.store, tenantId, created.id)).fieldMappings).toEqual({
      rows: { title: "Title" },
    });
  },

  // webhook routing
  "findConnections returns the connector's connections with every given metadata value, across tenants, oldest first":
    async (ctx) => {
      // A connector id of its own, so other cases and runs sharing a database never match.
      const connector = `conn-x-${randomHex()}`;
      const [tenantA, tenantB] = [ctx.tenant(), ctx.tenant()];
      const base = { baseId: "app123", region: "eu" };
      const first = await addConnection(ctx, tenantA, { connector, metadata: { ...base } });
      const second = await addConnection(ctx, tenantB, {
        connector,
        status: "needs_reauth",
        metadata: { ...base, accountId: "acct_9" },
      });
      await ctx.advanceTime(5);
      const third = await addConnection(ctx, tenantA, {
        connector,
        status: "error",
        metadata: { region: "eu", baseId: "app123", nested: { baseId: "app999" } },
      });
      // Same metadata under another connector does not match.
      await addConnection(ctx, tenantA, { connector: `${connector}-other`, metadata: base });

      const found = await ctx.store.findConnections(connector, { baseId: "app123" });
      expect(found.map((c) => c.id).sort()).toEqual([first.id, second.id, third.id].sort());
      const times = found.map((c) => c.createdAt.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(found.at(-1)?.id).toBe(third.id);
      expect(plain(found.find((c) => c.id === second.id))).toEqual(plain(second));
      expect(new Set(found.map((c) => c.tenantId))).toEqual(new Set([tenantA, tenantB]));

      expect(
        (await ctx.store.findConnections(connector, { baseId: "app123", accountId: "acct_9" })).map(
          (c) => c.id,
        ),
      ).toEqual([second.id]);
      expect(
        (await ctx.store.findConnections(connector, { region: "eu", baseId: "app123" }))
          .map((c) => c.id)
          .sort(),
      ).toEqual([first.id, second.id, third.id].sort());
    },

  "findConnections matches values exactly, needs every key, skips disconnected connections and returns [] for no match":
    async (ctx) => {
      const connector = `conn-x-${randomHex()}`;
      const tenantId = ctx.tenant();
      const match = await addConnection(ctx, tenantId, {
        connector,
        metadata: { baseId: "app123", realmId: "42" },
      });
      await addConnection(ctx, tenantId, {
        connector,
        metadata: { baseId: "app1234", realmId: 42 },
      });
      await addConnection(ctx, tenantId, {
        connector,
        metadata: { baseId: "APP123", other: "app123" },
      });
      await addConnection(ctx, tenantId, {
        connector,
        status: "disconnected",
        metadata: { baseId: "app123", realmId: "42" },
      });
      const ids = async (metadata: Record<string, string>) =>
        (await ctx.store.findConnections(connector, metadata)).map((c) => c.id);

      expect(await ids({ baseId: "app123" })).toEqual([match.id]);
      expect(await ids({ baseId: "app123", realmId: "42" })).toEqual([match.id]);
      // Not a prefix, not a case-insensitive match, not the number 42.
      expect(await ids({ baseId: "app12" })).toEqual([]);
      expect(await ids({ baseId: "app1234", realmId: "42" })).toEqual([]);
      // Every key must match: one matching key of two is not enough.
      expect(await ids({ baseId: "app123", realmId: "43" })).toEqual([]);
      expect(await ids({ baseId: "app123", missing: "x" })).toEqual([]);
      expect(await ids({ other: "app123", baseId: "app123" })).toEqual([]);
      expect(await ids({ baseId: `app-${randomHex()}` })).toEqual([]);
      expect(
        await ctx.store.findConnections(`conn-x-${randomHex()}`, { baseId: "app123" }),
      ).toEqual([]);

      // A connection that becomes disconnected stops matching.
      await ctx.store.updateConnection(tenantId, match.id, { status: "disconnected" });
      expect(await ids({ baseId: "app123" })).toEqual([]);
    },

  // audit
  "appendAudit stores entries that listAudit returns newest first with every field": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const connection = await addConnection(ctx, tenantId);
    const start = Date.now() - 60_000;
    const oldest = auditEntry(tenantId, ctx.id("audit_"), new Date(start), {
      actor: "user_7",
      action: "connection.connect",
      connectionId: connection.id,
      connector: "acme",
      details: { scopes: ["a", "b"], nested: { ok: true, count: 2 }, none: null },
    });
    const newest = auditEntry(tenantId, ctx.id("audit_"), new Date(start + 2_000), {
      actor: null,
      action: "vault.rotate",
    });
    const middle = auditEntry(tenantId, ctx.id("audit_"), new Date(start + 1_000), {
      actor: "system",
      action: "sync.schedule",
      connectionId: connection.id,
      connector: "acme",
      details: { model: "contacts", schedule: { kind: "hourly" } },
    });
    // Appended out of order: the list is ordered by `at`, not by append order.
    for (const entry of [oldest, newest, middle]) await ctx.store.appendAudit(entry);

    const listed = await ctx.store.listAudit(tenantId, { limit: 10 });
    expect(listed.map(plain)).toEqual([newest, middle, oldest].map(plain));
    expect(listed[0]!.at).toBeInstanceOf(Date);
    expect(await ctx.store.listAudit(ctx.tenant(), { limit: 10 })).toEqual([]);
  },

  "listAudit filters by connection and action, pages back with an exclusive before, and honours the limit":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const one = await addConnection(ctx, tenantId);
      const two = await addConnection(ctx, tenantId);
      const start = Date.now() - 60_000;
      const entries = [
        { connectionId: one.id, action: "connection.connect" },
        { connectionId: one.id, action: "sync.trigger" },
        { connectionId: two.id, action: "sync.trigger" },
        { connectionId: null, action: "tenant.export" },
        { connectionId: one.id, action: "records.write" },
        { connectionId: two.id, action: "connection.disconnect" },
      ].map(({ connectionId, action }, i) =>
        auditEntry(tenantId, ctx.id("audit_"), new Date(start + i * 1_000), {
          connectionId,
          connector: connectionId === null ? null : "acme",
          action: action as AuditEntry["action"],
          details: { i },
        }),
      );
      for (const entry of entries) await ctx.store.appendAudit(entry);
      const [e0, e1, e2, e3, e4, e5] = entries.map((e) => e.id);
      const list = async (options: Parameters<Store["listAudit"]>[1]) =>
        (await ctx.store.listAudit(tenantId, options)).map((e) => e.id);

      expect(await list({ limit: 100 })).toEqual([e5, e4, e3, e2, e1, e0]);
      expect(await list({ limit: 2 })).toEqual([e5, e4]);
      expect(await list({ limit: 0 })).toEqual([]);
      expect(await list({ connectionId: one.id, limit: 100 })).toEqual([e4, e1, e0]);
      expect(await list({ action: "sync.trigger", limit: 100 })).toEqual([e2, e1]);
      expect(await list({ connectionId: one.id, action: "sync.trigger", limit: 100 })).toEqual([
        e1,
      ]);
      expect(await list({ connectionId: ctx.id("c_missing_"), limit: 100 })).toEqual([]);
      expect(await list({ action: "vault.rotate", limit: 100 })).toEqual([]);

      // `before` is exclusive: the entry exactly at `before` is not returned.
      expect(await list({ before: entries[3]!.at, limit: 100 })).toEqual([e2, e1, e0]);
      expect(await list({ before: new Date(start + 3_500), limit: 100 })).toEqual([e3, e2, e1, e0]);
      expect(await list({ before: entries[0]!.at, limit: 100 })).toEqual([]);
      expect(await list({ connectionId: one.id, before: entries[4]!.at, limit: 1 })).toEqual([e1]);

      // Paging back in time, two at a time, visits every entry once.
      const seen: string[] = [];
      let before: Date | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await ctx.store.listAudit(tenantId, {
          limit: 2,
          ...(before === undefined ? {} : { before }),
        });
        seen.push(...page.map((e) => e.id));
        if (page.length < 2) break;
        before = page[page.length - 1]!.at;
      }
      expect(seen).toEqual([e5, e4, e3, e2, e1, e0]);
    },

  "another tenant cannot see audit entries": async (ctx) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const connection = await addConnection(ctx, owner);
    const at = new Date(Date.now() - 1_000);
    const entry = auditEntry(owner, ctx.id("audit_"), at, {
      action: "connection.test",
      connectionId: connection.id,
      connector: "acme",
    });
    await ctx.store.appendAudit(entry);
    const intruderEntry = auditEntry(intruder, ctx.id("audit_"), at);
    await ctx.store.appendAudit(intruderEntry);

    expect((await ctx.store.listAudit(intruder, { limit: 10 })).map((e) => e.id)).toEqual([
      intruderEntry.id,
    ]);
    expect(await ctx.store.listAudit(intruder, { connectionId: connection.id, limit: 10 })).toEqual(
      [],
    );
    expect(await ctx.store.listAudit(intruder, { action: "connection.test", limit: 10 })).toEqual(
      [],
    );
    expect((await ctx.store.listAudit(owner, { limit: 10 })).map(plain)).toEqual([plain(entry)]);
  },

  "returned audit entries are copies: changing them or the input does not change the store": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const at = new Date(Date.now() - 1_000);
    const details = { counts: { inserted: 1 }, models: ["contacts"] };
    const entry = auditEntry(tenantId, ctx.id("audit_"), at, { details });
    await ctx.store.appendAudit(entry);
    details.counts.inserted = 99;
    details.models.push("deals");
    at.setTime(0);
    entry.actor = "someone else";

    const [listed] = await ctx.store.listAudit(tenantId, { limit: 10 });
    expect(listed?.details).toEqual({ counts: { inserted: 1 }, models: ["contacts"] });
    expect(listed?.actor).toBe("user_1");
    expect(listed?.at.getTime()).not.toBe(0);
    (listed!.details.models as string[]).push("notes");
    listed!.at.setTime(0);
    listed!.action = "tenant.purge";

    const [again] = await ctx.store.listAudit(tenantId, { limit: 10 });
    expect(again?.details).toEqual({ counts: { inserted: 1 }, models: ["contacts"] });
    expect(again?.at.getTime()).not.toBe(0);
    expect(again?.action).toBe("sync.trigger");
  },

  // usage
  "incrementUsage adds to the counters, and getUsage returns zeros when there are none": async (
    ctx,
  ) => {
    const tenantId = ctx.tenant();
    const period = "2026-11";
    expect(await ctx.store.getUsage(tenantId, period)).toEqual({ records: 0, runs: 0 });
    await ctx.store.incrementUsage(tenantId, period, { records: 120, runs: 1 });
    expect(await ctx.store.getUsage(tenantId, period)).toEqual({ records: 120, runs: 1 });
    await ctx.store.incrementUsage(tenantId, period, { records: 30 });
    await ctx.store.incrementUsage(tenantId, period, { runs: 2 });
    await ctx.store.incrementUsage(tenantId, period, {});
    expect(await ctx.store.getUsage(tenantId, period)).toEqual({ records: 150, runs: 3 });

    // A returned counter is a copy.
    const usage = await ctx.store.getUsage(tenantId, period);
    usage.records = 0;
    expect(await ctx.store.getUsage(tenantId, period)).toEqual({ records: 150, runs: 3 });
  },

  "50 concurrent incrementUsage calls add up exactly": async (ctx) => {
    const tenantId = ctx.tenant();
    const period = "2026-11";
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ctx.store.incrementUsage(
          tenantId,
          period,
          i % 5 === 0 ? { records: i + 1 } : { records: i + 1, runs: 1 },
        ),
      ),
    );
    // records: 1 + 2 + … + 50; runs: every call but the ten that passed records only.
    expect(await ctx.store.getUsage(tenantId, period)).toEqual({ records: 1275, runs: 40 });
  },

  "usage counters are separate per period and per tenant": async (ctx) => {
    const [tenantA, tenantB] = [ctx.tenant(), ctx.tenant()];
    await ctx.store.incrementUsage(tenantA, "2026-10", { records: 5, runs: 1 });
    await ctx.store.incrementUsage(tenantA, "2026-11", { records: 7, runs: 2 });
    await ctx.store.incrementUsage(tenantB, "2026-11", { records: 100, runs: 10 });
    expect(await ctx.store.getUsage(tenantA, "2026-10")).toEqual({ records: 5, runs: 1 });
    expect(await ctx.store.getUsage(tenantA, "2026-11")).toEqual({ records: 7, runs: 2 });
    expect(await ctx.store.getUsage(tenantA, "2026-12")).toEqual({ records: 0, runs: 0 });
    expect(await ctx.store.getUsage(tenantB, "2026-11")).toEqual({ records: 100, runs: 10 });
    expect(await ctx.store.getUsage(tenantB, "2026-10")).toEqual({ records: 0, runs: 0 });
    expect(await ctx.store.getUsage(ctx.tenant(), "2026-11")).toEqual({ records: 0, runs: 0 });
  },

  // leases
  "a lease is exclusive between holders and re-entrant for its holder": async (ctx) => {
    const key = ctx.id("lease_");
    expect(await ctx.store.acquireLease(key, "worker-a", 60_000)).toBe(true);
    expect(await ctx.store.acquireLease(key, "worker-b", 60_000)).toBe(false);
    expect(await ctx.store.acquireLease(key, "worker-a", 60_000)).toBe(true);
    expect(await ctx.store.acquireLease(key, "worker-b", 60_000)).toBe(false);
    expect(await ctx.store.acquireLease(ctx.id("lease_"), "worker-b", 60_000)).toBe(true);
  },

  "renewLease extends a lease for its holder and returns false for anyone else": async (ctx) => {
    const key = ctx.id("lease_");
    expect(await ctx.store.acquireLease(key, "worker-a", 60_000)).toBe(true);
    expect(await ctx.store.renewLease(key, "worker-a", 60_000)).toBe(true);
    expect(await ctx.store.renewLease(key, "worker-b", 60_000)).toBe(false);
    expect(await ctx.store.acquireLease(key, "worker-b", 60_000)).toBe(false);
    expect(await ctx.store.renewLease(ctx.id("lease_"), "worker-a", 60_000)).toBe(false);
  },

  "releaseLease frees the lease only when its holder releases it": async (ctx) => {
    const key = ctx.id("lease_");
    expect(await ctx.store.acquireLease(key, "worker-a", 60_000)).toBe(true);
    await ctx.store.releaseLease(key, "worker-b");
    expect(await ctx.store.acquireLease(key, "worker-c", 60_000)).toBe(false);
    await ctx.store.releaseLease(key, "worker-a");
    expect(await ctx.store.acquireLease(key, "worker-c", 60_000)).toBe(true);
    expect(await ctx.store.renewLease(key, "worker-a", 60_000)).toBe(false);
  },

  "an expired lease can be taken by another holder, and the first holder has lost it": async (
    ctx,
  ) => {
    const key = ctx.id("lease_");
    expect(await ctx.store.acquireLease(key, "worker-a", 50)).toBe(true);
    await ctx.advanceTime(120);
    expect(await ctx.store.acquireLease(key, "worker-b", 60_000)).toBe(true);
    expect(await ctx.store.renewLease(key, "worker-a", 60_000)).toBe(false);
    await ctx.store.releaseLease(key, "worker-a");
    expect(await ctx.store.acquireLease(key, "worker-c", 60_000)).toBe(false);
    expect(await ctx.store.renewLease(key, "worker-b", 60_000)).toBe(true);
  },

  "concurrent acquireLease calls by ten holders let exactly one win": async (ctx) => {
    const key = ctx.id("lease_");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ctx.store.acquireLease(key, `worker-${i}`, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  },

  // purge
  "purgeConnectionData removes the connection's records, sync states and runs and nothing else":
    async (ctx) => {
      const tenantId = ctx.tenant();
      const purged = await addConnection(ctx, tenantId);
      const kept = await addConnection(ctx, tenantId);
      const runIds = new Map<string, string>();
      for (const connection of [purged, kept]) {
        await ctx.store.applyRecordBatch(
          tenantId,
          batch(connection.id, [upsert("a", 1, { internalId: "host_a" })], {
            checkpoint: { cursor: "c" },
          }),
        );
        await ctx.store.applyRecordBatch(
          tenantId,
          batch(connection.id, [upsert("d", 1)], { model: "deals" }),
        );
        const runId = ctx.id("run_");
        runIds.set(connection.id, runId);
        await ctx.store.createSyncRun(syncRun(tenantId, connection.id, runId));
      }

      await ctx.store.purgeConnectionData(tenantId, purged.id);

      const { store } = ctx;
      expect(await store.getRecord(tenantId, purged.id, "contacts", "a")).toBeNull();
      expect(
        await store.getRecordByInternalId(tenantId, purged.id, "contacts", "host_a"),
      ).toBeNull();
      expect(
        await store.listRecords(tenantId, {
          connectionId: purged.id,
          model: "deals",
          limit: 10,
          includeDeleted: true,
        }),
      ).toEqual([]);
      expect(await allChanges(store, tenantId, purged.id)).toEqual([]);
      expect(await store.listSyncStates(tenantId, purged.id)).toEqual([]);
      expect(await store.getSyncRun(tenantId, runIds.get(purged.id)!)).toBeNull();
      expect(await store.listSyncRuns(tenantId, { connectionId: purged.id, limit: 10 })).toEqual(
        [],
      );
      // The connection row stays: deleting it is `deleteConnection`'s job.
      expect(await store.getConnection(tenantId, purged.id)).not.toBeNull();

      expect(await store.getRecord(tenantId, kept.id, "contacts", "a")).not.toBeNull();
      expect(await allChanges(store, tenantId, kept.id)).toHaveLength(2);
      expect(await store.listSyncStates(tenantId, kept.id)).toHaveLength(1);
      expect(await store.getSyncRun(tenantId, runIds.get(kept.id)!)).not.toBeNull();
    },

  "purgeTenant removes every kind of the tenant's data and nothing of another tenant's": async (
    ctx,
  ) => {
    const { store } = ctx;
    const [purged, kept] = [ctx.tenant(), ctx.tenant()];
    const connector = `conn-x-${randomHex()}`;
    const period = "2026-11";
    const seed = async (tenantId: string) => {
      const connection = await addConnection(ctx, tenantId, {
        connector,
        metadata: { baseId: "app1" },
        fieldMappings: { contacts: { email: "E-mail" } },
      });
      const session = oauthSession(tenantId, ctx.id("state_"));
      await store.createOAuthSession(session);
      await store.putSyncState(
        syncState(tenantId, connection.id, "deals", { schedule: { kind: "hourly" } }),
      );
      await store.applyRecordBatch(
        tenantId,
        batch(connection.id, [upsert("a", 1, { internalId: "host_a" }), upsert("b", 2)], {
          deletes: ["b"],
          checkpoint: { cursor: "c1" },
        }),
      );
      const run = syncRun(tenantId, connection.id, ctx.id("run_"), { trigger: "write" });
      await store.createSyncRun(run);
      const entry = auditEntry(tenantId, ctx.id("audit_"), new Date(Date.now() - 1_000), {
        action: "connection.connect",
        connectionId: connection.id,
        connector,
      });
      await store.appendAudit(entry);
      await store.incrementUsage(tenantId, period, { records: 2, runs: 1 });
      return { connection, session, run, entry };
    };
    const gone = await seed(purged);
    const stays = await seed(kept);
    const snapshot = async (tenantId: string, connectionId: string, runId: string) => ({
      connection: await store.getConnection(tenantId, connectionId),
      states: await store.listSyncStates(tenantId, connectionId),
      records: await store.listRecords(tenantId, {
        connectionId,
        model: "contacts",
        limit: 10,
        includeDeleted: true,
      }),
      changes: await allChanges(store, tenantId, connectionId),
      run: await store.getSyncRun(tenantId, runId),
      runs: await store.listSyncRuns(tenantId, { limit: 10 }),
      audit: await store.listAudit(tenantId, { limit: 10 }),
      usage: await store.getUsage(tenantId, period),
    });
    const keptBefore = await snapshot(kept, stays.connection.id, stays.run.id);
    // The snapshot covers real data: a later equality check means something.
    expect(plain(keptBefore)).toMatchObject({
      records: [{ externalId: "a" }, { externalId: "b" }],
      usage: { records: 2, runs: 1 },
    });
    expect(keptBefore.states).toHaveLength(2);
    expect(keptBefore.changes).toHaveLength(2);
    expect(keptBefore.audit).toHaveLength(1);

    await store.purgeTenant(purged);

    const id = gone.connection.id;
    expect(await store.getConnection(purged, id)).toBeNull();
    expect(await store.listConnections(purged)).toEqual([]);
    expect((await store.findConnections(connector, { baseId: "app1" })).map((c) => c.id)).toEqual([
      stays.connection.id,
    ]);
    expect(await store.takeOAuthSession(purged, gone.session.state)).toBeNull();
    expect(await store.getSyncState(purged, id, "deals")).toBeNull();
    expect(await store.getSyncState(purged, id, "contacts")).toBeNull();
    expect(await store.listSyncStates(purged, id)).toEqual([]);
    expect(await store.getRecord(purged, id, "contacts", "a")).toBeNull();
    expect(await store.getRecordByInternalId(purged, id, "contacts", "host_a")).toBeNull();
    expect(
      await store.listRecords(purged, {
        connectionId: id,
        model: "contacts",
        limit: 10,
        includeDeleted: true,
      }),
    ).toEqual([]);
    expect(await store.listChanges(purged, { connectionId: id, after: 0, limit: 10 })).toEqual([]);
    expect(await store.getSyncRun(purged, gone.run.id)).toBeNull();
    expect(await store.listSyncRuns(purged, { limit: 10 })).toEqual([]);
    expect(await store.listAudit(purged, { limit: 10 })).toEqual([]);
    expect(await store.getUsage(purged, period)).toEqual({ records: 0, runs: 0 });

    expect(plain(await snapshot(kept, stays.connection.id, stays.run.id))).toEqual(
      plain(keptBefore),
    );
    expect(plain(await store.takeOAuthSession(kept, stays.session.state))).toEqual(
      plain(stays.session),
    );

    // Nothing is left behind under the old ids: they can be used again.
    await store.createConnection(connectionInput(purged, id));
    await store.createSyncRun(syncRun(purged, id, gone.run.id));
    expect(await store.listSyncStates(purged, id)).toEqual([]);
    expect(await store.listChanges(purged, { connectionId: id, after: 0, limit: 10 })).toEqual([]);
    expect(await store.getUsage(purged, period)).toEqual({ records: 0, runs: 0 });
  },

  // tenant isolation
  "another tenant cannot get, list, update, delete or swap credentials of a connection": async (
    ctx,
  ) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const connection = await addConnection(ctx, owner);
    await addConnection(ctx, intruder);
    const { store } = ctx;
    expect(await store.getConnection(intruder, connection.id)).toBeNull();
    expect((await store.listConnections(intruder)).map((c) => c.id)).not.toContain(connection.id);
    const error = await rejection(
      store.updateConnection(intruder, connection.id, { status: "disconnected" }),
    );
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await store.deleteConnection(intruder, connection.id)).toBe(false);
    expect(
      await store.swapCredentials(intruder, connection.id, 1, Uint8Array.from([6])),
    ).toBeNull();

    const after = await mustGetConnection(store, owner, connection.id);
    expect(plain(after)).toEqual(plain(connection));
  },

  "another tenant cannot take an OAuth session, and its owner still can": async (ctx) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const session = oauthSession(owner, ctx.id("state_"));
    await ctx.store.createOAuthSession(session);
    expect(await ctx.store.takeOAuthSession(intruder, session.state)).toBeNull();
    expect(plain(await ctx.store.takeOAuthSession(owner, session.state))).toEqual(plain(session));
  },

  "another tenant cannot see or overwrite sync states": async (ctx) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const connection = await addConnection(ctx, owner);
    const state = syncState(owner, connection.id, "contacts", {
      cursor: "owner",
      nextRunAt: new Date(Date.now() + 3_600_000),
    });
    await ctx.store.putSyncState(state);
    expect(await ctx.store.getSyncState(intruder, connection.id, "contacts")).toBeNull();
    expect(await ctx.store.listSyncStates(intruder, connection.id)).toEqual([]);
    // A store may refuse the write outright; either way the owner's state is untouched.
    await ctx.store
      .putSyncState(syncState(intruder, connection.id, "contacts", { cursor: "intruder" }))
      .catch(() => undefined);
    expect(plain(await ctx.store.getSyncState(owner, connection.id, "contacts"))).toEqual(
      plain(state),
    );
  },

  "another tenant cannot see, change or delete records": async (ctx) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const { id } = await addConnection(ctx, owner);
    const { store } = ctx;
    await store.applyRecordBatch(owner, batch(id, [upsert("a", 1, { internalId: "host_a" })]));
    const before = await mustGetRecord(store, owner, id, "a");

    expect(await store.getRecord(intruder, id, "contacts", "a")).toBeNull();
    expect(await store.getRecordByInternalId(intruder, id, "contacts", "host_a")).toBeNull();
    expect(
      await store.listRecords(intruder, {
        connectionId: id,
        model: "contacts",
        limit: 10,
        includeDeleted: true,
      }),
    ).toEqual([]);
    expect(await store.listChanges(intruder, { connectionId: id, after: 0, limit: 10 })).toEqual(
      [],
    );
    expect(await store.setInternalId(intruder, id, "contacts", "a", "host_x")).toBe(false);
    expect(
      await store.markUnseenDeleted(intruder, {
        connectionId: id,
        model: "contacts",
        runId: "run_other",
        limit: 10,
        now: new Date(),
      }),
    ).toBe(0);
    // A store may refuse the write outright; either way the owner's records are untouched.
    await store
      .applyRecordBatch(intruder, batch(id, [upsert("a", 2)], { deletes: ["a"] }))
      .catch(() => undefined);
    await store.purgeConnectionData(intruder, id);

    expect(plain(await store.getRecord(owner, id, "contacts", "a"))).toEqual(plain(before));
    expect((await allChanges(store, owner, id)).map((r) => [r.externalId, r.seq])).toEqual([
      ["a", before.seq],
    ]);
  },

  "another tenant cannot see or update sync runs": async (ctx) => {
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const connection = await addConnection(ctx, owner);
    const run = syncRun(owner, connection.id, ctx.id("run_"));
    await ctx.store.createSyncRun(run);
    expect(await ctx.store.getSyncRun(intruder, run.id)).toBeNull();
    expect(await ctx.store.listSyncRuns(intruder, { limit: 10 })).toEqual([]);
    expect(
      await ctx.store.listSyncRuns(intruder, { connectionId: connection.id, limit: 10 }),
    ).toEqual([]);
    const error = await rejection(
      ctx.store.updateSyncRun(intruder, run.id, { status: "cancelled" }),
    );
    expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect((await ctx.store.getSyncRun(owner, run.id))?.status).toBe("running");
  },

  // exports
  "createExport stores an export that getExport returns with every field, and listExports filters by destination":
    async (ctx) => {
      const { store } = ctx;
      const tenantId = ctx.tenant();
      const drive = await addConnection(ctx, tenantId);
      const other = await addConnection(ctx, tenantId);
      const first = exportDefinition(tenantId, ctx.id("exp_"), drive.id, {
        nextRunAt: new Date(Date.UTC(2026, 10, 23, 8)),
        lastRunAt: new Date(Date.UTC(2026, 10, 16, 8)),
        lastSuccessAt: new Date(Date.UTC(2026, 10, 16, 8, 1)),
        lastStatus: "succeeded",
        fileId: "file_1",
        fileUrl: "https://drive.example/file_1",
        consecutiveFailures: 2,
        lastError: "Drive answered 503",
        createdAt: new Date(Date.now() - 2_000),
        updatedAt: new Date(Date.now() - 1_000),
      });
      const second = exportDefinition(tenantId, ctx.id("exp_"), other.id, {
        source: { kind: "records", connectionId: other.id, model: "rows" },
        template: null,
        columns: null,
        format: "csv",
        bom: true,
        mode: "dated",
        filename: null,
        schedule: { kind: "manual" },
        destination: { connectionId: other.id, folderId: null },
      });
      await store.createExport(first);
      await store.createExport(second);
      expect(plain(await store.getExport(tenantId, first.id))).toEqual(plain(first));
      expect(plain(await store.getExport(tenantId, second.id))).toEqual(plain(second));
      expect(await store.getExport(tenantId, ctx.id("exp_"))).toBeNull();
      expect((await store.listExports(tenantId)).map((e) => e.id)).toEqual([first.id, second.id]);
      expect(
        (await store.listExports(tenantId, { connectionId: other.id })).map((e) => e.id),
      ).toEqual([second.id]);
      const duplicate = await rejection(store.createExport({ ...first, name: "again" }));
      expect(duplicate).toMatchObject({ code: ErrorCode.STORAGE });
      expect((await store.getExport(tenantId, first.id))?.name).toBe(first.name);
    },

  "updateExport changes only the fields in the patch, and throws NotFoundError for a missing export":
    async (ctx) => {
      const { store } = ctx;
      const tenantId = ctx.tenant();
      const drive = await addConnection(ctx, tenantId);
      const original = exportDefinition(tenantId, ctx.id("exp_"), drive.id);
      await store.createExport(original);
      const at = new Date(Date.now() + 60_000);
      const updated = await store.updateExport(tenantId, original.id, {
        name: "Monthly playlist report",
        schedule: { kind: "cron", expression: "0 7 1 * *" },
        destination: { connectionId: drive.id, folderId: null },
        columns: null,
        nextRunAt: at,
        updatedAt: at,
      });
      const expected = {
        ...original,
        name: "Monthly playlist report",
        schedule: { kind: "cron", expression: "0 7 1 * *" },
        destination: { connectionId: drive.id, folderId: null },
        columns: null,
        nextRunAt: at,
        updatedAt: at,
      };
      expect(plain(updated)).toEqual(plain(expected));
      expect(plain(await store.getExport(tenantId, original.id))).toEqual(plain(expected));
      const missing = await rejection(store.updateExport(tenantId, ctx.id("exp_"), { name: "x" }));
      expect(missing).toMatchObject({ code: ErrorCode.NOT_FOUND });
    },

  "claimDueExports claims due exports of every tenant soonest first, and not again until the claim expires":
    async (ctx) => {
      const { store } = ctx;
      const at = seventies();
      const minute = 60_000;
      const [tenantA, tenantB] = [ctx.tenant(), ctx.tenant()];
      const a = await addConnection(ctx, tenantA);
      const b = await addConnection(ctx, tenantB);
      const add = async (tenantId: string, connectionId: string, next: number | null) => {
        const e = exportDefinition(tenantId, ctx.id("exp_"), connectionId, {
          nextRunAt: next === null ? null : new Date(at + next),
        });
        await store.createExport(e);
        return e.id;
      };
      const second = await add(tenantA, a.id, -2 * minute);
      const now = await add(tenantA, a.id, 0);
      const first = await add(tenantB, b.id, -3 * minute);
      await add(tenantA, a.id, minute); // later
      await add(tenantB, b.id, null); // manual
      const ours = new Set([second, now, first]);

      const holder = ctx.id("worker_");
      const claimed = (
        await store.claimDueExports(new Date(at), { holder, ttlMs: 10 * minute, limit: 1000 })
      ).filter((e) => ours.has(e.id));
      expect(claimed.map((e) => e.id)).toEqual([first, second, now]);
      for (const e of claimed) {
        expect(e.claimedBy).toBe(holder);
        expect(e.claimedUntil?.getTime()).toBe(at + 10 * minute);
      }
      expect((await store.getExport(tenantB, first))?.claimedBy).toBe(holder);

      // Held: another worker gets none of them, until the claim expires.
      const rival = ctx.id("worker_");
      const during = await store.claimDueExports(new Date(at + 9 * minute), {
        holder: rival,
        ttlMs: minute,
        limit: 1000,
      });
      expect(during.filter((e) => ours.has(e.id))).toEqual([]);
      const after = await store.claimDueExports(new Date(at + 10 * minute), {
        holder: rival,
        ttlMs: minute,
        limit: 1000,
      });
      expect(
        after
          .filter((e) => ours.has(e.id))
          .map((e) => e.id)
          .sort(),
      ).toEqual([...ours].sort());

      const limited = await store.claimDueExports(new Date(at + 20 * minute), {
        holder: ctx.id("worker_"),
        ttlMs: minute,
        limit: 1,
      });
      expect(limited).toHaveLength(1);
    },

  "concurrent claimDueExports calls never claim the same export twice": async (ctx) => {
    const { store } = ctx;
    const at = seventies();
    const tenantId = ctx.tenant();
    const drive = await addConnection(ctx, tenantId);
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const e = exportDefinition(tenantId, ctx.id("exp_"), drive.id, {
        nextRunAt: new Date(at - i * 1000),
      });
      await store.createExport(e);
      ids.add(e.id);
    }
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.claimDueExports(new Date(at), { holder: `worker_${i}`, ttlMs: 60_000, limit: 5 }),
      ),
    );
    const claimed = results.flat().filter((e) => ids.has(e.id));
    expect(new Set(claimed.map((e) => e.id)).size).toBe(claimed.length);
    expect(claimed).toHaveLength(12);
  },

  "claimExport takes a free or expired claim, and releaseExport applies its patch only for the holder":
    async (ctx) => {
      const { store } = ctx;
      const tenantId = ctx.tenant();
      const drive = await addConnection(ctx, tenantId);
      const e = exportDefinition(tenantId, ctx.id("exp_"), drive.id);
      await store.createExport(e);
      const t0 = Date.UTC(2026, 10, 23, 8);
      const claimed = await store.claimExport(tenantId, e.id, {
        holder: "worker_a",
        ttlMs: 60_000,
        now: new Date(t0),
      });
      expect(claimed).toMatchObject({ claimedBy: "worker_a", claimedUntil: new Date(t0 + 60_000) });
      // Re-entrant for its holder (renewal), refused to another until it expires.
      expect(
        (
          await store.claimExport(tenantId, e.id, {
            holder: "worker_a",
            ttlMs: 60_000,
            now: new Date(t0 + 30_000),
          })
        )?.claimedUntil,
      ).toEqual(new Date(t0 + 90_000));
      expect(
        await store.claimExport(tenantId, e.id, {
          holder: "worker_b",
          ttlMs: 60_000,
          now: new Date(t0 + 60_000),
        }),
      ).toBeNull();
      expect(
        await store.releaseExport(tenantId, e.id, "worker_b", { lastStatus: "failed" }),
      ).toBeNull();
      expect((await store.getExport(tenantId, e.id))?.lastStatus).toBeNull();

      const next = new Date(t0 + 7 * 86_400_000);
      const released = await store.releaseExport(tenantId, e.id, "worker_a", {
        lastStatus: "succeeded",
        lastRunAt: new Date(t0),
        fileId: "file_9",
        fileUrl: null,
        nextRunAt: next,
        consecutiveFailures: 0,
      });
      expect(released).toMatchObject({
        claimedBy: null,
        claimedUntil: null,
        lastStatus: "succeeded",
        fileId: "file_9",
        nextRunAt: next,
        name: e.name,
      });
      // Released twice: the second finds no claim and changes nothing.
      expect(
        await store.releaseExport(tenantId, e.id, "worker_a", { lastStatus: "failed" }),
      ).toBeNull();
      // An expired claim is taken over, and then the first holder cannot release it.
      await store.claimExport(tenantId, e.id, {
        holder: "worker_a",
        ttlMs: 1000,
        now: new Date(t0),
      });
      expect(
        await store.claimExport(tenantId, e.id, {
          holder: "worker_b",
          ttlMs: 60_000,
          now: new Date(t0 + 1000),
        }),
      ).toMatchObject({ claimedBy: "worker_b" });
      expect(
        await store.releaseExport(tenantId, e.id, "worker_a", { lastStatus: "failed" }),
      ).toBeNull();
      expect(await store.getExport(tenantId, e.id)).toMatchObject({
        claimedBy: "worker_b",
        lastStatus: "succeeded",
      });
      expect(
        await store.claimExport(tenantId, ctx.id("exp_"), {
          holder: "worker_a",
          ttlMs: 1000,
          now: new Date(t0),
        }),
      ).toBeNull();
    },

  "export runs are listed newest first per export, and deleteExport removes the export and its runs":
    async (ctx) => {
      const { store } = ctx;
      const tenantId = ctx.tenant();
      const drive = await addConnection(ctx, tenantId);
      const [e1, e2] = [
        exportDefinition(tenantId, ctx.id("exp_"), drive.id),
        exportDefinition(tenantId, ctx.id("exp_"), drive.id),
      ];
      await store.createExport(e1);
      await store.createExport(e2);
      const t0 = Date.now() - 10_000;
      const r1 = exportRun(tenantId, e1.id, ctx.id("exr_"), { startedAt: new Date(t0) });
      const r2 = exportRun(tenantId, e1.id, ctx.id("exr_"), { startedAt: new Date(t0 + 1000) });
      const r3 = exportRun(tenantId, e2.id, ctx.id("exr_"), { startedAt: new Date(t0 + 2000) });
      for (const r of [r1, r2, r3]) await store.createExportRun(r);
      const duplicate = await rejection(store.createExportRun(r1));
      expect(duplicate).toMatchObject({ code: ErrorCode.STORAGE });

      const finishedAt = new Date(t0 + 1500);
      const finished = await store.updateExportRun(tenantId, r2.id, {
        status: "succeeded",
        finishedAt,
        rows: 1234,
        bytes: 56_789,
        fileId: "file_1",
        fileName: "Promo report 2026-11-23.xlsx",
        fileUrl: "https://drive.example/file_1",
        details: { format: "xlsx", replaced: true },
      });
      const expected = {
        ...r2,
        status: "succeeded",
        finishedAt,
        rows: 1234,
        bytes: 56_789,
        fileId: "file_1",
        fileName: "Promo report 2026-11-23.xlsx",
        fileUrl: "https://drive.example/file_1",
        details: { format: "xlsx", replaced: true },
      };
      expect(plain(finished)).toEqual(plain(expected));
      const missing = await rejection(
        store.updateExportRun(tenantId, ctx.id("exr_"), { status: "failed" }),
      );
      expect(missing).toMatchObject({ code: ErrorCode.NOT_FOUND });

      expect((await store.listExportRuns(tenantId, { limit: 10 })).map((r) => r.id)).toEqual([
        r3.id,
        r2.id,
        r1.id,
      ]);
      expect(plain(await store.listExportRuns(tenantId, { exportId: e1.id, limit: 10 }))).toEqual(
        plain([expected, r1]),
      );
      expect(
        (await store.listExportRuns(tenantId, { exportId: e1.id, limit: 1 })).map((r) => r.id),
      ).toEqual([r2.id]);

      expect(await store.deleteExport(tenantId, e1.id)).toBe(true);
      expect(await store.deleteExport(tenantId, e1.id)).toBe(false);
      expect(await store.getExport(tenantId, e1.id)).toBeNull();
      expect((await store.listExportRuns(tenantId, { limit: 10 })).map((r) => r.id)).toEqual([
        r3.id,
      ]);
      expect((await store.listExports(tenantId)).map((e) => e.id)).toEqual([e2.id]);
    },

  "returned exports and export runs are copies: changing them or the input does not change the store":
    async (ctx) => {
      const { store } = ctx;
      const tenantId = ctx.tenant();
      const drive = await addConnection(ctx, tenantId);
      const input = exportDefinition(tenantId, ctx.id("exp_"), drive.id);
      await store.createExport(input);
      const snapshot = plain(await store.getExport(tenantId, input.id));
      (input.params as Record<string, unknown>).campaignId = "changed";
      input.columns![0]!.header = "changed";
      input.destination.folderId = "changed";
      const read = (await store.getExport(tenantId, input.id))!;
      read.params.campaignId = "changed";
      read.schedule = { kind: "manual" };
      read.nextRunAt = new Date(0);
      (await store.listExports(tenantId))[0]!.destination.connectionId = "changed";
      expect(plain(await store.getExport(tenantId, input.id))).toEqual(snapshot);

      const run = exportRun(tenantId, input.id, ctx.id("exr_"));
      await store.createExportRun(run);
      run.details.format = "changed";
      const [listed] = await store.listExportRuns(tenantId, { limit: 1 });
      listed!.details.format = "changed";
      expect((await store.listExportRuns(tenantId, { limit: 1 }))[0]?.details).toEqual({
        format: "xlsx",
      });
    },

  "another tenant cannot see, change, claim, release or delete exports and export runs": async (
    ctx,
  ) => {
    const { store } = ctx;
    const [owner, intruder] = [ctx.tenant(), ctx.tenant()];
    const drive = await addConnection(ctx, owner);
    const e = exportDefinition(owner, ctx.id("exp_"), drive.id);
    await store.createExport(e);
    const run = exportRun(owner, e.id, ctx.id("exr_"));
    await store.createExportRun(run);
    const before = plain(await store.getExport(owner, e.id));

    expect(await store.getExport(intruder, e.id)).toBeNull();
    expect(await store.listExports(intruder)).toEqual([]);
    expect(await store.listExports(intruder, { connectionId: drive.id })).toEqual([]);
    expect(await store.listExportRuns(intruder, { limit: 10 })).toEqual([]);
    expect(await store.listExportRuns(intruder, { exportId: e.id, limit: 10 })).toEqual([]);
    expect(await rejection(store.updateExport(intruder, e.id, { name: "stolen" }))).toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    expect(
      await rejection(store.updateExportRun(intruder, run.id, { status: "failed" })),
    ).toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(
      await store.claimExport(intruder, e.id, { holder: "x", ttlMs: 1000, now: new Date() }),
    ).toBeNull();
    expect(await store.releaseExport(intruder, e.id, "x", { lastStatus: "failed" })).toBeNull();
    expect(await store.deleteExport(intruder, e.id)).toBe(false);
    await store.purgeTenant(intruder);

    expect(plain(await store.getExport(owner, e.id))).toEqual(before);
    expect((await store.listExportRuns(owner, { limit: 10 })).map((r) => r.id)).toEqual([run.id]);
  },

  "purgeTenant removes the tenant's exports and export runs": async (ctx) => {
    const { store } = ctx;
    const [purged, kept] = [ctx.tenant(), ctx.tenant()];
    const seed = async (tenantId: string) => {
      const drive = await addConnection(ctx, tenantId);
      const e = exportDefinition(tenantId, ctx.id("exp_"), drive.id);
      await store.createExport(e);
      await store.createExportRun(exportRun(tenantId, e.id, ctx.id("exr_")));
      return e;
    };
    await seed(purged);
    const survivor = await seed(kept);
    await store.purgeTenant(purged);
    expect(await store.listExports(purged)).toEqual([]);
    expect(await store.listExportRuns(purged, { limit: 10 })).toEqual([]);
    expect((await store.listExports(kept)).map((e) => e.id)).toEqual([survivor.id]);
    expect(await store.listExportRuns(kept, { limit: 10 })).toHaveLength(1);
  },
} satisfies Record<string, StoreCase>;

/** The title of one case of the store conformance suite. */
export type StoreCaseTitle = keyof typeof CASES;

/**
 * Every case title of the store conformance suite, in the order they run.
 * Use them as keys of {@link StoreSuiteOptions.skip}.
 */
export const STORE_CASES: readonly StoreCaseTitle[] = Object.keys(CASES) as StoreCaseTitle[];

/** Options for {@link testStore}. */
export interface StoreSuiteOptions {
  /** Create the store under test. Called once, before the first case; `init()` is then called on it. */
  create: () => Promise<Store>;
  /** Tear the store down after the last case. Defaults to calling `store.close()`. */
  destroy?: (store: Store) => Promise<void>;
  /**
   * Cases this store skips, by title, each with the reason written out
   * (it is shown in the test report). Skipping should be rare: every store
   * is expected to pass the whole suite.
   */
  skip?: Partial<Record<StoreCaseTitle, string>>;
  /**
   * Let at least `ms` milliseconds pass on the store's clock; used by the
   * lease-expiry case. Defaults to a real wait. A store with an injectable
   * clock may advance it instead.
   */
  advanceTime?: (ms: number) => Promise<void>;
}

/**
 * Register the store conformance suite with vitest: one `describe(name)` with
 * one `it` per behaviour of the {@link Store} contract (see
 * {@link STORE_CASES}). Every store implementation runs it.
 *
 * The store is created once and shared by every case; each case works under
 * fresh random tenant ids, connection ids and lease keys, so the suite can run
 * against a database that holds other data, including earlier runs.
 *
 * @example
 * ```ts
 * // packages/store-postgres/test/conformance.test.ts
 * import { testStore } from "@patchbay/testing";
 * import { PostgresStore } from "../src/index.js";
 *
 * testStore("PostgresStore (PGlite)", {
 *   create: async () => new PostgresStore({ client: new PGlite() }),
 *   skip: {
 *     "an expired lease can be taken by another holder, and the first holder has lost it":
 *       "the CI database clock is frozen",
 *   },
 * });
 * ```
 */
export function testStore(name: string, options: StoreSuiteOptions): void {
  const skip: Partial<Record<string, string>> = options.skip ?? {};
  for (const [title, reason] of Object.entries(skip)) {
    if (!(STORE_CASES as readonly string[]).includes(title)) {
      throw new TypeError(`testStore: "skip" names an unknown case: "${title}"`);
    }
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new TypeError(`testStore: skipping "${title}" needs a written reason`);
    }
  }

  describe(name, () => {
    let current: Store | undefined;
    const ctx: CaseContext = {
      get store(): Store {
        if (!current) throw new Error("testStore: the store was not created");
        return current;
      },
      tenant: () => `t_${randomHex()}`,
      id: (prefix) => `${prefix}${randomHex()}`,
      advanceTime:
        options.advanceTime ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };

    beforeAll(async () => {
      current = await options.create();
      await current.init?.();
    });

    afterAll(async () => {
      if (!current) return;
      if (options.destroy) await options.destroy(current);
      else await current.close?.();
      current = undefined;
    });

    for (const title of STORE_CASES) {
      const reason = skip[title];
      if (reason !== undefined) {
        it.skip(`${title} (skipped: ${reason})`, () => {});
      } else {
        const run: StoreCase = CASES[title];
        it(title, () => run(ctx));
      }
    }
  });
}
