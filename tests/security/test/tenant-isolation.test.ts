/**
 * Tenant isolation across every facade call: tenant B, holding tenant A's
 * ids, never sees, changes, syncs or deletes A's things. The facade is walked
 * at runtime, so a new method without a case here fails the suite.
 */
import { ErrorCode, type Patchbay } from "@patchbay/core";
import { pgliteStore } from "@patchbay/store-postgres";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { populate, snapshot, type TenantThings, type World } from "./support/isolation.js";
import { tasksWorld } from "./support/world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Ctx {
  w: World;
  pb: Patchbay;
  a: TenantThings;
  b: TenantThings;
}

async function notFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
}

async function configInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
  expect((error as Error).message).toContain(field);
}

/** Facade members that take no tenant, with the reason they need no isolation case. */
const TENANTLESS: Record<string, string> = {
  "connectors.get": "the static catalogue of registered connectors: no tenant data",
  "connectors.has": "the static catalogue: no tenant data",
  "connectors.list": "the static catalogue: no tenant data",
  "connectors.catalogue": "the static catalogue: no tenant data",
  catalogue: "the static catalogue: no tenant data",
  "exports.sources": "the host's registered export sources: code, no tenant data",
  on: "event subscription: process-wide by design (payloads carry the tenant)",
  start: "starts the process's scheduler",
  stop: "stops the process's scheduler",
  rotateKeys: "re-seals every tenant's credentials by design (each stays bound to its row)",
  runMaintenance: "system maintenance across tenants by design (each connection as its own)",
  "sync.runDue": "the cron entry point: runs each due sync as the tenant that scheduled it",
  "exports.runDue": "the cron entry point: runs each due export as the tenant that defined it",
  handleWebhook:
    "takes no tenant: deliveries are routed by signed metadata (webhooks.test.ts covers forgery)",
};

/** Tenant B acting on tenant A's ids. Each case asserts the answer; the caller checks that A is untouched. */
const CASES: Record<string, (ctx: Ctx) => Promise<void>> = {
  "connect.start": async ({ w, pb, b, a }) => {
    // B's pending authorization cannot be finished by A, nor A's by B.
    const { url } = await pb.connect.start({
      tenantId: b.tenantId,
      connector: "tasks",
      redirectUri: "https://app.example.com/integrations/tasks/callback",
    });
    await expect(
      pb.connect.finish(w.oauth.approve(url), { tenantId: a.tenantId }),
    ).rejects.toMatchObject({ code: ErrorCode.CONNECT_STATE_INVALID });
  },
  "connect.finish": async ({ w, pb, a, b }) => {
    const { url } = await pb.connect.start({
      tenantId: a.tenantId,
      connector: "tasks",
      redirectUri: "https://app.example.com/integrations/tasks/callback",
    });
    const callback = w.oauth.approve(url);
    await expect(pb.connect.finish(callback, { tenantId: b.tenantId })).rejects.toMatchObject({
      code: ErrorCode.CONNECT_STATE_INVALID,
    });
    expect((await pb.connections.list(b.tenantId)).map((c) => c.id)).toEqual([b.connectionId]);
  },
  "connect.withCredentials": async ({ pb, b }) => {
    // OAuth connector: refused before anything is stored.
    await configInvalid(
      pb.connect.withCredentials({ tenantId: b.tenantId, connector: "tasks", credentials: {} }),
      "connect.start()",
    );
  },
  "tokens.getAccessToken": ({ pb, a, b }) =>
    notFound(pb.tokens.getAccessToken({ tenantId: b.tenantId, id: a.connectionId })),
  "tokens.getCredentials": ({ pb, a, b }) =>
    notFound(pb.tokens.getCredentials({ tenantId: b.tenantId, id: a.connectionId })),
  "tokens.forget": async ({ pb, a, b }) => {
    await pb.tokens.getCredentials({ tenantId: a.tenantId, id: a.connectionId }); // A's cache warm
    pb.tokens.forget({ tenantId: b.tenantId, id: a.connectionId });
    // B's cache key never reaches A's cached credentials.
    await notFound(pb.tokens.getCredentials({ tenantId: b.tenantId, id: a.connectionId }));
  },
  "tokens.getDerivedToken": async ({ pb, a, b }) => {
    let derivations = 0;
    const derive = async () => ({
      accessToken: `derived-${++derivations}-xxxxxxxx`,
      expiresAt: null,
    });
    const base = "base-token-of-a-xxxxxxxx";
    expect(
      await pb.tokens.getDerivedToken({ tenantId: a.tenantId, id: a.connectionId }, base, derive),
    ).toBe("derived-1-xxxxxxxx");
    // B's key never reaches A's cached derivation, even with the same id and base token.
    expect(
      await pb.tokens.getDerivedToken({ tenantId: b.tenantId, id: a.connectionId }, base, derive),
    ).toBe("derived-2-xxxxxxxx");
  },
  "tokens.markNeedsReauth": async ({ pb, a, b }) => {
    await pb.tokens.markNeedsReauth({ tenantId: b.tenantId, id: a.connectionId }, "revoked");
    expect((await pb.connections.get(a.tenantId, a.connectionId)).status).toBe("active");
  },
  "connections.list": async ({ pb, a, b }) => {
    const ids = (await pb.connections.list(b.tenantId)).map((c) => c.id);
    expect(ids).toEqual([b.connectionId]);
    expect(ids).not.toContain(a.connectionId);
    expect(await pb.connections.list(b.tenantId, { status: ["active"] })).toHaveLength(1);
  },
  "connections.get": ({ pb, a, b }) => notFound(pb.connections.get(b.tenantId, a.connectionId)),
  "connections.http": ({ pb, a, b }) => notFound(pb.connections.http(b.tenantId, a.connectionId)),
  "connections.test": ({ pb, a, b }) => notFound(pb.connections.test(b.tenantId, a.connectionId)),
  "connections.configure": ({ pb, a, b }) =>
    notFound(pb.connections.configure(b.tenantId, a.connectionId, {})),
  "connections.setFieldMapping": ({ pb, a, b }) =>
    notFound(
      pb.connections.setFieldMapping(b.tenantId, a.connectionId, "tasks", { label: "title" }),
    ),
  "connections.health": ({ pb, a, b }) =>
    notFound(pb.connections.health(b.tenantId, a.connectionId)),
  "connections.disconnect": async ({ pb, a, b }) => {
    await notFound(pb.connections.disconnect(b.tenantId, a.connectionId));
    await notFound(pb.connections.disconnect(b.tenantId, a.connectionId, { purge: true }));
  },
  "sync.run": ({ pb, a, b }) =>
    notFound(pb.sync.run({ tenantId: b.tenantId, connectionId: a.connectionId, model: "tasks" })),
  "sync.schedule": ({ pb, a, b }) =>
    notFound(
      pb.sync.schedule({
        tenantId: b.tenantId,
        connectionId: a.connectionId,
        model: "tasks",
        schedule: { kind: "manual" },
      }),
    ),
  "sync.enqueue": ({ pb, a, b }) =>
    notFound(
      pb.sync.enqueue({ tenantId: b.tenantId, connectionId: a.connectionId, model: "tasks" }),
    ),
  "sync.status": ({ pb, a, b }) => notFound(pb.sync.status(b.tenantId, a.connectionId)),
  "sync.runs": async ({ pb, a, b }) => {
    expect(await pb.sync.runs(b.tenantId, { connectionId: a.connectionId })).toEqual([]);
    const mine = await pb.sync.runs(b.tenantId, {});
    expect(mine.every((r) => r.connectionId === b.connectionId)).toBe(true);
  },
  "records.changes": ({ pb, a, b }) =>
    notFound(pb.records.changes({ tenantId: b.tenantId, connectionId: a.connectionId })),
  "records.list": ({ pb, a, b }) =>
    notFound(
      pb.records.list({ tenantId: b.tenantId, connectionId: a.connectionId, model: "tasks" }),
    ),
  "records.get": async ({ pb, a, b }) => {
    await notFound(
      pb.records.get({
        tenantId: b.tenantId,
        connectionId: a.connectionId,
        model: "tasks",
        externalId: a.externalId,
      }),
    );
    // B's own connection does not resolve A's host ids either.
    expect(
      await pb.records.get({
        tenantId: b.tenantId,
        connectionId: b.connectionId,
        model: "tasks",
        internalId: a.internalId,
      }),
    ).toBeNull();
  },
  "records.setInternalId": ({ pb, a, b }) =>
    notFound(
      pb.records.setInternalId({
        tenantId: b.tenantId,
        connectionId: a.connectionId,
        model: "tasks",
        externalId: a.externalId,
        internalId: "stolen",
      }),
    ),
  write: async ({ pb, a, b }) => {
    await notFound(
      pb.write({
        tenantId: b.tenantId,
        connectionId: a.connectionId,
        model: "tasks",
        changes: [{ op: "delete", internalId: a.internalId }],
      }),
    );
    // Through B's own connection, A's host id is unknown: nothing is deleted.
    const own = await pb.write({
      tenantId: b.tenantId,
      connectionId: b.connectionId,
      model: "tasks",
      changes: [{ op: "delete", internalId: a.internalId }],
    });
    expect(own.results[0]!.status).toBe("failed");
  },
  "actions.run": ({ pb, a, b }) =>
    notFound(
      pb.actions.run({
        tenantId: b.tenantId,
        connectionId: a.connectionId,
        action: "countTasks",
        input: { status: "open" },
      }),
    ),
  "tenants.usage": async ({ pb, b }) => {
    // B's counters are B's runs only.
    const runs = await pb.sync.runs(b.tenantId, { limit: 100 });
    const usage = await pb.tenants.usage(b.tenantId);
    expect(usage.runs).toBe(runs.filter((r) => r.trigger !== "write").length);
    expect(usage.records).toBe(
      runs.reduce((sum, r) => sum + r.inserted + r.updated + r.deleted, 0),
    );
  },
  "tenants.audit": async ({ pb, a, b }) => {
    expect(await pb.tenants.audit(b.tenantId, { connectionId: a.connectionId })).toEqual([]);
    const mine = await pb.tenants.audit(b.tenantId);
    expect(mine.every((e) => e.tenantId === b.tenantId)).toBe(true);
  },
  "tenants.export": async ({ pb, a, b }) => {
    const items = [];
    for await (const item of pb.tenants.export(b.tenantId)) items.push(item);
    const text = JSON.stringify(items);
    expect(items.length).toBeGreaterThan(0);
    for (const id of [a.connectionId, a.exportId]) expect(text).not.toContain(id);
    expect(text).not.toContain(`"tenantId":"${a.tenantId}"`);
  },
  "tenants.purge": async ({ pb, b }) => {
    expect(await pb.tenants.purge(b.tenantId)).toEqual({ connections: 1 });
  },
  "exports.define": async ({ pb, a, b }) => {
    const base = {
      name: "stolen",
      format: "csv" as const,
      schedule: { kind: "manual" as const },
    };
    await configInvalid(
      pb.exports.define(b.tenantId, {
        ...base,
        source: { connectionId: a.connectionId, model: "tasks" },
        destination: { connectionId: b.connectionId },
      }),
      '"source.connectionId"',
    );
    await configInvalid(
      pb.exports.define(b.tenantId, {
        ...base,
        source: "report",
        destination: { connectionId: a.connectionId },
      }),
      '"destination.connectionId"',
    );
  },
  "exports.update": async ({ pb, a, b }) => {
    await notFound(pb.exports.update(b.tenantId, a.exportId, { name: "mine now" }));
    await configInvalid(
      pb.exports.update(b.tenantId, b.exportId, { destination: { connectionId: a.connectionId } }),
      '"destination.connectionId"',
    );
    await configInvalid(
      pb.exports.update(b.tenantId, b.exportId, {
        source: { connectionId: a.connectionId, model: "tasks" },
      }),
      '"source.connectionId"',
    );
  },
  "exports.list": async ({ pb, a, b }) => {
    expect((await pb.exports.list(b.tenantId)).map((e) => e.id)).toEqual([b.exportId]);
    expect(await pb.exports.list(b.tenantId, { connectionId: a.connectionId })).toEqual([]);
  },
  "exports.get": ({ pb, a, b }) => notFound(pb.exports.get(b.tenantId, a.exportId)),
  "exports.remove": async ({ pb, a, b }) => {
    expect(await pb.exports.remove(b.tenantId, a.exportId)).toEqual({ removed: false });
  },
  "exports.run": ({ pb, a, b }) => notFound(pb.exports.run(b.tenantId, a.exportId)),
  "exports.runs": async ({ pb, a, b }) => {
    expect(await pb.exports.runs(b.tenantId, { exportId: a.exportId })).toEqual([]);
  },
};

/** Every callable member of the facade, one level deep (`connections.get`), class methods included. */
function facadeMethods(patchbay: Patchbay): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(patchbay)) {
    if (typeof value === "function") {
      out.push(name);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    const names = new Set(Object.keys(value));
    for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; ) {
      for (const key of Object.getOwnPropertyNames(proto))
        if (key !== "constructor") names.add(key);
      proto = Object.getPrototypeOf(proto);
    }
    for (const key of names)
      if (typeof (value as Record<string, unknown>)[key] === "function") out.push(`${name}.${key}`);
  }
  return out.sort();
}

describe("tenant isolation: the facade", () => {
  it("has an isolation case (or a written reason) for every method", () => {
    const methods = facadeMethods(tasksWorld().patchbay);
    const covered = new Set([...Object.keys(CASES), ...Object.keys(TENANTLESS)]);
    expect(
      methods.filter((m) => !covered.has(m)),
      "facade methods without a case",
    ).toEqual([]);
    expect(
      [...covered].filter((m) => !methods.includes(m)),
      "cases for methods that no longer exist",
    ).toEqual([]);
  });

  it.each(Object.keys(CASES))("%s: tenant B cannot see or touch tenant A's things", async (m) => {
    const w = tasksWorld({ oauth: true, seed: 3 });
    server.use(...w.oauth.handlers, ...w.fake.handlers);
    const a = await populate(w, "tenant-a");
    const b = await populate(w, "tenant-b");
    const before = await snapshot(w.store, w.fake, a, w.patchbay);
    await CASES[m]!({ w, pb: w.patchbay, a, b });
    expect(await snapshot(w.store, w.fake, a, w.patchbay)).toBe(before);
    // A still works end to end.
    const run = await w.patchbay.sync.run({
      tenantId: a.tenantId,
      connectionId: a.connectionId,
      model: "tasks",
    });
    expect(run.status).toBe("succeeded");
  });

  // The same cases against PostgreSQL (PGlite), where scoping lives in SQL.
  // One populated pair, cases in sequence (purge last). PGlite takes 15-30 s
  // here, so this runs in the long run only (`pnpm test:fuzz` sets FUZZ_RUNS).
  it.runIf(process.env.FUZZ_RUNS !== undefined)(
    "every case holds on the PostgreSQL store too",
    {
      timeout: 180_000,
    },
    async () => {
      const store = pgliteStore({ schema: "pb_isolation" });
      await store.init();
      try {
        const w = tasksWorld({ store, oauth: true, seed: 3 });
        server.use(...w.oauth.handlers, ...w.fake.handlers);
        const a = await populate(w, "tenant-a");
        const b = await populate(w, "tenant-b");
        const order = Object.keys(CASES).sort(
          (x, y) => Number(x === "tenants.purge") - Number(y === "tenants.purge"),
        );
        const before = await snapshot(store, w.fake, a, w.patchbay);
        for (const m of order) await CASES[m]!({ w, pb: w.patchbay, a, b });
        expect(await snapshot(store, w.fake, a, w.patchbay)).toBe(before);
      } finally {
        await store.close();
      }
    },
  );
});
