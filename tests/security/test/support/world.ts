import {
  createPatchbay,
  createPatchbayHandler,
  defineExportSource,
  type Logger,
  MemoryStore,
  type Patchbay,
  type PatchbayEventName,
  type PatchbayOptions,
  type Store,
  Vault,
} from "@patchbay/core";
import { createFakeOAuthServer } from "@patchbay/testing";
import { createTasksFake, TASKS_API_KEY, tasksConnector } from "@patchbay/testing/example";

export const APP = "https://app.example.com";
export const CALLBACK = `${APP}/integrations/tasks/callback`;
export const CLIENT_SECRET = "tasks-app-secret";
export const CRON_SECRET = "cron-secret-0123456789";
export const KEY_1 = { kid: "k1", key: Buffer.alloc(32, 7).toString("base64") };
export const KEY_2 = { kid: "k2", key: Buffer.alloc(32, 9).toString("base64") };

/**
 * Every event Patchbay emits. `satisfies` makes the type checker fail when an
 * event is added to core without being listed here.
 */
export const EVENT_NAMES = Object.keys({
  "connection.created": true,
  "connection.status_changed": true,
  "connection.needs_reauth": true,
  "connection.lifecycle_failed": true,
  "token.refreshed": true,
  "sync.started": true,
  "sync.completed": true,
  "sync.failed": true,
  "records.changed": true,
  "records.written": true,
  "export.completed": true,
  "export.failed": true,
} satisfies Record<PatchbayEventName, true>) as PatchbayEventName[];

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 10, 22, 12)) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A logger that keeps every line. */
export function recordingLogger(): Logger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const log = (level: string) => (message: string, fields?: unknown) =>
    void lines.push({ level, message, fields });
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A registered export source that yields a few rows for any tenant. */
export const reportSource = defineExportSource({
  id: "report",
  name: "Report",
  columns: [{ key: "name" }, { key: "plays", type: "number" }],
  *rows({ tenantId }) {
    yield [
      { name: `${tenantId} row 1`, plays: 1 },
      { name: `${tenantId} row 2`, plays: 2 },
    ];
  },
});

/**
 * The Tasks provider (API key, or OAuth on a strict fake server), a store,
 * Patchbay and its HTTP handler. The tenant comes from the `x-tenant` header.
 */
export function tasksWorld(
  options: {
    oauth?: boolean;
    store?: Store;
    seed?: number;
    logger?: Logger;
    extra?: Partial<PatchbayOptions>;
  } = {},
) {
  const clock = manualClock();
  const oauth = createFakeOAuthServer({
    issuer: "https://auth.tasks.test",
    clients: [{ clientId: "tasks-app", clientSecret: CLIENT_SECRET, redirectUris: [CALLBACK] }],
    now: clock.now,
  });
  const fake = createTasksFake({ now: clock.now, oauth });
  fake.seed(options.seed ?? 4);
  const store = options.store ?? new MemoryStore({ now: clock.now });
  const connector = tasksConnector(options.oauth ? { oauth } : {});
  const patchbay: Patchbay = createPatchbay({
    connectors: [connector],
    store,
    vault: new Vault({ keys: [KEY_1] }),
    now: clock.now,
    logger: options.logger,
    exports: { sources: [reportSource] },
    ...options.extra,
  });
  const handle = createPatchbayHandler(patchbay, {
    basePath: "/integrations",
    tenant: (request) => {
      const tenantId = request.headers.get("x-tenant");
      return tenantId === null ? null : { tenantId, actor: `user-of-${tenantId}` };
    },
    cronSecret: CRON_SECRET,
  });
  async function connectWithKey(tenantId: string) {
    return patchbay.connect.withCredentials({
      tenantId,
      connector: "tasks",
      credentials: { apiKey: TASKS_API_KEY },
    });
  }
  return { clock, oauth, fake, store, connector, patchbay, handle, connectWithKey };
}

/** Reject with the error, or fail the test when the promise fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)?.slice(0, 200)}`);
    },
    (error: unknown) => error,
  );
}
