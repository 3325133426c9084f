/**
 * One benchmark scenario per process: `child.ts <scenario> <json args>`.
 * Started by main.ts (see `runChild`); prints its result as `@@result <json>`.
 * The fake provider it talks to runs in the orchestrator, over real HTTP.
 */
import { hash } from "node:crypto";
import {
  apiKey,
  createHttpClient,
  createPatchbay,
  defineConnector,
  defineModel,
  MemoryStore,
  oauth2,
  type Patchbay,
  type Store,
  type SyncRun,
} from "@patchbay/core";
import { postgresStore } from "@patchbay/store-postgres";
import pg from "pg";
import {
  AUTH_ORIGIN,
  BATCH,
  benchVault,
  ContactSchema,
  type ContactsPage,
  DATABASE_URL,
  emit,
  loopbackFetch,
  PAGE,
  percentile,
  rssMb,
  sleep,
  TENANT,
  waitForGo,
} from "./common.js";
import { LIMIT, WINDOW_MS } from "./server.js";

interface Args {
  server: string;
  schema?: string;
  dataset?: string;
  connectionId?: string;
  fractions?: number[];
  seconds?: number;
  calls?: number;
  naive?: boolean;
  requests?: number;
  key?: string;
  n?: number;
  /** The declared rate limit's safety margin (default: the limiter's, 5%). */
  safetyMargin?: number;
}

export interface RunFigures {
  ms: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** `n_tup_ins + n_tup_upd + n_tup_del` of the records table during the run (pg_stat_user_tables). */
  rowWrites?: number;
}

// ── Sync: Patchbay ────────────────────────────────────────────────────────

function syncConnector(server: string, dataset: string) {
  return defineConnector({
    id: "bench-crm",
    name: "Bench CRM",
    category: "crm",
    auth: apiKey({ header: "x-api-key" }),
    http: { baseUrl: `${server}/v1/${dataset}` },
    models: {
      contacts: defineModel({
        schema: ContactSchema,
        key: "id",
        modes: ["full", "incremental"],
        async *sync(ctx) {
          const incremental = ctx.mode === "incremental" && ctx.cursor !== null;
          let offset = (ctx.checkpoint as { offset: number } | null)?.offset ?? 0;
          for (;;) {
            const { data } = await ctx.http.get<ContactsPage>(incremental ? "changes" : "items", {
              query: { offset, limit: PAGE, since: incremental ? Number(ctx.cursor) : undefined },
            });
            yield {
              records: data.items,
              checkpoint: data.next_offset === null ? undefined : { offset: data.next_offset },
              cursor: data.sync_token,
            };
            if (data.next_offset === null) return;
            offset = data.next_offset;
          }
        },
      }),
    },
  });
}

async function openSync(args: Args) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  pool.on("error", () => undefined);
  const store = postgresStore({ pool, schema: args.schema! });
  await store.init();
  const pb = createPatchbay({
    connectors: [syncConnector(args.server, args.dataset!)],
    store,
    vault: benchVault(),
  });
  return { pool, pb };
}

async function timedRun(
  pb: Patchbay,
  connectionId: string,
  mode?: "full" | "incremental",
): Promise<RunFigures> {
  const t0 = performance.now();
  const outcome = await pb.sync.run({ tenantId: TENANT, connectionId, model: "contacts", mode });
  const ms = performance.now() - t0;
  if (outcome.status !== "succeeded")
    throw new Error(
      `sync ${outcome.status}: ${"run" in outcome ? outcome.run.error : outcome.reason}`,
    );
  return figures(outcome.run, ms);
}

function figures(run: SyncRun, ms: number): RunFigures {
  const { fetched, inserted, updated, unchanged, deleted } = run;
  return { ms, fetched, inserted, updated, unchanged, deleted };
}

/**
 * Rows inserted, updated or deleted in the records table so far
 * (pg_stat_user_tables). A backend flushes its counters at most once a second
 * and, when idle, may hold them for 10 s: make every connection of the pool
 * flush first.
 */
async function recordWrites(pool: pg.Pool, schema: string): Promise<number> {
  const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
  // PostgreSQL 15+; older servers flush within PGSTAT_STAT_INTERVAL (0.5 s) anyway.
  await Promise.all(
    clients.map((c) => c.query("SELECT pg_stat_force_next_flush()").catch(() => undefined)),
  );
  for (const c of clients) c.release();
  await sleep(600);
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (n_tup_ins + n_tup_upd + n_tup_del)::text AS n FROM pg_stat_user_tables
      WHERE schemaname = $1 AND relname = 'records'`,
    [schema],
  );
  return Number(rows[0]?.n ?? 0);
}

async function pbFull(args: Args) {
  const { pool, pb } = await openSync(args);
  const c = await pb.connect.withCredentials({
    tenantId: TENANT,
    connector: "bench-crm",
    credentials: { apiKey: "bench-key" },
  });
  const run = await timedRun(pb, c.id);
  await pool.end();
  return { connectionId: c.id, run, rssMb: rssMb() };
}

async function pbFollowups(args: Args) {
  const { pool, pb } = await openSync(args);
  const schema = args.schema!;
  const before = await recordWrites(pool, schema);
  // Forced full: every record is fetched again, none changed.
  const resync = await timedRun(pb, args.connectionId!, "full");
  const afterResync = await recordWrites(pool, schema);
  resync.rowWrites = afterResync - before;
  const resyncRss = rssMb();
  const incrementals: Array<RunFigures & { fraction: number; changed: number }> = [];
  let last = afterResync;
  for (const fraction of args.fractions ?? []) {
    const response = await fetch(
      `${args.server}/control/${args.dataset}/mutate?fraction=${fraction}`,
      { method: "POST" },
    );
    const { changed } = (await response.json()) as { changed: number };
    const run = await timedRun(pb, args.connectionId!);
    const now = await recordWrites(pool, schema);
    incrementals.push({ ...run, rowWrites: now - last, fraction, changed });
    last = now;
  }
  await pool.end();
  return { resync, resyncRss, incrementals, rssMb: rssMb() };
}

// ── Sync: plain pg baseline ───────────────────────────────────────────────

async function fetchPages(
  server: string,
  dataset: string,
  onPage: (page: ContactsPage) => Promise<boolean | undefined>,
) {
  for (let offset: number | null = 0; offset !== null; ) {
    const response = await fetch(`${server}/v1/${dataset}/items?offset=${offset}&limit=${PAGE}`);
    if (!response.ok) throw new Error(`provider answered ${response.status}`);
    const page = (await response.json()) as ContactsPage;
    if ((await onPage(page)) === false) return;
    offset = page.next_offset;
  }
}

/**
 * The same rows, the plain way: one multi-row `INSERT ... ON CONFLICT DO
 * UPDATE` per batch of 500 (tenant, connection, model, external id, hash,
 * jsonb data), `JSON.stringify` and a SHA-256 per row, no validation.
 */
async function baseline(args: Args) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const s = `"${args.schema}"`;
  await client.query(`CREATE SCHEMA ${s}`);
  await client.query(`CREATE TABLE ${s}.scratch (
      tenant_id text COLLATE "C" NOT NULL,
      connection_id text COLLATE "C" NOT NULL,
      model text COLLATE "C" NOT NULL,
      external_id text COLLATE "C" NOT NULL,
      hash text NOT NULL,
      data jsonb NOT NULL,
      PRIMARY KEY (tenant_id, connection_id, model, external_id))`);
  const statement = (rows: number) => {
    const values = [];
    for (let r = 0; r < rows; r++) {
      const p = r * 6;
      values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb)`);
    }
    return `INSERT INTO ${s}.scratch (tenant_id, connection_id, model, external_id, hash, data)
      VALUES ${values.join(", ")}
      ON CONFLICT (tenant_id, connection_id, model, external_id)
      DO UPDATE SET hash = EXCLUDED.hash, data = EXCLUDED.data`;
  };
  const full = statement(BATCH);
  let params: unknown[] = [];
  let rows = 0;
  const flush = async () => {
    if (params.length === 0) return;
    await client.query(params.length === BATCH * 6 ? full : statement(params.length / 6), params);
    params = [];
  };
  const t0 = performance.now();
  await fetchPages(args.server, args.dataset!, async (page) => {
    for (const record of page.items) {
      const json = JSON.stringify(record);
      params.push(TENANT, "conn_1", "contacts", record.id, hash("sha256", json), json);
      rows++;
      if (params.length === BATCH * 6) await flush();
    }
    return true;
  });
  await flush();
  const ms = performance.now() - t0;
  await client.end();
  return { ms, rows, rssMb: rssMb() };
}

// ── Sync: the loop users write today ──────────────────────────────────────

/**
 * The per-record loop of typical integration code (brief 3's ServiceTitan
 * sync): for each fetched record, look up the external → internal id
 * mapping; update the host row if there is one, else insert the row and
 * then the mapping. One statement at a time, each its own transaction.
 * Stops after `seconds` (it is slow); the rate is what it reached.
 */
async function naive(args: Args) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const s = `"${args.schema}"`;
  await client.query(`CREATE SCHEMA ${s}`);
  await client.query(`CREATE TABLE ${s}.contacts (
      id uuid PRIMARY KEY, integration_id text NOT NULL, name text, email text, status text,
      amount numeric, tags text[], source_updated_at timestamptz, synced_at timestamptz)`);
  await client.query(`CREATE TABLE ${s}.data_mappings (
      integration_id text NOT NULL, entity_type text NOT NULL, external_id text NOT NULL,
      internal_id uuid NOT NULL, PRIMARY KEY (integration_id, entity_type, external_id))`);
  const deadline = performance.now() + (args.seconds ?? 30) * 1000;
  let rows = 0;
  let inserted = 0;
  let updated = 0;
  const t0 = performance.now();
  await fetchPages(args.server, args.dataset!, async (page) => {
    for (const record of page.items) {
      const mapped = {
        name: record.name,
        email: record.email.toLowerCase(),
        status: record.status === "won" ? "closed_won" : record.status,
        amount: record.amount,
        tags: record.tags,
        updated: record.updated_at,
      };
      const existing = await client.query<{ internal_id: string }>(
        `SELECT internal_id FROM ${s}.data_mappings
          WHERE integration_id = $1 AND entity_type = $2 AND external_id = $3`,
        ["conn_1", "contacts", record.id],
      );
      if (existing.rows[0] !== undefined) {
        await client.query(
          `UPDATE ${s}.contacts SET name = $2, email = $3, status = $4, amount = $5, tags = $6,
              source_updated_at = $7, synced_at = now() WHERE id = $1`,
          [
            existing.rows[0].internal_id,
            mapped.name,
            mapped.email,
            mapped.status,
            mapped.amount,
            mapped.tags,
            mapped.updated,
          ],
        );
        updated++;
      } else {
        const id = crypto.randomUUID();
        await client.query(
          `INSERT INTO ${s}.contacts (id, integration_id, name, email, status, amount, tags, source_updated_at, synced_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
          [
            id,
            "conn_1",
            mapped.name,
            mapped.email,
            mapped.status,
            mapped.amount,
            mapped.tags,
            mapped.updated,
          ],
        );
        await client.query(
          `INSERT INTO ${s}.data_mappings (integration_id, entity_type, external_id, internal_id)
           VALUES ($1, $2, $3, $4)`,
          ["conn_1", "contacts", record.id, id],
        );
        inserted++;
      }
      rows++;
      if (performance.now() > deadline) return false;
    }
    return true;
  });
  const ms = performance.now() - t0;
  await client.end();
  return { ms, rows, inserted, updated, rssMb: rssMb() };
}

// ── Tokens ────────────────────────────────────────────────────────────────

function oauthConnector(server: string) {
  return defineConnector({
    id: "bench-oauth",
    name: "Bench OAuth",
    category: "crm",
    auth: oauth2({
      authorizationUrl: `${AUTH_ORIGIN}/authorize`,
      tokenUrl: `${AUTH_ORIGIN}/oauth/token`,
      clientId: "bench-client",
      clientSecret: "bench-secret",
      scopes: ["read"],
    }),
    http: { baseUrl: server },
  });
}

async function openTokens(args: Args) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  pool.on("error", () => undefined);
  const store = postgresStore({ pool, schema: args.schema! });
  await store.init();
  const vault = benchVault();
  const pb = createPatchbay({
    connectors: [oauthConnector(args.server)],
    store,
    vault,
    fetch: loopbackFetch(args.server),
  });
  return { pool, store, vault, pb };
}

/** Connect through the OAuth code flow; the fake token endpoint reads `code` to pick the token's lifetime. */
async function connectOAuth(pb: Patchbay, code: "valid" | "expired"): Promise<string> {
  const redirectUri = "https://app.bench.test/callback";
  const { state } = await pb.connect.start({
    tenantId: TENANT,
    connector: "bench-oauth",
    redirectUri,
  });
  const connection = await pb.connect.finish(`${redirectUri}?code=${code}&state=${state}`, {
    tenantId: TENANT,
  });
  return connection.id;
}

async function timeCalls(n: number, call: () => Promise<unknown>) {
  const times = new Array<number>(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call();
    times[i] = performance.now() - start;
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  return { n, totalMs: total, p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function tokensSetup(args: Args) {
  const { pool, store, vault, pb } = await openTokens(args);
  const valid = await connectOAuth(pb, "valid");
  const expired = await connectOAuth(pb, "expired");
  const expiredNaive = await connectOAuth(pb, "expired");
  const ref = { tenantId: TENANT, id: valid };
  const patchbay = await timeCalls(args.calls ?? 10_000, () => pb.tokens.getAccessToken(ref));
  // What a host without a token manager does: read the row and decrypt it on every call.
  const plain = await timeCalls(1_000, async () => {
    const row = await store.getConnection(TENANT, valid);
    return vault.open(row!.credentials!, { tenantId: TENANT, connectionId: valid });
  });
  await pool.end();
  return { valid, expired, expiredNaive, patchbay, plain };
}

async function tokensConcurrent(args: Args) {
  const { pool, store, vault, pb } = await openTokens(args);
  const id = args.connectionId!;
  const fetchImpl = loopbackFetch(args.server);
  /** Naive: every caller that sees an expired token refreshes it itself and writes it back. */
  const naiveToken = async (): Promise<string> => {
    const row = (await store.getConnection(TENANT, id))!;
    const binding = { tenantId: TENANT, connectionId: id };
    const creds = vault.open<{ accessToken: string; refreshToken: string; expiresAt: number }>(
      row.credentials!,
      binding,
    );
    if (creds.expiresAt - 5 * 60_000 > Date.now()) return creds.accessToken;
    const response = await fetchImpl(`${AUTH_ORIGIN}/oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from("bench-client:bench-secret").toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: creds.refreshToken }),
    });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    const next = {
      ...creds,
      accessToken: body.access_token,
      expiresAt: Date.now() + body.expires_in * 1000,
    };
    await store.swapCredentials(TENANT, id, row.credentialsVersion, vault.seal(next, binding));
    return body.access_token;
  };
  const call = args.naive ? naiveToken : () => pb.tokens.getAccessToken({ tenantId: TENANT, id });
  process.stdout.write("@@ready\n");
  await waitForGo();
  const t0 = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: args.calls ?? 250 }, call));
  const ms = performance.now() - t0;
  const tokens = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const errors = settled.flatMap((s) =>
    s.status === "rejected" ? [String((s.reason as Error).message ?? s.reason)] : [],
  );
  await pool.end();
  return {
    ms,
    tokens: [...new Set(tokens)],
    errors: errors.slice(0, 3),
    errorCount: errors.length,
  };
}

// ── Throttling ────────────────────────────────────────────────────────────

async function limitedClient(server: string, declared: boolean, safetyMargin?: number) {
  const connector = defineConnector({
    id: "bench-limited",
    name: "Bench limited",
    category: "other",
    auth: apiKey({ header: "x-api-key" }),
    http: {
      baseUrl: server,
      ...(declared && {
        rateLimits: [
          {
            requests: LIMIT,
            intervalMs: WINDOW_MS,
            ...(safetyMargin !== undefined && { safetyMargin }),
          },
        ],
      }),
    },
  });
  const store: Store = new MemoryStore();
  const pb = createPatchbay({ connectors: [connector], store, vault: benchVault() });
  const c = await pb.connect.withCredentials({
    tenantId: TENANT,
    connector: "bench-limited",
    credentials: { apiKey: "bench-key" },
  });
  return pb.connections.http(TENANT, c.id);
}

/** `requests` GETs by 10 concurrent callers; returns when each success completed (ms from the start). */
async function throttle(args: Args) {
  const http = await limitedClient(
    args.server,
    args.key!.startsWith("declared"),
    args.safetyMargin,
  );
  const total = args.requests ?? 400;
  let issued = 0;
  let failed = 0;
  const completions: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (issued < total) {
        issued++;
        try {
          await http.get(`limited/${args.key}`);
          completions.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }),
  );
  completions.sort((a, b) => a - b);
  return { ms: completions[completions.length - 1] ?? Number.NaN, completions, failed };
}

/** One call whose first attempt is answered 429 with `Retry-After: 1`. */
async function recovery(args: Args) {
  const http = await limitedClient(args.server, true);
  await http.get(`limited/${args.key}`);
  await fetch(`${args.server}/limited/${args.key}/force-429`, { method: "POST" });
  const t0 = performance.now();
  await http.get(`limited/${args.key}`);
  return { callMs: performance.now() - t0 };
}

// ── Pipeline overhead ─────────────────────────────────────────────────────

async function pipeline(args: Args) {
  const client = createHttpClient({ baseUrl: args.server });
  const url = `${args.server}/ping`;
  const viaPipeline = async () => (await client.get("ping")).data;
  const viaFetch = async () => {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  };
  // What hand-written code that cannot hang forever sends: a timeout signal.
  const viaFetchTimeout = async () => {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  };
  for (let i = 0; i < 200; i++) {
    await viaPipeline();
    await viaFetch();
    await viaFetchTimeout();
  }
  const n = args.n ?? 2_000;
  const rounds = 20;
  type Which = "pipeline" | "fetch" | "fetchTimeout";
  const times: Record<Which, number[]> = { pipeline: [], fetch: [], fetchTimeout: [] };
  const sums = { pipeline: 0, fetch: 0, fetchTimeout: 0 };
  const fns = { pipeline: viaPipeline, fetch: viaFetch, fetchTimeout: viaFetchTimeout };
  for (let r = 0; r < rounds; r++) {
    // Rotate which goes first, in small blocks, so load swings hit all alike.
    const all: Which[] = ["pipeline", "fetch", "fetchTimeout"];
    const order = [...all.slice(r % 3), ...all.slice(0, r % 3)];
    for (const which of order) {
      const fn = fns[which];
      const t0 = performance.now();
      for (let i = 0; i < n / rounds; i++) {
        const start = performance.now();
        await fn();
        times[which].push(performance.now() - start);
      }
      sums[which] += performance.now() - t0;
    }
  }
  const stats = (which: Which) => {
    const sorted = times[which].sort((a, b) => a - b);
    return {
      meanMs: sums[which] / sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  };
  return {
    n,
    pipeline: stats("pipeline"),
    fetch: stats("fetch"),
    fetchTimeout: stats("fetchTimeout"),
  };
}

// ── Dispatch ──────────────────────────────────────────────────────────────

const scenarios: Record<string, (args: Args) => Promise<unknown>> = {
  "pb-full": pbFull,
  "pb-followups": pbFollowups,
  baseline,
  naive,
  "tokens-setup": tokensSetup,
  "tokens-concurrent": tokensConcurrent,
  throttle,
  recovery,
  pipeline,
};

const [name, raw] = process.argv.slice(2);
const scenario = scenarios[name ?? ""];
if (scenario === undefined) {
  process.stderr.write(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(", ")}\n`);
  process.exit(2);
}
emit(await scenario(JSON.parse(raw ?? "{}") as Args));
process.exit(0);
